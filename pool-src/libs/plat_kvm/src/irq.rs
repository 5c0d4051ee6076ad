//! Interrupt registration and dispatch: `irq` numbers are GSIs (IOAPIC inputs) plus one
//! pseudo-irq for the APIC timer. GSI g is delivered on vector 0x30 + g; the platform handles
//! every vector it programs, runs the handlers registered for it, and sends the EOI.

use crate::{apic, ioapic, port::outb};
use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// GSIs supported (two IOAPICs of 24 inputs).
pub const MAX_GSIS: u32 = 48;
/// The timer's irq number (`UKPLAT_IRQ_TIMER`).
pub const TIMER_IRQ: u32 = 0x100;
/// Vector of GSI 0.
const GSI_VECTOR_BASE: u32 = 0x30;
const HANDLERS_PER_IRQ: usize = 4;
const SLOTS: usize = MAX_GSIS as usize + 1;
const TIMER_SLOT: usize = MAX_GSIS as usize;

/// `UKPLAT_IRQ_LEVEL`, `UKPLAT_IRQ_ACTIVE_LOW`.
pub const MODE_LEVEL: u32 = 1;
pub const MODE_ACTIVE_LOW: u32 = 2;

const EINVAL: i32 = -22;
const ENOSPC: i32 = -28;

pub type Handler = extern "C" fn(arg: *mut c_void) -> i32;

#[derive(Clone, Copy)]
struct Slot {
    handlers: [Option<(Handler, *mut c_void)>; HANDLERS_PER_IRQ],
    mode: u32,
    /// Unmasked at the IOAPIC (false, the zero value, keeps the table in `.bss`).
    enabled: bool,
}

struct Table(UnsafeCell<[Slot; SLOTS]>);

// SAFETY: the table is only touched with interrupts disabled, on the single CPU.
unsafe impl Sync for Table {}

static TABLE: Table = Table(UnsafeCell::new(
    [Slot {
        handlers: [None; HANDLERS_PER_IRQ],
        mode: 0,
        enabled: false,
    }; SLOTS],
));
static COUNTS: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];
static DEVICE_HANDLERS: AtomicU32 = AtomicU32::new(0);
static APIC_ID: AtomicU32 = AtomicU32::new(0);

extern "C" {
    fn uk_idle_wake();
    fn ukarch_irq_save() -> u64;
    fn ukarch_irq_restore(flags: u64);
    fn ukarch_vector_register(
        vector: u32,
        handler: Option<extern "C" fn(u32, *mut c_void)>,
        arg: *mut c_void,
    ) -> i32;
}

/// Runs `f` on the table with interrupts disabled.
fn with_table<R>(f: impl FnOnce(&mut [Slot; SLOTS]) -> R) -> R {
    // SAFETY: saving and restoring the interrupt flag has no other effect.
    let flags = unsafe { ukarch_irq_save() };
    // SAFETY: interrupts are disabled and there is one CPU, so this is the only reference.
    let result = f(unsafe { &mut *TABLE.0.get() });
    // SAFETY: as above.
    unsafe { ukarch_irq_restore(flags) };
    result
}

fn slot_of(irq: u32) -> Option<usize> {
    if irq == TIMER_IRQ {
        Some(TIMER_SLOT)
    } else if irq < ioapic::gsi_count().min(MAX_GSIS) {
        Some(irq as usize)
    } else {
        None
    }
}

/// Default trigger mode: ISA inputs (0–15) edge, the others level.
fn default_mode(gsi: u32) -> u32 {
    if gsi < 16 {
        0
    } else {
        MODE_LEVEL
    }
}

fn program(gsi: u32, slot: &Slot) {
    ioapic::route(
        gsi,
        GSI_VECTOR_BASE + gsi,
        APIC_ID.load(Ordering::Relaxed),
        slot.mode & MODE_LEVEL != 0,
        slot.mode & MODE_ACTIVE_LOW != 0,
        !slot.enabled,
    );
}

/// Masks the 8259 PICs, enables the local APIC, finds the IOAPICs and installs the vector
/// handlers. Runs at boot with interrupts disabled.
pub fn init() {
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    apic::init();
    APIC_ID.store(apic::id(), Ordering::Relaxed);
    ioapic::init();
    with_table(|table| {
        for gsi in 0..MAX_GSIS {
            table[gsi as usize].mode = default_mode(gsi);
        }
    });
    // SAFETY: the handlers below are valid for their vectors; the argument is unused.
    unsafe {
        for gsi in 0..ioapic::gsi_count().min(MAX_GSIS) {
            ukarch_vector_register(
                GSI_VECTOR_BASE + gsi,
                Some(on_vector),
                core::ptr::null_mut(),
            );
        }
        ukarch_vector_register(apic::TIMER_VECTOR, Some(on_vector), core::ptr::null_mut());
        ukarch_vector_register(
            apic::SPURIOUS_VECTOR,
            Some(on_spurious),
            core::ptr::null_mut(),
        );
    }
}

extern "C" fn on_spurious(_vector: u32, _arg: *mut c_void) {}

extern "C" fn on_vector(vector: u32, _arg: *mut c_void) {
    let slot = if vector == apic::TIMER_VECTOR {
        TIMER_SLOT
    } else {
        (vector - GSI_VECTOR_BASE) as usize
    };
    COUNTS[slot].fetch_add(1, Ordering::Relaxed);
    // SAFETY: interrupt handlers run with interrupts disabled on the one CPU; registration also
    // disables interrupts, so nothing changes the table meanwhile. A copy is taken so that a
    // handler may itself register or mask.
    let handlers = unsafe { (*TABLE.0.get())[slot].handlers };
    for (handler, arg) in handlers.into_iter().flatten() {
        handler(arg);
    }
    if slot != TIMER_SLOT {
        // SAFETY: boot's flag setter, callable from interrupt context.
        unsafe { uk_idle_wake() };
    }
    apic::eoi();
}

/// `ukplat_irq_register`.
pub fn register(irq: u32, handler: Option<Handler>, arg: *mut c_void) -> i32 {
    let (Some(slot_index), Some(handler)) = (slot_of(irq), handler) else {
        return EINVAL;
    };
    with_table(|table| {
        let slot = &mut table[slot_index];
        let Some(free) = slot.handlers.iter_mut().find(|h| h.is_none()) else {
            return ENOSPC;
        };
        *free = Some((handler, arg));
        if irq != TIMER_IRQ {
            DEVICE_HANDLERS.fetch_add(1, Ordering::Relaxed);
            slot.enabled = true;
            program(irq, slot);
        }
        0
    })
}

/// `ukplat_irq_set_mode`.
pub fn set_mode(irq: u32, mode: u32) -> i32 {
    match slot_of(irq) {
        Some(index) if irq != TIMER_IRQ && mode <= (MODE_LEVEL | MODE_ACTIVE_LOW) => {
            with_table(|table| {
                table[index].mode = mode;
                program(irq, &table[index]);
            });
            0
        }
        _ => EINVAL,
    }
}

/// `ukplat_irq_mask` / `ukplat_irq_unmask`.
pub fn set_masked(irq: u32, masked: bool) {
    if let Some(index) = slot_of(irq).filter(|_| irq != TIMER_IRQ) {
        with_table(|table| {
            table[index].enabled = !masked;
            program(irq, &table[index]);
        });
    }
}

/// Registered device (non-timer) handlers.
pub fn device_handlers() -> u32 {
    DEVICE_HANDLERS.load(Ordering::Relaxed)
}

/// Interrupts delivered on `irq` so far.
pub fn count(irq: u32) -> u64 {
    slot_of(irq).map_or(0, |index| COUNTS[index].load(Ordering::Relaxed))
}
