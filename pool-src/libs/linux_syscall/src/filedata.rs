//! The bytes of a RAM-filesystem file, kept in page-aligned memory that a shared mapping can
//! use directly (`mmap(MAP_SHARED)` of a file aliases its data: what one mapping writes,
//! another mapping and `read` see, and what `write` stores, the mappings see).
//!
//! Storage is a list of segments, each one page-aligned block; together they cover
//! `[0, capacity)` in order and bytes in `[len, capacity)` are zero. While no shared mapping
//! exists the file lives in a single segment that moves when it grows (amortized doubling).
//! While one exists (`maps > 0`) nothing moves: growth appends a segment. A mapping must lie
//! inside one segment; one that would straddle two while another mapping pins them is refused
//! with ENOMEM (a program that maps, grows the file past the mapping, and then maps across
//! the old end).
//!
//! Which pages were ever written is tracked, so `st_blocks` counts pages as tmpfs does: a file
//! grown by `ftruncate` has holes and no blocks until it is written.

use crate::errno::*;
use alloc::alloc::{alloc_zeroed, dealloc, Layout};
use alloc::vec::Vec;
use core::ptr::NonNull;

const PAGE: usize = 4096;
const ENOSPC: i64 = 28;
const EFBIG: i64 = 27;
/// The largest file (tmpfs allows more; this keeps sizes far from overflow).
const MAX_SIZE: usize = 1 << 40;

struct Segment {
    start: NonNull<u8>,
    capacity: usize,
}

impl Segment {
    fn new(capacity: usize) -> Result<Segment, i64> {
        let layout = Layout::from_size_align(capacity, PAGE).map_err(|_| EFBIG)?;
        // SAFETY: `capacity` is a non-zero page multiple.
        let start = NonNull::new(unsafe { alloc_zeroed(layout) }).ok_or(ENOSPC)?;
        Ok(Segment { start, capacity })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: the block is `capacity` bytes, allocated and initialized (zeroed).
        unsafe { core::slice::from_raw_parts(self.start.as_ptr(), self.capacity) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `bytes`, and `self` is borrowed mutably.
        unsafe { core::slice::from_raw_parts_mut(self.start.as_ptr(), self.capacity) }
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this very layout.
        unsafe {
            dealloc(
                self.start.as_ptr(),
                Layout::from_size_align_unchecked(self.capacity, PAGE),
            )
        };
    }
}

/// A file's bytes.
#[derive(Default)]
pub struct Data {
    segments: Vec<Segment>,
    len: usize,
    /// Shared mappings of this file alive now.
    maps: u32,
    /// One bit per page: written (allocated, for `st_blocks`).
    present: Vec<u64>,
}

fn round_up(n: usize) -> usize {
    n.div_ceil(PAGE) * PAGE
}

impl Data {
    pub fn from_bytes(bytes: &[u8]) -> Result<Data, i64> {
        let mut data = Data::default();
        data.write(0, bytes)?;
        Ok(data)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> usize {
        self.segments.iter().map(|s| s.capacity).sum()
    }

    /// Pages ever written and still inside the file (tmpfs's allocated pages).
    pub fn pages(&self) -> u64 {
        self.present.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    fn mark(&mut self, from: usize, to: usize) {
        if to <= from {
            return;
        }
        for page in from / PAGE..to.div_ceil(PAGE) {
            if self.present.len() <= page / 64 {
                self.present.resize(page / 64 + 1, 0);
            }
            self.present[page / 64] |= 1 << (page % 64);
        }
    }

    fn present(&self, page: usize) -> bool {
        self.present
            .get(page / 64)
            .is_some_and(|w| w & (1 << (page % 64)) != 0)
    }

    /// `lseek`'s `SEEK_DATA` (`data`) or `SEEK_HOLE` from `offset`, by pages as tmpfs answers:
    /// the next written page (ENXIO past the last one) or the next hole (the end of the file at
    /// the latest); ENXIO from the end of the file on.
    pub fn seek(&self, offset: usize, data: bool) -> Result<usize, i64> {
        const ENXIO: i64 = 6;
        if offset >= self.len {
            return Err(ENXIO);
        }
        let found = (offset / PAGE..self.len.div_ceil(PAGE)).find(|&p| self.present(p) == data);
        match found {
            Some(page) => Ok((page * PAGE).max(offset).min(self.len)),
            None if data => Err(ENXIO),
            None => Ok(self.len),
        }
    }

    /// Forgets written pages at and after byte `len` (rounded up to a page).
    fn unmark_from(&mut self, len: usize) {
        let first = len.div_ceil(PAGE);
        for (i, word) in self.present.iter_mut().enumerate() {
            for bit in 0..64 {
                if i * 64 + bit >= first {
                    *word &= !(1 << bit);
                }
            }
        }
    }

    /// Makes the capacity at least `needed` bytes.
    fn reserve(&mut self, needed: usize) -> Result<(), i64> {
        if needed > MAX_SIZE {
            return Err(EFBIG);
        }
        let capacity = self.capacity();
        if needed <= capacity {
            return Ok(());
        }
        if self.maps == 0 {
            // Nothing points into the storage: one segment, moved to a larger block.
            let size = round_up(needed).max(capacity * 2);
            let mut fresh = Segment::new(size)?;
            let mut at = 0;
            for segment in &self.segments {
                let n = segment.capacity.min(self.len.saturating_sub(at));
                fresh.bytes_mut()[at..at + n].copy_from_slice(&segment.bytes()[..n]);
                at += segment.capacity;
            }
            self.segments.clear();
            self.segments.push(fresh);
        } else {
            let size = round_up(needed - capacity).max(capacity);
            self.segments.push(Segment::new(size)?);
        }
        Ok(())
    }

    /// Calls `f` on each stored piece of `[from, to)`: (offset in the range, piece).
    fn pieces(&mut self, from: usize, to: usize, mut f: impl FnMut(usize, &mut [u8])) {
        let mut base = 0;
        for segment in &mut self.segments {
            let (start, end) = (base, base + segment.capacity);
            base = end;
            let (lo, hi) = (from.max(start), to.min(end));
            if lo < hi {
                f(lo - from, &mut segment.bytes_mut()[lo - start..hi - start]);
            }
        }
    }

    /// Copies bytes from `at` into `out`; returns how many (none past the end).
    pub fn read(&mut self, at: usize, out: &mut [u8]) -> usize {
        let n = self.len.saturating_sub(at).min(out.len());
        self.pieces(at, at + n, |offset, piece| {
            out[offset..offset + piece.len()].copy_from_slice(piece)
        });
        n
    }

    /// Stores `bytes` at `at`, growing the file (the gap reads as zeroes).
    pub fn write(&mut self, at: usize, bytes: &[u8]) -> Result<(), i64> {
        let end = at.checked_add(bytes.len()).ok_or(EFBIG)?;
        self.reserve(end)?;
        self.pieces(at, end, |offset, piece| {
            piece.copy_from_slice(&bytes[offset..offset + piece.len()])
        });
        self.len = self.len.max(end);
        self.mark(at, end);
        Ok(())
    }

    /// Makes the file `len` bytes long: growth adds zeroes (a hole), shrinking drops the
    /// tail (zeroed in place, so that it reads as zeroes if the file grows again).
    pub fn resize(&mut self, len: usize) -> Result<(), i64> {
        if len > self.len {
            self.reserve(len)?;
            let old = self.len;
            // Bytes a mapping stored past the old end are not the file's: zero them.
            self.pieces(old, len, |_, piece| piece.fill(0));
        } else {
            self.pieces(len, self.len, |_, piece| piece.fill(0));
            self.unmark_from(len);
            if len == 0 && self.maps == 0 {
                self.segments.clear();
            }
        }
        self.len = len;
        Ok(())
    }

    /// Allocates the pages of `[from, to)` (`fallocate`).
    pub fn allocate(&mut self, from: usize, to: usize) -> Result<(), i64> {
        if to > self.len {
            self.resize(to)?;
        }
        self.mark(from, to);
        Ok(())
    }

    /// A copy of the bytes from `at`, at most `len` of them (private mappings).
    pub fn copy_out(&mut self, at: usize, out: &mut [u8]) -> usize {
        self.read(at, out)
    }

    /// The whole contents (symbolic link targets, tests).
    pub fn to_vec(&mut self) -> Vec<u8> {
        let mut out = alloc::vec![0; self.len];
        self.read(0, &mut out);
        out
    }

    /// A shared mapping of `[offset, offset + len)` (page multiples): the address of the
    /// file's own storage there, which stays put until [`Data::unmap`].
    pub fn map(&mut self, offset: usize, len: usize) -> Result<*mut u8, i64> {
        let end = offset.checked_add(len).ok_or(EFBIG)?;
        self.reserve(end)?;
        let mut base = 0;
        let mut found = None;
        for segment in &self.segments {
            if offset >= base && end <= base + segment.capacity {
                found = Some(segment.start.as_ptr().wrapping_add(offset - base));
            }
            base += segment.capacity;
        }
        if found.is_none() && self.maps == 0 {
            // Gather the segments into one block that holds the whole range.
            let (saved_len, saved_present) = (self.len, self.present.clone());
            let bytes = self.to_vec();
            self.segments.clear();
            self.segments
                .push(Segment::new(round_up(end.max(saved_len)))?);
            self.len = 0;
            self.write(0, &bytes)?;
            (self.len, self.present) = (saved_len, saved_present);
            found = Some(self.segments[0].start.as_ptr().wrapping_add(offset));
        }
        let address = found.ok_or(ENOMEM)?;
        self.maps += 1;
        // A mapping's pages are the file's (tmpfs allocates them as they are touched).
        self.mark(offset, end.min(self.len));
        Ok(address)
    }

    /// A shared mapping is gone.
    pub fn unmap(&mut self) {
        self.maps = self.maps.saturating_sub(1);
    }

    /// Whether a shared mapping uses the storage.
    pub fn mapped(&self) -> bool {
        self.maps > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_writes_and_resizes() {
        let mut d = Data::from_bytes(b"hello").unwrap();
        assert_eq!(d.to_vec(), b"hello");
        d.write(8190, b"xyz").unwrap();
        assert_eq!(d.len(), 8193);
        assert_eq!(d.pages(), 3);
        let mut buf = [9u8; 4];
        assert_eq!(d.read(4, &mut buf), 4);
        assert_eq!(&buf, b"o\0\0\0");
        d.resize(2).unwrap();
        assert_eq!(d.pages(), 1);
        d.resize(6).unwrap();
        assert_eq!(d.to_vec(), b"he\0\0\0\0");
        let mut hole = Data::default();
        hole.resize(10000).unwrap();
        assert_eq!(hole.pages(), 0);
        assert_eq!(hole.seek(5, false), Ok(5));
        assert_eq!(hole.seek(5, true), Err(6));
        hole.write(5000, b"x").unwrap();
        assert_eq!(hole.seek(5, true), Ok(4096));
        assert_eq!(hole.seek(4100, false), Ok(8192));
        assert_eq!(hole.seek(9000, false), Ok(9000));
        assert_eq!(hole.seek(10000, false), Err(6));
    }

    #[test]
    fn mappings_alias_and_pin() {
        let mut d = Data::default();
        d.resize(4096).unwrap();
        let a = d.map(0, 4096).unwrap();
        let b = d.map(0, 4096).unwrap();
        assert_eq!(a, b);
        // SAFETY: the mapping is 4096 bytes of the file's storage.
        unsafe { a.write(42) };
        let mut byte = [0u8];
        d.read(0, &mut byte);
        assert_eq!(byte[0], 42);
        // Growth while mapped appends a segment: the mapping stays valid.
        d.write(10000, b"z").unwrap();
        // SAFETY: as above.
        assert_eq!(unsafe { a.read() }, 42);
        assert_eq!(d.to_vec()[10000], b'z');
        assert_eq!(d.map(0, 12288), Err(ENOMEM));
        d.unmap();
        d.unmap();
        assert!(!d.mapped());
        let c = d.map(0, 12288).unwrap();
        // SAFETY: as above.
        assert_eq!(unsafe { c.read() }, 42);
        assert_eq!(d.to_vec()[10000], b'z');
    }
}
