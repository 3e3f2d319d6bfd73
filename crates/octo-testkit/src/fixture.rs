//! Reading fixture files.

use std::path::{Path, PathBuf};

use octo_proto::Config;
use serde::Deserialize;
use serde_json::Value;

use crate::operation::AnyOperation;

/// Why a fixture could not be loaded.
#[derive(Debug)]
pub struct FixtureError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for FixtureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for FixtureError {}

/// The shop a fixture uses when it names none.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureConfig {
    /// `octo_shop_id`.
    #[serde(default = "default_shop_id")]
    pub shop_id: u64,
    /// `octo_secret`.
    #[serde(default = "default_secret")]
    pub secret: String,
    /// The config's test flag.
    #[serde(default)]
    pub test: bool,
    /// An overridden binding OTP path.
    #[serde(default)]
    pub check_sms_key_path: Option<String>,
    /// Allows page languages OCTO's current pages do not list (`oz`).
    #[serde(default)]
    pub unlisted_languages: bool,
    /// The zone `init_time` instants are written in, as `+05:00`; the
    /// SDK's default (Tashkent) when absent.
    #[serde(default)]
    pub init_time_offset: Option<String>,
}

fn default_shop_id() -> u64 {
    10000
}

fn default_secret() -> String {
    "2d45df74-bb95-47cf-a616-8d6dcee2e10d".to_owned()
}

impl Default for FixtureConfig {
    fn default() -> Self {
        Self {
            shop_id: default_shop_id(),
            secret: default_secret(),
            test: false,
            check_sms_key_path: None,
            unlisted_languages: false,
            init_time_offset: None,
        }
    }
}

/// The request the SDK must send.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedRequest {
    /// `POST`.
    pub method: String,
    /// The path, such as `/prepare_payment`.
    pub path: String,
    /// The content type, `application/json`.
    pub content_type: String,
    /// The JSON body, compared as a value (numbers by their exact digits).
    pub body: Value,
    /// Secrets the request must carry nowhere but where `body` puts them
    /// (not in a header), besides the secret fields of `body` itself: the
    /// fixture's shop secret, filled in when it is loaded. Not read from the
    /// file.
    #[serde(skip)]
    pub secrets: Vec<String>,
    /// The `User-Agent` the request must carry, exactly once: the SDK's
    /// [`DEFAULT_USER_AGENT`](octo_proto::DEFAULT_USER_AGENT) unless the
    /// test's config names another. Not read from the file.
    #[serde(skip, default = "default_user_agent")]
    pub user_agent: String,
}

fn default_user_agent() -> String {
    octo_proto::DEFAULT_USER_AGENT.to_owned()
}

impl ExpectedRequest {
    /// Checks a request against this one: method, path, content type, and
    /// the JSON body compared as a value. Returns what differs.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let mut problems = Vec::new();
        if method != self.method {
            problems.push(format!("method {method}, expected {}", self.method));
        }
        if path != self.path {
            problems.push(format!("path {path}, expected {}", self.path));
        }
        let essence = content_type.map(|c| c.split(';').next().unwrap_or(c).trim());
        if essence != Some(self.content_type.as_str()) {
            problems.push(format!(
                "content type {content_type:?}, expected {}",
                self.content_type
            ));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(actual) if actual == self.body => {}
            Ok(actual) => problems.push(format!("body {actual}, expected {}", self.body)),
            Err(e) => problems.push(format!("body is not JSON: {e}")),
        }
        // Read as a value, a field written twice keeps only its last
        // copy, so the comparison above cannot see it.
        for field in duplicate_fields(body) {
            problems.push(format!("body writes {field} more than once"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// [`check`](Self::check) with every header: besides the content type,
    /// one `User-Agent`, [`user_agent`](Self::user_agent) (not the HTTP
    /// library's own, nor none), and no header may carry a secret (the
    /// body's `octo_secret`, card number, card token, CVC, SMS code or
    /// holder name, or one of [`secrets`](Self::secrets)). A problem names
    /// the header, never the secret.
    pub fn check_parts(
        &self,
        method: &str,
        path: &str,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), String> {
        let content_type = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let mut problems = Vec::new();
        if let Err(diff) = self.check(method, path, content_type, body) {
            problems.push(diff);
        }
        let agents: Vec<_> = headers
            .get_all(http::header::USER_AGENT)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        if agents != [self.user_agent.as_str()] {
            problems.push(format!(
                "user-agent {agents:?}, expected [{:?}]",
                self.user_agent
            ));
        }
        let mut secrets = self.secrets.clone();
        secret_values(&self.body, &mut secrets);
        secrets.retain(|s| !s.is_empty());
        for (name, value) in headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            // A short secret (a CVC) is looked for as the whole value only,
            // so that a length or a date cannot match it by chance.
            let leaks = secrets.iter().any(|secret| {
                if secret.len() >= 5 {
                    value.contains(secret.as_str())
                } else {
                    value.trim() == secret
                }
            });
            if leaks {
                problems.push(format!("header {name} carries a secret"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// The expectation that `request` meets: for tests that build their own
    /// exchanges from a request the SDK built. `None` when the body is not
    /// JSON.
    pub fn from_request(request: &http::Request<Vec<u8>>) -> Option<Self> {
        Some(Self {
            method: request.method().as_str().to_owned(),
            path: request
                .uri()
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            content_type: request
                .headers()
                .get(http::header::CONTENT_TYPE)?
                .to_str()
                .ok()?
                .to_owned(),
            body: serde_json::from_slice(request.body()).ok()?,
            secrets: Vec::new(),
            user_agent: request
                .headers()
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map_or_else(default_user_agent, str::to_owned),
        })
    }

    /// [`check_parts`](Self::check_parts) for an `http::Request`.
    pub fn check_request(&self, request: &http::Request<Vec<u8>>) -> Result<(), String> {
        let path = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        self.check_parts(
            request.method().as_str(),
            path,
            request.headers(),
            request.body(),
        )
    }
}

/// The body fields whose values are secrets, as OCTO's requests name them.
const SECRET_FIELDS: [&str; 8] = [
    "octo_secret",
    "pan",
    "card_token",
    "cvc2",
    "smsKey",
    "cardHolderName",
    "exp",
    "expDate",
];

/// The string values of `body`'s secret fields, at any depth.
fn secret_values(body: &Value, out: &mut Vec<String>) {
    match body {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::String(s) if SECRET_FIELDS.contains(&key.as_str()) => {
                        out.push(s.clone());
                    }
                    other => secret_values(other, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| secret_values(v, out)),
        _ => {}
    }
}

/// The fields that a JSON text writes more than once in the same object,
/// as dotted paths (`user_data.phone`). Empty when the text is not JSON.
fn duplicate_fields(body: &[u8]) -> Vec<String> {
    use serde::de::DeserializeSeed;
    let mut found = Vec::new();
    let mut reader = serde_json::Deserializer::from_slice(body);
    let _ = Duplicates {
        found: &mut found,
        path: String::new(),
    }
    .deserialize(&mut reader);
    found
}

/// Walks a JSON document and records every key seen twice in one object.
struct Duplicates<'a> {
    found: &'a mut Vec<String>,
    path: String,
}

impl Duplicates<'_> {
    fn child(&mut self, step: &str) -> Duplicates<'_> {
        let path = if self.path.is_empty() {
            step.to_owned()
        } else {
            format!("{}.{step}", self.path)
        };
        Duplicates {
            found: self.found,
            path,
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Duplicates<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Duplicates<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(&key);
            if !seen.insert(key) {
                child.found.push(child.path.clone());
            }
            map.next_value_seed(child)?;
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq
            .next_element_seed(self.child(&index.to_string()))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The response as OCTO (or a proxy) sent it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    /// The HTTP status.
    pub status: u16,
    /// Headers, by name.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// The raw body, for bodies that are not JSON (HTML, empty, broken).
    #[serde(default)]
    pub body: Option<String>,
    /// A JSON body, written as JSON for readability; sent with its numbers
    /// exactly as written.
    #[serde(default)]
    pub json: Option<Value>,
}

impl RecordedResponse {
    /// The body bytes to send.
    pub fn body_bytes(&self) -> Vec<u8> {
        match (&self.body, &self.json) {
            (Some(raw), _) => raw.clone().into_bytes(),
            (None, Some(json)) => serde_json::to_vec(json).unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }

    /// The response as an `http::Response`.
    pub fn to_http(&self) -> http::Response<Vec<u8>> {
        let mut builder = http::Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder
            .body(self.body_bytes())
            .unwrap_or_else(|_| http::Response::new(Vec::new()))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    description: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    contradiction: Option<String>,
    operation: String,
    #[serde(default)]
    config: FixtureConfig,
    input: Value,
    #[serde(default)]
    request: Option<ExpectedRequest>,
    #[serde(default)]
    response: Option<RecordedResponse>,
    outcome: Value,
}

/// One recorded exchange.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The file's name relative to `fixtures/`, such as
    /// `prepare_payment/one_stage.json`.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// Where the exchange comes from when it is an example on one of OCTO's
    /// pages (the page's address or the file under `octo-api/`).
    pub source: Option<String>,
    /// Where that example disagrees with its own page, and what the SDK
    /// does about it.
    pub contradiction: Option<String>,
    /// The operation, built from the file's input.
    pub operation: AnyOperation,
    /// The shop.
    pub config: FixtureConfig,
    /// The request the SDK must send; `None` when it must refuse the input.
    pub request: Option<ExpectedRequest>,
    /// The response to give it.
    pub response: Option<RecordedResponse>,
    /// The outcome it must reach: `{"ok": …}` or `{"error": …}`.
    pub outcome: Value,
}

impl Fixture {
    /// Reads one file; `root` is the `fixtures/` directory.
    pub fn load(root: &Path, path: &Path) -> Result<Self, FixtureError> {
        let err = |message: String| FixtureError {
            path: path.to_owned(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        // Read as values, a key written twice would keep only its last
        // copy, and the exchange replayed would not be the one written.
        let repeated = duplicate_fields(text.as_bytes());
        if !repeated.is_empty() {
            return Err(err(format!(
                "writes a key more than once: {}",
                repeated.join(", ")
            )));
        }
        let file: FixtureFile = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        if let Some(offset) = &file.config.init_time_offset
            && parse_offset(offset).is_none()
        {
            return Err(err(format!(
                "init_time_offset {offset:?} is not like +05:00"
            )));
        }
        let operation =
            AnyOperation::from_json(&file.operation, file.input.clone()).map_err(err)?;
        let mut request = file.request;
        if let Some(request) = &mut request {
            request.secrets.push(file.config.secret.clone());
        }
        if request.is_some() != file.response.is_some() {
            return Err(err("request and response go together".to_owned()));
        }
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        Ok(Self {
            name,
            description: file.description,
            source: file.source,
            contradiction: file.contradiction,
            operation,
            config: file.config,
            request,
            response: file.response,
            outcome: file.outcome,
        })
    }

    /// The [`Config`] for this fixture, pointed at `base_url` when given.
    ///
    /// # Panics
    ///
    /// When `base_url` is refused ([`Config::with_base_url`]): the config
    /// would otherwise keep OCTO's production address, and a test must
    /// never reach a real OCTO server.
    pub fn config(&self, base_url: Option<&str>) -> Config {
        let mut config = Config::new(self.config.shop_id, self.config.secret.as_str())
            .with_test(self.config.test)
            .with_unlisted_languages(self.config.unlisted_languages);
        if let Some(offset) = self
            .config
            .init_time_offset
            .as_deref()
            .and_then(parse_offset)
        {
            config = config.with_init_time_offset(offset);
        }
        if let Some(path) = &self.config.check_sms_key_path
            && let Ok(c) = config.clone().with_check_sms_key_path(path)
        {
            config = c;
        }
        if let Some(url) = base_url {
            config = match config.with_base_url(url) {
                Ok(config) => config,
                // Test support: a test that names an address OCTO's config
                // refuses must stop, not go to production instead.
                #[allow(clippy::panic)]
                Err(refused) => panic!("fixture {}: base URL refused: {refused}", self.name),
            };
        }
        config
    }

    /// Runs the fixture through `driver` and returns the outcome as JSON.
    pub fn run<D: crate::Driver>(&self, driver: &mut D, config: &Config) -> Value {
        self.operation.run(driver, config)
    }
}

/// Reads an offset written `+05:00` or `-03:30`.
fn parse_offset(text: &str) -> Option<time::UtcOffset> {
    let format = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    time::UtcOffset::parse(text, format).ok()
}

/// The workspace's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Every operation fixture under `fixtures/` (not `fixtures/callbacks/`),
/// sorted by name.
pub fn load_all() -> Result<Vec<Fixture>, FixtureError> {
    let root = fixtures_dir();
    let mut files = Vec::new();
    collect(&root, &mut files).map_err(|e| FixtureError {
        path: root.clone(),
        message: e.to_string(),
    })?;
    files.sort();
    files.iter().map(|p| Fixture::load(&root, p)).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            // Callback fixtures have their own format and their own tests;
            // `pages/` holds the examples printed on OCTO's pages, which the
            // fixtures naming a page are compared with.
            if path
                .file_name()
                .is_some_and(|n| n == "callbacks" || n == "pages")
            {
                continue;
            }
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn any_fixture() -> Fixture {
        load_all().unwrap().into_iter().next().expect("a fixture")
    }

    /// Whether a fixture says it is an example from one of OCTO's pages:
    /// its file is named `vendor…`, or its description says it is "as on"
    /// or "from" a page.
    fn claims_a_page(fixture: &Fixture) -> bool {
        let file = fixture.name.rsplit('/').next().unwrap_or(&fixture.name);
        if file.starts_with("vendor") {
            return true;
        }
        let text = fixture.description.to_lowercase();
        ["as on ", "from "].iter().any(|lead| {
            text.match_indices(lead).any(|(at, _)| {
                let rest = &text[at + lead.len()..];
                let clause = rest.split([':', ';', ',', '.']).next().unwrap_or(rest);
                (clause.starts_with("octo's") || clause.starts_with("the "))
                    && clause.contains("page")
            })
        })
    }

    #[test]
    fn the_page_claim_reads_the_description() {
        let mut fixture = any_fixture();
        fixture.name = "bind_card/x.json".to_owned();
        fixture.description = "bind_card as on OCTO's tokenization page: a Humo card".to_owned();
        assert!(claims_a_page(&fixture));
        fixture.description = "Error 20 from the tokenization page: the card".to_owned();
        assert!(claims_a_page(&fixture));
        fixture.description = "OCTO's page: the return URL must be complete".to_owned();
        assert!(!claims_a_page(&fixture));
        fixture.description = "Both shapes at once, as OCTO's current page shows".to_owned();
        assert!(!claims_a_page(&fixture));
        fixture.name = "bind_card/vendor_example.json".to_owned();
        assert!(claims_a_page(&fixture));
    }

    /// A fixture without `source` is the SDK's own construction; one that
    /// says it comes from OCTO's pages must name the page, so that it can be
    /// compared with it (and a contradiction must be written down).
    #[test]
    fn every_fixture_claiming_a_page_names_it() {
        let unnamed: Vec<String> = load_all()
            .unwrap()
            .into_iter()
            .filter(|f| claims_a_page(f) && f.source.as_deref().is_none_or(|s| s.trim().is_empty()))
            .map(|f| f.name)
            .collect();
        assert!(
            unnamed.is_empty(),
            "fixtures that claim a page but name none: {unnamed:?}"
        );
    }

    /// Every operation has its page's own success example, replayed as the
    /// page prints it (or with its contradiction written down).
    #[test]
    fn every_operation_has_its_page_success_example() {
        let fixtures = load_all().unwrap();
        let missing: Vec<&str> = octo_proto::Endpoint::ALL
            .iter()
            .map(|e| e.name())
            .filter(|name| {
                !fixtures.iter().any(|f| {
                    f.operation.name() == *name
                        && f.source.is_some()
                        && f.response.is_some()
                        && f.outcome.get("ok").is_some()
                })
            })
            .collect();
        assert!(missing.is_empty(), "no page success example: {missing:?}");
    }

    /// Every error code a page lists for an operation has a fixture that
    /// answers with it.
    #[test]
    fn every_error_code_a_page_lists_has_a_fixture() {
        // (operation, code, the page that lists it)
        let listed: &[(&str, i64, &str)] = &[
            ("prepare_payment", 1, "legacy prepare page"),
            ("prepare_payment", 2, "one-stage-payment.txt"),
            ("prepare_payment", 3, "legacy prepare page"),
            ("prepare_payment", 4, "legacy prepare page"),
            ("prepare_payment", 5, "legacy prepare page"),
            ("prepare_payment", 6, "legacy prepare page"),
            ("prepare_payment", 403, "fiscalization.txt"),
            ("payment_status", 2, "help.octo.uz check-status"),
            ("refund", 1, "help.octo.uz vozvraty"),
            ("refund", 2, "help.octo.uz vozvraty"),
            ("refund", 3, "help.octo.uz vozvraty"),
            ("bind_card", 20, "card-tokenization.txt"),
            ("check_pan", 17, "help.octo.uz otp-resend"),
            ("block_card_token", 1, "card-tokenization.txt"),
            ("block_card_token", 2, "card-tokenization.txt"),
            ("block_card_token", 4, "card-tokenization.txt"),
            ("block_card_token", 5, "card-tokenization.txt"),
            ("block_card_token", 6, "card-tokenization.txt"),
            ("fiscal_data", 1, "fiscalization.txt"),
            ("pay_with_token", 2, "pay-with-card-token.ru.txt"),
        ];
        let fixtures = load_all().unwrap();
        let missing: Vec<String> = listed
            .iter()
            .filter(|(operation, code, _)| {
                !fixtures.iter().any(|f| {
                    f.operation.name() == *operation
                        && f.response.is_some()
                        && f.outcome["error"]["kind"] == "octo"
                        && f.outcome["error"]["code"].as_i64() == Some(*code)
                })
            })
            .map(|(operation, code, page)| format!("{operation} error {code} ({page})"))
            .collect();
        assert!(missing.is_empty(), "no fixture for: {missing:?}");
    }

    /// Fixtures whose answer is a page's example changed on purpose; each
    /// says how in its `contradiction`.
    const ADAPTED_ANSWERS: [&str; 1] = ["prepare_payment/one_stage_current_envelope.json"];

    /// The JSON examples printed on OCTO's pages, by page
    /// (`fixtures/pages/examples.json`), numbers with their digits.
    fn page_examples() -> serde_json::Map<String, Value> {
        let text = std::fs::read_to_string(fixtures_dir().join("pages/examples.json")).unwrap();
        assert!(duplicate_fields(text.as_bytes()).is_empty());
        serde_json::from_str(&text).unwrap()
    }

    /// A fixture that names a page answers with one of that page's
    /// examples exactly: field names, numbers or strings with their digits,
    /// `data{}` or top level, status words, codes and messages.
    #[test]
    fn every_page_fixture_answers_with_its_page_example() {
        let pages = page_examples();
        let mut problems = Vec::new();
        for fixture in load_all().unwrap() {
            let Some(source) = &fixture.source else {
                continue;
            };
            let page = source.split(" (").next().unwrap_or(source);
            let Some(examples) = pages.get(page).and_then(Value::as_array) else {
                problems.push(format!(
                    "{}: page {page:?} is not in pages/examples.json",
                    fixture.name
                ));
                continue;
            };
            let Some(answer) = fixture.response.as_ref().and_then(|r| r.json.as_ref()) else {
                continue;
            };
            let adapted = ADAPTED_ANSWERS.contains(&fixture.name.as_str());
            if adapted {
                assert!(
                    fixture.contradiction.is_some(),
                    "{} says nothing",
                    fixture.name
                );
            } else if !examples.contains(answer) {
                problems.push(format!(
                    "{}: the answer is none of {page}'s examples",
                    fixture.name
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Every answer printed on a page (an example with `error`, or an HTTP
    /// problem with `title`) is replayed by some fixture.
    #[test]
    fn every_page_answer_is_replayed() {
        let fixtures = load_all().unwrap();
        let answers: Vec<&Value> = fixtures
            .iter()
            .filter_map(|f| f.response.as_ref().and_then(|r| r.json.as_ref()))
            .collect();
        let mut missing = Vec::new();
        for (page, examples) in page_examples() {
            for example in examples.as_array().unwrap() {
                let is_answer = example.get("error").is_some() || example.get("title").is_some();
                if is_answer && !answers.contains(&example) {
                    missing.push(format!("{page}: {example}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "page answers no fixture replays:\n{}",
            missing.join("\n")
        );
    }

    /// Fixtures naming a page that prints no request for their operation
    /// (verificationInfo's page only says what is sent; the fiscalization
    /// page prints basket lines, not a whole prepare_payment).
    const REQUEST_NOT_PRINTED: [&str; 3] = [
        "verification_info/expired_seconds_left_zero.json",
        "verification_info/seconds_left.json",
        "prepare_payment/error_403_fiscal_object_not_registered.json",
    ];

    /// A fixture naming a page sends the page's request example, or says
    /// in `contradiction` why it cannot.
    #[test]
    fn every_page_fixture_sends_its_page_request_or_says_why_not() {
        let pages = page_examples();
        let mut problems = Vec::new();
        for fixture in load_all().unwrap() {
            let (Some(source), Some(request)) = (&fixture.source, &fixture.request) else {
                continue;
            };
            let page = source.split(" (").next().unwrap_or(source);
            let printed = pages
                .get(page)
                .and_then(Value::as_array)
                .is_some_and(|examples| examples.contains(&request.body));
            let excused = fixture.contradiction.is_some()
                || REQUEST_NOT_PRINTED.contains(&fixture.name.as_str());
            if !printed && !excused {
                problems.push(fixture.name);
            }
        }
        assert!(
            problems.is_empty(),
            "requests that are not their page's and say nothing: {problems:?}"
        );
    }

    #[test]
    fn a_changed_digit_is_not_the_page_example() {
        let pages = page_examples();
        let examples = pages["octo-api/card-tokenization.txt"].as_array().unwrap();
        let verbatim: Value = serde_json::from_str(
            r#"{"error": 0, "errMessage": "", "data": {"verifyId": 819, "phone": "+998** *****33", "secondsLeft": 221}}"#,
        )
        .unwrap();
        assert!(examples.contains(&verbatim));
        let as_string: Value = serde_json::from_str(
            r#"{"error": 0, "errMessage": "", "data": {"verifyId": "819", "phone": "+998** *****33", "secondsLeft": 221}}"#,
        )
        .unwrap();
        assert!(!examples.contains(&as_string));
        let sums = pages["octo-api/one-stage-payment.txt"].as_array().unwrap();
        let paid = sums
            .iter()
            .find(|e| e["error"] == 0 && e.get("data").is_some())
            .unwrap();
        let mut fewer_digits = paid.clone();
        fewer_digits["total_sum"] = serde_json::from_str("1000").unwrap();
        assert_ne!(&fewer_digits, paid);
    }

    fn expected_status_check() -> ExpectedRequest {
        ExpectedRequest {
            method: "POST".to_owned(),
            path: "/prepare_payment".to_owned(),
            content_type: "application/json".to_owned(),
            body: serde_json::json!({
                "octo_shop_id": 10000,
                "octo_secret": "2d45df74-bb95-47cf-a616-8d6dcee2e10d",
                "shop_transaction_id": "order-1",
            }),
            secrets: Vec::new(),
            user_agent: default_user_agent(),
        }
    }

    /// A request as the SDK sends it (its `User-Agent` included), with
    /// `headers` added.
    fn post(body: &str, headers: &[(&str, &str)]) -> http::Request<Vec<u8>> {
        let mut builder = http::Request::post("https://secure.octo.uz/prepare_payment")
            .header("content-type", "application/json")
            .header("user-agent", octo_proto::DEFAULT_USER_AGENT);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(body.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn the_expected_request_matches_itself() {
        let body = r#"{"octo_shop_id":10000,"octo_secret":"2d45df74-bb95-47cf-a616-8d6dcee2e10d","shop_transaction_id":"order-1"}"#;
        expected_status_check()
            .check_request(&post(body, &[("accept", "application/json")]))
            .unwrap();
    }

    #[test]
    fn a_request_without_the_sdks_user_agent_does_not_match() {
        // The transports sent none (hyper, reqwest) or their library's own
        // (ureq), so the requests OCTO saw depended on the transport.
        let body = r#"{"octo_shop_id":10000,"octo_secret":"2d45df74-bb95-47cf-a616-8d6dcee2e10d","shop_transaction_id":"order-1"}"#;
        let mut none = post(body, &[]);
        none.headers_mut().remove(http::header::USER_AGENT);
        let mut library = none.clone();
        library.headers_mut().insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static("ureq/3.0"),
        );
        let mut twice = post(body, &[]);
        twice.headers_mut().append(
            http::header::USER_AGENT,
            http::HeaderValue::from_static("ureq/3.0"),
        );
        for request in [none, library, twice] {
            let err = expected_status_check().check_request(&request).unwrap_err();
            assert!(err.contains("user-agent"), "{err}");
        }
        let mut shop = expected_status_check();
        shop.user_agent = "my-shop/2 octo-rs".to_owned();
        assert!(shop.check_request(&post(body, &[])).is_err());
        let mut own = post(body, &[]);
        own.headers_mut().insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static("my-shop/2 octo-rs"),
        );
        shop.check_request(&own).unwrap();
    }

    #[test]
    fn a_field_sent_twice_does_not_match() {
        // Read as a value, the second octo_secret silently replaced the
        // first and the request passed: a secret sent twice went unseen.
        let body = r#"{"octo_shop_id":10000,"octo_secret":"2d45df74-bb95-47cf-a616-8d6dcee2e10d","shop_transaction_id":"order-1","octo_secret":"2d45df74-bb95-47cf-a616-8d6dcee2e10d"}"#;
        let err = expected_status_check()
            .check_request(&post(body, &[]))
            .unwrap_err();
        assert!(err.contains("octo_secret"), "{err}");
        let nested = r#"{"octo_shop_id":10000,"octo_secret":"2d45df74-bb95-47cf-a616-8d6dcee2e10d","shop_transaction_id":"order-1","user_data":{"phone":"1","phone":"1"}}"#;
        let mut expected = expected_status_check();
        expected.body["user_data"] = serde_json::json!({"phone": "1"});
        let err = expected.check_request(&post(nested, &[])).unwrap_err();
        assert!(err.contains("phone"), "{err}");
    }

    #[test]
    fn a_secret_in_a_header_does_not_match() {
        // Only the content type was looked at: a transport that also put
        // the shop's secret (or a card token) into a header passed.
        let body = r#"{"octo_shop_id":10000,"octo_secret":"2d45df74-bb95-47cf-a616-8d6dcee2e10d","shop_transaction_id":"order-1"}"#;
        let leaked = post(
            body,
            &[(
                "authorization",
                "Bearer 2d45df74-bb95-47cf-a616-8d6dcee2e10d",
            )],
        );
        let err = expected_status_check().check_request(&leaked).unwrap_err();
        assert!(err.contains("authorization"), "{err}");
        assert!(
            !err.contains("2d45df74"),
            "the problem quotes the secret: {err}"
        );

        // A secret the body does not carry (pay/{uuid} sends none) is
        // named by the fixture's config.
        let mut expected = expected_status_check();
        expected.secrets = vec!["config-secret-77".to_owned()];
        let leaked = post(body, &[("x-octo-secret", "config-secret-77")]);
        assert!(expected.check_request(&leaked).is_err());
    }

    #[test]
    fn a_loaded_fixture_knows_its_config_secret() {
        let fixture = load_all()
            .unwrap()
            .into_iter()
            .find(|f| f.name == "pay_with_token/vendor_example_camel_case.json")
            .expect("the pay-with-token page's example");
        let request = fixture.request.expect("a request");
        assert!(request.secrets.contains(&fixture.config.secret));
    }

    #[test]
    fn a_fixture_file_writing_a_key_twice_is_refused() {
        // Read as a value, the second "error" silently replaced the first:
        // a fixture meant to send OCTO's answer with a repeated field sent
        // another answer, and nobody saw.
        let dir = std::env::temp_dir().join(format!("octo-fixture-dup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("twice.json");
        let text = r#"{
          "description": "d", "operation": "payment_status",
          "input": {"shop_transaction_id": "order-1"},
          "request": {"method": "POST", "path": "/prepare_payment",
            "content_type": "application/json",
            "body": {"octo_shop_id": 10000, "octo_secret": "2d45df74-bb95-47cf-a616-8d6dcee2e10d",
                     "shop_transaction_id": "order-1"}},
          "response": {"status": 200, "json": {"error": 2, "error": 0}},
          "outcome": {"ok": null}
        }"#;
        std::fs::write(&path, text).unwrap();
        let loaded = Fixture::load(&dir, &path);
        std::fs::remove_dir_all(&dir).unwrap();
        let err = loaded.unwrap_err();
        assert!(err.message.contains("response.json.error"), "{err}");
    }

    #[test]
    fn a_fixture_config_points_where_the_test_says() {
        let config = any_fixture().config(Some("http://127.0.0.1:9"));
        assert_eq!(config.base_url(), "http://127.0.0.1:9");
    }

    #[test]
    #[should_panic(expected = "base URL refused")]
    fn a_refused_base_url_stops_the_test_instead_of_reaching_octo() {
        // Before, the refusal was ignored and the config kept
        // https://secure.octo.uz: the test would have called production.
        let config = any_fixture().config(Some("http://user:pw@127.0.0.1:9"));
        assert_ne!(config.base_url(), octo_proto::DEFAULT_BASE_URL);
    }
}
