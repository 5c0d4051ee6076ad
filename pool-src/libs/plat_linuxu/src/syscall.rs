//! Raw Linux system calls (x86_64: number in `rax`, arguments in `rdi rsi rdx r10 r8 r9`, the
//! result in `rax`, `rcx` and `r11` clobbered). No libc: the pool's libc is not Linux's.
//!
//! Results are the kernel's: a value in `-4095..=-1` is a negated errno.

pub const READ: usize = 0;
pub const WRITE: usize = 1;
pub const CLOSE: usize = 3;
pub const POLL: usize = 7;
pub const FSTAT: usize = 5;
pub const MMAP: usize = 9;
pub const MUNMAP: usize = 11;
pub const RT_SIGACTION: usize = 13;
pub const RT_SIGRETURN: usize = 15;
pub const MINCORE: usize = 27;
pub const SIGALTSTACK: usize = 131;
pub const ARCH_PRCTL: usize = 158;
pub const CLOCK_GETTIME: usize = 228;
pub const EXIT_GROUP: usize = 231;
pub const OPENAT: usize = 257;

/// `EINTR`: a system call interrupted by a signal.
pub const EINTR: isize = 4;

/// True if a raw result is a negated errno.
pub fn is_error(result: isize) -> bool {
    (-4095..0).contains(&result)
}

// The platform's system call gate: every system call of the pool's own code on linuxu goes
// through this one `syscall` instruction (tap_net uses it too), so a seccomp filter that traps
// the application's calls (linux_syscall_trap) lets the pool's through by their instruction
// pointer: the range from `ukplat_linuxu_syscall_gate_start` to `_end`.
core::arch::global_asm!(
    ".pushsection .text.ukplat_linuxu_syscall, \"ax\", @progbits",
    ".globl ukplat_linuxu_syscall",
    ".type ukplat_linuxu_syscall, @function",
    ".globl ukplat_linuxu_syscall_gate_start",
    ".globl ukplat_linuxu_syscall_gate_end",
    "ukplat_linuxu_syscall:",
    "    mov rax, rdi",
    "    mov rdi, rsi",
    "    mov rsi, rdx",
    "    mov rdx, rcx",
    "    mov r10, r8",
    "    mov r8, r9",
    "    mov r9, [rsp + 8]",
    "ukplat_linuxu_syscall_gate_start:",
    "    syscall",
    "ukplat_linuxu_syscall_gate_end:",
    "    ret",
    ".size ukplat_linuxu_syscall, . - ukplat_linuxu_syscall",
    ".popsection",
);

extern "C" {
    /// `syscall(number, a0..a5)` through the gate: the kernel's result (a negated errno on
    /// failure). Exported for the pool's other linuxu code.
    pub fn ukplat_linuxu_syscall(
        number: isize,
        a0: usize,
        a1: usize,
        a2: usize,
        a3: usize,
        a4: usize,
        a5: usize,
    ) -> isize;
}

/// A system call with up to six arguments (unused ones are 0).
///
/// # Safety
/// The arguments must be valid for system call `number` (pointers to memory of the sizes it
/// reads or writes); calls that change the address space or signal state must not break what
/// Rust code relies on.
pub unsafe fn syscall6(number: usize, arguments: [usize; 6]) -> isize {
    let [a0, a1, a2, a3, a4, a5] = arguments;
    // SAFETY: the gate is an ordinary function around `syscall` (the kernel clobbers only
    // rax, rcx and r11 and never touches the user stack); the caller vouches for the
    // arguments.
    unsafe { ukplat_linuxu_syscall(number as isize, a0, a1, a2, a3, a4, a5) }
}

/// Ends the process with `status` (all threads). Never returns.
pub fn exit_group(status: i32) -> ! {
    loop {
        // SAFETY: exit_group takes a plain integer and ends the process.
        unsafe { syscall6(EXIT_GROUP, [status as usize, 0, 0, 0, 0, 0]) };
    }
}

/// `write(fd, bytes)`: the number of bytes written, or a negated errno.
pub fn write(fd: i32, bytes: &[u8]) -> isize {
    // SAFETY: the kernel reads `bytes.len()` bytes from a valid slice.
    unsafe {
        syscall6(
            WRITE,
            [fd as usize, bytes.as_ptr() as usize, bytes.len(), 0, 0, 0],
        )
    }
}

/// `read(fd, buffer)`: the number of bytes read, or a negated errno.
pub fn read(fd: i32, buffer: &mut [u8]) -> isize {
    // SAFETY: the kernel writes at most `buffer.len()` bytes into a valid slice.
    unsafe {
        syscall6(
            READ,
            [
                fd as usize,
                buffer.as_mut_ptr() as usize,
                buffer.len(),
                0,
                0,
                0,
            ],
        )
    }
}

/// Whether `fd` can be read without waiting (data, its end, or an error to report); Err when
/// it cannot be polled.
pub fn poll_in(fd: i32) -> Result<bool, ()> {
    const POLLIN: i16 = 1;
    let mut entry: [i32; 2] = [fd, i32::from(POLLIN)];
    // SAFETY: one `struct pollfd` (fd, events, revents) that lives for the call; no timeout.
    let ready = unsafe { syscall6(POLL, [entry.as_mut_ptr() as usize, 1, 0, 0, 0, 0]) };
    match ready {
        0 => Ok(false),
        1 => Ok(entry[1] >> 16 != 0),
        _ => Err(()),
    }
}

/// Writes all of `bytes` to `fd`, retrying after partial writes and `EINTR`; stops silently on
/// any other error (there is nowhere to report it).
pub fn write_all(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        let written = write(fd, bytes);
        if written == -EINTR {
            continue;
        }
        if written <= 0 {
            return;
        }
        bytes = &bytes[written as usize..];
    }
}

/// True if the page holding `address` is mapped (`mincore` fails with ENOMEM otherwise). Used to
/// read stack frames safely from a crash handler.
pub fn is_mapped(address: u64) -> bool {
    let page = address & !0xfff;
    let mut residency = 0u8;
    // SAFETY: mincore writes one byte per page of the (one-page) range into `residency`.
    let result = unsafe {
        syscall6(
            MINCORE,
            [page as usize, 1, &raw mut residency as usize, 0, 0, 0],
        )
    };
    result == 0
}
