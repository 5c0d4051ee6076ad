//! Bad input: `ukl ld` must reject every broken, foreign or unsupported input with exit status 1
//! and a message that names the file, symbol or option at fault, never with a panic (status
//! 101), and must leave a previous output file untouched when it fails.
//!
//! The inputs are made at test time from small C and assembly sources (with `gcc` and `ar`),
//! then cut or patched byte by byte. [`cases`] is the table; each row names the ld arguments
//! and the texts the error message must contain.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What a previous link left in the output file; a failed link must not touch it.
const PREVIOUS_OUTPUT: &[u8] = b"the image of a previous, successful link";

fn ukl() -> &'static str {
    env!("CARGO_BIN_EXE_ukl")
}

/// One bad link: the arguments after `ukl ld -static -o OUT`, and what stderr must mention.
struct Case {
    name: &'static str,
    args: Vec<OsString>,
    expect: &'static [&'static str],
}

/// The work directory and the objects the cases are made from.
struct Fixtures {
    dir: tempfile::TempDir,
}

impl Fixtures {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// Compiles `source` (C, or assembly if `name` is `*.s`) into `name` with `flags`.
    fn compile(&self, name: &str, source: &str, flags: &[&str]) -> bool {
        let (language, stem) = match name.strip_suffix(".s.o") {
            Some(stem) => ("assembler", stem),
            None => ("c", name.trim_end_matches(".o")),
        };
        let source_path = self.write(&format!("{stem}.src"), source.as_bytes());
        Command::new("gcc")
            .args([
                "-O1",
                "-fno-pic",
                "-fno-asynchronous-unwind-tables",
                "-x",
                language,
            ])
            .args(flags)
            .arg("-c")
            .arg(&source_path)
            .arg("-o")
            .arg(self.path(name))
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let status = Command::new(tool)
            .args(args)
            .current_dir(self.dir.path())
            .status()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
        assert!(status.success(), "{tool} {args:?} failed");
    }
}

/// An ELF64 little-endian object under repair, patched in place.
struct Elf(Vec<u8>);

impl Elf {
    fn u16(&self, at: usize) -> u16 {
        u16::from_le_bytes(self.0[at..at + 2].try_into().unwrap())
    }
    fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().unwrap())
    }
    fn u64(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.0[at..at + 8].try_into().unwrap())
    }
    fn set_u16(&mut self, at: usize, value: u16) -> &mut Self {
        self.0[at..at + 2].copy_from_slice(&value.to_le_bytes());
        self
    }
    fn set_u32(&mut self, at: usize, value: u32) -> &mut Self {
        self.0[at..at + 4].copy_from_slice(&value.to_le_bytes());
        self
    }
    fn set_u64(&mut self, at: usize, value: u64) -> &mut Self {
        self.0[at..at + 8].copy_from_slice(&value.to_le_bytes());
        self
    }

    /// The file offset of section header `index`.
    fn section_header(&self, index: usize) -> usize {
        self.u64(0x28) as usize + index * usize::from(self.u16(0x3a))
    }

    /// The file offset of the first section header of type `sh_type`.
    fn section_header_of_type(&self, sh_type: u32) -> usize {
        (0..usize::from(self.u16(0x3c)))
            .map(|index| self.section_header(index))
            .find(|&header| self.u32(header + 4) == sh_type)
            .unwrap_or_else(|| panic!("no section of type {sh_type}"))
    }

    /// The file offset of the contents of the section whose header is at `header`.
    fn contents(&self, header: usize) -> usize {
        self.u64(header + 0x18) as usize
    }
}

const SHT_SYMTAB: u32 = 2;
const SHT_PROGBITS: u32 = 1;
const SHT_RELA: u32 = 4;
const SHT_NOBITS: u32 = 8;
const SHN_COMMON: u16 = 0xfff2;
const ELF64_SYM_SIZE: usize = 24;

/// Symbol `index` of the symbol table: the file offset of its entry.
fn symbol_entry(elf: &Elf, index: usize) -> usize {
    elf.contents(elf.section_header_of_type(SHT_SYMTAB)) + index * ELF64_SYM_SIZE
}

/// The symbol table index of the global symbol `_start` in `elf` (found through its name).
fn start_symbol(elf: &Elf) -> usize {
    let symtab = elf.section_header_of_type(SHT_SYMTAB);
    let strtab = elf.contents(elf.section_header(elf.u32(symtab + 0x28) as usize));
    let count = elf.u64(symtab + 0x20) as usize / ELF64_SYM_SIZE;
    (0..count)
        .find(|&index| {
            let name = strtab + elf.u32(symbol_entry(elf, index)) as usize;
            elf.0[name..].starts_with(b"_start\0")
        })
        .expect("the object defines _start")
}

fn build_fixtures() -> Option<Fixtures> {
    let fixtures = Fixtures {
        dir: tempfile::tempdir().expect("create a temporary directory"),
    };
    let start = "void _start(void) { for (;;) {} }\n";
    let ok = format!(
        "int counter = 3;\nstatic int helper(int x) {{ return x * counter; }}\n\
         int work(int x) {{ return helper(x) + 1; }}\n{start}"
    );
    let sources: &[(&str, String)] = &[
        ("ok.o", ok.clone()),
        (
            "undefined.o",
            format!(
                "extern int missing_function(int);\n\
                 int caller(int x) {{ return missing_function(x) + 1; }}\n{start}"
            ),
        ),
        ("dup1.o", format!("int duplicate_symbol = 1;\n{start}")),
        ("dup2.o", "int duplicate_symbol = 2;\n".into()),
        (
            "far.o",
            "extern void far_away(void);\nvoid _start(void) { far_away(); for (;;) {} }\n".into(),
        ),
        (
            "copy-reloc.s.o",
            ".globl _start\n_start:\n  .reloc ., R_X86_64_COPY, target\n  .quad 0\n\
             .data\ntarget: .quad 0\n"
                .into(),
        ),
    ];
    for (name, source) in sources {
        if !fixtures.compile(name, source, &[]) {
            eprintln!("note: skipping the bad-input tests: `gcc -c` failed or gcc is missing");
            return None;
        }
    }
    // A real 32-bit object if gcc has multilib support, else an x86_64 one with EI_CLASS = 1.
    if !fixtures.compile("thirty-two.o", &ok, &["-m32"]) {
        let mut elf = Elf(fixtures.read("ok.o"));
        elf.0[4] = 1;
        fixtures.write("thirty-two.o", &elf.0);
    }
    let shared = Command::new("gcc")
        .args(["-shared", "-fPIC", "-nostdlib", "-o"])
        .arg(fixtures.path("libshared.so"))
        .arg("-x")
        .arg("c")
        .arg(fixtures.path("ok.src"))
        .status()
        .expect("run gcc -shared");
    assert!(shared.success(), "gcc -shared failed");
    fixtures.run("ar", &["rcs", "good.a", "ok.o", "dup2.o"]);
    fixtures.run("ar", &["rcT", "thin.a", "ok.o"]);
    fixtures.write(
        "far.ld",
        b"SECTIONS { . = 0x400000; .text : { *(.text*) } far_away = 0x100000000; }\n",
    );
    fixtures.write("syntax-error.ld", b"SECTIONS { .text : { *(.text) \n");
    fixtures.write("empty.o", b"");
    fixtures.write("notes.txt", b"these are notes, not an object\n");

    let object = fixtures.read("ok.o");
    for length in [10, 63, 100, object.len() / 2] {
        fixtures.write(&format!("cut-{length}.o"), &object[..length]);
    }
    let mut elf = Elf(object.clone());
    fixtures.write("bad-shoff.o", &elf.set_u64(0x28, 0x7f_ffff_ff00).0);
    let mut elf = Elf(object.clone());
    fixtures.write("aarch64.o", &elf.set_u16(18, 183).0);
    let mut elf = Elf(fixtures.read("undefined.o"));
    let rela = elf.contents(elf.section_header_of_type(SHT_RELA));
    let info = elf.u64(rela + 8);
    fixtures.write(
        "bad-reloc-symbol.o",
        &elf.set_u64(rela + 8, (0xf_ffff << 32) | (info & 0xffff_ffff))
            .0,
    );

    let archive = fixtures.read("good.a");
    // The first member header follows the 8-byte magic; its `\`\n` terminator is at 58..60.
    let mut bad_header = archive.clone();
    bad_header[8 + 58..8 + 60].copy_from_slice(b"XX");
    fixtures.write("bad-header.a", &bad_header);
    fixtures.write("cut-member.a", &archive[..archive.len() - 200]);
    Some(fixtures)
}

fn cases(f: &Fixtures) -> Vec<Case> {
    let p = |name: &str| f.path(name).into_os_string();
    let one = |name: &'static str, file: &str, expect: &'static [&'static str]| Case {
        name,
        args: vec![p(file)],
        expect,
    };
    let half = format!("cut-{}.o", f.read("ok.o").len() / 2);
    vec![
        one("cut at 10 bytes", "cut-10.o", &["cut-10.o", "truncated"]),
        one("cut at 63 bytes", "cut-63.o", &["cut-63.o", "truncated"]),
        one("cut at 100 bytes", "cut-100.o", &["cut-100.o", "corrupt"]),
        one("cut in half", &half, &["cut-", "corrupt"]),
        one(
            "bad e_shoff",
            "bad-shoff.o",
            &["bad-shoff.o", "section header"],
        ),
        one(
            "bad symbol index in a relocation",
            "bad-reloc-symbol.o",
            &["bad-reloc-symbol.o", "symbol #1048575"],
        ),
        one("aarch64 object", "aarch64.o", &["aarch64.o", "aarch64"]),
        one("32-bit object", "thirty-two.o", &["thirty-two.o", "32-bit"]),
        Case {
            name: "bad archive member header",
            args: vec![p("bad-header.a"), "-u".into(), "work".into()],
            expect: &["bad-header.a", "corrupt"],
        },
        Case {
            name: "truncated archive member",
            args: vec!["--whole-archive".into(), p("cut-member.a")],
            expect: &["cut-member.a", "dup2.o"],
        },
        one("thin archive", "thin.a", &["thin.a", "thin archive"]),
        one("empty file", "empty.o", &["empty.o", "empty"]),
        one("text file", "notes.txt", &["notes.txt", "text"]),
        one(
            "shared library",
            "libshared.so",
            &["libshared.so", "shared library"],
        ),
        one("missing file", "no-such-file.o", &["no-such-file.o"]),
        one(
            "unsupported relocation",
            "copy-reloc.s.o",
            &["copy-reloc.s.o", "R_X86_64_COPY"],
        ),
        one(
            "undefined symbol",
            "undefined.o",
            &["missing_function", "undefined.o", "caller"],
        ),
        Case {
            name: "duplicate definitions",
            args: vec![p("dup1.o"), p("dup2.o")],
            expect: &["duplicate_symbol", "dup1.o", "dup2.o"],
        },
        Case {
            name: "relocation overflow",
            args: vec!["-T".into(), p("far.ld"), p("far.o")],
            expect: &["far_away", "far.o", "out of range"],
        },
        Case {
            name: "link script syntax error",
            args: vec!["-T".into(), p("syntax-error.ld"), p("ok.o")],
            expect: &["syntax-error.ld", "line"],
        },
        Case {
            name: "unknown option",
            args: vec![p("ok.o"), "--frobnicate".into()],
            expect: &["--frobnicate"],
        },
        Case {
            name: "unsupported ld option",
            args: vec![p("ok.o"), "--emit-relocs".into()],
            expect: &["--emit-relocs"],
        },
        Case {
            name: "missing -l library",
            args: vec![p("ok.o"), "-lukl_no_such_library".into()],
            expect: &["ukl_no_such_library"],
        },
        Case {
            name: "unwritable output",
            args: vec![p("ok.o"), "-o".into(), "/nonexistent-ukl-dir/image".into()],
            expect: &["/nonexistent-ukl-dir/image"],
        },
    ]
}

/// Runs `case` over a previous output file; returns what went wrong, if anything.
fn check(fixtures: &Fixtures, index: usize, case: &Case) -> Option<String> {
    let output = fixtures.write(&format!("out-{index}"), PREVIOUS_OUTPUT);
    let result = Command::new(ukl())
        .args(["ld", "-static", "-o"])
        .arg(&output)
        .args(&case.args)
        .output()
        .expect("run ukl");
    let stderr = String::from_utf8_lossy(&result.stderr);
    let mut problems = Vec::new();
    if result.status.code() != Some(1) {
        problems.push(format!("{} (expected exit status 1)", result.status));
    }
    if stderr.contains("panicked") {
        problems.push("ukl panicked".into());
    }
    for text in case.expect {
        if !stderr.contains(text) {
            problems.push(format!("the message does not mention `{text}`"));
        }
    }
    if std::fs::read(&output).ok().as_deref() != Some(PREVIOUS_OUTPUT) {
        problems.push("the previous output file was changed".into());
    }
    let leftovers: Vec<String> = std::fs::read_dir(fixtures.dir.path())
        .expect("list the work directory")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().to_string_lossy().into_owned();
            name.ends_with(".ukl-tmp").then_some(name)
        })
        .collect();
    if !leftovers.is_empty() {
        problems.push(format!("temporary files left behind: {leftovers:?}"));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{}: {}\n  args: {:?}\n  stderr: {}",
            case.name,
            problems.join("; "),
            case.args,
            stderr.trim_end().replace('\n', "\n          ")
        )
    })
}

/// Runs every case; returns one report per failed case.
fn failures(fixtures: &Fixtures, cases: &[Case]) -> Vec<String> {
    cases
        .iter()
        .enumerate()
        .filter_map(|(index, case)| check(fixtures, index, case))
        .collect()
}

fn assert_no_failures(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} bad-input cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn bad_inputs_fail_cleanly_with_a_precise_message() {
    let Some(fixtures) = build_fixtures() else {
        return;
    };
    // The fixtures are sound: the good object links, and overwrites the previous output.
    let output = fixtures.write("good-output", PREVIOUS_OUTPUT);
    let status = Command::new(ukl())
        .args(["ld", "-static", "-o"])
        .arg(&output)
        .arg(fixtures.path("ok.o"))
        .status()
        .expect("run ukl");
    assert!(status.success(), "ukl cannot link the unbroken object");
    assert_ne!(std::fs::read(&output).unwrap(), PREVIOUS_OUTPUT);

    let cases = cases(&fixtures);
    assert_no_failures(&failures(&fixtures, &cases), cases.len());
}

/// Inputs that once made ukl panic or that it read silently, found while writing these tests and
/// by fuzzing (`linker/fuzz/regressions`): corrupt objects and archives, link scripts whose
/// addresses overflow, and a TLS symbol outside a TLS section. Each is explained where it is
/// made.
#[test]
fn corrupt_inputs_are_rejected() {
    let Some(fixtures) = build_fixtures() else {
        return;
    };
    let object = Elf(fixtures.read("ok.o"));
    let start = start_symbol(&object);

    // The archive index member's size field runs past the end of the file: the archive is read
    // as empty, and the link fails later for the wrong reason (no `_start`).
    let mut archive = fixtures.read("good.a");
    archive[8 + 48..8 + 58].copy_from_slice(b"9999999999");
    fixtures.write("bad-index-size.a", &archive);

    // The string table of the symbol table lies past the end of the file: every symbol is named
    // "" and ukl panics (index out of bounds in the duplicate-symbol check of resolve.rs).
    let mut elf = Elf(object.0.clone());
    let symtab = elf.section_header_of_type(SHT_SYMTAB);
    let strtab = elf.section_header(elf.u32(symtab + 0x28) as usize);
    fixtures.write("bad-strtab.o", &elf.set_u64(strtab + 0x18, 0xf_ffff_fff0).0);

    // `_start`'s value is near 2^64: address arithmetic overflows (a panic in debug builds).
    let mut elf = Elf(object.0.clone());
    let value = symbol_entry(&elf, start) + 8;
    fixtures.write("huge-value.o", &elf.set_u64(value, 0xffff_ffff_ffff_ff00).0);

    // `_start`'s name offset is outside the string table: the symbol is silently nameless.
    let mut elf = Elf(object.0.clone());
    let name = symbol_entry(&elf, start);
    fixtures.write("bad-name.o", &elf.set_u32(name, 0x0fff_ffff).0);

    // A relocation whose r_offset is near 2^64: `offset + width` wraps around to a small number
    // and passed the bounds check (a panic: slice index out of range).
    let mut elf = Elf(object.0.clone());
    let rela = elf.contents(elf.section_header_of_type(SHT_RELA));
    fixtures.write("wrap-offset.o", &elf.set_u64(rela, u64::MAX - 1).0);

    // .text aligned to 2^63: addresses wrap around when it is placed.
    let mut elf = Elf(object.0.clone());
    let text = elf.section_header_of_type(SHT_PROGBITS);
    fixtures.write("huge-align.o", &elf.set_u64(text + 0x30, 1 << 63).0);

    // A .bss of 2^62 bytes, and a common symbol of 2^62 bytes: no loader can place them.
    let bss = "int zeroed[4];\nvoid _start(void) { zeroed[1] = 1; for (;;) {} }\n";
    assert!(fixtures.compile("bss.o", bss, &["-fno-common"]));
    let mut elf = Elf(fixtures.read("bss.o"));
    let header = elf.section_header_of_type(SHT_NOBITS);
    fixtures.write("huge-bss.o", &elf.set_u64(header + 0x20, 1 << 62).0);
    let common = "int common_array[4];\nvoid _start(void) { common_array[1] = 1; for (;;) {} }\n";
    assert!(fixtures.compile("common.o", common, &["-fcommon"]));
    let mut elf = Elf(fixtures.read("common.o"));
    let symbol = (0..)
        .map(|index| symbol_entry(&elf, index))
        .find(|&entry| elf.u16(entry + 6) == SHN_COMMON)
        .expect("a common symbol");
    fixtures.write("huge-common.o", &elf.set_u64(symbol + 16, 1 << 62).0);

    // Link scripts whose addresses run past 2^64, and a section of 2^63 bytes.
    let code_only = ".globl _start\n_start: jmp _start\n";
    assert!(fixtures.compile("code-only.s.o", code_only, &[]));
    let scripts = [
        (
            "wrap-dot.ld",
            "SECTIONS { . = 0xffffffffffffffff; .text : { *(.text) } }",
        ),
        (
            "wrap-inside.ld",
            "SECTIONS { .text : { *(.text) . += 0xfffffffffffffff0; } }",
        ),
        (
            "huge-section.ld",
            "SECTIONS { .text : { *(.text) . = ALIGN(1 << 63); BYTE(1) } }",
        ),
        (
            "wrap-align.ld",
            "SECTIONS { . = 0x8000000000000001; .text : ALIGN(1 << 63) { *(.text) } }",
        ),
        (
            "align-overflow.ld",
            "SECTIONS { . = 0xfffffffffffffff1; . = ALIGN(16); .text : { *(.text) } }",
        ),
        (
            "huge-bss.ld",
            "SECTIONS { . = 0x400000; .text : { *(.text) } . = ALIGN(0x1000); .bss : { *(.bss) . += 1 << 62; } }",
        ),
    ];
    for (name, text) in scripts {
        fixtures.write(name, text.as_bytes());
    }
    let script = |name: &str| {
        vec![
            "-T".into(),
            fixtures.path(name).into(),
            fixtures.path("code-only.s.o").into(),
        ]
    };

    let mut cases = vec![
        Case {
            name: "archive index size past the end",
            args: vec![
                "--whole-archive".into(),
                fixtures.path("bad-index-size.a").into(),
            ],
            expect: &["bad-index-size.a", "corrupt"],
        },
        Case {
            name: "string table past the end",
            args: vec![fixtures.path("bad-strtab.o").into()],
            expect: &["bad-strtab.o", "corrupt"],
        },
        Case {
            name: "symbol value near 2^64",
            args: vec![fixtures.path("huge-value.o").into()],
            expect: &["huge-value.o", "_start"],
        },
        Case {
            name: "relocation offset near 2^64",
            args: vec![fixtures.path("wrap-offset.o").into()],
            expect: &["wrap-offset.o", "runs past the end"],
        },
        Case {
            name: "section alignment of 2^63",
            args: vec![fixtures.path("huge-align.o").into()],
            expect: &["huge-align.o", ".text", "alignment"],
        },
        Case {
            name: ".bss of 2^62 bytes",
            args: vec![fixtures.path("huge-bss.o").into()],
            expect: &["huge-bss.o", ".bss", "address space"],
        },
        Case {
            name: "common symbol of 2^62 bytes",
            args: vec![fixtures.path("huge-common.o").into()],
            expect: &["huge-common.o", "common_array"],
        },
        Case {
            name: "symbol name outside the string table",
            args: vec![fixtures.path("bad-name.o").into()],
            expect: &["bad-name.o", "corrupt"],
        },
    ];
    cases.extend([
        Case {
            name: "location counter wraps before a section",
            args: script("wrap-dot.ld"),
            expect: &[".text"],
        },
        Case {
            name: "location counter wraps inside a section",
            args: script("wrap-inside.ld"),
            expect: &[".text"],
        },
        Case {
            name: "section of 2^63 bytes",
            args: script("huge-section.ld"),
            expect: &[".text"],
        },
        Case {
            name: "section alignment wraps the address",
            args: script("wrap-align.ld"),
            expect: &[".text", "2^64"],
        },
        Case {
            name: "ALIGN() past 2^64",
            args: script("align-overflow.ld"),
            expect: &["ALIGN(0xfffffffffffffff1, 0x10)", "2^64"],
        },
        Case {
            name: "location counter makes .bss 2^62 bytes",
            args: script("huge-bss.ld"),
            expect: &[".bss", "address space"],
        },
    ]);
    let mut failed = failures(&fixtures, &cases);

    // A TLS symbol defined in .text: GNU ld and ld.lld link it; ukl may link it or reject it,
    // but it panics (subtract with overflow in write.rs's build_symtab).
    let tls_in_text = ".globl _start\n_start: jmp _start\n.type tls_var, @tls_object\n\
                       tls_var: .long 1\n.section .tdata,\"awT\",@progbits\nreal_tls: .long 2\n";
    assert!(fixtures.compile("tls-in-text.s.o", tls_in_text, &[]));
    let result = Command::new(ukl())
        .args(["ld", "-static", "-o"])
        .arg(fixtures.path("tls-in-text"))
        .arg(fixtures.path("tls-in-text.s.o"))
        .output()
        .expect("run ukl");
    if !matches!(result.status.code(), Some(0 | 1)) {
        failed.push(format!(
            "TLS symbol in .text: {}\n  stderr: {}",
            result.status,
            String::from_utf8_lossy(&result.stderr).trim_end()
        ));
    }
    assert_no_failures(&failed, cases.len() + 1);
}
