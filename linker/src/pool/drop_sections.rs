//! Which sections packaging drops from an object, and what has to go with them.
//!
//! Dropped are the sections no ukl link uses:
//! - debug information: every non-allocated section named `.debug*` or `.zdebug*` (DWARF; the
//!   Rust sysroot's objects that `rust_rt` bundles carry megabytes of it). Every link discards
//!   it from archive members anyway (`strip_debug`, and `strip_archive_debug` for platforms
//!   that keep the application's debug info);
//! - LLVM bitcode that rustc embeds (`.llvmbc`, `.llvmcmd`, marked `SHF_EXCLUDE`).
//!
//! With a dropped section go the relocation sections that apply to it, a group (`SHT_GROUP`)
//! all of whose members go (gcc's `-g3` puts each `.debug_macro` in a group of its own), and the
//! local symbols defined in any of them (section symbols, local labels, a group's signature).
//! A section stays, with what it would have taken along, when something that stays still
//! needs it: a global symbol defined in it, a kept relocation or group signature that names one
//! of its symbols, or a kept section's `sh_link` or `sh_info`.

use std::collections::BTreeSet;

use object::elf;
use object::read::elf::{FileHeader, SectionHeader, Sym};
use object::{LittleEndian as LE, U32};

use super::localize::{Parsed, SectionHeader64, SymbolTable};

/// Sections dropped when marked `SHF_EXCLUDE`: LLVM bitcode embedded by rustc
/// (`-C embed-bitcode`, on for the sysroot), which no linker keeps.
const EXCLUDED_SECTIONS: &[&[u8]] = &[b".llvmbc", b".llvmcmd"];

/// Whether a non-allocated section of this name holds only debug information.
fn is_debug(name: &[u8]) -> bool {
    name.starts_with(b".debug") || name.starts_with(b".zdebug")
}

/// `map[old]` is the new index of each section of the object, `None` for a dropped one. A
/// symbol whose `st_shndx` is a dropped section is dropped too; nothing that stays refers to it.
pub(super) fn sections_to_keep(
    parsed: &Parsed<'_>,
    data: &[u8],
    table: &SymbolTable<'_>,
) -> Result<Vec<Option<u32>>, String> {
    let sections = parsed.sections;
    let names = section_names(parsed, data)?;
    let name_of = |section: &SectionHeader64| -> &[u8] {
        let tail = names
            .get(section.sh_name(LE) as usize..)
            .unwrap_or_default();
        &tail[..tail.iter().position(|&b| b == 0).unwrap_or(tail.len())]
    };
    let droppable: Vec<bool> = sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let flags = section.sh_flags(LE);
            let name = name_of(section);
            index != 0
                && ((flags & u64::from(elf::SHF_EXCLUDE) != 0 && EXCLUDED_SECTIONS.contains(&name))
                    || (flags & u64::from(elf::SHF_ALLOC) == 0
                        && section.sh_type(LE) != elf::SHT_NOBITS
                        && is_debug(name)))
        })
        .collect();
    let uses_extended_indices = table
        .symbols
        .iter()
        .any(|symbol| symbol.st_shndx(LE) == elf::SHN_XINDEX);
    // Rare enough not to renumber the extended index table for.
    if !droppable.contains(&true) || uses_extended_indices {
        return Ok((0..sections.len() as u32).map(Some).collect());
    }
    let objects = Sections::read(sections, data)?;
    let mut pinned = vec![false; sections.len()];
    loop {
        let dropped = objects.dropped(&droppable, &pinned);
        let needed = objects.needed(&dropped, table)?;
        if needed.is_empty() {
            let mut next = 0u32;
            return Ok(dropped
                .iter()
                .map(|&gone| {
                    if gone {
                        None
                    } else {
                        next += 1;
                        Some(next - 1)
                    }
                })
                .collect());
        }
        // Each round keeps at least one more section, so this ends.
        for index in needed {
            objects.pin(index, &mut pinned);
        }
    }
}

/// The section name table's bytes.
fn section_names<'data>(parsed: &Parsed<'data>, data: &'data [u8]) -> Result<&'data [u8], String> {
    let sections = parsed.sections;
    let shstrndx = match parsed.header.e_shstrndx(LE) {
        elf::SHN_XINDEX => sections
            .first()
            .map_or(0, |first| first.sh_link(LE) as usize),
        index => usize::from(index),
    };
    sections
        .get(shstrndx)
        .ok_or("no section name table")?
        .data(LE, data)
        .map_err(|_| "the section name table is outside the file".to_string())
}

/// What decides which sections go together: relocation targets, group members, relocations.
struct Sections<'data> {
    headers: &'data [SectionHeader64],
    /// The section a relocation section applies to, for `SHT_REL`/`SHT_RELA` sections.
    target: Vec<Option<usize>>,
    /// The member sections of each `SHT_GROUP` section (empty for other sections).
    members: Vec<Vec<usize>>,
    /// The symbol indices of each relocation section's relocations.
    relocated_symbols: Vec<Vec<u32>>,
}

impl<'data> Sections<'data> {
    fn read(headers: &'data [SectionHeader64], data: &'data [u8]) -> Result<Self, String> {
        let mut target = vec![None; headers.len()];
        let mut members = vec![Vec::new(); headers.len()];
        let mut relocated_symbols = vec![Vec::new(); headers.len()];
        for (index, section) in headers.iter().enumerate() {
            match section.sh_type(LE) {
                elf::SHT_RELA => {
                    target[index] = Some(section.sh_info(LE) as usize);
                    let relocations: &[elf::Rela64<LE>] = section
                        .data_as_array(LE, data)
                        .map_err(|_| "bad SHT_RELA")?;
                    relocated_symbols[index] = relocations
                        .iter()
                        .map(|relocation| (relocation.r_info.get(LE) >> 32) as u32)
                        .collect();
                }
                elf::SHT_REL => {
                    target[index] = Some(section.sh_info(LE) as usize);
                    let relocations: &[elf::Rel64<LE>] =
                        section.data_as_array(LE, data).map_err(|_| "bad SHT_REL")?;
                    relocated_symbols[index] = relocations
                        .iter()
                        .map(|relocation| (relocation.r_info.get(LE) >> 32) as u32)
                        .collect();
                }
                elf::SHT_GROUP => {
                    let words: &[U32<LE>] = section
                        .data_as_array(LE, data)
                        .map_err(|_| "bad SHT_GROUP")?;
                    members[index] = words
                        .iter()
                        .skip(1)
                        .map(|word| word.get(LE) as usize)
                        .collect();
                }
                _ => {}
            }
        }
        Ok(Sections {
            headers,
            target,
            members,
            relocated_symbols,
        })
    }

    /// The sections dropped when the droppable ones that are not pinned go: those, their
    /// relocation sections, and groups left without members.
    fn dropped(&self, droppable: &[bool], pinned: &[bool]) -> Vec<bool> {
        let mut dropped: Vec<bool> = (0..self.headers.len())
            .map(|index| droppable[index] && !pinned[index])
            .collect();
        for index in 0..self.headers.len() {
            if let Some(target) = self.target[index] {
                if !pinned[index] && dropped.get(target).copied().unwrap_or(false) {
                    dropped[index] = true;
                }
            }
        }
        for index in 0..self.headers.len() {
            let members = &self.members[index];
            if !pinned[index]
                && !members.is_empty()
                && members
                    .iter()
                    .all(|&member| dropped.get(member).copied().unwrap_or(false))
            {
                dropped[index] = true;
            }
        }
        dropped
    }

    /// Dropped sections that something kept still needs.
    fn needed(&self, dropped: &[bool], table: &SymbolTable<'_>) -> Result<BTreeSet<usize>, String> {
        let is_dropped = |index: usize| dropped.get(index).copied().unwrap_or(false);
        let symbol_section = |symbol: u32| -> Result<Option<usize>, String> {
            let symbol = table
                .symbols
                .get(symbol as usize)
                .ok_or_else(|| format!("symbol index {symbol} out of range"))?;
            let shndx = symbol.st_shndx(LE);
            Ok((shndx != elf::SHN_UNDEF && shndx < elf::SHN_LORESERVE)
                .then_some(usize::from(shndx))
                .filter(|&index| is_dropped(index)))
        };
        let mut needed = BTreeSet::new();
        for (index, symbol) in table.symbols.iter().enumerate() {
            if symbol.st_bind() != elf::STB_LOCAL {
                needed.extend(symbol_section(index as u32)?);
            }
        }
        for (index, section) in self.headers.iter().enumerate() {
            if index == 0 || is_dropped(index) {
                continue;
            }
            let link = section.sh_link(LE) as usize;
            if is_dropped(link) {
                needed.insert(link);
            }
            let info = section.sh_info(LE) as usize;
            let sh_type = section.sh_type(LE);
            if (sh_type == elf::SHT_REL
                || sh_type == elf::SHT_RELA
                || section.sh_flags(LE) & u64::from(elf::SHF_INFO_LINK) != 0)
                && is_dropped(info)
            {
                needed.insert(info);
            }
            if sh_type == elf::SHT_GROUP && section.sh_link(LE) as usize == table.index {
                needed.extend(symbol_section(section.sh_info(LE))?);
            }
            for &symbol in &self.relocated_symbols[index] {
                needed.extend(symbol_section(symbol)?);
            }
        }
        Ok(needed)
    }

    /// Keeps `index`, and what it cannot be dropped without: a relocation section's target, a
    /// group's members.
    fn pin(&self, index: usize, pinned: &mut [bool]) {
        if index >= pinned.len() || pinned[index] {
            return;
        }
        pinned[index] = true;
        if let Some(target) = self.target[index] {
            self.pin(target, pinned);
        }
        for &member in &self.members[index] {
            self.pin(member, pinned);
        }
    }
}
