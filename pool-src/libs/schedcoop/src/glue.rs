//! schedcoop's `struct uk_sched_ops`, its registration from the init table, and the schedule
//! loop with its halting idle; it also registers boot's idle hook (`idle`): a yield when another
//! thread can run, else a halt until a device interrupt, the next deadline or 1 ms.

use crate::queue::{Node, Queues, FOREVER};
use core::cell::UnsafeCell;
use core::ffi::c_char;
use core::sync::atomic::{AtomicU64, Ordering};

/// `struct uk_sched_stats`.
#[repr(C)]
pub struct SchedStats {
    switches: u64,
    idle_halts: u64,
    idle_ns: u64,
    threads: u32,
    pad: u32,
}

/// `struct uk_sched_ops`.
#[repr(C)]
struct SchedOps {
    name: *const c_char,
    ready: unsafe extern "C" fn(thread: *mut Node),
    schedule: unsafe extern "C" fn(),
    stats: unsafe extern "C" fn(out: *mut SchedStats),
}

struct SyncOps(SchedOps);

// SAFETY: an immutable table of functions and a string literal.
unsafe impl Sync for SyncOps {}

static OPS: SyncOps = SyncOps(SchedOps {
    name: c"schedcoop".as_ptr(),
    ready,
    schedule,
    stats,
});

struct QueuesCell(UnsafeCell<Queues>);

// SAFETY: one CPU; uksched calls the operations with interrupts disabled.
unsafe impl Sync for QueuesCell {}

static QUEUES: QueuesCell = QueuesCell(UnsafeCell::new(Queues::new()));
static IDLE_HALTS: AtomicU64 = AtomicU64::new(0);
static IDLE_NS: AtomicU64 = AtomicU64::new(0);

extern "C" {
    fn uk_sched_register(ops: *const SchedOps);
    fn uk_sched_switch(next: *mut Node);
    fn uk_sched_thread_count() -> u32;
    fn uk_thread_current() -> *mut Node;
    fn ukplat_monotonic_ns() -> u64;
    fn ukplat_halt_irq_until(deadline_ns: u64);
    fn ukplat_irq_handlers() -> u32;
    fn uk_boot_exit(status: i32) -> !;
    fn ukplat_console_write(buf: *const c_char, len: usize);
    fn ukarch_crash(why: *const c_char) -> !;
    fn uk_thread_yield();
    fn uk_idle_set(hook: Option<unsafe extern "C" fn()>);
    fn uk_idle_take_wake() -> i32;
    fn ukarch_irq_save() -> u64;
    fn ukarch_irq_restore(flags: u64);
}

/// The longest halt of one `uk_idle` call: what the polling caller also waits for by time (a
/// protocol timer, a poll timeout) is checked at least this often.
const IDLE_SLICE_NS: u64 = 1_000_000;

/// Registers schedcoop with uksched, and `idle` as boot's idle hook (so that code polling for
/// something lets the other threads run, or halts when there are none); returns 0.
#[no_mangle]
pub extern "C" fn uk_schedcoop_init() -> i32 {
    // SAFETY: `OPS` lives forever and follows the `struct uk_sched_ops` contracts; `idle` may
    // be called by any thread once a scheduler is registered.
    unsafe {
        uk_sched_register(&OPS.0);
        uk_idle_set(Some(idle));
    }
    0
}

#[used]
#[link_section = ".uk_inittab.02"]
static INIT: extern "C" fn() -> i32 = uk_schedcoop_init;

fn queues() -> &'static mut Queues {
    // SAFETY: only reached from the operations, which run with interrupts disabled on the one
    // CPU, and never re-entered while the reference is alive.
    unsafe { &mut *QUEUES.0.get() }
}

unsafe extern "C" fn ready(thread: *mut Node) {
    // SAFETY: uksched passes a live thread.
    unsafe { queues().ready(thread) };
}

unsafe extern "C" fn stats(out: *mut SchedStats) {
    // SAFETY: uksched passes a writable struct.
    unsafe {
        (*out).idle_halts = IDLE_HALTS.load(Ordering::Relaxed);
        (*out).idle_ns = IDLE_NS.load(Ordering::Relaxed);
    }
}

unsafe extern "C" fn schedule() {
    // SAFETY: interrupts are disabled (uksched's contract); the current thread is live and on
    // no queue while it runs.
    unsafe {
        queues().put_back(uk_thread_current());
        loop {
            queues().expire(ukplat_monotonic_ns());
            if let Some(next) = queues().next() {
                uk_sched_switch(next);
                return;
            }
            let deadline = queues().next_deadline().unwrap_or(FOREVER);
            if deadline == FOREVER && ukplat_irq_handlers() == 0 {
                nothing_can_wake();
            }
            let start = ukplat_monotonic_ns();
            ukplat_halt_irq_until(deadline);
            IDLE_HALTS.fetch_add(1, Ordering::Relaxed);
            IDLE_NS.fetch_add(ukplat_monotonic_ns() - start, Ordering::Relaxed);
        }
    }
}

/// Boot's idle hook. Another runnable thread (or a sleeper whose deadline passed): yield to it.
/// None, and a device interrupt handler exists: halt until an interrupt, the next deadline or
/// `IDLE_SLICE_NS`, unless a device interrupt came since the last halt (then return at once so
/// the caller polls again). No handler (Xen, polled devices): yield, which returns at once.
unsafe extern "C" fn idle() {
    // SAFETY: the queues are touched with interrupts disabled, as in the operations; the
    // current thread is running, so on no queue. The halt returns with interrupts disabled.
    unsafe {
        let flags = ukarch_irq_save();
        let now = ukplat_monotonic_ns();
        queues().expire(now);
        if queues().has_runnable() || ukplat_irq_handlers() == 0 {
            ukarch_irq_restore(flags);
            uk_thread_yield();
            return;
        }
        if uk_idle_take_wake() == 0 {
            let deadline = queues()
                .next_deadline()
                .unwrap_or(FOREVER)
                .min(now + IDLE_SLICE_NS);
            ukplat_halt_irq_until(deadline);
            IDLE_HALTS.fetch_add(1, Ordering::Relaxed);
            IDLE_NS.fetch_add(ukplat_monotonic_ns() - now, Ordering::Relaxed);
            uk_idle_take_wake();
        }
        ukarch_irq_restore(flags);
    }
}

/// No thread is runnable, none has a deadline, and no interrupt handler could wake one.
fn nothing_can_wake() -> ! {
    // SAFETY: plain platform calls; the messages are NUL-terminated or length-given.
    unsafe {
        if uk_sched_thread_count() == 0 {
            uk_boot_exit(0);
        }
        let text = b"\nukl: schedcoop: every thread waits, with no deadline and no interrupt handler to wake one\n";
        ukplat_console_write(text.as_ptr().cast(), text.len());
        ukarch_crash(c"deadlock".as_ptr())
    }
}
