//! 16550 UART on COM1 (I/O port 0x3f8): 115200 baud, 8 data bits, no parity, 1 stop bit.
//!
//! Polled both ways: each byte written waits for the transmit holding register to be empty
//! (`\n` is sent as `\r\n` so that raw terminals show lines properly); input is taken from
//! the receive register as long as it holds a byte, never waiting (QEMU holds back the rest of
//! its input until the guest has read what the UART holds, so nothing is lost).

use crate::port::{inb, outb};

const COM1: u16 = 0x3f8;
const DATA: u16 = COM1;
const INTERRUPT_ENABLE: u16 = COM1 + 1;
const LINE_CONTROL: u16 = COM1 + 3;
const MODEM_CONTROL: u16 = COM1 + 4;
const LINE_STATUS: u16 = COM1 + 5;
/// Divisor latch access bit in the line control register.
const DIVISOR_LATCH: u8 = 0x80;
/// 8 data bits, no parity, 1 stop bit.
const EIGHT_N_ONE: u8 = 0x03;
/// Transmit holding register empty, in the line status register.
const TRANSMIT_EMPTY: u8 = 0x20;
/// Received data ready, in the line status register.
const DATA_READY: u8 = 0x01;
/// Bound on the wait for one byte, so that a missing UART (it reads as 0xff) cannot hang us.
const MAX_POLLS: u32 = 100_000;

/// Programs the UART. Writing works without it on QEMU, so early crash reports still show.
///
/// The FIFOs are left off: turning them on empties the receive side, and input may already
/// have arrived (QEMU feeds its standard input from the start). Without them QEMU hands over
/// one byte at a time, as the guest reads.
pub fn init() {
    outb(INTERRUPT_ENABLE, 0x00);
    outb(LINE_CONTROL, DIVISOR_LATCH);
    outb(DATA, 0x01); // divisor 1: 115200 baud
    outb(INTERRUPT_ENABLE, 0x00);
    outb(LINE_CONTROL, EIGHT_N_ONE);
    outb(MODEM_CONTROL, 0x03); // DTR, RTS
}

fn put(byte: u8) {
    let mut polls = 0;
    while inb(LINE_STATUS) & TRANSMIT_EMPTY == 0 && polls < MAX_POLLS {
        polls += 1;
        core::hint::spin_loop();
    }
    outb(DATA, byte);
}

/// Writes `bytes`, turning `\n` into `\r\n`.
pub fn write(bytes: &[u8]) {
    for &byte in bytes {
        if byte == b'\n' {
            put(b'\r');
        }
        put(byte);
    }
}

/// Reads the bytes that have arrived, up to `buffer`'s length: how many (0 when none has). A
/// missing UART reads as 0xff everywhere, so its line status says nothing ever arrives... and
/// everything at once; its "data" is then 0xff bytes, which are dropped.
pub fn read(buffer: &mut [u8]) -> isize {
    let mut count = 0;
    while count < buffer.len() {
        let status = inb(LINE_STATUS);
        if status == 0xff || status & DATA_READY == 0 {
            break;
        }
        buffer[count] = inb(DATA);
        count += 1;
    }
    count as isize
}

/// `fmt::Write` over the console, for the platform's own messages.
pub struct Console;

impl core::fmt::Write for Console {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        write(text.as_bytes());
        Ok(())
    }
}
