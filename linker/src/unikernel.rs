//! `ukl link`: an application object plus prebuilt libraries become a bootable image for a
//! platform. Selection ([`crate::select`]) decides the libraries; the linker core links each
//! selected library whole and then collects unreferenced sections.

use crate::error::{LinkError, Result};
use crate::link::{self, Input, LinkOptions};
use crate::link_error;
use crate::manifest::Manifest;
use crate::options::{self, ResolvedOption, Setting};
use crate::platform::{self, Platform};
use crate::select::{self, AppSymbols, Pool, Request, Selected, Selection};
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
    /// The application's manifest (uk.toml); command-line values override it.
    pub manifest: Option<Manifest>,
    /// `--opt LIBRARY.NAME=VALUE` settings (they override the manifest's).
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone)]
pub struct UnikernelReport {
    pub output: PathBuf,
    pub platform: String,
    pub size: u64,
    pub libraries: Vec<Selected>,
    pub options: Vec<ResolvedOption>,
    pub elapsed_ms: f64,
}

impl UnikernelReport {
    /// The result for `--message-format json`: platform, output, size, time, each library with
    /// why it is in, each option with its value and where it came from.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "platform": self.platform,
            "output": self.output,
            "size": self.size,
            "elapsed_ms": self.elapsed_ms,
            "libraries": self.libraries.iter().map(|l| serde_json::json!({
                "name": l.name,
                "why": l.why,
                "reason": l.why.to_string(),
            })).collect::<Vec<_>>(),
            "options": self.options.iter().map(|o| serde_json::json!({
                "option": o.spec.key(),
                "symbol": o.spec.symbol(),
                "value": o.value,
                "source": o.source,
            })).collect::<Vec<_>>(),
        })
    }
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

/// Everything decided before the linker core runs.
pub struct Plan {
    pub platform: Platform,
    pub pool: Pool,
    pub app: AppSymbols,
    pub script_path: PathBuf,
    pub script_text: String,
    pub selection: Selection,
    pub options: Vec<ResolvedOption>,
}

/// The libraries the user named: `--lib` first, then the manifest's, except those of the
/// manifest that a `--lib` library replaces (the same exclusive capability, or a declared
/// conflict): the command line overrides the manifest.
pub fn requests(pool: &Pool, options: &UnikernelOptions) -> Vec<Request> {
    let mut requests: Vec<Request> = options
        .libraries
        .iter()
        .map(|l| Request::parse(l, "--lib"))
        .collect();
    let from_flags: Vec<Selected> = requests
        .iter()
        .map(|r| Selected {
            name: r.name.clone(),
            archive: PathBuf::new(),
            why: select::Why::Requested {
                source: r.source.clone(),
            },
        })
        .collect();
    if let Some(manifest) = &options.manifest {
        for request in manifest.requests() {
            let replaced = select::conflict(pool, &from_flags, &request.name).is_some();
            if !replaced {
                requests.push(request);
            }
        }
    }
    requests
}

/// The option settings: the manifest's, then `--opt` (later ones win).
fn settings(options: &UnikernelOptions) -> Result<Vec<Setting>> {
    let mut settings = match &options.manifest {
        Some(manifest) => manifest.settings()?,
        None => Vec::new(),
    };
    settings.extend(options.settings.iter().cloned());
    Ok(settings)
}

/// Loads the platform, pool and application, selects libraries and resolves options. Problems
/// of selection and options are collected and returned with the plan (for `ukl check` and
/// `ukl why`); problems that stop everything (no pool, an unreadable object) are errors.
pub fn plan_all(options: &UnikernelOptions) -> Result<(Plan, Vec<LinkError>)> {
    let platform: Platform = platform::load(&options.home, &options.platform)?;
    let pool = Pool::load(&options.home, &platform.arch)?;
    let app = select::read_app(&options.objects)?;
    let mut errors = Vec::new();
    if let Err(e) = check_toolchain(&pool, &app, &options.objects) {
        errors.push(e);
    }
    let script_path = platform
        .linkscript_path(&options.home)
        .ok_or_else(|| link_error!("platform `{}` names no link script", platform.name))?;
    let script_text = std::fs::read_to_string(&script_path)
        .map_err(|e| link_error!("cannot read link script `{}`: {e}", script_path.display()))?;
    let script = link::parse_script(&script_path.display().to_string(), &script_text)?;
    let requests = requests(&pool, options);
    let (selection, selection_errors) =
        select::select_all(&pool, &platform, &requests, &app, &script_symbols(&script));
    errors.extend(selection_errors);
    let (resolved, option_errors) = match settings(options) {
        Ok(settings) => options::resolve(&pool, &selection, &settings),
        Err(e) => (Vec::new(), vec![e]),
    };
    errors.extend(option_errors);
    Ok((
        Plan {
            platform,
            pool,
            app,
            script_path,
            script_text,
            selection,
            options: resolved,
        },
        errors,
    ))
}

/// [`plan_all`], failing with every problem at once.
pub fn plan(options: &UnikernelOptions) -> Result<Plan> {
    let (plan, errors) = plan_all(options)?;
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(LinkError::combine(errors))
    }
}

pub fn link_image(options: &UnikernelOptions) -> Result<UnikernelReport> {
    let start = Instant::now();
    let plan = plan(options)?;
    link_plan(options, plan, &options.output, start)
}

/// `ukl check`: every check of a link — selection, options, checksums, symbol resolution,
/// relocation, the link script's assertions — with the image written to a temporary folder
/// and removed.
pub fn check_image(options: &UnikernelOptions) -> Result<UnikernelReport> {
    let start = Instant::now();
    let plan = plan(options)?;
    let dir = tempfile::Builder::new()
        .prefix("ukl-check")
        .tempdir()
        .map_err(|e| link_error!("cannot create a temporary folder: {e}"))?;
    let mut quiet = options.clone();
    quiet.map = None;
    let output = dir.path().join("image");
    let mut report = link_plan(&quiet, plan, &output, start)?;
    report.output = PathBuf::new();
    Ok(report)
}

fn link_plan(
    options: &UnikernelOptions,
    plan: Plan,
    output: &Path,
    start: Instant,
) -> Result<UnikernelReport> {
    let Plan {
        platform,
        pool,
        script_path,
        script_text,
        selection,
        options: resolved,
        ..
    } = plan;
    let mut inputs: Vec<Input> = options
        .objects
        .iter()
        .map(|p| Input {
            path: p.clone(),
            whole_archive: false,
        })
        .collect();
    // The options object lives as long as the link.
    let options_file = if resolved.is_empty() {
        None
    } else {
        let mut file = tempfile::Builder::new()
            .prefix("ukl-options")
            .suffix(".o")
            .tempfile()
            .map_err(|e| link_error!("cannot create the options object: {e}"))?;
        std::io::Write::write_all(&mut file, &options::options_object(&resolved)?)
            .map_err(|e| link_error!("cannot write the options object: {e}"))?;
        inputs.push(Input {
            path: file.path().to_path_buf(),
            whole_archive: false,
        });
        Some(file)
    };
    inputs.extend(selection.libraries.iter().map(|l| Input {
        path: l.archive.clone(),
        whole_archive: true,
    }));
    let link_options = LinkOptions {
        inputs,
        output: output.to_path_buf(),
        script: Some((script_path.display().to_string(), script_text)),
        entry: platform.entry.clone(),
        gc_sections: options.gc,
        strip_all: options.strip,
        strip_debug: !platform.keep_debug,
        // The pool's archives carry only the sysroot's debug sections (megabytes of them).
        strip_archive_debug: true,
        map: options.map.clone(),
        map_appendix: options
            .map
            .as_ref()
            .map(|_| decisions(&selection, &resolved))
            .unwrap_or_default(),
        script_file: Some(script_path.clone()),
        other_inputs: options.manifest.iter().map(|m| m.path.clone()).collect(),
        also_written: platform
            .companion
            .iter()
            .map(|c| c.path(output, platform.memory_mb))
            .collect(),
        ..LinkOptions::default()
    };
    // The archives' checksums are verified while the link runs; nothing is written unless they
    // all match.
    let report = link::link_checked(&link_options, || {
        selection
            .libraries
            .iter()
            .try_for_each(|library| pool.verify(&library.name))
    })?;
    drop(options_file);
    if let Some(companion) = &platform.companion {
        companion.write(&report.output, platform.memory_mb, "")?;
    }
    Ok(UnikernelReport {
        output: report.output,
        platform: platform.name,
        size: report.size,
        libraries: selection.libraries,
        options: resolved,
        elapsed_ms: start.elapsed().as_secs_f64() * 1000.0,
    })
}

/// What the map file says after the sections: why each library is in the image and the value
/// of each option.
fn decisions(selection: &Selection, resolved: &[ResolvedOption]) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("\nLibraries (why each is in the image; see `ukl why LIBRARY`)\n");
    for library in &selection.libraries {
        let _ = writeln!(text, "  {:<14} {}", library.name, library.why);
    }
    text.push_str("\nLink-time options (symbol = value, from)\n");
    for option in resolved {
        let _ = writeln!(
            text,
            "  {} = {} ({})",
            option.spec.symbol(),
            option.value,
            option.source
        );
    }
    text
}

/// Refuses, before any link of `jobs` starts, an output of one job (image, map, companion)
/// that is an input of any job: the objects, the manifest, the platforms' link scripts, the
/// pool's archives. Each link checks its own files again ([`link::link_checked`]); this check
/// keeps a link for one platform from writing while another one's output is refused.
pub fn refuse_inputs_as_outputs(jobs: &[UnikernelOptions]) -> Result<()> {
    let mut outputs: Vec<PathBuf> = Vec::new();
    let mut inputs: Vec<PathBuf> = Vec::new();
    for job in jobs {
        inputs.extend(job.objects.iter().cloned());
        inputs.extend(job.manifest.iter().map(|m| m.path.clone()));
        outputs.push(job.output.clone());
        outputs.extend(job.map.iter().cloned());
        // A platform or pool that cannot be loaded is reported by the link itself.
        if let Ok(platform) = platform::load(&job.home, &job.platform) {
            inputs.extend(platform.linkscript_path(&job.home));
            outputs.extend(
                platform
                    .companion
                    .iter()
                    .map(|c| c.path(&job.output, platform.memory_mb)),
            );
            let prebuilt = job.home.join("prebuilt").join(&platform.arch);
            if let Ok(index) = crate::pool::load_index(&prebuilt) {
                inputs.extend(index.library.iter().map(|e| index.archive_path(e)));
            }
        }
    }
    crate::output::refuse_inputs_as_outputs(&outputs, &inputs)
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
