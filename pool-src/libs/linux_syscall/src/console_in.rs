//! Console input, what descriptor 0 reads: the bytes the platform's console receives
//! (`ukplat_console_read`: KVM's serial port, which `ukl run` feeds from its own standard
//! input). A 0x04 byte (Ctrl-D, a terminal's end-of-file character; `ukl run` sends one when
//! its input ends) ends the input: a read that meets it returns what came before, and every
//! read after that returns 0, as at the end of a pipe. A console that takes no input (Xen) is
//! at its end at once.

use crate::cell::Global;
use crate::errno::*;
use alloc::collections::VecDeque;
use core::sync::atomic::{AtomicBool, Ordering};

/// The end-of-file character.
const EOT: u8 = 0x04;

extern "C" {
    fn ukplat_console_read(buf: *mut u8, len: usize) -> isize;
}

/// Bytes taken from the console and not read yet.
static PENDING: Global<VecDeque<u8>> = Global::new(VecDeque::new());

/// Set once the end-of-file character was read.
static ENDED: AtomicBool = AtomicBool::new(false);

/// Moves what the console received into [`PENDING`]; false when the input is at its end.
fn fill() -> bool {
    if ENDED.load(Ordering::Relaxed) {
        return false;
    }
    let mut chunk = [0u8; 256];
    // SAFETY: the platform writes at most `chunk.len()` bytes into it.
    let n = unsafe { ukplat_console_read(chunk.as_mut_ptr(), chunk.len()) };
    if n < 0 {
        return false;
    }
    if n > 0 {
        PENDING.with(|pending| pending.extend(&chunk[..n as usize]));
    }
    true
}

/// Reads into `buffer` what has arrived (waiting for something unless `nonblocking`): the
/// count, or 0 at the end of the input.
pub fn read(buffer: &mut [u8], nonblocking: bool) -> Result<i64, i64> {
    if buffer.is_empty() {
        return Ok(0);
    }
    loop {
        let has_input = fill();
        let got = PENDING.with(|pending| {
            if pending.front() == Some(&EOT) {
                pending.clear();
                ENDED.store(true, Ordering::Relaxed);
                return Some(0);
            }
            let n = pending
                .iter()
                .take(buffer.len())
                .take_while(|b| **b != EOT)
                .count();
            for (slot, byte) in buffer.iter_mut().zip(pending.drain(..n)) {
                *slot = byte;
            }
            (n > 0).then_some(n)
        });
        match got {
            Some(n) => return Ok(n as i64),
            None if !has_input => return Ok(0),
            None if nonblocking => return Err(EAGAIN),
            None => {}
        }
        // A terminal read is restarted after a handler with SA_RESTART.
        if let Some(e) = crate::signals::wait_ends(true) {
            return Err(e);
        }
        crate::platform::idle();
    }
}

/// Whether a read would not wait: input has arrived, or the console is at its end.
pub fn readable() -> bool {
    !fill() || PENDING.with(|pending| !pending.is_empty())
}
