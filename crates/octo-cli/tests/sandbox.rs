//! `octo sandbox` as a child process: it prints its address and the shop's
//! credentials, answers a request, and keeps its data file across restarts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{octo, run, temp_file};

/// A running `octo sandbox`, killed when dropped.
struct Running {
    child: Child,
    base_url: String,
    banner: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        // Bounded: a killed child is reaped at once.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Starts `octo sandbox --port 0 extra…` and reads its banner up to the
/// credentials it prints.
fn start(extra: &[&str]) -> Running {
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
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut banner = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = received.recv_timeout(left) else {
            let _ = child.kill();
            panic!("no full banner from `octo sandbox`:\n{banner}");
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
    Running {
        child,
        base_url,
        banner,
    }
}

fn env_for(sandbox: &Running) -> Vec<(&'static str, String)> {
    vec![
        ("OCTO_SHOP_ID", octo_sandbox::DEFAULT_SHOP_ID.to_string()),
        ("OCTO_SECRET", octo_sandbox::DEFAULT_SHOP_SECRET.to_owned()),
        ("OCTO_BASE_URL", sandbox.base_url.clone()),
    ]
}

#[test]
fn the_sandbox_prints_its_address_cards_and_credentials_and_answers() {
    let sandbox = start(&[]);
    assert!(
        sandbox.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        sandbox.banner
    );
    for text in [
        "shop id:",
        octo_sandbox::DEFAULT_SHOP_SECRET,
        "OCTO_NOTIFY_KEY",
        "8600000000000007",
        octo_sandbox::DEFAULT_OTP_CODE,
    ] {
        assert!(
            sandbox.banner.contains(text),
            "banner lacks {text}:\n{}",
            sandbox.banner
        );
    }
    let env = env_for(&sandbox);
    run(
        &[
            "prepare",
            "--id",
            "sb-1",
            "--amount",
            "1000",
            "--description",
            "Tea",
            "--return-url",
            "https://shop.example/done",
            "--test",
        ],
        &env,
        "",
    )
    .expect_code(0)
    .stdout_has(&sandbox.base_url);
    run(&["status", "--id", "sb-1"], &env, "")
        .expect_code(0)
        .stdout_has("created");
}

#[test]
fn the_data_file_keeps_payments_across_restarts() {
    let data = temp_file("sandbox.redb", "");
    std::fs::remove_file(&data).unwrap();
    let data = data.to_str().unwrap().to_owned();
    {
        let sandbox = start(&["--data", &data]);
        run(
            &[
                "prepare",
                "--id",
                "kept-1",
                "--amount",
                "5000",
                "--description",
                "Tea",
                "--return-url",
                "https://shop.example/done",
                "--test",
            ],
            &env_for(&sandbox),
            "",
        )
        .expect_code(0);
    }
    let sandbox = start(&["--data", &data]);
    run(&["status", "--id", "kept-1"], &env_for(&sandbox), "")
        .expect_code(0)
        .stdout_has("5000");
    drop(sandbox);
    let _ = std::fs::remove_file(&data);
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    run(&["sandbox", "--port", &port], &[], "")
        .expect_code(2)
        .stderr_has("did not start")
        .stderr_has("--port");
}

#[test]
fn the_default_scheme_is_unique_key_and_strict_is_a_flag() {
    let sandbox = start(&[]);
    assert!(
        sandbox.banner.contains("signatures:  unique_key"),
        "{}",
        sandbox.banner
    );
    assert!(
        sandbox.banner.contains("rules:       as on OCTO's pages"),
        "{}",
        sandbox.banner
    );
    drop(sandbox);
    let sandbox = start(&["--strict", "--scheme", "secret-hash-key"]);
    assert!(
        sandbox.banner.contains("rules:       strict"),
        "{}",
        sandbox.banner
    );
    assert!(
        sandbox
            .banner
            .contains("signatures:  octo_secret and hash_key"),
        "{}",
        sandbox.banner
    );
}
