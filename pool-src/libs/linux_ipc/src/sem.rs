//! Semaphore sets: `semget`, `semop`, `semtimedop`, `semctl`. A `semop` array is applied
//! atomically — all its operations or none, each seeing the values the ones before it left —
//! or the caller waits until it can be (counted in `semncnt` or `semzcnt` of the semaphore
//! whose operation blocked, as Linux counts them), fails with `EAGAIN` (that operation's
//! `IPC_NOWAIT`, or `semtimedop`'s timeout), `EINTR` (a signal handler ran) or `EIDRM` (the
//! set was removed).
//!
//! `SEM_UNDO`: the process's adjustment of each semaphore is kept (its range is checked:
//! `ERANGE`; `SETVAL` and `SETALL` reset it, as on Linux). It would be applied when the
//! process ends, but in a unikernel the process's end is the end of everything that could see
//! the semaphores, so it is not.

use crate::errno::{E2BIG, EAGAIN, EFAULT, EFBIG, EINVAL, ENOSPC, ERANGE};
use crate::ffi::{self, Caller, Frame, Locked};
use crate::ids::{Object, Perm, Table, IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET, IPC_STAT};
use crate::ids::{READ, WRITE};
use crate::semop::{apply, Outcome, SemBuf, Semaphore, SEMAEM, SEMVMX};
use crate::wait::{block, Attempt};
use alloc::vec::Vec;

/// Linux's defaults: semaphores per set, in all, operations per call, sets.
const SEMMSL: usize = 32000;
const SEMMNS: usize = SEMMNI * SEMMSL;
const SEMOPM: u32 = 500;
const SEMMNI: usize = 32000;

const GETPID: i32 = 11;
const GETVAL: i32 = 12;
const GETALL: i32 = 13;
const GETNCNT: i32 = 14;
const GETZCNT: i32 = 15;
const SETVAL: i32 = 16;
const SETALL: i32 = 17;
const SEM_STAT: i32 = 18;
const SEM_INFO: i32 = 19;
const SEM_STAT_ANY: i32 = 20;

/// A set and its `struct semid64_ds` times.
pub struct Set {
    semaphores: Vec<Semaphore>,
    op_time: i64,
    change_time: i64,
}

static SETS: Locked<Table<Set>> = Locked::new(Table::new(SEMMNI));

/// `semget(key, nsems, flags)`.
pub unsafe extern "C" fn semget(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [key, count, flags, ..] = unsafe { (*frame).args() };
    let count = count as i32;
    if count < 0 || count as usize > SEMMSL {
        return -EINVAL;
    }
    let count = count as usize;
    let caller = Caller::current();
    SETS.with(|table| {
        table.get_or_create(
            key as i32,
            flags as i32,
            &caller,
            |table| {
                if count == 0 {
                    return Err(EINVAL);
                }
                let used: usize = table.iter().map(|s| s.body.semaphores.len()).sum();
                if used + count > SEMMNS {
                    return Err(ENOSPC);
                }
                Ok(Set {
                    semaphores: alloc::vec![Semaphore::default(); count],
                    op_time: 0,
                    change_time: ffi::wall_seconds(),
                })
            },
            |set| {
                if count > set.semaphores.len() {
                    Err(EINVAL)
                } else {
                    Ok(())
                }
            },
        )
    })
    .map_or_else(|e| -e, i64::from)
}

/// `semop(id, sops, nsops)`.
pub unsafe extern "C" fn semop(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [id, ops, count, ..] = unsafe { (*frame).args() };
    operate(id as i32, ops, count as u32, 0)
}

/// `semtimedop(id, sops, nsops, timeout)`: a wait ends with `EAGAIN` after `timeout`.
pub unsafe extern "C" fn semtimedop(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [id, ops, count, timeout, ..] = unsafe { (*frame).args() };
    operate(id as i32, ops, count as u32, timeout)
}

/// Changes a waiter's count on the semaphore whose operation blocked it.
fn count_waiter(set: &mut Set, op: &SemBuf, delta: i32) {
    if let Some(semaphore) = set.semaphores.get_mut(usize::from(op.num)) {
        let counter = if op.op == 0 {
            &mut semaphore.waiting_zero
        } else {
            &mut semaphore.waiting_increase
        };
        *counter = counter.saturating_add_signed(delta);
    }
}

fn operate(id: i32, pointer: u64, count: u32, timeout: u64) -> i64 {
    if count < 1 || id < 0 {
        return -EINVAL;
    }
    if count > SEMOPM {
        return -E2BIG;
    }
    if pointer == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed `count` `struct sembuf`.
    let ops: Vec<SemBuf> = (0..count as usize)
        .map(|i| unsafe { (pointer as *const SemBuf).add(i).read_unaligned() })
        .collect();
    let deadline = if timeout == 0 {
        None
    } else {
        // SAFETY: the caller passed a `struct timespec`.
        match unsafe { syscall_abi::timespec_ns(timeout) } {
            Ok(ns) => Some(ffi::monotonic_ns().saturating_add(ns)),
            Err(e) => return -e,
        }
    };
    let highest = ops.iter().map(|op| op.num).max().unwrap_or(0);
    let access = if ops.iter().any(|op| op.op != 0) {
        WRITE
    } else {
        READ
    };
    let caller = Caller::current();
    // The operation that blocked the last try (counted in semncnt or semzcnt meanwhile).
    let mut waiting: Option<SemBuf> = None;
    let result = block(deadline, || {
        SETS.with(|table| {
            let object = match table.get(id) {
                Ok(object) => object,
                Err(e) => return Attempt::Done(-e),
            };
            if let Some(op) = waiting.take() {
                count_waiter(&mut object.body, &op, -1);
            }
            if usize::from(highest) >= object.body.semaphores.len() {
                return Attempt::Done(-EFBIG);
            }
            if let Err(e) = object.perm.check(&caller, access) {
                return Attempt::Done(-e);
            }
            let set = &mut object.body;
            match apply(&mut set.semaphores, &ops) {
                Outcome::Done => {
                    for op in &ops {
                        set.semaphores[usize::from(op.num)].pid = caller.pid;
                    }
                    set.op_time = ffi::wall_seconds();
                    Attempt::Done(0)
                }
                Outcome::OutOfRange => Attempt::Done(-ERANGE),
                Outcome::Blocks(at) if i32::from(ops[at].flags) & IPC_NOWAIT != 0 => {
                    Attempt::Done(-EAGAIN)
                }
                Outcome::Blocks(at) => {
                    count_waiter(set, &ops[at], 1);
                    waiting = Some(ops[at]);
                    Attempt::Blocked
                }
            }
        })
    });
    if let Some(op) = waiting {
        SETS.with(|table| {
            if let Ok(object) = table.get(id) {
                count_waiter(&mut object.body, &op, -1);
            }
        });
    }
    result
}

/// Writes the `struct semid64_ds` (104 bytes) of `object` at `out`.
///
/// # Safety
/// `out` is the address of 104 writable bytes.
unsafe fn write_stat(object: &Object<Set>, out: u64) {
    let set = &object.body;
    // SAFETY: the caller's contract: the permissions, then the times and the count.
    unsafe {
        object.perm.write(out);
        let words = (out + 48) as *mut u64;
        for (at, value) in [
            set.op_time as u64,
            0,
            set.change_time as u64,
            0,
            set.semaphores.len() as u64,
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

/// `struct seminfo` for `IPC_INFO` (the limits) or `SEM_INFO` (with the sets and semaphores
/// in use).
///
/// # Safety
/// `out` is the address of 40 writable bytes.
unsafe fn write_info(table: &Table<Set>, usage: bool, out: u64) {
    let (sets, semaphores) = if usage {
        let used: usize = table.iter().map(|s| s.body.semaphores.len()).sum();
        (table.count() as i32, used as i32)
    } else {
        (20, SEMAEM) // SEMUSZ, SEMAEM
    };
    let values: [i32; 10] = [
        SEMMNS as i32, // semmap
        SEMMNI as i32,
        SEMMNS as i32,
        SEMMNS as i32, // semmnu
        SEMMSL as i32,
        SEMOPM as i32,
        SEMOPM as i32, // semume
        sets,
        SEMVMX,
        semaphores,
    ];
    // SAFETY: the caller's contract.
    unsafe {
        for (at, value) in values.into_iter().enumerate() {
            (out as *mut i32).add(at).write_unaligned(value);
        }
    }
}

/// `semctl(id, semnum, cmd, arg)`: `arg` is the `union semun` (a value or a pointer).
pub unsafe extern "C" fn semctl(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [id, num, cmd, arg, ..] = unsafe { (*frame).args() };
    let (id, num, cmd) = (id as i32, num as i32, cmd as i32);
    if id < 0 {
        return -EINVAL;
    }
    let caller = Caller::current();
    match cmd {
        IPC_INFO | SEM_INFO => {
            if arg == 0 {
                return -EFAULT;
            }
            SETS.with(|table| {
                // SAFETY: the caller passed a `struct seminfo`.
                unsafe { write_info(table, cmd == SEM_INFO, arg) };
                table.max_index()
            })
        }
        IPC_STAT | SEM_STAT | SEM_STAT_ANY => SETS.with(|table| {
            match table.for_stat(id, cmd != IPC_STAT, cmd == SEM_STAT_ANY, &caller, arg) {
                Ok((result, object)) => {
                    // SAFETY: the caller passed the command's structure there.
                    unsafe { write_stat(object, arg) };
                    result
                }
                Err(e) => -e,
            }
        }),
        GETALL | SETALL | GETVAL | GETPID | GETNCNT | GETZCNT => {
            SETS.with(|table| values(table, id, num, cmd, arg, &caller))
        }
        SETVAL => {
            let value = arg as i32;
            if !(0..=SEMVMX).contains(&value) {
                return -ERANGE;
            }
            SETS.with(|table| {
                let object = match table.get(id) {
                    Ok(object) => object,
                    Err(e) => return -e,
                };
                let Some(semaphore) = usize::try_from(num)
                    .ok()
                    .and_then(|n| object.body.semaphores.get_mut(n))
                else {
                    return -EINVAL;
                };
                if let Err(e) = object.perm.check(&caller, WRITE) {
                    return -e;
                }
                semaphore.value = value;
                semaphore.pid = caller.pid;
                semaphore.adjustment = 0;
                object.body.change_time = ffi::wall_seconds();
                0
            })
        }
        IPC_SET => {
            if arg == 0 {
                return -EFAULT;
            }
            // SAFETY: the caller passed a `struct semid_ds`.
            let perm = unsafe { Perm::read(arg) };
            SETS.with(|table| {
                let object = match table.get(id) {
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
        IPC_RMID => {
            SETS.with(
                |table| match table.get(id).and_then(|o| o.perm.check_owner(&caller)) {
                    Ok(()) => table.remove(id).map_or_else(|e| -e, |_| 0),
                    Err(e) => -e,
                },
            )
        }
        _ => -EINVAL,
    }
}

/// `GETALL`, `SETALL`, `GETVAL`, `GETPID`, `GETNCNT`, `GETZCNT`.
fn values(table: &mut Table<Set>, id: i32, num: i32, cmd: i32, arg: u64, caller: &Caller) -> i64 {
    let object = match table.get(id) {
        Ok(object) => object,
        Err(e) => return -e,
    };
    let access = if cmd == SETALL { WRITE } else { READ };
    if let Err(e) = object.perm.check(caller, access) {
        return -e;
    }
    let set = &mut object.body;
    match cmd {
        GETALL | SETALL if arg == 0 => -EFAULT,
        GETALL => {
            for (at, semaphore) in set.semaphores.iter().enumerate() {
                // SAFETY: the caller passed an array of `nsems` unsigned shorts.
                unsafe {
                    (arg as *mut u16)
                        .add(at)
                        .write_unaligned(semaphore.value as u16)
                };
            }
            0
        }
        SETALL => {
            // SAFETY: the caller passed an array of `nsems` unsigned shorts.
            let values: Vec<u16> = (0..set.semaphores.len())
                .map(|at| unsafe { (arg as *const u16).add(at).read_unaligned() })
                .collect();
            if values.iter().any(|&v| i32::from(v) > SEMVMX) {
                return -ERANGE;
            }
            for (semaphore, value) in set.semaphores.iter_mut().zip(values) {
                semaphore.value = i32::from(value);
                semaphore.pid = caller.pid;
                semaphore.adjustment = 0;
            }
            set.change_time = ffi::wall_seconds();
            0
        }
        _ => {
            let Some(semaphore) = usize::try_from(num)
                .ok()
                .and_then(|n| set.semaphores.get(n))
            else {
                return -EINVAL;
            };
            i64::from(match cmd {
                GETVAL => semaphore.value,
                GETPID => semaphore.pid,
                GETNCNT => semaphore.waiting_increase as i32,
                _ => semaphore.waiting_zero as i32,
            })
        }
    }
}
