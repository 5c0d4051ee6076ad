//! `ukl ld`: the GNU ld command line that gcc, clang and musl-gcc pass for static executables,
//! turned into [`LinkOptions`]. Options that have no meaning for a static image (the LTO plugin,
//! the dynamic linker, most `-z` keywords) are accepted and ignored; anything else that is not
//! supported is an error, never silently dropped.

use crate::error::Result;
use crate::link::{Input, LinkOptions};
use crate::link_error;
use std::path::{Path, PathBuf};

/// What the command line asked for.
pub enum LdCommand {
    Link(Box<LinkOptions>),
    Version,
    Help,
}

const VERSION: &str = concat!(
    "ukl ",
    env!("CARGO_PKG_VERSION"),
    " (compatible with GNU ld for static links)"
);

pub fn version_text() -> &'static str {
    VERSION
}

pub fn parse(args: &[String]) -> Result<LdCommand> {
    let args = expand_response_files(args)?;
    // As a drop-in for GNU ld, sections are collected only with --gc-sections (`ukl link`
    // collects by default).
    let mut options = LinkOptions {
        gc_sections: false,
        ..LinkOptions::default()
    };
    let mut search: Vec<PathBuf> = Vec::new();
    let mut libraries: Vec<(usize, String, bool)> = Vec::new();
    let mut positional: Vec<(usize, PathBuf, bool)> = Vec::new();
    let mut whole = false;
    let mut script_path: Option<PathBuf> = None;
    let mut order = 0usize;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        if !arg.starts_with('-') || arg == "-" {
            positional.push((order, PathBuf::from(arg), whole));
            order += 1;
            continue;
        }
        let long_form = one_dash_long(arg);
        let arg = long_form.as_deref().unwrap_or(arg);
        // Split `--opt=value`, `-oFILE`, `-lNAME`, ... into flag and value.
        let (flag, mut value): (String, Option<String>) = if let Some((f, v)) = arg.split_once('=')
        {
            if f.starts_with("--") || f == "-Map" || f == "-plugin-opt" {
                (f.to_string(), Some(v.to_string()))
            } else {
                (arg.to_string(), None)
            }
        } else {
            (arg.to_string(), None)
        };
        let mut flag = flag;
        // Any other one-dash word that begins with a short option taking a value is that
        // option with its value joined (long options were recognized first, as GNU ld does).
        if value.is_none() && !flag.starts_with("--") && flag.len() > 2 {
            let short = &flag[..2];
            if matches!(short, "-o" | "-T" | "-e" | "-L" | "-l" | "-u" | "-m" | "-z") {
                value = Some(flag[2..].to_string());
                flag = short.to_string();
            }
        }
        let next_value = |value: Option<String>, i: &mut usize| -> Result<String> {
            if let Some(v) = value {
                return Ok(v);
            }
            let v = args.get(*i).cloned().ok_or_else(|| {
                link_error!("option `{flag}` needs a value").help("see `ukl ld --help`")
            })?;
            *i += 1;
            Ok(v)
        };
        match flag.as_str() {
            "-o" | "--output" => options.output = PathBuf::from(next_value(value, &mut i)?),
            "-T" | "--script" => script_path = Some(PathBuf::from(next_value(value, &mut i)?)),
            "-e" | "--entry" => options.entry = Some(next_value(value, &mut i)?),
            "-L" | "--library-path" => search.push(PathBuf::from(next_value(value, &mut i)?)),
            "-l" | "--library" => {
                libraries.push((order, next_value(value, &mut i)?, whole));
                order += 1;
            }
            "-u" | "--undefined" | "--require-defined" => {
                options.undefined.push(next_value(value, &mut i)?)
            }
            "--keep" => options.keep.push(next_value(value, &mut i)?),
            "-m" => {
                let emulation = next_value(value, &mut i)?;
                if emulation != "elf_x86_64" {
                    return Err(link_error!("unsupported emulation `{emulation}`")
                        .help("ukl links x86_64 ELF only (-m elf_x86_64)"));
                }
            }
            f if NO_EFFECT.contains(&f) => {}
            "--eh-frame-hdr" => options.eh_frame_hdr = true,
            "--gc-sections" => options.gc_sections = true,
            "--no-gc-sections" => options.gc_sections = false,
            "--whole-archive" => whole = true,
            "--no-whole-archive" => whole = false,
            "-s" | "--strip-all" => options.strip_all = true,
            "-S" | "--strip-debug" => options.strip_debug = true,
            "--build-id" => {
                options.build_id = value.as_deref() != Some("none");
            }
            "-Map" | "--Map" => options.map = Some(PathBuf::from(next_value(value, &mut i)?)),
            // The LTO plugin and its options: ukl links regular objects only (gcc passes these
            // on every link; objects built without -flto carry no LTO bytecode to hand over).
            "-plugin" | "--plugin" | "-plugin-opt" | "--plugin-opt" => {
                next_value(value, &mut i)?;
            }
            f if NO_EFFECT_WITH_VALUE.contains(&f) => {
                next_value(value, &mut i)?;
            }
            "-z" => {
                let keyword = next_value(value, &mut i)?;
                check_z(&keyword)?;
            }
            "-v" | "--version" | "-V" => return Ok(LdCommand::Version),
            "-h" | "--help" => return Ok(LdCommand::Help),
            "-pie" | "--pie" | "-shared" | "--shared" | "-Bshareable" | "--static-pie"
            | "-static-pie" => {
                return Err(link_error!(
                    "`{flag}`: ukl links static, position-dependent images only"
                )
                .help("link with -static -no-pie (gcc: `gcc -static -no-pie ...`)"));
            }
            "-r" | "--relocatable" | "-i" => {
                return Err(link_error!("`{flag}`: relocatable output is not supported")
                    .help("use GNU ld or ld.lld to combine objects; ukl produces images"));
            }
            _ => {
                return Err(link_error!("unsupported option `{arg}`").help(
                    "ukl ld accepts the GNU ld options used for static links; see `ukl ld --help`",
                ));
            }
        }
    }
    if let Some(path) = script_path {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| link_error!("cannot read link script `{}`: {e}", path.display()))?;
        options.script = Some((path.display().to_string(), text));
        options.script_file = Some(path);
    }
    if options.output.as_os_str().is_empty() {
        options.output = PathBuf::from("a.out");
    }
    let mut inputs: Vec<(usize, Input)> = positional
        .into_iter()
        .map(|(o, path, whole_archive)| {
            (
                o,
                Input {
                    path,
                    whole_archive,
                },
            )
        })
        .collect();
    for (o, name, whole_archive) in libraries {
        let path = find_library(&name, &search)?;
        inputs.push((
            o,
            Input {
                path,
                whole_archive,
            },
        ));
    }
    inputs.sort_by_key(|(o, _)| *o);
    options.inputs = inputs.into_iter().map(|(_, input)| input).collect();
    Ok(LdCommand::Link(Box::new(options)))
}

/// Options that change nothing in a static, position-dependent image: dynamic linking, symbol
/// export, diagnostics and tuning.
const NO_EFFECT: &[&str] = &[
    "-static",
    "-Bstatic",
    "-dn",
    "-non_shared",
    "--static",
    "-no-pie",
    "--no-pie",
    "-nopie",
    "-nostdlib",
    "--no-dynamic-linker",
    "-EL",
    "--no-eh-frame-hdr",
    "--as-needed",
    "--no-as-needed",
    "--push-state",
    "--pop-state",
    "-O0",
    "-O1",
    "-O2",
    "-O3",
    "--fatal-warnings",
    "--no-fatal-warnings",
    "--warn-common",
    "--no-undefined",
    "--allow-shlib-undefined",
    "--no-allow-shlib-undefined",
    "-X",
    "--discard-locals",
    "-x",
    "--discard-all",
    "--sort-common",
    "--color-diagnostics",
    "--no-color-diagnostics",
    "--relax",
    "--no-relax",
    "-Bdynamic",
    "-dy",
    "-call_shared",
    "--no-warn-rwx-segments",
    "--no-warn-execstack",
    "--enable-new-dtags",
    "--disable-new-dtags",
    "--start-group",
    "-(",
    "--end-group",
    "-)",
    "--verbose",
    // There is no dynamic symbol table to export to (gcc's -rdynamic passes -export-dynamic).
    "-E",
    "--export-dynamic",
    "--no-export-dynamic",
    "--dynamic-list-data",
    "-Bsymbolic",
    "-Bsymbolic-functions",
    "--copy-dt-needed-entries",
    "--no-copy-dt-needed-entries",
    "--ignore-unresolved-symbol",
    "--no-keep-memory",
    "--reduce-memory-overheads",
    "--no-undefined-version",
    "--undefined-version",
    "--warn-shared-textrel",
    "--warn-once",
    "--no-warnings",
    "-w",
    "--stats",
];

/// Options of the same kind that take a value, which is read and dropped.
const NO_EFFECT_WITH_VALUE: &[&str] = &[
    "-dynamic-linker",
    "--dynamic-linker",
    "--sysroot",
    "--hash-style",
    "--sort-section",
    "--thread-count",
    "--threads-count",
    "--threads",
    "--dynamic-list",
    "--export-dynamic-symbol",
    "--export-dynamic-symbol-list",
    "--version-script",
    "--exclude-libs",
    "--compress-debug-sections",
    "--error-limit",
    "-soname",
    "--soname",
    "-rpath",
    "--rpath",
    "-rpath-link",
    "--rpath-link",
];

/// The long options that do something, for [`one_dash_long`].
const WITH_EFFECT: &[&str] = &[
    "--output",
    "--script",
    "--entry",
    "--library-path",
    "--library",
    "--undefined",
    "--require-defined",
    "--keep",
    "--eh-frame-hdr",
    "--gc-sections",
    "--no-gc-sections",
    "--whole-archive",
    "--no-whole-archive",
    "--strip-all",
    "--strip-debug",
    "--build-id",
    "--Map",
    "--plugin",
    "--plugin-opt",
    "--version",
    "--help",
    "--pie",
    "--shared",
    "--static-pie",
    "--relocatable",
];

/// GNU ld takes its long options after one dash as well as two, and prefers them to a short
/// option with a joined value: `-export-dynamic` is `--export-dynamic`, not `-e xport-dynamic`.
/// Returns the two-dash spelling of such an argument.
fn one_dash_long(arg: &str) -> Option<String> {
    let rest = arg.strip_prefix('-')?;
    let name = rest.split('=').next().unwrap_or(rest);
    if rest.starts_with('-') || name.len() < 2 {
        return None;
    }
    let long = format!("--{name}");
    [NO_EFFECT, NO_EFFECT_WITH_VALUE, WITH_EFFECT]
        .iter()
        .any(|table| table.contains(&long.as_str()))
        .then(|| format!("-{arg}"))
}

/// `-z` keywords: those about dynamic linking, stacks and segment layout are meaningless or
/// already true for ukl's static images.
fn check_z(keyword: &str) -> Result<()> {
    let name = keyword.split('=').next().unwrap_or(keyword);
    match name {
        "relro"
        | "norelro"
        | "now"
        | "lazy"
        | "noexecstack"
        | "execstack"
        | "separate-code"
        | "noseparate-code"
        | "max-page-size"
        | "common-page-size"
        | "text"
        | "notext"
        | "defs"
        | "nodefs"
        | "origin"
        | "combreloc"
        | "nocombreloc"
        | "pack-relative-relocs"
        | "nopack-relative-relocs"
        | "ibt"
        | "shstk"
        | "cet-report"
        | "start-stop-gc"
        | "nostart-stop-gc"
        | "noexecheap"
        | "execheap"
        | "nognustack"
        | "x86-64-baseline"
        | "x86-64-v2"
        | "x86-64-v3"
        | "x86-64-v4"
        | "mark-plt"
        | "nomark-plt"
        | "memory-seal"
        | "nomemory-seal"
        | "undefs"
        | "noundefs"
        | "nodelete"
        | "nodlopen"
        | "initfirst"
        | "interpose"
        | "global"
        | "muldefs"
        | "stack-size"
        | "rodynamic"
        | "rel"
        | "rela"
        | "dynamic-undefined-weak"
        | "nodynamic-undefined-weak" => Ok(()),
        _ => Err(link_error!("unsupported option `-z {keyword}`")
            .help("ukl accepts the -z keywords that apply to static images; remove this one")),
    }
}

/// Finds `-l NAME`: `libNAME.a` in the search directories (or `-l:FILE` literally). Shared
/// libraries cannot be linked into a static image.
pub fn find_library(name: &str, search: &[PathBuf]) -> Result<PathBuf> {
    let (file, literal) = match name.strip_prefix(':') {
        Some(f) => (f.to_string(), true),
        None => (format!("lib{name}.a"), false),
    };
    for dir in search {
        let candidate = dir.join(&file);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let shared = (!literal)
        .then(|| {
            search
                .iter()
                .map(|d| d.join(format!("lib{name}.so")))
                .find(|p| p.exists())
        })
        .flatten();
    let mut error = link_error!("library not found: -l{name} (looked for `{file}`)");
    for dir in search {
        error = error.note(format!("searched {}", dir.display()));
    }
    Err(match shared {
        Some(so) => error.help(format!(
            "only a shared library exists ({}); ukl links static archives: install the static version of the library",
            so.display()
        )),
        None => error.help("add the directory that holds it with -L, or install the library's static archive"),
    })
}

fn expand_response_files(args: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(args.len());
    for arg in args {
        match arg.strip_prefix('@') {
            Some(path) if Path::new(path).is_file() => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| link_error!("cannot read response file `{path}`: {e}"))?;
                out.extend(split_response(&text));
            }
            _ => out.push(arg.clone()),
        }
    }
    Ok(out)
}

/// Splits a response file the way gcc writes them: whitespace-separated, with quotes and
/// backslash escapes.
fn split_response(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', _) => {
                if let Some(n) = chars.next() {
                    current.push(n);
                    in_word = true;
                }
            }
            (q @ ('"' | '\''), None) => {
                quote = Some(q);
                in_word = true;
            }
            (q, Some(open)) if q == open => quote = None,
            (c, None) if c.is_whitespace() => {
                if in_word {
                    args.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (c, _) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        args.push(current);
    }
    args
}

pub const HELP: &str = "\
Usage: ukl ld [options] files...

ukl's drop-in replacement for GNU ld for static x86_64 executables and images.

  -o FILE                 output file (default a.out)
  -T FILE, --script=FILE  link script (GNU ld syntax subset; see docs/linker.md)
  -e SYM, --entry=SYM     entry point (default: ENTRY() of the script, else _start)
  -L DIR                  add a library search directory
  -l NAME, -l:FILE        link libNAME.a (or FILE) from the search directories
  -u SYM, --undefined=SYM treat SYM as undefined (extracts archive members, gc root)
  --keep=SYM              keep SYM and what it references through garbage collection
  --gc-sections / --no-gc-sections   section garbage collection (off by default, as in GNU ld)
  --whole-archive / --no-whole-archive
  --start-group / --end-group        accepted; ukl resolves archives in any order
  -s, --strip-all         no symbol table
  -S, --strip-debug       drop debug sections
  --build-id[=STYLE]      add a .note.gnu.build-id (SHA-256 of the image, 20 bytes)
  -Map FILE, --Map=FILE   write a map: sections, addresses, sizes, why each was kept
  -static, -nostdlib, -m elf_x86_64, -z KEYWORD,
  -plugin/-plugin-opt, -dynamic-linker   accepted (no effect on a static image)
  --eh-frame-hdr          write .eh_frame_hdr and PT_GNU_EH_FRAME for unwinders
  -v, --version           print the version
";

#[cfg(test)]
mod tests {
    use super::*;

    fn link(args: &[&str]) -> Result<LinkOptions> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        match parse(&args)? {
            LdCommand::Link(options) => Ok(*options),
            _ => panic!("not a link"),
        }
    }

    #[test]
    fn long_options_take_one_dash_as_in_gnu_ld() {
        // gcc -rdynamic passes -export-dynamic: not `-e xport-dynamic`.
        let options = link(&["-export-dynamic", "-o", "out", "a.o"]).unwrap();
        assert_eq!(options.entry, None);
        assert_eq!(options.output, PathBuf::from("out"));
        let options = link(&["-gc-sections", "-entry=start", "-output=image", "a.o"]).unwrap();
        assert!(options.gc_sections);
        assert_eq!(options.entry.as_deref(), Some("start"));
        assert_eq!(options.output, PathBuf::from("image"));
        // Short options with joined values are still short options.
        let options = link(&["-estart", "-ofile", "a.o"]).unwrap();
        assert_eq!(options.entry.as_deref(), Some("start"));
        assert_eq!(options.output, PathBuf::from("file"));
    }

    #[test]
    fn options_without_effect_on_a_static_image_are_accepted() {
        let options = link(&[
            "--version-script",
            "exports.map",
            "-Bsymbolic",
            "--dynamic-list=list",
            "-E",
            "-soname",
            "libx.so.1",
            "a.o",
        ])
        .unwrap();
        let inputs: Vec<_> = options.inputs.iter().map(|i| i.path.clone()).collect();
        assert_eq!(inputs, [PathBuf::from("a.o")]);
    }

    #[test]
    fn every_long_option_with_an_effect_is_parsed() {
        for flag in WITH_EFFECT {
            let args: Vec<String> = [flag, "value", "a.o"]
                .iter()
                .map(|a| a.to_string())
                .collect();
            if let Err(error) = parse(&args) {
                assert!(
                    !error.to_string().contains("unsupported option"),
                    "{flag}: {error}"
                );
            }
        }
    }

    #[test]
    fn unknown_options_are_refused_by_name() {
        let error = link(&["--frobnicate", "a.o"]).err().unwrap();
        assert!(error.to_string().contains("--frobnicate"), "{error}");
    }
}
