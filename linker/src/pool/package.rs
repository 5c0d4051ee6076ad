//! Packaging: the object members of a library's cargo artifacts become one reproducible GNU
//! archive, `prebuilt/<arch>/<name>-<version>.a`.
//!
//! Members are taken from the library's rlib (or, for `rust_rt`, its staticlib) and from the
//! rlibs of the third-party crates it depends on, skipping `lib.rmeta` and anything that is not
//! an ELF object; an archive nested in an rlib (a bundled native library) is read recursively.
//! Member names are the original names, de-duplicated with a `.<n>` suffix, and the members are
//! sorted by name.
//!
//! The archive is written here rather than with the `ar` crate: its `GnuBuilder` (0.9) cannot
//! write a symbol index, which ld and lld need to use the archive, so this module writes the GNU
//! format itself: `!<arch>\n`, the `/` symbol index (big-endian count and member offsets, then
//! NUL-terminated names), the `//` long-name table when a name exceeds 15 bytes, then the
//! members, each with mtime, uid and gid 0 and mode 644. As GNU ar does, the index and the
//! long-name table are padded to an even size inside the member (readelf rejects an archive
//! whose long-name table has an odd size).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use object::elf;
use object::read::archive::ArchiveFile;
use object::read::elf::{FileHeader, SectionHeader};
use object::LittleEndian as LE;

use super::compile::CrateArtifacts;
use super::localize;
use super::verify::{self, ExportCheck};
use super::{ExportList, PoolError, RegistryEntry, SectionSizes};

/// One library after packaging, before anything is written.
#[derive(Debug)]
pub(crate) struct PackagedLibrary {
    pub archive: Vec<u8>,
    pub member_names: Vec<String>,
    pub exports: BTreeSet<String>,
    /// The member that defines each export.
    pub export_members: BTreeMap<String, String>,
    pub imports: BTreeSet<String>,
    /// Names that were exported by no pattern and are now private (localized or renamed).
    pub privatized: BTreeSet<String>,
    pub localized: usize,
    pub renamed: usize,
    pub size: SectionSizes,
    pub check: ExportCheck,
}

/// Builds one library's archive: collect members, privatize, check exports, write.
pub(crate) fn package_library(
    entry: &RegistryEntry,
    artifacts: &CrateArtifacts,
    exports: &ExportList,
    exports_file: &Path,
) -> Result<PackagedLibrary, PoolError> {
    let library = entry.name.as_str();
    let mut members = Vec::new();
    for path in std::iter::once(&artifacts.library).chain(&artifacts.dependencies) {
        let data = std::fs::read(path).map_err(|e| PoolError::io(path, "read", e))?;
        collect_members(&data, &mut members).map_err(|message| PoolError::Object {
            library: library.to_string(),
            member: path.display().to_string(),
            message,
        })?;
    }
    let mut members = unique_sorted(members);
    let privatized =
        localize::privatize(library, &mut members, exports).map_err(|(member, message)| {
            PoolError::Object {
                library: library.to_string(),
                member,
                message,
            }
        })?;

    let archive = write_gnu_archive(&members).map_err(|(member, message)| PoolError::Object {
        library: library.to_string(),
        member,
        message,
    })?;
    // Everything below reads the archive just written, so the checks see what links will see.
    let contents = verify::read_archive(library, &archive)?;
    let mut check = verify::check_symbols(library, &contents.defined, exports, exports_file)?;
    if members.is_empty() {
        check.warnings.push(format!(
            "library {library}: {} holds no object file",
            artifacts.library.display()
        ));
    }
    let imports = contents
        .undefined
        .difference(&contents.all_defined)
        .cloned()
        .collect();
    let localized = privatized.localized.len();
    let renamed = privatized.renamed.len();
    Ok(PackagedLibrary {
        archive,
        member_names: members.iter().map(|(name, _)| name.clone()).collect(),
        exports: contents.defined,
        export_members: contents.defined_in,
        imports,
        privatized: privatized
            .localized
            .into_iter()
            .chain(privatized.renamed)
            .collect(),
        localized,
        renamed,
        size: contents.size,
        check,
    })
}

/// Appends the ELF object members of archive `data` to `out` (name, bytes).
fn collect_members(data: &[u8], out: &mut Vec<(String, Vec<u8>)>) -> Result<(), String> {
    let archive = ArchiveFile::parse(data).map_err(|e| format!("not an archive: {e}"))?;
    for member in archive.members() {
        let member = member.map_err(|e| format!("bad archive member: {e}"))?;
        let name = String::from_utf8_lossy(member.name()).into_owned();
        let bytes = member
            .data(data)
            .map_err(|e| format!("member {name}: {e}"))?;
        if bytes.starts_with(b"!<arch>\n") {
            collect_members(bytes, out)?;
        } else if bytes.starts_with(&elf::ELFMAG) && name != "lib.rmeta" {
            out.push((name.replace('/', "_"), bytes.to_vec()));
        }
    }
    Ok(())
}

/// Sorts members by name, renaming the second and later members of a name to `<name>.<n>` (in
/// the order they were found, which is deterministic).
fn unique_sorted(members: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut renamed = Vec::with_capacity(members.len());
    for (name, data) in members {
        let count = seen.entry(name.clone()).or_insert(0);
        *count += 1;
        let unique = if *count == 1 {
            name
        } else {
            format!("{name}.{}", *count - 1)
        };
        renamed.push((unique, data));
    }
    renamed.sort_by(|a, b| a.0.cmp(&b.0));
    renamed
}

/// Sizes of allocated sections of one ELF object (see [`SectionSizes`]).
pub(crate) fn section_sizes(data: &[u8]) -> Result<SectionSizes, String> {
    localize::with_aligned(data, section_sizes_aligned)
}

fn section_sizes_aligned(data: &[u8]) -> Result<SectionSizes, String> {
    let header = elf::FileHeader64::<LE>::parse(data).map_err(|e| e.to_string())?;
    let mut sizes = SectionSizes::default();
    for section in header
        .section_headers(LE, data)
        .map_err(|e| e.to_string())?
    {
        let flags = section.sh_flags(LE);
        if flags & u64::from(elf::SHF_ALLOC) == 0 {
            continue;
        }
        let size = section.sh_size(LE);
        if section.sh_type(LE) == elf::SHT_NOBITS {
            sizes.bss += size;
        } else if flags & u64::from(elf::SHF_EXECINSTR) != 0 {
            sizes.text += size;
        } else {
            sizes.data += size;
        }
    }
    Ok(sizes)
}

/// Writes a GNU archive of `members` (already sorted and uniquely named) with a symbol index of
/// every global symbol they define. Errors name the member.
pub(crate) fn write_gnu_archive(
    members: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, (String, String)> {
    let mut index_symbols: Vec<Vec<String>> = Vec::with_capacity(members.len());
    for (name, data) in members {
        let symbols = localize::symbols(data).map_err(|message| (name.clone(), message))?;
        index_symbols.push(
            symbols
                .into_iter()
                .filter(|symbol| symbol.is_global() && symbol.defined)
                .map(|symbol| symbol.name)
                .collect(),
        );
    }

    // The `//` table: names longer than 15 bytes, each as `name/\n`.
    let mut long_names = Vec::new();
    let mut identifiers = Vec::with_capacity(members.len());
    for (name, _) in members {
        if name.len() <= 15 {
            identifiers.push(format!("{name}/"));
        } else {
            identifiers.push(format!("/{}", long_names.len()));
            long_names.extend_from_slice(name.as_bytes());
            long_names.extend_from_slice(b"/\n");
        }
    }

    let symbol_count: usize = index_symbols.iter().map(Vec::len).sum();
    let names_size: usize = index_symbols
        .iter()
        .flatten()
        .map(|name| name.len() + 1)
        .sum();
    // Even sizes inside the members, padded with a NUL and a `\n` (see the module text).
    let index_size = (4 + 4 * symbol_count + names_size).next_multiple_of(2);
    if long_names.len() % 2 == 1 {
        long_names.push(b'\n');
    }
    let mut offset = 8 + 60 + padded(index_size);
    if !long_names.is_empty() {
        offset += 60 + padded(long_names.len());
    }
    let mut member_offsets = Vec::with_capacity(members.len());
    for (_, data) in members {
        member_offsets.push(offset);
        offset += 60 + padded(data.len());
    }
    let too_large = || {
        (
            "(archive)".to_string(),
            "archive larger than 4 GiB".to_string(),
        )
    };
    if u32::try_from(offset).is_err() {
        return Err(too_large());
    }

    let mut out = Vec::with_capacity(offset);
    out.extend_from_slice(b"!<arch>\n");
    let mut index = Vec::with_capacity(index_size);
    index.extend_from_slice(&(symbol_count as u32).to_be_bytes());
    for (member, symbols) in index_symbols.iter().enumerate() {
        for _ in symbols {
            index.extend_from_slice(&(member_offsets[member] as u32).to_be_bytes());
        }
    }
    for name in index_symbols.iter().flatten() {
        index.extend_from_slice(name.as_bytes());
        index.push(0);
    }
    index.resize(index_size, 0);
    push_member(&mut out, "/", Some("0"), &index);
    if !long_names.is_empty() {
        push_member(&mut out, "//", None, &long_names);
    }
    for ((_, data), identifier) in members.iter().zip(&identifiers) {
        push_member(&mut out, identifier, Some("644"), data);
    }
    debug_assert_eq!(out.len(), offset);
    Ok(out)
}

fn padded(size: usize) -> usize {
    size + (size & 1)
}

/// A member header and its data, padded to an even size with `\n`. `mode` `None` leaves the
/// date, owner and mode fields blank, as GNU ar does for the long-name table.
fn push_member(out: &mut Vec<u8>, identifier: &str, mode: Option<&str>, data: &[u8]) {
    let field = |out: &mut Vec<u8>, text: &str, width: usize| {
        out.extend_from_slice(text.as_bytes());
        out.extend(std::iter::repeat_n(b' ', width - text.len()));
    };
    field(out, identifier, 16);
    match mode {
        Some(mode) => {
            field(out, "0", 12); // mtime
            field(out, "0", 6); // uid
            field(out, "0", 6); // gid
            field(out, mode, 8);
        }
        None => field(out, "", 32),
    }
    field(out, &data.len().to_string(), 10);
    out.extend_from_slice(b"`\n");
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(b'\n');
    }
}
