//! The modern virtio-pci transport (virtio 1.x capabilities), found by scanning PCI bus 0 through
//! the legacy configuration ports 0xcf8/0xcfc (QEMU pc and q35).
//!
//! A virtio device (vendor 0x1af4) lists vendor capabilities (id 0x09) that place its register
//! blocks in its BARs: common configuration (type 1), notification (2, with a multiplier), ISR
//! (3) and device configuration (4). The firmware (SeaBIOS) has assigned the BARs; addresses
//! above 4 GiB are refused because only the first 4 GiB are identity-mapped.
//!
//! Interrupts: INTx only (no MSI-X). The firmware writes the ISA interrupt its PIRQ routing
//! gives the function into the Interrupt Line register (SeaBIOS on pc and q35: 10 or 11); QEMU
//! raises that ISA input of the IOAPIC too (level, active high), so the line is the GSI. Reading
//! the ISR block acknowledges the interrupt and lowers the line.

use core::arch::asm;
use core::ptr::{read_volatile, write_volatile};

pub const VIRTIO_VENDOR: u16 = 0x1af4;

const CONFIG_ADDRESS: u16 = 0xcf8;
const CONFIG_DATA: u16 = 0xcfc;

const CAP_COMMON: u8 = 1;
const CAP_NOTIFY: u8 = 2;
const CAP_ISR: u8 = 3;
const CAP_DEVICE: u8 = 4;

// struct virtio_pci_common_cfg offsets (virtio 1.2, 4.1.4.3).
const DEVICE_FEATURE_SELECT: usize = 0x00;
const DEVICE_FEATURE: usize = 0x04;
const DRIVER_FEATURE_SELECT: usize = 0x08;
const DRIVER_FEATURE: usize = 0x0c;
const DEVICE_STATUS: usize = 0x14;
const QUEUE_SELECT: usize = 0x16;
const QUEUE_SIZE: usize = 0x18;
const QUEUE_ENABLE: usize = 0x1c;
const QUEUE_NOTIFY_OFF: usize = 0x1e;
const QUEUE_DESC: usize = 0x20;
const QUEUE_DRIVER: usize = 0x28;
const QUEUE_DEVICE: usize = 0x30;

fn outl(port: u16, value: u32) {
    // SAFETY: PCI configuration ports; writing them has no effect on memory.
    unsafe { asm!("out dx, eax", in("dx") port, in("eax") value, options(nomem, nostack)) };
}

fn inl(port: u16) -> u32 {
    let value: u32;
    // SAFETY: as in `outl`.
    unsafe { asm!("in eax, dx", in("dx") port, out("eax") value, options(nomem, nostack)) };
    value
}

/// A function on bus 0.
#[derive(Clone, Copy)]
pub struct PciFunction {
    pub slot: u8,
    pub function: u8,
}

impl PciFunction {
    fn address(&self, offset: u8) -> u32 {
        0x8000_0000
            | (self.slot as u32) << 11
            | (self.function as u32) << 8
            | (offset as u32 & 0xfc)
    }

    pub fn read32(&self, offset: u8) -> u32 {
        outl(CONFIG_ADDRESS, self.address(offset));
        inl(CONFIG_DATA)
    }

    pub fn read8(&self, offset: u8) -> u8 {
        (self.read32(offset & !3) >> ((offset & 3) * 8)) as u8
    }

    pub fn write32(&self, offset: u8, value: u32) {
        outl(CONFIG_ADDRESS, self.address(offset));
        outl(CONFIG_DATA, value);
    }

    /// The memory address a BAR decodes (64-bit BARs included), or None for I/O BARs.
    fn bar(&self, index: u8) -> Option<u64> {
        let offset = 0x10 + index * 4;
        let low = self.read32(offset);
        if low & 1 != 0 {
            return None;
        }
        let high = if low & 0b110 == 0b100 {
            self.read32(offset + 4) as u64
        } else {
            0
        };
        Some(high << 32 | (low & !0xf) as u64)
    }
}

/// Every function on bus 0 with the virtio vendor id and one of the device ids.
pub fn scan(device_ids: &[u16], mut found: impl FnMut(PciFunction)) {
    for slot in 0..32u8 {
        for function in 0..8u8 {
            let candidate = PciFunction { slot, function };
            let id = candidate.read32(0);
            if id == 0xffff_ffff {
                if function == 0 {
                    break;
                }
                continue;
            }
            if id as u16 == VIRTIO_VENDOR && device_ids.contains(&((id >> 16) as u16)) {
                found(candidate);
            }
            // Only multi-function devices have functions 1-7.
            if function == 0 && candidate.read8(0x0e) & 0x80 == 0 {
                break;
            }
        }
    }
}

/// The register blocks of one modern virtio-pci device.
pub struct Pci {
    function: PciFunction,
    isr: Option<u64>,
    common: u64,
    notify: u64,
    notify_multiplier: u32,
    device: u64,
}

impl Pci {
    /// Reads the capabilities and enables memory decoding and bus mastering.
    pub fn new(function: PciFunction) -> Result<Pci, &'static str> {
        let status = function.read32(0x04) >> 16;
        if status & 0x10 == 0 {
            return Err("no capability list");
        }
        let (mut common, mut notify, mut device, mut multiplier) = (None, None, None, 0);
        let mut isr = None;
        let mut cap = function.read8(0x34) & 0xfc;
        let mut guard = 0;
        while cap != 0 && guard < 48 {
            guard += 1;
            if function.read8(cap) == 0x09 {
                let kind = function.read8(cap + 3);
                let bar = function.read8(cap + 4);
                let offset = function.read32(cap + 8) as u64;
                let base = if bar < 6 { function.bar(bar) } else { None };
                let address = base.map(|b| b + offset);
                match kind {
                    CAP_COMMON => common = common.or(address),
                    CAP_NOTIFY if notify.is_none() => {
                        notify = address;
                        multiplier = function.read32(cap + 16);
                    }
                    CAP_DEVICE => device = device.or(address),
                    CAP_ISR => isr = isr.or(address),
                    _ => {}
                }
            }
            cap = function.read8(cap + 1) & 0xfc;
        }
        let (Some(common), Some(notify), Some(device)) = (common, notify, device) else {
            return Err("no modern virtio capabilities (legacy-only device)");
        };
        if [common, notify, device]
            .iter()
            .any(|&a| a == 0 || a >= 1 << 32)
        {
            return Err("BAR not assigned below 4 GiB");
        }
        // Command register: memory space (bit 1) and bus master (bit 2); INTx enabled (bit 10
        // clear).
        let command = function.read32(0x04);
        function.write32(0x04, (command & 0xfbff) | 0b110);
        Ok(Pci {
            function,
            isr: isr.filter(|&a| a != 0 && a < 1 << 32),
            common,
            notify,
            notify_multiplier: multiplier,
            device,
        })
    }

    /// The GSI of the function's INTx line and the address of its ISR block, if the firmware
    /// routed the line to an ISA interrupt (Interrupt Pin set, Interrupt Line below 16).
    pub fn interrupt(&self) -> Option<(u32, u64)> {
        let pin = self.function.read8(0x3d);
        let line = self.function.read8(0x3c);
        (pin != 0 && line != 0 && line < 16)
            .then_some(line as u32)
            .zip(self.isr)
    }

    fn common_read<T: Copy>(&self, offset: usize) -> T {
        // SAFETY: `common` is the identity-mapped common configuration block found in `new`.
        unsafe { read_volatile((self.common as usize + offset) as *const T) }
    }

    fn common_write<T: Copy>(&self, offset: usize, value: T) {
        // SAFETY: as in `common_read`.
        unsafe { write_volatile((self.common as usize + offset) as *mut T, value) }
    }

    pub fn status(&self) -> u8 {
        self.common_read(DEVICE_STATUS)
    }

    pub fn set_status(&self, status: u8) {
        self.common_write(DEVICE_STATUS, status);
    }

    pub fn device_features(&self, select: u32) -> u32 {
        self.common_write(DEVICE_FEATURE_SELECT, select);
        self.common_read(DEVICE_FEATURE)
    }

    pub fn set_driver_features(&self, select: u32, value: u32) {
        self.common_write(DRIVER_FEATURE_SELECT, select);
        self.common_write(DRIVER_FEATURE, value);
    }

    pub fn queue_max(&self, queue: u16) -> u16 {
        self.common_write(QUEUE_SELECT, queue);
        self.common_read(QUEUE_SIZE)
    }

    pub fn enable_queue(&self, queue: u16, size: u16, desc: u64, driver: u64, device: u64) {
        self.common_write(QUEUE_SELECT, queue);
        self.common_write(QUEUE_SIZE, size);
        self.common_write(QUEUE_DESC, desc);
        self.common_write(QUEUE_DRIVER, driver);
        self.common_write(QUEUE_DEVICE, device);
        self.common_write(QUEUE_ENABLE, 1u16);
    }

    pub fn notify(&self, queue: u16) {
        self.common_write(QUEUE_SELECT, queue);
        let offset: u16 = self.common_read(QUEUE_NOTIFY_OFF);
        let address = self.notify + offset as u64 * self.notify_multiplier as u64;
        // SAFETY: the notification block found in `new`, at the queue's offset.
        unsafe { write_volatile(address as usize as *mut u16, queue) };
    }

    pub fn config_read8(&self, offset: usize) -> u8 {
        // SAFETY: the device configuration block found in `new`.
        unsafe { read_volatile((self.device as usize + offset) as *const u8) }
    }
}

/// The interrupt handler of a function (`arg`: its ISR block's address): reading the ISR
/// acknowledges the interrupt. Returns 1 if the device had raised the line, else 0 (a shared
/// line).
pub extern "C" fn on_interrupt(arg: *mut core::ffi::c_void) -> i32 {
    // SAFETY: `arg` is the identity-mapped ISR block found in `Pci::new`, registered by the
    // driver; a byte read.
    let status = unsafe { read_volatile(arg as usize as *const u8) };
    (status != 0) as i32
}
