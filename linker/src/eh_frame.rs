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

/// Size of `.eh_frame_hdr` for `fdes` FDEs: version, encodings, the `.eh_frame` pointer, the
/// count, then a sorted (initial location, FDE) table for binary search by unwinders.
pub fn hdr_size(fdes: usize) -> u64 {
    12 + 8 * fdes as u64
}

/// Builds `.eh_frame_hdr` from the final `.eh_frame` bytes.
pub fn build_hdr(eh_frame: &[u8], eh_addr: u64, hdr_addr: u64, fdes: usize) -> Vec<u8> {
    let mut table: Vec<(i32, i32)> = Vec::with_capacity(fdes);
    let mut encodings: FxHashMap<usize, u8> = FxHashMap::default();
    let mut offset = 0usize;
    while offset + 8 <= eh_frame.len() {
        let length = u32::from_le_bytes(eh_frame[offset..offset + 4].try_into().unwrap_or_default())
            as usize;
        if length == 0 || length == 0xffff_ffff || offset + 4 + length > eh_frame.len() {
            break;
        }
        let record = &eh_frame[offset..offset + 4 + length];
        let id = u32::from_le_bytes(record[4..8].try_into().unwrap_or_default()) as usize;
        if id == 0 {
            encodings.insert(offset, cie_fde_encoding(record).unwrap_or(0x1b));
        } else if let Some(cie) = (offset + 4).checked_sub(id) {
            let encoding = encodings.get(&cie).copied().unwrap_or(0x1b);
            let field_addr = eh_addr + offset as u64 + 8;
            if let Some(location) = read_pointer(&record[8..], encoding, field_addr) {
                let fde_addr = eh_addr + offset as u64;
                table.push((
                    location.wrapping_sub(hdr_addr) as i32,
                    fde_addr.wrapping_sub(hdr_addr) as i32,
                ));
            }
        }
        offset += 4 + length;
    }
    table.sort_by_key(|(location, _)| *location);
    table.truncate(fdes);
    while table.len() < fdes {
        // Keep the advertised count exact even for records that could not be decoded.
        table.push(table.last().copied().unwrap_or((0, 0)));
    }
    let mut out = Vec::with_capacity(hdr_size(fdes) as usize);
    out.extend_from_slice(&[1, 0x1b, 0x03, 0x3b]);
    out.extend_from_slice(&(eh_addr.wrapping_sub(hdr_addr + 4) as i32).to_le_bytes());
    out.extend_from_slice(&(fdes as u32).to_le_bytes());
    for (location, fde) in table {
        out.extend_from_slice(&location.to_le_bytes());
        out.extend_from_slice(&fde.to_le_bytes());
    }
    out
}

/// The FDE pointer encoding a CIE declares with its `R` augmentation.
fn cie_fde_encoding(cie: &[u8]) -> Option<u8> {
    let mut at = 8;
    let version = *cie.get(at)?;
    at += 1;
    let end = at + cie.get(at..)?.iter().position(|b| *b == 0)?;
    let augmentation = cie.get(at..end)?.to_vec();
    at = end + 1;
    if augmentation.windows(2).any(|w| w == b"eh") {
        at += 8;
    }
    read_uleb(cie, &mut at)?;
    read_uleb(cie, &mut at)?; // data alignment (its SLEB bytes skip the same way)
    if version == 1 {
        at += 1;
    } else {
        read_uleb(cie, &mut at)?;
    }
    if augmentation.first() != Some(&b'z') {
        return None;
    }
    read_uleb(cie, &mut at)?;
    for c in &augmentation[1..] {
        match c {
            b'L' => at += 1,
            b'P' => {
                let encoding = *cie.get(at)?;
                at += 1 + pointer_size(encoding)?;
            }
            b'R' => return cie.get(at).copied(),
            b'S' | b'B' => {}
            _ => return None,
        }
    }
    None
}

fn read_uleb(data: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *data.get(*at)?;
        *at += 1;
        if shift < 64 {
            value |= u64::from(byte & 0x7f) << shift;
        }
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
}

fn pointer_size(encoding: u8) -> Option<usize> {
    match encoding & 0x0f {
        0x00 | 0x04 | 0x0c => Some(8),
        0x02 | 0x0a => Some(2),
        0x03 | 0x0b => Some(4),
        _ => None,
    }
}

fn read_pointer(data: &[u8], encoding: u8, field_addr: u64) -> Option<u64> {
    let raw = match encoding & 0x0f {
        0x00 | 0x04 | 0x0c => u64::from_le_bytes(data.get(..8)?.try_into().ok()?),
        0x03 => u64::from(u32::from_le_bytes(data.get(..4)?.try_into().ok()?)),
        0x0b => i32::from_le_bytes(data.get(..4)?.try_into().ok()?) as i64 as u64,
        0x02 => u64::from(u16::from_le_bytes(data.get(..2)?.try_into().ok()?)),
        0x0a => i16::from_le_bytes(data.get(..2)?.try_into().ok()?) as i64 as u64,
        _ => return None,
    };
    match encoding & 0x70 {
        0x00 => Some(raw),
        0x10 => Some(field_addr.wrapping_add(raw)),
        _ => None,
    }
}

impl EhFrameEdit {
    /// Number of FDEs kept.
    pub fn fde_count(&self) -> usize {
        self.pieces
            .iter()
            .filter(|p| p.cie_output.is_some())
            .count()
    }
}
