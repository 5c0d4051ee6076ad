//! Function names for a guest's crash report. The guest prints its backtrace as bare
//! addresses (it carries no symbol table); `ukl run` passes the console through unchanged,
//! notes the addresses of the last `backtrace:` block, and when the guest ends with a crash
//! prints them again on stderr with the function and offset from the image's symbol table.

use std::io::{Read, Write};
use std::path::Path;

/// The frames of a crash report's backtrace: `#0` is the faulting instruction, the others
/// are return addresses.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Frames(pub Vec<u64>);

/// Copies `console` to `out` as it comes (byte for byte, flushed at once, so prompts and
/// partial lines show), and returns the frames of the last backtrace it printed.
pub fn forward(mut console: impl Read, mut out: impl Write) -> Frames {
    let mut buffer = [0u8; 4096];
    let mut line: Vec<u8> = Vec::new();
    let mut frames = Frames::default();
    let mut in_backtrace = false;
    loop {
        let n = match console.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // A closed output (`| head`) must not stop the guest: keep draining.
        let _ = out.write_all(&buffer[..n]);
        let _ = out.flush();
        for &byte in &buffer[..n] {
            if byte != b'\n' {
                line.push(byte);
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            note(text.trim_end_matches('\r'), &mut frames, &mut in_backtrace);
            line.clear();
        }
    }
    frames
}

/// The frames of the last backtrace in console lines given one at a time (for consoles read
/// line by line, such as Xen's log, where [`forward`] does not fit).
#[derive(Debug, Default)]
pub struct Collector {
    frames: Frames,
    in_backtrace: bool,
}

impl Collector {
    /// Follows one console line (without its line end).
    pub fn line(&mut self, line: &str) {
        note(
            line.trim_end_matches('\r'),
            &mut self.frames,
            &mut self.in_backtrace,
        );
    }

    pub fn frames(self) -> Frames {
        self.frames
    }
}

/// Follows one console line: `backtrace:` starts a new list of frames, `#N 0x…` adds one.
fn note(line: &str, frames: &mut Frames, in_backtrace: &mut bool) {
    let trimmed = line.trim();
    if trimmed == "backtrace:" {
        frames.0.clear();
        *in_backtrace = true;
        return;
    }
    if !*in_backtrace {
        return;
    }
    let mut words = trimmed.split_whitespace();
    let frame = words
        .next()
        .filter(|w| w.starts_with('#'))
        .and(words.next())
        .and_then(|w| w.strip_prefix("0x"))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok());
    match frame {
        Some(address) => frames.0.push(address),
        // Anything else ends the block (the "same N more times" line too).
        None if !trimmed.starts_with("...") => *in_backtrace = false,
        None => {}
    }
}

/// The backtrace with function names, one line per frame, or nothing when the image has no
/// symbols for any of them (a stripped image).
pub fn describe(image: &Path, frames: &Frames) -> Option<String> {
    let data = std::fs::read(image).ok()?;
    let names: Vec<Option<String>> = frames
        .0
        .iter()
        .enumerate()
        .map(|(depth, &address)| {
            // A return address points after its call: name the call's own instruction.
            let at = if depth == 0 { address } else { address - 1 };
            crate::halt_watch::symbolize_in(&data, at)
        })
        .collect();
    if names.iter().all(Option::is_none) {
        return None;
    }
    let mut text = String::from("ukl: the crash report's backtrace, from the image's symbols:\n");
    for (depth, (address, name)) in frames.0.iter().zip(&names).enumerate() {
        let name = name.as_deref().unwrap_or("?");
        text.push_str(&format!("  #{depth:<2} {address:#018x} {name}\n"));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collector_reads_line_by_line() {
        let mut collector = Collector::default();
        for line in [
            "x",
            "backtrace:",
            "  #0  0x0000000000100010",
            "  #1  0x0000000000100200\r",
        ] {
            collector.line(line);
        }
        assert_eq!(collector.frames(), Frames(vec![0x100010, 0x100200]));
    }

    #[test]
    fn collects_the_last_backtrace() {
        let console = "hello\nbacktrace:\n  #0  0x0000000000100010\n  #1  0x0000000000100200\r\n\
                       ukl: exit\nbacktrace:\n  #0  0x0000000000100030\n      ... the same 2 more \
                       time(s)\n  #1  0x0000000000100400\nend\n";
        let mut copy = Vec::new();
        let frames = forward(console.as_bytes(), &mut copy);
        assert_eq!(frames, Frames(vec![0x100030, 0x100400]));
        assert_eq!(copy, console.as_bytes());
    }

    #[test]
    fn ignores_frame_lines_outside_a_backtrace() {
        let frames = forward("  #0  0x0000000000100010\n".as_bytes(), std::io::sink());
        assert_eq!(frames, Frames::default());
    }
}
