//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;

/// Take card payments through OCTO (Uzcard, Humo, Visa/Mastercard) from a
/// terminal, run a local OCTO sandbox, or watch every flow in a demo.
///
/// Credentials come from the environment (OCTO_SHOP_ID, OCTO_SECRET,
/// OCTO_NOTIFY_KEY) or from a KEY=VALUE file given by --credentials or
/// OCTO_CREDENTIALS; never from arguments, which end up in shell history.
#[derive(Debug, Parser)]
#[command(name = "octo", version, propagate_version = true, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const AFTER_HELP: &str = "Exit codes: 0 done; 1 OCTO refused (or a demo flow went wrong); \
2 bad usage, input or credentials (nothing sent); 3 network failure, an answer not from OCTO, or an unknown outcome (the request may have \
taken effect: run `octo status` before repeating it; also a refund OCTO took but has not finished, `new` or `pending`: repeat the same \
command later to see it); 4 notification signature not verified.

Try it locally: `octo demo`, or `octo sandbox` in one terminal and the API commands with \
--base-url in another.";

/// Options shared by the commands that call OCTO.
#[derive(Debug, Args, Clone)]
pub struct ApiOptions {
    /// OCTO's address; point it at a sandbox (`octo sandbox` prints one).
    #[arg(long, env = "OCTO_BASE_URL")]
    pub base_url: Option<String>,
    /// Allow a plain `http://` --base-url that is not on this machine
    /// (loopback). Every request carries the shop's secret and often card
    /// data, so this is refused unless asked for by name.
    #[arg(long)]
    pub insecure_http: bool,
    /// A KEY=VALUE file with OCTO_SHOP_ID, OCTO_SECRET and OCTO_NOTIFY_KEY.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Which HTTP transport to use.
    #[arg(long, value_enum, default_value_t = Transport::Ureq)]
    pub transport: Transport,
}

/// The transports the command can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// octo-reqwest (async, reqwest).
    Reqwest,
    /// octo-ureq (blocking, ureq).
    Ureq,
    /// octo-hyper (async, hyper).
    Hyper,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a local sandbox and run every flow through it, step by step.
    Demo {
        /// Which transport carries the calls.
        #[arg(long, value_enum, default_value_t = Transport::Hyper)]
        transport: Transport,
    },
    /// Run a local OCTO sandbox in the foreground.
    Sandbox {
        /// The port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8077)]
        port: u16,
        /// Keep the sandbox's state in this file across restarts.
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        /// How the sandbox signs notifications (unique-key uses
        /// OCTO_NOTIFY_KEY as printed; secret-hash-key uses the shop's secret).
        #[arg(long, value_enum, default_value_t = Scheme::UniqueKey)]
        scheme: Scheme,
        /// Also enforce the sandbox's rules that OCTO's pages do not state
        /// (see docs/sandbox-rules.md).
        #[arg(long)]
        strict: bool,
    },
    /// Create a payment and print where to send the customer.
    Prepare {
        /// Your id for the payment (shop_transaction_id).
        #[arg(long = "id")]
        shop_transaction_id: String,
        /// The amount, such as 1000.00.
        #[arg(long, allow_negative_numbers = true, value_parser = exact_amount)]
        amount: Decimal,
        /// The currency.
        #[arg(long, default_value = "UZS")]
        currency: String,
        /// What is being paid for.
        #[arg(long)]
        description: String,
        /// Where the customer returns after paying.
        #[arg(long)]
        return_url: String,
        /// Where OCTO sends status notifications.
        #[arg(long)]
        notify_url: Option<String>,
        /// Hold the money and capture later (two-stage payment).
        #[arg(long)]
        two_stage: bool,
        /// Create a test payment.
        #[arg(long)]
        test: bool,
        /// Minutes the payment stays payable.
        #[arg(long)]
        ttl: Option<u32>,
        /// Page language: uz (Uzbek), en or ru, the values OCTO's current
        /// pages list.
        #[arg(long, default_value = "en", value_parser = ["uz", "en", "ru"])]
        language: String,
        /// Where to call and how to print.
        #[command(flatten)]
        api: ApiOptions,
    },
    /// Show a payment's status.
    Status {
        /// Your id for the payment (shop_transaction_id).
        #[arg(long = "id")]
        shop_transaction_id: String,
        /// Where to call and how to print.
        #[command(flatten)]
        api: ApiOptions,
    },
    /// Capture a held payment (all, or --amount).
    Capture {
        /// OCTO's id of the payment.
        #[arg(long)]
        uuid: String,
        /// Capture only this much; the rest returns to the card.
        #[arg(long, allow_negative_numbers = true, value_parser = exact_amount)]
        amount: Option<Decimal>,
        /// Where to call and how to print.
        #[command(flatten)]
        api: ApiOptions,
    },
    /// Release a held payment.
    Cancel {
        /// OCTO's id of the payment.
        #[arg(long)]
        uuid: String,
        /// Where to call and how to print.
        #[command(flatten)]
        api: ApiOptions,
    },
    /// Refund part or all of a payment.
    Refund {
        /// OCTO's id of the payment.
        #[arg(long)]
        uuid: String,
        /// Your id for this refund (shop_refund_id); reuse it to retry.
        #[arg(long)]
        refund_id: String,
        /// How much to return.
        #[arg(long, allow_negative_numbers = true, value_parser = exact_amount)]
        amount: Decimal,
        /// Where to call and how to print.
        #[command(flatten)]
        api: ApiOptions,
    },
    /// Bind a card: reads the card number, its expiry (YYMM) and the name
    /// on it from standard input (typed without echo at a terminal, one line
    /// each from a pipe), then asks for the SMS code (Humo/Uzcard) or prints
    /// the 3-D Secure page.
    Bind {
        /// Your id for the binding.
        #[arg(long = "id")]
        shop_transaction_id: String,
        /// The card owner's phone, digits with country code.
        #[arg(long)]
        phone: String,
        /// humo, uzcard or bank_card (Visa/Mastercard).
        #[arg(long, default_value = "humo", value_parser = ["humo", "uzcard", "bank_card"])]
        method: String,
        /// Where the customer returns.
        #[arg(long)]
        return_url: String,
        /// Where OCTO posts the token.
        #[arg(long)]
        bind_notify_url: Option<String>,
        /// Also read the card's CVC2 from standard input, after the name on
        /// the card, for cards that need it.
        #[arg(long)]
        with_cvc: bool,
        /// Where to call and how to print.
        #[command(flatten)]
        api: ApiOptions,
    },
    /// Block a card token, read from standard input.
    BlockToken {
        /// Where to call and how to print.
        #[command(flatten)]
        api: ApiOptions,
    },
    /// Show the fiscal receipt of a payment.
    FiscalData {
        /// OCTO's id of the payment.
        #[arg(long)]
        uuid: String,
        /// Where to call and how to print.
        #[command(flatten)]
        api: ApiOptions,
    },
    /// Check a payment notification's signature and show it.
    VerifyNotification {
        /// The notification body (JSON); `-` or nothing reads standard input.
        file: Option<PathBuf>,
        /// Which signature formula OCTO uses for your shop (either: accept
        /// both, with OCTO_NOTIFY_KEY and OCTO_SECRET, and say which matched).
        #[arg(long, value_enum, default_value_t = CheckScheme::UniqueKey)]
        scheme: CheckScheme,
        /// A KEY=VALUE file with the credentials.
        #[arg(long, value_name = "FILE")]
        credentials: Option<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Reads an amount exactly as typed (`1000.00`, `0.1`, `-5`): digits with
/// an optional sign and decimal point. An amount with more digits than a
/// decimal holds is refused; it is never rounded to one the user did not
/// type (clap's default reading of a `Decimal` rounds it).
fn exact_amount(text: &str) -> Result<Decimal, String> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return Err("expected an amount such as 1000.00".to_owned());
    }
    Decimal::from_str_exact(text)
        .map_err(|_| "too many digits: an amount holds at most 28 significant digits".to_owned())
}

/// The two signature formulas seen for OCTO's notifications: how the
/// sandbox signs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    /// SHA1(unique_key + uuid + status), with OCTO_NOTIFY_KEY.
    UniqueKey,
    /// SHA1(hex(SHA1(secret + hash_key)) + uuid + status), with OCTO_SECRET.
    SecretHashKey,
}

/// What `verify-notification` accepts: one formula, or either of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckScheme {
    /// SHA1(unique_key + uuid + status), with OCTO_NOTIFY_KEY.
    UniqueKey,
    /// SHA1(hex(SHA1(secret + hash_key)) + uuid + status), with OCTO_SECRET.
    SecretHashKey,
    /// Either formula, with OCTO_NOTIFY_KEY and OCTO_SECRET; the result says
    /// which one matched.
    Either,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    /// The `--amount` of `octo refund` as parsed, or the parse error.
    fn refund_amount(amount: &str) -> Result<Decimal, clap::Error> {
        let cli = Cli::try_parse_from([
            "octo",
            "refund",
            "--uuid",
            "u",
            "--refund-id",
            "r",
            "--amount",
            amount,
        ])?;
        match cli.command {
            Command::Refund { amount, .. } => Ok(amount),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn amounts_are_taken_exactly_as_typed_or_refused() {
        for typed in [
            "0.1",
            "1000.00",
            "980.0000",
            "-5",
            "12345678901234567890.12345678",
        ] {
            assert_eq!(refund_amount(typed).unwrap().to_string(), typed);
        }
        // More digits than a decimal holds: refused, never rounded to an
        // amount the user did not type.
        for typed in [
            "98765432109876543210.987654321",
            "0.10000000000000000000000000001",
        ] {
            let parsed = refund_amount(typed);
            assert!(parsed.is_err(), "{typed} read as {parsed:?}");
        }
    }
}
