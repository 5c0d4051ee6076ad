//! Symbol resolution: objects are added in command-line order, archive members are extracted
//! when a non-weak reference needs them (in either order, so no `--start-group` is needed),
//! COMDAT groups keep their first copy, and strong, weak and common definitions are ranked.

use crate::error::{LinkError, Result};
use crate::input::{self, Archive, InputFile, InputKind};
use crate::link_error;
use crate::object_file::{ObjectFile, SectionKind, LE};
use crate::symbols::{display, Definition, SymbolTable};
use object::elf;
use object::read::elf::Sym;
use rustc_hash::FxHashMap;

/// One input as the command line orders it.
pub struct InputSpec {
    pub file: usize,
    pub whole_archive: bool,
}

pub struct Resolved<'a> {
    pub objects: Vec<ObjectFile<'a>>,
    pub symbols: SymbolTable<'a>,
}

struct ArchiveState<'a> {
    file: usize,
    archive: Archive<'a>,
    loaded: Vec<bool>,
}

struct Resolver<'a> {
    files: &'a [InputFile],
    archives: Vec<ArchiveState<'a>>,
    objects: Vec<ObjectFile<'a>>,
    symbols: SymbolTable<'a>,
    comdats: FxHashMap<&'a [u8], u32>,
    /// Archive members to extract, in the order the need for them was found.
    pending: std::collections::VecDeque<(u32, u32)>,
    duplicates: Vec<LinkError>,
}

/// Loads every input and resolves symbols. `roots` are names that must be defined (the entry,
/// `-u` symbols): they extract archive members like any undefined reference.
/// `linker_defined` names are defined by the link script and never pull archive members.
pub fn resolve<'a>(
    files: &'a [InputFile],
    specs: &[InputSpec],
    roots: &[&'a [u8]],
    linker_defined: &[&'a [u8]],
) -> Result<Resolved<'a>> {
    let mut r = Resolver {
        files,
        archives: Vec::new(),
        objects: Vec::new(),
        symbols: SymbolTable::default(),
        comdats: FxHashMap::default(),
        pending: std::collections::VecDeque::new(),
        duplicates: Vec::new(),
    };
    for name in linker_defined {
        let id = r.symbols.intern(name);
        r.symbols.get_mut(id).def = Definition::Linker;
    }
    for name in roots {
        let id = r.symbols.intern(name);
        r.symbols.get_mut(id).strong_ref = true;
    }
    for spec in specs {
        let file = &files[spec.file];
        match file.kind()? {
            InputKind::Object => {
                let path = file.path.display().to_string();
                let object = ObjectFile::parse(path.clone(), path, None, file.bytes.bytes())?;
                r.add_object(object);
            }
            InputKind::Archive => {
                let archive = input::read_archive(&file.path, file.bytes.bytes())?;
                let count = archive.members.len();
                let index = r.archives.len() as u32;
                r.archives.push(ArchiveState {
                    file: spec.file,
                    archive,
                    loaded: vec![false; count],
                });
                if spec.whole_archive {
                    for member in 0..count as u32 {
                        r.pending.push_back((index, member));
                    }
                } else {
                    r.register_lazy(index);
                }
            }
            kind => return Err(input::unsupported_kind(&file.path, kind)),
        }
        r.drain()?;
    }
    r.drain()?;
    if !r.duplicates.is_empty() {
        return Err(LinkError::combine(std::mem::take(&mut r.duplicates)));
    }
    Ok(Resolved {
        objects: r.objects,
        symbols: r.symbols,
    })
}

impl<'a> Resolver<'a> {
    fn register_lazy(&mut self, archive: u32) {
        let state = &self.archives[archive as usize];
        let entries: Vec<(&'a [u8], usize)> = state.archive.symbols.clone();
        for (name, member) in entries {
            let id = self.symbols.intern(name);
            let sym = self.symbols.get_mut(id);
            if sym.def == Definition::Undefined {
                sym.def = Definition::Lazy {
                    archive,
                    member: member as u32,
                };
                if sym.strong_ref {
                    self.pending.push_back((archive, member as u32));
                }
            }
        }
    }

    fn drain(&mut self) -> Result<()> {
        while let Some((archive, member)) = self.pending.pop_front() {
            let state = &mut self.archives[archive as usize];
            if state.loaded[member as usize] {
                continue;
            }
            state.loaded[member as usize] = true;
            let file = &self.files[state.file];
            let m = &state.archive.members[member as usize];
            let path = file.path.display().to_string();
            let object = ObjectFile::parse(
                format!("{path}({})", m.name),
                path,
                Some(m.name.clone()),
                m.data,
            )?;
            self.add_object(object);
        }
        Ok(())
    }

    fn add_object(&mut self, mut object: ObjectFile<'a>) {
        let index = self.objects.len() as u32;
        // COMDAT groups: the first object with a signature keeps its sections.
        for (signature, members) in &object.groups {
            if self.comdats.contains_key(signature) {
                for &member in members {
                    if let Some(section) = object.sections.get_mut(member as usize) {
                        section.kind = SectionKind::Discarded;
                    }
                }
            } else {
                self.comdats.insert(signature, index);
            }
        }
        let count = object.symbols.len();
        let mut globals = Vec::with_capacity(count.saturating_sub(object.first_global));
        for sym_index in object.first_global..count {
            let sym = object.sym(sym_index);
            let name = object.sym_name(sym_index);
            let id = self.symbols.intern(name);
            globals.push(id);
            let bind = sym.st_bind();
            let weak = bind == elf::STB_WEAK;
            let visibility = sym.st_visibility();
            let global = self.symbols.get_mut(id);
            if visibility == elf::STV_HIDDEN || visibility == elf::STV_INTERNAL {
                global.hidden = true;
            }
            let in_discarded = object
                .sym_section(sym_index)
                .is_some_and(|s| object.sections[s].kind == SectionKind::Discarded);
            if sym.is_undefined(LE) || in_discarded {
                if !weak {
                    global.strong_ref = true;
                    if let Definition::Lazy { archive, member } = global.def {
                        self.pending.push_back((archive, member));
                    }
                }
                continue;
            }
            let sym_u32 = sym_index as u32;
            if sym.is_common(LE) {
                let size = sym.st_size(LE);
                let align = sym.st_value(LE).max(1);
                match global.def {
                    Definition::Undefined | Definition::Lazy { .. } => {
                        global.def = Definition::Common {
                            object: index,
                            sym: sym_u32,
                            size,
                            align,
                        };
                        global.weak = false;
                    }
                    Definition::Defined { .. } if global.weak => {
                        global.def = Definition::Common {
                            object: index,
                            sym: sym_u32,
                            size,
                            align,
                        };
                        global.weak = false;
                    }
                    Definition::Common {
                        object,
                        sym,
                        size: old_size,
                        align: old_align,
                    } => {
                        // The largest tentative definition wins, with the strictest alignment.
                        let (object, sym) = if size > old_size {
                            (index, sym_u32)
                        } else {
                            (object, sym)
                        };
                        global.def = Definition::Common {
                            object,
                            sym,
                            size: size.max(old_size),
                            align: align.max(old_align),
                        };
                    }
                    _ => {}
                }
                continue;
            }
            match global.def {
                Definition::Undefined | Definition::Lazy { .. } => {
                    global.def = Definition::Defined {
                        object: index,
                        sym: sym_u32,
                    };
                    global.weak = weak;
                }
                Definition::Common { .. } if !weak => {
                    global.def = Definition::Defined {
                        object: index,
                        sym: sym_u32,
                    };
                    global.weak = false;
                }
                Definition::Defined { .. } if global.weak && !weak => {
                    global.def = Definition::Defined {
                        object: index,
                        sym: sym_u32,
                    };
                    global.weak = false;
                }
                Definition::Defined { object: other, .. } if !global.weak && !weak => {
                    let first = self
                        .objects
                        .get(other as usize)
                        .map_or(object.name.as_str(), |o| o.name.as_str());
                    self.duplicates.push(
                        link_error!("duplicate symbol: {}", display(name))
                            .note(format!("defined in {first}"))
                            .note(format!("defined in {}", object.name))
                            .help(
                                "remove one definition, make one of them `static`, or mark one \
                                 weak",
                            ),
                    );
                }
                Definition::Linker if !weak => {
                    // An object's definition overrides a PROVIDE-style linker symbol.
                    global.def = Definition::Defined {
                        object: index,
                        sym: sym_u32,
                    };
                    global.weak = false;
                }
                _ => {}
            }
        }
        object.globals = globals;
        self.objects.push(object);
    }
}
