//! `verify-notification`: checks a payment notification's signature the
//! way a shop's server must, and shows what it says.

use std::io::Read;
use std::path::{Path, PathBuf};

use octo_proto::DecodeProblem;
use octo_proto::callback::{CallbackError, CallbackLimits, Notification, SchemeName};
use serde_json::Value;

use crate::cli::CheckScheme;
use crate::credentials::Credentials;
use crate::failure::{Failure, exit};
use crate::render;

/// Reads the body from `file` (or standard input), verifies it with the
/// key `scheme` needs, and prints it.
pub fn run(
    file: Option<&Path>,
    scheme: CheckScheme,
    credentials: Option<&PathBuf>,
    json: bool,
) -> Result<u8, Failure> {
    let scheme = Credentials::load(credentials.map(PathBuf::as_path))?.scheme(scheme)?;
    let body = read_body(file)?;
    // The parser takes the request as a server receives it: a JSON POST.
    let request = http::Request::post("/notify")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .map_err(|e| Failure::usage(format!("cannot build the request: {e}")))?;
    let notification = Notification::parse_verified(&request, &scheme, &CallbackLimits::default())
        .map_err(|e| refused(&e))?;
    // Printed redacted: fields OCTO does not document may hold card data,
    // and the masked card shows at most half of its digits.
    let mut shown = notification.to_json();
    // A notification that came without `hash_key` (allowed under the
    // unique_key formula, which does not sign it) is not shown with one; an
    // empty salt the secret formula signed is shown as it was signed.
    if notification.hash_key.is_empty() && notification.signed_with() == SchemeName::UniqueKey {
        shown.remove("hash_key");
    }
    if let Some(masked) = &notification.masked_pan {
        shown.insert("maskedPan".into(), Value::String(masked.printable()));
    }
    shown.insert("verified".into(), Value::Bool(true));
    // The signature covers the payment's id and its status (and the salt
    // under the secret formula), nothing else: every other field is an
    // unsigned hint, to be confirmed with OCTO.
    let signed_with = notification.signed_with();
    shown.insert("signed_with".into(), Value::String(signed_with.to_string()));
    shown.insert(
        "signed_fields".into(),
        Value::Array(
            signed_with
                .signed_fields()
                .iter()
                .map(|&f| Value::from(f))
                .collect(),
        ),
    );
    let warnings: Vec<String> = notification
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
    shown.insert(
        "warnings".into(),
        Value::Array(warnings.iter().cloned().map(Value::String).collect()),
    );
    let shown = octo_proto::redacted(&Value::Object(shown));
    render::print(json, &shown, |_| {
        render::notification(&notification, signed_with, &warnings)
    })
    .map_err(|e| {
        // The signature did verify; only showing it failed.
        Failure::new(
            exit::USAGE,
            format!("verified, but the result could not be written to standard output: {e}"),
            None,
        )
    })?;
    Ok(exit::OK)
}

/// A refusal for a `hash_key` left out or `null`: it comes only where a
/// formula needs the salt (or when the limits require it).
fn is_missing_hash_key(error: &CallbackError) -> bool {
    matches!(
        error,
        CallbackError::Field { path, problem: DecodeProblem::Missing } if path == "hash_key"
    )
}

fn read_body(file: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    match file {
        Some(path) if path != Path::new("-") => {
            body = std::fs::read(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        }
        _ => {
            std::io::stdin()
                .take(CallbackLimits::DEFAULT_MAX_BODY_BYTES as u64 + 1)
                .read_to_end(&mut body)
                .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
        }
    }
    Ok(body)
}

fn refused(error: &CallbackError) -> Failure {
    if is_missing_hash_key(error) {
        // Only a formula that signs `hash_key` refuses its absence: the
        // signature could not be checked, which is no proof either way.
        Failure::new(
            exit::UNVERIFIED,
            "NOT verified: the notification has no hash_key, which the secret formula signs \
             (and under --scheme either the unique_key formula did not match); do not act on \
             this notification"
                .to_owned(),
            Some(
                "a notification without hash_key can only verify with the unique_key formula: \
                 check OCTO_NOTIFY_KEY and use --scheme unique-key or --scheme either",
            ),
        )
    } else if error.is_signature_failure() {
        Failure::new(
            exit::UNVERIFIED,
            format!("NOT verified: {error}; do not act on this notification"),
            Some(
                "either it was not sent by OCTO, or the key or --scheme is wrong: check \
                 OCTO_NOTIFY_KEY (--scheme unique-key) or OCTO_SECRET (--scheme secret-hash-key), \
                 or try both with --scheme either",
            ),
        )
    } else {
        Failure::new(
            exit::USAGE,
            format!("not a payment notification: {error}"),
            Some("give the JSON body OCTO posted to your notify_url, as received"),
        )
    }
}
