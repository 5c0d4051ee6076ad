//! Waiting for time to pass. plat_xen has no event channels yet, so no interrupt can wake a
//! halted CPU: the scheduler's idle loop waits for its next deadline by giving the CPU back to
//! Xen (`SCHEDOP_yield`) until the clock passes it, and no device interrupt handler exists.

use crate::{clock, hypercall};

const SCHEDOP_YIELD: u64 = 0;

/// Number of registered device interrupt handlers: none on this platform.
#[no_mangle]
pub extern "C" fn ukplat_irq_handlers() -> u32 {
    0
}

/// With interrupts disabled: returns once monotonic time reaches `deadline_ns`, yielding the
/// CPU to Xen meanwhile. Without a deadline (`u64::MAX`) nothing could end the wait, so it
/// returns at once (the caller re-checks what it waits for).
#[no_mangle]
pub extern "C" fn ukplat_halt_irq_until(deadline_ns: u64) {
    if deadline_ns == u64::MAX {
        return;
    }
    while clock::monotonic_ns() < deadline_ns {
        // SAFETY: SCHEDOP_yield takes no argument; without Xen the call returns -ENOSYS and
        // the loop just polls the clock.
        unsafe { hypercall::call3(hypercall::SCHED_OP, SCHEDOP_YIELD, 0, 0) };
    }
}
