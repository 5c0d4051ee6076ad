//! The signals that interrupt `ukl run` — SIGINT (Ctrl-C), SIGTERM, SIGHUP — are caught, not
//! obeyed at once: the handler only notes the signal, and the run, which looks at the note
//! while it waits, stops the VM or the process group, removes its files and exits with
//! 128 + the signal number (what a shell reports for a program the signal killed). A signal
//! that ukl was started with ignored (`nohup`, a background job's SIGINT) stays ignored.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signals caught.
pub const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The first signal received, or 0.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn note(signal: libc::c_int) {
    // Async-signal-safe: one atomic operation. The first signal is the one reported.
    let _ = RECEIVED.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
}

/// Catches [`SIGNALS`] from now on (those not ignored). Interrupted system calls of other
/// threads restart (`SA_RESTART`).
pub fn install() {
    for signal in SIGNALS {
        // SAFETY: an all-zero sigaction is a valid "no handler, empty mask" value.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: reads the current action of `signal` into `old`.
        if unsafe { libc::sigaction(signal, std::ptr::null(), &mut old) } != 0
            || old.sa_sigaction == libc::SIG_IGN
        {
            continue;
        }
        // SAFETY: as above.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        // SAFETY: sigemptyset initializes the mask in place; sigaction installs a handler that
        // is async-signal-safe (one atomic compare-exchange).
        unsafe {
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The interrupting signal, if one came.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// A signal's name (`SIGINT`), or its number.
pub fn name(signal: i32) -> String {
    let known = [
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGILL, "SIGILL"),
        (libc::SIGTRAP, "SIGTRAP"),
        (libc::SIGABRT, "SIGABRT"),
        (libc::SIGBUS, "SIGBUS"),
        (libc::SIGFPE, "SIGFPE"),
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGPIPE, "SIGPIPE"),
        (libc::SIGALRM, "SIGALRM"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGSYS, "SIGSYS"),
    ];
    known
        .iter()
        .find(|(number, _)| *number == signal)
        .map_or_else(|| format!("signal {signal}"), |(_, name)| name.to_string())
}
