//! Crash reports for a process: `SIGSEGV`, `SIGBUS`, `SIGILL` and `SIGFPE` are caught on an
//! alternate signal stack (so a stack overflow is reported too) and turned into a report like
//! kvm's: the signal and its cause, the CPU exception the kernel saw (vector and error code),
//! the faulting address, every general register from the signal context, and a frame-pointer
//! backtrace. The report goes to standard error and the process exits with status 127.
//!
//! `ukarch_crash` (software-detected fatal errors) prints the same header and a backtrace.
//! Stack frames are read only after checking them against the stack's bounds and with
//! `mincore`, so a broken frame chain ends the backtrace instead of faulting again. A fault
//! inside the handler is not caught a second time (`SA_RESETHAND`, and the signal is blocked
//! while its handler runs): the kernel then ends the process with the signal.

use crate::console::{Stream, STDERR};
use crate::syscall::{self, RT_SIGACTION, RT_SIGRETURN, SIGALTSTACK};
use core::cell::UnsafeCell;
use core::ffi::c_char;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Status a crash report ends the process with (`UKARCH_CRASH_STATUS`).
pub const CRASH_STATUS: i32 = 127;
const ALTERNATE_STACK_BYTES: usize = 64 * 1024;

const SIGILL: i32 = 4;
const SIGBUS: i32 = 7;
const SIGFPE: i32 = 8;
const SIGSEGV: i32 = 11;
const CAUGHT: [i32; 4] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE];

const SA_SIGINFO: u64 = 0x4;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTORER: u64 = 0x0400_0000;
const SA_RESETHAND: u64 = 0x8000_0000;

/// The highest stack address (the start-up stack pointer): frames lie below it.
static STACK_TOP: AtomicU64 = AtomicU64::new(0);
/// `argv[0]`, for the `addr2line` hint.
static PROGRAM: AtomicU64 = AtomicU64::new(0);
static CRASHING: AtomicBool = AtomicBool::new(false);

struct AlternateStack(UnsafeCell<[u8; ALTERNATE_STACK_BYTES]>);

// SAFETY: only the kernel writes it, while delivering a signal.
unsafe impl Sync for AlternateStack {}

static ALTERNATE_STACK: AlternateStack =
    AlternateStack(UnsafeCell::new([0; ALTERNATE_STACK_BYTES]));

/// The kernel's `struct sigaction` for `rt_sigaction`.
#[repr(C)]
struct SigAction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// `stack_t`.
#[repr(C)]
struct SignalStack {
    base: usize,
    flags: i32,
    size: usize,
}

/// The start of `siginfo_t`: number, errno, code, then (for faults) the address.
#[repr(C)]
struct SigInfo {
    signal: i32,
    errno: i32,
    code: i32,
    pad: i32,
    address: u64,
}

/// `ucontext_t` up to the general registers of its `mcontext_t`.
#[repr(C)]
struct UContext {
    flags: u64,
    link: u64,
    stack: SignalStack,
    registers: [u64; 23],
}

// Indices into `UContext::registers` (`REG_*` of <sys/ucontext.h>).
const R8: usize = 0;
const RDI: usize = 8;
const RSI: usize = 9;
const RBP: usize = 10;
const RBX: usize = 11;
const RDX: usize = 12;
const RAX: usize = 13;
const RCX: usize = 14;
const RSP: usize = 15;
const RIP: usize = 16;
const EFLAGS: usize = 17;
const ERR: usize = 19;
const TRAPNO: usize = 20;

/// The signal trampoline the kernel returns through (`SA_RESTORER` is required on x86_64);
/// never reached here, as every handler ends the process.
#[unsafe(naked)]
extern "C" fn restorer() -> ! {
    core::arch::naked_asm!("mov eax, {}", "syscall", "ud2", const RT_SIGRETURN)
}

/// Remembers the stack's top and the program name, sets up the alternate signal stack and
/// installs the handlers.
pub fn install(stack_top: u64, program: *const c_char) {
    STACK_TOP.store(stack_top, Ordering::Relaxed);
    PROGRAM.store(program as u64, Ordering::Relaxed);
    let stack = SignalStack {
        base: ALTERNATE_STACK.0.get() as usize,
        flags: 0,
        size: ALTERNATE_STACK_BYTES,
    };
    // SAFETY: the kernel reads one `stack_t`; the stack is static and used for nothing else.
    unsafe { syscall::syscall6(SIGALTSTACK, [&raw const stack as usize, 0, 0, 0, 0, 0]) };
    let action = SigAction {
        handler: on_fault as *const () as usize,
        flags: SA_SIGINFO | SA_ONSTACK | SA_RESTORER | SA_RESETHAND,
        restorer: restorer as *const () as usize,
        mask: 0,
    };
    for signal in CAUGHT {
        // SAFETY: the kernel reads one `struct sigaction` (8-byte signal set); the handler
        // never returns, so the restorer is never used.
        unsafe {
            syscall::syscall6(
                RT_SIGACTION,
                [signal as usize, &raw const action as usize, 0, 8, 0, 0],
            )
        };
    }
}

fn signal_name(signal: i32) -> (&'static str, &'static str) {
    match signal {
        SIGSEGV => ("SIGSEGV", "segmentation fault"),
        SIGBUS => ("SIGBUS", "bus error"),
        SIGILL => ("SIGILL", "illegal instruction"),
        SIGFPE => ("SIGFPE", "arithmetic exception"),
        _ => ("SIG?", "unexpected signal"),
    }
}

/// The meaning of `si_code` for the caught signals.
fn code_name(signal: i32, code: i32) -> &'static str {
    match (signal, code) {
        (SIGSEGV, 1) => "address not mapped",
        (SIGSEGV, 2) => "access not permitted by the mapping",
        (SIGSEGV, 128) | (SIGBUS, 128) => "general protection (e.g. a non-canonical address)",
        (SIGBUS, 1) => "invalid address alignment",
        (SIGBUS, 2) => "address beyond the object",
        (SIGILL, 1) => "illegal opcode",
        (SIGILL, 2) => "illegal operand",
        (SIGILL, 4) => "illegal addressing mode",
        (SIGILL, 5) => "privileged opcode",
        (SIGFPE, 1) => "integer divide by zero",
        (SIGFPE, 2) => "integer overflow",
        (SIGFPE, 3) => "floating-point divide by zero",
        (SIGFPE, 7) => "invalid floating-point operation",
        (_, 0) => "sent by a process",
        _ => "other cause",
    }
}

/// The CPU exception the kernel reports in `trapno`.
fn vector_name(vector: u64) -> &'static str {
    match vector {
        0 => "#DE divide error",
        1 => "#DB debug",
        3 => "#BP breakpoint",
        4 => "#OF overflow",
        5 => "#BR bound range exceeded",
        6 => "#UD invalid opcode",
        7 => "#NM device not available",
        12 => "#SS stack-segment fault",
        13 => "#GP general protection fault",
        14 => "#PF page fault",
        16 => "#MF x87 floating-point error",
        17 => "#AC alignment check",
        19 => "#XM SIMD floating-point exception",
        _ => "exception",
    }
}

/// The signal handler: prints the report and ends the process.
extern "C" fn on_fault(signal: i32, info: *const SigInfo, context: *const UContext) {
    let out = &mut Stream(STDERR);
    if CRASHING.swap(true, Ordering::SeqCst) {
        let _ = writeln!(out, "\nukl: nested signal {signal} during a crash report");
        syscall::exit_group(CRASH_STATUS);
    }
    // SAFETY: the kernel passes a valid siginfo and ucontext to an SA_SIGINFO handler.
    let (info, context) = unsafe { (&*info, &*context) };
    let registers = &context.registers;
    let (name, description) = signal_name(signal);
    let _ = writeln!(
        out,
        "\nukl: crash: {name} {description} (signal {signal}, code {}: {})",
        info.code,
        code_name(signal, info.code)
    );
    if info.code > 0 {
        let vector = registers[TRAPNO];
        let _ = writeln!(
            out,
            "cpu exception {} (vector {vector}), error code {:#x}",
            vector_name(vector),
            registers[ERR]
        );
        let _ = write!(out, "fault address {:#018x}", info.address);
        let rsp = registers[RSP];
        if signal == SIGSEGV && info.address.abs_diff(rsp) < 1 << 16 {
            let _ = write!(out, " (next to the stack pointer: a stack overflow?)");
        }
        let _ = writeln!(out);
    }
    print_registers(out, registers);
    backtrace(out, Some(registers[RIP]), registers[RBP], registers[RSP]);
    syscall::exit_group(CRASH_STATUS);
}

fn print_registers(out: &mut Stream, r: &[u64; 23]) {
    let rows: [[(&str, u64); 3]; 6] = [
        [("rip", r[RIP]), ("rsp", r[RSP]), ("rflags", r[EFLAGS])],
        [("rax", r[RAX]), ("rbx", r[RBX]), ("rcx", r[RCX])],
        [("rdx", r[RDX]), ("rsi", r[RSI]), ("rdi", r[RDI])],
        [("rbp", r[RBP]), ("r8", r[R8]), ("r9", r[R8 + 1])],
        [("r10", r[R8 + 2]), ("r11", r[R8 + 3]), ("r12", r[R8 + 4])],
        [("r13", r[R8 + 5]), ("r14", r[R8 + 6]), ("r15", r[R8 + 7])],
    ];
    for row in rows {
        for (name, value) in row {
            let _ = write!(out, "{name:>6} {value:#018x} ");
        }
        let _ = writeln!(out);
    }
}

/// Can the 16 bytes of a frame record at `rbp` be read? They must lie on the stack, above the
/// interrupted stack pointer and below the start-up one, on mapped pages.
fn frame_readable(rbp: u64, rsp: u64) -> bool {
    let top = STACK_TOP.load(Ordering::Relaxed);
    rbp >= rsp
        && rbp.checked_add(16).is_some_and(|end| end <= top)
        && rbp.is_multiple_of(8)
        && syscall::is_mapped(rbp)
        && syscall::is_mapped(rbp + 15)
}

/// Prints `rip` (if known) and the return addresses along the frame-pointer chain from `rbp`.
fn backtrace(out: &mut Stream, rip: Option<u64>, rbp: u64, rsp: u64) {
    frame_backtrace::print(out, rip, rbp, |rbp| frame_readable(rbp, rsp));
    let program = PROGRAM.load(Ordering::Relaxed) as *const u8;
    if !program.is_null() {
        let _ = write!(out, "(symbols: addr2line -f -e ");
        let mut len = 0;
        // SAFETY: argv[0] is a NUL-terminated string on the start-up stack.
        while unsafe { program.add(len).read() } != 0 {
            len += 1;
        }
        // SAFETY: the `len` bytes before the NUL were just read.
        syscall::write_all(STDERR, unsafe { core::slice::from_raw_parts(program, len) });
        let _ = writeln!(out, " ADDRESS...)");
    }
}

/// Prints "ukl: crash: <why>" and a backtrace of the caller, then ends the process with 127.
///
/// # Safety
/// `why` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn ukarch_crash(why: *const c_char) -> ! {
    let out = &mut Stream(STDERR);
    if CRASHING.swap(true, Ordering::SeqCst) {
        let _ = writeln!(out, "\nukl: nested crash during a crash report");
        syscall::exit_group(CRASH_STATUS);
    }
    let _ = write!(out, "\nukl: crash: ");
    if why.is_null() {
        let _ = out.write_str("(no reason given)");
    } else {
        // SAFETY: the caller passes a NUL-terminated string.
        let text = unsafe { core::ffi::CStr::from_ptr(why) };
        syscall::write_all(STDERR, text.to_bytes());
    }
    let _ = writeln!(out);
    let (rbp, rsp): (u64, u64);
    // SAFETY: reads two registers, nothing else.
    unsafe {
        core::arch::asm!("mov {}, rbp", "mov {}, rsp", out(reg) rbp, out(reg) rsp,
            options(nomem, nostack));
    }
    backtrace(out, None, rbp, rsp);
    syscall::exit_group(CRASH_STATUS);
}
