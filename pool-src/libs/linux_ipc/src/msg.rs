//! Message queues: `msgget`, `msgsnd`, `msgrcv`, `msgctl`. A queue holds typed messages in
//! the order they were sent, up to `msg_qbytes` bytes of text and as many messages (Linux's
//! rule); a sender to a full queue waits or fails with `EAGAIN` (`IPC_NOWAIT`), a receiver
//! that finds no message of the type it asks for waits or fails with `ENOMSG`. Removing a
//! queue ends the waits of both with `EIDRM`.

use crate::errno::{E2BIG, EAGAIN, EFAULT, EINVAL, ENOMSG, EPERM};
use crate::ffi::{self, Caller, Frame, Locked};
use crate::ids::{Perm, Table, IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET, IPC_STAT, READ, WRITE};
use crate::search::{Message, Search, MSG_COPY, MSG_EXCEPT};
use crate::wait::{block, Attempt};
use alloc::collections::VecDeque;

/// Linux's defaults: the largest message (`MSGMAX`), the bytes a queue holds (`MSGMNB`), the
/// number of queues (`MSGMNI`).
const MSGMAX: usize = 8192;
const MSGMNB: u64 = 16384;
const MSGMNI: usize = 32000;

const MSG_NOERROR: i32 = 0o10000;

const MSG_STAT: i32 = 11;
const MSG_INFO: i32 = 12;
const MSG_STAT_ANY: i32 = 13;

/// A queue and its `struct msqid64_ds` fields.
pub struct Queue {
    messages: VecDeque<Message>,
    bytes: u64,
    max_bytes: u64,
    send_time: i64,
    receive_time: i64,
    change_time: i64,
    send_pid: i32,
    receive_pid: i32,
}

impl Queue {
    fn new() -> Queue {
        Queue {
            messages: VecDeque::new(),
            bytes: 0,
            max_bytes: MSGMNB,
            send_time: 0,
            receive_time: 0,
            change_time: ffi::wall_seconds(),
            send_pid: 0,
            receive_pid: 0,
        }
    }

    /// Whether a message of `len` bytes fits now.
    fn fits(&self, len: u64) -> bool {
        self.bytes + len <= self.max_bytes && (self.messages.len() as u64) < self.max_bytes
    }
}

static QUEUES: Locked<Table<Queue>> = Locked::new(Table::new(MSGMNI));

/// `msgget(key, flags)`.
pub unsafe extern "C" fn msgget(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [key, flags, ..] = unsafe { (*frame).args() };
    let caller = Caller::current();
    QUEUES
        .with(|table| {
            table.get_or_create(
                key as i32,
                flags as i32,
                &caller,
                |_| Ok(Queue::new()),
                |_| Ok(()),
            )
        })
        .map_or_else(|e| -e, i64::from)
}

/// `msgsnd(id, msgp, size, flags)`: `msgp` points at the type (a `long`) followed by `size`
/// bytes of text.
pub unsafe extern "C" fn msgsnd(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [id, pointer, size, flags, ..] = unsafe { (*frame).args() };
    let (id, flags) = (id as i32, flags as i32);
    if pointer == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed a `struct msgbuf`.
    let kind = unsafe { (pointer as *const i64).read_unaligned() };
    if size > MSGMAX as u64 || id < 0 || kind < 1 {
        return -EINVAL;
    }
    // SAFETY: the text follows the type: `size` bytes.
    let text = unsafe { core::slice::from_raw_parts((pointer + 8) as *const u8, size as usize) };
    let mut message = Some(Message {
        kind,
        text: text.to_vec(),
    });
    let caller = Caller::current();
    block(None, || {
        QUEUES.with(|table| {
            let queue = match table.get(id) {
                Ok(queue) => queue,
                Err(e) => return Attempt::Done(-e),
            };
            if let Err(e) = queue.perm.check(&caller, WRITE) {
                return Attempt::Done(-e);
            }
            let queue = &mut queue.body;
            if !queue.fits(size) {
                return if flags & IPC_NOWAIT != 0 {
                    Attempt::Done(-EAGAIN)
                } else {
                    Attempt::Blocked
                };
            }
            queue.messages.extend(message.take());
            queue.bytes += size;
            queue.send_time = ffi::wall_seconds();
            queue.send_pid = caller.pid;
            Attempt::Done(0)
        })
    })
}

/// `msgrcv(id, msgp, size, msgtyp, flags)`: the message's type and at most `size` bytes of
/// its text into `msgp`; the text's length.
pub unsafe extern "C" fn msgrcv(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [id, pointer, size, msgtyp, flags, ..] = unsafe { (*frame).args() };
    let (id, flags) = (id as i32, flags as i32);
    if id < 0 || (size as i64) < 0 {
        return -EINVAL;
    }
    if flags & MSG_COPY != 0 && (flags & MSG_EXCEPT != 0 || flags & IPC_NOWAIT == 0) {
        return -EINVAL;
    }
    let search = Search::new(msgtyp as i64, flags);
    let caller = Caller::current();
    block(None, || {
        QUEUES.with(|table| {
            let queue = match table.get(id) {
                Ok(queue) => queue,
                Err(e) => return Attempt::Done(-e),
            };
            if let Err(e) = queue.perm.check(&caller, READ) {
                return Attempt::Done(-e);
            }
            let queue = &mut queue.body;
            let Some(at) = search.find(queue.messages.iter()) else {
                return if flags & IPC_NOWAIT != 0 {
                    Attempt::Done(-ENOMSG)
                } else {
                    Attempt::Blocked
                };
            };
            let len = queue.messages[at].text.len();
            if (size as usize) < len && flags & MSG_NOERROR == 0 {
                return Attempt::Done(-E2BIG);
            }
            let message = if flags & MSG_COPY != 0 {
                Message {
                    kind: queue.messages[at].kind,
                    text: queue.messages[at].text.clone(),
                }
            } else {
                let message = queue.messages.remove(at).expect("found above");
                queue.bytes -= len as u64;
                queue.receive_time = ffi::wall_seconds();
                queue.receive_pid = caller.pid;
                message
            };
            if pointer == 0 {
                return Attempt::Done(-EFAULT);
            }
            let copied = len.min(size as usize);
            // SAFETY: the caller passed a `struct msgbuf` with room for `size` bytes of text.
            unsafe {
                (pointer as *mut i64).write_unaligned(message.kind);
                core::ptr::copy_nonoverlapping(
                    message.text.as_ptr(),
                    (pointer + 8) as *mut u8,
                    copied,
                );
            }
            Attempt::Done(copied as i64)
        })
    })
}

/// Writes the `struct msqid64_ds` (120 bytes) of `object` at `out`.
///
/// # Safety
/// `out` is the address of 120 writable bytes.
unsafe fn write_stat(object: &crate::ids::Object<Queue>, out: u64) {
    let queue = &object.body;
    // SAFETY: the caller's contract: the permissions first, then the queue's fields.
    unsafe {
        object.perm.write(out);
        let words = (out + 48) as *mut u64;
        for (at, value) in [
            queue.send_time as u64,
            queue.receive_time as u64,
            queue.change_time as u64,
            queue.bytes,
            queue.messages.len() as u64,
            queue.max_bytes,
            (queue.send_pid as u32 as u64) | (queue.receive_pid as u32 as u64) << 32,
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

/// `struct msginfo` for `IPC_INFO` (the limits) or `MSG_INFO` (also what is in use).
///
/// # Safety
/// `out` is the address of 32 writable bytes.
unsafe fn write_info(table: &Table<Queue>, usage: bool, out: u64) {
    let (pool, map, total) = if usage {
        let messages = table.iter().map(|q| q.body.messages.len()).sum::<usize>();
        let bytes = table.iter().map(|q| q.body.bytes).sum::<u64>();
        (table.count() as i32, messages as i32, bytes as i32)
    } else {
        let pool = (MSGMNI as u64 * MSGMNB / 1024) as i32;
        (pool, MSGMNB as i32, MSGMNB as i32)
    };
    let values: [i32; 7] = [
        pool,
        map,
        MSGMAX as i32,
        MSGMNB as i32,
        MSGMNI as i32,
        16, // msgssz
        total,
    ];
    // SAFETY: the caller's contract.
    unsafe {
        let p = out as *mut i32;
        for (at, value) in values.into_iter().enumerate() {
            p.add(at).write_unaligned(value);
        }
        (out as *mut u8)
            .add(28)
            .cast::<u32>()
            .write_unaligned(0xffff); // msgseg, padding
    }
}

/// `msgctl(id, cmd, buf)`.
pub unsafe extern "C" fn msgctl(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [id, cmd, buffer, ..] = unsafe { (*frame).args() };
    let (id, cmd) = (id as i32, cmd as i32);
    if id < 0 || cmd < 0 {
        return -EINVAL;
    }
    let caller = Caller::current();
    match cmd {
        IPC_INFO | MSG_INFO => {
            if buffer == 0 {
                return -EFAULT;
            }
            QUEUES.with(|table| {
                // SAFETY: the caller passed a `struct msginfo`.
                unsafe { write_info(table, cmd == MSG_INFO, buffer) };
                table.max_index()
            })
        }
        IPC_STAT | MSG_STAT | MSG_STAT_ANY => QUEUES.with(|table| {
            match table.for_stat(id, cmd != IPC_STAT, cmd == MSG_STAT_ANY, &caller, buffer) {
                Ok((result, object)) => {
                    // SAFETY: the caller passed the command's structure there.
                    unsafe { write_stat(object, buffer) };
                    result
                }
                Err(e) => -e,
            }
        }),
        IPC_SET => {
            if buffer == 0 {
                return -EFAULT;
            }
            // SAFETY: the caller passed a `struct msqid_ds`.
            let (perm, max_bytes) = unsafe {
                (
                    Perm::read(buffer),
                    ((buffer + 88) as *const u64).read_unaligned(),
                )
            };
            QUEUES.with(|table| {
                let object = match table.get(id) {
                    Ok(object) => object,
                    Err(e) => return -e,
                };
                if let Err(e) = object.perm.check_owner(&caller) {
                    return -e;
                }
                if max_bytes > MSGMNB && !caller.privileged() {
                    return -EPERM;
                }
                object.perm.set(&perm);
                object.body.max_bytes = max_bytes;
                object.body.change_time = ffi::wall_seconds();
                0
            })
        }
        IPC_RMID => {
            QUEUES.with(
                |table| match table.get(id).and_then(|o| o.perm.check_owner(&caller)) {
                    Ok(()) => table.remove(id).map_or_else(|e| -e, |_| 0),
                    Err(e) => -e,
                },
            )
        }
        _ => -EINVAL,
    }
}
