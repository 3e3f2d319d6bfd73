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
        })
    }

    /// [`check`](Self::check) for an `http::Request`.
    pub fn check_request(&self, request: &http::Request<Vec<u8>>) -> Result<(), String> {
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let path = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        self.check(
            request.method().as_str(),
            path,
            content_type,
            request.body(),
        )
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
        if file.request.is_some() != file.response.is_some() {
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
            request: file.request,
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
            // Callback fixtures have their own format and their own tests.
            if path.file_name().is_some_and(|n| n == "callbacks") {
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
