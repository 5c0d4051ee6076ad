//! `clone` for threads, thread `exit`, `set_tid_address`, `gettid`, and each thread's robust
//! list (`set_robust_list`, `get_robust_list`), which `exit` walks as Linux does: every futex
//! the thread still held is marked `FUTEX_OWNER_DIED` and a waiter woken
//! ([`futex::owner_died`]).
//!
//! A clone child is a uksched thread whose entry sets the new thread pointer (`FS_BASE`) and
//! resumes the caller's registers on the new stack with rax = 0, exactly where the parent
//! returns from its `syscall` with the child's id: musl's `__clone` needs nothing else. The
//! uksched stack of the child only holds that entry's frame; the thread runs on the stack its
//! creator gave it. Thread ids start at 2 (the first thread is 1, the process id).
//!
//! A thread's `exit` clears and wakes its `CLONE_CHILD_CLEARTID` word (how musl learns that a
//! thread is gone and its stack can be reused), then ends the uksched thread; the last thread
//! to exit ends the image with its status.

use crate::ffi::{self, Frame, Locked, EAGAIN, EFAULT, EINVAL, ESRCH};
use crate::futex;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::c_void;

const CLONE_VM: u64 = 0x100;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;
const MSR_FS_BASE: u32 = 0xC000_0100;
/// The first thread's id (also the process id).
const FIRST_TID: i32 = 1;
/// The uksched stack of a clone child: only its entry frame lives there.
const ENTRY_STACK: usize = 8 * 1024;

/// One Linux thread.
struct Entry {
    tid: i32,
    /// Its uksched thread.
    thread: *mut c_void,
    /// The `CLONE_CHILD_CLEARTID` / `set_tid_address` word (0: none).
    clear_tid: u64,
    /// Its blocked signals (linux_syscall's signals ask through [`signal_mask`]).
    mask: u64,
    /// Its `set_robust_list` head (0: none).
    robust_list: u64,
}

struct Threads {
    /// Every live thread; empty until the first `clone` (the first thread is then added).
    live: Vec<Entry>,
    next_tid: i32,
    /// The first thread's `set_tid_address` word and blocked signals before any clone.
    first_clear_tid: u64,
    first_mask: u64,
    first_robust_list: u64,
}

static THREADS: Locked<Threads> = Locked::new(Threads {
    live: Vec::new(),
    next_tid: FIRST_TID + 1,
    first_clear_tid: 0,
    first_mask: 0,
    first_robust_list: 0,
});

/// What a new thread needs to start (moved onto its own stack by [`child_entry`]).
struct Start {
    frame: Frame,
    stack: u64,
    tls: Option<u64>,
}

/// The calling thread's id.
fn current_tid(t: &Threads) -> i32 {
    // SAFETY: a plain query.
    let me = unsafe { ffi::uk_thread_current() };
    t.live
        .iter()
        .find(|e| e.thread == me)
        .map_or(FIRST_TID, |e| e.tid)
}

/// The calling thread's id.
pub fn current() -> i32 {
    THREADS.with(|t| current_tid(t))
}

/// Whether thread `tid` is running (the first thread always is until the process ends).
pub fn is_live(tid: i32) -> bool {
    THREADS.with(|t| {
        if t.live.is_empty() {
            tid == FIRST_TID
        } else {
            t.live.iter().any(|e| e.tid == tid)
        }
    })
}

/// The calling thread's robust list head.
fn robust_list_of(t: &mut Threads) -> &mut u64 {
    // SAFETY: a plain query.
    let me = unsafe { ffi::uk_thread_current() };
    match t.live.iter_mut().find(|e| e.thread == me) {
        Some(entry) => &mut entry.robust_list,
        None => &mut t.first_robust_list,
    }
}

/// `sizeof(struct robust_list_head)`: the list pointer, the futex offset, the pending entry.
const ROBUST_LIST_HEAD: u64 = 24;
/// How many entries Linux walks at most (`ROBUST_LIST_LIMIT`): a corrupt list cannot hang it.
const ROBUST_LIST_LIMIT: usize = 2048;

/// `set_robust_list(head, len)`.
pub unsafe extern "C" fn set_robust_list(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [head, len, ..] = unsafe { (*frame).args() };
    if len != ROBUST_LIST_HEAD {
        return -EINVAL;
    }
    THREADS.with(|t| *robust_list_of(t) = head);
    0
}

/// `get_robust_list(tid, head_ptr, len_ptr)`: 0 is the calling thread.
pub unsafe extern "C" fn get_robust_list(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [tid, head_out, len_out, ..] = unsafe { (*frame).args() };
    let head = THREADS.with(|t| {
        if tid == 0 || tid as i32 == current_tid(t) {
            Some(*robust_list_of(t))
        } else if t.live.is_empty() {
            None
        } else {
            t.live
                .iter()
                .find(|e| e.tid == tid as i32)
                .map(|e| e.robust_list)
        }
    });
    let Some(head) = head else {
        return -ESRCH;
    };
    if head_out == 0 || len_out == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed a `struct robust_list_head **` and a `size_t *`.
    unsafe {
        (head_out as *mut u64).write_unaligned(head);
        (len_out as *mut u64).write_unaligned(ROBUST_LIST_HEAD);
    }
    0
}

/// Reads a pointer-sized word of the exiting thread's robust list.
fn read_word(address: u64) -> u64 {
    // SAFETY: the list lives in the program's memory, which is all mapped in one address space;
    // a corrupt list can only make this read garbage, which the walk's limit bounds.
    unsafe { (address as *const u64).read_volatile() }
}

/// Walks the robust list at `head` of thread `tid`, which is exiting.
fn release_robust_futexes(head: u64, tid: i32) {
    if head == 0 || !head.is_multiple_of(8) {
        return;
    }
    let offset = read_word(head + 8) as i64;
    let pending = read_word(head + 16);
    let at = |entry: u64| (entry & !1).wrapping_add_signed(offset);
    let mut entry = read_word(head);
    let mut seen = 0;
    while entry != head && entry != 0 && seen < ROBUST_LIST_LIMIT {
        let next = read_word(entry & !1);
        // The pending entry is handled below, once.
        if entry != pending {
            futex::owner_died(at(entry), tid as u32, entry & 1 != 0);
        }
        entry = next;
        seen += 1;
    }
    if pending != 0 {
        futex::owner_died(at(pending), tid as u32, pending & 1 != 0);
    }
}

/// The calling thread's blocked signals.
fn mask_of(t: &mut Threads) -> &mut u64 {
    // SAFETY: a plain query.
    let me = unsafe { ffi::uk_thread_current() };
    match t.live.iter_mut().find(|e| e.thread == me) {
        Some(entry) => &mut entry.mask,
        None => &mut t.first_mask,
    }
}

/// linux_syscall's blocked-set hook: the calling thread's set (replaced first by `*new` when
/// `new` is not null).
pub unsafe extern "C" fn signal_mask(new: *const u64) -> u64 {
    THREADS.with(|t| {
        let slot = mask_of(t);
        if !new.is_null() {
            // SAFETY: linux_syscall passes a readable set.
            *slot = unsafe { new.read() };
        }
        *slot
    })
}

/// Threads started with `clone` that are still running.
pub fn running() -> i32 {
    THREADS.with(|t| t.live.iter().filter(|e| e.tid != FIRST_TID).count() as i32)
}

fn write_tid(address: u64, tid: i32) {
    if address != 0 {
        // SAFETY: the caller of clone passed a writable `pid_t *`.
        unsafe { (address as *mut i32).write_volatile(tid) };
    }
}

/// `clone(flags, stack, parent_tid, child_tid, tls)`.
pub unsafe extern "C" fn clone(frame: *mut Frame) -> i64 {
    let live = frame;
    // SAFETY: the system call layer passes the caller's frame.
    let frame = unsafe { *frame };
    let [flags, stack, parent_tid, child_tid, tls, _] = frame.args();
    if flags & (CLONE_VM | CLONE_THREAD) != CLONE_VM | CLONE_THREAD || flags & CLONE_VFORK != 0 {
        // A new process (fork, vfork, posix_spawn): the system call layer refuses it, with
        // its log line.
        // SAFETY: the caller's live frame.
        return unsafe { ffi::uk_syscall_builtin(live) };
    }
    if stack == 0 || frame.rip == 0 {
        return -EINVAL;
    }
    let (tid, mask) = THREADS.with(|t| {
        if t.live.is_empty() {
            // SAFETY: a plain query.
            let first = unsafe { ffi::uk_thread_current() };
            let clear_tid = t.first_clear_tid;
            t.live.push(Entry {
                tid: FIRST_TID,
                thread: first,
                clear_tid,
                mask: t.first_mask,
                robust_list: t.first_robust_list,
            });
        }
        let tid = t.next_tid;
        t.next_tid = t.next_tid.checked_add(1).unwrap_or(FIRST_TID + 1);
        // A new thread starts with its creator's blocked signals.
        (tid, *mask_of(t))
    });
    let start = Box::into_raw(Box::new(Start {
        frame,
        stack,
        tls: (flags & CLONE_SETTLS != 0).then_some(tls),
    }));
    let mut name = *b"thread-\0\0\0\0\0\0\0\0\0\0\0";
    write_decimal(&mut name[7..17], tid as u32);
    // SAFETY: a NUL-terminated name; `start` is handed to the new thread, which frees it.
    let thread = unsafe {
        ffi::uk_thread_create(
            name.as_ptr().cast(),
            Some(child_entry),
            start.cast(),
            ENTRY_STACK,
        )
    };
    if thread.is_null() {
        // SAFETY: the thread was not created, so `start` is still ours.
        drop(unsafe { Box::from_raw(start) });
        return -EAGAIN;
    }
    // SAFETY: nobody joins a clone child through uksched; it frees itself when it exits.
    unsafe { ffi::uk_thread_detach(thread) };
    THREADS.with(|t| {
        t.live.push(Entry {
            tid,
            thread,
            clear_tid: if flags & CLONE_CHILD_CLEARTID != 0 {
                child_tid
            } else {
                0
            },
            mask,
            // A new thread has no robust list until it sets one.
            robust_list: 0,
        })
    });
    if flags & CLONE_PARENT_SETTID != 0 {
        write_tid(parent_tid, tid);
    }
    if flags & CLONE_CHILD_SETTID != 0 {
        write_tid(child_tid, tid);
    }
    i64::from(tid)
}

fn write_decimal(out: &mut [u8], mut value: u32) {
    let mut digits = [0u8; 10];
    let mut count = 0;
    loop {
        digits[count] = b'0' + (value % 10) as u8;
        count += 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for (slot, digit) in out.iter_mut().zip(digits[..count].iter().rev()) {
        *slot = *digit;
    }
}

extern "C" fn child_entry(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `clone` passed a `Start` it gave up.
    let start = unsafe { Box::from_raw(arg.cast::<Start>()) };
    let Start { frame, stack, tls } = *start;
    if let Some(base) = tls {
        // SAFETY: the new thread pointer that clone's caller asked for; the context switch
        // saves and restores it from now on.
        unsafe {
            core::arch::asm!("wrmsr", in("ecx") MSR_FS_BASE, in("eax") base as u32,
                in("edx") (base >> 32) as u32, options(nostack, preserves_flags))
        };
    }
    // SAFETY: the caller's registers, its new stack and rax = 0: the child's side of clone.
    unsafe { ffi::uk_syscall_resume(&frame, 0, stack) }
}

/// `exit(status)` of one thread.
pub unsafe extern "C" fn exit(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let status = unsafe { (*frame).rdi } as i32 & 0xff;
    // SAFETY: a plain query.
    let me = unsafe { ffi::uk_thread_current() };
    let (tid, robust_list) = THREADS.with(|t| (current_tid(t), *robust_list_of(t)));
    release_robust_futexes(robust_list, tid);
    // SAFETY: tells linux_syscall to forget the thread's signals.
    unsafe { ffi::uk_signal_thread_exited(tid) };
    let (clear_tid, others) = THREADS.with(|t| {
        let clear = match t.live.iter().position(|e| e.thread == me) {
            Some(index) => t.live.swap_remove(index).clear_tid,
            None => core::mem::take(&mut t.first_clear_tid),
        };
        (clear, t.live.len())
    });
    if others == 0 {
        // The last thread: the process ends.
        // SAFETY: ending the guest is always allowed.
        unsafe { ffi::uk_boot_exit(status) }
    }
    if clear_tid != 0 {
        write_tid(clear_tid, 0);
        futex::wake(clear_tid, i32::MAX as u32, u32::MAX);
    }
    // SAFETY: the thread has left the table; its uksched thread ends here.
    unsafe { ffi::uk_thread_exit(core::ptr::null_mut()) }
}

/// `set_tid_address(address)`: the word cleared and woken when the calling thread exits.
pub unsafe extern "C" fn set_tid_address(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let address = unsafe { (*frame).rdi };
    // SAFETY: a plain query.
    let me = unsafe { ffi::uk_thread_current() };
    THREADS.with(|t| {
        match t.live.iter_mut().find(|e| e.thread == me) {
            Some(entry) => entry.clear_tid = address,
            None => t.first_clear_tid = address,
        }
        i64::from(current_tid(t))
    })
}

/// `gettid()`.
pub unsafe extern "C" fn gettid(_frame: *mut Frame) -> i64 {
    THREADS.with(|t| i64::from(current_tid(t)))
}
