//! Init hooks: the `int (*)(void)` pointers that libraries place in `.uk_inittab.<prio>`.
//!
//! The link script sorts the sections by name (`SORT(.uk_inittab.*)`), so a two-digit priority
//! orders the hooks (`.uk_inittab.05` before `.uk_inittab.10`), and brackets them with
//! `__uk_inittab_start` and `__uk_inittab_end`.

/// An init hook: returns 0 on success, anything else aborts the boot.
pub type InitHook = extern "C" fn() -> i32;

extern "C" {
    static __uk_inittab_start: InitHook;
    static __uk_inittab_end: InitHook;
}

/// A hook that failed, with its return value.
pub struct HookFailure {
    pub hook: usize,
    pub status: i32,
}

/// Runs every hook in table order; stops at the first that fails.
pub fn run_all() -> Result<(), HookFailure> {
    let start = core::ptr::addr_of!(__uk_inittab_start);
    let end = core::ptr::addr_of!(__uk_inittab_end);
    let mut entry = start;
    while entry < end {
        // SAFETY: the link script fills `[start, end)` with hook pointers only.
        let hook = unsafe { entry.read() };
        let status = hook();
        if status != 0 {
            return Err(HookFailure {
                hook: hook as usize,
                status,
            });
        }
        // SAFETY: still within (or one past) the table.
        entry = unsafe { entry.add(1) };
    }
    Ok(())
}
