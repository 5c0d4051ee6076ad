//! What the user asked for: the TAP interface's name from the command line word
//! `tap_net.ifname=NAME` or else the environment variable `UKL_TAP`, and the MAC address from
//! `tap_net.mac=XX:XX:XX:XX:XX:XX` or else one derived from the name.

use core::ffi::{c_char, CStr};

use crate::sys;

extern "C" {
    fn ukplat_cmdline() -> *const c_char;
}

/// `IFNAMSIZ`: an interface name and its NUL.
pub const IFNAMSIZ: usize = 16;

/// An interface name of at most 15 bytes, NUL-padded.
pub struct IfName {
    pub bytes: [u8; IFNAMSIZ],
    pub len: usize,
}

impl IfName {
    fn new(text: &[u8]) -> Option<IfName> {
        if text.is_empty() || text.len() >= IFNAMSIZ || text.contains(&0) || text.contains(&b'/') {
            return None;
        }
        let mut bytes = [0; IFNAMSIZ];
        bytes[..text.len()].copy_from_slice(text);
        Some(IfName {
            bytes,
            len: text.len(),
        })
    }

    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("?")
    }
}

/// Where the name came from, for the log line.
pub enum Source {
    CommandLine,
    Environment,
}

fn command_line() -> &'static [u8] {
    // SAFETY: the platform returns a NUL-terminated string that lives for the whole run.
    unsafe { CStr::from_ptr(ukplat_cmdline()) }.to_bytes()
}

fn word(prefix: &[u8]) -> Option<&'static [u8]> {
    command_line()
        .split(|b| b.is_ascii_whitespace())
        .filter_map(|w| w.strip_prefix(prefix))
        .next_back()
}

/// The process's environment as Linux keeps it (`NAME=value` entries, each ending in a NUL),
/// read from /proc/self/environ: the platform keeps no copy of envp for libraries.
struct Environment {
    text: [u8; 32768],
    len: usize,
}

static mut ENVIRONMENT: Environment = Environment {
    text: [0; 32768],
    len: 0,
};

fn environment_variable(name: &[u8]) -> Option<&'static [u8]> {
    let environment = &raw mut ENVIRONMENT;
    // SAFETY: called once, from the init hook, on the only thread that touches ENVIRONMENT, so
    // no other reference to it is alive.
    let env = unsafe { &mut *environment };
    let fd = sys::open(c"/proc/self/environ", sys::O_RDONLY | sys::O_CLOEXEC);
    if fd < 0 {
        return None;
    }
    env.len = 0;
    while env.len < env.text.len() {
        let n = sys::read(fd as i32, &mut env.text[env.len..]);
        if n == -sys::EINTR {
            continue;
        }
        if n <= 0 {
            break;
        }
        env.len += n as usize;
    }
    sys::close(fd as i32);
    let env: &'static Environment = env;
    env.text[..env.len].split(|&b| b == 0).find_map(|entry| {
        entry
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(b"="))
    })
}

/// The interface the user asked for, or None (no device then).
pub fn interface() -> Option<(Result<IfName, &'static [u8]>, Source)> {
    let (text, source) = match word(b"tap_net.ifname=") {
        Some(text) => (text, Source::CommandLine),
        None => (environment_variable(b"UKL_TAP")?, Source::Environment),
    };
    Some((IfName::new(text).ok_or(text), source))
}

fn parse_mac(text: &[u8]) -> Option<[u8; 6]> {
    let text = core::str::from_utf8(text).ok()?;
    let mut mac = [0u8; 6];
    let mut parts = text.split(':');
    for byte in &mut mac {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *byte = u8::from_str_radix(part, 16).ok()?;
    }
    // A unicast address, and nothing left over.
    (parts.next().is_none() && mac[0] & 1 == 0).then_some(mac)
}

/// `tap_net.mac=` if valid, else a locally administered unicast address `02:75:6b:XX:XX:XX`
/// whose last three bytes are an FNV-1a hash of the interface name (stable across runs).
pub fn mac(name: &IfName) -> [u8; 6] {
    if let Some(mac) = word(b"tap_net.mac=").and_then(parse_mac) {
        return mac;
    }
    let mut hash: u32 = 0x811c_9dc5;
    for &b in &name.bytes[..name.len] {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    let h = hash.to_le_bytes();
    [0x02, 0x75, 0x6b, h[0], h[1], h[2]]
}
