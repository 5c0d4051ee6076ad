//! Dependency problems and their explanations: each case links (or checks, or explains) a small
//! application against the committed pool — or a copy of it whose registry is changed to create
//! the problem — and compares what ukl prints with a snapshot in `tests/snapshots/`.
//! `UPDATE_SNAPSHOTS=1 cargo test --release -p ukl --test explain` rewrites the snapshots.
//!
//! The boot tests at the end show link-time configuration changing an image's behaviour
//! without rebuilding the pool: an option (`ukdebug.level`) and an alternative allocator.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ukl-explain-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles `tests/apps/explain/<name>.c` into `<dir>/<name>.o` with the pool's C flags.
fn compile(name: &str, dir: &Path) -> PathBuf {
    let source = home().join("tests/apps/explain").join(format!("{name}.c"));
    compile_source(&source, &dir.join(format!("{name}.o")));
    dir.join(format!("{name}.o"))
}

fn compile_source(source: &Path, out: &Path) {
    common::compile_c(source, out, &[]);
}

/// A copy of the ukl home whose registry.toml is `edit`ed.
fn fixture_home(dir: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    let copy = dir.join("home");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in ["platforms", "linkscripts", "prebuilt"] {
        let status = Command::new("cp")
            .arg("-r")
            .arg(home().join(entry))
            .arg(&copy)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let registry = std::fs::read_to_string(home().join("registry.toml")).unwrap();
    std::fs::write(copy.join("registry.toml"), edit(&registry)).unwrap();
    copy
}

struct Outcome {
    status: i32,
    stdout: String,
    stderr: String,
}

fn ukl_in(home: &Path, dir: &Path, args: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_ukl"))
        .env("UKL_HOME", home)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("ukl runs");
    Outcome {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn ukl(dir: &Path, args: &[&str]) -> Outcome {
    ukl_in(&home(), dir, args)
}

/// Replaces what differs between machines and pool builds: the home and work folders, and
/// 16-digit hexadecimal hashes (in archive member names).
fn normalize(text: &str, dir: &Path) -> String {
    let text = text
        .replace(&dir.display().to_string(), "<work>")
        .replace(&home().display().to_string(), "<home>");
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .count();
        if run >= 16 && chars[i..i + run].iter().any(char::is_ascii_digit) {
            out.push_str("<hash>");
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Compares `outcome` with `tests/snapshots/<name>.txt` (or writes it with UPDATE_SNAPSHOTS=1).
fn snapshot(name: &str, outcome: &Outcome, dir: &Path) {
    let actual = format!(
        "exit status: {}\n--- stdout\n{}--- stderr\n{}",
        outcome.status,
        normalize(&outcome.stdout, dir),
        normalize(&outcome.stderr, dir)
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1 to create it. Output:\n{actual}",
            path.display()
        )
    });
    if expected != actual {
        let mut report = String::new();
        for (number, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            if e != a {
                report = format!("first difference at line {}:\n- {e}\n+ {a}\n", number + 1);
                break;
            }
        }
        panic!(
            "{name}: output differs from {} (UPDATE_SNAPSHOTS=1 rewrites it)\n{report}\
             --- expected\n{expected}--- actual\n{actual}",
            path.display()
        );
    }
}

/// Runs `ukl ARGS` in a work folder holding the compiled `apps`, and snapshots the result.
fn case(name: &str, apps: &[&str], args: &[&str]) -> Outcome {
    let dir = work_dir(name);
    for app in apps {
        compile(app, &dir);
    }
    let outcome = ukl(&dir, args);
    snapshot(name, &outcome, &dir);
    outcome
}

#[test]
fn missing_symbol_names_near_matches() {
    let out = case("missing_symbol", &["typo"], &["check", "typo.o"]);
    assert_eq!(out.status, 1);
}

#[test]
fn missing_symbol_as_json() {
    let out = case(
        "missing_symbol_json",
        &["typo"],
        &["check", "typo.o", "--message-format", "json"],
    );
    let line: serde_json::Value = serde_json::from_str(out.stderr.lines().next().unwrap()).unwrap();
    assert_eq!(line["type"], "diagnostic");
    assert_eq!(line["message"], "undefined symbol `uk_mallc`");
    assert!(line["help"].is_string());
}

#[test]
fn library_for_another_platform() {
    let dir = work_dir("wrong_platform");
    compile("log", &dir);
    // ukdebug restricted to xen: an application that logs cannot link for kvm.
    let fixture = fixture_home(&dir, |registry| {
        registry.replace(
            "exports = \"pool-src/libs/ukdebug/exports.txt\"\ndependencies = [\"nolibc\"]\nplatforms = \"all\"",
            "exports = \"pool-src/libs/ukdebug/exports.txt\"\ndependencies = [\"nolibc\"]\nplatforms = [\"xen\"]",
        )
    });
    let out = ukl_in(&fixture, &dir, &["check", "log.o", "--plat", "kvm"]);
    snapshot("wrong_platform", &out, &dir);
    assert_eq!(out.status, 1);
    let out = ukl_in(&fixture, &dir, &["why", "uk_pr_log", "log.o"]);
    snapshot("why_wrong_platform", &out, &dir);
    let out = ukl_in(&fixture, &dir, &["check", "log.o", "--lib", "ukdebug"]);
    snapshot("requested_wrong_platform", &out, &dir);
}

#[test]
fn symbol_of_a_library_that_a_conflict_excludes() {
    let out = case(
        "conflict_excludes",
        &["buddy_region"],
        &["check", "buddy_region.o", "--lib", "allocregion"],
    );
    assert_eq!(out.status, 1);
    let out = case(
        "why_conflict_excludes",
        &["buddy_region"],
        &[
            "why",
            "uk_allocbuddy_add_region",
            "buddy_region.o",
            "--lib",
            "allocregion",
        ],
    );
    assert_eq!(out.status, 1);
}

#[test]
fn declared_conflict() {
    let dir = work_dir("declared_conflict");
    compile("log", &dir);
    let fixture = fixture_home(&dir, |registry| {
        registry.replace(
            "provides = []\n\n[library.options.level]",
            "provides = []\nconflicts = [\"allocregion\"]\n\n[library.options.level]",
        )
    });
    let out = ukl_in(&fixture, &dir, &["check", "log.o", "--lib", "allocregion"]);
    snapshot("declared_conflict", &out, &dir);
    assert_eq!(out.status, 1);
}

#[test]
fn two_alternatives_at_once() {
    let out = case(
        "two_allocators",
        &["log"],
        &[
            "check",
            "log.o",
            "--lib",
            "allocregion",
            "--lib",
            "allocbuddy",
        ],
    );
    assert_eq!(out.status, 1);
}

#[test]
fn unknown_option_names_the_nearest() {
    let out = case(
        "unknown_option",
        &["log"],
        &[
            "check",
            "log.o",
            "--opt",
            "ukdebug.levl=4",
            "--opt",
            "ukdbg.level=4",
        ],
    );
    assert_eq!(out.status, 1);
}

#[test]
fn bad_option_values() {
    let out = case(
        "bad_value",
        &["log"],
        &[
            "check",
            "log.o",
            "--opt",
            "ukdebug.level=high",
            "--opt",
            "ukdebug.level=9",
        ],
    );
    assert_eq!(out.status, 1);
    let out = case(
        "option_without_library",
        &["typo"],
        &[
            "check",
            "typo.o",
            "--opt",
            "ukdebug.level=2",
            "--opt",
            "level=3",
        ],
    );
    assert_eq!(out.status, 1);
}

#[test]
fn unknown_library_and_version() {
    let out = case(
        "unknown_library",
        &["log"],
        &[
            "check",
            "log.o",
            "--lib",
            "allocbudy",
            "--lib",
            "allocregion@0.2",
        ],
    );
    assert_eq!(out.status, 1);
}

#[test]
fn manifest_problems() {
    let dir = work_dir("manifest_problems");
    compile("log", &dir);
    std::fs::write(dir.join("uk.toml"), "libraris = [\"allocregion\"]\n").unwrap();
    let out = ukl(&dir, &["check", "log.o"]);
    snapshot("manifest_unknown_key", &out, &dir);
    std::fs::write(
        dir.join("uk.toml"),
        "libraries = [\"allocregion\"]\n[options]\nukdebug.level = \"loud\"\n",
    )
    .unwrap();
    let out = ukl(&dir, &["check", "log.o"]);
    snapshot("manifest_bad_value", &out, &dir);
    assert_eq!(out.status, 1);
}

#[test]
fn why_library_gives_the_chain_to_the_application() {
    case("why_ukdebug", &["log"], &["why", "ukdebug", "log.o"]);
    case("why_allocbuddy", &["log"], &["why", "allocbuddy", "log.o"]);
    case(
        "why_allocregion_absent",
        &["log"],
        &["why", "allocregion", "log.o"],
    );
    let out = case(
        "why_allocregion_json",
        &["log"],
        &[
            "why",
            "allocregion",
            "log.o",
            "--lib",
            "allocregion",
            "--message-format",
            "json",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(value["in_image"], true);
    assert_eq!(value["chain"][0]["why"]["kind"], "requested");
}

#[test]
fn why_symbol_gives_library_member_and_chain() {
    let out = case("why_symbol", &["log"], &["why", "uk_pr_log", "log.o"]);
    assert_eq!(out.status, 0);
    assert!(out.stdout.contains("print.o"), "{}", out.stdout);
    let out = case(
        "why_symbol_missing",
        &["typo"],
        &["why", "uk_mallc", "typo.o"],
    );
    assert_eq!(out.status, 1);
    let out = case("why_symbol_without_app", &[], &["why", "uk_alloc_register"]);
    assert_eq!(out.status, 0);
}

#[test]
fn check_passes_and_writes_nothing() {
    let dir = work_dir("check_ok");
    compile("log", &dir);
    let out = ukl(&dir, &["check", "log.o"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("ok: log.o links for kvm"),
        "{}",
        out.stdout
    );
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 1, "check wrote files: {files:?}");
    let out = ukl(&dir, &["check", "log.o", "--message-format", "json"]);
    let value: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(value["type"], "check");
    assert_eq!(value["options"][0]["option"], "ukdebug.level");
    assert_eq!(value["options"][0]["value"], 3);
}

/// The option `key` of a JSON link result.
fn option<'v>(result: &'v serde_json::Value, key: &str) -> &'v serde_json::Value {
    result["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["option"] == key)
        .unwrap_or_else(|| panic!("no option {key} in {result}"))
}

#[test]
fn manifest_selects_and_flags_override() {
    let dir = work_dir("manifest");
    compile("log", &dir);
    std::fs::write(
        dir.join("uk.toml"),
        "libraries = [\"allocregion\"]\nplatforms = [\"kvm\"]\n[options.ukdebug]\nlevel = 4\n",
    )
    .unwrap();
    let out = ukl(&dir, &["why", "allocregion", "log.o"]);
    assert!(
        out.stdout.contains("requested with"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert!(out.stdout.contains("uk.toml"), "{}", out.stdout);
    let out = ukl(&dir, &["check", "log.o", "--message-format", "json"]);
    let value: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(option(&value, "ukdebug.level")["value"], 4, "{value}");
    assert_eq!(option(&value, "allocregion.limit")["source"], "default");
    // --lib allocbuddy replaces the manifest's allocator; --opt overrides its option.
    let out = ukl(
        &dir,
        &[
            "check",
            "log.o",
            "--lib",
            "allocbuddy",
            "--opt",
            "ukdebug.level=1",
            "--message-format",
            "json",
        ],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    let value: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(option(&value, "ukdebug.level")["value"], 1);
    let libraries: Vec<&str> = value["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert!(libraries.contains(&"allocbuddy") && !libraries.contains(&"allocregion"));
    // --no-manifest ignores it.
    let out = ukl(&dir, &["why", "allocregion", "log.o", "--no-manifest"]);
    assert!(
        out.stdout.contains("is not in the kvm image"),
        "{}",
        out.stdout
    );
}

#[test]
fn examples_link_without_a_manifest() {
    let dir = work_dir("examples");
    compile_source(
        &home().join("examples/hello-c/main.c"),
        &dir.join("hello.o"),
    );
    assert!(!dir.join("uk.toml").exists() && !home().join("examples/hello-c/uk.toml").exists());
    let out = ukl(&dir, &["link", "hello.o", "-o", "hello.kvm"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(dir.join("hello.kvm").is_file());
}

/// The pool's Rust flags (as examples/hello-rust/Makefile).
const RUST_FLAGS: &[&str] = &[
    "--edition=2021",
    "-Copt-level=2",
    "-Cpanic=abort",
    "-Crelocation-model=static",
    "-Cno-redzone=yes",
    "-Ctarget-cpu=x86-64",
    "-Cforce-frame-pointers=yes",
    "-Ccodegen-units=1",
];

#[test]
fn rust_example_links_without_a_manifest() {
    let dir = work_dir("example_rust");
    let uk = dir.join("libuk.rlib");
    let status = Command::new("rustc")
        .args(RUST_FLAGS)
        .args(["--crate-type", "rlib", "--crate-name", "uk"])
        .arg(home().join("pool-src/libs/uk/src/lib.rs"))
        .arg("-o")
        .arg(&uk)
        .status()
        .unwrap();
    assert!(status.success());
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
        .arg(home().join("examples/hello-rust/src/main.rs"))
        .arg("-o")
        .arg(dir.join("hello.o"))
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!home().join("examples/hello-rust/uk.toml").exists());
    let out = ukl(&dir, &["check", "hello.o"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = ukl(&dir, &["why", "rust_rt", "hello.o"]);
    assert!(out.stdout.contains("is in the kvm image"), "{}", out.stdout);
}

#[test]
fn pool_list_and_info() {
    let dir = work_dir("pool");
    let out = ukl(&dir, &["pool", "list"]);
    assert_eq!(out.status, 0);
    let allocbuddy = out
        .stdout
        .lines()
        .find(|l| l.starts_with("allocbuddy "))
        .unwrap();
    assert!(allocbuddy.contains("allocator (default)"), "{allocbuddy}");
    assert!(out.stdout.lines().any(|l| l.starts_with("allocregion ")));
    let out = ukl(&dir, &["pool", "info", "ukdebug"]);
    assert_eq!(out.status, 0);
    for expected in [
        "ukdebug 0.1.0 (lib)",
        "platforms:    all",
        "dependencies: nolibc",
        "ukdebug.level (int, default 3, 0..=4)",
        "uk_pr_log  (",
    ] {
        assert!(
            out.stdout.contains(expected),
            "missing `{expected}`:\n{}",
            out.stdout
        );
    }
    let out = ukl(
        &dir,
        &["pool", "info", "ukdebug", "--message-format", "json"],
    );
    let value: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(value["options"][0]["name"], "level");
    let out = ukl(&dir, &["pool", "info", "ukdebg"]);
    snapshot("pool_info_unknown", &out, &dir);
}

// Boot tests: configuration at link time changes what the image does.

fn boot(dir: &Path, image: &str) -> Outcome {
    ukl(dir, &["run", image, "--timeout", "90"])
}

fn heap_growth(stdout: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("heap grew by "))
        .unwrap_or_else(|| panic!("no heap line in:\n{stdout}"));
    line["heap grew by ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn boot_option_changes_the_log_level_without_rebuilding_the_pool() {
    let dir = work_dir("boot_option");
    compile("options", &dir);
    let pool_before = std::fs::read(home().join("prebuilt/x86_64/index.toml")).unwrap();
    for (level, flags) in [
        ("3", vec![]),
        ("4", vec!["--opt", "ukdebug.level=4"]),
        ("1", vec!["--opt", "ukdebug.level=1"]),
    ] {
        let image = format!("options-{level}.kvm");
        let mut args = vec!["link", "options.o", "-o", image.as_str()];
        args.extend(flags);
        let out = ukl(&dir, &args);
        assert_eq!(out.status, 0, "{}", out.stderr);
        let run = boot(&dir, &image);
        assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(&format!("uk_debug_level = {level}")),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("err: an err message"), "{}", run.stdout);
        assert_eq!(
            run.stdout.contains("info: an info message"),
            level != "1",
            "{}",
            run.stdout
        );
        assert_eq!(
            run.stdout.contains("debug: a debug message"),
            level == "4",
            "{}",
            run.stdout
        );
    }
    // The same from uk.toml.
    std::fs::write(dir.join("uk.toml"), "[options]\nukdebug.level = 4\n").unwrap();
    let out = ukl(&dir, &["link", "options.o", "-o", "manifest.kvm"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let run = boot(&dir, "manifest.kvm");
    assert!(
        run.stdout.contains("debug: a debug message"),
        "{}",
        run.stdout
    );
    let pool_after = std::fs::read(home().join("prebuilt/x86_64/index.toml")).unwrap();
    assert_eq!(pool_before, pool_after);
}

#[test]
fn boot_with_the_alternative_allocator() {
    let dir = work_dir("boot_allocator");
    compile("options", &dir);
    let out = ukl(&dir, &["link", "options.o", "-o", "buddy.kvm"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = ukl(
        &dir,
        &[
            "link",
            "options.o",
            "-o",
            "region.kvm",
            "--lib",
            "allocregion",
        ],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    let buddy = boot(&dir, "buddy.kvm");
    assert_eq!(buddy.status, 0, "{}\n{}", buddy.stdout, buddy.stderr);
    let region = boot(&dir, "region.kvm");
    assert_eq!(region.status, 0, "{}\n{}", region.stdout, region.stderr);
    // allocbuddy reuses what is freed; allocregion only gives back the most recent block.
    assert_eq!(heap_growth(&buddy.stdout), 0, "{}", buddy.stdout);
    assert!(heap_growth(&region.stdout) > 100, "{}", region.stdout);
}

#[test]
fn boot_size_option_limits_the_region_heap() {
    let dir = work_dir("boot_limit");
    compile("options", &dir);
    let link = |image: &str, limit: &str| {
        let option = format!("allocregion.limit={limit}");
        let out = ukl(
            &dir,
            &[
                "link",
                "options.o",
                "-o",
                image,
                "--lib",
                "allocregion",
                "--opt",
                &option,
            ],
        );
        assert_eq!(out.status, 0, "{}", out.stderr);
    };
    link("two.kvm", "2M");
    link("half.kvm", "512K");
    let run = boot(&dir, "two.kvm");
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("heap total 2048 KiB"), "{}", run.stdout);
    // 1000 pairs of 1000-byte blocks need more than 512 KiB of a region heap.
    let run = boot(&dir, "half.kvm");
    assert!(run.stdout.contains("heap total 512 KiB"), "{}", run.stdout);
    assert!(run.stdout.contains("failed"), "{}", run.stdout);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    let out = ukl(
        &dir,
        &[
            "check",
            "options.o",
            "--lib",
            "allocregion",
            "--opt",
            "allocregion.limit=lots",
        ],
    );
    assert!(out.stderr.contains("expects a size"), "{}", out.stderr);
}

#[test]
fn map_file_lists_decisions_and_options() {
    let dir = work_dir("map");
    compile("log", &dir);
    let out = ukl(
        &dir,
        &[
            "link",
            "log.o",
            "-o",
            "log.kvm",
            "--map",
            "log.map",
            "--opt",
            "ukdebug.level=2",
        ],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    let map = std::fs::read_to_string(dir.join("log.map")).unwrap();
    assert!(
        map.contains("ukdebug        provides `uk_pr_log`, needed by the application (log.o)"),
        "{map}"
    );
    assert!(map.contains("uk_opt_ukdebug_level = 2 (--opt)"), "{map}");
}

#[test]
fn run_takes_arguments_and_memory_from_the_manifest() {
    let dir = work_dir("run_manifest");
    compile_source(
        &home().join("examples/hello-c/main.c"),
        &dir.join("hello.o"),
    );
    std::fs::write(
        dir.join("uk.toml"),
        "args = [\"from\", \"the manifest\"]\nmemory = \"16M\"\nlibraries = [\"allocregion\"]\n",
    )
    .unwrap();
    let run = ukl(&dir, &["run", "hello.o", "--timeout", "90"]);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("argv[2] = \"the manifest\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("malloc/free of 4 blocks: ok"),
        "{}",
        run.stdout
    );
}
