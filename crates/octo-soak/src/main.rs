//! `octo-soak`: runs the soak and prints its report; exits 1 when an
//! invariant is violated or a flow was abandoned or ended in another
//! status than it aims at, 2 on bad arguments or when the run cannot
//! start or end in time.
//!
//! ```text
//! octo-soak [--payments N] [--seed S] [--concurrency C] [--fault-rate PER_MILLE] [--deadline-secs D] [--refuse-duplicate-refunds]
//! ```
//!
//! `--refuse-duplicate-refunds` has the sandbox answer a refund under a
//! `shop_refund_id` it has already made with a refusal rather than the
//! refund again (`SoakConfig::duplicate_refunds_refused`).

use std::process::ExitCode;
use std::time::Duration;

use octo_soak::{SoakConfig, run};

const USAGE: &str = "usage: octo-soak [--payments N] [--seed S] [--concurrency C] [--fault-rate PER_MILLE] [--deadline-secs D] [--refuse-duplicate-refunds]";

fn parse(args: impl Iterator<Item = String>) -> Result<SoakConfig, String> {
    let mut payments = 10_000u64;
    let mut seed = 1u64;
    let mut concurrency = None;
    let mut rate = None;
    let mut deadline = None;
    let mut refuse_duplicates = false;
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        if flag == "--refuse-duplicate-refunds" {
            refuse_duplicates = true;
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number: u64 = value
            .parse()
            .map_err(|_| format!("{flag}: not a number: {value}\n{USAGE}"))?;
        match flag.as_str() {
            "--payments" => payments = number,
            "--seed" => seed = number,
            "--concurrency" => concurrency = Some(number),
            "--fault-rate" => rate = Some(number),
            "--deadline-secs" => deadline = Some(number),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    let mut config = SoakConfig::new(payments, seed);
    config.duplicate_refunds_refused = refuse_duplicates;
    if let Some(c) = concurrency {
        config.concurrency = usize::try_from(c).unwrap_or(usize::MAX).max(1);
    }
    if let Some(r) = rate {
        config.fault_per_mille = u32::try_from(r.min(1000)).unwrap_or(1000);
    }
    if let Some(d) = deadline {
        config.deadline = Duration::from_secs(d);
    }
    Ok(config)
}

fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(why) => {
            eprintln!("{why}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("octo-soak: no runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(&config)) {
        Ok(report) => {
            println!("{report}");
            if report.holds() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("octo-soak: {e}");
            ExitCode::from(2)
        }
    }
}
