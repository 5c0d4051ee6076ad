//! tap_net: the linuxu network driver. A unikernel process attaches to a Linux TAP interface
//! (`/dev/net/tun`, `TUNSETIFF` with `IFF_TAP | IFF_NO_PI`, non-blocking) and registers it with
//! netdev: each `read` gives one whole Ethernet frame and each `write` sends one.
//!
//! The interface is named by the command line word `tap_net.ifname=NAME` or the environment
//! variable `UKL_TAP` (`ukl run --plat linuxu --net tap:NAME` sets it); without a name the
//! driver registers no device. Modules: `config` (name and MAC address), `sys` (system
//! calls), `log`.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod config;
mod sys;

use core::cell::UnsafeCell;
use core::ffi::{c_int, c_void};

use config::{IfName, Source, IFNAMSIZ};
use netdevglue::NetdevOps;
use uklog::{error, info};

/// `TUNSETIFF`: `_IOW('T', 202, int)`.
const TUNSETIFF: usize = 0x4004_54ca;
const IFF_TAP: u16 = 0x0002;
const IFF_NO_PI: u16 = 0x1000;
/// The IP MTU reported to the stack, and the largest frame accepted: 1500 + the 14-byte
/// Ethernet header (TAP frames carry no FCS).
const MTU: u16 = 1500;
const MAX_FRAME: usize = MTU as usize + 14;
/// The kernel hands out frames as large as the host interface's MTU allows: they are read
/// whole into this buffer and refused (-EMSGSIZE) if they are bigger than the caller's.
const RECEIVE_BUFFER: usize = 65536;
const EMSGSIZE: c_int = 90;

static OPS: NetdevOps = NetdevOps::new(c"tap", transmit, receive);

/// The one TAP device of the process.
struct Tap {
    fd: i32,
    mac: [u8; 6],
}

/// Where `receive` reads a frame first (zero-initialized: in .bss, not in the image).
struct FrameBuffer(UnsafeCell<[u8; RECEIVE_BUFFER]>);
// SAFETY: used only by `receive`, which is never re-entered or called concurrently (see
// `Shared`).
unsafe impl Sync for FrameBuffer {}

static FRAME: FrameBuffer = FrameBuffer(UnsafeCell::new([0; RECEIVE_BUFFER]));

struct State {
    /// None until the init hook ran; then 1, 0 or a negated errno (`uk_tap_net_init`'s value).
    result: Option<c_int>,
    tap: Tap,
}

struct Shared(UnsafeCell<State>);
// SAFETY: the pool runs one thread of the process at a time here (the init hook, then the
// stack's polling); the device is never used concurrently.
unsafe impl Sync for Shared {}

static STATE: Shared = Shared(UnsafeCell::new(State {
    result: None,
    tap: Tap {
        fd: -1,
        mac: [0; 6],
    },
}));

/// # Safety
/// `dev` is the registered `Tap`; `frame` holds `len` bytes.
unsafe extern "C" fn transmit(dev: *mut c_void, frame: *const c_void, len: usize) -> c_int {
    if len > MAX_FRAME {
        return -EMSGSIZE;
    }
    // SAFETY: see the function's contract.
    let (tap, frame) = unsafe {
        (
            &*(dev as *const Tap),
            core::slice::from_raw_parts(frame as *const u8, len),
        )
    };
    loop {
        match sys::write(tap.fd, frame) {
            n if n == -sys::EINTR => continue,
            // A TAP write takes the whole frame or fails; a full queue is EAGAIN.
            n if n >= 0 => return 0,
            n => return n as c_int,
        }
    }
}

/// # Safety
/// `dev` is the registered `Tap`; `buf` holds `cap` writable bytes.
unsafe extern "C" fn receive(dev: *mut c_void, buf: *mut c_void, cap: usize) -> c_int {
    // SAFETY: see the function's contract, and `FrameBuffer`.
    let (tap, frame) = unsafe { (&*(dev as *const Tap), &mut *FRAME.0.get()) };
    let n = loop {
        match sys::read(tap.fd, frame) {
            n if n == -sys::EINTR => continue,
            n if n < 0 => return n as c_int,
            n => break n as usize,
        }
    };
    if n > cap {
        return -EMSGSIZE;
    }
    // SAFETY: `buf` holds `cap >= n` writable bytes, distinct from the driver's buffer.
    unsafe { core::ptr::copy_nonoverlapping(frame.as_ptr(), buf as *mut u8, n) };
    n as c_int
}

/// Opens /dev/net/tun and attaches it to interface `name`: the descriptor or a negated errno.
fn attach(name: &IfName) -> isize {
    let fd = sys::open(
        c"/dev/net/tun",
        sys::O_RDWR | sys::O_NONBLOCK | sys::O_CLOEXEC,
    );
    if fd < 0 {
        return fd;
    }
    // struct ifreq: the name (IFNAMSIZ bytes), then a union whose first member is the flags.
    let mut ifreq = [0u8; 40];
    ifreq[..IFNAMSIZ].copy_from_slice(&name.bytes);
    ifreq[IFNAMSIZ..IFNAMSIZ + 2].copy_from_slice(&(IFF_TAP | IFF_NO_PI).to_ne_bytes());
    // SAFETY: TUNSETIFF reads and writes a 40-byte struct ifreq.
    let result = unsafe { sys::ioctl(fd as i32, TUNSETIFF, ifreq.as_mut_ptr()) };
    if result < 0 {
        sys::close(fd as i32);
        return result;
    }
    fd
}

fn errno_text(errno: isize) -> &'static str {
    match -errno {
        1 => "EPERM: not allowed (needs CAP_NET_ADMIN, or a tap owned by this user)",
        2 => "ENOENT: no /dev/net/tun",
        13 => "EACCES: /dev/net/tun is not accessible",
        16 => "EBUSY: the interface is attached to another process",
        22 => "EINVAL: the interface exists but is not a tap",
        19 => "ENODEV: the kernel has no tun/tap support",
        _ => "error",
    }
}

fn init(state: &mut State) -> c_int {
    let Some((name, source)) = config::interface() else {
        return 0;
    };
    let from = match source {
        Source::CommandLine => "tap_net.ifname",
        Source::Environment => "UKL_TAP",
    };
    let name = match name {
        Ok(name) => name,
        Err(text) => {
            let text = core::str::from_utf8(text).unwrap_or("?");
            error!("tap: bad interface name `{text}` ({from}): 1 to 15 bytes");
            return -22;
        }
    };
    let fd = attach(&name);
    if fd < 0 {
        error!(
            "tap: cannot attach to `{}` ({from}): {} ({fd})",
            name.as_str(),
            errno_text(fd)
        );
        return fd as c_int;
    }
    let tap = &mut state.tap;
    tap.fd = fd as i32;
    tap.mac = config::mac(&name);
    let m = tap.mac;
    info!(
        "tap: {} ({from}), mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        name.as_str(),
        m[0],
        m[1],
        m[2],
        m[3],
        m[4],
        m[5]
    );
    // SAFETY: the device lives in a static for the rest of the run.
    let index =
        unsafe { netdevglue::register(&OPS, tap as *mut Tap as *mut c_void, &tap.mac, MTU) };
    if index < 0 {
        error!("tap: netdev refused the device ({index})");
        return index;
    }
    1
}

/// Attaches to the TAP interface the user named (idempotent): 1 when a device is registered, 0
/// when none was asked for, or a negated errno.
#[no_mangle]
pub extern "C" fn uk_tap_net_init() -> c_int {
    // SAFETY: see `Shared`: not re-entered, one thread.
    let state = unsafe { &mut *STATE.0.get() };
    if let Some(result) = state.result {
        return result;
    }
    let result = init(state);
    state.result = Some(result);
    result
}

extern "C" fn init_hook() -> c_int {
    uk_tap_net_init();
    0
}

/// Attach after the allocator (01) and before netstack (20).
#[used]
#[link_section = ".uk_inittab.10"]
static INIT: extern "C" fn() -> c_int = init_hook;
