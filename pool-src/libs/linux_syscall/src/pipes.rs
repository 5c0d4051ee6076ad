//! Pipes, local socket pairs and eventfd counters: objects of the descriptor table
//! ([`crate::objects`]) that live in this library. A pipe is a 64 KiB byte queue with a read
//! end and a write end; reading an empty pipe waits (or fails with EAGAIN when non-blocking)
//! until data comes or the last writer is gone (end of file); writing to a pipe whose readers
//! are all gone fails with EPIPE (no SIGPIPE: signals are not delivered). A socket pair
//! ([`crate::socketpair`]) is two such queues crossed: each end reads one and writes the other;
//! a datagram or sequenced-packet pair keeps the messages' boundaries. An eventfd is a 64-bit
//! counter (`write` adds, `read` takes it all, or 1 in semaphore mode). Waits call `uk_idle`,
//! so other threads run.

use crate::cell::Global;
use crate::errno::*;
use crate::files;
use crate::objects::{insert, FileOps, Object};
use crate::platform::idle;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Bytes a pipe holds before writers wait (Linux's default).
const CAPACITY: usize = 64 * 1024;
/// Writes up to this size are atomic (all or nothing), as POSIX requires.
const PIPE_BUF: usize = 4096;
const O_CLOEXEC: u64 = 0o2000000;
const O_NONBLOCK: u64 = 0o4000;
const POLLIN: i32 = 0x1;
const POLLOUT: i32 = 0x4;
const POLLERR: i32 = 0x8;
const POLLHUP: i32 = 0x10;
const S_IFIFO: u32 = 0o010000;
const S_IFSOCK: u32 = 0o140000;
const EFD_SEMAPHORE: u64 = 1;

enum Kind {
    Pipe {
        bytes: VecDeque<u8>,
        /// The lengths of the messages in `bytes`, for a queue that keeps boundaries.
        messages: Option<VecDeque<usize>>,
        readers: u32,
        writers: u32,
    },
    Counter {
        value: u64,
        semaphore: bool,
    },
}

/// One end: the queue it reads (a pipe's read end, a socket end, an eventfd), the queue it
/// writes (a pipe's write end, a socket end, the same eventfd), and its own flags.
pub struct End {
    input: Option<usize>,
    output: Option<usize>,
    nonblocking: bool,
    /// The socket type of a socket pair's end (`SOCK_STREAM`, ...); 0 for a pipe or eventfd.
    socket_type: u32,
}

struct State {
    shared: Vec<Option<Kind>>,
    ends: Vec<Option<End>>,
}

static STATE: Global<State> = Global::new(State {
    shared: Vec::new(),
    ends: Vec::new(),
});

/// What one attempt at a transfer gave.
enum Attempt {
    Done(i64),
    Wait,
}

/// Repeats `attempt` on the input (or, `writing`, the output) queue of end `handle` until it
/// is done, or would wait and the end (or this one call, `nonblocking`) is non-blocking.
fn transfer(
    handle: u64,
    writing: bool,
    nonblocking: bool,
    mut attempt: impl FnMut(&mut Kind, bool) -> Attempt,
) -> i64 {
    loop {
        let result = STATE.with(|s| {
            let Some(Some(end)) = s.ends.get(handle as usize) else {
                return Some(-EBADF);
            };
            let queue = if writing { end.output } else { end.input };
            let Some(Some(kind)) = queue.and_then(|q| s.shared.get_mut(q)) else {
                // A socket end shut down for this direction: EPIPE, or the end of the data.
                return Some(match (end.socket_type, writing) {
                    (0, _) => -EBADF,
                    (_, true) => -EPIPE,
                    (_, false) => 0,
                });
            };
            let nonblocking = nonblocking || end.nonblocking;
            match attempt(kind, nonblocking) {
                Attempt::Done(n) => Some(n),
                Attempt::Wait if nonblocking => Some(-EAGAIN),
                Attempt::Wait => None,
            }
        });
        match result {
            Some(n) => return n,
            // Restarted after a handler with SA_RESTART, as Linux restarts pipe calls.
            None => {
                if let Some(e) = crate::signals::wait_ends(true) {
                    return -e;
                }
                idle();
            }
        }
    }
}

unsafe extern "C" fn read(handle: u64, buffer: *mut u8, len: usize) -> i64 {
    let out: &mut [u8] = if len == 0 {
        &mut []
    } else {
        // SAFETY: the system call layer passes the caller's buffer of `len` bytes.
        unsafe { core::slice::from_raw_parts_mut(buffer, len) }
    };
    receive(handle, out, false, false)
}

/// Reads from end `handle` into `out`: waits as the end says, or not at all (`nonblocking`,
/// `MSG_DONTWAIT`); `peek` leaves the data queued (`MSG_PEEK`). A message longer than `out`
/// is cut, the rest dropped, as for a datagram socket.
pub fn receive(handle: u64, out: &mut [u8], nonblocking: bool, peek: bool) -> i64 {
    transfer(handle, false, nonblocking, |kind, _| match kind {
        Kind::Pipe {
            bytes,
            messages,
            writers,
            ..
        } => {
            let has_data = match messages {
                Some(lengths) => !lengths.is_empty(),
                None => !bytes.is_empty(),
            };
            if out.is_empty() && messages.is_none() {
                Attempt::Done(0)
            } else if has_data {
                let available = match messages {
                    Some(lengths) => lengths.front().copied().unwrap_or(0),
                    None => bytes.len(),
                };
                let n = available.min(out.len());
                for (slot, byte) in out[..n].iter_mut().zip(bytes.iter()) {
                    *slot = *byte;
                }
                if !peek {
                    let consumed = if messages.is_some() { available } else { n };
                    bytes.drain(..consumed);
                    if let Some(lengths) = messages {
                        lengths.pop_front();
                    }
                }
                Attempt::Done(n as i64)
            } else if *writers == 0 {
                Attempt::Done(0)
            } else {
                Attempt::Wait
            }
        }
        Kind::Counter { value, semaphore } => {
            if out.len() < 8 {
                Attempt::Done(-EINVAL)
            } else if *value == 0 {
                Attempt::Wait
            } else {
                let taken = if *semaphore { 1 } else { *value };
                *value -= taken;
                out[..8].copy_from_slice(&taken.to_ne_bytes());
                Attempt::Done(8)
            }
        }
    })
}

unsafe extern "C" fn write(handle: u64, buffer: *const u8, len: usize) -> i64 {
    let data: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: the system call layer passes the caller's buffer of `len` bytes.
        unsafe { core::slice::from_raw_parts(buffer, len) }
    };
    send(handle, data, false)
}

/// Writes `data` to end `handle`, waiting as the end says or not at all (`nonblocking`). A
/// queue that keeps boundaries takes `data` as one message, whole or not at all.
pub fn send(handle: u64, data: &[u8], nonblocking: bool) -> i64 {
    let mut written = 0usize;
    transfer(handle, true, nonblocking, |kind, nonblocking| match kind {
        Kind::Pipe {
            bytes,
            messages,
            readers,
            ..
        } => {
            if *readers == 0 {
                return Attempt::Done(if written > 0 { written as i64 } else { -EPIPE });
            }
            let room = CAPACITY - bytes.len();
            let rest = &data[written..];
            if let Some(lengths) = messages {
                if data.len() > CAPACITY {
                    return Attempt::Done(-EMSGSIZE);
                }
                if room < data.len() {
                    return Attempt::Wait;
                }
                bytes.extend(data);
                lengths.push_back(data.len());
                return Attempt::Done(data.len() as i64);
            }
            // Small writes go in whole or wait; large ones go in pieces.
            if room == 0 || (rest.len() <= PIPE_BUF && room < rest.len()) {
                return if nonblocking && written > 0 {
                    Attempt::Done(written as i64)
                } else {
                    Attempt::Wait
                };
            }
            let n = room.min(rest.len());
            bytes.extend(&rest[..n]);
            written += n;
            if written == data.len() || nonblocking {
                Attempt::Done(written as i64)
            } else {
                Attempt::Wait
            }
        }
        Kind::Counter { value, .. } => {
            if data.len() < 8 {
                return Attempt::Done(-EINVAL);
            }
            let mut raw = [0u8; 8];
            raw.copy_from_slice(&data[..8]);
            let add = u64::from_ne_bytes(raw);
            if add == u64::MAX {
                return Attempt::Done(-EINVAL);
            }
            match value.checked_add(add).filter(|v| *v < u64::MAX) {
                Some(v) => {
                    *value = v;
                    Attempt::Done(8)
                }
                None => Attempt::Wait,
            }
        }
    })
}

unsafe extern "C" fn close(handle: u64) -> i32 {
    STATE.with(|s| {
        let Some(end) = s.ends.get_mut(handle as usize).and_then(Option::take) else {
            return -(EBADF as i32);
        };
        if let Some(queue) = end.input {
            leave(s, queue, false);
        }
        if let Some(queue) = end.output.filter(|q| Some(*q) != end.input) {
            leave(s, queue, true);
        }
        0
    })
}

/// An end stops reading (or, `writer`, writing) `queue`; the queue goes with its last end.
fn leave(s: &mut State, queue: usize, writer: bool) {
    let gone = match s.shared.get_mut(queue) {
        Some(Some(Kind::Pipe {
            readers, writers, ..
        })) => {
            if writer {
                *writers = writers.saturating_sub(1);
            } else {
                *readers = readers.saturating_sub(1);
            }
            *readers == 0 && *writers == 0
        }
        Some(Some(Kind::Counter { .. })) => true,
        _ => false,
    };
    if gone {
        s.shared[queue] = None;
    }
}

/// `shutdown` of a socket end: stops its reading, writing or both (`how` 0, 1, 2); the
/// peer then sees the end of the data, or EPIPE. 0, or -EINVAL / -ENOTCONN.
pub fn shutdown(handle: u64, how: u64) -> i64 {
    STATE.with(|s| {
        let Some(Some(end)) = s.ends.get_mut(handle as usize) else {
            return -EBADF;
        };
        if how > 2 {
            return -EINVAL;
        }
        let input = if how != 1 { end.input.take() } else { None };
        let output = if how != 0 { end.output.take() } else { None };
        if let Some(queue) = input {
            leave(s, queue, false);
        }
        if let Some(queue) = output {
            leave(s, queue, true);
        }
        0
    })
}

/// What `poll` sees on an end: its input readable or at its end (the writers gone), its
/// output writable or without readers (a pipe: POLLERR, as writing fails with EPIPE). A socket
/// end reads as Linux's local sockets do: readable also once nothing more can come, writable
/// also once writing would fail (EPIPE), and hung up when both directions are shut.
unsafe extern "C" fn readiness(handle: u64) -> i32 {
    STATE.with(|s| {
        let Some(Some(end)) = s.ends.get(handle as usize) else {
            return 0;
        };
        let queue = |q: Option<usize>| q.and_then(|q| s.shared.get(q)).and_then(Option::as_ref);
        if let Some(Kind::Counter { value, .. }) = queue(end.input) {
            return POLLOUT | if *value > 0 { POLLIN } else { 0 };
        }
        let (mut readable, mut input_closed) = (false, end.input.is_none());
        if let Some(Kind::Pipe {
            bytes,
            messages,
            writers,
            ..
        }) = queue(end.input)
        {
            readable = !bytes.is_empty() || messages.as_ref().is_some_and(|m| !m.is_empty());
            input_closed = *writers == 0;
        }
        let (mut writable, mut output_closed) = (false, end.output.is_none());
        if let Some(Kind::Pipe { bytes, readers, .. }) = queue(end.output) {
            writable = bytes.len() < CAPACITY;
            output_closed = *readers == 0;
        }
        let mut events = 0;
        if end.socket_type != 0 {
            if readable || input_closed {
                events |= POLLIN;
            }
            if writable || output_closed {
                events |= POLLOUT;
            }
            if input_closed && output_closed {
                events |= POLLHUP;
            }
            return events;
        }
        if readable {
            events |= POLLIN;
        }
        if end.input.is_some() && input_closed {
            events |= POLLHUP;
        }
        if end.output.is_some() {
            events |= if output_closed {
                POLLERR
            } else if writable {
                POLLOUT
            } else {
                0
            };
        }
        events
    })
}

unsafe extern "C" fn set_nonblocking(handle: u64, on: i32) -> i32 {
    STATE.with(|s| match s.ends.get_mut(handle as usize) {
        Some(Some(end)) => {
            end.nonblocking = on != 0;
            0
        }
        _ => -(EBADF as i32),
    })
}

static OPS: FileOps = FileOps {
    mode: S_IFIFO,
    pad: 0,
    read,
    write,
    close,
    readiness,
    set_nonblocking,
    progress: None,
    available: None,
};

/// The same operations for socket pairs (`fstat` says socket).
pub static SOCKET_OPS: FileOps = FileOps {
    mode: S_IFSOCK,
    ..OPS
};

/// A new queue; `messages` keeps boundaries.
fn new_queue(messages: bool) -> usize {
    STATE.with(|s| {
        insert(
            &mut s.shared,
            Kind::Pipe {
                bytes: VecDeque::new(),
                messages: messages.then(VecDeque::new),
                readers: 1,
                writers: 1,
            },
        )
    })
}

fn open_end(input: Option<usize>, output: Option<usize>, socket_type: u32, flags: u64) -> u64 {
    STATE.with(|s| {
        insert(
            &mut s.ends,
            End {
                input,
                output,
                nonblocking: flags & O_NONBLOCK != 0,
                socket_type,
            },
        ) as u64
    })
}

/// Installs two new ends behind descriptors and writes them to `fds` (an `int[2]`).
fn install_pair(fds: u64, ops: &'static FileOps, ends: [u64; 2], flags: u64) -> i64 {
    let first = files::install_object(
        Object {
            ops,
            handle: ends[0],
        },
        flags,
    );
    if first < 0 {
        // SAFETY: the second end has no descriptor yet; the first was closed already.
        unsafe { close(ends[1]) };
        return first;
    }
    let second = files::install_object(
        Object {
            ops,
            handle: ends[1],
        },
        flags,
    );
    if second < 0 {
        files::close(first);
        return second;
    }
    // SAFETY: the caller passed an `int[2]`.
    unsafe {
        (fds as *mut i32).write_unaligned(first as i32);
        (fds as *mut i32).add(1).write_unaligned(second as i32);
    }
    0
}

/// Two socket ends of `socket_type` joined by two queues (`messages`: keeping boundaries),
/// installed in `fds`.
pub fn socket_pair(fds: u64, socket_type: u32, messages: bool, flags: u64) -> i64 {
    let (one, two) = (new_queue(messages), new_queue(messages));
    let first = open_end(Some(one), Some(two), socket_type, flags);
    let second = open_end(Some(two), Some(one), socket_type, flags);
    install_pair(fds, &SOCKET_OPS, [first, second], flags)
}

/// The end behind `fd` if it is a socket pair's (-ENOTSOCK for another descriptor).
pub fn socket_end(fd: i64) -> Result<u64, i64> {
    crate::objects::handle_of(fd, &SOCKET_OPS, ENOTSOCK)
}

/// The bytes queued for reading on `object`, if it is one of this module's ends (`FIONREAD`).
pub fn queued(object: Object) -> Option<i64> {
    if !core::ptr::eq(object.ops, &OPS) && !core::ptr::eq(object.ops, &SOCKET_OPS) {
        return None;
    }
    STATE.with(|s| {
        let end = s.ends.get(object.handle as usize)?.as_ref()?;
        match end
            .input
            .and_then(|q| s.shared.get(q))
            .and_then(Option::as_ref)
        {
            Some(Kind::Pipe {
                bytes,
                messages: Some(lengths),
                ..
            }) => Some(lengths.front().copied().unwrap_or(0).min(bytes.len()) as i64),
            Some(Kind::Pipe { bytes, .. }) => Some(bytes.len() as i64),
            // An eventfd answers no ioctl.
            Some(Kind::Counter { .. }) => None,
            None => Some(0),
        }
    })
}

/// The socket type of end `handle` (0 if it is gone or not a socket's).
pub fn socket_type(handle: u64) -> u32 {
    STATE.with(|s| match s.ends.get(handle as usize) {
        Some(Some(end)) => end.socket_type,
        _ => 0,
    })
}

/// `pipe2(fds, flags)` (`pipe` is flags 0): O_NONBLOCK, O_CLOEXEC.
pub fn pipe(fds: u64, flags: u64) -> i64 {
    if flags & !(O_NONBLOCK | O_CLOEXEC) != 0 {
        return -EINVAL;
    }
    if fds == 0 {
        return -EFAULT;
    }
    let queue = new_queue(false);
    let reader = open_end(Some(queue), None, 0, flags);
    let writer = open_end(None, Some(queue), 0, flags);
    install_pair(fds, &OPS, [reader, writer], flags)
}

/// `eventfd2(initial, flags)`: EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC.
pub fn eventfd(initial: u64, flags: u64) -> i64 {
    if flags & !(EFD_SEMAPHORE | O_NONBLOCK | O_CLOEXEC) != 0 {
        return -EINVAL;
    }
    let shared = STATE.with(|s| {
        insert(
            &mut s.shared,
            Kind::Counter {
                value: initial & 0xffff_ffff,
                semaphore: flags & EFD_SEMAPHORE != 0,
            },
        )
    });
    let handle = open_end(Some(shared), Some(shared), 0, flags);
    files::install_object(Object { ops: &OPS, handle }, flags)
}
