//! The runner process of `ukl run` — QEMU, or a linuxu image itself — and everything it
//! starts live in a process group of their own, which the run ends as a whole: when the runner
//! exits, what is left of its group is killed before the runner is reaped (its zombie keeps the
//! group's number from being reused meanwhile), and an interrupted or timed-out run signals the
//! whole group, then kills it after a grace period. So no child of the guest keeps serving on a
//! forwarded port after `ukl run` is gone.
//!
//! If ukl itself is killed outright (SIGKILL: no handler runs), the kernel kills the runner:
//! it is started with `PR_SET_PDEATHSIG` = SIGKILL (Linux; the signal follows the death of the
//! thread that started it, which is `ukl run`'s main thread, alive until ukl exits). The
//! runner's own children are then left to the group's fate.
//!
//! A terminal stays usable by a process image: when ukl's standard input is the terminal and
//! ukl is in its foreground, the runner's group becomes the foreground group (as a shell does
//! for a job) and ukl takes it back at the end. QEMU never touches the terminal (its streams are
//! pipes to ukl), so its group stays in the background and a Ctrl-C reaches ukl alone.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// Starts `command` in a process group of its own, and with SIGKILL as its parent-death
/// signal.
pub fn isolate(command: &mut Command) {
    command.process_group(0);
    let parent = std::process::id();
    // SAFETY: the closure runs in the forked child before exec and makes only async-signal-safe
    // system calls (prctl, getppid).
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            // ukl died before the prctl: nobody is left to run for.
            if libc::getppid() as u32 != parent {
                return Err(io::Error::other("ukl exited while starting its runner"));
            }
            Ok(())
        });
    }
}

/// A started runner and its process group.
pub struct Group {
    pub child: Child,
    id: libc::pid_t,
}

impl Group {
    /// `child` was started by a command [`isolate`]d.
    pub fn new(child: Child) -> Group {
        let id = child.id() as libc::pid_t;
        Group { child, id }
    }

    /// The runner's process id (also its group's id).
    pub fn id(&self) -> u32 {
        self.id as u32
    }

    /// Has the runner exited? It is not reaped, so its group's number stays its own.
    pub fn exited(&self) -> io::Result<bool> {
        // SAFETY: an all-zero siginfo_t is valid; waitid writes into it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waits (without blocking or reaping) for our own child `id`.
        let result = unsafe {
            libc::waitid(
                libc::P_PID,
                self.id as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        if result != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: si_pid is set by waitid (0 when the child has not exited).
        Ok(unsafe { info.si_pid() } != 0)
    }

    /// Has the runner stopped (SIGTSTP, SIGTTIN, SIGSTOP) since last asked?
    pub fn stopped(&self) -> io::Result<bool> {
        // SAFETY: as in `exited`; a stop report is consumed, the runner is not reaped.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waits (without blocking) for a stop of our own child `id`.
        let result = unsafe {
            libc::waitid(
                libc::P_PID,
                self.id as libc::id_t,
                &mut info,
                libc::WSTOPPED | libc::WNOHANG,
            )
        };
        if result != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: si_pid is set by waitid (0 when nothing was reported).
        Ok(unsafe { info.si_pid() } != 0)
    }

    /// Sends `signal` to every process of the group.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: signals our own process group (ESRCH when it is empty).
        unsafe { libc::kill(-self.id, signal) };
    }

    /// After [`Group::exited`]: kills what is left of the group and reaps the runner.
    pub fn finish(&mut self) -> io::Result<ExitStatus> {
        self.signal(libc::SIGKILL);
        self.child.wait()
    }

    /// Sends `signal` to the group, gives the runner `grace` to end, then kills the group and
    /// reaps the runner.
    pub fn stop(&mut self, signal: libc::c_int, grace: Duration) -> io::Result<ExitStatus> {
        self.signal(signal);
        let started = Instant::now();
        while started.elapsed() < grace && !self.exited()? {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.finish()
    }
}

/// The terminal lent to a runner's group (see the module's text); given back on drop.
pub struct Foreground {
    lent: bool,
}

impl Foreground {
    /// Makes `group` the terminal's foreground group if ukl's standard input is a terminal
    /// whose foreground ukl is.
    pub fn lend(group: &Group) -> Foreground {
        // SAFETY: isatty, tcgetpgrp and getpgrp only read state.
        let ours = unsafe { libc::isatty(0) == 1 && libc::tcgetpgrp(0) == libc::getpgrp() };
        if !ours {
            return Foreground { lent: false };
        }
        // SAFETY: from now on ukl is a background process of this terminal: writing to it (with
        // `stty tostop`) or taking it back must not stop ukl. The runner was started (exec'd)
        // already, so it keeps the default action.
        unsafe { libc::signal(libc::SIGTTOU, libc::SIG_IGN) };
        // SAFETY: hands the terminal to our child's group, which exists (spawn returns after the
        // child's exec, so after its setpgid).
        let lent = unsafe { libc::tcsetpgrp(0, group.id) } == 0;
        // A runner that read the terminal before it was its own was stopped (SIGTTIN).
        group.signal(libc::SIGCONT);
        Foreground { lent }
    }
}

impl Foreground {
    /// Is the terminal lent to the runner?
    pub fn is_lent(&self) -> bool {
        self.lent
    }

    /// The runner was stopped at the terminal (Ctrl-Z): takes the terminal back and stops ukl
    /// too, so that the shell sees its job stopped; when the shell continues ukl, lends the
    /// terminal again and continues the runner's group.
    pub fn suspend(&self, group: &Group) {
        if !self.lent {
            return;
        }
        // SAFETY: takes the terminal back (SIGTTOU is ignored), then stops ukl itself with the
        // terminal's stop signal; raise returns once the shell sends SIGCONT.
        unsafe {
            libc::tcsetpgrp(0, libc::getpgrp());
            libc::raise(libc::SIGTSTP);
            libc::tcsetpgrp(0, group.id);
        }
        group.signal(libc::SIGCONT);
    }
}

impl Drop for Foreground {
    fn drop(&mut self) {
        if self.lent {
            // SAFETY: takes the terminal back for ukl's own group (SIGTTOU is ignored).
            unsafe { libc::tcsetpgrp(0, libc::getpgrp()) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_ends_with_its_runner() {
        // The runner leaves a child behind (in its group) and exits.
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 300 >/dev/null & echo $!"]);
        command.stdout(std::process::Stdio::piped());
        isolate(&mut command);
        let mut group = Group::new(command.spawn().unwrap());
        let mut text = String::new();
        std::io::Read::read_to_string(group.child.stdout.as_mut().unwrap(), &mut text).unwrap();
        let left: libc::pid_t = text.trim().parse().unwrap();
        let started = Instant::now();
        while !group.exited().unwrap() {
            assert!(started.elapsed() < Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(alive(left), "the child is still there");
        assert!(group.finish().unwrap().success());
        let started = Instant::now();
        while alive(left) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "sleep {left} lives on"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Is process `pid` running (there, and not a zombie waiting for its reaper)?
    fn alive(pid: libc::pid_t) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                stat.rsplit_once(')')
                    .map(|(_, rest)| rest.trim_start().to_string())
            })
            .is_some_and(|rest| !rest.starts_with('Z') && !rest.starts_with('X'))
    }

    #[test]
    fn a_stopped_group_is_killed_after_the_grace() {
        use std::os::unix::process::ExitStatusExt;
        let mut command = Command::new("sh");
        command.args(["-c", "trap '' TERM; sleep 300"]);
        isolate(&mut command);
        let mut group = Group::new(command.spawn().unwrap());
        std::thread::sleep(Duration::from_millis(100));
        let status = group
            .stop(libc::SIGTERM, Duration::from_millis(200))
            .unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
    }
}
