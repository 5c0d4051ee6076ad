//! Boot tests of interrupts, the timer and the scheduler on the kvm platform: C applications
//! from `tests/apps/` are linked by `ukl link` from the committed prebuilt pool and booted by
//! `ukl run` under QEMU (TCG). Assertions are on console lines and exit status only; the few
//! numbers checked (timer ticks, halts) are counts with wide margins, never durations.

mod common;
use common::*;

use std::path::{Path, PathBuf};

/// Compiles `tests/apps/<name>` with the pool's C flags, also against the headers of the
/// architecture, the platform and uksched; returns the object.
fn compile(name: &str, dir: &Path) -> PathBuf {
    let object = dir.join(name).with_extension("o");
    let include = |library: &str| {
        home()
            .join("pool-src/libs")
            .join(library)
            .join("include")
            .display()
            .to_string()
    };
    let (arch, plat, sched) = (
        include("arch_x86_64"),
        include("plat_kvm"),
        include("uksched"),
    );
    let flags = ["-Wall", "-Werror", "-I", &arch, "-I", &plat, "-I", &sched];
    compile_c(&app(name), &object, &flags);
    object
}

/// Links `object` for kvm, with a map file next to the image; returns the image.
fn link(object: &Path) -> PathBuf {
    let image = object.with_extension("kvm");
    let map = image.with_extension("map").display().to_string();
    ukl_link(&[object], "kvm", &image, &["--map", &map]);
    image
}

struct Boot {
    stdout: String,
    status: i32,
}

fn boot(image: &Path, args: &[&str]) -> Boot {
    let mut command = ukl();
    command.arg("run").arg(image).args(["--timeout", "90"]);
    if !args.is_empty() {
        command.arg("--").args(args);
    }
    let output = command.output().expect("ukl run starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    Boot {
        stdout: format!("{stdout}\n(stderr)\n{stderr}"),
        status: output.status.code().unwrap_or(-1),
    }
}

fn assert_lines(run: &Boot, lines: &[&str]) {
    for line in lines {
        assert!(
            run.stdout.contains(line),
            "missing `{line}` in:\n{}",
            run.stdout
        );
    }
}

#[test]
fn threads_semaphores_mutexes_sleeps_and_joins() {
    let dir = work_dir("sched", "threads");
    let image = link(&compile("threads.c", &dir));
    let run = boot(&image, &[]);
    assert_lines(
        &run,
        &[
            "ping-pong: ioioioioio, joined 11 22",
            "mutex: counter 300, exclusive, join sum 600",
            "mutex relock: EDEADLK",
            "producer/consumer: sum 210 (expected 210)",
            "sleep 200 ms: long enough",
            "idle: halted",
            "nanosleep 30 ms: long enough",
            "semaphore timeout: ETIMEDOUT, after the deadline",
            "waitq past deadline: -110",
            "trywait on empty: -1 EAGAIN",
            "errno: mine 5, theirs 77",
            "current: main",
            "threads alive: 2, switches: many",
            "main returns 3",
        ],
    );
    assert!(!run.stdout.contains("unreachable"), "{}", run.stdout);
    // main's status ends the image although a thread still waits.
    assert_eq!(run.status, 3, "{}", run.stdout);
}

#[test]
fn timer_interrupts_arrive_during_a_busy_loop_and_end_a_halt() {
    let dir = work_dir("sched", "timer");
    let image = link(&compile("timer_irq.c", &dir));
    let run = boot(&image, &[]);
    assert_lines(
        &run,
        &[
            "interrupts enabled: 1",
            "bad irq: -22",
            "ticks during a 300 ms busy loop: several",
            "halted until the deadline: yes",
            "timer count matches: yes",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stdout);
    // No thread API used: the scheduler libraries stay out of the image.
    let map = std::fs::read_to_string(image.with_extension("map")).unwrap();
    assert!(!map.contains("uksched-") && !map.contains("schedcoop-"));
}

#[test]
fn a_device_interrupt_wakes_a_thread() {
    let dir = work_dir("sched", "irq-wake");
    let image = link(&compile("sched_edges.c", &dir));
    let run = boot(&image, &["irq-wake"]);
    assert_lines(
        &run,
        &[
            "device handlers: 1",
            "woken by the COM1 interrupt (1 handled, 1 delivered)",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stdout);
}

#[test]
fn a_deadlock_is_reported() {
    let dir = work_dir("sched", "deadlock");
    let image = link(&compile("sched_edges.c", &dir));
    let run = boot(&image, &["deadlock"]);
    assert_lines(
        &run,
        &[
            "main waits forever",
            "every thread waits, with no deadline and no interrupt handler to wake one",
            "ukl: crash: deadlock",
        ],
    );
    assert_eq!(run.status, 127, "{}", run.stdout);
}

#[test]
fn a_thread_stack_overflow_is_reported() {
    let dir = work_dir("sched", "overflow");
    let image = link(&compile("sched_edges.c", &dir));
    let run = boot(&image, &["overflow"]);
    assert_lines(
        &run,
        &["ukl: crash: #PF page fault", "(guard page: stack overflow)"],
    );
    assert_eq!(run.status, 127, "{}", run.stdout);
}

#[test]
fn main_may_exit_before_the_last_thread() {
    let dir = work_dir("sched", "main-exit");
    let image = link(&compile("sched_edges.c", &dir));
    let run = boot(&image, &["main-exit"]);
    assert_lines(&run, &["main exits", "last thread ends"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
}
