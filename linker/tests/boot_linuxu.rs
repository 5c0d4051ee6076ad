//! Boot tests for the linuxu platform: applications are compiled, linked by `ukl link --plat
//! linuxu` from the committed prebuilt pool and run as ordinary Linux processes (directly, and
//! through `ukl run`); the tests check what they print and their exit status.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn link(object: &Path, platforms: &str, image: &Path) -> Output {
    ukl_link(&[object], platforms, image, &[])
}

/// Compiles a C source and links it for linuxu; returns the image.
fn c_image(source: &Path, name: &str) -> PathBuf {
    let dir = work_dir("linuxu", name);
    let object = dir.join(format!("{name}.o"));
    compile_c(source, &object, &[]);
    let image = dir.join(format!("{name}.linuxu"));
    link(&object, "linuxu", &image);
    image
}

struct Run {
    stdout: String,
    stderr: String,
    status: i32,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "status {}\nstdout:\n{}\nstderr:\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

fn finish(output: Output) -> Run {
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        status: output.status.code().unwrap_or(-1),
    }
}

/// Runs the image as a program, with `args`.
fn execute(image: &Path, args: &[&str]) -> Run {
    finish(Command::new(image).args(args).output().expect("image runs"))
}

/// `ukl run` with extra options before `--`, and `args` after it.
fn ukl_run(input: &Path, options: &[&str], args: &[&str]) -> Run {
    let mut command = ukl();
    command.arg("run").arg(input).args(options);
    if !args.is_empty() {
        command.arg("--").args(args);
    }
    finish(command.output().expect("ukl run starts"))
}

const HELLO_LINES: &[&str] = &[
    "Hello, world!",
    "ints: -42 42 beef 00007 3   | 1234567890123",
    "floats: 3.141593 -2.500 6.022141e+23 0.0001 1e-05",
    "strings: [ukl] [   right] [left    ] [tru]",
    "malloc/free of 4 blocks: ok",
];

#[test]
fn hello_c_prints_and_exits_zero() {
    let image = c_image(&home().join("examples/hello-c/main.c"), "hello");
    let run = execute(&image, &["first", "two words"]);
    assert_eq!(run.status, 0, "{run}");
    for line in HELLO_LINES {
        assert!(run.stdout.contains(line), "missing `{line}`: {run}");
    }
    assert!(run.stdout.contains("argc = 3"), "{run}");
    assert!(run.stdout.contains("argv[1] = \"first\""), "{run}");
    assert!(run.stdout.contains("argv[2] = \"two words\""), "{run}");
    assert!(run.stderr.is_empty(), "{run}");
}

#[test]
fn argv_is_the_real_one() {
    let image = c_image(&home().join("examples/hello-c/main.c"), "argv");
    // Run as `./argv.linuxu a "b c" ...` from the image's directory: argv[0] is what the shell
    // passed, and no argument is split, joined or unquoted.
    let run = finish(
        Command::new("./argv.linuxu")
            .current_dir(image.parent().unwrap())
            .args(["a", "b c", "", "say \"hi\"", "back\\slash"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.status, 0, "{run}");
    for line in [
        "argc = 6",
        "argv[0] = \"./argv.linuxu\"",
        "argv[1] = \"a\"",
        "argv[2] = \"b c\"",
        "argv[3] = \"\"",
        "argv[4] = \"say \"hi\"\"",
        "argv[5] = \"back\\slash\"",
    ] {
        assert!(run.stdout.contains(line), "missing `{line}`: {run}");
    }
}

#[test]
fn exit_status_propagates() {
    let image = c_image(&app("exit_status.c"), "status");
    let run = execute(&image, &[]);
    assert!(run.stdout.contains("exiting with 3"), "{run}");
    assert_eq!(run.status, 3, "{run}");
    assert_eq!(execute(&image, &["0"]).status, 0);
    assert_eq!(execute(&image, &["42", "exit"]).status, 42);
    // The shell sees the low 8 bits, as for any process.
    assert_eq!(execute(&image, &["258"]).status, 2);
    // ukl run passes it on.
    assert_eq!(ukl_run(&image, &["--plat", "linuxu"], &["7"]).status, 7);
}

#[test]
fn segfault_gives_a_crash_report_and_127() {
    let image = c_image(&app("crash.c"), "crash");
    let run = execute(&image, &[]);
    assert_eq!(run.status, 127, "{run}");
    assert!(run.stdout.contains("about to fault"), "{run}");
    assert!(!run.stdout.contains("not reached"), "{run}");
    // The report goes to standard error.
    for text in [
        "ukl: crash: SIGSEGV",
        "address not mapped",
        "#PF page fault (vector 14)",
        "fault address 0x00000040dead0000",
        "rip 0x",
        "r15 0x",
        "backtrace:",
        "  #1  0x",
        "addr2line",
    ] {
        assert!(run.stderr.contains(text), "missing `{text}`: {run}");
    }
    // Through `ukl run`, the backtrace is repeated with the image's function names.
    let run = ukl_run(&image, &["--plat", "linuxu"], &[]);
    assert_eq!(run.status, 127, "{run}");
    assert!(
        run.stderr
            .contains("ukl: the crash report's backtrace, from the image's symbols:")
            && run.stderr.contains(" poke+0x"),
        "{run}"
    );
}

#[test]
fn stack_overflow_gives_a_crash_report() {
    let image = c_image(&app("stack_overflow.c"), "overflow");
    let run = execute(&image, &[]);
    assert_eq!(run.status, 127, "{run}");
    assert!(run.stdout.contains("about to overflow"), "{run}");
    assert!(run.stderr.contains("ukl: crash: SIGSEGV"), "{run}");
    assert!(run.stderr.contains("stack overflow?"), "{run}");
    assert!(
        run.stderr.contains("... the same"),
        "the recursion is folded: {run}"
    );
}

#[test]
fn hello_rust_prints_and_exits_zero() {
    let dir = work_dir("linuxu", "hello-rust");
    let object = dir.join("hello.o");
    compile_rust(&home().join("examples/hello-rust/src/main.rs"), &object);
    let image = dir.join("hello.linuxu");
    link(&object, "linuxu", &image);
    let run = execute(&image, &["x"]);
    assert_eq!(run.status, 0, "{run}");
    for line in [
        "Hello from Rust on ukl!",
        "argv[1] = \"x\"",
        "10 squares sum to 385; UNIKERNELS IN RUST",
        "pi is about 3.14159, e is about 2.718281828e0",
        "a boxed slice of 5000 bytes",
    ] {
        assert!(run.stdout.contains(line), "missing `{line}`: {run}");
    }
}

#[test]
fn rust_panic_reports_and_exits_101() {
    let dir = work_dir("linuxu", "panic");
    let object = dir.join("panic.o");
    compile_rust(&app("panic.rs"), &object);
    let image = dir.join("panic.linuxu");
    link(&object, "linuxu", &image);
    let run = execute(&image, &[]);
    assert_eq!(run.status, 101, "{run}");
    assert!(run.stdout.contains("about to panic"), "{run}");
    assert!(!run.stdout.contains("not reached"), "{run}");
    assert!(
        run.stdout
            .contains("index out of bounds: the len is 4 but the index is 11"),
        "{run}"
    );
    assert!(run.stdout.contains("panic.rs:"), "{run}");
}

/// The KiB in use at the end of each `round N: ...` line of alloc_stress.
fn rounds_kib(stdout: &str) -> Vec<usize> {
    stdout
        .lines()
        .filter(|l| l.starts_with("round "))
        .map(|l| {
            l.rsplit(", ")
                .next()
                .unwrap()
                .trim_end_matches(" KiB")
                .parse()
                .unwrap()
        })
        .collect()
}

#[test]
fn allocator_stress_fills_the_mapped_memory() {
    let image = c_image(&app("alloc_stress.c"), "alloc");
    // The link-time default: 64 MiB.
    let run = execute(&image, &[]);
    assert_eq!(run.status, 0, "{run}");
    assert!(run.stdout.contains("round 3:"), "{run}");
    assert!(run.stdout.contains("large block after free: ok"), "{run}");
    for kib in rounds_kib(&run.stdout) {
        assert!(kib > 40 * 1024, "only {kib} KiB of 64 MiB allocated: {run}");
    }
    // `ukl run -m` sizes the region as QEMU's -m sizes RAM (through UKL_MEMORY).
    let run = ukl_run(&image, &["--plat", "linuxu", "-m", "32M"], &[]);
    assert_eq!(run.status, 0, "{run}");
    let rounds = rounds_kib(&run.stdout);
    assert!(!rounds.is_empty(), "{run}");
    for kib in rounds {
        assert!(
            kib > 20 * 1024 && kib < 32 * 1024,
            "{kib} KiB for 32 MiB: {run}"
        );
    }
    // A size that is not one is refused at start-up.
    let run = finish(
        Command::new(&image)
            .env("UKL_MEMORY", "lots")
            .output()
            .unwrap(),
    );
    assert_eq!(run.status, 126, "{run}");
    assert!(run.stderr.contains("UKL_MEMORY"), "{run}");
}

/// The `region N: flags 0x8 ...` lines of memregions.c's output (module regions).
fn module_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|line| line.starts_with("region ") && line.contains("flags 0x8 "))
        .collect()
}

#[test]
fn an_initrd_is_a_module_region() {
    let image = c_image(&app("memregions.c"), "memregions");
    let files = image.parent().unwrap().join("initrd-files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("hello.txt"), "hello from the initrd\n").unwrap();
    // `ukl run --initrd DIR` packs the directory into a newc cpio in the run's private
    // directory and hands it over in UKL_INITRD (the descriptor's `initrd_env`).
    let run = ukl_run(
        &image,
        &["--plat", "linuxu", "--initrd", files.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.status, 0, "{run}");
    assert!(
        !PathBuf::from(format!("{}.initrd.cpio", image.display())).exists(),
        "nothing is written beside the image"
    );
    let packed = ukl::initrd::pack(&files)
        .expect("the directory packs")
        .archive;
    let size = packed.len();
    let cpio = image.parent().unwrap().join("files.cpio");
    std::fs::write(&cpio, &packed).unwrap();
    let modules = module_lines(&run.stdout);
    assert_eq!(modules.len(), 1, "{run}");
    assert!(
        modules[0].contains(&format!("len {size} starts \"070701\"")),
        "{run}"
    );
    assert!(run.stdout.contains("modules: 1"), "{run}");
    assert!(run.stdout.contains("flags 0x1 "), "the free region: {run}");
    assert!(run.stdout.contains("flags 0x2 "), "the image: {run}");
    // A ready archive is handed over as it is.
    let run = ukl_run(
        &image,
        &["--plat", "linuxu", "--initrd", cpio.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.status, 0, "{run}");
    assert_eq!(module_lines(&run.stdout).len(), 1, "{run}");
    // Without --initrd (and without UKL_INITRD) there is no module region.
    let run = ukl_run(&image, &["--plat", "linuxu"], &[]);
    assert_eq!(run.status, 0, "{run}");
    assert!(module_lines(&run.stdout).is_empty(), "{run}");
    assert!(run.stdout.contains("regions: 2"), "{run}");
    assert!(run.stdout.contains("modules: 0"), "{run}");
    // An empty file is no module.
    let empty = image.parent().unwrap().join("empty.cpio");
    std::fs::write(&empty, "").unwrap();
    let run = finish(
        Command::new(&image)
            .env("UKL_INITRD", &empty)
            .output()
            .unwrap(),
    );
    assert_eq!(run.status, 0, "{run}");
    assert!(run.stdout.contains("modules: 0"), "{run}");
    // A file that cannot be opened is a start-up failure that names it, never ignored.
    let run = finish(
        Command::new(&image)
            .env("UKL_INITRD", "/nonexistent")
            .output()
            .unwrap(),
    );
    assert_eq!(run.status, 126, "{run}");
    assert!(
        run.stderr
            .contains("ukl: UKL_INITRD=/nonexistent: cannot open: ENOENT"),
        "{run}"
    );
    assert!(run.stdout.is_empty(), "main never ran: {run}");
}

#[test]
fn thread_local_variables_work() {
    let image = c_image(&app("tls.c"), "tls");
    let run = execute(&image, &[]);
    assert_eq!(run.status, 0, "{run}");
    assert!(
        run.stdout
            .contains("counter 42, name tls-ok, zeroed sum 0, aligned 7 at offset 0"),
        "{run}"
    );
}

#[test]
fn ukl_run_links_and_runs_an_object() {
    let dir = work_dir("linuxu", "run-object");
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    let run = ukl_run(&object, &["--plat", "linuxu"], &["one", "two three"]);
    assert_eq!(run.status, 0, "{run}");
    assert!(run.stdout.contains("Hello, world!"), "{run}");
    assert!(run.stdout.contains("argc = 3"), "{run}");
    assert!(run.stdout.contains("argv[2] = \"two three\""), "{run}");
    // And an image given by a relative path without a slash (not looked up in PATH), whose
    // extension names its platform (no --plat needed).
    let image = dir.join("hello.linuxu");
    link(&object, "linuxu", &image);
    let run = finish(
        ukl()
            .current_dir(&dir)
            .args(["run", "hello.linuxu"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.status, 0, "{run}");
    assert!(run.stdout.contains("Hello, world!"), "{run}");
}

#[test]
fn image_is_a_static_executable_with_a_non_executable_stack() {
    let image = c_image(&home().join("examples/hello-c/main.c"), "headers");
    let output = Command::new("readelf")
        .args(["-hlW"])
        .arg(&image)
        .output()
        .expect("readelf runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("EXEC (Executable file)"), "{text}");
    assert!(!text.contains("INTERP"), "{text}");
    assert!(!text.contains("DYNAMIC"), "{text}");
    let stack = text
        .lines()
        .find(|l| l.trim_start().starts_with("GNU_STACK"))
        .unwrap_or_else(|| panic!("no PT_GNU_STACK: {text}"));
    assert!(stack.contains(" RW "), "{stack}");
    // No segment is both writable and executable.
    for line in text.lines().filter(|l| l.trim_start().starts_with("LOAD")) {
        assert!(!line.contains("RWE"), "{line}");
    }
    assert!(text.contains("0x0000000000400000"), "{text}");
}

#[test]
fn one_link_for_kvm_and_linuxu_gives_two_images_that_agree() {
    let dir = work_dir("linuxu", "both");
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    let base = dir.join("hello");
    link(&object, "kvm,linuxu", &base);
    let kvm = dir.join("hello.kvm");
    let linuxu = dir.join("hello.linuxu");
    assert!(kvm.is_file() && linuxu.is_file());
    let native = execute(&linuxu, &["a", "b c"]);
    let booted = ukl_run(&kvm, &["--timeout", "60"], &["a", "b c"]);
    assert_eq!(native.status, 0, "{native}");
    assert_eq!(booted.status, 0, "{booted}");
    // The same lines, except argv[0] (the image's path on linuxu, "ukl" on kvm) and the
    // serial console's "\r".
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .filter(|l| !l.starts_with("argv[0]"))
            .collect()
    };
    let booted_lines: Vec<String> = lines(&booted.stdout)
        .into_iter()
        .skip_while(|l| l != "Hello, world!")
        .collect();
    assert_eq!(lines(&native.stdout), booted_lines);
}

#[test]
fn gdb_sees_source_lines() {
    let dir = work_dir("linuxu", "gdb");
    let object = dir.join("crash.o");
    compile_c(&app("crash.c"), &object, &["-g"]);
    let image = dir.join("crash.linuxu");
    link(&object, "linuxu", &image);
    let sections = Command::new("readelf")
        .arg("-SW")
        .arg(&image)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&sections.stdout).contains(".debug_info"));
    let gdb = Command::new("gdb")
        .args(["-q", "-batch", "-nx", "-ex", "run", "-ex", "bt"])
        .arg(&image)
        .output();
    let Ok(gdb) = gdb else {
        eprintln!("gdb is not installed: only the debug sections were checked");
        return;
    };
    let text = String::from_utf8_lossy(&gdb.stdout);
    assert!(text.contains("SIGSEGV"), "{text}");
    assert!(text.contains("in main () at"), "{text}");
    assert!(text.contains("crash.c:16"), "{text}");
}
