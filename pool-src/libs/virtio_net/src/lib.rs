//! virtio_net: virtio transports (virtio-mmio on QEMU microvm, modern virtio-pci on pc/q35),
//! split virtqueues, feature negotiation and the virtio-net driver, registered with netdev.
//!
//! Receiving is polled (netstack calls `receive`), but a virtio-mmio device on microvm's second
//! IOAPIC also gets an interrupt handler (`ukplat_irq_register`): it only acknowledges the
//! device, and the platform's idle hook (or schedcoop's) uses the interrupt to end a halt, so a
//! waiting network call costs no CPU until a packet arrives. A virtio-pci device gets one on the
//! INTx line the firmware wrote into its configuration space (no MSI-X). Used-ring interrupts
//! stay enabled for the receive queue and are suppressed for the transmit queue. A device
//! without a usable line stays polled, and the idle hooks keep spinning for it.
//!
//! Modules: `mmio` and `pci` (transports), `transport` (the common interface and the
//! initialization sequence), `virtqueue` (split rings), `net` (the driver), `log`.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod mmio;
mod net;
mod pci;
mod transport;
mod virtqueue;

use core::cell::UnsafeCell;
use core::ffi::{c_int, c_void};

use net::NetDevice;
use netdevglue::NetdevOps;
use transport::Transport;
use uklog::{error, info};

/// virtio device id of a network card.
const VIRTIO_ID_NET: u32 = 1;
/// PCI device ids of virtio-net: transitional (0x1000) and modern (0x1041).
const PCI_NET_IDS: [u16; 2] = [0x1000, 0x1041];
const MAX_DEVICES: usize = 4;

type IrqHandler = extern "C" fn(arg: *mut c_void) -> c_int;
/// `UKPLAT_IRQ_LEVEL` (active high).
const UKPLAT_IRQ_LEVEL: u32 = 1;

extern "C" {
    fn ukplat_irq_register(irq: u32, handler: Option<IrqHandler>, arg: *mut c_void) -> c_int;
    fn ukplat_irq_set_mode(irq: u32, mode: u32) -> c_int;
}

static OPS: NetdevOps = NetdevOps::new(c"virtio-net", transmit, receive);

struct Devices {
    slots: [Option<NetDevice>; MAX_DEVICES],
    count: usize,
    probed: bool,
}

struct Shared(UnsafeCell<Devices>);
// SAFETY: one CPU, and the interrupt handler touches only the transport's interrupt registers,
// never a `NetDevice`: accesses never overlap.
unsafe impl Sync for Shared {}

static DEVICES: Shared = Shared(UnsafeCell::new(Devices {
    slots: [None, None, None, None],
    count: 0,
    probed: false,
}));

/// # Safety
/// `dev` is a `NetDevice` registered by `add`; `frame` holds `len` bytes.
unsafe extern "C" fn transmit(dev: *mut c_void, frame: *const c_void, len: usize) -> c_int {
    // SAFETY: see the function's contract.
    let (device, frame) = unsafe {
        (
            &mut *(dev as *mut NetDevice),
            core::slice::from_raw_parts(frame as *const u8, len),
        )
    };
    device.transmit(frame)
}

/// # Safety
/// `dev` is a `NetDevice` registered by `add`; `buf` holds `cap` writable bytes.
unsafe extern "C" fn receive(dev: *mut c_void, buf: *mut c_void, cap: usize) -> c_int {
    // SAFETY: see the function's contract.
    let (device, out) = unsafe {
        (
            &mut *(dev as *mut NetDevice),
            core::slice::from_raw_parts_mut(buf as *mut u8, cap),
        )
    };
    device.receive(out)
}

/// Registers the interrupt handler of a device: a virtio-mmio one on `gsi`, a virtio-pci one
/// on its INTx line (switched to level trigger: lines below 16 default to edge).
fn register_interrupt(device: &NetDevice, gsi: Option<u32>) {
    let (gsi, handler, arg): (u32, IrqHandler, u64) = match (device.transport(), gsi) {
        (Transport::Mmio(mmio), Some(gsi)) => (gsi, mmio::on_interrupt, mmio.base()),
        (Transport::Pci(pci), _) => match pci.interrupt() {
            Some((gsi, isr)) => {
                // SAFETY: a mode change of a GSI no one else registered.
                if unsafe { ukplat_irq_set_mode(gsi, UKPLAT_IRQ_LEVEL) } < 0 {
                    return;
                }
                (gsi, pci::on_interrupt, isr)
            }
            None => return,
        },
        _ => return,
    };
    // SAFETY: the handler only touches the interrupt registers at `arg` (the transport's base or
    // ISR block), which stay mapped for the rest of the run.
    let result = unsafe { ukplat_irq_register(gsi, Some(handler), arg as usize as *mut c_void) };
    if result < 0 {
        error!("virtio-net: GSI {gsi}: interrupt registration failed ({result}), polled");
    } else {
        info!("virtio-net: interrupts on GSI {gsi}");
    }
}

fn add(devices: &mut Devices, transport: Transport, gsi: Option<u32>, place: core::fmt::Arguments) {
    if devices.count == MAX_DEVICES {
        return;
    }
    match NetDevice::new(transport) {
        Ok(device) => {
            let slot = &mut devices.slots[devices.count];
            let device = slot.insert(device);
            let m = device.mac;
            info!(
                "virtio-net: {place}, mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            );
            // SAFETY: the device lives in a static slot for the rest of the run.
            let index = unsafe {
                netdevglue::register(
                    &OPS,
                    device as *mut NetDevice as *mut c_void,
                    &device.mac,
                    1500,
                )
            };
            if index < 0 {
                error!("virtio-net: netdev refused the device ({index})");
            } else {
                register_interrupt(device, gsi);
            }
            devices.count += 1;
        }
        Err(why) => error!("virtio-net: {place}: {why}"),
    }
}

/// Probes both transports and registers every virtio-net device found.
#[no_mangle]
pub extern "C" fn uk_virtio_net_init() -> c_int {
    // SAFETY: single CPU, not re-entered (see `Shared`).
    let devices = unsafe { &mut *DEVICES.0.get() };
    if devices.probed {
        return devices.count as c_int;
    }
    devices.probed = true;
    for slot in 0..mmio::MICROVM_SLOTS {
        let base = mmio::MICROVM_BASE + slot * mmio::SLOT_SIZE;
        // SAFETY: the microvm window is identity-mapped MMIO space; on other machines nothing
        // decodes it and reads return all ones, which fails the magic check.
        match unsafe { mmio::Mmio::probe(base, VIRTIO_ID_NET) } {
            Ok(transport) => add(
                devices,
                Transport::Mmio(transport),
                // SAFETY: as for the probe.
                unsafe { mmio::microvm_gsi(slot) },
                format_args!("virtio-mmio at {base:#x}"),
            ),
            Err("no device") => {}
            Err(why) => error!("virtio-net: virtio-mmio at {base:#x}: {why}"),
        }
    }
    let mut functions = [None; MAX_DEVICES];
    let mut found = 0;
    pci::scan(&PCI_NET_IDS, |function| {
        if found < functions.len() {
            functions[found] = Some(function);
            found += 1;
        }
    });
    for function in functions.into_iter().flatten() {
        let (slot, number) = (function.slot, function.function);
        match pci::Pci::new(function) {
            Ok(transport) => add(
                devices,
                Transport::Pci(transport),
                None,
                format_args!("virtio-pci at 00:{slot:02x}.{number}"),
            ),
            Err(why) => error!("virtio-net: virtio-pci at 00:{slot:02x}.{number}: {why}"),
        }
    }
    devices.count as c_int
}

extern "C" fn init_hook() -> c_int {
    uk_virtio_net_init();
    0
}

/// Probe after the allocator (01) and before netstack (20).
#[used]
#[link_section = ".uk_inittab.10"]
static INIT: extern "C" fn() -> c_int = init_hook;
