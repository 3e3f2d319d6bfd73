//! What went wrong, said so that the user knows what to do, and the exit
//! code that goes with it.

use std::fmt;

use octo_proto::{Error, ErrorCode, TransportErrorKind};

/// Exit codes of the `octo` command.
pub mod exit {
    /// Everything worked.
    pub const OK: u8 = 0;
    /// OCTO refused the request (an OCTO error code), or a demo flow ended
    /// differently than expected.
    pub const REFUSED: u8 = 1;
    /// Bad usage, bad input or missing credentials: nothing was sent.
    pub const USAGE: u8 = 2;
    /// The network failed, the answer was not OCTO's, or the outcome is
    /// unknown (OCTO may have acted: check the status before repeating).
    pub const NETWORK: u8 = 3;
    /// A notification's signature did not verify.
    pub const UNVERIFIED: u8 = 4;
}

/// A failure of a command.
#[derive(Debug)]
pub struct Failure {
    /// What happened.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The process exit code.
    pub code: u8,
}

impl Failure {
    /// A failure with an explicit code.
    pub fn new(code: u8, message: impl Into<String>, hint: Option<&str>) -> Self {
        Self {
            message: message.into(),
            hint: hint.map(str::to_owned),
            code,
        }
    }

    /// Bad usage or input.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(exit::USAGE, message, None)
    }

    /// Missing or unreadable credentials.
    pub fn credentials(message: impl Into<String>) -> Self {
        Self::new(
            exit::USAGE,
            message,
            Some("credentials never go on the command line; see `octo --help`"),
        )
    }

    /// Explains an SDK error. Its `Display` never holds a secret (the
    /// SDK's errors are built so), and the raw body is not printed.
    pub fn from_sdk(error: &Error) -> Self {
        match error {
            Error::Input(e) => Self::usage(format!("invalid input, nothing was sent: {e}")),
            // Code 4 is OCTO failing inside: the call may have been
            // carried out, so it is an unknown outcome, not a refusal.
            Error::Octo(e) if e.code == ErrorCode::Internal => Self::new(
                exit::NETWORK,
                format!("{e}: the outcome is unknown, the request may have taken effect"),
                Some(CHECK_STATUS),
            ),
            // A code OCTO does not list, under a 5xx or a 429 (a gateway's
            // `{"error":504}`): the SDK reads it as that status, an
            // unknown outcome, not as OCTO's refusal.
            Error::Octo(e) if !error.is_refusal() => Self::new(
                exit::NETWORK,
                format!(
                    "{e} (HTTP {}): the outcome is unknown, the request may have taken effect",
                    e.http_status.as_u16()
                ),
                Some(CHECK_STATUS),
            ),
            Error::Octo(e) => Self::new(exit::REFUSED, e.to_string(), hint_for(e.code)),
            Error::Transport(e) if e.kind == TransportErrorKind::Connect => Self::new(
                exit::NETWORK,
                format!("network failure: {e}"),
                // The last attempt could not connect; an earlier one (the
                // client retries keyed calls) may have reached OCTO.
                Some(
                    "nothing answers at that address now: check --base-url (or OCTO_BASE_URL) \
                     and your connection; an earlier attempt may have reached OCTO, so run \
                     `octo status --id ORDER` before repeating the command with new ids",
                ),
            ),
            Error::Transport(e) if e.kind == TransportErrorKind::InvalidRequest => Self::new(
                exit::NETWORK,
                format!("the request could not be sent: {e}"),
                Some("check --base-url"),
            ),
            // Timed out, cut off, or any other failure once the request
            // may have left: OCTO may have acted on it.
            Error::Transport(e) => Self::new(
                exit::NETWORK,
                format!(
                    "no answer from OCTO ({e}): the outcome is unknown, \
                     the request may have taken effect"
                ),
                Some(CHECK_STATUS),
            ),
            // The client resent the call after an unknown outcome and OCTO
            // refused the resend: the first attempt may have landed (a
            // refund made, its resend refused as more than is left).
            Error::RefusedAfterResend(last) => Self::new(
                exit::NETWORK,
                format!(
                    "{last}, when the call was resent after an attempt with no answer: \
                     the first attempt may have taken effect"
                ),
                Some(CHECK_STATUS),
            ),
            // OCTO may have acted (a success that did not decode, a 5xx):
            // say so, or the user sends a payment or a capture again.
            other if !other.is_refusal() => Self::new(
                exit::NETWORK,
                format!("unexpected answer: {other}: the request may have taken effect"),
                Some(CHECK_STATUS),
            ),
            other => Self::new(
                exit::NETWORK,
                format!("unexpected answer: {other}"),
                Some("the server did not answer like OCTO does; check --base-url"),
            ),
        }
    }
}

/// What to do when the outcome is unknown.
const CHECK_STATUS: &str = "run `octo status --id ORDER` before repeating it; \
    repeat a refund only with the same --refund-id, a payment only with the same --id";

fn hint_for(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::DataFormat => "a field was refused; OCTO's message above names it",
        ErrorCode::Authorization => {
            "check OCTO_SHOP_ID and OCTO_SECRET against OCTO's cabinet (or `octo sandbox`'s banner)"
        }
        ErrorCode::BasketTotalMismatch => "make the basket's count × price add up to the amount",
        ErrorCode::InvalidCurrency => "use a currency your shop accepts (UZS, USD)",
        // OCTO's pages give code 5 this meaning on prepare_payment only;
        // other endpoints' pages do not list it.
        ErrorCode::ShopNotAllowed => {
            "on prepare_payment, code 5 means the shop may only create test payments (pass --test)"
        }
        ErrorCode::InvalidRefundAmount => {
            "a refund must be at least 1 USD's worth and no more than what is left of the payment"
        }
        ErrorCode::TokenNotFound => "check the card token",
        ErrorCode::TokenNotActive => "only an active token can be used or blocked",
        ErrorCode::TokenAlreadyExists => "this card already has an active or pending token",
        ErrorCode::TooManyOtpResends => "too many codes were sent; start again later",
        ErrorCode::FiscalObjectNotRegistered => {
            "ask OCTO to register the basket's fiscal data (spic, package code, inn or pinfl)"
        }
        _ => return None,
    })
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use octo_proto::{DecodeProblem, RawBody, ResponseProblem};

    use super::*;

    fn hint(error: &Error) -> String {
        Failure::from_sdk(error).hint.unwrap_or_default()
    }

    /// OCTO's refusal with `code`, answered with HTTP 200 and `body`.
    fn octo_error(code: ErrorCode, body: &str) -> Error {
        Error::Octo(octo_proto::OctoError {
            http_status: http::StatusCode::OK,
            code,
            message: None,
            developer_message: None,
            body: RawBody::new(body),
        })
    }

    #[test]
    fn an_answer_that_may_have_taken_effect_says_to_check_the_status() {
        let unreadable_success = Error::Decode {
            status: http::StatusCode::OK,
            path: "data.totalSum".to_owned(),
            problem: DecodeProblem::Missing,
            body: RawBody::new(r#"{"error":0,"data":{}}"#),
        };
        assert!(
            hint(&unreadable_success).contains("octo status"),
            "{}",
            hint(&unreadable_success)
        );
        let proxy_page = Error::UnexpectedResponse {
            status: http::StatusCode::NOT_FOUND,
            reason: ResponseProblem::NotJson,
            body: RawBody::new("<html>404</html>"),
        };
        assert!(hint(&proxy_page).contains("--base-url"));
    }

    #[test]
    fn an_octo_internal_error_is_an_unknown_outcome_not_a_refusal() {
        // Code 4 (internal) says OCTO failed somewhere inside: the capture
        // or refund may have been made. Exit 1 tells a script "refused,
        // nothing happened", which invites a second refund under a new id.
        let internal = octo_error(ErrorCode::Internal, r#"{"error":4}"#);
        let failure = Failure::from_sdk(&internal);
        assert_eq!(failure.code, exit::NETWORK, "{failure}");
        assert!(failure.to_string().contains("octo status"), "{failure}");
        // A real refusal stays a refusal.
        let refused = octo_error(ErrorCode::InvalidRefundAmount, r#"{"error":3}"#);
        assert_eq!(Failure::from_sdk(&refused).code, exit::REFUSED);
    }

    #[test]
    fn a_refusal_of_a_resend_after_no_answer_is_an_unknown_outcome() {
        // The refund's first attempt timed out and the client resent it;
        // OCTO refused the resend as more than is left. Exit 1 would say
        // "nothing happened", which invites a refund under a new id.
        let last = octo_error(ErrorCode::InvalidRefundAmount, r#"{"error":3}"#);
        let failure = Failure::from_sdk(&Error::RefusedAfterResend(Box::new(last)));
        assert_eq!(failure.code, exit::NETWORK, "{failure}");
        let shown = failure.to_string();
        assert!(shown.contains("may have taken effect"), "{shown}");
        assert!(shown.contains("same --refund-id"), "{shown}");
    }

    #[test]
    fn a_timeout_or_a_cut_connection_is_an_unknown_outcome() {
        for kind in [
            TransportErrorKind::Timeout,
            TransportErrorKind::Io,
            TransportErrorKind::Other,
        ] {
            let error = Error::Transport(octo_proto::TransportError::new(kind, "no answer"));
            let failure = Failure::from_sdk(&error);
            assert_eq!(failure.code, exit::NETWORK, "{failure}");
            let shown = failure.to_string();
            assert!(shown.contains("outcome is unknown"), "{shown}");
            assert!(shown.contains("octo status"), "{shown}");
            assert!(shown.contains("same --refund-id"), "{shown}");
        }
    }
}
