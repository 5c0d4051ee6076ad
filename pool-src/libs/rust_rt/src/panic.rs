//! The panic handler: report the location and message on the console, then terminate with
//! status 101 (Rust's conventional exit status for a panic).

use core::fmt::Write;
use core::panic::PanicInfo;

use crate::console::Console;

/// Exit status of a panicked unikernel.
const PANIC_STATUS: i32 = 101;

extern "C" {
    fn ukplat_terminate(status: i32) -> !;
}

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    let mut console = Console;
    // Writing to the console cannot fail; ignore the fmt::Result.
    let _ = match info.location() {
        Some(location) => write!(
            console,
            "panicked at {}:{}:{}:\n{}\n",
            location.file(),
            location.line(),
            location.column(),
            info.message()
        ),
        None => write!(console, "panicked:\n{}\n", info.message()),
    };
    // SAFETY: `ukplat_terminate` is the platform's noreturn shutdown; it takes any status.
    unsafe { ukplat_terminate(PANIC_STATUS) }
}

/// Stops the unikernel when unwinding code runs although nothing should unwind.
pub(crate) fn unexpected_unwind() -> ! {
    let _ = Console.write_str("fatal: unexpected stack unwinding (_Unwind_Resume)\n");
    // SAFETY: as in `panic`.
    unsafe { ukplat_terminate(PANIC_STATUS) }
}
