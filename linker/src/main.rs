//! The `ukl` command line: a thin layer over the `ukl` library. Invoked as `ld` (a symlink or a
//! copy named `ld` in a directory given to `gcc -B`), it behaves as `ukl ld`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ukl::ld_args::{self, LdCommand};

#[derive(Parser)]
#[command(
    name = "ukl",
    version,
    about = "ukl: a link-time assembler of unikernels"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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

#[derive(Subcommand)]
enum PoolCommand {
    /// Compile pool-src and write prebuilt/<arch>/ archives, metadata and index.
    Build {
        /// The repository root (holds pool-src/, prebuilt/, registry.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
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
    match cli.command {
        Command::Ld { args } => run_ld(&args),
        Command::Pool {
            command: PoolCommand::Build { root, check },
        } => {
            let mut options = ukl::pool::PoolBuildOptions::for_repository(&root);
            options.check = check;
            match ukl::pool::build_pool(&options) {
                Ok(report) => {
                    println!("{report}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
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
