//! `hlt` in user-space library code becomes `int3` in a ring-0 image.
//!
//! A C library written for Linux processes uses `hlt` as its "impossible state" trap: musl's
//! `a_crash()` (a failed heap check, a stack-protector failure) is a bare `hlt`, which faults
//! in user mode. A unikernel runs that code in ring 0, where `hlt` is legal: the CPU stops
//! silently, or, with interrupts enabled (a threaded program), the next timer interrupt
//! resumes it past the crash. For the sections of the libraries named in
//! [`crate::link::LinkOptions::trap_hlt_in`], the linker finds every `hlt` instruction (by
//! decoding the section from its start) and writes `int3` (one byte, like `hlt`) in its place,
//! so the guest takes a breakpoint exception and prints a crash report on every platform.
//!
//! Only a section that decodes cleanly from start to end is changed, and never a byte a
//! relocation writes: data in a code section would otherwise be mistaken for instructions.

use crate::object_file::{ObjectFile, LE};
use iced_x86::{Code, Decoder, DecoderOptions};
use object::elf;
use rustc_hash::FxHashMap;

/// The opcode written in place of `hlt` (`0xf4`).
pub const INT3: u8 = 0xcc;

/// Offsets of `hlt` instructions in input sections, keyed by (object, section).
pub type HltSites = FxHashMap<(u32, u32), Vec<u32>>;

/// The `hlt` instructions of the live code sections of objects that come from one of `files`
/// (input paths as given to the link).
pub fn find(objects: &[ObjectFile<'_>], files: &[String]) -> HltSites {
    let mut sites = HltSites::default();
    if files.is_empty() {
        return sites;
    }
    for (oi, object) in objects.iter().enumerate() {
        if !files.contains(&object.file_path) {
            continue;
        }
        for (si, section) in object.sections.iter().enumerate() {
            let code = section.flags & u64::from(elf::SHF_EXECINSTR) != 0;
            if !section.live || !code || section.is_nobits() {
                continue;
            }
            let found = hlt_offsets(section.data, |offset| {
                section.relocs.iter().any(|r| {
                    let at = r.r_offset.get(LE);
                    (at..at.saturating_add(field_width(r.r_type(LE, false)))).contains(&offset)
                })
            });
            if let Some(found) = found.filter(|f| !f.is_empty()) {
                sites.insert((oi as u32, si as u32), found);
            }
        }
    }
    sites
}

/// How many bytes an x86-64 relocation of type `r_type` writes.
fn field_width(r_type: u32) -> u64 {
    match r_type {
        elf::R_X86_64_64
        | elf::R_X86_64_PC64
        | elf::R_X86_64_GOTOFF64
        | elf::R_X86_64_GOTPC64
        | elf::R_X86_64_GOT64
        | elf::R_X86_64_GOTPCREL64
        | elf::R_X86_64_GOTPLT64
        | elf::R_X86_64_PLTOFF64
        | elf::R_X86_64_SIZE64
        | elf::R_X86_64_DTPMOD64
        | elf::R_X86_64_DTPOFF64
        | elf::R_X86_64_TPOFF64 => 8,
        elf::R_X86_64_16 | elf::R_X86_64_PC16 => 2,
        elf::R_X86_64_8 | elf::R_X86_64_PC8 => 1,
        _ => 4,
    }
}

/// Offsets of the `hlt` instructions in `code`, decoded from its first byte; `None` when some
/// bytes do not decode (the section holds data, so no boundary can be trusted). Offsets that
/// `relocated` reports as written by a relocation are left out.
fn hlt_offsets(code: &[u8], relocated: impl Fn(u64) -> bool) -> Option<Vec<u32>> {
    let mut decoder = Decoder::new(64, code, DecoderOptions::NONE);
    let mut found = Vec::new();
    while decoder.can_decode() {
        let offset = decoder.position();
        let instruction = decoder.decode();
        if instruction.is_invalid() {
            return None;
        }
        if instruction.code() == Code::Hlt && !relocated(offset as u64) {
            found.push(offset as u32);
        }
    }
    Some(found)
}

/// Writes `int3` over the `hlt` instructions `sites` lists for one input section, whose
/// contents (already relocated) are `slice`.
pub fn patch(slice: &mut [u8], sites: &[u32]) {
    for &offset in sites {
        if let Some(byte) = slice.get_mut(offset as usize) {
            debug_assert_eq!(*byte, 0xf4);
            *byte = INT3;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_hlt_instructions_not_hlt_bytes() {
        // mov eax, 0xf4f4f4f4; hlt; add rsp, -12 (ends in 0xf4); hlt; ret
        let code = [
            0xb8, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0x48, 0x83, 0xc4, 0xf4, 0xf4, 0xc3,
        ];
        assert_eq!(hlt_offsets(&code, |_| false), Some(vec![5, 10]));
        assert_eq!(hlt_offsets(&code, |o| o == 10), Some(vec![5]));
    }

    #[test]
    fn a_section_that_does_not_decode_is_left_alone() {
        // hlt, then a truncated instruction (data at the end of the section).
        assert_eq!(hlt_offsets(&[0xf4, 0x48, 0x8b], |_| false), None);
        let mut bytes = [0xf4, 0x90, 0xf4];
        patch(&mut bytes, &[0, 2]);
        assert_eq!(bytes, [INT3, 0x90, INT3]);
    }
}
