//! C and C++ constructors: `.init_array` between `__init_array_start` and `__init_array_end`.

type Constructor = extern "C" fn();

extern "C" {
    static __init_array_start: Constructor;
    static __init_array_end: Constructor;
}

/// Calls every constructor, in table order (the link script sorts by init priority).
pub fn run_all() {
    let start = core::ptr::addr_of!(__init_array_start);
    let end = core::ptr::addr_of!(__init_array_end);
    let mut entry = start;
    while entry < end {
        // SAFETY: the link script fills `[start, end)` with constructor pointers only.
        let constructor = unsafe { entry.read() };
        constructor();
        // SAFETY: still within (or one past) the table.
        entry = unsafe { entry.add(1) };
    }
}
