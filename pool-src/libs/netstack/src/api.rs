//! netstack's C API, `uk_netstack_*`: the BSD socket operations on socket ids (indexes into
//! netstack's own table, not file descriptors: whoever owns descriptors maps them). Each
//! function maps its arguments, runs on the stack, and returns >= 0 or a negative errno; none
//! touches `errno`.
//!
//! Blocking calls poll the device and the stack in a loop, calling boot's `uk_idle` between
//! polls so that other threads run; a socket's non-blocking flag and SO_RCVTIMEO/SO_SNDTIMEO
//! bound them, and so does a system call layer's signals ([`uk_netstack_interrupt_hook`]: a
//! signal ends a blocking call with EINTR, or with the layer's restart code).

use core::ffi::{c_int, c_void};

use smoltcp::socket::{tcp, udp};
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{IpEndpoint, IpListenEndpoint, Ipv4Address};

use crate::errno::*;
use crate::file::{self, File, Kind};
use crate::sockaddr;
use crate::stack::{self, Net};

const SOCK_STREAM: c_int = 1;
const SOCK_DGRAM: c_int = 2;
const SOCK_NONBLOCK: c_int = 0o4000;
const SOCK_CLOEXEC: c_int = 0o2000000;
const IPPROTO_TCP: c_int = 6;
const IPPROTO_UDP: c_int = 17;
const SOL_SOCKET: c_int = 1;
const SO_REUSEADDR: c_int = 2;
const SO_ERROR: c_int = 4;
const SO_SNDBUF: c_int = 7;
const SO_RCVBUF: c_int = 8;
const SO_KEEPALIVE: c_int = 9;
const SO_LINGER: c_int = 13;
const SO_REUSEPORT: c_int = 15;
const SO_RCVTIMEO: c_int = 20;
const SO_SNDTIMEO: c_int = 21;
const TCP_NODELAY: c_int = 1;
const MSG_DONTWAIT: c_int = 0x40;

extern "C" {
    fn uk_idle();
}

fn index(sock: c_int) -> Result<usize, c_int> {
    usize::try_from(sock).map_err(|_| EBADF)
}

/// The C convention of this API: the value, or the negated errno.
fn answer(result: Result<c_int, c_int>) -> c_int {
    result.unwrap_or_else(|code| -code)
}

/// `answer` for byte counts.
fn answer64(result: Result<isize, c_int>) -> i64 {
    result.map_or_else(|code| -(code as i64), |n| n as i64)
}

fn file(net: &mut Net, sock: c_int) -> Result<&mut File, c_int> {
    let i = index(sock)?;
    net.files.get_mut(i).and_then(Option::as_mut).ok_or(EBADF)
}

/// The file and the socket set, borrowed separately.
fn parts(
    net: &mut Net,
    sock: c_int,
) -> Result<(&mut File, &mut smoltcp::iface::SocketSet<'static>), c_int> {
    let f = net
        .files
        .get_mut(index(sock)?)
        .and_then(Option::as_mut)
        .ok_or(EBADF)?;
    Ok((f, &mut net.sockets))
}

fn install(net: &mut Net, file: File) -> c_int {
    match net.files.iter().position(Option::is_none) {
        Some(i) => {
            net.files[i] = Some(file);
            i as c_int
        }
        None => {
            net.files.push(Some(file));
            net.files.len() as c_int - 1
        }
    }
}

fn on_stack<R>(f: impl FnOnce(&mut Net) -> Result<R, c_int>) -> Result<R, c_int> {
    stack::with(f).unwrap_or(Err(ENETDOWN))
}

/// Polls until `attempt` gives an answer, or fails with EAGAIN when the file is non-blocking or
/// its timeout has passed.
fn block<R>(
    nonblocking: bool,
    timeout: Option<Duration>,
    mut attempt: impl FnMut(&mut Net) -> Option<Result<R, c_int>>,
) -> Result<R, c_int> {
    let deadline: Option<Instant> = timeout.map(|t| stack::now() + t);
    loop {
        let answer = stack::with(|net| {
            net.poll();
            attempt(net)
        })
        .ok_or(ENETDOWN)?;
        if let Some(answer) = answer {
            return answer;
        }
        if nonblocking || deadline.is_some_and(|d| stack::now() >= d) {
            return Err(EAGAIN);
        }
        if let Some(code) = interrupted(timeout.is_none()) {
            return Err(code);
        }
        // SAFETY: boot's idle hook; the stack is not borrowed while other threads run.
        unsafe { uk_idle() };
    }
}

/// `hook(restartable)`: 0, or the positive error number with which a signal ends a blocking
/// call now (`restartable`: the call has no timeout, so Linux restarts it after a handler
/// with `SA_RESTART`).
type InterruptHook = unsafe extern "C" fn(restartable: c_int) -> c_int;

static INTERRUPT_HOOK: core::sync::atomic::AtomicPtr<()> =
    core::sync::atomic::AtomicPtr::new(core::ptr::null_mut());

/// Lets a system call layer's signals end blocking calls (linux_net registers linux_syscall's
/// `uk_signal_interrupted`); NULL: nothing ends them but their answer or timeout.
#[no_mangle]
pub extern "C" fn uk_netstack_interrupt_hook(hook: Option<InterruptHook>) {
    let pointer = hook.map_or(core::ptr::null_mut(), |h| h as *mut ());
    INTERRUPT_HOOK.store(pointer, core::sync::atomic::Ordering::Release);
}

fn interrupted(restartable: bool) -> Option<c_int> {
    let pointer = INTERRUPT_HOOK.load(core::sync::atomic::Ordering::Acquire);
    if pointer.is_null() {
        return None;
    }
    // SAFETY: only `uk_netstack_interrupt_hook` stores here, and only `InterruptHook` values.
    let hook = unsafe { core::mem::transmute::<*mut (), InterruptHook>(pointer) };
    // SAFETY: the hook only looks at its signals.
    let code = unsafe { hook(c_int::from(restartable)) };
    (code != 0).then_some(code)
}

/// Blocking behaviour of a file: (non-blocking, receive timeout, send timeout).
fn mode(sock: c_int) -> Result<(bool, Option<Duration>, Option<Duration>), c_int> {
    on_stack(|net| {
        let f = file(net, sock)?;
        Ok((f.nonblocking, f.recv_timeout, f.send_timeout))
    })
}

#[no_mangle]
pub extern "C" fn uk_netstack_socket(domain: c_int, kind: c_int, protocol: c_int) -> c_int {
    answer((|| {
        if domain != sockaddr::AF_INET as c_int {
            return Err(EAFNOSUPPORT);
        }
        let nonblocking = kind & SOCK_NONBLOCK != 0;
        let base = kind & !(SOCK_NONBLOCK | SOCK_CLOEXEC);
        on_stack(|net| {
            let mut file = match (base, protocol) {
                (SOCK_STREAM, 0 | IPPROTO_TCP) => File::new(Kind::Tcp(None)),
                (SOCK_DGRAM, 0 | IPPROTO_UDP) => {
                    File::new(Kind::Udp(net.sockets.add(file::new_udp_socket())))
                }
                _ => return Err(EPROTONOSUPPORT),
            };
            file.nonblocking = nonblocking;
            Ok(install(net, file))
        })
    })())
}

/// # Safety
/// `address` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_bind(sock: c_int, address: *const u8, len: u32) -> c_int {
    // SAFETY: forwarded from the caller.
    let parsed = unsafe { sockaddr::read(address, len) };
    answer(on_stack(|net| {
        let (ip, port) = parsed?;
        let port = if port == 0 {
            net.ephemeral_port()
        } else {
            port
        };
        if net.port_in_use(port) {
            return Err(EADDRINUSE);
        }
        let endpoint = IpListenEndpoint {
            addr: (!ip.is_unspecified()).then_some(ip.into()),
            port,
        };
        let (sockets, files) = (&mut net.sockets, &mut net.files);
        let f = files
            .get_mut(index(sock)?)
            .and_then(Option::as_mut)
            .ok_or(EBADF)?;
        if f.bound.is_some() {
            return Err(EINVAL);
        }
        if let Kind::Udp(handle) = f.kind {
            sockets
                .get_mut::<udp::Socket>(handle)
                .bind(endpoint)
                .map_err(|_| EINVAL)?;
        }
        f.bound = Some(endpoint);
        Ok(0)
    }))
}

#[no_mangle]
pub extern "C" fn uk_netstack_listen(sock: c_int, backlog: c_int) -> c_int {
    answer(on_stack(|net| {
        let depth = (backlog.max(1) as usize).min(file::MAX_BACKLOG);
        let port = match file(net, sock)?.bound {
            Some(endpoint) => endpoint.port,
            None => net.ephemeral_port(),
        };
        let f = file(net, sock)?;
        match f.kind {
            Kind::Tcp(None) => {}
            Kind::Listener { .. } => return Ok(0),
            _ => return Err(EOPNOTSUPP),
        }
        let endpoint = f.bound.unwrap_or(IpListenEndpoint { addr: None, port });
        f.bound = Some(endpoint);
        let mut queue = alloc::vec::Vec::with_capacity(depth);
        for _ in 0..depth {
            queue.push(file::listening(&mut net.sockets, endpoint));
        }
        file(net, sock)?.kind = Kind::Listener {
            endpoint,
            backlog: queue,
        };
        Ok(0)
    }))
}

/// # Safety
/// `address`/`len` as for `getpeername` (or null).
///
/// Waits for a connection on listener `sock`; the new socket (non-blocking if `flags` has
/// SOCK_NONBLOCK).
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_accept(
    sock: c_int,
    address: *mut u8,
    len: *mut u32,
    flags: c_int,
) -> c_int {
    let result = mode(sock).and_then(|(nonblocking, timeout, _)| {
        block(nonblocking, timeout, |net| {
            let (sockets, files) = (&mut net.sockets, &mut net.files);
            let listener = match files.get_mut(index(sock).ok()?).and_then(Option::as_mut) {
                Some(listener) => listener,
                None => return Some(Err(EBADF)),
            };
            let (nodelay, keepalive) = (listener.nodelay, listener.keepalive);
            let Kind::Listener { endpoint, backlog } = &mut listener.kind else {
                return Some(Err(EINVAL));
            };
            let endpoint = *endpoint;
            for slot in backlog.iter_mut() {
                let socket = sockets.get_mut::<tcp::Socket>(*slot);
                if socket.state() == tcp::State::Closed {
                    // Reset before accept: listen again.
                    let _ = socket.listen(endpoint);
                    continue;
                }
                if file::accepted(socket) {
                    let peer = socket.remote_endpoint();
                    let handle = core::mem::replace(slot, file::listening(sockets, endpoint));
                    return Some(Ok((handle, peer, nodelay, keepalive)));
                }
            }
            None
        })
    });
    answer(result.and_then(|(handle, peer, nodelay, keepalive)| {
        on_stack(|net| {
            let mut accepted = File::new(Kind::Tcp(Some(handle)));
            accepted.nodelay = nodelay;
            accepted.keepalive = keepalive;
            accepted.nonblocking = flags & SOCK_NONBLOCK != 0;
            let socket = net.sockets.get_mut::<tcp::Socket>(handle);
            accepted.configure_tcp(socket);
            accepted.bound = socket.local_endpoint().map(Into::into);
            if let Some(peer) = peer {
                // SAFETY: forwarded from the caller.
                unsafe { sockaddr::write(address, len, peer) };
            }
            Ok(install(net, accepted))
        })
    }))
}

/// # Safety
/// `address` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_connect(sock: c_int, address: *const u8, len: u32) -> c_int {
    // SAFETY: forwarded from the caller.
    let parsed = unsafe { sockaddr::read(address, len) };
    let started = on_stack(|net| {
        let (ip, port) = parsed?;
        if port == 0 || ip.is_unspecified() {
            return Err(EINVAL);
        }
        let remote = IpEndpoint::new(ip.into(), port);
        let local_port = match file(net, sock)?.bound {
            Some(endpoint) => endpoint.port,
            None => net.ephemeral_port(),
        };
        if net.address().is_none() {
            return Err(ENETUNREACH);
        }
        let f = file(net, sock)?;
        match f.kind {
            Kind::Udp(_) => {
                f.peer = Some(remote);
                if f.bound.is_none() {
                    let endpoint = IpListenEndpoint::from(local_port);
                    f.bound = Some(endpoint);
                    let Kind::Udp(handle) = f.kind else {
                        unreachable!()
                    };
                    let _ = net.sockets.get_mut::<udp::Socket>(handle).bind(endpoint);
                }
                Ok(false)
            }
            Kind::Tcp(Some(_)) => Err(EISCONN),
            Kind::Listener { .. } => Err(EINVAL),
            Kind::Tcp(None) => {
                let mut socket = file::new_tcp_socket();
                f.configure_tcp(&mut socket);
                let nonblocking = f.nonblocking;
                f.bound = Some(IpListenEndpoint::from(local_port));
                let context = net.iface.context();
                socket
                    .connect(context, remote, local_port)
                    .map_err(|_| ENETUNREACH)?;
                let handle = net.sockets.add(socket);
                file(net, sock)?.kind = Kind::Tcp(Some(handle));
                net.poll();
                if nonblocking {
                    return Err(EINPROGRESS);
                }
                Ok(true)
            }
        }
    });
    let wait = match started {
        Ok(wait) => wait,
        Err(code) => return answer(Err(code)),
    };
    if !wait {
        return 0;
    }
    let timeout = mode(sock).ok().and_then(|(_, _, send)| send);
    let result = block(false, timeout, |net| {
        let Ok(f) = file(net, sock) else {
            return Some(Err(EBADF));
        };
        let Kind::Tcp(Some(handle)) = f.kind else {
            return Some(Err(EBADF));
        };
        match net.sockets.get::<tcp::Socket>(handle).state() {
            tcp::State::SynSent | tcp::State::SynReceived => None,
            tcp::State::Closed => Some(Err(ECONNREFUSED)),
            _ => Some(Ok(0)),
        }
    });
    answer(result.map_err(|code| if code == EAGAIN { ETIMEDOUT } else { code }))
}

/// Sends on a TCP socket: everything when blocking, what fits when not.
fn tcp_send(sock: c_int, data: &[u8], dontwait: bool) -> Result<isize, c_int> {
    let (nonblocking, _, timeout) = mode(sock)?;
    let nonblocking = nonblocking || dontwait;
    let mut sent = 0usize;
    loop {
        let step = block(nonblocking && sent == 0, timeout, |net| {
            let handle = match file(net, sock) {
                Ok(File {
                    kind: Kind::Tcp(Some(handle)),
                    ..
                }) => *handle,
                Ok(_) => return Some(Err(ENOTCONN)),
                Err(code) => return Some(Err(code)),
            };
            let socket = net.sockets.get_mut::<tcp::Socket>(handle);
            if !socket.may_send() {
                return Some(Err(EPIPE));
            }
            if !socket.can_send() {
                return if nonblocking { Some(Ok(0)) } else { None };
            }
            let n = socket.send_slice(&data[sent..]).unwrap_or(0);
            net.poll();
            Some(Ok(n))
        });
        match step {
            Ok(n) => sent += n,
            Err(code) if sent == 0 => return Err(code),
            Err(_) => return Ok(sent as isize),
        }
        if sent == data.len() || nonblocking {
            if sent == 0 {
                return Err(EAGAIN);
            }
            return Ok(sent as isize);
        }
    }
}

fn udp_send(
    sock: c_int,
    data: &[u8],
    to: Option<IpEndpoint>,
    dontwait: bool,
) -> Result<isize, c_int> {
    let (nonblocking, _, timeout) = mode(sock)?;
    block(nonblocking || dontwait, timeout, |net| {
        let port = net.ephemeral_port();
        let (f, sockets) = match parts(net, sock) {
            Ok(parts) => parts,
            Err(code) => return Some(Err(code)),
        };
        let Kind::Udp(handle) = f.kind else {
            return Some(Err(EOPNOTSUPP));
        };
        let Some(to) = to.or(f.peer) else {
            return Some(Err(EDESTADDRREQ));
        };
        let socket = sockets.get_mut::<udp::Socket>(handle);
        if f.bound.is_none() {
            let endpoint = IpListenEndpoint::from(port);
            f.bound = Some(endpoint);
            let _ = socket.bind(endpoint);
        }
        if data.len() > socket.payload_send_capacity() {
            return Some(Err(EMSGSIZE));
        }
        match socket.send_slice(data, to) {
            Ok(()) => {
                net.poll();
                Some(Ok(data.len() as isize))
            }
            Err(udp::SendError::BufferFull) => None,
            Err(udp::SendError::Unaddressable) => Some(Err(EINVAL)),
        }
    })
}

/// Sends `len` bytes (to `address`, or the connected peer when it is null): the count sent.
///
/// # Safety
/// `buf` points to `len` readable bytes, `address` to `address_len` (or is null).
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_sendto(
    sock: c_int,
    buf: *const c_void,
    len: usize,
    flags: c_int,
    address: *const u8,
    address_len: u32,
) -> i64 {
    if buf.is_null() && len > 0 {
        return answer64(Err(EFAULT));
    }
    // SAFETY: the caller vouches for `len` readable bytes.
    let data = unsafe { core::slice::from_raw_parts(buf as *const u8, len) };
    let to = if address.is_null() {
        None
    } else {
        // SAFETY: forwarded from the caller.
        match unsafe { sockaddr::read(address, address_len) } {
            Ok((ip, port)) => Some(IpEndpoint::new(ip.into(), port)),
            Err(code) => return answer64(Err(code)),
        }
    };
    let is_udp = on_stack(|net| Ok(matches!(file(net, sock)?.kind, Kind::Udp(_))));
    let dontwait = flags & MSG_DONTWAIT != 0;
    answer64(match is_udp {
        Ok(true) => udp_send(sock, data, to, dontwait),
        Ok(false) => tcp_send(sock, data, dontwait),
        Err(code) => Err(code),
    })
}

/// Receives up to `len` bytes (and the sender, when `address` is not null): the count
/// received, 0 when a TCP peer has shut down.
///
/// # Safety
/// `buf` points to `len` writable bytes; `address`/`address_len` as for `getpeername`.
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_recvfrom(
    sock: c_int,
    buf: *mut c_void,
    len: usize,
    flags: c_int,
    address: *mut u8,
    address_len: *mut u32,
) -> i64 {
    if buf.is_null() && len > 0 {
        return answer64(Err(EFAULT));
    }
    // SAFETY: the caller vouches for `len` writable bytes.
    let out = unsafe { core::slice::from_raw_parts_mut(buf as *mut u8, len) };
    let result = mode(sock).and_then(|(nonblocking, timeout, _)| {
        block(nonblocking || flags & MSG_DONTWAIT != 0, timeout, |net| {
            let f = match file(net, sock) {
                Ok(f) => f,
                Err(code) => return Some(Err(code)),
            };
            match f.kind {
                Kind::Tcp(Some(handle)) => {
                    let socket = net.sockets.get_mut::<tcp::Socket>(handle);
                    if socket.can_recv() {
                        let n = socket.recv_slice(out).unwrap_or(0);
                        let peer = socket.remote_endpoint();
                        // Window updates go out now rather than at the next call.
                        net.poll();
                        return Some(Ok((n as isize, peer)));
                    }
                    match socket.state() {
                        tcp::State::SynSent | tcp::State::SynReceived => None,
                        _ if !socket.may_recv() => Some(Ok((0, None))),
                        _ => None,
                    }
                }
                Kind::Udp(handle) => {
                    // Nothing can arrive before a bind, as on Linux: wait (or EAGAIN).
                    f.bound.as_ref()?;
                    let socket = net.sockets.get_mut::<udp::Socket>(handle);
                    match socket.recv_slice(out) {
                        Ok((n, meta)) => Some(Ok((n as isize, Some(meta.endpoint)))),
                        Err(udp::RecvError::Truncated) => Some(Ok((out.len() as isize, None))),
                        Err(_) => None,
                    }
                }
                _ => Some(Err(ENOTCONN)),
            }
        })
    });
    answer64(result.map(|(n, peer)| {
        if let Some(peer) = peer {
            // SAFETY: forwarded from the caller.
            unsafe { sockaddr::write(address, address_len, peer) };
        }
        n
    }))
}

/// Closes a socket. A TCP connection is closed gracefully (FIN) in the background:
/// its buffers are freed when it has ended (or after a linger timeout).
#[no_mangle]
pub extern "C" fn uk_netstack_close(sock: c_int) -> c_int {
    answer(on_stack(|net| {
        let i = index(sock)?;
        let f = net.files.get_mut(i).and_then(Option::take).ok_or(EBADF)?;
        match f.kind {
            Kind::Tcp(Some(handle)) => {
                let socket = net.sockets.get_mut::<tcp::Socket>(handle);
                socket.close();
                net.closing.push(stack::Closing {
                    handle,
                    since: stack::now(),
                });
            }
            Kind::Tcp(None) => {}
            Kind::Listener { backlog, .. } => {
                for handle in backlog {
                    net.sockets.get_mut::<tcp::Socket>(handle).abort();
                    net.sockets.remove(handle);
                }
            }
            Kind::Udp(handle) => {
                net.sockets.remove(handle);
            }
        }
        net.poll();
        Ok(0)
    }))
}

#[no_mangle]
pub extern "C" fn uk_netstack_shutdown(sock: c_int, how: c_int) -> c_int {
    answer(on_stack(|net| {
        let f = file(net, sock)?;
        match (f.kind_handle(), how) {
            (Some(handle), 1 | 2) => {
                net.sockets.get_mut::<tcp::Socket>(handle).close();
                net.poll();
                Ok(0)
            }
            (Some(_), 0) => Ok(0),
            (None, _) => Err(ENOTCONN),
            _ => Err(EINVAL),
        }
    }))
}

impl File {
    /// The smoltcp TCP socket of a connected stream.
    fn kind_handle(&self) -> Option<smoltcp::iface::SocketHandle> {
        match self.kind {
            Kind::Tcp(handle) => handle,
            _ => None,
        }
    }
}

/// # Safety
/// `value` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_setsockopt(
    sock: c_int,
    level: c_int,
    name: c_int,
    value: *const c_void,
    len: u32,
) -> c_int {
    if value.is_null() {
        return answer(Err(EFAULT));
    }
    let int_value = || -> Result<c_int, c_int> {
        if (len as usize) < 4 {
            return Err(EINVAL);
        }
        // SAFETY: at least 4 readable bytes.
        Ok(unsafe { (value as *const c_int).read_unaligned() })
    };
    let duration_value = || -> Result<Option<Duration>, c_int> {
        if (len as usize) < 16 {
            return Err(EINVAL);
        }
        // SAFETY: a struct timeval (two longs) is readable.
        let (seconds, micros) = unsafe {
            let tv = value as *const i64;
            (tv.read_unaligned(), tv.add(1).read_unaligned())
        };
        if seconds < 0 || !(0..1_000_000).contains(&micros) {
            return Err(EINVAL);
        }
        let total = seconds as u64 * 1_000_000 + micros as u64;
        Ok((total != 0).then(|| Duration::from_micros(total)))
    };
    answer(on_stack(|net| {
        let f = file(net, sock)?;
        match (level, name) {
            (SOL_SOCKET, SO_REUSEADDR | SO_REUSEPORT | SO_RCVBUF | SO_SNDBUF | SO_LINGER) => {}
            (SOL_SOCKET, SO_KEEPALIVE) => f.keepalive = int_value()? != 0,
            (SOL_SOCKET, SO_RCVTIMEO) => f.recv_timeout = duration_value()?,
            (SOL_SOCKET, SO_SNDTIMEO) => f.send_timeout = duration_value()?,
            (IPPROTO_TCP, TCP_NODELAY) => f.nodelay = int_value()? != 0,
            _ => return Err(ENOPROTOOPT),
        }
        if let Some(handle) = f.kind_handle() {
            let f = file(net, sock)?;
            let (nodelay, keepalive) = (f.nodelay, f.keepalive);
            let socket = net.sockets.get_mut::<tcp::Socket>(handle);
            socket.set_nagle_enabled(!nodelay);
            socket.set_keep_alive(keepalive.then(|| Duration::from_secs(60)));
        }
        Ok(0)
    }))
}

/// # Safety
/// `value` points to `*len` writable bytes; `len` is readable and writable.
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_getsockopt(
    sock: c_int,
    level: c_int,
    name: c_int,
    value: *mut c_void,
    len: *mut u32,
) -> c_int {
    if value.is_null() || len.is_null() {
        return answer(Err(EFAULT));
    }
    // SAFETY: `len` is readable.
    if unsafe { *len } < 4 {
        return answer(Err(EINVAL));
    }
    let value_now = on_stack(|net| {
        let f = file(net, sock)?;
        Ok(match (level, name) {
            (SOL_SOCKET, SO_ERROR) => core::mem::take(&mut f.error),
            (SOL_SOCKET, SO_KEEPALIVE) => f.keepalive as c_int,
            (SOL_SOCKET, SO_REUSEADDR) => 1,
            (SOL_SOCKET, SO_RCVBUF | SO_SNDBUF) => file::TCP_BUFFER as c_int,
            (IPPROTO_TCP, TCP_NODELAY) => f.nodelay as c_int,
            _ => return Err(ENOPROTOOPT),
        })
    });
    answer(value_now.map(|v| {
        // SAFETY: at least 4 writable bytes; `len` writable.
        unsafe {
            (value as *mut c_int).write_unaligned(v);
            *len = 4;
        }
        0
    }))
}

fn endpoint_of(sock: c_int, peer: bool) -> Result<IpEndpoint, c_int> {
    on_stack(|net| {
        let local_ip = net.address().map(|cidr| cidr.address());
        let (f, sockets) = parts(net, sock)?;
        if peer {
            return match f.kind {
                Kind::Tcp(Some(handle)) => sockets
                    .get::<tcp::Socket>(handle)
                    .remote_endpoint()
                    .ok_or(ENOTCONN),
                Kind::Udp(_) => f.peer.ok_or(ENOTCONN),
                _ => Err(ENOTCONN),
            };
        }
        if let Some(endpoint) = f
            .kind_handle()
            .and_then(|handle| sockets.get::<tcp::Socket>(handle).local_endpoint())
        {
            return Ok(endpoint);
        }
        let bound = f.bound.unwrap_or(IpListenEndpoint::from(0));
        let ip = bound
            .addr
            .unwrap_or_else(|| local_ip.unwrap_or(Ipv4Address::UNSPECIFIED).into());
        Ok(IpEndpoint::new(ip, bound.port))
    })
}

/// # Safety
/// `address` points to `*len` writable bytes; `len` is readable and writable.
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_getsockname(
    sock: c_int,
    address: *mut u8,
    len: *mut u32,
) -> c_int {
    // SAFETY: forwarded from the caller.
    answer(
        endpoint_of(sock, false)
            .map(|e| unsafe { sockaddr::write(address, len, e) })
            .map(|_| 0),
    )
}

/// # Safety
/// `address` points to `*len` writable bytes; `len` is readable and writable.
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_getpeername(
    sock: c_int,
    address: *mut u8,
    len: *mut u32,
) -> c_int {
    // SAFETY: forwarded from the caller.
    answer(
        endpoint_of(sock, true)
            .map(|e| unsafe { sockaddr::write(address, len, e) })
            .map(|_| 0),
    )
}

/// Sets (`on` != 0) or clears the socket's non-blocking flag: 0.
#[no_mangle]
pub extern "C" fn uk_netstack_set_nonblocking(sock: c_int, on: c_int) -> c_int {
    answer(on_stack(|net| {
        file(net, sock)?.nonblocking = on != 0;
        Ok(0)
    }))
}

/// The socket's non-blocking flag: 1 or 0.
#[no_mangle]
pub extern "C" fn uk_netstack_nonblocking(sock: c_int) -> c_int {
    answer(on_stack(|net| Ok(file(net, sock)?.nonblocking as c_int)))
}

/// The bytes a read would get now (`ioctl(FIONREAD)`): what a connection has received, or the
/// size of the next datagram; -EINVAL for a listening or unconnected TCP socket.
#[no_mangle]
pub extern "C" fn uk_netstack_available(sock: c_int) -> i64 {
    answer64(on_stack(|net| {
        let (f, sockets) = parts(net, sock)?;
        match f.kind {
            Kind::Tcp(Some(handle)) => Ok(sockets.get::<tcp::Socket>(handle).recv_queue() as isize),
            Kind::Udp(handle) => Ok(sockets
                .get_mut::<udp::Socket>(handle)
                .peek()
                .map_or(0, |(payload, _)| payload.len() as isize)),
            Kind::Tcp(None) | Kind::Listener { .. } => Err(EINVAL),
        }
    }))
}

/// The poll(2) events (POLLIN, POLLOUT, POLLERR, POLLHUP) that hold for the socket now, without
/// polling the device.
#[no_mangle]
pub extern "C" fn uk_netstack_readiness(sock: c_int) -> c_int {
    answer(on_stack(|net| {
        let (f, sockets) = parts(net, sock)?;
        Ok(c_int::from(file::readiness(f, sockets)))
    }))
}
