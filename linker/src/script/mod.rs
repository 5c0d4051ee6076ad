//! Link scripts: the subset of GNU ld's script language that ukl reads (and ld.lld also
//! accepts), parsed into a plain AST ([`ast`]), with an expression evaluator ([`expr`]) and the
//! section/file wildcard matcher ([`glob`]).
//!
//! Supported:
//! - comments `/* ... */`; `;` between commands is optional where ld allows it;
//! - `ENTRY(sym)`, `EXTERN(sym ...)`, `ASSERT(expr, "msg")`; `OUTPUT_FORMAT(...)` and
//!   `OUTPUT_ARCH(...)` are accepted and ignored;
//! - `PHDRS { name TYPE [FILEHDR] [PHDRS] [FLAGS(n)]; ... }`, TYPE a `PT_*` name (`PT_NULL`
//!   ... `PT_TLS`, `PT_GNU_EH_FRAME`, `PT_GNU_STACK`, `PT_GNU_RELRO`, `PT_GNU_PROPERTY`) or a
//!   number;
//! - `SECTIONS { ... }` with symbol assignments (`=`, `+=`, `-=`, `*=`, `/=`, `<<=`, `>>=`,
//!   `&=`, `|=`; target a symbol or `.`), `PROVIDE(...)`, `PROVIDE_HIDDEN(...)`, `HIDDEN(...)`
//!   (also at top level and inside output sections), and output sections
//!   `name [addr] [(NOLOAD)] : [AT(lma)] [ALIGN(n)] [SUBALIGN(n)] { items } [>region]
//!   [AT>region] [:phdr ...] [=fill]`, including `/DISCARD/`;
//! - output section items: input section descriptions `filepat(secpat ...)` or a bare `filepat`,
//!   `KEEP(...)`, `EXCLUDE_FILE(...)` before the file pattern or before a section pattern,
//!   `SORT`/`SORT_BY_NAME`/`SORT_BY_ALIGNMENT`/`SORT_BY_INIT_PRIORITY`/`SORT_NONE` around section
//!   patterns (two levels of NAME/ALIGNMENT nesting), `BYTE`/`SHORT`/`LONG`/`QUAD`/`SQUAD(expr)`,
//!   `FILL(expr)`, assignments, `ASSERT`; `CONSTRUCTORS` and `SORT(CONSTRUCTORS)` are ignored;
//! - expressions: decimal and `0x` integers with `K`/`M` suffixes, symbols (quoted with `"..."`
//!   if they contain odd characters), `.`, C operators with C precedence, `?:`, unary `- ! ~ +`,
//!   `ALIGN(a)`, `ALIGN(e, a)`, `BLOCK(a)`, `NEXT(a)`, `ADDR`, `LOADADDR`, `SIZEOF`, `ALIGNOF`,
//!   `SIZEOF_HEADERS`, `MAX`, `MIN`, `DEFINED`, `ABSOLUTE`, `LOG2CEIL`,
//!   `CONSTANT(MAXPAGESIZE|COMMONPAGESIZE)`.
//!
//! Rejected with a `line L, column C:` error: `MEMORY` (and so `ORIGIN`/`LENGTH`), `INCLUDE`,
//! `INSERT`, `OVERLAY`, `VERSION`, `INPUT`, `GROUP`, `OUTPUT`, `SEARCH_DIR`, `TARGET`,
//! `STARTUP`, `NOCROSSREFS`, `REGION_ALIAS`, `*_COMMON_ALLOCATION`, `CREATE_OBJECT_SYMBOLS`,
//! `INPUT_SECTION_FLAGS`, `ONLY_IF_RO/RW`, `ALIGN_WITH_INPUT`, output section types other than
//! `NOLOAD`, `AT` in `PHDRS`, `SORT` around a *file* pattern, `DATA_SEGMENT_*`,
//! `SEGMENT_START`. `>region` and `AT>region` parse (into [`OutputSection::region`] and
//! [`OutputSection::lma_region`]) but have no meaning without `MEMORY`: the linker rejects them.

pub mod ast;
pub mod expr;
pub mod glob;
pub mod parse;

pub use ast::*;
pub use expr::{align_up, EvalContext, EvalError};
pub use glob::{glob_match, FileRef, Glob};
pub use parse::{parse, parse_expr, ScriptError};
