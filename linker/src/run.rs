//! `ukl run`: boots an image the way its platform descriptor says (QEMU for kvm), streams the
//! console to the terminal and returns the unikernel's exit status.

use crate::error::Result;
use crate::link_error;
use crate::platform::Platform;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub memory: Option<String>,
    pub timeout: Option<u64>,
    pub kvm: bool,
    pub args: Vec<String>,
    /// An initrd file (a directory is packed by [`crate::initrd::prepare`] first).
    pub initrd: Option<std::path::PathBuf>,
}

/// The status of a guest that crashed (as `ukarch_crash` reports it).
pub const CRASH_STATUS: i32 = 127;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The unikernel reported this status.
    Exited(i32),
    /// The guest stopped without reporting a status (e.g. a triple fault).
    NoStatus,
    /// Killed after the timeout.
    TimedOut,
}

/// Joins arguments into a kernel command line, quoting those with spaces.
pub fn command_line(image_name: &str, args: &[String]) -> String {
    let _ = image_name;
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn build_command(platform: &Platform, image: &Path, options: &RunOptions) -> Result<Command> {
    let spec = platform.run.as_ref().ok_or_else(|| {
        link_error!(
            "platform `{}` does not say how to run its images",
            platform.name
        )
    })?;
    let cmdline = command_line("", &options.args);
    let mut words: Vec<String> = spec
        .command
        .iter()
        .map(|w| match w.as_str() {
            "IMAGE" => image.display().to_string(),
            "CMDLINE" => cmdline.clone(),
            "ARGS" => String::new(),
            _ => w.clone(),
        })
        .collect();
    if let Some(memory) = &options.memory {
        match words.iter().position(|w| w == "-m") {
            Some(i) if i + 1 < words.len() => words[i + 1] = memory.clone(),
            _ => {
                words.push("-m".into());
                words.push(memory.clone());
            }
        }
    }
    if let Some(initrd) = &options.initrd {
        if spec.initrd.is_empty() {
            return Err(
                link_error!("platform `{}` cannot take an initrd", platform.name)
                    .help("add `initrd = [...]` to the [run] section of its descriptor"),
            );
        }
        let path = initrd.display().to_string();
        let at = words
            .iter()
            .position(|w| w == "-kernel")
            .unwrap_or(words.len());
        let extra: Vec<String> = spec
            .initrd
            .iter()
            .map(|w| {
                if w == "INITRD" {
                    path.clone()
                } else {
                    w.clone()
                }
            })
            .collect();
        words.splice(at..at, extra);
    }
    if options.kvm {
        if let Some(i) = words.iter().position(|w| w == "tcg") {
            words[i] = "kvm".into();
            words.push("-cpu".into());
            words.push("host".into());
        }
    }
    // linuxu images take their arguments directly.
    if spec.command.iter().any(|w| w == "ARGS") {
        words.retain(|w| !w.is_empty());
        words.extend(options.args.iter().cloned());
    }
    let (program, rest) = words
        .split_first()
        .ok_or_else(|| link_error!("platform `{}` has an empty run command", platform.name))?;
    let mut command = Command::new(program);
    command.args(rest);
    Ok(command)
}

/// Boots `image`, streaming its console, and returns how it ended.
pub fn run(platform: &Platform, image: &Path, options: &RunOptions) -> Result<Outcome> {
    let mut command = build_command(platform, image, options)?;
    let monitor_args = platform
        .run
        .as_ref()
        .map(|r| r.monitor.clone())
        .unwrap_or_default();
    let socket = (!monitor_args.is_empty()).then(crate::halt_watch::socket_path);
    if let Some(socket) = &socket {
        let _ = std::fs::remove_file(socket);
        command.args(
            monitor_args
                .iter()
                .map(|w| w.replace("SOCKET", &socket.display().to_string())),
        );
    }
    let mut monitor: Option<crate::halt_watch::Monitor> = None;
    let mut last_check = Instant::now();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command.spawn().map_err(|e| {
        link_error!("cannot start `{program}`: {e}").help(if program.starts_with("qemu") {
            "install QEMU (Debian: apt-get install qemu-system-x86)"
        } else {
            "check the platform's run command"
        })
    })?;
    let timeout = Duration::from_secs(
        options
            .timeout
            .or(platform.run.as_ref().map(|r| r.timeout))
            .unwrap_or(30),
    );
    let started = Instant::now();
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| link_error!("waiting for `{program}`: {e}"))?
        {
            let code = status.code().unwrap_or(-1);
            if let Some(path) = &socket {
                let _ = std::fs::remove_file(path);
            }
            return Ok(decode_exit(platform, code));
        }
        if let Some(path) = socket
            .as_deref()
            .filter(|_| last_check.elapsed() > Duration::from_millis(250))
        {
            last_check = Instant::now();
            if monitor.is_none() {
                monitor = crate::halt_watch::Monitor::connect(path);
            }
            if let Some(halted) = monitor.as_mut().and_then(|m| m.halted()) {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_file(path);
                eprintln!("{}", crate::halt_watch::report(image, halted));
                return Ok(Outcome::Exited(CRASH_STATUS));
            }
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            if let Some(path) = &socket {
                let _ = std::fs::remove_file(path);
            }
            return Ok(Outcome::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Maps the runner's exit status to the unikernel's.
pub fn decode_exit(platform: &Platform, code: i32) -> Outcome {
    let kind = platform
        .run
        .as_ref()
        .and_then(|r| r.exit.as_ref())
        .map(|e| e.kind.as_str());
    match kind {
        Some("debug-exit") => {
            if code > 0 && code % 2 == 1 {
                Outcome::Exited((code - 1) / 2)
            } else {
                Outcome::NoStatus
            }
        }
        _ => Outcome::Exited(code),
    }
}
