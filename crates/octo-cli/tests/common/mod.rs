//! Shared support for the CLI's tests: a sandbox configured like the one
//! the CLI starts, and a way to run the built `octo` binary with a bounded
//! wait, its own environment and standard input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use octo_proto::NotificationKey;
use octo_sandbox::{FiscalObject, Sandbox, SandboxHandle, Signing};

/// The notification key the CLI's sandboxes use (kept equal to the CLI's).
pub const NOTIFY_KEY: &str = "sandbox-notify-key-7f3a";

/// Every run of the binary is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(60);

/// Where the customer returns to, in every command that asks.
pub const RETURN: &str = "https://shop.example/done";

/// `octo prepare` of `amount` UZS for tea under `id`, a test payment.
pub fn prepare_args<'a>(id: &'a str, amount: &'a str) -> Vec<&'a str> {
    vec![
        "prepare",
        "--id",
        id,
        "--amount",
        amount,
        "--description",
        "Tea",
        "--return-url",
        RETURN,
        "--test",
    ]
}

/// `octo bind` under `id`; the card (see [`card_lines`]) and the code
/// come on standard input.
pub fn bind_args(id: &str) -> Vec<&str> {
    vec![
        "bind",
        "--id",
        id,
        "--phone",
        "998901234567",
        "--return-url",
        RETURN,
    ]
}

/// The standard input `octo bind` reads the card from: the number `pan`,
/// an expiry of 12/30, and the name `holder`, a line each.
pub fn card_lines(pan: &str, holder: &str) -> String {
    format!("{pan}\n3012\n{holder}\n")
}

/// A fiscal object registered in the test sandbox (the CLI's).
pub fn fiscal_object() -> FiscalObject {
    FiscalObject::example()
}

/// A sandbox on loopback, with the runtime that serves it.
pub struct TestSandbox {
    pub runtime: tokio::runtime::Runtime,
    pub handle: SandboxHandle,
}

impl TestSandbox {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let handle = runtime
            .block_on(
                Sandbox::builder()
                    .signing(Signing::UniqueKey(NotificationKey::new(NOTIFY_KEY)))
                    .fiscal_object(fiscal_object())
                    .start(),
            )
            .unwrap();
        Self { runtime, handle }
    }

    pub fn base_url(&self) -> String {
        self.handle.base_url().to_owned()
    }

    /// The environment that gives the CLI this sandbox's shop.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OCTO_SHOP_ID", self.handle.shop_id().to_string()),
            (
                "OCTO_SECRET",
                self.handle.shop_secret().expose_secret().to_owned(),
            ),
            ("OCTO_BASE_URL", self.base_url()),
        ]
    }

    pub fn secret(&self) -> String {
        self.handle.shop_secret().expose_secret().to_owned()
    }
}

/// What a run of `octo` gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing the output when it differs.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code; output:\n{self:#?}");
        self
    }

    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{self:#?}"
        );
        self
    }

    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{self:#?}"
        );
        self
    }

    /// Asserts that `secret` appears in neither output.
    pub fn never_shows(&self, secret: &str) -> &Self {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "a secret leaked:\n{self:#?}"
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{self:#?}"))
    }
}

/// A command for the built binary with none of the parent's OCTO_*
/// variables.
pub fn octo() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_octo"));
    for var in [
        "OCTO_SHOP_ID",
        "OCTO_SECRET",
        "OCTO_NOTIFY_KEY",
        "OCTO_CREDENTIALS",
        "OCTO_BASE_URL",
    ] {
        command.env_remove(var);
    }
    command
}

/// Runs `octo args` with `env` and `stdin`, waiting at most [`LIMIT`].
pub fn run(args: &[&str], env: &[(&str, String)], stdin: &str) -> Run {
    let mut command = octo();
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    // Read both pipes while the child runs, so a long output never fills
    // a pipe and stalls it.
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("octo {args:?} did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn drain(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A file in the temp directory, unique to this test process, with `text`.
pub fn temp_file(name: &str, text: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("octo-cli-{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

/// A running `octo sandbox` child process, killed (and reaped) when
/// dropped.
pub struct SandboxProcess {
    child: Child,
    /// The address it printed.
    pub base_url: String,
    /// What it printed at start, up to the line naming Ctrl-C.
    pub banner: String,
}

impl SandboxProcess {
    /// Starts `octo sandbox --port 0 extra…` and reads its banner up to the
    /// line naming Ctrl-C, within 30 seconds.
    pub fn start(extra: &[&str]) -> Self {
        let mut child = octo()
            .args(["sandbox", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            // Reads to the end: a closed pipe would make the sandbox's next
            // line of output fail, and the sandbox stop.
            for line in BufReader::new(stdout).lines() {
                let _ = lines.send(line.unwrap_or_default());
            }
        });
        let mut banner = String::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = received.recv_timeout(left) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no full banner from `octo sandbox {extra:?}`:\n{banner}");
            };
            banner.push_str(&line);
            banner.push('\n');
            if line.contains("Ctrl-C") {
                break;
            }
        }
        let base_url = banner
            .lines()
            .find_map(|l| l.strip_prefix("OCTO sandbox listening on "))
            .unwrap()
            .trim()
            .to_owned();
        Self {
            child,
            base_url,
            banner,
        }
    }

    /// Asserts that the banner shows `text`.
    #[track_caller]
    pub fn banner_has(&self, text: &str) -> &Self {
        assert!(
            self.banner.contains(text),
            "banner lacks {text:?}:\n{}",
            self.banner
        );
        self
    }

    /// Kills it with SIGKILL and reaps it, bounded; fails when it does not
    /// exit.
    pub fn kill(&mut self) {
        assert!(self.stop(), "the killed sandbox did not exit");
    }

    /// Kills and reaps, waiting at most ten seconds; whether it exited.
    fn stop(&mut self) -> bool {
        let _ = self.child.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// A server on loopback for one request: it reads the request (until its
/// JSON body ends, or 5 s), then answers `body` (HTTP 200, JSON), or with
/// `None` closes the connection unanswered, as a server that acted and then
/// died. Either way it stops listening, so a retry cannot connect. Its
/// address.
pub fn serves_one_request(body: Option<&'static str>) -> String {
    serves_one_request_with(200, body)
}

/// [`serves_one_request`], answering with HTTP `status`.
pub fn serves_one_request_with(status: u16, body: Option<&'static str>) -> String {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(buf.get(..n).unwrap_or_default());
                if seen.ends_with(b"}") {
                    break;
                }
            }
            if let Some(body) = body {
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} Answer\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        }
        // The stream and the listener are dropped here.
    });
    url
}
