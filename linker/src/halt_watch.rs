//! Finding a guest that stopped itself with `hlt` outside the idle loop. In ring 0 with
//! interrupts disabled that stops the vCPU for good, silently. Nothing inside the guest can
//! notice it, but the runner can: QEMU's monitor (QMP, `info registers`) shows `HLT=1` and the
//! flags. A halted vCPU with IF clear never runs again (nothing sends NMIs), so the runner
//! reports a crash at once, with the address and the function it is in, instead of waiting for
//! the timeout. (A C library's own `hlt`, musl's `a_crash()`, never gets here: the linker
//! writes it as `int3` for ring 0, see `hlt_trap`, and the guest reports that itself.)

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// The guest's CPU stopped by `hlt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Halted {
    /// The instruction after the `hlt`.
    pub rip: u64,
    /// Whether interrupts were enabled (then only a `hlt` outside the idle function counts).
    pub interrupts_enabled: bool,
}

/// The function holding the image's only legitimate `hlt` (arch_x86_64's idle wait).
pub const IDLE_FUNCTION: &str = "ukarch_halt_irq";

/// A QMP connection to a running QEMU.
pub struct Monitor {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Monitor {
    /// Connects and negotiates capabilities; `None` while QEMU is not listening yet.
    pub fn connect(socket: &Path) -> Option<Monitor> {
        let stream = UnixStream::connect(socket).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        let writer = stream.try_clone().ok()?;
        let mut monitor = Monitor {
            reader: BufReader::new(stream),
            writer,
        };
        monitor.read_message()?; // the greeting
        monitor.command(r#"{"execute":"qmp_capabilities"}"#)?;
        Some(monitor)
    }

    fn read_message(&mut self) -> Option<serde_json::Value> {
        let mut line = String::new();
        self.reader.read_line(&mut line).ok()?;
        serde_json::from_str(&line).ok()
    }

    /// Sends a command and returns its `return` value (events before it are skipped).
    fn command(&mut self, json: &str) -> Option<serde_json::Value> {
        self.writer.write_all(json.as_bytes()).ok()?;
        self.writer.write_all(b"\n").ok()?;
        loop {
            let message = self.read_message()?;
            if let Some(value) = message.get("return") {
                return Some(value.clone());
            }
            if message.get("error").is_some() {
                return None;
            }
        }
    }

    /// Is the CPU halted?
    pub fn halted(&mut self) -> Option<Halted> {
        parse_registers(&self.registers()?)
    }

    /// QEMU's `info registers` text.
    pub fn registers(&mut self) -> Option<String> {
        let text = self.command(
            r#"{"execute":"human-monitor-command","arguments":{"command-line":"info registers"}}"#,
        )?;
        Some(text.as_str()?.to_string())
    }
}

/// Where a guest that ran out of time was: its instruction pointer (with the function), stack
/// pointer and whether it was halted, for the timeout message.
pub fn stopped_at(image: &Path, registers: &str) -> Option<String> {
    let field = |name: &str| -> Option<u64> {
        registers
            .split_whitespace()
            .find_map(|word| word.strip_prefix(name))
            .and_then(|value| u64::from_str_radix(value, 16).ok())
    };
    let rip = field("RIP=")?;
    let rsp = field("RSP=")?;
    let flags = field("RFL=")?;
    let halted = field("HLT=")? == 1;
    let location = symbolize(image, rip + 1)
        .map(|s| format!(" in {s}"))
        .unwrap_or_default();
    Some(format!(
        "the vCPU was at {rip:#x}{location}, stack {rsp:#x}, interrupts {}{}",
        if flags & (1 << 9) != 0 { "on" } else { "off" },
        if halted { ", halted" } else { "" }
    ))
}

/// Reads `RIP=…`, `RFL=…` and `HLT=…` from QEMU's `info registers`.
pub fn parse_registers(text: &str) -> Option<Halted> {
    let field = |name: &str| -> Option<&str> {
        text.split_whitespace()
            .find_map(|word| word.strip_prefix(name))
    };
    let halted = field("HLT=")? == "1";
    let flags = u64::from_str_radix(field("RFL=")?, 16).ok()?;
    let rip = u64::from_str_radix(field("RIP=")?, 16).ok()?;
    let interrupts_enabled = flags & (1 << 9) != 0;
    halted.then_some(Halted {
        rip,
        interrupts_enabled,
    })
}

/// Is this halt a crash? With interrupts disabled the CPU never runs again; with interrupts
/// enabled, a `hlt` anywhere but the idle function is one (a program's own) that the next
/// interrupt would resume as if nothing happened.
pub fn is_crash(image: &Path, halted: Halted) -> bool {
    if !halted.interrupts_enabled {
        return true;
    }
    symbolize(image, halted.rip)
        .is_some_and(|location| !location.starts_with(&format!("{IDLE_FUNCTION}+")))
}

/// `function+0xoffset` for the `hlt` before `rip`, from the image's symbol table.
pub fn symbolize(image: &Path, rip: u64) -> Option<String> {
    symbolize_at(image, rip.checked_sub(1)?)
}

/// `function+0xoffset` for the instruction at `at`, from the image's symbol table (Rust names
/// demangled).
pub fn symbolize_at(image: &Path, at: u64) -> Option<String> {
    symbolize_in(&std::fs::read(image).ok()?, at)
}

/// [`symbolize_at`] for an image already read into `data` (to name several addresses).
pub fn symbolize_in(data: &[u8], at: u64) -> Option<String> {
    use object::{Object, ObjectSymbol};
    let file = object::File::parse(data).ok()?;
    // The closest function start at or below `at`; a global name wins over a local alias.
    let mut best: Option<((u64, bool), String)> = None;
    for symbol in file.symbols() {
        if symbol.kind() != object::SymbolKind::Text || symbol.address() > at {
            continue;
        }
        let end = symbol.address() + symbol.size().max(1);
        let rank = (symbol.address(), symbol.is_global());
        if at < end && best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, symbol.name().ok()?.to_string()));
        }
    }
    // Rust names read as paths (`boot::entry::run_main`), without the hash.
    best.map(|((address, _), name)| {
        format!("{:#}+{:#x}", rustc_demangle::demangle(&name), at - address)
    })
}

/// The crash report printed for a halted guest.
pub fn report(image: &Path, halted: Halted) -> String {
    let location = symbolize(image, halted.rip)
        .map(|s| format!(" in {s}"))
        .unwrap_or_default();
    format!(
        "ukl: crash: the guest executed `hlt` outside the idle loop (interrupts {}) at \
         {:#x}{location}: the CPU would never run the program again.",
        if halted.interrupts_enabled {
            "enabled"
        } else {
            "disabled"
        },
        halted.rip - 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_qemu_registers() {
        let text = "RIP=000000000011abd1 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n";
        assert_eq!(
            parse_registers(text),
            Some(Halted {
                rip: 0x11abd1,
                interrupts_enabled: false
            })
        );
        let enabled = "RIP=000000000011abd1 RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n";
        assert_eq!(
            parse_registers(enabled),
            Some(Halted {
                rip: 0x11abd1,
                interrupts_enabled: true
            })
        );
        let running = "RIP=000000000011abd1 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0\n";
        assert_eq!(parse_registers(running), None);
    }
}
