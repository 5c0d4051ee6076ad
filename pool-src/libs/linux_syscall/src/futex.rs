//! `futex` for a program without the thread library: one thread, so nothing but a signal
//! handler can change a futex word while it waits, and nobody else waits.
//!
//! A wait checks the word (`EAGAIN` if it changed), then waits until its deadline
//! (`ETIMEDOUT`) or until a signal handler runs (`EINTR`; a wait without a timeout is restarted
//! after an `SA_RESTART` handler, as Linux restarts it). A wake finds no waiter and returns 0.
//! This is what semaphores and condition variables with timeouts need in a single-threaded
//! program (`sem_timedwait`, `pthread_cond_timedwait`); without it musl spins on `ENOSYS`.
//! The priority-inheritance locks follow Linux's word protocol: the only thread takes a free
//! lock (`FUTEX_OWNER_DIED` kept), finds its own (`EDEADLK`) or one whose owner is gone
//! (`ESRCH`); `set_robust_list`/`get_robust_list` keep its robust list (musl asks for it
//! before it offers robust mutexes). `linux_thread`, when linked, registers the full futex
//! with waiters on the scheduler and per-thread robust lists. Other operations
//! (`FUTEX_WAKE_OP`, the requeue-to-PI pair) are logged by name and refused with `ENOSYS`.

use crate::errno::*;
use crate::time;

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
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// `sizeof(struct robust_list_head)`.
const ROBUST_LIST_HEAD: u64 = 24;

/// The process's (only thread's) robust list head.
static ROBUST_LIST: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// `set_robust_list(head, len)`.
pub fn set_robust_list(head: u64, len: u64) -> i64 {
    if len != ROBUST_LIST_HEAD {
        return -EINVAL;
    }
    ROBUST_LIST.store(head, core::sync::atomic::Ordering::Relaxed);
    0
}

/// `get_robust_list(tid, head_ptr, len_ptr)`.
pub fn get_robust_list(tid: u64, head_out: u64, len_out: u64) -> i64 {
    if tid != 0 && tid as i64 != crate::process::PID {
        return -ESRCH;
    }
    if head_out == 0 || len_out == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed a `struct robust_list_head **` and a `size_t *`.
    unsafe {
        (head_out as *mut u64)
            .write_unaligned(ROBUST_LIST.load(core::sync::atomic::Ordering::Relaxed));
        (len_out as *mut u64).write_unaligned(ROBUST_LIST_HEAD);
    }
    0
}
const FUTEX_PRIVATE_FLAG: u64 = 128;
const FUTEX_CLOCK_REALTIME: u64 = 256;
const CLOCK_REALTIME: u64 = 0;
const CLOCK_MONOTONIC: u64 = 1;

/// The futex word at `address` (4-byte aligned, not null).
fn word(address: u64) -> u32 {
    // SAFETY: the caller of futex passed the address of a 32-bit word.
    unsafe { (address as *const u32).read_volatile() }
}

/// `futex(address, op, value, timeout | value2, address2, value3)`.
pub fn futex(address: u64, op: u64, value: u64, timeout: u64, address2: u64, value3: u64) -> i64 {
    if address == 0 {
        return -EFAULT;
    }
    if !address.is_multiple_of(4) {
        return -EINVAL;
    }
    let command = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    let realtime = op & FUTEX_CLOCK_REALTIME != 0;
    match command {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            if command == FUTEX_WAIT_BITSET && value3 as u32 == 0 {
                return -EINVAL;
            }
            // FUTEX_WAIT's timeout is relative; FUTEX_WAIT_BITSET's absolute, on the monotonic
            // clock unless FUTEX_CLOCK_REALTIME says otherwise.
            let deadline = if timeout == 0 {
                None
            } else {
                // SAFETY: the caller passed a `struct timespec`.
                let ns = match unsafe { syscall_abi::timespec_ns(timeout) } {
                    Ok(ns) => ns,
                    Err(e) => return -e,
                };
                Some(if command == FUTEX_WAIT {
                    (
                        CLOCK_MONOTONIC,
                        time::now_ns(CLOCK_MONOTONIC).saturating_add(ns),
                    )
                } else if realtime {
                    (CLOCK_REALTIME, ns)
                } else {
                    (CLOCK_MONOTONIC, ns)
                })
            };
            if word(address) != value as u32 {
                return -EAGAIN;
            }
            match time::wait_until(deadline, deadline.is_none()) {
                Ok(()) => -ETIMEDOUT,
                Err(e) => -e,
            }
        }
        FUTEX_WAKE => 0,
        FUTEX_WAKE_BITSET if value3 as u32 == 0 => -EINVAL,
        FUTEX_WAKE_BITSET => 0,
        FUTEX_LOCK_PI | FUTEX_LOCK_PI2 | FUTEX_TRYLOCK_PI => {
            let me = crate::process::PID as u32;
            let current = word(address);
            match current & FUTEX_TID_MASK {
                0 => {
                    // SAFETY: as in `word`.
                    unsafe {
                        (address as *mut u32).write_volatile(me | (current & FUTEX_OWNER_DIED))
                    };
                    0
                }
                owner if owner == me => -EDEADLK,
                _ => -ESRCH,
            }
        }
        FUTEX_UNLOCK_PI => {
            if word(address) & FUTEX_TID_MASK != crate::process::PID as u32 {
                return -EPERM;
            }
            // SAFETY: as in `word`.
            unsafe { (address as *mut u32).write_volatile(0) };
            0
        }
        FUTEX_REQUEUE | FUTEX_CMP_REQUEUE => {
            if address2 == 0 || !address2.is_multiple_of(4) {
                return -EINVAL;
            }
            if command == FUTEX_CMP_REQUEUE && word(address) != value3 as u32 {
                return -EAGAIN;
            }
            0
        }
        _ => crate::table::unsupported(202, "operation", command, ENOSYS),
    }
}
