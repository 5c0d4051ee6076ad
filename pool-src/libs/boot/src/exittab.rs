//! Exit hooks: the `void (*)(void)` pointers that libraries place in `.uk_exittab.<prio>`, run
//! once, in priority order, when the program ends normally ([`uk_boot_exit`]: `main` returned,
//! `exit`, the last thread's exit) and before the platform stops the guest. They finish work
//! that would otherwise die with the guest, such as delivering a network connection's last
//! bytes. A crash report does not run them.
//!
//! The link script sorts the sections by name and brackets them with `__uk_exittab_start`
//! and `__uk_exittab_end`, as for the init hooks.

use core::sync::atomic::{AtomicBool, Ordering};

/// An exit hook.
pub type ExitHook = extern "C" fn();

extern "C" {
    static __uk_exittab_start: ExitHook;
    static __uk_exittab_end: ExitHook;
    fn ukplat_terminate(status: i32) -> !;
}

/// Runs the exit hooks (the first time only: a hook that ends the program itself does not
/// run them again), then ends the guest with `status`.
#[no_mangle]
pub extern "C" fn uk_boot_exit(status: i32) -> ! {
    static RAN: AtomicBool = AtomicBool::new(false);
    if !RAN.swap(true, Ordering::AcqRel) {
        let start = core::ptr::addr_of!(__uk_exittab_start);
        let end = core::ptr::addr_of!(__uk_exittab_end);
        let mut entry = start;
        while entry < end {
            // SAFETY: the link script fills `[start, end)` with hook pointers only.
            let hook = unsafe { entry.read() };
            hook();
            // SAFETY: still within (or one past) the table.
            entry = unsafe { entry.add(1) };
        }
    }
    // SAFETY: ending the guest is always allowed.
    unsafe { ukplat_terminate(status) }
}
