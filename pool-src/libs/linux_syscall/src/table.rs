//! The system call table: Linux x86_64 numbers to service functions. Unimplemented calls
//! return `-ENOSYS` and are logged once, by name.

use crate::errno::*;
use crate::platform::Console;
use crate::{files, memory, names, process, time};
use core::fmt::Write;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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
#[no_mangle]
pub extern "C" fn uk_syscall(nr: i64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64 {
    let fd = a0 as i64;
    let _ = a5;
    match nr {
        0 => files::read(fd, a1, a2),
        1 => files::write(fd, a1, a2),
        2 => files::openat(-100, a0, a1, a2),
        3 => files::close(fd),
        4 => files::fstatat(-100, a0, a1, 0),
        5 => files::fstat(fd, a1),
        6 => files::fstatat(-100, a0, a1, 0x100),
        8 => files::lseek(fd, a1 as i64, a2),
        9 => {
            if a3 & 0x20 != 0 {
                memory::mmap(a1, a3, None, 0)
            } else {
                files::with_file_bytes(a4 as i64, |bytes| memory::mmap(a1, a3, bytes, a5))
                    .unwrap_or_else(|e| -e)
            }
        }
        10 => memory::accept_aligned(a0),
        11 => memory::munmap(a0, a1),
        12 => memory::brk(a0),
        13 => process::sigaction(a0, a2, a3),
        14 => process::sigprocmask(a0, a2, a3),
        16 => files::ioctl(fd, a1, a2),
        17 => files::pread(fd, a1, a2, a3 as i64),
        18 => files::pwrite(fd, a1, a2, a3 as i64),
        19 => files::vectored(fd, a1, a2, false),
        20 => files::vectored(fd, a1, a2, true),
        21 => files::access(-100, a0),
        24 => 0, // sched_yield: nothing else to run
        25 => memory::mremap(a0, a1, a2, a3),
        28 => memory::accept_aligned(a0), // madvise
        32 => files::dup(fd, None, 0),
        33 => files::dup(fd, Some(a1 as i64), 0),
        35 => time::sleep(1, a0, false),
        39 | 186 => process::PID, // getpid, gettid
        60 | 231 => process::exit(a0),
        62 => process::send_signal(a0 as i64, a1),
        63 => process::uname(a0),
        72 => files::fcntl(fd, a1, a2),
        74 | 75 => 0, // fsync, fdatasync: memory is the storage
        76 => files::truncate(a0, a1 as i64),
        77 => files::ftruncate(fd, a1 as i64),
        79 => files::getcwd(a0, a1),
        80 => files::chdir(a0),
        82 => files::renameat(-100, a0, -100, a1),
        83 => files::mkdirat(-100, a0, a1),
        84 => files::unlinkat(-100, a0, 0x200),
        87 => files::unlinkat(-100, a0, 0),
        89 => -EINVAL, // readlink: there are no symbolic links
        95 => 0o022,   // umask
        96 => time::gettimeofday(a0),
        102 | 104 | 107 | 108 => 0, // getuid, getgid, geteuid, getegid: root
        110 => 0,                   // getppid
        131 => 0,                   // sigaltstack
        158 => process::arch_prctl(a0, a1),
        200 => process::send_signal(a0 as i64, a1), // tkill
        201 => time::time(a0),
        217 => files::getdents64(fd, a1, a2),
        218 => process::PID, // set_tid_address
        228 => time::clock_gettime(a0, a1),
        229 => time::clock_getres(a0, a1),
        230 => time::sleep(a0, a2, a1 & 1 != 0),
        234 => process::send_signal(a1 as i64, a2), // tgkill
        257 => files::openat(fd, a1, a2, a3),
        258 => files::mkdirat(fd, a1, a2),
        262 => files::fstatat(fd, a1, a2, a3),
        263 => files::unlinkat(fd, a1, a2),
        264 | 316 => files::renameat(fd, a1, a2 as i64, a3),
        269 | 439 => files::access(fd, a1),
        273 => 0, // set_robust_list
        292 => files::dup(fd, Some(a1 as i64), a2),
        302 => {
            // prlimit64: no limits; report "unlimited" for reads.
            if a3 != 0 {
                // SAFETY: the caller passed a `struct rlimit` (two u64).
                unsafe { core::ptr::write_bytes(a3 as *mut u8, 0xff, 16) };
            }
            0
        }
        318 => process::getrandom(a0, a1),
        332 => files::statx(fd, a1, a2, a4),
        _ => unimplemented(nr),
    }
}
