//! Helpers shared by the boot tests: where the ukl home is, the `ukl` binary, scratch
//! directories, and compiling applications with the pool's C and Rust flags (the same flags as
//! the examples' Makefiles).

#![allow(dead_code, reason = "each test crate uses the helpers it needs")]

pub mod guest;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root: registry.toml, platforms/, prebuilt/, pool-src/.
pub fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("linker/ has a parent")
        .to_path_buf()
}

/// The `ukl` binary under test, pointed at this checkout's home.
pub fn ukl() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ukl"));
    command.env("UKL_HOME", home());
    command
}

/// A fresh scratch directory for one test, named after the suite and the test.
pub fn work_dir(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ukl-{suite}-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// A test application in tests/apps/.
pub fn app(name: &str) -> PathBuf {
    home().join("tests/apps").join(name)
}

/// Compiles a C application against nolibc's headers with the pool's C flags; `extra` adds
/// flags (e.g. `-g`, more `-I`).
pub fn compile_c(source: &Path, out: &Path, extra: &[&str]) {
    let libs = home().join("pool-src/libs");
    let status = Command::new("gcc")
        .args([
            "-std=gnu11",
            "-O2",
            "-ffreestanding",
            "-fno-pic",
            "-fno-stack-protector",
        ])
        .args(["-mno-red-zone", "-mcmodel=small", "-fno-omit-frame-pointer"])
        .args(["-fno-asynchronous-unwind-tables", "-nostdinc"])
        .arg("-I")
        .arg(libs.join("nolibc/include"))
        .arg("-I")
        .arg(libs.join("ukalloc/include"))
        .arg("-I")
        .arg(libs.join("ukdebug/include"))
        .args(extra)
        .arg("-c")
        .arg(source)
        .arg("-o")
        .arg(out)
        .status()
        .expect("gcc runs");
    assert!(status.success(), "compiling {}", source.display());
}

/// The pool's Rust flags.
pub const RUST_FLAGS: &[&str] = &[
    "--edition",
    "2021",
    "-C",
    "opt-level=2",
    "-C",
    "panic=abort",
    "-C",
    "relocation-model=static",
    "-C",
    "no-redzone=yes",
    "-C",
    "target-cpu=x86-64",
    "-C",
    "force-frame-pointers=yes",
    "-C",
    "codegen-units=1",
];

/// Compiles a `no_std` Rust application against the `uk` API crate into one object (the
/// `uk` rlib is built next to it).
pub fn compile_rust(source: &Path, out: &Path) {
    let uk = out
        .parent()
        .expect("object in a directory")
        .join("libuk.rlib");
    let status = Command::new("rustc")
        .args(RUST_FLAGS)
        .args(["--crate-type", "rlib", "--crate-name", "uk"])
        .arg(home().join("pool-src/libs/uk/src/lib.rs"))
        .arg("-o")
        .arg(&uk)
        .status()
        .expect("rustc runs");
    assert!(status.success(), "compiling uk");
    let status = Command::new("rustc")
        .args(RUST_FLAGS)
        .args([
            "--crate-type",
            "lib",
            "--crate-name",
            "app",
            "--emit=obj",
            "--extern",
        ])
        .arg(format!("uk={}", uk.display()))
        .arg(source)
        .arg("-o")
        .arg(out)
        .status()
        .expect("rustc runs");
    assert!(status.success(), "compiling {}", source.display());
}

/// `ukl link OBJECTS --plat PLATFORMS -o IMAGE EXTRA...`, which must succeed; its output.
pub fn ukl_link(objects: &[&Path], platforms: &str, image: &Path, extra: &[&str]) -> Output {
    let output = ukl()
        .arg("link")
        .args(objects)
        .args(["--plat", platforms, "-o"])
        .arg(image)
        .args(extra)
        .output()
        .expect("ukl runs");
    assert!(
        output.status.success(),
        "ukl link failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A fresh scratch directory for a musl test (emptied if it exists).
pub fn musl_work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ukl-musl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// `WORK/ld`, holding `ld` → this build's ukl, for `gcc -B`.
pub fn ld_dir(work: &Path) -> PathBuf {
    let dir = work.join("ld");
    std::fs::create_dir_all(&dir).expect("a directory for ld");
    let link = dir.join("ld");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ukl"), &link).expect("ld → ukl");
    dir
}

/// Builds a C program with `musl-gcc -static -O2 -Wall`: a Linux executable, or (with
/// `platform`) a unikernel, the linker swapped for ukl through `-B` and `UKL_PLAT`.
pub fn musl_gcc(source: &Path, output: &Path, platform: Option<&str>) {
    musl_gcc_with(source, output, platform, &[]);
}

/// [`musl_gcc`] with more compiler flags.
pub fn musl_gcc_with(source: &Path, output: &Path, platform: Option<&str>, flags: &[&str]) {
    let mut command = Command::new("musl-gcc");
    command
        .args(["-static", "-O2", "-Wall"])
        .args(flags)
        .arg(source)
        .arg("-o")
        .arg(output)
        .env("UKL_HOME", home())
        .env_remove("UKL_PLAT");
    if let Some(platform) = platform {
        let work = output.parent().expect("the output in a directory");
        command
            .arg("-B")
            .arg(ld_dir(work))
            .env("UKL_PLAT", platform);
    }
    let out = command
        .output()
        .expect("musl-gcc runs (apt-get install musl-tools)");
    assert!(
        out.status.success(),
        "musl-gcc {}: {}",
        source.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ukl run IMAGE --plat PLATFORM [--initrd DIR] -- ARGS` with no standard input, from `cwd`
/// when given (a linuxu image sees that directory's files unless an initrd is its file
/// system); returns the output with the console's `\r\n` turned into `\n`.
pub fn ukl_run(
    image: &Path,
    platform: &str,
    initrd: Option<&Path>,
    cwd: Option<&Path>,
    args: &[&str],
) -> (Output, String) {
    let mut command = ukl();
    command.arg("run").arg(image);
    command.args(["--plat", platform, "--timeout", "240"]);
    if let Some(dir) = initrd {
        command.arg("--initrd").arg(dir);
    }
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    command.arg("--").args(args).stdin(Stdio::null());
    let out = command.output().expect("ukl run");
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    (out, text)
}

/// Builds `examples/NAME` with only the linker swapped for kvm, xen and linuxu (objects shared
/// with the Linux build in `work`) and runs each image with `initrd` and `args`, from an empty
/// directory: each must end with status 0 and print exactly `expected` (the Linux build's
/// output). The linuxu image's files are the table's: nothing may appear in that directory.
pub fn example_matches_linux_everywhere(
    name: &str,
    work: &Path,
    initrd: &Path,
    args: &[&str],
    expected: &str,
) {
    let empty = work.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for platform in ["kvm", "xen", "linuxu"] {
        let out_name = format!("{name}.{platform}");
        make_example(name, work, &out_name, Some(platform));
        let (out, text) = ukl_run(
            &work.join(&out_name),
            platform,
            Some(initrd),
            Some(&empty),
            args,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{platform}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_output(&text, expected);
    }
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "files appeared in {empty:?}"
    );
}

/// The system call family test (`tests/apps/musl-syscalls`) built twice in `work`: a Linux
/// executable, run in `root` (which holds its `input.txt`) for the `expected` output, and the
/// `image` for `platform`, to be run with `root` as its initrd.
pub struct SyscallTest {
    pub image: PathBuf,
    pub root: PathBuf,
    pub expected: String,
}

pub fn syscall_test(work: &Path, platform: &str) -> SyscallTest {
    let source = home().join("tests/apps/musl-syscalls/main.c");
    let image = work.join(format!("image.{platform}"));
    musl_gcc(&source, &work.join("native"), None);
    musl_gcc(&source, &image, Some(platform));
    let root = work.join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("input.txt"), "initrd contents\n").unwrap();
    let native = run_linux(&work.join("native"), &root, &[]);
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.ends_with("== done\n"), "{expected}");
    SyscallTest {
        image,
        root,
        expected,
    }
}

/// Builds `source` for Linux in `work` (once) and runs it there with `args` as the musl tests
/// compare it ([`run_linux`], from `dir`); it must exit 0. Returns what it printed.
pub fn linux_output(work: &Path, source: &Path, dir: &Path, args: &[&str]) -> String {
    let native = work.join("native");
    if !native.exists() {
        musl_gcc(source, &native, None);
    }
    let out = run_linux(&native, dir, args);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("the program prints text")
}

/// Builds `source` as a unikernel for `platform` in `work`, runs it with `ukl run` (from
/// `work`, with `initrd` and `args`) and asserts that it ends with status 0 having printed
/// exactly `expected`.
pub fn unikernel_matches(
    work: &Path,
    source: &Path,
    platform: &str,
    initrd: Option<&Path>,
    args: &[&str],
    expected: &str,
) {
    let image = work.join(format!("image.{platform}"));
    musl_gcc(source, &image, Some(platform));
    let (out, text) = ukl_run(&image, platform, initrd, Some(work), args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{platform}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_output(&text, expected);
}

/// Runs a Linux program as the musl tests compare it: in `dir`, with an empty environment
/// but `TZ=UTC`, no standard input and no descriptor but 0, 1 and 2 (a unikernel starts with
/// nothing else, and descriptors the test harness's parents left open would shift the
/// numbers the program gets).
pub fn run_linux(program: &Path, dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("TZ", "UTC")
        .stdin(Stdio::null());
    ukl::run::only_standard_streams(&mut command);
    command.output().expect("the program runs")
}

/// What the system call family test (`tests/apps/musl-syscalls`) asks for that the system call
/// layer refuses, as it logs it (the test compares the program's output without these lines).
pub const SYSCALL_TEST_REFUSALS: &[&str] =
    &["ukl: syscall: prctl option 0x270f is not implemented, returning -EINVAL"];

/// Splits a unikernel's console into the program's output and the system call layer's
/// refusal lines (`ukl: syscall: ...`: an unimplemented call or sub-operation, logged once).
pub fn split_refusals(console: &str) -> (String, Vec<&str>) {
    let mut program = String::new();
    let mut refusals = Vec::new();
    for line in console.split_inclusive('\n') {
        if line.starts_with("ukl: syscall: ") {
            refusals.push(line.trim_end());
        } else {
            program.push_str(line);
        }
    }
    (program, refusals)
}

/// Asserts that a unikernel printed exactly what the Linux build printed, naming the first
/// line where they part (the whole outputs follow).
#[track_caller]
pub fn assert_same_output(unikernel: &str, linux: &str) {
    if unikernel == linux {
        return;
    }
    let ours: Vec<&str> = unikernel.lines().collect();
    let theirs: Vec<&str> = linux.lines().collect();
    let at = ours
        .iter()
        .zip(&theirs)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    panic!(
        "the unikernel's output differs from Linux's at line {}:\n  unikernel: {:?}\n  Linux:     {:?}\n\
         --- unikernel ---\n{unikernel}\n--- Linux ---\n{linux}",
        at + 1,
        ours.get(at).copied().unwrap_or("<end of output>"),
        theirs.get(at).copied().unwrap_or("<end of output>"),
    );
}

/// Builds examples/lua into `WORK/OUT` with its own Makefile: a Linux executable, or a
/// unikernel for `platform` (only the linker swapped).
pub fn make_lua(work: &Path, out: &str, platform: Option<&str>) {
    make_example("lua", work, out, platform);
}

/// Builds `examples/NAME` into `WORK/OUT` with its Makefile (objects in `WORK/obj`, shared by
/// the builds): a Linux executable, or a unikernel for `platform` (only the linker swapped).
pub fn make_example(name: &str, work: &Path, out: &str, platform: Option<&str>) {
    let mut command = Command::new("make");
    command
        .args(["-s", "-j2", "-C"])
        .arg(home().join("examples").join(name))
        .arg(format!("OBJDIR={}", work.join("obj").display()))
        .arg(format!("OUT={}", work.join(out).display()))
        .env("UKL_HOME", home())
        .env_remove("UKL_PLAT");
    if let Some(platform) = platform {
        command
            .arg(format!("UKL_PLAT={platform}"))
            .arg(format!("LDFLAGS=-B {}", ld_dir(work).display()));
    }
    let result = command.output().expect("make runs");
    assert!(
        result.status.success(),
        "make {out} in examples/{name}: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Runs `command` with `input` on its standard input (written from a thread, then closed):
/// its output.
pub fn run_with_input(mut command: Command, input: Vec<u8>) -> Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("the program runs");
    writer.join().unwrap();
    out
}

/// The standard-input test (tests/apps/musl-stdin) built in `work` for Linux and for each of
/// `platforms` (an image each), its input, and what the Linux build printed for it.
pub fn stdin_test(work: &Path, platforms: &[&str]) -> (Vec<PathBuf>, Vec<u8>, String) {
    let source = home().join("tests/apps/musl-stdin/main.c");
    musl_gcc(&source, &work.join("native"), None);
    let images = platforms
        .iter()
        .map(|platform| {
            let image = work.join(format!("stdin.{platform}"));
            musl_gcc(&source, &image, Some(platform));
            image
        })
        .collect();
    let mut input = b"hello\nworld\nthird line\n".to_vec();
    for i in 1..=20_000 {
        input.extend_from_slice(format!("{i}\n").as_bytes());
    }
    let mut command = Command::new(work.join("native"));
    ukl::run::only_standard_streams(&mut command);
    let native = run_with_input(command, input.clone());
    assert!(native.status.success(), "{native:?}");
    let expected = String::from_utf8(native.stdout).unwrap();
    assert!(expected.contains("20003 lines in all"), "{expected}");
    (images, input, expected)
}

/// `ukl run IMAGE --plat PLATFORM` with `input` on its standard input: the output, with the
/// console's `\r\n` turned into `\n`.
pub fn ukl_run_with_input(image: &Path, platform: &str, input: Vec<u8>) -> (Output, String) {
    let mut command = ukl();
    command
        .arg("run")
        .arg(image)
        .args(["--plat", platform, "--timeout", "240"]);
    let out = run_with_input(command, input);
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    (out, text)
}

/// Runs `examples/NAME/build.sh target/NAME` with this build's ukl as the linker: the work
/// directory, or None — after saying so — when the source could not be fetched (no network:
/// the unpacked `tree` is not there and `source_env` names no tree).
pub fn build_example_from_source(name: &str, tree: &str, source_env: &str) -> Option<PathBuf> {
    let work = home().join("target").join(name);
    std::fs::create_dir_all(&work).unwrap();
    let out = Command::new("sh")
        .arg(home().join(format!("examples/{name}/build.sh")))
        .arg(&work)
        .env("UKL_LD_DIR", ld_dir(&musl_work_dir(name)))
        .output()
        .expect("sh runs");
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !work.join(tree).is_dir() && std::env::var_os(source_env).is_none() {
            eprintln!("skipped: the {name} source could not be fetched: {stderr}");
            return None;
        }
        panic!("examples/{name}/build.sh failed: {stderr}");
    }
    Some(work)
}
