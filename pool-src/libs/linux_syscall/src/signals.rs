//! Signals in one process: actions (`rt_sigaction`), the blocked set (`rt_sigprocmask`),
//! signals sent to ourselves (`kill`, `tkill`, `tgkill`: how musl's `raise()` and `abort()`
//! work) and the signals of interval timers ([`crate::itimer`]). A signal a program sends
//! itself runs its handler at once, in the caller, before the call returns, as POSIX says
//! `raise` does (with `SA_SIGINFO`: a `siginfo_t` naming the signal and the sender, and an
//! empty `ucontext_t`); while the signal is blocked it stays pending and runs when
//! `rt_sigprocmask` unblocks it. A timer's signal runs at the end of the next system call,
//! or in a wait (`poll`, `select`, `epoll_wait`, sleeps, `pause`, `sigsuspend`, blocking pipe
//! and timerfd reads), which then fails with `EINTR` (pipe reads and writes are restarted
//! instead when the handler has `SA_RESTART`). An ignored signal is dropped. A signal whose
//! default action ends the process ends the guest with a crash report naming it (status 127),
//! so `abort()` never reaches musl's `a_crash()`.
//!
//! Nothing interrupts code that makes no system call, and signals from outside and faults are
//! not delivered to handlers. One action table serves all threads, and each thread has its
//! blocked set when linux_thread is linked; a handler runs in the thread that sent the signal,
//! or (a timer's) in the next thread that makes a call and does not block it.

use crate::cell::Global;
use crate::errno::*;
use crate::platform::ukarch_crash;
use crate::process::PID;
use core::sync::atomic::{AtomicPtr, Ordering};

const SIGKILL: u64 = 9;
const SIGSTOP: u64 = 19;
const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;
const SA_SIGINFO: u64 = 4;
const SA_RESTART: u64 = 0x1000_0000;
const SA_NODEFER: u64 = 0x4000_0000;
const SA_RESETHAND: u64 = 0x8000_0000;
const SIG_BLOCK: u64 = 0;
const SIG_UNBLOCK: u64 = 1;
const SIG_SETMASK: u64 = 2;
/// `si_code` of a signal sent with `tkill`/`tgkill`, and with `kill`.
const SI_TKILL: i32 = -6;
const SI_USER: i32 = 0;
/// `si_code` of a signal the kernel sends (an interval timer's).
const SI_KERNEL: i32 = 0x80;
/// Signals that cannot be caught, ignored or blocked.
const UNBLOCKABLE: u64 = bit(SIGKILL) | bit(SIGSTOP);

const fn bit(signal: u64) -> u64 {
    1 << (signal - 1)
}

/// A kernel `struct sigaction`: handler, flags, restorer, mask.
#[derive(Clone, Copy, Default)]
struct Action {
    handler: u64,
    flags: u64,
    restorer: u64,
    mask: u64,
}

struct State {
    actions: [Action; 64],
    /// The blocked set while no thread library keeps one per thread ([`uk_signal_mask_hook`]).
    blocked: u64,
    pending: u64,
    /// The `si_code` of each pending signal.
    codes: [i32; 64],
}

static STATE: Global<State> = Global::new(State {
    actions: [Action {
        handler: SIG_DFL,
        flags: 0,
        restorer: 0,
        mask: 0,
    }; 64],
    blocked: 0,
    pending: 0,
    codes: [0; 64],
});

/// A thread library's per-thread blocked sets: called with null, returns the calling thread's
/// set; with a pointer, also replaces it.
type MaskHook = unsafe extern "C" fn(new: *const u64) -> u64;

static MASK_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Makes `hook` keep the blocked set of each thread (linux_thread registers one: musl blocks
/// every signal in a thread that is exiting, which must not block them for the others).
#[no_mangle]
pub extern "C" fn uk_signal_mask_hook(hook: Option<MaskHook>) {
    let pointer = hook.map_or(core::ptr::null_mut(), |h| h as *mut ());
    MASK_HOOK.store(pointer, Ordering::Release);
}

fn mask_hook() -> Option<MaskHook> {
    let pointer = MASK_HOOK.load(Ordering::Acquire);
    // SAFETY: only `uk_signal_mask_hook` stores here, and only `MaskHook` values.
    (!pointer.is_null()).then(|| unsafe { core::mem::transmute::<*mut (), MaskHook>(pointer) })
}

impl State {
    /// The calling thread's blocked set.
    fn blocked(&self) -> u64 {
        match mask_hook() {
            // SAFETY: a query of the hook's own state.
            Some(hook) => unsafe { hook(core::ptr::null()) },
            None => self.blocked,
        }
    }

    fn set_blocked(&mut self, set: u64) {
        match mask_hook() {
            // SAFETY: the hook reads the set before returning.
            Some(hook) => unsafe {
                hook(&set);
            },
            None => self.blocked = set,
        }
    }
}

const SIGNAL_NAMES: [&str; 32] = [
    "0",
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// Signals whose default action is to ignore them (or stop/continue, which a unikernel cannot).
fn ignored_by_default(signal: u64) -> bool {
    matches!(signal, 17 | 18 | 19 | 20 | 21 | 22 | 23 | 28)
}

/// The default action of a signal that ends the process: a crash report naming it.
fn terminate(signal: u64) -> ! {
    let mut why = [0u8; 64];
    let name = SIGNAL_NAMES
        .get(signal as usize)
        .copied()
        .unwrap_or("a real-time signal");
    let text: &[u8] = if signal == 6 {
        b"abort(): the program raised SIGABRT"
    } else {
        b"the program raised "
    };
    let mut len = text.len().min(48);
    why[..len].copy_from_slice(&text[..len]);
    if signal != 6 {
        let n = name.len().min(63 - len);
        why[len..len + n].copy_from_slice(&name.as_bytes()[..n]);
        len += n;
    }
    why[len] = 0;
    // SAFETY: `why` is NUL-terminated; the crash report never returns.
    unsafe { ukarch_crash(why.as_ptr().cast()) }
}

/// `kill` to ourselves, or `tkill`/`tgkill` to one of our threads (`thread`: any positive
/// thread id is taken as ours).
pub fn send_signal(target: i64, signal: u64, thread: bool) -> i64 {
    let ours =
        target == PID || (!thread && (target == 0 || target == -1)) || (thread && target > 0);
    if !ours {
        return -ESRCH;
    }
    if signal > 64 {
        return -EINVAL;
    }
    if signal == 0 {
        return 0;
    }
    let action = STATE.with(|s| s.actions[signal as usize - 1]);
    match action.handler {
        SIG_IGN => 0,
        SIG_DFL if ignored_by_default(signal) => 0,
        // A handler, or a default action that ends the process: now, or once unblocked.
        _ => {
            let code = if thread { SI_TKILL } else { SI_USER };
            let blocked = STATE.with(|s| {
                let blocked = s.blocked() & bit(signal) != 0;
                if blocked {
                    s.pending |= bit(signal);
                    s.codes[signal as usize - 1] = code;
                }
                blocked
            });
            if !blocked {
                deliver(signal, code);
            }
            0
        }
    }
}

/// What running handlers means for a call that was waiting.
#[derive(Clone, Copy, PartialEq)]
pub enum Ran {
    /// No handler ran.
    Nothing,
    /// Handlers ran, all with `SA_RESTART`.
    Restartable,
    /// A handler without `SA_RESTART` ran.
    Interrupting,
}

impl Ran {
    fn and(self, other: Ran) -> Ran {
        match (self, other) {
            (Ran::Interrupting, _) | (_, Ran::Interrupting) => Ran::Interrupting,
            (Ran::Restartable, _) | (_, Ran::Restartable) => Ran::Restartable,
            _ => Ran::Nothing,
        }
    }
}

/// Runs the handler of `signal` in the caller (no borrow of the state is held meanwhile),
/// with the action's mask (and the signal itself, unless `SA_NODEFER`) blocked; then the
/// signals that the restored mask unblocks.
fn deliver(signal: u64, code: i32) -> Ran {
    let (action, saved) = STATE.with(|s| {
        let action = s.actions[signal as usize - 1];
        let saved = s.blocked();
        let mut blocked = saved | action.mask;
        if action.flags & SA_NODEFER == 0 {
            blocked |= bit(signal);
        }
        s.set_blocked(blocked & !UNBLOCKABLE);
        if action.flags & SA_RESETHAND != 0 {
            s.actions[signal as usize - 1] = Action::default();
        }
        (action, saved)
    });
    let ran = match action.handler {
        SIG_IGN => Ran::Nothing,
        SIG_DFL if ignored_by_default(signal) => Ran::Nothing,
        SIG_DFL => terminate(signal),
        _ if action.flags & SA_RESTART != 0 => Ran::Restartable,
        _ => Ran::Interrupting,
    };
    match action.handler {
        SIG_IGN | SIG_DFL => {}
        handler if action.flags & SA_SIGINFO != 0 => {
            // siginfo_t: si_signo, si_errno, si_code, then (for kill) si_pid and si_uid.
            let mut info = [0i32; 32];
            info[0] = signal as i32;
            info[2] = code;
            info[4] = PID as i32;
            // An empty ucontext_t (its size on x86_64 is below 1 KiB).
            let mut context = [0u64; 128];
            // SAFETY: the program installed this function as an SA_SIGINFO handler.
            let run: extern "C" fn(i32, *mut i32, *mut u64) =
                unsafe { core::mem::transmute::<u64, _>(handler) };
            run(signal as i32, info.as_mut_ptr(), context.as_mut_ptr());
        }
        handler => {
            // SAFETY: the program installed this function as a handler.
            let run: extern "C" fn(i32) = unsafe { core::mem::transmute::<u64, _>(handler) };
            run(signal as i32);
        }
    }
    STATE.with(|s| s.set_blocked(saved));
    ran.and(deliver_pending())
}

/// Runs the handlers of pending signals that are no longer blocked, lowest number first.
fn deliver_pending() -> Ran {
    let mut ran = Ran::Nothing;
    while let Some((signal, code)) = STATE.with(|s| {
        let ready = s.pending & !s.blocked();
        (ready != 0).then(|| {
            let signal = u64::from(ready.trailing_zeros()) + 1;
            s.pending &= !bit(signal);
            (signal, s.codes[signal as usize - 1])
        })
    }) {
        ran = ran.and(deliver(signal, code));
    }
    ran
}

/// Makes `signal` pending as the kernel sends it (an expired timer's), unless it is ignored;
/// pending signals are not queued, so a second one before delivery is merged.
pub fn post(signal: u64) {
    STATE.with(|s| {
        let action = s.actions[signal as usize - 1];
        let ignored =
            action.handler == SIG_IGN || (action.handler == SIG_DFL && ignored_by_default(signal));
        if !ignored {
            s.pending |= bit(signal);
            s.codes[signal as usize - 1] = SI_KERNEL;
        }
    });
}

/// Runs what is due: expired timers' signals and pending signals no longer blocked. Called at
/// the end of every system call and from every wait.
pub fn run_due() -> Ran {
    crate::itimer::expire();
    // The blocked set (a thread library's lookup) only when something is pending: this runs
    // at the end of every system call.
    if STATE.with(|s| s.pending == 0 || s.pending & !s.blocked() == 0) {
        return Ran::Nothing;
    }
    deliver_pending()
}

/// For a wait: runs what is due and says whether the wait must end with `EINTR` (a handler
/// ran; for a `restartable` call, one without `SA_RESTART`).
pub fn interrupted(restartable: bool) -> bool {
    match run_due() {
        Ran::Nothing => false,
        Ran::Restartable => !restartable,
        Ran::Interrupting => true,
    }
}

/// The same for the waits of other pool libraries (linux_thread's sleeps): 1 when the wait
/// must end with `EINTR`.
#[no_mangle]
pub extern "C" fn uk_signal_interrupted(restartable: i32) -> i32 {
    i32::from(interrupted(restartable != 0))
}

/// The earliest deadline of an armed interval timer (monotonic ns; `u64::MAX`: none), so
/// that a sleeper wakes when its signal is due.
#[no_mangle]
pub extern "C" fn uk_signal_next_timer() -> u64 {
    crate::itimer::next_deadline()
}

/// Replaces the calling thread's blocked set for a wait that takes a signal mask (`ppoll`,
/// `pselect6`; the set at `set`, `size` bytes); returns the set to put back, or None when
/// `set` is null.
pub fn mask_for_wait(set: u64, size: u64) -> Result<Option<u64>, i64> {
    if set == 0 {
        return Ok(None);
    }
    if size != 8 {
        return Err(EINVAL);
    }
    // SAFETY: the caller passed a 64-bit signal set.
    let mask = unsafe { (set as *const u64).read_unaligned() } & !UNBLOCKABLE;
    Ok(Some(STATE.with(|s| {
        let saved = s.blocked();
        s.set_blocked(mask);
        saved
    })))
}

/// Puts back the blocked set that [`mask_for_wait`] replaced.
pub fn unmask_after_wait(saved: Option<u64>) {
    if let Some(saved) = saved {
        STATE.with(|s| s.set_blocked(saved));
    }
}

/// `pause()`: waits until a handler has run, then fails with `EINTR`.
pub fn pause() -> i64 {
    while !interrupted(false) {
        crate::platform::idle();
    }
    -EINTR
}

/// `rt_sigsuspend(set, size)`: waits with the blocked set replaced by `set` until a handler
/// has run, then puts the previous set back and fails with `EINTR`.
pub fn sigsuspend(set: u64, size: u64) -> i64 {
    if size != 8 {
        return -EINVAL;
    }
    if set == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed a 64-bit signal set.
    let mask = unsafe { (set as *const u64).read_unaligned() } & !UNBLOCKABLE;
    let saved = STATE.with(|s| {
        let saved = s.blocked();
        s.set_blocked(mask);
        saved
    });
    while !interrupted(false) {
        crate::platform::idle();
    }
    STATE.with(|s| s.set_blocked(saved));
    -EINTR
}

/// `rt_sigaction(signal, new, old, size)`.
pub fn sigaction(signal: u64, new: u64, old: u64, size: u64) -> i64 {
    if signal == 0 || signal > 64 || size != 8 {
        return -EINVAL;
    }
    if new != 0 && (signal == SIGKILL || signal == SIGSTOP) {
        return -EINVAL;
    }
    let new = (new != 0).then(|| {
        // SAFETY: the caller passed a kernel `struct sigaction` (four 64-bit fields).
        let words = unsafe { (new as *const [u64; 4]).read_unaligned() };
        Action {
            handler: words[0],
            flags: words[1],
            restorer: words[2],
            mask: words[3],
        }
    });
    let previous = STATE.with(|s| {
        let slot = &mut s.actions[signal as usize - 1];
        let previous = *slot;
        if let Some(action) = new {
            *slot = action;
            // Setting a pending signal to be ignored discards it, as on Linux.
            if action.handler == SIG_IGN
                || (action.handler == SIG_DFL && ignored_by_default(signal))
            {
                s.pending &= !bit(signal);
            }
        }
        previous
    });
    if old != 0 {
        let words = [
            previous.handler,
            previous.flags,
            previous.restorer,
            previous.mask,
        ];
        // SAFETY: as above, for the old action.
        unsafe { (old as *mut [u64; 4]).write_unaligned(words) };
    }
    0
}

/// `rt_sigprocmask(how, new, old, size)`: then the signals it unblocked run.
pub fn sigprocmask(how: u64, new: u64, old: u64, size: u64) -> i64 {
    if size != 8 {
        return -EINVAL;
    }
    let set = if new == 0 {
        None
    } else {
        // SAFETY: the caller passed a 64-bit signal set.
        Some(unsafe { (new as *const u64).read_unaligned() })
    };
    let result = STATE.with(|s| {
        let previous = s.blocked();
        if let Some(set) = set {
            s.set_blocked(
                match how {
                    SIG_BLOCK => previous | set,
                    SIG_UNBLOCK => previous & !set,
                    SIG_SETMASK => set,
                    _ => return Err(EINVAL),
                } & !UNBLOCKABLE,
            );
        } else if how > SIG_SETMASK {
            return Err(EINVAL);
        }
        Ok(previous)
    });
    match result {
        Ok(previous) => {
            if old != 0 {
                // SAFETY: the caller passed room for a 64-bit signal set.
                unsafe { (old as *mut u64).write_unaligned(previous) };
            }
            deliver_pending();
            0
        }
        Err(e) => -e,
    }
}

/// `rt_sigpending(set, size)`: the signals sent while blocked.
pub fn sigpending(out: u64, size: u64) -> i64 {
    if size != 8 {
        return -EINVAL;
    }
    let pending = STATE.with(|s| s.pending);
    // SAFETY: the caller passed room for a 64-bit signal set.
    unsafe { (out as *mut u64).write_unaligned(pending) };
    0
}
