//! Wildcard matching for link-script section and file patterns (`*`, `?`, `[...]`), with
//! precompiled fast paths, and ld's file-pattern semantics for objects and archive members.
//!
//! Pattern syntax: `*` any run of bytes, `?` one byte, `[abc]`, `[a-z]`, `[!x]` / `[^x]` a byte
//! class (`]` first in the class is literal; an unterminated `[` is a literal `[`), `\c` the
//! literal byte `c`. Matching is byte-wise and case-sensitive.
//!
//! File patterns (what [`FilePattern::matches`] and [`Glob::matches_file`] implement) follow
//! GNU ld:
//! - a pattern without `:` is matched against the path of a plain object file as given on the
//!   command line (`*crt1.o` matches `/usr/lib/musl/lib/crt1.o`), and against the *member name*
//!   of an archive member (`*crt1.o` also matches member `crt1.o` of any archive);
//! - `archive:member` matches only archive members: `archive` against the archive path as
//!   given, `member` against the member name (`*libc.a:*`, `libfoo.a:bar.o`, `*libc.a:str*.o`);
//! - `archive:` matches every member of matching archives; `:file` matches only plain objects.
//!
//! ld.lld instead matches against `path` or `archive:member` as one string, so the portable forms
//! (same result in both) are `*`, `*name.o`, `*libc.a:*` and `archive:member`; a bare `name.o`
//! matching a member, `archive:` and `:file` are GNU-only behaviour.

use super::ast::{FilePattern, InputSectionDesc};

/// A precompiled wildcard pattern. Literal, `*`, `prefix*`, `*suffix` and `*infix*` patterns
/// are matched without the general matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Literal,
    Any,
    Prefix,
    Suffix,
    Infix,
    General,
}

fn is_meta(b: u8) -> bool {
    matches!(b, b'*' | b'?' | b'[' | b'\\')
}

/// Classifies `p`; returns the kind and the literal part (`needle`) for the fast paths.
fn classify(p: &str) -> (Kind, &str) {
    let b = p.as_bytes();
    let plain = |s: &[u8]| !s.iter().any(|&c| is_meta(c));
    match b {
        [] => (Kind::Literal, p),
        [b'*'] => (Kind::Any, ""),
        _ if plain(b) => (Kind::Literal, p),
        [b'*', mid @ .., b'*'] if plain(mid) => (Kind::Infix, p.get(1..p.len() - 1).unwrap_or("")),
        [b'*', rest @ ..] if plain(rest) => (Kind::Suffix, p.get(1..).unwrap_or("")),
        [rest @ .., b'*'] if plain(rest) => (Kind::Prefix, p.get(..p.len() - 1).unwrap_or("")),
        _ => (Kind::General, p),
    }
}

fn match_kind(kind: Kind, needle: &str, pattern: &str, name: &str) -> bool {
    match kind {
        Kind::Literal => name == needle,
        Kind::Any => true,
        Kind::Prefix => name.starts_with(needle),
        Kind::Suffix => name.ends_with(needle),
        Kind::Infix => name.contains(needle),
        Kind::General => general_match(pattern.as_bytes(), name.as_bytes()),
    }
}

/// Matches `name` against the wildcard `pattern` (syntax in the module docs). Allocation-free;
/// plain literal, `*`, `prefix*`, `*suffix` and `*infix*` patterns take a fast path.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let (kind, needle) = classify(pattern);
    match_kind(kind, needle, pattern, name)
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob {
            text: pattern.to_string(),
            kind: classify(pattern).0,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True if the pattern has no wildcard (it matches exactly one name).
    pub fn is_literal(&self) -> bool {
        self.kind == Kind::Literal
    }

    /// Matches a name (a section name, typically).
    pub fn matches(&self, name: &str) -> bool {
        let t = self.text.as_str();
        let needle = match self.kind {
            Kind::Literal | Kind::General => t,
            Kind::Any => "",
            Kind::Prefix => t.get(..t.len() - 1).unwrap_or(""),
            Kind::Suffix => t.get(1..).unwrap_or(""),
            Kind::Infix => t.get(1..t.len() - 1).unwrap_or(""),
        };
        match_kind(self.kind, needle, t, name)
    }

    /// Matches an input file with ld's file-pattern semantics (see the module docs).
    pub fn matches_file(&self, file: FileRef<'_>) -> bool {
        if self.kind == Kind::Any {
            return true;
        }
        match self.text.split_once(':') {
            None => self.matches(file.member.unwrap_or(file.path)),
            Some((archive, member)) => match file.member {
                None => archive.is_empty() && glob_match(member, file.path),
                Some(m) => {
                    !archive.is_empty()
                        && glob_match(archive, file.path)
                        && (member.is_empty() || glob_match(member, m))
                }
            },
        }
    }
}

impl std::fmt::Display for Glob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// An input file as seen by file patterns: a plain object (`member: None`, `path` = its path as
/// given), or an archive member (`path` = the archive's path, `member` = the member name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRef<'a> {
    pub path: &'a str,
    pub member: Option<&'a str>,
}

impl FilePattern {
    /// The file pattern matches and no outer `EXCLUDE_FILE` pattern does.
    pub fn matches(&self, file: FileRef<'_>) -> bool {
        self.pattern.matches_file(file) && !self.exclude.iter().any(|g| g.matches_file(file))
    }
}

impl InputSectionDesc {
    /// If this description selects section `section` of `file`, the index in `self.sections` of
    /// the first pattern that matches (its `sort` tells how to order the matches).
    pub fn match_section(&self, file: FileRef<'_>, section: &str) -> Option<usize> {
        if !self.file.matches(file) {
            return None;
        }
        self.sections.iter().position(|s| {
            s.pattern.matches(section) && !s.exclude_files.iter().any(|g| g.matches_file(file))
        })
    }
}

/// Parses a `[...]` class starting at `p[i] == b'['`. Returns whether `c` is in the class and
/// the index just past the closing `]`, or `None` if the class is unterminated.
fn class_match(p: &[u8], i: usize, c: u8) -> Option<(bool, usize)> {
    let mut j = i + 1;
    let negate = matches!(p.get(j), Some(b'!' | b'^'));
    if negate {
        j += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let lo = *p.get(j)?;
        if lo == b']' && !first {
            return Some((found != negate, j + 1));
        }
        first = false;
        if p.get(j + 1) == Some(&b'-') && p.get(j + 2).is_some_and(|&h| h != b']') {
            let hi = *p.get(j + 2)?;
            found |= lo <= c && c <= hi;
            j += 3;
        } else {
            found |= lo == c;
            j += 1;
        }
    }
}

/// General wildcard matcher: iterative, with single-star backtracking (linear memory, no
/// recursion, worst case O(|p|·|s|)).
fn general_match(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        let step = match p.get(pi) {
            Some(b'*') => {
                star = Some((pi + 1, si));
                pi += 1;
                continue;
            }
            Some(b'?') => Some(pi + 1),
            Some(b'[') => match class_match(p, pi, s[si]) {
                Some((true, next)) => Some(next),
                Some((false, _)) => None,
                None => (s[si] == b'[').then_some(pi + 1),
            },
            Some(b'\\') if pi + 1 < p.len() => (p[pi + 1] == s[si]).then_some(pi + 2),
            Some(&c) => (c == s[si]).then_some(pi + 1),
            None => None,
        };
        match (step, star) {
            (Some(next), _) => {
                pi = next;
                si += 1;
            }
            (None, Some((sp, ss))) => {
                pi = sp;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_paths() {
        assert!(glob_match(".text", ".text"));
        assert!(!glob_match(".text", ".text.x"));
        assert!(glob_match("*", ""));
        assert!(glob_match(".text.*", ".text.foo"));
        assert!(!glob_match(".text.*", ".text"));
        assert!(glob_match("*crt1.o", "/usr/lib/crt1.o"));
        assert!(!glob_match("*crt1.o", "crt1.oo"));
        assert!(glob_match("*rodata*", ".rodata.str1.1"));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
        for p in [
            ".text", "*", ".text.*", "*crt1.o", "*rodata*", "[.]t*", "a?c",
        ] {
            let g = Glob::new(p);
            for n in [".text", ".text.x", "crt1.o", ".rodata.x", "abc", ""] {
                assert_eq!(g.matches(n), glob_match(p, n), "{p} {n}");
                assert_eq!(
                    g.matches(n),
                    general_match(p.as_bytes(), n.as_bytes()),
                    "{p} {n}"
                );
            }
        }
    }

    #[test]
    fn general() {
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match(".init_array.*[0-9]", ".init_array.00100"));
        assert!(!glob_match(".init_array.*[0-9]", ".init_array.x"));
        assert!(glob_match("[!.]*", "text"));
        assert!(!glob_match("[^.]*", ".text"));
        assert!(glob_match("[]x]", "]"));
        assert!(glob_match("[a-]", "-"));
        assert!(glob_match("a[", "a["));
        assert!(glob_match("\\*x", "*x"));
        assert!(!glob_match("\\*x", "ax"));
        assert!(glob_match("*.o*x*", "a.o.x"));
        assert!(glob_match("*a*b*c", "xaxbxbxc"));
        assert!(!glob_match("*a*b*c", "xaxbxbx"));
        assert!(glob_match("**", "abc"));
        assert!(glob_match(".uk_*tab*.[0-9]", ".uk_inittab.x.7"));
    }

    #[test]
    fn files() {
        let obj = FileRef {
            path: "/usr/lib/musl/lib/crt1.o",
            member: None,
        };
        let mem = FileRef {
            path: "/usr/lib/musl/lib/libc.a",
            member: Some("printf.o"),
        };
        let foo = FileRef {
            path: "libfoo.a",
            member: Some("bar.o"),
        };
        let g = Glob::new;
        assert!(g("*crt1.o").matches_file(obj));
        assert!(g("*").matches_file(mem));
        assert!(g("*libc.a:*").matches_file(mem));
        assert!(!g("*libc.a:*").matches_file(obj));
        assert!(g("*libc.a:").matches_file(mem));
        assert!(g("*libc.a:print*").matches_file(mem));
        assert!(!g("*libc.a:scan*").matches_file(mem));
        assert!(g("printf.o").matches_file(mem));
        assert!(g("libfoo.a:bar.o").matches_file(foo));
        assert!(!g("libfoo.a:bar.o").matches_file(mem));
        assert!(g(":*crt1.o").matches_file(obj));
        assert!(!g(":*.o").matches_file(mem));
        let fp = FilePattern {
            pattern: g("*"),
            exclude: vec![g("*crtend.o")],
        };
        assert!(fp.matches(obj));
        assert!(!fp.matches(FileRef {
            path: "/x/crtend.o",
            member: None
        }));
    }
}
