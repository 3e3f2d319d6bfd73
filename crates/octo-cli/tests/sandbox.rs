//! `octo sandbox` as a child process: it prints its address and the shop's
//! credentials, answers a request, and keeps its data file across restarts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{SandboxProcess, prepare_args, run, temp_file};

fn env_for(sandbox: &SandboxProcess) -> Vec<(&'static str, String)> {
    vec![
        ("OCTO_SHOP_ID", octo_sandbox::DEFAULT_SHOP_ID.to_string()),
        ("OCTO_SECRET", octo_sandbox::DEFAULT_SHOP_SECRET.to_owned()),
        ("OCTO_BASE_URL", sandbox.base_url.clone()),
    ]
}

#[test]
fn the_sandbox_prints_its_address_cards_and_credentials_and_answers() {
    let sandbox = SandboxProcess::start(&[]);
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
        sandbox.banner_has(text);
    }
    let env = env_for(&sandbox);
    run(&prepare_args("sb-1", "1000"), &env, "")
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
        let sandbox = SandboxProcess::start(&["--data", &data]);
        run(&prepare_args("kept-1", "5000"), &env_for(&sandbox), "").expect_code(0);
    }
    let sandbox = SandboxProcess::start(&["--data", &data]);
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
    SandboxProcess::start(&[])
        .banner_has("signatures:  unique_key")
        .banner_has("rules:       as on OCTO's pages");
    SandboxProcess::start(&["--strict", "--scheme", "secret-hash-key"])
        .banner_has("rules:       strict")
        .banner_has("signatures:  octo_secret and hash_key");
}
