//! The `ukl` command line: a thin layer over the `ukl` library. Invoked as `ld` (a symlink or a
//! copy named `ld` in a directory given to `gcc -B`), it behaves as `ukl ld`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ukl::diagnostics::{self, MessageFormat};
use ukl::ld_args::{self, LdCommand};
use ukl::manifest::Manifest;
use ukl::options::Setting;
use ukl::run::{Outcome, RunOptions};
use ukl::unikernel::{self, UnikernelOptions};
use ukl::LinkError;

#[derive(Parser)]
#[command(
    name = "ukl",
    version,
    about = "ukl: a link-time assembler of unikernels"
)]
struct Cli {
    /// The ukl home (registry.toml, platforms/, linkscripts/, prebuilt/); default: found from
    /// the current directory or the executable, or UKL_HOME.
    #[arg(long, global = true)]
    home: Option<PathBuf>,
    /// How to report errors and results: `human`, or `json` (one JSON object per line).
    #[arg(long, global = true, default_value = "human")]
    message_format: MessageFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Link an application object with the prebuilt pool into images for one or more platforms.
    Link(LinkArgs),
    /// Link if needed, boot the image, stream its console and exit with its status (or 122 did
    /// not start, 123 hypervisor failed, 124 timed out, 125 no status, 128+N interrupted by
    /// signal N: see docs/commands.md).
    Run {
        #[command(flatten)]
        link: LinkArgs,
        /// Guest memory (QEMU -m syntax, e.g. 16M).
        #[arg(short = 'm', long)]
        memory: Option<String>,
        /// Seconds before the guest is stopped.
        #[arg(long)]
        timeout: Option<u64>,
        /// Use KVM instead of TCG (slower to start on nested virtualization).
        #[arg(long)]
        kvm: bool,
        /// Also show the hypervisor's own console lines, on stderr (xen).
        #[arg(long)]
        hypervisor_log: bool,
        /// A directory packed as a cpio initrd (or a ready archive), the guest's files.
        #[arg(long)]
        initrd: Option<PathBuf>,
        /// QEMU machine type instead of the platform's (e.g. q35, pc: virtio-net over PCI).
        #[arg(long)]
        machine: Option<String>,
        /// Add a virtio-net card with this QEMU -netdev specification (repeatable), e.g.
        /// `--net user,hostfwd=tcp:127.0.0.1:8080-:80`; on linuxu `--net tap:NAME` attaches the
        /// process to an existing TAP interface (sets UKL_TAP for tap_net).
        #[arg(long)]
        net: Vec<String>,
        /// Set an environment variable of the application, NAME=VALUE (repeatable); it sees
        /// no other.
        #[arg(short = 'e', long = "env", value_name = "NAME=VALUE")]
        env: Vec<String>,
        /// Arguments passed to the application (after `--`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Run every check of a link (selection, options, checksums, symbols, relocations)
    /// without writing an image; exit 0, or 1 with the list of problems.
    Check {
        /// Application objects.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        select: SelectArgs,
    },
    /// Explain a decision: why a library is in the image (the chain down to the application
    /// symbol that pulled it in), or where a symbol comes from and why (or why it is missing).
    Why {
        /// A library name or a symbol.
        target: String,
        /// Application objects (optional: without them, the platform's own libraries).
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        select: SelectArgs,
    },
    /// Link like GNU ld (static executables and images); takes ld's command line.
    #[command(disable_help_flag = true)]
    Ld {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build and publish the prebuilt pool.
    Pool {
        #[command(subcommand)]
        command: PoolCommand,
    },
}

#[derive(Args, Clone)]
struct LinkArgs {
    /// Application objects (or, for `run`, an image to boot).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    select: SelectArgs,
    /// Output image (with several platforms, `.<plat>` is appended).
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    /// Write a map file (sections, addresses, why each one is in the image).
    #[arg(long)]
    map: Option<PathBuf>,
    /// Leave out the symbol table.
    #[arg(long)]
    strip: bool,
    /// Keep unreferenced sections.
    #[arg(long)]
    no_gc: bool,
}

/// What decides an image's contents: platform, libraries, options, manifest.
#[derive(Args, Clone, Default)]
struct SelectArgs {
    /// Target platform(s), comma-separated: kvm, xen, linuxu (default: the manifest's
    /// `platforms`, else kvm).
    #[arg(long = "plat", short = 'p', value_delimiter = ',')]
    platforms: Vec<String>,
    /// Add a pool library: NAME or NAME@VERSION (e.g. `--lib allocregion` replaces the default
    /// allocator).
    #[arg(long = "lib", short = 'l')]
    libraries: Vec<String>,
    /// Set a link-time option: LIBRARY.NAME=VALUE (see `ukl pool info LIBRARY`).
    #[arg(long = "opt", value_name = "LIBRARY.NAME=VALUE")]
    options: Vec<String>,
    /// The application's manifest (default: uk.toml beside the first object).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Ignore uk.toml.
    #[arg(long, conflicts_with = "manifest")]
    no_manifest: bool,
}

#[derive(Subcommand)]
enum PoolCommand {
    /// Compile pool-src and write prebuilt/<arch>/ archives, metadata and index.
    Build {
        /// Build into a temporary directory and compare with prebuilt/ byte for byte.
        #[arg(long)]
        check: bool,
    },
    /// List the pool's libraries: version, kind, platforms, capabilities.
    List,
    /// Everything about one library: platforms, capabilities, dependencies, options, exports
    /// (with the archive member that defines each), imports.
    Info {
        library: String,
        /// Show every export and import.
        #[arg(long)]
        all: bool,
    },
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    let invoked_as = args.first().map(|a| {
        std::path::Path::new(a)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    if matches!(invoked_as.as_deref(), Some("ld" | "ld.ukl" | "ukl-ld")) {
        args.remove(0);
        return run_ld(&args);
    }
    let cli = Cli::parse();
    let format = cli.message_format;
    let result = match cli.command {
        Command::Ld { args } => return run_ld(&args),
        Command::Link(link) => cmd_link(cli.home, &link, format).map(|_| ExitCode::SUCCESS),
        Command::Check { inputs, select } => cmd_check(cli.home, inputs, &select, format),
        Command::Why {
            target,
            inputs,
            select,
        } => cmd_why(cli.home, &target, inputs, &select, format),
        Command::Pool {
            command: PoolCommand::List,
        } => cmd_pool_list(cli.home, format),
        Command::Pool {
            command: PoolCommand::Info { library, all },
        } => cmd_pool_info(cli.home, &library, all, format),
        Command::Run {
            link,
            memory,
            timeout,
            kvm,
            hypervisor_log,
            initrd,
            machine,
            net,
            env,
            args,
        } => cmd_run(
            cli.home,
            &link,
            RunOptions {
                memory,
                timeout,
                kvm,
                machine,
                net,
                args,
                env,
                hypervisor_log,
                initrd,
            },
            format,
        ),
        Command::Pool {
            command: PoolCommand::Build { check },
        } => cmd_pool_build(cli.home, check),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprint!("{}", diagnostics::render_error(&e, format));
            ExitCode::from(1)
        }
    }
}

fn home(explicit: Option<PathBuf>) -> Result<PathBuf, LinkError> {
    ukl::platform::find_home(explicit.as_deref())
}

/// The manifest to use, unless `--no-manifest`.
fn manifest(inputs: &[PathBuf], select: &SelectArgs) -> Result<Option<Manifest>, LinkError> {
    if select.no_manifest {
        return Ok(None);
    }
    Manifest::find(select.manifest.as_deref(), inputs)
}

/// The options of one link, for one platform.
fn unikernel_options(
    home: &std::path::Path,
    inputs: &[PathBuf],
    select: &SelectArgs,
    manifest: Option<&Manifest>,
    platform: &str,
) -> Result<UnikernelOptions, LinkError> {
    Ok(UnikernelOptions {
        home: home.to_path_buf(),
        objects: inputs.to_vec(),
        platform: platform.to_string(),
        output: unikernel::default_output(inputs, platform),
        libraries: select.libraries.clone(),
        map: None,
        strip: false,
        gc: true,
        manifest: manifest.cloned(),
        settings: select
            .options
            .iter()
            .map(|o| Setting::parse_flag(o))
            .collect::<Result<_, _>>()?,
    })
}

/// Links one image per platform; returns (platform, image) pairs.
fn cmd_link(
    home_arg: Option<PathBuf>,
    args: &LinkArgs,
    format: MessageFormat,
) -> Result<Vec<(String, PathBuf)>, LinkError> {
    let home = home(home_arg)?;
    let manifest = manifest(&args.inputs, &args.select)?;
    let platforms = ukl::manifest::platforms(&args.select.platforms, manifest.as_ref());
    let several = platforms.len() > 1;
    let mut jobs: Vec<UnikernelOptions> = Vec::new();
    for platform in &platforms {
        let mut job = unikernel_options(
            &home,
            &args.inputs,
            &args.select,
            manifest.as_ref(),
            platform,
        )?;
        job.output = match (&args.output, several) {
            (Some(o), false) => o.clone(),
            (Some(o), true) => PathBuf::from(format!("{}.{platform}", o.display())),
            (None, _) => job.output,
        };
        job.map = args.map.as_ref().map(|m| {
            if several {
                PathBuf::from(format!("{}.{platform}", m.display()))
            } else {
                m.clone()
            }
        });
        job.strip = args.strip;
        job.gc = !args.no_gc;
        jobs.push(job);
    }
    // Nothing is written if any output would overwrite an input of any of the links.
    unikernel::refuse_inputs_as_outputs(&jobs)?;
    let results = link_in_parallel(&jobs, format);
    let mut images = Vec::new();
    let mut errors = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        match result {
            Ok(report) => images.push((job.platform.clone(), report.output)),
            Err(e) if several => errors.push(e.prefixed(&job.platform)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(images)
    } else {
        Err(LinkError::combine(errors))
    }
}

/// `ukl check`: every platform, every problem.
fn cmd_check(
    home_arg: Option<PathBuf>,
    inputs: Vec<PathBuf>,
    select: &SelectArgs,
    format: MessageFormat,
) -> Result<ExitCode, LinkError> {
    let home = home(home_arg)?;
    let manifest = manifest(&inputs, select)?;
    let platforms = ukl::manifest::platforms(&select.platforms, manifest.as_ref());
    let several = platforms.len() > 1;
    let mut errors = Vec::new();
    for platform in &platforms {
        let job = unikernel_options(&home, &inputs, select, manifest.as_ref(), platform)?;
        match unikernel::check_image(&job) {
            Ok(report) => match format {
                MessageFormat::Json => {
                    print!("{}", diagnostics::result_line("check", &report.to_json()))
                }
                MessageFormat::Human => println!(
                    "ok: {} links for {} ({} libraries: {}; {} bytes)",
                    inputs
                        .iter()
                        .map(|i| i.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    report.platform,
                    report.libraries.len(),
                    report
                        .libraries
                        .iter()
                        .map(|l| l.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    report.size
                ),
            },
            Err(e) if several => errors.push(e.prefixed(platform)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(LinkError::combine(errors))
    }
}

/// `ukl why TARGET [APP.o...]`.
fn cmd_why(
    home_arg: Option<PathBuf>,
    target: &str,
    inputs: Vec<PathBuf>,
    select: &SelectArgs,
    format: MessageFormat,
) -> Result<ExitCode, LinkError> {
    let home = home(home_arg)?;
    let manifest = manifest(&inputs, select)?;
    let platform = ukl::manifest::platforms(&select.platforms, manifest.as_ref()).remove(0);
    let job = unikernel_options(&home, &inputs, select, manifest.as_ref(), &platform)?;
    let explanation = ukl::explain::why(&job, target)?;
    match format {
        MessageFormat::Json => print!("{}", diagnostics::result_line("why", &explanation)),
        MessageFormat::Human => println!("{explanation}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_pool_list(home_arg: Option<PathBuf>, format: MessageFormat) -> Result<ExitCode, LinkError> {
    let pool = ukl::select::Pool::load(&home(home_arg)?, ukl::pool::ARCH)?;
    let entries = ukl::catalog::list(&pool);
    match format {
        MessageFormat::Json => {
            for entry in &entries {
                print!("{}", diagnostics::result_line("library", entry));
            }
        }
        MessageFormat::Human => print!("{}", ukl::catalog::render_list(&pool, &entries)),
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_pool_info(
    home_arg: Option<PathBuf>,
    library: &str,
    all: bool,
    format: MessageFormat,
) -> Result<ExitCode, LinkError> {
    let pool = ukl::select::Pool::load(&home(home_arg)?, ukl::pool::ARCH)?;
    let info = ukl::catalog::info(&pool, library)?;
    match format {
        MessageFormat::Json => print!("{}", diagnostics::result_line("library-info", &info)),
        MessageFormat::Human => print!("{}", ukl::catalog::render_info(&info, all)),
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(report: &unikernel::UnikernelReport) -> String {
    format!(
        "linked {} ({}, {} libraries, {} bytes) in {:.1} ms",
        report.output.display(),
        report.platform,
        report.libraries.len(),
        report.size,
        report.elapsed_ms
    )
}

/// Links one image per job, each on its own thread. On a terminal a spinner per platform shows
/// progress; otherwise one plain line per finished image.
fn link_in_parallel(
    jobs: &[UnikernelOptions],
    format: MessageFormat,
) -> Vec<Result<unikernel::UnikernelReport, LinkError>> {
    use std::io::IsTerminal;
    let terminal =
        std::io::stderr().is_terminal() && jobs.len() > 1 && format == MessageFormat::Human;
    let bars = indicatif::MultiProgress::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|job| {
                let bar = terminal.then(|| {
                    let bar = bars.add(indicatif::ProgressBar::new_spinner());
                    bar.set_message(format!(
                        "linking {} for {}",
                        job.output.display(),
                        job.platform
                    ));
                    bar.enable_steady_tick(std::time::Duration::from_millis(80));
                    bar
                });
                scope.spawn(move || {
                    let result = unikernel::link_image(job);
                    let line = match &result {
                        Ok(report) if format == MessageFormat::Json => {
                            diagnostics::result_line("link", &report.to_json())
                                .trim_end()
                                .to_string()
                        }
                        Ok(report) => describe(report),
                        Err(_) => format!("{}: failed", job.platform),
                    };
                    match bar {
                        Some(bar) => bar.finish_with_message(line),
                        None if result.is_ok() && format == MessageFormat::Json => {
                            println!("{line}")
                        }
                        None if result.is_ok() => eprintln!("{line}"),
                        None => {}
                    }
                    result
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(ukl::link_error!("internal error: a link thread panicked"))
                })
            })
            .collect()
    })
}

fn cmd_run(
    home_arg: Option<PathBuf>,
    args: &LinkArgs,
    mut options: RunOptions,
    format: MessageFormat,
) -> Result<ExitCode, LinkError> {
    let home = home(home_arg.clone())?;
    let is_image = args.inputs.len() == 1 && !unikernel::is_object(&args.inputs[0]);
    let manifest = if is_image {
        None
    } else {
        manifest(&args.inputs, &args.select)?
    };
    if let Some(manifest) = &manifest {
        if options.args.is_empty() {
            options.args = manifest.args.clone();
        }
        if options.memory.is_none() {
            options.memory = manifest.memory.clone();
        }
        // The manifest's environment, then --env entries (which win for the same name).
        let mut env = manifest.env.clone();
        env.append(&mut options.env);
        options.env = env;
    }
    ukl::run::check_env(&options.env)?;
    options.env = ukl::run::last_of_each_name(std::mem::take(&mut options.env));
    let platform_names = ukl::manifest::platforms(&args.select.platforms, manifest.as_ref());
    let mut platform_name = platform_names[0].clone();
    // An image named `<name>.<platform>` (what `ukl link` writes) runs on that platform unless
    // --plat names one: `ukl run hello.linuxu` needs no `--plat linuxu`.
    if is_image && args.select.platforms.is_empty() {
        if let Some(extension) = args.inputs[0].extension().and_then(|e| e.to_str()) {
            if ukl::platform::available(&home)
                .iter()
                .any(|p| p == extension)
            {
                platform_name = extension.to_string();
            }
        }
    }
    if platform_names.len() > 1 {
        return Err(
            ukl::link_error!("`ukl run` boots one platform at a time").help("pass a single --plat")
        );
    }
    let platform = ukl::platform::load(&home, &platform_name)?;
    if is_image {
        if let Err(e) = std::fs::metadata(&args.inputs[0]) {
            return Err(
                ukl::link_error!("cannot read image `{}`: {e}", args.inputs[0].display())
                    .help("give an image written by `ukl link`, or application objects to link"),
            );
        }
    }
    // From here on SIGINT, SIGTERM and SIGHUP stop the run in order: the guest is stopped and
    // the run's directory removed (dropped on every way out of this function).
    ukl::interrupt::install();
    let run_dir = ukl::run_dir::RunDir::create()?;
    let boot = || -> Result<Outcome, LinkError> {
        let image = if is_image {
            args.inputs[0].clone()
        } else {
            let mut link = args.clone();
            if link.output.is_none() {
                link.output = Some(
                    run_dir
                        .path()
                        .join(unikernel::default_output(&args.inputs, &platform_name)),
                );
            }
            link.select.platforms = vec![platform_name.clone()];
            cmd_link(Some(home.clone()), &link, format)?.remove(0).1
        };
        let mut options = options.clone();
        if let Some(source) = &options.initrd {
            options.initrd = Some(ukl::initrd::prepare(source, &run_dir)?);
        }
        match ukl::interrupt::received() {
            Some(signal) => Ok(Outcome::Interrupted(signal)),
            None => ukl::run::run(&platform, &image, &options, &run_dir),
        }
    };
    // An error that an interrupting signal caused (a pack stopped half-way) is that signal's
    // end, not ukl's error; a signal during a step that succeeded is seen before the boot.
    let outcome = match (boot(), ukl::interrupt::received()) {
        (Err(_), Some(signal)) => Outcome::Interrupted(signal),
        (result, _) => result?,
    };
    if let Some(message) = outcome.message() {
        eprintln!("{message}");
    }
    Ok(ExitCode::from(outcome.exit_status()))
}

fn cmd_pool_build(home_arg: Option<PathBuf>, check: bool) -> Result<ExitCode, LinkError> {
    let home = home(home_arg)?;
    let mut options = ukl::pool::PoolBuildOptions::for_repository(&home);
    options.check = check;
    match ukl::pool::build_pool(&options) {
        Ok(report) => {
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(ukl::link_error!("{e}")),
    }
}

fn run_ld(args: &[String]) -> ExitCode {
    let mut args = args.to_vec();
    let platform = match ukl::ld_unikernel::take_platform(&mut args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ukl: error: {e}");
            return ExitCode::from(1);
        }
    };
    match ld_args::parse(&args) {
        Ok(LdCommand::Link(options)) if platform.is_some() => {
            let platform = platform.unwrap_or_default();
            let result = home(None).and_then(|h| ukl::ld_unikernel::link(&h, &platform, *options));
            match result {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("ukl: error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Ok(LdCommand::Version) => {
            println!("{}", ld_args::version_text());
            ExitCode::SUCCESS
        }
        Ok(LdCommand::Help) => {
            print!("{}", ld_args::HELP);
            ExitCode::SUCCESS
        }
        Ok(LdCommand::Link(options)) => match ukl::link(&options) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ukl: error: {e}");
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!("ukl: error: {e}");
            ExitCode::from(1)
        }
    }
}
