//! Replays every fixture in `fixtures/callbacks/` through the callback
//! parsers and compares the outcome with the one the fixture expects.
//!
//! The fixtures and their signatures are written by
//! `fixtures/callbacks/generate.py`, computed apart from this crate. The
//! examples printed on OCTO's pages are copied by hand, each naming its
//! page in `source`: `malformed/vendor_page_notification_example.json` and
//! `pages/` (a notification whose key is unknown, read unverified).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use octo_proto::callback::{
    CallbackError, CallbackLimits, Notification, NotificationReply, NotificationWarning,
    SchemeName, SignatureScheme, TokenizationCallback, TokenizationReply,
};
use octo_proto::datetime::format_octo;
use octo_proto::{DecodeProblem, NotificationKey, OctoSecret, PaymentStatus};
use serde_json::{Value, json};

fn callbacks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/callbacks")
}

struct Fixture {
    name: String,
    raw: Value,
}

impl Fixture {
    fn callback(&self) -> &str {
        self.raw["callback"].as_str().unwrap()
    }

    /// A notification whose signature the fixture checks: all but a page's
    /// example signed with a key nobody published (`"verify": false`).
    fn is_verified_notification(&self) -> bool {
        self.callback() == "notification" && self.raw["verify"] != json!(false)
    }

    fn scheme(&self) -> SignatureScheme {
        let keys = keys();
        match self.raw["scheme"].as_str() {
            Some("unique_key") => SignatureScheme::UniqueKey(NotificationKey::new(
                keys["unique_key"].as_str().unwrap(),
            )),
            Some("secret_and_hash_key") => SignatureScheme::SecretAndHashKey(OctoSecret::new(
                keys["octo_secret"].as_str().unwrap(),
            )),
            other => panic!("{}: unknown scheme {other:?}", self.name),
        }
    }

    /// The formula the fixture's notification is signed with.
    fn scheme_name(&self) -> SchemeName {
        self.scheme().name()
    }

    fn request(&self) -> http::Request<Vec<u8>> {
        let req = &self.raw["request"];
        let body = if let Some(text) = req["body_text"].as_str() {
            text.as_bytes().to_vec()
        } else if let Some(hex_text) = req["body_hex"].as_str() {
            hex::decode(hex_text).unwrap()
        } else {
            serde_json::to_vec(&req["body"]).unwrap()
        };
        let mut builder = http::Request::builder()
            .method(req["method"].as_str().unwrap())
            .uri("https://shop.example/octo/callback");
        for (name, value) in req["headers"].as_object().unwrap() {
            builder = builder.header(name, value.as_str().unwrap());
        }
        builder.body(body).unwrap()
    }

    fn expected(&self) -> &Value {
        &self.raw["expect"]
    }
}

/// The keys the recorded notifications are signed with.
fn keys() -> Value {
    serde_json::from_slice(&std::fs::read(callbacks_dir().join("keys.json")).unwrap()).unwrap()
}

/// [`SignatureScheme::Either`] with both recorded keys.
fn either() -> SignatureScheme {
    let keys = keys();
    SignatureScheme::either(
        NotificationKey::new(keys["unique_key"].as_str().unwrap()),
        OctoSecret::new(keys["octo_secret"].as_str().unwrap()),
    )
}

fn load(folder: &str) -> Vec<Fixture> {
    let dir = callbacks_dir().join(folder);
    let mut fixtures: Vec<Fixture> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| Fixture {
            name: format!("{folder}/{}", path.file_stem().unwrap().to_string_lossy()),
            raw: serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap(),
        })
        .collect();
    fixtures.sort_by(|a, b| a.name.cmp(&b.name));
    fixtures
}

fn load_all() -> Vec<Fixture> {
    [
        "notifications",
        "signatures",
        "tokenization",
        "malformed",
        "pages",
    ]
    .into_iter()
    .flat_map(load)
    .collect()
}

fn notification_outcome(n: &Notification, warnings: &[NotificationWarning]) -> Value {
    let mut warnings: Vec<&str> = warnings.iter().map(|w| w.field).collect();
    warnings.sort_unstable();
    let extra: BTreeMap<&String, String> =
        n.extra.iter().map(|(k, v)| (k, v.to_string())).collect();
    json!({
        "shop_transaction_id": n.shop_transaction_id.as_str(),
        "octo_payment_uuid": n.octo_payment_uuid.as_str(),
        "status": n.status.as_str(),
        "awaits_decision": n.awaits_decision(),
        "total_sum": n.total_sum.map(|d| d.to_string()),
        "transfer_sum": n.transfer_sum.map(|d| d.to_string()),
        "refunded_sum": n.refunded_sum.map(|d| d.to_string()),
        "payed_time": n.payed_time.map(format_octo),
        "currency": n.currency.as_ref().map(|c| c.as_str()),
        "masked_pan": n.masked_pan.as_ref().map(|m| m.as_str()),
        "card_country": n.card_country,
        "rrn": n.rrn,
        "risk_level": n.risk_level,
        "card_type": n.card_type,
        "card_vendor": n.card_vendor,
        "is_physical_card": n.is_physical_card,
        "extra": extra,
        "warnings": warnings,
    })
}

fn tokenization_outcome(t: &TokenizationCallback) -> Value {
    json!({
        "shop_transaction_id": t.shop_transaction_id.as_str(),
        "status": t.status.as_str(),
        "pan_masked": t.pan.as_ref().and_then(|p| p.to_masked_pan()).map(|m| m.as_str().to_owned()),
        "exp": t.exp.map(|e| e.to_yymm()),
        "card_holder_name": t.card_holder_name,
        "has_token": t.token().is_some(),
    })
}

fn error_outcome(error: &CallbackError) -> Value {
    let kind = match error {
        CallbackError::MethodNotAllowed { .. } => "method_not_allowed",
        CallbackError::BodyTooLarge { .. } => "body_too_large",
        CallbackError::EmptyBody => "empty_body",
        CallbackError::NotJson { .. } => "not_json",
        CallbackError::NotAnObject => "not_an_object",
        CallbackError::Field { .. } => "field",
        CallbackError::BadSignature { .. } => "bad_signature",
        other => panic!("an error kind this test does not know: {other:?}"),
    };
    let mut outcome = json!({ "kind": kind, "http_status": error.status().as_u16() });
    if let CallbackError::Field { path, problem } = error {
        outcome["path"] = json!(path);
        outcome["problem"] = json!(match problem {
            DecodeProblem::Missing => "missing",
            _ => "invalid",
        });
    }
    outcome
}

fn outcome(fixture: &Fixture) -> Value {
    let request = fixture.request();
    let limits = CallbackLimits::default();
    let (label, result) = match fixture.callback() {
        "notification" if !fixture.is_verified_notification() => (
            "parsed_unverified",
            Notification::parse_unverified(&request, &limits)
                .map(|n| notification_outcome(n.peek_unverified(), n.warnings())),
        ),
        "notification" => (
            "parsed",
            Notification::parse_verified(&request, &fixture.scheme(), &limits)
                .map(|n| notification_outcome(&n, n.warnings())),
        ),
        "tokenization" => (
            "parsed",
            TokenizationCallback::parse(&request, &limits).map(|t| tokenization_outcome(&t)),
        ),
        other => panic!("{}: unknown callback {other}", fixture.name),
    };
    match result {
        Ok(parsed) => json!({ label: parsed }),
        Err(error) => json!({ "error": error_outcome(&error) }),
    }
}

#[test]
fn every_fixture_reaches_its_expected_outcome() {
    let fixtures = load_all();
    assert!(
        fixtures.len() >= 60,
        "only {} fixtures found",
        fixtures.len()
    );
    let mismatches: Vec<String> = fixtures
        .iter()
        .filter_map(|f| {
            let got = outcome(f);
            (got != *f.expected()).then(|| {
                format!(
                    "{}\n  expected {}\n  got      {}",
                    f.name,
                    f.expected(),
                    got
                )
            })
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_refusal_gets_a_json_error_reply_with_its_status() {
    let mut refusals = 0;
    for fixture in load_all() {
        let request = fixture.request();
        let limits = CallbackLimits::default();
        let error = match fixture.callback() {
            "notification" if !fixture.is_verified_notification() => {
                Notification::parse_unverified(&request, &limits).err()
            }
            "notification" => {
                Notification::parse_verified(&request, &fixture.scheme(), &limits).err()
            }
            _ => TokenizationCallback::parse(&request, &limits).err(),
        };
        let Some(error) = error else { continue };
        refusals += 1;
        let reply = error.reply();
        assert_eq!(
            u64::from(reply.status().as_u16()),
            fixture.expected()["error"]["http_status"].as_u64().unwrap(),
            "{}",
            fixture.name
        );
        let body: Value = serde_json::from_slice(reply.body()).unwrap();
        assert_eq!(body["status"], "error", "{}", fixture.name);
        assert_eq!(body["message"], error.to_string(), "{}", fixture.name);
    }
    assert!(refusals >= 30, "only {refusals} refusals");
}

#[test]
fn unverified_then_verified_agrees_with_parse_verified() {
    for fixture in load_all()
        .into_iter()
        .filter(Fixture::is_verified_notification)
    {
        let request = fixture.request();
        let limits = CallbackLimits::default();
        let scheme = fixture.scheme();
        let direct = Notification::parse_verified(&request, &scheme, &limits);
        let two_step =
            Notification::parse_unverified(&request, &limits).and_then(|u| u.verify(&scheme));
        match (direct, two_step) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", fixture.name),
            (Err(a), Err(b)) => {
                // A forged notification with a malformed field fails on the
                // signature first when verified first; otherwise the same.
                if !a.is_signature_failure() {
                    assert_eq!(a, b, "{}", fixture.name);
                }
            }
            (a, b) => panic!("{}: {a:?} vs {b:?}", fixture.name),
        }
    }
}

/// A shop unsure of its formula, holding both keys, gets from every
/// recorded notification what a shop with the right formula gets, and
/// learns which formula it was; a notification signed with the other
/// formula than the shop expected (`secret_and_hash_key_signed_with_unique_key`)
/// is refused by the single scheme and accepted by `Either`.
#[test]
fn either_scheme_reads_every_recording_as_the_matching_formula_does() {
    let either = either();
    let keys = keys();
    let unique =
        SignatureScheme::UniqueKey(NotificationKey::new(keys["unique_key"].as_str().unwrap()));
    let secret =
        SignatureScheme::SecretAndHashKey(OctoSecret::new(keys["octo_secret"].as_str().unwrap()));
    let limits = CallbackLimits::default();
    let mut by_formula = BTreeMap::new();
    for fixture in load_all()
        .into_iter()
        .filter(Fixture::is_verified_notification)
    {
        let request = fixture.request();
        let own = Notification::parse_verified(&request, &fixture.scheme(), &limits);
        let by_either = Notification::parse_verified(&request, &either, &limits);
        let matching = [&unique, &secret]
            .into_iter()
            .find_map(|scheme| Notification::parse_verified(&request, scheme, &limits).ok());
        match (own, matching, by_either) {
            (_, Some(matching), Ok(by_either)) => {
                assert_eq!(
                    matching.notification(),
                    by_either.notification(),
                    "{}",
                    fixture.name
                );
                assert_eq!(
                    matching.signed_with(),
                    by_either.signed_with(),
                    "{}",
                    fixture.name
                );
                let own_formula = by_either.signed_with() == fixture.scheme_name();
                *by_formula
                    .entry((format!("{:?}", by_either.signed_with()), own_formula))
                    .or_insert(0) += 1;
            }
            (Err(own), None, Err(by_either)) if own.is_signature_failure() => {
                assert_eq!(
                    by_either,
                    CallbackError::BadSignature {
                        scheme: SchemeName::Either
                    },
                    "{}",
                    fixture.name
                );
            }
            (Err(own), None, Err(by_either)) => assert_eq!(own, by_either, "{}", fixture.name),
            (own, matching, by_either) => {
                panic!("{}: {own:?} / {matching:?} / {by_either:?}", fixture.name)
            }
        }
    }
    // Both formulas verified as recorded, and at least one notification
    // the shop's single scheme refused.
    for seen in [
        ("UniqueKey", true),
        ("SecretAndHashKey", true),
        ("UniqueKey", false),
    ] {
        let key = (seen.0.to_owned(), seen.1);
        assert!(by_formula.contains_key(&key), "{seen:?} in {by_formula:?}");
    }
}

#[test]
fn there_is_a_verified_notification_for_every_known_status() {
    let seen: Vec<PaymentStatus> = load("notifications")
        .iter()
        .filter_map(|f| {
            Notification::parse_verified(&f.request(), &f.scheme(), &CallbackLimits::default()).ok()
        })
        .map(|n| n.status.clone())
        .collect();
    for status in [
        PaymentStatus::Created,
        PaymentStatus::WaitUserAction,
        PaymentStatus::WaitingPay,
        PaymentStatus::WaitingForCapture,
        PaymentStatus::Succeeded,
        PaymentStatus::Canceled,
        PaymentStatus::Failed,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
        PaymentStatus::Other("on_review".into()),
    ] {
        assert!(seen.contains(&status), "no fixture for {status}");
    }
}

#[test]
fn both_schemes_and_both_cases_are_covered() {
    let signatures = load("signatures");
    for scheme in ["unique_key", "secret_and_hash_key"] {
        for label in ["good", "forged", "tampered_status"] {
            for case in ["upper", "lower"] {
                let name = format!("signatures/{scheme}_{label}_{case}");
                let fixture = signatures
                    .iter()
                    .find(|f| f.name == name)
                    .unwrap_or_else(|| panic!("missing {name}"));
                let body: Value = serde_json::from_slice(fixture.request().body()).unwrap();
                let sig = body["signature"].as_str().unwrap();
                let expected_case = if case == "upper" {
                    sig.to_ascii_uppercase()
                } else {
                    sig.to_ascii_lowercase()
                };
                assert_eq!(sig, expected_case, "{name}");
            }
        }
    }
}

#[test]
fn a_parsed_notification_re_signed_round_trips() {
    for fixture in load("notifications") {
        let scheme = fixture.scheme();
        let limits = CallbackLimits::default();
        let parsed = Notification::parse_verified(&fixture.request(), &scheme, &limits).unwrap();
        let hash_key = parsed.hash_key.clone();
        let resent = parsed
            .notification()
            .clone()
            .sign(&scheme, hash_key)
            .to_request("https://shop.example/notify".parse().unwrap());
        let again = Notification::parse_verified(&resent, &scheme, &limits)
            .unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
        assert_eq!(
            notification_outcome(&again, again.warnings()),
            notification_outcome(&parsed, parsed.warnings()),
            "{}",
            fixture.name
        );
    }
}

/// The JSON examples printed on OCTO's pages, by page
/// (`fixtures/pages/examples.json`, shared with the operation fixtures).
fn page_examples() -> serde_json::Map<String, Value> {
    let path = callbacks_dir().join("../pages/examples.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn examples_of<'a>(pages: &'a serde_json::Map<String, Value>, page: &str) -> &'a Vec<Value> {
    pages
        .get(page)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{page} is not in fixtures/pages/examples.json"))
}

/// A callback fixture naming a page posts one of that page's examples,
/// field for field and with the digits as printed.
#[test]
fn every_page_callback_is_posted_as_its_page_prints_it() {
    let pages = page_examples();
    let mut named = 0;
    for fixture in load_all() {
        let Some(source) = fixture.raw["source"].as_str() else {
            continue;
        };
        named += 1;
        let page = source.split(" (").next().unwrap_or(source);
        let body: Value = serde_json::from_slice(fixture.request().body()).unwrap();
        assert!(
            examples_of(&pages, page).contains(&body),
            "{}: the body is none of {page}'s examples",
            fixture.name
        );
    }
    assert!(named >= 3, "only {named} callback fixtures name a page");
}

/// The notifications page prints a signed body whose key nobody
/// published: read as it is, it is still not a verified notification
/// under either scheme with another key.
#[test]
fn the_notifications_page_example_does_not_pass_as_verified() {
    let fixture = load("pages")
        .into_iter()
        .find(|f| f.raw["source"] == "https://help.octo.uz/en/notifications.html")
        .expect("the notifications page's example");
    let keys = keys();
    for scheme in [
        SignatureScheme::UniqueKey(NotificationKey::new(keys["unique_key"].as_str().unwrap())),
        SignatureScheme::SecretAndHashKey(OctoSecret::new(keys["octo_secret"].as_str().unwrap())),
        either(),
    ] {
        let error =
            Notification::parse_verified(&fixture.request(), &scheme, &CallbackLimits::default())
                .unwrap_err();
        assert!(error.is_signature_failure(), "{error:?}");
        assert_eq!(error.status(), 401);
    }
}

/// The shop's answers OCTO's pages print are the ones the SDK writes.
#[test]
fn the_replies_are_the_ones_the_pages_print() {
    let pages = page_examples();
    let body = |response: http::Response<Vec<u8>>| -> Value {
        assert_eq!(response.status(), 200);
        serde_json::from_slice(response.body()).unwrap()
    };
    let notification_page = examples_of(
        &pages,
        "https://help.octo.uz/en/uvedomlenie-magazina-o-statuse-platezha",
    );
    assert!(notification_page.contains(&body(NotificationReply::capture().to_response())));
    let tokenization_page = examples_of(&pages, "octo-api/card-tokenization.txt");
    assert!(tokenization_page.contains(&body(
        TokenizationReply::stored("Callback processed successfully").to_response()
    )));
    let refused = TokenizationReply::not_stored("Invalid shop_transaction_id").to_response();
    assert!(refused.status().is_client_error());
    let refused: Value = serde_json::from_slice(refused.body()).unwrap();
    assert!(tokenization_page.contains(&refused));
}
