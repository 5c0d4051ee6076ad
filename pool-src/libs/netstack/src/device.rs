//! smoltcp's `phy::Device` over the netdev C API: one frame per token, copied through a
//! buffer on the stack (netdev copies into and out of the driver's own buffers).

use core::ffi::{c_int, c_void};

use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

extern "C" {
    fn uk_netdev_transmit(index: c_int, frame: *const c_void, len: usize) -> c_int;
    fn uk_netdev_receive(index: c_int, buf: *mut c_void, cap: usize) -> c_int;
}

/// Ethernet header + 1500 bytes of payload.
pub const FRAME_SIZE: usize = 1514;
const EAGAIN: c_int = -11;

/// A netdev device, by index.
pub struct NetdevPhy {
    pub index: c_int,
    /// Frames the driver could not take (its ring was full even after retrying).
    pub dropped: u64,
}

pub struct RxToken {
    frame: [u8; FRAME_SIZE],
    len: usize,
}

pub struct TxToken<'a> {
    phy: &'a mut NetdevPhy,
}

impl phy::Device for NetdevPhy {
    type RxToken<'a> = RxToken;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(RxToken, TxToken<'_>)> {
        let mut frame = [0u8; FRAME_SIZE];
        // SAFETY: `frame` is writable for FRAME_SIZE bytes during the call.
        let n =
            unsafe { uk_netdev_receive(self.index, frame.as_mut_ptr() as *mut c_void, FRAME_SIZE) };
        if n <= 0 {
            return None;
        }
        Some((
            RxToken {
                frame,
                len: n as usize,
            },
            TxToken { phy: self },
        ))
    }

    fn transmit(&mut self, _now: Instant) -> Option<TxToken<'_>> {
        Some(TxToken { phy: self })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = FRAME_SIZE;
        caps
    }
}

impl phy::RxToken for RxToken {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.frame[..self.len])
    }
}

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = [0u8; FRAME_SIZE];
        let len = len.min(FRAME_SIZE);
        let result = f(&mut frame[..len]);
        // A full ring drains as the device works: retry for a while before dropping (TCP
        // retransmits a dropped segment).
        for _ in 0..100_000 {
            // SAFETY: `frame` holds `len` initialized bytes during the call.
            let status =
                unsafe { uk_netdev_transmit(self.phy.index, frame.as_ptr() as *const c_void, len) };
            if status != EAGAIN {
                return result;
            }
            core::hint::spin_loop();
        }
        self.phy.dropped += 1;
        result
    }
}
