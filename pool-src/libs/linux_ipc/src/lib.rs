//! linux_ipc: System V IPC for `linux_syscall` in the unikernel's one address space, so that
//! a C program built against musl uses message queues, semaphore sets and shared memory
//! unmodified.
//!
//! Modules: `ids` (ids, keys, `IPC_PRIVATE`/`IPC_CREAT`/`IPC_EXCL`, permissions), `msg`
//! (`msgget`, `msgsnd`, `msgrcv`, `msgctl`) with `search` (which message `msgrcv` takes),
//! `sem` (`semget`, `semop`, `semtimedop`, `semctl`) with `semop` (an operation array applied
//! atomically), `shm` (`shmget`, `shmat`, `shmdt`, `shmctl`), `wait` (how a call blocks),
//! `ffi`, `errno`. The pure parts (`ids`, `search`, `semop`) have unit tests. Error numbers, limits (`MSGMNB`, `SEMVMX`, ...) and structure layouts are
//! Linux's x86_64 ones. The process runs as whatever `geteuid` says (root unless the program
//! changed it), and root passes every permission check, as on Linux.
//!
//! A call that must wait retries between rounds of `uk_idle`: with threads (linux_thread and
//! a scheduler) the others run meanwhile and may send, post or remove; single-threaded, only
//! `semtimedop`'s timeout (`EAGAIN`) or a signal handler (`EINTR`) can end it.
//!
//! The handlers are registered from the init table; `ukl ld` links this library when the
//! program's C library brings in one of these calls (registry.toml, `[[system_library]]
//! serves`). On linuxu the host kernel serves them.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![cfg_attr(
    test,
    allow(
        dead_code,
        reason = "unit tests build only the modules without system calls"
    )
)]

extern crate alloc;

mod errno;
#[cfg(not(test))]
mod ffi;
mod ids;
#[cfg(not(test))]
mod msg;
mod search;
#[cfg(not(test))]
mod sem;
mod semop;
#[cfg(not(test))]
mod shm;
#[cfg(not(test))]
mod wait;

#[cfg(not(test))]
use core::sync::atomic::{AtomicBool, Ordering};

#[cfg(not(test))]
/// The calls served here, by Linux x86_64 number.
const HANDLERS: [(i64, ffi::Handler); 12] = [
    (29, shm::shmget),
    (30, shm::shmat),
    (31, shm::shmctl),
    (64, sem::semget),
    (65, sem::semop),
    (66, sem::semctl),
    (67, shm::shmdt),
    (68, msg::msgget),
    (69, msg::msgsnd),
    (70, msg::msgrcv),
    (71, msg::msgctl),
    (220, sem::semtimedop),
];

#[cfg(not(test))]
/// Registers the System V IPC calls. Idempotent.
#[no_mangle]
pub extern "C" fn uk_linux_ipc_init() -> i32 {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return 0;
    }
    for (number, handler) in HANDLERS {
        // SAFETY: each handler serves the call it is registered for.
        unsafe { ffi::uk_syscall_register(number, Some(handler)) };
    }
    0
}

#[cfg(not(test))]
#[used]
#[link_section = ".uk_inittab.03"]
static INIT: extern "C" fn() -> i32 = uk_linux_ipc_init;
