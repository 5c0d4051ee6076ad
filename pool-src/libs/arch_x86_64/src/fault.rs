//! What a page fault was, in words, for the crash report: the access (read, write, instruction
//! fetch), whether the page was present (a protection violation) or not, and what the address
//! is: low memory (a null-pointer access), a stack's guard page or a `PROT_NONE` page that the
//! stack pointer reached (a stack overflow), the image's code or read-only data, or other memory.

use crate::idt::TrapFrame;
use crate::layout;
use crate::report::Console;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use x86_64::registers::model_specific::{FsBase, GsBase};
use x86_64::structures::idt::PageFaultErrorCode;

/// Where the boot-time check resumes after its deliberate fault (0: no check under way).
static PROBE_RESUME: AtomicU64 = AtomicU64::new(0);
/// CR2 as the check's fault left it; `NO_FAULT` if the read did not fault.
static PROBE_CR2: AtomicU64 = AtomicU64::new(NO_FAULT);
/// Not a page-aligned address plus 8: no fault can leave it in CR2 for the check's read.
const NO_FAULT: u64 = u64::MAX;
/// False when the check found CR2 wrong: then no report trusts it.
static CR2_RELIABLE: AtomicBool = AtomicBool::new(true);

/// Checks once, at boot, that page faults leave their address in CR2, by reading `unmapped`
/// (a page that is not present) and resuming after the read. Some nested hypervisors lose it
/// (Xen 4.17 under QEMU's TCG leaves 0): their crash reports then say that the address is
/// unknown instead of naming a wrong one. Returns whether CR2 was right.
///
/// # Safety
/// `unmapped` is not present; the IDT is loaded.
pub unsafe fn check_cr2(unmapped: u64) -> bool {
    // SAFETY: the read faults; the handler sees PROBE_RESUME set and continues at `2:`; only
    // the scratch registers named here change.
    unsafe {
        core::arch::asm!(
            "lea {resume}, [rip + 2f]",
            "mov qword ptr [{slot}], {resume}",
            "mov {value}, qword ptr [{address}]",
            "2:",
            resume = out(reg) _,
            slot = in(reg) PROBE_RESUME.as_ptr(),
            value = out(reg) _,
            address = in(reg) unmapped,
            options(nostack)
        );
    }
    PROBE_RESUME.store(0, Ordering::SeqCst);
    // No fault (the page could not be unmapped) proves nothing: CR2 is trusted then.
    let seen = PROBE_CR2.load(Ordering::SeqCst);
    let reliable = seen == NO_FAULT || seen == unmapped;
    CR2_RELIABLE.store(reliable, Ordering::SeqCst);
    reliable
}

/// For the page-fault handler: true (and the frame set to resume) if this fault is the boot
/// check's.
pub fn resume_check(frame: &mut TrapFrame, cr2: u64) -> bool {
    let resume = PROBE_RESUME.swap(0, Ordering::SeqCst);
    if resume == 0 {
        return false;
    }
    PROBE_CR2.store(cr2, Ordering::SeqCst);
    frame.rip = resume;
    true
}

/// Where the faulting address came from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// CR2, as the CPU left it.
    Cr2,
    /// CR2 cannot be trusted: the instruction pointer (an instruction fetch) or the operand of
    /// the faulting instruction, decoded.
    Instruction,
}

/// The faulting address: CR2; where CR2 cannot be trusted, the instruction pointer for an
/// instruction fetch, or the memory operand of the faulting instruction when it decodes for
/// certain (`memory_operand`); None otherwise.
pub fn address(cr2: u64, frame: &TrapFrame) -> Option<(u64, Source)> {
    if CR2_RELIABLE.load(Ordering::SeqCst) {
        return Some((cr2, Source::Cr2));
    }
    let code = PageFaultErrorCode::from_bits_truncate(frame.error_code);
    if code.contains(PageFaultErrorCode::INSTRUCTION_FETCH) {
        return Some((frame.rip, Source::Instruction));
    }
    // The longest x86 instruction is 15 bytes; read only what is mapped.
    let mut bytes = [0u8; 15];
    let mut len = 0;
    while len < bytes.len() && crate::paging::is_mapped(frame.rip.wrapping_add(len as u64)) {
        // SAFETY: the byte's page is mapped (checked just above).
        bytes[len] = unsafe { (frame.rip.wrapping_add(len as u64) as *const u8).read_volatile() };
        len += 1;
    }
    let registers = memory_operand::Registers {
        general: [
            frame.rax, frame.rcx, frame.rdx, frame.rbx, frame.rsp, frame.rbp, frame.rsi, frame.rdi,
            frame.r8, frame.r9, frame.r10, frame.r11, frame.r12, frame.r13, frame.r14, frame.r15,
        ],
        rip: frame.rip,
        fs_base: FsBase::read().as_u64(),
        gs_base: GsBase::read().as_u64(),
    };
    let write = code.contains(PageFaultErrorCode::CAUSED_BY_WRITE);
    memory_operand::address(&bytes[..len], &registers, write)
        .map(|address| (address, Source::Instruction))
}

/// The short note after `cr2` (kept in the form tests and users already match).
pub fn note(address: u64, rsp: u64) -> Option<&'static str> {
    // A stack that grew into a `PROT_NONE` page: the stack pointer is in it (a frame was
    // reserved there) or right above it (a push or call).
    let stack_in_no_access =
        crate::protect::is_no_access(rsp) || crate::protect::is_no_access(rsp.wrapping_sub(8));
    if crate::boot32::is_guard_page(address) {
        Some("boot stack overflow")
    } else if crate::guard::is_guard(address) {
        Some("guard page: stack overflow")
    } else if crate::protect::is_no_access(address) && stack_in_no_access {
        Some("PROT_NONE guard page: stack overflow")
    } else if crate::protect::is_no_access(address) {
        Some("PROT_NONE page")
    } else if layout::is_null_guard(address) {
        Some("null-pointer access")
    } else {
        None
    }
}

/// The note when the faulting address is unknown: a stack pointer inside (or right above) a
/// guard or `PROT_NONE` page still shows a stack overflow.
pub fn note_from_stack(rsp: u64) -> Option<&'static str> {
    let blocked = |address: u64| {
        crate::boot32::is_guard_page(address)
            || crate::guard::is_guard(address)
            || crate::protect::is_no_access(address)
    };
    (blocked(rsp) || blocked(rsp.wrapping_sub(8)))
        .then_some("the stack pointer is in a guard page: stack overflow")
}

/// Writes one line: `page fault: <access> <address> (<where>): <cause>` (the address and
/// where it is are `unknown address` when CR2 cannot be trusted).
pub fn explain(out: &mut Console, error_code: u64, address: Option<u64>) {
    let code = PageFaultErrorCode::from_bits_truncate(error_code);
    let access = if code.contains(PageFaultErrorCode::INSTRUCTION_FETCH) {
        "instruction fetch at"
    } else if code.contains(PageFaultErrorCode::CAUSED_BY_WRITE) {
        "write to"
    } else {
        "read of"
    };
    let cause = if code.contains(PageFaultErrorCode::MALFORMED_TABLE) {
        "reserved bit set in a page-table entry"
    } else if !code.contains(PageFaultErrorCode::PROTECTION_VIOLATION) {
        "page not present"
    } else if code.contains(PageFaultErrorCode::INSTRUCTION_FETCH) {
        "protection violation: page present, not executable"
    } else if code.contains(PageFaultErrorCode::CAUSED_BY_WRITE) {
        "protection violation: page present, read-only"
    } else {
        "protection violation: page present"
    };
    let _ = match address {
        Some(address) => writeln!(
            out,
            "page fault: {access} {address:#x} ({}): {cause}",
            layout::describe(address)
        ),
        None => writeln!(
            out,
            "page fault: {access} an unknown address (this hypervisor does not report it in \
             cr2): {cause}"
        ),
    };
}
