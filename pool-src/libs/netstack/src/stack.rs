//! The one network stack of the image: a smoltcp interface on netdev device 0, its socket set,
//! the table of open sockets (indexed by socket id) and the polling loop.
//!
//! Nothing runs in the background: every socket call polls the device and the stack
//! (`Net::poll`) and blocking calls poll in a loop until their condition holds or their timeout
//! passes, calling boot's `uk_idle` between polls (with schedcoop, a yield to the other
//! threads).

use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::ffi::c_int;

use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::socket::{dhcpv4, tcp};
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{EthernetAddress, IpCidr, Ipv4Address, Ipv4Cidr};

use crate::config::{self, Addressing};
use crate::device::NetdevPhy;
use crate::file::File;

extern "C" {
    fn ukplat_monotonic_ns() -> u64;
    fn uk_netdev_count() -> c_int;
    fn uk_netdev_info(index: c_int, info: *mut NetdevInfo) -> c_int;
    fn uk_idle();
}

/// `struct uk_netdev_info`.
#[repr(C)]
struct NetdevInfo {
    name: *const u8,
    mac: [u8; 6],
    mtu: u16,
}

pub fn now() -> Instant {
    // SAFETY: the platform clock, callable at any time after boot.
    Instant::from_micros((unsafe { ukplat_monotonic_ns() } / 1000) as i64)
}

/// A socket the application closed, kept until its connection has ended.
pub struct Closing {
    pub handle: SocketHandle,
    pub since: Instant,
}

pub struct Net {
    pub iface: Interface,
    pub sockets: SocketSet<'static>,
    pub device: NetdevPhy,
    pub dhcp: Option<SocketHandle>,
    pub files: Vec<Option<File>>,
    pub closing: Vec<Closing>,
    next_port: u16,
}

/// How long a closed connection may linger (FIN_WAIT, LAST_ACK) before it is aborted.
const LINGER: Duration = Duration::from_secs(20);
/// smoltcp sockets and socket ids with room reserved at start.
const SOCKETS_RESERVED: usize = 256;
const FILES_RESERVED: usize = 128;
/// First ephemeral port.
const EPHEMERAL_FIRST: u16 = 49152;

impl Net {
    fn new(index: c_int) -> Net {
        let mut info = NetdevInfo {
            name: core::ptr::null(),
            mac: [0; 6],
            mtu: 0,
        };
        // SAFETY: `info` is writable; a bad index only returns an error.
        unsafe { uk_netdev_info(index, &mut info) };
        let mut device = NetdevPhy { index, dropped: 0 };
        let mut config = Config::new(EthernetAddress(info.mac).into());
        config.random_seed = now().total_micros() as u64 ^ 0x9e37_79b9_7f4a_7c15;
        let iface = Interface::new(config, &mut device, now());
        let mut net = Net {
            iface,
            // Room reserved up front so that a steady load never grows these tables: the heap
            // stays flat once the server runs (tested across 10,000 requests).
            sockets: SocketSet::new(Vec::with_capacity(SOCKETS_RESERVED)),
            device,
            dhcp: None,
            files: Vec::with_capacity(FILES_RESERVED),
            closing: Vec::with_capacity(FILES_RESERVED),
            next_port: EPHEMERAL_FIRST + (now().total_micros() % 1000) as u16,
        };
        match config::from_command_line() {
            Addressing::Static {
                address,
                prefix,
                gateway,
            } => net.set_address(Ipv4Cidr::new(address, prefix), gateway),
            Addressing::Dhcp => {
                net.dhcp = Some(net.sockets.add(dhcpv4::Socket::new()));
            }
        }
        net
    }

    pub fn set_address(&mut self, cidr: Ipv4Cidr, gateway: Option<Ipv4Address>) {
        self.iface.update_ip_addrs(|addresses| {
            addresses.clear();
            let _ = addresses.push(IpCidr::Ipv4(cidr));
        });
        self.iface.routes_mut().remove_default_ipv4_route();
        if let Some(gateway) = gateway {
            let _ = self.iface.routes_mut().add_default_ipv4_route(gateway);
        }
    }

    pub fn address(&self) -> Option<Ipv4Cidr> {
        self.iface
            .ip_addrs()
            .iter()
            .map(|a| match a {
                IpCidr::Ipv4(cidr) => *cidr,
            })
            .next()
    }

    /// Moves frames between the device and the sockets, applies DHCP events and frees the
    /// sockets of finished connections.
    pub fn poll(&mut self) {
        let timestamp = now();
        self.iface
            .poll(timestamp, &mut self.device, &mut self.sockets);
        if let Some(handle) = self.dhcp {
            let event = self.sockets.get_mut::<dhcpv4::Socket>(handle).poll();
            match event {
                Some(dhcpv4::Event::Configured(lease)) => {
                    let (address, router) = (lease.address, lease.router);
                    self.set_address(address, router);
                }
                Some(dhcpv4::Event::Deconfigured) => {
                    self.iface.update_ip_addrs(|addresses| addresses.clear());
                    self.iface.routes_mut().remove_default_ipv4_route();
                }
                None => {}
            }
        }
        let sockets = &mut self.sockets;
        self.closing.retain(|closing| {
            let socket = sockets.get_mut::<tcp::Socket>(closing.handle);
            let done = matches!(socket.state(), tcp::State::Closed | tcp::State::TimeWait);
            let stale = timestamp - closing.since > LINGER;
            if stale && !done {
                socket.abort();
            }
            if done || stale {
                sockets.remove(closing.handle);
                false
            } else {
                true
            }
        });
    }

    /// A fresh ephemeral port that no socket uses.
    pub fn ephemeral_port(&mut self) -> u16 {
        loop {
            let port = self.next_port;
            self.next_port = if port == u16::MAX {
                EPHEMERAL_FIRST
            } else {
                port + 1
            };
            if !self.port_in_use(port) {
                return port;
            }
        }
    }

    pub fn port_in_use(&self, port: u16) -> bool {
        self.files
            .iter()
            .flatten()
            .any(|file| file.local_port() == Some(port))
    }
}

/// The stack behind an `UnsafeCell`.
struct Shared(UnsafeCell<Option<Net>>);

// SAFETY: the pool runs on one CPU and no interrupt handler touches the stack; `with` is never
// re-entered (socket code does not call back into the C API).
unsafe impl Sync for Shared {}

static NET: Shared = Shared(UnsafeCell::new(None));

/// Runs `f` on the stack; None when no network device was found.
pub fn with<R>(f: impl FnOnce(&mut Net) -> R) -> Option<R> {
    // SAFETY: see `Shared`: no other reference to the stack exists while `f` runs.
    let net = unsafe { &mut *NET.0.get() };
    if net.is_none() {
        // SAFETY: netdev's functions are safe to call after the init hooks of priority 10.
        if unsafe { uk_netdev_count() } == 0 {
            return None;
        }
        *net = Some(Net::new(0));
    }
    net.as_mut().map(f)
}

/// How long the exit hook lets connections deliver what they were given.
const EXIT_DRAIN: Duration = Duration::from_millis(1000);

impl Net {
    /// Whether some TCP connection still holds data the peer has not acknowledged, or a FIN
    /// of a closed connection not yet acknowledged.
    fn undelivered(&mut self) -> bool {
        self.sockets.iter_mut().any(|(_, socket)| match socket {
            smoltcp::socket::Socket::Tcp(tcp) => {
                tcp.send_queue() > 0
                    || matches!(
                        tcp.state(),
                        tcp::State::FinWait1 | tcp::State::Closing | tcp::State::LastAck
                    )
            }
            _ => false,
        })
    }
}

/// Exit hook: a program that answers and then ends (`close`, then `exit`) expects its last
/// bytes to arrive, as the kernel would keep sending them after the process is gone. Before
/// the guest stops, the stack runs until every connection's data and FIN are acknowledged,
/// for at most [`EXIT_DRAIN`]. Nothing happens when the stack never started.
extern "C" fn deliver_at_exit() {
    // SAFETY: see `Shared`; only a stack that exists is touched.
    if unsafe { (*NET.0.get()).is_none() } {
        return;
    }
    let deadline = now() + EXIT_DRAIN;
    loop {
        let pending = with(|net| {
            net.poll();
            net.undelivered()
        });
        if pending != Some(true) || now() > deadline {
            return;
        }
        // SAFETY: boot's idle hook, called while the stack is not borrowed.
        unsafe { uk_idle() };
    }
}

#[used]
#[link_section = ".uk_exittab.10"]
static DELIVER_AT_EXIT: extern "C" fn() = deliver_at_exit;

/// Brings the stack up (and, with DHCP, waits up to `dhcp_wait` for a lease): 0, or -ENODEV.
pub fn start(dhcp_wait: Duration) -> c_int {
    let started = with(|net| net.poll());
    if started.is_none() {
        return -19;
    }
    let deadline = now() + dhcp_wait;
    loop {
        let ready = with(|net| {
            net.poll();
            net.dhcp.is_none() || net.address().is_some()
        });
        if ready != Some(false) || now() > deadline {
            return 0;
        }
        // SAFETY: boot's idle hook, called while the stack is not borrowed.
        unsafe { uk_idle() };
    }
}
