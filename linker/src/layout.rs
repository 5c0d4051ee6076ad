//! Layout: input sections are assigned to output sections by the link script's patterns (first
//! match wins, orphans go after the output section most like them), the script is evaluated to
//! give every output section and script symbol an address, and program headers are planned.

use crate::error::{LinkError, Result};
use crate::link_error;
use crate::object_file::{ObjectFile, SectionKind, LE};
use crate::script::ast::{self, Assignment, DataSize, Expr, OutputItem, SectionsCommand, SortKind};
use crate::script::expr::{align_up, checked_align_up, EvalContext};
use crate::script::glob::FileRef;
use crate::symbols::{Definition, SymbolTable};
use object::elf;
use object::read::elf::Sym;
use rustc_hash::FxHashMap;

pub const PAGE_SIZE: u64 = 0x1000;
/// The largest section contents ukl writes (4 GiB): larger is a script mistake.
const MAX_SECTION_BYTES: u64 = 1 << 32;
/// The largest image file ukl writes: 4 GiB (an image is built in memory before it is written).
pub const MAX_IMAGE_BYTES: u64 = 1 << 32;
const EHDR_SIZE: u64 = 64;
const PHDR_SIZE: u64 = 56;

/// What an output section is made of, in order.
#[derive(Debug, Clone)]
pub enum Piece {
    Input {
        object: u32,
        section: u32,
    },
    Common {
        symbol: u32,
    },
    Got,
    /// `jmp *slot(%rip)` stubs that stand for IFUNC symbols (16 bytes each).
    Iplt,
    /// The slots those stubs jump through, filled by the C library at start-up.
    IgotPlt,
    /// `R_X86_64_IRELATIVE` entries for the start-up code (`__rela_iplt_start`..`_end`).
    RelaIplt,
    /// `.eh_frame_hdr`: the binary-search table over `.eh_frame` (`--eh-frame-hdr`).
    EhFrameHdr,
    BuildId,
    Assign(Assignment),
    Data {
        size: DataSize,
        expr: Expr,
    },
}

#[derive(Debug, Clone)]
pub struct OutputSection {
    pub name: String,
    pub sh_type: u32,
    pub flags: u64,
    pub align: u64,
    pub addr: u64,
    pub lma: u64,
    pub size: u64,
    pub offset: u64,
    pub pieces: Vec<Piece>,
    /// The script's definition (address, AT, ALIGN, phdrs), if it came from the script.
    pub def: Option<ast::OutputSection>,
    /// Emitted into the image (has content or data commands).
    pub emitted: bool,
    /// Section header index in the output, 0 when not emitted.
    pub index: u32,
    /// Offset of each piece inside the section, parallel to `pieces`.
    pub piece_offsets: Vec<u64>,
}

/// The scalar fields of an output section, copied out so that sections can be updated while
/// one is being examined.
#[derive(Debug, Clone)]
struct SectionHeaderView {
    name: String,
    sh_type: u32,
    flags: u64,
    align: u64,
    addr: u64,
    size: u64,
    emitted: bool,
}

impl OutputSection {
    fn clone_header(&self) -> SectionHeaderView {
        SectionHeaderView {
            name: self.name.clone(),
            sh_type: self.sh_type,
            flags: self.flags,
            align: self.align,
            addr: self.addr,
            size: self.size,
            emitted: self.emitted,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub paddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
    pub headers: bool,
    pub sections: Vec<usize>,
}

/// One step of the script, in evaluation order.
#[derive(Debug, Clone)]
enum Step {
    Assign(Assignment),
    Assert(ast::Assert),
    Section(usize),
}

pub struct LayoutInput<'s> {
    pub script: &'s ast::Script,
    pub strip_debug: bool,
    /// Drop debug sections of archive members only.
    pub strip_archive_debug: bool,
    pub got_slots: u32,
    pub ifuncs: u32,
    /// FDEs in the output, when `--eh-frame-hdr` asks for a search table.
    pub eh_frame_hdr: Option<usize>,
    pub build_id: bool,
    pub entry_override: Option<String>,
    pub live_commons: &'s [u32],
}

pub struct Layout {
    pub sections: Vec<OutputSection>,
    pub segments: Vec<Segment>,
    pub entry: u64,
    pub entry_name: Option<String>,
    /// (start, file size, memory size, alignment) of the TLS template.
    pub tls: Option<(u64, u64, u64, u64)>,
    pub got: Option<(usize, u64)>,
    /// Addresses of the IFUNC stubs, their slots and their IRELATIVE entries.
    pub iplt: Option<u64>,
    pub eh_frame_hdr: Option<u64>,
    pub igot: Option<u64>,
    pub rela_iplt: Option<u64>,
    pub ifuncs: u32,
    pub build_id: Option<(usize, u64)>,
    pub headers_size: u64,
    pub file_size: u64,
    /// Symbols defined by the script or the linker, with their final values.
    pub script_symbols: Vec<(String, u64, bool)>,
}

/// The TLS template: (start address, file size, memory size, alignment).
pub type Tls = (u64, u64, u64, u64);

impl Layout {
    pub fn tls_pointer(&self) -> u64 {
        match self.tls {
            Some((start, _, memsz, align)) => align_up(start + memsz, align),
            None => 0,
        }
    }
}

impl Piece {
    /// For a piece the linker synthesizes: its section flags, alignment and section type.
    fn synthetic(&self) -> Option<(u32, u64, u32)> {
        let alloc = elf::SHF_ALLOC;
        match self {
            Piece::Got | Piece::IgotPlt => Some((alloc | elf::SHF_WRITE, 8, elf::SHT_PROGBITS)),
            Piece::Iplt => Some((alloc | elf::SHF_EXECINSTR, 16, elf::SHT_PROGBITS)),
            Piece::EhFrameHdr => Some((alloc, 4, elf::SHT_PROGBITS)),
            Piece::RelaIplt => Some((alloc, 8, elf::SHT_RELA)),
            Piece::BuildId => Some((alloc, 4, elf::SHT_NOTE)),
            _ => None,
        }
    }
}

/// Assigns input sections to output sections. Returns the output sections, the script steps, the
/// sections a `KEEP` pattern selected, and the sections `/DISCARD/` removed (marked discarded).
pub struct Assignment0 {
    pub sections: Vec<OutputSection>,
    steps: Vec<Step>,
    pub keep: Vec<(u32, u32)>,
}

struct Rule<'s> {
    output: Option<usize>,
    slot: usize,
    desc: &'s ast::InputSectionDesc,
}

pub fn assign(objects: &mut [ObjectFile<'_>], input: &LayoutInput<'_>) -> Result<Assignment0> {
    let mut sections: Vec<OutputSection> = Vec::new();
    let mut steps = Vec::new();
    let mut rules: Vec<Rule<'_>> = Vec::new();
    // slots[output][slot] = matched (object, section, pattern index)
    let mut slots: Vec<Vec<Vec<(u32, u32, usize)>>> = Vec::new();
    let mut slot_descs: Vec<Vec<Option<&ast::InputSectionDesc>>> = Vec::new();
    let mut raw_items: Vec<Vec<RawItem>> = Vec::new();
    for command in &input.script.commands {
        match command {
            ast::Command::Assignment(a) => steps.push(Step::Assign(a.clone())),
            ast::Command::Assert(a) => steps.push(Step::Assert(a.clone())),
            ast::Command::Sections(list) => {
                for item in list {
                    match item {
                        SectionsCommand::Assignment(a) => steps.push(Step::Assign(a.clone())),
                        SectionsCommand::Assert(a) => steps.push(Step::Assert(a.clone())),
                        SectionsCommand::Output(os) => {
                            if os.region.is_some() || os.lma_region.is_some() {
                                return Err(link_error!(
                                    "link script: output section `{}` uses a memory region, \
                                     which ukl does not support",
                                    os.name
                                )
                                .help("use addresses (`. = ...`) and AT() instead of MEMORY"));
                            }
                            let output = if os.is_discard() {
                                None
                            } else {
                                let index = sections.len();
                                sections.push(new_output(&os.name, Some(os.clone())));
                                steps.push(Step::Section(index));
                                slots.push(Vec::new());
                                slot_descs.push(Vec::new());
                                raw_items.push(Vec::new());
                                Some(index)
                            };
                            for item in &os.items {
                                match item {
                                    OutputItem::Input(desc) => {
                                        if let Some(o) = output {
                                            let slot = slots[o].len();
                                            slots[o].push(Vec::new());
                                            slot_descs[o].push(Some(desc));
                                            raw_items[o].push(RawItem::Slot(slot));
                                            rules.push(Rule { output, slot, desc });
                                        } else {
                                            rules.push(Rule {
                                                output: None,
                                                slot: 0,
                                                desc,
                                            });
                                        }
                                    }
                                    OutputItem::Assignment(a) => {
                                        if let Some(o) = output {
                                            raw_items[o]
                                                .push(RawItem::Piece(Piece::Assign(a.clone())));
                                        }
                                    }
                                    OutputItem::Data { size, expr } => {
                                        if let Some(o) = output {
                                            raw_items[o].push(RawItem::Piece(Piece::Data {
                                                size: *size,
                                                expr: expr.clone(),
                                            }));
                                        }
                                    }
                                    OutputItem::Fill(_) | OutputItem::Assert(_) => {}
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    // Match every input section against the rules; the first match in script order wins.
    let mut keep = Vec::new();
    let mut orphans: Vec<(u32, u32)> = Vec::new();
    for (oi, object) in objects.iter_mut().enumerate() {
        let file = FileRef {
            path: &object.file_path,
            member: object.member.as_deref(),
        };
        for si in 0..object.sections.len() {
            let section = &object.sections[si];
            match section.kind {
                SectionKind::Meta | SectionKind::Discarded => continue,
                SectionKind::NonAlloc
                    if (input.strip_debug
                        || (input.strip_archive_debug && object.member.is_some()))
                        && is_debug(section.name) =>
                {
                    object.sections[si].kind = SectionKind::Discarded;
                    continue;
                }
                _ => {}
            }
            let name = String::from_utf8_lossy(section.name);
            let mut matched = false;
            for rule in &rules {
                if let Some(pattern) = rule.desc.match_section(file, &name) {
                    match rule.output {
                        Some(o) => {
                            slots[o][rule.slot].push((oi as u32, si as u32, pattern));
                            if rule.desc.keep {
                                keep.push((oi as u32, si as u32));
                            }
                        }
                        None => object.sections[si].kind = SectionKind::Discarded,
                    }
                    matched = true;
                    break;
                }
            }
            if !matched {
                orphans.push((oi as u32, si as u32));
            }
        }
    }

    // Build the piece lists.
    for (o, items) in raw_items.into_iter().enumerate() {
        let mut pieces = Vec::new();
        for item in items {
            match item {
                RawItem::Piece(p) => pieces.push(p),
                RawItem::Slot(slot) => {
                    let mut matched = std::mem::take(&mut slots[o][slot]);
                    let desc = slot_descs[o][slot].expect("slot has a description");
                    sort_slot(&mut matched, desc, objects);
                    pieces.extend(
                        matched
                            .into_iter()
                            .map(|(object, section, _)| Piece::Input { object, section }),
                    );
                }
            }
        }
        sections[o].pieces = pieces;
    }
    // Orphans: an output section of the same name, placed after the most similar section.
    for (oi, si) in orphans {
        let section = &objects[oi as usize].sections[si as usize];
        let name = orphan_output_name(&String::from_utf8_lossy(section.name));
        let o = find_or_add(
            &mut sections,
            &mut steps,
            &name,
            section.sh_type,
            section.flags,
        );
        sections[o].pieces.push(Piece::Input {
            object: oi,
            section: si,
        });
    }
    Ok(Assignment0 {
        sections,
        steps,
        keep,
    })
}

/// Adds what the linker synthesizes once garbage collection is done: the GOT, the build-id note
/// and the live common symbols.
pub fn add_synthetic(
    assigned: &mut Assignment0,
    commons: &[u32],
    got_slots: u32,
    ifuncs: u32,
    eh_frame_hdr: bool,
    build_id: bool,
) {
    // (needed, output section, piece, placed before the section's other contents)
    let wanted = [
        (eh_frame_hdr, ".eh_frame_hdr", Piece::EhFrameHdr, true),
        (ifuncs > 0, ".iplt", Piece::Iplt, false),
        (ifuncs > 0, ".got.plt", Piece::IgotPlt, false),
        (ifuncs > 0, ".rela.iplt", Piece::RelaIplt, false),
        (got_slots > 0, ".got", Piece::Got, true),
        (build_id, ".note.gnu.build-id", Piece::BuildId, true),
    ];
    for (needed, name, piece, first) in wanted {
        if !needed {
            continue;
        }
        let (flags, _, sh_type) = piece.synthetic().unwrap_or_default();
        let o = find_or_add(
            &mut assigned.sections,
            &mut assigned.steps,
            name,
            sh_type,
            u64::from(flags),
        );
        if first {
            assigned.sections[o].pieces.insert(0, piece);
        } else {
            assigned.sections[o].pieces.push(piece);
        }
    }
    add_commons(assigned, commons);
}

/// Places the live common symbols: after the input sections of the output section whose script
/// rule names the pseudo-section `COMMON`, else at the end of `.bss`.
fn add_commons(assigned: &mut Assignment0, commons: &[u32]) {
    if commons.is_empty() {
        return;
    }
    let names_common = |s: &OutputSection| {
        s.def.as_ref().is_some_and(|d| {
            d.items.iter().any(|item| {
                matches!(item, OutputItem::Input(desc)
                    if desc.sections.iter().any(|p| p.pattern.as_str() == "COMMON"))
            })
        })
    };
    let index = match assigned.sections.iter().position(names_common) {
        Some(index) => index,
        None => find_or_add(
            &mut assigned.sections,
            &mut assigned.steps,
            ".bss",
            elf::SHT_NOBITS,
            u64::from(elf::SHF_ALLOC | elf::SHF_WRITE),
        ),
    };
    assigned.sections[index]
        .pieces
        .extend(commons.iter().map(|&symbol| Piece::Common { symbol }));
}

enum RawItem {
    Slot(usize),
    Piece(Piece),
}

fn new_output(name: &str, def: Option<ast::OutputSection>) -> OutputSection {
    OutputSection {
        name: name.to_string(),
        sh_type: elf::SHT_NULL,
        flags: 0,
        align: 1,
        addr: 0,
        lma: 0,
        size: 0,
        offset: 0,
        pieces: Vec::new(),
        def,
        emitted: false,
        index: 0,
        piece_offsets: Vec::new(),
    }
}

fn is_debug(name: &[u8]) -> bool {
    name.starts_with(b".debug")
        || name.starts_with(b".zdebug")
        || name.starts_with(b".stab")
        || name.starts_with(b".line")
}

/// Rank used to place orphans: sections with the same rank are neighbours.
fn rank(sh_type: u32, flags: u64) -> u32 {
    let alloc = flags & u64::from(elf::SHF_ALLOC) != 0;
    if !alloc {
        return 100;
    }
    let write = flags & u64::from(elf::SHF_WRITE) != 0;
    let exec = flags & u64::from(elf::SHF_EXECINSTR) != 0;
    let tls = flags & u64::from(elf::SHF_TLS) != 0;
    let nobits = sh_type == elf::SHT_NOBITS;
    match (write, exec, tls, nobits) {
        _ if sh_type == elf::SHT_NOTE => 1,
        (false, false, _, _) => 2,
        (false, true, _, _) => 3,
        (true, _, true, false) => 4,
        (true, _, true, true) => 5,
        (true, _, false, false) => 6,
        (true, _, false, true) => 7,
    }
}

/// Finds the output section `name` or creates it after the last section of the same rank.
/// The output section an orphan joins: `.text.foo` goes to `.text`, `.rodata.str1.1` to
/// `.rodata`, and so on for the usual prefixes (as ld.lld does); other names stay as they are.
fn orphan_output_name(name: &str) -> String {
    const PREFIXES: &[&str] = &[
        ".text",
        ".rodata",
        ".data.rel.ro",
        ".data",
        ".bss.rel.ro",
        ".bss",
        ".tdata",
        ".tbss",
        ".gcc_except_table",
        ".init_array",
        ".fini_array",
        ".ctors",
        ".dtors",
        ".ldata",
        ".lrodata",
        ".lbss",
    ];
    for prefix in PREFIXES {
        if name == *prefix
            || name
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
        {
            return (*prefix).to_string();
        }
    }
    name.to_string()
}

fn find_or_add(
    sections: &mut Vec<OutputSection>,
    steps: &mut Vec<Step>,
    name: &str,
    sh_type: u32,
    flags: u64,
) -> usize {
    if let Some(index) = sections.iter().position(|s| s.name == name) {
        return index;
    }
    let wanted = rank(sh_type, flags);
    let index = sections.len();
    let mut os = new_output(name, None);
    os.sh_type = sh_type;
    os.flags = flags;
    sections.push(os);
    // Like GNU ld: after the last section of the same kind; read-only data after the code;
    // otherwise before the first section of a later kind, or after the last of an earlier one.
    let ranks: Vec<(usize, u32)> = steps
        .iter()
        .enumerate()
        .filter_map(|(i, step)| match step {
            Step::Section(s) if *s != index => Some((i, guess_rank(&sections[*s]))),
            _ => None,
        })
        .collect();
    let after = |want: u32| {
        ranks
            .iter()
            .rev()
            .find(|(_, r)| *r == want)
            .map(|(i, _)| i + 1)
    };
    let position = after(wanted)
        .or_else(|| if wanted == 2 { after(3) } else { None })
        .or_else(|| {
            ranks
                .iter()
                .find(|(_, r)| *r > wanted && *r < 100)
                .map(|(i, _)| *i)
        })
        .or_else(|| {
            ranks
                .iter()
                .rev()
                .find(|(_, r)| *r < wanted)
                .map(|(i, _)| i + 1)
        });
    match position {
        Some(p) => steps.insert(p, Step::Section(index)),
        None => steps.push(Step::Section(index)),
    }
    index
}

/// The rank of a script-defined output section, from its name when it has no type yet.
fn guess_rank(os: &OutputSection) -> u32 {
    let n = os.name.as_str();
    if os.sh_type != elf::SHT_NULL {
        return rank(os.sh_type, os.flags);
    }
    if n.starts_with(".note") {
        1
    } else if n.starts_with(".text") || n == ".init" || n == ".fini" || n.starts_with(".plt") {
        3
    } else if n.starts_with(".rodata") || n.starts_with(".eh_frame") || n.starts_with(".gcc_except")
    {
        2
    } else if n.starts_with(".tdata") {
        4
    } else if n.starts_with(".tbss") {
        5
    } else if n.starts_with(".bss") || n.starts_with(".sbss") || n == "COMMON" {
        7
    } else if n.starts_with(".debug") || n.starts_with(".comment") || n.starts_with(".symtab") {
        100
    } else {
        6
    }
}

fn sort_slot(
    matched: &mut [(u32, u32, usize)],
    desc: &ast::InputSectionDesc,
    objects: &[ObjectFile<'_>],
) {
    if desc.sections.iter().all(|p| p.sort == SortKind::None) {
        return;
    }
    let name = |&(o, s, _): &(u32, u32, usize)| objects[o as usize].sections[s as usize].name;
    let align = |&(o, s, _): &(u32, u32, usize)| objects[o as usize].sections[s as usize].align;
    matched.sort_by(|a, b| {
        a.2.cmp(&b.2).then_with(|| match desc.sections[a.2].sort {
            SortKind::None => std::cmp::Ordering::Equal,
            SortKind::Name => name(a).cmp(name(b)),
            SortKind::Alignment => align(b).cmp(&align(a)),
            SortKind::NameAlignment => name(a).cmp(name(b)).then(align(b).cmp(&align(a))),
            SortKind::AlignmentName => align(b).cmp(&align(a)).then(name(a).cmp(name(b))),
            SortKind::InitPriority => init_priority(name(a)).cmp(&init_priority(name(b))),
        })
    });
}

/// The priority of `.init_array.N`, `.fini_array.N`, `.ctors.N`, `.dtors.N` (65536 without N;
/// `.ctors`/`.dtors` priorities run in reverse).
fn init_priority(name: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(name);
    let reversed = text.starts_with(".ctors") || text.starts_with(".dtors");
    let number = text
        .rsplit_once('.')
        .and_then(|(_, n)| n.parse::<u64>().ok());
    match (number, reversed) {
        (Some(n), false) => n,
        (Some(n), true) => 65535u64.saturating_sub(n),
        (None, _) => 65536,
    }
}

/// Computes types, flags and sizes of output sections, then addresses, segments and file offsets.
pub fn finish(
    assigned: Assignment0,
    objects: &[ObjectFile<'_>],
    symbols: &mut SymbolTable<'_>,
    input: &LayoutInput<'_>,
    eh_sizes: &FxHashMap<(u32, u32), u64>,
) -> Result<Layout> {
    let Assignment0 {
        mut sections,
        steps,
        ..
    } = assigned;
    // Drop pieces of dead sections; derive type, flags and alignment.
    for os in sections.iter_mut() {
        os.pieces.retain(|p| match p {
            Piece::Input { object, section } => {
                let s = &objects[*object as usize].sections[*section as usize];
                s.live && s.kind != SectionKind::Discarded
            }
            _ => true,
        });
        let mut any_progbits = false;
        let mut types = Vec::new();
        for piece in &os.pieces {
            match piece {
                Piece::Input { object, section } => {
                    let s = &objects[*object as usize].sections[*section as usize];
                    os.flags |= s.flags
                        & u64::from(
                            elf::SHF_ALLOC | elf::SHF_WRITE | elf::SHF_EXECINSTR | elf::SHF_TLS,
                        );
                    os.align = os.align.max(s.align);
                    types.push(s.sh_type);
                    if s.sh_type != elf::SHT_NOBITS {
                        any_progbits = true;
                    }
                    os.emitted = true;
                }
                Piece::Common { symbol } => {
                    if let Definition::Common { align, .. } = symbols.get(*symbol).def {
                        os.align = os.align.max(align);
                    }
                    os.flags |= u64::from(elf::SHF_ALLOC | elf::SHF_WRITE);
                    types.push(elf::SHT_NOBITS);
                    os.emitted = true;
                }
                piece @ (Piece::Got
                | Piece::Iplt
                | Piece::IgotPlt
                | Piece::RelaIplt
                | Piece::EhFrameHdr
                | Piece::BuildId) => {
                    let (flags, align, sh_type) = piece.synthetic().unwrap_or_default();
                    os.flags |= u64::from(flags);
                    os.align = os.align.max(align);
                    types.push(sh_type);
                    any_progbits = true;
                    os.emitted = true;
                }
                Piece::Data { .. } => {
                    types.push(elf::SHT_PROGBITS);
                    any_progbits = true;
                    os.emitted = true;
                    if os.flags == 0 {
                        os.flags = u64::from(elf::SHF_ALLOC);
                    }
                }
                Piece::Assign(_) => {}
            }
        }
        if os.emitted {
            os.sh_type = if types.iter().all(|t| *t == elf::SHT_NOBITS) {
                elf::SHT_NOBITS
            } else if types.iter().all(|t| *t == types[0]) {
                types[0]
            } else if any_progbits {
                elf::SHT_PROGBITS
            } else {
                elf::SHT_NOBITS
            };
            if let Some(def) = &os.def {
                if def.noload {
                    os.sh_type = elf::SHT_NOBITS;
                }
            }
        }
    }

    // Plan segments to know how many program headers there are.
    let phdr_defs = input.script.commands.iter().find_map(|c| match c {
        ast::Command::Phdrs(p) => Some(p.clone()),
        _ => None,
    });
    let order: Vec<usize> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Section(i) => Some(*i),
            _ => None,
        })
        .collect();
    let mut segments = plan_segments(&sections, &order, phdr_defs.as_deref())?;
    let headers_size = EHDR_SIZE + PHDR_SIZE * segments.len() as u64;

    // Evaluate the script: addresses, sizes and symbol values. Iterate so that symbols used
    // before their definition settle.
    let mut values: FxHashMap<String, (u64, bool)> = FxHashMap::default();
    let entry_name = input.entry_override.clone().or_else(|| {
        input.script.commands.iter().find_map(|c| match c {
            ast::Command::Entry(e) => Some(e.clone()),
            _ => None,
        })
    });
    let mut last_error = None;
    for pass in 0..4 {
        let final_pass = pass == 3;
        last_error = None;
        let mut new_values = values.clone();
        let mut dot = 0u64;
        let mut addrs: Vec<(u64, u64, u64, Vec<u64>)> = vec![(0, 0, 0, Vec::new()); sections.len()];
        for step in &steps {
            match step {
                Step::Assign(a) => {
                    let ctx = Ctx {
                        dot: Some(dot),
                        sections: &sections,
                        values: &new_values,
                        symbols,
                        objects,
                        headers_size,
                    };
                    match eval_assign(a, &ctx, dot) {
                        Ok(v) => {
                            if a.target == "." {
                                dot = v;
                            } else if should_define(a, symbols) {
                                let hidden = matches!(
                                    a.provide,
                                    ast::Provide::ProvideHidden | ast::Provide::Hidden
                                );
                                new_values.insert(a.target.clone(), (v, hidden));
                            }
                        }
                        Err(e) => last_error = Some(e),
                    }
                }
                Step::Assert(assert) if final_pass || pass > 0 => {
                    let ctx = Ctx {
                        dot: Some(dot),
                        sections: &sections,
                        values: &new_values,
                        symbols,
                        objects,
                        headers_size,
                    };
                    match assert.expr.eval(&ctx) {
                        Ok(0) => {
                            last_error =
                                Some(link_error!("link script ASSERT failed: {}", assert.message))
                        }
                        Ok(_) => {}
                        Err(e) => last_error = Some(link_error!("link script ASSERT: {e}")),
                    }
                }
                Step::Assert(_) => {}
                Step::Section(index) => {
                    let os = &sections[*index];
                    let alloc = os.flags & u64::from(elf::SHF_ALLOC) != 0;
                    if !alloc && os.emitted {
                        // Non-alloc sections have no address; their contents are laid out at 0.
                        let (size, offsets) = lay_pieces(
                            os,
                            objects,
                            symbols,
                            &sections,
                            headers_size,
                            0,
                            &mut new_values,
                            &mut last_error,
                            input,
                            eh_sizes,
                        );
                        addrs[*index] = (0, 0, size, offsets);
                        continue;
                    }
                    let mut align = os.align;
                    let ctx = Ctx {
                        dot: Some(dot),
                        sections: &sections,
                        values: &new_values,
                        symbols,
                        objects,
                        headers_size,
                    };
                    if let Some(def) = &os.def {
                        if let Some(e) = &def.align {
                            match e.eval(&ctx) {
                                Ok(v) => align = align.max(v),
                                Err(e) => last_error = Some(link_error!("link script: {e}")),
                            }
                        }
                        if let Some(addr) = &def.addr {
                            match addr.eval(&ctx) {
                                Ok(v) => dot = v,
                                Err(e) => {
                                    last_error = Some(link_error!(
                                        "link script: address of `{}`: {e}",
                                        os.name
                                    ))
                                }
                            }
                        }
                    }
                    if os.emitted {
                        dot = match checked_align_up(dot, align) {
                            Some(aligned) => aligned,
                            None => {
                                last_error = Some(link_error!(
                                    "output section `{}`: {dot:#x} aligned to {align:#x} passes 2^64",
                                    os.name
                                )
                                .help("check the addresses and ALIGN() in the link script"));
                                dot
                            }
                        };
                    }
                    let start = dot;
                    let (size, offsets) = lay_pieces(
                        os,
                        objects,
                        symbols,
                        &sections,
                        headers_size,
                        start,
                        &mut new_values,
                        &mut last_error,
                        input,
                        eh_sizes,
                    );
                    let mut lma = start;
                    let ctx = Ctx {
                        dot: Some(start.wrapping_add(size)),
                        sections: &sections,
                        values: &new_values,
                        symbols,
                        objects,
                        headers_size,
                    };
                    if let Some(lma_expr) = os.def.as_ref().and_then(|d| d.lma.as_ref()) {
                        match lma_expr.eval(&ctx) {
                            Ok(v) => lma = v,
                            Err(e) => {
                                last_error =
                                    Some(link_error!("link script: AT() of `{}`: {e}", os.name))
                            }
                        }
                    }
                    addrs[*index] = (start, lma, size, offsets);
                    let tbss =
                        os.sh_type == elf::SHT_NOBITS && os.flags & u64::from(elf::SHF_TLS) != 0;
                    dot = if tbss {
                        start
                    } else {
                        start.wrapping_add(size)
                    };
                }
            }
        }
        let mut changed = false;
        for (index, (addr, lma, size, offsets)) in addrs.into_iter().enumerate() {
            let os = &mut sections[index];
            changed |= os.addr != addr || os.size != size;
            os.addr = addr;
            os.lma = lma;
            os.size = size;
            os.piece_offsets = offsets;
        }
        changed |= new_values != values;
        values = new_values;
        if !changed && last_error.is_none() {
            break;
        }
        if final_pass {
            break;
        }
    }
    if let Some(e) = last_error {
        return Err(e);
    }

    // Addresses and sizes must stay inside the address space and a sane file size.
    for os in sections.iter().filter(|s| s.emitted) {
        let alloc = os.flags & u64::from(elf::SHF_ALLOC) != 0;
        if alloc && os.addr.checked_add(os.size).is_none() {
            return Err(link_error!(
                "output section `{}` at {:#x} with size {:#x} wraps around the address space",
                os.name,
                os.addr,
                os.size
            )
            .help("check the addresses and `.` assignments in the link script"));
        }
        if alloc && os.size > crate::object_file::MAX_SIZE {
            return Err(link_error!(
                "output section `{}` would be {:#x} bytes, larger than the x86_64 address space \
                 ({:#x} bytes)",
                os.name,
                os.size,
                crate::object_file::MAX_SIZE
            )
            .help(
                "check the sizes of the input sections and the `.` assignments in the link script",
            ));
        }
        if os.sh_type != elf::SHT_NOBITS && os.size > MAX_SECTION_BYTES {
            return Err(link_error!(
                "output section `{}` would be {} bytes, more than ukl writes ({} bytes)",
                os.name,
                os.size,
                MAX_SECTION_BYTES
            )
            .help("check `.` assignments and ALIGN() inside the section in the link script"));
        }
    }

    // Script symbols into the symbol table.
    let mut script_symbols = Vec::new();
    for (name, (value, hidden)) in &values {
        script_symbols.push((name.clone(), *value, *hidden));
    }
    script_symbols.sort();
    for (name, value, hidden) in &script_symbols {
        if let Some(id) = symbols.lookup(name.as_bytes()) {
            let sym = symbols.get_mut(id);
            sym.def = Definition::Linker;
            sym.address = *value;
            sym.hidden |= *hidden;
        }
    }
    // __start_X / __stop_X for output sections named like C identifiers.
    for id in 0..symbols.syms.len() as u32 {
        let sym = symbols.get(id);
        if !matches!(sym.def, Definition::Undefined | Definition::Lazy { .. }) {
            continue;
        }
        let name = sym.name;
        if let Some(rest) = crate::gc::start_stop_name(name) {
            if let Some(os) = sections
                .iter()
                .find(|s| s.name.as_bytes() == rest && s.emitted)
            {
                let value = if name.starts_with(b"__start_") {
                    os.addr
                } else {
                    os.addr + os.size
                };
                let (n, v) = (String::from_utf8_lossy(name).into_owned(), value);
                let sym = symbols.get_mut(id);
                sym.def = Definition::Linker;
                sym.address = v;
                sym.hidden = true;
                script_symbols.push((n, v, true));
            }
        }
    }

    // Segments: addresses and file offsets.
    let (file_size, tls) = place_segments(&mut sections, &order, &mut segments, headers_size)?;

    // Section headers follow the script's order (orphans were inserted into it).
    let mut position = vec![usize::MAX; sections.len()];
    for (new, &old) in order.iter().enumerate() {
        position[old] = new;
    }
    let mut indexed: Vec<(usize, OutputSection)> = sections
        .into_iter()
        .enumerate()
        .map(|(old, os)| (position[old], os))
        .collect();
    indexed.sort_by_key(|(p, _)| *p);
    let sections: Vec<OutputSection> = indexed.into_iter().map(|(_, os)| os).collect();
    for segment in segments.iter_mut() {
        for index in segment.sections.iter_mut() {
            *index = position[*index];
        }
    }

    let got = sections
        .iter()
        .position(|s| s.pieces.iter().any(|p| matches!(p, Piece::Got)))
        .map(|i| (i, piece_addr(&sections[i], |p| matches!(p, Piece::Got))));
    let find = |want: fn(&Piece) -> bool| {
        sections
            .iter()
            .position(|s| s.pieces.iter().any(want))
            .map(|i| piece_addr(&sections[i], want))
    };
    let iplt = find(|p| matches!(p, Piece::Iplt));
    let eh_frame_hdr = find(|p| matches!(p, Piece::EhFrameHdr));
    let igot = find(|p| matches!(p, Piece::IgotPlt));
    let rela_iplt = find(|p| matches!(p, Piece::RelaIplt));
    let build_id = sections
        .iter()
        .position(|s| s.pieces.iter().any(|p| matches!(p, Piece::BuildId)))
        .map(|i| (i, piece_addr(&sections[i], |p| matches!(p, Piece::BuildId))));
    Ok(Layout {
        sections,
        segments,
        entry: 0,
        entry_name,
        tls,
        got,
        iplt,
        eh_frame_hdr,
        igot,
        rela_iplt,
        ifuncs: input.ifuncs,
        build_id,
        headers_size,
        file_size,
        script_symbols,
    })
}

fn piece_addr(os: &OutputSection, want: impl Fn(&Piece) -> bool) -> u64 {
    os.pieces
        .iter()
        .zip(&os.piece_offsets)
        .find(|(p, _)| want(p))
        .map(|(_, o)| os.addr + o)
        .unwrap_or(os.addr)
}

fn should_define(a: &Assignment, symbols: &SymbolTable<'_>) -> bool {
    match a.provide {
        ast::Provide::Provide | ast::Provide::ProvideHidden => {
            match symbols.lookup(a.target.as_bytes()) {
                Some(id) => {
                    let s = symbols.get(id);
                    s.referenced
                        && matches!(
                            s.def,
                            Definition::Undefined | Definition::Lazy { .. } | Definition::Linker
                        )
                }
                None => false,
            }
        }
        _ => true,
    }
}

fn eval_assign(a: &Assignment, ctx: &Ctx<'_, '_>, dot: u64) -> Result<u64> {
    let value = a
        .expr
        .eval(ctx)
        .map_err(|e| link_error!("link script: assignment to `{}`: {e}", a.target))?;
    let current = if a.target == "." {
        Some(dot)
    } else {
        ctx.values.get(&a.target).map(|v| v.0)
    };
    Ok(match a.op {
        ast::AssignOp::Set => value,
        op => {
            let old = current.unwrap_or(0);
            match op {
                ast::AssignOp::Add => old.wrapping_add(value),
                ast::AssignOp::Sub => old.wrapping_sub(value),
                ast::AssignOp::Mul => old.wrapping_mul(value),
                ast::AssignOp::Div => old.checked_div(value).ok_or_else(|| {
                    link_error!(
                        "link script: division by zero in assignment to `{}`",
                        a.target
                    )
                })?,
                ast::AssignOp::Shl => old.checked_shl(value as u32).unwrap_or(0),
                ast::AssignOp::Shr => old.checked_shr(value as u32).unwrap_or(0),
                ast::AssignOp::And => old & value,
                ast::AssignOp::Or => old | value,
                ast::AssignOp::Set => value,
            }
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn lay_pieces(
    os: &OutputSection,
    objects: &[ObjectFile<'_>],
    symbols: &SymbolTable<'_>,
    sections: &[OutputSection],
    headers_size: u64,
    start: u64,
    values: &mut FxHashMap<String, (u64, bool)>,
    last_error: &mut Option<LinkError>,
    input: &LayoutInput<'_>,
    eh_sizes: &FxHashMap<(u32, u32), u64>,
) -> (u64, Vec<u64>) {
    let mut dot = start;
    let mut offsets = Vec::with_capacity(os.pieces.len());
    // The piece at `dot` aligned to `align`, `size` bytes long: (its start, its end), or an error
    // naming the output section and what was placed when the address would pass 2^64.
    let place = |dot: u64, align: u64, size: u64, what: &dyn Fn() -> String| {
        checked_align_up(dot, align)
            .and_then(|at| Some((at, at.checked_add(size)?)))
            .ok_or_else(|| {
                link_error!(
                    "output section `{}` overflows the address space at {}: {dot:#x} aligned to \
                     {align:#x} plus {size:#x} bytes passes 2^64",
                    os.name,
                    what()
                )
                .help("check the addresses and `.` assignments in the link script, and the sizes and alignments of the input sections")
            })
    };
    for piece in &os.pieces {
        let placed = match piece {
            Piece::Input { object, section } => {
                let o = &objects[*object as usize];
                let s = &o.sections[*section as usize];
                let size = if s.kind == SectionKind::EhFrame {
                    eh_sizes.get(&(*object, *section)).copied().unwrap_or(0)
                } else {
                    s.size
                };
                place(dot, s.align, size, &|| {
                    format!(
                        "section {} of `{}`",
                        String::from_utf8_lossy(s.name),
                        o.name
                    )
                })
            }
            Piece::Common { symbol } => {
                if let Definition::Common { size, align, .. } = symbols.get(*symbol).def {
                    place(dot, align, size, &|| {
                        format!(
                            "common symbol `{}`",
                            String::from_utf8_lossy(symbols.get(*symbol).name)
                        )
                    })
                } else {
                    Ok((dot, dot))
                }
            }
            piece @ (Piece::Got
            | Piece::Iplt
            | Piece::IgotPlt
            | Piece::RelaIplt
            | Piece::EhFrameHdr
            | Piece::BuildId) => {
                let (_, align, _) = piece.synthetic().unwrap_or_default();
                let size = match piece {
                    Piece::Got => 8 * u64::from(input.got_slots),
                    Piece::Iplt => 16 * u64::from(input.ifuncs),
                    Piece::IgotPlt => 8 * u64::from(input.ifuncs),
                    Piece::RelaIplt => 24 * u64::from(input.ifuncs),
                    Piece::EhFrameHdr => crate::eh_frame::hdr_size(input.eh_frame_hdr.unwrap_or(0)),
                    _ => 16 + 20, // the build-id note: header, "GNU\0", 20 bytes
                };
                place(dot, align, size, &|| "a table the linker makes".to_string())
            }
            Piece::Data { size, .. } => {
                place(dot, 1, size.bytes(), &|| "a data command".to_string())
            }
            Piece::Assign(a) => {
                offsets.push(dot.wrapping_sub(start));
                // Reads `values` through a fresh context view so that earlier assignments in
                // this section are visible.
                let view = Ctx {
                    dot: Some(dot),
                    sections,
                    values,
                    symbols,
                    objects,
                    headers_size,
                };
                match eval_assign(a, &view, dot) {
                    Ok(v) => {
                        if a.target == "." {
                            dot = v.max(start);
                        } else if should_define(a, symbols) {
                            let hidden = matches!(
                                a.provide,
                                ast::Provide::ProvideHidden | ast::Provide::Hidden
                            );
                            values.insert(a.target.clone(), (v, hidden));
                        }
                    }
                    Err(e) => *last_error = Some(e),
                }
                continue;
            }
        };
        match placed {
            Ok((at, end)) => {
                offsets.push(at - start);
                dot = end;
            }
            Err(e) => {
                *last_error = Some(e);
                offsets.resize(os.pieces.len(), 0);
                return (0, offsets);
            }
        }
    }
    (dot.wrapping_sub(start), offsets)
}

struct Ctx<'a, 'o> {
    dot: Option<u64>,
    sections: &'a [OutputSection],
    values: &'a FxHashMap<String, (u64, bool)>,
    symbols: &'a SymbolTable<'o>,
    objects: &'a [ObjectFile<'o>],
    headers_size: u64,
}

impl EvalContext for Ctx<'_, '_> {
    fn dot(&self) -> Option<u64> {
        self.dot
    }
    fn symbol(&self, name: &str) -> Option<u64> {
        if let Some((v, _)) = self.values.get(name) {
            return Some(*v);
        }
        let id = self.symbols.lookup(name.as_bytes())?;
        match self.symbols.get(id).def {
            Definition::Defined { object, sym } => {
                let o = &self.objects[object as usize];
                let s = o.sym(sym as usize);
                match o.sym_section(sym as usize) {
                    Some(sec) => {
                        // Placement is not recorded on the objects until layout is done:
                        // find the piece (script expressions rarely name object symbols).
                        let wanted = (object, sec as u32);
                        self.sections.iter().find_map(|os| {
                            os.pieces.iter().zip(&os.piece_offsets).find_map(|(p, off)| {
                                matches!(p, Piece::Input { object, section } if (*object, *section) == wanted)
                                    .then(|| os.addr + off + s.st_value(LE))
                            })
                        })
                    }
                    None => Some(s.st_value(LE)),
                }
            }
            _ => None,
        }
    }
    fn section_addr(&self, name: &str) -> Option<u64> {
        self.sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.addr)
    }
    fn section_load_addr(&self, name: &str) -> Option<u64> {
        self.sections.iter().find(|s| s.name == name).map(|s| s.lma)
    }
    fn section_size(&self, name: &str) -> Option<u64> {
        Some(
            self.sections
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.size)
                .unwrap_or(0),
        )
    }
    fn section_align(&self, name: &str) -> Option<u64> {
        self.sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.align)
    }
    fn sizeof_headers(&self) -> u64 {
        self.headers_size
    }
    fn max_page_size(&self) -> u64 {
        PAGE_SIZE
    }
    fn common_page_size(&self) -> u64 {
        PAGE_SIZE
    }
    fn is_defined(&self, name: &str) -> bool {
        self.values.contains_key(name) || self.symbols.is_defined(name.as_bytes())
    }
}

fn segment_flags(flags: u64) -> u32 {
    let mut f = elf::PF_R;
    if flags & u64::from(elf::SHF_WRITE) != 0 {
        f |= elf::PF_W;
    }
    if flags & u64::from(elf::SHF_EXECINSTR) != 0 {
        f |= elf::PF_X;
    }
    f
}

fn empty_segment(p_type: u32, flags: u32) -> Segment {
    Segment {
        p_type,
        flags,
        offset: 0,
        vaddr: 0,
        paddr: 0,
        filesz: 0,
        memsz: 0,
        align: 1,
        headers: false,
        sections: Vec::new(),
    }
}

fn plan_segments(
    sections: &[OutputSection],
    order: &[usize],
    phdrs: Option<&[ast::Phdr]>,
) -> Result<Vec<Segment>> {
    let alloc: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| sections[i].emitted && sections[i].flags & u64::from(elf::SHF_ALLOC) != 0)
        .collect();
    if let Some(defs) = phdrs {
        let mut segments: Vec<Segment> = defs
            .iter()
            .map(|d| {
                let mut s = empty_segment(d.p_type, 0);
                s.headers = d.filehdr || d.phdrs;
                if let Some(Expr::Num(n)) = &d.flags {
                    s.flags = *n as u32 | 0x8000_0000; // marker: explicit flags
                }
                s
            })
            .collect();
        let mut current: Vec<usize> = Vec::new();
        for &i in &alloc {
            if let Some(def) = &sections[i].def {
                if !def.phdrs.is_empty() {
                    current.clear();
                    for name in &def.phdrs {
                        if name == "NONE" {
                            continue;
                        }
                        let index = defs.iter().position(|d| &d.name == name).ok_or_else(|| {
                            link_error!("link script: output section `{}` names program header `{name}`, which PHDRS does not declare", sections[i].name)
                        })?;
                        current.push(index);
                    }
                }
            }
            if current.is_empty() {
                return Err(link_error!(
                    "link script: output section `{}` is not assigned to any program header",
                    sections[i].name
                )
                .help(
                    "add `:name` after the section (or after an earlier one) naming a PHDRS entry",
                ));
            }
            for &s in &current {
                segments[s].sections.push(i);
            }
        }
        for s in segments.iter_mut() {
            if s.flags & 0x8000_0000 != 0 {
                s.flags &= 0x7fff_ffff;
            } else if s.p_type == elf::PT_GNU_STACK {
                s.flags = elf::PF_R | elf::PF_W;
            } else {
                s.flags = s
                    .sections
                    .iter()
                    .fold(elf::PF_R, |f, &i| f | segment_flags(sections[i].flags));
            }
        }
        return Ok(segments);
    }
    let mut segments = Vec::new();
    let mut load: Option<Segment> = None;
    let mut prev_nobits = false;
    for &i in &alloc {
        let os = &sections[i];
        let flags = segment_flags(os.flags);
        let nobits = os.sh_type == elf::SHT_NOBITS && os.flags & u64::from(elf::SHF_TLS) == 0;
        let start_new = match &load {
            None => true,
            Some(seg) => seg.flags != flags || (prev_nobits && !nobits),
        };
        if start_new {
            if let Some(seg) = load.take() {
                segments.push(seg);
            }
            let mut seg = empty_segment(elf::PT_LOAD, flags);
            seg.headers = segments.is_empty();
            load = Some(seg);
        }
        if let Some(s) = load.as_mut() {
            s.sections.push(i);
        }
        prev_nobits = nobits;
    }
    if let Some(seg) = load {
        segments.push(seg);
    }
    let tls: Vec<usize> = alloc
        .iter()
        .copied()
        .filter(|&i| sections[i].flags & u64::from(elf::SHF_TLS) != 0)
        .collect();
    if !tls.is_empty() {
        let mut seg = empty_segment(elf::PT_TLS, elf::PF_R);
        seg.sections = tls;
        segments.push(seg);
    }
    let mut note_run: Vec<usize> = Vec::new();
    for &i in &alloc {
        if sections[i].sh_type == elf::SHT_NOTE {
            note_run.push(i);
        } else if !note_run.is_empty() {
            let mut seg = empty_segment(elf::PT_NOTE, elf::PF_R);
            seg.sections = std::mem::take(&mut note_run);
            segments.push(seg);
        }
    }
    if !note_run.is_empty() {
        let mut seg = empty_segment(elf::PT_NOTE, elf::PF_R);
        seg.sections = note_run;
        segments.push(seg);
    }
    if let Some(&hdr) = alloc.iter().find(|&&i| {
        sections[i]
            .pieces
            .iter()
            .any(|p| matches!(p, Piece::EhFrameHdr))
    }) {
        let mut seg = empty_segment(elf::PT_GNU_EH_FRAME, elf::PF_R);
        seg.sections = vec![hdr];
        segments.push(seg);
    }
    segments.push(empty_segment(elf::PT_GNU_STACK, elf::PF_R | elf::PF_W));
    Ok(segments)
}

/// Gives sections file offsets (congruent to their addresses modulo the page size within each
/// loadable segment) and fills in the segments' extents.
fn place_segments(
    sections: &mut [OutputSection],
    order: &[usize],
    segments: &mut [Segment],
    headers_size: u64,
) -> Result<(u64, Option<Tls>)> {
    // Which PT_LOAD each alloc section belongs to (its first one).
    let mut load_of: FxHashMap<usize, usize> = FxHashMap::default();
    for (si, seg) in segments.iter().enumerate() {
        if seg.p_type == elf::PT_LOAD {
            for &i in &seg.sections {
                load_of.entry(i).or_insert(si);
            }
        }
    }
    let mut offset = headers_size;
    let mut seg_base: FxHashMap<usize, (u64, u64)> = FxHashMap::default(); // seg -> (vaddr, offset)
    for &i in order {
        let os = sections[i].clone_header();
        if !os.emitted {
            continue;
        }
        let alloc = os.flags & u64::from(elf::SHF_ALLOC) != 0;
        if !alloc {
            continue;
        }
        let nobits = os.sh_type == elf::SHT_NOBITS;
        let Some(&seg) = load_of.get(&i) else {
            // Allocated but in no PT_LOAD (e.g. only in a PT_NOTE): keep it in the file.
            offset = align_up(offset, os.align);
            sections[i].offset = offset;
            if !nobits {
                offset = offset.saturating_add(os.size);
            }
            continue;
        };
        let off = match seg_base.get(&seg) {
            Some(&(vaddr, base_off)) => base_off.saturating_add(os.addr - vaddr.min(os.addr)),
            None => {
                let want_headers = segments[seg].headers;
                let off = if want_headers && os.addr >= headers_size && seg == first_load(segments)
                {
                    let seg_vaddr = (os.addr - headers_size) & !(PAGE_SIZE - 1);
                    segments[seg].vaddr = seg_vaddr;
                    seg_base.insert(seg, (seg_vaddr, 0));
                    os.addr - seg_vaddr
                } else {
                    if want_headers && segments[seg].p_type == elf::PT_LOAD && !is_auto(segments) {
                        return Err(link_error!("link script: no room for the ELF headers before output section `{}` at {:#x}", os.name, os.addr)
                            .help("start the first section at an address of at least SIZEOF_HEADERS, e.g. `. = 0x100000 + SIZEOF_HEADERS;`"));
                    }
                    segments[seg].headers = false;
                    let off = congruent(offset, os.addr);
                    seg_base.insert(seg, (os.addr, off));
                    segments[seg].vaddr = os.addr;
                    off
                };
                off
            }
        };
        if off > MAX_IMAGE_BYTES {
            return Err(link_error!(
                "output section `{}` at {:#x} would be at file offset {off:#x}, past the largest \
                 image ukl writes ({MAX_IMAGE_BYTES:#x} bytes)",
                os.name,
                os.addr
            )
            .help("sections of one segment are laid out in the file as far apart as their addresses: \
                   check the addresses in the link script, or give the sections their own PHDRS"));
        }
        sections[i].offset = off;
        if !nobits {
            offset = offset.max(off.saturating_add(os.size));
        } else {
            offset = offset.max(off);
        }
    }
    // Non-alloc sections after everything loaded.
    for &i in order {
        let os = sections[i].clone_header();
        if !os.emitted || os.flags & u64::from(elf::SHF_ALLOC) != 0 {
            continue;
        }
        offset = align_up(offset, os.align);
        sections[i].offset = offset;
        offset = offset.saturating_add(os.size);
    }
    // Segment extents.
    let mut tls = None;
    for (si, seg) in segments.iter_mut().enumerate() {
        if seg.p_type == elf::PT_PHDR {
            seg.offset = EHDR_SIZE;
            seg.filesz = headers_size - EHDR_SIZE;
            seg.memsz = seg.filesz;
            seg.align = 8;
            continue;
        }
        if seg.sections.is_empty() {
            if seg.p_type == elf::PT_LOAD && seg.headers {
                seg.filesz = headers_size;
                seg.memsz = headers_size;
                seg.align = PAGE_SIZE;
            }
            continue;
        }
        let first = &sections[seg.sections[0]];
        let (start_addr, start_off, start_lma) = if seg.p_type == elf::PT_LOAD && seg.headers {
            let vaddr = seg_base.get(&si).map(|b| b.0).unwrap_or(first.addr);
            (vaddr, 0, first.lma.wrapping_sub(first.addr - vaddr))
        } else {
            (first.addr, first.offset, first.lma)
        };
        let mut end_addr = start_addr;
        let mut end_off = start_off;
        let mut align = if seg.p_type == elf::PT_LOAD {
            PAGE_SIZE
        } else {
            1
        };
        for &i in &seg.sections {
            let os = &sections[i];
            let tbss = os.sh_type == elf::SHT_NOBITS && os.flags & u64::from(elf::SHF_TLS) != 0;
            if tbss && seg.p_type != elf::PT_TLS {
                continue;
            }
            end_addr = end_addr.max(os.addr + os.size);
            if os.sh_type != elf::SHT_NOBITS {
                end_off = end_off.max(os.offset + os.size);
            }
            align = align.max(os.align);
        }
        seg.vaddr = start_addr;
        seg.paddr = start_lma;
        seg.offset = start_off;
        seg.memsz = end_addr - start_addr;
        if seg.memsz > crate::object_file::MAX_SIZE {
            return Err(link_error!(
                "a loadable segment from {start_addr:#x} would span {:#x} bytes, more than the \
                 x86_64 address space ({:#x} bytes)",
                seg.memsz,
                crate::object_file::MAX_SIZE
            )
            .help("check the addresses in the link script: sections far apart go in separate segments (PHDRS)"));
        }
        seg.filesz = end_off.saturating_sub(start_off);
        seg.align = align;
        if seg.p_type == elf::PT_TLS {
            tls = Some((seg.vaddr, seg.filesz, seg.memsz, seg.align));
        }
    }
    // Without PHDRS, sections of different permissions that the script packs into one page go
    // into one segment (the loader maps whole pages, so two segments sharing a page would give
    // the later one's permissions to both), as GNU ld does. Emptied entries become PT_NULL so
    // that SIZEOF_HEADERS stays what the layout assumed.
    if is_auto(segments) {
        merge_shared_pages(segments, sections)?;
    }

    // A loadable segment must not start in the page where the previous one ends with
    // zero-filled memory: the loader would map file bytes over that memory.
    let mut loads: Vec<&Segment> = segments
        .iter()
        .filter(|s| s.p_type == elf::PT_LOAD && s.memsz > 0)
        .collect();
    loads.sort_by_key(|s| s.vaddr);
    for pair in loads.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        let first_end = first.vaddr + first.memsz;
        if second.vaddr < first_end {
            return Err(link_error!(
                "segments overlap: {:#x}..{:#x} and {:#x}..{:#x}",
                first.vaddr,
                first_end,
                second.vaddr,
                second.vaddr + second.memsz
            )
            .help("check the addresses the link script assigns"));
        }
        if first.memsz > first.filesz && second.vaddr < align_up(first_end, PAGE_SIZE) {
            let name = second
                .sections
                .first()
                .map(|&i| sections[i].name.as_str())
                .unwrap_or("?");
            return Err(link_error!(
                "output section `{name}` at {:#x} starts a segment in the page where the previous \
                 segment's zero-filled memory (.bss) ends ({:#x})",
                second.vaddr,
                first_end
            )
            .help("place it before .bss in the link script, or align it to a page: `. = ALIGN(CONSTANT(MAXPAGESIZE));`"));
        }
    }

    // PT_PHDR describes the program headers where the first segment maps them.
    let headers_at = segments
        .iter()
        .find(|s| s.p_type == elf::PT_LOAD && s.headers && s.offset == 0)
        .map(|s| (s.vaddr, s.paddr));
    for seg in segments.iter_mut().filter(|s| s.p_type == elf::PT_PHDR) {
        if let Some((vaddr, paddr)) = headers_at {
            seg.vaddr = vaddr + EHDR_SIZE;
            seg.paddr = paddr + EHDR_SIZE;
        }
    }
    Ok((align_up(offset, 8), tls))
}

fn merge_shared_pages(segments: &mut [Segment], sections: &[OutputSection]) -> Result<()> {
    let mut order: Vec<usize> = (0..segments.len())
        .filter(|&i| segments[i].p_type == elf::PT_LOAD && segments[i].memsz > 0)
        .collect();
    order.sort_by_key(|&i| segments[i].vaddr);
    let mut current = match order.first() {
        Some(&i) => i,
        None => return Ok(()),
    };
    for &next in &order[1..] {
        let (a, b) = (&segments[current], &segments[next]);
        let a_end = a.vaddr + a.memsz;
        let shares_page = b.vaddr / PAGE_SIZE == (a_end - 1) / PAGE_SIZE;
        let contiguous_file = b.offset.wrapping_sub(a.offset) == b.vaddr.wrapping_sub(a.vaddr);
        if !shares_page || a.memsz > a.filesz || !contiguous_file {
            current = next;
            continue;
        }
        let flags = a.flags | b.flags;
        if flags & elf::PF_W != 0 && flags & elf::PF_X != 0 {
            let name = b
                .sections
                .first()
                .map(|&i| sections[i].name.as_str())
                .unwrap_or("?");
            return Err(link_error!(
                "output section `{name}` at {:#x} shares a page with code at {:#x}: the page would \
                 have to be writable and executable",
                b.vaddr,
                a_end
            )
            .help("separate code and data by a page in the link script: `. = ALIGN(CONSTANT(MAXPAGESIZE));`"));
        }
        let (b_vaddr, b_memsz, b_offset, b_filesz, b_align) =
            (b.vaddr, b.memsz, b.offset, b.filesz, b.align);
        let moved = std::mem::take(&mut segments[next].sections);
        let a = &mut segments[current];
        a.flags = flags;
        a.memsz = b_vaddr + b_memsz - a.vaddr;
        a.filesz = b_offset + b_filesz - a.offset;
        a.align = a.align.max(b_align);
        a.sections.extend(moved);
        segments[next] = empty_segment(elf::PT_NULL, 0);
    }
    Ok(())
}

fn first_load(segments: &[Segment]) -> usize {
    segments
        .iter()
        .position(|s| s.p_type == elf::PT_LOAD)
        .unwrap_or(0)
}

/// True when the segments were planned automatically (no PHDRS): headers are optional then.
fn is_auto(segments: &[Segment]) -> bool {
    segments
        .last()
        .is_some_and(|s| s.p_type == elf::PT_GNU_STACK)
        && !segments.iter().any(|s| s.p_type == elf::PT_PHDR)
}

/// The smallest offset >= `offset` that is congruent to `addr` modulo the page size.
fn congruent(offset: u64, addr: u64) -> u64 {
    let want = addr % PAGE_SIZE;
    let base = offset - offset % PAGE_SIZE + want;
    if base >= offset {
        base
    } else {
        base + PAGE_SIZE
    }
}

/// Sets `output`/`offset` of every placed input section from the layout.
pub fn apply_to_objects(layout: &Layout, objects: &mut [ObjectFile<'_>]) {
    for (index, os) in layout.sections.iter().enumerate() {
        for (piece, offset) in os.pieces.iter().zip(&os.piece_offsets) {
            if let Piece::Input { object, section } = piece {
                let s = &mut objects[*object as usize].sections[*section as usize];
                s.output = index as u32;
                s.offset = *offset;
            }
        }
    }
}

/// A symbol's address from an object symbol table entry.
pub fn local_symbol_address(
    objects: &[ObjectFile<'_>],
    layout: &Layout,
    object: usize,
    sym: usize,
) -> Option<u64> {
    let o = &objects[object];
    let s = o.sym(sym);
    match o.sym_section(sym) {
        Some(sec) => {
            let section = &o.sections[sec];
            let os = layout.sections.get(section.output as usize)?;
            if !section.live || section.kind == SectionKind::Discarded {
                return None;
            }
            let mut value = s.st_value(LE);
            if section.kind == SectionKind::EhFrame {
                value = 0;
            }
            Some(os.addr.wrapping_add(section.offset).wrapping_add(value))
        }
        None => {
            if s.st_shndx(LE) == elf::SHN_ABS {
                Some(s.st_value(LE))
            } else {
                None
            }
        }
    }
}
