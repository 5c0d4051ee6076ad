//! ukl musl_start: runs an unmodified static musl program. musl's `_start` (crt1.o) expects
//! the stack the Linux kernel builds for a new process: `argc`, the `argv` pointers, NULL, the
//! `envp` pointers (the boot library's environment: the command line's `env.NAME=VALUE`
//! words, or the process's own on linuxu), NULL, then the auxiliary vector. musl's static start-up reads
//! `AT_PHDR`/`AT_PHNUM`/`AT_PHENT` (to find `PT_TLS`), `AT_PAGESZ` and `AT_RANDOM` (the stack
//! protector's canary), then calls `_init`, `.init_array`, `main` and `exit`.
//!
//! An init hook (priority 90) registers [`uk_musl_start`] with the boot library, which then
//! calls it instead of `main`. System calls go to the `linux_syscall` library.
//!
//! The stack is an anonymous mapping asked of the system call layer with the `syscall`
//! instruction (on linuxu, of the host), with its lowest page made `PROT_NONE` as a guard: a
//! stack overflow in `main` faults there (a crash report that says so) instead of writing
//! over the heap below.
//!
//! Export: `uk_musl_start`. Imports: `_start` (crt1.o), `uk_boot_set_app_entry`,
//! `uk_boot_environ`, `ukarch_crash`, `__uk_image_start` (the link script: the ELF header is
//! loaded there).
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

use core::ffi::{c_char, c_int};

/// The process stack (Linux gives 8 MiB of which little is used; 1 MiB suits the examples).
const STACK_SIZE: usize = 1 << 20;
const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
/// argv entries the stack has room for (the boot library passes at most 127).
const MAX_ARGS: usize = 128;
/// Environment entries handed over (a process's environment on linuxu may be long).
const MAX_ENV: usize = 4096;

type AppEntry = extern "C" fn(c_int, *mut *mut c_char) -> !;

extern "C" {
    fn uk_boot_set_app_entry(entry: AppEntry);
    fn uk_boot_environ() -> *mut *mut c_char;
    fn ukarch_crash(why: *const c_char) -> !;
    static __uk_image_start: u8;
}

/// Program headers of the image, from the ELF header the first segment loads.
fn program_headers() -> (u64, u64, u64) {
    let header = core::ptr::addr_of!(__uk_image_start);
    // SAFETY: the link script loads the file header at `__uk_image_start` (FILEHDR PHDRS);
    // e_phoff is at offset 32, e_phentsize at 54, e_phnum at 56.
    unsafe {
        let phoff = header.add(32).cast::<u64>().read_unaligned();
        let phentsize = header.add(54).cast::<u16>().read_unaligned();
        let phnum = header.add(56).cast::<u16>().read_unaligned();
        (
            header as u64 + phoff,
            u64::from(phentsize),
            u64::from(phnum),
        )
    }
}

/// Linux's `syscall` ABI: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9; rcx and r11
/// clobbered.
fn syscall6(number: u64, args: [u64; 6]) -> i64 {
    let result: i64;
    // SAFETY: the calls made here (mmap of fresh anonymous memory, mprotect of it) change only
    // memory nothing else uses.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") number as i64 => result,
            in("rdi") args[0],
            in("rsi") args[1],
            in("rdx") args[2],
            in("r10") args[3],
            in("r8") args[4],
            in("r9") args[5],
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack)
        );
    }
    result
}

/// A fresh mapping of `STACK_SIZE` usable bytes above a `PROT_NONE` guard page; its usable
/// start, or None if the mapping failed.
fn map_stack() -> Option<*mut u64> {
    const MMAP: u64 = 9;
    const MPROTECT: u64 = 10;
    const PROT_READ_WRITE: u64 = 3;
    const MAP_PRIVATE_ANONYMOUS: u64 = 0x02 | 0x20;
    const GUARD: u64 = 4096;
    let total = STACK_SIZE as u64 + GUARD;
    let base = syscall6(
        MMAP,
        [
            0,
            total,
            PROT_READ_WRITE,
            MAP_PRIVATE_ANONYMOUS,
            u64::MAX,
            0,
        ],
    );
    if (-4095..=0).contains(&base) {
        return None;
    }
    // Without a guard (mprotect refused) the stack still works.
    let _ = syscall6(MPROTECT, [base as u64, GUARD, 0, 0, 0, 0]);
    Some((base as u64 + GUARD) as *mut u64)
}

/// Builds the initial stack and jumps to `_start`.
#[no_mangle]
extern "C" fn uk_musl_start(argc: c_int, argv: *mut *mut c_char) -> ! {
    let Some(stack) = map_stack() else {
        // SAFETY: the message is NUL-terminated.
        unsafe { ukarch_crash(c"musl_start: no memory for the process stack".as_ptr()) }
    };
    // RLIMIT_STACK says how large the main thread's stack may grow: this one does not grow,
    // so its soft limit is its size (the hard one stays unlimited, as Linux starts it).
    const SETRLIMIT: u64 = 160;
    const RLIMIT_STACK: u64 = 3;
    let limit = [STACK_SIZE as u64, u64::MAX];
    let _ = syscall6(SETRLIMIT, [RLIMIT_STACK, limit.as_ptr() as u64, 0, 0, 0, 0]);
    let words = STACK_SIZE / 8;
    // AT_RANDOM's 16 bytes sit in the top two words.
    // SAFETY: the top two words are inside the stack.
    let random = unsafe { stack.add(words - 2) };
    for i in 0..2 {
        // SAFETY: rdtsc has no side effect; the write stays in the two words above.
        unsafe {
            let t = core::arch::x86_64::_rdtsc();
            random
                .add(i)
                .write(t.rotate_left(17 * i as u32 + 7) ^ 0x9e37_79b9_7f4a_7c15);
        }
    }
    let (phdr, phent, phnum) = program_headers();
    let argc = (argc.max(0) as usize).min(MAX_ARGS - 1);
    let auxv = [
        (AT_PHDR, phdr),
        (AT_PHENT, phent),
        (AT_PHNUM, phnum),
        (AT_PAGESZ, 4096),
        (AT_RANDOM, random as u64),
        (AT_UID, 0),
        (AT_EUID, 0),
        (AT_GID, 0),
        (AT_EGID, 0),
        (AT_SECURE, 0),
        (AT_NULL, 0),
    ];
    // SAFETY: the boot library's environment is a NULL-terminated array.
    let environ = unsafe { uk_boot_environ() };
    let mut envc = 0;
    // SAFETY: reading stops at the NULL (or at MAX_ENV entries, which are all valid).
    while envc < MAX_ENV && !unsafe { environ.add(envc).read() }.is_null() {
        envc += 1;
    }
    // argc + argv + NULL + envp + NULL + auxv pairs, rounded to an even number of words so
    // that the stack pointer is 16-byte aligned, as the kernel leaves it.
    let count = (1 + argc + 1 + envc + 1 + auxv.len() * 2).next_multiple_of(2);
    // SAFETY: `count` words (at most 1 + 128 + 1 + 4096 + 1 + 22 + 1) fit below the random
    // bytes of a 1 MiB stack.
    let top = unsafe { stack.add(words - 2 - count) };
    let mut at = 0;
    let mut push = |word: u64| {
        // SAFETY: `at` stays below `count`, inside the fresh stack.
        unsafe { top.add(at).write(word) };
        at += 1;
    };
    push(argc as u64);
    for i in 0..argc {
        // SAFETY: the boot library passes `argc` valid pointers.
        push(unsafe { argv.add(i).read() } as u64);
    }
    push(0);
    for i in 0..envc {
        // SAFETY: `envc` entries were counted above.
        push(unsafe { environ.add(i).read() } as u64);
    }
    push(0);
    // The word that rounds `count` up (if any) is above AT_NULL, where nothing reads.
    for (key, value) in auxv {
        push(key);
        push(value);
    }
    // SAFETY: `_start` takes over with the stack Linux would give it and never returns.
    unsafe {
        core::arch::asm!(
            "mov rsp, {top}",
            "xor ebp, ebp",
            "jmp _start",
            top = in(reg) top,
            options(noreturn)
        )
    }
}

extern "C" fn register() -> i32 {
    // SAFETY: registering an entry is what the boot library's interface is for.
    unsafe { uk_boot_set_app_entry(uk_musl_start) };
    0
}

#[used]
#[link_section = ".uk_inittab.90"]
static MUSL_START_INIT: extern "C" fn() -> i32 = register;
