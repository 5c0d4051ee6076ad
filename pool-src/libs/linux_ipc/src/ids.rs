//! The identifier space of one kind of System V IPC object (queues, semaphore sets or
//! segments), as Linux numbers them: an object lives in a slot (its index, what `*_STAT`
//! commands and `IPC_INFO` name) and its id is `seq * 32768 + index`, where `seq` grows with
//! every creation, so that the id of a removed object is never taken for a newer one in the
//! same slot (`EINVAL`). Also: the `struct ipc64_perm` every object carries, Linux's
//! permission checks on it (`ipcperms`: root passes them all), and the `*get` logic
//! (`IPC_PRIVATE`, `IPC_CREAT`, `IPC_EXCL`).

use crate::errno::{EACCES, EEXIST, EFAULT, EINVAL, ENOENT, ENOSPC, EPERM};
use alloc::vec::Vec;

pub const IPC_PRIVATE: i32 = 0;
pub const IPC_CREAT: i32 = 0o1000;
pub const IPC_EXCL: i32 = 0o2000;
pub const IPC_NOWAIT: i32 = 0o4000;

pub const IPC_RMID: i32 = 0;
pub const IPC_SET: i32 = 1;
pub const IPC_STAT: i32 = 2;
pub const IPC_INFO: i32 = 3;

/// Read, write permission requests (`S_IRUGO`, `S_IWUGO`) for [`Perm::allows`].
pub const READ: u32 = 0o444;
pub const WRITE: u32 = 0o222;

/// The permission bits of `mode` (`S_IRWXUGO`).
const MODE_BITS: u32 = 0o777;
/// Slots per kind (`IPCMNI`): the id's low part.
const SLOTS: usize = 32768;
/// The largest sequence number that keeps ids positive.
const SEQ_MAX: u32 = (i32::MAX as u32) / SLOTS as u32;

/// Who makes the call: the process's effective ids and its pid, as linux_syscall answers them
/// `geteuid`, `getegid` and `getpid`.
#[derive(Clone, Copy)]
pub struct Caller {
    pub uid: u32,
    pub gid: u32,
    pub pid: i32,
}

impl Caller {
    /// Root has every capability (CAP_IPC_OWNER, CAP_SYS_ADMIN, CAP_SYS_RESOURCE,
    /// CAP_IPC_LOCK); no other id has any.
    pub fn privileged(&self) -> bool {
        self.uid == 0
    }
}

/// `struct ipc64_perm`: owner, creator and mode of an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Perm {
    pub key: i32,
    pub uid: u32,
    pub gid: u32,
    pub cuid: u32,
    pub cgid: u32,
    /// Permission bits, plus the state bits of segments (`SHM_DEST`, `SHM_LOCKED`).
    pub mode: u32,
    pub seq: u16,
}

impl Perm {
    /// A new object's: created and owned by `caller`, with the permission bits of `flags`.
    pub fn new(key: i32, flags: i32, caller: &Caller) -> Perm {
        Perm {
            key,
            uid: caller.uid,
            gid: caller.gid,
            cuid: caller.uid,
            cgid: caller.gid,
            mode: flags as u32 & MODE_BITS,
            seq: 0,
        }
    }

    /// Linux's `ipcperms`: whether `caller` may have the access of `requested` (any of the
    /// `rwxrwxrwx` bits, e.g. [`READ`]), judged by the owner, group or other bits that apply
    /// to it. Root passes (CAP_IPC_OWNER).
    pub fn allows(&self, caller: &Caller, requested: u32) -> bool {
        let requested = (requested >> 6 | requested >> 3 | requested) & 0o7;
        let mut granted = self.mode;
        if caller.uid == self.cuid || caller.uid == self.uid {
            granted >>= 6;
        } else if caller.gid == self.cgid || caller.gid == self.gid {
            granted >>= 3;
        }
        requested & !granted & 0o7 == 0 || caller.privileged()
    }

    /// `Ok` when `caller` has the access of `requested`, else `EACCES`.
    pub fn check(&self, caller: &Caller, requested: u32) -> Result<(), i64> {
        if self.allows(caller, requested) {
            Ok(())
        } else {
            Err(EACCES)
        }
    }

    /// Whether `caller` may change or remove the object (`IPC_SET`, `IPC_RMID`): its owner,
    /// its creator, or root (CAP_SYS_ADMIN); else `EPERM`.
    pub fn check_owner(&self, caller: &Caller) -> Result<(), i64> {
        if caller.uid == self.uid || caller.uid == self.cuid || caller.privileged() {
            Ok(())
        } else {
            Err(EPERM)
        }
    }

    /// `IPC_SET`: the new owner and permission bits; the state bits stay.
    pub fn set(&mut self, from: &Perm) {
        self.uid = from.uid;
        self.gid = from.gid;
        self.mode = (self.mode & !MODE_BITS) | (from.mode & MODE_BITS);
    }

    /// Writes the `struct ipc64_perm` (48 bytes) at `out`.
    ///
    /// # Safety
    /// `out` is the address of 48 writable bytes.
    pub unsafe fn write(&self, out: u64) {
        let mut bytes = [0u8; 48];
        for (at, value) in [
            (0, self.key as u32),
            (4, self.uid),
            (8, self.gid),
            (12, self.cuid),
            (16, self.cgid),
            (20, self.mode),
            (24, u32::from(self.seq)),
        ] {
            bytes[at..at + 4].copy_from_slice(&value.to_ne_bytes());
        }
        // SAFETY: the caller's contract.
        unsafe { (out as *mut [u8; 48]).write_unaligned(bytes) };
    }

    /// Reads the fields `IPC_SET` uses (owner, group, mode) from the `struct ipc64_perm` at
    /// `from`.
    ///
    /// # Safety
    /// `from` is the address of 48 readable bytes.
    pub unsafe fn read(from: u64) -> Perm {
        // SAFETY: the caller's contract.
        let bytes = unsafe { (from as *const [u8; 48]).read_unaligned() };
        let word = |at: usize| {
            u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        Perm {
            key: word(0) as i32,
            uid: word(4),
            gid: word(8),
            cuid: word(12),
            cgid: word(16),
            mode: word(20),
            seq: 0,
        }
    }
}

/// An object and its permissions.
pub struct Object<T> {
    pub perm: Perm,
    pub body: T,
}

/// The objects of one kind.
pub struct Table<T> {
    slots: Vec<Option<Object<T>>>,
    /// The sequence number the next object gets.
    next_seq: u32,
    /// Objects allowed at once (`MSGMNI`, `SEMMNI`, `SHMMNI`).
    limit: usize,
}

impl<T> Table<T> {
    pub const fn new(limit: usize) -> Table<T> {
        Table {
            slots: Vec::new(),
            next_seq: 0,
            limit,
        }
    }

    /// How many objects exist.
    pub fn count(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// The highest slot in use, or 0 when there is none (what `IPC_INFO` returns).
    pub fn max_index(&self) -> i64 {
        self.slots.iter().rposition(|s| s.is_some()).unwrap_or(0) as i64
    }

    /// The id of the object in slot `index`.
    fn id_of(&self, index: usize) -> Option<i32> {
        let object = self.slots.get(index)?.as_ref()?;
        Some(i32::from(object.perm.seq) * SLOTS as i32 + index as i32)
    }

    /// The object named by `id`, or `EINVAL` (no such id, or a removed object's).
    pub fn get(&mut self, id: i32) -> Result<&mut Object<T>, i64> {
        if id < 0 {
            return Err(EINVAL);
        }
        let (index, seq) = (id as usize % SLOTS, id as usize / SLOTS);
        match self.slots.get_mut(index) {
            Some(Some(object)) if usize::from(object.perm.seq) == seq => Ok(object),
            _ => Err(EINVAL),
        }
    }

    /// The object in slot `index` and its id (`*_STAT`), or `EINVAL`.
    pub fn at_index(&mut self, index: i32) -> Result<(i32, &mut Object<T>), i64> {
        let id = usize::try_from(index)
            .ok()
            .and_then(|i| self.id_of(i))
            .ok_or(EINVAL)?;
        Ok((id, self.get(id)?))
    }

    /// The object a `*ctl` stat command asks for: by id (`IPC_STAT`) or, `by_index`, by slot
    /// (`MSG_STAT`, `SEM_STAT`, `SHM_STAT` and their `_ANY` forms), with the call's result (0,
    /// or the object's id for the slot forms). The caller needs read permission unless `any`;
    /// a null `buffer` is `EFAULT` once the object is found, in Linux's order.
    pub fn for_stat(
        &mut self,
        id: i32,
        by_index: bool,
        any: bool,
        caller: &Caller,
        buffer: u64,
    ) -> Result<(i64, &mut Object<T>), i64> {
        let (result, object) = if by_index {
            let (id, object) = self.at_index(id)?;
            (i64::from(id), object)
        } else {
            (0, self.get(id)?)
        };
        if !any {
            object.perm.check(caller, READ)?;
        }
        if buffer == 0 {
            return Err(EFAULT);
        }
        Ok((result, object))
    }

    /// Removes the object named by `id` and returns it.
    pub fn remove(&mut self, id: i32) -> Result<Object<T>, i64> {
        self.get(id)?;
        let slot = &mut self.slots[id as usize % SLOTS];
        slot.take().ok_or(EINVAL)
    }

    /// Every object.
    pub fn iter(&self) -> impl Iterator<Item = &Object<T>> {
        self.slots.iter().flatten()
    }

    /// The id of the object with `key` (never [`IPC_PRIVATE`]).
    fn find_key(&self, key: i32) -> Option<i32> {
        let index = self
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|o| o.perm.key == key))?;
        self.id_of(index)
    }

    /// Adds an object in the lowest free slot; its id, or `ENOSPC` at the limit.
    pub fn insert(&mut self, mut perm: Perm, body: T) -> Result<i32, i64> {
        let index = match self.slots.iter().position(Option::is_none) {
            Some(index) => index,
            None if self.slots.len() < self.limit.min(SLOTS) => {
                self.slots.push(None);
                self.slots.len() - 1
            }
            None => return Err(ENOSPC),
        };
        perm.seq = self.next_seq as u16;
        self.next_seq = if self.next_seq >= SEQ_MAX {
            0
        } else {
            self.next_seq + 1
        };
        self.slots[index] = Some(Object { perm, body });
        Ok(self.id_of(index).expect("just inserted"))
    }

    /// Linux's `ipcget`: a new object for `IPC_PRIVATE` or a missing key with `IPC_CREAT`
    /// (`create` makes its body, or fails), the existing one for a known key unless
    /// `IPC_CREAT | IPC_EXCL` (`EEXIST`), if `caller` has the access `flags` asks for
    /// (`EACCES`) and `fits` accepts it (a segment large enough, a set with enough
    /// semaphores); `ENOENT` for a missing key without `IPC_CREAT`.
    pub fn get_or_create(
        &mut self,
        key: i32,
        flags: i32,
        caller: &Caller,
        create: impl FnOnce(&mut Self) -> Result<T, i64>,
        fits: impl FnOnce(&T) -> Result<(), i64>,
    ) -> Result<i32, i64> {
        let existing = if key == IPC_PRIVATE {
            None
        } else {
            self.find_key(key)
        };
        match existing {
            None if key != IPC_PRIVATE && flags & IPC_CREAT == 0 => Err(ENOENT),
            None => {
                if self.count() >= self.limit {
                    return Err(ENOSPC);
                }
                let body = create(self)?;
                self.insert(Perm::new(key, flags, caller), body)
            }
            Some(_) if flags & (IPC_CREAT | IPC_EXCL) == IPC_CREAT | IPC_EXCL => Err(EEXIST),
            Some(id) => {
                let object = self.get(id)?;
                object.perm.check(caller, flags as u32 & MODE_BITS)?;
                fits(&object.body)?;
                Ok(id)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: Caller = Caller {
        uid: 0,
        gid: 0,
        pid: 1,
    };
    const USER: Caller = Caller {
        uid: 1000,
        gid: 1000,
        pid: 1,
    };

    #[test]
    fn ids_of_removed_objects_are_invalid_even_when_the_slot_is_reused() {
        let mut table: Table<u8> = Table::new(8);
        let first = table.insert(Perm::new(0, 0o600, &ROOT), 1).unwrap();
        table.remove(first).unwrap();
        let second = table.insert(Perm::new(0, 0o600, &ROOT), 2).unwrap();
        assert_ne!(first, second);
        assert_eq!(first as usize % SLOTS, second as usize % SLOTS);
        assert_eq!(table.get(first).err(), Some(EINVAL));
        assert_eq!(table.get(second).unwrap().body, 2);
        assert_eq!(table.get(-1).err(), Some(EINVAL));
    }

    #[test]
    fn get_follows_create_and_exclusive_flags() {
        let mut table: Table<u8> = Table::new(2);
        let make = |_: &mut Table<u8>| Ok(7);
        assert_eq!(
            table.get_or_create(42, 0o600, &ROOT, make, |_| Ok(())),
            Err(ENOENT)
        );
        let id = table
            .get_or_create(42, IPC_CREAT | 0o600, &ROOT, make, |_| Ok(()))
            .unwrap();
        assert_eq!(table.get_or_create(42, 0, &ROOT, make, |_| Ok(())), Ok(id));
        assert_eq!(
            table.get_or_create(42, IPC_CREAT | IPC_EXCL, &ROOT, make, |_| Ok(())),
            Err(EEXIST)
        );
        let private = table
            .get_or_create(IPC_PRIVATE, 0, &ROOT, make, |_| Ok(()))
            .unwrap();
        assert_ne!(private, id);
        assert_eq!(
            table.get_or_create(IPC_PRIVATE, 0, &ROOT, make, |_| Ok(())),
            Err(ENOSPC)
        );
    }

    #[test]
    fn permissions_follow_the_mode_except_for_root() {
        let owned_by_root = Perm::new(1, 0o640, &ROOT);
        assert!(owned_by_root.allows(&ROOT, READ | WRITE));
        assert!(!owned_by_root.allows(&USER, READ));
        let group = Caller { gid: 0, ..USER };
        assert!(owned_by_root.allows(&group, READ));
        assert!(!owned_by_root.allows(&group, WRITE));
        assert_eq!(owned_by_root.check_owner(&USER), Err(EPERM));
        let none = Perm::new(1, 0, &USER);
        assert!(!none.allows(&USER, READ));
        assert!(none.check_owner(&USER).is_ok());
        assert!(none.allows(&ROOT, READ | WRITE));
    }
}
