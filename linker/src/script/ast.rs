//! Plain data types for a parsed link script (the GNU ld subset listed in `script/mod.rs`).

use super::glob::Glob;

/// A whole link script: its top-level commands in source order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Script {
    pub commands: Vec<Command>,
}

/// A top-level command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `ENTRY(sym)`.
    Entry(String),
    /// `OUTPUT_FORMAT(a[, b, c])`: accepted and recorded, ukl ignores it.
    OutputFormat(Vec<String>),
    /// `OUTPUT_ARCH(a)`: accepted and recorded, ukl ignores it.
    OutputArch(String),
    /// `EXTERN(sym sym ...)`: symbols to treat as undefined (roots).
    Extern(Vec<String>),
    /// `PHDRS { ... }`.
    Phdrs(Vec<Phdr>),
    /// `SECTIONS { ... }`.
    Sections(Vec<SectionsCommand>),
    /// A top-level symbol assignment (`sym = expr;`, `PROVIDE(...)`, ...).
    Assignment(Assignment),
    /// `ASSERT(expr, "message")`.
    Assert(Assert),
}

/// `ASSERT(expr, "message")`: fails the link when `expr` evaluates to 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Assert {
    pub expr: Expr,
    pub message: String,
}

/// One entry of `PHDRS`: `name TYPE [FILEHDR] [PHDRS] [FLAGS(n)];`.
#[derive(Debug, Clone, PartialEq)]
pub struct Phdr {
    pub name: String,
    /// `p_type` (`PT_LOAD` = 1, `PT_NOTE` = 4, `PT_TLS` = 7, `PT_GNU_STACK` = 0x6474e551, ...).
    pub p_type: u32,
    /// `FILEHDR`: the segment includes the ELF file header.
    pub filehdr: bool,
    /// `PHDRS`: the segment includes the program header table.
    pub phdrs: bool,
    /// `FLAGS(n)`: explicit `p_flags`; `None` means "derive from the sections".
    pub flags: Option<Expr>,
}

/// A command inside `SECTIONS { ... }`.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // a script holds a few dozen of these; no boxing needed
pub enum SectionsCommand {
    Assignment(Assignment),
    Output(OutputSection),
    Assert(Assert),
}

/// `.name [addr] [(NOLOAD)] : [AT(lma)] [ALIGN(n)] [SUBALIGN(n)] { items } [>region] [AT>region] [:phdr ...] [=fill]`
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSection {
    /// Output section name; `/DISCARD/` for the discard pseudo-section (see [`Self::is_discard`]).
    pub name: String,
    /// Address expression written before the `:`.
    pub addr: Option<Expr>,
    /// `(NOLOAD)`.
    pub noload: bool,
    /// `AT(lma)`.
    pub lma: Option<Expr>,
    /// `ALIGN(n)` after the `:`.
    pub align: Option<Expr>,
    /// `SUBALIGN(n)`.
    pub subalign: Option<Expr>,
    pub items: Vec<OutputItem>,
    /// `>region`. Parsed but meaningless without `MEMORY` (unsupported): reject it if set.
    pub region: Option<String>,
    /// `AT>region`. Same remark as `region`.
    pub lma_region: Option<String>,
    /// `:phdr` names in order (`NONE` is passed through as a name).
    pub phdrs: Vec<String>,
    /// `=fill` expression.
    pub fill: Option<Expr>,
}

impl OutputSection {
    /// True for `/DISCARD/`.
    pub fn is_discard(&self) -> bool {
        self.name == "/DISCARD/"
    }
}

/// An item inside an output section's braces.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputItem {
    Input(InputSectionDesc),
    Assignment(Assignment),
    /// `BYTE/SHORT/LONG/QUAD/SQUAD(expr)`.
    Data {
        size: DataSize,
        expr: Expr,
    },
    /// `FILL(expr)`.
    Fill(Expr),
    Assert(Assert),
}

/// Width of a data command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSize {
    Byte,
    Short,
    Long,
    Quad,
}

impl DataSize {
    pub fn bytes(self) -> u64 {
        match self {
            DataSize::Byte => 1,
            DataSize::Short => 2,
            DataSize::Long => 4,
            DataSize::Quad => 8,
        }
    }
}

/// `[KEEP(] [EXCLUDE_FILE(f...)] filepattern(secpattern ...) [)]`. A bare file pattern with no
/// parenthesised list gets a single `*` section pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSectionDesc {
    pub keep: bool,
    pub file: FilePattern,
    pub sections: Vec<SectionPattern>,
}

/// File pattern of an input section description, with the outer-form `EXCLUDE_FILE` list
/// (`EXCLUDE_FILE(*a.o) *(.text)`), which applies to every section pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePattern {
    pub pattern: Glob,
    pub exclude: Vec<Glob>,
}

/// One section name pattern with its sort order and the inner-form `EXCLUDE_FILE` list
/// (`*(EXCLUDE_FILE(*crtend.o) .ctors)`), which applies to this pattern only, as in GNU ld
/// (ld.lld applies it to every following pattern up to the next `EXCLUDE_FILE` or `SORT`: put a
/// single pattern after `EXCLUDE_FILE` in scripts that must link the same with both).
#[derive(Debug, Clone, PartialEq)]
pub struct SectionPattern {
    pub pattern: Glob,
    pub sort: SortKind,
    pub exclude_files: Vec<Glob>,
}

/// Sort order requested for the sections matched by one pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKind {
    /// Input order (also `SORT_NONE(...)`).
    #[default]
    None,
    /// `SORT(...)` / `SORT_BY_NAME(...)`.
    Name,
    /// `SORT_BY_ALIGNMENT(...)` (descending alignment).
    Alignment,
    /// `SORT_BY_NAME(SORT_BY_ALIGNMENT(...))`: by name, then by alignment.
    NameAlignment,
    /// `SORT_BY_ALIGNMENT(SORT_BY_NAME(...))`: by alignment, then by name.
    AlignmentName,
    /// `SORT_BY_INIT_PRIORITY(...)`: by the numeric suffix of `.init_array.N`/`.ctors.N` names.
    InitPriority,
}

/// `target op expr`, possibly wrapped in `PROVIDE`, `PROVIDE_HIDDEN` or `HIDDEN`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Symbol name, or `.` for the location counter.
    pub target: String,
    pub op: AssignOp,
    pub expr: Expr,
    pub provide: Provide,
}

/// Assignment operator: `=`, `+=`, `-=`, `*=`, `/=`, `<<=`, `>>=`, `&=`, `|=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
    Shl,
    Shr,
    And,
    Or,
}

/// How an assignment defines its symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provide {
    /// Plain assignment: always defines the symbol (global).
    #[default]
    None,
    /// `PROVIDE(sym = e)`: defines `sym` only if it is referenced and not defined by an input.
    Provide,
    /// `PROVIDE_HIDDEN(sym = e)`: as `Provide`, with hidden visibility.
    ProvideHidden,
    /// `HIDDEN(sym = e)`: always defines `sym`, with hidden visibility.
    Hidden,
}

/// An expression. Integers are u64; arithmetic wraps as in ld.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(u64),
    /// `.`, the location counter.
    Dot,
    Symbol(String),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `ALIGN(a)` / `BLOCK(a)` / `NEXT(a)` (base `None` = `.`) or `ALIGN(base, a)`.
    Align(Option<Box<Expr>>, Box<Expr>),
    /// `ADDR(sec)`.
    Addr(String),
    /// `LOADADDR(sec)`.
    LoadAddr(String),
    /// `SIZEOF(sec)`.
    SizeOf(String),
    /// `ALIGNOF(sec)`.
    AlignOf(String),
    /// `SIZEOF_HEADERS`.
    SizeOfHeaders,
    /// `CONSTANT(MAXPAGESIZE)`.
    MaxPageSize,
    /// `CONSTANT(COMMONPAGESIZE)`.
    CommonPageSize,
    Max(Box<Expr>, Box<Expr>),
    Min(Box<Expr>, Box<Expr>),
    /// `DEFINED(sym)`.
    Defined(String),
    /// `ABSOLUTE(e)`.
    Absolute(Box<Expr>),
    /// `LOG2CEIL(e)`.
    Log2Ceil(Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-e`
    Neg,
    /// `!e`
    Not,
    /// `~e`
    BitNot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitXor,
    BitOr,
    And,
    Or,
}

impl Script {
    /// The `ENTRY` symbol (the last one wins, as in ld).
    pub fn entry(&self) -> Option<&str> {
        self.commands.iter().rev().find_map(|c| match c {
            Command::Entry(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// The `PHDRS` entries, or `None` if the script has no `PHDRS` command.
    pub fn phdrs(&self) -> Option<&[Phdr]> {
        self.commands.iter().find_map(|c| match c {
            Command::Phdrs(p) => Some(p.as_slice()),
            _ => None,
        })
    }

    /// Every `SECTIONS` command's contents, concatenated in source order.
    pub fn sections(&self) -> impl Iterator<Item = &SectionsCommand> {
        self.commands.iter().flat_map(|c| match c {
            Command::Sections(s) => s.as_slice(),
            _ => &[],
        })
    }

    /// Every output section definition, in source order.
    pub fn output_sections(&self) -> impl Iterator<Item = &OutputSection> {
        self.sections().filter_map(|s| match s {
            SectionsCommand::Output(o) => Some(o),
            _ => None,
        })
    }

    /// Calls `f` on every top-level expression in the script (assignments, asserts, phdr flags,
    /// output section addresses/AT/ALIGN/SUBALIGN/fill, data and FILL commands). Use
    /// [`Expr::visit`] to walk into each one.
    pub fn for_each_expr<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        for c in &self.commands {
            match c {
                Command::Phdrs(ps) => ps.iter().filter_map(|p| p.flags.as_ref()).for_each(&mut *f),
                Command::Sections(cmds) => {
                    for sc in cmds {
                        match sc {
                            SectionsCommand::Assignment(a) => f(&a.expr),
                            SectionsCommand::Assert(a) => f(&a.expr),
                            SectionsCommand::Output(o) => {
                                [&o.addr, &o.lma, &o.align, &o.subalign, &o.fill]
                                    .into_iter()
                                    .flatten()
                                    .for_each(&mut *f);
                                for item in &o.items {
                                    match item {
                                        OutputItem::Assignment(a) => f(&a.expr),
                                        OutputItem::Assert(a) => f(&a.expr),
                                        OutputItem::Data { expr, .. } | OutputItem::Fill(expr) => {
                                            f(expr)
                                        }
                                        OutputItem::Input(_) => {}
                                    }
                                }
                            }
                        }
                    }
                }
                Command::Assignment(a) => f(&a.expr),
                Command::Assert(a) => f(&a.expr),
                Command::Entry(_)
                | Command::OutputFormat(_)
                | Command::OutputArch(_)
                | Command::Extern(_) => {}
            }
        }
    }

    /// Symbols the script's expressions read (see [`Expr::referenced_symbols`]), deduplicated,
    /// in first-use order. Does not include `ENTRY`/`EXTERN` names or assignment targets.
    pub fn referenced_symbols(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.for_each_expr(&mut |e| {
            for s in e.referenced_symbols() {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        });
        out
    }
}
