//! Shared memory segments: `shmget`, `shmat`, `shmdt`, `shmctl`. A segment is one zeroed,
//! page-aligned block of the pool allocator. In one address space with nothing remapped,
//! attaching a segment gives its own address: every attachment of a segment is at that
//! address (Linux would give a second attachment another one), and `shmat` at a given
//! address succeeds only at the segment's own (after `SHM_RND` rounding; where it is attached
//! already, only with `SHM_REMAP`), else `EINVAL` with a logged reason. `SHM_RDONLY` is
//! recorded but not enforced (no page protection here). `IPC_RMID` on an attached segment
//! marks it (`SHM_DEST`, its key becomes private; it can still be attached by id, as on
//! Linux) and frees it at its last `shmdt`.

use crate::errno::{EFAULT, EINVAL, ENOMEM, ENOSPC};
use crate::ffi::{self, Caller, Frame, Locked};
use crate::ids::{Object, Perm, Table, IPC_INFO, IPC_PRIVATE, IPC_RMID, IPC_SET, IPC_STAT};
use crate::ids::{READ, WRITE};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

const PAGE: u64 = 4096;
/// Linux's defaults: the largest segment, pages in all segments, the smallest segment, the
/// number of segments (and of a process's attachments).
const SHMMAX: u64 = u64::MAX - (1 << 24);
const SHMALL: u64 = SHMMAX;
const SHMMIN: u64 = 1;
const SHMMNI: usize = 4096;

const SHM_RDONLY: i32 = 0o10000;
const SHM_RND: i32 = 0o20000;
const SHM_REMAP: i32 = 0o40000;
const SHM_EXEC: i32 = 0o100000;

/// Mode bits: marked for removal at the last detach; locked in memory.
const SHM_DEST: u32 = 0o1000;
const SHM_LOCKED: u32 = 0o2000;

const SHM_LOCK: i32 = 11;
const SHM_UNLOCK: i32 = 12;
const SHM_STAT: i32 = 13;
const SHM_INFO: i32 = 14;
const SHM_STAT_ANY: i32 = 15;

/// A segment and its `struct shmid64_ds` fields.
pub struct Segment {
    address: u64,
    /// The size asked for (`shm_segsz`); the block is whole pages.
    size: u64,
    pages: u64,
    attach_time: i64,
    detach_time: i64,
    change_time: i64,
    creator_pid: i32,
    last_pid: i32,
    attached: u64,
}

/// One `shmat` that no `shmdt` has undone yet.
struct Attachment {
    address: u64,
    len: u64,
    id: i32,
}

struct Shm {
    segments: Table<Segment>,
    /// Oldest first.
    attachments: Vec<Attachment>,
}

static SHM: Locked<Shm> = Locked::new(Shm {
    segments: Table::new(SHMMNI),
    attachments: Vec::new(),
});

/// Says once why `shmat` refused an address that Linux could have mapped.
fn log_fixed_address() {
    static LOGGED: AtomicBool = AtomicBool::new(false);
    if !LOGGED.swap(true, Ordering::Relaxed) {
        let text = b"ukl: shmat: a segment can only be attached at its own address in one address \
space (nothing is remapped); returning -EINVAL for another address\n";
        ffi::console(text);
    }
}

/// `shmget(key, size, flags)`.
pub unsafe extern "C" fn shmget(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [key, size, flags, ..] = unsafe { (*frame).args() };
    let caller = Caller::current();
    SHM.with(|shm| {
        shm.segments.get_or_create(
            key as i32,
            flags as i32,
            &caller,
            |table| {
                if !(SHMMIN..=SHMMAX).contains(&size) {
                    return Err(EINVAL);
                }
                let pages = size.div_ceil(PAGE);
                let used: u64 = table.iter().map(|s| s.body.pages).sum();
                if used.checked_add(pages).is_none_or(|total| total > SHMALL) {
                    return Err(ENOSPC);
                }
                let len = usize::try_from(pages * PAGE).map_err(|_| ENOMEM)?;
                let address = ffi::allocate_zeroed(PAGE as usize, len).ok_or(ENOMEM)?;
                Ok(Segment {
                    address,
                    size,
                    pages,
                    attach_time: 0,
                    detach_time: 0,
                    change_time: ffi::wall_seconds(),
                    creator_pid: caller.pid,
                    last_pid: 0,
                    attached: 0,
                })
            },
            |segment| {
                if segment.size < size {
                    Err(EINVAL)
                } else {
                    Ok(())
                }
            },
        )
    })
    .map_or_else(|e| -e, i64::from)
}

/// `shmat(id, address, flags)`: the address the segment is attached at.
pub unsafe extern "C" fn shmat(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [id, mut address, flags, ..] = unsafe { (*frame).args() };
    let (id, flags) = (id as i32, flags as i32);
    if id < 0 {
        return -EINVAL;
    }
    if address != 0 {
        if address % PAGE != 0 {
            if flags & SHM_RND == 0 {
                return -EINVAL;
            }
            address &= !(PAGE - 1);
            if address == 0 && flags & SHM_REMAP != 0 {
                return -EINVAL;
            }
        }
    } else if flags & SHM_REMAP != 0 {
        return -EINVAL;
    }
    let mut access = if flags & SHM_RDONLY != 0 {
        READ
    } else {
        READ | WRITE
    };
    if flags & SHM_EXEC != 0 {
        access |= 0o111;
    }
    let caller = Caller::current();
    SHM.with(|shm| {
        let object = match shm.segments.get(id) {
            Ok(object) => object,
            Err(e) => return -e,
        };
        if let Err(e) = object.perm.check(&caller, access) {
            return -e;
        }
        let segment = &mut object.body;
        let len = segment.pages * PAGE;
        let mut replaced = Vec::new();
        if address != 0 {
            if address != segment.address {
                log_fixed_address();
                return -EINVAL;
            }
            let overlaps =
                |a: &Attachment| a.address < address + len && address < a.address + a.len;
            if shm.attachments.iter().any(overlaps) {
                if flags & SHM_REMAP == 0 {
                    return -EINVAL;
                }
                // The new mapping replaces the old ones (all of this segment: no other
                // memory is at its address).
                replaced = shm
                    .attachments
                    .iter()
                    .filter(|a| overlaps(a))
                    .map(|a| a.address)
                    .collect();
            }
        }
        let address = segment.address;
        segment.attached = segment.attached + 1 - replaced.len() as u64;
        segment.attach_time = ffi::wall_seconds();
        segment.last_pid = caller.pid;
        shm.attachments.retain(|a| !replaced.contains(&a.address));
        shm.attachments.push(Attachment { address, len, id });
        address as i64
    })
}

/// `shmdt(address)`: undoes the last attachment at `address`; `EINVAL` where there is none.
pub unsafe extern "C" fn shmdt(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [address, ..] = unsafe { (*frame).args() };
    if address % PAGE != 0 {
        return -EINVAL;
    }
    let caller = Caller::current();
    SHM.with(|shm| {
        let Some(at) = shm.attachments.iter().rposition(|a| a.address == address) else {
            return -EINVAL;
        };
        let id = shm.attachments.remove(at).id;
        let Ok(object) = shm.segments.get(id) else {
            return -EINVAL;
        };
        let segment = &mut object.body;
        segment.attached -= 1;
        segment.detach_time = ffi::wall_seconds();
        segment.last_pid = caller.pid;
        if segment.attached == 0 && object.perm.mode & SHM_DEST != 0 {
            destroy(shm, id);
        }
        0
    })
}

/// Removes segment `id` and frees its memory.
fn destroy(shm: &mut Shm, id: i32) {
    if let Ok(object) = shm.segments.remove(id) {
        ffi::free(object.body.address);
    }
}

/// Writes the `struct shmid64_ds` (112 bytes) of `object` at `out`.
///
/// # Safety
/// `out` is the address of 112 writable bytes.
unsafe fn write_stat(object: &Object<Segment>, out: u64) {
    let segment = &object.body;
    // SAFETY: the caller's contract: the permissions, then the segment's fields.
    unsafe {
        object.perm.write(out);
        let words = (out + 48) as *mut u64;
        for (at, value) in [
            segment.size,
            segment.attach_time as u64,
            segment.detach_time as u64,
            segment.change_time as u64,
            (segment.creator_pid as u32 as u64) | (segment.last_pid as u32 as u64) << 32,
            segment.attached,
            0,
            0,
        ]
        .into_iter()
        .enumerate()
        {
            words.add(at).write_unaligned(value);
        }
    }
}

/// `struct shminfo64` (`IPC_INFO`, 72 bytes) or `struct shm_info` (`SHM_INFO`, 48 bytes).
///
/// # Safety
/// `out` is the address of that many writable bytes.
unsafe fn write_info(table: &Table<Segment>, usage: bool, out: u64) {
    let words = out as *mut u64;
    // SAFETY: the caller's contract.
    unsafe {
        if usage {
            let pages: u64 = table.iter().map(|s| s.body.pages).sum();
            // used_ids (and padding), shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes
            for (at, value) in [table.count() as u64, pages, pages, 0, 0, 0]
                .into_iter()
                .enumerate()
            {
                words.add(at).write_unaligned(value);
            }
        } else {
            // shmmax, shmmin, shmmni, shmseg, shmall, four unused words
            for (at, value) in [
                SHMMAX,
                SHMMIN,
                SHMMNI as u64,
                SHMMNI as u64,
                SHMALL,
                0,
                0,
                0,
                0,
            ]
            .into_iter()
            .enumerate()
            {
                words.add(at).write_unaligned(value);
            }
        }
    }
}

/// `shmctl(id, cmd, buf)`.
pub unsafe extern "C" fn shmctl(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [id, cmd, buffer, ..] = unsafe { (*frame).args() };
    let (id, cmd) = (id as i32, cmd as i32);
    if id < 0 || cmd < 0 {
        return -EINVAL;
    }
    let caller = Caller::current();
    match cmd {
        IPC_INFO | SHM_INFO => {
            if buffer == 0 {
                return -EFAULT;
            }
            SHM.with(|shm| {
                // SAFETY: the caller passed a `struct shminfo` or `struct shm_info`.
                unsafe { write_info(&shm.segments, cmd == SHM_INFO, buffer) };
                shm.segments.max_index()
            })
        }
        IPC_STAT | SHM_STAT | SHM_STAT_ANY => SHM.with(|shm| {
            match shm
                .segments
                .for_stat(id, cmd != IPC_STAT, cmd == SHM_STAT_ANY, &caller, buffer)
            {
                Ok((result, object)) => {
                    // SAFETY: the caller passed the command's structure there.
                    unsafe { write_stat(object, buffer) };
                    result
                }
                Err(e) => -e,
            }
        }),
        SHM_LOCK | SHM_UNLOCK => SHM.with(|shm| {
            let object = match shm.segments.get(id) {
                Ok(object) => object,
                Err(e) => return -e,
            };
            if let Err(e) = object.perm.check_owner(&caller) {
                return -e;
            }
            if cmd == SHM_LOCK {
                object.perm.mode |= SHM_LOCKED;
            } else {
                object.perm.mode &= !SHM_LOCKED;
            }
            0
        }),
        IPC_SET => {
            if buffer == 0 {
                return -EFAULT;
            }
            // SAFETY: the caller passed a `struct shmid_ds`.
            let perm = unsafe { Perm::read(buffer) };
            SHM.with(|shm| {
                let object = match shm.segments.get(id) {
                    Ok(object) => object,
                    Err(e) => return -e,
                };
                if let Err(e) = object.perm.check_owner(&caller) {
                    return -e;
                }
                object.perm.set(&perm);
                object.body.change_time = ffi::wall_seconds();
                0
            })
        }
        IPC_RMID => SHM.with(|shm| {
            let object = match shm.segments.get(id) {
                Ok(object) => object,
                Err(e) => return -e,
            };
            if let Err(e) = object.perm.check_owner(&caller) {
                return -e;
            }
            if object.body.attached == 0 {
                destroy(shm, id);
            } else {
                object.perm.mode |= SHM_DEST;
                object.perm.key = IPC_PRIVATE;
            }
            0
        }),
        _ => -EINVAL,
    }
}
