//! Open sockets as the C API sees them (a socket id each) and what they map to in smoltcp:
//! an unconnected TCP socket, a connected TCP socket, a listener with its backlog, or a UDP
//! socket.
//!
//! smoltcp has no listen queue: a listening TCP socket becomes the connection when a SYN
//! arrives. A listener therefore keeps `backlog` listening sockets on its port; `accept` takes
//! one that has left the LISTEN/SYN-RECEIVED states and puts a fresh listening socket in its
//! place.

use alloc::vec;
use alloc::vec::Vec;

use smoltcp::iface::{SocketHandle, SocketSet};
use smoltcp::socket::{tcp, udp};
use smoltcp::time::Duration;
use smoltcp::wire::{IpEndpoint, IpListenEndpoint};

/// Per-connection TCP buffers (each direction).
pub const TCP_BUFFER: usize = 16 * 1024;
/// UDP buffers: datagrams and payload bytes (each direction).
pub const UDP_PACKETS: usize = 32;
pub const UDP_BUFFER: usize = 32 * 1024;
/// Most listening sockets one listener keeps.
pub const MAX_BACKLOG: usize = 32;

pub enum Kind {
    /// A stream socket: `None` until connect.
    Tcp(Option<SocketHandle>),
    Listener {
        endpoint: IpListenEndpoint,
        backlog: Vec<SocketHandle>,
    },
    Udp(SocketHandle),
}

pub struct File {
    pub kind: Kind,
    pub nonblocking: bool,
    /// Set by bind (or implicitly by connect, listen, sendto).
    pub bound: Option<IpListenEndpoint>,
    /// UDP: the peer given to connect.
    pub peer: Option<IpEndpoint>,
    pub recv_timeout: Option<Duration>,
    pub send_timeout: Option<Duration>,
    pub nodelay: bool,
    pub keepalive: bool,
    /// SO_ERROR, cleared when read.
    pub error: i32,
}

impl File {
    pub fn new(kind: Kind) -> File {
        File {
            kind,
            nonblocking: false,
            bound: None,
            peer: None,
            recv_timeout: None,
            send_timeout: None,
            nodelay: false,
            keepalive: false,
            error: 0,
        }
    }

    pub fn local_port(&self) -> Option<u16> {
        self.bound.map(|endpoint| endpoint.port)
    }

    /// Applies the options that smoltcp keeps per TCP socket.
    pub fn configure_tcp(&self, socket: &mut tcp::Socket) {
        socket.set_nagle_enabled(!self.nodelay);
        socket.set_keep_alive(self.keepalive.then(|| Duration::from_secs(60)));
    }
}

pub fn new_tcp_socket() -> tcp::Socket<'static> {
    tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; TCP_BUFFER]),
        tcp::SocketBuffer::new(vec![0; TCP_BUFFER]),
    )
}

pub fn new_udp_socket() -> udp::Socket<'static> {
    udp::Socket::new(
        udp::PacketBuffer::new(
            vec![udp::PacketMetadata::EMPTY; UDP_PACKETS],
            vec![0; UDP_BUFFER],
        ),
        udp::PacketBuffer::new(
            vec![udp::PacketMetadata::EMPTY; UDP_PACKETS],
            vec![0; UDP_BUFFER],
        ),
    )
}

/// A listening socket for `endpoint`.
pub fn listening(sockets: &mut SocketSet<'static>, endpoint: IpListenEndpoint) -> SocketHandle {
    let mut socket = new_tcp_socket();
    let _ = socket.listen(endpoint);
    sockets.add(socket)
}

/// A listening socket that a connection has taken (ready for accept).
pub fn accepted(socket: &tcp::Socket) -> bool {
    !matches!(
        socket.state(),
        tcp::State::Listen | tcp::State::SynReceived | tcp::State::Closed
    )
}

/// poll(2) readiness bits.
pub const POLLIN: i16 = 0x1;
pub const POLLOUT: i16 = 0x4;
pub const POLLERR: i16 = 0x8;
pub const POLLHUP: i16 = 0x10;

/// The poll(2) events that hold now for this file.
pub fn readiness(file: &File, sockets: &SocketSet<'static>) -> i16 {
    match &file.kind {
        Kind::Tcp(None) => POLLOUT | POLLHUP,
        Kind::Tcp(Some(handle)) => {
            let socket = sockets.get::<tcp::Socket>(*handle);
            let mut events = 0;
            let state = socket.state();
            let connecting = matches!(state, tcp::State::SynSent | tcp::State::SynReceived);
            if socket.can_recv() || (!connecting && !socket.may_recv()) {
                events |= POLLIN;
            }
            if socket.can_send() {
                events |= POLLOUT;
            }
            if state == tcp::State::Closed {
                events |= POLLHUP;
                if file.error != 0 {
                    events |= POLLERR;
                }
            }
            events
        }
        Kind::Listener { backlog, .. } => {
            if backlog
                .iter()
                .any(|&handle| accepted(sockets.get::<tcp::Socket>(handle)))
            {
                POLLIN
            } else {
                0
            }
        }
        Kind::Udp(handle) => {
            let socket = sockets.get::<udp::Socket>(*handle);
            let mut events = 0;
            if socket.can_recv() {
                events |= POLLIN;
            }
            if socket.can_send() {
                events |= POLLOUT;
            }
            events
        }
    }
}
