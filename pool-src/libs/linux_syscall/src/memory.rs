//! Memory calls: anonymous (and private file-backed) `mmap` over ukalloc, always page-aligned
//! (musl's mallocng finds its metadata by masking pointers to 4 KiB), `munmap`, `mremap`,
//! `mprotect` (accepted, nothing to do without page protection), `madvise` (`MADV_DONTNEED`
//! zeroes anonymous memory, as Linux does), and a `brk` that never grows (musl's malloc then
//! uses mmap).
//!
//! Each mapping is one ukalloc block, recorded by start address. `munmap` of a whole mapping
//! frees it; unmapping part of one is accepted and the memory stays allocated until the rest
//! goes (no page tables are changed). `MAP_FIXED` works inside a mapping this layer made (the
//! "reserve, then map parts" pattern of allocators and runtimes): the range is replaced by
//! fresh zeroes or the file's bytes; anywhere else it fails with ENOMEM.
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
use alloc::collections::BTreeMap;
use core::ffi::c_void;

pub const PAGE_SIZE: u64 = 4096;
const MAP_FIXED: u64 = 0x10;
const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;
const MAP_ANONYMOUS: u64 = 0x20;
const MREMAP_MAYMOVE: u64 = 1;

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
pub fn mmap(address: u64, len: u64, flags: u64, file: Option<&[u8]>, offset: u64) -> i64 {
    let Some(len) = round_up(len).filter(|l| *l != 0 && *l < (1 << 40)) else {
        return -EINVAL;
    };
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
        // SAFETY: the range is inside a live mapping of this layer; it starts afresh.
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
    target as i64
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
            // SAFETY: the range is inside a live mapping of this layer.
            unsafe { core::ptr::write_bytes(address as *mut u8, 0, len as usize) };
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
        Some(&mapped) if round_up(len).is_some_and(|l| l >= mapped) => {
            m.remove(&address);
            Some(mapped)
        }
        _ => None,
    });
    if let Some(len) = whole {
        if (address..address + len).contains(&stack_pointer()) {
            DEFERRED.with(|d| d.insert(address, len));
        } else {
            // SAFETY: the block came from uk_memalign and is no longer recorded.
            unsafe { uk_free(address as *mut c_void) };
        }
    }
    free_deferred();
    0
}

pub fn mremap(old: u64, old_len: u64, new_len: u64, flags: u64) -> i64 {
    let Some(new_len) = round_up(new_len).filter(|l| *l != 0) else {
        return -EINVAL;
    };
    let _ = old_len;
    let Some(mapped) = MAPPINGS.with(|m| m.get(&old).copied()) else {
        return -EFAULT;
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
        return old as i64;
    }
    if flags & MREMAP_MAYMOVE == 0 {
        return -ENOMEM;
    }
    let new = match allocate(new_len) {
        Ok(a) => a,
        Err(e) => return -e,
    };
    // SAFETY: both blocks are live and at least `mapped` bytes long; they do not overlap.
    unsafe { core::ptr::copy_nonoverlapping(old as *const u8, new as *mut u8, mapped as usize) };
    MAPPINGS.with(|m| m.remove(&old));
    // SAFETY: the old block is no longer recorded.
    unsafe { uk_free(old as *mut c_void) };
    new as i64
}

/// `mprotect`/`madvise`: page-aligned addresses are accepted.
pub fn accept_aligned(address: u64) -> i64 {
    if !address.is_multiple_of(PAGE_SIZE) {
        -EINVAL
    } else {
        0
    }
}

/// `brk`: the break is 0 and never moves, so growing it fails the way Linux reports it (by
/// returning the current break) and musl's malloc falls back to `mmap`.
pub fn brk(_requested: u64) -> i64 {
    0
}
