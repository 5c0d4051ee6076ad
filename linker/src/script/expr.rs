//! Evaluation of link-script expressions against a caller-supplied layout context, with ld's
//! wrapping u64 arithmetic, plus helpers to list the symbols and sections an expression uses.

use super::ast::{AssignOp, BinOp, Expr, UnaryOp};
use std::fmt;

/// What an expression can ask of the linker while it is being evaluated.
pub trait EvalContext {
    /// The location counter, or `None` outside `SECTIONS`.
    fn dot(&self) -> Option<u64>;
    /// A symbol's value, or `None` if it is not (yet) defined.
    fn symbol(&self, name: &str) -> Option<u64>;
    /// `ADDR(name)`; `None` if there is no such output section.
    fn section_addr(&self, name: &str) -> Option<u64>;
    /// `LOADADDR(name)`.
    fn section_load_addr(&self, name: &str) -> Option<u64>;
    /// `SIZEOF(name)` (ld.lld answers 0 for a missing section; return `Some(0)` to do the same).
    fn section_size(&self, name: &str) -> Option<u64>;
    /// `ALIGNOF(name)`.
    fn section_align(&self, name: &str) -> Option<u64>;
    /// `SIZEOF_HEADERS`: ELF header plus program headers.
    fn sizeof_headers(&self) -> u64;
    /// `CONSTANT(MAXPAGESIZE)`.
    fn max_page_size(&self) -> u64;
    /// `CONSTANT(COMMONPAGESIZE)`.
    fn common_page_size(&self) -> u64;
    /// `DEFINED(name)`.
    fn is_defined(&self, name: &str) -> bool;
}

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// `/` or `%` (or `/=`) by zero.
    DivisionByZero,
    /// A symbol the context does not know.
    UnknownSymbol(String),
    /// A section name the context does not know (`ADDR`, `LOADADDR`, `SIZEOF`, `ALIGNOF`).
    UnknownSection(String),
    /// `.` used where there is no location counter (outside `SECTIONS`).
    DotUnavailable,
    /// `ALIGN(value, alignment)` past 2^64.
    AlignOverflow { value: u64, align: u64 },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::DivisionByZero => f.write_str("division by zero in link-script expression"),
            EvalError::UnknownSymbol(s) => {
                write!(f, "undefined symbol `{s}` in link-script expression")
            }
            EvalError::UnknownSection(s) => {
                write!(f, "unknown output section `{s}` in link-script expression")
            }
            EvalError::DotUnavailable => {
                f.write_str("`.` (the location counter) used outside SECTIONS")
            }
            EvalError::AlignOverflow { value, align } => write!(
                f,
                "ALIGN({value:#x}, {align:#x}) in link-script expression passes 2^64"
            ),
        }
    }
}

impl std::error::Error for EvalError {}

/// `ALIGN` as ld computes it: round `v` up to a multiple of `a` (any `a`; 0 and 1 leave `v`).
/// [`align_up`], or `None` if the aligned value does not fit in 64 bits.
pub fn checked_align_up(v: u64, a: u64) -> Option<u64> {
    if a <= 1 {
        Some(v)
    } else {
        Some(v.checked_add(a - 1)? / a * a)
    }
}

pub fn align_up(v: u64, a: u64) -> u64 {
    if a <= 1 {
        v
    } else {
        v.wrapping_add(a - 1) / a * a
    }
}

impl Expr {
    /// Evaluates the expression. Arithmetic is unsigned, wrapping modulo 2^64; shifts by 64 or
    /// more give 0; comparisons and logical operators give 0 or 1; `&&`, `||` and `?:` only
    /// evaluate the operand they need (so `DEFINED(x) ? x : 0` works when `x` is undefined).
    pub fn eval(&self, ctx: &dyn EvalContext) -> Result<u64, EvalError> {
        let section = |v: Option<u64>, name: &str| {
            v.ok_or_else(|| EvalError::UnknownSection(name.to_string()))
        };
        Ok(match self {
            Expr::Num(n) => *n,
            Expr::Dot => ctx.dot().ok_or(EvalError::DotUnavailable)?,
            Expr::Symbol(s) => ctx
                .symbol(s)
                .ok_or_else(|| EvalError::UnknownSymbol(s.clone()))?,
            Expr::Unary(op, e) => {
                let v = e.eval(ctx)?;
                match op {
                    UnaryOp::Neg => v.wrapping_neg(),
                    UnaryOp::Not => u64::from(v == 0),
                    UnaryOp::BitNot => !v,
                }
            }
            Expr::Binary(BinOp::And, a, b) => u64::from(a.eval(ctx)? != 0 && b.eval(ctx)? != 0),
            Expr::Binary(BinOp::Or, a, b) => u64::from(a.eval(ctx)? != 0 || b.eval(ctx)? != 0),
            Expr::Binary(op, a, b) => binary(*op, a.eval(ctx)?, b.eval(ctx)?)?,
            Expr::Cond(c, a, b) => {
                if c.eval(ctx)? != 0 {
                    a.eval(ctx)?
                } else {
                    b.eval(ctx)?
                }
            }
            Expr::Align(base, a) => {
                let a = a.eval(ctx)?;
                let v = match base {
                    Some(b) => b.eval(ctx)?,
                    None => ctx.dot().ok_or(EvalError::DotUnavailable)?,
                };
                checked_align_up(v, a).ok_or(EvalError::AlignOverflow { value: v, align: a })?
            }
            Expr::Addr(s) => section(ctx.section_addr(s), s)?,
            Expr::LoadAddr(s) => section(ctx.section_load_addr(s), s)?,
            Expr::SizeOf(s) => section(ctx.section_size(s), s)?,
            Expr::AlignOf(s) => section(ctx.section_align(s), s)?,
            Expr::SizeOfHeaders => ctx.sizeof_headers(),
            Expr::MaxPageSize => ctx.max_page_size(),
            Expr::CommonPageSize => ctx.common_page_size(),
            Expr::Max(a, b) => a.eval(ctx)?.max(b.eval(ctx)?),
            Expr::Min(a, b) => a.eval(ctx)?.min(b.eval(ctx)?),
            Expr::Defined(s) => u64::from(ctx.is_defined(s)),
            Expr::Absolute(e) => e.eval(ctx)?,
            Expr::Log2Ceil(e) => match e.eval(ctx)? {
                0 | 1 => 0,
                v => u64::from(64 - (v - 1).leading_zeros()),
            },
        })
    }

    /// Calls `f` on this node and every sub-expression, parents first.
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Unary(_, a) | Expr::Absolute(a) | Expr::Log2Ceil(a) | Expr::Align(None, a) => {
                a.visit(f)
            }
            Expr::Binary(_, a, b) | Expr::Max(a, b) | Expr::Min(a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Expr::Align(Some(a), b) => {
                a.visit(f);
                b.visit(f);
            }
            Expr::Cond(c, a, b) => {
                c.visit(f);
                a.visit(f);
                b.visit(f);
            }
            Expr::Num(_)
            | Expr::Dot
            | Expr::Symbol(_)
            | Expr::Addr(_)
            | Expr::LoadAddr(_)
            | Expr::SizeOf(_)
            | Expr::AlignOf(_)
            | Expr::SizeOfHeaders
            | Expr::MaxPageSize
            | Expr::CommonPageSize
            | Expr::Defined(_) => {}
        }
    }

    /// Symbols whose value the expression reads, deduplicated, in first-use order. Names that
    /// appear only inside `DEFINED(...)` are not included (testing a symbol does not require it).
    pub fn referenced_symbols(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Symbol(s) = e {
                if !out.contains(&s.as_str()) {
                    out.push(s);
                }
            }
        });
        out
    }

    /// Output sections named by `ADDR`, `LOADADDR`, `SIZEOF` or `ALIGNOF`, deduplicated.
    pub fn referenced_sections(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Addr(s) | Expr::LoadAddr(s) | Expr::SizeOf(s) | Expr::AlignOf(s) = e {
                if !out.contains(&s.as_str()) {
                    out.push(s);
                }
            }
        });
        out
    }

    /// True if the expression reads `.` (directly or through `ALIGN(a)`).
    pub fn uses_dot(&self) -> bool {
        let mut dot = false;
        self.visit(&mut |e| dot |= matches!(e, Expr::Dot | Expr::Align(None, _)));
        dot
    }
}

fn binary(op: BinOp, a: u64, b: u64) -> Result<u64, EvalError> {
    let shift = |b: u64| u32::try_from(b).unwrap_or(u32::MAX);
    Ok(match op {
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::Div => a.checked_div(b).ok_or(EvalError::DivisionByZero)?,
        BinOp::Rem => a.checked_rem(b).ok_or(EvalError::DivisionByZero)?,
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Shl => a.checked_shl(shift(b)).unwrap_or(0),
        BinOp::Shr => a.checked_shr(shift(b)).unwrap_or(0),
        BinOp::Lt => u64::from(a < b),
        BinOp::Gt => u64::from(a > b),
        BinOp::Le => u64::from(a <= b),
        BinOp::Ge => u64::from(a >= b),
        BinOp::Eq => u64::from(a == b),
        BinOp::Ne => u64::from(a != b),
        BinOp::BitAnd => a & b,
        BinOp::BitXor => a ^ b,
        BinOp::BitOr => a | b,
        BinOp::And => u64::from(a != 0 && b != 0),
        BinOp::Or => u64::from(a != 0 || b != 0),
    })
}

impl AssignOp {
    /// The new value of the target: `old op rhs` (`old` is ignored for `=`).
    pub fn apply(self, old: u64, rhs: u64) -> Result<u64, EvalError> {
        let op = match self {
            AssignOp::Set => return Ok(rhs),
            AssignOp::Add => BinOp::Add,
            AssignOp::Sub => BinOp::Sub,
            AssignOp::Mul => BinOp::Mul,
            AssignOp::Div => BinOp::Div,
            AssignOp::Shl => BinOp::Shl,
            AssignOp::Shr => BinOp::Shr,
            AssignOp::And => BinOp::BitAnd,
            AssignOp::Or => BinOp::BitOr,
        };
        binary(op, old, rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::parse::parse_expr;

    struct Ctx;
    impl EvalContext for Ctx {
        fn dot(&self) -> Option<u64> {
            Some(0x1003)
        }
        fn symbol(&self, name: &str) -> Option<u64> {
            match name {
                "_start" => Some(0x10_0000),
                "x" => Some(7),
                _ => None,
            }
        }
        fn section_addr(&self, name: &str) -> Option<u64> {
            (name == ".text").then_some(0x10_0000)
        }
        fn section_load_addr(&self, name: &str) -> Option<u64> {
            (name == ".text").then_some(0x20_0000)
        }
        fn section_size(&self, name: &str) -> Option<u64> {
            (name == ".text").then_some(0x123)
        }
        fn section_align(&self, name: &str) -> Option<u64> {
            (name == ".text").then_some(16)
        }
        fn sizeof_headers(&self) -> u64 {
            0xb0
        }
        fn max_page_size(&self) -> u64 {
            0x1000
        }
        fn common_page_size(&self) -> u64 {
            0x1000
        }
        fn is_defined(&self, name: &str) -> bool {
            self.symbol(name).is_some()
        }
    }

    fn ev(s: &str) -> Result<u64, EvalError> {
        parse_expr(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .eval(&Ctx)
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert_eq!(ev("1 + 2 * 3"), Ok(7));
        assert_eq!(ev("(1 + 2) * 3"), Ok(9));
        assert_eq!(ev("1 << 4 + 1"), Ok(32));
        assert_eq!(ev("0x10 | 1 & 3"), Ok(0x11));
        assert_eq!(ev("6 ^ 3 | 8"), Ok(13));
        assert_eq!(ev("1 < 2 == 1"), Ok(1));
        assert_eq!(ev("0 || 2 && 3"), Ok(1));
        assert_eq!(ev("1 ? 2 : 3 ? 4 : 5"), Ok(2));
        assert_eq!(ev("0 ? 2 : 0 ? 4 : 5"), Ok(5));
        assert_eq!(ev("-1"), Ok(u64::MAX));
        assert_eq!(ev("~0 >> 60"), Ok(15));
        assert_eq!(ev("!0 + !5"), Ok(1));
        assert_eq!(ev("10 - 3 - 2"), Ok(5));
        assert_eq!(ev("100 / 10 / 5"), Ok(2));
        assert_eq!(ev("17 % 5"), Ok(2));
        assert_eq!(ev("4K + 1M"), Ok(4096 + (1 << 20)));
        assert_eq!(ev("0 - 1 + 2"), Ok(1));
        assert_eq!(ev("1 << 64"), Ok(0));
        assert_eq!(ev("5 >= 5 && 4 <= 3"), Ok(0));
        assert_eq!(ev("3 != 4"), Ok(1));
        assert_eq!(ev("1/0"), Err(EvalError::DivisionByZero));
        assert_eq!(
            ev("ALIGN(-1, 16)"),
            Err(EvalError::AlignOverflow {
                value: u64::MAX,
                align: 16
            })
        );
        assert_eq!(ev("ALIGN(-16, 16)"), Ok(u64::MAX - 15));
        assert_eq!(ev("1 % 0"), Err(EvalError::DivisionByZero));
    }

    #[test]
    fn functions() {
        assert_eq!(ev("."), Ok(0x1003));
        assert_eq!(ev("ALIGN(0x1000)"), Ok(0x2000));
        assert_eq!(ev("ALIGN(. + 1, 8)"), Ok(0x1008));
        assert_eq!(ev("ALIGN(13, 0)"), Ok(13));
        assert_eq!(ev("ADDR(.text) + SIZEOF(.text)"), Ok(0x10_0123));
        assert_eq!(ev("LOADADDR(.text)"), Ok(0x20_0000));
        assert_eq!(ev("ALIGNOF(.text)"), Ok(16));
        assert_eq!(
            ev("SIZEOF(.nope)"),
            Err(EvalError::UnknownSection(".nope".into()))
        );
        assert_eq!(ev("SIZEOF_HEADERS"), Ok(0xb0));
        assert_eq!(
            ev("CONSTANT(MAXPAGESIZE) + CONSTANT(COMMONPAGESIZE)"),
            Ok(0x2000)
        );
        assert_eq!(ev("MAX(3, 9) - MIN(3, 9)"), Ok(6));
        assert_eq!(ev("DEFINED(x) ? x : 0"), Ok(7));
        assert_eq!(ev("DEFINED(y) ? y : 42"), Ok(42));
        assert_eq!(ev("DEFINED(y) && y"), Ok(0));
        assert_eq!(ev("y + 1"), Err(EvalError::UnknownSymbol("y".into())));
        assert_eq!(ev("ABSOLUTE(_start - 0x1000)"), Ok(0xff000));
        assert_eq!(ev("LOG2CEIL(1) + LOG2CEIL(4) + LOG2CEIL(5)"), Ok(5));
    }

    #[test]
    fn helpers() {
        let e = parse_expr("a + DEFINED(b) + ADDR(.data) * a + SIZEOF(.bss) + c").unwrap();
        assert_eq!(e.referenced_symbols(), ["a", "c"]);
        assert_eq!(e.referenced_sections(), [".data", ".bss"]);
        assert!(!e.uses_dot());
        assert!(parse_expr("ALIGN(8)").unwrap().uses_dot());
        assert_eq!(AssignOp::Add.apply(5, 3), Ok(8));
        assert_eq!(AssignOp::Div.apply(5, 0), Err(EvalError::DivisionByZero));
        assert_eq!(align_up(0x1001, 0x1000), 0x2000);
    }
}
