//! What the shop answers OCTO, as `http::Response<Vec<u8>>`.
//!
//! OCTO reads only the status of most answers: a 2xx ends its retries, any
//! other status (or none) makes it send the callback again. Two answers have
//! a body that matters: the decision on a held payment
//! (`{"accept_status":"capture"}` or `"cancel"`), and the tokenization
//! callback's `{"status":"success",…}`.

use http::{HeaderValue, StatusCode, header::CONTENT_TYPE};
use serde_json::{Value, json};

use crate::enums::AcceptStatus;

/// The answer to a payment notification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotificationReply {
    /// 200 `{}`: received, nothing to decide. For a `waiting_for_capture`
    /// notification this leaves the payment held, and OCTO keeps asking
    /// until a decision comes (here or through `set_accept`).
    Acknowledge,
    /// 200 `{"accept_status":…}`: captures or cancels a payment in
    /// `waiting_for_capture`. To capture less than the hold, acknowledge
    /// and send [`SetAccept`](crate::op::SetAccept) with a `final_amount`.
    Decide(AcceptStatus),
    /// A 4xx or 5xx with `{"status":"error","message":…}`: not handled now,
    /// so OCTO sends the notification again later.
    Reject {
        /// The HTTP status, always 4xx or 5xx.
        status: StatusCode,
        /// Why; keep secrets and card data out of it.
        reason: String,
    },
}

impl NotificationReply {
    /// Received, nothing to decide.
    pub fn acknowledge() -> Self {
        Self::Acknowledge
    }

    /// Capture the held payment.
    pub fn capture() -> Self {
        Self::Decide(AcceptStatus::Capture)
    }

    /// Release the held payment.
    pub fn cancel() -> Self {
        Self::Decide(AcceptStatus::Cancel)
    }

    /// Refuse for now, so that OCTO tries again. A `status` that is not an
    /// error (1xx to 3xx) would tell OCTO the opposite, so it becomes 500.
    pub fn reject(status: StatusCode, reason: impl Into<String>) -> Self {
        Self::Reject {
            status: error_status(status),
            reason: reason.into(),
        }
    }

    /// The HTTP response.
    pub fn to_response(&self) -> http::Response<Vec<u8>> {
        match self {
            Self::Acknowledge => json_response(StatusCode::OK, &json!({})),
            Self::Decide(decision) => json_response(
                StatusCode::OK,
                &json!({ "accept_status": decision.as_str() }),
            ),
            Self::Reject { status, reason } => error_response(error_status(*status), reason),
        }
    }
}

impl From<NotificationReply> for http::Response<Vec<u8>> {
    fn from(reply: NotificationReply) -> Self {
        reply.to_response()
    }
}

/// The answer to a tokenization callback.
///
/// OCTO tries a tokenization callback three times and then cancels the
/// token, so answer [`Stored`](Self::Stored) only once the token is safely
/// stored: a success for a token the shop lost leaves a live token nobody
/// can use, a failure lets OCTO try again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenizationReply {
    /// 200 `{"status":"success","message":…}`: the token is stored.
    Stored {
        /// A note for OCTO's logs.
        message: String,
    },
    /// 400 `{"status":"error","message":…}`: not stored; OCTO will retry.
    NotStored {
        /// Why; keep secrets and card data out of it.
        message: String,
    },
}

impl TokenizationReply {
    /// The token is stored durably.
    pub fn stored(message: impl Into<String>) -> Self {
        Self::Stored {
            message: message.into(),
        }
    }

    /// The token could not be stored; OCTO should try again.
    pub fn not_stored(message: impl Into<String>) -> Self {
        Self::NotStored {
            message: message.into(),
        }
    }

    /// The HTTP response.
    pub fn to_response(&self) -> http::Response<Vec<u8>> {
        match self {
            Self::Stored { message } => json_response(
                StatusCode::OK,
                &json!({ "status": "success", "message": message }),
            ),
            Self::NotStored { message } => error_response(StatusCode::BAD_REQUEST, message),
        }
    }
}

impl From<TokenizationReply> for http::Response<Vec<u8>> {
    fn from(reply: TokenizationReply) -> Self {
        reply.to_response()
    }
}

fn error_status(status: StatusCode) -> StatusCode {
    if status.is_client_error() || status.is_server_error() {
        status
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

/// `status` with `{"status":"error","message":…}`.
pub(crate) fn error_response(status: StatusCode, message: &str) -> http::Response<Vec<u8>> {
    json_response(status, &json!({ "status": "error", "message": message }))
}

fn json_response(status: StatusCode, body: &Value) -> http::Response<Vec<u8>> {
    // Serialising a `Value` built from strings cannot fail; an empty body
    // would still carry the status, which is what OCTO reads.
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = http::Response::new(bytes);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: &http::Response<Vec<u8>>) -> Value {
        serde_json::from_slice(response.body()).unwrap()
    }

    #[test]
    fn notification_replies() {
        let ack = NotificationReply::acknowledge().to_response();
        assert_eq!(ack.status(), 200);
        assert_eq!(ack.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(body(&ack), json!({}));

        let capture: http::Response<Vec<u8>> = NotificationReply::capture().into();
        assert_eq!(capture.status(), 200);
        assert_eq!(body(&capture), json!({"accept_status": "capture"}));

        let cancel = NotificationReply::cancel().to_response();
        assert_eq!(body(&cancel), json!({"accept_status": "cancel"}));

        let busy = NotificationReply::reject(StatusCode::SERVICE_UNAVAILABLE, "database down");
        let response = busy.to_response();
        assert_eq!(response.status(), 503);
        assert_eq!(
            body(&response),
            json!({"status": "error", "message": "database down"})
        );
    }

    #[test]
    fn a_reject_never_acknowledges() {
        for status in [StatusCode::OK, StatusCode::NO_CONTENT, StatusCode::FOUND] {
            let reply = NotificationReply::reject(status, "x");
            assert_eq!(reply.to_response().status(), 500);
        }
        // Built by hand, past the constructor: still not a success.
        let by_hand = NotificationReply::Reject {
            status: StatusCode::OK,
            reason: "x".into(),
        };
        assert_eq!(by_hand.to_response().status(), 500);
    }

    #[test]
    fn tokenization_replies() {
        let ok = TokenizationReply::stored("saved").to_response();
        assert_eq!(ok.status(), 200);
        assert_eq!(body(&ok), json!({"status": "success", "message": "saved"}));
        let err: http::Response<Vec<u8>> = TokenizationReply::not_stored("try later").into();
        assert_eq!(err.status(), 400);
        assert_eq!(
            body(&err),
            json!({"status": "error", "message": "try later"})
        );
    }
}
