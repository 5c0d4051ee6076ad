//! The system call table: Linux x86_64 numbers to service functions. Unimplemented calls
//! return `-ENOSYS` and are logged once, by name.
//!
//! Other pool libraries serve whole call families by registering handlers
//! ([`uk_syscall_register`]): `linux_thread` (clone, futex, thread exit, scheduler sleeps) and
//! `linux_net` (sockets). A registered handler takes precedence over the built-in entry, so
//! an image without those libraries keeps the single-threaded behaviour and needs none of
//! their dependencies.

use crate::entry::Frame;
use crate::errno::*;
use crate::meta::{self, AT_FDCWD};
use crate::platform::Console;
use crate::{
    copy, epoll, files, itimer, links, memory, names, pipes, process, signals, socketpair, system,
    time, timerfd, wait,
};
use core::fmt::Write;
use core::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};

const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x10000;

/// Call numbers below this can have a registered handler.
const REGISTERABLE: usize = 512;

use syscall_abi::Handler;

/// Registered handlers, by call number (null: the built-in table).
static HANDLERS: [AtomicPtr<()>; REGISTERABLE] =
    [const { AtomicPtr::new(core::ptr::null_mut()) }; REGISTERABLE];

/// Makes `handler` serve call `nr` (the last registration wins); 0, or -EINVAL for a number
/// outside the table.
#[no_mangle]
pub extern "C" fn uk_syscall_register(nr: i64, handler: Option<Handler>) -> i32 {
    let Some(slot) = usize::try_from(nr).ok().and_then(|n| HANDLERS.get(n)) else {
        return -EINVAL as i32;
    };
    let pointer = handler.map_or(core::ptr::null_mut(), |h| h as *mut ());
    slot.store(pointer, Ordering::Release);
    0
}

fn registered(nr: u64) -> Option<Handler> {
    let pointer = HANDLERS.get(nr as usize)?.load(Ordering::Acquire);
    // SAFETY: only `uk_syscall_register` stores here, and only `Handler` values.
    (!pointer.is_null()).then(|| unsafe { core::mem::transmute::<*mut (), Handler>(pointer) })
}

/// The entry stub's target: a registered handler, or the built-in table; then, in ring 0,
/// the signals that came due are delivered ([`signals::at_exit`]), which may restart the
/// call or enter a handler instead of returning. `rt_sigreturn` and `sigaltstack` need the
/// caller's stack and registers, so they are served here.
///
/// # Safety
/// `frame` is the frame the entry stub saved; `fpstate` the 512-byte `fxsave` area it saved
/// (the linuxu trap, in host mode, passes no area: there the host delivers signals).
#[no_mangle]
pub unsafe extern "C" fn uk_syscall_frame(frame: *mut Frame, fpstate: *const u8) -> i64 {
    // SAFETY: the stub passes its live frame.
    let nr = unsafe { (*frame).rax };
    if crate::host::attached() {
        // SAFETY: as above.
        let args = unsafe { (*frame).args() };
        // SAFETY: as above.
        match crate::host::route(unsafe { &*frame }) {
            crate::host::Route::Host => return crate::host::syscall(nr as i64, args),
            crate::host::Route::HostMunmap => return memory::host_munmap(args[0], args[1]),
            crate::host::Route::Table => {}
        }
        // SAFETY: as above.
        return unsafe { serve(frame) };
    }
    loop {
        let result = match nr {
            // SAFETY: as above; the call's frame holds the handler's return.
            RT_SIGRETURN => unsafe { crate::signal_frame::sigreturn(frame) },
            SIGALTSTACK => {
                // SAFETY: as above.
                let [new, old, ..] = unsafe { (*frame).args() };
                crate::signal_frame::sigaltstack(
                    new,
                    old,
                    Some(crate::signal_frame::caller_rsp(frame)),
                )
            }
            // SAFETY: as above.
            _ => unsafe { serve(frame) },
        };
        // SAFETY: as above.
        match unsafe { signals::at_exit(frame, fpstate, result) } {
            signals::Exit::Return(result) => return result,
            signals::Exit::Restart => continue,
        }
    }
}

/// The blocked sets of the programs' threads whose calls are being served in host mode, by
/// host thread id.
static TRAPPED: crate::cell::Global<alloc::collections::BTreeMap<i64, u64>> =
    crate::cell::Global::new(alloc::collections::BTreeMap::new());

/// The program's blocked set for the calling host thread's trapped call.
pub fn trapped_blocked_set() -> u64 {
    let tid = crate::host::syscall(GETTID, [0; 6]);
    TRAPPED.with(|t| t.get(&tid).copied().unwrap_or(0))
}

const GETTID: i64 = 186;

/// Host mode (linuxu with an initrd): serves a call that the trap caught, for a program
/// thread whose blocked set is `blocked`. A wait ends when the host has a signal pending that
/// the program lets through; the result is then `-ERESTARTSYS` only when that signal's handler
/// has `SA_RESTART` (the trap resumes the program on its `syscall` instruction), `-EINTR`
/// otherwise.
///
/// # Safety
/// `frame` is the trapped call's frame.
#[no_mangle]
pub unsafe extern "C" fn uk_syscall_trapped(frame: *mut Frame, blocked: u64) -> i64 {
    let tid = crate::host::syscall(GETTID, [0; 6]);
    TRAPPED.with(|t| t.insert(tid, blocked));
    // SAFETY: the caller's contract.
    let result = unsafe { uk_syscall_frame(frame, core::ptr::null()) };
    TRAPPED.with(|t| t.remove(&tid));
    if result == -signals::ERESTARTSYS && !signals::host_restarts(blocked) {
        -EINTR
    } else {
        result
    }
}

const RT_SIGRETURN: u64 = 15;
const SIGALTSTACK: u64 = 131;

/// Serves the call in `frame`: its registered handler, or the built-in table.
///
/// # Safety
/// `frame` is a live frame.
unsafe fn serve(frame: *mut Frame) -> i64 {
    // SAFETY: the caller's contract.
    let nr = unsafe { (*frame).rax };
    if let Some(handler) = registered(nr) {
        // SAFETY: as above; the handler was registered for this call.
        unsafe { handler(frame) }
    } else {
        // SAFETY: as above.
        let [a0, a1, a2, a3, a4, a5] = unsafe { (*frame).args() };
        builtin(nr as i64, a0, a1, a2, a3, a4, a5)
    }
}

/// One bit per call number below 512: already logged as unimplemented.
static LOGGED: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];
static UNIMPLEMENTED: AtomicUsize = AtomicUsize::new(0);

/// True the first time this is asked for call `nr` (and counts it as unimplemented).
fn first_time(nr: i64) -> bool {
    let first = match usize::try_from(nr).ok().filter(|n| *n < 512) {
        Some(n) => {
            let bit = 1u64 << (n % 64);
            LOGGED[n / 64].fetch_or(bit, Ordering::Relaxed) & bit == 0
        }
        None => true,
    };
    if first {
        UNIMPLEMENTED.fetch_add(1, Ordering::Relaxed);
    }
    first
}

fn unimplemented(nr: i64) -> i64 {
    if first_time(nr) {
        let _ = writeln!(
            Console,
            "ukl: syscall: {} ({nr}) is not implemented, returning -ENOSYS",
            names::name(nr)
        );
    }
    -ENOSYS
}

/// Why the calls that make or replace a process are refused.
const NO_PROCESSES: &str = "a unikernel has one address space and runs no other program";

/// Refuses call `nr` for `reason`, logged once: `-ENOSYS`.
fn refused(nr: i64, reason: &str) -> i64 {
    if first_time(nr) {
        let _ = writeln!(
            Console,
            "ukl: syscall: {} ({nr}) is refused: {reason}; returning -ENOSYS",
            names::name(nr)
        );
    }
    -ENOSYS
}

/// Sub-operations already logged as unsupported: (call number, value), up to 64 of them
/// (later ones are logged every time).
static LOGGED_DETAILS: crate::cell::Global<([(i64, u64); 64], usize)> =
    crate::cell::Global::new(([(0, 0); 64], 0));

/// Refuses sub-operation `value` (an `operation`, `command`, `option`, ...) of call `nr`,
/// which is implemented for others: logs it once by name, like an unimplemented call, and
/// returns `-errno` (the error Linux gives for an unknown one, or ENOSYS).
pub fn unsupported(nr: i64, what: &str, value: u64, errno: i64) -> i64 {
    let first = LOGGED_DETAILS.with(|(seen, count)| {
        if seen[..*count].contains(&(nr, value)) {
            return false;
        }
        if *count < seen.len() {
            seen[*count] = (nr, value);
            *count += 1;
        }
        true
    });
    if first {
        UNIMPLEMENTED.fetch_add(1, Ordering::Relaxed);
        let detail = names::detail(nr, value);
        let _ = if detail.is_empty() {
            writeln!(
                Console,
                "ukl: syscall: {} {what} {value:#x} is not implemented, returning -{}",
                names::name(nr),
                crate::errno::name(errno)
            )
        } else {
            writeln!(
                Console,
                "ukl: syscall: {} {what} {detail} ({value}) is not implemented, returning -{}",
                names::name(nr),
                crate::errno::name(errno)
            )
        };
    }
    -errno
}

/// [`unsupported`] for the libraries that serve call families (`linux_thread`'s clone and
/// futex): `what` is a NUL-terminated word such as `operation`.
///
/// # Safety
/// `what` is null or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn uk_syscall_unsupported(
    nr: i64,
    what: *const core::ffi::c_char,
    value: u64,
    errno: i64,
) -> i64 {
    let what = if what.is_null() {
        "operation"
    } else {
        // SAFETY: the caller's contract.
        unsafe { core::ffi::CStr::from_ptr(what) }
            .to_str()
            .unwrap_or("operation")
    };
    unsupported(nr, what, value, errno)
}

/// How many distinct unimplemented calls were met.
#[no_mangle]
pub extern "C" fn uk_syscall_unimplemented_count() -> i32 {
    UNIMPLEMENTED.load(Ordering::Relaxed) as i32
}

/// Serves call `nr`; the result is the value or a negative errno, as the kernel returns it.
/// Registered handlers see a frame with these arguments and the caller's other registers
/// zero (a `clone` through this function starts its thread at address 0: use `syscall`).
#[no_mangle]
pub extern "C" fn uk_syscall(nr: i64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64 {
    if let Some(handler) = u64::try_from(nr).ok().and_then(registered) {
        let mut frame = Frame {
            rax: nr as u64,
            rdi: a0,
            rsi: a1,
            rdx: a2,
            r10: a3,
            r8: a4,
            r9: a5,
            ..Frame::default()
        };
        // SAFETY: a complete frame that lives for the call.
        let result = unsafe { handler(&mut frame) };
        return restart_as_eintr(result);
    }
    restart_as_eintr(builtin(nr, a0, a1, a2, a3, a4, a5))
}

/// A call made from C through [`uk_syscall`] is not restarted: `ERESTARTSYS` is `EINTR`.
fn restart_as_eintr(result: i64) -> i64 {
    if result == -signals::ERESTARTSYS {
        -EINTR
    } else {
        result
    }
}

/// Serves the call in `frame` from the built-in table, whatever handler is registered: a
/// library that serves a family for its own descriptors (`linux_net`'s sockets) hands back
/// the calls on others (a socket pair's ends, files).
///
/// # Safety
/// `frame` is a live frame.
#[no_mangle]
pub unsafe extern "C" fn uk_syscall_builtin(frame: *mut Frame) -> i64 {
    // SAFETY: the caller's contract.
    let (nr, [a0, a1, a2, a3, a4, a5]) = unsafe { ((*frame).rax, (*frame).args()) };
    builtin(nr as i64, a0, a1, a2, a3, a4, a5)
}

fn builtin(nr: i64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64 {
    // Descriptors are C `int`s: the upper half of the register is not the caller's.
    let fd = a0 as i32 as i64;
    match nr {
        0 => files::read(fd, a1, a2),
        1 => files::write(fd, a1, a2),
        2 => files::openat(-100, a0, a1, a2),
        3 => files::close(fd),
        4 => files::fstatat(-100, a0, a1, 0),
        5 => files::fstat(fd, a1),
        6 => files::fstatat(-100, a0, a1, 0x100),
        7 => wait::poll_ms(a0, a1, a2 as i32 as i64),
        8 => files::lseek(fd, a1 as i64, a2),
        9 => {
            const MAP_SHARED: u64 = 1;
            if a3 & 0x20 != 0 {
                memory::mmap(a0, a1, a2, a3, None, 0)
            } else if a3 & MAP_SHARED != 0 && files::is_regular_file(a4 as i64) {
                files::map_shared(a4 as i64, a0, a1, a2, a3, a5)
            } else {
                match files::file_bytes(a4 as i64, a5, a1) {
                    Ok(bytes) => memory::mmap(a0, a1, a2, a3, Some(&bytes), 0),
                    Err(e) => -e,
                }
            }
        }
        10 => memory::mprotect(a0, a1, a2),
        11 => memory::munmap(a0, a1),
        12 => memory::brk(a0),
        13 => signals::sigaction(a0, a1, a2, a3),
        14 => signals::sigprocmask(a0, a1, a2, a3),
        16 => files::ioctl(fd, a1, a2),
        17 => files::pread(fd, a1, a2, a3 as i64),
        18 => files::pwrite(fd, a1, a2, a3 as i64),
        19 => files::vectored(fd, a1, a2, false),
        20 => files::vectored(fd, a1, a2, true),
        21 => files::access(-100, a0, a1, 0),
        22 => pipes::pipe(a0, 0),
        23 => wait::select_timeval(a0, a1, a2, a3, a4),
        24 => 0, // sched_yield: nothing else to run (linux_thread serves it with threads)
        25 => memory::mremap(a0, a1, a2, a3),
        26 => memory::accept_aligned(a0), // msync
        28 => memory::madvise(a0, a1, a2),
        32 => files::dup(fd, None, 0),
        33 => files::dup(fd, Some(a1 as i64), 0),
        34 => signals::pause(),
        35 => time::sleep(1, a0, false, a1),
        36 => itimer::getitimer(a0, a1),
        37 => itimer::alarm(a0 & 0xffff_ffff),
        38 => itimer::setitimer(a0, a1, a2),
        39 | 186 => process::PID, // getpid, gettid
        40 => copy::sendfile(fd, a1 as i64, a2, a3),
        // Without a network library (linux_net) no address family is served; musl's nscd
        // client then falls back to /etc.
        41 => -EAFNOSUPPORT,
        42 => socketpair::connected(a0, true),
        43 | 49 | 50 | 288 => socketpair::connected(a0, false), // accept bind listen accept4
        44 => socketpair::sendto(a0, a1, a2, a3, a4),
        45 => socketpair::recvfrom(a0, a1, a2, a3, a5),
        46 => socketpair::sendmsg(a0, a1, a2),
        47 => socketpair::recvmsg(a0, a1, a2),
        48 => socketpair::shutdown(a0, a1),
        51 | 52 => socketpair::name(a0, a1, a2), // getsockname, getpeername
        53 => socketpair::socketpair(a0, a1, a2, a3),
        54 => socketpair::setsockopt(a0, a1),
        55 => socketpair::getsockopt(a0, a1, a2, a3, a4),
        60 | 231 => process::exit(a0),
        61 | 247 => system::wait_child(), // wait4, waitid
        62 => signals::send_signal(a0 as i64, a1, false),
        63 => process::uname(a0),
        72 => files::fcntl(fd, a1, a2),
        74 | 75 => 0, // fsync, fdatasync: memory is the storage
        73 => meta::flock(fd, a1),
        76 => files::truncate(a0, a1 as i64),
        77 => files::ftruncate(fd, a1 as i64),
        79 => files::getcwd(a0, a1),
        80 => files::chdir(a0),
        81 => files::fchdir(fd),
        82 => links::rename(AT_FDCWD, a0, AT_FDCWD, a1, 0),
        83 => files::mkdirat(-100, a0, a1),
        133 => links::mknod(AT_FDCWD, a0, a1, a2),
        84 => files::unlinkat(-100, a0, 0x200),
        87 => files::unlinkat(-100, a0, 0),
        85 => files::openat(AT_FDCWD, a0, 0o1101, a1), // creat: O_CREAT|O_WRONLY|O_TRUNC
        86 => links::link(AT_FDCWD, a0, AT_FDCWD, a1, 0),
        88 => links::symlink(a0, AT_FDCWD, a1),
        89 => links::readlink(AT_FDCWD, a0, a1, a2),
        90 => meta::chmod(AT_FDCWD, a0, a1),
        91 => meta::chmod(fd, 0, a1), // fchmod
        92 => meta::chown(AT_FDCWD, a0, 0),
        94 => meta::chown(AT_FDCWD, a0, files::AT_SYMLINK_NOFOLLOW), // lchown
        93 => meta::chown(fd, 0, 0), // fchown
        95 => files::umask(a0),
        96 => time::gettimeofday(a0),
        97 => system::prlimit(0, a0, 0, a1),  // getrlimit
        160 => system::prlimit(0, a0, a1, 0), // setrlimit
        98 => system::getrusage(a0, a1),
        99 => system::sysinfo(a0),
        100 => system::times(a0),
        102 | 107 => system::id(false), // getuid, geteuid
        104 | 108 => system::id(true),  // getgid, getegid
        105 => system::set_id(false, &[a0]),
        106 => system::set_id(true, &[a0]),
        109 => system::setpgid(a0, a1),
        110 => 0,            // getppid
        111 => process::PID, // getpgrp
        112 => -EPERM,       // setsid: already a group leader
        113 => system::set_id(false, &[a0, a1]),
        114 => system::set_id(true, &[a0, a1]),
        115 => 0, // getgroups: none
        116 => 0, // setgroups
        117 => system::set_id(false, &[a0, a1, a2]),
        118 => system::get_res_id(false, [a0, a1, a2]),
        119 => system::set_id(true, &[a0, a1, a2]),
        120 => system::get_res_id(true, [a0, a1, a2]),
        121 | 124 => system::group_of(a0), // getpgid, getsid
        127 => signals::sigpending(a0, a1),
        130 => signals::sigsuspend(a0, a1),
        131 => crate::signal_frame::sigaltstack(a0, a1, None),
        132 => meta::utime(a0, a1),
        137 => meta::statfs(AT_FDCWD, a0, a1),
        138 => meta::statfs(fd, 0, a1), // fstatfs
        140 => system::getpriority(a0, a1),
        141 => system::setpriority(a0, a1, a2),
        157 => system::prctl(a0, a1),
        158 => process::arch_prctl(a0, a1),
        200 => signals::send_signal(a0 as i64, a1, true), // tkill
        162 => 0,                                         // sync: memory is the storage
        201 => time::time(a0),
        203 => system::setaffinity(a0, a1, a2),
        204 => system::getaffinity(a0, a1, a2),
        213 if (a0 as i32) <= 0 => -EINVAL, // epoll_create(size)
        213 => epoll::create(0),
        217 => files::getdents64(fd, a1, a2),
        218 => process::PID, // set_tid_address
        228 => time::clock_gettime(a0, a1),
        232 | 281 => epoll::wait_events(
            fd,
            a1,
            a2 as i32 as i64,
            wait::deadline_ms(a3 as i32 as i64),
        ),
        233 => epoll::control(fd, a1, a2 as i32 as i64, a3),
        229 => time::clock_getres(a0, a1),
        230 => time::sleep(a0, a2, a1 & 1 != 0, a3),
        234 => signals::send_signal(a1 as i64, a2, true), // tgkill
        235 => meta::utimes(AT_FDCWD, a0, a1),
        257 => files::openat(fd, a1, a2, a3),
        258 => files::mkdirat(fd, a1, a2),
        259 => links::mknod(fd, a1, a2, a3), // mknodat
        262 => files::fstatat(fd, a1, a2, a3),
        263 => files::unlinkat(fd, a1, a2),
        260 => meta::chown(fd, a1, a4),  // fchownat
        261 => meta::utimes(fd, a1, a2), // futimesat
        264 => links::rename(fd, a1, a2 as i32 as i64, a3, 0),
        316 => links::rename(fd, a1, a2 as i32 as i64, a3, a4), // renameat2
        265 => links::link(fd, a1, a2 as i32 as i64, a3, a4),
        266 => links::symlink(a0, a1 as i32 as i64, a2),
        267 => links::readlink(fd, a1, a2, a3),
        268 => meta::chmod(fd, a1, a2), // fchmodat
        269 => files::access(fd, a1, a2, 0),
        439 => files::access(fd, a1, a2, a3), // faccessat2
        270 => wait::pselect(a0, a1, a2, a3, a4, a5),
        271 => wait::ppoll(a0, a1, a2, a3, a4),
        273 => crate::futex::set_robust_list(a0, a1),
        274 => crate::futex::get_robust_list(a0, a1, a2),
        280 => meta::utimensat(fd, a1, a2, a3),
        283 => timerfd::create(a0, a1),
        284 => pipes::eventfd(a0, 0),
        285 => meta::fallocate(fd, a1, a2 as i64, a3 as i64),
        286 => timerfd::settime(fd, a1, a2, a3),
        287 => timerfd::gettime(fd, a1),
        291 => epoll::create(a0),
        290 => pipes::eventfd(a0, a1),
        292 => files::dup(fd, Some(a1 as i64), a2),
        293 => pipes::pipe(a0, a1),
        295 => copy::positioned_vector(fd, a1, a2, a3 as i64, false), // preadv
        296 => copy::positioned_vector(fd, a1, a2, a3 as i64, true),  // pwritev
        57 | 58 | 59 | 322 => refused(nr, NO_PROCESSES), // fork vfork execve execveat
        // clone of a thread is linux_thread's (registered); a new process is refused here.
        56 if a0 & CLONE_THREAD == 0 || a0 & CLONE_VFORK != 0 => unsupported(
            56,
            "of a new process (fork, vfork, posix_spawn: one address space, no new processes), flags",
            a0,
            ENOSYS,
        ),
        202 => crate::futex::futex(a0, a1, a2, a3, a4, a5),
        302 => system::prlimit(a0, a1, a2, a3),
        306 => meta::flock(fd, 8), // syncfs: a valid descriptor is enough
        309 => system::getcpu(a0, a1),
        318 => process::getrandom(a0, a1),
        319 => files::memfd_create(a0, a1),
        326 => copy::copy_file_range(fd, a1, a2 as i64, a3, a4, a5),
        332 => files::statx(fd, a1, a2, a4),
        441 => match wait::timespec_deadline(a4) {
            Ok(deadline) => epoll::wait_events(fd, a1, a2 as i32 as i64, deadline),
            Err(e) => -e,
        },
        _ => unimplemented(nr),
    }
}
