//! Boot tests for the kvm platform: applications are compiled, linked by `ukl link` from the
//! committed prebuilt pool and booted by `ukl run` under QEMU (TCG); the tests check what the
//! unikernel printed and its exit status.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output};

fn link(objects: &[&Path], image: &Path, extra: &[&str]) -> Output {
    ukl_link(objects, "kvm", image, extra)
}

struct Boot {
    stdout: String,
    stderr: String,
    status: i32,
}

fn boot(image: &Path, args: &[&str], memory: Option<&str>) -> Boot {
    let mut command = ukl();
    command.arg("run").arg(image).args(["--timeout", "60"]);
    if let Some(m) = memory {
        command.args(["-m", m]);
    }
    if !args.is_empty() {
        command.arg("--").args(args);
    }
    let output = command.output().expect("ukl run starts");
    Boot {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        status: output.status.code().unwrap_or(-1),
    }
}

#[test]
fn hello_c_prints_and_exits_zero() {
    let dir = work_dir("boot", "hello-c");
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    let image = dir.join("hello.kvm");
    link(&[&object], &image, &[]);
    let run = boot(&image, &["first", "two words"], None);
    assert_eq!(
        run.status, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    for line in [
        "Hello, world!",
        "ints: -42 42 beef 00007 3   | 1234567890123",
        "floats: 3.141593 -2.500 6.022141e+23 0.0001 1e-05",
        "argc = 3",
        "argv[1] = \"first\"",
        "argv[2] = \"two words\"",
        "malloc/free of 4 blocks: ok",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing `{line}` in:\n{}",
            run.stdout
        );
    }
}

#[test]
fn run_links_an_object_itself() {
    let dir = work_dir("boot", "run-object");
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    let run = boot(&object, &[], None);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Hello, world!"));
}

#[test]
fn page_fault_gives_a_crash_report() {
    let dir = work_dir("boot", "crash");
    let object = dir.join("crash.o");
    compile_c(&app("crash.c"), &object, &[]);
    let image = dir.join("crash.kvm");
    link(&[&object], &image, &[]);
    let run = boot(&image, &[], None);
    assert!(run.stdout.contains("about to fault"), "{}", run.stdout);
    assert!(!run.stdout.contains("not reached"), "{}", run.stdout);
    let report = run.stdout.to_lowercase();
    assert!(
        report.contains("page fault"),
        "no crash report:\n{}",
        run.stdout
    );
    assert!(
        report.contains("dead0000"),
        "faulting address missing:\n{}",
        run.stdout
    );
    assert!(report.contains("rip"), "registers missing:\n{}", run.stdout);
    assert_eq!(run.status, 127, "{}\n{}", run.stdout, run.stderr);
    // `ukl run` names the backtrace's functions from the image's symbols (Rust names
    // demangled): the faulting instruction in poke; the boot library's frames below.
    assert!(
        run.stderr
            .contains("ukl: the crash report's backtrace, from the image's symbols:")
            && run.stderr.contains(" poke+0x")
            && run.stderr.contains(" boot::entry::run_main+0x"),
        "{}",
        run.stderr
    );
}

/// A `hlt` with interrupts off stops the vCPU for good; the runner notices the idle vCPU,
/// asks QEMU where it is and reports it with status 127 instead of waiting for the timeout.
#[test]
fn a_stray_hlt_is_reported_by_the_runner() {
    let dir = work_dir("boot", "stray-hlt");
    let object = dir.join("stray_hlt.o");
    compile_c(&app("stray_hlt.c"), &object, &[]);
    let image = dir.join("stray_hlt.kvm");
    link(&[&object], &image, &[]);
    let started = std::time::Instant::now();
    let run = boot(&image, &[], None);
    assert_eq!(run.status, 127, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("stopping the CPU"), "{}", run.stdout);
    assert!(!run.stdout.contains("not reached"), "{}", run.stdout);
    assert!(
        run.stderr.contains("executed `hlt` outside the idle loop")
            && run.stderr.contains("in stop_here+0x"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(50),
        "reported before the 60 s timeout"
    );
}

#[test]
fn allocator_stress_fills_ram() {
    let dir = work_dir("boot", "alloc");
    let object = dir.join("alloc.o");
    compile_c(&app("alloc_stress.c"), &object, &[]);
    let image = dir.join("alloc.kvm");
    link(&[&object], &image, &[]);
    let run = boot(&image, &[], Some("32M"));
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("round 3:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("large block after free: ok"),
        "{}",
        run.stdout
    );
    // Most of the 32 MiB was in use in every round.
    for line in run.stdout.lines().filter(|l| l.starts_with("round ")) {
        let kib: usize = line
            .rsplit(", ")
            .next()
            .unwrap()
            .trim_end_matches(" KiB")
            .parse()
            .unwrap();
        assert!(kib > 20 * 1024, "only {kib} KiB allocated: {line}");
    }
}

#[test]
fn link_needs_no_rust_toolchain() {
    let dir = work_dir("boot", "no-cargo");
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    let image = dir.join("hello.kvm");
    // A PATH with only the system directories: no cargo, no rustc.
    let path = "/usr/bin:/bin";
    for tool in ["cargo", "rustc"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .env("PATH", path)
            .output()
            .unwrap();
        assert!(
            !found.status.success(),
            "{tool} is in {path}; the test would prove nothing"
        );
    }
    let output = ukl()
        .env("PATH", path)
        .arg("link")
        .arg(&object)
        .args(["--plat", "kvm", "-o"])
        .arg(&image)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(image.is_file());
}

#[test]
fn tampered_archive_is_refused() {
    let dir = work_dir("boot", "tamper");
    // A copy of the home whose nolibc archive has one byte changed.
    let copy = dir.join("home");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in ["registry.toml", "platforms", "linkscripts", "prebuilt"] {
        let status = Command::new("cp")
            .arg("-r")
            .arg(home().join(entry))
            .arg(&copy)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let archive = std::fs::read_dir(copy.join("prebuilt/x86_64"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("nolibc-") && name.ends_with(".a")
        })
        .unwrap();
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&archive, bytes).unwrap();
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    let output = Command::new(env!("CARGO_BIN_EXE_ukl"))
        .env("UKL_HOME", &copy)
        .arg("link")
        .arg(&object)
        .args(["--plat", "kvm", "-o"])
        .arg(dir.join("hello.kvm"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("nolibc"),
        "the message must name the archive: {stderr}"
    );
    assert!(
        stderr.contains("sha256") || stderr.contains("checksum"),
        "{stderr}"
    );
    assert!(!dir.join("hello.kvm").exists(), "no image may be written");
}

#[test]
fn hello_rust_prints_and_exits_zero() {
    let dir = work_dir("boot", "hello-rust");
    let object = dir.join("hello.o");
    compile_rust(&home().join("examples/hello-rust/src/main.rs"), &object);
    let image = dir.join("hello.kvm");
    link(&[&object], &image, &[]);
    let run = boot(&image, &["x"], None);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    for line in [
        "Hello from Rust on ukl!",
        "argv[1] = \"x\"",
        "10 squares sum to 385; UNIKERNELS IN RUST",
        "pi is about 3.14159, e is about 2.718281828e0",
        "a boxed slice of 5000 bytes",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing `{line}` in:\n{}",
            run.stdout
        );
    }
}

#[test]
fn rust_panic_reports_and_exits_101() {
    let dir = work_dir("boot", "panic");
    let object = dir.join("panic.o");
    compile_rust(&app("panic.rs"), &object);
    let image = dir.join("panic.kvm");
    link(&[&object], &image, &[]);
    let run = boot(&image, &[], None);
    assert!(run.stdout.contains("about to panic"), "{}", run.stdout);
    assert!(!run.stdout.contains("not reached"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("index out of bounds: the len is 4 but the index is 11"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("panic.rs:"),
        "location missing:\n{}",
        run.stdout
    );
    assert_eq!(run.status, 101, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn rust_toolchain_mismatch_is_reported() {
    let dir = work_dir("boot", "toolchain");
    let object = dir.join("hello.o");
    compile_rust(&home().join("examples/hello-rust/src/main.rs"), &object);
    // Pretend another compiler made the object.
    let comment = dir.join("comment");
    std::fs::write(&comment, b"rustc version 1.80.0 (051478957 2024-07-21)\0").unwrap();
    let patched = dir.join("old.o");
    let status = Command::new("objcopy")
        .args(["--remove-section", ".comment", "--add-section"])
        .arg(format!(".comment={}", comment.display()))
        .arg(&object)
        .arg(&patched)
        .status()
        .unwrap();
    assert!(status.success());
    let output = ukl()
        .arg("link")
        .arg(&patched)
        .args(["--plat", "kvm", "-o"])
        .arg(dir.join("x.kvm"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("1.80.0") && stderr.contains("1.95"),
        "both versions must be named: {stderr}"
    );
}

/// A nolibc program's math.h functions come from nolibc and give the results of musl's libm
/// (which the libm crate under them was ported from) on the same inputs: signed zeros, halves,
/// exact cases. (glibc differs where C leaves the result open: `fmax(0.0, -0.0)`.)
#[test]
fn nolibc_math_matches_the_host_c_library() {
    let dir = work_dir("boot", "nolibc-math");
    let source = app("nolibc_math.c");
    let native = dir.join("native");
    let out = Command::new("musl-gcc")
        .args(["-static", "-O2", "-o"])
        .arg(&native)
        .arg(&source)
        .output()
        .expect("musl-gcc runs (apt-get install musl-tools)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = Command::new(&native).output().expect("the host build runs");
    let expected = String::from_utf8(expected.stdout).unwrap();
    assert!(expected.ends_with("math done\n"), "{expected}");
    let object = dir.join("nolibc_math.o");
    compile_c(&source, &object, &[]);
    let image = dir.join("nolibc_math.kvm");
    link(&[&object], &image, &[]);
    let run = boot(&image, &[], None);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_same_output(&run.stdout.replace("\r\n", "\n"), &expected);
}
