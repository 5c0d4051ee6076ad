//! `epoll`: an interest list per epoll descriptor (an object of the descriptor table) and
//! waits that ask each listed descriptor for its readiness the way `poll` does, round after
//! round with `uk_idle` between them. Level-triggered; `EPOLLET` is accepted and behaves
//! level-triggered (a program that reads until EAGAIN, as edge-triggered code must, works the
//! same); `EPOLLONESHOT` disarms an entry after it is reported. A closed descriptor leaves the
//! lists it is in at the next wait. Regular files cannot be added (EPERM, as on Linux).

use crate::cell::Global;
use crate::errno::*;
use crate::files;
use crate::objects::{handle_of, insert, refuse_write, remove, FileOps, Object};
use crate::wait;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

const EPOLL_CTL_ADD: u64 = 1;
const EPOLL_CTL_DEL: u64 = 2;
const EPOLL_CTL_MOD: u64 = 3;
const EPOLLONESHOT: u32 = 1 << 30;
const EPOLLET: u32 = 1 << 31;
/// The events that map onto `poll`'s (EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP).
const POLL_EVENTS: u32 = 0x1f;
const O_CLOEXEC: u64 = 0o2000000;
const MAX_EVENTS: i64 = 1 << 20;

/// An interest: the events asked for (0 once a one-shot entry fired) and the caller's data.
#[derive(Clone, Copy)]
struct Interest {
    events: u32,
    data: u64,
}

static LISTS: Global<Vec<Option<BTreeMap<i64, Interest>>>> = Global::new(Vec::new());

unsafe extern "C" fn read(_: u64, _: *mut u8, _: usize) -> i64 {
    -EINVAL
}

unsafe extern "C" fn close(handle: u64) -> i32 {
    LISTS.with(|lists| remove(lists, handle));
    0
}

unsafe extern "C" fn readiness(_: u64) -> i32 {
    0
}

unsafe extern "C" fn set_nonblocking(_: u64, _: i32) -> i32 {
    0
}

static OPS: FileOps = FileOps {
    mode: 0,
    pad: 0,
    read,
    write: refuse_write,
    close,
    readiness,
    set_nonblocking,
    progress: None,
    available: None,
};

/// `epoll_create1(flags)` (`epoll_create(size)` is flags 0 after checking size > 0).
pub fn create(flags: u64) -> i64 {
    if flags & !O_CLOEXEC != 0 {
        return -EINVAL;
    }
    let handle = LISTS.with(|lists| insert(lists, BTreeMap::new()));
    files::install_object(
        Object {
            ops: &OPS,
            handle: handle as u64,
        },
        flags,
    )
}

/// The interest list behind `epfd`.
fn list_of(epfd: i64) -> Result<u64, i64> {
    handle_of(epfd, &OPS, EINVAL)
}

/// `epoll_ctl(epfd, op, fd, event)`.
pub fn control(epfd: i64, op: u64, fd: i64, event: u64) -> i64 {
    let list = match list_of(epfd) {
        Ok(list) => list,
        Err(e) => return -e,
    };
    if fd == epfd {
        return -EINVAL;
    }
    match files::readiness(fd) {
        files::Readiness::Closed => return -EBADF,
        files::Readiness::Always(_) if files::is_regular(fd) => return -EPERM,
        _ => {}
    }
    let interest = if op == EPOLL_CTL_DEL {
        None
    } else {
        if event == 0 {
            return -EFAULT;
        }
        // SAFETY: the caller passed a packed `struct epoll_event` (u32 events, u64 data).
        let (events, data) = unsafe {
            (
                (event as *const u32).read_unaligned(),
                ((event + 4) as *const u64).read_unaligned(),
            )
        };
        Some(Interest { events, data })
    };
    LISTS.with(|lists| {
        let Some(Some(entries)) = lists.get_mut(list as usize) else {
            return -EBADF;
        };
        match (op, interest) {
            (EPOLL_CTL_ADD, Some(interest)) => {
                if entries.contains_key(&fd) {
                    return -EEXIST;
                }
                entries.insert(fd, interest);
                0
            }
            (EPOLL_CTL_MOD, Some(interest)) => match entries.get_mut(&fd) {
                Some(slot) => {
                    *slot = interest;
                    0
                }
                None => -ENOENT,
            },
            (EPOLL_CTL_DEL, _) => match entries.remove(&fd) {
                Some(_) => 0,
                None => -ENOENT,
            },
            _ => -EINVAL,
        }
    })
}

/// `epoll_wait`/`epoll_pwait` (`deadline`: monotonic ns, `None` forever).
pub fn wait_events(epfd: i64, events: u64, max: i64, deadline: Option<u64>) -> i64 {
    if max <= 0 || max > MAX_EVENTS {
        return -EINVAL;
    }
    if events == 0 {
        return -EFAULT;
    }
    let list = match list_of(epfd) {
        Ok(list) => list,
        Err(e) => return -e,
    };
    let result = wait::wait(deadline, || {
        let snapshot: Vec<(i64, Interest)> = LISTS.with(|lists| match lists.get(list as usize) {
            Some(Some(entries)) => entries.iter().map(|(fd, i)| (*fd, *i)).collect(),
            _ => Vec::new(),
        });
        let mut progressed = [0usize; 4];
        let mut ready: Vec<(i64, u32, u64)> = Vec::new();
        let mut closed: Vec<i64> = Vec::new();
        for (fd, interest) in snapshot {
            if ready.len() as i64 >= max {
                break;
            }
            let asked = (interest.events & POLL_EVENTS) as i16;
            if interest.events & !(EPOLLET | EPOLLONESHOT) == 0 {
                continue;
            }
            let got = wait::revents(fd, asked, &mut progressed);
            if got & 0x20 != 0 {
                closed.push(fd);
                continue;
            }
            if got != 0 {
                ready.push((fd, got as u32 & POLL_EVENTS, interest.data));
            }
        }
        LISTS.with(|lists| {
            if let Some(Some(entries)) = lists.get_mut(list as usize) {
                for fd in &closed {
                    entries.remove(fd);
                }
                for (fd, _, _) in &ready {
                    if let Some(entry) = entries.get_mut(fd) {
                        if entry.events & EPOLLONESHOT != 0 {
                            entry.events = 0;
                        }
                    }
                }
            }
        });
        for (i, (_, got, data)) in ready.iter().enumerate() {
            let slot = events + i as u64 * 12;
            // SAFETY: the caller passed room for `max` packed `struct epoll_event`s.
            unsafe {
                (slot as *mut u32).write_unaligned(*got);
                ((slot + 4) as *mut u64).write_unaligned(*data);
            }
        }
        Ok(ready.len())
    });
    result.map_or_else(|e| -e, |n| n as i64)
}
