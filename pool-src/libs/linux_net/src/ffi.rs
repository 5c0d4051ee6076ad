//! What linux_net takes from other pool libraries: linux_syscall (registration, descriptors
//! of objects, the caller's frame) and netstack's `uk_netstack_*` API (negative errno
//! results, socket ids).

pub use syscall_abi::{FileOps, Frame, Handler};

extern "C" {
    pub fn uk_syscall_register(nr: i64, handler: Option<Handler>) -> i32;
    pub fn uk_syscall_fd_open(ops: *const FileOps, handle: u64, flags: u64) -> i64;
    pub fn uk_syscall_fd_object(fd: i64, ops: *const FileOps, handle: *mut u64) -> i64;
    pub fn uk_syscall_builtin(frame: *mut Frame) -> i64;
    pub fn uk_signal_interrupted(restartable: i32) -> i32;
    pub fn uk_netstack_interrupt_hook(hook: Option<unsafe extern "C" fn(i32) -> i32>);

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
    pub fn uk_netstack_available(sock: i32) -> i64;
    pub fn uk_netstack_set_nonblocking(sock: i32, on: i32) -> i32;
    pub fn uk_netstack_readiness(sock: i32) -> i32;
    pub fn uk_netstack_poll() -> i32;
}

/// Linux error numbers (returned negated).
pub const EFAULT: i64 = 14;
pub const EINVAL: i64 = 22;
pub const ENOTSOCK: i64 = 88;
pub const EMSGSIZE: i64 = 90;
