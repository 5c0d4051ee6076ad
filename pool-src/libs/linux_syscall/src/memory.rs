//! Memory calls: anonymous (and private file-backed) `mmap` over ukalloc, always page-aligned
//! (musl's mallocng finds its metadata by masking pointers to 4 KiB), `munmap`, `mremap`,
//! `mprotect`, `madvise` (`MADV_DONTNEED` zeroes anonymous memory, as Linux does), and a `brk`
//! that never grows (musl's malloc then uses mmap).
//!
//! Protections are the page tables' (`ukarch_page_protect`; on linuxu the host's `mprotect`):
//! a mapping is read-write and not executable unless `mmap` or `mprotect` asks otherwise;
//! `PROT_EXEC` makes pages executable, `PROT_NONE` makes them inaccessible (musl's thread
//! stacks get their guard page that way), a write to a `PROT_READ` page faults. `mprotect` of
//! memory this layer did not map (the image, the process stack) is accepted and changes
//! nothing. Pages go back to read-write before their block returns to the allocator; `mremap`
//! carries them over to the moved or resized mapping.
//!
//! Each mapping is one ukalloc block, recorded by start address. `munmap` of a whole mapping
//! frees it; unmapping part of one makes those pages inaccessible (a later access faults, as
//! on Linux); the block goes back to the allocator once all its pages are unmapped, in one
//! call or in several. `MAP_FIXED` works inside a mapping this layer made (the
//! "reserve, then map parts" pattern of allocators and runtimes): the range is replaced by
//! fresh zeroes or the file's bytes, with the protection asked for; anywhere else it fails
//! with ENOMEM.
//!
//! Shared mappings of RAM-filesystem files are the files' own storage ([`crate::files`]'s
//! `map_shared`); they are only recorded here ([`record_shared`]), and `munmap` of one hands
//! it back to the file instead of freeing anything.
//!
//! A thread may unmap the stack it runs on and exit right after (musl's detached threads do):
//! such a block is freed by the next memory call made on another stack. In host mode
//! (linuxu) the same holds for the host's mappings: the trapped `munmap` runs in a signal
//! handler on that very stack, so the host unmaps it at the next `munmap` made elsewhere.

use crate::cell::Global;
use crate::errno::*;
use crate::platform::{uk_free, uk_malloc_usable_size, uk_memalign};
use alloc::collections::{BTreeMap, BTreeSet};
use core::ffi::c_void;

pub const PAGE_SIZE: u64 = 4096;
const MAP_FIXED: u64 = 0x10;
const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;
const MAP_ANONYMOUS: u64 = 0x20;
const MREMAP_MAYMOVE: u64 = 1;
const PROT_READ: u64 = 1;
const PROT_WRITE: u64 = 2;
const PROT_EXEC: u64 = 4;
/// What a fresh mapping's pages are in the page tables.
const PROT_DEFAULT: u64 = PROT_READ | PROT_WRITE;

extern "C" {
    fn ukarch_page_protect(address: u64, len: u64, prot: i32, spares: *mut u64) -> i32;
    fn ukarch_page_query(address: u64) -> i32;
}

/// Whether the program may read (`write`: write) the `len` bytes at `pointer`: every page is
/// mapped with that access, or `EFAULT`, as Linux answers a call given such a buffer. In host
/// mode (linuxu) the process's memory is the host's and is not looked at here.
pub fn user_access(pointer: u64, len: u64, write: bool) -> Result<(), i64> {
    if len == 0 || crate::host::attached() {
        return Ok(());
    }
    let Some(end) = pointer.checked_add(len) else {
        return Err(EFAULT);
    };
    let needed = if write { PROT_WRITE } else { PROT_READ };
    let mut page = pointer & !(PAGE_SIZE - 1);
    while page < end {
        // SAFETY: a query of the page tables.
        let prot = unsafe { ukarch_page_query(page) };
        if prot < 0 || prot as u64 & needed == 0 {
            return Err(EFAULT);
        }
        page += PAGE_SIZE;
    }
    Ok(())
}

/// Ranges unmapped from inside mappings: mapping start → sorted, disjoint `[from, to)`.
static HOLES: Global<BTreeMap<u64, alloc::vec::Vec<(u64, u64)>>> = Global::new(BTreeMap::new());
/// Starts of the mappings some of whose pages are not `PROT_DEFAULT`.
static CHANGED: Global<BTreeSet<u64>> = Global::new(BTreeSet::new());
/// Two free pages for the architecture to use as page tables when a protection change splits
/// a 2 MiB page; a used slot is 0 and refilled before the next change.
static SPARE_TABLES: Global<[u64; 2]> = Global::new([0; 2]);

/// Live mappings: start → length (page multiple).
static MAPPINGS: Global<BTreeMap<u64, u64>> = Global::new(BTreeMap::new());
/// Shared file mappings: start → (length, inode of the file).
static SHARED: Global<BTreeMap<u64, (u64, u64)>> = Global::new(BTreeMap::new());

/// Records a shared mapping of file `inode` at `[address, address + len)`.
pub fn record_shared(address: u64, len: u64, inode: u64) {
    SHARED.with(|m| m.insert(address, (len, inode)));
}

/// Unmaps a shared file mapping that starts at `address` (whole, if `len` covers it; a
/// partial unmap keeps it); false if none starts there.
fn unmap_shared(address: u64, len: u64) -> bool {
    let found = SHARED.with(|m| match m.get(&address) {
        Some(&(mapped, inode)) => {
            let whole = round_up(len).is_some_and(|l| l >= mapped);
            if whole {
                m.remove(&address);
            }
            Some(whole.then_some(inode))
        }
        None => None,
    });
    match found {
        Some(Some(inode)) => {
            crate::files::unmap_shared(inode);
            true
        }
        Some(None) => true,
        None => false,
    }
}

/// Unmapped blocks that held the stack of the thread that unmapped them: start → length.
static DEFERRED: Global<BTreeMap<u64, u64>> = Global::new(BTreeMap::new());

fn stack_pointer() -> u64 {
    let rsp: u64;
    // SAFETY: reads a register.
    unsafe { core::arch::asm!("mov {}, rsp", out(reg) rsp, options(nomem, nostack)) };
    rsp
}

/// Host mode: host mappings that held the stack of the thread that unmapped them, to unmap
/// once that thread is gone: start → (length, thread id).
static DEFERRED_HOST: Global<BTreeMap<u64, (u64, i64)>> = Global::new(BTreeMap::new());

/// Host mode `munmap` of a mapping the host made. A thread unmapping its own stack (musl's
/// detached threads do, right before they exit) keeps it until it has exited: other threads
/// run in parallel on linuxu, and the exiting one still returns from the trap on that stack.
pub fn host_munmap(address: u64, len: u64) -> i64 {
    const MUNMAP: i64 = 11;
    const GETPID: i64 = 39;
    const GETTID: i64 = 186;
    const TGKILL: i64 = 234;
    const ESRCH: i64 = 3;
    let no_args = [0u64; 6];
    let rsp = stack_pointer();
    let result = if len != 0 && (address..address.saturating_add(len)).contains(&rsp) {
        let tid = crate::host::syscall(GETTID, no_args);
        DEFERRED_HOST.with(|d| d.insert(address, (len, tid)));
        0
    } else {
        crate::host::syscall(MUNMAP, [address, len, 0, 0, 0, 0])
    };
    let pid = crate::host::syscall(GETPID, no_args) as u64;
    let candidates: alloc::vec::Vec<(u64, u64, i64)> =
        DEFERRED_HOST.with(|d| d.iter().map(|(a, (l, t))| (*a, *l, *t)).collect());
    for (start, len, tid) in candidates {
        // Signal 0 only asks whether the thread still exists.
        if crate::host::syscall(TGKILL, [pid, tid as u64, 0, 0, 0, 0]) == -ESRCH {
            DEFERRED_HOST.with(|d| d.remove(&start));
            crate::host::syscall(MUNMAP, [start, len, 0, 0, 0, 0]);
        }
    }
    result
}

/// Frees the deferred blocks that the current stack is not in.
fn free_deferred() {
    let rsp = stack_pointer();
    let free: alloc::vec::Vec<u64> = DEFERRED.with(|d| {
        let done: alloc::vec::Vec<u64> = d
            .iter()
            .filter(|(start, len)| !(**start..**start + **len).contains(&rsp))
            .map(|(start, _)| *start)
            .collect();
        for start in &done {
            d.remove(start);
        }
        done
    });
    for start in free {
        // SAFETY: an unmapped ukalloc block that no stack uses any more.
        unsafe { uk_free(start as *mut c_void) };
    }
}

fn round_up(len: u64) -> Option<u64> {
    len.checked_add(PAGE_SIZE - 1).map(|l| l & !(PAGE_SIZE - 1))
}

/// Whether `len` more bytes of mappings stay within `RLIMIT_AS` and `RLIMIT_DATA` (what
/// Linux counts for both beyond this layer's mappings, the image and the boot stack, is not
/// counted here: the limits apply to the memory a program maps).
fn within_limits(len: u64) -> bool {
    use crate::system::{limit, RLIMIT_AS, RLIMIT_DATA};
    let allowed = limit(RLIMIT_AS).min(limit(RLIMIT_DATA));
    if allowed == u64::MAX {
        return true;
    }
    let mapped: u64 = MAPPINGS.with(|m| m.values().sum());
    mapped.saturating_add(len) <= allowed
}

fn allocate(len: u64) -> Result<u64, i64> {
    free_deferred();
    if !within_limits(len) {
        return Err(ENOMEM);
    }
    // SAFETY: ukalloc returns NULL or a block of at least `len` bytes aligned to a page.
    let block = unsafe { uk_memalign(PAGE_SIZE as usize, len as usize) };
    if block.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: the block is ours and `len` bytes long; mappings start zeroed.
    unsafe { core::ptr::write_bytes(block.cast::<u8>(), 0, len as usize) };
    MAPPINGS.with(|m| m.insert(block as u64, len));
    Ok(block as u64)
}

/// True if `address` starts a mapping this layer made (host mode: others are the host's).
pub fn is_ours(address: u64) -> bool {
    MAPPINGS.with(|m| m.contains_key(&address)) || SHARED.with(|m| m.contains_key(&address))
}

/// Sets the protection of `[address, address + len)` (page-aligned, inside a mapping of this
/// layer) in the page tables. Returns 0 or a negative errno.
fn protect(address: u64, len: u64, prot: u64) -> i64 {
    let empty: alloc::vec::Vec<usize> = SPARE_TABLES.with(|slots| {
        (0..slots.len())
            .filter(|index| slots[*index] == 0)
            .collect()
    });
    for index in empty {
        // SAFETY: a plain allocation; a page the architecture does not take stays ours.
        let page = unsafe { uk_memalign(PAGE_SIZE as usize, PAGE_SIZE as usize) } as u64;
        SPARE_TABLES.with(|slots| slots[index] = page);
    }
    let mut slots = SPARE_TABLES.with(|slots| *slots);
    // SAFETY: the range is this layer's; `slots` are two free pages (or 0).
    let result = unsafe { ukarch_page_protect(address, len, prot as i32, slots.as_mut_ptr()) };
    SPARE_TABLES.with(|kept| *kept = slots);
    result as i64
}

/// True if `address` lies inside a mapping this layer made.
pub fn is_inside_ours(address: u64) -> bool {
    containing(address).is_some()
}

/// The start and length of the mapping of this layer that holds `address`.
fn containing(address: u64) -> Option<(u64, u64)> {
    MAPPINGS.with(|m| {
        m.range(..=address)
            .next_back()
            .filter(|(start, mapped)| address < **start + **mapped)
            .map(|(start, mapped)| (*start, *mapped))
    })
}

/// Makes the pages of the mapping at `start` read-write again if any was changed (before its
/// memory is written by this layer or returned to the allocator).
fn restore(start: u64, len: u64) {
    if CHANGED.with(|c| c.remove(&start)) {
        protect(start, len, PROT_DEFAULT);
    }
}

/// Zeroes `[address, address + len)` inside a mapping, whatever the protection of its pages
/// (each keeps its protection).
fn zero(address: u64, len: u64) {
    let changed =
        containing(address).is_some_and(|(start, _)| CHANGED.with(|c| c.contains(&start)));
    if !changed {
        // SAFETY: the range is inside a live mapping of this layer, read-write.
        unsafe { core::ptr::write_bytes(address as *mut u8, 0, len as usize) };
        return;
    }
    for page in (address..address + len).step_by(PAGE_SIZE as usize) {
        // SAFETY: a query of the page tables.
        let prot = unsafe { ukarch_page_query(page) };
        let writable = prot < 0 || prot as u64 & PROT_WRITE != 0;
        if !writable {
            protect(page, PAGE_SIZE, PROT_DEFAULT);
        }
        // SAFETY: the page is inside a live mapping of this layer and writable now.
        unsafe { core::ptr::write_bytes(page as *mut u8, 0, PAGE_SIZE as usize) };
        if !writable {
            protect(page, PAGE_SIZE, prot as u64);
        }
    }
}

/// Whether `[address, address + len)` lies inside one mapping this layer made.
fn inside_a_mapping(address: u64, len: u64) -> bool {
    MAPPINGS.with(|m| {
        m.range(..=address)
            .next_back()
            .is_some_and(|(start, mapped)| address.saturating_add(len) <= start + mapped)
    })
}

/// `mmap(addr, len, prot, flags, fd, offset)`; `file` copies a file's bytes for a private
/// file mapping (given by the files module).
pub fn mmap(
    address: u64,
    len: u64,
    prot: u64,
    flags: u64,
    file: Option<&[u8]>,
    offset: u64,
) -> i64 {
    let Some(len) = round_up(len).filter(|l| *l != 0 && *l < (1 << 40)) else {
        return -EINVAL;
    };
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return -EINVAL;
    }
    if flags & MAP_ANONYMOUS == 0 && file.is_none() {
        return -ENODEV;
    }
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    let target = if fixed {
        if !address.is_multiple_of(PAGE_SIZE) {
            return -EINVAL;
        }
        if !inside_a_mapping(address, len) {
            return -ENOMEM;
        }
        if flags & MAP_FIXED_NOREPLACE != 0 {
            return -EEXIST;
        }
        if let Some((start, _)) = containing(address) {
            if CHANGED.with(|c| c.contains(&start)) {
                protect(address, len, PROT_DEFAULT);
            }
            remove_holes(start, address, address + len);
        }
        // SAFETY: the range is inside a live mapping of this layer, read-write; it starts
        // afresh.
        unsafe { core::ptr::write_bytes(address as *mut u8, 0, len as usize) };
        address
    } else {
        match allocate(len) {
            Ok(address) => address,
            Err(e) => return -e,
        }
    };
    if let Some(bytes) = file {
        let start = (offset as usize).min(bytes.len());
        let count = (bytes.len() - start).min(len as usize);
        // SAFETY: the mapping is `len` bytes, `count` ≤ len, the source is valid.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes[start..].as_ptr(), target as *mut u8, count)
        };
    }
    if prot != PROT_DEFAULT {
        let result = protect(target, len, prot);
        if result < 0 {
            if !fixed {
                munmap(target, len);
            }
            return result;
        }
        if let Some((start, _)) = containing(target) {
            CHANGED.with(|c| c.insert(start));
        }
    }
    target as i64
}

/// `mprotect(address, len, prot)`: inside a mapping of this layer, the page tables change (a
/// range that goes beyond the mapping is ENOMEM, as for unmapped memory on Linux); elsewhere
/// (the image, the process stack) it is accepted and nothing changes.
pub fn mprotect(address: u64, len: u64, prot: u64) -> i64 {
    if !address.is_multiple_of(PAGE_SIZE) || prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return -EINVAL;
    }
    let Some(len) = round_up(len) else {
        return -ENOMEM;
    };
    if len == 0 {
        return 0;
    }
    let Some((start, mapped)) = containing(address) else {
        return 0;
    };
    if address + len > start + mapped {
        return -ENOMEM;
    }
    let result = protect(address, len, prot);
    if result == 0 && prot != PROT_DEFAULT {
        CHANGED.with(|c| c.insert(start));
    }
    result
}

/// `madvise(address, len, advice)`: `MADV_DONTNEED` on anonymous memory of this layer reads
/// back as zeroes afterwards, as on Linux; other advice is accepted.
pub fn madvise(address: u64, len: u64, advice: u64) -> i64 {
    const MADV_DONTNEED: u64 = 4;
    if !address.is_multiple_of(PAGE_SIZE) {
        return -EINVAL;
    }
    if advice == MADV_DONTNEED && len != 0 {
        if let Some(len) = round_up(len).filter(|l| inside_a_mapping(address, *l)) {
            zero(address, len);
        }
    }
    0
}

pub fn munmap(address: u64, len: u64) -> i64 {
    if !address.is_multiple_of(PAGE_SIZE) || len == 0 {
        return -EINVAL;
    }
    if unmap_shared(address, len) {
        return 0;
    }
    let whole = MAPPINGS.with(|m| match m.get(&address) {
        Some(&mapped) if round_up(len).is_some_and(|l| l >= mapped) => Some(mapped),
        _ => None,
    });
    if let Some(mapped) = whole {
        release(address, mapped);
    } else if let Some((start, mapped)) = containing(address) {
        // Part of a mapping: its pages become inaccessible; once all are, the block goes.
        let end = round_up(len)
            .and_then(|l| address.checked_add(l))
            .map_or(start + mapped, |end| end.min(start + mapped));
        if protect(address, end - address, 0) == 0 {
            CHANGED.with(|c| c.insert(start));
        }
        if add_hole(start, address, end) >= mapped {
            release(start, mapped);
        }
    }
    free_deferred();
    0
}

/// Forgets the mapping at `start` and returns its block to the allocator (later, if the
/// current stack is in it), its pages read-write again.
fn release(start: u64, mapped: u64) {
    MAPPINGS.with(|m| m.remove(&start));
    HOLES.with(|h| h.remove(&start));
    restore(start, mapped);
    if (start..start + mapped).contains(&stack_pointer()) {
        DEFERRED.with(|d| d.insert(start, mapped));
    } else {
        // SAFETY: the block came from uk_memalign and is no longer recorded.
        unsafe { uk_free(start as *mut c_void) };
    }
}

/// Records `[from, to)` of the mapping at `start` as unmapped; returns how many of its bytes
/// are unmapped now.
fn add_hole(start: u64, from: u64, to: u64) -> u64 {
    HOLES.with(|h| {
        let ranges = h.entry(start).or_default();
        ranges.push((from, to));
        ranges.sort_unstable();
        let mut merged: alloc::vec::Vec<(u64, u64)> = alloc::vec::Vec::new();
        for &(from, to) in ranges.iter() {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        *ranges = merged;
        ranges.iter().map(|(from, to)| to - from).sum()
    })
}

/// `[from, to)` of the mapping at `start` is mapped again (`MAP_FIXED`).
fn remove_holes(start: u64, from: u64, to: u64) {
    HOLES.with(|h| {
        if let Some(ranges) = h.get_mut(&start) {
            let mut kept = alloc::vec::Vec::new();
            for &(a, b) in ranges.iter() {
                if a < from {
                    kept.push((a, b.min(from)));
                }
                if b > to {
                    kept.push((a.max(to), b));
                }
            }
            *ranges = kept;
        }
    });
}

pub fn mremap(old: u64, old_len: u64, new_len: u64, flags: u64) -> i64 {
    let Some(new_len) = round_up(new_len).filter(|l| *l != 0) else {
        return -EINVAL;
    };
    let _ = old_len;
    let Some(mapped) = MAPPINGS.with(|m| m.get(&old).copied()) else {
        return -EFAULT;
    };
    // The pages keep their protections (as on Linux): noted, made read-write for the move,
    // set again on the result; a failed call leaves the mapping as it was.
    let protections = protections_of(old, mapped);
    restore(old, mapped);
    let holes = HOLES.with(|h| h.remove(&old));
    let put_back = |holes: Option<alloc::vec::Vec<(u64, u64)>>| {
        if let Some(holes) = holes {
            HOLES.with(|h| h.insert(old, holes));
        }
        reapply(old, &protections, mapped);
    };
    // SAFETY: `old` is a live ukalloc block.
    let capacity = unsafe { uk_malloc_usable_size(old as *const c_void) } as u64;
    if new_len <= capacity {
        if new_len > mapped {
            // SAFETY: the bytes between the old and the new length are inside the block.
            unsafe {
                core::ptr::write_bytes((old + mapped) as *mut u8, 0, (new_len - mapped) as usize)
            };
        }
        MAPPINGS.with(|m| m.insert(old, new_len));
        reapply(old, &protections, new_len);
        return old as i64;
    }
    if flags & MREMAP_MAYMOVE == 0 {
        put_back(holes);
        return -ENOMEM;
    }
    let new = match allocate(new_len) {
        Ok(a) => a,
        Err(e) => {
            put_back(holes);
            return -e;
        }
    };
    // SAFETY: both blocks are live and at least `mapped` bytes long; they do not overlap.
    unsafe { core::ptr::copy_nonoverlapping(old as *const u8, new as *mut u8, mapped as usize) };
    MAPPINGS.with(|m| m.remove(&old));
    // SAFETY: the old block is no longer recorded.
    unsafe { uk_free(old as *mut c_void) };
    reapply(new, &protections, new_len.min(mapped));
    new as i64
}

/// The protections of the mapping at `start` that differ from `PROT_DEFAULT`, as runs of
/// (offset, length, prot); empty when none was changed or the page tables cannot be read
/// (linuxu).
fn protections_of(start: u64, len: u64) -> alloc::vec::Vec<(u64, u64, u64)> {
    let mut runs: alloc::vec::Vec<(u64, u64, u64)> = alloc::vec::Vec::new();
    if !CHANGED.with(|c| c.contains(&start)) {
        return runs;
    }
    for offset in (0..len).step_by(PAGE_SIZE as usize) {
        // SAFETY: a query of the page tables.
        let prot = unsafe { ukarch_page_query(start + offset) };
        if prot < 0 {
            return alloc::vec::Vec::new();
        }
        match runs.last_mut() {
            Some(last) if last.2 == prot as u64 && last.0 + last.1 == offset => last.1 += PAGE_SIZE,
            _ => runs.push((offset, PAGE_SIZE, prot as u64)),
        }
    }
    runs.retain(|run| run.2 != PROT_DEFAULT);
    runs
}

/// Sets the protections `runs` (from [`protections_of`]) on the mapping at `start`, up to
/// `limit` bytes.
fn reapply(start: u64, runs: &[(u64, u64, u64)], limit: u64) {
    for &(offset, len, prot) in runs {
        if offset >= limit {
            continue;
        }
        if protect(start + offset, len.min(limit - offset), prot) == 0 {
            CHANGED.with(|c| c.insert(start));
        }
    }
}

/// `brk`: the break is 0 and never moves, so growing it fails the way Linux reports it (by
/// returning the current break) and musl's malloc falls back to `mmap`.
pub fn brk(_requested: u64) -> i64 {
    0
}

/// `msync`: page-aligned addresses are accepted (mappings are private copies).
pub fn accept_aligned(address: u64) -> i64 {
    if !address.is_multiple_of(PAGE_SIZE) {
        -EINVAL
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_merge_and_count_each_byte_once() {
        let start = 0x7000_0000;
        assert_eq!(add_hole(start, start + 0x3000, start + 0x5000), 0x2000);
        assert_eq!(add_hole(start, start + 0x4000, start + 0x6000), 0x3000);
        assert_eq!(add_hole(start, start, start + 0x1000), 0x4000);
        assert_eq!(add_hole(start, start + 0x1000, start + 0x3000), 0x6000);
        assert_eq!(
            HOLES.with(|h| h.get(&start).cloned()),
            Some(alloc::vec![(start, start + 0x6000)])
        );
        HOLES.with(|h| h.remove(&start));
    }

    #[test]
    fn mapping_again_fills_holes() {
        let start = 0x7100_0000;
        add_hole(start, start, start + 0x4000);
        remove_holes(start, start + 0x1000, start + 0x2000);
        assert_eq!(
            HOLES.with(|h| h.get(&start).cloned()),
            Some(alloc::vec![
                (start, start + 0x1000),
                (start + 0x2000, start + 0x4000)
            ])
        );
        assert_eq!(add_hole(start, start + 0x1000, start + 0x2000), 0x4000);
        HOLES.with(|h| h.remove(&start));
    }
}
