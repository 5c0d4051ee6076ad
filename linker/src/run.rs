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
    /// QEMU machine type replacing the descriptor's `-M` value (e.g. `q35`, `pc`).
    pub machine: Option<String>,
    /// Network cards: one QEMU `-netdev` specification each (e.g.
    /// `user,hostfwd=tcp:127.0.0.1:8080-:80`), attached as virtio-net.
    pub net: Vec<String>,
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
    if options.kvm {
        if let Some(i) = words.iter().position(|w| w == "tcg") {
            words[i] = "kvm".into();
            words.push("-cpu".into());
            words.push("host".into());
        }
    }
    if let Some(machine) = &options.machine {
        set_machine(&mut words, machine);
    }
    add_network(&mut words, &options.net);
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

/// Replaces the QEMU machine type; qboot (microvm's firmware) is dropped for other machines,
/// which then boot with SeaBIOS (it assigns the PCI BARs).
fn set_machine(words: &mut Vec<String>, machine: &str) {
    if let Some(i) = words.iter().position(|w| w == "-M") {
        if i + 1 < words.len() {
            words[i + 1] = machine.to_string();
        }
    }
    if !machine.starts_with("microvm") {
        if let Some(i) = words.iter().position(|w| w == "-bios") {
            if words.get(i + 1).is_some_and(|w| w.contains("qboot")) {
                words.drain(i..i + 2);
            }
        }
    }
}

/// Adds one virtio-net card per `-netdev` specification: `virtio-net-device` (virtio-mmio) on
/// microvm, with the modern register layout and without QEMU appending `virtio_mmio.device=`
/// words to the command line; `virtio-net-pci` on other machines.
fn add_network(words: &mut Vec<String>, net: &[String]) {
    if net.is_empty() {
        return;
    }
    let machine = words.iter().position(|w| w == "-M");
    let microvm = machine
        .and_then(|i| words.get(i + 1))
        .is_some_and(|m| m.starts_with("microvm"));
    if microvm {
        if let Some(m) = machine.and_then(|i| words.get_mut(i + 1)) {
            if !m.contains("auto-kernel-cmdline") {
                m.push_str(",auto-kernel-cmdline=off");
            }
        }
        words.push("-global".into());
        words.push("virtio-mmio.force-legacy=false".into());
    }
    for (i, spec) in net.iter().enumerate() {
        words.push("-netdev".into());
        words.push(format!("{spec},id=net{i}"));
        words.push("-device".into());
        // `romfile=` skips the iPXE option ROM (seconds of firmware time on pc/q35).
        words.push(if microvm {
            format!("virtio-net-device,netdev=net{i}")
        } else {
            format!("virtio-net-pci,netdev=net{i},romfile=")
        });
    }
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
            let code = status.code().unwrap_or(-1);
            return Ok(decode_exit(platform, code));
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
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
