//! The `ukl` command line: a thin layer over the `ukl` library. Invoked as `ld` (a symlink or a
//! copy named `ld` in a directory given to `gcc -B`), it behaves as `ukl ld`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ukl::ld_args::{self, LdCommand};
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Link an application object with the prebuilt pool into images for one or more platforms.
    Link(LinkArgs),
    /// Link if needed, boot the image, stream its console and exit with its status.
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
        /// QEMU machine type instead of the platform's (e.g. q35, pc: virtio-net over PCI).
        #[arg(long)]
        machine: Option<String>,
        /// Add a virtio-net card with this QEMU -netdev specification (repeatable), e.g.
        /// `--net user,hostfwd=tcp:127.0.0.1:8080-:80`.
        #[arg(long)]
        net: Vec<String>,
        /// Arguments passed to the application (after `--`).
        #[arg(last = true)]
        args: Vec<String>,
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
    /// Target platform(s), comma-separated: kvm, xen, linuxu.
    #[arg(
        long = "plat",
        short = 'p',
        default_value = "kvm",
        value_delimiter = ','
    )]
    platforms: Vec<String>,
    /// Output image (with several platforms, `.<plat>` is appended).
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    /// Add a pool library by name.
    #[arg(long = "lib", short = 'l')]
    libraries: Vec<String>,
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

#[derive(Subcommand)]
enum PoolCommand {
    /// Compile pool-src and write prebuilt/<arch>/ archives, metadata and index.
    Build {
        /// Build into a temporary directory and compare with prebuilt/ byte for byte.
        #[arg(long)]
        check: bool,
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
    let result = match cli.command {
        Command::Ld { args } => return run_ld(&args),
        Command::Link(link) => cmd_link(cli.home, &link).map(|_| ExitCode::SUCCESS),
        Command::Run {
            link,
            memory,
            timeout,
            kvm,
            machine,
            net,
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
            },
        ),
        Command::Pool {
            command: PoolCommand::Build { check },
        } => cmd_pool_build(cli.home, check),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn home(explicit: Option<PathBuf>) -> Result<PathBuf, LinkError> {
    ukl::platform::find_home(explicit.as_deref())
}

/// Links one image per platform; returns (platform, image) pairs.
fn cmd_link(
    home_arg: Option<PathBuf>,
    args: &LinkArgs,
) -> Result<Vec<(String, PathBuf)>, LinkError> {
    let home = home(home_arg)?;
    let mut platforms: Vec<&String> = Vec::new();
    for p in &args.platforms {
        if !platforms.contains(&p) {
            platforms.push(p);
        }
    }
    let several = platforms.len() > 1;
    let jobs: Vec<UnikernelOptions> = platforms
        .into_iter()
        .map(|platform| UnikernelOptions {
            home: home.clone(),
            objects: args.inputs.clone(),
            platform: platform.clone(),
            output: match (&args.output, several) {
                (Some(o), false) => o.clone(),
                (Some(o), true) => PathBuf::from(format!("{}.{platform}", o.display())),
                (None, _) => unikernel::default_output(&args.inputs, platform),
            },
            libraries: args.libraries.clone(),
            map: args.map.as_ref().map(|m| {
                if several {
                    PathBuf::from(format!("{}.{platform}", m.display()))
                } else {
                    m.clone()
                }
            }),
            strip: args.strip,
            gc: !args.no_gc,
        })
        .collect();
    let results = link_in_parallel(&jobs);
    let mut images = Vec::new();
    let mut errors = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        match result {
            Ok(report) => images.push((job.platform.clone(), report.output)),
            Err(e) if several => errors.push(ukl::link_error!("{}: {e}", job.platform)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(images)
    } else {
        Err(LinkError::combine(errors))
    }
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
) -> Vec<Result<unikernel::UnikernelReport, LinkError>> {
    use std::io::IsTerminal;
    let terminal = std::io::stderr().is_terminal() && jobs.len() > 1;
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
                        Ok(report) => describe(report),
                        Err(_) => format!("{}: failed", job.platform),
                    };
                    match bar {
                        Some(bar) => bar.finish_with_message(line),
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
    options: RunOptions,
) -> Result<ExitCode, LinkError> {
    let home = home(home_arg.clone())?;
    let platform_name = args
        .platforms
        .first()
        .cloned()
        .unwrap_or_else(|| "kvm".into());
    if args.platforms.len() > 1 {
        return Err(
            ukl::link_error!("`ukl run` boots one platform at a time").help("pass a single --plat")
        );
    }
    let platform = ukl::platform::load(&home, &platform_name)?;
    let image = if args.inputs.len() == 1 && !unikernel::is_object(&args.inputs[0]) {
        args.inputs[0].clone()
    } else {
        let mut link = args.clone();
        if link.output.is_none() {
            let dir = std::env::temp_dir().join(format!("ukl-run-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .map_err(|e| ukl::link_error!("cannot create {}: {e}", dir.display()))?;
            link.output = Some(dir.join(unikernel::default_output(&args.inputs, &platform_name)));
        }
        cmd_link(Some(home), &link)?.remove(0).1
    };
    match ukl::run::run(&platform, &image, &options)? {
        Outcome::Exited(code) => Ok(ExitCode::from(code.clamp(0, 255) as u8)),
        Outcome::NoStatus => {
            eprintln!(
                "error: the guest stopped without reporting an exit status (a triple fault?)"
            );
            Ok(ExitCode::from(125))
        }
        Outcome::TimedOut => {
            eprintln!("error: the guest did not finish in time and was stopped (see --timeout)");
            Ok(ExitCode::from(124))
        }
    }
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
    match ld_args::parse(args) {
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
