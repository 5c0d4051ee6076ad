//! The virtio-net driver proper: queue 0 receives, queue 1 transmits, each buffer is one
//! descriptor of `BUFFER_SIZE` bytes starting with the 12-byte `virtio_net_hdr` (VERSION_1
//! always has `num_buffers`). Only VIRTIO_NET_F_MAC is negotiated besides VERSION_1: no
//! offloads, so every received frame fits one buffer and every header is zero on transmit.
//!
//! Buffer ownership: the driver allocates all buffers once. Receive buffers live in the device's
//! queue except between `take_used` and the copy into the caller's buffer, after which they are
//! resubmitted. Transmit buffers are free (in `tx_free`) or owned by the device until it returns
//! them through the used ring.

use crate::transport::{Transport, F_VERSION_1};
use crate::virtqueue::{Virtqueue, DESC_F_WRITE};

extern "C" {
    fn uk_memalign(align: usize, size: usize) -> *mut u8;
}

const F_MAC: u64 = 1 << 5;
const HEADER: usize = 12;
const BUFFER_SIZE: usize = 2048;
const RX_QUEUE: u16 = 0;
const TX_QUEUE: u16 = 1;
const RX_ENTRIES: u16 = 128;
const TX_ENTRIES: u16 = 64;

pub const EAGAIN: i32 = -11;
pub const EMSGSIZE: i32 = -90;

pub struct NetDevice {
    transport: Transport,
    rx: Virtqueue,
    tx: Virtqueue,
    rx_buffers: *mut u8,
    tx_buffers: *mut u8,
    tx_free: [u16; TX_ENTRIES as usize],
    tx_free_count: usize,
    pub mac: [u8; 6],
}

fn buffers(count: u16) -> Result<*mut u8, &'static str> {
    let size = count as usize * BUFFER_SIZE;
    // SAFETY: ukalloc's memalign with a power-of-two alignment.
    let block = unsafe { uk_memalign(4096, size) };
    if block.is_null() {
        return Err("out of memory for packet buffers");
    }
    // SAFETY: the block holds `size` bytes.
    unsafe { core::ptr::write_bytes(block, 0, size) };
    Ok(block)
}

impl NetDevice {
    pub fn new(transport: Transport) -> Result<NetDevice, &'static str> {
        let features = transport.negotiate(F_VERSION_1 | F_MAC)?;
        let rx = Virtqueue::new(&transport, RX_QUEUE, RX_ENTRIES)?;
        let tx = Virtqueue::new(&transport, TX_QUEUE, TX_ENTRIES)?;
        let mut mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
        if features & F_MAC != 0 {
            for (i, byte) in mac.iter_mut().enumerate() {
                *byte = transport.config_read8(i);
            }
        }
        let mut device = NetDevice {
            rx_buffers: buffers(rx.size())?,
            tx_buffers: buffers(tx.size())?,
            transport,
            rx,
            tx,
            tx_free: [0; TX_ENTRIES as usize],
            tx_free_count: 0,
            mac,
        };
        // Transmit completions are reclaimed by the next transmit: only receptions interrupt.
        device.tx.suppress_interrupts();
        for id in 0..device.tx.size() {
            device.tx_free[device.tx_free_count] = id;
            device.tx_free_count += 1;
        }
        for id in 0..device.rx.size() {
            let address = device.rx_buffers as u64 + id as u64 * BUFFER_SIZE as u64;
            device
                .rx
                .set_descriptor(id, address, BUFFER_SIZE as u32, DESC_F_WRITE);
            device.rx.submit(id);
        }
        device.transport.ready();
        device.transport.notify(RX_QUEUE);
        Ok(device)
    }

    /// Takes back the transmit buffers the device is done with.
    fn reclaim(&mut self) {
        while let Some((id, _)) = self.tx.take_used() {
            if (id as usize) < self.tx_free.len() && self.tx_free_count < self.tx_free.len() {
                self.tx_free[self.tx_free_count] = id;
                self.tx_free_count += 1;
            }
        }
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub fn transmit(&mut self, frame: &[u8]) -> i32 {
        if frame.len() > BUFFER_SIZE - HEADER {
            return EMSGSIZE;
        }
        self.reclaim();
        if self.tx_free_count == 0 {
            return EAGAIN;
        }
        self.tx_free_count -= 1;
        let id = self.tx_free[self.tx_free_count];
        let buffer = self.tx_buffers as usize + id as usize * BUFFER_SIZE;
        // SAFETY: buffer `id` is free (not owned by the device) and holds BUFFER_SIZE bytes.
        unsafe {
            core::ptr::write_bytes(buffer as *mut u8, 0, HEADER);
            core::ptr::copy_nonoverlapping(
                frame.as_ptr(),
                (buffer + HEADER) as *mut u8,
                frame.len(),
            );
        }
        self.tx
            .set_descriptor(id, buffer as u64, (HEADER + frame.len()) as u32, 0);
        self.tx.submit(id);
        self.transport.notify(self.tx.index());
        0
    }

    pub fn receive(&mut self, out: &mut [u8]) -> i32 {
        let Some((id, written)) = self.rx.take_used() else {
            return EAGAIN;
        };
        let length = (written as usize)
            .saturating_sub(HEADER)
            .min(BUFFER_SIZE - HEADER);
        let result = if length > out.len() {
            EMSGSIZE
        } else {
            let buffer = self.rx_buffers as usize + id as usize * BUFFER_SIZE + HEADER;
            // SAFETY: the device returned buffer `id`; it holds `length` bytes after the header.
            unsafe {
                core::ptr::copy_nonoverlapping(buffer as *const u8, out.as_mut_ptr(), length)
            };
            length as i32
        };
        // The buffer goes straight back to the device.
        self.rx.submit(id);
        self.transport.notify(self.rx.index());
        result
    }
}
