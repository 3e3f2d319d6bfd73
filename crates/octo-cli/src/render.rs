//! Printing results: aligned text for people, JSON with `--json`.

use std::fmt::Write as _;
use std::io::Write as _;

use octo_proto::op::{BlockedToken, FiscalReceipt, Payment, RefundResult, Verification};
use serde::Serialize;

/// Prints `value` as pretty JSON, or as the text `text` builds. An error
/// when standard output cannot take it (a closed pipe, a full disk): the
/// caller says what that means, since OCTO may already have acted.
pub fn print<T: Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce(&T) -> String,
) -> std::io::Result<()> {
    if json {
        let mut shown = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
        shown.push('\n');
        out(&shown)
    } else {
        out(&text(value))
    }
}

/// Writes `text` to standard output and flushes it; an error instead of
/// `print!`'s panic when it cannot.
pub fn out(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Lines of `label  value`, labels padded to one width.
pub fn table(rows: &[(&str, Option<String>)]) -> String {
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (label, value) in rows {
        if let Some(value) = value {
            let _ = writeln!(out, "{label:<width$}  {value}");
        }
    }
    out
}

/// A payment, as text.
pub fn payment(p: &Payment) -> String {
    table(&[
        ("order", Some(p.shop_transaction_id.to_string())),
        ("payment", Some(p.octo_payment_uuid.to_string())),
        ("status", Some(p.status.to_string())),
        ("amount", p.total_sum.map(|s| s.to_string())),
        ("refunded", p.refunded_sum.map(|s| s.to_string())),
        ("to shop", p.transfer_sum.map(|s| s.to_string())),
        (
            "paid at",
            p.payed_time.map(octo_proto::datetime::format_octo),
        ),
        ("card", p.card.as_ref().map(ToString::to_string)),
        ("pay page", p.octo_pay_url.clone()),
    ])
}

/// A refund, as text.
pub fn refund(r: &RefundResult) -> String {
    table(&[
        ("payment", Some(r.octo_payment_uuid.to_string())),
        ("refund", r.refund_id.as_ref().map(ToString::to_string)),
        ("status", Some(r.status.to_string())),
        ("at", r.refund_time.map(octo_proto::datetime::format_octo)),
    ])
}

/// An SMS verification, as text.
pub fn verification(v: &Verification) -> String {
    table(&[
        ("verify id", Some(v.verify_id.to_string())),
        ("code sent to", v.phone.clone()),
        ("valid for", Some(format!("{} s", v.seconds_left))),
    ])
}

/// A blocked token, as text.
pub fn blocked(b: &BlockedToken) -> String {
    table(&[("token status", Some(b.status.to_string()))])
}

/// A fiscal receipt, as text.
pub fn receipt(r: &FiscalReceipt) -> String {
    table(&[
        ("receipt", r.receipt_id.clone()),
        ("terminal", r.terminal_id.clone()),
        ("fiscal sign", r.fiscal_sign.clone()),
        ("at", r.date_time.map(octo_proto::datetime::format_octo)),
        ("message", r.message.clone()),
        ("receipt page", r.qr_code_url.clone()),
    ])
}

/// A verified notification, as text.
pub fn notification(
    n: &octo_proto::callback::Notification,
    signed_with: octo_proto::callback::SchemeName,
    warnings: &[String],
) -> String {
    let currency = n
        .currency
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let money = |sum: Option<rust_decimal::Decimal>| {
        sum.map(|s| format!("{s} {currency}").trim_end().to_owned())
    };
    let mut out = format!(
        "signature verified ({signed_with} formula): it covers {} only\n",
        signed_with.signed_fields().join(", ")
    );
    out.push_str(&table(&[
        ("payment", Some(n.octo_payment_uuid.to_string())),
        ("status", Some(n.status.to_string())),
    ]));
    out.push_str(
        "\nNot signed (hints only; confirm with `octo status` before shipping or refunding):\n",
    );
    out.push_str(&table(&[
        ("order", Some(n.shop_transaction_id.to_string())),
        ("amount", money(n.total_sum)),
        ("refunded", money(n.refunded_sum)),
        ("to shop", money(n.transfer_sum)),
        (
            "paid at",
            n.payed_time.map(octo_proto::datetime::format_octo),
        ),
        ("card", n.masked_pan.as_ref().map(ToString::to_string)),
    ]));
    for warning in warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    if n.awaits_decision() {
        out.push_str("\nThe money is held: reply {\"accept_status\":\"capture\"} or \"cancel\", or run `octo capture`/`octo cancel`.\n");
    }
    out
}
