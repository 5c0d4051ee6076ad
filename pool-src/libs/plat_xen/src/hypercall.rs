//! Finding Xen and calling it: the CPUID leaves, the hypercall page, and the hypercalls used.
//!
//! Xen announces itself in the hypervisor CPUID range (0x40000000 upwards in steps of 0x100,
//! since another hypervisor's leaves may come first) with the signature "XenVMMXenVMM". Leaf
//! base+2 gives the MSR through which the guest asks Xen to fill its hypercall page; each
//! hypercall is then a `call` to page + 32 × number, with arguments in rdi, rsi, rdx, r10, r8
//! and the result in rax (the 64-bit HVM calling convention of Xen's `xen.h`).

use core::arch::x86_64::__cpuid;
use core::sync::atomic::{AtomicBool, Ordering};

/// Hypercall numbers (`__HYPERVISOR_*`).
pub const MEMORY_OP: u64 = 12;
pub const CONSOLE_IO: u64 = 18;
pub const SCHED_OP: u64 = 29;
pub const EVENT_CHANNEL_OP: u64 = 32;
pub const HVM_OP: u64 = 34;

/// The first hypervisor CPUID leaf and how far Xen's base may be moved.
const CPUID_FIRST: u32 = 0x4000_0000;
const CPUID_LAST: u32 = 0x4001_0000;
const CPUID_STEP: u32 = 0x100;
const SIGNATURE: &[u8; 12] = b"XenVMMXenVMM";
/// Bytes per hypercall stub in the page.
const STUB_SIZE: u64 = 32;

static READY: AtomicBool = AtomicBool::new(false);

// The hypercall page: Xen writes the stubs into it when the guest writes the page's address to
// the MSR of CPUID leaf base+2. Until then every byte is int3, so a stray call faults loudly.
core::arch::global_asm!(
    r#"
    .pushsection .text.uk_xen_hypercall_page, "ax", @progbits
    .balign 4096
uk_xen_hypercall_page:
    .fill 4096, 1, 0xcc
    .popsection
"#
);

extern "C" {
    static uk_xen_hypercall_page: [u8; 4096];
}

fn hypercall_page() -> u64 {
    core::ptr::addr_of!(uk_xen_hypercall_page) as u64
}

/// Where Xen's CPUID leaves start.
#[derive(Clone, Copy)]
pub struct XenCpuid {
    pub base: u32,
}

/// Looks for Xen's signature in the hypervisor CPUID leaves.
pub fn detect() -> Option<XenCpuid> {
    let under_hypervisor = __cpuid(1).ecx & (1 << 31) != 0;
    if !under_hypervisor {
        return None;
    }
    let mut base = CPUID_FIRST;
    while base < CPUID_LAST {
        let leaf = __cpuid(base);
        let mut signature = [0u8; 12];
        signature[0..4].copy_from_slice(&leaf.ebx.to_le_bytes());
        signature[4..8].copy_from_slice(&leaf.ecx.to_le_bytes());
        signature[8..12].copy_from_slice(&leaf.edx.to_le_bytes());
        if &signature == SIGNATURE && leaf.eax >= base + 2 {
            return Some(XenCpuid { base });
        }
        base += CPUID_STEP;
    }
    None
}

/// Asks Xen to fill the hypercall page. Returns false if Xen wants more than one page.
pub fn install(xen: XenCpuid) -> bool {
    let leaf = __cpuid(xen.base + 2);
    let pages = leaf.eax;
    let msr = leaf.ebx;
    if pages == 0 || msr == 0 {
        return false;
    }
    let page = hypercall_page();
    // SAFETY: the MSR is the one Xen named for this purpose; writing the page's guest-physical
    // address (identity-mapped) with index 0 makes Xen write the stubs into that page only.
    unsafe {
        core::arch::asm!(
            "wrmsr",
            in("ecx") msr,
            in("eax") page as u32,
            in("edx") (page >> 32) as u32,
            options(nostack, preserves_flags),
        )
    };
    READY.store(true, Ordering::Release);
    true
}

/// True once the hypercall page is filled.
pub fn ready() -> bool {
    READY.load(Ordering::Acquire)
}

/// Calls hypercall `number` with up to three arguments; returns Xen's result (negative errno
/// on failure), or -38 (ENOSYS) when there is no hypercall page.
///
/// # Safety
/// The arguments must be what Xen expects for `number`: pointers must point to live, correctly
/// laid out structures in identity-mapped memory.
pub unsafe fn call3(number: u64, first: u64, second: u64, third: u64) -> i64 {
    if !ready() {
        return -38;
    }
    let stub = hypercall_page() + number * STUB_SIZE;
    let result: i64;
    // SAFETY: `stub` is a stub Xen wrote into the hypercall page; it saves nothing, so every
    // argument register (and rcx, r11) is treated as clobbered. The caller vouches for the
    // arguments. The stack is used by `call`; the pool is built without a red zone.
    unsafe {
        core::arch::asm!(
            "call {stub}",
            stub = in(reg) stub,
            inlateout("rdi") first => _,
            inlateout("rsi") second => _,
            inlateout("rdx") third => _,
            lateout("rax") result,
            lateout("r10") _,
            lateout("r8") _,
            lateout("rcx") _,
            lateout("r11") _,
        )
    };
    result
}
