//! The map file: every output section, every input section in it with address, size, object and
//! the reason it was kept, and the global symbols each input section defines.

use crate::gc::Reason;
use crate::layout::{Layout, Piece};
use crate::object_file::ObjectFile;
use crate::symbols::{display, Definition, SymbolTable};
use std::fmt::Write;

pub fn render(
    layout: &Layout,
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    reasons: &[Vec<Reason>],
) -> String {
    // Global symbols by the section that defines them.
    let mut defined: rustc_hash::FxHashMap<(u32, u32), Vec<(u64, String)>> = Default::default();
    for sym in &symbols.syms {
        if let Definition::Defined { object, sym: index } = sym.def {
            if let Some(section) = objects[object as usize].sym_section(index as usize) {
                defined
                    .entry((object, section as u32))
                    .or_default()
                    .push((sym.address, display(sym.name)));
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>16} {:>16} {:>8} {:>5}  Out / In / Symbol / Why",
        "VMA", "LMA", "Size", "Align"
    );
    for os in &layout.sections {
        if !os.emitted {
            continue;
        }
        let _ = writeln!(
            out,
            "{:16x} {:16x} {:8x} {:5}  {}",
            os.addr, os.lma, os.size, os.align, os.name
        );
        for (piece, offset) in os.pieces.iter().zip(&os.piece_offsets) {
            let addr = os.addr + offset;
            match piece {
                Piece::Input { object, section } => {
                    let o = &objects[*object as usize];
                    let s = &o.sections[*section as usize];
                    let why = match reasons[*object as usize][*section as usize] {
                        Reason::None => "kept (not an allocated section)".to_string(),
                        Reason::NoGc => "kept (garbage collection off)".to_string(),
                        Reason::Root(kind) => format!("root: {kind}"),
                        Reason::Referenced {
                            object: from,
                            section: from_section,
                        } => {
                            format!(
                                "referenced by {}",
                                objects[from as usize].section_display(from_section as usize)
                            )
                        }
                    };
                    let _ = writeln!(
                        out,
                        "{:16x} {:16} {:8x} {:5}      {}  ({why})",
                        addr,
                        "",
                        s.size,
                        s.align,
                        o.section_display(*section as usize)
                    );
                    if let Some(list) = defined.get_mut(&(*object, *section)) {
                        list.sort();
                        for (a, name) in list.iter() {
                            let _ = writeln!(
                                out,
                                "{:16x} {:16} {:8} {:5}          {name}",
                                a, "", "", ""
                            );
                        }
                    }
                }
                Piece::Common { symbol } => {
                    let s = symbols.get(*symbol);
                    let size = match s.def {
                        Definition::Common { size, .. } => size,
                        _ => 0,
                    };
                    let _ = writeln!(
                        out,
                        "{:16x} {:16} {:8x} {:5}      COMMON {}  (common symbol, referenced)",
                        addr,
                        "",
                        size,
                        "",
                        display(s.name)
                    );
                }
                Piece::Got => {
                    let _ = writeln!(
                        out,
                        "{:16x} {:16} {:8} {:5}      <GOT>  (synthesized by the linker)",
                        addr, "", "", ""
                    );
                }
                Piece::Iplt | Piece::IgotPlt | Piece::RelaIplt | Piece::EhFrameHdr => {
                    let _ = writeln!(
                        out,
                        "{:16x} {:16} {:8} {:5}      <{piece:?}>  (IFUNC support, synthesized)",
                        addr, "", "", ""
                    );
                }
                Piece::BuildId => {
                    let _ = writeln!(
                        out,
                        "{:16x} {:16} {:8x} {:5}      <build-id>  (--build-id)",
                        addr, "", 36, ""
                    );
                }
                Piece::Data { size, .. } => {
                    let _ = writeln!(
                        out,
                        "{:16x} {:16} {:8x} {:5}      <data command>",
                        addr,
                        "",
                        size.bytes(),
                        ""
                    );
                }
                Piece::Assign(a) => {
                    let _ = writeln!(
                        out,
                        "{:16x} {:16} {:8} {:5}      {} = ...",
                        addr, "", "", "", a.target
                    );
                }
            }
        }
    }
    out
}
