//! `ukl run`: boots an image the way its platform descriptor says (QEMU for kvm, Xen under
//! QEMU for xen, the image itself for linuxu), streams the console to the terminal and returns
//! how the run ended ([`crate::run_outcome`]: the unikernel's exit status when it reported
//! one). The runner lives in a process group of its own ([`crate::runner_process`]), which the
//! run stops after the timeout or an interrupting signal ([`crate::interrupt`]); what the run
//! makes goes into its private directory ([`crate::run_dir`]).

use crate::console_log::{ConsoleLog, LogLine};
use crate::error::Result;
use crate::link_error;
use crate::platform::Platform;
use crate::run_dir::RunDir;
pub use crate::run_outcome::{decode_exit, is_error_line, judge, Observed, Outcome};
use crate::runner_process::{Foreground, Group};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub memory: Option<String>,
    pub timeout: Option<u64>,
    pub kvm: bool,
    /// QEMU machine type replacing the descriptor's `-M` value (e.g. `q35`, `pc`).
    pub machine: Option<String>,
    /// Network cards: one QEMU `-netdev` specification each (e.g.
    /// `user,hostfwd=tcp:127.0.0.1:8080-:80`), attached as virtio-net.
    pub net: Vec<String>,
    pub args: Vec<String>,
    /// Environment variables of the program, `NAME=VALUE` each: `env.NAME=VALUE` words at the
    /// start of a VM's command line (the boot library's environment), or the process's
    /// environment for a process image.
    pub env: Vec<String>,
    /// Show the hypervisor's own console lines (on stderr) for platforms that hide them.
    pub hypervisor_log: bool,
    /// An initrd file (a directory is packed by [`crate::initrd::prepare`] first).
    pub initrd: Option<PathBuf>,
}

/// The status of a guest that crashed (as `ukarch_crash` reports it).
pub const CRASH_STATUS: i32 = 127;

/// Hypervisor lines shown when a run ends without a status.
const HYPERVISOR_TAIL: usize = 20;
/// QEMU memory beyond the domain's, for Xen itself.
const XEN_HOST_EXTRA_MB: u64 = 224;

/// Joins arguments into a kernel command line, quoting those with spaces.
pub fn command_line(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '"' || c == '\\') {
                // The boot library's rules: quotes group, a backslash takes the next character.
                let escaped = a.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{escaped}\"")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks `NAME=VALUE` environment entries: a name of letters, digits and `_`, not starting
/// with a digit.
pub fn check_env(env: &[String]) -> Result<()> {
    for entry in env {
        let name = entry.split_once('=').map(|(name, _)| name);
        let valid = name.is_some_and(|n| {
            !n.is_empty()
                && !n.starts_with(|c: char| c.is_ascii_digit())
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !valid {
            return Err(link_error!("`{entry}` is not an environment entry")
                .help("give NAME=VALUE, e.g. `--env TZ=UTC`; names are letters, digits and _"));
        }
    }
    Ok(())
}

/// `NAME=VALUE` entries with only the last one of each name kept, in their order.
pub fn last_of_each_name(env: Vec<String>) -> Vec<String> {
    let name = |entry: &String| entry.split('=').next().unwrap_or_default().to_string();
    let mut kept: Vec<String> = Vec::new();
    for entry in env {
        kept.retain(|earlier| name(earlier) != name(&entry));
        kept.push(entry);
    }
    kept
}

/// The words of a VM's command line: the environment as `env.NAME=VALUE` words (what the boot
/// library takes for the environment), then the arguments.
fn guest_words(options: &RunOptions) -> Vec<String> {
    options
        .env
        .iter()
        .map(|entry| format!("env.{entry}"))
        .chain(options.args.iter().cloned())
        .collect()
}

/// The Xen hypervisor (a multiboot ELF) for `{xen}`: `$UKL_XEN`, else `xen.elf` in
/// `$UKL_XEN_DIR` or `${XDG_CACHE_HOME:-~/.cache}/ukl/xen/`, where scripts/fetch-xen puts it.
pub fn xen_hypervisor() -> Result<PathBuf> {
    let path = if let Some(file) = std::env::var_os("UKL_XEN") {
        PathBuf::from(file)
    } else {
        let dir = match std::env::var_os("UKL_XEN_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .unwrap_or_else(|| PathBuf::from("/tmp/.cache"))
                .join("ukl/xen"),
        };
        dir.join("xen.elf")
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(link_error!("no Xen hypervisor at {}", path.display())
            .help("run scripts/fetch-xen (it unpacks Debian's xen-hypervisor-4.17-amd64 there), or set UKL_XEN"))
    }
}

/// Parses QEMU's `-m` syntax (a number of MiB, or with a K, M, G or T suffix) into MiB.
pub fn memory_mb(text: &str) -> Result<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "M"),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| link_error!("invalid memory size `{text}`").help("write e.g. 64M or 1G"))?;
    let mb = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "K" => value / 1024,
        "M" => value,
        "G" => value * 1024,
        "T" => value * 1024 * 1024,
        _ => return Err(link_error!("invalid memory size `{text}`").help("write e.g. 64M or 1G")),
    };
    Ok(mb)
}

/// The run command for `image`. Whole-word placeholders: `IMAGE`, `CMDLINE` (the arguments as
/// one kernel command line), `ARGS` (the arguments as separate words). Inside words: `{image}`,
/// `{cmdline}`, `{module_cmdline}` (the command line with commas doubled, for QEMU's `-initrd`
/// module list), `{initrd_module}` (with `--initrd`, a comma and the initrd's path with commas
/// doubled, appending it to such a module list; empty without), `{xen}` ([`xen_hypervisor`]),
/// `{memory_mb}` (the guest's memory; when the command uses it, `-m` sets it instead of QEMU's
/// `-m`) and `{host_memory_mb}`. An initrd goes where the descriptor says: the `initrd`
/// arguments (`INITRD` is its path), `{initrd_module}`, or the environment variable `initrd_env`
/// (its absolute path, for a process image).
pub fn build_command(platform: &Platform, image: &Path, options: &RunOptions) -> Result<Command> {
    let spec = platform.run.as_ref().ok_or_else(|| {
        link_error!(
            "platform `{}` does not say how to run its images",
            platform.name
        )
    })?;
    check_env(&options.env)?;
    // linuxu: the image is the program and takes the application's arguments directly.
    let is_process = spec.command.iter().any(|w| w == "ARGS");
    let cmdline = command_line(&guest_words(options));
    let guest_memory_in_command = spec.command.iter().any(|w| w.contains("{memory_mb}"));
    let guest_mb = match (&options.memory, guest_memory_in_command) {
        (Some(memory), true) => memory_mb(memory)?,
        _ => platform.memory_mb,
    };
    let xen = if spec.command.iter().any(|w| w.contains("{xen}")) {
        xen_hypervisor()?.display().to_string()
    } else {
        String::new()
    };
    let initrd_in_command = spec.command.iter().any(|w| w.contains("{initrd_module}"));
    let initrd_env = spec.initrd_env.as_deref().filter(|name| !name.is_empty());
    if options.initrd.is_some()
        && spec.initrd.is_empty()
        && !initrd_in_command
        && initrd_env.is_none()
    {
        return Err(
            link_error!("platform `{}` cannot take an initrd", platform.name).help(
                "add `initrd = [...]` or `initrd_env = \"NAME\"` to the [run] section of its descriptor, or `{initrd_module}` to its command",
            ),
        );
    }
    let initrd_module = match &options.initrd {
        Some(path) if initrd_in_command => {
            format!(",{}", path.display().to_string().replace(',', ",,"))
        }
        _ => String::new(),
    };
    let mut words: Vec<String> = Vec::new();
    for (position, w) in spec.command.iter().enumerate() {
        match w.as_str() {
            // A program name without a slash would be looked up in PATH.
            "IMAGE" if position == 0 => words.push(
                std::path::absolute(image)
                    .unwrap_or_else(|_| image.to_path_buf())
                    .display()
                    .to_string(),
            ),
            "IMAGE" => words.push(image.display().to_string()),
            "CMDLINE" => words.push(cmdline.clone()),
            "ARGS" => words.extend(options.args.iter().cloned()),
            _ => words.push(
                w.replace("{image}", &image.display().to_string())
                    .replace("{cmdline}", &cmdline)
                    .replace("{module_cmdline}", &cmdline.replace(',', ",,"))
                    .replace("{initrd_module}", &initrd_module)
                    .replace("{xen}", &xen)
                    .replace("{memory_mb}", &guest_mb.to_string())
                    .replace(
                        "{host_memory_mb}",
                        &(guest_mb + XEN_HOST_EXTRA_MB).to_string(),
                    ),
            ),
        }
    }
    if let (Some(memory), false, false) = (&options.memory, guest_memory_in_command, is_process) {
        match words.iter().position(|w| w == "-m") {
            Some(i) if i + 1 < words.len() => words[i + 1] = memory.clone(),
            _ => {
                words.push("-m".into());
                words.push(memory.clone());
            }
        }
    }
    if let Some(initrd) = options.initrd.as_ref().filter(|_| !initrd_in_command) {
        let path = initrd.display().to_string();
        let at = words
            .iter()
            .position(|w| w == "-kernel")
            .unwrap_or(words.len());
        let extra: Vec<String> = spec
            .initrd
            .iter()
            .map(|w| {
                if w == "INITRD" {
                    path.clone()
                } else {
                    w.clone()
                }
            })
            .collect();
        words.splice(at..at, extra);
    }
    if options.kvm {
        if let Some(i) = words.iter().position(|w| w == "tcg") {
            words[i] = "kvm".into();
            words.push("-cpu".into());
            words.push("host".into());
        }
    }
    if let Some(machine) = &options.machine {
        set_machine(&mut words, machine);
    }
    let tap = if is_process {
        tap_interface(platform, &options.net)?
    } else {
        add_network(&mut words, &options.net);
        None
    };
    let (program, rest) = words
        .split_first()
        .ok_or_else(|| link_error!("platform `{}` has an empty run command", platform.name))?;
    let mut command = Command::new(program);
    command.args(rest);
    if is_process {
        only_standard_streams(&mut command);
        // Like a guest in a VM, the program sees only the environment it is given (and the
        // platform's own variables below).
        command.env_clear();
        for entry in &options.env {
            if let Some((name, value)) = entry.split_once('=') {
                command.env(name, value);
            }
        }
    }
    // A process sizes its memory region from UKL_MEMORY (plat_linuxu).
    if let Some(memory) = options.memory.as_ref().filter(|_| is_process) {
        command.env("UKL_MEMORY", memory);
    }
    // A process attaches to a TAP interface named by UKL_TAP (tap_net).
    if let Some(name) = tap {
        command.env("UKL_TAP", name);
    }
    // The initrd by its absolute path in the descriptor's variable (linuxu: UKL_INITRD).
    if let (Some(name), Some(initrd)) = (initrd_env, &options.initrd) {
        command.env(
            name,
            std::path::absolute(initrd).unwrap_or_else(|_| initrd.clone()),
        );
    }
    Ok(command)
}

/// Lets `command`'s process inherit only descriptors 0, 1 and 2, like a guest booted in a
/// virtual machine: a process image started by `ukl run` must not see what its runner's own
/// parent left open (a build tool's jobserver pipe, a CI harness's log file), which would
/// shift the descriptor numbers the program is given. The others are marked close-on-exec
/// in the child, so that `Command` still reports a failed exec.
pub fn only_standard_streams(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec; it makes only system calls
    // that are async-signal-safe (close_range, getrlimit, fcntl) and touches only its own
    // stack.
    unsafe {
        command.pre_exec(|| {
            // Linux 5.11 and later; where it is missing or a sandbox's filter refuses it, each
            // number is marked one by one.
            let marked = libc::syscall(
                libc::SYS_close_range,
                3u32,
                u32::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            );
            if marked != 0 {
                mark_each_close_on_exec();
            }
            Ok(())
        });
    }
}

/// Marks descriptors 3 up to the descriptor limit close-on-exec, one call each (FD_CLOEXEC
/// is the only descriptor flag, so setting it loses nothing). Async-signal-safe.
fn mark_each_close_on_exec() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only the struct it is given.
    let last = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        limit.rlim_cur.min(1 << 20) as libc::c_int
    } else {
        1024
    };
    for fd in 3..last {
        // SAFETY: F_SETFD changes only the flags of `fd` (EBADF when it is not open).
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
}

/// The end-of-input byte a guest console reads as a terminal's Ctrl-D.
pub const END_OF_INPUT: u8 = 0x04;

/// Copies `from` (ukl's standard input) to a guest's console input as it comes (a terminal's
/// lines as they are typed), then [`END_OF_INPUT`]. Stops quietly when the guest is gone.
pub fn forward_input(mut from: impl std::io::Read, mut to: impl std::io::Write) {
    let mut buffer = [0u8; 4096];
    loop {
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buffer[..n]).and_then(|_| to.flush()).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = to.write_all(&[END_OF_INPUT]).and_then(|_| to.flush());
}

/// The TAP interface of `--net tap:NAME` for a process image (the only network it can have).
fn tap_interface(platform: &Platform, net: &[String]) -> Result<Option<String>> {
    match net {
        [] => Ok(None),
        [spec] if spec.strip_prefix("tap:").is_some_and(|n| !n.is_empty()) => {
            Ok(spec.strip_prefix("tap:").map(str::to_string))
        }
        _ => Err(link_error!(
            "platform `{}` takes one network, `--net tap:NAME` (a Linux TAP interface)",
            platform.name
        )
        .help("create the interface first, e.g. `ip tuntap add dev ukltap0 mode tap`")),
    }
}

/// Replaces the QEMU machine type; qboot (microvm's firmware) is dropped for other machines,
/// which then boot with SeaBIOS (it assigns the PCI BARs).
fn set_machine(words: &mut Vec<String>, machine: &str) {
    if let Some(i) = words.iter().position(|w| w == "-M") {
        if i + 1 < words.len() {
            words[i + 1] = machine.to_string();
        }
    }
    if !machine.starts_with("microvm") {
        if let Some(i) = words.iter().position(|w| w == "-bios") {
            if words.get(i + 1).is_some_and(|w| w.contains("qboot")) {
                words.drain(i..i + 2);
            }
        }
    }
}

/// Adds one virtio-net card per `-netdev` specification: `virtio-net-device` (virtio-mmio) on
/// microvm, with the modern register layout and without QEMU appending `virtio_mmio.device=`
/// words to the command line; `virtio-net-pci` on other machines.
fn add_network(words: &mut Vec<String>, net: &[String]) {
    if net.is_empty() {
        return;
    }
    let machine = words.iter().position(|w| w == "-M");
    let microvm = machine
        .and_then(|i| words.get(i + 1))
        .is_some_and(|m| m.starts_with("microvm"));
    if microvm {
        if let Some(m) = machine.and_then(|i| words.get_mut(i + 1)) {
            if !m.contains("auto-kernel-cmdline") {
                m.push_str(",auto-kernel-cmdline=off");
            }
        }
        words.push("-global".into());
        words.push("virtio-mmio.force-legacy=false".into());
    }
    for (i, spec) in net.iter().enumerate() {
        words.push("-netdev".into());
        words.push(format!("{spec},id=net{i}"));
        words.push("-device".into());
        // `romfile=` skips the iPXE option ROM (seconds of firmware time on pc/q35).
        words.push(if microvm {
            format!("virtio-net-device,netdev=net{i}")
        } else {
            format!("virtio-net-pci,netdev=net{i},romfile=")
        });
    }
}

/// What the threads reading a runner's streams saw, shared with the waiting thread.
#[derive(Debug, Default)]
struct Seen {
    /// The guest printed something on its console.
    guest_output: AtomicBool,
    /// The hypervisor's log said it stopped for good (the platform's `fatal` line): why.
    fatal: Mutex<Option<String>>,
}

impl Seen {
    fn fatal(&self) -> Option<String> {
        self.fatal.lock().ok().and_then(|f| f.clone())
    }
}

/// A reader that notes in [`Seen`] that the guest printed something.
struct NoteOutput<R> {
    inner: R,
    seen: Arc<Seen>,
}

impl<R: std::io::Read> std::io::Read for NoteOutput<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        if n > 0 {
            self.seen.guest_output.store(true, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// How long a runner has to end after it is asked to (SIGTERM, or the interrupting signal
/// for a process image) before its group is killed.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Boots `image`, streaming its console, and returns how it ended. What the run makes (the
/// QMP socket) goes into `run_dir`.
pub fn run(
    platform: &Platform,
    image: &Path,
    options: &RunOptions,
    run_dir: &RunDir,
) -> Result<Outcome> {
    let mut command = build_command(platform, image, options)?;
    let console_exit = platform
        .run
        .as_ref()
        .and_then(|r| r.exit.as_ref())
        .filter(|e| e.kind == "console");
    let fatal_line = console_exit
        .and_then(|e| e.fatal.clone())
        .filter(|f| !f.is_empty());
    let console_exit = console_exit.map(ConsoleLog::new);
    // A virtual machine's console passes through ukl: a hypervisor log is sorted out
    // (console_exit), a plain console is copied as it comes and its crash report's backtrace
    // gets function names. A process image (linuxu) keeps ukl's own stdout, so that a terminal
    // stays a terminal for it (stdio buffering); its crash reports are on stderr, which
    // passes through ukl instead. A VMM's stderr passes through ukl as well, which reads its
    // error lines.
    let is_process = platform
        .run
        .as_ref()
        .is_some_and(|r| r.command.iter().any(|w| w == "ARGS"))
        && console_exit.is_none();
    let console_input = platform.run.as_ref().is_some_and(|r| r.console_input);
    command
        .stdin(if is_process {
            Stdio::inherit()
        } else if console_input {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(if is_process {
            Stdio::inherit()
        } else {
            Stdio::piped()
        })
        .stderr(Stdio::piped());
    let monitor_args = platform
        .run
        .as_ref()
        .map(|r| r.monitor.clone())
        .unwrap_or_default();
    // Without room for the socket's path (a long TMPDIR), the run goes without the monitor.
    let socket = if monitor_args.is_empty() {
        None
    } else {
        run_dir.socket_path("qmp.sock")
    };
    if let Some(socket) = &socket {
        command.args(
            monitor_args
                .iter()
                .map(|w| w.replace("SOCKET", &socket.display().to_string())),
        );
    }
    crate::runner_process::isolate(&mut command);
    let program = command.get_program().to_string_lossy().into_owned();
    if let Some(signal) = crate::interrupt::received() {
        return Ok(Outcome::Interrupted(signal));
    }
    let child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let help = if program.starts_with("qemu") {
                "install QEMU (Debian: apt-get install qemu-system-x86)"
            } else if is_process {
                "check that the image is a linuxu image for this machine"
            } else {
                "check the platform's run command"
            };
            return Ok(Outcome::CouldNotStart(format!(
                "cannot start `{program}`: {e} ({help})"
            )));
        }
    };
    let mut group = Group::new(child);
    let terminal = is_process.then(|| Foreground::lend(&group));
    let timeout = Duration::from_secs(
        options
            .timeout
            .or(platform.run.as_ref().map(|r| r.timeout))
            .unwrap_or(30),
    );
    if let Some(input) = group.child.stdin.take() {
        // Not joined: it may be waiting on a terminal when the guest ends.
        std::thread::spawn(move || forward_input(std::io::stdin().lock(), input));
    }
    let seen = Arc::new(Seen::default());
    // Crash reports come on a VM's console, or on a process's stderr.
    let (stdout, stderr) = (group.child.stdout.take(), group.child.stderr.take());
    let (reader, forwarder) = match (console_exit, stdout) {
        (Some(log), Some(stdout)) => {
            let show_hypervisor = options.hypervisor_log;
            let seen = Arc::clone(&seen);
            let reader = std::thread::spawn(move || {
                read_console_log(stdout, &log, show_hypervisor, fatal_line.as_deref(), &seen)
            });
            (Some(reader), None)
        }
        (None, Some(stdout)) => {
            let console = NoteOutput {
                inner: stdout,
                seen: Arc::clone(&seen),
            };
            let forwarder = std::thread::spawn(move || {
                crate::crash_symbols::forward(console, std::io::stdout())
            });
            (None, Some(forwarder))
        }
        (_, None) => (None, None),
    };
    let (forwarder, errors) = match stderr {
        Some(stderr) if is_process => (
            Some(std::thread::spawn(move || {
                crate::crash_symbols::forward(stderr, std::io::stderr())
            })),
            None,
        ),
        Some(stderr) => {
            let program = program.clone();
            (
                forwarder,
                Some(std::thread::spawn(move || {
                    forward_hypervisor_errors(stderr, &program)
                })),
            )
        }
        None => (forwarder, None),
    };
    let waited = wait(
        &mut group,
        image,
        &program,
        timeout,
        socket.as_deref(),
        &seen,
        terminal.as_ref(),
    );
    if let Some(path) = &socket {
        let _ = std::fs::remove_file(path);
    }
    // The runner is gone: its console ends; what the guest printed is all out.
    let frames = forwarder.and_then(|f| f.join().ok()).unwrap_or_default();
    let hypervisor_errors = errors.and_then(|e| e.join().ok()).unwrap_or_default();
    let (console_status, tail, log_frames) = match reader {
        Some(reader) => reader
            .join()
            .map_err(|_| link_error!("internal error: the console reader panicked"))?,
        None => (
            None,
            VecDeque::new(),
            crate::crash_symbols::Frames::default(),
        ),
    };
    // A crash report's backtrace: on the console (kvm, linuxu) or in the hypervisor's log (xen).
    let frames = if frames.0.is_empty() {
        log_frames
    } else {
        frames
    };
    let observed = |exit| Observed {
        exit,
        console_status,
        guest_output: seen.guest_output.load(Ordering::Relaxed),
        hypervisor_errors: hypervisor_errors.clone(),
        fatal: seen.fatal(),
    };
    let outcome = match waited? {
        Waited::Exited(status) => judge(platform, &observed(Some(status))),
        Waited::HypervisorStopped => judge(platform, &observed(None)),
        Waited::TimedOut => Outcome::TimedOut,
        Waited::Interrupted(signal) => Outcome::Interrupted(signal),
        Waited::Halted(halted) => {
            eprintln!("{}", crate::halt_watch::report(image, halted));
            return Ok(Outcome::Exited(CRASH_STATUS));
        }
    };
    if outcome == Outcome::Exited(CRASH_STATUS) && !frames.0.is_empty() {
        if let Some(text) = crate::crash_symbols::describe(image, &frames) {
            eprint!("{text}");
        }
    }
    if !matches!(outcome, Outcome::Exited(_) | Outcome::Interrupted(_))
        && !options.hypervisor_log
        && !tail.is_empty()
    {
        eprintln!("ukl: the hypervisor's last lines:");
        for line in tail {
            eprintln!("{line}");
        }
    }
    Ok(outcome)
}

/// Copies a hypervisor's stderr to ukl's as it comes; returns its error lines
/// ([`is_error_line`]).
fn forward_hypervisor_errors(stderr: impl std::io::Read, program: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let own_stop = format!("from pid {} (", std::process::id());
    let mut reader = BufReader::new(stderr);
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        match reader.read_until(b'\n', &mut bytes) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&bytes);
        let line = text.trim_end();
        // QEMU's note that ukl stopped it is no news.
        if line.contains("terminating on signal") && line.contains(&own_stop) {
            continue;
        }
        let mut out = std::io::stderr().lock();
        let _ = out.write_all(&bytes);
        let _ = out.flush();
        if is_error_line(program, line) {
            errors.push(line.to_string());
        }
    }
    errors
}

/// How waiting for the runner ended.
enum Waited {
    Exited(std::process::ExitStatus),
    /// Killed after the timeout.
    TimedOut,
    /// Killed because the guest's CPU halted with interrupts disabled (seen through the QMP
    /// monitor at `monitor_socket`).
    Halted(crate::halt_watch::Halted),
    /// Stopped because ukl was interrupted by this signal.
    Interrupted(i32),
    /// Stopped because the hypervisor's log said it had stopped for good.
    HypervisorStopped,
}

/// Waits for the runner's group, stopping it after the timeout, when ukl is interrupted, when
/// the hypervisor's log shows it stopped for good, or when the monitor shows a halted guest.
/// `process` is given for a process image: whether it has the terminal (a stop at the terminal
/// stops ukl as well).
fn wait(
    group: &mut Group,
    image: &Path,
    program: &str,
    timeout: Duration,
    monitor_socket: Option<&Path>,
    seen: &Seen,
    process: Option<&Foreground>,
) -> Result<Waited> {
    let is_process = process.is_some();
    let started = Instant::now();
    let mut monitor: Option<crate::halt_watch::Monitor> = None;
    let mut last_check = Instant::now();
    let mut last_halt: Option<crate::halt_watch::Halted> = None;
    let mut last_ticks: Option<u64> = None;
    let mut idle_samples = 0u32;
    let waiting = |e: std::io::Error| link_error!("waiting for `{program}`: {e}");
    loop {
        if group.exited().map_err(waiting)? {
            return Ok(Waited::Exited(group.finish().map_err(waiting)?));
        }
        if let Some(terminal) = process.filter(|t| t.is_lent()) {
            if group.stopped().map_err(waiting)? {
                terminal.suspend(group);
            }
        }
        if let Some(signal) = crate::interrupt::received() {
            // A process image gets the signal itself, as from a shell; a VMM is asked to quit.
            let request = if is_process { signal } else { libc::SIGTERM };
            group.stop(request, STOP_GRACE).map_err(waiting)?;
            return Ok(Waited::Interrupted(signal));
        }
        if seen.fatal().is_some() {
            group.stop(libc::SIGTERM, STOP_GRACE).map_err(waiting)?;
            return Ok(Waited::HypervisorStopped);
        }
        if let Some(path) =
            monitor_socket.filter(|_| last_check.elapsed() > Duration::from_millis(250))
        {
            last_check = Instant::now();
            // Ask the monitor only about a guest that has been using no CPU: a halted vCPU
            // sleeps. QEMU 10 can deadlock on exit when a QMP command that stops the vCPU
            // (`info registers`) is in flight, so a busy guest (about to exit, maybe) is
            // never asked.
            let ticks = cpu_ticks(group.id());
            let idle = ticks.is_some() && ticks == last_ticks;
            last_ticks = ticks;
            idle_samples = if idle { idle_samples + 1 } else { 0 };
            if idle_samples >= 2 {
                if monitor.is_none() {
                    monitor = crate::halt_watch::Monitor::connect(path);
                }
                let halted = monitor.as_mut().and_then(|m| m.halted());
                // Seen twice at the same place: not a halt on its way out of the idle loop.
                let confirmed = halted
                    .filter(|h| last_halt == Some(*h) && crate::halt_watch::is_crash(image, *h));
                last_halt = halted;
                if let Some(halted) = confirmed {
                    group.stop(libc::SIGKILL, Duration::ZERO).map_err(waiting)?;
                    return Ok(Waited::Halted(halted));
                }
            }
        }
        if started.elapsed() > timeout {
            // Say where the guest was, for whoever reads the timeout.
            if let Some(registers) = monitor_socket
                .and_then(|path| {
                    monitor
                        .take()
                        .or_else(|| crate::halt_watch::Monitor::connect(path))
                })
                .and_then(|mut m| m.registers())
            {
                if let Some(place) = crate::halt_watch::stopped_at(image, &registers) {
                    eprintln!("ukl: when the time ran out, {place}");
                }
            }
            group.stop(libc::SIGTERM, STOP_GRACE).map_err(waiting)?;
            return Ok(Waited::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// CPU time (user + system, in clock ticks) that process `pid` has used, from /proc.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

/// Streams the guest's lines of a hypervisor log to stdout (and the hypervisor's to stderr when
/// asked); returns the guest's exit status, if it printed one, and the hypervisor's last lines.
/// A hypervisor line holding `fatal` and the line after it (the reason) go into `seen`.
fn read_console_log(
    log_stream: impl std::io::Read,
    log: &ConsoleLog,
    show_hypervisor: bool,
    fatal: Option<&str>,
    seen: &Seen,
) -> (Option<i32>, VecDeque<String>, crate::crash_symbols::Frames) {
    let mut status = None;
    let mut tail = VecDeque::new();
    let mut frames = crate::crash_symbols::Collector::default();
    let mut reader = BufReader::new(log_stream);
    let mut bytes = Vec::new();
    let stdout = std::io::stdout();
    // The fatal line, waiting for its reason.
    let mut fatal_seen: Option<String> = None;
    loop {
        bytes.clear();
        match reader.read_until(b'\n', &mut bytes) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&bytes);
        let line = text.strip_suffix('\n').unwrap_or(&text);
        match log.classify(line) {
            LogLine::Guest(text) => {
                seen.guest_output.store(true, Ordering::Relaxed);
                frames.line(&text);
                let mut out = stdout.lock();
                let _ = writeln!(out, "{text}");
                let _ = out.flush();
            }
            LogLine::Hypervisor(text) => {
                if show_hypervisor {
                    eprintln!("{text}");
                }
                let message = log.without_hypervisor_prefix(&text).trim().to_string();
                if let Some(first) = fatal_seen.take() {
                    let why = if message.is_empty() {
                        first
                    } else {
                        format!("{first} {message}")
                    };
                    if let Ok(mut f) = seen.fatal.lock() {
                        f.get_or_insert(why);
                    }
                } else if fatal.is_some_and(|f| text.contains(f)) {
                    fatal_seen = Some(message);
                }
                if tail.len() == HYPERVISOR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(text);
            }
            LogLine::Status(code) => status = Some(code),
        }
    }
    (status, tail, frames.frames())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linuxu() -> Platform {
        toml::from_str(include_str!("../../platforms/linuxu.toml")).unwrap()
    }

    /// The descriptors a child started with `prepare` sees, from its own /proc/self/fd, while
    /// the parent holds descriptor 40 open without close-on-exec.
    fn descriptors_seen(prepare: impl Fn(&mut Command)) -> String {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open("/dev/null").unwrap();
        // SAFETY: dup2 onto a number this test owns; the result is closed below.
        let copy = unsafe { libc::dup2(file.as_raw_fd(), 40) };
        assert_eq!(copy, 40);
        let mut command = Command::new("ls");
        command.arg("/proc/self/fd");
        prepare(&mut command);
        let output = command.output().unwrap();
        // SAFETY: closes the copy made above.
        unsafe { libc::close(40) };
        String::from_utf8(output.stdout).unwrap()
    }

    #[test]
    fn environment_entries_are_checked_and_the_last_of_a_name_wins() {
        let entries = |list: &[&str]| list.iter().map(|e| e.to_string()).collect::<Vec<_>>();
        assert!(check_env(&entries(&["TZ=UTC", "A_1=x=y", "EMPTY="])).is_ok());
        for bad in ["NOEQUALS", "=value", "1ST=x", "A-B=x", "SP ACE=x"] {
            let error = check_env(&entries(&[bad])).unwrap_err().to_string();
            assert!(error.contains(bad), "{error}");
        }
        assert_eq!(
            last_of_each_name(entries(&["A=1", "B=2", "A=3"])),
            entries(&["B=2", "A=3"])
        );
        let options = RunOptions {
            env: entries(&["GREETING=hi there"]),
            args: entries(&["a\"b", "c"]),
            ..RunOptions::default()
        };
        assert_eq!(
            command_line(&guest_words(&options)),
            r#""env.GREETING=hi there" "a\"b" c"#
        );
    }

    #[test]
    fn a_process_gets_only_the_standard_streams_with_or_without_close_range() {
        use std::os::unix::process::CommandExt;
        assert!(descriptors_seen(|_| {}).lines().any(|fd| fd == "40"));
        let seen = descriptors_seen(only_standard_streams);
        assert!(!seen.lines().any(|fd| fd == "40"), "{seen}");
        // The fallback for kernels and sandboxes without close_range.
        let seen = descriptors_seen(|command| {
            // SAFETY: the closure makes only async-signal-safe system calls.
            unsafe {
                command.pre_exec(|| {
                    mark_each_close_on_exec();
                    Ok(())
                })
            };
        });
        assert!(!seen.lines().any(|fd| fd == "40"), "{seen}");
    }

    #[test]
    fn a_process_image_gets_its_tap_interface_in_the_environment() {
        let options = RunOptions {
            net: vec!["tap:ukltap0".into()],
            ..RunOptions::default()
        };
        let command = build_command(&linuxu(), Path::new("httpd.linuxu"), &options).unwrap();
        let tap = command
            .get_envs()
            .find(|(key, _)| *key == "UKL_TAP")
            .and_then(|(_, value)| value);
        assert_eq!(tap, Some(std::ffi::OsStr::new("ukltap0")));
        assert_eq!(command.get_args().count(), 0);
        let user = RunOptions {
            net: vec!["user".into()],
            ..RunOptions::default()
        };
        assert!(build_command(&linuxu(), Path::new("httpd.linuxu"), &user).is_err());
    }

    #[test]
    fn a_process_image_is_the_command_and_takes_the_arguments_as_they_are() {
        let options = RunOptions {
            memory: Some("16M".into()),
            args: vec!["a".into(), "b c".into(), String::new()],
            ..RunOptions::default()
        };
        let command = build_command(&linuxu(), Path::new("hello.linuxu"), &options).unwrap();
        let program = Path::new(command.get_program());
        assert!(program.is_absolute(), "{program:?}");
        assert!(program.ends_with("hello.linuxu"));
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, ["a", "b c", ""]);
        let memory = command
            .get_envs()
            .find(|(key, _)| *key == "UKL_MEMORY")
            .and_then(|(_, value)| value);
        assert_eq!(memory, Some(std::ffi::OsStr::new("16M")));
    }

    #[test]
    fn a_process_image_gets_its_initrd_in_the_environment() {
        let env = |command: &Command, name: &str| {
            command
                .get_envs()
                .find(|(key, _)| *key == name)
                .and_then(|(_, value)| value)
                .map(PathBuf::from)
        };
        let options = RunOptions {
            initrd: Some(PathBuf::from("files.cpio")),
            args: vec!["a".into()],
            ..RunOptions::default()
        };
        let command = build_command(&linuxu(), Path::new("app.linuxu"), &options).unwrap();
        let initrd = env(&command, "UKL_INITRD").expect("UKL_INITRD is set");
        assert!(initrd.is_absolute(), "{initrd:?}");
        assert!(initrd.ends_with("files.cpio"), "{initrd:?}");
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, ["a"], "the initrd is not an argument");
        let without =
            build_command(&linuxu(), Path::new("app.linuxu"), &RunOptions::default()).unwrap();
        assert_eq!(env(&without, "UKL_INITRD"), None);
    }

    #[test]
    fn a_platform_without_an_initrd_path_refuses_one() {
        let mut platform = linuxu();
        if let Some(run) = platform.run.as_mut() {
            run.initrd_env = None;
        }
        let options = RunOptions {
            initrd: Some(PathBuf::from("files.cpio")),
            ..RunOptions::default()
        };
        let error = build_command(&platform, Path::new("app.linuxu"), &options).unwrap_err();
        assert!(
            error.to_string().contains("cannot take an initrd"),
            "{error}"
        );
    }

    #[test]
    fn an_initrd_module_joins_the_module_list() {
        let platform: Platform = toml::from_str(
            r#"
name = "multiboot"
arch = "x86_64"
format = "elf64-pvh"
linkscript = "linkscripts/xen.ld"
entry = "_ukarch_pvh_start"
libraries = []
[run]
command = ["qemu-system-x86_64", "-initrd", "{image} {module_cmdline}{initrd_module}"]
"#,
        )
        .unwrap();
        let args = |initrd: Option<&str>| -> Vec<String> {
            let options = RunOptions {
                args: vec!["a,b".into()],
                initrd: initrd.map(PathBuf::from),
                ..RunOptions::default()
            };
            let command = build_command(&platform, Path::new("app.xen"), &options).unwrap();
            command
                .get_args()
                .map(|arg| arg.to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(args(None), ["-initrd", "app.xen a,,b"]);
        assert_eq!(
            args(Some("root,1.cpio")),
            ["-initrd", "app.xen a,,b,root,,1.cpio"]
        );
    }
}
