//! Unmodified C programs through musl's libc.a on the kvm platform. Each program is built
//! twice by the same command — a static Linux executable with `musl-gcc -static`, and a
//! unikernel with the linker swapped (`-B DIR`, DIR/ld being ukl, `UKL_PLAT=kvm`) — and both
//! are run: the unikernel under QEMU (TCG) with its files in an initrd. The outputs must be
//! identical.

mod common;
use common::{
    assert_same_output, build_example_from_source, home, ld_dir, make_lua, musl_gcc, musl_gcc_with,
    musl_work_dir, run_linux, split_refusals, stdin_test, syscall_test, ukl_run,
    ukl_run_with_input, SYSCALL_TEST_REFUSALS,
};

use std::path::Path;
use std::process::{Command, Output};

/// Boots `image` on kvm with `initrd` (a directory) and the arguments.
fn run_unikernel(image: &Path, initrd: Option<&Path>, args: &[&str]) -> (Output, String) {
    ukl_run(image, "kvm", initrd, None, args)
}

#[test]
fn lua_interpreter_matches_linux() {
    let work = musl_work_dir("lua");
    let rootfs = home().join("examples/lua/rootfs");
    make_lua(&work, "lua", None);
    make_lua(&work, "lua.kvm", Some("kvm"));
    let native = run_linux(&work.join("lua"), &rootfs, &["test.lua"]);
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.contains("goodbye"), "{expected}");
    let (out, text) = run_unikernel(&work.join("lua.kvm"), Some(&rootfs), &["test.lua"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_output(&text, &expected);
    // Errors in the script are reported like on Linux, with status 1.
    let (out, text) = run_unikernel(&work.join("lua.kvm"), Some(&rootfs), &["missing.lua"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("lua: cannot open missing.lua"), "{text}");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn syscall_families_match_linux() {
    let work = musl_work_dir("syscalls");
    let test = syscall_test(&work, "kvm");
    let (out, text) = run_unikernel(&test.image, Some(&test.root), &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let (program, refusals) = split_refusals(&text);
    assert_same_output(&program, &test.expected);
    assert_eq!(refusals, SYSCALL_TEST_REFUSALS, "{text}");
    assert!(text.contains("mmap 16807    aligned=1 zeroed=1"), "{text}");
    let _ = std::fs::remove_dir_all(&work);
}

/// POSIX threads through musl's own pthread code: clone, futex and thread exit served by
/// linux_thread over uksched (linked because the program brings in musl's `__clone`).
#[test]
fn threads_match_linux() {
    let work = musl_work_dir("threads");
    let source = home().join("tests/apps/musl-threads/main.c");
    musl_gcc(&source, &work.join("native"), None);
    musl_gcc(&source, &work.join("image.kvm"), Some("kvm"));
    let native = run_linux(&work.join("native"), &work, &[]);
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.ends_with("== done\n"), "{expected}");
    assert!(!expected.contains("FAILED"), "{expected}");
    let (out, text) = run_unikernel(&work.join("image.kvm"), None, &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_same_output(&text, &expected);
    // A program without threads gets no scheduler.
    let plain = work.join("plain.kvm");
    musl_gcc(
        &home().join("tests/apps/musl-abort/main.c"),
        &plain,
        Some("kvm"),
    );
    let symbols = std::fs::read(&plain).unwrap();
    let has = |name: &str| symbols.windows(name.len()).any(|w| w == name.as_bytes());
    assert!(
        !has("uk_linux_thread_init"),
        "linux_thread linked without threads"
    );
    let threaded = std::fs::read(work.join("image.kvm")).unwrap();
    assert!(
        threaded
            .windows("uk_linux_thread_init".len())
            .any(|w| w == b"uk_linux_thread_init"),
        "linux_thread missing from the threaded image"
    );
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn abort_is_a_crash_report_and_unimplemented_calls_are_logged_once() {
    let work = musl_work_dir("abort");
    let source = home().join("tests/apps/musl-abort/main.c");
    musl_gcc(&source, &work.join("image.kvm"), Some("kvm"));
    let (out, text) = run_unikernel(&work.join("image.kvm"), None, &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.matches("ukl: syscall: acct (163) is not implemented, returning -ENOSYS")
            .count(),
        1,
        "{text}"
    );
    assert_eq!(text.matches("acct: -1 ENOSYS").count(), 3, "{text}");
    // abort() raises SIGABRT with tkill: a crash report, status 127, never a silent `hlt`.
    let (out, text) = run_unikernel(&work.join("image.kvm"), None, &["abort"]);
    assert_eq!(out.status.code(), Some(127), "{text}");
    assert!(text.contains("aborting\n"), "{text}");
    assert!(
        text.contains("ukl: crash: abort(): the program raised SIGABRT"),
        "{text}"
    );
    assert!(text.contains("backtrace:"), "{text}");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn a_changed_system_library_is_refused() {
    // A registry whose recorded sha256 of crt1.o is wrong: the link stops and says why.
    let work = musl_work_dir("syslib");
    let fake_home = work.join("home");
    for dir in ["platforms", "linkscripts", "prebuilt"] {
        std::os::unix::fs::symlink(home().join(dir), fake_home.join(dir))
            .or_else(|_| {
                std::fs::create_dir_all(&fake_home)?;
                std::os::unix::fs::symlink(home().join(dir), fake_home.join(dir))
            })
            .unwrap();
    }
    let registry = std::fs::read_to_string(home().join("registry.toml")).unwrap();
    let tampered = registry.replace(
        "7d0ae40d21752898117ad8c717e9360a84c0fd40d7a2dbb6ffdb983267d18f8e",
        "0000000000000000000000000000000000000000000000000000000000000000",
    );
    assert_ne!(tampered, registry, "registry.toml records crt1.o");
    let tampered = tampered.replace(
        "exports = \"pool-src/",
        &format!("exports = \"{}/pool-src/", home().display()),
    );
    std::fs::write(fake_home.join("registry.toml"), tampered).unwrap();
    let source = home().join("tests/apps/musl-abort/main.c");
    let out = Command::new("musl-gcc")
        .args(["-static", "-nostartfiles"])
        .arg("/usr/lib/x86_64-linux-musl/crt1.o")
        .arg(&source)
        .arg("-o")
        .arg(work.join("image.kvm"))
        .arg("-B")
        .arg(ld_dir(&work))
        .env("UKL_HOME", &fake_home)
        .env("UKL_PLAT", "kvm")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("system library `musl`"), "{stderr}");
    assert!(stderr.contains("crt1.o` has sha256 7d0ae40d"), "{stderr}");
    let _ = std::fs::remove_dir_all(&work);
}

/// zlib's own `configure` and Makefile, with only the linker swapped (examples/zlib/build.sh).
/// The source comes from ZLIB_SRC or `apt-get source` (cached in target/zlib); without either
/// (no network) the test says so and passes.
#[test]
fn zlib_built_by_its_own_build_system_matches_linux() {
    let Some(work) = build_example_from_source("zlib", "zlib-1.2.13.dfsg", "ZLIB_SRC") else {
        return;
    };
    let run = work.join("run");
    let native = run_linux(&work.join("linux/example"), &run, &[]);
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(
        expected.contains("inflate with dictionary: hello, hello!"),
        "{expected}"
    );
    let (out, text) = run_unikernel(&work.join("kvm/example"), None, &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_same_output(&text, &expected);
}

/// musl's a_crash() is a bare `hlt` (here through the stack protector's __stack_chk_fail),
/// which ukl links as `int3` in ring 0: the guest itself reports the crash, in the main thread
/// and in a second thread (with timer interrupts on, a `hlt` would have been resumed).
#[test]
fn a_crash_is_a_crash_report() {
    let work = musl_work_dir("a-crash");
    let source = home().join("tests/apps/musl-a-crash/main.c");
    let image = work.join("image.kvm");
    musl_gcc_with(&source, &image, Some("kvm"), &["-fstack-protector-all"]);
    for (mode, says) in [
        ("overflow", "overflowing a stack buffer\n"),
        ("thread", "overflowing a stack buffer in a thread\n"),
    ] {
        let (out, text) = run_unikernel(&image, None, &[mode]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(127), "{mode}: {text}{stderr}");
        assert!(text.contains(says), "{mode}: {text}");
        assert!(!text.contains("not reached"), "{mode}: {text}");
        assert!(
            text.contains("ukl: crash: #BP breakpoint (vector 3)")
                && text.contains("a C library's `hlt` (linked as int3)")
                && text.contains("a_crash()"),
            "{mode}: {text}"
        );
        // `ukl run` names the function from the image's symbols.
        assert!(stderr.contains(" __stack_chk_fail+0x"), "{mode}: {stderr}");
    }
    // Without the overflow the program ends normally.
    let (out, text) = run_unikernel(&image, None, &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("not reached when the overflow happens"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// `ukl run`'s standard input reaches the program's (through the serial port, ended by a
/// Ctrl-D byte): lines through stdio, 100 KB through getchar, then the end of the input.
#[test]
fn standard_input_reaches_the_program_as_on_linux() {
    let work = musl_work_dir("stdin");
    let (images, input, expected) = stdin_test(&work, &["kvm"]);
    let (out, text) = ukl_run_with_input(&images[0], "kvm", input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_output(&text, &expected);
    let _ = std::fs::remove_dir_all(&work);
}
