//! Platform descriptors (`platforms/<name>.toml`): what to link for a platform (link script,
//! platform libraries, entry) and how to run its images.

use crate::error::Result;
use crate::link_error;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct Platform {
    pub name: String,
    pub arch: String,
    pub format: String,
    /// Link script, relative to the ukl home.
    pub linkscript: Option<String>,
    pub entry: Option<String>,
    /// Libraries linked into every image of the platform.
    pub libraries: Vec<String>,
    pub run: Option<RunSpec>,
    /// A file written beside the image (e.g. an `xl` configuration for xen).
    #[serde(default)]
    pub companion: Option<Companion>,
    /// Keep debug sections (DWARF) in images: linuxu images are debugged with gdb on the host.
    #[serde(default)]
    pub keep_debug: bool,
    /// Guest memory in MiB that companions and runners assume when none is given.
    #[serde(default = "default_memory")]
    pub memory_mb: u64,
}

/// A file written beside each image. `file` and `template` may use `{image}` (the image's
/// absolute path), `{dir}` (its directory, absolute), `{name}` (its file name without
/// extension), `{memory_mb}` and `{cmdline}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Companion {
    pub file: String,
    pub template: String,
}

impl Companion {
    pub fn render(&self, text: &str, image: &Path, memory_mb: u64, cmdline: &str) -> String {
        let name = image
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let absolute = std::path::absolute(image).unwrap_or_else(|_| image.to_path_buf());
        let dir = absolute
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        text.replace("{image}", &absolute.display().to_string())
            .replace("{dir}", &dir)
            .replace("{name}", &name)
            .replace("{memory_mb}", &memory_mb.to_string())
            .replace("{cmdline}", cmdline)
    }

    /// Where the companion file of `image` goes.
    pub fn path(&self, image: &Path, memory_mb: u64) -> PathBuf {
        PathBuf::from(self.render(&self.file, image, memory_mb, ""))
    }

    /// Writes the companion file for `image` (atomically, see [`crate::output`]); returns its
    /// path.
    pub fn write(&self, image: &Path, memory_mb: u64, cmdline: &str) -> Result<PathBuf> {
        let path = PathBuf::from(self.render(&self.file, image, memory_mb, cmdline));
        let text = self.render(&self.template, image, memory_mb, cmdline);
        crate::output::write_atomically(&path, text.as_bytes(), crate::output::REGULAR)?;
        Ok(path)
    }
}

fn default_memory() -> u64 {
    32
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunSpec {
    /// The command, with `IMAGE` and `CMDLINE` placeholders (whole words), or `{image}`,
    /// `{cmdline}`, `{module_cmdline}`, `{initrd_module}`, `{xen}`, `{memory_mb}`,
    /// `{host_memory_mb}` inside words (see [`crate::run::build_command`]).
    pub command: Vec<String>,
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    pub exit: Option<ExitSpec>,
    /// Extra arguments that hand an initrd to the guest (`INITRD` is replaced by its path),
    /// e.g. QEMU's `["-initrd", "INITRD"]`; empty when the platform takes none, or takes it
    /// through `{initrd_module}` in its command.
    #[serde(default)]
    pub initrd: Vec<String>,
    /// An environment variable that hands the initrd to the image, set to the initrd's absolute
    /// path for the run command's process (linuxu: `"UKL_INITRD"`, which plat_linuxu maps as a
    /// module region). For platforms whose image is the process itself, where neither
    /// `initrd` nor `{initrd_module}` can apply.
    #[serde(default)]
    pub initrd_env: Option<String>,
    /// Arguments that open a QMP monitor on the unix socket `SOCKET`, through which the runner
    /// notices a guest halted with interrupts disabled (see [`crate::halt_watch`]).
    #[serde(default)]
    pub monitor: Vec<String>,
    /// Whether the run command's standard input reaches the guest's console (kvm: the serial
    /// port): `ukl run` then forwards its own standard input and, at its end, a Ctrl-D byte
    /// (the guest's end of input). A process image always reads ukl's standard input.
    #[serde(default)]
    pub console_input: bool,
}

/// How a run's exit status is found: `kind = "debug-exit"` (QEMU's exit status, from the
/// isa-debug-exit device at `port`) or `kind = "console"` (a console line starting with
/// `status_line`, followed by the status; lines starting with `hide_prefix` are the
/// hypervisor's, and `strip_prefix` is removed from the start of the guest's lines). A
/// hypervisor line containing `fatal` (Xen: `Panic on CPU`) means the hypervisor has stopped
/// for good: the run ends at once, with the line after it as the reason.
#[derive(Debug, Clone, Deserialize)]
pub struct ExitSpec {
    pub kind: String,
    #[serde(default)]
    pub port: Option<u64>,
    #[serde(default)]
    pub status_line: Option<String>,
    #[serde(default)]
    pub hide_prefix: Option<String>,
    #[serde(default)]
    pub strip_prefix: Option<String>,
    #[serde(default)]
    pub fatal: Option<String>,
}

fn default_timeout() -> u64 {
    30
}

/// The platforms a home provides, sorted by name.
pub fn available(home: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(home.join("platforms"))
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".toml").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

pub fn load(home: &Path, name: &str) -> Result<Platform> {
    let path = home.join("platforms").join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).map_err(|_| {
        let known = available(home);
        link_error!("unknown platform `{name}`")
            .note(format!("no descriptor at {}", path.display()))
            .help(format!("available platforms: {}", known.join(", ")))
    })?;
    let platform: Platform = toml::from_str(&text)
        .map_err(|e| link_error!("platform descriptor `{}` is invalid: {e}", path.display()))?;
    Ok(platform)
}

impl Platform {
    pub fn linkscript_path(&self, home: &Path) -> Option<PathBuf> {
        self.linkscript.as_ref().map(|s| home.join(s))
    }
}

/// Finds the ukl home: the directory holding `registry.toml`, `platforms/`, `linkscripts/` and
/// `prebuilt/`. Looked for in `--home`/`UKL_HOME`, then upwards from the current directory,
/// then upwards from the ukl executable.
pub fn find_home(explicit: Option<&Path>) -> Result<PathBuf> {
    let is_home = |p: &Path| p.join("registry.toml").is_file() && p.join("platforms").is_dir();
    if let Some(path) = explicit {
        return if is_home(path) {
            Ok(path.to_path_buf())
        } else {
            Err(link_error!(
                "`{}` is not a ukl home (no registry.toml and platforms/)",
                path.display()
            ))
        };
    }
    if let Some(env) = std::env::var_os("UKL_HOME") {
        let path = PathBuf::from(env);
        if is_home(&path) {
            return Ok(path);
        }
        return Err(link_error!(
            "UKL_HOME=`{}` is not a ukl home (no registry.toml and platforms/)",
            path.display()
        ));
    }
    let mut starts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Ok(exe) = exe.canonicalize() {
            starts.push(exe);
        }
    }
    for start in starts {
        for dir in start.ancestors() {
            if is_home(dir) {
                return Ok(dir.to_path_buf());
            }
        }
    }
    Err(
        link_error!("cannot find the ukl home (registry.toml, platforms/, prebuilt/)")
            .help("run ukl inside a ukl checkout, or set UKL_HOME / pass --home"),
    )
}
