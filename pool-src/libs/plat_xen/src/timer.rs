//! A timer interrupt for Xen PVH domains: Xen emulates a local APIC for them, whose timer
//! (the `local_apic` support crate, in one-shot mode timed against this platform's clock)
//! raises vector 0xf0. Event channels are not used yet, so this is the domain's only
//! interrupt: it ends a `hlt` and lets the system call layer deliver an interval timer's
//! signal to a program that makes no calls (`ukplat_timer_set`).

use core::arch::x86_64::__cpuid;
use core::ffi::c_void;
use core::sync::atomic::{AtomicBool, Ordering};

extern "C" {
    fn ukarch_vector_register(
        vector: u32,
        handler: Option<extern "C" fn(u32, *mut c_void)>,
        arg: *mut c_void,
    ) -> i32;
}

static CLOCK: local_apic::Clock = local_apic::Clock {
    tsc: crate::clock::tsc,
    tsc_hz: crate::clock::tsc_hz,
    tsc_at: None,
    monotonic_ns: crate::clock::monotonic_ns,
};

/// Set once the APIC is enabled and its vectors have handlers.
static READY: AtomicBool = AtomicBool::new(false);

extern "C" fn on_timer(_vector: u32, _arg: *mut c_void) {
    local_apic::eoi();
}

extern "C" fn on_spurious(_vector: u32, _arg: *mut c_void) {}

/// Enables the local APIC and installs the timer's and the spurious vector's handlers, when
/// the CPU reports an APIC. Interrupts must be disabled. Returns whether there is a timer.
pub fn init() -> bool {
    const CPUID_APIC: u32 = 1 << 9;
    if __cpuid(1).edx & CPUID_APIC == 0 {
        return false;
    }
    local_apic::init(&CLOCK);
    // SAFETY: the handlers are valid for their vectors; the argument is unused.
    unsafe {
        ukarch_vector_register(
            local_apic::TIMER_VECTOR,
            Some(on_timer),
            core::ptr::null_mut(),
        );
        ukarch_vector_register(
            local_apic::SPURIOUS_VECTOR,
            Some(on_spurious),
            core::ptr::null_mut(),
        );
    }
    READY.store(true, Ordering::Release);
    true
}

/// Arms the one-shot timer for monotonic time `deadline_ns` (0 cancels); nothing without an
/// APIC.
#[no_mangle]
pub extern "C" fn ukplat_timer_set(deadline_ns: u64) {
    if READY.load(Ordering::Acquire) {
        local_apic::set_timer(deadline_ns);
    }
}
