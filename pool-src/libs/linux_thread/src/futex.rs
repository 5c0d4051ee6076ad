//! `futex`: FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAIT_BITSET and
//! FUTEX_WAKE_BITSET, private or not (one address space), with timeouts on the monotonic or
//! the real-time clock; and the priority-inheritance family, FUTEX_LOCK_PI, FUTEX_LOCK_PI2,
//! FUTEX_TRYLOCK_PI and FUTEX_UNLOCK_PI, with Linux's word protocol (the owner's thread id,
//! `FUTEX_WAITERS`, `FUTEX_OWNER_DIED`) and hand-over: an unlock gives the lock to the oldest
//! waiter, whose id it writes into the word before waking it. The scheduler is cooperative
//! and has no priorities, so there is no priority to inherit: the protocol is what programs
//! (musl's `PTHREAD_PRIO_INHERIT` mutexes) need.
//!
//! Waiters live on their threads' stacks, in one list: each holds its futex address, its
//! bitset and a uksched wait queue of its own, on which only its thread sleeps. A wake takes
//! matching waiters off the list (oldest first) and wakes their queues; a requeue only changes
//! their address. Checking the futex word and queueing happen with interrupts disabled, on
//! the only CPU, so no wake-up is lost between them.

use crate::ffi::{
    self, Frame, WaitQueue, EAGAIN, EDEADLK, EFAULT, EINTR, EINVAL, ENOSYS, EPERM, ESRCH,
    ETIMEDOUT, FOREVER,
};
use core::ptr;

const FUTEX_WAIT: u64 = 0;
const FUTEX_WAKE: u64 = 1;
const FUTEX_REQUEUE: u64 = 3;
const FUTEX_CMP_REQUEUE: u64 = 4;
const FUTEX_LOCK_PI: u64 = 6;
const FUTEX_UNLOCK_PI: u64 = 7;
const FUTEX_TRYLOCK_PI: u64 = 8;
const FUTEX_WAIT_BITSET: u64 = 9;
const FUTEX_WAKE_BITSET: u64 = 10;
const FUTEX_LOCK_PI2: u64 = 13;
/// The lock word of a priority-inheritance futex: the owner's thread id, and these bits.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
const FUTEX_PRIVATE_FLAG: u64 = 128;
const FUTEX_CLOCK_REALTIME: u64 = 256;

struct Waiter {
    address: u64,
    bitset: u32,
    /// The waiting thread's id when it waits for a priority-inheritance lock (0: a plain wait).
    lock_for: u32,
    /// The waiting thread's id (a signal sent to it ends the wait).
    tid: i32,
    /// Set when a signal ended the wait.
    interrupted: bool,
    woken: bool,
    queue: WaitQueue,
    next: *mut Waiter,
}

impl Waiter {
    /// A waiter of thread `tid`, not on the list yet: on the futex at `address` for a wake
    /// that meets `bitset`, or (`lock_for`: the thread's id) for a priority-inheritance lock;
    /// a sleep has address 0, which no wake names.
    fn new(address: u64, bitset: u32, lock_for: u32, tid: i32) -> Waiter {
        Waiter {
            address,
            bitset,
            lock_for,
            tid,
            interrupted: false,
            woken: false,
            queue: WaitQueue::new(),
            next: ptr::null_mut(),
        }
    }
}

/// The first waiter (oldest first); touched only with interrupts disabled.
struct List(*mut Waiter);

static WAITERS: ffi::Locked<List> = ffi::Locked::new(List(ptr::null_mut()));

/// Removes `node` from the list if it is there.
///
/// # Safety
/// Interrupts are disabled (inside `WAITERS.with`); every node on the list is live.
unsafe fn unlink(list: &mut List, node: *mut Waiter) {
    let mut link: *mut *mut Waiter = &mut list.0;
    // SAFETY: the caller's contract; the links are list nodes.
    unsafe {
        while !(*link).is_null() {
            if *link == node {
                *link = (*node).next;
                return;
            }
            link = &mut (**link).next;
        }
    }
}

/// The futex word at `address`.
fn word(address: u64) -> u32 {
    // SAFETY: the caller of futex passed the address of a 32-bit word.
    unsafe { (address as *const u32).read_volatile() }
}

/// Waits on `address` while it holds `expected`, until woken or `deadline` (monotonic ns).
fn wait(address: u64, expected: u32, deadline: u64, bitset: u32) -> i64 {
    let mut waiter = Waiter::new(address, bitset, 0, crate::clone::current());
    let node: *mut Waiter = &mut waiter;
    // SAFETY: interrupts stay disabled from the check to the sleep (the wait queue call
    // sleeps with them disabled and returns with them disabled), so a wake cannot slip in
    // between; the node stays on this frame until it is off the list.
    unsafe {
        let flags = ffi::ukarch_irq_save();
        if word(address) != expected {
            ffi::ukarch_irq_restore(flags);
            return -EAGAIN;
        }
        block(node, deadline, flags)
    }
}

/// Queues `node` (last: wakes go oldest first) and sleeps until it is woken (0), `deadline`
/// passes (`-ETIMEDOUT`) or a signal ends the wait; restores the interrupt flag `flags`.
///
/// # Safety
/// Interrupts are disabled (saved in `flags`) since the caller checked the futex word; `node`
/// is on the caller's frame and not on the list.
unsafe fn block(node: *mut Waiter, deadline: u64, flags: u64) -> i64 {
    // SAFETY: the caller's contract; the node is off the list again whenever this returns.
    unsafe {
        WAITERS.with(|list| {
            let mut link: *mut *mut Waiter = &mut list.0;
            while !(*link).is_null() {
                link = &mut (**link).next;
            }
            *link = node;
        });
        if let Some(code) = signal_before_wait(node) {
            ffi::ukarch_irq_restore(flags);
            return -code(deadline == FOREVER);
        }
        if let Some(result) = sleep_on(node, deadline) {
            ffi::ukarch_irq_restore(flags);
            return result;
        }
        ffi::ukarch_irq_restore(flags);
        if (*node).interrupted {
            return -interrupted_code(deadline == FOREVER);
        }
    }
    0
}

/// The error a wait ends with when a signal was sent to its thread: `ERESTARTSYS` for a wait
/// without a timeout (restarted after a handler with `SA_RESTART`), `EINTR` otherwise.
fn interrupted_code(restartable: bool) -> i64 {
    // SAFETY: a query of linux_syscall's signals.
    let code = unsafe { ffi::uk_signal_interrupted(i32::from(restartable)) };
    if code != 0 {
        i64::from(code)
    } else {
        // Ignored or delivered meanwhile: Linux restarts or fails the same way.
        if restartable {
            ffi::ERESTARTSYS
        } else {
            EINTR
        }
    }
}

/// Before sleeping: a signal the thread can take already ends the wait. Returns a function of
/// `restartable` giving the error, after taking the node off the list.
///
/// # Safety
/// Interrupts are disabled; `node` is on the list.
unsafe fn signal_before_wait(node: *mut Waiter) -> Option<fn(bool) -> i64> {
    // SAFETY: a query of linux_syscall's signals; it takes its own lock only.
    if unsafe { ffi::uk_signal_interrupted(0) } == 0 {
        return None;
    }
    // SAFETY: the caller's contract.
    WAITERS.with(|list| unsafe { unlink(list, node) });
    Some(interrupted_code)
}

/// Sleeps on `node`'s queue until it is woken, `deadline` passes (`Some(-ETIMEDOUT)`, the
/// node taken off the list) or a signal comes due for the thread (an interval timer's: the
/// sleep also ends at the next timer deadline to look; `Some(-error)`).
///
/// # Safety
/// Interrupts are disabled; `node` is on the list, on the caller's frame.
unsafe fn sleep_on(node: *mut Waiter, deadline: u64) -> Option<i64> {
    // SAFETY: the caller's contract.
    unsafe {
        while !(*node).woken {
            let timer = ffi::uk_signal_next_timer();
            let timed_out = ffi::uk_waitq_wait_locked(&mut (*node).queue, deadline.min(timer)) != 0;
            if (*node).woken {
                break;
            }
            if timed_out && ffi::monotonic_ns() >= deadline {
                WAITERS.with(|list| unlink(list, node));
                return Some(-ETIMEDOUT);
            }
            if let Some(code) = signal_before_wait(node) {
                return Some(-code(deadline == FOREVER));
            }
        }
    }
    None
}

/// linux_syscall's wake hook: `wake` 0 asks whether thread `tid` exists; 1 ends the wait it is
/// blocked in (a futex wait, a lock wait, a sleep), if any.
pub unsafe extern "C" fn signal_wake(tid: i32, wake: i32) -> i32 {
    if wake == 0 {
        return i32::from(crate::clone::is_live(tid));
    }
    WAITERS.with(|list| {
        let mut cursor = list.0;
        // SAFETY: interrupts are disabled; list nodes are live waiters.
        unsafe {
            while !cursor.is_null() {
                let next = (*cursor).next;
                if (*cursor).tid == tid {
                    unlink(list, cursor);
                    (*cursor).interrupted = true;
                    (*cursor).woken = true;
                    ffi::uk_waitq_wake_all(&mut (*cursor).queue);
                }
                cursor = next;
            }
        }
    });
    1
}

/// Sleeps the calling thread until `deadline` (monotonic ns) or until a signal is sent to
/// it; `true` when a signal ended the sleep.
pub fn sleep_until(deadline: u64) -> bool {
    let mut waiter = Waiter::new(0, 0, 0, crate::clone::current());
    let node: *mut Waiter = &mut waiter;
    // SAFETY: as in `wait`: queued with interrupts disabled, the node stays on this frame
    // until it is off the list.
    unsafe {
        let flags = ffi::ukarch_irq_save();
        WAITERS.with(|list| {
            (*node).next = list.0;
            list.0 = node;
        });
        if !(*node).woken {
            ffi::uk_waitq_wait_locked(&mut (*node).queue, deadline);
        }
        if !(*node).woken {
            WAITERS.with(|list| unlink(list, node));
        }
        ffi::ukarch_irq_restore(flags);
        (*node).interrupted
    }
}

/// Wakes up to `count` waiters on `address` whose bitset meets `bitset`; returns how many.
pub fn wake(address: u64, count: u32, bitset: u32) -> i64 {
    take(address, count, bitset, 0, None)
}

/// Wakes up to `count` waiters on `address`, then moves up to `moved` more to `target`;
/// returns woken + moved.
fn requeue(address: u64, count: u32, moved: u32, target: Option<u64>) -> i64 {
    take(address, count, u32::MAX, moved, target)
}

fn take(address: u64, count: u32, bitset: u32, moved: u32, target: Option<u64>) -> i64 {
    WAITERS.with(|list| {
        let mut woken = 0u32;
        let mut requeued = 0u32;
        let mut cursor = list.0;
        // SAFETY: interrupts are disabled; list nodes are live waiters.
        unsafe {
            while !cursor.is_null() {
                let next = (*cursor).next;
                if (*cursor).address == address
                    && (*cursor).lock_for == 0
                    && (*cursor).bitset & bitset != 0
                {
                    if woken < count {
                        unlink(list, cursor);
                        (*cursor).woken = true;
                        ffi::uk_waitq_wake_all(&mut (*cursor).queue);
                        woken += 1;
                    } else if let Some(target) = target.filter(|_| requeued < moved) {
                        (*cursor).address = target;
                        requeued += 1;
                    } else {
                        break;
                    }
                }
                cursor = next;
            }
        }
        i64::from(woken) + i64::from(requeued)
    })
}

/// Whether a thread waits for the priority-inheritance lock at `address`.
///
/// # Safety
/// Interrupts are disabled (inside `WAITERS.with`); every node on the list is live.
unsafe fn lock_waiters(list: &List, address: u64) -> bool {
    let mut cursor = list.0;
    // SAFETY: the caller's contract.
    unsafe {
        while !cursor.is_null() {
            if (*cursor).address == address && (*cursor).lock_for != 0 {
                return true;
            }
            cursor = (*cursor).next;
        }
    }
    false
}

/// Writes the futex word at `address`.
fn set_word(address: u64, value: u32) {
    // SAFETY: the caller of futex passed the address of a 32-bit word.
    unsafe { (address as *mut u32).write_volatile(value) };
}

/// FUTEX_LOCK_PI, FUTEX_LOCK_PI2 (`wait`) and FUTEX_TRYLOCK_PI: takes the lock word at
/// `address` for the calling thread when no thread holds it (keeping `FUTEX_OWNER_DIED`,
/// which tells the caller its previous owner died), or waits until an unlock hands it over
/// or until `deadline`.
fn lock_pi(address: u64, wait: bool, deadline: u64) -> i64 {
    let me = crate::clone::current() as u32;
    let mut waiter = Waiter::new(address, u32::MAX, me, me as i32);
    let node: *mut Waiter = &mut waiter;
    // SAFETY: as in `wait`: the word is checked and the waiter queued with interrupts
    // disabled, and the node stays on this frame until it is off the list.
    unsafe {
        let flags = ffi::ukarch_irq_save();
        let value = word(address);
        let owner = value & FUTEX_TID_MASK;
        if owner == 0 {
            let waiters = WAITERS.with(|list| lock_waiters(list, address));
            let bits = if waiters { FUTEX_WAITERS } else { 0 };
            set_word(address, me | (value & FUTEX_OWNER_DIED) | bits);
            ffi::ukarch_irq_restore(flags);
            return 0;
        }
        if owner == me {
            ffi::ukarch_irq_restore(flags);
            return -EDEADLK;
        }
        if !crate::clone::is_live(owner as i32) {
            // The owner is gone and left the word as it was (no robust list): Linux refuses.
            ffi::ukarch_irq_restore(flags);
            return -ESRCH;
        }
        if !wait {
            ffi::ukarch_irq_restore(flags);
            return -EAGAIN;
        }
        set_word(address, value | FUTEX_WAITERS);
        block(node, deadline, flags)
    }
}

/// FUTEX_UNLOCK_PI: the calling thread gives up the lock word at `address`, to the oldest
/// waiter if there is one (its id in the word, with `FUTEX_WAITERS` if others still wait).
fn unlock_pi(address: u64) -> i64 {
    let me = crate::clone::current() as u32;
    WAITERS.with(|list| {
        if word(address) & FUTEX_TID_MASK != me {
            return -EPERM;
        }
        let mut cursor = list.0;
        // SAFETY: interrupts are disabled; list nodes are live waiters.
        unsafe {
            while !cursor.is_null() {
                if (*cursor).address == address && (*cursor).lock_for != 0 {
                    unlink(list, cursor);
                    let more = if lock_waiters(list, address) {
                        FUTEX_WAITERS
                    } else {
                        0
                    };
                    set_word(address, (*cursor).lock_for | more);
                    (*cursor).woken = true;
                    ffi::uk_waitq_wake_all(&mut (*cursor).queue);
                    return 0;
                }
                cursor = (*cursor).next;
            }
        }
        set_word(address, 0);
        0
    })
}

/// What Linux does for each futex of a robust list that a thread held when it exited: marks
/// the word `FUTEX_OWNER_DIED` (keeping `FUTEX_WAITERS`) and wakes one waiter, or, for a
/// priority-inheritance futex (`pi`) with waiters, hands the lock to the oldest one with the
/// mark set, so that its lock call returns and the mutex reports EOWNERDEAD.
pub fn owner_died(address: u64, tid: u32, pi: bool) {
    if address == 0 || !address.is_multiple_of(4) {
        return;
    }
    let handed_over = WAITERS.with(|list| {
        let value = word(address);
        if value & FUTEX_TID_MASK != tid {
            return true;
        }
        if pi {
            let mut cursor = list.0;
            // SAFETY: interrupts are disabled; list nodes are live waiters.
            unsafe {
                while !cursor.is_null() {
                    if (*cursor).address == address && (*cursor).lock_for != 0 {
                        unlink(list, cursor);
                        let more = if lock_waiters(list, address) {
                            FUTEX_WAITERS
                        } else {
                            0
                        };
                        set_word(address, (*cursor).lock_for | FUTEX_OWNER_DIED | more);
                        (*cursor).woken = true;
                        ffi::uk_waitq_wake_all(&mut (*cursor).queue);
                        return true;
                    }
                    cursor = (*cursor).next;
                }
            }
        }
        set_word(address, (value & FUTEX_WAITERS) | FUTEX_OWNER_DIED);
        value & FUTEX_WAITERS == 0
    });
    if !handed_over {
        wake(address, 1, u32::MAX);
    }
}

/// The monotonic deadline of a wait: `timeout` relative (FUTEX_WAIT) or absolute on the
/// monotonic or real-time clock (FUTEX_WAIT_BITSET).
fn deadline(timeout: u64, absolute: bool, realtime: bool) -> Result<u64, i64> {
    if timeout == 0 {
        return Ok(FOREVER);
    }
    // SAFETY: the caller of futex passed a `struct timespec`.
    let ns = unsafe { syscall_abi::timespec_ns(timeout) }?;
    Ok(crate::clock::deadline(ns, absolute, realtime))
}

/// `futex(address, op, value, timeout | value2, address2, value3)`.
pub unsafe extern "C" fn futex(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [address, op, value, timeout, address2, value3] = unsafe { (*frame).args() };
    if address == 0 || address % 4 != 0 {
        return if address == 0 { -EFAULT } else { -EINVAL };
    }
    let realtime = op & FUTEX_CLOCK_REALTIME != 0;
    let command = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    let value = value as u32;
    match command {
        FUTEX_WAIT => match deadline(timeout, false, realtime) {
            Ok(deadline) => wait(address, value, deadline, u32::MAX),
            Err(e) => -e,
        },
        FUTEX_WAIT_BITSET => {
            if value3 as u32 == 0 {
                return -EINVAL;
            }
            match deadline(timeout, true, realtime) {
                Ok(deadline) => wait(address, value, deadline, value3 as u32),
                Err(e) => -e,
            }
        }
        FUTEX_WAKE => requeue(address, value, 0, None),
        FUTEX_WAKE_BITSET => {
            if value3 as u32 == 0 {
                return -EINVAL;
            }
            wake(address, value, value3 as u32)
        }
        // FUTEX_LOCK_PI's timeout is absolute on the real-time clock; FUTEX_LOCK_PI2's on the
        // monotonic clock unless FUTEX_CLOCK_REALTIME says otherwise.
        FUTEX_LOCK_PI | FUTEX_LOCK_PI2 => {
            match deadline(timeout, true, command == FUTEX_LOCK_PI || realtime) {
                Ok(deadline) => lock_pi(address, true, deadline),
                Err(e) => -e,
            }
        }
        FUTEX_TRYLOCK_PI => lock_pi(address, false, FOREVER),
        FUTEX_UNLOCK_PI => unlock_pi(address),
        FUTEX_REQUEUE | FUTEX_CMP_REQUEUE => {
            if address2 == 0 || address2 % 4 != 0 {
                return -EINVAL;
            }
            if command == FUTEX_CMP_REQUEUE && word(address) != value3 as u32 {
                return -EAGAIN;
            }
            requeue(address, value, timeout as u32, Some(address2))
        }
        // SAFETY: a NUL-terminated word.
        _ => unsafe { ffi::uk_syscall_unsupported(202, c"operation".as_ptr(), command, ENOSYS) },
    }
}
