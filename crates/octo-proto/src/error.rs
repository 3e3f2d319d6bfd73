//! The one error type of octo-proto, and what it keeps as evidence.
//!
//! Every failure of an OCTO call is an [`Error`]: bad input caught before
//! sending ([`InputError`]), an error OCTO reported ([`OctoError`] with its
//! [`ErrorCode`]), a server fault or proxy page, a response that does not
//! decode (with the path of the bad field), a redirect that is not followed
//! ([`RedirectError`]), or a transport failure. Nothing is flattened into a
//! string: the HTTP status and the raw body stay attached.

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;
use rust_decimal::Decimal;

use crate::endpoint::Endpoint;
use crate::redact::{mask_digit_runs, printable_body};

/// Everything that can go wrong while building a request or reading a
/// response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was refused before anything was sent.
    #[error("invalid input: {0}")]
    Input(#[from] InputError),

    /// OCTO answered with a non-zero `error` code.
    #[error("{0}")]
    Octo(OctoError),

    /// The server answered with a problem body (`title`, `status`, `detail`),
    /// as OCTO does for unhandled faults.
    #[error("HTTP {status}: {problem}")]
    Problem {
        /// The HTTP status of the response.
        status: StatusCode,
        /// The decoded problem body.
        problem: Problem,
        /// The response body as received.
        body: RawBody,
    },

    /// The body is not an OCTO envelope at all: empty, not JSON (an HTML page
    /// from a proxy), or an unexpected HTTP status.
    #[error("unexpected response (HTTP {status}): {reason}")]
    UnexpectedResponse {
        /// The HTTP status of the response.
        status: StatusCode,
        /// What was wrong with it.
        reason: ResponseProblem,
        /// The response body as received.
        body: RawBody,
    },

    /// The envelope said success but a field did not decode.
    #[error("cannot decode `{path}` in the response (HTTP {status}): {problem}")]
    Decode {
        /// The HTTP status of the response.
        status: StatusCode,
        /// Where the bad field is, such as `data.total_sum`.
        path: String,
        /// What was wrong with it.
        problem: DecodeProblem,
        /// The response body as received.
        body: RawBody,
    },

    /// The request did not complete at the transport level.
    #[error("transport failure: {0}")]
    Transport(#[from] TransportError),

    /// The server answered with a redirect (3xx). OCTO's API never
    /// redirects, and following one would send the request (with the shop's
    /// secret or card data) to another address, so it is never followed and
    /// its answer never acted on.
    #[error("{0}")]
    Redirect(#[from] RedirectError),

    /// A call was sent again after an attempt whose outcome was unknown
    /// (by the transport's retry loop, or a refund sent again under its
    /// own id by the shop or by the payment machine asking about it), and
    /// that later attempt was refused (the error inside). The refusal
    /// speaks for the later attempt only: an earlier one may have reached
    /// OCTO and acted (a refund made, then its resend refused as a
    /// duplicate or as more than is left). Not a refusal
    /// ([`Error::is_refusal`] is `false`): learn the outcome with a status
    /// check, or send the same keyed call again, before anything new.
    #[error(
        "a resend after an unknown outcome was refused (an earlier attempt may have landed): {0}"
    )]
    RefusedAfterResend(Box<Error>),
}

/// Whether sending the same request again is safe after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resend {
    /// The request certainly did not reach OCTO: resending is always safe.
    Safe,
    /// The outcome is unknown: resend only if the operation is idempotent
    /// (keyed by `shop_transaction_id` or `shop_refund_id`, or read-only).
    IfIdempotent,
    /// Resending the same request will fail the same way (or do harm).
    /// This does not say that OCTO did nothing: see
    /// [`Error::is_refusal`].
    Never,
}

/// How an answer that is not OCTO's own is resent, by its HTTP status: a
/// server error, a 429 or a 2xx when idempotent, anything else never.
fn resend_for_status(status: StatusCode) -> Resend {
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status.is_success() {
        Resend::IfIdempotent
    } else {
        Resend::Never
    }
}

impl Error {
    /// Whether resending the very same request is safe, and when.
    pub fn resend(&self) -> Resend {
        match self {
            Error::Input(_) | Error::Decode { .. } | Error::Redirect(_) => Resend::Never,
            // As unknown as the earlier attempt's outcome: the same keyed
            // call may go again.
            Error::RefusedAfterResend(_) => Resend::IfIdempotent,
            Error::Octo(e) => match e.code {
                ErrorCode::Internal => Resend::IfIdempotent,
                // A code OCTO does not document, under a failing status (a
                // gateway's `{"error":504}`), proves nothing about OCTO:
                // it is resent as its status would be.
                ErrorCode::Unknown(_) if !e.http_status.is_success() => {
                    resend_for_status(e.http_status)
                }
                _ => Resend::Never,
            },
            Error::Problem { status, .. } | Error::UnexpectedResponse { status, .. } => {
                resend_for_status(*status)
            }
            Error::Transport(t) => match t.kind {
                TransportErrorKind::Connect => Resend::Safe,
                TransportErrorKind::InvalidRequest => Resend::Never,
                _ => Resend::IfIdempotent,
            },
        }
    }

    /// Whether the request was refused: the input check or the answer said
    /// no, so OCTO did not act on this request and the same request would
    /// be refused again. (A refusal of a resend the transport sent after an
    /// unknown outcome is [`Error::RefusedAfterResend`] instead, which is
    /// no refusal: an earlier attempt may have landed.) `false` when the outcome is
    /// unknown, when nothing reached OCTO (a connect error: try again), for
    /// a redirect the HTTP client followed (the request reached its target),
    /// and
    /// when OCTO said it succeeded (`"error": 0`) but the answer did not
    /// decode ([`Error::Decode`], or a success envelope under another
    /// status: [`Resend::Never`] under a 4xx, resent like the status under
    /// a 5xx or 429), since the payment may be charged, captured or
    /// refunded and the truth must be learnt with a status check before
    /// anything is sent again.
    pub fn is_refusal(&self) -> bool {
        match self {
            // The HTTP client followed it: the request reached the target,
            // which may have acted on it.
            Error::Redirect(RedirectError { followed: true, .. }) => false,
            Error::Decode { .. }
            | Error::UnexpectedResponse {
                reason: ResponseProblem::StatusMismatch,
                ..
            } => false,
            _ => self.resend() == Resend::Never,
        }
    }

    /// Whether resending is safe for an operation of the given idempotency.
    pub fn is_resend_safe(&self, idempotent: bool) -> bool {
        match self.resend() {
            Resend::Safe => true,
            Resend::IfIdempotent => idempotent,
            Resend::Never => false,
        }
    }

    /// OCTO's error code, when OCTO reported one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Octo(e) => Some(e.code),
            Error::RefusedAfterResend(last) => last.code(),
            _ => None,
        }
    }

    /// The HTTP status of the response, when there was one.
    pub fn http_status(&self) -> Option<StatusCode> {
        match self {
            Error::Octo(e) => Some(e.http_status),
            Error::Problem { status, .. }
            | Error::UnexpectedResponse { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::Redirect(r) => Some(r.status),
            Error::RefusedAfterResend(last) => last.http_status(),
            _ => None,
        }
    }

    /// The raw response body, when there was one.
    pub fn body(&self) -> Option<&RawBody> {
        match self {
            Error::Octo(e) => Some(&e.body),
            Error::Problem { body, .. }
            | Error::UnexpectedResponse { body, .. }
            | Error::Decode { body, .. } => Some(body),
            Error::RefusedAfterResend(last) => last.body(),
            _ => None,
        }
    }
}

/// An error OCTO reported in its envelope (`error` not 0).
///
/// `Debug` and `Display` print OCTO's messages with any long digit run (a
/// card number OCTO might quote) masked, and the body redacted (see
/// [`RawBody`]); the fields themselves keep the text as received.
#[derive(Clone, PartialEq, Eq)]
pub struct OctoError {
    /// The HTTP status (OCTO usually answers errors with 200).
    pub http_status: StatusCode,
    /// The typed code.
    pub code: ErrorCode,
    /// `errMessage`, or the deprecated `errorMessage` when that is all there is.
    pub message: Option<String>,
    /// `apiMessageForDevelopers`, when not empty.
    pub developer_message: Option<String>,
    /// The response body as received.
    pub body: RawBody,
}

impl fmt::Display for OctoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OCTO error {} ({})",
            self.code.as_i64(),
            self.code.description()
        )?;
        write_detail(f, self.message.as_deref())
    }
}

/// Ends a message with `: detail`, long digit runs masked, when OCTO sent
/// a detail.
fn write_detail(f: &mut fmt::Formatter<'_>, detail: Option<&str>) -> fmt::Result {
    match detail {
        Some(detail) => write!(f, ": {}", mask_digit_runs(detail)),
        None => Ok(()),
    }
}

impl fmt::Debug for OctoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OctoError")
            .field("http_status", &self.http_status)
            .field("code", &self.code)
            .field("message", &self.message.as_deref().map(mask_digit_runs))
            .field(
                "developer_message",
                &self.developer_message.as_deref().map(mask_digit_runs),
            )
            .field("body", &self.body)
            .finish()
    }
}

/// OCTO's numeric error code, named where its meaning is known.
///
/// Some codes mean different things on different endpoints (3 is a basket
/// mismatch on `prepare_payment` but a bad amount on `refund`; 5 and 6 are
/// about tokens on `block_card_token` and `pay`), so a code is read together with the
/// [`Endpoint`] that returned it: [`ErrorCode::from_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 1: the request data is malformed.
    DataFormat,
    /// 2: wrong shop id or secret.
    Authorization,
    /// 3 on `prepare_payment`: the basket does not add up to `total_sum`.
    BasketTotalMismatch,
    /// 3 on `refund`: the refund amount is not allowed.
    InvalidRefundAmount,
    /// 3 on other endpoints: an amount was refused.
    InvalidAmount,
    /// 4: OCTO's internal error. The outcome is unknown.
    Internal,
    /// 5 on payments: the shop's status does not allow real payments.
    ShopNotAllowed,
    /// 5 on `block_card_token` and `pay`: no such token.
    TokenNotFound,
    /// 6 on payments: the currency is not accepted.
    InvalidCurrency,
    /// 6 on `block_card_token` and `pay`: the token is not active.
    TokenNotActive,
    /// 17: too many OTP resends.
    TooManyOtpResends,
    /// 20: an active or pending token already exists for this card.
    TokenAlreadyExists,
    /// 403 on `prepare_payment`: a basket line's fiscal object is not
    /// registered with OCTO. On other endpoints 403 is
    /// [`Unknown(403)`](Self::Unknown).
    FiscalObjectNotRegistered,
    /// A code this SDK does not know; the number is kept.
    Unknown(i64),
}

impl ErrorCode {
    /// Reads a numeric code as returned by `endpoint`.
    pub fn from_code(code: i64, endpoint: Endpoint) -> Self {
        // Codes 5 and 6 are the token's on the endpoints that take a token.
        let token_endpoint = matches!(endpoint, Endpoint::BlockCardToken | Endpoint::PayWithToken);
        match code {
            1 => Self::DataFormat,
            2 => Self::Authorization,
            3 => match endpoint {
                Endpoint::PreparePayment | Endpoint::PaymentStatus => Self::BasketTotalMismatch,
                Endpoint::Refund => Self::InvalidRefundAmount,
                _ => Self::InvalidAmount,
            },
            4 => Self::Internal,
            5 if token_endpoint => Self::TokenNotFound,
            5 => Self::ShopNotAllowed,
            6 if token_endpoint => Self::TokenNotActive,
            6 => Self::InvalidCurrency,
            17 => Self::TooManyOtpResends,
            20 => Self::TokenAlreadyExists,
            // Only prepare_payment takes a fiscal basket.
            403 if endpoint == Endpoint::PreparePayment => Self::FiscalObjectNotRegistered,
            other => Self::Unknown(other),
        }
    }

    /// The number on the wire.
    pub fn as_i64(self) -> i64 {
        match self {
            Self::DataFormat => 1,
            Self::Authorization => 2,
            Self::BasketTotalMismatch | Self::InvalidRefundAmount | Self::InvalidAmount => 3,
            Self::Internal => 4,
            Self::ShopNotAllowed | Self::TokenNotFound => 5,
            Self::InvalidCurrency | Self::TokenNotActive => 6,
            Self::TooManyOtpResends => 17,
            Self::TokenAlreadyExists => 20,
            Self::FiscalObjectNotRegistered => 403,
            Self::Unknown(n) => n,
        }
    }

    /// A short English description of the code.
    pub fn description(self) -> &'static str {
        match self {
            Self::DataFormat => "data format error",
            Self::Authorization => "authorisation error: check the shop id and secret",
            Self::BasketTotalMismatch => "the basket total does not match total_sum",
            Self::InvalidRefundAmount => "invalid refund amount",
            Self::InvalidAmount => "invalid amount",
            Self::Internal => "OCTO internal error",
            Self::ShopNotAllowed => "the shop's status does not allow real payments",
            Self::TokenNotFound => "card token not found",
            Self::InvalidCurrency => "invalid currency",
            Self::TokenNotActive => "card token is not active",
            Self::TooManyOtpResends => "too many OTP resends",
            Self::TokenAlreadyExists => "an active or pending token already exists",
            Self::FiscalObjectNotRegistered => "fiscal object not registered with OCTO",
            Self::Unknown(_) => "unknown error code",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.as_i64(), self.description())
    }
}

/// A problem body (`{"title","status","detail"}`) from a server fault.
///
/// `Debug` and `Display` mask long digit runs in the title and detail (a
/// stack message may quote a card number).
#[derive(Clone, PartialEq, Eq)]
pub struct Problem {
    /// `title`, such as `Internal Server Error`.
    pub title: Option<String>,
    /// `status` as written in the body.
    pub status: Option<i64>,
    /// `detail`, often a stack message.
    pub detail: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_digit_runs(self.title.as_deref().unwrap_or("problem")))?;
        write_detail(f, self.detail.as_deref())
    }
}

impl fmt::Debug for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Problem")
            .field("title", &self.title.as_deref().map(mask_digit_runs))
            .field("status", &self.status)
            .field("detail", &self.detail.as_deref().map(mask_digit_runs))
            .finish()
    }
}

/// Why a response is not an OCTO envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseProblem {
    /// The body is empty.
    EmptyBody,
    /// The body is not JSON (an HTML page from a proxy, say).
    NotJson,
    /// The body is JSON but not an object.
    NotAnObject,
    /// The body is an object without OCTO's `error` field.
    NotAnEnvelope,
    /// The envelope says success but the HTTP status does not.
    StatusMismatch,
    /// A failing HTTP status, and an `error` field that is not OCTO's
    /// integer code: a proxy's or a web framework's JSON error page.
    NotOctoError,
}

impl fmt::Display for ResponseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EmptyBody => "empty body",
            Self::NotJson => "body is not JSON",
            Self::NotAnObject => "body is not a JSON object",
            Self::NotAnEnvelope => "body has no `error` field",
            Self::StatusMismatch => "envelope reports success with a failing HTTP status",
            Self::NotOctoError => "a failing HTTP status with an `error` that is not OCTO's code",
        })
    }
}

/// What was wrong with one field of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeProblem {
    /// A required field is absent or null.
    Missing,
    /// The field has the wrong JSON type or an unreadable value.
    Invalid {
        /// What was expected, such as `a decimal amount`.
        expected: &'static str,
    },
}

impl fmt::Display for DecodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("missing"),
            Self::Invalid { expected } => write!(f, "expected {expected}"),
        }
    }
}

/// A response body kept as evidence, byte for byte
/// ([`as_bytes`](Self::as_bytes)).
///
/// `Debug` never shows it raw: a JSON body is printed with every
/// secret-named field (card number, CVC, expiry, holder name, token, SMS
/// code, secret or key) redacted and long digit runs masked, and anything
/// else as its size and kind only; cut at 2 KiB.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RawBody(Vec<u8>);

impl RawBody {
    /// Keeps a copy of the body.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The bytes as received.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The body as text (lossy for non-UTF-8 bytes).
    pub fn to_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LIMIT: usize = 2048;
        let text = printable_body(&self.0);
        match text.char_indices().nth(LIMIT) {
            Some((cut, _)) => {
                let shown = text.get(..cut).unwrap_or_default();
                write!(f, "{shown:?}… ({} bytes)", self.0.len())
            }
            None => write!(f, "{text:?}"),
        }
    }
}

/// A redirect where OCTO's answer was expected.
///
/// It names the status and the host the redirect points to, never the
/// target's path or query: those may carry what the request carried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedirectError {
    /// The status of the response: the 3xx when the redirect was refused;
    /// the final response's when the HTTP client followed it on its own.
    pub status: StatusCode,
    /// The host of the redirect's target, when it names one.
    pub location_host: Option<String>,
    /// Whether the HTTP client had already followed the redirect (only a
    /// client supplied by the caller, configured to follow redirects, does
    /// that): the request then reached `location_host`.
    pub followed: bool,
}

impl RedirectError {
    /// The redirect in `response`, refused: its status and the host of its
    /// `Location`, if any.
    pub fn refused<B>(response: &http::Response<B>) -> Self {
        let location_host = response
            .headers()
            .get(http::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(location_host);
        Self {
            status: response.status(),
            location_host,
            followed: false,
        }
    }

    /// A redirect the HTTP client followed on its own: the answer (with
    /// `status`) came from `host` instead of the configured address.
    pub fn followed(status: StatusCode, host: Option<String>) -> Self {
        Self {
            status,
            location_host: host,
            followed: true,
        }
    }
}

/// The host a `Location` value names: absolute (`https://host/…`) or
/// scheme-relative (`//host/…`); a path alone names none.
fn location_host(location: &str) -> Option<String> {
    let absolute = if location.starts_with("//") {
        format!("http:{location}")
    } else {
        location.to_owned()
    };
    let uri = absolute.parse::<http::Uri>().ok()?;
    uri.host().map(str::to_owned)
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = self.location_host.as_deref().unwrap_or("an unnamed host");
        if self.followed {
            write!(
                f,
                "the HTTP client followed a redirect to {host} (final HTTP {}); \
                 its answer is not used: give the client a no-redirect policy",
                self.status.as_u16()
            )
        } else {
            write!(
                f,
                "redirect refused: HTTP {} to {host}; OCTO does not redirect, so \
                 it is not followed (check the base URL)",
                self.status.as_u16()
            )
        }
    }
}

impl std::error::Error for RedirectError {}

/// Input refused before sending, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}`: {problem}")]
pub struct InputError {
    /// The field, such as `basket[1].price`.
    pub field: Cow<'static, str>,
    /// What is wrong with it.
    pub problem: InputProblem,
}

impl InputError {
    /// An error about `field`.
    pub fn new(field: impl Into<Cow<'static, str>>, problem: InputProblem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }
}

/// What is wrong with an input field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputProblem {
    /// Empty where a value is required.
    Empty,
    /// Not of the expected form.
    Format(&'static str),
    /// A card number that fails the Luhn check.
    Luhn,
    /// Must be greater than zero.
    NotPositive,
    /// Must not be negative.
    Negative,
    /// Outside the allowed range.
    OutOfRange {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// The basket's items do not add up to `total_sum` (OCTO would answer
    /// error 3).
    BasketTotalMismatch {
        /// Sum of `count × price` over the basket.
        basket_total: Decimal,
        /// The `total_sum` given.
        total_sum: Decimal,
    },
    /// Both `inn` and `pinfl` are set; a fiscal item takes exactly one.
    InnAndPinfl,
    /// A fiscal item (with `package_code` or `nds`) needs `inn` or `pinfl`.
    NeitherInnNorPinfl,
    /// The refunds would add up to more than the payment.
    ExceedsTotal {
        /// What may still be taken.
        available: Decimal,
    },
    /// A plain `http://` address that is not loopback: the secret would
    /// cross the network unencrypted. `Config::with_insecure_base_url`
    /// opts in by name.
    PlainHttp,
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("must not be empty"),
            Self::Format(what) => write!(f, "expected {what}"),
            Self::Luhn => f.write_str("card number fails the Luhn check"),
            Self::NotPositive => f.write_str("must be greater than zero"),
            Self::Negative => f.write_str("must not be negative"),
            Self::OutOfRange { min, max } => write!(f, "must be between {min} and {max}"),
            Self::BasketTotalMismatch {
                basket_total,
                total_sum,
            } => write!(
                f,
                "basket adds up to {basket_total} but total_sum is {total_sum}"
            ),
            Self::InnAndPinfl => f.write_str("set either inn or pinfl, not both"),
            Self::NeitherInnNorPinfl => f.write_str("a fiscal item needs inn or pinfl"),
            Self::ExceedsTotal { available } => {
                write!(f, "exceeds what remains ({available})")
            }
            Self::PlainHttp => f.write_str(
                "plain http is allowed only to a loopback address (127.0.0.0/8, ::1, \
                 localhost); use https, or opt in with `with_insecure_base_url`",
            ),
        }
    }
}

/// A failure below HTTP: the connection, a timeout, an I/O error. Transports
/// build it; the cause is kept as a typed source, not as text.
#[derive(Debug, thiserror::Error)]
#[error("{kind}")]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// The transport's own error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// A transport error of `kind` caused by `source`.
    pub fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// A transport error without an underlying cause.
    pub fn bare(kind: TransportErrorKind) -> Self {
        Self { kind, source: None }
    }
}

/// The kinds of transport failure, as far as they matter for retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made: the request was never sent.
    Connect,
    /// The request or the response took longer than allowed.
    Timeout,
    /// The connection failed while the exchange was under way.
    Io,
    /// The request could not be turned into the backend's form.
    InvalidRequest,
    /// The response body exceeded the allowed size.
    BodyTooLarge,
    /// Anything else.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect",
            Self::Timeout => "timed out",
            Self::Io => "connection failed during the exchange",
            Self::InvalidRequest => "request could not be sent",
            Self::BodyTooLarge => "response body too large",
            Self::Other => "transport error",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_the_client_followed_is_no_refusal() {
        // A 307/308 keeps the POST: the request reached the redirect's
        // target, which may be OCTO, and may have acted there.
        let followed = Error::Redirect(RedirectError::followed(
            StatusCode::OK,
            Some("secure.octo.uz".to_owned()),
        ));
        assert!(!followed.is_refusal(), "{followed}");
        assert_eq!(followed.resend(), Resend::Never, "never sent again blindly");
        // One refused before it was followed never left for the target.
        let refused = Error::Redirect(RedirectError {
            status: StatusCode::FOUND,
            location_host: Some("elsewhere.example".to_owned()),
            followed: false,
        });
        assert!(refused.is_refusal());
    }

    #[test]
    fn only_a_refusal_or_an_unsent_request_is_is_refusal_on() {
        let refused = Error::Octo(OctoError {
            http_status: StatusCode::OK,
            code: ErrorCode::from_code(2, Endpoint::PayWithToken),
            message: None,
            developer_message: None,
            body: RawBody::new(r#"{"error":2}"#),
        });
        let unreadable_success = Error::Decode {
            status: StatusCode::OK,
            path: "data.totalSum".to_owned(),
            problem: DecodeProblem::Missing,
            body: RawBody::new(r#"{"error":0,"data":{}}"#),
        };
        let success_under_400 = Error::UnexpectedResponse {
            status: StatusCode::BAD_REQUEST,
            reason: ResponseProblem::StatusMismatch,
            body: RawBody::new(r#"{"error":0}"#),
        };
        let timeout = Error::Transport(TransportError::bare(TransportErrorKind::Timeout));
        let unsent = Error::Transport(TransportError::bare(TransportErrorKind::Connect));
        assert!(refused.is_refusal());
        assert!(!unsent.is_refusal());
        assert!(!timeout.is_refusal());
        for acted in [&unreadable_success, &success_under_400] {
            assert_eq!(acted.resend(), Resend::Never);
            assert!(!acted.is_refusal(), "{acted}");
        }
    }

    #[test]
    fn codes_depend_on_the_endpoint() {
        for (code, endpoint, expected) in [
            (3, Endpoint::PreparePayment, ErrorCode::BasketTotalMismatch),
            (3, Endpoint::Refund, ErrorCode::InvalidRefundAmount),
            (5, Endpoint::PreparePayment, ErrorCode::ShopNotAllowed),
            (5, Endpoint::PayWithToken, ErrorCode::TokenNotFound),
            (6, Endpoint::BlockCardToken, ErrorCode::TokenNotActive),
            (6, Endpoint::Refund, ErrorCode::InvalidCurrency),
            (77, Endpoint::Refund, ErrorCode::Unknown(77)),
            // 403 is the fiscal basket's, and only prepare_payment takes a
            // basket: elsewhere it names nothing OCTO documents (a
            // firewall's `{"error":403}`, say) and stays a bare number.
            (
                403,
                Endpoint::PreparePayment,
                ErrorCode::FiscalObjectNotRegistered,
            ),
            (403, Endpoint::PayWithToken, ErrorCode::Unknown(403)),
            (403, Endpoint::Refund, ErrorCode::Unknown(403)),
            (403, Endpoint::SetAccept, ErrorCode::Unknown(403)),
        ] {
            assert_eq!(
                ErrorCode::from_code(code, endpoint),
                expected,
                "{code} at {endpoint}"
            );
        }
        for code in [1, 2, 3, 4, 5, 6, 17, 20, 403, 77] {
            for endpoint in Endpoint::ALL {
                assert_eq!(ErrorCode::from_code(code, endpoint).as_i64(), code);
            }
        }
    }
}
