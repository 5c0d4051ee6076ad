//! What linux_net takes from other pool libraries: linux_syscall (registration, descriptors
//! of objects, the caller's frame) and netstack's `uk_netstack_*` API (negative errno
//! results, socket ids).

/// `struct uk_syscall_frame` (linux_syscall's `uk/syscall.h`).
#[repr(C)]
pub struct Frame {
    pub rax: u64,
    pub r9: u64,
    pub r8: u64,
    pub r10: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub rbx: u64,
    pub rbp: u64,
    pub rip: u64,
    pub rflags: u64,
}

impl Frame {
    /// The six arguments, in the Linux order.
    pub fn args(&self) -> [u64; 6] {
        [self.rdi, self.rsi, self.rdx, self.r10, self.r8, self.r9]
    }
}

pub type Handler = unsafe extern "C" fn(frame: *mut Frame) -> i64;

/// `struct uk_file_ops`.
#[repr(C)]
pub struct FileOps {
    pub mode: u32,
    pub pad: u32,
    pub read: unsafe extern "C" fn(handle: u64, buffer: *mut u8, len: usize) -> i64,
    pub write: unsafe extern "C" fn(handle: u64, buffer: *const u8, len: usize) -> i64,
    pub close: unsafe extern "C" fn(handle: u64) -> i32,
    pub readiness: unsafe extern "C" fn(handle: u64) -> i32,
    pub set_nonblocking: unsafe extern "C" fn(handle: u64, on: i32) -> i32,
    pub progress: Option<unsafe extern "C" fn() -> i32>,
}

extern "C" {
    pub fn uk_syscall_register(nr: i64, handler: Option<Handler>) -> i32;
    pub fn uk_syscall_fd_open(ops: *const FileOps, handle: u64, flags: u64) -> i64;
    pub fn uk_syscall_fd_object(fd: i64, ops: *const FileOps, handle: *mut u64) -> i64;

    pub fn uk_netstack_socket(domain: i32, kind: i32, protocol: i32) -> i32;
    pub fn uk_netstack_bind(sock: i32, address: *const u8, len: u32) -> i32;
    pub fn uk_netstack_listen(sock: i32, backlog: i32) -> i32;
    pub fn uk_netstack_accept(sock: i32, address: *mut u8, len: *mut u32, flags: i32) -> i32;
    pub fn uk_netstack_connect(sock: i32, address: *const u8, len: u32) -> i32;
    pub fn uk_netstack_sendto(
        sock: i32,
        buffer: *const u8,
        len: usize,
        flags: i32,
        address: *const u8,
        address_len: u32,
    ) -> i64;
    pub fn uk_netstack_recvfrom(
        sock: i32,
        buffer: *mut u8,
        len: usize,
        flags: i32,
        address: *mut u8,
        address_len: *mut u32,
    ) -> i64;
    pub fn uk_netstack_close(sock: i32) -> i32;
    pub fn uk_netstack_shutdown(sock: i32, how: i32) -> i32;
    pub fn uk_netstack_setsockopt(
        sock: i32,
        level: i32,
        name: i32,
        value: *const u8,
        len: u32,
    ) -> i32;
    pub fn uk_netstack_getsockopt(
        sock: i32,
        level: i32,
        name: i32,
        value: *mut u8,
        len: *mut u32,
    ) -> i32;
    pub fn uk_netstack_getsockname(sock: i32, address: *mut u8, len: *mut u32) -> i32;
    pub fn uk_netstack_getpeername(sock: i32, address: *mut u8, len: *mut u32) -> i32;
    pub fn uk_netstack_set_nonblocking(sock: i32, on: i32) -> i32;
    pub fn uk_netstack_readiness(sock: i32) -> i32;
    pub fn uk_netstack_poll() -> i32;
}

/// Linux error numbers (returned negated).
pub const EFAULT: i64 = 14;
pub const EINVAL: i64 = 22;
pub const EMSGSIZE: i64 = 90;
pub const EAFNOSUPPORT: i64 = 97;
