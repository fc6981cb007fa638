//! The `briefbot` command: parses arguments, sets up logging, runs a subcommand and turns its
//! outcome into an exit code (0 ok, 1 problems found, 2 could not run).

use briefbot::cli::{self, Cli, Outcome};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Cli::parse();
    let logs = cli::init_logging(args.log_format);
    let outcome = cli::run(args);
    // Every line logged is out before the last word, and before the process exits.
    drop(logs);
    match outcome {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(err) => {
            // One clear line: the error and its causes, never a backtrace.
            eprintln!("briefbot: {err:#}");
            ExitCode::from(2)
        }
    }
}
