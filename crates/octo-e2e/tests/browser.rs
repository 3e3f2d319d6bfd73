//! One payment paid in a real browser: headless Chromium, driven through
//! chromedriver with the W3C WebDriver protocol (a small client here, over
//! hyper), fills the sandbox's card form and OTP form and lands on the
//! shop's `return_url` with the payment succeeded.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`; `OCTO_CHROMIUM` and `OCTO_CHROMEDRIVER` override
//! the paths). Without them the test says so on stderr and passes, unless
//! `CI` is set: then it fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::convert::Infallible;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use octo_proto::PaymentStatus;
use octo_sandbox::cards::{CardBehaviour, test_card};
use serde_json::{Value, json};
use support::Env;

/// How long one WebDriver command may take (starting Chromium on two
/// busy cores is the slowest).
const COMMAND_LIMIT: Duration = Duration::from_secs(60);
/// How long to wait for a page to show what it should.
const PAGE_LIMIT: Duration = Duration::from_secs(20);
/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// Kills the chromedriver we started (by its own handle) when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A WebDriver session over plain HTTP on loopback.
struct WebDriver {
    http: Client<HttpConnector, Full<Bytes>>,
    base: String,
    session: String,
}

async fn call(
    http: &Client<HttpConnector, Full<Bytes>>,
    method: http::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let bytes = body.map_or_else(Vec::new, |b| serde_json::to_vec(&b).unwrap());
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(bytes)))
        .unwrap();
    let response = tokio::time::timeout(COMMAND_LIMIT, http.request(request))
        .await
        .map_err(|_| format!("{url}: no answer in {COMMAND_LIMIT:?}"))?
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let body = tokio::time::timeout(COMMAND_LIMIT, response.into_body().collect())
        .await
        .map_err(|_| format!("{url}: body timed out"))?
        .map_err(|e| format!("{url}: {e}"))?
        .to_bytes();
    let value: Value = serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))?;
    if status.is_success() {
        Ok(value["value"].clone())
    } else {
        Err(format!("{url}: {status} {value}"))
    }
}

impl WebDriver {
    async fn start(
        http: Client<HttpConnector, Full<Bytes>>,
        base: String,
        chromium: &str,
        profile: &str,
    ) -> Self {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--no-proxy-server",
            "--disable-crash-reporter",
            &format!("--user-data-dir={profile}"),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let created = call(
            &http,
            http::Method::POST,
            &format!("{base}/session"),
            Some(capabilities),
        )
        .await
        .expect("chromedriver did not start a Chromium session");
        let session = created["sessionId"].as_str().unwrap().to_owned();
        Self {
            http,
            base,
            session,
        }
    }

    async fn command(&self, method: http::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        call(&self.http, method, &url, body).await.unwrap()
    }

    async fn go(&self, url: &str) {
        self.command(http::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn current_url(&self) -> String {
        let v = self.command(http::Method::GET, "/url", None).await;
        v.as_str().unwrap().to_owned()
    }

    /// The element matching `css`, waiting (bounded) for it to appear.
    async fn find(&self, css: &str) -> String {
        let url = format!("{}/session/{}/element", self.base, self.session);
        let deadline = tokio::time::Instant::now() + PAGE_LIMIT;
        loop {
            let found = call(
                &self.http,
                http::Method::POST,
                &url,
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
            if let Ok(v) = found {
                return v[ELEMENT]
                    .as_str()
                    .unwrap_or_else(|| panic!("{v}"))
                    .to_owned();
            }
            if tokio::time::Instant::now() >= deadline {
                let at = self.current_url().await;
                panic!("no element {css} on {at} within {PAGE_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.command(
            http::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.command(
            http::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        let v = self
            .command(http::Method::GET, &format!("/element/{element}/text"), None)
            .await;
        v.as_str().unwrap().to_owned()
    }
}

/// Ends the session (Chromium quits) even when an assertion failed: a
/// plain blocking DELETE, bounded, since `Drop` cannot await.
impl Drop for WebDriver {
    fn drop(&mut self) {
        use std::io::{Read, Write};
        let Some(authority) = self.base.strip_prefix("http://") else {
            return;
        };
        let Ok(mut stream) = std::net::TcpStream::connect(authority) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(COMMAND_LIMIT));
        let _ = stream.set_write_timeout(Some(COMMAND_LIMIT));
        let request = format!(
            "DELETE /session/{} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.session
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            // The answer starts once the browser has quit; its first bytes
            // are enough (chromedriver may keep the connection open).
            let mut answer = [0_u8; 512];
            let _ = stream.read(&mut answer);
        }
    }
}

/// The shop's return page on loopback; counts its visits.
async fn return_page() -> (String, Arc<AtomicUsize>) {
    let visits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&visits);
    let page = service_fn(move |request: http::Request<hyper::body::Incoming>| {
        let page = if request.uri().path() == "/orders/b-1/done" {
            counter.fetch_add(1, Ordering::SeqCst);
            "<!doctype html><title>Shop</title><h1 id=\"thanks\">Thank you</h1>"
        } else {
            ""
        };
        let mut response = http::Response::new(Full::new(Bytes::from(page)));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        async move { Ok::<_, Infallible>(response) }
    });
    let addr = octo_testkit::loopback::serve(page).await.unwrap();
    (format!("http://{addr}/orders/b-1/done"), visits)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_pays_with_the_card_and_otp_forms_and_lands_on_return_url() {
    let chromium = tool("OCTO_CHROMIUM", "/usr/bin/chromium");
    let chromedriver = tool("OCTO_CHROMEDRIVER", "/usr/bin/chromedriver");
    if !chromium.exists() || !chromedriver.exists() {
        let message = format!(
            "browser test skipped: install chromium chromium-driver (looked for {} and {})",
            chromium.display(),
            chromedriver.display()
        );
        if std::env::var_os("CI").is_some() {
            panic!("{message}; CI is set, so this is a failure");
        }
        eprintln!("{message}");
        return;
    }

    let env = Env::<octo_hyper::Client>::start().await;
    let (return_url, visits) = return_page().await;
    let mut prepare = env.payment("b-1", "15750.00");
    prepare.return_url = return_url.clone();
    let created = env.answer(&prepare).await;
    let pay_url = created.octo_pay_url.clone().unwrap();
    let uuid = created.octo_payment_uuid.as_str().to_owned();

    let port = free_port();
    let driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver did not start"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    // Ready when /status says so; bounded.
    let deadline = tokio::time::Instant::now() + PAGE_LIMIT;
    loop {
        let status = call(&http, http::Method::GET, &format!("{base}/status"), None).await;
        if status.is_ok_and(|v| v["ready"] == true) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "chromedriver not ready within {PAGE_LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let profile = std::env::temp_dir().join(format!("octo-browser-{}-{port}", std::process::id()));
    let browser = WebDriver::start(
        http,
        base,
        chromium.to_str().unwrap(),
        profile.to_str().unwrap(),
    )
    .await;

    browser.go(&pay_url).await;
    let amount = browser.text("#amount").await;
    assert!(amount.contains("15") && amount.contains("750"), "{amount}");
    let card = test_card(CardBehaviour::SmsCode);
    browser.type_into("#pan", card.pan).await;
    browser.type_into("#exp", "12/30").await;
    browser.click("#pay").await;

    browser.type_into("#code", env.sb.otp_code()).await;
    assert_eq!(
        env.record(&uuid).status,
        PaymentStatus::WaitUserAction,
        "the card form was accepted"
    );
    browser.click("#confirm").await;

    let thanks = browser.text("#thanks").await;
    assert_eq!(thanks, "Thank you");
    let landed = browser.current_url().await;
    assert_eq!(
        landed, return_url,
        "the browser followed the 303 to return_url"
    );
    assert_eq!(visits.load(Ordering::SeqCst), 1);
    assert_eq!(env.record(&uuid).status, PaymentStatus::Succeeded);
    assert_eq!(env.checked("b-1").await.status, PaymentStatus::Succeeded);
    env.until(&uuid, PaymentStatus::Succeeded).await;

    drop(browser);
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    env.shutdown().await;
}
