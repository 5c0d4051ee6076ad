//! ukl: a link-time assembler of unikernels.
//!
//! The core is a static ELF linker for x86_64 organised as phases, each in its own module and
//! each reading the previous phase's output:
//!
//! 1. [`input`]: files are mapped; archives are listed with their symbol index.
//! 2. [`object_file`]: relocatable objects are parsed in place.
//! 3. [`resolve`] over [`symbols`]: symbol resolution and archive member extraction.
//! 4. [`layout::assign`]: input sections are matched to output sections by the [`script`].
//! 5. [`gc`] (then [`eh_frame`]): unreachable sections are dropped.
//! 6. [`layout::finish`]: addresses, segments and file offsets.
//! 7. [`relocate`] and [`write`]: contents are copied, relocated and written.
//!
//! [`link`] drives the phases and [`output`] writes what they produce; [`ld_args`] is the GNU ld command line, and [`ld_unikernel`]
//! turns such a link into a unikernel link (with musl from [`system_lib`]); [`pool`] builds the
//! prebuilt library pool; [`select`] chooses libraries from it and [`unikernel`] links an
//! application with them for a [`platform`]; [`run`] boots the result ([`console_log`] reads a
//! hypervisor's serial log, [`run_outcome`] turns what the run saw into its exit status,
//! [`runner_process`] keeps the runner in a process group, [`interrupt`] catches the signals
//! that stop a run, [`run_dir`] is its private directory, [`initrd`] packs a directory). [`manifest`] reads an application's `uk.toml`, [`options`]
//! validates link-time options and writes them into the image, [`explain`] answers `ukl why`,
//! [`catalog`] `ukl pool list/info`, and [`diagnostics`] renders errors for people or (JSON) for
//! tools.

pub mod catalog;
pub mod console_log;
pub mod crash_symbols;
pub mod diagnostics;
pub mod eh_frame;
pub mod error;
pub mod explain;
pub mod fuzz_targets;
pub mod gc;
pub mod halt_watch;
pub mod hash;
pub mod hlt_trap;
pub mod initrd;
pub mod input;
pub mod interrupt;
pub mod layout;
pub mod ld_args;
pub mod ld_unikernel;
pub mod link;
pub mod manifest;
pub mod map;
pub mod object_file;
pub mod options;
pub mod output;
pub mod platform;
pub mod pool;
pub mod relocate;
pub mod resolve;
pub mod run;
pub mod run_dir;
pub mod run_outcome;
pub mod runner_process;
pub mod script;
pub mod select;
pub mod symbols;
pub mod system_lib;
pub mod unikernel;
pub mod write;

pub use error::{LinkError, Result};
pub use link::{link, LinkOptions, LinkReport};
