//! `.eh_frame` after garbage collection: each input `.eh_frame` is split into its CIE and FDE
//! records; FDEs whose function was collected are dropped, CIE pointers of the kept FDEs are
//! rewritten, and relocations are moved to where their record now lives.

use crate::error::Result;
use crate::gc::Reason;
use crate::link_error;
use crate::object_file::{ObjectFile, SectionKind, LE};
use crate::symbols::{Definition, SymbolTable};
use rustc_hash::FxHashMap;

/// A record kept in the output: `len` bytes from input offset `input` placed at `output`.
#[derive(Debug, Clone, Copy)]
pub struct Piece {
    pub input: u32,
    pub output: u32,
    pub len: u32,
    /// For an FDE: the output offset of its CIE.
    pub cie_output: Option<u32>,
}

#[derive(Debug, Default, Clone)]
pub struct EhFrameEdit {
    pub pieces: Vec<Piece>,
    pub size: u64,
}

impl EhFrameEdit {
    /// Where input offset `offset` ends up, if its record is kept.
    pub fn map(&self, offset: u64) -> Option<u64> {
        let index = self
            .pieces
            .partition_point(|p| u64::from(p.input) <= offset);
        let piece = self.pieces.get(index.checked_sub(1)?)?;
        let within = offset - u64::from(piece.input);
        (within < u64::from(piece.len)).then(|| u64::from(piece.output) + within)
    }

    /// Copies the kept records into `out` (exactly `self.size` bytes) and fixes CIE pointers.
    pub fn write(&self, input: &[u8], out: &mut [u8]) {
        for piece in &self.pieces {
            let (start, len, at) = (
                piece.input as usize,
                piece.len as usize,
                piece.output as usize,
            );
            out[at..at + len].copy_from_slice(&input[start..start + len]);
            if let Some(cie) = piece.cie_output {
                // The CIE pointer (4 bytes after the length) is the distance back to the CIE.
                let field = piece.output + 4;
                out[at + 4..at + 8].copy_from_slice(&(field - cie).to_le_bytes());
            }
        }
    }
}

/// Splits one `.eh_frame` section and keeps the records whose code is live.
pub fn filter(
    objects: &[ObjectFile<'_>],
    reasons: &[Vec<Reason>],
    oi: usize,
    si: usize,
    symbols: &SymbolTable<'_>,
) -> Result<EhFrameEdit> {
    let object = &objects[oi];
    let section = &object.sections[si];
    let data = section.data;
    let corrupt = |why: &str| {
        link_error!("`{}`: .eh_frame is corrupt: {why}", object.name)
            .help("recompile the object; it may be damaged")
    };
    let mut edit = EhFrameEdit::default();
    let mut cie_map: Vec<(u32, u32)> = Vec::new(); // (input offset, output offset)
    let mut offset = 0usize;
    let mut out = 0u32;
    let mut rel_index = 0usize;
    while offset < data.len() {
        if offset + 4 > data.len() {
            return Err(corrupt("truncated record length"));
        }
        let length = u32::from_le_bytes(data[offset..offset + 4].try_into().unwrap_or_default());
        if length == 0 {
            // Terminator: keep it so unwinders stop here.
            edit.pieces.push(Piece {
                input: offset as u32,
                output: out,
                len: 4,
                cie_output: None,
            });
            out += 4;
            offset += 4;
            continue;
        }
        if length == 0xffff_ffff {
            return Err(corrupt("64-bit records are not supported"));
        }
        let total = 4 + length as usize;
        if offset + total > data.len() || length < 4 {
            return Err(corrupt("record runs past the end of the section"));
        }
        let id = u32::from_le_bytes(data[offset + 4..offset + 8].try_into().unwrap_or_default());
        if id == 0 {
            cie_map.push((offset as u32, out));
            edit.pieces.push(Piece {
                input: offset as u32,
                output: out,
                len: total as u32,
                cie_output: None,
            });
            out += total as u32;
        } else {
            let cie_input = (offset + 4)
                .checked_sub(id as usize)
                .ok_or_else(|| corrupt("bad CIE pointer"))?;
            let cie_output = cie_map
                .iter()
                .find(|(i, _)| *i as usize == cie_input)
                .map(|(_, o)| *o)
                .ok_or_else(|| corrupt("FDE refers to a CIE that is not before it"))?;
            // The relocation of pc_begin sits 8 bytes into the record.
            let target = (offset + 8) as u64;
            while rel_index < section.relocs.len()
                && section.relocs[rel_index].r_offset.get(LE) < target
            {
                rel_index += 1;
            }
            let live = match section.relocs.get(rel_index) {
                Some(rel) if rel.r_offset.get(LE) == target => {
                    target_is_live(objects, reasons, oi, rel.r_sym(LE, false) as usize, symbols)
                }
                _ => false,
            };
            if live {
                edit.pieces.push(Piece {
                    input: offset as u32,
                    output: out,
                    len: total as u32,
                    cie_output: Some(cie_output),
                });
                out += total as u32;
            }
        }
        offset += total;
    }
    edit.size = u64::from(out);
    Ok(edit)
}

fn target_is_live(
    objects: &[ObjectFile<'_>],
    reasons: &[Vec<Reason>],
    oi: usize,
    sym: usize,
    symbols: &SymbolTable<'_>,
) -> bool {
    let object = &objects[oi];
    let (owner, section) = if sym < object.first_global {
        (oi, object.sym_section(sym))
    } else {
        match symbols.get(object.globals[sym - object.first_global]).def {
            Definition::Defined { object: o, sym: s } => {
                (o as usize, objects[o as usize].sym_section(s as usize))
            }
            _ => return false,
        }
    };
    section.is_some_and(|s| reasons[owner][s] != Reason::None)
}

/// Garbage-collection edges that `.eh_frame` implies: a live function keeps the sections its FDE
/// refers to besides the function itself (its LSDA in `.gcc_except_table`), and CIEs keep their
/// personality routines. Returns (function section → sections it keeps, CIE roots).
pub type Edges = FxHashMap<(u32, u32), Vec<(u32, u32)>>;

pub fn gc_edges(objects: &[ObjectFile<'_>], symbols: &SymbolTable<'_>) -> (Edges, Vec<(u32, u32)>) {
    let mut edges: Edges = FxHashMap::default();
    let mut roots = Vec::new();
    for (oi, object) in objects.iter().enumerate() {
        for section in &object.sections {
            if section.kind != SectionKind::EhFrame || section.relocs.is_empty() {
                continue;
            }
            let data = section.data;
            let mut offset = 0usize;
            let mut rel = 0usize;
            while offset + 8 <= data.len() {
                let length =
                    u32::from_le_bytes(data[offset..offset + 4].try_into().unwrap_or_default())
                        as usize;
                if length == 0 || length == 0xffff_ffff || offset + 4 + length > data.len() {
                    break;
                }
                let end = (offset + 4 + length) as u64;
                let is_cie = data[offset + 4..offset + 8] == [0, 0, 0, 0];
                let mut function: Option<(u32, u32)> = None;
                let mut targets = Vec::new();
                while rel < section.relocs.len() && section.relocs[rel].r_offset.get(LE) < end {
                    let r = &section.relocs[rel];
                    let at = r.r_offset.get(LE);
                    let target = section_of(objects, symbols, oi, r.r_sym(LE, false) as usize);
                    if at == offset as u64 + 8 && !is_cie {
                        function = target;
                    } else if let Some(t) = target {
                        targets.push(t);
                    }
                    rel += 1;
                }
                if is_cie {
                    roots.extend(targets);
                } else if let Some(f) = function {
                    if !targets.is_empty() {
                        edges.entry(f).or_default().extend(targets);
                    }
                }
                offset = end as usize;
            }
        }
    }
    (edges, roots)
}

fn section_of(
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    oi: usize,
    sym: usize,
) -> Option<(u32, u32)> {
    let object = &objects[oi];
    if sym < object.first_global {
        return object.sym_section(sym).map(|s| (oi as u32, s as u32));
    }
    match symbols
        .get(*object.globals.get(sym - object.first_global)?)
        .def
    {
        Definition::Defined { object: o, sym: s } => objects[o as usize]
            .sym_section(s as usize)
            .map(|sec| (o, sec as u32)),
        _ => None,
    }
}
