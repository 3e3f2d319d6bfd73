//! The `octo` command: a one-command demo of every OCTO flow against an
//! embedded sandbox, the sandbox itself, and OCTO's API from a terminal.
//!
//! This file parses the arguments, hands the command to its module, and
//! turns the outcome into an exit code ([`failure::exit`]).

#![forbid(unsafe_code)]

mod backend;
mod cli;
mod commands;
mod credentials;
mod demo;
mod failure;
mod logging;
mod render;
mod secret_input;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::failure::{Failure, exit};

fn main() -> ExitCode {
    logging::init_from_env();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage
            // errors to stderr (exit 2, which is also our USAGE code).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.code)
        }
    }
}

fn dispatch(command: Command) -> Result<u8, Failure> {
    match command {
        Command::Demo { transport } => demo::run(transport),
        Command::Sandbox {
            port,
            data,
            scheme,
            strict,
        } => commands::sandbox::run(port, data, scheme, strict),
        Command::VerifyNotification {
            file,
            scheme,
            credentials,
            json,
        } => commands::verify::run(file.as_deref(), scheme, credentials.as_ref(), json),
        other => commands::api::run(other)
            .unwrap_or_else(|| Err(Failure::usage("this command is not an API command"))),
    }
}
