//! A zone: one contiguous range of managed memory and its block table.
//!
//! The table has one byte per 32-byte unit of the zone. The byte of the first unit of every
//! block says whether the block is free or used and its order; every other byte is 0. Merging
//! two buddies clears the byte of the upper one. A span (a used run of whole pages that is not
//! one buddy block, see `heap`) is marked with both flags at its first unit, and its length in
//! pages is kept 6 bits at a time in the bytes of its next [`SPAN_LENGTH_BYTES`] units: those
//! bytes never have a flag set, so they never look like a block start.

use crate::order::{MIN_BLOCK, MIN_ORDER};

/// Table byte flag: a free block starts here.
const FREE: u8 = 0x80;
/// Table byte flag: a used block starts here.
const USED: u8 = 0x40;
/// Table byte bits holding the order.
const ORDER_MASK: u8 = 0x3f;
/// Table byte of a span's first unit.
const SPAN: u8 = FREE | USED;
/// Table bytes after a span's first one that hold its length in pages, 6 bits each.
pub const SPAN_LENGTH_BYTES: usize = 8;
/// Spans are whole pages.
pub const PAGE: usize = 4096;

/// What the table says about an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Not the start of a block (or outside the zone).
    None,
    Free(u32),
    Used(u32),
    /// A used span of this many bytes (a multiple of [`PAGE`]).
    Span(usize),
}

/// One contiguous managed range.
#[derive(Clone, Copy)]
pub struct Zone {
    /// First managed byte, a multiple of [`MIN_BLOCK`].
    pub start: usize,
    /// One past the last managed byte, a multiple of [`MIN_BLOCK`].
    pub end: usize,
    /// The block table: `(end - start) / MIN_BLOCK` bytes.
    table: *mut u8,
}

impl Zone {
    pub const EMPTY: Zone = Zone {
        start: 0,
        end: 0,
        table: core::ptr::null_mut(),
    };

    /// Lays out a zone over `[base, end)`: the table at the bottom, managed memory above it.
    /// Returns `None` when nothing usable would remain.
    ///
    /// # Safety
    ///
    /// `[base, end)` must be memory the heap may own exclusively from now on.
    pub unsafe fn carve(base: usize, end: usize) -> Option<Zone> {
        let base = base.checked_next_multiple_of(MIN_BLOCK)?;
        let end = end & !(MIN_BLOCK - 1);
        if end <= base {
            return None;
        }
        // One table byte per MIN_BLOCK managed bytes: the table takes 1/33 of the range.
        let table_len = (end - base).div_ceil(MIN_BLOCK + 1);
        let start = (base + table_len).checked_next_multiple_of(MIN_BLOCK)?;
        if end <= start {
            return None;
        }
        let table = base as *mut u8;
        // SAFETY: `[base, base + table_len)` is ours (caller's contract) and
        // `(end - start) / MIN_BLOCK <= table_len`.
        unsafe { table.write_bytes(0, (end - start) / MIN_BLOCK) };
        Some(Zone { start, end, table })
    }

    /// Whether `addr` lies in the managed range.
    pub fn contains(&self, addr: usize) -> bool {
        (self.start..self.end).contains(&addr)
    }

    /// Number of managed bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// What the table says about `addr` (`Mark::None` outside the zone or off a unit boundary).
    pub fn mark(&self, addr: usize) -> Mark {
        if !self.contains(addr) || !addr.is_multiple_of(MIN_BLOCK) {
            return Mark::None;
        }
        let byte = self.byte(addr);
        let order = u32::from(byte & ORDER_MASK);
        if byte == SPAN {
            Mark::Span(self.span_pages(addr) * PAGE)
        } else if byte & FREE != 0 {
            Mark::Free(order)
        } else if byte & USED != 0 {
            Mark::Used(order)
        } else {
            Mark::None
        }
    }

    /// Records `mark` for the block or span starting at `addr`, which must lie in the zone.
    /// Replacing a span's mark also clears its length bytes.
    pub fn set_mark(&mut self, addr: usize, mark: Mark) {
        if let Mark::Span(_) = self.mark(addr) {
            for unit in 0..=SPAN_LENGTH_BYTES {
                self.set_byte(addr + unit * MIN_BLOCK, 0);
            }
        }
        match mark {
            Mark::None => self.set_byte(addr, 0),
            Mark::Free(order) => self.set_byte(addr, FREE | order as u8),
            Mark::Used(order) => self.set_byte(addr, USED | order as u8),
            Mark::Span(len) => {
                assert!(len.is_multiple_of(PAGE) && len >= PAGE);
                self.set_byte(addr, SPAN);
                let mut pages = len / PAGE;
                for unit in 1..=SPAN_LENGTH_BYTES {
                    self.set_byte(addr + unit * MIN_BLOCK, (pages & 0x3f) as u8);
                    pages >>= 6;
                }
            }
        }
    }

    /// The length in pages of the span starting at `addr`.
    fn span_pages(&self, addr: usize) -> usize {
        (1..=SPAN_LENGTH_BYTES).rev().fold(0, |pages, unit| {
            (pages << 6) | usize::from(self.byte(addr + unit * MIN_BLOCK))
        })
    }

    fn byte(&self, addr: usize) -> u8 {
        assert!(self.contains(addr));
        // SAFETY: checked above that the index is inside the table.
        unsafe { *self.table.add(self.index(addr)) }
    }

    fn set_byte(&mut self, addr: usize, byte: u8) {
        assert!(self.contains(addr) && addr.is_multiple_of(MIN_BLOCK));
        // SAFETY: checked above that the index is inside the table.
        unsafe { *self.table.add(self.index(addr)) = byte };
    }

    fn index(&self, addr: usize) -> usize {
        (addr - self.start) >> MIN_ORDER
    }
}
