//! Device files: `/dev/null`, `/dev/zero`, `/dev/full`, `/dev/random`, `/dev/urandom`, and
//! `/dev/tty` and `/dev/console` (the console). They are character-device nodes of the RAM
//! filesystem, made when it is, so `stat` and directory listings show them with Linux's device
//! numbers; reads and writes on them behave as Linux's do, whatever their path.

use crate::errno::*;
use crate::platform::console;

const ENOSPC: i64 = 28;

/// `makedev(major, minor)` of the devices, as Linux numbers them.
const NULL: u64 = 0x103;
const ZERO: u64 = 0x105;
const FULL: u64 = 0x107;
const RANDOM: u64 = 0x108;
const URANDOM: u64 = 0x109;
const TTY: u64 = 0x500;
const CONSOLE: u64 = 0x501;

/// The device nodes the RAM filesystem starts with: path and device number.
pub const NODES: [(&str, u64); 7] = [
    ("/dev/null", NULL),
    ("/dev/zero", ZERO),
    ("/dev/full", FULL),
    ("/dev/random", RANDOM),
    ("/dev/urandom", URANDOM),
    ("/dev/tty", TTY),
    ("/dev/console", CONSOLE),
];

/// Whether device `rdev` is the console (a terminal for `ioctl` and `isatty`).
pub fn is_console(rdev: u64) -> bool {
    matches!(rdev, TTY | CONSOLE)
}

/// A read of device `rdev` into `buffer`: the end of the data for null and the console,
/// zeroes, or random bytes.
pub fn read(rdev: u64, buffer: &mut [u8]) -> Result<i64, i64> {
    match rdev {
        NULL | TTY | CONSOLE => Ok(0),
        ZERO | FULL => {
            buffer.fill(0);
            Ok(buffer.len() as i64)
        }
        RANDOM | URANDOM => {
            crate::process::fill_random(buffer);
            Ok(buffer.len() as i64)
        }
        _ => Err(ENODEV),
    }
}

/// A write of `bytes` to device `rdev`: taken whole (the console prints it), or ENOSPC for
/// `/dev/full`.
pub fn write(rdev: u64, bytes: &[u8]) -> Result<i64, i64> {
    match rdev {
        FULL => Err(ENOSPC),
        TTY | CONSOLE => {
            console(bytes);
            Ok(bytes.len() as i64)
        }
        NULL | ZERO | RANDOM | URANDOM => Ok(bytes.len() as i64),
        _ => Err(ENODEV),
    }
}
