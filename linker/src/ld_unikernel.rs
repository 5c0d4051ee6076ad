//! `ukl ld` for a platform: link-time binary compatibility. When `UKL_PLAT` is set (or the ld
//! option `--ukl-plat=P` is given, e.g. `-Wl,--ukl-plat=kvm`), the ordinary static link that a
//! C build system asks for (`musl-gcc -static -B DIR`, with DIR/ld running ukl) produces a
//! unikernel instead of a Linux executable: the command line's inputs (crt1.o, the program's
//! objects, musl's libc.a, libgcc) are linked with the platform's pool libraries, the
//! `linux_syscall` and `musl_start` libraries and their dependencies, with the platform's link
//! script and entry. The C library is the program's own (musl's libc.a), so the pool's `nolibc`
//! is left out. On linuxu the image is a Linux process: `linux_syscall_trap` traps its file
//! calls into the same table (so an initrd is its file system), and the host kernel serves
//! the rest.
//!
//! Parts of the C library that need more of the pool (threads: `linux_thread` and a
//! scheduler; sockets: `linux_net` and the network stack; System V IPC: `linux_ipc`) are
//! linked only when the program uses them: a resolution pass over the command line's inputs
//! finds which C library members the link brings in, and the registry's `serves` entries of
//! the system library name the pool library that each symbol calls for.

use crate::error::Result;
use crate::input::InputFile;
use crate::link::{self, Input, LinkOptions, LinkReport};
use crate::link_error;
use crate::platform;
use crate::resolve::{self, InputSpec};
use crate::select::Pool;
use crate::symbols::Definition;
use crate::system_lib::SystemLibrary;
use std::path::Path;

/// Libraries a musl program needs besides the platform's own (and the architecture's
/// `ukarch_crash`, which the platform's libraries bring: arch_x86_64 or plat_linuxu); those
/// not available for the platform are left out (`linux_syscall_trap` is linuxu's).
const MUSL_LIBRARIES: &[&str] = &[
    "linux_syscall",
    "linux_syscall_trap",
    "musl_start",
    "ukalloc",
    "rust_rt",
];
const PLAT_OPTION: &str = "--ukl-plat";

/// Removes `--ukl-plat=P` / `--ukl-plat P` from ld's arguments; returns the platform it names,
/// or `UKL_PLAT` from the environment.
pub fn take_platform(args: &mut Vec<String>) -> Result<Option<String>> {
    let mut platform = None;
    let mut i = 0;
    while i < args.len() {
        if let Some(value) = args[i].strip_prefix(&format!("{PLAT_OPTION}=")) {
            platform = Some(value.to_string());
            args.remove(i);
        } else if args[i] == PLAT_OPTION {
            args.remove(i);
            if i >= args.len() {
                return Err(link_error!("`{PLAT_OPTION}` needs a platform name"));
            }
            platform = Some(args.remove(i));
        } else {
            i += 1;
        }
    }
    Ok(platform.or_else(|| {
        std::env::var("UKL_PLAT")
            .ok()
            .filter(|p| !p.trim().is_empty())
    }))
}

/// A pool library that serves part of the C library, and the symbol that calls for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub library: String,
    pub symbol: String,
}

/// The pool libraries that serve the parts of `system` which the link of `inputs` brings in
/// (`serves` in registry.toml), e.g. `linux_thread` when musl's `__clone` is linked.
pub fn served_libraries(system: &[SystemLibrary], inputs: &[Input]) -> Result<Vec<Served>> {
    let services: Vec<_> = system.iter().flat_map(|s| s.serves.iter()).collect();
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let files: Vec<InputFile> = inputs
        .iter()
        .map(|i| InputFile::open(&i.path))
        .collect::<Result<_>>()?;
    let specs: Vec<InputSpec> = inputs
        .iter()
        .enumerate()
        .map(|(file, i)| InputSpec {
            file,
            whole_archive: i.whole_archive,
        })
        .collect();
    let resolved = resolve::resolve(&files, &specs, &[], &[])?;
    let linked = |name: &str| {
        resolved.symbols.lookup(name.as_bytes()).is_some_and(|id| {
            matches!(
                resolved.symbols.get(id).def,
                Definition::Defined { .. } | Definition::Common { .. }
            )
        })
    };
    // Whether an object other than the `ignored` members refers to `name`.
    let wanted = |name: &str, ignored: &[String]| {
        use object::read::elf::Sym;
        let Some(id) = resolved.symbols.lookup(name.as_bytes()) else {
            return false;
        };
        resolved.objects.iter().any(|object| {
            // By the member's name without its extension (`.o`, or `.lo` in Debian's libc.a).
            let ignored = object.member.as_ref().is_some_and(|m| {
                let stem = m.rsplit_once('.').map_or(m.as_str(), |(stem, _)| stem);
                ignored.iter().any(|i| i == stem)
            });
            !ignored
                && object.globals.iter().enumerate().any(|(i, &global)| {
                    global == id
                        && object
                            .sym(object.first_global + i)
                            .is_undefined(crate::object_file::LE)
                })
        })
    };
    let mut served: Vec<Served> = Vec::new();
    for service in services {
        if served.iter().any(|s| s.library == service.library) {
            continue;
        }
        let needed = |symbol: &&String| {
            linked(symbol)
                && (service.unless_only_from.is_empty()
                    || wanted(symbol, &service.unless_only_from))
        };
        if let Some(symbol) = service.when.iter().find(needed) {
            served.push(Served {
                library: service.library.clone(),
                symbol: symbol.clone(),
            });
        }
    }
    Ok(served)
}

/// The pool libraries linked with a musl program for `platform`, in dependency order: the
/// platform's, the musl support libraries, `served` (from [`served_libraries`]), their
/// dependencies, and the registry's default for every capability they require.
pub fn libraries(
    pool: &Pool,
    platform: &platform::Platform,
    served: &[Served],
) -> Result<Vec<String>> {
    let mut chosen: Vec<String> = Vec::new();
    // Why each library is queued, for errors: "netdev ← netstack ← linux_net ← ...".
    let mut why: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut queue: Vec<String> = platform.libraries.clone();
    queue.extend(MUSL_LIBRARIES.iter().map(|s| s.to_string()));
    for service in served {
        let reason = format!("the program uses `{}` from the C library", service.symbol);
        if !pool.supports(&service.library, &platform.name) {
            return Err(link_error!(
                "{reason}, which needs `{}`: not available for platform `{}`",
                service.library,
                platform.name
            )
            .help(format!(
                "`ukl pool info {}` shows its platforms; link for one of them",
                service.library
            )));
        }
        why.insert(service.library.clone(), reason);
        queue.push(service.library.clone());
    }
    let chain = |why: &std::collections::HashMap<String, String>, name: &str| {
        let mut text = name.to_string();
        let mut at = name.to_string();
        for _ in 0..16 {
            match why.get(&at) {
                Some(reason) if why.contains_key(reason) => {
                    text.push_str(&format!(" ← {reason}"));
                    at = reason.clone();
                }
                Some(reason) => {
                    text.push_str(&format!(" ← {reason}"));
                    break;
                }
                None => break,
            }
        }
        text
    };
    while let Some(name) = queue.first().cloned() {
        queue.remove(0);
        // The program's C library replaces the pool's (nolibc and what adds to it).
        let replaced = pool.registry.get(&name).is_some_and(|e| e.is_c_library());
        if chosen.contains(&name) || replaced {
            continue;
        }
        if !pool.supports(&name, &platform.name) {
            continue;
        }
        let entry = pool.registry.get(&name).ok_or_else(|| {
            link_error!("library `{name}` is not registered").help("restore registry.toml")
        })?;
        for dependency in &entry.dependencies {
            why.entry(dependency.clone())
                .or_insert_with(|| name.clone());
            queue.push(dependency.clone());
        }
        for capability in &entry.requires {
            let provider = pool
                .registry
                .default_for(capability, &platform.name)
                .ok_or_else(|| {
                    link_error!(
                        "no library provides `{capability}` for platform `{}`, which {name} requires",
                        platform.name
                    )
                    .note(format!("how {name} came in: {}", chain(&why, &name)))
                    .help(format!(
                        "link for a platform that has a `{capability}`, or leave out what needs it"
                    ))
                })?;
            why.entry(provider.clone()).or_insert_with(|| name.clone());
            queue.push(provider.clone());
        }
        chosen.push(name);
    }
    Ok(chosen)
}

/// The services that can be linked for `platform`. One that cannot (sockets on a platform
/// without a network driver) is left out with a warning on `warnings`: the program still
/// links and runs, and the calls of that part fail (`socket` with `EAFNOSUPPORT`, served by
/// linux_syscall), so that a program that merely contains them (an interpreter's socket
/// module) can be used there.
pub fn usable_services(
    pool: &Pool,
    platform: &platform::Platform,
    served: Vec<Served>,
    warnings: &mut impl std::io::Write,
) -> Vec<Served> {
    served
        .into_iter()
        .filter(
            |service| match libraries(pool, platform, std::slice::from_ref(service)) {
                Ok(_) => true,
                Err(why) => {
                    let _ = writeln!(
                        warnings,
                        "ukl: warning: {why}\n  = note: linked without `{}`: the program's calls \
                         that need it fail (`socket`: EAFNOSUPPORT)",
                        service.library
                    );
                    false
                }
            },
        )
        .collect()
}

/// Turns the ld command line's link into a unikernel link for `platform_name`.
pub fn link(home: &Path, platform_name: &str, mut options: LinkOptions) -> Result<LinkReport> {
    let platform = platform::load(home, platform_name)?;
    let pool = Pool::load(home, &platform.arch)?;
    let script_path = platform
        .linkscript_path(home)
        .ok_or_else(|| link_error!("platform `{}` names no link script", platform.name))?;
    let script_text = std::fs::read_to_string(&script_path)
        .map_err(|e| link_error!("cannot read link script `{}`: {e}", script_path.display()))?;
    let system = crate::system_lib::check_inputs(home, &options.inputs)?;
    let process = platform.format == "elf64-exec";
    let served = if process {
        // The host kernel serves threads, sockets and System V IPC of a Linux process.
        Vec::new()
    } else {
        served_libraries(&system, &options.inputs)?
    };
    // In ring 0 a C library's `hlt` (musl's a_crash()) would not fault: link it as `int3`.
    if !process {
        options.trap_hlt_in = crate::system_lib::files_among(&system, &options.inputs);
    }
    let served = usable_services(&pool, &platform, served, &mut std::io::stderr());
    let mut pool_inputs = Vec::new();
    for name in libraries(&pool, &platform, &served)? {
        pool.verify(&name)?;
        let path = pool
            .archive_path(&name)
            .ok_or_else(|| link_error!("library `{name}` is not in the prebuilt pool"))?;
        pool_inputs.push(Input {
            path,
            whole_archive: true,
        });
    }
    pool_inputs.append(&mut options.inputs);
    options.inputs = pool_inputs;
    options.script = Some((script_path.display().to_string(), script_text));
    // The platform's script replaces a -T script, which stays an input that -o may not name.
    options
        .other_inputs
        .extend(options.script_file.replace(script_path));
    options.entry = platform.entry.clone();
    options.gc_sections = true;
    options.strip_debug = true;
    options.eh_frame_hdr = false;
    if let Some(companion) = &platform.companion {
        options
            .also_written
            .push(companion.path(&options.output, platform.memory_mb));
    }
    let report = link::link(&options)?;
    if let Some(companion) = &platform.companion {
        companion.write(&report.output, platform.memory_mb, "")?;
    }
    Ok(report)
}
