//! The link driver: runs the phases in order (inputs → symbol resolution → section assignment
//! → garbage collection → layout → relocation and writing) and writes the image.

use crate::eh_frame::{self, EhFrameEdit};
use crate::error::Result;
use crate::gc::{self, GcInput, RootKind};
use crate::input::InputFile;
use crate::layout::{self, LayoutInput, Piece};
use crate::link_error;
use crate::object_file::SectionKind;
use crate::output;
use crate::relocate;
use crate::resolve::{self, InputSpec};
use crate::script::{self, ast};
use crate::symbols::Definition;
use crate::write::{self, WriteOptions};
use rustc_hash::FxHashMap;
use std::path::PathBuf;

const DEFAULT_SCRIPT: &str = include_str!("default.ld");

/// One input file in command-line order.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub whole_archive: bool,
}

/// Everything a link needs; the `ld` front-end and `ukl link` both build one of these.
#[derive(Debug, Clone, Default)]
pub struct LinkOptions {
    pub inputs: Vec<Input>,
    pub output: PathBuf,
    /// Link script text and where it came from (for messages); `None` for the default layout.
    pub script: Option<(String, String)>,
    pub entry: Option<String>,
    pub undefined: Vec<String>,
    pub keep: Vec<String>,
    pub gc_sections: bool,
    pub strip_all: bool,
    pub strip_debug: bool,
    /// Drop the debug sections of archive members only, keeping those of plain objects (the
    /// application's, for a debugger).
    pub strip_archive_debug: bool,
    pub build_id: bool,
    /// Write `.eh_frame_hdr` and `PT_GNU_EH_FRAME` (`--eh-frame-hdr`).
    pub eh_frame_hdr: bool,
    pub map: Option<PathBuf>,
    /// Inputs (as given in `inputs`) whose code's `hlt` instructions are written as `int3`: a
    /// user-space C library linked into a ring-0 image (see [`crate::hlt_trap`]).
    pub trap_hlt_in: Vec<PathBuf>,
    /// The file `script` was read from (`-T`), an input that no output may overwrite.
    pub script_file: Option<PathBuf>,
    /// Other files read for this link (a manifest), which no output may overwrite either.
    pub other_inputs: Vec<PathBuf>,
    /// Files written after the image by the caller (a platform's companion configuration):
    /// refused like the image if they are inputs.
    pub also_written: Vec<PathBuf>,
    /// Text appended to the map file (the caller's decisions).
    pub map_appendix: String,
}

/// What a link produced.
#[derive(Debug, Clone)]
pub struct LinkReport {
    pub output: PathBuf,
    pub size: u64,
    pub entry: u64,
    pub objects: usize,
}

pub fn parse_script(origin: &str, text: &str) -> Result<ast::Script> {
    script::parse(text).map_err(|e| {
        link_error!("link script `{origin}`: {e}")
            .help("ukl accepts the subset of GNU ld script syntax described in docs/linker.md")
    })
}

/// Links and writes the image to `options.output`.
pub fn link(options: &LinkOptions) -> Result<LinkReport> {
    link_checked(options, || Ok(()))
}

/// Every file this link reads: objects, archives, the link script, other inputs.
pub fn input_paths(options: &LinkOptions) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = options.inputs.iter().map(|i| i.path.clone()).collect();
    inputs.extend(options.script_file.iter().cloned());
    inputs.extend(options.other_inputs.iter().cloned());
    inputs
}

/// Every file this link writes: the image, the map, the caller's companions.
pub fn output_paths(options: &LinkOptions) -> Vec<PathBuf> {
    let mut outputs = vec![options.output.clone()];
    outputs.extend(options.map.iter().cloned());
    outputs.extend(options.also_written.iter().cloned());
    outputs
}

/// Links while `check` runs on another thread (e.g. verifying the archives' checksums); the
/// image is written only if both succeed, so a failed check never leaves an image behind. An
/// output that is also an input is refused before anything is read or written.
pub fn link_checked(
    options: &LinkOptions,
    check: impl FnOnce() -> Result<()> + Send,
) -> Result<LinkReport> {
    output::refuse_inputs_as_outputs(&output_paths(options), &input_paths(options))?;
    let (image, checked) = std::thread::scope(|scope| {
        let checker = scope.spawn(check);
        let image = link_to_bytes(options);
        let checked = checker
            .join()
            .unwrap_or_else(|_| Err(link_error!("internal error: the input check panicked")));
        (image, checked)
    });
    checked?;
    let image = image?;
    write_output(&options.output, &image.bytes)?;
    if let Some(map_path) = &options.map {
        let mut map = image.map.into_bytes();
        map.extend_from_slice(options.map_appendix.as_bytes());
        output::write_atomically(map_path, &map, output::REGULAR)?;
    }
    Ok(LinkReport {
        output: options.output.clone(),
        size: image.bytes.len() as u64,
        entry: image.entry,
        objects: image.objects,
    })
}

pub struct Image {
    pub bytes: Vec<u8>,
    pub map: String,
    pub entry: u64,
    pub objects: usize,
}

pub fn link_to_bytes(options: &LinkOptions) -> Result<Image> {
    let script = match &options.script {
        Some((origin, text)) => parse_script(origin, text)?,
        None => parse_script("<default>", DEFAULT_SCRIPT)?,
    };
    if options.inputs.is_empty() {
        return Err(link_error!("no input files").help("name the objects and archives to link"));
    }
    let files: Vec<InputFile> = options
        .inputs
        .iter()
        .map(|i| InputFile::open(&i.path))
        .collect::<Result<_>>()?;
    let specs: Vec<InputSpec> = options
        .inputs
        .iter()
        .enumerate()
        .map(|(file, i)| InputSpec {
            file,
            whole_archive: i.whole_archive,
        })
        .collect();

    let entry_name = options
        .entry
        .clone()
        .or_else(|| script.entry().map(str::to_string));
    let mut root_names: Vec<String> = Vec::new();
    match &entry_name {
        Some(e) => root_names.push(e.clone()),
        // Without an entry, `_start` is the entry if something defines it.
        None => root_names.push("_start".to_string()),
    }
    root_names.extend(options.undefined.iter().cloned());
    root_names.extend(options.keep.iter().cloned());
    for command in &script.commands {
        if let ast::Command::Extern(names) = command {
            root_names.extend(names.iter().cloned());
        }
    }
    let mut assigned_names: Vec<String> = Vec::new();
    collect_assigned(&script, &mut assigned_names);
    let roots: Vec<&[u8]> = root_names.iter().map(|s| s.as_bytes()).collect();
    let linker_defined: Vec<&[u8]> = assigned_names.iter().map(|s| s.as_bytes()).collect();
    let resolved = resolve::resolve(&files, &specs, &roots, &linker_defined)?;
    let mut objects = resolved.objects;
    let mut symbols = resolved.symbols;
    // Any reference marks the symbol referenced (for PROVIDE).
    mark_referenced(&objects, &mut symbols);

    if let Some(e) = &entry_name {
        let defined = symbols.lookup(e.as_bytes()).is_some_and(|id| {
            matches!(
                symbols.get(id).def,
                Definition::Defined { .. } | Definition::Linker | Definition::Common { .. }
            )
        });
        if !defined && e.parse::<u64>().is_err() && !e.starts_with("0x") {
            return Err(link_error!("entry symbol `{e}` is not defined")
                .help("define it, or name another entry point with -e / ENTRY()"));
        }
    }

    // Section assignment, then garbage collection.
    let placeholder_input = LayoutInput {
        script: &script,
        strip_debug: options.strip_debug || options.strip_all,
        strip_archive_debug: options.strip_archive_debug,
        got_slots: 0,
        ifuncs: 0,
        eh_frame_hdr: None,
        build_id: options.build_id,
        entry_override: options.entry.clone(),
        live_commons: &[],
    };
    let assigned = layout::assign(&mut objects, &placeholder_input)?;
    let mut root_symbols = Vec::new();
    let entry_symbol = entry_name.as_deref().unwrap_or("_start");
    if let Some(id) = symbols.lookup(entry_symbol.as_bytes()) {
        root_symbols.push((id, RootKind::Entry));
    }
    for name in options.undefined.iter().chain(&options.keep) {
        if let Some(id) = symbols.lookup(name.as_bytes()) {
            root_symbols.push((id, RootKind::KeepSymbol));
        }
    }
    // Symbols the script's expressions use keep their sections.
    for name in script.referenced_symbols() {
        if let Some(id) = symbols.lookup(name.as_bytes()) {
            root_symbols.push((id, RootKind::KeepSymbol));
        }
    }
    let by_name = section_name_index(&objects);
    let (eh_edges, eh_roots) = eh_frame::gc_edges(&objects, &symbols);
    let mut keep_sections = assigned.keep.clone();
    keep_sections.extend(eh_roots);
    let start_stop = |name: &[u8]| by_name.get(name).cloned().unwrap_or_default();
    let gc_result = gc::collect(
        &mut objects,
        &symbols,
        GcInput {
            enabled: options.gc_sections,
            root_symbols,
            keep_sections: &keep_sections,
            start_stop: &start_stop,
            extra_edges: &eh_edges,
        },
    );

    // .eh_frame records of collected functions go too.
    let mut eh: FxHashMap<(u32, u32), EhFrameEdit> = FxHashMap::default();
    for (oi, object) in objects.iter().enumerate() {
        for (si, section) in object.sections.iter().enumerate() {
            if section.kind == SectionKind::EhFrame && section.live {
                let edit = eh_frame::filter(&objects, &gc_result.reasons, oi, si, &symbols)?;
                eh.insert((oi as u32, si as u32), edit);
            }
        }
    }
    let eh_sizes: FxHashMap<(u32, u32), u64> = eh.iter().map(|(k, v)| (*k, v.size)).collect();

    let got = relocate::scan(&objects, &symbols);
    let has_eh_frame = eh.values().any(|e| e.size > 0);
    let fdes = (options.eh_frame_hdr && has_eh_frame)
        .then(|| eh.values().map(|e| e.fde_count()).sum::<usize>());
    let layout_input = LayoutInput {
        eh_frame_hdr: fdes,
        got_slots: got.slots.len() as u32,
        ifuncs: got.ifuncs.len() as u32,
        live_commons: &gc_result.live_commons,
        ..placeholder_input
    };
    // Common symbols join the assignment now that liveness is known.
    let mut assigned = assigned;
    layout::add_synthetic(
        &mut assigned,
        &gc_result.live_commons,
        layout_input.got_slots,
        layout_input.ifuncs,
        fdes.is_some(),
        options.build_id,
    );
    let mut layout = layout::finish(assigned, &objects, &mut symbols, &layout_input, &eh_sizes)?;
    layout::apply_to_objects(&layout, &mut objects);

    // Final addresses of global symbols.
    for id in 0..symbols.syms.len() {
        let def = symbols.syms[id].def;
        match def {
            Definition::Defined { object, sym } => {
                symbols.syms[id].address =
                    layout::local_symbol_address(&objects, &layout, object as usize, sym as usize)
                        .unwrap_or(0);
            }
            Definition::Common { .. } => {}
            _ => {}
        }
    }
    for os in &layout.sections {
        for (piece, offset) in os.pieces.iter().zip(&os.piece_offsets) {
            if let Piece::Common { symbol } = piece {
                symbols.get_mut(*symbol).address = os.addr + offset;
            }
        }
    }
    // IFUNC symbols stand for their stubs.
    for (index, key) in got.ifuncs.iter().enumerate() {
        if let relocate::GotKey::Global(id) = key {
            symbols.get_mut(*id).address = relocate::iplt_address(&layout, index as u32);
        }
    }
    define_linker_symbols(&layout, &mut symbols);
    layout.entry = match &entry_name {
        Some(e) => match symbols.lookup(e.as_bytes()) {
            Some(id) => symbols.get(id).address,
            None => parse_number(e).unwrap_or(0),
        },
        // Like GNU ld: `_start` if it is defined, else the start of `.text`.
        None => match symbols.lookup(b"_start").map(|id| symbols.get(id)) {
            Some(sym) if !matches!(sym.def, Definition::Undefined | Definition::Lazy { .. }) => {
                sym.address
            }
            _ => layout
                .sections
                .iter()
                .find(|s| s.emitted && s.name == ".text")
                .map(|s| s.addr)
                .unwrap_or(0),
        },
    };

    let trap_files: Vec<String> = options
        .trap_hlt_in
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let hlt_sites = crate::hlt_trap::find(&objects, &trap_files);
    let bytes = write::write_image(
        &mut layout,
        &objects,
        &symbols,
        &got,
        &eh,
        &WriteOptions {
            strip_all: options.strip_all,
            eh_frame_fdes: fdes,
            hlt_sites: &hlt_sites,
        },
    )?;
    let map = if options.map.is_some() {
        crate::map::render(&layout, &objects, &symbols, &gc_result.reasons)
    } else {
        String::new()
    };
    Ok(Image {
        bytes,
        map,
        entry: layout.entry,
        objects: objects.len(),
    })
}

fn parse_number(text: &str) -> Option<u64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Names of the symbols [`define_linker_symbols`] provides: an application that references one
/// (gcc references `_GLOBAL_OFFSET_TABLE_` from any TLS access) needs no library for it.
pub const LINKER_SYMBOLS: [&str; 5] = [
    "__rela_iplt_start",
    "__rela_iplt_end",
    "__ehdr_start",
    "__executable_start",
    "_GLOBAL_OFFSET_TABLE_",
];

/// Symbols the linker itself provides when they are referenced and nothing defines them.
fn define_linker_symbols(layout: &layout::Layout, symbols: &mut crate::symbols::SymbolTable<'_>) {
    let headers = layout
        .segments
        .iter()
        .find(|s| s.p_type == object::elf::PT_LOAD && s.headers && s.offset == 0)
        .map(|s| s.vaddr);
    let got = layout.got.map(|g| g.1);
    let rela_start = layout.rela_iplt.or(Some(0));
    let rela_end = rela_start.map(|s| s + 24 * u64::from(layout.ifuncs));
    let provided: [(&[u8], Option<u64>); 5] = [
        (b"__rela_iplt_start", rela_start),
        (b"__rela_iplt_end", rela_end),
        (b"__ehdr_start", headers),
        (b"__executable_start", headers),
        (b"_GLOBAL_OFFSET_TABLE_", got.or(Some(0))),
    ];
    for (name, value) in provided {
        let (Some(id), Some(value)) = (symbols.lookup(name), value) else {
            continue;
        };
        let sym = symbols.get_mut(id);
        if matches!(sym.def, Definition::Undefined | Definition::Lazy { .. }) {
            sym.def = Definition::Linker;
            sym.address = value;
            sym.hidden = true;
        }
    }
}

fn mark_referenced(
    objects: &[crate::object_file::ObjectFile<'_>],
    symbols: &mut crate::symbols::SymbolTable<'_>,
) {
    use object::read::elf::Sym;
    for object in objects {
        for (i, &id) in object.globals.iter().enumerate() {
            let sym = object.sym(object.first_global + i);
            if sym.is_undefined(crate::object_file::LE) {
                symbols.get_mut(id).referenced = true;
            }
        }
    }
}

fn collect_assigned(script: &ast::Script, out: &mut Vec<String>) {
    // PROVIDE'd symbols are not listed: objects and archives define them first.
    let mut push = |a: &ast::Assignment| {
        if a.target != "." && matches!(a.provide, ast::Provide::None | ast::Provide::Hidden) {
            out.push(a.target.clone());
        }
    };
    for command in &script.commands {
        match command {
            ast::Command::Assignment(a) => push(a),
            ast::Command::Sections(list) => {
                for item in list {
                    match item {
                        ast::SectionsCommand::Assignment(a) => push(a),
                        ast::SectionsCommand::Output(os) => {
                            for item in &os.items {
                                if let ast::OutputItem::Assignment(a) = item {
                                    push(a);
                                }
                            }
                        }
                        ast::SectionsCommand::Assert(_) => {}
                    }
                }
            }
            _ => {}
        }
    }
}

fn section_name_index<'a>(
    objects: &[crate::object_file::ObjectFile<'a>],
) -> FxHashMap<&'a [u8], Vec<(u32, u32)>> {
    let mut map: FxHashMap<&'a [u8], Vec<(u32, u32)>> = FxHashMap::default();
    for (oi, object) in objects.iter().enumerate() {
        for (si, section) in object.sections.iter().enumerate() {
            if section.kind == SectionKind::Alloc && gc::is_c_identifier(section.name) {
                map.entry(section.name)
                    .or_default()
                    .push((oi as u32, si as u32));
            }
        }
    }
    map
}

/// Writes an image to `path` as [`output::write_atomically`] does (exclusive temporary beside
/// it, synced, renamed into place), executable less the umask.
pub fn write_output(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    output::write_atomically(path, bytes, output::EXECUTABLE)
}
