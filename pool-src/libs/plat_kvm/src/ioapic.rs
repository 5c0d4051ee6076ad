//! IOAPICs: the standard one at 0xfec00000 (GSIs 0–23) and, when present, QEMU microvm's second
//! one at 0xfec10000 (GSIs 24–47, where microvm wires its virtio-mmio transports when ACPI is
//! on). An IOAPIC is recognised by its version register; every input starts masked.

use core::sync::atomic::{AtomicU32, Ordering};

const BASES: [u64; 2] = [0xfec0_0000, 0xfec1_0000];
const REGISTER_SELECT: u64 = 0x00;
const REGISTER_WINDOW: u64 = 0x10;
const REG_VERSION: u32 = 0x01;
const REG_REDIRECTION: u32 = 0x10;

const MASKED: u32 = 1 << 16;
const LEVEL: u32 = 1 << 15;
const ACTIVE_LOW: u32 = 1 << 13;

/// Number of inputs of each IOAPIC (0: absent).
static INPUTS: [AtomicU32; 2] = [const { AtomicU32::new(0) }; 2];

fn read(base: u64, register: u32) -> u32 {
    // SAFETY: `base` is an IOAPIC's page, identity-mapped below 4 GiB; the select/window pair
    // is its whole interface. Callers hold interrupts disabled.
    unsafe {
        ((base + REGISTER_SELECT) as *mut u32).write_volatile(register);
        ((base + REGISTER_WINDOW) as *const u32).read_volatile()
    }
}

fn write(base: u64, register: u32, value: u32) {
    // SAFETY: as for `read`.
    unsafe {
        ((base + REGISTER_SELECT) as *mut u32).write_volatile(register);
        ((base + REGISTER_WINDOW) as *mut u32).write_volatile(value);
    }
}

/// Finds the IOAPICs and masks every input. Interrupts must be disabled.
pub fn init() {
    for (index, &base) in BASES.iter().enumerate() {
        let version = read(base, REG_VERSION);
        let inputs = ((version >> 16) & 0xff) + 1;
        let present = version != u32::MAX && (version & 0xff) != 0 && (1..=120).contains(&inputs);
        // The second IOAPIC's GSIs start after the first's 24 inputs.
        if !present || (index == 1 && INPUTS[0].load(Ordering::Relaxed) != 24) {
            break;
        }
        INPUTS[index].store(inputs, Ordering::Relaxed);
        for input in 0..inputs {
            write(base, REG_REDIRECTION + 2 * input, MASKED);
            write(base, REG_REDIRECTION + 2 * input + 1, 0);
        }
    }
}

/// Total GSIs served (0 if no IOAPIC was found).
pub fn gsi_count() -> u32 {
    INPUTS.iter().map(|n| n.load(Ordering::Relaxed)).sum()
}

fn locate(gsi: u32) -> Option<(u64, u32)> {
    let mut first = 0;
    for (index, inputs) in INPUTS.iter().enumerate() {
        let inputs = inputs.load(Ordering::Relaxed);
        if gsi < first + inputs {
            return Some((BASES[index], gsi - first));
        }
        first += inputs;
    }
    None
}

/// Programs `gsi` to deliver `vector` to APIC `destination`; `level`/`active_low` choose the
/// trigger mode and polarity. Masked if `masked`.
pub fn route(gsi: u32, vector: u32, destination: u32, level: bool, active_low: bool, masked: bool) {
    let Some((base, input)) = locate(gsi) else {
        return;
    };
    let mut low = vector;
    if level {
        low |= LEVEL;
    }
    if active_low {
        low |= ACTIVE_LOW;
    }
    if masked {
        low |= MASKED;
    }
    write(base, REG_REDIRECTION + 2 * input, MASKED);
    write(base, REG_REDIRECTION + 2 * input + 1, destination << 24);
    write(base, REG_REDIRECTION + 2 * input, low);
}
