//! The global symbol table: one entry per global name, with the definition that won resolution
//! and what referred to it.

use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Definition {
    /// Referenced, not (yet) defined.
    Undefined,
    /// Defined by an archive member that has not been extracted.
    Lazy { archive: u32, member: u32 },
    /// Defined by symbol `sym` of object `object`.
    Defined { object: u32, sym: u32 },
    /// A tentative (common) definition; allocated by the linker.
    Common {
        object: u32,
        sym: u32,
        size: u64,
        align: u64,
    },
    /// Defined by the link script or the linker itself; value set during layout.
    Linker,
}

#[derive(Debug, Clone)]
pub struct GlobalSymbol<'a> {
    pub name: &'a [u8],
    pub def: Definition,
    /// The winning definition is weak.
    pub weak: bool,
    /// A non-weak reference exists (so an archive member must be extracted for it).
    pub strong_ref: bool,
    /// Any reference exists, weak or not (PROVIDE defines only referenced symbols).
    pub referenced: bool,
    /// Hidden or internal visibility somewhere: not exported (written as a local symbol).
    pub hidden: bool,
    /// Address, set by layout.
    pub address: u64,
    /// Index of its GOT slot, if relocations need one.
    pub got: Option<u32>,
    /// For a common symbol: where the linker placed it (object, section) once allocated.
    pub common_section: Option<(u32, u32)>,
}

#[derive(Default)]
pub struct SymbolTable<'a> {
    map: FxHashMap<&'a [u8], u32>,
    pub syms: Vec<GlobalSymbol<'a>>,
}

impl<'a> SymbolTable<'a> {
    pub fn lookup(&self, name: &[u8]) -> Option<u32> {
        self.map.get(name).copied()
    }

    /// The id of `name`, created as undefined if it is new.
    pub fn intern(&mut self, name: &'a [u8]) -> u32 {
        if let Some(&id) = self.map.get(name) {
            return id;
        }
        let id = self.syms.len() as u32;
        self.syms.push(GlobalSymbol {
            name,
            def: Definition::Undefined,
            weak: false,
            strong_ref: false,
            referenced: false,
            hidden: false,
            address: 0,
            got: None,
            common_section: None,
        });
        self.map.insert(name, id);
        id
    }

    pub fn get(&self, id: u32) -> &GlobalSymbol<'a> {
        &self.syms[id as usize]
    }

    pub fn get_mut(&mut self, id: u32) -> &mut GlobalSymbol<'a> {
        &mut self.syms[id as usize]
    }

    pub fn is_defined(&self, name: &[u8]) -> bool {
        self.lookup(name).is_some_and(|id| {
            matches!(
                self.get(id).def,
                Definition::Defined { .. } | Definition::Common { .. } | Definition::Linker
            )
        })
    }
}

pub fn display(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}
