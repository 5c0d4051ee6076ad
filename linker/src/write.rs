//! Writing the image: ELF header, program headers, section contents (copied and relocated),
//! the GOT, the symbol table and section headers. The same inputs give the same bytes.

use crate::eh_frame::EhFrameEdit;
use crate::error::{LinkError, Result};
use crate::layout::{Layout, Piece, MAX_IMAGE_BYTES};
use crate::link_error;
use crate::object_file::{ObjectFile, SectionKind, LE};
use crate::relocate::{self, Addresses, Got};
use crate::script::expr::EvalContext;
use crate::symbols::{Definition, SymbolTable};
use object::elf;
use object::read::elf::Sym;
use rustc_hash::FxHashMap;

pub struct WriteOptions<'s> {
    pub strip_all: bool,
    /// FDE count for `.eh_frame_hdr`, when one is written.
    pub eh_frame_fdes: Option<usize>,
    /// `hlt` instructions written as `int3` ([`crate::hlt_trap`]).
    pub hlt_sites: &'s crate::hlt_trap::HltSites,
}

struct StringTable {
    bytes: Vec<u8>,
}

impl StringTable {
    fn new() -> Self {
        StringTable { bytes: vec![0] }
    }
    fn add(&mut self, name: &[u8]) -> u32 {
        if name.is_empty() {
            return 0;
        }
        let at = self.bytes.len() as u32;
        self.bytes.extend_from_slice(name);
        self.bytes.push(0);
        at
    }
}

#[allow(clippy::too_many_arguments)]
pub fn write_image(
    layout: &mut Layout,
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    got: &Got,
    eh: &FxHashMap<(u32, u32), EhFrameEdit>,
    options: &WriteOptions<'_>,
) -> Result<Vec<u8>> {
    let eh_fde_count = options.eh_frame_fdes;
    // Section header indices.
    let mut next = 1u32;
    for os in layout.sections.iter_mut() {
        os.index = if os.emitted {
            next += 1;
            next - 1
        } else {
            0
        };
    }
    let mut shstrtab = StringTable::new();
    let section_names: Vec<u32> = layout
        .sections
        .iter()
        .map(|s| {
            if s.emitted {
                shstrtab.add(s.name.as_bytes())
            } else {
                0
            }
        })
        .collect();
    let (symtab, strtab, first_global) = if options.strip_all {
        (Vec::new(), StringTable::new(), 0)
    } else {
        build_symtab(layout, objects, symbols)
    };
    let symtab_name = shstrtab.add(b".symtab");
    let strtab_name = shstrtab.add(b".strtab");
    let shstrtab_name = shstrtab.add(b".shstrtab");

    // layout.file_size is at most MAX_IMAGE_BYTES plus one section (see layout::place_segments).
    let mut offset = layout.file_size;
    let symtab_offset = offset;
    offset += symtab.len() as u64;
    let strtab_offset = offset;
    offset += strtab.bytes.len() as u64;
    let shstrtab_offset = offset;
    offset += shstrtab.bytes.len() as u64;
    let shoff = crate::script::expr::align_up(offset, 8);
    let extra = if options.strip_all { 1 } else { 3 };
    let shnum = next + extra;
    let total = shoff + u64::from(shnum) * 64;
    if total > MAX_IMAGE_BYTES {
        return Err(link_error!(
            "the image would be {total} bytes, more than ukl writes ({MAX_IMAGE_BYTES} bytes)"
        )
        .help("check the addresses and `.` assignments in the link script: sections far apart in one segment are padded in the file"));
    }
    let mut out = vec![0u8; total as usize];

    // Contents.
    let at = Addresses {
        layout,
        got_base: layout.got.map(|g| g.1).unwrap_or(0),
        tp: layout.tls_pointer(),
        tls_start: layout.tls.map(|t| t.0).unwrap_or(0),
    };
    let mut errors: Vec<LinkError> = Vec::new();
    for os in &layout.sections {
        if !os.emitted || os.sh_type == elf::SHT_NOBITS {
            continue;
        }
        for (piece, &piece_offset) in os.pieces.iter().zip(&os.piece_offsets) {
            let file_at = (os.offset + piece_offset) as usize;
            let addr = os.addr + piece_offset;
            match piece {
                Piece::Input { object, section } => {
                    let s = &objects[*object as usize].sections[*section as usize];
                    if s.sh_type == elf::SHT_NOBITS {
                        continue;
                    }
                    let edit = eh.get(&(*object, *section));
                    let size = edit.map(|e| e.size).unwrap_or(s.size) as usize;
                    let slice = &mut out[file_at..file_at + size];
                    relocate::apply(
                        objects,
                        symbols,
                        got,
                        &at,
                        *object as usize,
                        *section as usize,
                        addr,
                        slice,
                        edit,
                        &mut errors,
                    );
                    if let Some(sites) = options.hlt_sites.get(&(*object, *section)) {
                        crate::hlt_trap::patch(slice, sites);
                    }
                }
                Piece::Got => {
                    let bytes = relocate::got_contents(got, objects, symbols, layout, at.tp);
                    out[file_at..file_at + bytes.len()].copy_from_slice(&bytes);
                }
                Piece::Iplt | Piece::IgotPlt | Piece::RelaIplt => {
                    let (stubs, slots, relas) =
                        relocate::ifunc_contents(got, layout, |key| match key {
                            relocate::GotKey::Global(id) => match symbols.get(id).def {
                                Definition::Defined { object, sym } => {
                                    crate::layout::local_symbol_address(
                                        objects,
                                        layout,
                                        object as usize,
                                        sym as usize,
                                    )
                                    .unwrap_or(0)
                                }
                                _ => 0,
                            },
                            relocate::GotKey::Local(o, s) => crate::layout::local_symbol_address(
                                objects, layout, o as usize, s as usize,
                            )
                            .unwrap_or(0),
                            _ => 0,
                        });
                    let bytes = match piece {
                        Piece::Iplt => stubs,
                        Piece::IgotPlt => slots,
                        _ => relas,
                    };
                    out[file_at..file_at + bytes.len()].copy_from_slice(&bytes);
                }
                Piece::BuildId => {
                    // Note header: namesz 4, descsz 20, type NT_GNU_BUILD_ID, "GNU\0".
                    out[file_at..file_at + 4].copy_from_slice(&4u32.to_le_bytes());
                    out[file_at + 4..file_at + 8].copy_from_slice(&20u32.to_le_bytes());
                    out[file_at + 8..file_at + 12]
                        .copy_from_slice(&elf::NT_GNU_BUILD_ID.to_le_bytes());
                    out[file_at + 12..file_at + 16].copy_from_slice(b"GNU\0");
                }
                Piece::Data { size, expr } => {
                    let ctx = WriteCtx {
                        layout,
                        symbols,
                        dot: addr,
                    };
                    let value = expr.eval(&ctx).map_err(|e| {
                        crate::link_error!("link script: data command in `{}`: {e}", os.name)
                    })?;
                    let n = size.bytes() as usize;
                    out[file_at..file_at + n].copy_from_slice(&value.to_le_bytes()[..n]);
                }
                Piece::Common { .. } | Piece::Assign(_) | Piece::EhFrameHdr => {}
            }
        }
        if errors.len() > 50 {
            break;
        }
    }
    if !errors.is_empty() {
        dedup_errors(&mut errors);
        return Err(LinkError::combine(errors));
    }

    // Symbol table, strings, section headers.
    out[symtab_offset as usize..symtab_offset as usize + symtab.len()].copy_from_slice(&symtab);
    out[strtab_offset as usize..strtab_offset as usize + strtab.bytes.len()]
        .copy_from_slice(&strtab.bytes);
    out[shstrtab_offset as usize..shstrtab_offset as usize + shstrtab.bytes.len()]
        .copy_from_slice(&shstrtab.bytes);

    let mut shdrs = Vec::with_capacity(shnum as usize * 64);
    SectionHeader::default().write(&mut shdrs);
    for (os, name) in layout.sections.iter().zip(&section_names) {
        if !os.emitted {
            continue;
        }
        SectionHeader {
            name: *name,
            sh_type: os.sh_type,
            flags: os.flags,
            addr: os.addr,
            offset: os.offset,
            size: os.size,
            align: os.align,
            entsize: if os.sh_type == elf::SHT_RELA { 24 } else { 0 },
            ..SectionHeader::default()
        }
        .write(&mut shdrs);
    }
    let string_table = |name: u32, offset: u64, size: usize| SectionHeader {
        name,
        sh_type: elf::SHT_STRTAB,
        offset,
        size: size as u64,
        align: 1,
        ..SectionHeader::default()
    };
    if !options.strip_all {
        SectionHeader {
            name: symtab_name,
            sh_type: elf::SHT_SYMTAB,
            offset: symtab_offset,
            size: symtab.len() as u64,
            link: next + 1,
            info: first_global,
            align: 8,
            entsize: 24,
            ..SectionHeader::default()
        }
        .write(&mut shdrs);
        string_table(strtab_name, strtab_offset, strtab.bytes.len()).write(&mut shdrs);
    }
    let shstrndx = if options.strip_all { next } else { next + 2 };
    string_table(shstrtab_name, shstrtab_offset, shstrtab.bytes.len()).write(&mut shdrs);
    out[shoff as usize..shoff as usize + shdrs.len()].copy_from_slice(&shdrs);

    // Program headers and ELF header.
    let mut phdrs = Vec::with_capacity(layout.segments.len() * 56);
    for seg in &layout.segments {
        phdrs.extend_from_slice(&seg.p_type.to_le_bytes());
        phdrs.extend_from_slice(&seg.flags.to_le_bytes());
        for v in [
            seg.offset, seg.vaddr, seg.paddr, seg.filesz, seg.memsz, seg.align,
        ] {
            phdrs.extend_from_slice(&v.to_le_bytes());
        }
    }
    out[64..64 + phdrs.len()].copy_from_slice(&phdrs);
    let mut ehdr = Vec::with_capacity(64);
    ehdr.extend_from_slice(&[
        0x7f,
        b'E',
        b'L',
        b'F',
        elf::ELFCLASS64,
        elf::ELFDATA2LSB,
        elf::EV_CURRENT,
        elf::ELFOSABI_NONE,
    ]);
    ehdr.extend_from_slice(&[0u8; 8]);
    ehdr.extend_from_slice(&elf::ET_EXEC.to_le_bytes());
    ehdr.extend_from_slice(&elf::EM_X86_64.to_le_bytes());
    ehdr.extend_from_slice(&u32::from(elf::EV_CURRENT).to_le_bytes());
    ehdr.extend_from_slice(&layout.entry.to_le_bytes());
    ehdr.extend_from_slice(&64u64.to_le_bytes());
    ehdr.extend_from_slice(&shoff.to_le_bytes());
    ehdr.extend_from_slice(&0u32.to_le_bytes());
    ehdr.extend_from_slice(&64u16.to_le_bytes());
    ehdr.extend_from_slice(&56u16.to_le_bytes());
    ehdr.extend_from_slice(&(layout.segments.len() as u16).to_le_bytes());
    ehdr.extend_from_slice(&64u16.to_le_bytes());
    ehdr.extend_from_slice(&(shnum as u16).to_le_bytes());
    ehdr.extend_from_slice(&(shstrndx as u16).to_le_bytes());
    out[..64].copy_from_slice(&ehdr);

    if let Some(hdr_addr) = layout.eh_frame_hdr {
        let eh = layout
            .sections
            .iter()
            .find(|s| s.emitted && s.name == ".eh_frame");
        let (eh_bytes, eh_addr) = match eh {
            Some(s) => (
                out[s.offset as usize..(s.offset + s.size) as usize].to_vec(),
                s.addr,
            ),
            None => (Vec::new(), 0),
        };
        let fdes = eh_fde_count.unwrap_or(0);
        let table = crate::eh_frame::build_hdr(&eh_bytes, eh_addr, hdr_addr, fdes);
        if let Some(os) = layout.sections.iter().find(|s| {
            s.emitted && s.addr <= hdr_addr && hdr_addr < s.addr.saturating_add(s.size.max(1))
        }) {
            let at = (os.offset + hdr_addr - os.addr) as usize;
            out[at..at + table.len()].copy_from_slice(&table);
        }
    }
    if let Some((index, addr)) = layout.build_id {
        let os = &layout.sections[index];
        let at = (os.offset + addr - os.addr) as usize;
        let digest = crate::hash::digest(&out);
        out[at + 16..at + 36].copy_from_slice(&digest[..20]);
    }
    Ok(out)
}

fn dedup_errors(errors: &mut Vec<LinkError>) {
    // Several references to one missing symbol: one error, each site a note.
    let mut merged: Vec<LinkError> = Vec::new();
    for e in errors.drain(..) {
        if let Some(existing) = merged.iter_mut().find(|m| m.message == e.message) {
            if existing.notes.len() < 10 {
                existing.notes.extend(e.notes);
            }
        } else {
            merged.push(e);
        }
    }
    *errors = merged;
}

/// One section header, written with [`SectionHeader::write`].
#[derive(Default)]
struct SectionHeader {
    name: u32,
    sh_type: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    link: u32,
    info: u32,
    align: u64,
    entsize: u64,
}

impl SectionHeader {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.name.to_le_bytes());
        out.extend_from_slice(&self.sh_type.to_le_bytes());
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&self.addr.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
        out.extend_from_slice(&self.link.to_le_bytes());
        out.extend_from_slice(&self.info.to_le_bytes());
        out.extend_from_slice(&self.align.to_le_bytes());
        out.extend_from_slice(&self.entsize.to_le_bytes());
    }
}

fn push_sym(out: &mut Vec<u8>, name: u32, info: u8, other: u8, shndx: u16, value: u64, size: u64) {
    out.extend_from_slice(&name.to_le_bytes());
    out.push(info);
    out.push(other);
    out.extend_from_slice(&shndx.to_le_bytes());
    out.extend_from_slice(&value.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
}

/// The output section index that contains `addr`, for linker-defined symbols.
fn shndx_for(layout: &Layout, addr: u64) -> u16 {
    layout
        .sections
        .iter()
        .filter(|s| s.emitted && s.flags & u64::from(elf::SHF_ALLOC) != 0)
        .find(|s| addr >= s.addr && addr <= s.addr + s.size)
        .map(|s| s.index as u16)
        .unwrap_or(elf::SHN_ABS)
}

fn build_symtab(
    layout: &Layout,
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
) -> (Vec<u8>, StringTable, u32) {
    let mut table = Vec::new();
    let mut strings = StringTable::new();
    push_sym(&mut table, 0, 0, 0, 0, 0, 0);
    let mut count = 1u32;
    let tls_start = layout.tls.map(|t| t.0).unwrap_or(0);
    for (oi, object) in objects.iter().enumerate() {
        for index in 1..object.first_global {
            let sym = object.sym(index);
            let kind = sym.st_type();
            if kind == elf::STT_SECTION || kind == elf::STT_FILE {
                continue;
            }
            let name = object.sym_name(index);
            if name.is_empty() || name.starts_with(b".L") {
                continue;
            }
            let Some(addr) = crate::layout::local_symbol_address(objects, layout, oi, index) else {
                continue;
            };
            let shndx = match object.sym_section(index) {
                Some(sec) => layout.sections[object.sections[sec].output as usize].index as u16,
                None => elf::SHN_ABS,
            };
            let value = if kind == elf::STT_TLS && addr_in_tls(layout, addr) {
                addr - tls_start
            } else {
                addr
            };
            push_sym(
                &mut table,
                strings.add(name),
                sym.st_info,
                0,
                shndx,
                value,
                sym.st_size(LE),
            );
            count += 1;
        }
    }
    let mut globals = Vec::new();
    for global in &symbols.syms {
        let (shndx, kind, size, weak) = match global.def {
            Definition::Defined { object, sym } => {
                let o = &objects[object as usize];
                let s = o.sym(sym as usize);
                let shndx = match o.sym_section(sym as usize) {
                    Some(sec) => {
                        let section = &o.sections[sec];
                        if !section.live || section.kind == SectionKind::Discarded {
                            continue;
                        }
                        layout.sections[section.output as usize].index as u16
                    }
                    None => elf::SHN_ABS,
                };
                (shndx, s.st_type(), s.st_size(LE), global.weak)
            }
            Definition::Common { size, .. } => (
                shndx_for(layout, global.address),
                elf::STT_OBJECT,
                size,
                false,
            ),
            Definition::Linker => (shndx_for(layout, global.address), elf::STT_NOTYPE, 0, false),
            Definition::Undefined | Definition::Lazy { .. } => {
                if global.referenced && !global.strong_ref {
                    globals.push((
                        strings.add(global.name),
                        (elf::STB_WEAK << 4) | elf::STT_NOTYPE,
                        0u8,
                        0u16,
                        0u64,
                        0u64,
                    ));
                }
                continue;
            }
        };
        let value = if kind == elf::STT_TLS && addr_in_tls(layout, global.address) {
            global.address - tls_start
        } else {
            global.address
        };
        let name = strings.add(global.name);
        if global.hidden {
            push_sym(
                &mut table,
                name,
                (elf::STB_LOCAL << 4) | kind,
                elf::STV_HIDDEN,
                shndx,
                value,
                size,
            );
            count += 1;
        } else {
            let bind = if weak { elf::STB_WEAK } else { elf::STB_GLOBAL };
            globals.push((name, (bind << 4) | kind, 0, shndx, value, size));
        }
    }
    let first_global = count;
    for (name, info, other, shndx, value, size) in globals {
        push_sym(&mut table, name, info, other, shndx, value, size);
    }
    (table, strings, first_global)
}

struct WriteCtx<'a, 'o> {
    layout: &'a Layout,
    symbols: &'a SymbolTable<'o>,
    dot: u64,
}

impl EvalContext for WriteCtx<'_, '_> {
    fn dot(&self) -> Option<u64> {
        Some(self.dot)
    }
    fn symbol(&self, name: &str) -> Option<u64> {
        let id = self.symbols.lookup(name.as_bytes())?;
        let s = self.symbols.get(id);
        matches!(
            s.def,
            Definition::Defined { .. } | Definition::Common { .. } | Definition::Linker
        )
        .then_some(s.address)
    }
    fn section_addr(&self, name: &str) -> Option<u64> {
        self.layout
            .sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.addr)
    }
    fn section_load_addr(&self, name: &str) -> Option<u64> {
        self.layout
            .sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.lma)
    }
    fn section_size(&self, name: &str) -> Option<u64> {
        Some(
            self.layout
                .sections
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.size)
                .unwrap_or(0),
        )
    }
    fn section_align(&self, name: &str) -> Option<u64> {
        self.layout
            .sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.align)
    }
    fn sizeof_headers(&self) -> u64 {
        self.layout.headers_size
    }
    fn max_page_size(&self) -> u64 {
        crate::layout::PAGE_SIZE
    }
    fn common_page_size(&self) -> u64 {
        crate::layout::PAGE_SIZE
    }
    fn is_defined(&self, name: &str) -> bool {
        self.symbol(name).is_some()
    }
}

/// Is `addr` inside the TLS template? (A symbol typed TLS but placed elsewhere keeps its
/// address as its value.)
fn addr_in_tls(layout: &Layout, addr: u64) -> bool {
    layout
        .tls
        .is_some_and(|(start, _, memsz, _)| addr >= start && addr <= start + memsz)
}
