//! Compilation of the pool: one `cargo build --release` of `pool-src/` with the pool's flags plus
//! path remapping, so that two checkouts in different folders produce identical objects, and the
//! artifacts of each library read from cargo's JSON messages.
//!
//! Flags: `build.rustflags` of `pool-src/.cargo/config.toml` plus `--remap-path-prefix` for
//! CARGO_HOME (`/cargo`), the rustc sysroot (`/rustc`), pool-src (`/pool-src`) and the target
//! folder (`/target`), passed in `CARGO_ENCODED_RUSTFLAGS`, which replaces the config's
//! rustflags entirely. C code built by the `cc` crate gets `-ffile-prefix-map` in `CFLAGS`.
//! rustc and gcc both let the last matching prefix win, so the most specific comes last.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{PoolError, Toolchain};

/// The target every pool crate is compiled for (see docs/pool-abi.md).
const DEFAULT_TARGET: &str = "x86_64-unknown-linux-gnu";

/// What cargo built for one pool library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CrateArtifacts {
    pub name: String,
    pub version: String,
    pub manifest_dir: PathBuf,
    /// The library's rlib, or its staticlib for a `staticlib` crate.
    pub library: PathBuf,
    /// rlibs of the third-party crates it depends on (transitively), whose objects go into the
    /// library's archive. Empty for a staticlib, which contains its dependencies already.
    pub dependencies: Vec<PathBuf>,
}

/// The versions of rustc and gcc, for the metadata.
pub(crate) fn toolchain() -> Result<Toolchain, PoolError> {
    let verbose = run(Command::new(rustc()).arg("-vV"))?;
    let field = |key: &str| {
        verbose
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .map(|value| value.trim().to_string())
            .ok_or_else(|| PoolError::Tool {
                command: "rustc -vV".to_string(),
                detail: format!("no `{key}` line in its output"),
            })
    };
    let gcc = match Command::new("gcc").arg("-dumpfullversion").output() {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).trim().to_string()
        }
        _ => "none".to_string(),
    };
    Ok(Toolchain {
        rustc: field("release:")?,
        rustc_commit: field("commit-hash:")?,
        gcc,
    })
}

/// Builds the pool and returns the artifacts of every workspace member, sorted by name.
pub(crate) fn compile_pool(
    pool_src: &Path,
    target_dir: Option<&Path>,
) -> Result<Vec<CrateArtifacts>, PoolError> {
    let pool_src = pool_src
        .canonicalize()
        .map_err(|e| PoolError::io(pool_src, "find the pool in", e))?;
    let target_dir = target_dir.map_or_else(|| pool_src.join("target"), Path::to_path_buf);
    std::fs::create_dir_all(&target_dir).map_err(|e| PoolError::io(&target_dir, "create", e))?;
    let target_dir = target_dir
        .canonicalize()
        .map_err(|e| PoolError::io(&target_dir, "find", e))?;
    let (config_flags, target) = read_config(&pool_src)?;

    let sysroot = run(Command::new(rustc()).args(["--print", "sysroot"]))?
        .trim()
        .to_string();
    let mut flags = config_flags;
    let mut remaps: Vec<(PathBuf, &str)> = Vec::new();
    if let Some(cargo_home) = cargo_home() {
        remaps.push((cargo_home, "/cargo"));
    }
    remaps.push((PathBuf::from(sysroot), "/rustc"));
    remaps.push((pool_src.clone(), "/pool-src"));
    remaps.push((target_dir.clone(), "/target"));
    let mut c_flags = Vec::new();
    for (from, to) in &remaps {
        flags.push(format!("--remap-path-prefix={}={to}", from.display()));
        c_flags.push(format!("-ffile-prefix-map={}={to}", from.display()));
    }

    let manifest = pool_src.join("Cargo.toml");
    let locked = pool_src.join("Cargo.lock").is_file();
    let mut metadata_command = cargo_command(&pool_src);
    metadata_command.args([
        "metadata",
        "--format-version",
        "1",
        "--filter-platform",
        &target,
    ]);
    metadata_command.arg("--manifest-path").arg(&manifest);
    if locked {
        metadata_command.arg("--locked");
    }
    let metadata: Value =
        serde_json::from_str(&run(&mut metadata_command)?).map_err(|e| PoolError::Tool {
            command: "cargo metadata".to_string(),
            detail: e.to_string(),
        })?;

    let mut build = cargo_command(&pool_src);
    build.args([
        "build",
        "--release",
        "--workspace",
        "--message-format=json",
        "--target",
        &target,
    ]);
    build
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir);
    if locked {
        build.arg("--locked");
    }
    build
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\u{1f}"))
        .env("CARGO_INCREMENTAL", "0")
        .env("CFLAGS", c_flags.join(" "))
        .env("SOURCE_DATE_EPOCH", "0");
    let output = build.output().map_err(|e| PoolError::Tool {
        command: "cargo build".to_string(),
        detail: e.to_string(),
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut errors = Vec::new();
    // package id -> rlib/staticlib files built for the target.
    let mut artifacts: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let target_output = target_dir.join(&target);
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-message") if message["message"]["level"] == "error" => {
                if let Some(rendered) = message["message"]["rendered"].as_str() {
                    errors.push(rendered.to_string());
                }
            }
            Some("compiler-artifact") => {
                let Some(id) = message["package_id"].as_str() else {
                    continue;
                };
                let files = message["filenames"].as_array().into_iter().flatten();
                for file in files.filter_map(Value::as_str).map(PathBuf::from) {
                    let is_library = matches!(
                        file.extension().and_then(|e| e.to_str()),
                        Some("rlib") | Some("a")
                    );
                    if is_library && file.starts_with(&target_output) {
                        artifacts.entry(id.to_string()).or_default().push(file);
                    }
                }
            }
            _ => {}
        }
    }
    if !output.status.success() {
        if errors.is_empty() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
            errors.push(tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
        return Err(PoolError::Compile { errors });
    }
    crates_from(&metadata, &artifacts)
}

/// Pairs every pool library (workspace member in `libs/`) with its artifact and the rlibs of the
/// crates it bundles (third-party and `support/` crates).
fn crates_from(
    metadata: &Value,
    artifacts: &BTreeMap<String, Vec<PathBuf>>,
) -> Result<Vec<CrateArtifacts>, PoolError> {
    let bad = |detail: &str| PoolError::Tool {
        command: "cargo metadata".to_string(),
        detail: detail.to_string(),
    };
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .ok_or_else(|| bad("no workspace_members"))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let packages: BTreeMap<&str, &Value> = metadata["packages"]
        .as_array()
        .ok_or_else(|| bad("no packages"))?
        .iter()
        .filter_map(|package| Some((package["id"].as_str()?, package)))
        .collect();
    // Normal (not build or dev) dependencies of each package.
    let mut dependencies: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in metadata["resolve"]["nodes"]
        .as_array()
        .ok_or_else(|| bad("no resolve"))?
    {
        let Some(id) = node["id"].as_str() else {
            continue;
        };
        let normal = node["deps"].as_array().into_iter().flatten().filter(|dep| {
            dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|kind| kind["kind"].is_null())
        });
        dependencies.insert(id, normal.filter_map(|dep| dep["pkg"].as_str()).collect());
    }
    let is_proc_macro = |id: &str| {
        packages.get(id).is_some_and(|package| {
            package["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|target| {
                    target["kind"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|kind| kind == "proc-macro")
                })
        })
    };

    // Pool libraries are the members in `libs/`; other members (`support/`) are crates the
    // libraries share, bundled privately into each library that uses them, like third-party
    // crates.
    let in_libs = |id: &str| {
        packages.get(id).is_some_and(|package| {
            package["manifest_path"].as_str().is_some_and(|path| {
                Path::new(path)
                    .parent()
                    .and_then(Path::parent)
                    .and_then(Path::file_name)
                    .is_some_and(|dir| dir == "libs")
            })
        })
    };
    let libraries: BTreeSet<&str> = members.iter().copied().filter(|id| in_libs(id)).collect();
    let mut crates = Vec::new();
    for &member in &libraries {
        let package = packages
            .get(member)
            .ok_or_else(|| bad("member without package"))?;
        let name = package["name"].as_str().unwrap_or_default().to_string();
        let version = package["version"].as_str().unwrap_or_default().to_string();
        let manifest_dir = package["manifest_path"]
            .as_str()
            .map(|path| {
                Path::new(path)
                    .parent()
                    .unwrap_or(Path::new(""))
                    .to_path_buf()
            })
            .unwrap_or_default();
        let files = artifacts.get(member).map(Vec::as_slice).unwrap_or_default();
        let staticlib = files
            .iter()
            .find(|file| file.extension().is_some_and(|e| e == "a"));
        let rlib = files
            .iter()
            .find(|file| file.extension().is_some_and(|e| e == "rlib"));
        let library = match (staticlib, rlib) {
            (Some(file), _) | (None, Some(file)) => file.clone(),
            (None, None) => {
                return Err(PoolError::Library {
                    library: name,
                    message: "cargo built no rlib or staticlib for it; set crate-type to \
                              [\"rlib\"] (or [\"staticlib\"] for the runtime) in its Cargo.toml"
                        .to_string(),
                })
            }
        };
        let mut bundled = BTreeSet::new();
        if staticlib.is_none() {
            // Every third-party crate reachable through normal dependencies, also through other
            // pool crates: their code may be inlined here and refer to the dependency directly.
            let mut stack = vec![member];
            let mut seen = BTreeSet::from([member]);
            while let Some(id) = stack.pop() {
                for &dependency in dependencies.get(id).map(Vec::as_slice).unwrap_or_default() {
                    if is_proc_macro(dependency) || !seen.insert(dependency) {
                        continue;
                    }
                    stack.push(dependency);
                    if !libraries.contains(dependency) {
                        let rlibs = artifacts.get(dependency).into_iter().flatten();
                        bundled.extend(
                            rlibs.filter(|file| file.extension().is_some_and(|e| e == "rlib")),
                        );
                    }
                }
            }
        }
        crates.push(CrateArtifacts {
            name,
            version,
            manifest_dir,
            library,
            dependencies: bundled.into_iter().cloned().collect(),
        });
    }
    crates.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(crates)
}

/// `build.rustflags` and `build.target` of `pool-src/.cargo/config.toml`.
fn read_config(pool_src: &Path) -> Result<(Vec<String>, String), PoolError> {
    let path = pool_src.join(".cargo").join("config.toml");
    if !path.is_file() {
        return Ok((Vec::new(), DEFAULT_TARGET.to_string()));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| PoolError::io(&path, "read", e))?;
    let invalid = |message: String| PoolError::Tool {
        command: format!("read {}", path.display()),
        detail: message,
    };
    let config: toml::Table = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    let build = config.get("build").and_then(toml::Value::as_table);
    let flags = match build.and_then(|build| build.get("rustflags")) {
        None => Vec::new(),
        Some(toml::Value::String(flags)) => flags.split_whitespace().map(str::to_string).collect(),
        Some(toml::Value::Array(flags)) => flags
            .iter()
            .filter_map(toml::Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(_) => {
            return Err(invalid(
                "build.rustflags must be a string or a list of strings".to_string(),
            ))
        }
    };
    let target = build
        .and_then(|build| build.get("target"))
        .and_then(toml::Value::as_str)
        .unwrap_or(DEFAULT_TARGET)
        .to_string();
    Ok((flags, target))
}

/// A cargo command for the pool, free of the environment that would change what it builds.
fn cargo_command(pool_src: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command.current_dir(pool_src);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let changes_build = key.starts_with("CARGO_BUILD_")
            || key.starts_with("CARGO_PROFILE_")
            || key.starts_with("CARGO_TARGET_")
            || key.starts_with("CARGO_ENCODED_RUSTFLAGS")
            || key.starts_with("CFLAGS")
            || key.starts_with("TARGET_CFLAGS")
            || key == "RUSTFLAGS"
            || key == "RUSTDOCFLAGS";
        if changes_build {
            command.env_remove(key.as_ref());
        }
    }
    command
}

fn rustc() -> OsString {
    std::env::var_os("RUSTC").unwrap_or_else(|| OsString::from("rustc"))
}

fn cargo_home() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    home.canonicalize().ok()
}

/// Runs a command and returns its standard output.
fn run(command: &mut Command) -> Result<String, PoolError> {
    let described = format!("{command:?}");
    let output = command.output().map_err(|e| PoolError::Tool {
        command: described.clone(),
        detail: e.to_string(),
    })?;
    if !output.status.success() {
        return Err(PoolError::Tool {
            command: described,
            detail: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
