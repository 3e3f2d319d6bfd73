//! Reading card numbers, expiries, holder names, CVCs, SMS codes and card
//! tokens: never from the command line (arguments end up in shell history
//! and in `ps`), but from standard input.
//!
//! At a terminal each value is typed without echo, after a prompt
//! ([`rpassword`]), so it does not stay on the screen or in the terminal's
//! scrollback. From a pipe or a file the values are read one line each, in
//! order, and each prompt goes to standard error, so that standard output
//! stays the command's result. The values are never printed, and the
//! buffers they were read into are wiped.

use std::io::{self, BufRead, IsTerminal, Write};

use zeroize::Zeroize;

use crate::failure::{Failure, exit};

/// Reads a value without echo after showing the prompt (at a terminal).
pub type HiddenReader = Box<dyn FnMut(&str) -> io::Result<String>>;

/// Where secrets come from: lines of a pipe, or a terminal without echo.
pub struct SecretInput<R> {
    lines: R,
    terminal: bool,
    hidden: HiddenReader,
}

impl SecretInput<io::StdinLock<'static>> {
    /// Standard input: without echo when it is a terminal, line by line
    /// otherwise.
    pub fn stdin() -> Self {
        let stdin = io::stdin();
        let terminal = stdin.is_terminal();
        Self::new(
            stdin.lock(),
            terminal,
            Box::new(|prompt: &str| rpassword::prompt_password(prompt)),
        )
    }
}

impl<R: BufRead> SecretInput<R> {
    /// Reads from `lines`, unless `terminal`, in which case every value
    /// comes from `hidden` (which shows the prompt and reads without echo).
    pub fn new(lines: R, terminal: bool, hidden: HiddenReader) -> Self {
        Self {
            lines,
            terminal,
            hidden,
        }
    }

    /// Reads one value; `what` names it in the prompt and in errors.
    /// `prompt` is shown before it (at the terminal, or on standard error
    /// when reading from a pipe).
    pub fn read(&mut self, what: &str, prompt: &str) -> Result<String, Failure> {
        let mut raw = if self.terminal {
            (self.hidden)(prompt).map_err(|e| {
                Failure::usage(format!("cannot read the {what} from the terminal: {e}"))
            })?
        } else {
            if !prompt.is_empty() {
                let mut err = io::stderr();
                let _ = write!(err, "{prompt}");
                let _ = err.flush();
            }
            let mut line = String::new();
            let read = self.lines.read_line(&mut line);
            if let Err(e) = read {
                line.zeroize();
                return Err(Failure::usage(format!(
                    "cannot read the {what} from standard input: {e}"
                )));
            }
            line
        };
        let value = raw.trim().to_owned();
        raw.zeroize();
        if value.is_empty() {
            return Err(Failure::new(
                exit::USAGE,
                format!("no {what} on standard input"),
                Some(
                    "secrets are read from standard input, never from arguments: pipe it in or \
                     type it",
                ),
            ));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    #[test]
    fn a_pipe_is_read_line_by_line() {
        let hidden: HiddenReader = Box::new(|_| panic!("no terminal here"));
        let mut input = SecretInput::new(&b"8600000000000007\n 123456 \n"[..], false, hidden);
        assert_eq!(input.read("card number", "").unwrap(), "8600000000000007");
        assert_eq!(input.read("SMS code", "").unwrap(), "123456");
        let err = input.read("CVC", "").unwrap_err();
        assert!(err.to_string().contains("no CVC"), "{err}");
    }

    #[test]
    fn a_terminal_is_read_without_echo_after_the_prompt() {
        let prompts = Rc::new(RefCell::new(Vec::new()));
        let seen = Rc::clone(&prompts);
        let mut typed = vec!["  9860000000000000\n".to_owned(), "123".to_owned()].into_iter();
        let hidden: HiddenReader = Box::new(move |prompt: &str| {
            seen.borrow_mut().push(prompt.to_owned());
            Ok(typed.next().unwrap_or_default())
        });
        // The lines must not be touched: everything comes from the hidden
        // reader.
        let mut input = SecretInput::new(&b"from-the-pipe\n"[..], true, hidden);
        assert_eq!(
            input.read("card number", "Card number: ").unwrap(),
            "9860000000000000"
        );
        assert_eq!(input.read("CVC", "CVC: ").unwrap(), "123");
        assert!(
            input.read("SMS code", "SMS code: ").is_err(),
            "nothing typed"
        );
        assert_eq!(*prompts.borrow(), ["Card number: ", "CVC: ", "SMS code: "]);
        let mut rest = String::new();
        input.lines.read_line(&mut rest).unwrap();
        assert_eq!(rest, "from-the-pipe\n");
    }

    #[test]
    fn a_terminal_that_fails_is_a_usage_error_without_the_value() {
        let hidden: HiddenReader = Box::new(|_| Err(io::Error::other("no tty")));
        let mut input = SecretInput::new(&b""[..], true, hidden);
        let err = input.read("SMS code", "SMS code: ").unwrap_err();
        assert!(err.to_string().contains("terminal"), "{err}");
    }
}
