//! Differential link tests: every case under `tests/link-cases/` is compiled, linked with
//! `ukl ld` and with the reference linkers (ld.lld and GNU ld), and then checked.
//!
//! The directive format is described in `tests/link-cases/README.md`. In short, a case is one
//! source file (or a directory with a `case.txt`), whose leading comments say how to compile,
//! how to link, what the program must print and exit with, which symbols and sections must match
//! the reference linkers' output, or which error the link must fail with.
//!
//! All cases run (in parallel), failures are collected and reported together at the end.
//!
//! Environment:
//! - `UKL_CASE=a,b`: run only the cases whose name contains `a` or `b`.
//! - `UKL_LD="cmd args"`: the linker under test instead of `ukl ld`. Pointing it at a reference
//!   (`UKL_LD="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld -flavor
//!   gnu"` or `UKL_LD=ld.bfd`) checks the harness and the cases themselves.
//! - `UKL_KEEP_TMP=1`: keep every case's work directory (failing cases' are always kept).
//! - `UKL_MUSL_LIB=DIR`: where musl's crt1.o, crti.o, crtn.o and libc.a live.

use object::{Object, ObjectSection, ObjectSymbol};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a linked program may run.
const RUN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a compiler or linker may run.
const TOOL_TIMEOUT: Duration = Duration::from_secs(120);
/// Source extensions that are compiled into objects.
const SOURCE_EXTENSIONS: &[&str] = &["c", "cc", "s", "S", "rs"];

/// Every directive name the parser accepts. Other `word:` lines are prose, unless `word` is
/// within two edits of a directive (a likely typo), which is an error.
const DIRECTIVES: &[&str] = &[
    "compile",
    "archive",
    "inputs",
    "ref-inputs",
    "link",
    "args",
    "ref-args",
    "references",
    "exit",
    "stdout",
    "error",
    "compare-symbols",
    "compare-sections",
    "compare-segments",
    "symbols-present",
    "symbols-absent",
    "sections-present",
    "sections-absent",
    "symbol-size",
    "max-file-size",
    "output-files",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LinkMode {
    /// Only the case's inputs, plus `args`.
    Raw,
    /// A static musl program: crt1.o crti.o INPUTS libc.a crtn.o.
    StaticMusl,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Reference {
    Lld,
    Bfd,
}

impl Reference {
    fn name(self) -> &'static str {
        match self {
            Reference::Lld => "ld.lld",
            Reference::Bfd => "ld.bfd",
        }
    }
}

/// A parsed case.
#[derive(Debug)]
struct Case {
    name: String,
    /// The directory holding the case's files (for `{case}`).
    dir: PathBuf,
    sources: Vec<PathBuf>,
    /// `compile` (key None) and `compile[file]` (key Some(file)).
    compile: BTreeMap<Option<String>, Vec<String>>,
    archives: Vec<(String, Vec<String>)>,
    inputs: Option<Vec<String>>,
    ref_inputs: Option<Vec<String>>,
    link: LinkMode,
    args: Vec<String>,
    ref_args: Vec<String>,
    references: Vec<Reference>,
    exit: Option<i32>,
    stdout: Option<String>,
    errors: Vec<String>,
    compare_symbols: Vec<String>,
    compare_sections: Vec<String>,
    /// Compare the program headers (type, flags, addresses, memory size) with ld.lld's.
    compare_segments: bool,
    symbols_present: Vec<String>,
    symbols_absent: Vec<String>,
    sections_present: Vec<String>,
    sections_absent: Vec<String>,
    symbol_sizes: Vec<(String, u64)>,
    max_file_size: Option<u64>,
    output_files: Vec<String>,
}

enum Outcome {
    Pass,
    Skip(String),
    Fail(String),
}

/// Tools and paths found once for all cases.
struct Environment {
    cases_dir: PathBuf,
    work_root: PathBuf,
    /// The linker under test, program then leading arguments.
    under_test: Vec<String>,
    lld: Option<Vec<String>>,
    bfd: Option<Vec<String>>,
    musl_lib: Option<PathBuf>,
    rust_sysroot_lib: Option<PathBuf>,
    gcc_lib: Option<PathBuf>,
    keep_tmp: bool,
}

/// What a finished (or killed) process left.
struct ProcessResult {
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    timed_out: bool,
}

impl ProcessResult {
    fn success(&self) -> bool {
        !self.timed_out && self.status.is_some_and(|s| s.success())
    }

    fn describe_status(&self) -> String {
        if self.timed_out {
            return "timed out".to_string();
        }
        match self.status {
            Some(status) => match status.code() {
                Some(code) => format!("exit code {code}"),
                None => {
                    use std::os::unix::process::ExitStatusExt;
                    format!("killed by signal {}", status.signal().unwrap_or(0))
                }
            },
            None => "not started".to_string(),
        }
    }

    fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&self.stderr));
        text
    }
}

#[test]
fn link_cases() {
    let environment = Environment::discover();
    let filter: Vec<String> = std::env::var("UKL_CASE")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();

    let mut case_paths = Vec::new();
    for entry in std::fs::read_dir(&environment.cases_dir).expect("read tests/link-cases") {
        let path = entry.expect("directory entry").path();
        let name = case_name(&path);
        let is_case = if path.is_dir() {
            path.join("case.txt").is_file()
        } else {
            path.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e))
        };
        if !is_case || name.starts_with('_') {
            continue;
        }
        if filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())) {
            case_paths.push(path);
        }
    }
    case_paths.sort();
    assert!(
        !case_paths.is_empty(),
        "no link case matches UKL_CASE={filter:?}"
    );

    let _ = std::fs::remove_dir_all(&environment.work_root);
    std::fs::create_dir_all(&environment.work_root).expect("create work root");

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, Outcome)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(path) = case_paths.get(index) else {
                    break;
                };
                let name = case_name(path);
                let outcome = match Case::parse(path) {
                    Ok(case) => environment.run_case(&case),
                    Err(message) => Outcome::Fail(format!("bad directives: {message}")),
                };
                let marker = match &outcome {
                    Outcome::Pass => "ok",
                    Outcome::Skip(_) => "skipped",
                    Outcome::Fail(_) => "FAILED",
                };
                eprintln!("link case {name} ... {marker}");
                results.lock().unwrap().push((name, outcome));
            });
        }
    });

    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut report = String::new();
    for (name, outcome) in &results {
        match outcome {
            Outcome::Pass => passed += 1,
            Outcome::Skip(why) => {
                skipped += 1;
                // Written to the process's stderr, past the test harness's capture, so that a
                // skip is visible even when everything passes.
                let _ = writeln!(std::io::stderr(), "note: link case {name} skipped: {why}");
            }
            Outcome::Fail(why) => {
                failed += 1;
                let work = environment.work_root.join(name);
                let _ = writeln!(
                    report,
                    "\n==== FAILED {name} (work dir {})\n{}",
                    work.display(),
                    why.trim_end()
                );
            }
        }
    }
    if failed == 0 && !environment.keep_tmp {
        let _ = std::fs::remove_dir_all(&environment.work_root);
    }
    let summary = format!("link cases: {passed} passed, {failed} failed, {skipped} skipped");
    let _ = writeln!(std::io::stderr(), "{summary}");
    if failed > 0 {
        let names: Vec<&str> = results
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Fail(_)))
            .map(|(n, _)| n.as_str())
            .collect();
        panic!(
            "{report}\n\n{summary}\nfailed cases: {}\n(under test: {})",
            names.join(" "),
            environment.under_test.join(" ")
        );
    }
}

fn case_name(path: &Path) -> String {
    if path.is_dir() {
        path.file_name().unwrap().to_string_lossy().into_owned()
    } else {
        path.file_stem().unwrap().to_string_lossy().into_owned()
    }
}

fn words(value: &str) -> Vec<String> {
    value.split_whitespace().map(String::from).collect()
}

impl Case {
    fn parse(path: &Path) -> Result<Case, String> {
        let name = case_name(path);
        let (dir, sources, directive_lines) = if path.is_dir() {
            let text = std::fs::read_to_string(path.join("case.txt"))
                .map_err(|e| format!("read case.txt: {e}"))?;
            let lines: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect();
            let mut sources: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| e.to_string())?
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e))
                })
                .collect();
            sources.sort();
            (path.to_path_buf(), sources, lines)
        } else {
            let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
            let mut lines = Vec::new();
            for line in text.lines() {
                let line = line.trim();
                let Some(rest) = ["//", "#", ";"].iter().find_map(|p| line.strip_prefix(p)) else {
                    break;
                };
                lines.push(rest.trim().to_string());
            }
            (
                path.parent().unwrap().to_path_buf(),
                vec![path.to_path_buf()],
                lines,
            )
        };

        let mut case = Case {
            name,
            dir,
            sources,
            compile: BTreeMap::new(),
            archives: Vec::new(),
            inputs: None,
            ref_inputs: None,
            link: LinkMode::StaticMusl,
            args: Vec::new(),
            ref_args: Vec::new(),
            references: vec![Reference::Lld, Reference::Bfd],
            exit: None,
            stdout: None,
            errors: Vec::new(),
            compare_symbols: Vec::new(),
            compare_sections: Vec::new(),
            compare_segments: false,
            symbols_present: Vec::new(),
            symbols_absent: Vec::new(),
            sections_present: Vec::new(),
            sections_absent: Vec::new(),
            symbol_sizes: Vec::new(),
            max_file_size: None,
            output_files: Vec::new(),
        };

        for line in directive_lines {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim();
            let (base, file) = match key.split_once('[') {
                Some((base, rest)) => (base, Some(rest.trim_end_matches(']').to_string())),
                None => (key, None),
            };
            if !base.starts_with(|c: char| c.is_ascii_lowercase())
                || !base
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                continue; // prose in a comment
            }
            if !DIRECTIVES.contains(&base) {
                // Prose in a comment, unless it looks like a misspelt directive.
                if let Some(near) = DIRECTIVES.iter().find(|d| edit_distance(d, base) <= 2) {
                    return Err(format!(
                        "unknown directive `{key}:` (did you mean `{near}:`?)"
                    ));
                }
                continue;
            }
            if file.is_some() && base != "compile" {
                return Err(format!("only `compile` takes a [file]: `{key}:`"));
            }
            let value = value.strip_prefix(' ').unwrap_or(value).trim_end();
            match base {
                "compile" => {
                    case.compile.insert(file, words(value));
                }
                "archive" => {
                    let mut w = words(value);
                    if w.len() < 2 {
                        return Err("archive: NAME MEMBER...".into());
                    }
                    let archive = w.remove(0);
                    case.archives.push((archive, w));
                }
                "inputs" => case.inputs = Some(words(value)),
                "ref-inputs" => case.ref_inputs = Some(words(value)),
                "link" => {
                    case.link = match value.trim() {
                        "raw" => LinkMode::Raw,
                        "static-musl" => LinkMode::StaticMusl,
                        other => return Err(format!("unknown link mode `{other}`")),
                    }
                }
                "args" => case.args.extend(words(value)),
                "ref-args" => case.ref_args.extend(words(value)),
                "references" => {
                    case.references = words(value)
                        .iter()
                        .map(|w| match w.as_str() {
                            "lld" => Ok(Reference::Lld),
                            "bfd" => Ok(Reference::Bfd),
                            other => Err(format!("unknown reference `{other}`")),
                        })
                        .collect::<Result<_, _>>()?;
                }
                "exit" => {
                    case.exit = Some(
                        value
                            .trim()
                            .parse()
                            .map_err(|_| format!("bad exit code `{value}`"))?,
                    )
                }
                "stdout" => {
                    let out = case.stdout.get_or_insert_with(String::new);
                    out.push_str(value);
                    out.push('\n');
                }
                "error" => case.errors.push(value.trim().to_string()),
                "compare-symbols" => case.compare_symbols.extend(words(value)),
                "compare-sections" => case.compare_sections.extend(words(value)),
                "compare-segments" => match value.trim() {
                    "yes" => case.compare_segments = true,
                    other => return Err(format!("compare-segments: yes, got `{other}`")),
                },
                "symbols-present" => case.symbols_present.extend(words(value)),
                "symbols-absent" => case.symbols_absent.extend(words(value)),
                "sections-present" => case.sections_present.extend(words(value)),
                "sections-absent" => case.sections_absent.extend(words(value)),
                "symbol-size" => {
                    let w = words(value);
                    let size = w.get(1).and_then(|s| parse_number(s));
                    match (w.first(), size, w.len()) {
                        (Some(symbol), Some(size), 2) => {
                            case.symbol_sizes.push((symbol.clone(), size))
                        }
                        _ => return Err(format!("symbol-size: SYMBOL SIZE, got `{value}`")),
                    }
                }
                "max-file-size" => {
                    case.max_file_size = Some(
                        parse_number(value.trim())
                            .ok_or_else(|| format!("bad max-file-size `{value}`"))?,
                    )
                }
                "output-files" => case.output_files.extend(words(value)),
                _ => unreachable!(),
            }
        }
        if !case.errors.is_empty() && (case.exit.is_some() || case.stdout.is_some()) {
            return Err("an `error` case cannot also run".into());
        }
        if case.sources.is_empty() {
            return Err("no source files".into());
        }
        Ok(case)
    }

    fn expects_run(&self) -> bool {
        self.exit.is_some() || self.stdout.is_some()
    }
}

/// Levenshtein distance, to catch misspelt directives.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn parse_number(text: &str) -> Option<u64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return path.is_file().then_some(path);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Runs a command with a timeout, capturing its output.
fn run_command(program: &Path, args: &[String], cwd: &Path, timeout: Duration) -> ProcessResult {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return ProcessResult {
                status: None,
                stdout: Vec::new(),
                stderr: format!("cannot start {}: {e}", program.display()).into_bytes(),
                timed_out: false,
            }
        }
    };
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = out_pipe.read_to_end(&mut buffer);
        buffer
    });
    let err_reader = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = err_pipe.read_to_end(&mut buffer);
        buffer
    });
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    ProcessResult {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
        timed_out,
    }
}

fn show_command(program: &Path, args: &[String]) -> String {
    let mut text = program.display().to_string();
    for arg in args {
        text.push(' ');
        text.push_str(arg);
    }
    text
}

/// The last `limit` characters of a tool's output, for failure reports.
fn tail(text: &str, limit: usize) -> String {
    let text = text.trim_end();
    if text.len() <= limit {
        return text.to_string();
    }
    let mut start = text.len() - limit;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("...{}", &text[start..])
}

impl Environment {
    fn discover() -> Environment {
        let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let cases_dir = manifest_dir.join("../tests/link-cases");
        let cases_dir = cases_dir.canonicalize().unwrap_or(cases_dir);
        let work_root = std::env::temp_dir().join(format!("ukl-link-cases-{}", std::process::id()));

        let under_test = match std::env::var("UKL_LD") {
            Ok(command) if !command.trim().is_empty() => words(&command),
            _ => vec![env!("CARGO_BIN_EXE_ukl").to_string(), "ld".to_string()],
        };

        let sysroot = command_output("rustc", &["--print", "sysroot"]).map(PathBuf::from);
        let rust_sysroot_lib = sysroot
            .as_ref()
            .map(|s| s.join("lib/rustlib/x86_64-unknown-linux-gnu/lib"))
            .filter(|p| p.is_dir());
        let rust_lld = sysroot
            .as_ref()
            .map(|s| s.join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"))
            .filter(|p| p.is_file());
        let lld = match rust_lld {
            Some(path) => Some(vec![
                path.display().to_string(),
                "-flavor".into(),
                "gnu".into(),
            ]),
            None => which("ld.lld").map(|p| vec![p.display().to_string()]),
        };
        let bfd = which("ld.bfd")
            .or_else(|| which("ld"))
            .map(|p| vec![p.display().to_string()]);

        let musl_lib = std::env::var_os("UKL_MUSL_LIB")
            .map(PathBuf::from)
            .into_iter()
            .chain(
                [
                    "/usr/lib/musl/lib",
                    "/usr/lib/x86_64-linux-musl",
                    "/usr/local/musl/lib",
                    "/usr/lib/musl",
                ]
                .map(PathBuf::from),
            )
            .find(|dir| dir.join("crt1.o").is_file() && dir.join("libc.a").is_file());

        let gcc_lib = command_output("gcc", &["-print-libgcc-file-name"])
            .map(PathBuf::from)
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .filter(|p| p.is_dir());

        Environment {
            cases_dir,
            work_root,
            under_test,
            lld,
            bfd,
            musl_lib,
            rust_sysroot_lib,
            gcc_lib,
            keep_tmp: std::env::var_os("UKL_KEEP_TMP").is_some(),
        }
    }

    /// Replaces `{case}`, `{cases}`, `{tmp}`, `{out}`, `{musl-lib}`, `{gcc-lib}`, `{rust-lib}` and
    /// `{rlib:NAME}` in a directive word.
    fn substitute(
        &self,
        case: &Case,
        work: &Path,
        out: &Path,
        word: &str,
    ) -> Result<String, String> {
        let mut text = word
            .replace("{case}", &case.dir.display().to_string())
            .replace("{cases}", &self.cases_dir.display().to_string())
            .replace("{tmp}", &work.display().to_string())
            .replace("{out}", &out.display().to_string());
        for (key, value) in [
            ("{musl-lib}", &self.musl_lib),
            ("{gcc-lib}", &self.gcc_lib),
            ("{rust-lib}", &self.rust_sysroot_lib),
        ] {
            if text.contains(key) {
                let value = value
                    .as_ref()
                    .ok_or_else(|| format!("SKIP: {key} not found on this machine"))?;
                text = text.replace(key, &value.display().to_string());
            }
        }
        while let Some(start) = text.find("{rlib:") {
            let end = start
                + text[start..]
                    .find('}')
                    .ok_or_else(|| format!("unclosed {{rlib: in `{word}`"))?;
            let crate_name = &text[start + 6..end];
            let lib = self
                .rust_sysroot_lib
                .as_ref()
                .ok_or("SKIP: no rustc sysroot")?;
            let prefix = format!("lib{crate_name}-");
            let mut found: Vec<PathBuf> = std::fs::read_dir(lib)
                .map_err(|e| e.to_string())?
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    let file = p.file_name().unwrap().to_string_lossy();
                    file.starts_with(&prefix) && file.ends_with(".rlib")
                })
                .collect();
            found.sort();
            let rlib = found
                .first()
                .ok_or_else(|| format!("SKIP: no lib{crate_name}-*.rlib in the sysroot"))?;
            text.replace_range(start..=end, &rlib.display().to_string());
        }
        Ok(text)
    }

    fn run_case(&self, case: &Case) -> Outcome {
        let work = self.work_root.join(&case.name);
        let _ = std::fs::remove_dir_all(&work);
        if let Err(e) = std::fs::create_dir_all(&work) {
            return Outcome::Fail(format!("create {}: {e}", work.display()));
        }
        let outcome = match self.run_case_in(case, &work) {
            Ok(()) => Outcome::Pass,
            Err(message) => match message.strip_prefix("SKIP: ") {
                Some(why) => Outcome::Skip(why.to_string()),
                None => Outcome::Fail(message),
            },
        };
        if matches!(outcome, Outcome::Pass | Outcome::Skip(_)) && !self.keep_tmp {
            let _ = std::fs::remove_dir_all(&work);
        }
        outcome
    }

    fn run_case_in(&self, case: &Case, work: &Path) -> Result<(), String> {
        // Compile every source into WORK/<stem>.o.
        let mut objects = Vec::new();
        for source in &case.sources {
            let file_name = source.file_name().unwrap().to_string_lossy().into_owned();
            let extension = source.extension().unwrap().to_string_lossy().into_owned();
            let object_name = format!("{}.o", source.file_stem().unwrap().to_string_lossy());
            let object = work.join(&object_name);
            let command = case
                .compile
                .get(&Some(file_name.clone()))
                .or_else(|| case.compile.get(&None))
                .cloned()
                .unwrap_or_else(|| match extension.as_str() {
                    "rs" => words("rustc --edition=2021 --emit=obj -C panic=abort -O"),
                    "s" | "S" => words("musl-gcc -Wa,-I{cases}/_common -I{cases}/_common"),
                    "cc" => words("g++ -O2 -fno-exceptions -fno-rtti -I{cases}/_common"),
                    _ => words("musl-gcc -O2 -I{cases}/_common"),
                });
            let mut command = command
                .iter()
                .map(|w| self.substitute(case, work, &object, w))
                .collect::<Result<Vec<_>, _>>()?;
            let program_name = command.remove(0);
            let program = which(&program_name)
                .ok_or_else(|| format!("SKIP: compiler `{program_name}` not found"))?;
            let mut args = command;
            if !program_name.ends_with("rustc") {
                args.push("-c".into());
            }
            args.push(source.display().to_string());
            args.push("-o".into());
            args.push(object.display().to_string());
            let result = run_command(&program, &args, work, TOOL_TIMEOUT);
            if !result.success() {
                return Err(format!(
                    "compiling {file_name} failed ({}):\n$ {}\n{}",
                    result.describe_status(),
                    show_command(&program, &args),
                    tail(&result.text(), 3000)
                ));
            }
            objects.push(object_name);
        }

        // Archives.
        let mut archived = Vec::new();
        for (archive, members) in &case.archives {
            let ar = which("ar").ok_or("SKIP: `ar` not found")?;
            let mut args = vec!["rcsD".to_string(), archive.clone()];
            args.extend(members.iter().cloned());
            let _ = std::fs::remove_file(work.join(archive));
            let result = run_command(&ar, &args, work, TOOL_TIMEOUT);
            if !result.success() {
                return Err(format!(
                    "ar failed: $ {}\n{}",
                    show_command(&ar, &args),
                    result.text()
                ));
            }
            archived.extend(members.iter().cloned());
        }

        let default_inputs: Vec<String> = objects
            .iter()
            .filter(|o| !archived.contains(o))
            .cloned()
            .chain(case.archives.iter().map(|(a, _)| a.clone()))
            .collect();

        // Link with the linker under test and every reference.
        let mut linkers: Vec<(&str, Vec<String>, bool)> =
            vec![("ukl", self.under_test.clone(), false)];
        for reference in &case.references {
            let command = match reference {
                Reference::Lld => &self.lld,
                Reference::Bfd => &self.bfd,
            };
            let command = command
                .clone()
                .ok_or_else(|| format!("SKIP: reference {} not found", reference.name()))?;
            linkers.push((reference.name(), command, true));
        }

        let mut outputs: Vec<(&str, PathBuf)> = Vec::new();
        let mut failures = Vec::new();
        for (label, command, is_reference) in &linkers {
            let out = work.join(format!("out.{label}"));
            let inputs = match (is_reference, &case.ref_inputs, &case.inputs) {
                (true, Some(inputs), _) | (_, _, Some(inputs)) => inputs.clone(),
                _ => default_inputs.clone(),
            };
            let mut args: Vec<String> = command[1..].to_vec();
            if case.link == LinkMode::StaticMusl {
                args.push("-static".into());
            }
            args.push("-o".into());
            args.push(out.display().to_string());
            let mut extra = case.args.clone();
            if *is_reference {
                extra.extend(case.ref_args.iter().cloned());
            }
            for word in &extra {
                args.push(self.substitute(case, work, &out, word)?);
            }
            let musl = |file: &str| -> Result<String, String> {
                let dir = self
                    .musl_lib
                    .as_ref()
                    .ok_or("SKIP: musl's crt1.o/libc.a not found (set UKL_MUSL_LIB)")?;
                Ok(dir.join(file).display().to_string())
            };
            if case.link == LinkMode::StaticMusl {
                args.push(musl("crt1.o")?);
                args.push(musl("crti.o")?);
            }
            for word in &inputs {
                let word = self.substitute(case, work, &out, word)?;
                if !word.starts_with('-') && !word.contains('/') && work.join(&word).exists() {
                    args.push(work.join(&word).display().to_string());
                } else {
                    args.push(word);
                }
            }
            if case.link == LinkMode::StaticMusl {
                args.push(musl("libc.a")?);
                args.push(musl("crtn.o")?);
            }
            let program = PathBuf::from(&command[0]);
            let result = run_command(&program, &args, work, TOOL_TIMEOUT);
            let shown = show_command(&program, &args);
            let output_text = result.text();
            let panicked = result.status.and_then(|s| s.code()) == Some(101)
                || output_text.contains("panicked");
            if panicked {
                failures.push(format!(
                    "{label} panicked ({}):\n$ {shown}\n{}",
                    result.describe_status(),
                    tail(&output_text, 3000)
                ));
                continue;
            }
            if !case.errors.is_empty() {
                if result.success() {
                    failures.push(format!(
                        "{label} succeeded but the link must fail with {:?}\n$ {shown}",
                        case.errors
                    ));
                } else if result.timed_out || result.status.and_then(|s| s.code()).is_none() {
                    failures.push(format!(
                        "{label} did not exit cleanly ({}):\n$ {shown}\n{}",
                        result.describe_status(),
                        tail(&output_text, 3000)
                    ));
                } else if !is_reference {
                    let missing: Vec<&String> = case
                        .errors
                        .iter()
                        .filter(|e| !output_text.contains(e.as_str()))
                        .collect();
                    if !missing.is_empty() {
                        failures.push(format!(
                            "{label} failed as expected, but its message lacks {missing:?}:\n$ {shown}\n{}",
                            tail(&output_text, 3000)
                        ));
                    }
                }
                continue;
            }
            if !result.success() {
                failures.push(format!(
                    "{label} failed ({}):\n$ {shown}\n{}",
                    result.describe_status(),
                    tail(&output_text, 3000)
                ));
                continue;
            }
            outputs.push((label, out));
        }
        if !case.errors.is_empty() {
            return if failures.is_empty() {
                Ok(())
            } else {
                Err(failures.join("\n\n"))
            };
        }
        // A failed link does not stop the checks of the other linkers' outputs.

        // Static checks on every output.
        for (label, out) in &outputs {
            if let Err(e) = self.check_output(case, label, out) {
                failures.push(e);
            }
        }
        // Layout-fixed comparisons of ukl (and the other references) against ld.lld.
        if let Some((_, lld_out)) = outputs.iter().find(|(l, _)| *l == "ld.lld") {
            for (label, out) in outputs.iter().filter(|(l, _)| *l != "ld.lld") {
                if let Err(e) = compare_outputs(case, label, out, lld_out) {
                    failures.push(e);
                }
            }
        } else if !case.compare_symbols.is_empty()
            || !case.compare_sections.is_empty()
            || case.compare_segments
        {
            failures.push("compare-* needs the ld.lld reference".into());
        }

        // Run every output, references first.
        if case.expects_run() {
            let mut runs = Vec::new();
            for (label, out) in outputs.iter().rev() {
                let result = run_command(out, &[], work, RUN_TIMEOUT);
                runs.push((*label, result));
            }
            let mut ukl_met_expectations = true;
            for (label, result) in &runs {
                let code = result.status.and_then(|s| s.code());
                let stdout = String::from_utf8_lossy(&result.stdout);
                let mut problems = Vec::new();
                match (code, case.exit) {
                    (Some(code), Some(expected)) if !result.timed_out && code != expected => {
                        problems.push(format!("exit code {code} but expected {expected}"));
                    }
                    (Some(_), _) if !result.timed_out => {}
                    _ => problems.push(format!(
                        "did not exit normally: {}",
                        result.describe_status()
                    )),
                }
                if let Some(expected) = &case.stdout {
                    if stdout != *expected {
                        problems.push(format!(
                            "stdout differs from the expectation (- expected, + actual):\n{}",
                            line_diff(expected, &stdout)
                        ));
                    }
                }
                if !problems.is_empty() {
                    ukl_met_expectations &= *label != "ukl";
                    failures.push(format!(
                        "running {label}'s output ({}): {}\nstderr: {}",
                        result.describe_status(),
                        problems.join("\n"),
                        tail(&String::from_utf8_lossy(&result.stderr), 2000)
                    ));
                }
            }
            // Where the expectation does not pin everything down, ukl must still behave as
            // every reference does.
            if let Some((_, ukl)) = runs.iter().find(|(l, _)| *l == "ukl") {
                for (label, result) in runs.iter().filter(|(l, _)| *l != "ukl") {
                    if !ukl_met_expectations {
                        break;
                    }
                    if ukl.status.and_then(|s| s.code()) != result.status.and_then(|s| s.code()) {
                        failures.push(format!(
                            "ukl's program: {} but {label}'s: {}",
                            ukl.describe_status(),
                            result.describe_status()
                        ));
                    }
                    if ukl.stdout != result.stdout {
                        failures.push(format!(
                            "ukl's program's stdout differs from {label}'s (- {label}, + ukl):\n{}",
                            line_diff(
                                &String::from_utf8_lossy(&result.stdout),
                                &String::from_utf8_lossy(&ukl.stdout)
                            )
                        ));
                    }
                }
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures.join("\n\n"))
        }
    }

    fn check_output(&self, case: &Case, label: &str, out: &Path) -> Result<(), String> {
        let data = std::fs::read(out).map_err(|e| format!("{label}: read output: {e}"))?;
        let file = object::File::parse(&*data)
            .map_err(|e| format!("{label}: output is not a valid object: {e}"))?;
        let mut problems = Vec::new();
        if file.kind() != object::ObjectKind::Executable {
            problems.push(format!("output kind is {:?}, not Executable", file.kind()));
        }
        let defined = |name: &str| {
            file.symbols()
                .find(|s| s.name() == Ok(name) && !s.is_undefined())
        };
        for name in &case.symbols_present {
            if defined(name).is_none() {
                problems.push(format!("symbol `{name}` must be present but is not"));
            }
        }
        for name in &case.symbols_absent {
            if defined(name).is_some() {
                problems.push(format!("symbol `{name}` must be absent but is present"));
            }
        }
        for name in &case.sections_present {
            if file.section_by_name(name).is_none() {
                problems.push(format!("section `{name}` must be present but is not"));
            }
        }
        for name in &case.sections_absent {
            if file.section_by_name(name).is_some() {
                problems.push(format!("section `{name}` must be absent but is present"));
            }
        }
        for (name, size) in &case.symbol_sizes {
            match defined(name) {
                Some(symbol) if symbol.size() == *size => {}
                Some(symbol) => problems.push(format!(
                    "symbol `{name}` has size {} but must have {size}",
                    symbol.size()
                )),
                None => problems.push(format!("symbol `{name}` is missing (size check)")),
            }
        }
        if let Some(limit) = case.max_file_size {
            if data.len() as u64 > limit {
                problems.push(format!(
                    "output is {} bytes, more than the limit {limit}",
                    data.len()
                ));
            }
        }
        for file_name in &case.output_files {
            let path = self.substitute(case, out.parent().unwrap(), out, file_name)?;
            match std::fs::metadata(&path) {
                Ok(meta) if meta.len() > 0 => {}
                _ => problems.push(format!("file `{path}` must exist and be non-empty")),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{label}'s output {}:\n  {}",
                out.display(),
                problems.join("\n  ")
            ))
        }
    }
}

fn compare_outputs(case: &Case, label: &str, out: &Path, lld_out: &Path) -> Result<(), String> {
    let ours_data = std::fs::read(out).map_err(|e| e.to_string())?;
    let theirs_data = std::fs::read(lld_out).map_err(|e| e.to_string())?;
    let ours = object::File::parse(&*ours_data).map_err(|e| format!("{label}: {e}"))?;
    let theirs = object::File::parse(&*theirs_data).map_err(|e| format!("ld.lld: {e}"))?;
    let mut problems = Vec::new();
    let address = |file: &object::File, name: &str| {
        file.symbols()
            .find(|s| s.name() == Ok(name) && !s.is_undefined())
            .map(|s| s.address())
    };
    for name in &case.compare_symbols {
        let (a, b) = (address(&ours, name), address(&theirs, name));
        if a != b || a.is_none() {
            problems.push(format!(
                "symbol `{name}`: {label} {} vs ld.lld {}",
                a.map_or("missing".into(), |a| format!("{a:#x}")),
                b.map_or("missing".into(), |b| format!("{b:#x}"))
            ));
        }
    }
    for name in &case.compare_sections {
        let (a, b) = (ours.section_by_name(name), theirs.section_by_name(name));
        let (present_a, present_b) = (a.is_some(), b.is_some());
        let (Some(a), Some(b)) = (a, b) else {
            problems.push(format!(
                "section `{name}`: present in {label}: {present_a}, in ld.lld: {present_b}"
            ));
            continue;
        };
        if a.address() != b.address() || a.size() != b.size() {
            problems.push(format!(
                "section `{name}`: {label} at {:#x} size {:#x}, ld.lld at {:#x} size {:#x}",
                a.address(),
                a.size(),
                b.address(),
                b.size()
            ));
            continue;
        }
        let (da, db) = (a.data().unwrap_or(&[]), b.data().unwrap_or(&[]));
        if da != db {
            let offset = da.iter().zip(db).position(|(x, y)| x != y).unwrap_or(0);
            let start = offset & !15;
            let dump = |d: &[u8]| {
                d[start.min(d.len())..(start + 32).min(d.len())]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            problems.push(format!(
                "section `{name}` contents differ at offset {offset:#x} (address {:#x}):\n    {label:>7}: {}\n     ld.lld: {}",
                a.address() + offset as u64,
                dump(da),
                dump(db)
            ));
        }
    }
    if case.compare_segments {
        let (a, b) = (segments(&ours_data), segments(&theirs_data));
        if a != b {
            problems.push(format!(
                "program headers differ (type flags vaddr paddr memsz):\n{}",
                line_diff(&b.join("\n"), &a.join("\n"))
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{label}'s output differs from ld.lld's:\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// The program headers of an ELF file, one line each: type, flags, addresses and memory size
/// (file offsets, file sizes and alignments may legitimately differ between linkers).
fn segments(data: &[u8]) -> Vec<String> {
    use object::read::elf::{ElfFile64, ProgramHeader};
    let Ok(file) = ElfFile64::<object::Endianness>::parse(data) else {
        return vec!["(not an ELF64 file)".into()];
    };
    let endian = file.endian();
    file.elf_program_headers()
        .iter()
        .map(|header| {
            format!(
                "{:#x} {:#x} {:#x} {:#x} {:#x}",
                header.p_type(endian),
                header.p_flags(endian),
                header.p_vaddr(endian),
                header.p_paddr(endian),
                header.p_memsz(endian)
            )
        })
        .collect()
}

/// A small line diff: every line with `-` (expected) / `+` (actual) where they differ.
fn line_diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let mut text = String::new();
    for i in 0..expected.len().max(actual.len()) {
        match (expected.get(i), actual.get(i)) {
            (Some(e), Some(a)) if e == a => {
                let _ = writeln!(text, "      {e}");
            }
            (e, a) => {
                if let Some(e) = e {
                    let _ = writeln!(text, "    - {e}");
                }
                if let Some(a) = a {
                    let _ = writeln!(text, "    + {a}");
                }
            }
        }
    }
    text
}
