//! Real programs linked by ukl and run.
//!
//! - The Lua 5.4 interpreter (the sources carried by the `lua-src` crate, with our driver
//!   `tests/programs/lua-driver.c`) is compiled once with `musl-gcc`, linked with `ukl ld` and
//!   with GNU ld, and both interpreters run `tests/programs/lua-test.lua`: their standard output
//!   and exit status must be identical.
//! - `tests/programs/hello.c` is built by `gcc -static -B DIR` (glibc) and `musl-gcc -static -B
//!   DIR`, where `DIR/ld` is a symlink to ukl, so the compiler drivers' own ld command lines
//!   are exercised.
//!
//! Both tests print a note and pass when `musl-gcc` (or `gcc`) is missing; CI installs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Where Debian's musl-tools puts crt1.o, crti.o, crtn.o and libc.a.
const MUSL_LIB: &str = "/usr/lib/x86_64-linux-musl";
/// How long a linked program may run.
const RUN_TIMEOUT: Duration = Duration::from_secs(20);

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the linker crate sits in the repository root")
        .to_path_buf()
}

fn ukl() -> &'static str {
    env!("CARGO_BIN_EXE_ukl")
}

/// True if `tool` can be run; otherwise prints why the test is skipped.
fn have_tool(tool: &str, test: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        eprintln!(
            "note: skipping {test}: `{tool}` is not installed (CI installs gcc and musl-tools)"
        );
    }
    found
}

/// Runs a build tool and panics with its output if it fails.
fn run_tool(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed with {}:\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs a linked program with a deterministic environment and a timeout.
fn run_program(program: &Path, args: &[&Path]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let start = Instant::now();
    while child.try_wait().expect("wait for program").is_none() {
        if start.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            panic!("{} ran longer than {RUN_TIMEOUT:?}", program.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("collect program output")
}

/// The Lua 5.4 source directory of the `lua-src` dev-dependency, found through `cargo metadata`.
fn lua_source_dir() -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "cargo metadata failed");
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let manifest = metadata["packages"]
        .as_array()
        .expect("cargo metadata lists packages")
        .iter()
        .find(|package| package["name"] == "lua-src")
        .and_then(|package| package["manifest_path"].as_str())
        .expect("lua-src is a dev-dependency of ukl");
    let dir = Path::new(manifest)
        .parent()
        .expect("a manifest has a directory")
        .join("lua-5.4.9");
    assert!(
        dir.join("lua.h").is_file(),
        "no Lua 5.4 sources in {}",
        dir.display()
    );
    dir
}

/// Compiles `sources` into `out_dir` with `musl-gcc -O2 -c`, one compiler per source, on as many
/// threads as there are CPUs. Returns the objects in the order of `sources`.
fn compile_with_musl(sources: &[PathBuf], include: &Path, out_dir: &Path) -> Vec<PathBuf> {
    let objects: Vec<PathBuf> = sources
        .iter()
        .map(|source| {
            let stem = source.file_stem().expect("a source file has a name");
            out_dir.join(stem).with_extension("o")
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get());
    let jobs: Vec<(&PathBuf, &PathBuf)> = sources.iter().zip(&objects).collect();
    std::thread::scope(|scope| {
        for chunk in jobs.chunks(jobs.len().div_ceil(threads)) {
            scope.spawn(move || {
                for (source, object) in chunk {
                    run_tool(
                        Command::new("musl-gcc")
                            .args(["-O2", "-c", "-DLUA_USE_POSIX", "-I"])
                            .arg(include)
                            .arg(source)
                            .arg("-o")
                            .arg(object),
                    );
                }
            });
        }
    });
    objects
}

/// A static musl link command line: crt1.o crti.o OBJECTS libc.a crtn.o.
fn musl_link_args(objects: &[PathBuf], output: &Path) -> Vec<PathBuf> {
    let musl = Path::new(MUSL_LIB);
    let mut args = vec![PathBuf::from("-static"), "-o".into(), output.into()];
    args.push(musl.join("crt1.o"));
    args.push(musl.join("crti.o"));
    args.extend(objects.iter().cloned());
    args.push(musl.join("libc.a"));
    args.push(musl.join("crtn.o"));
    args
}

#[test]
fn lua_interpreter_linked_by_ukl_runs_like_gnu_ld() {
    if !have_tool("musl-gcc", "the Lua test") || !have_tool("ld", "the Lua test") {
        return;
    }
    let lua = lua_source_dir();
    let programs = repository_root().join("tests/programs");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&lua)
        .expect("read the Lua source directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    assert!(
        sources.len() > 30,
        "expected the Lua 5.4 sources in {}",
        lua.display()
    );
    sources.push(programs.join("lua-driver.c"));

    let work = tempfile::tempdir().expect("create a temporary directory");
    let objects = compile_with_musl(&sources, &lua, work.path());

    let with_ukl = work.path().join("lua-ukl");
    let with_ld = work.path().join("lua-ld");
    run_tool(
        Command::new(ukl())
            .arg("ld")
            .args(musl_link_args(&objects, &with_ukl)),
    );
    run_tool(Command::new("ld").args(musl_link_args(&objects, &with_ld)));

    let script = programs.join("lua-test.lua");
    let expected = run_program(&with_ld, &[&script]);
    let actual = run_program(&with_ukl, &[&script]);
    let stdout = String::from_utf8_lossy(&actual.stdout);
    assert_eq!(
        expected.status.code(),
        Some(3),
        "the ld-linked Lua exits with the script's os.exit(3); stderr:\n{}",
        String::from_utf8_lossy(&expected.stderr)
    );
    assert!(
        stdout.lines().count() > 50 && stdout.ends_with("end of lua-test\n"),
        "the ukl-linked Lua printed too little; stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&actual.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&expected.stdout),
        stdout,
        "stdout differs (left: GNU ld, right: ukl)"
    );
    assert_eq!(expected.stderr, actual.stderr, "stderr differs");
    assert_eq!(expected.status.code(), actual.status.code());
}

#[test]
fn compiler_drivers_link_through_ukl_as_ld() {
    if !have_tool("gcc", "the compiler-driver test") {
        return;
    }
    let work = tempfile::tempdir().expect("create a temporary directory");
    let bin = work.path().join("bin");
    std::fs::create_dir(&bin).expect("create bin/");
    std::os::unix::fs::symlink(ukl(), bin.join("ld")).expect("symlink bin/ld to ukl");
    let source = repository_root().join("tests/programs/hello.c");
    let mut drivers = vec!["gcc"];
    if have_tool("musl-gcc", "the musl-gcc half of the compiler-driver test") {
        drivers.push("musl-gcc");
    }
    for driver in drivers {
        // The driver must find ukl: `-Wl,--version` makes the linker print its name.
        let version = Command::new(driver)
            .arg("-B")
            .arg(&bin)
            .args(["-static", "-Wl,--version"])
            .arg(&source)
            .arg("-o")
            .arg(work.path().join("unused"))
            .output()
            .expect("run the compiler driver");
        let version = String::from_utf8_lossy(&version.stdout);
        assert!(
            version.contains("ukl"),
            "{driver} -B {} did not run ukl as ld; it printed:\n{version}",
            bin.display()
        );

        let program = work.path().join(format!("hello-{driver}"));
        run_tool(
            Command::new(driver)
                .arg("-B")
                .arg(&bin)
                .args(["-static", "-O2"])
                .arg(&source)
                .arg("-o")
                .arg(&program),
        );
        let output = run_program(&program, &[]);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "hello from a static program: sorted 1 3 5 7 9, 0.667, tls 42, constructed 1, \
             len 9\natexit handler ran\n",
            "{driver}-built program"
        );
        assert_eq!(output.status.code(), Some(7), "{driver}-built program");
    }
}
