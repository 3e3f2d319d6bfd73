//! How the demo talks: a header per scenario, numbered steps that say who acts
//! (the shop's server, the customer, OCTO), what each side sees, and a
//! verdict per scenario.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Who takes a step.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    /// The shop's server calls OCTO.
    Shop,
    /// The customer, on OCTO's pages or their phone.
    Customer,
    /// OCTO calls the shop's server back.
    Octo,
}

impl Actor {
    fn label(self) -> &'static str {
        match self {
            Self::Shop => "shop -> OCTO ",
            Self::Customer => "customer     ",
            Self::Octo => "OCTO -> shop ",
        }
    }
}

/// Writes the demo's story to standard output. Shared by the machine that
/// tells the shop's calls and the handler that tells everyone else's part,
/// so it numbers steps through a shared counter.
#[derive(Debug, Default)]
pub struct Narrator {
    step: AtomicUsize,
}

impl Narrator {
    fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// A scenario begins: its place in the run, its title and what it shows.
    pub fn scenario(&self, index: usize, total: usize, title: &str, story: &str) {
        self.step.store(0, Ordering::Relaxed);
        self.line("");
        self.line(&format!("[{index}/{total}] {title}"));
        self.line(&format!("      {story}"));
    }

    /// A numbered step by `actor`.
    pub fn step(&self, actor: Actor, text: &str) {
        let step = self.step.fetch_add(1, Ordering::Relaxed) + 1;
        self.line(&format!("  {step:>2}. {} {text}", actor.label()));
    }

    /// What came back, or what a person sees, under the last step.
    pub fn detail(&self, text: &str) {
        self.line(&format!("                       {text}"));
    }

    /// The scenario's verdict.
    pub fn verdict(&self, result: &Result<String, String>) {
        match result {
            Ok(what) => self.line(&format!("      => as expected: {what}")),
            Err(why) => self.line(&format!("      => FAILED: {why}")),
        }
    }

    /// Any other line.
    pub fn say(&self, text: &str) {
        self.line(text);
    }
}
