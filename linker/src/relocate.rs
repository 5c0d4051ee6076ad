//! Relocation: GOT slots are decided before layout (`scan`), then every live section is copied
//! to the image and patched (`apply`), relaxing GOT loads and TLS sequences where a static
//! image allows it. Values that do not fit their field are errors naming the site.

use crate::error::LinkError;
use crate::layout::Layout;
use crate::link_error;
use crate::object_file::{ObjectFile, SectionKind, LE};
use crate::symbols::{display, Definition, SymbolTable};
use object::elf;
use object::read::elf::Sym;
use rustc_hash::FxHashMap;

/// What a GOT slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GotKey {
    /// The address of a global symbol.
    Global(u32),
    /// The address of a local symbol (object, symbol index).
    Local(u32, u32),
    /// The thread-pointer offset of a global TLS symbol.
    TpGlobal(u32),
    TpLocal(u32, u32),
}

#[derive(Default)]
pub struct Got {
    pub slots: Vec<GotKey>,
    pub index: FxHashMap<GotKey, u32>,
    /// IFUNC symbols that are referenced (`Global` or `Local` keys), each with a stub, a slot
    /// and an IRELATIVE entry.
    pub ifuncs: Vec<GotKey>,
    pub ifunc_index: FxHashMap<GotKey, u32>,
}

impl Got {
    fn slot(&mut self, key: GotKey) -> u32 {
        let next = self.slots.len() as u32;
        *self.index.entry(key).or_insert_with(|| {
            self.slots.push(key);
            next
        })
    }
}

/// How a symbol reference resolves before addresses are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// In a section: has an address inside the image.
    Defined,
    /// Absolute or defined by the link script: anywhere in the address space.
    Absolute,
    /// Undefined weak: address 0.
    WeakZero,
    /// Undefined and not weak.
    Missing,
}

fn target_of(
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    oi: usize,
    sym: usize,
) -> Target {
    let object = &objects[oi];
    if sym < object.first_global {
        return if object.sym_section(sym).is_some() {
            Target::Defined
        } else {
            Target::Absolute
        };
    }
    let global = symbols.get(object.globals[sym - object.first_global]);
    match global.def {
        Definition::Defined { object: o, sym: s } => {
            if objects[o as usize].sym_section(s as usize).is_some() {
                Target::Defined
            } else {
                Target::Absolute
            }
        }
        Definition::Common { .. } => Target::Defined,
        Definition::Linker => Target::Absolute,
        Definition::Undefined | Definition::Lazy { .. } => {
            if global.strong_ref {
                Target::Missing
            } else {
                Target::WeakZero
            }
        }
    }
}

fn got_key(object: &ObjectFile<'_>, oi: usize, sym: usize, tls: bool) -> GotKey {
    if sym < object.first_global {
        if tls {
            GotKey::TpLocal(oi as u32, sym as u32)
        } else {
            GotKey::Local(oi as u32, sym as u32)
        }
    } else {
        let id = object.globals[sym - object.first_global];
        if tls {
            GotKey::TpGlobal(id)
        } else {
            GotKey::Global(id)
        }
    }
}

/// Is symbol `sym` of object `oi` a defined `STT_GNU_IFUNC`?
fn is_ifunc(objects: &[ObjectFile<'_>], symbols: &SymbolTable<'_>, oi: usize, sym: usize) -> bool {
    let object = &objects[oi];
    if sym < object.first_global {
        return object.sym(sym).st_type() == elf::STT_GNU_IFUNC;
    }
    match symbols.get(object.globals[sym - object.first_global]).def {
        Definition::Defined { object: o, sym: s } => {
            objects[o as usize].sym(s as usize).st_type() == elf::STT_GNU_IFUNC
        }
        _ => false,
    }
}

/// The address of IFUNC stub `index`.
pub fn iplt_address(layout: &Layout, index: u32) -> u64 {
    layout.iplt.unwrap_or(0) + 16 * u64::from(index)
}

/// Stubs, slots and IRELATIVE entries for the IFUNC symbols; `resolver` gives the address of
/// each IFUNC's resolver (its definition).
pub fn ifunc_contents(
    got: &Got,
    layout: &Layout,
    resolver: impl Fn(GotKey) -> u64,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (mut stubs, mut slots, mut relas) = (Vec::new(), Vec::new(), Vec::new());
    for (index, key) in got.ifuncs.iter().enumerate() {
        let stub = iplt_address(layout, index as u32);
        let slot = layout.igot.unwrap_or(0) + 8 * index as u64;
        let displacement = slot.wrapping_sub(stub + 6) as u32;
        stubs.extend_from_slice(&[0xff, 0x25]);
        stubs.extend_from_slice(&displacement.to_le_bytes());
        stubs.extend_from_slice(&[0xcc; 10]);
        let target = resolver(*key);
        slots.extend_from_slice(&target.to_le_bytes());
        relas.extend_from_slice(&slot.to_le_bytes());
        relas.extend_from_slice(&u64::from(elf::R_X86_64_IRELATIVE).to_le_bytes());
        relas.extend_from_slice(&target.to_le_bytes());
    }
    (stubs, slots, relas)
}

/// Do `width` bytes at `offset` lie inside `len` bytes? (An `r_offset` near 2^64 must not wrap
/// around into range.)
fn fits(offset: usize, width: usize, len: usize) -> bool {
    offset.checked_add(width).is_some_and(|end| end <= len)
}

/// Can this `GOTPCRELX`/`REX_GOTPCRELX` be turned into a direct reference? Only `mov` (to
/// `lea`), `call *` and `jmp *` are rewritten, and only for symbols with an address.
fn gotpcrelx_relaxable(data: &[u8], offset: usize, r_type: u32, target: Target) -> bool {
    if target != Target::Defined || offset < 2 || !fits(offset, 4, data.len()) {
        return false;
    }
    let op = data[offset - 2];
    let modrm = data[offset - 1];
    match r_type {
        elf::R_X86_64_GOTPCRELX => {
            (op == 0x8b && modrm & 0xc7 == 0x05) || (op == 0xff && (modrm == 0x15 || modrm == 0x25))
        }
        elf::R_X86_64_REX_GOTPCRELX => offset >= 3 && op == 0x8b && modrm & 0xc7 == 0x05,
        _ => false,
    }
}

/// Can this `GOTTPOFF` (initial-exec) be turned into local-exec (`mov`/`add` with immediate)?
fn gottpoff_relaxable(data: &[u8], offset: usize) -> bool {
    if offset < 3 || !fits(offset, 4, data.len()) {
        return false;
    }
    let (rex, op, modrm) = (data[offset - 3], data[offset - 2], data[offset - 1]);
    (rex == 0x48 || rex == 0x4c) && (op == 0x8b || op == 0x03) && modrm & 0xc7 == 0x05
}

/// Decides which references need a GOT slot.
pub fn scan(objects: &[ObjectFile<'_>], symbols: &SymbolTable<'_>) -> Got {
    let mut got = Got::default();
    for (oi, object) in objects.iter().enumerate() {
        for section in &object.sections {
            if !section.live || section.kind != SectionKind::Alloc {
                continue;
            }
            for rel in section.relocs {
                let r_type = rel.r_type(LE, false);
                let sym = rel.r_sym(LE, false) as usize;
                let offset = rel.r_offset.get(LE) as usize;
                if sym != 0 && is_ifunc(objects, symbols, oi, sym) {
                    let key = got_key(object, oi, sym, false);
                    if !got.ifunc_index.contains_key(&key) {
                        got.ifunc_index.insert(key, got.ifuncs.len() as u32);
                        got.ifuncs.push(key);
                    }
                }
                match r_type {
                    elf::R_X86_64_GOTPCREL
                    | elf::R_X86_64_GOT32
                    | elf::R_X86_64_GOT64
                    | elf::R_X86_64_GOTPCREL64 => {
                        got.slot(got_key(object, oi, sym, false));
                    }
                    elf::R_X86_64_GOTPCRELX | elf::R_X86_64_REX_GOTPCRELX => {
                        let target = target_of(objects, symbols, oi, sym);
                        if !gotpcrelx_relaxable(section.data, offset, r_type, target) {
                            got.slot(got_key(object, oi, sym, false));
                        }
                    }
                    elf::R_X86_64_GOTTPOFF if !gottpoff_relaxable(section.data, offset) => {
                        got.slot(got_key(object, oi, sym, true));
                    }
                    _ => {}
                }
            }
        }
    }
    got
}

/// Everything relocation needs to know about addresses.
pub struct Addresses<'l> {
    pub layout: &'l Layout,
    pub got_base: u64,
    pub tp: u64,
    pub tls_start: u64,
}

/// Copies section `si` of object `oi` into `out` (its bytes in the image) and applies its
/// relocations. `addr` is the section's address.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    got: &Got,
    at: &Addresses<'_>,
    oi: usize,
    si: usize,
    addr: u64,
    out: &mut [u8],
    eh: Option<&crate::eh_frame::EhFrameEdit>,
    errors: &mut Vec<LinkError>,
) {
    let object = &objects[oi];
    let section = &object.sections[si];
    let alloc = section.kind != SectionKind::NonAlloc;
    match eh {
        Some(edit) => edit.write(section.data, out),
        None => {
            if section.sh_type != elf::SHT_NOBITS {
                out.copy_from_slice(section.data);
            }
        }
    }
    let mut skip_next = false;
    for (ri, rel) in section.relocs.iter().enumerate() {
        if skip_next {
            skip_next = false;
            continue;
        }
        let r_type = rel.r_type(LE, false);
        if r_type == elf::R_X86_64_NONE {
            continue;
        }
        let sym = rel.r_sym(LE, false) as usize;
        let in_offset = rel.r_offset.get(LE);
        let offset = match eh {
            Some(edit) => match edit.map(in_offset) {
                Some(o) => o,
                None => continue,
            },
            None => in_offset,
        } as usize;
        let addend = rel.r_addend.get(LE);
        let p = addr.wrapping_add(offset as u64);
        let site = || {
            let function = object
                .enclosing_symbol(si, in_offset)
                .map(|f| format!(" in function {}", display(f)))
                .unwrap_or_default();
            format!("{}+{:#x}{function}", object.section_display(si), in_offset)
        };
        let width = reloc_width(r_type);
        if !fits(offset, width, out.len()) {
            errors.push(link_error!(
                "`{}` is corrupt: relocation at {} runs past the end of the section",
                object.name,
                site()
            ));
            continue;
        }
        // Resolve the symbol.
        let target = target_of(objects, symbols, oi, sym);
        let s = match target {
            Target::Missing => {
                let name = display(object.sym_name(sym));
                if alloc {
                    errors.push(
                        link_error!("undefined symbol: {name}")
                            .note(format!("referenced by {}", site()))
                            .help(format!("define `{name}`, or add the object or library that defines it to the link")),
                    );
                }
                continue;
            }
            Target::WeakZero => 0,
            Target::Defined | Target::Absolute => {
                match symbol_address(objects, symbols, got, at.layout, oi, sym) {
                    Some(a) => a,
                    None => {
                        if alloc {
                            errors.push(link_error!(
                            "relocation at {} refers to symbol `{}` in a discarded section",
                            site(),
                            display(object.sym_name(sym))
                        )
                        .help("the section was dropped by a COMDAT group or /DISCARD/; keep the definition"));
                            continue;
                        }
                        // Debug information about dropped code: a tombstone value.
                        if section.name.starts_with(b".debug_ranges")
                            || section.name.starts_with(b".debug_loc")
                        {
                            1
                        } else {
                            0
                        }
                    }
                }
            }
        };
        let sa = s.wrapping_add(addend as u64);
        let tpoff = sa.wrapping_sub(at.tp);
        let got_addr = |tls: bool| -> u64 {
            let key = got_key(object, oi, sym, tls);
            at.got_base + 8 * u64::from(got.index.get(&key).copied().unwrap_or(0))
        };
        let result = match r_type {
            elf::R_X86_64_64 => write64(out, offset, sa),
            elf::R_X86_64_32 => write_u32(out, offset, sa),
            elf::R_X86_64_32S => write_i32(out, offset, sa),
            elf::R_X86_64_16 => write_u16(out, offset, sa),
            elf::R_X86_64_8 => write_u8(out, offset, sa),
            elf::R_X86_64_PC32 | elf::R_X86_64_PLT32 => write_i32(out, offset, sa.wrapping_sub(p)),
            elf::R_X86_64_PC64 => write64(out, offset, sa.wrapping_sub(p)),
            elf::R_X86_64_PC16 => write_i16(out, offset, sa.wrapping_sub(p)),
            elf::R_X86_64_PC8 => write_i8(out, offset, sa.wrapping_sub(p)),
            elf::R_X86_64_GOTPCREL => write_i32(
                out,
                offset,
                got_addr(false).wrapping_add(addend as u64).wrapping_sub(p),
            ),
            elf::R_X86_64_GOTPCREL64 => write64(
                out,
                offset,
                got_addr(false).wrapping_add(addend as u64).wrapping_sub(p),
            ),
            elf::R_X86_64_GOT32 => write_i32(
                out,
                offset,
                got_addr(false)
                    .wrapping_sub(at.got_base)
                    .wrapping_add(addend as u64),
            ),
            elf::R_X86_64_GOT64 => write64(
                out,
                offset,
                got_addr(false)
                    .wrapping_sub(at.got_base)
                    .wrapping_add(addend as u64),
            ),
            elf::R_X86_64_GOTPC32 => write_i32(
                out,
                offset,
                at.got_base.wrapping_add(addend as u64).wrapping_sub(p),
            ),
            elf::R_X86_64_GOTPC64 => write64(
                out,
                offset,
                at.got_base.wrapping_add(addend as u64).wrapping_sub(p),
            ),
            elf::R_X86_64_GOTOFF64 => write64(out, offset, sa.wrapping_sub(at.got_base)),
            elf::R_X86_64_SIZE32 | elf::R_X86_64_SIZE64 => {
                let size = symbol_size(objects, symbols, oi, sym).wrapping_add(addend as u64);
                if r_type == elf::R_X86_64_SIZE32 {
                    write_u32(out, offset, size)
                } else {
                    write64(out, offset, size)
                }
            }
            elf::R_X86_64_GOTPCRELX | elf::R_X86_64_REX_GOTPCRELX => {
                if gotpcrelx_relaxable(section.data, in_offset as usize, r_type, target) {
                    relax_gotpcrelx(out, offset, sa.wrapping_sub(p))
                } else {
                    write_i32(
                        out,
                        offset,
                        got_addr(false).wrapping_add(addend as u64).wrapping_sub(p),
                    )
                }
            }
            elf::R_X86_64_TPOFF32 => write_i32(out, offset, tpoff),
            elf::R_X86_64_TPOFF64 => write64(out, offset, tpoff),
            elf::R_X86_64_DTPOFF32 | elf::R_X86_64_DTPOFF64 => {
                // Code reaches these after a TLSLD sequence that was relaxed to load the thread
                // pointer, so they become thread-pointer offsets; debug information wants the
                // offset inside the TLS block.
                let value = if alloc {
                    tpoff
                } else {
                    sa.wrapping_sub(at.tls_start)
                };
                if r_type == elf::R_X86_64_DTPOFF32 {
                    write_i32(out, offset, value)
                } else {
                    write64(out, offset, value)
                }
            }
            elf::R_X86_64_GOTTPOFF => {
                if gottpoff_relaxable(section.data, in_offset as usize) {
                    // The addend is the displacement's PC bias; the immediate is the offset itself.
                    relax_ie_to_le(out, offset, s.wrapping_sub(at.tp))
                } else {
                    write_i32(
                        out,
                        offset,
                        got_addr(true).wrapping_add(addend as u64).wrapping_sub(p),
                    )
                }
            }
            elf::R_X86_64_TLSGD => {
                let next = section.relocs.get(ri + 1);
                match relax_gd_to_le(
                    out,
                    offset,
                    s.wrapping_sub(at.tp),
                    next.map(|r| r.r_type(LE, false)),
                ) {
                    Ok(()) => {
                        skip_next = true;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            elf::R_X86_64_TLSLD => {
                let next = section.relocs.get(ri + 1);
                match relax_ld_to_le(out, offset, next.map(|r| r.r_type(LE, false))) {
                    Ok(()) => {
                        skip_next = true;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            other => Err(Problem::Unsupported(other)),
        };
        if let Err(problem) = result {
            let name = display(object.sym_name(sym));
            errors.push(match problem {
                Problem::Overflow(value) => link_error!(
                    "relocation {} at {} against `{name}` is out of range: value {:#x} does not fit in the field",
                    reloc_name(r_type), site(), value
                )
                .help("the target is too far away for this relocation; place the sections closer \
                       (below 2 GiB for 32-bit relocations) or compile with -mcmodel=large / -fPIC"),
                Problem::Unsupported(t) => link_error!(
                    "unsupported relocation type {} ({t}) in {} at offset {:#x}",
                    reloc_name(t), object.section_display(si), in_offset
                )
                .help("ukl supports the x86_64 relocations that gcc, clang and rustc emit for static code; \
                       recompile without this feature (e.g. -mtls-dialect=gnu for TLS descriptors)"),
                Problem::Pattern(what) => link_error!(
                    "unrecognized {what} code sequence at {} (relocation {})",
                    site(), reloc_name(r_type)
                )
                .help("ukl relaxes the standard x86_64 TLS sequences; recompile with gcc or clang defaults"),
            });
        }
    }
}

fn symbol_size(
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    oi: usize,
    sym: usize,
) -> u64 {
    let object = &objects[oi];
    if sym < object.first_global {
        return object.sym(sym).st_size(LE);
    }
    match symbols.get(object.globals[sym - object.first_global]).def {
        Definition::Defined { object: o, sym: s } => {
            objects[o as usize].sym(s as usize).st_size(LE)
        }
        Definition::Common { size, .. } => size,
        _ => 0,
    }
}

/// The address of symbol `sym` of object `oi`, or `None` if it lives in a dropped section.
pub fn symbol_address(
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    got: &Got,
    layout: &Layout,
    oi: usize,
    sym: usize,
) -> Option<u64> {
    let object = &objects[oi];
    if sym < object.first_global {
        if let Some(&index) = got.ifunc_index.get(&GotKey::Local(oi as u32, sym as u32)) {
            return Some(iplt_address(layout, index));
        }
        return crate::layout::local_symbol_address(objects, layout, oi, sym);
    }
    let global = symbols.get(object.globals[sym - object.first_global]);
    Some(global.address)
}

enum Problem {
    Overflow(u64),
    Unsupported(u32),
    Pattern(&'static str),
}

fn reloc_width(r_type: u32) -> usize {
    match r_type {
        elf::R_X86_64_64
        | elf::R_X86_64_PC64
        | elf::R_X86_64_GOTPCREL64
        | elf::R_X86_64_GOT64
        | elf::R_X86_64_GOTPC64
        | elf::R_X86_64_GOTOFF64
        | elf::R_X86_64_TPOFF64
        | elf::R_X86_64_DTPOFF64
        | elf::R_X86_64_SIZE64 => 8,
        elf::R_X86_64_16 | elf::R_X86_64_PC16 => 2,
        elf::R_X86_64_8 | elf::R_X86_64_PC8 => 1,
        _ => 4,
    }
}

pub fn reloc_name(r_type: u32) -> String {
    let name = match r_type {
        elf::R_X86_64_NONE => "R_X86_64_NONE",
        elf::R_X86_64_64 => "R_X86_64_64",
        elf::R_X86_64_PC32 => "R_X86_64_PC32",
        elf::R_X86_64_GOT32 => "R_X86_64_GOT32",
        elf::R_X86_64_PLT32 => "R_X86_64_PLT32",
        elf::R_X86_64_COPY => "R_X86_64_COPY",
        elf::R_X86_64_GLOB_DAT => "R_X86_64_GLOB_DAT",
        elf::R_X86_64_JUMP_SLOT => "R_X86_64_JUMP_SLOT",
        elf::R_X86_64_RELATIVE => "R_X86_64_RELATIVE",
        elf::R_X86_64_GOTPCREL => "R_X86_64_GOTPCREL",
        elf::R_X86_64_32 => "R_X86_64_32",
        elf::R_X86_64_32S => "R_X86_64_32S",
        elf::R_X86_64_16 => "R_X86_64_16",
        elf::R_X86_64_PC16 => "R_X86_64_PC16",
        elf::R_X86_64_8 => "R_X86_64_8",
        elf::R_X86_64_PC8 => "R_X86_64_PC8",
        elf::R_X86_64_DTPMOD64 => "R_X86_64_DTPMOD64",
        elf::R_X86_64_DTPOFF64 => "R_X86_64_DTPOFF64",
        elf::R_X86_64_TPOFF64 => "R_X86_64_TPOFF64",
        elf::R_X86_64_TLSGD => "R_X86_64_TLSGD",
        elf::R_X86_64_TLSLD => "R_X86_64_TLSLD",
        elf::R_X86_64_DTPOFF32 => "R_X86_64_DTPOFF32",
        elf::R_X86_64_GOTTPOFF => "R_X86_64_GOTTPOFF",
        elf::R_X86_64_TPOFF32 => "R_X86_64_TPOFF32",
        elf::R_X86_64_PC64 => "R_X86_64_PC64",
        elf::R_X86_64_GOTOFF64 => "R_X86_64_GOTOFF64",
        elf::R_X86_64_GOTPC32 => "R_X86_64_GOTPC32",
        elf::R_X86_64_GOT64 => "R_X86_64_GOT64",
        elf::R_X86_64_GOTPCREL64 => "R_X86_64_GOTPCREL64",
        elf::R_X86_64_GOTPC64 => "R_X86_64_GOTPC64",
        elf::R_X86_64_GOTPLT64 => "R_X86_64_GOTPLT64",
        elf::R_X86_64_PLTOFF64 => "R_X86_64_PLTOFF64",
        elf::R_X86_64_SIZE32 => "R_X86_64_SIZE32",
        elf::R_X86_64_SIZE64 => "R_X86_64_SIZE64",
        elf::R_X86_64_GOTPC32_TLSDESC => "R_X86_64_GOTPC32_TLSDESC",
        elf::R_X86_64_TLSDESC_CALL => "R_X86_64_TLSDESC_CALL",
        elf::R_X86_64_TLSDESC => "R_X86_64_TLSDESC",
        elf::R_X86_64_IRELATIVE => "R_X86_64_IRELATIVE",
        elf::R_X86_64_GOTPCRELX => "R_X86_64_GOTPCRELX",
        elf::R_X86_64_REX_GOTPCRELX => "R_X86_64_REX_GOTPCRELX",
        _ => return format!("#{r_type}"),
    };
    name.to_string()
}

type Patch = std::result::Result<(), Problem>;

fn write64(out: &mut [u8], at: usize, v: u64) -> Patch {
    out[at..at + 8].copy_from_slice(&v.to_le_bytes());
    Ok(())
}

fn write_u32(out: &mut [u8], at: usize, v: u64) -> Patch {
    let narrow = u32::try_from(v).map_err(|_| Problem::Overflow(v))?;
    out[at..at + 4].copy_from_slice(&narrow.to_le_bytes());
    Ok(())
}

fn write_i32(out: &mut [u8], at: usize, v: u64) -> Patch {
    let narrow = i32::try_from(v as i64).map_err(|_| Problem::Overflow(v))?;
    out[at..at + 4].copy_from_slice(&narrow.to_le_bytes());
    Ok(())
}

fn write_u16(out: &mut [u8], at: usize, v: u64) -> Patch {
    let narrow = u16::try_from(v).map_err(|_| Problem::Overflow(v))?;
    out[at..at + 2].copy_from_slice(&narrow.to_le_bytes());
    Ok(())
}

fn write_i16(out: &mut [u8], at: usize, v: u64) -> Patch {
    let narrow = i16::try_from(v as i64).map_err(|_| Problem::Overflow(v))?;
    out[at..at + 2].copy_from_slice(&narrow.to_le_bytes());
    Ok(())
}

fn write_u8(out: &mut [u8], at: usize, v: u64) -> Patch {
    out[at] = u8::try_from(v).map_err(|_| Problem::Overflow(v))?;
    Ok(())
}

fn write_i8(out: &mut [u8], at: usize, v: u64) -> Patch {
    out[at] = i8::try_from(v as i64).map_err(|_| Problem::Overflow(v))? as u8;
    Ok(())
}

/// `mov foo@GOTPCREL(%rip), %r` → `lea foo(%rip), %r`; `call *foo@GOTPCREL(%rip)` →
/// `addr32 call foo`; `jmp *foo@GOTPCREL(%rip)` → `jmp foo; nop`.
fn relax_gotpcrelx(out: &mut [u8], at: usize, pc_relative: u64) -> Patch {
    if at < 2 {
        return Err(Problem::Pattern("GOTPCRELX"));
    }
    let op = out[at - 2];
    let modrm = out[at - 1];
    if op == 0x8b {
        out[at - 2] = 0x8d;
        return write_i32(out, at, pc_relative);
    }
    match modrm {
        0x15 => {
            out[at - 2] = 0x67;
            out[at - 1] = 0xe8;
            write_i32(out, at, pc_relative)
        }
        0x25 => {
            // The jump is one byte shorter; the displacement is relative to the end of the
            // 5-byte jmp, so move it one byte earlier and pad with a nop.
            out[at - 2] = 0xe9;
            let value = pc_relative.wrapping_add(1);
            let narrow = i32::try_from(value as i64).map_err(|_| Problem::Overflow(value))?;
            out[at - 1..at + 3].copy_from_slice(&narrow.to_le_bytes());
            out[at + 3] = 0x90;
            Ok(())
        }
        _ => Err(Problem::Pattern("GOTPCRELX")),
    }
}

/// Initial-exec → local-exec: `mov x@gottpoff(%rip), %r` → `mov $tpoff, %r`;
/// `add x@gottpoff(%rip), %r` → `add $tpoff, %r`.
fn relax_ie_to_le(out: &mut [u8], at: usize, tpoff: u64) -> Patch {
    if at < 3 {
        return Err(Problem::Pattern("GOTTPOFF"));
    }
    let (rex, op, modrm) = (out[at - 3], out[at - 2], out[at - 1]);
    let reg = (modrm >> 3) & 7;
    out[at - 3] = if rex == 0x4c { 0x49 } else { 0x48 };
    out[at - 2] = if op == 0x8b { 0xc7 } else { 0x81 };
    out[at - 1] = 0xc0 | reg;
    write_i32(out, at, tpoff)
}

/// General-dynamic → local-exec. The 16-byte sequence
/// `data16 lea x@tlsgd(%rip),%rdi; data16 data16 rex64 call __tls_get_addr@PLT` (or the
/// `call *__tls_get_addr@GOTPCREL(%rip)` form) becomes `mov %fs:0,%rax; lea x@tpoff(%rax),%rax`.
fn relax_gd_to_le(out: &mut [u8], at: usize, tpoff: u64, next: Option<u32>) -> Patch {
    if at < 4 || out[at - 4..at] != [0x66, 0x48, 0x8d, 0x3d] || next.is_none() {
        return Err(Problem::Pattern("TLS general-dynamic"));
    }
    let start = at - 4;
    let plt_form = out.get(start + 8..start + 12) == Some(&[0x66, 0x66, 0x48, 0xe8][..]);
    let got_form = out.get(start + 8..start + 11) == Some(&[0x66, 0x48, 0xff][..]);
    if !(plt_form || got_form) || start + 16 > out.len() {
        return Err(Problem::Pattern("TLS general-dynamic"));
    }
    let narrow = i32::try_from(tpoff as i64).map_err(|_| Problem::Overflow(tpoff))?;
    let mut code = [
        0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0, 0x48, 0x8d, 0x80, 0, 0, 0, 0,
    ];
    code[12..16].copy_from_slice(&narrow.to_le_bytes());
    out[start..start + 16].copy_from_slice(&code);
    Ok(())
}

/// Local-dynamic → local-exec: `lea x@tlsld(%rip),%rdi; call __tls_get_addr@PLT` (12 bytes, or
/// 13 with `call *...@GOTPCREL(%rip)`) becomes a load of the thread pointer into %rax.
fn relax_ld_to_le(out: &mut [u8], at: usize, next: Option<u32>) -> Patch {
    if at < 3 || out[at - 3..at] != [0x48, 0x8d, 0x3d] || next.is_none() {
        return Err(Problem::Pattern("TLS local-dynamic"));
    }
    let start = at - 3;
    if out.get(start + 7) == Some(&0xe8) && start + 12 <= out.len() {
        out[start..start + 12]
            .copy_from_slice(&[0x66, 0x66, 0x66, 0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0]);
        return Ok(());
    }
    if out.get(start + 7..start + 9) == Some(&[0xff, 0x15][..]) && start + 13 <= out.len() {
        out[start..start + 13].copy_from_slice(&[
            0x66, 0x66, 0x66, 0x66, 0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0,
        ]);
        return Ok(());
    }
    Err(Problem::Pattern("TLS local-dynamic"))
}

/// GOT contents: addresses, or thread-pointer offsets for TLS slots.
pub fn got_contents(
    got: &Got,
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    layout: &Layout,
    tp: u64,
) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(got.slots.len() * 8);
    for key in &got.slots {
        let value = match *key {
            GotKey::Global(id) => symbols.get(id).address,
            GotKey::Local(o, s) => {
                crate::layout::local_symbol_address(objects, layout, o as usize, s as usize)
                    .unwrap_or(0)
            }
            GotKey::TpGlobal(id) => symbols.get(id).address.wrapping_sub(tp),
            GotKey::TpLocal(o, s) => {
                crate::layout::local_symbol_address(objects, layout, o as usize, s as usize)
                    .unwrap_or(0)
                    .wrapping_sub(tp)
            }
        };
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    bytes
}
