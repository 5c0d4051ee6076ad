//! How a `ukl run` ended, read from everything the run saw — the runner's exit status, the
//! guest's status line on a hypervisor log, whether the guest printed anything, the error lines
//! the hypervisor wrote on its stderr, a fatal line in its log — and the exit status `ukl run`
//! gives for it. A guest's status is reported only when the guest did report it; every other
//! end has a status of its own and a message (docs/commands.md has the table):
//!
//! | status | the run |
//! |---|---|
//! | the guest's | the guest reported it (linuxu: the process's status, or 128 + N when signal N killed it) |
//! | 122 | the hypervisor could not start the guest (QEMU refused its options or the image, Xen panicked before the guest ran, the runner could not be executed) |
//! | 123 | the hypervisor died or failed after the guest started, without a status from it (killed by a signal, crashed, an error exit) |
//! | 124 | the run timed out (`--timeout`) and was stopped |
//! | 125 | the guest stopped without reporting a status (a triple fault, a shutdown or reset of its own) |
//! | 128 + N | `ukl run` was interrupted by signal N (SIGHUP 129, SIGINT 130, SIGTERM 143) and stopped the guest |
//!
//! QEMU's debug-exit device makes QEMU exit with `(s << 1) | 1` for a guest status `s`, an odd
//! number; QEMU's own errors exit with 1 as well, which is also guest status 0. The two are told
//! apart by QEMU's stderr: an error (a line `qemu-system-x86_64: …` that is not a `warning:` or
//! an `info:`) means QEMU failed, and the status is never the guest's 0.

use crate::platform::Platform;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The unikernel reported this status.
    Exited(i32),
    /// The guest stopped without reporting a status (e.g. a triple fault).
    NoStatus,
    /// Killed after the timeout.
    TimedOut,
    /// The hypervisor could not start the guest: why.
    CouldNotStart(String),
    /// The hypervisor died or failed after the guest started: how.
    HypervisorDied(String),
    /// `ukl run` was interrupted by this signal and stopped the guest.
    Interrupted(i32),
}

/// `ukl run`'s exit status when the hypervisor could not start the guest.
pub const COULD_NOT_START_STATUS: u8 = 122;
/// `ukl run`'s exit status when the hypervisor died or failed without a guest status.
pub const HYPERVISOR_DIED_STATUS: u8 = 123;
/// `ukl run`'s exit status when the run timed out.
pub const TIMED_OUT_STATUS: u8 = 124;
/// `ukl run`'s exit status when the guest stopped without reporting a status.
pub const NO_STATUS_STATUS: u8 = 125;

impl Outcome {
    /// `ukl run`'s exit status for this outcome.
    pub fn exit_status(&self) -> u8 {
        match self {
            Outcome::Exited(code) => (*code).clamp(0, 255) as u8,
            Outcome::CouldNotStart(_) => COULD_NOT_START_STATUS,
            Outcome::HypervisorDied(_) => HYPERVISOR_DIED_STATUS,
            Outcome::TimedOut => TIMED_OUT_STATUS,
            Outcome::NoStatus => NO_STATUS_STATUS,
            Outcome::Interrupted(signal) => (128 + *signal).clamp(0, 255) as u8,
        }
    }

    /// What `ukl run` says on stderr for this outcome (nothing for a guest's own status).
    pub fn message(&self) -> Option<String> {
        match self {
            Outcome::Exited(_) => None,
            Outcome::CouldNotStart(why) => Some(format!(
                "error: the guest did not start: {why} (status {COULD_NOT_START_STATUS})"
            )),
            Outcome::HypervisorDied(how) => Some(format!(
                "error: the hypervisor failed without a status from the guest: {how} (status {HYPERVISOR_DIED_STATUS})"
            )),
            Outcome::TimedOut => Some(format!(
                "error: the guest did not finish in time and was stopped (see --timeout; status {TIMED_OUT_STATUS})"
            )),
            Outcome::NoStatus => Some(format!(
                "error: the guest stopped without reporting an exit status (a triple fault, or a shutdown or reset of its own: see the messages above; status {NO_STATUS_STATUS})"
            )),
            Outcome::Interrupted(signal) => Some(format!(
                "ukl: interrupted by {}: the run was stopped (status {})",
                crate::interrupt::name(*signal),
                self.exit_status()
            )),
        }
    }
}

/// What a run saw of the runner (QEMU, or the process image) that ended by itself.
#[derive(Debug, Default)]
pub struct Observed {
    /// The runner's exit status; `None` when ukl stopped it for a fatal hypervisor line.
    pub exit: Option<std::process::ExitStatus>,
    /// The guest's status line (a console kind of exit).
    pub console_status: Option<i32>,
    /// Whether the guest printed anything on its console.
    pub guest_output: bool,
    /// Error lines of the hypervisor on its stderr (see [`is_error_line`]).
    pub hypervisor_errors: Vec<String>,
    /// The hypervisor's log said it stopped for good (e.g. Xen's panic): why.
    pub fatal: Option<String>,
}

/// Is `line`, written by `program` (a path or a name) on its stderr, an error of its own?
/// QEMU writes `qemu-system-x86_64: MESSAGE`, with `warning: ` or `info: ` before the message
/// of what is not an error.
pub fn is_error_line(program: &str, line: &str) -> bool {
    let name = std::path::Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    [name.as_str(), "qemu"]
        .iter()
        .filter(|n| !n.is_empty())
        .find_map(|n| line.strip_prefix(*n).and_then(|l| l.strip_prefix(": ")))
        .is_some_and(|message| !message.starts_with("warning:") && !message.starts_with("info:"))
}

fn exit_kind(platform: &Platform) -> Option<&str> {
    platform
        .run
        .as_ref()
        .and_then(|r| r.exit.as_ref())
        .map(|e| e.kind.as_str())
}

/// Maps the runner's exit code to the unikernel's status, by the platform's exit kind alone
/// (see [`judge`] for the whole reading).
pub fn decode_exit(platform: &Platform, code: i32) -> Outcome {
    match exit_kind(platform) {
        Some("debug-exit") => {
            if code > 0 && code % 2 == 1 {
                Outcome::Exited((code - 1) / 2)
            } else if code == 0 {
                Outcome::NoStatus
            } else {
                Outcome::HypervisorDied(format!(
                    "it exited with status {code}, which its debug-exit device never gives"
                ))
            }
        }
        Some("console") if code == 0 => Outcome::NoStatus,
        Some("console") => Outcome::HypervisorDied(format!(
            "it exited with status {code} before the guest's status line"
        )),
        _ => Outcome::Exited(code),
    }
}

/// How the run ended, from what it saw.
pub fn judge(platform: &Platform, observed: &Observed) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    let kind = exit_kind(platform);
    let failed = |why: String| {
        if observed.guest_output {
            Outcome::HypervisorDied(why)
        } else {
            Outcome::CouldNotStart(why)
        }
    };
    if let (Some("console"), Some(status)) = (kind, observed.console_status) {
        return Outcome::Exited(status);
    }
    if let Some(why) = &observed.fatal {
        return failed(why.clone());
    }
    let Some(exit) = observed.exit else {
        return Outcome::NoStatus;
    };
    if kind == Some("process") {
        // The process is the unikernel: its status, or a shell's reading of its signal.
        return match (exit.code(), exit.signal()) {
            (Some(code), _) => Outcome::Exited(code),
            (None, Some(signal)) => Outcome::Exited(128 + signal),
            (None, None) => Outcome::NoStatus,
        };
    }
    let Some(code) = exit.code() else {
        let signal = exit.signal().unwrap_or(0);
        return Outcome::HypervisorDied(format!(
            "it was killed by {}{}",
            crate::interrupt::name(signal),
            if exit.core_dumped() {
                " (core dumped)"
            } else {
                ""
            }
        ));
    };
    let decoded = decode_exit(platform, code);
    // QEMU's own error exit reads as guest status 0 (or, exiting 0 after "terminating on
    // signal", as no status): its error lines say which it is. Only a guest status that QEMU
    // cannot give by itself (an odd number above 1) stands against them.
    match (observed.hypervisor_errors.first(), &decoded) {
        (Some(error), Outcome::Exited(0) | Outcome::NoStatus | Outcome::HypervisorDied(_)) => {
            failed(error.clone())
        }
        _ => decoded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    fn platform(name: &str) -> Platform {
        let text = match name {
            "kvm" => include_str!("../../platforms/kvm.toml"),
            "xen" => include_str!("../../platforms/xen.toml"),
            _ => include_str!("../../platforms/linuxu.toml"),
        };
        toml::from_str(text).unwrap()
    }

    /// An exit status with exit code `code`.
    fn code(code: i32) -> Option<ExitStatus> {
        Some(ExitStatus::from_raw(code << 8))
    }

    fn qemu_error(text: &str) -> Vec<String> {
        vec![format!("qemu-system-x86_64: {text}")]
    }

    #[test]
    fn debug_exit_statuses_are_odd_and_qemu_errors_are_not_guest_status_zero() {
        let kvm = platform("kvm");
        let judge = |observed: Observed| judge(&kvm, &observed);
        assert_eq!(
            judge(Observed {
                exit: code(7),
                ..Observed::default()
            }),
            Outcome::Exited(3)
        );
        // A guest's 0, silent or not.
        assert_eq!(
            judge(Observed {
                exit: code(1),
                ..Observed::default()
            }),
            Outcome::Exited(0)
        );
        // QEMU refused to start (`-m 1T`): exit 1 with an error, nothing from the guest.
        let refused = judge(Observed {
            exit: code(1),
            hypervisor_errors: qemu_error("cannot set up guest memory 'microvm.ram'"),
            ..Observed::default()
        });
        assert!(matches!(&refused, Outcome::CouldNotStart(why) if why.contains("guest memory")));
        assert_eq!(refused.exit_status(), 122);
        let failed = judge(Observed {
            exit: code(1),
            guest_output: true,
            hypervisor_errors: qemu_error("fatal"),
            ..Observed::default()
        });
        assert_eq!(failed.exit_status(), 123);
        // A guest status other than 0 stands, whatever QEMU said before.
        assert_eq!(
            judge(Observed {
                exit: code(5),
                guest_output: true,
                hypervisor_errors: qemu_error("something"),
                ..Observed::default()
            }),
            Outcome::Exited(2)
        );
        // Killed by someone else: "terminating on signal", exit 0.
        let terminated = judge(Observed {
            exit: code(0),
            guest_output: true,
            hypervisor_errors: qemu_error("terminating on signal 15 from pid 1"),
            ..Observed::default()
        });
        assert_eq!(terminated.exit_status(), 123);
        assert_eq!(
            judge(Observed {
                exit: code(0),
                guest_output: true,
                ..Observed::default()
            }),
            Outcome::NoStatus
        );
        // Crashed, or an exit status the device never gives.
        let crashed = judge(Observed {
            exit: Some(ExitStatus::from_raw(libc::SIGSEGV)),
            ..Observed::default()
        });
        assert!(matches!(&crashed, Outcome::HypervisorDied(how) if how.contains("SIGSEGV")));
        assert_eq!(
            judge(Observed {
                exit: code(2),
                ..Observed::default()
            })
            .exit_status(),
            123
        );
    }

    #[test]
    fn warnings_are_not_errors() {
        let qemu = "/usr/bin/qemu-system-x86_64";
        assert!(is_error_line(
            qemu,
            "qemu-system-x86_64: unsupported machine type: \"bogus\""
        ));
        assert!(!is_error_line(
            qemu,
            "qemu-system-x86_64: warning: TCG doesn't support requested feature"
        ));
        assert!(!is_error_line(
            qemu,
            "Use -machine help to list supported machines"
        ));
        assert!(!is_error_line(qemu, "Hello, world!"));
    }

    #[test]
    fn xen_statuses_come_from_its_log() {
        let xen = platform("xen");
        let judge = |observed: Observed| judge(&xen, &observed);
        assert_eq!(
            judge(Observed {
                exit: code(0),
                console_status: Some(0),
                guest_output: true,
                ..Observed::default()
            }),
            Outcome::Exited(0)
        );
        let panic = judge(Observed {
            fatal: Some("Panic on CPU 0: Could not construct domain 0".into()),
            ..Observed::default()
        });
        assert!(matches!(&panic, Outcome::CouldNotStart(why) if why.contains("domain 0")));
        assert_eq!(
            judge(Observed {
                exit: code(1),
                hypervisor_errors: qemu_error("cannot set up guest memory 'pc.ram'"),
                ..Observed::default()
            })
            .exit_status(),
            122
        );
        assert_eq!(
            judge(Observed {
                exit: code(0),
                guest_output: true,
                ..Observed::default()
            }),
            Outcome::NoStatus
        );
        assert_eq!(
            judge(Observed {
                exit: code(3),
                ..Observed::default()
            })
            .exit_status(),
            123
        );
    }

    #[test]
    fn a_process_status_is_the_unikernel_status() {
        let linuxu = platform("linuxu");
        let judge = |exit: Option<ExitStatus>| {
            judge(
                &linuxu,
                &Observed {
                    exit,
                    ..Observed::default()
                },
            )
        };
        assert_eq!(judge(code(3)), Outcome::Exited(3));
        assert_eq!(judge(code(127)), Outcome::Exited(127));
        assert_eq!(judge(code(1)), Outcome::Exited(1));
        // Killed by SIGKILL (9): 128 + 9, as a shell reports it.
        assert_eq!(judge(Some(ExitStatus::from_raw(9))), Outcome::Exited(137));
    }

    #[test]
    fn every_end_has_its_own_status() {
        let statuses = [
            Outcome::CouldNotStart(String::new()).exit_status(),
            Outcome::HypervisorDied(String::new()).exit_status(),
            Outcome::TimedOut.exit_status(),
            Outcome::NoStatus.exit_status(),
            Outcome::Interrupted(libc::SIGINT).exit_status(),
            Outcome::Interrupted(libc::SIGTERM).exit_status(),
            Outcome::Interrupted(libc::SIGHUP).exit_status(),
        ];
        assert_eq!(statuses, [122, 123, 124, 125, 130, 143, 129]);
        assert_eq!(Outcome::Exited(0).exit_status(), 0);
        assert!(Outcome::Exited(0).message().is_none());
        assert!(Outcome::Interrupted(libc::SIGINT)
            .message()
            .unwrap()
            .contains("SIGINT"));
    }
}
