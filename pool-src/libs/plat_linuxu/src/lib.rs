//! ukl platform library for Linux user space ("linuxu"): the image is a static Linux executable.
//! The console is standard output, memory comes from `mmap`, `main` gets the process's real
//! `argv`, the clocks are `clock_gettime`'s, and `ukplat_terminate` is `exit_group`, so the shell
//! sees `main`'s return value. Faults become crash reports (see [`crash`]).
//!
//! The entry `_ukplat_linuxu_start` takes the stack Linux builds for a new process (argc, argv,
//! NULL, envp, NULL, auxv), sets up crash handlers, clock, memory, the initrd and TLS, then calls
//! the boot library's `uk_boot_main_argv(argc, argv)`.
//!
//! Environment variables read at start-up: `UKL_MEMORY` (the size of the free region, see
//! [`memory`]) and `UKL_INITRD` (a file mapped read-only and listed as a `UKPLAT_MEMR_MODULE`
//! region, as QEMU's `-initrd` is on kvm; see [`initrd`]); `ukl run -m` and `ukl run --initrd`
//! set them. A bad size, or an initrd that cannot be opened or mapped, ends the process with
//! status 126 and a message on standard error naming the cause.
//!
//! Exports (see `exports.txt`): `_ukplat_linuxu_start`, `ukplat_console_write`,
//! `ukplat_console_read`,
//! `ukplat_memregion_count`, `ukplat_memregion_get`, `ukplat_cmdline`, `ukplat_monotonic_ns`,
//! `ukplat_wall_ns`, `ukplat_terminate`, the variable `ukplat_linuxu_memory_mb`, and the
//! architecture functions that make sense in a process: `ukarch_tsc`, `ukarch_crash`, the page
//! protection `ukarch_page_protect` (the host's `mprotect`) and `ukarch_page_query`, and
//! `ukarch_irq_return_hook` (which never runs its hook: no interrupts)
//! (arch_x86_64, with its PVH entry and IDT, is for bare metal and not linked). Imports:
//! `uk_boot_main_argv` and `uk_boot_set_environ` (boot: the process's environment is the
//! image's), the link-script symbols `__uk_image_start` and `__uk_image_end`.
//! Only raw system calls are used, never a libc.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod clock;
mod cmdline;
mod console;
mod crash;
mod initrd;
mod memory;
mod protect;
mod syscall;
mod tls;

pub use crash::ukarch_crash;
pub use memory::ukplat_linuxu_memory_mb;
pub use protect::{ukarch_page_protect, ukarch_page_query};

use cmdline::CommandLine;
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int, CStr};
use core::fmt::Write;
use memory::{MemoryError, MemoryRegion};

/// Status for a start-up failure (memory or the initrd could not be mapped): the boot library's
/// `UK_BOOT_INIT_FAILED_STATUS`.
const START_FAILED_STATUS: i32 = 126;

/// The command line, written once at start-up before anything reads it.
struct CommandLineCell(UnsafeCell<CommandLine>);

// SAFETY: written only during single-threaded start-up, before any reader exists.
unsafe impl Sync for CommandLineCell {}

static COMMAND_LINE: CommandLineCell = CommandLineCell(UnsafeCell::new(CommandLine::new()));

extern "C" {
    fn uk_boot_main_argv(argc: c_int, argv: *mut *mut c_char) -> !;
    fn uk_boot_set_environ(environ: *mut *mut c_char);
}

/// The process entry (the link script's `ENTRY`): `rsp` points at `argc`. Clears the frame
/// pointer (the end of every backtrace), aligns the stack and calls [`start`] with the
/// original stack pointer.
///
/// # Safety
/// Only the kernel jumps here, once.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn _ukplat_linuxu_start() -> ! {
    core::arch::naked_asm!(
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {start}",
        "ud2",
        start = sym start,
    )
}

/// Reads the start-up stack, prepares the platform and hands over to the boot library.
///
/// # Safety
/// `stack` is the process's initial stack pointer.
unsafe extern "C" fn start(stack: *const u64) -> ! {
    clock::init();
    // SAFETY: Linux's start-up stack: argc, argc argv pointers, NULL, envp pointers, NULL,
    // then auxv pairs.
    let (argc, argv, envp, auxv) = unsafe {
        let argc = stack.read() as usize;
        let argv = stack.add(1) as *mut *mut c_char;
        let envp = argv.add(argc + 1) as *const *const u8;
        let mut end = envp;
        while !end.read().is_null() {
            end = end.add(1);
        }
        (argc, argv, envp, end.add(1) as *const u64)
    };
    // SAFETY: argv holds argc pointers and a NULL.
    let program = unsafe { argv.read() };
    crash::install(stack as u64, program);
    // SAFETY: envp is NULL-terminated and its strings are NUL-terminated.
    let memory_override = unsafe { environment(envp, b"UKL_MEMORY=") };
    if let Err(error) = memory::init(memory_override.map(CStr::to_bytes)) {
        let out = &mut console::Stream(console::STDERR);
        let _ = match error {
            MemoryError::BadSize => writeln!(
                out,
                "ukl: plat_linuxu: UKL_MEMORY is not a size (examples: 64M, 512K, 1G)"
            ),
            MemoryError::Map { bytes, errno } => writeln!(
                out,
                "ukl: plat_linuxu: cannot map {} KiB of memory (errno {errno})",
                bytes / 1024
            ),
        };
        syscall::exit_group(START_FAILED_STATUS);
    }
    // SAFETY: as above.
    map_initrd(unsafe { environment(envp, b"UKL_INITRD=") });
    // SAFETY: the kernel's auxiliary vector; the link script loads the program headers.
    if unsafe { tls::init(auxv) }.is_err() {
        // SAFETY: the message is NUL-terminated.
        unsafe { ukarch_crash(c"cannot set up thread-local storage".as_ptr()) };
    }
    // SAFETY: single-threaded start-up; nothing reads the command line yet.
    let line = unsafe { &mut *COMMAND_LINE.0.get() };
    for index in 1..argc {
        // SAFETY: argv[index] is a NUL-terminated string for index < argc.
        let argument = unsafe { CStr::from_ptr(argv.add(index).read()) };
        if !line.push(argument.to_bytes()) {
            break;
        }
    }
    // SAFETY: the process's own environment and argv: strings and a NULL each, alive until the
    // process ends.
    unsafe {
        uk_boot_set_environ(envp as *mut *mut c_char);
        uk_boot_main_argv(argc as c_int, argv)
    }
}

/// The value of the environment variable whose `NAME=` is `prefix` (NUL-terminated, as it is
/// in the environment).
///
/// # Safety
/// `envp` is a NULL-terminated array of NUL-terminated strings that live for good.
unsafe fn environment(envp: *const *const u8, prefix: &[u8]) -> Option<&'static CStr> {
    let mut entry = envp;
    loop {
        // SAFETY: not past the NULL yet.
        let text = unsafe { entry.read() };
        if text.is_null() {
            return None;
        }
        // SAFETY: each entry is NUL-terminated and lives for good.
        let bytes = unsafe { CStr::from_ptr(text.cast()) }.to_bytes();
        if bytes.starts_with(prefix) {
            // SAFETY: the rest of the same NUL-terminated string.
            return Some(unsafe { CStr::from_ptr(text.add(prefix.len()).cast()) });
        }
        // SAFETY: as above.
        entry = unsafe { entry.add(1) };
    }
}

/// Maps the initrd named by `UKL_INITRD`, if set; on failure says why on standard error, naming
/// the path and the errno, and ends the process with [`START_FAILED_STATUS`].
fn map_initrd(path: Option<&CStr>) {
    let Some(path) = path else { return };
    let Err(error) = initrd::init(path) else {
        return;
    };
    let (what, errno) = error.describe();
    let out = &mut console::Stream(console::STDERR);
    syscall::write_all(console::STDERR, b"ukl: UKL_INITRD=");
    syscall::write_all(console::STDERR, path.to_bytes());
    let _ = write!(out, ": {what}");
    let _ = match errno {
        Some(errno) => match initrd::errno_name(errno) {
            Some(name) => writeln!(out, ": {name}"),
            None => writeln!(out, ": errno {errno}"),
        },
        None => writeln!(out),
    };
    syscall::exit_group(START_FAILED_STATUS);
}

/// Writes `len` bytes to standard output.
///
/// # Safety
/// `buf` points to `len` readable bytes (or `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn ukplat_console_write(buf: *const c_char, len: usize) {
    if buf.is_null() || len == 0 {
        return;
    }
    // SAFETY: the caller passes `len` readable bytes.
    let bytes = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
    syscall::write_all(console::STDOUT, bytes);
}

/// Reads up to `len` bytes of standard input that have arrived, never waiting: the count, 0
/// when nothing is there now, or -1 at the end of the input (or on an error).
///
/// # Safety
/// `buf` points to `len` writable bytes (or `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn ukplat_console_read(buf: *mut c_char, len: usize) -> isize {
    if buf.is_null() || len == 0 {
        return 0;
    }
    // SAFETY: the caller passes `len` writable bytes.
    let buffer = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
    console::read_available(buffer)
}

/// Number of entries in the memory-region table.
#[no_mangle]
pub extern "C" fn ukplat_memregion_count() -> i32 {
    memory::regions().1 as i32
}

/// Copies region `index` to `*region`. Returns 0, or -22 (EINVAL) for a bad index or NULL.
///
/// # Safety
/// `region` is NULL or points to a writable `struct ukplat_memregion`.
#[no_mangle]
pub unsafe extern "C" fn ukplat_memregion_get(index: i32, region: *mut MemoryRegion) -> i32 {
    let (regions, count) = memory::regions();
    match usize::try_from(index)
        .ok()
        .filter(|&index| index < count)
        .map(|index| regions[index])
    {
        Some(found) if !region.is_null() => {
            // SAFETY: the caller passes a writable region.
            unsafe { region.write(found) };
            0
        }
        _ => -22,
    }
}

/// The arguments after `argv[0]`, as a command line; "" if none. Never NULL.
#[no_mangle]
pub extern "C" fn ukplat_cmdline() -> *const c_char {
    // SAFETY: written once at start-up, read-only afterwards.
    unsafe { &*COMMAND_LINE.0.get() }.as_ptr().cast()
}

/// Nanoseconds since the process started.
#[no_mangle]
pub extern "C" fn ukplat_monotonic_ns() -> u64 {
    clock::monotonic_ns()
}

/// Nanoseconds since the Unix epoch.
#[no_mangle]
pub extern "C" fn ukplat_wall_ns() -> u64 {
    clock::wall_ns()
}

/// Ends the process with `status` (the shell sees `status & 0xff`).
#[no_mangle]
pub extern "C" fn ukplat_terminate(status: i32) -> ! {
    syscall::exit_group(status)
}

/// The time-stamp counter.
#[no_mangle]
pub extern "C" fn ukarch_tsc() -> u64 {
    let low: u32;
    let high: u32;
    // SAFETY: `rdtsc` only reads the counter; Linux allows it in user mode.
    unsafe {
        core::arch::asm!("rdtsc", out("eax") low, out("edx") high, options(nomem, nostack));
    }
    (u64::from(high) << 32) | u64::from(low)
}

/// A process has no interrupts of its own (the host's signals are its interrupts, and the host
/// delivers them): the hook that bare-metal architectures run at the end of each interrupt
/// is never run here.
#[no_mangle]
pub extern "C" fn ukarch_irq_return_hook(
    _hook: Option<unsafe extern "C" fn(frame: *mut core::ffi::c_void, fpstate: *mut u8)>,
) {
}

/// A process has no one-shot timer of its own: what waits for a deadline polls the clock (or
/// sleeps in the host), so arming is nothing.
#[no_mangle]
pub extern "C" fn ukplat_timer_set(_deadline_ns: u64) {}
