//! The virtio-mmio transport, version 2 (virtio 1.x register layout).
//!
//! QEMU 10's microvm creates 24 transports at 0xfeb00000 + n * 0x200 (8 on older versions or
//! without the second IOAPIC; 32 slots are scanned, unbacked ones read 0) and plugs devices from the
//! last slot down; an empty slot reads device id 0. ukl's runner passes
//! `-global virtio-mmio.force-legacy=false` so that QEMU offers version 2 (the legacy version 1
//! layout, with a page-frame queue address, is not supported). Offsets are the virtio 1.2
//! specification's (section 4.2.2).
//!
//! Interrupts: with its second IOAPIC (QEMU 10's default with ACPI) microvm wires transport n to
//! GSI 24 + n; the older 8-transport layouts use GSI 16 + n (ACPI) or 5 + n (no ACPI), which the
//! driver cannot tell apart, so devices there stay polled. The line is level-triggered: the
//! handler reads InterruptStatus and writes it back to InterruptACK, which lowers it.

use core::ptr::{read_volatile, write_volatile};

pub const MICROVM_BASE: u64 = 0xfeb0_0000;
pub const MICROVM_SLOTS: u64 = 32;
pub const SLOT_SIZE: u64 = 0x200;

const MAGIC: usize = 0x000;
const VERSION: usize = 0x004;
const DEVICE_ID: usize = 0x008;
const DEVICE_FEATURES: usize = 0x010;
const DEVICE_FEATURES_SEL: usize = 0x014;
const DRIVER_FEATURES: usize = 0x020;
const DRIVER_FEATURES_SEL: usize = 0x024;
const QUEUE_SEL: usize = 0x030;
const QUEUE_NUM_MAX: usize = 0x034;
const QUEUE_NUM: usize = 0x038;
const QUEUE_READY: usize = 0x044;
const QUEUE_NOTIFY: usize = 0x050;
const INTERRUPT_STATUS: usize = 0x060;
const INTERRUPT_ACK: usize = 0x064;
const STATUS: usize = 0x070;
const QUEUE_DESC: usize = 0x080;
const QUEUE_DRIVER: usize = 0x090;
const QUEUE_DEVICE: usize = 0x0a0;
const CONFIG: usize = 0x100;

/// "virt" in little endian.
const MAGIC_VALUE: u32 = 0x7472_6976;

/// The transports microvm creates with its second IOAPIC, and the GSI of the first.
const IOAPIC2_TRANSPORTS: u64 = 24;
const IOAPIC2_FIRST_GSI: u32 = 24;

/// The GSI of microvm's transport `slot`, if the 24-transport layout is present (a transport
/// answers at slot 8, past the 8 of the older layouts).
///
/// # Safety
/// The microvm window must be identity-mapped MMIO space or unbacked (as for `Mmio::probe`).
pub unsafe fn microvm_gsi(slot: u64) -> Option<u32> {
    let ninth = MICROVM_BASE + 8 * SLOT_SIZE;
    // SAFETY: the caller's contract; a 4-byte aligned register read.
    let magic = unsafe { read_volatile((ninth as usize + MAGIC) as *const u32) };
    (magic == MAGIC_VALUE && slot < IOAPIC2_TRANSPORTS).then(|| IOAPIC2_FIRST_GSI + slot as u32)
}

/// The interrupt handler of a transport (`arg`: its base address): acknowledges what the device
/// reports in InterruptStatus (used-ring or configuration change) and nothing else; the queues
/// are only read by the polling code. Returns 1 if the device had raised the line, else 0
/// (a shared line).
pub extern "C" fn on_interrupt(arg: *mut core::ffi::c_void) -> i32 {
    let base = arg as usize;
    // SAFETY: `arg` is the base of a transport `probe` accepted, registered by the driver.
    unsafe {
        let status = read_volatile((base + INTERRUPT_STATUS) as *const u32);
        if status == 0 {
            return 0;
        }
        write_volatile((base + INTERRUPT_ACK) as *mut u32, status);
    }
    1
}

/// One virtio-mmio transport.
pub struct Mmio {
    base: u64,
}

impl Mmio {
    /// The transport at `base` if it holds a version-2 device with id `device_id`.
    ///
    /// # Safety
    /// `base` must be an identity-mapped virtio-mmio window or unbacked MMIO space (which reads
    /// as zero or all ones).
    pub unsafe fn probe(base: u64, device_id: u32) -> Result<Mmio, &'static str> {
        let mmio = Mmio { base };
        if mmio.read(MAGIC) != MAGIC_VALUE || mmio.read(DEVICE_ID) != device_id {
            return Err("no device");
        }
        if mmio.read(VERSION) != 2 {
            return Err(
                "legacy virtio-mmio (version 1): pass -global virtio-mmio.force-legacy=false",
            );
        }
        Ok(mmio)
    }

    pub fn base(&self) -> u64 {
        self.base
    }

    fn read(&self, offset: usize) -> u32 {
        // SAFETY: `probe` checked that the window holds a virtio-mmio device; offsets are
        // registers of that window, 4-byte aligned.
        unsafe { read_volatile((self.base as usize + offset) as *const u32) }
    }

    fn write(&self, offset: usize, value: u32) {
        // SAFETY: as in `read`.
        unsafe { write_volatile((self.base as usize + offset) as *mut u32, value) }
    }

    pub fn status(&self) -> u8 {
        self.read(STATUS) as u8
    }

    pub fn set_status(&self, status: u8) {
        self.write(STATUS, status as u32);
    }

    pub fn device_features(&self, select: u32) -> u32 {
        self.write(DEVICE_FEATURES_SEL, select);
        self.read(DEVICE_FEATURES)
    }

    pub fn set_driver_features(&self, select: u32, value: u32) {
        self.write(DRIVER_FEATURES_SEL, select);
        self.write(DRIVER_FEATURES, value);
    }

    pub fn queue_max(&self, queue: u16) -> u16 {
        self.write(QUEUE_SEL, queue as u32);
        if self.read(QUEUE_READY) != 0 {
            return 0;
        }
        self.read(QUEUE_NUM_MAX).min(u16::MAX as u32) as u16
    }

    pub fn enable_queue(&self, queue: u16, size: u16, desc: u64, driver: u64, device: u64) {
        self.write(QUEUE_SEL, queue as u32);
        self.write(QUEUE_NUM, size as u32);
        for (offset, address) in [
            (QUEUE_DESC, desc),
            (QUEUE_DRIVER, driver),
            (QUEUE_DEVICE, device),
        ] {
            self.write(offset, address as u32);
            self.write(offset + 4, (address >> 32) as u32);
        }
        self.write(QUEUE_READY, 1);
    }

    pub fn notify(&self, queue: u16) {
        self.write(QUEUE_NOTIFY, queue as u32);
    }

    pub fn config_read8(&self, offset: usize) -> u8 {
        // SAFETY: the device-specific configuration follows the registers; byte reads are
        // allowed there.
        unsafe { read_volatile((self.base as usize + CONFIG + offset) as *const u8) }
    }
}
