//! Trap dispatch: registered external vectors go to their handlers; every exception and
//! unexpected interrupt becomes a crash report.
//!
//! The report names the vector, shows the error code, all general registers, the interrupted
//! `rip`/`rsp`/`rflags`, for page faults `cr2` and what the access was (see `fault.rs`), and a
//! backtrace, then ends the guest with
//! [`report::CRASH_STATUS`] through `ukplat_terminate`.

use crate::idt::TrapFrame;
use crate::report::{self, Console};
use core::fmt::Write;
use x86_64::registers::control::Cr2;

const PAGE_FAULT: u64 = 14;
const BREAKPOINT: u64 = 3;

/// Mnemonic and description of an exception vector.
fn describe(vector: u64) -> (&'static str, &'static str) {
    match vector {
        0 => ("#DE", "divide error"),
        1 => ("#DB", "debug"),
        2 => ("NMI", "non-maskable interrupt"),
        3 => ("#BP", "breakpoint"),
        4 => ("#OF", "overflow"),
        5 => ("#BR", "bound range exceeded"),
        6 => ("#UD", "invalid opcode"),
        7 => ("#NM", "device not available"),
        8 => ("#DF", "double fault"),
        9 => ("#MP", "coprocessor segment overrun"),
        10 => ("#TS", "invalid TSS"),
        11 => ("#NP", "segment not present"),
        12 => ("#SS", "stack-segment fault"),
        13 => ("#GP", "general protection fault"),
        14 => ("#PF", "page fault"),
        16 => ("#MF", "x87 floating-point error"),
        17 => ("#AC", "alignment check"),
        18 => ("#MC", "machine check"),
        19 => ("#XM", "SIMD floating-point exception"),
        20 => ("#VE", "virtualization exception"),
        21 => ("#CP", "control protection exception"),
        28 => ("#HV", "hypervisor injection exception"),
        29 => ("#VC", "VMM communication exception"),
        30 => ("#SX", "security exception"),
        15 | 22..=27 | 31 => ("#??", "reserved exception"),
        _ => ("IRQ", "unexpected interrupt"),
    }
}

/// Called by the common trap path with the saved registers: runs the handler registered for an
/// external vector, or prints a crash report and ends the guest.
pub extern "C" fn dispatch(frame: &mut TrapFrame) {
    if frame.vector >= 32 && crate::irq::dispatch(frame.vector) {
        return;
    }
    // Read before anything else runs: a Xen console hypercall can change CR2.
    let fault_address = Cr2::read_raw();
    if frame.vector == PAGE_FAULT && crate::fault::resume_check(frame, fault_address) {
        return;
    }
    let out = &mut Console;
    let (mnemonic, description) = describe(frame.vector);
    if !report::begin() {
        let _ = writeln!(
            out,
            "\nukl: nested {mnemonic} (vector {}) at rip {:#x} during a crash report",
            frame.vector, frame.rip
        );
        report::end();
    }
    let _ = writeln!(
        out,
        "\nukl: crash: {mnemonic} {description} (vector {}), error code {:#x}",
        frame.vector, frame.error_code
    );
    if frame.vector == BREAKPOINT {
        // rip is past the one-byte int3. ukl links a C library's `hlt` as int3 in ring 0.
        let _ = writeln!(
            out,
            "int3 at {:#x}: a breakpoint, or a C library's `hlt` (linked as int3): in a musl \
             program, a_crash(): the C library found its own state corrupted (a failed heap \
             check, a stack-protector failure)",
            frame.rip.wrapping_sub(1)
        );
    }
    if frame.vector == PAGE_FAULT {
        let found = crate::fault::address(fault_address, frame);
        let address = found.map(|(address, _)| address);
        let note = address.and_then(|address| crate::fault::note(address, frame.rsp));
        let _ = write!(out, "cr2 {fault_address:#018x}");
        match found {
            Some((_, crate::fault::Source::Cr2)) => {
                if let Some(note) = note {
                    let _ = write!(out, " ({note})");
                }
            }
            Some((_, crate::fault::Source::Instruction)) => {
                let _ = write!(
                    out,
                    " (not the faulting address on this hypervisor; the address below is the \
                     faulting instruction's"
                );
                if let Some(note) = note {
                    let _ = write!(out, "; {note}");
                }
                let _ = write!(out, ")");
            }
            None => {
                let _ = write!(out, " (not the faulting address on this hypervisor");
                if let Some(note) = crate::fault::note_from_stack(frame.rsp) {
                    let _ = write!(out, "; {note}");
                }
                let _ = write!(out, ")");
            }
        }
        let _ = writeln!(out);
        crate::fault::explain(out, frame.error_code, address);
        let _ = writeln!(out, "faulting code at rip {:#x}", frame.rip);
    }
    print_registers(out, frame);
    report::backtrace(out, Some(frame.rip), frame.rbp);
    report::end();
}

fn print_registers(out: &mut Console, f: &TrapFrame) {
    let rows: [[(&str, u64); 3]; 7] = [
        [("rip", f.rip), ("rsp", f.rsp), ("rflags", f.rflags)],
        [("rax", f.rax), ("rbx", f.rbx), ("rcx", f.rcx)],
        [("rdx", f.rdx), ("rsi", f.rsi), ("rdi", f.rdi)],
        [("rbp", f.rbp), ("r8", f.r8), ("r9", f.r9)],
        [("r10", f.r10), ("r11", f.r11), ("r12", f.r12)],
        [("r13", f.r13), ("r14", f.r14), ("r15", f.r15)],
        [("cs", f.cs), ("ss", f.ss), ("vector", f.vector)],
    ];
    for row in rows {
        for (name, value) in row {
            let _ = write!(out, "{name:>6} {value:#018x} ");
        }
        let _ = writeln!(out);
    }
}
