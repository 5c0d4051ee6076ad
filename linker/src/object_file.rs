//! One relocatable ELF object, parsed in place: its sections classified for the link, its
//! symbol table, and per-section state that later phases fill in (liveness, output placement).

use crate::error::Result;
use crate::link_error;
use object::elf;
use object::read::elf::{FileHeader, SectionHeader, SectionTable, Sym, SymbolTable};
use object::LittleEndian;

pub type Elf = elf::FileHeader64<LittleEndian>;
pub type Rela = elf::Rela64<LittleEndian>;
pub type ElfSym = elf::Sym64<LittleEndian>;
pub const LE: LittleEndian = LittleEndian;

/// Sentinel for "not placed in any output section".
pub const NO_OUTPUT: u32 = u32::MAX;

/// The largest section (or common symbol) alignment accepted: 4 GiB. Real objects align to a
/// cache line or a page (2 MiB or 1 GiB for huge pages); more is a corrupt or hostile field.
pub const MAX_ALIGN: u64 = 1 << 32;
/// The largest section (or common symbol) size accepted: 2^47 bytes, the lower half of the
/// x86_64 address space (4-level paging). Anything larger cannot be loaded anywhere.
pub const MAX_SIZE: u64 = 1 << 47;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// Symbol tables, string tables, relocations, groups, the null section: read, never copied.
    Meta,
    /// Loaded into memory (`SHF_ALLOC`).
    Alloc,
    /// Kept in the file only: debug information and similar.
    NonAlloc,
    /// `.eh_frame`: records are filtered after garbage collection.
    EhFrame,
    /// Dropped: the loser of a COMDAT group, `.note.GNU-stack`, `SHF_EXCLUDE`, and the like.
    Discarded,
}

pub struct InputSection<'a> {
    pub name: &'a [u8],
    pub kind: SectionKind,
    pub sh_type: u32,
    pub flags: u64,
    pub size: u64,
    pub align: u64,
    pub entsize: u64,
    pub link: u32,
    /// File contents; empty for `SHT_NOBITS`.
    pub data: &'a [u8],
    pub relocs: &'a [Rela],
    pub live: bool,
    pub output: u32,
    pub offset: u64,
}

impl InputSection<'_> {
    /// Does this section take space in some output section (not metadata, not dropped)?
    pub fn is_placed(&self) -> bool {
        !matches!(self.kind, SectionKind::Meta | SectionKind::Discarded)
    }

    pub fn is_nobits(&self) -> bool {
        self.sh_type == elf::SHT_NOBITS
    }
    pub fn is_tls(&self) -> bool {
        self.flags & u64::from(elf::SHF_TLS) != 0
    }
}

pub struct ObjectFile<'a> {
    /// How errors name the object: `path` or `archive(member)`.
    pub name: String,
    /// The file on the command line (the archive for a member), for link-script file patterns.
    pub file_path: String,
    pub member: Option<String>,
    pub data: &'a [u8],
    pub symbols: SymbolTable<'a, Elf>,
    pub first_global: usize,
    pub sections: Vec<InputSection<'a>>,
    /// Global symbol id of each symbol from `first_global` on.
    pub globals: Vec<u32>,
    /// COMDAT groups: (signature, member section indices).
    pub groups: Vec<(&'a [u8], Vec<u32>)>,
    /// Contents of `.comment` (compiler identification), if any.
    pub comment: &'a [u8],
}

impl<'a> ObjectFile<'a> {
    pub fn parse(
        name: String,
        file_path: String,
        member: Option<String>,
        data: &'a [u8],
    ) -> Result<ObjectFile<'a>> {
        check_ident(&name, data)?;
        let corrupt = |what: &str, err: object::read::Error| {
            link_error!("`{name}` is corrupt: {what}: {err}")
                .help("recompile the object; it may be truncated or damaged")
        };
        let header = Elf::parse(data).map_err(|e| corrupt("ELF header", e))?;
        let table = header
            .sections(LE, data)
            .map_err(|e| corrupt("section headers", e))?;
        let symbols = table
            .symbols(LE, data, elf::SHT_SYMTAB)
            .map_err(|e| corrupt("symbol table", e))?;
        let first_global = symtab_first_global(&table);
        if first_global > symbols.len() {
            return Err(link_error!(
                "`{name}` is corrupt: the symbol table says {first_global} symbols are local, \
                 but it has {} symbols",
                symbols.len()
            ));
        }
        let mut sections = Vec::with_capacity(table.len());
        let mut groups = Vec::new();
        let mut comment: &[u8] = &[];
        for header in table.iter() {
            let section_name = table
                .section_name(LE, header)
                .map_err(|e| corrupt("section name", e))?;
            let sh_type = header.sh_type(LE);
            let flags = header.sh_flags(LE);
            let kind = classify_section(section_name, sh_type, flags);
            let data_bytes = if sh_type == elf::SHT_NOBITS || kind == SectionKind::Meta {
                &[][..]
            } else {
                header.data(LE, data).map_err(|e| {
                    corrupt(
                        &format!("section {}", String::from_utf8_lossy(section_name)),
                        e,
                    )
                })?
            };
            if sh_type == elf::SHT_GROUP {
                let group =
                    read_group(&symbols, header, data).map_err(|e| corrupt("section group", e))?;
                if let Some(group) = group {
                    groups.push(group);
                }
            }
            if sh_type == elf::SHT_REL {
                return Err(link_error!(
                    "`{name}`: section {} uses REL relocations; x86_64 objects use RELA",
                    String::from_utf8_lossy(section_name)
                )
                .help("recompile the object for x86_64"));
            }
            if section_name == b".comment" {
                comment = data_bytes;
            }
            sections.push(InputSection {
                name: section_name,
                kind,
                sh_type,
                flags,
                size: header.sh_size(LE),
                align: header.sh_addralign(LE).max(1),
                entsize: header.sh_entsize(LE),
                link: header.sh_link(LE),
                data: data_bytes,
                relocs: &[],
                live: false,
                output: NO_OUTPUT,
                offset: 0,
            });
        }
        // Attach relocation sections to the sections they patch.
        for header in table.iter() {
            if header.sh_type(LE) != elf::SHT_RELA {
                continue;
            }
            let target = header.sh_info(LE) as usize;
            let (relocs, _) = match header.rela(LE, data) {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(e) => return Err(corrupt("relocation section", e)),
            };
            match sections.get_mut(target) {
                Some(section) => section.relocs = relocs,
                None => {
                    return Err(link_error!(
                        "`{name}` is corrupt: relocations for section index {target}, \
                         which does not exist"
                    ))
                }
            }
        }
        for section in &sections {
            if !section.align.is_power_of_two() {
                return Err(link_error!(
                    "`{name}` is corrupt: section {} has alignment {}, which is not a power of two",
                    String::from_utf8_lossy(section.name),
                    section.align
                ));
            }
            if section.align > MAX_ALIGN && section.is_placed() {
                return Err(link_error!(
                    "`{name}`: section {} has alignment {:#x}, more than ukl accepts ({:#x})",
                    String::from_utf8_lossy(section.name),
                    section.align,
                    MAX_ALIGN
                )
                .help("the object is corrupt, or asks for an alignment no loader can honour"));
            }
            if section.size > MAX_SIZE && section.is_placed() {
                return Err(link_error!(
                    "`{name}`: section {} is {:#x} bytes, larger than the x86_64 address space \
                     ({:#x} bytes)",
                    String::from_utf8_lossy(section.name),
                    section.size,
                    MAX_SIZE
                )
                .help("the object is corrupt, or declares an array too large to load"));
            }
            if section.sh_type != elf::SHT_NOBITS
                && section.kind != SectionKind::Meta
                && section.data.len() as u64 != section.size
            {
                return Err(link_error!(
                    "`{name}` is corrupt: section {} is truncated",
                    String::from_utf8_lossy(section.name)
                ));
            }
        }
        let nsyms = symbols.len();
        for (index, sym) in symbols.iter().enumerate() {
            if symbols.symbol_name(LE, sym).is_err() {
                return Err(link_error!(
                    "`{name}` is corrupt: the name of symbol #{index} is outside its string table"
                )
                .help("recompile the object; it may be truncated or damaged"));
            }
            let shndx = sym.st_shndx(LE);
            if shndx == elf::SHN_COMMON {
                let (size, align) = (sym.st_size(LE), sym.st_value(LE));
                if size > MAX_SIZE || align > MAX_ALIGN || !align.max(1).is_power_of_two() {
                    return Err(link_error!(
                        "`{name}`: common symbol `{}` has size {size:#x} and alignment {align:#x}; \
                         the size must be at most {MAX_SIZE:#x} and the alignment a power of two \
                         of at most {MAX_ALIGN:#x}",
                        String::from_utf8_lossy(symbols.symbol_name(LE, sym).unwrap_or(b"?"))
                    )
                    .help("the object is corrupt, or declares an array too large to load"));
                }
            }
            if shndx != elf::SHN_UNDEF
                && shndx < elf::SHN_LORESERVE
                && usize::from(shndx) >= sections.len()
            {
                return Err(link_error!(
                    "`{name}` is corrupt: symbol #{index} refers to section {shndx}, \
                     which does not exist"
                ));
            }
        }
        // A defined symbol lies inside its section (or at its end).
        for sym in symbols.iter() {
            let shndx = usize::from(sym.st_shndx(LE));
            if sym.st_shndx(LE) == elf::SHN_UNDEF || sym.st_shndx(LE) >= elf::SHN_LORESERVE {
                continue;
            }
            let section = &sections[shndx];
            if section.kind != SectionKind::Meta && sym.st_value(LE) > section.size {
                return Err(link_error!(
                    "`{name}` is corrupt: symbol `{}` has value {:#x}, beyond the end of its section {} ({:#x} bytes)",
                    String::from_utf8_lossy(symbols.symbol_name(LE, sym).unwrap_or(b"?")),
                    sym.st_value(LE),
                    String::from_utf8_lossy(section.name),
                    section.size
                ));
            }
        }
        for section in &sections {
            if let Some(bad) = section
                .relocs
                .iter()
                .find(|r| r.r_sym(LE, false) as usize >= nsyms)
            {
                return Err(link_error!(
                    "`{name}` is corrupt: a relocation in {} refers to symbol #{}, \
                     but the object has {nsyms} symbols",
                    String::from_utf8_lossy(section.name),
                    bad.r_sym(LE, false)
                ));
            }
        }
        Ok(ObjectFile {
            name,
            file_path,
            member,
            data,
            symbols,
            first_global,
            sections,
            globals: Vec::new(),
            groups,
            comment,
        })
    }

    pub fn sym(&self, index: usize) -> &'a ElfSym {
        &self.symbols.symbols()[index]
    }

    pub fn sym_name(&self, index: usize) -> &'a [u8] {
        self.symbols.symbol_name(LE, self.sym(index)).unwrap_or(b"")
    }

    /// The section a symbol is defined in, if it is defined in a regular section.
    pub fn sym_section(&self, index: usize) -> Option<usize> {
        let sym = self.sym(index);
        let shndx = sym.st_shndx(LE);
        if shndx == elf::SHN_XINDEX {
            return self
                .symbols
                .shndx(LE, object::SymbolIndex(index))
                .map(|s| s as usize);
        }
        if shndx == elf::SHN_UNDEF || shndx >= elf::SHN_LORESERVE {
            return None;
        }
        Some(usize::from(shndx))
    }

    /// The name of the function or object that contains `offset` in section `section`, for
    /// error messages ("in function main").
    pub fn enclosing_symbol(&self, section: usize, offset: u64) -> Option<&'a [u8]> {
        let mut best: Option<(u64, &'a [u8])> = None;
        for (index, sym) in self.symbols.iter().enumerate() {
            let kind = sym.st_type();
            if kind != elf::STT_FUNC && kind != elf::STT_OBJECT {
                continue;
            }
            if self.sym_section(index) != Some(section) {
                continue;
            }
            let start = sym.st_value(LE);
            let end = start + sym.st_size(LE).max(1);
            if offset >= start && offset < end && best.is_none_or(|(s, _)| start >= s) {
                best = Some((start, self.sym_name(index)));
            }
        }
        best.map(|(_, name)| name)
    }

    pub fn section_display(&self, section: usize) -> String {
        format!(
            "{}:({})",
            self.name,
            String::from_utf8_lossy(self.sections[section].name)
        )
    }
}

/// Checks the identification bytes so that foreign objects get a precise message.
fn check_ident(name: &str, data: &[u8]) -> Result<()> {
    if data.len() < 64 || &data[..4] != b"\x7fELF" {
        return Err(link_error!("`{name}` is corrupt: truncated ELF header")
            .help("recompile the object; it may be truncated or damaged"));
    }
    if data[4] != elf::ELFCLASS64 {
        return Err(
            link_error!("`{name}` is a 32-bit ELF object; ukl links x86_64 (ELF64) only")
                .help("compile for x86_64 (e.g. without -m32)"),
        );
    }
    if data[5] != elf::ELFDATA2LSB {
        return Err(link_error!(
            "`{name}` is a big-endian ELF object; ukl links x86_64 only"
        ));
    }
    let machine = u16::from_le_bytes([data[18], data[19]]);
    if machine != elf::EM_X86_64 {
        return Err(link_error!(
            "`{name}` is for {} (e_machine {machine}); ukl links x86_64 objects only",
            machine_name(machine)
        )
        .help("compile the object for x86_64, or use the pool for its architecture"));
    }
    Ok(())
}

fn machine_name(machine: u16) -> &'static str {
    match machine {
        elf::EM_AARCH64 => "aarch64",
        elf::EM_ARM => "arm",
        elf::EM_386 => "i386",
        elf::EM_RISCV => "riscv",
        elf::EM_PPC64 => "powerpc64",
        elf::EM_S390 => "s390",
        _ => "another architecture",
    }
}

fn symtab_first_global(table: &SectionTable<'_, Elf>) -> usize {
    table
        .iter()
        .find(|h| h.sh_type(LE) == elf::SHT_SYMTAB)
        .map(|h| h.sh_info(LE) as usize)
        .unwrap_or(0)
}

fn classify_section(name: &[u8], sh_type: u32, flags: u64) -> SectionKind {
    match sh_type {
        elf::SHT_NULL
        | elf::SHT_SYMTAB
        | elf::SHT_STRTAB
        | elf::SHT_RELA
        | elf::SHT_REL
        | elf::SHT_GROUP
        | elf::SHT_SYMTAB_SHNDX => return SectionKind::Meta,
        // .llvm_addrsig and other LLVM-specific tables.
        0x6fff4c00..=0x6fff4cff => return SectionKind::Discarded,
        _ => {}
    }
    if flags & u64::from(elf::SHF_EXCLUDE) != 0 {
        return SectionKind::Discarded;
    }
    match name {
        b".note.GNU-stack"
        | b".note.gnu.property"
        | b".note.GNU-split-stack"
        | b".comment"
        | b".llvmbc"
        | b".llvmcmd" => return SectionKind::Discarded,
        b".eh_frame" if flags & u64::from(elf::SHF_ALLOC) != 0 => return SectionKind::EhFrame,
        _ => {}
    }
    if flags & u64::from(elf::SHF_ALLOC) != 0 {
        SectionKind::Alloc
    } else {
        SectionKind::NonAlloc
    }
}

type Group<'a> = (&'a [u8], Vec<u32>);

fn read_group<'a>(
    symbols: &SymbolTable<'a, Elf>,
    header: &'a elf::SectionHeader64<LittleEndian>,
    data: &'a [u8],
) -> object::read::Result<Option<Group<'a>>> {
    let words: &[object::U32Bytes<LittleEndian>] = header.data_as_array(LE, data)?;
    let Some((flag, members)) = words.split_first() else {
        return Ok(None);
    };
    if flag.get(LE) & elf::GRP_COMDAT == 0 {
        return Ok(None);
    }
    let sym = symbols.symbol(object::SymbolIndex(header.sh_info(LE) as usize))?;
    let signature = symbols.symbol_name(LE, sym)?;
    let members = members.iter().map(|m| m.get(LE)).collect();
    Ok(Some((signature, members)))
}

/// The global symbols an object defines (for archives without a symbol index).
pub fn defined_globals(data: &[u8]) -> Vec<&[u8]> {
    let Ok(header) = Elf::parse(data) else {
        return Vec::new();
    };
    let Ok(table) = header.sections(LE, data) else {
        return Vec::new();
    };
    let Ok(symbols) = table.symbols(LE, data, elf::SHT_SYMTAB) else {
        return Vec::new();
    };
    symbols
        .iter()
        .filter(|s| s.st_bind() != elf::STB_LOCAL && !s.is_undefined(LE))
        .filter_map(|s| symbols.symbol_name(LE, s).ok())
        .collect()
}
