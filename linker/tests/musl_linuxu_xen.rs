//! The musl programs of musl_kvm.rs on the other platforms: linuxu (the image is a Linux
//! process; with an initrd its file calls are trapped into the pool's system call table, which
//! serves them from the initrd, and the host serves the rest; without one the host serves
//! everything) and xen (real Xen 4.17 under QEMU, the image as a PVH dom0 served by the pool's
//! system call layer, its files from an initrd that Xen hands over as a start-info module).

mod common;
use common::{
    assert_same_output, home, linux_output, make_lua, musl_gcc, musl_gcc_with, musl_work_dir,
    run_linux, split_refusals, stdin_test, syscall_test, ukl_run, ukl_run_with_input,
    unikernel_matches, SYSCALL_TEST_REFUSALS,
};

use std::path::Path;
use std::process::Output;

/// Boots a xen image (Xen 4.17 under QEMU) with `ukl run`, an optional initrd and the
/// arguments; checks that it ended with status 0 and returns its console (`\r\n` → `\n`).
fn run_xen_ok(image: &Path, initrd: Option<&Path>, args: &[&str]) -> String {
    let (out, text) = run_xen(image, initrd, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Boots `image` as a Xen dom0 under QEMU.
fn run_xen(image: &Path, initrd: Option<&Path>, args: &[&str]) -> (Output, String) {
    ukl_run(image, "xen", initrd, None, args)
}

/// Lua as a Xen PVH dom0 with examples/lua's files in an initrd (the second multiboot module,
/// which Xen lists in dom0's start info): the script's output is Linux's, byte for byte.
#[test]
fn lua_on_xen_from_an_initrd_matches_linux() {
    let work = musl_work_dir("lua-xen");
    let rootfs = home().join("examples/lua/rootfs");
    make_lua(&work, "lua", None);
    make_lua(&work, "lua.xen", Some("xen"));
    let native = run_linux(&work.join("lua"), &rootfs, &["test.lua"]);
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.contains("goodbye"), "{expected}");
    let text = run_xen_ok(&work.join("lua.xen"), Some(&rootfs), &["test.lua"]);
    assert_same_output(&text, &expected);
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn musl_program_on_xen() {
    let work = musl_work_dir("xen");
    let source = home().join("tests/apps/musl-abort/main.c");
    let image = work.join("image.xen");
    musl_gcc(&source, &image, Some("xen"));
    let text = run_xen_ok(&image, None, &[]);
    assert_eq!(text.matches("acct: -1 ENOSYS").count(), 3, "{text}");
    assert_eq!(
        text.matches("acct (163) is not implemented").count(),
        1,
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// The system call family test as a Xen dom0 with its file in an initrd: the same output as
/// on Linux. Its socket pairs need no network: linux_net (and a network driver, which xen
/// lacks) is not linked.
#[test]
fn syscall_families_on_xen_match_linux() {
    let work = musl_work_dir("syscalls-xen");
    let test = syscall_test(&work, "xen");
    let text = run_xen_ok(&test.image, Some(&test.root), &[]);
    let (program, refusals) = split_refusals(&text);
    assert_same_output(&program, &test.expected);
    assert_eq!(refusals, SYSCALL_TEST_REFUSALS, "{text}");
    let image = std::fs::read(&test.image).unwrap();
    assert!(
        !image.windows(17).any(|w| w == b"uk_linux_net_init"),
        "linux_net linked for socket pairs"
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// musl's a_crash() in a second thread (timer interrupts on): on xen the C library's `hlt` is
/// linked as `int3` and the guest reports it; on linuxu `hlt` faults in user mode and the
/// process reports the signal. Both end with status 127.
#[test]
fn a_crash_on_xen_and_linuxu_is_a_crash_report() {
    let work = musl_work_dir("a-crash");
    let source = home().join("tests/apps/musl-a-crash/main.c");
    let flags = ["-fstack-protector-all"];
    musl_gcc_with(&source, &work.join("image.xen"), Some("xen"), &flags);
    let (out, text) = run_xen(&work.join("image.xen"), None, &["thread"]);
    assert_eq!(out.status.code(), Some(127), "{text}");
    assert!(
        text.contains("overflowing a stack buffer in a thread")
            && text.contains("ukl: crash: #BP breakpoint (vector 3)")
            && text.contains("a_crash()")
            && !text.contains("not reached"),
        "{text}"
    );
    musl_gcc_with(&source, &work.join("image.linuxu"), Some("linuxu"), &flags);
    let out = run_linux(&work.join("image.linuxu"), &work, &["thread"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(127), "{text}{stderr}");
    assert!(
        text.contains("overflowing a stack buffer in a thread") && stderr.contains("ukl: crash:"),
        "{text}{stderr}"
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// The threads program of musl_kvm.rs: on xen served by linux_thread (idle waits yield to
/// Xen), on linuxu by the host kernel; both print what Linux prints.
#[test]
fn threads_on_xen_and_linuxu_match_linux() {
    let work = musl_work_dir("threads");
    let source = home().join("tests/apps/musl-threads/main.c");
    musl_gcc(&source, &work.join("native"), None);
    let native = run_linux(&work.join("native"), &work, &[]);
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.ends_with("== done\n"), "{expected}");

    musl_gcc(&source, &work.join("image.linuxu"), Some("linuxu"));
    let out = run_linux(&work.join("image.linuxu"), &work, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_same_output(&String::from_utf8_lossy(&out.stdout), &expected);

    musl_gcc(&source, &work.join("image.xen"), Some("xen"));
    let text = run_xen_ok(&work.join("image.xen"), None, &[]);
    assert_same_output(&text, &expected);
    let _ = std::fs::remove_dir_all(&work);
}

/// Runs a linuxu image with `ukl run --initrd DIR` from an empty working directory, so the
/// only files it can see are the initrd's (served by linux_syscall_trap + linux_syscall).
fn run_linuxu_with_initrd(image: &Path, initrd: &Path, args: &[&str]) -> Output {
    let empty = image.with_extension("cwd");
    std::fs::create_dir_all(&empty).unwrap();
    ukl_run(image, "linuxu", Some(initrd), Some(&empty), args).0
}

/// The initrd as the file system of a linuxu process: Lua reads its script from it (the
/// working directory holds nothing), and prints what Linux prints.
#[test]
fn lua_on_linuxu_from_an_initrd_matches_linux() {
    let work = musl_work_dir("lua-linuxu-initrd");
    let rootfs = home().join("examples/lua/rootfs");
    make_lua(&work, "lua", None);
    make_lua(&work, "lua.linuxu", Some("linuxu"));
    let native = run_linux(&work.join("lua"), &rootfs, &["test.lua"]);
    assert!(native.status.success(), "{native:?}");
    let out = run_linuxu_with_initrd(&work.join("lua.linuxu"), &rootfs, &["test.lua"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_output(
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&native.stdout),
    );
    // Without the initrd the same image reads the host's files (nothing is trapped).
    let plain = run_linux(&work.join("lua.linuxu"), &rootfs, &["test.lua"]);
    assert_same_output(
        &String::from_utf8_lossy(&plain.stdout),
        &String::from_utf8_lossy(&native.stdout),
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// The system call family test on linuxu with its file in an initrd: file calls go to the
/// table (RAM filesystem), the console and memory to the host; the output is Linux's. Without
/// the initrd, nothing is trapped and the output is Linux's too.
#[test]
fn syscall_families_on_linuxu_from_an_initrd_match_linux() {
    let work = musl_work_dir("syscalls-linuxu-initrd");
    let test = syscall_test(&work, "linuxu");
    let out = run_linuxu_with_initrd(&test.image, &test.root, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_output(&String::from_utf8_lossy(&out.stdout), &test.expected);
    // Without the initrd the same image is served by the host (run where input.txt is).
    let plain = run_linux(&test.image, &test.root, &[]);
    assert_same_output(&String::from_utf8_lossy(&plain.stdout), &test.expected);
    // Nothing leaked onto the host: the program's files were the table's.
    let cwd = work.join("image.cwd");
    assert_eq!(
        std::fs::read_dir(&cwd).unwrap().count(),
        0,
        "files appeared in {cwd:?}"
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// A process image reads `ukl run`'s own standard input; on xen the console takes no input,
/// so the program is at the end of its input at once.
#[test]
fn standard_input_on_linuxu_and_xen() {
    let work = musl_work_dir("stdin-linuxu");
    let (images, input, expected) = stdin_test(&work, &["linuxu", "xen"]);
    let (out, text) = ukl_run_with_input(&images[0], "linuxu", input.clone());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_output(&text, &expected);
    let (out, text) = ukl_run_with_input(&images[1], "xen", input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("then 0 bytes, 0 lines in all, checksum 0\nread at end: 0\n"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// `ukl run --env` gives the program its environment (and nothing else) on kvm, xen and
/// linuxu, exactly as the same variables give it on Linux; arguments with spaces, quotes and
/// backslashes arrive intact.
#[test]
fn environment_and_arguments_match_linux_everywhere() {
    let work = musl_work_dir("env");
    let source = home().join("tests/apps/musl-env/main.c");
    // In name order: the order in which a process's environment is built from them.
    let env = ["GREETING=hello, world", "QUOTED=a\"b\\c", "TZ=CET-1"];
    let args = ["plain", "two words", "q\"uote", "back\\slash", ""];
    musl_gcc(&source, &work.join("native"), None);
    let mut command = std::process::Command::new(work.join("native"));
    command.env_clear().args(args);
    for entry in env {
        let (name, value) = entry.split_once('=').unwrap();
        command.env(name, value);
    }
    let native = command.output().unwrap();
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(
        expected.contains("local time 1970-06-30 06:00 CET"),
        "{expected}"
    );
    for platform in ["kvm", "xen", "linuxu"] {
        let image = work.join(format!("env.{platform}"));
        musl_gcc(&source, &image, Some(platform));
        let mut command = common::ukl();
        command
            .arg("run")
            .arg(&image)
            .args(["--plat", platform, "--timeout", "240"]);
        for entry in env {
            command.args(["--env", entry]);
        }
        command.arg("--").args(args);
        let out = command.stdin(std::process::Stdio::null()).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        assert_eq!(out.status.code(), Some(0), "{platform}: {text}");
        assert_same_output(&text, &expected);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// musl's math functions, not a pool library's copy: results and floating-point exception
/// flags of fmin, round, rint, sqrt, fma and the others that rust_rt's compiler_builtins also
/// defines, over edge cases in all four rounding modes, are Linux's on kvm, xen and linuxu.
#[test]
fn math_functions_are_the_c_library_s_in_every_rounding_mode() {
    let work = musl_work_dir("libm");
    let source = home().join("tests/apps/musl-libm/main.c");
    let expected = linux_output(&work, &source, &work, &[]);
    assert!(expected.contains("== towardzero\n") && expected.ends_with("== done\n"));
    for platform in ["kvm", "xen", "linuxu"] {
        unikernel_matches(&work, &source, platform, None, &[], &expected);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// A single-threaded program's futex waits (semaphores and condition variables with timeouts,
/// a timer's signal ending a wait with EINTR) and resource limits (RLIMIT_NOFILE caps
/// descriptor numbers, RLIMIT_AS and RLIMIT_DATA refuse allocations) behave as on Linux, on
/// kvm, xen and linuxu (with an initrd: the system call table serves the files). A linuxu
/// image is a host process whose address space also holds the platform's memory and the
/// initrd, so its memory limits are the host's and count those too: that run leaves them out.
#[test]
fn futex_waits_and_resource_limits_match_linux_everywhere() {
    let work = musl_work_dir("limits");
    let source = home().join("tests/apps/musl-limits/main.c");
    let root = work.join("root");
    std::fs::create_dir_all(&root).unwrap();
    let linux = |args: &[&str]| {
        let expected = linux_output(&work, &source, &root, args);
        assert!(
            expected.contains("opened 13, highest 15, then EMFILE"),
            "{expected}"
        );
        assert!(expected.ends_with("== done\n"), "{expected}");
        expected
    };
    let everything = linux(&[]);
    assert!(everything.contains("== RLIMIT_DATA\n"), "{everything}");
    let without_memory = ["without-memory-limits"];
    let descriptors_only = linux(&without_memory);
    for platform in ["kvm", "xen", "linuxu"] {
        let (args, expected): (&[&str], &str) = if platform == "linuxu" {
            (&without_memory, &descriptors_only)
        } else {
            (&[], &everything)
        };
        unikernel_matches(&work, &source, platform, Some(&root), args, expected);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// Hard and symbolic links, renameat2's flags, POSIX shared memory and named semaphores in
/// /dev/shm (mappings of one file alias each other and `read`/`write`), file times (separate,
/// nanoseconds, UTIME_NOW/UTIME_OMIT, relatime, O_NOATIME) and stat fields
/// (tests/apps/musl-files2): the same output as Linux, where the program works in a fresh
/// directory of /dev/shm (tmpfs, whatever file system the test runs from), on kvm, xen and
/// linuxu (with an initrd: the system call table serves the files there too).
#[test]
fn links_shared_memory_and_file_times_match_linux_everywhere() {
    assert!(
        Path::new("/dev/shm").is_dir(),
        "the Linux reference run needs /dev/shm (a tmpfs, as every Linux system mounts it)"
    );
    let work = musl_work_dir("files2");
    let source = home().join("tests/apps/musl-files2/main.c");
    musl_gcc(&source, &work.join("native"), None);
    let root = work.join("root");
    std::fs::create_dir_all(&root).unwrap();
    let native = run_linux(&work.join("native"), &root, &[]);
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.ends_with("cleaned up: 1\n== done\n"), "{expected}");
    for platform in ["kvm", "xen", "linuxu"] {
        let image = work.join(format!("files2.{platform}"));
        musl_gcc(&source, &image, Some(platform));
        let (out, text) = ukl_run(&image, platform, Some(&root), Some(&work), &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{platform}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (program, refusals) = split_refusals(&text);
        assert!(refusals.is_empty(), "{platform}: {refusals:?}");
        assert_same_output(&program, &expected);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// One newc cpio entry (as `cpio -H newc` writes it): inode number, mode, link count, data.
fn newc_entry(out: &mut Vec<u8>, name: &str, (ino, mode, nlink): (u32, u32, u32), data: &[u8]) {
    let fields = [
        ino,
        mode,
        0,
        0,
        nlink,
        1_700_000_000,
        data.len() as u32,
        0,
        0,
        0,
        0,
    ];
    out.extend_from_slice(b"070701");
    for field in fields {
        out.extend_from_slice(format!("{field:08x}").as_bytes());
    }
    out.extend_from_slice(format!("{:08x}{:08x}", name.len() + 1, 0).as_bytes());
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    out.resize(out.len().next_multiple_of(4), 0);
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(4), 0);
}

/// An initrd's symbolic links (entries of type S_IFLNK, the target as data) and hard links
/// (entries sharing an inode number, the data with the last, as GNU cpio writes them) are
/// links in the RAM filesystem: the same output as Linux over the same tree, on kvm, xen and
/// linuxu.
#[test]
fn initrd_symbolic_and_hard_links_match_linux_everywhere() {
    let work = musl_work_dir("files2-initrd");
    let source = home().join("tests/apps/musl-files2/main.c");
    musl_gcc(&source, &work.join("native"), None);
    let tree = work.join("tree");
    std::fs::create_dir_all(tree.join("data")).unwrap();
    std::fs::write(tree.join("data/hello"), "hi\n").unwrap();
    std::fs::hard_link(tree.join("data/hello"), tree.join("data/hard")).unwrap();
    std::os::unix::fs::symlink("hello", tree.join("data/link")).unwrap();
    std::os::unix::fs::symlink("../data", tree.join("data/up")).unwrap();
    let native = run_linux(&work.join("native"), &tree, &["initrd"]);
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.contains("nlink: 2\n"), "{expected}");
    let mut archive = Vec::new();
    newc_entry(&mut archive, "data", (1, 0o040755, 2), b"");
    newc_entry(&mut archive, "data/hello", (2, 0o100644, 2), b"");
    newc_entry(&mut archive, "data/hard", (2, 0o100644, 2), b"hi\n");
    newc_entry(&mut archive, "data/link", (3, 0o120777, 1), b"hello");
    newc_entry(&mut archive, "data/up", (4, 0o120777, 1), b"../data");
    newc_entry(&mut archive, "TRAILER!!!", (0, 0, 1), b"");
    let initrd = work.join("links.cpio");
    std::fs::write(&initrd, archive).unwrap();
    for platform in ["kvm", "xen", "linuxu"] {
        let image = work.join(format!("files2.{platform}"));
        musl_gcc(&source, &image, Some(platform));
        let (out, text) = ukl_run(&image, platform, Some(&initrd), Some(&work), &["initrd"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{platform}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_output(&text, &expected);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// One address space: fork, posix_spawn, system and popen fail with ENOSYS, and the
/// sub-operations the system call layer does not serve (an fcntl command, a prctl option, a
/// futex operation) fail with Linux's error for an unknown one; each is logged once by name
/// and the program carries on (kvm and xen; a linuxu process has the host's processes).
#[test]
fn new_processes_and_unknown_sub_operations_are_refused_by_name() {
    let work = musl_work_dir("noprocess");
    let source = home().join("tests/apps/musl-noprocess/main.c");
    for platform in ["kvm", "xen"] {
        let image = work.join(format!("noprocess.{platform}"));
        musl_gcc(&source, &image, Some(platform));
        let (out, text) = ukl_run(&image, platform, None, None, &[]);
        assert_eq!(out.status.code(), Some(0), "{platform}: {text}");
        let expected = [
            "ukl: syscall: fork (57) is refused: a unikernel has one address space and runs no \
             other program; returning -ENOSYS\nfork: -1 Function not implemented\n",
            "ukl: syscall: clone of a new process (fork, vfork, posix_spawn: one address space, \
             no new processes), flags 0x4111 is not implemented, returning -ENOSYS\n\
             posix_spawn: Function not implemented\n\
             system: -1 Function not implemented\n\
             popen: NULL Function not implemented\n",
            "ukl: syscall: fcntl command F_GET_SEALS (1034) is not implemented, returning \
             -EINVAL\nfcntl F_GET_SEALS: -1 Invalid argument\n",
            "ukl: syscall: prctl option PR_SET_TIMERSLACK (29) is not implemented, returning \
             -EINVAL\nprctl PR_SET_TIMERSLACK: -1 Invalid argument\n",
            "ukl: syscall: futex operation FUTEX_WAKE_OP (5) is not implemented, returning \
             -ENOSYS\nfutex FUTEX_WAKE_OP: -1 Function not implemented\n",
            "RLIMIT_STACK: soft 1048576, hard unlimited 1\ncarried on\n",
        ];
        for part in expected {
            assert!(
                text.contains(part),
                "{platform}: missing\n{part}\nin\n{text}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// Robust and priority-inheritance mutexes through musl's pthread code, with threads: the
/// owner-died protocol when a holder exits, get_robust_list, FUTEX_LOCK_PI/UNLOCK_PI/
/// TRYLOCK_PI hand-over under contention and timeouts — as on Linux, on kvm, xen and linuxu.
#[test]
fn robust_and_priority_inheritance_mutexes_match_linux_everywhere() {
    let work = musl_work_dir("mutexes");
    let source = home().join("tests/apps/musl-mutexes/main.c");
    let expected = linux_output(&work, &source, &work, &[]);
    assert!(
        expected.contains("lock after the owner exited: EOWNERDEAD\n")
            && expected.contains("4 threads x 500 increments: 2000\n")
            && expected.ends_with("== done\n"),
        "{expected}"
    );
    for platform in ["kvm", "xen", "linuxu"] {
        unikernel_matches(&work, &source, platform, None, &[], &expected);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// Signals as Linux delivers them, on signal frames: alternate stacks (SA_ONSTACK,
/// SS_ONSTACK, SS_AUTODISARM), a signal sent to another thread ending its sleep there, a
/// timer's signal ending a futex wait and (on kvm, with a network) a blocking accept with
/// EINTR, SA_RESTART restarting a pipe read, thread cancellation at every kind of
/// cancellation point and asynchronously, with cleanup handlers, and a timer's signal
/// interrupting a loop that makes no call — on kvm, xen and linuxu.
#[test]
fn signal_frames_alternate_stacks_and_cancellation_match_linux_everywhere() {
    let work = musl_work_dir("signals");
    let source = home().join("tests/apps/musl-signals/main.c");
    let root = work.join("root");
    std::fs::create_dir_all(&root).unwrap();
    let linux = |args: &[&str]| {
        let expected = linux_output(&work, &source, &work, args);
        assert!(
            expected.contains("in handler: SS_ONSTACK 1, local on it 1, disabling it: EPERM\n")
                && expected.contains("pthread_cond_wait: cancel 0, cancelled 1, cleanups 1\n")
                && expected.ends_with("== done\n"),
            "{expected}"
        );
        expected
    };
    let kvm = linux(&["sockets", "compute"]);
    assert!(kvm.contains("accept: -1 EINTR"), "{kvm}");
    assert!(kvm.contains("stopped after spinning: 1\n"), "{kvm}");
    let process = linux(&["compute"]);
    for platform in ["kvm", "xen", "linuxu"] {
        let image = work.join(format!("signals.{platform}"));
        musl_gcc(&source, &image, Some(platform));
        let mut command = common::ukl();
        command
            .arg("run")
            .arg(&image)
            .args(["--plat", platform, "--timeout", "240"])
            .current_dir(&work)
            .stdin(std::process::Stdio::null());
        // kvm: a network for the blocking accept. xen: no network, an initrd for its files.
        // Both: a loop without calls that the timer's interrupt ends. linuxu without an initrd: a plain Linux process, whose signals
        // are all the host's (with one, a thread cancelled in a host call that the trap passes
        // on, a read of a host pipe, is not: docs/musl.md).
        let expected = match platform {
            "kvm" => {
                command.args(["--net", "user", "--", "sockets", "compute"]);
                &kvm
            }
            "xen" => {
                command.arg("--initrd").arg(&root).args(["--", "compute"]);
                &process
            }
            _ => {
                command.args(["--", "compute"]);
                &process
            }
        };
        let out = command.output().unwrap();
        let console = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        // The network libraries' start-up log lines are not the program's.
        let text: String = console
            .lines()
            .filter(|line| !(line.starts_with('[') && line.contains("] info: ")))
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{platform}: {console}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_output(&text, expected);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// Buffers a call may not use (a null pointer, a PROT_NONE page, a read-only page to read
/// into) make read, write, pread, pwrite, readv, writev and getcwd fail with EFAULT, as on
/// Linux, on kvm, xen and linuxu; the program carries on.
#[test]
fn calls_given_unusable_buffers_fail_with_efault_everywhere() {
    let work = musl_work_dir("efault");
    let source = home().join("tests/apps/musl-efault/main.c");
    let expected = linux_output(&work, &source, &work, &[]);
    assert!(
        expected.contains("read into PROT_NONE: EFAULT\n")
            && expected.contains("write from NULL: EFAULT\n"),
        "{expected}"
    );
    for platform in ["kvm", "xen", "linuxu"] {
        unikernel_matches(&work, &source, platform, None, &[], &expected);
    }
    let _ = std::fs::remove_dir_all(&work);
}
