//! `ukl link`: an application object plus prebuilt libraries become a bootable image for a
//! platform. Selection ([`crate::select`]) decides the libraries; the linker core links each
//! selected library whole and then collects unreferenced sections.

use crate::error::Result;
use crate::link::{self, Input, LinkOptions};
use crate::link_error;
use crate::platform::{self, Platform};
use crate::select::{self, Pool, Selected};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct UnikernelOptions {
    pub home: PathBuf,
    pub objects: Vec<PathBuf>,
    pub platform: String,
    pub output: PathBuf,
    pub libraries: Vec<String>,
    pub map: Option<PathBuf>,
    pub strip: bool,
    pub gc: bool,
}

#[derive(Debug, Clone)]
pub struct UnikernelReport {
    pub output: PathBuf,
    pub platform: String,
    pub size: u64,
    pub libraries: Vec<Selected>,
    pub elapsed_ms: f64,
}

/// The symbols a link script defines, and those the linker provides itself (they never pull
/// libraries in).
pub fn script_symbols(script: &crate::script::ast::Script) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = link::LINKER_SYMBOLS.iter().map(|s| s.to_string()).collect();
    let mut add = |a: &crate::script::ast::Assignment| {
        if a.target != "." {
            names.insert(a.target.clone());
        }
    };
    for command in &script.commands {
        match command {
            crate::script::ast::Command::Assignment(a) => add(a),
            crate::script::ast::Command::Sections(items) => {
                for item in items {
                    match item {
                        crate::script::ast::SectionsCommand::Assignment(a) => add(a),
                        crate::script::ast::SectionsCommand::Output(os) => {
                            for i in &os.items {
                                if let crate::script::ast::OutputItem::Assignment(a) = i {
                                    add(a);
                                }
                            }
                        }
                        crate::script::ast::SectionsCommand::Assert(_) => {}
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// Checks that Rust application objects were built by the toolchain the pool was built with.
fn check_toolchain(pool: &Pool, app: &select::AppSymbols, objects: &[PathBuf]) -> Result<()> {
    let pool_rustc = &pool.index.toolchain.rustc;
    // The index records the bare version ("1.95.0"); objects record "rustc version 1.95.0 (...)".
    let pool_version = rustc_version(pool_rustc).unwrap_or_else(|| pool_rustc.trim().to_string());
    if pool_version.is_empty() {
        return Ok(());
    }
    for comment in &app.comments {
        if let Some(app_version) = rustc_version(comment) {
            if app_version != pool_version {
                return Err(link_error!(
                    "toolchain mismatch: the application was compiled by rustc {app_version}, the pool by rustc {pool_version}"
                )
                .note(format!("application: {}", objects.iter().map(|o| o.display().to_string()).collect::<Vec<_>>().join(" ")))
                .note(format!("pool: {pool_rustc}"))
                .help(format!("compile the application with rustc {pool_version}, or rebuild the pool with `ukl pool build`")));
            }
        }
    }
    Ok(())
}

/// "1.95.0" from "rustc version 1.95.0 (59807616e 2026-04-14)" or "rustc 1.95.0 (...)".
fn rustc_version(text: &str) -> Option<String> {
    let rest = text.split("rustc").nth(1)?;
    let rest = rest
        .trim_start()
        .strip_prefix("version")
        .unwrap_or(rest)
        .trim_start();
    let version: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-' || c.is_ascii_alphabetic())
        .collect();
    (!version.is_empty()).then_some(version)
}

pub fn link_image(options: &UnikernelOptions) -> Result<UnikernelReport> {
    let start = Instant::now();
    let platform: Platform = platform::load(&options.home, &options.platform)?;
    let pool = Pool::load(&options.home, &platform.arch)?;
    let app = select::read_app(&options.objects)?;
    check_toolchain(&pool, &app, &options.objects)?;
    let script_path = platform
        .linkscript_path(&options.home)
        .ok_or_else(|| link_error!("platform `{}` names no link script", platform.name))?;
    let script_text = std::fs::read_to_string(&script_path)
        .map_err(|e| link_error!("cannot read link script `{}`: {e}", script_path.display()))?;
    let script = link::parse_script(&script_path.display().to_string(), &script_text)?;
    let selection = select::select(
        &pool,
        &platform,
        &options.libraries,
        &app,
        &script_symbols(&script),
    )?;
    for library in &selection.libraries {
        pool.verify(&library.name)?;
    }
    let mut inputs: Vec<Input> = options
        .objects
        .iter()
        .map(|p| Input {
            path: p.clone(),
            whole_archive: false,
        })
        .collect();
    inputs.extend(selection.libraries.iter().map(|l| Input {
        path: l.archive.clone(),
        whole_archive: true,
    }));
    let link_options = LinkOptions {
        inputs,
        output: options.output.clone(),
        script: Some((script_path.display().to_string(), script_text)),
        entry: platform.entry.clone(),
        gc_sections: options.gc,
        strip_all: options.strip,
        strip_debug: !platform.keep_debug,
        // The pool's archives carry only the sysroot's debug sections (megabytes of them).
        strip_archive_debug: true,
        map: options.map.clone(),
        ..LinkOptions::default()
    };
    let report = link::link(&link_options)?;
    if let Some(companion) = &platform.companion {
        companion.write(&report.output, platform.memory_mb, "")?;
    }
    Ok(UnikernelReport {
        output: report.output,
        platform: platform.name,
        size: report.size,
        libraries: selection.libraries,
        elapsed_ms: start.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The default image name: `<object stem>.<platform>` in the current directory.
pub fn default_output(objects: &[PathBuf], platform: &str) -> PathBuf {
    let stem = objects
        .first()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".into());
    PathBuf::from(format!("{stem}.{platform}"))
}

/// Is this file a relocatable object (to link) rather than an image (to run)?
pub fn is_object(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    matches!(
        crate::input::classify(&bytes),
        Ok(crate::input::InputKind::Object | crate::input::InputKind::Archive)
    )
}
