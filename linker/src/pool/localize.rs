//! Symbol privatization: everything a library defines but does not export becomes private, so
//! that two libraries, or a library and the application, never collide.
//!
//! The rule, for each global or weak symbol defined in the library's objects whose name no
//! pattern of `exports.txt` matches:
//! - **localize** it (binding `STB_LOCAL`) when exactly one object defines it, it is not a
//!   common symbol, and no other object of the same library refers to it. It then disappears
//!   from the link's global namespace entirely, as with `objcopy --localize-symbol`.
//! - otherwise **rename** it to `__ukl_<lib>_<name>`, in every object of the library, definitions
//!   and references alike, and give the definitions hidden visibility. A symbol that another
//!   object of the same library uses (a Rust crate calling its bundled C code, core calling
//!   compiler_builtins inside `rust_rt`) must stay global for those references to resolve; the
//!   library-unique prefix keeps it from colliding (Hermit renames the same way). Renaming also
//!   preserves the semantics of weak and duplicated definitions exactly.
//!
//! Exported symbols, undefined symbols that the library does not define, and local symbols are
//! left alone. Renamed symbols are internal to the library: the export check and the metadata
//! ignore names with the library's prefix.
//!
//! While rewriting, the sections that [`drop_sections`](super::drop_sections) selects are
//! dropped with the symbols defined in them: debug information (`.debug_*`, which was almost
//! all of `rust_rt`'s 4.9 MB) and LLVM bitcode (`.llvmbc`, `.llvmcmd`), which no ukl link keeps.
//!
//! The rewrite works on the raw ELF64 file rather than through `object::build::elf::Builder`,
//! which rejects the `SHT_LLVM_ADDRSIG` sections that rustc and clang emit. Localizing moves
//! symbols (locals must precede globals), so every symbol index is remapped: in relocation
//! sections, `SHT_GROUP` signatures, `SHT_SYMTAB_SHNDX` and `SHT_LLVM_ADDRSIG` (which simply
//! loses the dropped symbols), and dropping sections renumbers section indices (symbols, links,
//! group members, a dropped member leaving its group). Every other section is
//! copied byte for byte; the file is laid out anew in section order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use object::elf;
use object::read::elf::{FileHeader, SectionHeader, Sym};
use object::{LittleEndian as LE, U32, U64};

use super::drop_sections::sections_to_keep;
use super::private_prefix;
use super::ExportList;

/// `SHT_LLVM_ADDRSIG`: ULEB128 symbol indices of address-significant symbols.
const SHT_LLVM_ADDRSIG: u32 = 0x6fff_4c03;

type Header = elf::FileHeader64<LE>;
pub(super) type SectionHeader64 = elf::SectionHeader64<LE>;
type Sym64 = elf::Sym64<LE>;

/// One symbol of an object's symbol table, as the pool builder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SymbolInfo {
    pub name: String,
    pub binding: u8,
    /// `st_shndx` is not `SHN_UNDEF`.
    pub defined: bool,
    pub common: bool,
}

impl SymbolInfo {
    pub fn is_global(&self) -> bool {
        self.binding != elf::STB_LOCAL
    }
}

/// Calls `f` with `data` at an 8-byte aligned address, as the ELF structures need; archive
/// members are only 2-byte aligned, so they are copied when needed.
pub(crate) fn with_aligned<T>(data: &[u8], f: impl FnOnce(&[u8]) -> T) -> T {
    if data.as_ptr().align_offset(8) == 0 {
        return f(data);
    }
    let mut words = vec![0u64; data.len().div_ceil(8)];
    let bytes: &mut [u8] = object::pod::bytes_of_slice_mut(&mut words);
    bytes[..data.len()].copy_from_slice(data);
    f(&bytes[..data.len()])
}

/// The symbols of an ELF64 relocatable object, without the null symbol.
pub(crate) fn symbols(data: &[u8]) -> Result<Vec<SymbolInfo>, String> {
    with_aligned(data, symbols_aligned)
}

fn symbols_aligned(data: &[u8]) -> Result<Vec<SymbolInfo>, String> {
    let parsed = Parsed::parse(data)?;
    let Some(table) = parsed.symtab else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(table.symbols.len());
    for symbol in table.symbols.iter().skip(1) {
        out.push(SymbolInfo {
            name: String::from_utf8_lossy(table.name(symbol)?).into_owned(),
            binding: symbol.st_bind(),
            defined: symbol.st_shndx(LE) != elf::SHN_UNDEF,
            common: symbol.st_shndx(LE) == elf::SHN_COMMON,
        });
    }
    Ok(out)
}

/// What to do with one global symbol name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Localize,
    Rename(Vec<u8>),
}

/// The outcome of privatizing a library.
#[derive(Debug, Default)]
pub(crate) struct Privatized {
    /// Non-exported names that were made local.
    pub localized: BTreeSet<String>,
    /// Non-exported names that were renamed to `__ukl_<lib>_<name>`.
    pub renamed: BTreeSet<String>,
}

/// Applies the rule of the module documentation to `members` (name, ELF bytes) in place.
pub(crate) fn privatize(
    library: &str,
    members: &mut [(String, Vec<u8>)],
    exports: &ExportList,
) -> Result<Privatized, (String, String)> {
    // Who defines and who refers to each global name.
    let mut definitions: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut commons: BTreeSet<String> = BTreeSet::new();
    let mut references: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (index, (member, data)) in members.iter().enumerate() {
        let symbols = symbols(data).map_err(|message| (member.clone(), message))?;
        for symbol in symbols.iter().filter(|s| s.is_global()) {
            if symbol.defined {
                definitions
                    .entry(symbol.name.clone())
                    .or_default()
                    .push(index);
                if symbol.common {
                    commons.insert(symbol.name.clone());
                }
            } else {
                references
                    .entry(symbol.name.clone())
                    .or_default()
                    .insert(index);
            }
        }
    }
    let prefix = private_prefix(library);
    let mut plan: HashMap<Vec<u8>, Action> = HashMap::new();
    let mut outcome = Privatized::default();
    for (name, definers) in &definitions {
        if exports.matches(name) || name.starts_with(&prefix) {
            continue;
        }
        let used_elsewhere = references
            .get(name)
            .is_some_and(|users| users.iter().any(|user| !definers.contains(user)));
        if definers.len() == 1 && !commons.contains(name) && !used_elsewhere {
            plan.insert(name.as_bytes().to_vec(), Action::Localize);
            outcome.localized.insert(name.clone());
        } else {
            let renamed = format!("{prefix}{name}").into_bytes();
            plan.insert(name.as_bytes().to_vec(), Action::Rename(renamed));
            outcome.renamed.insert(name.clone());
        }
    }
    for (member, data) in members.iter_mut() {
        if let Some(rewritten) =
            rewrite(data, &plan).map_err(|message| (member.clone(), message))?
        {
            *data = rewritten;
        }
    }
    Ok(outcome)
}

/// The parts of an ELF64 relocatable object that privatization touches.
pub(super) struct Parsed<'data> {
    pub header: &'data Header,
    pub sections: &'data [SectionHeader64],
    pub symtab: Option<SymbolTable<'data>>,
}

pub(super) struct SymbolTable<'data> {
    pub index: usize,
    pub strtab_index: usize,
    pub symbols: &'data [Sym64],
    pub strings: &'data [u8],
}

impl<'data> SymbolTable<'data> {
    fn name(&self, symbol: &Sym64) -> Result<&'data [u8], String> {
        let start = symbol.st_name(LE) as usize;
        let tail = self
            .strings
            .get(start..)
            .ok_or("symbol name outside .strtab")?;
        let end = tail
            .iter()
            .position(|&b| b == 0)
            .ok_or("unterminated symbol name")?;
        Ok(&tail[..end])
    }
}

impl<'data> Parsed<'data> {
    fn parse(data: &'data [u8]) -> Result<Parsed<'data>, String> {
        let header = Header::parse(data).map_err(|e| format!("not an ELF64 object: {e}"))?;
        if header.e_type(LE) != elf::ET_REL {
            return Err("not a relocatable object (ET_REL)".to_string());
        }
        if header.e_machine(LE) != elf::EM_X86_64 {
            return Err(format!("machine {} is not x86_64", header.e_machine(LE)));
        }
        let sections = header
            .section_headers(LE, data)
            .map_err(|e| e.to_string())?;
        let mut symtab = None;
        for (index, section) in sections.iter().enumerate() {
            if section.sh_type(LE) != elf::SHT_SYMTAB {
                continue;
            }
            if symtab.is_some() {
                return Err("more than one SHT_SYMTAB section".to_string());
            }
            let symbols: &[Sym64] = section
                .data_as_array(LE, data)
                .map_err(|_| "the symbol table is outside the file".to_string())?;
            let strtab_index = section.sh_link(LE) as usize;
            let strings = sections
                .get(strtab_index)
                .ok_or("the symbol table links to no string table")?
                .data(LE, data)
                .map_err(|_| "the string table is outside the file".to_string())?;
            symtab = Some(SymbolTable {
                index,
                strtab_index,
                symbols,
                strings,
            });
        }
        Ok(Parsed {
            header,
            sections,
            symtab,
        })
    }
}

/// Rewrites one object according to `plan` and drops the sections that
/// [`drop_sections`](super::drop_sections) selects; `None` when nothing in it changes.
fn rewrite(data: &[u8], plan: &HashMap<Vec<u8>, Action>) -> Result<Option<Vec<u8>>, String> {
    with_aligned(data, |data| rewrite_aligned(data, plan))
}

fn rewrite_aligned(
    data: &[u8],
    plan: &HashMap<Vec<u8>, Action>,
) -> Result<Option<Vec<u8>>, String> {
    let parsed = Parsed::parse(data)?;
    let Some(table) = parsed
        .symtab
        .as_ref()
        .filter(|table| !table.symbols.is_empty())
    else {
        return Ok(None);
    };
    let mut strings = table.strings.to_vec();
    let mut appended: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut symbols: Vec<Sym64> = table.symbols.to_vec();
    let mut changed = false;
    for symbol in symbols.iter_mut().skip(1) {
        if symbol.st_bind() == elf::STB_LOCAL {
            continue;
        }
        let name = table.name(symbol)?;
        let defined = symbol.st_shndx(LE) != elf::SHN_UNDEF;
        match plan.get(name) {
            None => {}
            Some(Action::Localize) if defined => {
                symbol.st_info = (elf::STB_LOCAL << 4) | symbol.st_type();
                changed = true;
            }
            Some(Action::Localize) => {}
            Some(Action::Rename(new_name)) => {
                let offset = match appended.get(new_name) {
                    Some(&offset) => offset,
                    None => {
                        let offset = u32::try_from(strings.len())
                            .map_err(|_| "string table larger than 4 GiB".to_string())?;
                        strings.extend_from_slice(new_name);
                        strings.push(0);
                        appended.insert(new_name.clone(), offset);
                        offset
                    }
                };
                symbol.st_name = U32::new(LE, offset);
                if defined {
                    symbol.st_other = (symbol.st_other & !3) | elf::STV_HIDDEN;
                }
                changed = true;
            }
        }
    }
    let section_map = sections_to_keep(&parsed, data, table)?;
    // A symbol defined in a dropped section goes with it (nothing kept refers to it).
    let kept = |symbol: &Sym64| {
        let shndx = symbol.st_shndx(LE);
        shndx == elf::SHN_UNDEF
            || shndx >= elf::SHN_LORESERVE
            || section_map
                .get(usize::from(shndx))
                .is_some_and(Option::is_some)
    };
    let dropping = section_map.iter().any(Option::is_none);
    if !changed && !dropping {
        return Ok(None);
    }

    // Locals first, each group in its original order, without the symbols of dropped
    // sections; `new_index[old]` is the new position.
    let mut order: Vec<usize> = vec![0];
    order.extend(
        (1..symbols.len()).filter(|&i| symbols[i].st_bind() == elf::STB_LOCAL && kept(&symbols[i])),
    );
    let first_global = order.len();
    order.extend(
        (1..symbols.len()).filter(|&i| symbols[i].st_bind() != elf::STB_LOCAL && kept(&symbols[i])),
    );
    let mut new_index: Vec<Option<u32>> = vec![None; symbols.len()];
    for (position, &old) in order.iter().enumerate() {
        new_index[old] = Some(position as u32);
    }
    let moved = order.len() != symbols.len()
        || order
            .iter()
            .enumerate()
            .any(|(position, &old)| position != old);
    let remap_kept = |old: u32| -> Result<Option<u32>, String> {
        new_index
            .get(old as usize)
            .copied()
            .ok_or_else(|| format!("symbol index {old} out of range"))
    };
    let remap = |old: u32| -> Result<u32, String> {
        remap_kept(old)?.ok_or_else(|| format!("symbol {old} of a dropped section is still used"))
    };
    let remap_section = |old: u32| -> Result<u32, String> {
        match section_map.get(old as usize) {
            Some(Some(new)) => Ok(*new),
            _ => Err(format!("reference to dropped or missing section {old}")),
        }
    };
    if dropping {
        for &old in &order {
            let symbol = &mut symbols[old];
            let shndx = symbol.st_shndx(LE);
            if shndx != elf::SHN_UNDEF && shndx < elf::SHN_LORESERVE {
                symbol.st_shndx = object::U16::new(LE, remap_section(u32::from(shndx))? as u16);
            }
        }
    }

    let mut replaced: HashMap<usize, Vec<u8>> = HashMap::new();
    let mut headers: Vec<SectionHeader64> = parsed.sections.to_vec();
    let mut symtab_bytes = Vec::with_capacity(symbols.len() * std::mem::size_of::<Sym64>());
    for &old in &order {
        symtab_bytes.extend_from_slice(object::bytes_of(&symbols[old]));
    }
    replaced.insert(table.index, symtab_bytes);
    replaced.insert(table.strtab_index, strings);
    headers[table.index].sh_info = U32::new(LE, first_global as u32);

    for (index, section) in parsed.sections.iter().enumerate() {
        if section_map[index].is_none() {
            continue;
        }
        let sh_type = section.sh_type(LE);
        if sh_type == elf::SHT_GROUP && dropping {
            // Flags word, then member section indices; dropped members leave the group.
            let words: &[U32<LE>] = section
                .data_as_array(LE, data)
                .map_err(|_| "bad SHT_GROUP")?;
            let mut bytes = Vec::with_capacity(words.len() * 4);
            for (position, word) in words.iter().enumerate() {
                let value = if position == 0 {
                    word.get(LE)
                } else {
                    match section_map.get(word.get(LE) as usize) {
                        Some(Some(new)) => *new,
                        Some(None) => continue,
                        None => return Err(format!("group member {} is missing", word.get(LE))),
                    }
                };
                bytes.extend_from_slice(&value.to_le_bytes());
            }
            replaced.insert(index, bytes);
        }
        if section.sh_link(LE) as usize != table.index || index == table.index || !moved {
            continue;
        }
        let section_data = section
            .data(LE, data)
            .map_err(|_| format!("section {index} is outside the file"))?;
        match sh_type {
            elf::SHT_RELA => {
                let relocations: &[elf::Rela64<LE>] = section
                    .data_as_array(LE, data)
                    .map_err(|_| "bad SHT_RELA")?;
                let mut bytes = Vec::with_capacity(section_data.len());
                for relocation in relocations {
                    let mut relocation = *relocation;
                    let info = relocation.r_info.get(LE);
                    let symbol = remap((info >> 32) as u32)?;
                    relocation.r_info =
                        U64::new(LE, (u64::from(symbol) << 32) | (info & 0xffff_ffff));
                    bytes.extend_from_slice(object::bytes_of(&relocation));
                }
                replaced.insert(index, bytes);
            }
            elf::SHT_REL => {
                let relocations: &[elf::Rel64<LE>] =
                    section.data_as_array(LE, data).map_err(|_| "bad SHT_REL")?;
                let mut bytes = Vec::with_capacity(section_data.len());
                for relocation in relocations {
                    let mut relocation = *relocation;
                    let info = relocation.r_info.get(LE);
                    let symbol = remap((info >> 32) as u32)?;
                    relocation.r_info =
                        U64::new(LE, (u64::from(symbol) << 32) | (info & 0xffff_ffff));
                    bytes.extend_from_slice(object::bytes_of(&relocation));
                }
                replaced.insert(index, bytes);
            }
            elf::SHT_GROUP => {
                let signature = remap(section.sh_info(LE))?;
                headers[index].sh_info = U32::new(LE, signature);
            }
            elf::SHT_SYMTAB_SHNDX => {
                let entries: &[U32<LE>] = section
                    .data_as_array(LE, data)
                    .map_err(|_| "bad SHT_SYMTAB_SHNDX")?;
                let mut bytes = Vec::with_capacity(section_data.len());
                for &old in &order {
                    let entry = entries.get(old).ok_or("SHT_SYMTAB_SHNDX is too short")?;
                    let mut value = entry.get(LE);
                    if dropping && value != 0 {
                        value = remap_section(value)?;
                    }
                    bytes.extend_from_slice(&value.to_le_bytes());
                }
                replaced.insert(index, bytes);
            }
            SHT_LLVM_ADDRSIG => {
                let mut bytes = Vec::with_capacity(section_data.len());
                let mut rest = section_data;
                while !rest.is_empty() {
                    let (value, used) = read_uleb128(rest)?;
                    rest = &rest[used..];
                    let old = u32::try_from(value).map_err(|_| "bad SHT_LLVM_ADDRSIG")?;
                    if let Some(new) = remap_kept(old)? {
                        write_uleb128(&mut bytes, u64::from(new));
                    }
                }
                replaced.insert(index, bytes);
            }
            other => {
                return Err(format!(
                    "section {index} of type {other:#x} refers to the symbol table, and ukl does \
                     not know how to renumber its symbols"
                ));
            }
        }
    }
    if dropping && !moved {
        // The symbol table is not renumbered, but its section indices are.
        if let Some(index) = parsed.sections.iter().position(|section| {
            section.sh_type(LE) == elf::SHT_SYMTAB_SHNDX
                && section.sh_link(LE) as usize == table.index
        }) {
            let entries: &[U32<LE>] = parsed.sections[index]
                .data_as_array(LE, data)
                .map_err(|_| "bad SHT_SYMTAB_SHNDX")?;
            let mut bytes = Vec::with_capacity(entries.len() * 4);
            for entry in entries {
                let value = entry.get(LE);
                let value = if value == 0 { 0 } else { remap_section(value)? };
                bytes.extend_from_slice(&value.to_le_bytes());
            }
            replaced.insert(index, bytes);
        }
    }
    if dropping {
        for (index, section) in headers.iter_mut().enumerate() {
            if section_map[index].is_none() || index == 0 {
                continue;
            }
            let link = section.sh_link.get(LE);
            if link != 0 {
                section.sh_link = U32::new(LE, remap_section(link)?);
            }
            let sh_type = section.sh_type.get(LE);
            let info_is_section = sh_type == elf::SHT_REL
                || sh_type == elf::SHT_RELA
                || section.sh_flags.get(LE) & u64::from(elf::SHF_INFO_LINK) != 0;
            let info = section.sh_info.get(LE);
            if info_is_section && info != 0 {
                section.sh_info = U32::new(LE, remap_section(info)?);
            }
        }
    }
    Ok(Some(lay_out(
        parsed.header,
        data,
        &headers,
        &section_map,
        &replaced,
    )?))
}

/// Writes the ELF header, every kept section's data (replaced or original) in section order
/// with its alignment, then the section header table.
fn lay_out(
    header: &Header,
    data: &[u8],
    headers: &[SectionHeader64],
    section_map: &[Option<u32>],
    replaced: &HashMap<usize, Vec<u8>>,
) -> Result<Vec<u8>, String> {
    let header_size = std::mem::size_of::<Header>();
    let mut out = Vec::with_capacity(data.len());
    out.resize(header_size, 0);
    let mut kept: Vec<SectionHeader64> = Vec::with_capacity(headers.len());
    for (index, section) in headers.iter().enumerate() {
        if section_map[index].is_none() {
            continue;
        }
        let mut section = *section;
        let sh_type = section.sh_type.get(LE);
        if index != 0 && sh_type != elf::SHT_NULL {
            let align = section.sh_addralign.get(LE).max(1) as usize;
            out.resize(out.len().next_multiple_of(align), 0);
            let offset = out.len() as u64;
            if sh_type != elf::SHT_NOBITS {
                let bytes: &[u8] = match replaced.get(&index) {
                    Some(bytes) => bytes,
                    None => {
                        let start = section.sh_offset.get(LE) as usize;
                        let size = section.sh_size.get(LE) as usize;
                        data.get(start..start.saturating_add(size))
                            .ok_or_else(|| format!("section {index} is outside the file"))?
                    }
                };
                out.extend_from_slice(bytes);
                section.sh_size = U64::new(LE, bytes.len() as u64);
            }
            section.sh_offset = U64::new(LE, offset);
        }
        kept.push(section);
    }
    let count = kept.len();
    let mut new_header = *header;
    if header.e_shnum.get(LE) == 0 {
        kept[0].sh_size = U64::new(LE, count as u64); // Extended section numbering.
    } else {
        new_header.e_shnum = object::U16::new(LE, count as u16);
    }
    if header.e_shstrndx.get(LE) == elf::SHN_XINDEX {
        let old = kept[0].sh_link.get(LE) as usize;
        let new = section_map
            .get(old)
            .copied()
            .flatten()
            .ok_or("section names dropped")?;
        kept[0].sh_link = U32::new(LE, new);
    } else {
        let old = usize::from(header.e_shstrndx.get(LE));
        let new = section_map
            .get(old)
            .copied()
            .flatten()
            .ok_or("section names dropped")?;
        new_header.e_shstrndx = object::U16::new(LE, new as u16);
    }
    out.resize(out.len().next_multiple_of(8), 0);
    new_header.e_shoff = U64::new(LE, out.len() as u64);
    new_header.e_phoff = U64::new(LE, 0);
    new_header.e_phnum = object::U16::new(LE, 0);
    for section in &kept {
        out.extend_from_slice(object::bytes_of(section));
    }
    out[..header_size].copy_from_slice(object::bytes_of(&new_header));
    Ok(out)
}

fn read_uleb128(bytes: &[u8]) -> Result<(u64, usize), String> {
    let mut value = 0u64;
    for (used, &byte) in bytes.iter().enumerate() {
        if used >= 10 {
            break;
        }
        value |= u64::from(byte & 0x7f) << (7 * used);
        if byte & 0x80 == 0 {
            return Ok((value, used + 1));
        }
    }
    Err("bad ULEB128 in SHT_LLVM_ADDRSIG".to_string())
}

fn write_uleb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn uleb128_round_trip() {
        for value in [0u64, 1, 127, 128, 300, 1 << 20, u64::from(u32::MAX)] {
            let mut bytes = Vec::new();
            write_uleb128(&mut bytes, value);
            assert_eq!(read_uleb128(&bytes), Ok((value, bytes.len())));
        }
    }

    fn compile(dir: &std::path::Path, name: &str, source: &str) -> Vec<u8> {
        compile_with(dir, name, source, &[])
    }

    fn compile_with(dir: &std::path::Path, name: &str, source: &str, flags: &[&str]) -> Vec<u8> {
        let c = dir.join(format!("{name}.c"));
        let o = dir.join(format!("{name}.o"));
        std::fs::write(&c, source).unwrap();
        let status = Command::new("gcc")
            .args(["-c", "-O2", "-fno-pic", "-fcommon"])
            .args(flags)
            .arg("-o")
            .arg(&o)
            .arg(&c)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(&o).unwrap()
    }

    fn find<'a>(symbols: &'a [SymbolInfo], name: &str) -> Option<&'a SymbolInfo> {
        symbols.iter().find(|symbol| symbol.name == name)
    }

    /// Every case of the rule on two gcc objects, then a program linked from the result.
    #[test]
    fn the_rule_on_two_objects_links_and_runs() {
        let dir = tempfile::tempdir().unwrap();
        let a = compile(
            dir.path(),
            "a",
            "int common_var;\n\
             __attribute__((weak)) int weak_fn(void) { return 1; }\n\
             __attribute__((noinline)) int only_a(void) { return 3; }\n\
             __attribute__((noinline)) int used_by_b(void) { return 2 + common_var; }\n\
             int exported(void) { return only_a() + used_by_b() + weak_fn(); }\n",
        );
        let b = compile(
            dir.path(),
            "b",
            "int common_var;\n\
             __attribute__((weak)) int weak_fn(void) { return 1; }\n\
             int used_by_b(void);\n\
             int b_exported(void) { return used_by_b() * 10 + weak_fn(); }\n",
        );
        let mut members = vec![("a.o".to_string(), a), ("b.o".to_string(), b)];
        let exports = ExportList::parse("exported\nb_*\n");
        let outcome = privatize("demo", &mut members, &exports).unwrap();
        assert_eq!(outcome.localized.iter().collect::<Vec<_>>(), ["only_a"]);
        assert_eq!(
            outcome.renamed.iter().collect::<Vec<_>>(),
            ["common_var", "used_by_b", "weak_fn"]
        );
        let a_symbols = symbols(&members[0].1).unwrap();
        let b_symbols = symbols(&members[1].1).unwrap();
        assert!(!find(&a_symbols, "only_a").unwrap().is_global());
        assert!(find(&a_symbols, "exported").unwrap().is_global());
        assert!(find(&a_symbols, "__ukl_demo_used_by_b").unwrap().defined);
        assert!(!find(&b_symbols, "__ukl_demo_used_by_b").unwrap().defined);
        assert!(find(&b_symbols, "__ukl_demo_common_var").unwrap().common);
        assert!(find(&b_symbols, "used_by_b").is_none());

        // The application defines every private name again: nothing collides.
        let main = dir.path().join("main.c");
        std::fs::write(
            &main,
            "#include <stdio.h>\n\
             int exported(void); int b_exported(void);\n\
             int common_var = 100; int weak_fn(void) { return 7; }\n\
             int only_a(void) { return -1; } int used_by_b(void) { return -2; }\n\
             int main(void) { printf(\"%d %d %d\\n\", exported(), b_exported(), \
             only_a() + used_by_b() + weak_fn() + common_var); return 0; }\n",
        )
        .unwrap();
        let mut objects = Vec::new();
        for (name, data) in &members {
            let path = dir.path().join(format!("private-{name}"));
            std::fs::write(&path, data).unwrap();
            objects.push(path);
        }
        let program = dir.path().join("program");
        let status = Command::new("gcc")
            .arg("-no-pie")
            .arg("-o")
            .arg(&program)
            .arg(&main)
            .args(&objects)
            .status()
            .unwrap();
        assert!(status.success());
        let output = Command::new(&program).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "6 21 104\n");
    }

    /// Names of an object's sections.
    fn section_names(data: &[u8]) -> Vec<String> {
        use object::{Object, ObjectSection};
        let file = object::File::parse(data).unwrap();
        file.sections()
            .map(|section| section.name().unwrap().to_string())
            .collect()
    }

    /// Every relocation of every non-debug section: (section, offset, flags, addend, target),
    /// the target named by its symbol (without the private prefix) or its section.
    fn relocations(data: &[u8]) -> BTreeSet<(String, u64, String, i64, String)> {
        use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget, SymbolKind};
        let file = object::File::parse(data).unwrap();
        let mut out = BTreeSet::new();
        for section in file.sections() {
            let name = section.name().unwrap().to_string();
            if name.starts_with(".debug") {
                continue;
            }
            for (offset, relocation) in section.relocations() {
                let target = match relocation.target() {
                    RelocationTarget::Symbol(index) => {
                        let symbol = file.symbol_by_index(index).unwrap();
                        if symbol.kind() == SymbolKind::Section {
                            let section = symbol.section_index().unwrap();
                            file.section_by_index(section)
                                .unwrap()
                                .name()
                                .unwrap()
                                .to_string()
                        } else {
                            let name = symbol.name().unwrap();
                            name.strip_prefix("__ukl_demo_").unwrap_or(name).to_string()
                        }
                    }
                    other => format!("{other:?}"),
                };
                out.insert((
                    name.clone(),
                    offset,
                    format!("{:?}", relocation.flags()),
                    relocation.addend(),
                    target,
                ));
            }
        }
        out
    }

    /// Links `objects` into a program with gcc (GNU ld, or lld when `lld` is the folder of an
    /// `ld.lld`), runs it and returns what it prints.
    fn link_and_run(
        dir: &std::path::Path,
        name: &str,
        objects: &[Vec<u8>],
        lld: Option<&std::path::Path>,
    ) -> String {
        let mut paths = Vec::new();
        for (index, data) in objects.iter().enumerate() {
            let path = dir.join(format!("{name}-{index}.o"));
            std::fs::write(&path, data).unwrap();
            paths.push(path);
        }
        let program = dir.join(name);
        let mut command = Command::new("gcc");
        command.arg("-no-pie").arg("-o").arg(&program).args(&paths);
        if let Some(lld) = lld {
            command.arg("-B").arg(lld).arg("-fuse-ld=lld");
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let output = Command::new(&program).output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    }

    /// A folder holding `ld.lld`, a link to the Rust sysroot's rust-lld.
    fn lld_folder(dir: &std::path::Path) -> std::path::PathBuf {
        let sysroot = Command::new("rustc")
            .args(["--print", "sysroot"])
            .output()
            .unwrap();
        let sysroot = String::from_utf8(sysroot.stdout).unwrap();
        let rust_lld = std::path::Path::new(sysroot.trim())
            .join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld");
        assert!(rust_lld.is_file(), "no {}", rust_lld.display());
        let folder = dir.join("lld");
        std::fs::create_dir_all(&folder).unwrap();
        std::os::unix::fs::symlink(&rust_lld, folder.join("ld.lld")).unwrap();
        folder
    }

    /// Objects compiled with `-g3` lose their debug sections (with their relocation sections,
    /// `.debug_macro` groups and symbols), keep every other relocation as it was, and link with
    /// GNU ld and lld into a program that prints what the unstripped one prints.
    #[test]
    fn debug_sections_are_dropped_and_the_objects_still_link() {
        let dir = tempfile::tempdir().unwrap();
        let flags = ["-g3", "-ffunction-sections", "-fdata-sections"];
        let a = compile_with(
            dir.path(),
            "a",
            "#include <stdio.h>\n\
             static const char *const names[] = { \"zero\", \"one\", \"two\", \"three\" };\n\
             int counter = 5;\n\
             __attribute__((noinline)) static int scale(int x) { return x * counter; }\n\
             __attribute__((noinline)) const char *name_of(int x) {\n\
                 switch (x) { case 0: return names[0]; case 1: return names[1];\n\
                 case 2: return names[2]; case 3: return names[3]; default: return \"many\"; }\n\
             }\n\
             int shared(int x) { printf(\"shared %d %s\\n\", scale(x), name_of(x)); return x; }\n",
            &flags,
        );
        let b = compile_with(
            dir.path(),
            "b",
            "#include <stdio.h>\n\
             int shared(int x); const char *name_of(int x); extern int counter;\n\
             static int (*const call)(int) = shared;\n\
             int main(void) {\n\
                 for (int i = 0; i < 5; i++) counter += call(i);\n\
                 printf(\"%d %s\\n\", counter, name_of(2));\n\
                 return 0;\n\
             }\n",
            &flags,
        );
        let original = vec![a.clone(), b.clone()];
        let is_debug = |name: &String| name.contains(".debug");
        for data in &original {
            assert!(section_names(data).iter().any(is_debug));
        }
        assert!(section_names(&a).iter().any(|name| name == ".group"));

        let mut members = vec![("a.o".to_string(), a), ("b.o".to_string(), b)];
        let outcome = privatize("demo", &mut members, &ExportList::parse("main\n")).unwrap();
        assert_eq!(
            outcome.renamed.iter().collect::<Vec<_>>(),
            ["counter", "name_of", "shared"]
        );
        let stripped: Vec<Vec<u8>> = members.into_iter().map(|(_, data)| data).collect();
        for (before, after) in original.iter().zip(&stripped) {
            let names = section_names(after);
            assert!(!names.iter().any(is_debug), "{names:?}");
            assert!(!names.iter().any(|name| name == ".group"), "{names:?}");
            assert!(after.len() < before.len() / 2);
            assert_eq!(relocations(before), relocations(after));
            // The symbol table: locals, then globals from `sh_info` on; none in a dropped section.
            let parsed = Parsed::parse(after).unwrap();
            let table = parsed.symtab.as_ref().unwrap();
            let first_global = parsed.sections[table.index].sh_info(LE) as usize;
            for (index, symbol) in table.symbols.iter().enumerate() {
                assert_eq!(symbol.st_bind() == elf::STB_LOCAL, index < first_global);
                let shndx = usize::from(symbol.st_shndx(LE));
                assert!(shndx < parsed.sections.len() || shndx >= 0xff00);
            }
        }

        let expected = link_and_run(dir.path(), "original", &original, None);
        assert_eq!(
            expected,
            link_and_run(dir.path(), "stripped-bfd", &stripped, None)
        );
        let lld = lld_folder(dir.path());
        assert_eq!(
            expected,
            link_and_run(dir.path(), "stripped-lld", &stripped, Some(&lld))
        );
        assert!(expected.ends_with("15 two\n"), "{expected}");
    }
}
