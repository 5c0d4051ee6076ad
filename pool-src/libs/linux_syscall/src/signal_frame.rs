//! Signal frames, as Linux builds them on x86_64 (`struct rt_sigframe`), and the two calls
//! that need the caller's stack: `rt_sigreturn` and `sigaltstack`.
//!
//! To deliver a signal, [`enter_handler`] writes below the interrupted stack pointer's red
//! zone (or at the top of the thread's alternate stack, for an `SA_ONSTACK` handler): the
//! handler's return address (`sa_restorer`: musl's `__restore_rt`, which calls
//! `rt_sigreturn`), a `ucontext_t` (flags, link, the alternate stack's settings, the
//! registers in `struct sigcontext` order with a pointer to the SSE state, the blocked set to
//! restore), a `siginfo_t`, and the 512-byte `fxsave` image of the SSE state, 64-byte aligned
//! at the top. It then enters the handler with the signal number, the `siginfo_t` and the
//! `ucontext_t` as arguments, the stack pointer on the return address. [`sigreturn`] puts
//! back what the `ucontext_t` holds — every register, the flags the program may change, the
//! SSE state and the blocked set — so a handler that edits it (musl's cancellation handler
//! moves the program counter to its cancellation path) resumes the thread where it says.
//!
//! The registers come from the end of a system call ([`Context::after_syscall`]: `rcx` and
//! `r11` hold what the `syscall` instruction left there, the program counter is moved back
//! onto the `syscall` instruction when the call is restarted) or from an interrupt
//! ([`uk_signal_at_interrupt`]).

use crate::errno::*;
use crate::signals::{self, Action, SA_ONSTACK, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK};
use syscall_abi::Frame;

/// The System V ABI's red zone below the stack pointer, which a signal frame must not touch.
const RED_ZONE: u64 = 128;
/// `sizeof(struct rt_sigframe)` without the SSE state: return address, `ucontext_t`,
/// `siginfo_t`.
const FRAME_BYTES: u64 = 8 + UCONTEXT_BYTES + 128;
const UCONTEXT_BYTES: u64 = 304;
/// Offsets in the frame: the `ucontext_t`, its parts, the `siginfo_t`.
const UC: usize = 8;
const UC_STACK: usize = UC + 16;
const UC_MCONTEXT: usize = UC + 40;
const UC_FPSTATE: usize = UC_MCONTEXT + 23 * 8;
const UC_SIGMASK: usize = UC + 296;
const INFO: usize = 8 + UCONTEXT_BYTES as usize;
const FPSTATE_BYTES: u64 = 512;
/// The most a frame with its SSE state and alignment takes.
const MOST: usize = FRAME_BYTES as usize + 16 + FPSTATE_BYTES as usize + 64;
/// `MINSIGSTKSZ`: the smallest alternate stack `sigaltstack` accepts.
const MINSIGSTKSZ: u64 = 2048;
/// The flags a handler may change through its `ucontext_t` (Linux's `FIX_EFLAGS`: AC, OF, DF,
/// TF, SF, ZF, AF, PF, CF, RF); interrupts stay enabled.
const CHANGEABLE_FLAGS: u64 = 0x5_0dd5;
const FLAGS_ALWAYS: u64 = 0x202;
const KERNEL_CODE: u64 = 0x08;
const KERNEL_DATA: u64 = 0x10;

/// Indices of `struct sigcontext`'s registers (`REG_*` of `<sys/ucontext.h>`).
mod reg {
    pub const R8: usize = 0;
    pub const R9: usize = 1;
    pub const R10: usize = 2;
    pub const R11: usize = 3;
    pub const R12: usize = 4;
    pub const R13: usize = 5;
    pub const R14: usize = 6;
    pub const R15: usize = 7;
    pub const RDI: usize = 8;
    pub const RSI: usize = 9;
    pub const RBP: usize = 10;
    pub const RBX: usize = 11;
    pub const RDX: usize = 12;
    pub const RAX: usize = 13;
    pub const RCX: usize = 14;
    pub const RSP: usize = 15;
    pub const RIP: usize = 16;
    pub const EFL: usize = 17;
    pub const CSGSFS: usize = 18;
}

/// The registers and SSE state of the code a signal interrupts.
pub struct Context {
    /// In `struct sigcontext` order, through `cr2` (23 words).
    pub gregs: [u64; 23],
    pub fpstate: [u8; FPSTATE_BYTES as usize],
}

/// The stack pointer of the code that made the call in `frame`: the entry stub saved the
/// frame right below the caller's red zone.
pub fn caller_rsp(frame: *const Frame) -> u64 {
    frame as u64 + core::mem::size_of::<Frame>() as u64 + RED_ZONE
}

impl Context {
    /// The registers `gregs` (in `struct sigcontext` order) with a copy of the `fxsave` image
    /// at `fpstate`.
    ///
    /// # Safety
    /// `fpstate` holds 512 readable bytes.
    unsafe fn new(gregs: [u64; 23], fpstate: *const u8) -> Context {
        let mut context = Context {
            gregs,
            fpstate: [0; FPSTATE_BYTES as usize],
        };
        // SAFETY: the caller's contract.
        unsafe {
            core::ptr::copy_nonoverlapping(
                fpstate,
                context.fpstate.as_mut_ptr(),
                FPSTATE_BYTES as usize,
            )
        };
        context
    }

    /// The caller of the call in `frame` as it stands when the call returns `result`; a call
    /// that ended with `ERESTARTSYS` resumes on its `syscall` instruction (`restart`: the
    /// handler has `SA_RESTART`) or returns `EINTR`.
    ///
    /// # Safety
    /// `fpstate` is the entry stub's 512-byte `fxsave` area of this call.
    pub unsafe fn after_syscall(
        frame: &Frame,
        fpstate: *const u8,
        result: i64,
        restart: bool,
    ) -> Context {
        /// The length of the `syscall` instruction.
        const SYSCALL_BYTES: u64 = 2;
        let (rip, rax) = if result == -signals::ERESTARTSYS {
            if restart {
                (frame.rip - SYSCALL_BYTES, frame.rax)
            } else {
                (frame.rip, -EINTR as u64)
            }
        } else {
            (frame.rip, result as u64)
        };
        let mut gregs = [0u64; 23];
        gregs[reg::R8] = frame.r8;
        gregs[reg::R9] = frame.r9;
        gregs[reg::R10] = frame.r10;
        gregs[reg::R11] = frame.rflags;
        gregs[reg::R12] = frame.r12;
        gregs[reg::R13] = frame.r13;
        gregs[reg::R14] = frame.r14;
        gregs[reg::R15] = frame.r15;
        gregs[reg::RDI] = frame.rdi;
        gregs[reg::RSI] = frame.rsi;
        gregs[reg::RBP] = frame.rbp;
        gregs[reg::RBX] = frame.rbx;
        gregs[reg::RDX] = frame.rdx;
        gregs[reg::RAX] = rax;
        gregs[reg::RCX] = frame.rip;
        gregs[reg::RSP] = caller_rsp(frame);
        gregs[reg::RIP] = rip;
        gregs[reg::EFL] = frame.rflags;
        gregs[reg::CSGSFS] = KERNEL_CODE | KERNEL_DATA << 48;
        // SAFETY: the caller's contract.
        unsafe { Context::new(gregs, fpstate) }
    }
}

extern "C" {
    /// Copies `len` bytes from `source` to `target` (backwards: the target may overlap the
    /// source from above), then jumps to `entry[0]` with rsp = `entry[1]`, rdi, rsi, rdx =
    /// `entry[2..5]`.
    fn uk_signal_enter(source: *const u8, len: usize, target: u64, entry: *const u64) -> !;
    /// Loads the SSE state at `fpstate` (unless null) and every register of `gregs`
    /// (`struct sigcontext` order), and continues at its rip with its rsp and flags.
    fn uk_signal_restore(gregs: *const u64, fpstate: *const u8) -> !;
}

core::arch::global_asm!(
    ".globl uk_signal_stubs_start",
    "uk_signal_stubs_start:",
    ".globl uk_signal_enter",
    ".type uk_signal_enter, @function",
    "uk_signal_enter:",
    "    mov r8, [rcx]",
    "    mov r9, [rcx + 8]",
    "    mov r10, [rcx + 16]",
    "    mov r11, [rcx + 24]",
    "    mov rax, [rcx + 32]",
    "    mov rcx, rsi",
    "    lea rsi, [rdi + rcx - 1]",
    "    lea rdi, [rdx + rcx - 1]",
    "    std",
    "    rep movsb",
    "    cld",
    "    mov rsp, r9",
    "    mov rdi, r10",
    "    mov rsi, r11",
    "    mov rdx, rax",
    "    xor eax, eax",
    "    mov byte ptr [rip + {in_program}], 1",
    "    jmp r8",
    ".size uk_signal_enter, . - uk_signal_enter",
    "",
    ".globl uk_signal_restore",
    ".type uk_signal_restore, @function",
    "uk_signal_restore:",
    "    test rsi, rsi",
    "    jz 1f",
    "    fxrstor64 [rsi]",
    "1:",
    // The program counter and flags go just below the target's red zone, for popfq and ret.
    "    mov rax, [rdi + 120]",
    "    sub rax, 144",
    "    mov rcx, [rdi + 128]",
    "    mov [rax + 8], rcx",
    "    mov rcx, [rdi + 136]",
    "    mov [rax], rcx",
    "    mov rsp, rax",
    "    mov r8, [rdi]",
    "    mov r9, [rdi + 8]",
    "    mov r10, [rdi + 16]",
    "    mov r11, [rdi + 24]",
    "    mov r12, [rdi + 32]",
    "    mov r13, [rdi + 40]",
    "    mov r14, [rdi + 48]",
    "    mov r15, [rdi + 56]",
    "    mov rsi, [rdi + 72]",
    "    mov rbp, [rdi + 80]",
    "    mov rbx, [rdi + 88]",
    "    mov rdx, [rdi + 96]",
    "    mov rax, [rdi + 104]",
    "    mov rcx, [rdi + 112]",
    "    mov rdi, [rdi + 64]",
    "    popfq",
    "    mov byte ptr [rip + {in_program}], 1",
    // Pops the program counter, then steps over the red zone: rsp is the target's.
    "    ret 128",
    ".size uk_signal_restore, . - uk_signal_restore",
    ".globl uk_signal_stubs_end",
    "uk_signal_stubs_end:",
    in_program = sym crate::entry::UK_SYSCALL_IN_PROGRAM,
);

extern "C" {
    fn uk_signal_stubs_start();
    fn uk_signal_stubs_end();
}

/// Writes `value` at `offset` of `buffer`.
fn put(buffer: &mut [u8], offset: usize, value: u64) {
    buffer[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
}

fn get(address: u64) -> u64 {
    // SAFETY: the caller reads a frame that this layer wrote, or one the program edited, in
    // the program's memory (one address space: a wrong address reads garbage or faults into
    // a crash report).
    unsafe { (address as *const u64).read_unaligned() }
}

/// The `ss_flags` that `sigaltstack` and a frame report for a thread whose alternate stack is
/// `(base, size, flags)`, seen from stack pointer `sp`.
fn reported_flags(base: u64, size: u64, flags: u32, sp: Option<u64>) -> u32 {
    if flags & SS_DISABLE != 0 || size == 0 {
        return SS_DISABLE;
    }
    let on = sp.is_some_and(|sp| sp > base && sp <= base + size);
    (if on { SS_ONSTACK } else { 0 }) | (flags & SS_AUTODISARM)
}

/// A signal frame ready to be written: its bytes, where they go, and the handler's entry
/// (`rip`, `rsp`, then the three arguments).
struct Prepared {
    bytes: [u8; MOST],
    len: usize,
    at: u64,
    entry: [u64; 5],
}

/// Prepares the frame of `signal` (`code`: its `si_code`) under `action` for thread `me`,
/// interrupted in `context`, and blocks the handler's signals.
fn prepare(me: i32, signal: u64, code: i32, action: &Action, context: &Context) -> Prepared {
    let sp = context.gregs[reg::RSP];
    let (base, size, flags) = signals::alt_stack(me);
    let stack_flags = reported_flags(base, size, flags, Some(sp));
    let on_alt = stack_flags & SS_ONSTACK != 0;
    let use_alt = action.flags & SA_ONSTACK != 0 && stack_flags & SS_DISABLE == 0 && !on_alt;
    let top = if use_alt { base + size } else { sp - RED_ZONE };
    if use_alt && flags & SS_AUTODISARM != 0 {
        signals::set_alt_stack(me, 0, 0, SS_DISABLE);
    }
    let restore_mask = signals::block_for_handler(me, signal, action);
    let fpstate_at = (top - FPSTATE_BYTES) & !63;
    let frame_at = ((fpstate_at - FRAME_BYTES) & !15) - 8;
    let len = (top - frame_at) as usize;
    let mut prepared = Prepared {
        bytes: [0u8; MOST],
        len,
        at: frame_at,
        entry: [
            action.handler,
            frame_at,
            signal,
            frame_at + INFO as u64,
            frame_at + UC as u64,
        ],
    };
    let frame = &mut prepared.bytes[..len];
    put(frame, 0, action.restorer);
    // uc_flags, uc_link: 0. The alternate stack as it was.
    put(frame, UC_STACK, base);
    put(frame, UC_STACK + 8, u64::from(stack_flags));
    put(frame, UC_STACK + 16, size);
    for (i, value) in context.gregs.iter().enumerate() {
        put(frame, UC_MCONTEXT + i * 8, *value);
    }
    put(frame, UC_FPSTATE, fpstate_at);
    put(frame, UC_SIGMASK, restore_mask);
    // siginfo_t: si_signo, si_errno, si_code, then the sender (pid, uid 0).
    frame[INFO..INFO + 4].copy_from_slice(&(signal as i32).to_le_bytes());
    frame[INFO + 8..INFO + 12].copy_from_slice(&code.to_le_bytes());
    frame[INFO + 16..INFO + 20].copy_from_slice(&(crate::process::PID as i32).to_le_bytes());
    let fp = (fpstate_at - frame_at) as usize;
    frame[fp..fp + FPSTATE_BYTES as usize].copy_from_slice(&context.fpstate);
    prepared
}

/// Enters the handler of `signal` (`code`: its `si_code`) under `action` for thread `me`,
/// interrupted in `context`: builds the frame and jumps. Does not return: the handler's
/// `rt_sigreturn` continues the thread.
///
/// # Safety
/// The thread's stack below `context`'s stack pointer (past the red zone) or its alternate
/// stack is free for the frame; nothing of the caller's state is needed afterwards.
pub unsafe fn enter_handler(
    me: i32,
    signal: u64,
    code: i32,
    action: &Action,
    context: &Context,
) -> ! {
    let prepared = prepare(me, signal, code, action, context);
    // SAFETY: the caller's contract: the frame's place is free; the prepared bytes lie deeper
    // in this stack than the frame's place (or on another stack), so the backward copy is
    // safe.
    unsafe {
        uk_signal_enter(
            prepared.bytes.as_ptr(),
            prepared.len,
            prepared.at,
            prepared.entry.as_ptr(),
        )
    }
}

/// The registers of the code an interrupt stopped, as arch_x86_64's trap path saves them
/// (`struct ukarch_trap_frame`, lowest address first); `iretq` restores them.
#[repr(C)]
pub struct TrapFrame {
    r15: u64,
    r14: u64,
    r13: u64,
    r12: u64,
    r11: u64,
    r10: u64,
    r9: u64,
    r8: u64,
    rbp: u64,
    rdi: u64,
    rsi: u64,
    rdx: u64,
    rcx: u64,
    rbx: u64,
    rax: u64,
    vector: u64,
    error_code: u64,
    rip: u64,
    cs: u64,
    rflags: u64,
    rsp: u64,
    ss: u64,
}

/// RFLAGS' direction and trap flags: clear when a handler starts, as Linux clears them.
const DF_TF: u64 = 0x400 | 0x100;

/// The architecture's interrupt-return hook: when the interrupt stopped the program (not this
/// layer, not a thread switch, not one of the stubs that go back to the program) and a signal
/// is due for the running thread — an interval timer's, or one another thread sent — the
/// program resumes in the handler on a signal frame instead, so that a loop that makes no call
/// is interrupted. The frame holds the interrupted registers and SSE state; `rt_sigreturn`
/// goes back there.
///
/// # Safety
/// Called by the architecture with interrupts disabled, the live frame of the interrupt and
/// its 512-byte `fxsave` image.
pub unsafe extern "C" fn at_interrupt(frame: *mut core::ffi::c_void, fpstate: *mut u8) {
    use core::sync::atomic::Ordering;
    if crate::entry::UK_SYSCALL_IN_PROGRAM.load(Ordering::Acquire) == 0 {
        return;
    }
    // SAFETY: the architecture's contract.
    let frame = unsafe { &mut *frame.cast::<TrapFrame>() };
    let in_stub = |start: unsafe extern "C" fn(), end: unsafe extern "C" fn()| {
        (start as usize as u64..end as usize as u64).contains(&frame.rip)
    };
    if in_stub(
        crate::entry::uk_syscall_entry_start,
        crate::entry::uk_syscall_stubs_end,
    ) || in_stub(uk_signal_stubs_start, uk_signal_stubs_end)
    {
        return;
    }
    crate::itimer::expire();
    crate::itimer::arm_hardware();
    if signals::nothing_pending() {
        return;
    }
    let me = signals::current_tid();
    let Some((signal, code, action)) = signals::take_deliverable(me) else {
        return;
    };
    match action.handler {
        signals::SIG_IGN => return,
        signals::SIG_DFL if signals::ignored_by_default(signal) => return,
        signals::SIG_DFL => signals::terminate(signal),
        _ => {}
    }
    let mut gregs = [0u64; 23];
    gregs[reg::R8] = frame.r8;
    gregs[reg::R9] = frame.r9;
    gregs[reg::R10] = frame.r10;
    gregs[reg::R11] = frame.r11;
    gregs[reg::R12] = frame.r12;
    gregs[reg::R13] = frame.r13;
    gregs[reg::R14] = frame.r14;
    gregs[reg::R15] = frame.r15;
    gregs[reg::RDI] = frame.rdi;
    gregs[reg::RSI] = frame.rsi;
    gregs[reg::RBP] = frame.rbp;
    gregs[reg::RBX] = frame.rbx;
    gregs[reg::RDX] = frame.rdx;
    gregs[reg::RAX] = frame.rax;
    gregs[reg::RCX] = frame.rcx;
    gregs[reg::RSP] = frame.rsp;
    gregs[reg::RIP] = frame.rip;
    gregs[reg::EFL] = frame.rflags;
    gregs[reg::CSGSFS] = frame.cs | frame.ss << 48;
    // SAFETY: the architecture's 512-byte image.
    let context = unsafe { Context::new(gregs, fpstate) };
    let prepared = prepare(me, signal, code, &action, &context);
    // SAFETY: the frame goes below the interrupted stack's red zone (or on its alternate
    // stack), which the program does not use; this runs on the interrupt stack.
    unsafe {
        core::ptr::copy_nonoverlapping(
            prepared.bytes.as_ptr(),
            prepared.at as *mut u8,
            prepared.len,
        )
    };
    let [rip, rsp, rdi, rsi, rdx] = prepared.entry;
    frame.rip = rip;
    frame.rsp = rsp;
    frame.rdi = rdi;
    frame.rsi = rsi;
    frame.rdx = rdx;
    frame.rax = 0;
    frame.rflags &= !DF_TF;
}

/// `rt_sigreturn()`: the caller is the handler's `sa_restorer`, whose stack pointer is on the
/// frame's `ucontext_t`. Puts back the blocked set, the alternate stack if delivery disarmed
/// it, the SSE state and the registers, and continues there.
///
/// # Safety
/// `frame` is the live frame of this call.
pub unsafe fn sigreturn(frame: *mut Frame) -> i64 {
    let uc = caller_rsp(frame);
    let me = signals::current_tid();
    signals::set_blocked(get(uc + (UC_SIGMASK - UC) as u64));
    let stack_flags = get(uc + (UC_STACK - UC) as u64 + 8) as u32;
    if stack_flags & SS_AUTODISARM != 0 {
        let base = get(uc + (UC_STACK - UC) as u64);
        let size = get(uc + (UC_STACK - UC) as u64 + 16);
        signals::set_alt_stack(me, base, size, SS_AUTODISARM);
    }
    let mut gregs = [0u64; 23];
    for (i, slot) in gregs.iter_mut().enumerate() {
        *slot = get(uc + (UC_MCONTEXT - UC + i * 8) as u64);
    }
    gregs[reg::EFL] = (gregs[reg::EFL] & CHANGEABLE_FLAGS) | FLAGS_ALWAYS;
    let fpstate = get(uc + (UC_FPSTATE - UC) as u64);
    if !fpstate.is_multiple_of(16) {
        return -EFAULT;
    }
    // SAFETY: continues the thread as its frame says; fxrstor of a 16-byte aligned image.
    unsafe { uk_signal_restore(gregs.as_ptr(), fpstate as *const u8) }
}

/// `sigaltstack(new, old)`, seen from stack pointer `sp` (None: not on any alternate stack).
pub fn sigaltstack(new: u64, old: u64, sp: Option<u64>) -> i64 {
    let me = signals::current_tid();
    let (base, size, flags) = signals::alt_stack(me);
    let reported = reported_flags(base, size, flags, sp);
    if new != 0 {
        let ss_sp = get(new);
        let ss_flags = get(new + 8) as u32;
        let ss_size = get(new + 16);
        if reported & SS_ONSTACK != 0 {
            return -EPERM;
        }
        match ss_flags & !SS_AUTODISARM {
            SS_DISABLE => signals::set_alt_stack(me, 0, 0, SS_DISABLE),
            0 | SS_ONSTACK => {
                if ss_size < MINSIGSTKSZ {
                    return -ENOMEM;
                }
                signals::set_alt_stack(me, ss_sp, ss_size, ss_flags & SS_AUTODISARM);
            }
            _ => return -EINVAL,
        }
    }
    if old != 0 {
        let (base, size) = if reported & SS_DISABLE != 0 {
            (base, 0)
        } else {
            (base, size)
        };
        // SAFETY: the caller passed a `stack_t` (24 bytes).
        unsafe {
            (old as *mut u64).write_unaligned(base);
            ((old + 8) as *mut u64).write_unaligned(u64::from(reported));
            ((old + 16) as *mut u64).write_unaligned(size);
        }
    }
    0
}
