//! Outcomes as JSON, so that fixtures can state them and tests compare them.

use octo_proto::Error;
use serde::Serialize;
use serde_json::{Value, json};

/// The number OCTO answered a failed call with; any other result fails
/// the test.
// Test support: a call that did not fail as OCTO fails the test.
#[allow(clippy::panic)]
pub fn octo_code<T: std::fmt::Debug>(result: Result<T, Error>) -> i64 {
    match result {
        Err(Error::Octo(e)) => e.code.as_i64(),
        other => panic!("expected an OCTO error, got {other:?}"),
    }
}

/// `{"ok": output}` or `{"error": …}`.
pub fn outcome_of<T: Serialize>(result: &Result<T, Error>) -> Value {
    match result {
        Ok(output) => json!({ "ok": serde_json::to_value(output).unwrap_or(Value::Null) }),
        Err(error) => json!({ "error": error_outcome(error) }),
    }
}

/// The facts of an error that fixtures pin down.
pub fn error_outcome(error: &Error) -> Value {
    match error {
        Error::Input(e) => json!({
            "kind": "input",
            "field": e.field,
            "problem": format!("{:?}", e.problem),
        }),
        Error::Octo(e) => json!({
            "kind": "octo",
            "http_status": e.http_status.as_u16(),
            "code": e.code.as_i64(),
            "code_name": format!("{:?}", e.code),
            "message": e.message,
            "developer_message": e.developer_message,
        }),
        Error::Problem {
            status, problem, ..
        } => json!({
            "kind": "problem",
            "http_status": status.as_u16(),
            "title": problem.title,
            "detail": problem.detail,
        }),
        Error::UnexpectedResponse { status, reason, .. } => json!({
            "kind": "unexpected_response",
            "http_status": status.as_u16(),
            "reason": format!("{reason:?}"),
        }),
        Error::Decode {
            status,
            path,
            problem,
            ..
        } => json!({
            "kind": "decode",
            "http_status": status.as_u16(),
            "path": path,
            "problem": format!("{problem:?}"),
        }),
        Error::Transport(e) => json!({
            "kind": "transport",
            "transport": format!("{:?}", e.kind),
        }),
        other => json!({ "kind": "other", "display": other.to_string() }),
    }
}
