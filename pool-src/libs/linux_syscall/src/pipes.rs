//! Pipes and eventfd counters: objects of the descriptor table ([`crate::objects`]) that live
//! in this library. A pipe is a 64 KiB byte queue with a read end and a write end; reading
//! an empty pipe waits (or fails with EAGAIN when non-blocking) until data comes or the last
//! writer is gone (end of file); writing to a pipe whose readers are all gone fails with EPIPE
//! (no SIGPIPE: signals are not delivered). An eventfd is a 64-bit counter (`write` adds,
//! `read` takes it all, or 1 in semaphore mode). Waits call `uk_idle`, so other threads run.

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
const EFD_SEMAPHORE: u64 = 1;

enum Kind {
    Pipe {
        bytes: VecDeque<u8>,
        readers: u32,
        writers: u32,
    },
    Counter {
        value: u64,
        semaphore: bool,
    },
}

/// One end of a pipe, or an eventfd: the shared state's index and the end's own flags.
struct End {
    shared: usize,
    write: bool,
    nonblocking: bool,
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

/// Repeats `attempt` on end `handle` until it is done (or the end is non-blocking).
fn transfer(handle: u64, mut attempt: impl FnMut(&mut Kind, &End) -> Attempt) -> i64 {
    loop {
        let result = STATE.with(|s| {
            let Some(Some(end)) = s.ends.get(handle as usize) else {
                return Some(-EBADF);
            };
            let Some(Some(kind)) = s.shared.get_mut(end.shared) else {
                return Some(-EBADF);
            };
            match attempt(kind, end) {
                Attempt::Done(n) => Some(n),
                Attempt::Wait if end.nonblocking => Some(-EAGAIN),
                Attempt::Wait => None,
            }
        });
        match result {
            Some(n) => return n,
            None => idle(),
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
    transfer(handle, |kind, end| match kind {
        Kind::Pipe { .. } if end.write => Attempt::Done(-EBADF),
        Kind::Pipe { bytes, writers, .. } => {
            if out.is_empty() {
                Attempt::Done(0)
            } else if !bytes.is_empty() {
                let n = bytes.len().min(out.len());
                for (slot, byte) in out.iter_mut().zip(bytes.drain(..n)) {
                    *slot = byte;
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
    let mut written = 0usize;
    transfer(handle, |kind, end| match kind {
        Kind::Pipe { .. } if !end.write => Attempt::Done(-EBADF),
        Kind::Pipe { bytes, readers, .. } => {
            if *readers == 0 {
                return Attempt::Done(if written > 0 { written as i64 } else { -EPIPE });
            }
            let room = CAPACITY - bytes.len();
            let rest = &data[written..];
            // Small writes go in whole or wait; large ones go in pieces.
            if room == 0 || (rest.len() <= PIPE_BUF && room < rest.len()) {
                return if end.nonblocking && written > 0 {
                    Attempt::Done(written as i64)
                } else {
                    Attempt::Wait
                };
            }
            let n = room.min(rest.len());
            bytes.extend(&rest[..n]);
            written += n;
            if written == data.len() || end.nonblocking {
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
        let gone = match s.shared.get_mut(end.shared) {
            Some(Some(Kind::Pipe {
                readers, writers, ..
            })) => {
                if end.write {
                    *writers -= 1;
                } else {
                    *readers -= 1;
                }
                *readers == 0 && *writers == 0
            }
            Some(Some(Kind::Counter { .. })) => true,
            _ => false,
        };
        if gone {
            s.shared[end.shared] = None;
        }
        0
    })
}

unsafe extern "C" fn readiness(handle: u64) -> i32 {
    STATE.with(|s| {
        let Some(Some(end)) = s.ends.get(handle as usize) else {
            return 0;
        };
        match s.shared.get(end.shared) {
            Some(Some(Kind::Pipe {
                bytes,
                readers,
                writers,
            })) => {
                if end.write {
                    let mut events = if bytes.len() < CAPACITY { POLLOUT } else { 0 };
                    if *readers == 0 {
                        events |= POLLERR;
                    }
                    events
                } else {
                    let mut events = if bytes.is_empty() { 0 } else { POLLIN };
                    if *writers == 0 {
                        events |= POLLHUP;
                    }
                    events
                }
            }
            Some(Some(Kind::Counter { value, .. })) => {
                let mut events = POLLOUT;
                if *value > 0 {
                    events |= POLLIN;
                }
                events
            }
            _ => 0,
        }
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
};

fn open_end(shared: usize, write: bool, flags: u64) -> u64 {
    STATE.with(|s| {
        insert(
            &mut s.ends,
            End {
                shared,
                write,
                nonblocking: flags & O_NONBLOCK != 0,
            },
        ) as u64
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
    let shared = STATE.with(|s| {
        insert(
            &mut s.shared,
            Kind::Pipe {
                bytes: VecDeque::new(),
                readers: 1,
                writers: 1,
            },
        )
    });
    let reader = open_end(shared, false, flags);
    let writer = open_end(shared, true, flags);
    let read_fd = files::install_object(
        Object {
            ops: &OPS,
            handle: reader,
        },
        flags,
    );
    if read_fd < 0 {
        // SAFETY: the write end has no descriptor yet; the read end was closed already.
        unsafe { close(writer) };
        return read_fd;
    }
    let write_fd = files::install_object(
        Object {
            ops: &OPS,
            handle: writer,
        },
        flags,
    );
    if write_fd < 0 {
        files::close(read_fd);
        return write_fd;
    }
    // SAFETY: the caller passed an `int[2]`.
    unsafe {
        (fds as *mut i32).write_unaligned(read_fd as i32);
        (fds as *mut i32).add(1).write_unaligned(write_fd as i32);
    }
    0
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
    let handle = open_end(shared, true, flags);
    files::install_object(Object { ops: &OPS, handle }, flags)
}
