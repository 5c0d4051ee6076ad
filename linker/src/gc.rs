//! Garbage collection of sections: everything reachable through relocations from the roots (the
//! entry, `-u`/`--keep` symbols, `KEEP` in the link script, notes, init/fini arrays, retained
//! sections) stays; the rest is dropped. Each live section records why it is live, for the map
//! file and `ukl why`.

use crate::object_file::{ObjectFile, SectionKind, LE};
use crate::symbols::{Definition, SymbolTable};
use object::elf;

/// Why a section is in the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Not live.
    None,
    /// Kept because of a root of the given kind.
    Root(RootKind),
    /// Referenced by a relocation in section `section` of object `object`.
    Referenced { object: u32, section: u32 },
    /// Garbage collection is off.
    NoGc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    Entry,
    KeepSymbol,
    KeepPattern,
    Note,
    InitFini,
    Retain,
    StartStop,
    LinkOrder,
}

impl std::fmt::Display for RootKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RootKind::Entry => "entry point",
            RootKind::KeepSymbol => "kept symbol (-u/--keep)",
            RootKind::KeepPattern => "KEEP in link script",
            RootKind::Note => "note",
            RootKind::InitFini => "init/fini array",
            RootKind::Retain => "SHF_GNU_RETAIN",
            RootKind::StartStop => "__start_/__stop_ reference",
            RootKind::LinkOrder => "linked to a live section",
        })
    }
}

/// A global symbol referenced by a live section, and who kept the sections it leads to.
pub struct GcResult {
    /// Per object, per section: why it is live.
    pub reasons: Vec<Vec<Reason>>,
    /// Common symbols that are referenced (by global id).
    pub live_commons: Vec<u32>,
}

/// Finds the input sections named X for a `__start_X`/`__stop_X` reference.
pub type StartStop<'s> = dyn Fn(&[u8]) -> Vec<(u32, u32)> + 's;

pub struct GcInput<'s> {
    pub enabled: bool,
    /// Symbols that are roots: the entry, `-u`, `--keep`.
    pub root_symbols: Vec<(u32, RootKind)>,
    /// Sections kept by `KEEP` patterns (object, section).
    pub keep_sections: &'s [(u32, u32)],
    /// Resolves `__start_X`/`__stop_X` references: the input sections named X.
    pub start_stop: &'s StartStop<'s>,
    /// Extra edges: a live section keeps these sections (from `.eh_frame`: a function keeps
    /// its LSDA).
    pub extra_edges: &'s crate::eh_frame::Edges,
}

pub fn collect(
    objects: &mut [ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    input: GcInput<'_>,
) -> GcResult {
    let mut reasons: Vec<Vec<Reason>> = objects
        .iter()
        .map(|o| vec![Reason::None; o.sections.len()])
        .collect();
    let mut common_live = vec![false; symbols.syms.len()];
    let mut stack: Vec<(u32, u32)> = Vec::new();

    let mark = |reasons: &mut Vec<Vec<Reason>>,
                stack: &mut Vec<(u32, u32)>,
                object: u32,
                section: u32,
                reason: Reason| {
        let slot = &mut reasons[object as usize][section as usize];
        if *slot == Reason::None {
            *slot = reason;
            stack.push((object, section));
        }
    };

    let eligible = |o: &ObjectFile<'_>, s: usize| matches!(o.sections[s].kind, SectionKind::Alloc);

    for (oi, object) in objects.iter().enumerate() {
        for (si, section) in object.sections.iter().enumerate() {
            if !eligible(object, si) {
                continue;
            }
            let root = if !input.enabled {
                Some(Reason::NoGc)
            } else if section.sh_type == elf::SHT_NOTE {
                Some(Reason::Root(RootKind::Note))
            } else if is_init_fini(section.name, section.sh_type) {
                Some(Reason::Root(RootKind::InitFini))
            } else if section.flags & u64::from(elf::SHF_GNU_RETAIN) != 0 {
                Some(Reason::Root(RootKind::Retain))
            } else {
                None
            };
            if let Some(reason) = root {
                mark(&mut reasons, &mut stack, oi as u32, si as u32, reason);
            }
        }
    }
    for &(object, section) in input.keep_sections {
        if eligible(&objects[object as usize], section as usize) {
            mark(
                &mut reasons,
                &mut stack,
                object,
                section,
                Reason::Root(RootKind::KeepPattern),
            );
        }
    }
    for &(id, kind) in &input.root_symbols {
        match symbols.get(id).def {
            Definition::Defined { object, sym } => {
                if let Some(section) = objects[object as usize].sym_section(sym as usize) {
                    if eligible(&objects[object as usize], section) {
                        mark(
                            &mut reasons,
                            &mut stack,
                            object,
                            section as u32,
                            Reason::Root(kind),
                        );
                    }
                }
            }
            Definition::Common { .. } => common_live[id as usize] = true,
            _ => {}
        }
    }

    loop {
        while let Some((oi, si)) = stack.pop() {
            let object = &objects[oi as usize];
            let section = &object.sections[si as usize];
            let from = Reason::Referenced {
                object: oi,
                section: si,
            };
            if let Some(targets) = input.extra_edges.get(&(oi, si)) {
                for &(o, s) in targets {
                    if eligible(&objects[o as usize], s as usize) {
                        mark(&mut reasons, &mut stack, o, s, from);
                    }
                }
            }
            for rel in section.relocs {
                let sym_index = rel.r_sym(LE, false) as usize;
                if sym_index == 0 {
                    continue;
                }
                if sym_index < object.first_global {
                    if let Some(target) = object.sym_section(sym_index) {
                        if eligible(object, target) {
                            mark(&mut reasons, &mut stack, oi, target as u32, from);
                        }
                    }
                    continue;
                }
                let id = object.globals[sym_index - object.first_global];
                let global = symbols.get(id);
                match global.def {
                    Definition::Defined {
                        object: def_object,
                        sym,
                    } => {
                        let owner = &objects[def_object as usize];
                        if let Some(target) = owner.sym_section(sym as usize) {
                            if eligible(owner, target) {
                                mark(&mut reasons, &mut stack, def_object, target as u32, from);
                            }
                        }
                    }
                    Definition::Common { .. } => common_live[id as usize] = true,
                    _ => {
                        if let Some(rest) = start_stop_name(global.name) {
                            for (o, s) in (input.start_stop)(rest) {
                                mark(
                                    &mut reasons,
                                    &mut stack,
                                    o,
                                    s,
                                    Reason::Root(RootKind::StartStop),
                                );
                            }
                        }
                    }
                }
            }
        }
        // SHF_LINK_ORDER sections live and die with the section they are linked to.
        for (oi, object) in objects.iter().enumerate() {
            for (si, section) in object.sections.iter().enumerate() {
                if section.flags & u64::from(elf::SHF_LINK_ORDER) != 0
                    && reasons[oi][si] == Reason::None
                    && eligible(object, si)
                    && reasons[oi]
                        .get(section.link as usize)
                        .is_some_and(|r| *r != Reason::None)
                {
                    mark(
                        &mut reasons,
                        &mut stack,
                        oi as u32,
                        si as u32,
                        Reason::Root(RootKind::LinkOrder),
                    );
                }
            }
        }
        if stack.is_empty() {
            break;
        }
    }
    // Non-alloc sections (debug info) are kept whenever their object is in the link.
    for (oi, object) in objects.iter_mut().enumerate() {
        for (si, section) in object.sections.iter_mut().enumerate() {
            section.live = match section.kind {
                SectionKind::Alloc => reasons[oi][si] != Reason::None,
                SectionKind::NonAlloc | SectionKind::EhFrame => true,
                SectionKind::Meta | SectionKind::Discarded => false,
            };
        }
    }
    let live_commons = common_live
        .iter()
        .enumerate()
        .filter(|(id, live)| {
            (**live || !input.enabled) && matches!(symbols.syms[*id].def, Definition::Common { .. })
        })
        .map(|(id, _)| id as u32)
        .collect();
    GcResult {
        reasons,
        live_commons,
    }
}

fn is_init_fini(name: &[u8], sh_type: u32) -> bool {
    matches!(
        sh_type,
        elf::SHT_INIT_ARRAY | elf::SHT_FINI_ARRAY | elf::SHT_PREINIT_ARRAY
    ) || name == b".init"
        || name == b".fini"
        || name.starts_with(b".init_array")
        || name.starts_with(b".fini_array")
        || name.starts_with(b".preinit_array")
        || name.starts_with(b".ctors")
        || name.starts_with(b".dtors")
}

/// For `__start_X` or `__stop_X` where X is a C identifier, returns X.
pub fn start_stop_name(name: &[u8]) -> Option<&[u8]> {
    let rest = name
        .strip_prefix(b"__start_")
        .or_else(|| name.strip_prefix(b"__stop_"))?;
    is_c_identifier(rest).then_some(rest)
}

pub fn is_c_identifier(name: &[u8]) -> bool {
    !name.is_empty()
        && !name[0].is_ascii_digit()
        && name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}
