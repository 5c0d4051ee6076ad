//! `ukl run`: boots an image the way its platform descriptor says (QEMU for kvm; the image itself
//! for linuxu), streams the console to the terminal and returns the unikernel's exit status.

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
}

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
    // linuxu: the image is the program and takes the application's arguments directly.
    let is_process = spec.command.iter().any(|w| w == "ARGS");
    let cmdline = command_line("", &options.args);
    let mut words: Vec<String> = Vec::new();
    for (position, word) in spec.command.iter().enumerate() {
        match word.as_str() {
            // A program name without a slash would be looked up in PATH.
            "IMAGE" if position == 0 => words.push(
                std::path::absolute(image)
                    .unwrap_or_else(|_| image.to_path_buf())
                    .display()
                    .to_string(),
            ),
            "IMAGE" => words.push(image.display().to_string()),
            "CMDLINE" => words.push(cmdline.clone()),
            "ARGS" => words.extend(options.args.iter().cloned()),
            _ => words.push(word.clone()),
        }
    }
    if let Some(memory) = options.memory.as_ref().filter(|_| !is_process) {
        match words.iter().position(|w| w == "-m") {
            Some(i) if i + 1 < words.len() => words[i + 1] = memory.clone(),
            _ => {
                words.push("-m".into());
                words.push(memory.clone());
            }
        }
    }
    if options.kvm {
        if let Some(i) = words.iter().position(|w| w == "tcg") {
            words[i] = "kvm".into();
            words.push("-cpu".into());
            words.push("host".into());
        }
    }
    let (program, rest) = words
        .split_first()
        .ok_or_else(|| link_error!("platform `{}` has an empty run command", platform.name))?;
    let mut command = Command::new(program);
    command.args(rest);
    // A process sizes its memory region from UKL_MEMORY (plat_linuxu).
    if let Some(memory) = options.memory.as_ref().filter(|_| is_process) {
        command.env("UKL_MEMORY", memory);
    }
    Ok(command)
}

/// Boots `image`, streaming its console, and returns how it ended.
pub fn run(platform: &Platform, image: &Path, options: &RunOptions) -> Result<Outcome> {
    let mut command = build_command(platform, image, options)?;
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
            return Ok(match status.code() {
                Some(code) => decode_exit(platform, code),
                None => killed(platform, &status),
            });
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Outcome::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A runner killed by a signal: for a process image (linuxu) that is the unikernel's end, read
/// as a shell does (128 + the signal number); for a VMM it means no status was reported.
fn killed(platform: &Platform, status: &std::process::ExitStatus) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    match (exit_kind(platform), status.signal()) {
        (Some("process"), Some(signal)) => Outcome::Exited(128 + signal),
        _ => Outcome::NoStatus,
    }
}

fn exit_kind(platform: &Platform) -> Option<&str> {
    platform
        .run
        .as_ref()
        .and_then(|r| r.exit.as_ref())
        .map(|e| e.kind.as_str())
}

/// Maps the runner's exit status to the unikernel's.
pub fn decode_exit(platform: &Platform, code: i32) -> Outcome {
    match exit_kind(platform) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn linuxu() -> Platform {
        toml::from_str(include_str!("../../platforms/linuxu.toml")).unwrap()
    }

    #[test]
    fn a_process_image_is_the_command_and_takes_the_arguments_as_they_are() {
        let options = RunOptions {
            memory: Some("16M".into()),
            args: vec!["a".into(), "b c".into(), String::new()],
            ..RunOptions::default()
        };
        let command = build_command(&linuxu(), Path::new("hello.linuxu"), &options).unwrap();
        let program = Path::new(command.get_program());
        assert!(program.is_absolute(), "{program:?}");
        assert!(program.ends_with("hello.linuxu"));
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, ["a", "b c", ""]);
        let memory = command
            .get_envs()
            .find(|(key, _)| *key == "UKL_MEMORY")
            .and_then(|(_, value)| value);
        assert_eq!(memory, Some(std::ffi::OsStr::new("16M")));
    }

    #[test]
    fn a_process_status_is_the_unikernel_status() {
        use std::os::unix::process::ExitStatusExt;
        let platform = linuxu();
        assert_eq!(decode_exit(&platform, 3), Outcome::Exited(3));
        assert_eq!(decode_exit(&platform, 127), Outcome::Exited(127));
        // Killed by SIGKILL (9): 128 + 9, as a shell reports it.
        let killed_status = std::process::ExitStatus::from_raw(9);
        assert_eq!(killed(&platform, &killed_status), Outcome::Exited(137));
    }
}
