//! Hand-written lexer and recursive-descent parser for the link-script subset: text → [`Script`].
//!
//! Like GNU ld, the lexer is context-dependent: in "script" context a word is a run of name and
//! wildcard bytes (`.text.*`, `*libc.a:*`, `/DISCARD/`), in expression context names are
//! `[A-Za-z_.$][A-Za-z0-9_.$]*` and `- * / + ...` are operators. Never panics; nesting is
//! bounded so that hostile input cannot overflow the stack.

use super::ast::*;
use super::glob::Glob;
use std::fmt;

/// A syntax error, with its 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ScriptError {}

type Result<T> = std::result::Result<T, ScriptError>;

/// Parses a link script.
pub fn parse(text: &str) -> Result<Script> {
    let mut p = Parser {
        text,
        src: text.as_bytes(),
        pos: 0,
    };
    let mut commands = Vec::new();
    while !p.at_end()? {
        if !p.eat(";")? {
            commands.push(p.top_command()?);
        }
    }
    Ok(Script { commands })
}

/// Parses a lone expression (e.g. a `--defsym` value or a test).
pub fn parse_expr(text: &str) -> Result<Expr> {
    let mut p = Parser {
        text,
        src: text.as_bytes(),
        pos: 0,
    };
    let e = p.expr()?;
    if !p.at_end()? {
        return p.err("unexpected text after expression");
    }
    Ok(e)
}

/// Maximum nesting of parentheses / expression tree depth.
const MAX_DEPTH: u32 = 200;

/// Commands that ld knows and ukl deliberately does not support.
const UNSUPPORTED: &[&str] = &[
    "MEMORY",
    "INCLUDE",
    "INSERT",
    "OVERLAY",
    "VERSION",
    "INPUT",
    "GROUP",
    "OUTPUT",
    "SEARCH_DIR",
    "STARTUP",
    "TARGET",
    "NOCROSSREFS",
    "NOCROSSREFS_TO",
    "REGION_ALIAS",
    "FORCE_COMMON_ALLOCATION",
    "INHIBIT_COMMON_ALLOCATION",
    "FORCE_GROUP_ALLOCATION",
    "AS_NEEDED",
    "LD_FEATURE",
    "CREATE_OBJECT_SYMBOLS",
    "INPUT_SECTION_FLAGS",
    "ONLY_IF_RO",
    "ONLY_IF_RW",
    "ALIGN_WITH_INPUT",
];

struct Parser<'a> {
    text: &'a str,
    src: &'a [u8],
    pos: usize,
}

fn location(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = &text.as_bytes()[..pos];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = text
        .get(start..pos)
        .map_or(pos - start, |s| s.chars().count())
        + 1;
    (line, column)
}

/// Bytes of a script-context word (names, file and section patterns).
fn is_word_byte(b: u8, colon: bool) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'.' | b'$' | b'/' | b'\\' | b'~' | b'*' | b'?' | b'[' | b']'
        )
        || matches!(b, b'!' | b'^' | b'-' | b'+' | b'@' | b'%')
        || (colon && b == b':')
}

fn is_expr_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'$')
}

fn is_expr_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$')
}

fn pt_type(name: &str) -> Option<u32> {
    Some(match name {
        "PT_NULL" => 0,
        "PT_LOAD" => 1,
        "PT_DYNAMIC" => 2,
        "PT_INTERP" => 3,
        "PT_NOTE" => 4,
        "PT_SHLIB" => 5,
        "PT_PHDR" => 6,
        "PT_TLS" => 7,
        "PT_GNU_EH_FRAME" => 0x6474_e550,
        "PT_GNU_STACK" => 0x6474_e551,
        "PT_GNU_RELRO" => 0x6474_e552,
        "PT_GNU_PROPERTY" => 0x6474_e553,
        _ => return None,
    })
}

/// Parses an integer literal: decimal or `0x` hex, with an optional `K`/`M` suffix.
fn parse_int(tok: &str) -> Option<u64> {
    let (body, mul) = match tok.as_bytes().last()? {
        b'K' | b'k' => (&tok[..tok.len() - 1], 1024),
        b'M' | b'm' => (&tok[..tok.len() - 1], 1024 * 1024),
        _ => (tok, 1),
    };
    let v = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u64::from_str_radix(hex, 16).ok()?
        }
        Some(_) => return None,
        None if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) => {
            body.parse().ok()?
        }
        None => return None,
    };
    v.checked_mul(mul)
}

impl<'a> Parser<'a> {
    fn err_at<T>(&self, pos: usize, msg: impl Into<String>) -> Result<T> {
        let (line, column) = location(self.text, pos);
        Err(ScriptError {
            line,
            column,
            message: msg.into(),
        })
    }

    fn err<T>(&self, msg: impl Into<String>) -> Result<T> {
        self.err_at(self.pos, msg)
    }

    fn skip_ws(&mut self) -> Result<()> {
        loop {
            match self.src.get(self.pos) {
                Some(b) if b.is_ascii_whitespace() => self.pos += 1,
                Some(b'/') if self.src.get(self.pos + 1) == Some(&b'*') => {
                    let body = self.src.get(self.pos + 2..).unwrap_or(&[]);
                    match body.windows(2).position(|w| w == b"*/") {
                        Some(i) => self.pos += 2 + i + 2,
                        None => return self.err("unterminated comment"),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn at_end(&mut self) -> Result<bool> {
        self.skip_ws()?;
        Ok(self.pos >= self.src.len())
    }

    fn peek(&mut self) -> Result<Option<u8>> {
        self.skip_ws()?;
        Ok(self.src.get(self.pos).copied())
    }

    fn rest(&self) -> &'a [u8] {
        self.src.get(self.pos..).unwrap_or(&[])
    }

    /// Consumes `s` (punctuation) if it comes next.
    fn eat(&mut self, s: &str) -> Result<bool> {
        self.skip_ws()?;
        let hit = self.rest().starts_with(s.as_bytes());
        if hit {
            self.pos += s.len();
        }
        Ok(hit)
    }

    fn expect(&mut self, s: &str, context: &str) -> Result<()> {
        if self.eat(s)? {
            return Ok(());
        }
        let found = self.describe_next();
        self.err(format!("expected '{s}' {context}, found {found}"))
    }

    fn describe_next(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => "end of script".to_string(),
            Some(c) if (c as u32) < 0x20 || c == '\u{7f}' => format!("character {:#04x}", c as u32),
            Some(c) => format!("'{c}'"),
        }
    }

    /// A script-context word or quoted string; empty if none comes next. A trailing `+ - * /`
    /// directly followed by `=` is left for the assignment operator (`x+=1`).
    fn word(&mut self, colon: bool) -> Result<String> {
        self.skip_ws()?;
        let start = self.pos;
        if self.src.get(start) == Some(&b'"') {
            let len = self.rest().iter().skip(1).position(|&b| b == b'"');
            let Some(s) = len.and_then(|n| self.text.get(start + 1..start + 1 + n)) else {
                return self.err("unterminated string");
            };
            self.pos = start + s.len() + 2;
            return Ok(s.to_string());
        }
        let mut end = start;
        while let Some(&b) = self.src.get(end) {
            if !is_word_byte(b, colon) || (b == b'/' && self.src.get(end + 1) == Some(&b'*')) {
                break;
            }
            end += 1;
        }
        if end - start > 1
            && matches!(self.src[end - 1], b'+' | b'-' | b'*' | b'/')
            && self.src.get(end) == Some(&b'=')
            && self.src.get(end + 1) != Some(&b'=')
        {
            end -= 1;
        }
        self.pos = end;
        Ok(self.text.get(start..end).unwrap_or("").to_string())
    }

    /// A non-empty word, or an error naming what was expected.
    fn name(&mut self, colon: bool, what: &str) -> Result<String> {
        let w = self.word(colon)?;
        if w.is_empty() {
            let found = self.describe_next();
            return self.err(format!("expected {what}, found {found}"));
        }
        Ok(w)
    }

    fn next_is(&mut self, b: u8) -> Result<bool> {
        Ok(self.peek()? == Some(b))
    }

    fn unsupported<T>(&self, pos: usize, what: &str) -> Result<T> {
        self.err_at(
            pos,
            format!("{what} is not supported by ukl's link-script subset"),
        )
    }

    fn top_command(&mut self) -> Result<Command> {
        let start = self.pos;
        let w = self.word(false)?;
        Ok(match w.as_str() {
            "ENTRY" => {
                self.expect("(", "after ENTRY")?;
                let name = self.name(false, "a symbol name")?;
                self.expect(")", "after ENTRY symbol")?;
                Command::Entry(name)
            }
            "OUTPUT_FORMAT" => Command::OutputFormat(self.name_list("OUTPUT_FORMAT", true)?),
            "OUTPUT_ARCH" => {
                self.expect("(", "after OUTPUT_ARCH")?;
                let arch = self.name(true, "an architecture name")?;
                self.expect(")", "after OUTPUT_ARCH name")?;
                Command::OutputArch(arch)
            }
            "EXTERN" => Command::Extern(self.name_list("EXTERN", false)?),
            "PHDRS" => Command::Phdrs(self.phdrs()?),
            "SECTIONS" => Command::Sections(self.sections()?),
            "ASSERT" => Command::Assert(self.assert()?),
            _ => match self.statement(start, w)? {
                Some(a) => Command::Assignment(a),
                None => return self.err_at(start, self.unknown(start, "command")),
            },
        })
    }

    fn unknown(&self, start: usize, what: &str) -> String {
        match self.text.get(start..self.pos) {
            Some(w) if !w.is_empty() => format!("unknown {what} `{w}`"),
            _ => format!("unexpected {}", self.describe_next()),
        }
    }

    /// `( a, b c )`: names separated by commas or blanks.
    fn name_list(&mut self, cmd: &str, colon: bool) -> Result<Vec<String>> {
        self.expect("(", &format!("after {cmd}"))?;
        let mut out = Vec::new();
        while !self.eat(")")? {
            if !self.eat(",")? {
                out.push(self.name(colon, &format!("a name or ')' in {cmd}"))?);
            }
        }
        Ok(out)
    }

    /// An assignment statement (plain or `PROVIDE`-style), given its already-read first word.
    /// `None` if the word starts no assignment. Errors for unsupported commands.
    fn statement(&mut self, start: usize, w: String) -> Result<Option<Assignment>> {
        let provide = match w.as_str() {
            "PROVIDE" => Provide::Provide,
            "PROVIDE_HIDDEN" => Provide::ProvideHidden,
            "HIDDEN" => Provide::Hidden,
            _ if UNSUPPORTED.contains(&w.as_str()) => return self.unsupported(start, &w),
            _ => {
                if w.is_empty() || self.peek_assign_op()?.is_none() {
                    return Ok(None);
                }
                let a = self.assignment_rest(start, w, Provide::None)?;
                self.expect(";", "after assignment")?;
                return Ok(Some(a));
            }
        };
        self.expect("(", &format!("after {w}"))?;
        let tstart = self.pos;
        let target = self.word(false)?;
        if self.peek_assign_op()?.map(|(op, _)| op) != Some(AssignOp::Set) {
            return self.err(format!("expected `symbol = expression` inside {w}(...)"));
        }
        let a = self.assignment_rest(tstart, target, provide)?;
        self.expect(")", &format!("to close {w}("))?;
        self.eat(";")?;
        Ok(Some(a))
    }

    fn peek_assign_op(&mut self) -> Result<Option<(AssignOp, usize)>> {
        self.skip_ws()?;
        let r = self.rest();
        const OPS: [(&str, AssignOp); 8] = [
            ("<<=", AssignOp::Shl),
            (">>=", AssignOp::Shr),
            ("+=", AssignOp::Add),
            ("-=", AssignOp::Sub),
            ("*=", AssignOp::Mul),
            ("/=", AssignOp::Div),
            ("&=", AssignOp::And),
            ("|=", AssignOp::Or),
        ];
        if let Some((s, op)) = OPS.iter().find(|(s, _)| r.starts_with(s.as_bytes())) {
            return Ok(Some((*op, s.len())));
        }
        Ok((r.first() == Some(&b'=') && r.get(1) != Some(&b'=')).then_some((AssignOp::Set, 1)))
    }

    fn assignment_rest(
        &mut self,
        start: usize,
        target: String,
        provide: Provide,
    ) -> Result<Assignment> {
        let valid = !target.is_empty()
            && !target
                .bytes()
                .any(|b| matches!(b, b'*' | b'?' | b'[' | b']'))
            && !target.as_bytes()[0].is_ascii_digit();
        if !valid {
            return self.err_at(
                start,
                format!("invalid symbol name `{target}` in assignment"),
            );
        }
        let Some((op, len)) = self.peek_assign_op()? else {
            return self.err("expected an assignment operator");
        };
        self.pos += len;
        let expr = self.expr()?;
        Ok(Assignment {
            target,
            op,
            expr,
            provide,
        })
    }

    fn assert(&mut self) -> Result<Assert> {
        self.expect("(", "after ASSERT")?;
        let expr = self.expr()?;
        self.expect(",", "between ASSERT expression and message")?;
        let message = self.name(true, "an ASSERT message")?;
        self.expect(")", "to close ASSERT(")?;
        self.eat(";")?;
        Ok(Assert { expr, message })
    }

    fn phdrs(&mut self) -> Result<Vec<Phdr>> {
        self.expect("{", "after PHDRS")?;
        let mut out = Vec::new();
        while !self.eat("}")? {
            if self.eat(";")? {
                continue;
            }
            let name = self.name(false, "a program header name or '}'")?;
            let tpos = self.pos;
            let ty = self.name(
                false,
                "a program header type (PT_LOAD, PT_NOTE, ... or a number)",
            )?;
            let p_type = match pt_type(&ty) {
                Some(t) => t,
                None => match parse_int(&ty).map(u32::try_from) {
                    Some(Ok(t)) => t,
                    _ => return self.err_at(tpos, format!("unknown program header type `{ty}`")),
                },
            };
            let mut phdr = Phdr {
                name,
                p_type,
                filehdr: false,
                phdrs: false,
                flags: None,
            };
            loop {
                let kpos = self.pos;
                match self.word(false)?.as_str() {
                    "FILEHDR" => phdr.filehdr = true,
                    "PHDRS" => phdr.phdrs = true,
                    "FLAGS" => {
                        self.expect("(", "after FLAGS")?;
                        phdr.flags = Some(self.expr()?);
                        self.expect(")", "to close FLAGS(")?;
                    }
                    "AT" => return self.unsupported(kpos, "AT in PHDRS"),
                    "" => break,
                    w => {
                        return self.err_at(kpos, format!("unexpected `{w}` in PHDRS entry (expected FILEHDR, PHDRS, FLAGS(...) or ';')"))
                    }
                }
            }
            self.expect(";", "after program header definition")?;
            out.push(phdr);
        }
        Ok(out)
    }

    fn sections(&mut self) -> Result<Vec<SectionsCommand>> {
        self.expect("{", "after SECTIONS")?;
        let mut out = Vec::new();
        while !self.eat("}")? {
            if self.eat(";")? {
                continue;
            }
            let start = self.pos;
            let w = self.word(false)?;
            if w == "ASSERT" {
                out.push(SectionsCommand::Assert(self.assert()?));
            } else if let Some(a) = self.statement(start, w.clone())? {
                out.push(SectionsCommand::Assignment(a));
            } else if w.is_empty() {
                let found = self.describe_next();
                return self.err(format!(
                    "expected an output section, assignment or '}}', found {found}"
                ));
            } else {
                out.push(SectionsCommand::Output(self.output_section(w)?));
            }
        }
        Ok(out)
    }

    /// Tries `(TYPE)` after an output section name; returns `Some(noload)` if it was one.
    fn section_type(&mut self) -> Result<Option<bool>> {
        let save = self.pos;
        if !self.eat("(")? {
            return Ok(None);
        }
        let kpos = self.pos;
        let w = self.word(false)?;
        if !matches!(
            w.as_str(),
            "NOLOAD" | "COPY" | "INFO" | "OVERLAY" | "DSECT" | "READONLY" | "TYPE"
        ) {
            self.pos = save;
            return Ok(None);
        }
        if w != "NOLOAD" {
            return self.unsupported(kpos, &format!("output section type ({w})"));
        }
        self.expect(")", "after NOLOAD")?;
        Ok(Some(true))
    }

    fn output_section(&mut self, name: String) -> Result<OutputSection> {
        let mut os = OutputSection {
            name,
            addr: None,
            noload: false,
            lma: None,
            align: None,
            subalign: None,
            items: Vec::new(),
            region: None,
            lma_region: None,
            phdrs: Vec::new(),
            fill: None,
        };
        if let Some(t) = self.section_type()? {
            os.noload = t;
        } else if !self.next_is(b':')? {
            os.addr = Some(self.expr()?);
            os.noload = self.section_type()?.unwrap_or(false);
        }
        let ctx = format!("after output section name `{}`", os.name);
        self.expect(":", &ctx)?;
        loop {
            let kpos = self.pos;
            let w = self.word(false)?;
            let slot = match w.as_str() {
                "AT" => &mut os.lma,
                "ALIGN" => &mut os.align,
                "SUBALIGN" => &mut os.subalign,
                "" => break,
                _ if UNSUPPORTED.contains(&w.as_str()) => return self.unsupported(kpos, &w),
                _ => {
                    return self.err_at(
                        kpos,
                        format!("unexpected `{w}` in output section `{}` header", os.name),
                    )
                }
            };
            self.expect("(", &format!("after {w}"))?;
            *slot = Some(self.expr()?);
            self.expect(")", &format!("to close {w}("))?;
        }
        self.expect("{", &ctx)?;
        while !self.eat("}")? {
            if let Some(item) = self.output_item()? {
                os.items.push(item);
            }
        }
        loop {
            let kpos = self.pos;
            if self.eat(">")? {
                os.region = Some(self.name(false, "a memory region name")?);
            } else if self.rest().starts_with(b"AT")
                && self
                    .rest()
                    .get(2)
                    .is_some_and(|&b| b == b'>' || b.is_ascii_whitespace())
            {
                self.pos += 2;
                if !self.eat(">")? {
                    self.pos = kpos;
                    break;
                }
                os.lma_region = Some(self.name(false, "a memory region name")?);
            } else if self.next_is(b':')? && !self.rest().starts_with(b"::") {
                self.pos += 1;
                os.phdrs
                    .push(self.name(false, "a program header name after ':'")?);
            } else {
                break;
            }
        }
        if self.peek_assign_op()? == Some((AssignOp::Set, 1)) {
            self.pos += 1;
            os.fill = Some(self.expr()?);
        }
        self.eat(",")?;
        Ok(os)
    }

    fn output_item(&mut self) -> Result<Option<OutputItem>> {
        if self.eat(";")? {
            return Ok(None);
        }
        let start = self.pos;
        let w = self.word(true)?;
        let paren = self.next_is(b'(')?;
        let size = match w.as_str() {
            "BYTE" => Some(DataSize::Byte),
            "SHORT" => Some(DataSize::Short),
            "LONG" => Some(DataSize::Long),
            "QUAD" | "SQUAD" => Some(DataSize::Quad),
            _ => None,
        };
        if let (Some(size), true) = (size, paren) {
            self.pos += 1;
            let expr = self.expr()?;
            self.expect(")", &format!("to close {w}("))?;
            self.eat(";")?;
            return Ok(Some(OutputItem::Data { size, expr }));
        }
        if w == "SORT" && paren {
            // `SORT(CONSTRUCTORS)`, as in GNU ld's default scripts: ignored like CONSTRUCTORS.
            let save = self.pos;
            self.pos += 1;
            if self.word(false)? == "CONSTRUCTORS" && self.eat(")")? {
                return Ok(None);
            }
            self.pos = save;
        }
        Ok(Some(match w.as_str() {
            "KEEP" if paren => {
                self.pos += 1;
                let kpos = self.pos;
                let w = self.name(true, "an input section description inside KEEP(")?;
                let mut desc = self.input_desc(kpos, w)?;
                desc.keep = true;
                self.expect(")", "to close KEEP(")?;
                OutputItem::Input(desc)
            }
            "FILL" if paren => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(")", "to close FILL(")?;
                self.eat(";")?;
                OutputItem::Fill(e)
            }
            "ASSERT" if paren => OutputItem::Assert(self.assert()?),
            "CONSTRUCTORS" => return Ok(None),
            "" => {
                let found = self.describe_next();
                return self.err(format!(
                    "expected an input section description, assignment or '}}', found {found}"
                ));
            }
            _ => match self.statement(start, w.clone())? {
                Some(a) => OutputItem::Assignment(a),
                None => OutputItem::Input(self.input_desc(start, w)?),
            },
        }))
    }

    /// `filepattern(sections...)` or `EXCLUDE_FILE(f...) filepattern(...)` or a bare file
    /// pattern; `w` is the first word, already read.
    fn input_desc(&mut self, start: usize, w: String) -> Result<InputSectionDesc> {
        let (mut w, mut start, mut exclude) = (w, start, Vec::new());
        if w == "EXCLUDE_FILE" {
            exclude = self.glob_list("EXCLUDE_FILE")?;
            start = self.pos;
            w = self.name(true, "a file pattern after EXCLUDE_FILE(...)")?;
        }
        if self.next_is(b'(')?
            && w.starts_with("SORT")
            && w.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        {
            return self.unsupported(
                start,
                &format!("{w} around a file pattern (sorting input files)"),
            );
        }
        if UNSUPPORTED.contains(&w.as_str()) {
            return self.unsupported(start, &w);
        }
        let file = FilePattern {
            pattern: Glob::new(&w),
            exclude,
        };
        let mut sections = Vec::new();
        if !self.eat("(")? {
            sections.push(SectionPattern {
                pattern: Glob::new("*"),
                sort: SortKind::None,
                exclude_files: Vec::new(),
            });
            return Ok(InputSectionDesc {
                keep: false,
                file,
                sections,
            });
        }
        let mut pending: Option<(usize, Vec<Glob>)> = None;
        while !self.eat(")")? {
            if self.eat(",")? {
                continue;
            }
            let wpos = self.pos;
            let w = self.name(true, "a section pattern or ')'")?;
            if w == "EXCLUDE_FILE" {
                if pending.is_some() {
                    return self.err_at(wpos, "EXCLUDE_FILE must be followed by a section pattern");
                }
                pending = Some((wpos, self.glob_list("EXCLUDE_FILE")?));
                continue;
            }
            let exclude_files = pending.take().map(|p| p.1).unwrap_or_default();
            let sort = match (w.as_str(), self.next_is(b'(')?) {
                ("SORT" | "SORT_BY_NAME", true) => Some(SortKind::Name),
                ("SORT_BY_ALIGNMENT", true) => Some(SortKind::Alignment),
                ("SORT_BY_INIT_PRIORITY", true) => Some(SortKind::InitPriority),
                ("SORT_NONE", true) => Some(SortKind::None),
                (_, true) => return self.unsupported(wpos, &format!("{w}(...) in a section list")),
                _ => None,
            };
            match sort {
                None => sections.push(SectionPattern {
                    pattern: Glob::new(&w),
                    sort: SortKind::None,
                    exclude_files,
                }),
                Some(sort) => {
                    self.pos += 1;
                    for (pattern, sort) in self.sorted_patterns(sort)? {
                        sections.push(SectionPattern {
                            pattern,
                            sort,
                            exclude_files: exclude_files.clone(),
                        });
                    }
                }
            }
        }
        if let Some((pos, _)) = pending {
            return self.err_at(pos, "EXCLUDE_FILE must be followed by a section pattern");
        }
        Ok(InputSectionDesc {
            keep: false,
            file,
            sections,
        })
    }

    /// Patterns inside `SORT_xxx(` (already consumed) up to and including `)`, with one level of
    /// nested `SORT_BY_NAME`/`SORT_BY_ALIGNMENT`.
    fn sorted_patterns(&mut self, outer: SortKind) -> Result<Vec<(Glob, SortKind)>> {
        let mut out = Vec::new();
        while !self.eat(")")? {
            if self.eat(",")? {
                continue;
            }
            let wpos = self.pos;
            let w = self.name(true, "a section pattern or ')'")?;
            if !self.next_is(b'(')? {
                out.push((Glob::new(&w), outer));
                continue;
            }
            let inner = match (outer, w.as_str()) {
                (SortKind::Name, "SORT_BY_ALIGNMENT") => SortKind::NameAlignment,
                (SortKind::Alignment, "SORT" | "SORT_BY_NAME") => SortKind::AlignmentName,
                (SortKind::Name, "SORT" | "SORT_BY_NAME") => SortKind::Name,
                (SortKind::Alignment, "SORT_BY_ALIGNMENT") => SortKind::Alignment,
                _ => return self.unsupported(wpos, &format!("{w}(...) nested in a sort")),
            };
            self.pos += 1;
            while !self.eat(")")? {
                if !self.eat(",")? {
                    let w = self.name(true, "a section pattern or ')'")?;
                    if self.next_is(b'(')? {
                        return self.err_at(wpos, "sort specifications nest at most two deep");
                    }
                    out.push((Glob::new(&w), inner));
                }
            }
        }
        Ok(out)
    }

    /// `( pattern pattern ... )` for EXCLUDE_FILE.
    fn glob_list(&mut self, what: &str) -> Result<Vec<Glob>> {
        self.expect("(", &format!("after {what}"))?;
        let mut out = Vec::new();
        while !self.eat(")")? {
            if !self.eat(",")? {
                out.push(Glob::new(
                    &self.name(true, &format!("a file pattern or ')' in {what}"))?,
                ));
            }
        }
        Ok(out)
    }

    // ---- expressions ----

    fn expr(&mut self) -> Result<Expr> {
        Ok(self.cond(0)?.0)
    }

    fn check_depth(&self, d: u32) -> Result<()> {
        if d > MAX_DEPTH {
            return self.err("expression nested too deeply");
        }
        Ok(())
    }

    /// Returns the expression and its tree depth; `nest` counts recursion for the stack bound.
    fn cond(&mut self, nest: u32) -> Result<(Expr, u32)> {
        self.check_depth(nest)?;
        let (c, dc) = self.binary(1, nest)?;
        if !self.eat("?")? {
            return Ok((c, dc));
        }
        let (a, da) = self.cond(nest + 1)?;
        self.expect(":", "in conditional expression")?;
        let (b, db) = self.cond(nest + 1)?;
        let d = dc.max(da).max(db) + 1;
        self.check_depth(d)?;
        Ok((Expr::Cond(Box::new(c), Box::new(a), Box::new(b)), d))
    }

    fn peek_binop(&mut self) -> Result<Option<(BinOp, usize, u8)>> {
        self.skip_ws()?;
        let r = self.rest();
        if r.starts_with(b"<<=") || r.starts_with(b">>=") {
            return Ok(None);
        }
        const TWO: [(&[u8], BinOp, u8); 8] = [
            (b"<<", BinOp::Shl, 8),
            (b">>", BinOp::Shr, 8),
            (b"<=", BinOp::Le, 7),
            (b">=", BinOp::Ge, 7),
            (b"==", BinOp::Eq, 6),
            (b"!=", BinOp::Ne, 6),
            (b"&&", BinOp::And, 2),
            (b"||", BinOp::Or, 1),
        ];
        if let Some((_, op, p)) = TWO.iter().find(|(s, _, _)| r.starts_with(s)) {
            return Ok(Some((*op, 2, *p)));
        }
        if r.get(1) == Some(&b'=') {
            return Ok(None); // `+=` etc.: an assignment operator, not ours
        }
        Ok(Some(match r.first() {
            Some(b'*') => (BinOp::Mul, 1, 10),
            Some(b'/') => (BinOp::Div, 1, 10),
            Some(b'%') => (BinOp::Rem, 1, 10),
            Some(b'+') => (BinOp::Add, 1, 9),
            Some(b'-') => (BinOp::Sub, 1, 9),
            Some(b'<') => (BinOp::Lt, 1, 7),
            Some(b'>') => (BinOp::Gt, 1, 7),
            Some(b'&') => (BinOp::BitAnd, 1, 5),
            Some(b'^') => (BinOp::BitXor, 1, 4),
            Some(b'|') => (BinOp::BitOr, 1, 3),
            _ => return Ok(None),
        }))
    }

    fn binary(&mut self, min_prec: u8, nest: u32) -> Result<(Expr, u32)> {
        let (mut lhs, mut d) = self.unary(nest + 1)?;
        while let Some((op, len, prec)) = self.peek_binop()? {
            if prec < min_prec {
                break;
            }
            self.pos += len;
            let (rhs, dr) = self.binary(prec + 1, nest + 1)?;
            d = d.max(dr) + 1;
            self.check_depth(d)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok((lhs, d))
    }

    fn unary(&mut self, nest: u32) -> Result<(Expr, u32)> {
        self.check_depth(nest)?;
        let op = match self.peek()? {
            Some(b'-') => UnaryOp::Neg,
            Some(b'!') => UnaryOp::Not,
            Some(b'~') => UnaryOp::BitNot,
            Some(b'+') => {
                self.pos += 1;
                return self.unary(nest + 1);
            }
            _ => return self.primary(nest),
        };
        self.pos += 1;
        let (e, d) = self.unary(nest + 1)?;
        Ok((Expr::Unary(op, Box::new(e)), d + 1))
    }

    fn primary(&mut self, nest: u32) -> Result<(Expr, u32)> {
        let start = self.pos;
        let Some(c) = self.peek()? else {
            return self.err("expected an expression, found end of script");
        };
        if c == b'(' {
            self.pos += 1;
            let e = self.cond(nest + 1)?;
            self.expect(")", "to close '('")?;
            return Ok(e);
        }
        if c.is_ascii_digit() {
            let len = self
                .rest()
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            let tok = self.text.get(start..start + len).unwrap_or("");
            let Some(v) = parse_int(tok) else {
                return self.err(format!("invalid integer `{tok}`"));
            };
            self.pos += len;
            return Ok((Expr::Num(v), 1));
        }
        let name = if c == b'"' {
            self.word(false)?
        } else if is_expr_name_start(c) {
            let len = self
                .rest()
                .iter()
                .take_while(|&&b| is_expr_name_byte(b))
                .count();
            self.pos += len;
            self.text.get(start..start + len).unwrap_or("").to_string()
        } else {
            let found = self.describe_next();
            return self.err(format!("expected an expression, found {found}"));
        };
        if c != b'"' && name == "." {
            return Ok((Expr::Dot, 1));
        }
        if c == b'"' || !self.next_is(b'(')? {
            return Ok(match name.as_str() {
                "SIZEOF_HEADERS" | "sizeof_headers" => (Expr::SizeOfHeaders, 1),
                _ => (Expr::Symbol(name), 1),
            });
        }
        self.pos += 1;
        let sec = |p: &mut Self, f: fn(String) -> Expr| -> Result<(Expr, u32)> {
            let s = p.name(false, "a section name")?;
            Ok((f(s), 1))
        };
        let (e, d) = match name.as_str() {
            "ALIGN" | "BLOCK" | "NEXT" => {
                let (a, da) = self.cond(nest + 1)?;
                if name == "ALIGN" && self.eat(",")? {
                    let (b, db) = self.cond(nest + 1)?;
                    (Expr::Align(Some(Box::new(a)), Box::new(b)), da.max(db) + 1)
                } else {
                    (Expr::Align(None, Box::new(a)), da + 1)
                }
            }
            "ADDR" => sec(self, Expr::Addr)?,
            "LOADADDR" => sec(self, Expr::LoadAddr)?,
            "SIZEOF" => sec(self, Expr::SizeOf)?,
            "ALIGNOF" => sec(self, Expr::AlignOf)?,
            "DEFINED" => (Expr::Defined(self.name(false, "a symbol name")?), 1),
            "MAX" | "MIN" => {
                let (a, da) = self.cond(nest + 1)?;
                self.expect(",", &format!("between {name} arguments"))?;
                let (b, db) = self.cond(nest + 1)?;
                let (a, b) = (Box::new(a), Box::new(b));
                (
                    if name == "MAX" {
                        Expr::Max(a, b)
                    } else {
                        Expr::Min(a, b)
                    },
                    da.max(db) + 1,
                )
            }
            "ABSOLUTE" | "LOG2CEIL" => {
                let (a, da) = self.cond(nest + 1)?;
                let a = Box::new(a);
                (
                    if name == "ABSOLUTE" {
                        Expr::Absolute(a)
                    } else {
                        Expr::Log2Ceil(a)
                    },
                    da + 1,
                )
            }
            "CONSTANT" => {
                let kpos = self.pos;
                match self.word(false)?.as_str() {
                    "MAXPAGESIZE" => (Expr::MaxPageSize, 1),
                    "COMMONPAGESIZE" => (Expr::CommonPageSize, 1),
                    w => {
                        return self.err_at(
                            kpos,
                            format!(
                                "unknown CONSTANT `{w}` (expected MAXPAGESIZE or COMMONPAGESIZE)"
                            ),
                        )
                    }
                }
            }
            "ORIGIN" | "LENGTH" => {
                return self.err_at(
                    start,
                    format!(
                        "{name}() is not supported: ukl's link-script subset has no MEMORY regions"
                    ),
                )
            }
            "DATA_SEGMENT_ALIGN"
            | "DATA_SEGMENT_END"
            | "DATA_SEGMENT_RELRO_END"
            | "SEGMENT_START"
            | "ASSERT" => return self.unsupported(start, &format!("{name}() in an expression")),
            _ => return self.err_at(start, format!("unknown function `{name}`")),
        };
        self.expect(")", &format!("to close {name}("))?;
        self.check_depth(d)?;
        Ok((e, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIKERNEL: &str = r#"/* ukl: x86_64 PVH unikernel (kvm platform) */
OUTPUT_FORMAT("elf64-x86-64", "elf64-x86-64", "elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(_ukplat_entry32)

PHDRS
{
    text    PT_LOAD FILEHDR PHDRS FLAGS(5);   /* R X */
    rodata  PT_LOAD FLAGS(4);
    data    PT_LOAD FLAGS(6);
    note    PT_NOTE;
    tls     PT_TLS;
    stack   PT_GNU_STACK FLAGS(6);
}

SECTIONS
{
    . = 0x100000 + SIZEOF_HEADERS;
    __base_addr = 0x100000;

    .note.pvh : { KEEP(*(.note.Xen)) KEEP(*(.note.pvh*)) } :text :note

    .text ALIGN(16) : {
        _text = .;
        KEEP(*(.text.boot))
        *(.text .text.*)
        _etext = .;
    } :text =0x90909090

    . = ALIGN(CONSTANT(MAXPAGESIZE));
    .rodata : {
        _rodata = .;
        *(.rodata .rodata.*)
    } :rodata

    .uk_inittab : {
        PROVIDE(uk_inittab_start = .);
        KEEP(*(SORT(.uk_inittab.*)))
        PROVIDE(uk_inittab_end = .);
        . = ALIGN(8);
    }

    .init_array : {
        PROVIDE_HIDDEN(__init_array_start = .);
        KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*) SORT_BY_INIT_PRIORITY(.ctors.*)))
        KEEP(*(.init_array EXCLUDE_FILE(*crtbegin.o *crtend.o) .ctors))
        PROVIDE_HIDDEN(__init_array_end = .);
    }
    _erodata = .;

    . = ALIGN(0x1000);
    .data : AT(ADDR(.data)) {
        _data = .;
        *(.data .data.*)
        BYTE(1) SHORT(2); LONG(0xdeadbeef) QUAD(_data)
        FILL(0x00)
    } :data

    .tdata : { _tls_start = .; *(.tdata .tdata.* .gnu.linkonce.td.*) _etdata = .; } :data :tls
    .tbss : { *(.tbss .tbss.* .gnu.linkonce.tb.*) *(.tcommon) _tls_end = . ; } :data :tls
    HIDDEN(_tls_size = _tls_end - _tls_start);

    .bss (NOLOAD) : {
        __bss_start = .;
        *(.bss .bss.*)
        *(COMMON)
        . += 0x10;
        __bss_end = .;
    } :data
    _end = .;

    /DISCARD/ : { *(.comment) *(.note.GNU-stack) *(.eh_frame*) }
}
ASSERT(_end - __base_addr < 16M, "image too large");
"#;

    const STATIC_EXE: &str = r#"
ENTRY(_start)
SECTIONS
{
  PROVIDE (__executable_start = 0x400000); . = 0x400000 + SIZEOF_HEADERS;
  .init : { KEEP (*(SORT_NONE(.init))) }
  .text : { *(.text.unlikely .text.*_unlikely .text.unlikely.*) *(.text .stub .text.*) }
  .fini : { KEEP (*(SORT_NONE(.fini))) }
  PROVIDE (__etext = .);
  .rodata : { *(.rodata .rodata.* .gnu.linkonce.r.*) }
  .eh_frame : { KEEP (*(.eh_frame)) *(.eh_frame.*) }
  . = ALIGN(CONSTANT (MAXPAGESIZE)) + (. & (CONSTANT (MAXPAGESIZE) - 1));
  .tdata : { PROVIDE_HIDDEN (__tdata_start = .); *(.tdata .tdata.* .gnu.linkonce.td.*) }
  .tbss : { *(.tbss .tbss.* .gnu.linkonce.tb.*) *(.tcommon) }
  .preinit_array : {
    PROVIDE_HIDDEN (__preinit_array_start = .);
    KEEP (*(.preinit_array))
    PROVIDE_HIDDEN (__preinit_array_end = .);
  }
  .ctors : {
    KEEP (*crtbegin.o(.ctors))
    KEEP (*crtbegin?.o(.ctors))
    KEEP (*(EXCLUDE_FILE (*crtend.o *crtend?.o ) .ctors))
    KEEP (*(SORT(.ctors.*)))
    KEEP (*(.ctors))
  }
  .data : { *(.data .data.* .gnu.linkonce.d.*) SORT(CONSTRUCTORS) }
  _edata = .; PROVIDE (edata = .);
  . = .;
  __bss_start = .;
  .bss : {
   *(.dynbss) *(.bss .bss.* .gnu.linkonce.b.*) *(COMMON)
   . = ALIGN(. != 0 ? 64 / 8 : 1);
  }
  . = ALIGN(64 / 8);
  _end = .; PROVIDE (end = .);
  .comment 0 : { *(.comment) }
  /DISCARD/ : { *(.note.GNU-stack) *(.gnu_debuglink) *(.gnu.lto_*) }
}
"#;

    fn err(s: &str) -> ScriptError {
        match parse(s) {
            Ok(script) => panic!("expected error for {s:?}, got {script:?}"),
            Err(e) => e,
        }
    }

    fn sym(s: &str) -> Box<Expr> {
        Box::new(Expr::Symbol(s.into()))
    }

    #[test]
    fn unikernel_script() {
        let s = parse(UNIKERNEL).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.entry(), Some("_ukplat_entry32"));
        let ph = s.phdrs().unwrap();
        assert_eq!(ph.len(), 6);
        assert_eq!(
            (ph[0].p_type, ph[0].filehdr, ph[0].phdrs, &ph[0].flags),
            (1, true, true, &Some(Expr::Num(5)))
        );
        assert_eq!((ph[3].p_type, ph[3].flags.is_none()), (4, true));
        assert_eq!(ph[4].p_type, 7);
        assert_eq!(ph[5].p_type, 0x6474_e551);
        let os: Vec<&OutputSection> = s.output_sections().collect();
        let names: Vec<&str> = os.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            names,
            [
                ".note.pvh",
                ".text",
                ".rodata",
                ".uk_inittab",
                ".init_array",
                ".data",
                ".tdata",
                ".tbss",
                ".bss",
                "/DISCARD/"
            ]
        );
        assert_eq!(os[0].phdrs, ["text", "note"]);
        assert_eq!(os[1].fill, Some(Expr::Num(0x9090_9090)));
        assert_eq!(os[1].addr, Some(Expr::Align(None, Box::new(Expr::Num(16)))));
        assert!(os[8].noload && os[9].is_discard());
        assert_eq!(os[5].lma, Some(Expr::Addr(".data".into())));
        assert_eq!(os[6].phdrs, ["data", "tls"]);
        let OutputItem::Input(init) = &os[3].items[1] else {
            panic!()
        };
        assert!(init.keep);
        assert_eq!(init.file.pattern.as_str(), "*");
        assert_eq!(
            (init.sections[0].pattern.as_str(), init.sections[0].sort),
            (".uk_inittab.*", SortKind::Name)
        );
        let OutputItem::Assignment(a) = &os[3].items[0] else {
            panic!()
        };
        assert_eq!(
            (a.target.as_str(), a.provide, &a.expr),
            ("uk_inittab_start", Provide::Provide, &Expr::Dot)
        );
        let OutputItem::Input(ia) = &os[4].items[2] else {
            panic!()
        };
        assert_eq!(ia.sections.len(), 2);
        assert!(ia.sections[0].exclude_files.is_empty());
        assert_eq!(
            ia.sections[1].exclude_files,
            [Glob::new("*crtbegin.o"), Glob::new("*crtend.o")]
        );
        let data: Vec<_> = os[5]
            .items
            .iter()
            .filter(|i| matches!(i, OutputItem::Data { .. }))
            .collect();
        assert_eq!(data.len(), 4);
        assert!(matches!(
            os[5].items.last(),
            Some(OutputItem::Fill(Expr::Num(0)))
        ));
        let OutputItem::Assignment(inc) = &os[8].items[3] else {
            panic!()
        };
        assert_eq!((inc.target.as_str(), inc.op), (".", AssignOp::Add));
        let cmds: Vec<_> = s.sections().collect();
        let SectionsCommand::Assignment(first) = cmds[0] else {
            panic!()
        };
        assert_eq!(
            first.expr,
            Expr::Binary(
                BinOp::Add,
                Box::new(Expr::Num(0x10_0000)),
                Box::new(Expr::SizeOfHeaders)
            )
        );
        assert!(cmds
            .iter()
            .any(|c| matches!(c, SectionsCommand::Assignment(a) if a.provide == Provide::Hidden)));
        assert!(
            matches!(s.commands.last(), Some(Command::Assert(a)) if a.message == "image too large")
        );
        assert_eq!(
            s.referenced_symbols(),
            ["_data", "_tls_end", "_tls_start", "_end", "__base_addr"]
        );
        assert!(matches!(&s.commands[1], Command::OutputArch(a) if a == "i386:x86-64"));
    }

    #[test]
    fn static_exe_script() {
        let s = parse(STATIC_EXE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.entry(), Some("_start"));
        let os: Vec<&OutputSection> = s.output_sections().collect();
        assert_eq!(os.len(), 13);
        let OutputItem::Input(init) = &os[0].items[0] else {
            panic!()
        };
        assert_eq!((init.keep, init.sections[0].sort), (true, SortKind::None));
        let OutputItem::Input(ct) = &os[8].items[0] else {
            panic!()
        };
        assert_eq!(ct.file.pattern.as_str(), "*crtbegin.o");
        assert_eq!(os[11].addr, Some(Expr::Num(0)));
        let SectionsCommand::Assignment(first) = s.sections().next().unwrap() else {
            panic!()
        };
        assert_eq!(
            (first.target.as_str(), first.provide),
            ("__executable_start", Provide::Provide)
        );
        let OutputItem::Assignment(al) = os[10].items.last().unwrap() else {
            panic!()
        };
        assert!(matches!(&al.expr, Expr::Align(None, c) if matches!(**c, Expr::Cond(..))));
    }

    #[test]
    fn sort_forms_and_excludes() {
        let s = parse(
            "SECTIONS { .x : { EXCLUDE_FILE(*a.o) *(.a SORT_BY_NAME(SORT_BY_ALIGNMENT(.b.*)) \
             SORT_BY_ALIGNMENT(SORT(.c.*) .d), .e) *libc.a:*(.text) foo.o } }",
        )
        .unwrap();
        let os = s.output_sections().next().unwrap();
        let OutputItem::Input(d) = &os.items[0] else {
            panic!()
        };
        assert_eq!(d.file.exclude, [Glob::new("*a.o")]);
        let got: Vec<(&str, SortKind)> = d
            .sections
            .iter()
            .map(|p| (p.pattern.as_str(), p.sort))
            .collect();
        assert_eq!(
            got,
            [
                (".a", SortKind::None),
                (".b.*", SortKind::NameAlignment),
                (".c.*", SortKind::AlignmentName),
                (".d", SortKind::Alignment),
                (".e", SortKind::None)
            ]
        );
        let OutputItem::Input(l) = &os.items[1] else {
            panic!()
        };
        assert_eq!(l.file.pattern.as_str(), "*libc.a:*");
        let OutputItem::Input(f) = &os.items[2] else {
            panic!()
        };
        assert_eq!(
            (f.file.pattern.as_str(), f.sections[0].pattern.as_str()),
            ("foo.o", "*")
        );
    }

    #[test]
    fn assignments_and_operators() {
        let s = parse("a=1;b+=2;c-=3;d*=4;e/=5;f<<=6;g>>=7;h&=8;i|=9;j = x-y; k = -x;").unwrap();
        let ops: Vec<AssignOp> = s
            .commands
            .iter()
            .map(|c| match c {
                Command::Assignment(a) => a.op,
                _ => panic!(),
            })
            .collect();
        use AssignOp::*;
        assert_eq!(ops, [Set, Add, Sub, Mul, Div, Shl, Shr, And, Or, Set, Set]);
        let Command::Assignment(j) = &s.commands[9] else {
            panic!()
        };
        assert_eq!(j.expr, Expr::Binary(BinOp::Sub, sym("x"), sym("y")));
        let s = parse("SECTIONS { .=.+4; .t : { .+=2; x=.; } }").unwrap();
        assert_eq!(s.sections().count(), 2);
        assert_eq!(
            parse_expr("a ? b : c").unwrap(),
            Expr::Cond(sym("a"), sym("b"), sym("c"))
        );
        assert_eq!(
            parse_expr("\"weird-name\" + 1").unwrap(),
            Expr::Binary(BinOp::Add, sym("weird-name"), Box::new(Expr::Num(1)))
        );
        assert_eq!(
            parse_expr("a /* c */ - /**/ b").unwrap(),
            Expr::Binary(BinOp::Sub, sym("a"), sym("b"))
        );
        assert_eq!(
            parse_expr("ADDR(.note.gnu.build-id)").unwrap(),
            Expr::Addr(".note.gnu.build-id".into())
        );
        assert_eq!(parse_expr("0X1fK").unwrap(), Expr::Num(0x1f * 1024));
    }

    #[test]
    fn errors() {
        let e = err("SECTIONS {\n  . = 1\n  .text : { *(.text) }\n}");
        assert_eq!(
            e.to_string(),
            "line 3, column 3: expected ';' after assignment, found '.'"
        );
        let e = err("MEMORY { ram : ORIGIN = 0, LENGTH = 1M }");
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("MEMORY is not supported"), "{e}");
        let e = err("SECTIONS {\n\tINCLUDE foo.ld\n}");
        assert_eq!((e.line, e.column), (2, 2));
        assert!(e.message.contains("INCLUDE"));
        assert!(err("SECTIONS { OVERLAY : { } }")
            .message
            .contains("OVERLAY is not supported"));
        assert!(err("x = ORIGIN(ram);").message.contains("MEMORY"));
        assert!(err("x = LENGTH(ram);").message.contains("LENGTH"));
        assert!(err("x = FOO(1);")
            .message
            .contains("unknown function `FOO`"));
        assert!(err("/* never closed")
            .message
            .contains("unterminated comment"));
        assert!(err("FROB(x)").message.contains("unknown command `FROB`"));
        assert!(err("SECTIONS { .t : { *(.a) } ")
            .message
            .contains("end of script"));
        assert!(err("SECTIONS { .t (COPY) : { } }").message.contains("COPY"));
        assert!(err("PHDRS { t PT_BOGUS; }").message.contains("PT_BOGUS"));
        assert!(err("PHDRS { t PT_LOAD FILEHDR }")
            .message
            .contains("expected ';'"));
        assert!(err("x = 1 / ;").message.contains("expected an expression"));
        assert!(err("x = 99999999999999999999;")
            .message
            .contains("invalid integer"));
        assert!(err("x = 12abc;").message.contains("invalid integer"));
        assert!(err("SECTIONS { .t : { *(EXCLUDE_FILE(a)) } }")
            .message
            .contains("EXCLUDE_FILE"));
        assert!(err("SECTIONS { .t : { SORT(*)(.text) } }")
            .message
            .contains("not supported"));
        assert!(err("x = (1;").message.contains("expected ')'"));
        let e = err("x = \"é\" é;");
        assert_eq!(e.column, 9, "{e}");
        assert_eq!(
            parse("PHDRS { t 1 ; n 0x6474e551 FLAGS(6); }")
                .unwrap()
                .phdrs()
                .unwrap()[1]
                .p_type,
            0x6474_e551
        );
        assert_eq!(parse("").unwrap(), Script::default());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("x = {}1{};", "(".repeat(100_000), ")".repeat(100_000));
        assert!(err(&deep).message.contains("too deeply"));
        let long = format!("x = 1{};", " + 1".repeat(100_000));
        assert!(err(&long).message.contains("too deeply"));
        let neg = format!("x = {}1;", "-".repeat(100_000));
        assert!(err(&neg).message.contains("too deeply"));
        assert!(parse(&format!("x = 1{};", " + 1".repeat(150))).is_ok());
    }

    /// Truncations, single-byte mutations and random bytes never panic.
    #[test]
    fn never_panics() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for src in [UNIKERNEL, STATIC_EXE] {
            for i in 0..=src.len() {
                if let Some(t) = src.get(..i) {
                    let _ = parse(t);
                }
            }
            let alphabet = b"(){};:=,.*+-/<>!&|?~\"[]0x1K aZ_\n/*";
            for _ in 0..3000 {
                let mut b = src.as_bytes().to_vec();
                for _ in 0..1 + rand() % 4 {
                    let at = (rand() as usize) % b.len();
                    b[at] = alphabet[(rand() as usize) % alphabet.len()];
                }
                if let Ok(t) = std::str::from_utf8(&b) {
                    let _ = parse(t);
                }
            }
        }
        for _ in 0..5000 {
            let len = (rand() % 64) as usize;
            let b: Vec<u8> = (0..len).map(|_| (rand() % 128) as u8).collect();
            let t = String::from_utf8_lossy(&b);
            let _ = parse(&t);
            let _ = parse_expr(&t);
        }
    }
}
