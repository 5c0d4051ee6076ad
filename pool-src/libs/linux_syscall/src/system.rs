//! What a program asks about the machine and its own process: CPUs (`sched_getaffinity`: one
//! CPU), memory (`sysinfo`: the heap), resource usage (`getrusage`, `times`: the time since
//! boot is the process's, as for `CLOCK_PROCESS_CPUTIME_ID`), identities (user and group ids
//! are remembered — one process with no permission checks, so any id may be set — process
//! group and session are the process itself), the scheduling priority, the process name
//! (`prctl`), and children (there are none: `wait4` fails with ECHILD).

use crate::errno::*;
use crate::platform::ukplat_monotonic_ns;
use crate::process::PID;
use core::sync::atomic::{AtomicI64, AtomicU32, Ordering};

const ECHILD: i64 = 10;
/// `clock_t` ticks per second (`sysconf(_SC_CLK_TCK)`, USER_HZ).
const TICKS_PER_SECOND: u64 = 100;

/// `struct uk_alloc_stats` (ukalloc).
#[repr(C)]
#[derive(Default)]
pub struct MemoryStats {
    pub total_bytes: usize,
    pub used_bytes: usize,
    pub free_bytes: usize,
    pub peak_used_bytes: usize,
    pub alloc_count: usize,
    pub free_count: usize,
    pub failed_count: usize,
}

extern "C" {
    fn uk_alloc_stats(out: *mut MemoryStats);
}

/// The allocator's counters: the machine's memory as the program sees it.
pub fn memory() -> MemoryStats {
    let mut stats = MemoryStats::default();
    // SAFETY: a valid `struct uk_alloc_stats` to fill.
    unsafe { uk_alloc_stats(&mut stats) };
    stats
}

fn uptime_ns() -> u64 {
    // SAFETY: a plain query.
    unsafe { ukplat_monotonic_ns() }
}

/// Writes `words` (64-bit each) at `out`, the caller's structure of at least that size.
fn write_words(out: u64, words: &[u64]) -> i64 {
    if out == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed a structure of at least `words.len()` 64-bit fields.
    unsafe { core::ptr::copy_nonoverlapping(words.as_ptr(), out as *mut u64, words.len()) };
    0
}

/// Is `pid` this process (0 or its id; any thread id counts, since threads share it)?
fn is_self(pid: u64) -> bool {
    (pid as i64) >= 0
}

/// `sched_getaffinity(pid, len, mask)`: CPU 0 only; returns the bytes written (one long).
pub fn getaffinity(pid: u64, len: u64, mask: u64) -> i64 {
    if !is_self(pid) {
        return -ESRCH;
    }
    if len < 8 || !len.is_multiple_of(8) {
        return -EINVAL;
    }
    match write_words(mask, &[1]) {
        0 => 8,
        e => e,
    }
}

/// `sched_setaffinity(pid, len, mask)`: a mask must include CPU 0, the only one.
pub fn setaffinity(pid: u64, len: u64, mask: u64) -> i64 {
    if !is_self(pid) {
        return -ESRCH;
    }
    if len == 0 || mask == 0 {
        return -EINVAL;
    }
    // SAFETY: the caller passed `len` (> 0) bytes of mask.
    let first = unsafe { (mask as *const u8).read() };
    if first & 1 == 0 {
        -EINVAL
    } else {
        0
    }
}

/// `sysinfo(info)`: uptime, the heap as RAM, one process, no swap.
pub fn sysinfo(out: u64) -> i64 {
    let memory = memory();
    let mut words = [0u64; 14];
    words[0] = uptime_ns() / 1_000_000_000;
    words[4] = memory.total_bytes as u64;
    words[5] = memory.free_bytes as u64;
    words[10] = 1; // procs (u16), then padding
    words[13] = 1; // mem_unit (u32)
    write_words(out, &words)
}

/// `getrusage(who, usage)`: the process (and each thread, on one CPU) used the CPU since
/// boot; children used nothing. `ru_maxrss` is the heap's peak use, in KiB.
pub fn getrusage(who: u64, out: u64) -> i64 {
    const RUSAGE_SELF: i64 = 0;
    const RUSAGE_CHILDREN: i64 = -1;
    const RUSAGE_THREAD: i64 = 1;
    let mut words = [0u64; 18];
    match who as i64 {
        RUSAGE_SELF | RUSAGE_THREAD => {
            let ns = uptime_ns();
            words[0] = ns / 1_000_000_000;
            words[1] = ns % 1_000_000_000 / 1000;
            words[4] = memory().peak_used_bytes as u64 / 1024;
        }
        RUSAGE_CHILDREN => {}
        _ => return -EINVAL,
    }
    write_words(out, &words)
}

/// `times(buf)`: user time since boot, in clock ticks; returns the ticks since boot.
pub fn times(out: u64) -> i64 {
    let ticks = uptime_ns() / (1_000_000_000 / TICKS_PER_SECOND);
    if out != 0 {
        let e = write_words(out, &[ticks, 0, 0, 0]);
        if e < 0 {
            return e;
        }
    }
    ticks as i64
}

/// `RLIM_INFINITY`.
const UNLIMITED: u64 = u64::MAX;
pub const RLIMIT_DATA: usize = 2;
const RLIMIT_STACK: usize = 3;
const RLIMIT_CORE: usize = 4;
pub const RLIMIT_NOFILE: usize = 7;
const RLIMIT_MEMLOCK: usize = 8;
pub const RLIMIT_AS: usize = 9;
const RLIMIT_SIGPENDING: usize = 11;
const RLIMIT_MSGQUEUE: usize = 12;
const RLIMIT_NICE: usize = 13;
const RLIMIT_RTPRIO: usize = 14;
const RLIM_NLIMITS: usize = 16;
/// Linux's `fs.nr_open`: the most descriptors a process may be allowed.
pub const NR_OPEN: u64 = 1 << 20;

/// The resource limits, (soft, hard) by resource, starting as Linux's initial process has
/// them (`INIT_RLIMITS`): 1,024 descriptors (4,096 at most), an 8 MiB stack, no core files,
/// 8 MiB of locked memory, the POSIX message queue's 800 KiB; everything else unlimited.
static LIMITS: crate::cell::Global<[(u64, u64); RLIM_NLIMITS]> = crate::cell::Global::new({
    let mut limits = [(UNLIMITED, UNLIMITED); RLIM_NLIMITS];
    limits[RLIMIT_STACK] = (8 << 20, UNLIMITED);
    limits[RLIMIT_CORE] = (0, UNLIMITED);
    limits[RLIMIT_NOFILE] = (1024, 4096);
    limits[RLIMIT_MEMLOCK] = (8 << 20, 8 << 20);
    limits[RLIMIT_SIGPENDING] = (0x3fff, 0x3fff);
    limits[RLIMIT_MSGQUEUE] = (819_200, 819_200);
    limits[RLIMIT_NICE] = (0, 0);
    limits[RLIMIT_RTPRIO] = (0, 0);
    limits
});

/// The soft limit of `resource` (an `RLIMIT_*` number), which the calls that Linux limits by
/// it enforce: descriptor numbers (`RLIMIT_NOFILE`), mapped memory (`RLIMIT_AS`,
/// `RLIMIT_DATA`).
pub fn limit(resource: usize) -> u64 {
    LIMITS.with(|limits| limits[resource].0)
}

/// `prlimit64(pid, resource, new, old)` (and `getrlimit`/`setrlimit`): limits are kept per
/// resource and enforced where Linux enforces them ([`limit`]). The program runs as root
/// (`CAP_SYS_RESOURCE`), so it may raise a hard limit, but not the descriptor limit beyond
/// `fs.nr_open` (EPERM), and a soft limit never above its hard one (EINVAL).
pub fn prlimit(pid: u64, resource: u64, new: u64, old: u64) -> i64 {
    if !is_self(pid) {
        return -ESRCH;
    }
    let Some(resource) = usize::try_from(resource).ok().filter(|r| *r < RLIM_NLIMITS) else {
        return -EINVAL;
    };
    let requested = if new != 0 {
        // SAFETY: the caller passed a `struct rlimit` (soft, hard).
        let [soft, hard] = unsafe { (new as *const [u64; 2]).read_unaligned() };
        if soft > hard {
            return -EINVAL;
        }
        if resource == RLIMIT_NOFILE && hard > NR_OPEN {
            return -EPERM;
        }
        Some((soft, hard))
    } else {
        None
    };
    let previous = LIMITS.with(|limits| {
        let previous = limits[resource];
        if let Some(requested) = requested {
            limits[resource] = requested;
        }
        previous
    });
    if old != 0 {
        // SAFETY: as above, for the old limit.
        unsafe { (old as *mut [u64; 2]).write_unaligned([previous.0, previous.1]) };
    }
    0
}

/// `getpgid`/`getsid(pid)`: the process leads its own group and session.
pub fn group_of(pid: u64) -> i64 {
    if is_self(pid) {
        PID
    } else {
        -ESRCH
    }
}

/// `setpgid(pid, pgid)`: already the leader of its group.
pub fn setpgid(pid: u64, pgid: u64) -> i64 {
    match (pid as i64, pgid as i64) {
        (p, g) if p < 0 || g < 0 => -EINVAL,
        (0 | PID, 0 | PID) => 0,
        _ => -EPERM,
    }
}

/// User and group ids: real, effective and saved, all one value each (root at boot).
static UID: AtomicU32 = AtomicU32::new(0);
static GID: AtomicU32 = AtomicU32::new(0);

/// `getuid`/`geteuid` (`group` false) and `getgid`/`getegid`.
pub fn id(group: bool) -> i64 {
    i64::from(if group { &GID } else { &UID }.load(Ordering::Relaxed))
}

/// `setuid`/`setgid`, `setreuid`/`setregid` and `setresuid`/`setresgid`: the last id that is
/// not -1 is the process's.
pub fn set_id(group: bool, ids: &[u64]) -> i64 {
    let store = if group { &GID } else { &UID };
    for &id in ids {
        if id as u32 != u32::MAX {
            store.store(id as u32, Ordering::Relaxed);
        }
    }
    0
}

/// `getresuid`/`getresgid(real, effective, saved)`.
pub fn get_res_id(group: bool, out: [u64; 3]) -> i64 {
    let id = id(group) as u32;
    for pointer in out {
        if pointer == 0 {
            return -EFAULT;
        }
        // SAFETY: the caller passed three `uid_t *`.
        unsafe { (pointer as *mut u32).write_unaligned(id) };
    }
    0
}

static NICE: AtomicI64 = AtomicI64::new(0);

/// `getpriority(which, who)`: the kernel's form, 20 - nice.
pub fn getpriority(which: u64, who: u64) -> i64 {
    if which > 2 {
        return -EINVAL;
    }
    if !is_self(who) {
        return -ESRCH;
    }
    20 - NICE.load(Ordering::Relaxed)
}

/// `setpriority(which, who, nice)`, clamped to -20..=19 as on Linux.
pub fn setpriority(which: u64, who: u64, nice: u64) -> i64 {
    if which > 2 {
        return -EINVAL;
    }
    if !is_self(who) {
        return -ESRCH;
    }
    NICE.store((nice as i32 as i64).clamp(-20, 19), Ordering::Relaxed);
    0
}

/// The process name (`PR_SET_NAME`, 16 bytes with the NUL; "main" at boot).
static NAME: crate::cell::Global<[u8; 16]> =
    crate::cell::Global::new(*b"main\0\0\0\0\0\0\0\0\0\0\0\0");

/// `prctl(option, argument)`: the name, the dumpable flag and the parent-death signal;
/// anything else is EINVAL.
pub fn prctl(option: u64, argument: u64) -> i64 {
    const PR_SET_PDEATHSIG: u64 = 1;
    const PR_GET_PDEATHSIG: u64 = 2;
    const PR_GET_DUMPABLE: u64 = 3;
    const PR_SET_DUMPABLE: u64 = 4;
    const PR_SET_NAME: u64 = 15;
    const PR_GET_NAME: u64 = 16;
    match option {
        PR_SET_NAME | PR_GET_NAME if argument == 0 => -EFAULT,
        PR_SET_NAME => NAME.with(|name| {
            *name = [0; 16];
            for (i, slot) in name.iter_mut().take(15).enumerate() {
                // SAFETY: the caller passed a NUL-terminated string; reading stops at the NUL.
                let byte = unsafe { ((argument + i as u64) as *const u8).read() };
                if byte == 0 {
                    break;
                }
                *slot = byte;
            }
            0
        }),
        PR_GET_NAME => NAME.with(|name| {
            // SAFETY: the caller passed a 16-byte buffer.
            unsafe { core::ptr::copy_nonoverlapping(name.as_ptr(), argument as *mut u8, 16) };
            0
        }),
        PR_SET_PDEATHSIG | PR_SET_DUMPABLE => 0,
        PR_GET_PDEATHSIG if argument != 0 => {
            // SAFETY: the caller passed an `int *`.
            unsafe { (argument as *mut i32).write_unaligned(0) };
            0
        }
        PR_GET_DUMPABLE => 1,
        _ => crate::table::unsupported(157, "option", option, EINVAL),
    }
}

/// `getcpu(cpu, node, cache)`: CPU 0 of node 0.
pub fn getcpu(cpu: u64, node: u64) -> i64 {
    for pointer in [cpu, node] {
        if pointer != 0 {
            // SAFETY: the caller passed an `unsigned *` (or null).
            unsafe { (pointer as *mut u32).write_unaligned(0) };
        }
    }
    0
}

/// `wait4`/`waitid`: no process has children here.
pub fn wait_child() -> i64 {
    -ECHILD
}
