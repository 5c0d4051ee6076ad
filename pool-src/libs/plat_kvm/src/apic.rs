//! plat_kvm's local APIC: the `local_apic` support crate timed by this platform's TSC clock
//! (TSC-deadline mode when the CPU has it).

pub use local_apic::{eoi, id, mode, set_timer, SPURIOUS_VECTOR, TIMER_VECTOR};

static CLOCK: local_apic::Clock = local_apic::Clock {
    tsc: crate::clock::tsc,
    tsc_hz: crate::clock::tsc_hz,
    tsc_at: Some(crate::clock::tsc_at),
    monotonic_ns: crate::clock::monotonic_ns,
};

/// Enables the local APIC. Interrupts must be disabled.
pub fn init() {
    local_apic::init(&CLOCK);
}
