//! The exported boot sequence, `uk_boot_main` (not built for host unit tests, whose harness
//! has its own `main`).

use crate::argv::{Arguments, MAX_ARGS};
use crate::{constructors, inittab};
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int};
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// Status the guest ends with when an init hook fails.
const INIT_FAILED_STATUS: i32 = 126;

extern "C" {
    fn ukplat_cmdline() -> *const c_char;
    fn ukplat_console_write(buf: *const c_char, len: usize);
    fn ukplat_terminate(status: i32) -> !;
    fn main(argc: c_int, argv: *mut *mut c_char) -> c_int;
}

/// An application entry that replaces `main` (e.g. musl's start-up code through `musl_start`):
/// called with `main`'s arguments, never returns, and runs the constructors itself.
pub type AppEntry = extern "C" fn(argc: c_int, argv: *mut *mut c_char) -> !;

/// The registered application entry (0: none, call `main`).
static APP_ENTRY: AtomicUsize = AtomicUsize::new(0);

/// Registers `entry` to be called instead of `main` (and instead of running `.init_array`),
/// from an init hook. The last registration wins.
#[no_mangle]
pub extern "C" fn uk_boot_set_app_entry(entry: AppEntry) {
    APP_ENTRY.store(entry as usize, Ordering::Relaxed);
}

struct Console;

impl Write for Console {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // SAFETY: the platform reads `len` bytes from a valid buffer.
        unsafe { ukplat_console_write(text.as_ptr().cast(), text.len()) };
        Ok(())
    }
}

/// Argument storage, handed to `main` (which may keep and modify it, as C allows).
struct ArgumentStorage {
    arguments: Arguments,
    argv: [*mut u8; MAX_ARGS],
    environ: [*mut u8; MAX_ARGS],
}

struct StorageCell(UnsafeCell<ArgumentStorage>);

// SAFETY: used once, by the single boot thread, in `uk_boot_main`.
unsafe impl Sync for StorageCell {}

static STORAGE: StorageCell = StorageCell(UnsafeCell::new(ArgumentStorage {
    arguments: Arguments::new(),
    argv: [core::ptr::null_mut(); MAX_ARGS],
    environ: [core::ptr::null_mut(); MAX_ARGS],
}));

/// The environment: a NULL-terminated array of `NAME=VALUE` strings (empty until set).
static ENVIRON: AtomicPtr<*mut c_char> = AtomicPtr::new(core::ptr::null_mut());

/// An empty environment, for before one is set.
struct EmptyEnviron(UnsafeCell<[*mut c_char; 1]>);

// SAFETY: never written (a C program may write through `environ`, but not into its NULL).
unsafe impl Sync for EmptyEnviron {}

static EMPTY_ENVIRON: EmptyEnviron = EmptyEnviron(UnsafeCell::new([core::ptr::null_mut()]));

/// The environment the image was started with (`NAME=VALUE` strings, then NULL): the command
/// line's `env.` words, or the process's own on linuxu.
#[no_mangle]
pub extern "C" fn uk_boot_environ() -> *mut *mut c_char {
    let environ = ENVIRON.load(Ordering::Acquire);
    if environ.is_null() {
        EMPTY_ENVIRON.0.get().cast()
    } else {
        environ
    }
}

/// Sets the environment (for a platform whose processes have one: linuxu).
///
/// # Safety
/// `environ` is a NULL-terminated array of NUL-terminated strings, all living for good.
#[no_mangle]
pub unsafe extern "C" fn uk_boot_set_environ(environ: *mut *mut c_char) {
    ENVIRON.store(environ, Ordering::Release);
}

fn cmdline() -> &'static [u8] {
    // SAFETY: a plain query; the platform never returns NULL.
    let start = unsafe { ukplat_cmdline() }.cast::<u8>();
    let mut len = 0;
    // SAFETY: the string is NUL-terminated; reading stops at the NUL.
    while unsafe { start.add(len).read() } != 0 {
        len += 1;
    }
    // SAFETY: the `len` bytes before the NUL live as long as the image.
    unsafe { core::slice::from_raw_parts(start, len) }
}

/// Runs the init hooks and constructors, then `main` with the command line's arguments, then
/// ends the guest with `main`'s return value.
#[no_mangle]
pub extern "C" fn uk_boot_main() -> ! {
    start_libraries();
    // SAFETY: `uk_boot_main` runs once; nothing else touches the storage.
    let storage = unsafe { &mut *STORAGE.0.get() };
    storage.arguments.split(cmdline());
    if storage.arguments.truncated {
        let _ = writeln!(Console, "ukl: boot: command line too long, arguments cut");
    }
    let argc = storage
        .arguments
        .fill(&mut storage.argv, &mut storage.environ) as c_int;
    ENVIRON.store(storage.environ.as_mut_ptr().cast(), Ordering::Release);
    // SAFETY: `argc` strings in `argv`, then NULL; the storage is static.
    unsafe { run_main(argc, storage.argv.as_mut_ptr().cast()) }
}

/// The same boot sequence for a platform that has real arguments (linuxu: the process's own
/// `argc`/`argv`): they are handed to `main` as they are, and the command line is not split.
///
/// # Safety
/// `argv` holds `argc` NUL-terminated strings followed by NULL, all living for good.
#[no_mangle]
pub unsafe extern "C" fn uk_boot_main_argv(argc: c_int, argv: *mut *mut c_char) -> ! {
    start_libraries();
    // SAFETY: the caller's contract is `main`'s.
    unsafe { run_main(argc, argv) }
}

/// Init hooks, then constructors; a failing hook ends the guest with [`INIT_FAILED_STATUS`].
fn start_libraries() {
    if let Err(failure) = inittab::run_all() {
        let _ = writeln!(
            Console,
            "ukl: boot: init hook {:#x} failed with {}",
            failure.hook, failure.status
        );
        // SAFETY: ending the guest is always allowed.
        unsafe { ukplat_terminate(INIT_FAILED_STATUS) };
    }
    // A registered application entry runs the constructors itself (musl's `_start` does).
    if APP_ENTRY.load(Ordering::Relaxed) == 0 {
        constructors::run_all();
    }
}

/// Calls `main`, then ends the guest with its return value (after the exit hooks).
///
/// # Safety
/// C's `main` contract: `argc` strings in `argv`, then NULL, living for good.
unsafe fn run_main(argc: c_int, argv: *mut *mut c_char) -> ! {
    let app_entry = APP_ENTRY.load(Ordering::Relaxed);
    if app_entry != 0 {
        // SAFETY: only `uk_boot_set_app_entry` stores here, always an `AppEntry`.
        let entry: AppEntry = unsafe { core::mem::transmute::<usize, AppEntry>(app_entry) };
        entry(argc, argv);
    }
    // SAFETY: the caller upholds `main`'s contract.
    let status = unsafe { main(argc, argv) };
    crate::exittab::uk_boot_exit(status)
}
