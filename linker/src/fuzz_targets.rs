//! What each fuzz target of `linker/fuzz` does with its input bytes. The targets are thin
//! wrappers over these functions, and `linker/tests/fuzz_corpus.rs` replays the committed
//! corpus through the same functions on stable Rust. Every function ignores the link's result:
//! errors are expected from random bytes, and only a panic, an abort or a hang is a finding.
//!
//! Each function works in a directory of its caller's (one per fuzzing process), where it
//! rewrites its input files on every call.

use crate::link::{link_to_bytes, Input, LinkOptions};
use crate::unikernel::{link_image, UnikernelOptions};
use object::write::{Object, Relocation, StandardSection, Symbol, SymbolSection};
use object::RelocationKind::{Absolute, Relative};
use object::{
    Architecture, BinaryFormat, Endianness, RelocationEncoding, RelocationFlags, SymbolFlags,
    SymbolKind, SymbolScope,
};
use std::path::{Path, PathBuf};

/// `inputs`: the bytes as an object file, as the only member of an archive linked whole, and as
/// a member extracted on demand (for `main`).
pub fn inputs(dir: &Path, data: &[u8]) {
    let object = write(dir, "fuzz.o", data);
    link_with(dir, vec![(object, false)], None);
    let archive = write(dir, "libfuzz.a", &archive_of("fuzz.o", data));
    link_with(dir, vec![(archive.clone(), true)], None);
    link_with(dir, vec![(archive, false)], None);
}

/// `archive`: the bytes as an ar archive (symbol index, long names, thin or not: whatever they
/// hold) linked with a small object whose `_start` calls `helper`, once with members extracted
/// on demand and once whole.
pub fn archive(dir: &Path, data: &[u8]) {
    let caller = small_object(dir, "caller.o", true);
    let archive = write(dir, "libfuzz.a", data);
    link_with(
        dir,
        vec![(caller.clone(), false), (archive.clone(), false)],
        None,
    );
    link_with(dir, vec![(caller, false), (archive, true)], None);
}

/// `script`: the bytes (if UTF-8) as a link script; when it parses, a small object with code,
/// data, relocations, bss and TLS is linked with it.
pub fn script(dir: &Path, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if crate::script::parse(text).is_err() {
        return;
    }
    let object = small_object(dir, "small.o", false);
    link_with(
        dir,
        vec![(object, false)],
        Some(("fuzz.ld".into(), text.into())),
    );
}

/// `unikernel`: the bytes as the application object of `ukl link --plat kvm` with the pool of
/// `home` (selection, options, checksums, the link and the written image: everything
/// `ukl link` does but the command line).
pub fn unikernel(dir: &Path, home: &Path, data: &[u8]) {
    let object = write(dir, "app.o", data);
    let options = UnikernelOptions {
        home: home.to_path_buf(),
        objects: vec![object],
        platform: "kvm".into(),
        output: dir.join("app.kvm"),
        gc: true,
        ..UnikernelOptions::default()
    };
    let _ = link_image(&options);
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data)
        .unwrap_or_else(|e| panic!("the fuzz harness cannot write {}: {e}", path.display()));
    path
}

fn link_with(dir: &Path, inputs: Vec<(PathBuf, bool)>, script: Option<(String, String)>) {
    let options = LinkOptions {
        inputs: inputs
            .into_iter()
            .map(|(path, whole_archive)| Input {
                path,
                whole_archive,
            })
            .collect(),
        output: dir.join("image"),
        undefined: vec!["main".into()],
        script,
        ..LinkOptions::default()
    };
    let _ = link_to_bytes(&options);
}

/// A GNU ar archive without a symbol index that holds `data` as `name`.
pub fn archive_of(name: &str, data: &[u8]) -> Vec<u8> {
    let mut archive = b"!<arch>\n".to_vec();
    let header = format!(
        "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
        format!("{name}/"),
        0,
        0,
        0,
        644,
        data.len()
    );
    archive.extend_from_slice(header.as_bytes());
    archive.extend_from_slice(data);
    if data.len() % 2 == 1 {
        archive.push(b'\n');
    }
    archive
}

/// Writes (once) `dir/name`: `_start` (in .text) loads `counter` (in .data) PC-relatively and,
/// with `call_helper`, calls the undefined `helper`; `table` (in .rodata) holds the address of
/// `_start`; there is .bss and .tbss.
fn small_object(dir: &Path, name: &str, call_helper: bool) -> PathBuf {
    let path = dir.join(name);
    if path.exists() {
        return path;
    }
    let mut object = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let text = object.section_id(StandardSection::Text);
    let data = object.section_id(StandardSection::Data);
    let rodata = object.section_id(StandardSection::ReadOnlyData);
    let bss = object.section_id(StandardSection::UninitializedData);
    let tbss = object.section_id(StandardSection::UninitializedTls);
    // mov counter(%rip), %eax; call helper; jmp .
    let code = [0x8b, 0x05, 0, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0xeb, 0xfe];
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
    let mut relocations = vec![
        (text, start_offset + 2, counter, Relative, 32, -4),
        (rodata, table_offset, start, Absolute, 64, 0),
    ];
    if call_helper {
        let helper = object.add_symbol(Symbol {
            name: b"helper".to_vec(),
            value: 0,
            size: 0,
            kind: SymbolKind::Text,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Undefined,
            flags: SymbolFlags::None,
        });
        relocations.push((text, start_offset + 7, helper, Relative, 32, -4));
    }
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
            .expect("a relocation of a small object");
    }
    let bytes = object.write().expect("a small object");
    write(dir, name, &bytes)
}
