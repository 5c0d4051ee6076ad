//! Intrusive doubly linked lists of free blocks, one per order. The links live in the first
//! 16 bytes of each free block; 0 means "none".

use crate::order::ORDER_LIMIT;

/// The links stored at the start of a free block.
#[repr(C)]
struct Links {
    next: usize,
    prev: usize,
}

/// One list head per order.
pub struct FreeLists {
    heads: [usize; ORDER_LIMIT as usize],
}

impl FreeLists {
    pub const fn new() -> Self {
        FreeLists {
            heads: [0; ORDER_LIMIT as usize],
        }
    }

    /// Whether the list of `order` is empty.
    pub fn is_empty(&self, order: u32) -> bool {
        self.heads[order as usize] == 0
    }

    /// Adds the block at `addr` to the list of `order`.
    ///
    /// # Safety
    ///
    /// `addr` must be a free block of at least 16 bytes, aligned to 8, owned by the heap and in
    /// no list.
    pub unsafe fn push(&mut self, order: u32, addr: usize) {
        let head = self.heads[order as usize];
        // SAFETY: `addr` is a free block we own (caller's contract); `head`, when non-zero, is
        // another free block of this list.
        unsafe {
            (addr as *mut Links).write(Links {
                next: head,
                prev: 0,
            });
            if head != 0 {
                (*(head as *mut Links)).prev = addr;
            }
        }
        self.heads[order as usize] = addr;
    }

    /// Removes and returns the first block of the list of `order`, if any.
    ///
    /// # Safety
    ///
    /// The list must only hold blocks pushed with [`FreeLists::push`] and still free.
    pub unsafe fn pop(&mut self, order: u32) -> Option<usize> {
        let head = self.heads[order as usize];
        if head == 0 {
            return None;
        }
        // SAFETY: `head` is a block of this list (caller's contract).
        unsafe { self.remove(order, head) };
        Some(head)
    }

    /// Unlinks the block at `addr` from the list of `order`.
    ///
    /// # Safety
    ///
    /// `addr` must currently be in the list of `order`.
    pub unsafe fn remove(&mut self, order: u32, addr: usize) {
        // SAFETY: `addr` and its neighbours are free blocks of this list (caller's contract).
        unsafe {
            let Links { next, prev } = (addr as *const Links).read();
            if prev == 0 {
                self.heads[order as usize] = next;
            } else {
                (*(prev as *mut Links)).next = next;
            }
            if next != 0 {
                (*(next as *mut Links)).prev = prev;
            }
        }
    }
}
