//! A domU's console ring (`io/console.h`'s `xencons_interface`), found through the HVM
//! parameters `HVM_PARAM_CONSOLE_PFN` and `HVM_PARAM_CONSOLE_EVTCHN`.
//!
//! The page holds an input ring of 1 KiB, an output ring of 2 KiB, then four 32-bit indexes
//! (in_cons, in_prod, out_cons, out_prod) that run freely and are masked on use. The guest
//! produces into `out`, publishes `out_prod` after a write barrier and notifies the backend
//! through the event channel (EVTCHNOP_send). When the ring is full, the writer waits for the
//! backend (bounded, so that a dead backend cannot hang the guest: bytes are then dropped).
//!
//! Not exercised by the tests (they boot the image as dom0, which has no ring).

use crate::hypercall::{self, EVENT_CHANNEL_OP, HVM_OP};
use core::sync::atomic::{fence, AtomicU64, Ordering};

const HVMOP_GET_PARAM: u64 = 1;
const HVM_PARAM_CONSOLE_PFN: u32 = 17;
const HVM_PARAM_CONSOLE_EVTCHN: u32 = 18;
const DOMID_SELF: u16 = 0x7ff0;
const EVTCHNOP_SEND: u64 = 4;

const OUT_OFFSET: usize = 1024;
const OUT_SIZE: u32 = 2048;
const OUT_CONS_OFFSET: usize = 3080;
const OUT_PROD_OFFSET: usize = 3084;
/// Polls of `out_cons` before giving up on a full ring or on a flush.
const MAX_POLLS: u32 = 10_000_000;
/// The identity map covers the first 4 GiB.
const MAPPED_LIMIT: u64 = 1 << 32;

/// `struct xen_hvm_param`.
#[repr(C)]
struct HvmParam {
    domid: u16,
    pad: u16,
    index: u32,
    value: u64,
}

/// `struct evtchn_send`.
#[repr(C)]
struct EventChannelSend {
    port: u32,
}

static PAGE: AtomicU64 = AtomicU64::new(0);
static PORT: AtomicU64 = AtomicU64::new(0);

fn hvm_param(index: u32) -> Option<u64> {
    let mut param = HvmParam {
        domid: DOMID_SELF,
        pad: 0,
        index,
        value: 0,
    };
    // SAFETY: HVMOP_get_param fills `value` of the structure passed by pointer.
    let result = unsafe {
        hypercall::call3(
            HVM_OP,
            HVMOP_GET_PARAM,
            core::ptr::addr_of_mut!(param) as u64,
            0,
        )
    };
    (result == 0).then_some(param.value)
}

/// Finds the ring; false if this domain has none (dom0, or a parameter is missing).
pub fn init() -> bool {
    let (Some(pfn), Some(port)) = (
        hvm_param(HVM_PARAM_CONSOLE_PFN),
        hvm_param(HVM_PARAM_CONSOLE_EVTCHN),
    ) else {
        return false;
    };
    let page = pfn << 12;
    if pfn == 0 || page >= MAPPED_LIMIT {
        return false;
    }
    PAGE.store(page, Ordering::Relaxed);
    PORT.store(port, Ordering::Relaxed);
    true
}

fn index(offset: usize) -> *mut u32 {
    (PAGE.load(Ordering::Relaxed) as usize + offset) as *mut u32
}

fn notify() {
    let mut send = EventChannelSend {
        port: PORT.load(Ordering::Relaxed) as u32,
    };
    // SAFETY: EVTCHNOP_send reads the port from the structure passed by pointer.
    unsafe {
        hypercall::call3(
            EVENT_CHANNEL_OP,
            EVTCHNOP_SEND,
            core::ptr::addr_of_mut!(send) as u64,
            0,
        )
    };
}

fn out_cons() -> u32 {
    // SAFETY: the ring page is identity-mapped and shared with the backend: read volatile.
    unsafe { index(OUT_CONS_OFFSET).read_volatile() }
}

/// Writes `bytes` into the output ring and notifies the backend.
pub fn write(bytes: &[u8]) {
    let out = (PAGE.load(Ordering::Relaxed) as usize + OUT_OFFSET) as *mut u8;
    // SAFETY: only this guest produces; the index is in the shared page.
    let mut producer = unsafe { index(OUT_PROD_OFFSET).read_volatile() };
    for &byte in bytes {
        let mut polls = 0;
        while producer.wrapping_sub(out_cons()) >= OUT_SIZE {
            if polls == 0 {
                fence(Ordering::Release);
                // SAFETY: publishes the bytes written so far.
                unsafe { index(OUT_PROD_OFFSET).write_volatile(producer) };
                notify();
            }
            polls += 1;
            if polls == MAX_POLLS {
                return;
            }
            core::hint::spin_loop();
        }
        // SAFETY: the masked index is inside the 2 KiB output ring of the shared page.
        unsafe { out.add((producer % OUT_SIZE) as usize).write_volatile(byte) };
        producer = producer.wrapping_add(1);
    }
    fence(Ordering::Release);
    // SAFETY: publishes the bytes after they are written (the fence orders them).
    unsafe { index(OUT_PROD_OFFSET).write_volatile(producer) };
    notify();
}

/// Waits (bounded) until the backend has consumed everything.
pub fn flush() {
    // SAFETY: as in `write`.
    let producer = unsafe { index(OUT_PROD_OFFSET).read_volatile() };
    let mut polls = 0;
    while out_cons() != producer && polls < MAX_POLLS {
        polls += 1;
        core::hint::spin_loop();
    }
}
