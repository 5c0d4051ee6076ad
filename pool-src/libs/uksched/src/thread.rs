//! Threads: creation, the entry trampoline, exit, join/detach, yield, sleep, and the switch
//! that schedulers call.

use crate::ffi::{self, without_interrupts, Context, EDEADLK, EINVAL};
use crate::ops::{self, SchedStats};
use crate::waitq::{self, WaitQueue, FOREVER};
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_void};
use core::ptr;

pub const RUNNABLE: i32 = 0;
pub const BLOCKED: i32 = 1;
pub const EXITED: i32 = 2;

const DEFAULT_STACK: usize = 64 * 1024;
const MIN_STACK: usize = 4 * 1024;
const NAME_BYTES: usize = 32;
/// Bytes of the unmapped guard page below every thread stack.
const GUARD: usize = 4096;
/// Written at the lowest word of every thread stack, just above the guard page; checked whenever
/// the thread is switched out. The guard page catches overflows as they happen; the canary
/// catches a frame that jumped over the guard page, and overflows of stacks whose guard could
/// not be installed.
const STACK_CANARY: u64 = 0x5afe_57ac_c0de_cafe;

/// `struct uk_thread_sched`: the part the scheduler implementation uses.
#[repr(C)]
pub struct SchedPart {
    pub next: *mut Thread,
    pub prev: *mut Thread,
    pub wakeup_ns: u64,
    pub state: i32,
    pub queued: i32,
}

/// `struct uk_thread` (opaque to applications beyond its first member).
#[repr(C)]
pub struct Thread {
    pub sched: SchedPart,
    context: Context,
    name: [u8; NAME_BYTES],
    /// The lowest usable stack address, above the guard page (null for the boot thread, which
    /// runs on the boot stack).
    stack: *mut u8,
    /// The stack's block: the guard page, then the stack.
    stack_block: *mut u8,
    guarded: bool,
    entry: Option<extern "C" fn(*mut c_void) -> *mut c_void>,
    arg: *mut c_void,
    retval: *mut c_void,
    joiners: WaitQueue,
    errno: i32,
    detached: bool,
    joined: bool,
    next_zombie: *mut Thread,
}

impl Thread {
    const fn new(name: [u8; NAME_BYTES]) -> Thread {
        Thread {
            sched: SchedPart {
                next: ptr::null_mut(),
                prev: ptr::null_mut(),
                wakeup_ns: FOREVER,
                state: RUNNABLE,
                queued: 0,
            },
            context: Context { sp: 0, fs_base: 0 },
            name,
            stack: ptr::null_mut(),
            stack_block: ptr::null_mut(),
            guarded: false,
            entry: None,
            arg: ptr::null_mut(),
            retval: ptr::null_mut(),
            joiners: WaitQueue::new(),
            errno: 0,
            detached: false,
            joined: false,
            next_zombie: ptr::null_mut(),
        }
    }
}

const fn boot_name() -> [u8; NAME_BYTES] {
    let mut name = [0; NAME_BYTES];
    name[0] = b'm';
    name[1] = b'a';
    name[2] = b'i';
    name[3] = b'n';
    name
}

/// Scheduler-wide state; touched only with interrupts disabled (or by the current thread for
/// its own fields).
struct State {
    boot: Thread,
    /// Null until the first switch: the boot thread.
    current: *mut Thread,
    live: u32,
    switches: u64,
    /// Exited detached threads whose memory is not freed yet.
    zombies: *mut Thread,
}

struct StateCell(UnsafeCell<State>);

// SAFETY: one CPU; every access happens with interrupts disabled or concerns only the current
// thread's own fields.
unsafe impl Sync for StateCell {}

static STATE: StateCell = StateCell(UnsafeCell::new(State {
    boot: Thread::new(boot_name()),
    current: ptr::null_mut(),
    live: 1,
    switches: 0,
    zombies: ptr::null_mut(),
}));

fn state() -> *mut State {
    STATE.0.get()
}

/// The running thread.
pub fn current() -> *mut Thread {
    // SAFETY: a plain read of a pointer-sized field; only switches (interrupts disabled) write it.
    unsafe {
        let current = (*state()).current;
        if current.is_null() {
            ptr::addr_of_mut!((*state()).boot)
        } else {
            current
        }
    }
}

fn is_boot(thread: *const Thread) -> bool {
    // SAFETY: only the address is taken.
    ptr::eq(thread, unsafe { ptr::addr_of!((*state()).boot) })
}

fn console(text: &[u8]) {
    // SAFETY: the console reads `len` bytes from a valid buffer.
    unsafe { ffi::ukplat_console_write(text.as_ptr().cast(), text.len()) };
}

fn name_bytes(thread: &Thread) -> &[u8] {
    let len = thread
        .name
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(NAME_BYTES);
    &thread.name[..len]
}

/// Switches from the current thread to `next`. Interrupts must be disabled.
///
/// # Safety
/// `next` is a live, runnable thread that the scheduler took off its queues.
#[no_mangle]
pub unsafe extern "C" fn uk_sched_switch(next: *mut Thread) {
    let previous = current();
    if ptr::eq(previous, next) {
        return;
    }
    // SAFETY: both threads are live; interrupts are disabled, so nothing else touches them.
    unsafe {
        let prev = &mut *previous;
        if !prev.stack.is_null() && prev.stack.cast::<u64>().read() != STACK_CANARY {
            console(b"\nukl: uksched: thread \"");
            console(name_bytes(prev));
            console(b"\" overflowed its stack\n");
            ffi::ukarch_crash(c"thread stack overflow".as_ptr());
        }
        // Each thread puts its own errno back when it resumes: with one global errno (nolibc)
        // that undoes what the others wrote; with a per-thread errno (musl's, in the TLS that
        // the context switch changes) it is a no-op. Writing the next thread's value before
        // the switch would write into this thread's TLS.
        prev.errno = ffi::__errno_location().read();
        (*state()).current = next;
        (*state()).switches += 1;
        ffi::ukarch_ctx_switch(&mut prev.context, &(*next).context);
        ffi::__errno_location().write(prev.errno);
    }
}

/// Frees exited detached threads. Interrupts must be disabled.
fn reap() {
    // SAFETY: zombies have exited and were switched away from; nothing refers to them.
    unsafe {
        let mut zombie = core::mem::replace(&mut (*state()).zombies, ptr::null_mut());
        while !zombie.is_null() {
            let next = (*zombie).next_zombie;
            free_thread(zombie);
            zombie = next;
        }
    }
}

/// # Safety
/// `thread` is an exited, non-boot thread that nothing refers to any more.
unsafe fn free_thread(thread: *mut Thread) {
    // SAFETY: both blocks came from ukalloc in `uk_thread_create`; the guard page is mapped
    // again before its memory goes back to the allocator.
    unsafe {
        if (*thread).guarded {
            ffi::ukarch_page_unguard((*thread).stack_block as u64);
        }
        ffi::uk_free((*thread).stack_block.cast());
        ffi::uk_free(thread.cast());
    }
}

extern "C" fn thread_start(arg: *mut c_void) -> ! {
    let thread = arg.cast::<Thread>();
    // SAFETY: the first switch to a thread happens with interrupts disabled; threads run with
    // them enabled. `thread` is this thread, set up by `uk_thread_create`.
    let retval = unsafe {
        ffi::ukarch_irq_enable();
        match (*thread).entry {
            Some(entry) => entry((*thread).arg),
            None => ptr::null_mut(),
        }
    };
    uk_thread_exit(retval)
}

/// Creates a runnable thread running `entry(arg)`; NULL without memory or scheduler.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string (copied, up to 31 bytes).
#[no_mangle]
pub unsafe extern "C" fn uk_thread_create(
    name: *const c_char,
    entry: Option<extern "C" fn(*mut c_void) -> *mut c_void>,
    arg: *mut c_void,
    stack_size: usize,
) -> *mut Thread {
    if entry.is_none() || ops::registered().is_none() {
        return ptr::null_mut();
    }
    without_interrupts(reap);
    let size = if stack_size == 0 {
        DEFAULT_STACK
    } else {
        stack_size.max(MIN_STACK).next_multiple_of(16)
    };
    // SAFETY: plain allocations; each is checked before use and freed on failure.
    unsafe {
        let thread = ffi::uk_malloc(core::mem::size_of::<Thread>()).cast::<Thread>();
        let block = ffi::uk_memalign(GUARD, GUARD + size).cast::<u8>();
        if thread.is_null() || block.is_null() {
            ffi::uk_free(thread.cast());
            ffi::uk_free(block.cast());
            return ptr::null_mut();
        }
        let stack = block.add(GUARD);
        // A 2 MiB page that is split for the guard needs a page table, given for good.
        let spare = ffi::uk_memalign(GUARD, GUARD);
        let guarded = ffi::ukarch_page_guard(block as u64, spare as u64);
        if guarded != 1 {
            ffi::uk_free(spare);
        }
        let mut copied = [0u8; NAME_BYTES];
        if !name.is_null() {
            for (index, slot) in copied.iter_mut().take(NAME_BYTES - 1).enumerate() {
                let byte = name.add(index).cast::<u8>().read();
                if byte == 0 {
                    break;
                }
                *slot = byte;
            }
        }
        thread.write(Thread::new(copied));
        (*thread).stack = stack;
        (*thread).stack_block = block;
        (*thread).guarded = guarded >= 0;
        (*thread).entry = entry;
        (*thread).arg = arg;
        stack.cast::<u64>().write(STACK_CANARY);
        ffi::ukarch_ctx_init(
            &mut (*thread).context,
            stack as u64 + size as u64,
            thread_start,
            thread.cast(),
        );
        without_interrupts(|| {
            (*state()).live += 1;
            ops::ready(thread);
        });
        thread
    }
}

/// Ends the calling thread with `retval`.
#[no_mangle]
pub extern "C" fn uk_thread_exit(retval: *mut c_void) -> ! {
    let thread = current();
    // SAFETY: interrupts stay disabled until the switch away; the thread is the current one.
    unsafe {
        ffi::ukarch_irq_save();
        (*thread).retval = retval;
        (*thread).sched.state = EXITED;
        (*state()).live -= 1;
        waitq::wake_all_locked(&mut (*thread).joiners);
        if (*thread).detached && !is_boot(thread) {
            (*thread).next_zombie = (*state()).zombies;
            (*state()).zombies = thread;
        }
        ops::schedule();
        ffi::ukarch_crash(c"uksched: an exited thread was resumed".as_ptr())
    }
}

/// Waits for `thread` to end, hands back its return value and frees it.
///
/// # Safety
/// `thread` was returned by `uk_thread_create` and not freed; `retval` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn uk_thread_join(thread: *mut Thread, retval: *mut *mut c_void) -> i32 {
    if thread.is_null() || is_boot(thread) {
        return -EINVAL;
    }
    if ptr::eq(thread, current()) {
        return -EDEADLK;
    }
    // SAFETY: `thread` is live until freed below; interrupts are disabled while its fields are
    // shared with other threads.
    unsafe {
        let status = without_interrupts(|| {
            if (*thread).detached || (*thread).joined {
                return -EINVAL;
            }
            (*thread).joined = true;
            while (*thread).sched.state != EXITED {
                waitq::wait_locked(&mut (*thread).joiners, FOREVER);
            }
            reap();
            0
        });
        if status != 0 {
            return status;
        }
        if !retval.is_null() {
            retval.write((*thread).retval);
        }
        free_thread(thread);
    }
    0
}

/// Lets `thread` free itself when it ends.
///
/// # Safety
/// As for [`uk_thread_join`].
#[no_mangle]
pub unsafe extern "C" fn uk_thread_detach(thread: *mut Thread) -> i32 {
    if thread.is_null() {
        return -EINVAL;
    }
    // SAFETY: as in `uk_thread_join`.
    without_interrupts(|| unsafe {
        if (*thread).detached || (*thread).joined {
            return -EINVAL;
        }
        (*thread).detached = true;
        if (*thread).sched.state == EXITED && !is_boot(thread) {
            free_thread(thread);
        }
        0
    })
}

/// Lets the other runnable threads run.
#[no_mangle]
pub extern "C" fn uk_thread_yield() {
    without_interrupts(|| {
        // SAFETY: the current thread's own state; interrupts are disabled.
        unsafe { (*current()).sched.state = RUNNABLE };
        ops::schedule();
    });
}

/// Blocks until monotonic time `deadline_ns`.
#[no_mangle]
pub extern "C" fn uk_thread_sleep_until(deadline_ns: u64) {
    without_interrupts(|| {
        let thread = current();
        while ffi::now() < deadline_ns {
            // SAFETY: the current thread's own state; interrupts are disabled.
            unsafe {
                (*thread).sched.state = BLOCKED;
                (*thread).sched.wakeup_ns = deadline_ns;
            }
            ops::schedule();
        }
        // SAFETY: as above.
        unsafe {
            (*thread).sched.state = RUNNABLE;
            (*thread).sched.wakeup_ns = FOREVER;
        }
    });
}

/// Blocks for at least `ns` nanoseconds.
#[no_mangle]
pub extern "C" fn uk_thread_sleep_ns(ns: u64) {
    uk_thread_sleep_until(ffi::now().saturating_add(ns));
}

/// The running thread.
#[no_mangle]
pub extern "C" fn uk_thread_current() -> *mut Thread {
    current()
}

/// The thread's name (NUL-terminated; "main" for the boot thread).
///
/// # Safety
/// `thread` is NULL (the current thread) or live.
#[no_mangle]
pub unsafe extern "C" fn uk_thread_name(thread: *const Thread) -> *const c_char {
    let thread = if thread.is_null() {
        current().cast_const()
    } else {
        thread
    };
    // SAFETY: a live thread; the name array always ends with a NUL.
    unsafe { (*thread).name.as_ptr().cast() }
}

/// Live threads.
#[no_mangle]
pub extern "C" fn uk_sched_thread_count() -> u32 {
    // SAFETY: a plain read.
    unsafe { (*state()).live }
}

/// Fills the counters.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn uk_sched_stats(out: *mut SchedStats) {
    if out.is_null() {
        return;
    }
    let mut stats = SchedStats::default();
    if let Some(ops) = ops::registered() {
        // SAFETY: the implementation fills a valid struct.
        unsafe { (ops.stats)(&mut stats) };
    }
    // SAFETY: plain reads; `out` is writable.
    unsafe {
        stats.switches = (*state()).switches;
        stats.threads = (*state()).live;
        out.write(stats);
    }
}
