//! Installing the trap (`SIGSYS` handler, then the filter) and serving each trapped call.

use crate::filter::{self, Instruction};
use core::ffi::c_void;

use syscall_abi::{Frame, HostOps};

/// `struct ukplat_memregion`.
#[repr(C)]
#[derive(Default)]
struct MemRegion {
    base: u64,
    len: u64,
    flags: u32,
    pad: u32,
}

const MEMREGION_MODULE: u32 = 0x8;

extern "C" {
    fn uk_syscall_trapped(frame: *mut Frame, blocked: u64) -> i64;
    fn uk_syscall_host_attach(ops: *const HostOps) -> i32;
    fn ukplat_memregion_count() -> i32;
    fn ukplat_memregion_get(index: i32, region: *mut MemRegion) -> i32;
    fn ukplat_linuxu_syscall(nr: i64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64;
    static ukplat_linuxu_syscall_gate_end: u8;
    fn uk_syscall_trap_restore();
}

// The signal return trampoline (`sa_restorer`): `rt_sigreturn` is never trapped.
core::arch::global_asm!(
    ".pushsection .text.uk_syscall_trap_restore, \"ax\", @progbits",
    ".globl uk_syscall_trap_restore",
    ".type uk_syscall_trap_restore, @function",
    "uk_syscall_trap_restore:",
    "    mov eax, 15",
    "    syscall",
    "    ud2",
    ".size uk_syscall_trap_restore, . - uk_syscall_trap_restore",
    ".popsection",
);

static HOST: HostOps = HostOps {
    syscall: ukplat_linuxu_syscall,
};

const RT_SIGACTION: i64 = 13;
const RT_SIGPROCMASK: i64 = 14;
const PRCTL: i64 = 157;
const SECCOMP: i64 = 317;
const SIGSYS: u64 = 31;
const SA_SIGINFO: u64 = 4;
const SA_RESTORER: u64 = 0x0400_0000;
/// linux_syscall's result for a call to restart once the pending signal's handler ran.
const ERESTARTSYS: i64 = 512;
/// The length of the `syscall` instruction.
const SYSCALL_BYTES: u64 = 2;
const PR_SET_NO_NEW_PRIVS: u64 = 38;
const SECCOMP_SET_MODE_FILTER: u64 = 1;
/// `struct siginfo`: `si_syscall` of a SIGSYS.
const SI_SYSCALL: usize = 24;
/// `ucontext_t`: `uc_mcontext.gregs` and the indexes used.
const GREGS: usize = 40;
/// `ucontext_t`: `uc_sigmask` (after the 256-byte `uc_mcontext`), the mask the kernel
/// restores when the handler returns.
const SIGMASK: usize = GREGS + 256;
const REG_R8: usize = 0;
const REG_R9: usize = 1;
const REG_R10: usize = 2;
const REG_R12: usize = 4;
const REG_R13: usize = 5;
const REG_R14: usize = 6;
const REG_R15: usize = 7;
const REG_RDI: usize = 8;
const REG_RSI: usize = 9;
const REG_RBP: usize = 10;
const REG_RBX: usize = 11;
const REG_RDX: usize = 12;
const REG_RAX: usize = 13;
const REG_RIP: usize = 16;
const REG_EFL: usize = 17;

/// The SIGSYS handler: serves the trapped call with the caller's registers and returns its
/// result in rax (the kernel resumes after the `syscall` instruction).
extern "C" fn on_sigsys(_signal: i32, info: *mut c_void, context: *mut c_void) {
    // SAFETY: the kernel passes a SIGSYS siginfo and the interrupted ucontext.
    unsafe {
        let gregs = context.cast::<u8>().add(GREGS).cast::<u64>();
        let reg = |index: usize| gregs.add(index).read();
        let mut frame = Frame {
            rax: info.cast::<u8>().add(SI_SYSCALL).cast::<i32>().read() as u64,
            r9: reg(REG_R9),
            r8: reg(REG_R8),
            r10: reg(REG_R10),
            rdx: reg(REG_RDX),
            rsi: reg(REG_RSI),
            rdi: reg(REG_RDI),
            r15: reg(REG_R15),
            r14: reg(REG_R14),
            r13: reg(REG_R13),
            r12: reg(REG_R12),
            rbx: reg(REG_RBX),
            rbp: reg(REG_RBP),
            rip: reg(REG_RIP),
            rflags: reg(REG_EFL),
        };
        let result = match frame.rax as i64 {
            RT_SIGACTION => sigaction(&frame),
            RT_SIGPROCMASK => sigprocmask(&frame, context.cast::<u8>().add(SIGMASK).cast()),
            // The program's blocked set: a signal it lets through ends a wait of the call.
            _ => uk_syscall_trapped(
                &mut frame,
                context.cast::<u8>().add(SIGMASK).cast::<u64>().read(),
            ),
        };
        if result == -ERESTARTSYS {
            // Restarted after the pending signal's handler (it has SA_RESTART): the host
            // delivers it when this handler returns, then the `syscall` runs again.
            gregs.add(REG_RIP).write(reg(REG_RIP) - SYSCALL_BYTES);
            gregs.add(REG_RAX).write(frame.rax);
        } else {
            gregs.add(REG_RAX).write(result as u64);
        }
    }
}

/// The SIGSYS bit of a signal mask.
const SIGSYS_BIT: u64 = 1 << (SIGSYS - 1);

/// `rt_sigaction` as the program asked, except that SIGSYS stays out of the handler's mask (a
/// trapped call with SIGSYS blocked would kill the process) and the trap's own handler stays:
/// a new SIGSYS action is refused with EINVAL.
fn sigaction(frame: &Frame) -> i64 {
    let (nr, a0, a1, a2, a3) = (frame.rax as i64, frame.rdi, frame.rsi, frame.rdx, frame.r10);
    if a0 == SIGSYS && a1 != 0 {
        return -22;
    }
    if a1 == 0 || a3 != 8 {
        return host(nr, [a0, a1, a2, a3, 0]);
    }
    // SAFETY: the caller passed a kernel `struct sigaction` (4 words with an 8-byte mask).
    let mut action = unsafe { (a1 as *const [u64; 4]).read_unaligned() };
    action[3] &= !SIGSYS_BIT;
    host(nr, [a0, action.as_ptr() as u64, a2, a3, 0])
}

/// `rt_sigprocmask(how, set, old, size)` made from the SIGSYS handler: a mask set there would
/// last only until the handler returns, when the kernel restores the one saved in the
/// interrupted context (`saved`). So the call works on that saved mask, which then becomes the
/// program's (SIGSYS, SIGKILL and SIGSTOP never blocked); signals it unblocks arrive as soon
/// as the handler returns.
fn sigprocmask(frame: &Frame, saved: *mut u64) -> i64 {
    const EINVAL: i64 = 22;
    const UNBLOCKABLE: u64 = SIGSYS_BIT | (1 << 8) | (1 << 18);
    let (how, set, old, size) = (frame.rdi, frame.rsi, frame.rdx, frame.r10);
    if size != 8 {
        return -EINVAL;
    }
    // SAFETY: the kernel's ucontext of the interrupted program.
    let current = unsafe { saved.read_unaligned() };
    let mask = if set == 0 {
        current
    } else {
        // SAFETY: the caller passed a mask of `size` (8) bytes.
        let set = unsafe { (set as *const u64).read_unaligned() };
        match how {
            0 => current | set,
            1 => current & !set,
            2 => set,
            _ => return -EINVAL,
        }
    };
    if old != 0 {
        // SAFETY: the caller passed room for a mask of `size` bytes.
        unsafe { (old as *mut u64).write_unaligned(current) };
    }
    // SAFETY: as above; the kernel restores this mask when the handler returns.
    unsafe { saved.write_unaligned(mask & !UNBLOCKABLE) };
    0
}

fn host(nr: i64, args: [u64; 5]) -> i64 {
    // SAFETY: the platform's gate with arguments each call below documents.
    unsafe { ukplat_linuxu_syscall(nr, args[0], args[1], args[2], args[3], args[4], 0) }
}

fn has_initrd() -> bool {
    // SAFETY: plain queries of the platform's region table.
    let count = unsafe { ukplat_memregion_count() };
    (0..count).any(|i| {
        let mut region = MemRegion::default();
        // SAFETY: `region` is a valid out-pointer.
        let found = unsafe { ukplat_memregion_get(i, &mut region) } == 0;
        found && region.flags & MEMREGION_MODULE != 0
    })
}

/// With an initrd: host mode, the handler, the filter. Without: nothing. 0, or a negated
/// errno when the kernel refuses (the boot then stops with a report).
#[no_mangle]
pub extern "C" fn uk_syscall_trap_init() -> i32 {
    static DONE: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
    if DONE.swap(true, core::sync::atomic::Ordering::Relaxed) || !has_initrd() {
        return 0;
    }
    // SAFETY: a table that lives forever; before the table serves anything.
    unsafe { uk_syscall_host_attach(&HOST) };
    // The kernel's `struct sigaction`: handler, flags, restorer, mask (nothing more blocked:
    // a call the table passes to the host, such as a read of a host pipe, must stay
    // interruptible by the program's signals, which then run nested in this handler).
    let action: [u64; 4] = [
        on_sigsys as *const () as u64,
        SA_SIGINFO | SA_RESTORER,
        uk_syscall_trap_restore as *const () as u64,
        0,
    ];
    let status = host(RT_SIGACTION, [SIGSYS, action.as_ptr() as u64, 0, 8, 0]);
    if status < 0 {
        return status as i32;
    }
    let status = host(PRCTL, [PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0]);
    if status < 0 {
        return status as i32;
    }
    let mut program = [Instruction {
        code: 0,
        jump_true: 0,
        jump_false: 0,
        k: 0,
    }; filter::length(filter::TRAPPED.len())];
    let gate = core::ptr::addr_of!(ukplat_linuxu_syscall_gate_end) as u64;
    filter::build(gate, filter::TRAPPED, &mut program);
    // `struct sock_fprog`: length, then the program's address (after padding).
    let fprog: [u64; 2] = [program.len() as u64, program.as_ptr() as u64];
    let status = host(
        SECCOMP,
        [SECCOMP_SET_MODE_FILTER, 0, fprog.as_ptr() as u64, 0, 0],
    );
    if status < 0 {
        return status as i32;
    }
    0
}

#[used]
#[link_section = ".uk_inittab.01"]
static INIT: extern "C" fn() -> i32 = uk_syscall_trap_init;
