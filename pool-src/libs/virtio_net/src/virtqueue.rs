//! Split virtqueues (virtio 1.2, 2.7): a descriptor table, the driver ("available") ring and the
//! device ("used") ring, each in its own page-aligned block from the allocator (the memory is
//! identity-mapped, so addresses are physical).
//!
//! Ownership: a descriptor belongs to the device from `submit` until `take_used` returns its id;
//! the driver touches neither the descriptor nor its buffer in between.

use core::ptr::{addr_of_mut, read_volatile, write_volatile};
use core::sync::atomic::{fence, Ordering};

use crate::transport::Transport;

extern "C" {
    fn uk_memalign(align: usize, size: usize) -> *mut u8;
}

/// The device writes the buffer (a receive buffer).
pub const DESC_F_WRITE: u16 = 2;

#[repr(C)]
struct Descriptor {
    address: u64,
    len: u32,
    flags: u16,
    next: u16,
}

#[repr(C)]
struct UsedElement {
    id: u32,
    len: u32,
}

pub struct Virtqueue {
    index: u16,
    size: u16,
    descriptors: *mut Descriptor,
    /// flags: u16, idx: u16, ring: [u16; size], used_event: u16
    available: *mut u16,
    /// flags: u16, idx: u16, ring: [UsedElement; size], avail_event: u16
    used: *mut u16,
    /// Next index of the available ring to fill (free-running).
    available_index: u16,
    /// Next used-ring index to read (free-running).
    last_used: u16,
}

fn zeroed_pages(size: usize) -> Result<*mut u8, &'static str> {
    // SAFETY: uk_memalign is ukalloc's; 4096 is a power of two.
    let block = unsafe { uk_memalign(4096, size) };
    if block.is_null() {
        return Err("out of memory for a virtqueue");
    }
    // SAFETY: the block holds `size` bytes.
    unsafe { core::ptr::write_bytes(block, 0, size) };
    Ok(block)
}

impl Virtqueue {
    /// Allocates queue `index` with at most `wanted` entries and hands it to the device.
    pub fn new(transport: &Transport, index: u16, wanted: u16) -> Result<Virtqueue, &'static str> {
        let max = transport.queue_max(index);
        if max == 0 {
            return Err("queue not available");
        }
        // Sizes are powers of two for split queues.
        let mut size = wanted.min(max);
        while size & (size - 1) != 0 {
            size &= size - 1;
        }
        let n = size as usize;
        let descriptors = zeroed_pages(16 * n)? as *mut Descriptor;
        let available = zeroed_pages(6 + 2 * n)? as *mut u16;
        let used = zeroed_pages(6 + 8 * n)? as *mut u16;
        transport.enable_queue(
            index,
            size,
            descriptors as u64,
            available as u64,
            used as u64,
        );
        Ok(Virtqueue {
            index,
            size,
            descriptors,
            available,
            used,
            available_index: 0,
            last_used: 0,
        })
    }

    pub fn size(&self) -> u16 {
        self.size
    }

    pub fn index(&self) -> u16 {
        self.index
    }

    /// Asks the device not to interrupt when it returns buffers of this queue
    /// (VIRTQ_AVAIL_F_NO_INTERRUPT, a hint: the device may still do so).
    pub fn suppress_interrupts(&mut self) {
        // SAFETY: the flags field is u16 index 0 of the available ring.
        unsafe { write_volatile(self.available, 1) };
        fence(Ordering::SeqCst);
    }

    /// Points descriptor `id` at a buffer (one descriptor per buffer, no chains).
    pub fn set_descriptor(&mut self, id: u16, address: u64, len: u32, flags: u16) {
        assert!(id < self.size);
        // SAFETY: `id` is inside the table, which this queue owns while the device does not.
        unsafe {
            let d = self.descriptors.add(id as usize);
            write_volatile(addr_of_mut!((*d).address), address);
            write_volatile(addr_of_mut!((*d).len), len);
            write_volatile(addr_of_mut!((*d).flags), flags);
            write_volatile(addr_of_mut!((*d).next), 0);
        }
    }

    /// Hands descriptor `id` to the device (the caller notifies).
    pub fn submit(&mut self, id: u16) {
        let slot = (self.available_index % self.size) as usize;
        // SAFETY: ring entries 2 + slot and the idx field (1) are inside the available ring.
        unsafe {
            write_volatile(self.available.add(2 + slot), id);
            // The entry must be visible before the index that publishes it.
            fence(Ordering::SeqCst);
            self.available_index = self.available_index.wrapping_add(1);
            write_volatile(self.available.add(1), self.available_index);
        }
        fence(Ordering::SeqCst);
    }

    /// The next buffer the device has finished with: (descriptor id, bytes written).
    pub fn take_used(&mut self) -> Option<(u16, u32)> {
        // SAFETY: the used ring's idx field is at u16 index 1.
        let device_index = unsafe { read_volatile(self.used.add(1)) };
        if device_index == self.last_used {
            return None;
        }
        // Read the element only after seeing the index.
        fence(Ordering::SeqCst);
        let slot = (self.last_used % self.size) as usize;
        // SAFETY: elements start 4 bytes into the used ring; `slot` < size.
        let element = unsafe {
            let ring = (self.used as *mut u8).add(4) as *mut UsedElement;
            let e = ring.add(slot);
            (
                read_volatile(addr_of_mut!((*e).id)),
                read_volatile(addr_of_mut!((*e).len)),
            )
        };
        self.last_used = self.last_used.wrapping_add(1);
        Some((element.0 as u16, element.1))
    }
}
