//! The interface's IPv4 configuration: static (default 10.0.2.15/24 via 10.0.2.2, QEMU's user
//! networking) or DHCP, chosen on the kernel command line with `netstack.ip=A.B.C.D/LEN`,
//! `netstack.gw=A.B.C.D` or `netstack.ip=dhcp`. The words stay in the application's argv.

use core::ffi::{c_char, CStr};

use smoltcp::wire::Ipv4Address;

extern "C" {
    fn ukplat_cmdline() -> *const c_char;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addressing {
    Static {
        address: Ipv4Address,
        prefix: u8,
        gateway: Option<Ipv4Address>,
    },
    Dhcp,
}

pub fn parse_ipv4(text: &str) -> Option<Ipv4Address> {
    let mut bytes = [0u8; 4];
    let mut parts = text.split('.');
    for byte in &mut bytes {
        *byte = parts.next()?.parse().ok()?;
    }
    parts.next().is_none().then(|| Ipv4Address::from(bytes))
}

pub fn from_command_line() -> Addressing {
    let mut address = Ipv4Address::new(10, 0, 2, 15);
    let mut prefix = 24;
    let mut gateway = Some(Ipv4Address::new(10, 0, 2, 2));
    // SAFETY: the platform returns a NUL-terminated string that lives for the whole run.
    let line = unsafe { CStr::from_ptr(ukplat_cmdline()) };
    let line = line.to_str().unwrap_or("");
    for word in line.split_ascii_whitespace() {
        if let Some(value) = word.strip_prefix("netstack.ip=") {
            if value == "dhcp" {
                return Addressing::Dhcp;
            }
            let (ip, len) = value.split_once('/').unwrap_or((value, "24"));
            if let (Some(ip), Ok(len)) = (parse_ipv4(ip), len.parse::<u8>()) {
                if len <= 32 {
                    address = ip;
                    prefix = len;
                }
            }
        } else if let Some(value) = word.strip_prefix("netstack.gw=") {
            gateway = if value == "none" {
                None
            } else {
                parse_ipv4(value)
            };
        }
    }
    Addressing::Static {
        address,
        prefix,
        gateway,
    }
}
