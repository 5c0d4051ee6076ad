//! netstack's C API (pool-src/libs/netstack/include/uk/netstack.h) and boot's idle hook.

use core::ffi::{c_int, c_void};

extern "C" {
    pub fn uk_netstack_socket(domain: c_int, kind: c_int, protocol: c_int) -> c_int;
    pub fn uk_netstack_bind(sock: c_int, address: *const c_void, len: u32) -> c_int;
    pub fn uk_netstack_listen(sock: c_int, backlog: c_int) -> c_int;
    pub fn uk_netstack_accept(
        sock: c_int,
        address: *mut c_void,
        len: *mut u32,
        flags: c_int,
    ) -> c_int;
    pub fn uk_netstack_connect(sock: c_int, address: *const c_void, len: u32) -> c_int;
    pub fn uk_netstack_sendto(
        sock: c_int,
        buf: *const c_void,
        len: usize,
        flags: c_int,
        address: *const c_void,
        address_len: u32,
    ) -> i64;
    pub fn uk_netstack_recvfrom(
        sock: c_int,
        buf: *mut c_void,
        len: usize,
        flags: c_int,
        address: *mut c_void,
        address_len: *mut u32,
    ) -> i64;
    pub fn uk_netstack_close(sock: c_int) -> c_int;
    pub fn uk_netstack_shutdown(sock: c_int, how: c_int) -> c_int;
    pub fn uk_netstack_setsockopt(
        sock: c_int,
        level: c_int,
        name: c_int,
        value: *const c_void,
        len: u32,
    ) -> c_int;
    pub fn uk_netstack_getsockopt(
        sock: c_int,
        level: c_int,
        name: c_int,
        value: *mut c_void,
        len: *mut u32,
    ) -> c_int;
    pub fn uk_netstack_getsockname(sock: c_int, address: *mut c_void, len: *mut u32) -> c_int;
    pub fn uk_netstack_getpeername(sock: c_int, address: *mut c_void, len: *mut u32) -> c_int;
    pub fn uk_netstack_set_nonblocking(sock: c_int, on: c_int) -> c_int;
    pub fn uk_netstack_nonblocking(sock: c_int) -> c_int;
    pub fn uk_netstack_readiness(sock: c_int) -> c_int;
    pub fn uk_netstack_poll() -> c_int;
    pub fn uk_idle();
    pub fn ukplat_monotonic_ns() -> u64;
}
