//! The console, on the best channel the domain has:
//! 1. the `console_io` hypercall (`CONSOLEIO_write`), which Xen grants the control domain
//!    (dom0) only; Xen writes the bytes to its own console as they are;
//! 2. the shared console ring whose page and event channel a domU finds in its HVM parameters
//!    (the backend, xenconsoled, shows it in `xl console`), see [`crate::ring`];
//! 3. I/O port 0xe9, which Xen answers for every HVM/PVH domain by printing each line on its
//!    console as `(dN) line` (shown with `guest_loglvl=all`); also the channel before the
//!    hypercall page exists, and without Xen.
//!
//! `init` probes in that order: `console_io` is tried with an empty write (a domU gets
//! -EPERM), the ring is used when the parameters name one.

use crate::hypercall::{self, CONSOLE_IO};
use crate::ring;
use core::sync::atomic::{AtomicU8, Ordering};

const CONSOLEIO_WRITE: u64 = 0;
const DEBUG_PORT: u16 = 0xe9;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Channel {
    DebugPort = 0,
    ConsoleIo = 1,
    Ring = 2,
}

static CHANNEL: AtomicU8 = AtomicU8::new(Channel::DebugPort as u8);

pub fn channel() -> Channel {
    match CHANNEL.load(Ordering::Relaxed) {
        1 => Channel::ConsoleIo,
        2 => Channel::Ring,
        _ => Channel::DebugPort,
    }
}

fn console_io_write(bytes: &[u8]) -> i64 {
    // SAFETY: CONSOLEIO_write reads `len` bytes at the (identity-mapped) pointer.
    unsafe {
        hypercall::call3(
            CONSOLE_IO,
            CONSOLEIO_WRITE,
            bytes.len() as u64,
            bytes.as_ptr() as u64,
        )
    }
}

/// Chooses the channel; call once the hypercall page is installed (or not, without Xen).
pub fn init() {
    if !hypercall::ready() {
        return;
    }
    let chosen = if console_io_write(&[]) == 0 {
        Channel::ConsoleIo
    } else if ring::init() {
        Channel::Ring
    } else {
        Channel::DebugPort
    };
    CHANNEL.store(chosen as u8, Ordering::Relaxed);
}

fn debug_port_write(bytes: &[u8]) {
    for &byte in bytes {
        // SAFETY: port 0xe9 is Xen's (and QEMU's) debug console; writing it touches no memory.
        unsafe {
            core::arch::asm!("out dx, al", in("dx") DEBUG_PORT, in("al") byte, options(nomem, nostack, preserves_flags))
        };
    }
}

/// Writes `bytes` to the console.
pub fn write(bytes: &[u8]) {
    match channel() {
        Channel::ConsoleIo => {
            // Xen takes the whole buffer and returns 0; on an error, use the port instead.
            if console_io_write(bytes) < 0 {
                debug_port_write(bytes);
            }
        }
        Channel::Ring => ring::write(bytes),
        Channel::DebugPort => debug_port_write(bytes),
    }
}

/// Waits (bounded) until the console backend has taken everything written.
pub fn flush() {
    if channel() == Channel::Ring {
        ring::flush();
    }
}

/// `fmt::Write` over the console, for the platform's own messages.
pub struct Console;

impl core::fmt::Write for Console {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        write(text.as_bytes());
        Ok(())
    }
}

/// Console input: not read yet on Xen (the hypervisor's console and the ring both carry it,
/// but nothing here takes it), so reads are at the end of the input.
pub fn read(_buffer: &mut [u8]) -> isize {
    -1
}
