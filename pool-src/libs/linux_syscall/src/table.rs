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
    copy, epoll, files, itimer, memory, names, pipes, process, signals, socketpair, system, time,
    timerfd, wait,
};
use core::fmt::Write;
use core::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};

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

/// The entry stub's target: a registered handler, or the built-in table.
///
/// # Safety
/// `frame` is the frame the entry stub saved.
#[no_mangle]
pub unsafe extern "C" fn uk_syscall_frame(frame: *mut Frame) -> i64 {
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
    }
    let result = if let Some(handler) = registered(nr) {
        // SAFETY: as above; the handler was registered for this call.
        unsafe { handler(frame) }
    } else {
        // SAFETY: as above.
        let [a0, a1, a2, a3, a4, a5] = unsafe { (*frame).args() };
        builtin(nr as i64, a0, a1, a2, a3, a4, a5)
    };
    // Before the program sees the result: handlers of signals that came due (a timer's).
    signals::run_due();
    result
}

/// One bit per call number below 512: already logged as unimplemented.
static LOGGED: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];
static UNIMPLEMENTED: AtomicUsize = AtomicUsize::new(0);

fn unimplemented(nr: i64) -> i64 {
    let first = match usize::try_from(nr).ok().filter(|n| *n < 512) {
        Some(n) => {
            let bit = 1u64 << (n % 64);
            LOGGED[n / 64].fetch_or(bit, Ordering::Relaxed) & bit == 0
        }
        None => true,
    };
    if first {
        UNIMPLEMENTED.fetch_add(1, Ordering::Relaxed);
        let _ = writeln!(
            Console,
            "ukl: syscall: {} ({nr}) is not implemented, returning -ENOSYS",
            names::name(nr)
        );
    }
    -ENOSYS
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
        return unsafe { handler(&mut frame) };
    }
    builtin(nr, a0, a1, a2, a3, a4, a5)
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
    let fd = a0 as i64;
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
            if a3 & 0x20 != 0 {
                memory::mmap(a0, a1, a2, a3, None, 0)
            } else {
                files::with_file_bytes(a4 as i64, |bytes| memory::mmap(a0, a1, a2, a3, bytes, a5))
                    .unwrap_or_else(|e| -e)
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
        21 => files::access(-100, a0),
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
        82 => files::renameat(-100, a0, -100, a1),
        83 => files::mkdirat(-100, a0, a1),
        84 => files::unlinkat(-100, a0, 0x200),
        87 => files::unlinkat(-100, a0, 0),
        85 => files::openat(AT_FDCWD, a0, 0o1101, a1), // creat: O_CREAT|O_WRONLY|O_TRUNC
        86 => meta::link(AT_FDCWD, Some(a0), AT_FDCWD, a1),
        88 => meta::link(AT_FDCWD, None, AT_FDCWD, a1), // symlink
        89 => meta::readlink(AT_FDCWD, a0),
        90 => meta::chmod(AT_FDCWD, a0, a1),
        91 => meta::chmod(fd, 0, a1), // fchmod
        92 | 94 => meta::chown(AT_FDCWD, a0, 0),
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
        131 => 0, // sigaltstack
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
        262 => files::fstatat(fd, a1, a2, a3),
        263 => files::unlinkat(fd, a1, a2),
        260 => meta::chown(fd, a1, a4),  // fchownat
        261 => meta::utimes(fd, a1, a2), // futimesat
        264 | 316 => files::renameat(fd, a1, a2 as i64, a3),
        265 => meta::link(fd, Some(a1), a2 as i64, a3), // linkat
        266 => meta::link(AT_FDCWD, None, a1 as i64, a2), // symlinkat
        267 => meta::readlink(fd, a1),
        268 => meta::chmod(fd, a1, a2), // fchmodat
        269 | 439 => files::access(fd, a1),
        270 => wait::pselect(a0, a1, a2, a3, a4, a5),
        271 => wait::ppoll(a0, a1, a2, a3, a4),
        273 => 0, // set_robust_list
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
