//! Sockets for Rust applications: TCP listeners and streams and UDP sockets over the BSD socket
//! functions of the posix_socket library (which runs on netstack; IPv4). Blocking, like the C
//! calls; errors are errno values.
//!
//! ```ignore
//! let listener = uk::net::TcpListener::bind(80)?;
//! let (mut stream, peer) = listener.accept()?;
//! stream.write_all(b"hello\n")?;
//! ```

use core::ffi::{c_int, c_void};

/// An errno value (e.g. 111, ECONNREFUSED).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(pub i32);

pub type Result<T> = core::result::Result<T, Error>;

/// An IPv4 address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketAddr {
    pub ip: [u8; 4],
    pub port: u16,
}

impl SocketAddr {
    #[inline]
    pub const fn new(ip: [u8; 4], port: u16) -> SocketAddr {
        SocketAddr { ip, port }
    }
}

impl core::fmt::Display for SocketAddr {
    #[inline]
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c, d] = self.ip;
        write!(f, "{a}.{b}.{c}.{d}:{}", self.port)
    }
}

/// `struct sockaddr_in`.
#[repr(C)]
struct SockaddrIn {
    family: u16,
    port: [u8; 2],
    address: [u8; 4],
    zero: [u8; 8],
}

impl From<SocketAddr> for SockaddrIn {
    #[inline]
    fn from(a: SocketAddr) -> SockaddrIn {
        SockaddrIn {
            family: AF_INET,
            port: a.port.to_be_bytes(),
            address: a.ip,
            zero: [0; 8],
        }
    }
}

impl From<&SockaddrIn> for SocketAddr {
    #[inline]
    fn from(s: &SockaddrIn) -> SocketAddr {
        SocketAddr {
            ip: s.address,
            port: u16::from_be_bytes(s.port),
        }
    }
}

const AF_INET: u16 = 2;
const SOCK_STREAM: c_int = 1;
const SOCK_DGRAM: c_int = 2;
const SOCKADDR_LEN: u32 = 16;

extern "C" {
    fn socket(domain: c_int, kind: c_int, protocol: c_int) -> c_int;
    fn bind(fd: c_int, address: *const SockaddrIn, len: u32) -> c_int;
    fn listen(fd: c_int, backlog: c_int) -> c_int;
    fn accept(fd: c_int, address: *mut SockaddrIn, len: *mut u32) -> c_int;
    fn connect(fd: c_int, address: *const SockaddrIn, len: u32) -> c_int;
    fn send(fd: c_int, buf: *const c_void, len: usize, flags: c_int) -> isize;
    fn recv(fd: c_int, buf: *mut c_void, len: usize, flags: c_int) -> isize;
    fn sendto(
        fd: c_int,
        buf: *const c_void,
        len: usize,
        flags: c_int,
        to: *const SockaddrIn,
        to_len: u32,
    ) -> isize;
    fn recvfrom(
        fd: c_int,
        buf: *mut c_void,
        len: usize,
        flags: c_int,
        from: *mut SockaddrIn,
        from_len: *mut u32,
    ) -> isize;
    fn setsockopt(fd: c_int, level: c_int, name: c_int, value: *const c_void, len: u32) -> c_int;
    fn close(fd: c_int) -> c_int;
    fn __errno_location() -> *mut c_int;
}

#[inline]
fn check(value: isize) -> Result<usize> {
    if value < 0 {
        // SAFETY: nolibc's errno location is always valid.
        Err(Error(unsafe { *__errno_location() }))
    } else {
        Ok(value as usize)
    }
}

#[inline]
fn open(kind: c_int) -> Result<c_int> {
    // SAFETY: plain integer arguments.
    check(unsafe { socket(AF_INET as c_int, kind, 0) } as isize).map(|fd| fd as c_int)
}

#[inline]
fn bind_any(fd: c_int, port: u16) -> Result<()> {
    let address = SockaddrIn::from(SocketAddr::new([0; 4], port));
    // SAFETY: a valid sockaddr_in of SOCKADDR_LEN bytes.
    check(unsafe { bind(fd, &address, SOCKADDR_LEN) } as isize).map(|_| ())
}

/// A listening TCP socket.
pub struct TcpListener(c_int);

impl TcpListener {
    /// Listens on `port` of every local address.
    #[inline]
    pub fn bind(port: u16) -> Result<TcpListener> {
        let listener = TcpListener(open(SOCK_STREAM)?);
        bind_any(listener.0, port)?;
        // SAFETY: plain integer arguments.
        check(unsafe { listen(listener.0, 32) } as isize)?;
        Ok(listener)
    }

    /// Waits for a connection.
    #[inline]
    pub fn accept(&self) -> Result<(TcpStream, SocketAddr)> {
        let mut peer = SockaddrIn::from(SocketAddr::new([0; 4], 0));
        let mut len = SOCKADDR_LEN;
        // SAFETY: `peer` and `len` are writable.
        let fd = check(unsafe { accept(self.0, &mut peer, &mut len) } as isize)?;
        Ok((TcpStream(fd as c_int), SocketAddr::from(&peer)))
    }
}

impl Drop for TcpListener {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the descriptor is this value's.
        unsafe { close(self.0) };
    }
}

/// A TCP connection.
pub struct TcpStream(c_int);

impl TcpStream {
    #[inline]
    pub fn connect(to: SocketAddr) -> Result<TcpStream> {
        let stream = TcpStream(open(SOCK_STREAM)?);
        let address = SockaddrIn::from(to);
        // SAFETY: a valid sockaddr_in.
        check(unsafe { connect(stream.0, &address, SOCKADDR_LEN) } as isize)?;
        Ok(stream)
    }

    /// Reads what has arrived (waiting for at least one byte); 0 at the end of the stream.
    #[inline]
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: `buf` is writable for its length.
        check(unsafe { recv(self.0, buf.as_mut_ptr() as *mut c_void, buf.len(), 0) })
    }

    /// Sends all of `data` (blocking sockets send everything or fail).
    #[inline]
    pub fn write_all(&mut self, data: &[u8]) -> Result<()> {
        let mut sent = 0;
        while sent < data.len() {
            let rest = &data[sent..];
            // SAFETY: `rest` is readable for its length.
            sent += check(unsafe { send(self.0, rest.as_ptr() as *const c_void, rest.len(), 0) })?;
        }
        Ok(())
    }

    /// Disables Nagle's algorithm (TCP_NODELAY).
    #[inline]
    pub fn set_nodelay(&self, on: bool) -> Result<()> {
        let value: c_int = on as c_int;
        // SAFETY: an int option value.
        check(
            unsafe { setsockopt(self.0, 6, 1, &value as *const c_int as *const c_void, 4) }
                as isize,
        )
        .map(|_| ())
    }
}

impl Drop for TcpStream {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the descriptor is this value's.
        unsafe { close(self.0) };
    }
}

/// A UDP socket.
pub struct UdpSocket(c_int);

impl UdpSocket {
    /// Binds `port` (0: an ephemeral port) of every local address.
    #[inline]
    pub fn bind(port: u16) -> Result<UdpSocket> {
        let socket = UdpSocket(open(SOCK_DGRAM)?);
        bind_any(socket.0, port)?;
        Ok(socket)
    }

    #[inline]
    pub fn send_to(&self, data: &[u8], to: SocketAddr) -> Result<usize> {
        let address = SockaddrIn::from(to);
        // SAFETY: `data` readable, `address` a valid sockaddr_in.
        check(unsafe {
            sendto(
                self.0,
                data.as_ptr() as *const c_void,
                data.len(),
                0,
                &address,
                SOCKADDR_LEN,
            )
        })
    }

    /// Waits for a datagram: its length and sender.
    #[inline]
    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, SocketAddr)> {
        let mut peer = SockaddrIn::from(SocketAddr::new([0; 4], 0));
        let mut len = SOCKADDR_LEN;
        // SAFETY: `buf`, `peer` and `len` are writable.
        let n = check(unsafe {
            recvfrom(
                self.0,
                buf.as_mut_ptr() as *mut c_void,
                buf.len(),
                0,
                &mut peer,
                &mut len,
            )
        })?;
        Ok((n, SocketAddr::from(&peer)))
    }
}

impl Drop for UdpSocket {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the descriptor is this value's.
        unsafe { close(self.0) };
    }
}
