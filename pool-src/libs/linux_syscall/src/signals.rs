//! Signals in one process: actions (`rt_sigaction`), blocked sets (`rt_sigprocmask`), signals
//! sent to the process (`kill`, an interval timer's, [`crate::itimer`]) or to one thread
//! (`tkill`, `tgkill`: `raise`, `pthread_kill`, `pthread_cancel`), alternate stacks
//! (`sigaltstack`), and delivery as Linux does it: a handler runs on a signal frame
//! (`struct rt_sigframe`: the return address `sa_restorer`, a `ucontext_t` with every register
//! of the interrupted code, its SSE state and blocked set, and a `siginfo_t`) built on the
//! thread's stack below its red zone or on its alternate stack, and `rt_sigreturn` restores
//! what the `ucontext_t` then holds (a handler may change it: musl's cancellation handler moves
//! the program counter). See [`crate::signal_frame`].
//!
//! Signals are delivered at the end of a system call ([`at_exit`]) and, through the
//! architecture's interrupt-return hook, when an interrupt arrives while the program runs
//! ([`crate::signal_frame::uk_signal_at_interrupt`]), so a timer's signal interrupts a loop that
//! makes no calls. A wait (`poll`, sleeps, pipe and futex waits, ...) that a deliverable signal
//! finds ends with `EINTR`, or, for a call Linux restarts, with `ERESTARTSYS`: then the call is
//! restarted after a handler with `SA_RESTART` (the frame resumes at the `syscall` instruction)
//! and fails with `EINTR` after one without. A signal sent to another thread wakes it where it
//! waits (`uk_signal_wake_hook`, which linux_thread registers). An ignored signal is dropped.
//! A signal whose default action ends the process ends the guest with a crash report naming
//! it (status 127), so `abort()` never reaches musl's `a_crash()`.
//!
//! Faults are crash reports, not signals. One action table serves all threads; each thread
//! has its blocked set (through linux_thread's hook), its pending set and its alternate stack;
//! a process-directed signal runs in the first thread that can take it.

use crate::cell::Global;
use crate::errno::*;
use crate::platform::ukarch_crash;
use crate::process::PID;
use alloc::collections::BTreeMap;
use core::sync::atomic::{AtomicPtr, Ordering};

/// The internal result of a wait that Linux restarts after a handler with `SA_RESTART`
/// (never seen by the program: [`at_exit`] turns it into a restart or `EINTR`).
pub const ERESTARTSYS: i64 = 512;
/// `sigaltstack` flags.
pub const SS_ONSTACK: u32 = 1;
pub const SS_DISABLE: u32 = 2;
pub const SS_AUTODISARM: u32 = 1 << 31;
const SIGKILL: u64 = 9;
const SIGSTOP: u64 = 19;
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;
pub const SA_ONSTACK: u64 = 0x0800_0000;
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
pub struct Action {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

struct State {
    actions: [Action; 64],
    /// The blocked set while no thread library keeps one per thread ([`uk_signal_mask_hook`]).
    blocked: u64,
    /// Signals sent to the process, waiting for a thread that does not block them.
    pending: u64,
    /// The `si_code` of each pending signal.
    codes: [i32; 64],
    /// Each thread's own signals and alternate stack, by thread id.
    threads: BTreeMap<i32, PerThread>,
}

/// What one thread has of its own.
#[derive(Clone, Copy)]
pub struct PerThread {
    /// Signals sent to this thread (`tkill`, `tgkill`), waiting for it.
    pub pending: u64,
    /// Its alternate signal stack: base, size, flags (`SS_DISABLE` when there is none).
    pub alt_base: u64,
    pub alt_size: u64,
    pub alt_flags: u32,
    /// The blocked set that a wait with a temporary mask (`sigsuspend`, `ppoll`, `pselect6`)
    /// replaced, to put back once the handler of the signal that ended it is set up.
    pub saved_mask: Option<u64>,
}

impl Default for PerThread {
    fn default() -> Self {
        PerThread {
            pending: 0,
            alt_base: 0,
            alt_size: 0,
            alt_flags: SS_DISABLE,
            saved_mask: None,
        }
    }
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
    threads: BTreeMap::new(),
});

/// The calling thread's id (the process id without a thread library).
pub fn current_tid() -> i32 {
    const GETTID: i64 = 186;
    crate::table::uk_syscall(GETTID, 0, 0, 0, 0, 0, 0) as i32
}

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
    /// True when no signal is pending for the process or any thread and no wait left a saved
    /// mask: nothing to deliver or put back, whichever thread asks.
    fn idle(&self) -> bool {
        self.pending == 0
            && self
                .threads
                .values()
                .all(|t| t.pending == 0 && t.saved_mask.is_none())
    }

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
pub fn ignored_by_default(signal: u64) -> bool {
    matches!(signal, 17 | 18 | 19 | 20 | 21 | 22 | 23 | 28)
}

/// The default action of a signal that ends the process: a crash report naming it.
pub fn terminate(signal: u64) -> ! {
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

/// A thread library's view of its threads for signals: `hook(tid, 0)` says whether thread
/// `tid` exists (1 or 0); `hook(tid, 1)` wakes it from the wait it is blocked in (a futex
/// wait, a sleep), which then finds the signal sent to it.
type WakeHook = unsafe extern "C" fn(tid: i32, wake: i32) -> i32;

static WAKE_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Makes `hook` wake threads that a signal was sent to (linux_thread registers one).
#[no_mangle]
pub extern "C" fn uk_signal_wake_hook(hook: Option<WakeHook>) {
    let pointer = hook.map_or(core::ptr::null_mut(), |h| h as *mut ());
    WAKE_HOOK.store(pointer, Ordering::Release);
}

fn wake_hook() -> Option<WakeHook> {
    let pointer = WAKE_HOOK.load(Ordering::Acquire);
    // SAFETY: only `uk_signal_wake_hook` stores here, and only `WakeHook` values.
    (!pointer.is_null()).then(|| unsafe { core::mem::transmute::<*mut (), WakeHook>(pointer) })
}

/// Whether thread `tid` exists (without a thread library: only the process's own).
fn thread_exists(tid: i32) -> bool {
    match wake_hook() {
        // SAFETY: a query of the thread library's table.
        Some(hook) => (unsafe { hook(tid, 0) }) != 0,
        None => i64::from(tid) == PID,
    }
}

fn wake(tid: i32) {
    if let Some(hook) = wake_hook() {
        // SAFETY: the hook only wakes the thread, if it is waiting.
        unsafe { hook(tid, 1) };
    }
}

/// Whether `signal` under `action` is discarded rather than delivered.
fn discarded(signal: u64, action: &Action) -> bool {
    action.handler == SIG_IGN || (action.handler == SIG_DFL && ignored_by_default(signal))
}

/// `kill` to the process, or `tkill`/`tgkill` to one of its threads (`thread`: `target` is a
/// thread id). The signal is delivered when the call ends, or when the thread it was sent to
/// can take it (that thread is woken from its wait).
pub fn send_signal(target: i64, signal: u64, thread: bool) -> i64 {
    let process = !thread && (target == PID || target == 0 || target == -1);
    if !process && !thread {
        return -ESRCH;
    }
    if thread && (target <= 0 || !thread_exists(target as i32)) {
        return if target <= 0 { -EINVAL } else { -ESRCH };
    }
    if signal > 64 {
        return -EINVAL;
    }
    if signal == 0 {
        return 0;
    }
    let code = if thread { SI_TKILL } else { SI_USER };
    let me = current_tid();
    STATE.with(|s| {
        let action = s.actions[signal as usize - 1];
        if discarded(signal, &action) {
            return;
        }
        s.codes[signal as usize - 1] = code;
        if thread {
            s.threads.entry(target as i32).or_default().pending |= bit(signal);
        } else {
            s.pending |= bit(signal);
        }
    });
    if thread && target as i32 != me {
        wake(target as i32);
    }
    0
}

/// Makes `signal` pending as the kernel sends it (an expired timer's), unless it is ignored;
/// pending signals are not queued, so a second one before delivery is merged.
pub fn post(signal: u64) {
    STATE.with(|s| {
        let action = s.actions[signal as usize - 1];
        if !discarded(signal, &action) {
            s.pending |= bit(signal);
            s.codes[signal as usize - 1] = SI_KERNEL;
        }
    });
}

/// The signals the calling thread (`me`) could take now: its own and the process's, not
/// blocked.
fn deliverable(s: &State, me: i32) -> u64 {
    let own = s.threads.get(&me).map_or(0, |t| t.pending);
    (own | s.pending) & !s.blocked()
}

/// Host mode: the signals pending in the host for the calling thread (or its process) that
/// the program's blocked set `blocked` lets through.
fn host_deliverable(blocked: u64) -> u64 {
    const RT_SIGPENDING: i64 = 127;
    const SIGSYS: u64 = 31;
    let mut pending = 0u64;
    crate::host::syscall(
        RT_SIGPENDING,
        [&mut pending as *mut u64 as u64, 8, 0, 0, 0, 0],
    );
    pending & !blocked & !bit(SIGSYS)
}

/// Host mode: whether the handler of the signal the host delivers next (the lowest pending
/// one the program lets through) has `SA_RESTART`.
pub fn host_restarts(blocked: u64) -> bool {
    const RT_SIGACTION: i64 = 13;
    let ready = host_deliverable(blocked);
    if ready == 0 {
        return true;
    }
    let signal = u64::from(ready.trailing_zeros()) + 1;
    let mut action = [0u64; 4];
    crate::host::syscall(
        RT_SIGACTION,
        [signal, 0, action.as_mut_ptr() as u64, 8, 0, 0],
    );
    action[1] & SA_RESTART != 0
}

/// Whether a signal can be delivered to the calling thread now (expired timers first post
/// theirs; in host mode, the host's pending signals).
pub fn any_deliverable() -> bool {
    if crate::host::attached() {
        return host_deliverable(crate::table::trapped_blocked_set()) != 0;
    }
    crate::itimer::expire();
    let me = current_tid();
    STATE.with(|s| deliverable(s, me) != 0)
}

/// For a wait: `Some(errno)` when a signal can be delivered to the calling thread, which ends
/// the wait: `ERESTARTSYS` for a call that Linux restarts after a handler with `SA_RESTART`
/// (`restartable`), `EINTR` for the others.
pub fn wait_ends(restartable: bool) -> Option<i64> {
    any_deliverable().then_some(if restartable { ERESTARTSYS } else { EINTR })
}

/// The same for the waits of other pool libraries (linux_thread's sleeps and futex waits): 0,
/// or the positive error number with which the wait ends.
#[no_mangle]
pub extern "C" fn uk_signal_interrupted(restartable: i32) -> i32 {
    wait_ends(restartable != 0).unwrap_or(0) as i32
}

/// Takes the signal to deliver to the calling thread (`me`) now, lowest number first, its own
/// before the process's: `(signal, code, action)`. The action's `SA_RESETHAND` is applied.
pub fn take_deliverable(me: i32) -> Option<(u64, i32, Action)> {
    STATE.with(|s| {
        let ready = deliverable(s, me);
        if ready == 0 {
            return None;
        }
        let own = s.threads.get(&me).map_or(0, |t| t.pending) & ready;
        let set = if own != 0 { own } else { ready };
        let signal = u64::from(set.trailing_zeros()) + 1;
        if own != 0 {
            if let Some(t) = s.threads.get_mut(&me) {
                t.pending &= !bit(signal);
            }
        } else {
            s.pending &= !bit(signal);
        }
        let action = s.actions[signal as usize - 1];
        if action.flags & SA_RESETHAND != 0 && action.handler > SIG_IGN {
            s.actions[signal as usize - 1] = Action::default();
        }
        Some((signal, s.codes[signal as usize - 1], action))
    })
}

/// True when no signal is pending anywhere (and no wait left a saved mask).
pub fn nothing_pending() -> bool {
    STATE.with(|s| s.idle())
}

/// What the end of a call does with the signals that came due.
pub enum Exit {
    /// Return this result to the program.
    Return(i64),
    /// Serve the call again (it ended with `ERESTARTSYS` and no handler ran).
    Restart,
}

/// The end of a system call in ring 0: delivers a signal that the calling thread can take by
/// entering its handler on a signal frame (this does not return), or ends the process for
/// one whose default action does; otherwise returns the call's result (`ERESTARTSYS` becomes
/// a restart of the call).
///
/// # Safety
/// `frame` and `fpstate` are the entry stub's saved registers and SSE state of this call.
pub unsafe fn at_exit(frame: *mut crate::entry::Frame, fpstate: *const u8, result: i64) -> Exit {
    crate::itimer::expire();
    crate::itimer::arm_hardware();
    // Every call ends here: without a pending signal or a wait's saved mask, nothing needs
    // the calling thread's id (a thread library's lookup).
    if nothing_pending() {
        return if result == -ERESTARTSYS {
            Exit::Restart
        } else {
            Exit::Return(result)
        };
    }
    let me = current_tid();
    loop {
        let Some((signal, code, action)) = take_deliverable(me) else {
            // A temporary mask with nothing delivered: put the thread's own back.
            if let Some(saved) = take_saved_mask(me) {
                STATE.with(|s| s.set_blocked(saved));
            }
            return if result == -ERESTARTSYS {
                Exit::Restart
            } else {
                Exit::Return(result)
            };
        };
        match action.handler {
            SIG_IGN => continue,
            SIG_DFL if ignored_by_default(signal) => continue,
            SIG_DFL => terminate(signal),
            _ => {}
        }
        // SAFETY: the caller's contract.
        let context = unsafe {
            crate::signal_frame::Context::after_syscall(
                &*frame,
                fpstate,
                result,
                action.flags & SA_RESTART != 0,
            )
        };
        // SAFETY: as above; the frame is built on the program's stack below what it uses.
        unsafe { crate::signal_frame::enter_handler(me, signal, code, &action, &context) }
    }
}

/// Sets the calling thread's blocked set for running the handler of `signal` under `action`
/// (its mask, and the signal itself unless `SA_NODEFER`); returns the set to put back when
/// the handler returns (a wait's saved set, if it had a temporary one).
pub fn block_for_handler(me: i32, signal: u64, action: &Action) -> u64 {
    let saved = take_saved_mask(me);
    STATE.with(|s| {
        let current = s.blocked();
        let mut blocked = current | action.mask;
        if action.flags & SA_NODEFER == 0 {
            blocked |= bit(signal);
        }
        s.set_blocked(blocked & !UNBLOCKABLE);
        saved.unwrap_or(current)
    })
}

/// Replaces the calling thread's blocked set (`rt_sigreturn`).
pub fn set_blocked(set: u64) {
    STATE.with(|s| s.set_blocked(set & !UNBLOCKABLE));
}

fn take_saved_mask(me: i32) -> Option<u64> {
    STATE.with(|s| s.threads.get_mut(&me).and_then(|t| t.saved_mask.take()))
}

/// The calling thread's alternate stack (`base`, `size`, `flags`).
pub fn alt_stack(me: i32) -> (u64, u64, u32) {
    STATE.with(|s| {
        s.threads.get(&me).map_or((0, 0, SS_DISABLE), |t| {
            (t.alt_base, t.alt_size, t.alt_flags)
        })
    })
}

/// Replaces the calling thread's alternate stack.
pub fn set_alt_stack(me: i32, base: u64, size: u64, flags: u32) {
    STATE.with(|s| {
        let t = s.threads.entry(me).or_default();
        t.alt_base = base;
        t.alt_size = size;
        t.alt_flags = flags;
    });
}

/// Forgets a thread that has exited (its pending signals are lost, as on Linux).
#[no_mangle]
pub extern "C" fn uk_signal_thread_exited(tid: i32) {
    STATE.with(|s| {
        s.threads.remove(&tid);
    });
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

/// Ends a wait that [`mask_for_wait`] gave a temporary set: when a signal ended it (`result`
/// is `EINTR`), the temporary set stays until that signal's handler is set up, whose frame
/// then holds the thread's own set (as Linux does, so that a signal only the temporary set
/// let through is delivered); otherwise the thread's own set is put back now.
pub fn unmask_after_wait(saved: Option<u64>, result: i64) {
    let Some(saved) = saved else {
        return;
    };
    if result == -EINTR {
        let me = current_tid();
        STATE.with(|s| s.threads.entry(me).or_default().saved_mask = Some(saved));
    } else {
        STATE.with(|s| s.set_blocked(saved));
    }
}

/// `pause()`: waits until a signal is delivered, then fails with `EINTR`.
pub fn pause() -> i64 {
    while !any_deliverable() {
        crate::platform::idle();
    }
    -EINTR
}

/// `rt_sigsuspend(set, size)`: waits with the blocked set replaced by `set` until a signal is
/// delivered, then fails with `EINTR`; the handler's frame holds the previous set.
pub fn sigsuspend(set: u64, size: u64) -> i64 {
    if size != 8 {
        return -EINVAL;
    }
    if set == 0 {
        return -EFAULT;
    }
    let saved = match mask_for_wait(set, size) {
        Ok(saved) => saved,
        Err(e) => return -e,
    };
    while !any_deliverable() {
        crate::platform::idle();
    }
    unmask_after_wait(saved, -EINTR);
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
            if discarded(signal, &action) {
                s.pending &= !bit(signal);
                for thread in s.threads.values_mut() {
                    thread.pending &= !bit(signal);
                }
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
            // Signals it unblocked are delivered as the call ends.
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
    let me = current_tid();
    let pending = STATE.with(|s| s.pending | s.threads.get(&me).map_or(0, |t| t.pending));
    // SAFETY: the caller passed room for a 64-bit signal set.
    unsafe { (out as *mut u64).write_unaligned(pending) };
    0
}
