//! The HTML of the customer's pages. Small, dependency-free, and escaped.

use crate::cards::{CardBrand, TEST_CARDS};
use crate::engine::Engine;

/// What the pages show of a payment.
pub(crate) struct PaymentView {
    pub uuid: String,
    pub amount: String,
    pub description: String,
    pub return_url: String,
    pub status: String,
    pub binding: bool,
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · OCTO sandbox</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}\
label{{display:block;margin:.6rem 0 .2rem}}input{{font-size:1.1rem;padding:.4rem;width:100%;box-sizing:border-box}}\
button{{font-size:1.1rem;padding:.5rem 1rem;margin:.8rem .4rem 0 0}}.error{{color:#b00020}}\
.note{{color:#555;font-size:.9rem}}table{{border-collapse:collapse}}td{{padding:.2rem .6rem}}</style>\
</head><body><p class=\"note\">OCTO sandbox: no real money moves here.</p>\n{body}\n</body></html>",
        title = escape(title)
    )
}

fn header(view: &PaymentView) -> String {
    let what = if view.binding {
        "Card binding"
    } else {
        "Payment"
    };
    format!(
        "<h1>{what}</h1><p id=\"amount\">{}</p><p>{}</p>",
        escape(&view.amount),
        escape(&view.description)
    )
}

fn error_line(message: Option<&str>) -> String {
    message
        .map(|m| {
            format!(
                "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
                escape(m)
            )
        })
        .unwrap_or_default()
}

pub(crate) fn card_form(view: &PaymentView, message: Option<&str>) -> String {
    let body = format!(
        "{}{}<form method=\"post\" action=\"/pay/{uuid}/card\" id=\"card-form\">\
<label for=\"pan\">Card number</label><input id=\"pan\" name=\"pan\" inputmode=\"numeric\" autocomplete=\"cc-number\" required>\
<label for=\"exp\">Expiry (MM/YY)</label><input id=\"exp\" name=\"exp\" placeholder=\"MM/YY\" autocomplete=\"cc-exp\" required>\
<label for=\"cvc\">CVC (Visa/Mastercard)</label><input id=\"cvc\" name=\"cvc\" inputmode=\"numeric\" autocomplete=\"cc-csc\">\
<label for=\"holder\">Name on card</label><input id=\"holder\" name=\"holder\" autocomplete=\"cc-name\">\
<button type=\"submit\" id=\"pay\">Pay</button></form>",
        header(view),
        error_line(message),
        uuid = escape(&view.uuid)
    );
    layout("Pay", &body)
}

pub(crate) fn otp_form(
    view: &PaymentView,
    phone: &str,
    seconds_left: u32,
    message: Option<&str>,
) -> String {
    let body = format!(
        "{}{}<p>We sent a code to <span id=\"phone\">{}</span>. It is valid for \
<span id=\"seconds-left\">{seconds_left}</span> seconds.</p>\
<form method=\"post\" action=\"/pay/{uuid}/otp\" id=\"otp-form\">\
<label for=\"code\">SMS code</label><input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\
<button type=\"submit\" id=\"confirm\">Confirm</button></form>",
        header(view),
        error_line(message),
        escape(phone),
        uuid = escape(&view.uuid)
    );
    layout("SMS code", &body)
}

pub(crate) fn three_ds(view: &PaymentView, message: Option<&str>) -> String {
    let body = format!(
        "{}{}<h2>3-D Secure</h2><p>Your bank asks you to confirm this payment.</p>\
<form method=\"post\" action=\"/pay/{uuid}/3ds\" id=\"three-ds-form\">\
<button type=\"submit\" name=\"outcome\" value=\"confirm\" id=\"confirm\">Confirm</button>\
<button type=\"submit\" name=\"outcome\" value=\"fail\" id=\"fail\">Fail authentication</button></form>",
        header(view),
        error_line(message),
        uuid = escape(&view.uuid)
    );
    layout("3-D Secure", &body)
}

pub(crate) fn status(view: &PaymentView) -> String {
    let body = format!(
        "{}<p>Status: <strong id=\"status\">{}</strong></p><p><a id=\"return\" href=\"{}\">Return to the shop</a></p>",
        header(view),
        escape(&view.status),
        escape(&view.return_url)
    );
    layout("Payment status", &body)
}

pub(crate) fn message(title: &str, text: &str) -> String {
    layout(
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)),
    )
}

pub(crate) fn index(engine: &Engine) -> String {
    let mut rows = String::new();
    for card in TEST_CARDS {
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            card.pan,
            CardBrand::of(card.pan).vendor(),
            escape(card.behaviour.description())
        ));
    }
    let body = format!(
        "<h1>OCTO sandbox</h1><p>Point an OCTO client at <code>{}</code>. The SMS code is <code>{}</code>.</p>\
<table><tr><th>card</th><th>brand</th><th>behaviour</th></tr>{rows}</table>",
        escape(&engine.base_url),
        escape(&engine.config.otp_code)
    );
    layout("OCTO sandbox", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let view = PaymentView {
            uuid: "u".into(),
            amount: "1 UZS".into(),
            description: "<script>".into(),
            return_url: "https://shop/".into(),
            status: "created".into(),
            binding: false,
        };
        assert!(!card_form(&view, Some("<b>")).contains("<script>"));
        assert!(!card_form(&view, Some("<b>")).contains("<b>"));
    }
}
