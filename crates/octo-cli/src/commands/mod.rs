//! One module per kind of command: OCTO's API, notification checks, the
//! sandbox. The demo lives in [`crate::demo`].

pub mod api;
pub mod sandbox;
pub mod verify;

use std::io::BufRead;

use crate::failure::Failure;

/// Reads one line from standard input, for values that must not be
/// arguments (card numbers, SMS codes, tokens). `what` names it in errors.
pub fn read_secret_line(input: &mut impl BufRead, what: &str) -> Result<String, Failure> {
    let mut line = String::new();
    let read = input
        .read_line(&mut line)
        .map_err(|e| Failure::usage(format!("cannot read the {what} from standard input: {e}")))?;
    let value = line.trim().to_owned();
    if read == 0 || value.is_empty() {
        return Err(Failure::new(
            crate::failure::exit::USAGE,
            format!("no {what} on standard input"),
            Some(
                "secrets are read from standard input, never from arguments: pipe it in or type it",
            ),
        ));
    }
    Ok(value)
}
