//! The frame-pointer backtrace of the crash reports (a support crate, not a pool library: every
//! library that uses it gets a private copy). The walk is the same on every platform; only
//! which frame addresses are safe to read differs (mapped RAM on KVM/Xen, the process's stacks
//! on linuxu), so the caller passes that test.

#![no_std]

use core::fmt::Write;

/// Deepest backtrace printed.
const MAX_FRAMES: usize = 32;

/// Prints `rip` (if known: the faulting instruction) and the return addresses found by following
/// the frame-pointer chain from `rbp`; runs of one address (deep recursion) are shown once, with
/// a count. `readable(rbp)` says whether the two words at a non-zero `rbp` (saved `rbp`, return
/// address) may be read.
pub fn print(out: &mut impl Write, rip: Option<u64>, mut rbp: u64, readable: impl Fn(u64) -> bool) {
    let _ = writeln!(out, "backtrace:");
    let first = match rip {
        Some(rip) => {
            let _ = writeln!(out, "  #0  {rip:#018x}");
            1
        }
        None => 0,
    };
    let mut previous = 0;
    let mut repeats = 0;
    for depth in first..first + MAX_FRAMES {
        if rbp == 0 || !readable(rbp) {
            break;
        }
        let frame = rbp as *const u64;
        // SAFETY: `readable` checked that both words may be read.
        let (caller_rbp, return_address) = unsafe { (frame.read(), frame.add(1).read()) };
        if return_address == 0 {
            break;
        }
        if return_address == previous {
            repeats += 1;
        } else {
            print_repeats(out, repeats);
            repeats = 0;
            let _ = writeln!(out, "  #{depth:<2} {return_address:#018x}");
            previous = return_address;
        }
        // Stacks grow down: a caller's frame is always above its callee's.
        if caller_rbp <= rbp {
            break;
        }
        rbp = caller_rbp;
    }
    print_repeats(out, repeats);
}

fn print_repeats(out: &mut impl Write, repeats: usize) {
    if repeats > 0 {
        let _ = writeln!(out, "      ... the same {repeats} more time(s)");
    }
}
