//! Blocking: `msgsnd` on a full queue, `msgrcv` on an empty one, `semop` that cannot proceed.
//! The call retries its operation between rounds of `uk_idle` (with a scheduler, the other
//! threads run meanwhile, and one of them may send, receive, post or remove the object; without
//! one only time passes), until the operation is done, the deadline passes (`EAGAIN`), a
//! signal handler runs (`EINTR`: these calls are never restarted), or the object is removed
//! (`EIDRM`).

use crate::errno::{EAGAIN, EIDRM, EINTR, EINVAL};
use crate::ffi;

/// One try of a blocking operation.
pub enum Attempt {
    /// Finished: the call's result (a value or a negative errno).
    Done(i64),
    /// Must wait for another thread to change the object.
    Blocked,
}

/// Repeats `attempt` until it is done, `deadline` (monotonic ns; `None`: forever) passes,
/// a signal handler runs, or the object it works on is gone. `attempt` answers `-EINVAL` for
/// an id that names no object: on the first try the id was wrong, later the object was removed
/// while the caller waited.
pub fn block(deadline: Option<u64>, mut attempt: impl FnMut() -> Attempt) -> i64 {
    let mut first = true;
    loop {
        match attempt() {
            Attempt::Done(result) if result == -EINVAL && !first => return -EIDRM,
            Attempt::Done(result) => return result,
            Attempt::Blocked => {}
        }
        first = false;
        if deadline.is_some_and(|d| ffi::monotonic_ns() >= d) {
            return -EAGAIN;
        }
        if ffi::signal_interrupted() {
            return -EINTR;
        }
        ffi::idle();
    }
}
