//! Fuzzes the link script parser, and the layout phases with every script that parses: a small
//! object with code, data, a relocation, bss and TLS is linked with it. Any result is fine
//! except a panic, an abort or a hang.

#![no_main]

use libfuzzer_sys::fuzz_target;
use object::write::{Object, Relocation, StandardSection, Symbol, SymbolSection};
use object::RelocationKind::{Absolute, Relative};
use object::{
    Architecture, BinaryFormat, Endianness, RelocationEncoding, RelocationFlags, SymbolFlags,
    SymbolKind, SymbolScope,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use ukl::link::{link_to_bytes, Input, LinkOptions};

/// The object every parsed script links, written once per fuzzing process.
fn object_path() -> &'static Path {
    static OBJECT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = OBJECT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let path = dir.path().join("small.o");
        std::fs::write(&path, small_object()).expect("write the object");
        (dir, path)
    });
    path
}

/// `_start` (in .text) loads `counter` (in .data) PC-relatively, `table` (in .rodata) holds the
/// address of `_start`, and there is .bss and .tbss.
fn small_object() -> Vec<u8> {
    let mut object = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let text = object.section_id(StandardSection::Text);
    let data = object.section_id(StandardSection::Data);
    let rodata = object.section_id(StandardSection::ReadOnlyData);
    let bss = object.section_id(StandardSection::UninitializedData);
    let tbss = object.section_id(StandardSection::UninitializedTls);
    // mov counter(%rip), %eax; jmp .
    let code = [0x8b, 0x05, 0, 0, 0, 0, 0xeb, 0xfe];
    let start_offset = object.append_section_data(text, &code, 16);
    let counter_offset = object.append_section_data(data, &7u32.to_le_bytes(), 4);
    let table_offset = object.append_section_data(rodata, &[0; 8], 8);
    object.append_section_bss(bss, 4096, 64);
    object.append_section_bss(tbss, 8, 8);
    let mut define = |name: &str, section, value, kind| {
        object.add_symbol(Symbol {
            name: name.as_bytes().to_vec(),
            value,
            size: 0,
            kind,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(section),
            flags: SymbolFlags::None,
        })
    };
    let start = define("_start", text, start_offset, SymbolKind::Text);
    let counter = define("counter", data, counter_offset, SymbolKind::Data);
    define("table", rodata, table_offset, SymbolKind::Data);
    let relocations = [
        (text, start_offset + 2, counter, Relative, 32, -4),
        (rodata, table_offset, start, Absolute, 64, 0),
    ];
    for (section, offset, symbol, kind, size, addend) in relocations {
        object
            .add_relocation(
                section,
                Relocation {
                    offset,
                    symbol,
                    addend,
                    flags: RelocationFlags::Generic {
                        kind,
                        encoding: RelocationEncoding::Generic,
                        size,
                    },
                },
            )
            .expect("add a relocation");
    }
    object.write().expect("write the object")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if ukl::script::parse(text).is_err() {
        return;
    }
    let options = LinkOptions {
        inputs: vec![Input {
            path: object_path().to_path_buf(),
            whole_archive: false,
        }],
        output: PathBuf::from("unused"),
        script: Some(("fuzz.ld".into(), text.into())),
        ..LinkOptions::default()
    };
    // Errors are expected; only panics and aborts are findings.
    let _ = link_to_bytes(&options);
});
