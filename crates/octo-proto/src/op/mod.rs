//! One operation per OCTO endpoint.
//!
//! An operation is plain data. [`Operation::build_request`] validates it and
//! turns it into an `http::Request<Vec<u8>>` for a [`Config`];
//! [`Operation::parse_response`] turns the response into a typed output or a
//! typed [`Error`]. Sending is left to a transport (or to your own code):
//!
//! ```
//! use octo_proto::{Config, Operation, op::PaymentStatusCheck};
//!
//! let config = Config::new(123, "secret");
//! let op = PaymentStatusCheck::new("order-42".parse().unwrap());
//! let request = op.build_request(&config).unwrap();
//! assert_eq!(request.uri(), "https://secure.octo.uz/prepare_payment");
//!
//! // … send `request` with any HTTP client, then:
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(br#"{"error":0,"data":{"shop_transaction_id":"order-42",
//!         "octo_payment_UUID":"e3f4","status":"succeeded","total_sum":1000.0}}"#)
//!     .unwrap();
//! let payment = op.parse_response(&response).unwrap();
//! assert!(payment.status.is_paid());
//! ```

mod accept;
mod answer;
mod binding;
mod fiscal;
mod pay;
mod payment;
mod prepare;
mod refund;
mod status;
mod token;
pub(crate) mod validate;

pub use accept::SetAccept;
pub use answer::Answer;
pub use binding::{BindCard, CheckPan, CheckSmsKey, SmsCode, Verification, VerificationInfo};
pub use fiscal::{FiscalData, FiscalReceipt};
pub use pay::{PayWithToken, TokenPayment};
pub use payment::Payment;
pub use prepare::{BasketItem, MAX_TTL_MINUTES, PreparePayment, UserData};
pub use refund::{Refund, RefundResult};
pub use status::PaymentStatusCheck;
pub use token::{BlockCardToken, BlockedToken};

use serde::Serialize;

use crate::config::Config;
pub use crate::endpoint::Endpoint;
use crate::envelope;
use crate::error::{Error, InputError, InputProblem};

/// A request to OCTO and how to read its answer.
///
/// An operation names its endpoint and builds its request; reading the
/// answer is the same for all of them (OCTO's envelope, then the
/// [`Answer`] type's own fields), so `parse_response` is provided.
pub trait Operation {
    /// What a successful call returns.
    type Output: Answer;

    /// Which endpoint this is.
    const ENDPOINT: Endpoint;

    /// Which endpoint this is: [`Self::ENDPOINT`], for code holding a value.
    fn endpoint(&self) -> Endpoint {
        Self::ENDPOINT
    }

    /// Validates the input and builds the HTTP request.
    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error>;

    /// Reads OCTO's response into the typed output or a typed error.
    fn parse_response<B: AsRef<[u8]>>(
        &self,
        response: &http::Response<B>,
    ) -> Result<Self::Output, Error> {
        envelope::decode(Self::ENDPOINT, response, Self::Output::READER.0)
    }

    /// Whether a request whose outcome is unknown may be sent again.
    fn is_idempotent(&self) -> bool {
        self.endpoint().is_idempotent()
    }

    /// The shop's key for this operation (`shop_transaction_id` or
    /// `shop_refund_id`), when it has one; for logs and retries.
    fn idempotency_key(&self) -> Option<&str> {
        None
    }
}

/// Builds `POST {base_url}{path}` with a JSON body.
pub(crate) fn post_json(
    config: &Config,
    path: &str,
    body: &impl Serialize,
) -> Result<http::Request<Vec<u8>>, Error> {
    // Most bodies fit in 1 KiB (a 10-item basket does): one allocation.
    let mut bytes = Vec::with_capacity(1024);
    serde_json::to_writer(&mut bytes, body).map_err(|_| unserialisable())?;
    post_bytes(config, path, bytes)
}

/// The error for a body serde_json refuses (none of ours does).
fn unserialisable() -> Error {
    Error::Input(InputError::new(
        "body",
        InputProblem::Format("JSON-serialisable values"),
    ))
}

/// Builds `POST {base_url}{path}` carrying `bytes`, a JSON body, with the
/// config's `User-Agent`.
fn post_bytes(
    config: &Config,
    path: &str,
    bytes: Vec<u8>,
) -> Result<http::Request<Vec<u8>>, Error> {
    let uri = config
        .uri_for(path)
        .ok_or_else(|| Error::Input(InputError::new("url", InputProblem::Format("a valid URL"))))?;
    let mut request = http::Request::new(bytes);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = uri;
    let json = http::HeaderValue::from_static("application/json");
    request
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, json.clone());
    request.headers_mut().insert(http::header::ACCEPT, json);
    request
        .headers_mut()
        .insert(http::header::USER_AGENT, config.user_agent_header().clone());
    Ok(request)
}

/// A body of one field, `name: value`, for the operations that send only
/// one id or token of their own. Built by [`Field::non_empty`] alone, so the
/// value is always checked under the name it is sent with.
pub(crate) struct Field<'a> {
    name: &'static str,
    value: &'a str,
}

impl<'a> Field<'a> {
    /// The body `name: value`; a blank `value` is refused with an
    /// [`InputError`] naming the field as it is sent.
    pub(crate) fn non_empty(name: &'static str, value: &'a str) -> Result<Self, InputError> {
        validate::not_empty(name, value)?;
        Ok(Self { name, value })
    }
}

impl Serialize for Field<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.name, self.value)?;
        map.end()
    }
}

/// Builds `POST {base_url}{path}` whose JSON body is the shop's
/// credentials from `config`, then `fields`' own fields in their order.
///
/// The credentials' opening, `{"octo_shop_id":…,"octo_secret":"…"`, was
/// serialised once with the config; `fields` is serialised after it as
/// its own object, whose opening brace becomes the comma that continues
/// the credentials' object. The bytes are those of one object holding
/// both, as a `#[serde(flatten)]` struct would write them.
pub(crate) fn post_signed(
    config: &Config,
    path: &str,
    fields: &impl Serialize,
) -> Result<http::Request<Vec<u8>>, Error> {
    let prefix = config.signed_prefix();
    // Never empty (see `Config`); were it, the fields alone would not be a
    // signed body.
    if prefix.is_empty() {
        return Err(unserialisable());
    }
    let mut bytes = Vec::with_capacity(1024);
    bytes.extend_from_slice(prefix);
    serde_json::to_writer(&mut bytes, fields).map_err(|_| unserialisable())?;
    match bytes.get(prefix.len()..) {
        // No fields of its own: the credentials alone.
        Some(b"{}") => {
            bytes.truncate(prefix.len());
            bytes.push(b'}');
        }
        Some([b'{', ..]) => {
            if let Some(open) = bytes.get_mut(prefix.len()) {
                *open = b',';
            }
        }
        // Only an object's fields can join the credentials' object.
        _ => return Err(unserialisable()),
    }
    post_bytes(config, path, bytes)
}

/// Serialises a secret's value into a request body.
pub(crate) mod expose {
    use serde::Serializer;

    pub fn token<S: Serializer>(value: &crate::secret::CardToken, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose_secret())
    }

    pub fn pan<S: Serializer>(value: &crate::card::Pan, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose_secret())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Builds the operation whose input field `input` holds `value`, then
    /// its request.
    fn request<O: Operation + serde::de::DeserializeOwned>(
        input: &str,
        value: &str,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let op: O = serde_json::from_value(serde_json::json!({ input: value })).unwrap();
        op.build_request(&Config::new(1, "s"))
    }

    /// An operation that sends one id or token refuses a blank one under
    /// the name it is sent with, and sends a good one under that name.
    fn one_field<O: Operation + serde::de::DeserializeOwned>(input: &str, wire: &str) {
        match request::<O>(input, " ") {
            Err(Error::Input(e)) => {
                assert_eq!(e.field, wire);
                assert_eq!(e.problem, InputProblem::Empty, "{wire}");
            }
            other => panic!("{wire}: {other:?}"),
        }
        let sent = request::<O>(input, "id-1").unwrap();
        let body: serde_json::Value = serde_json::from_slice(sent.body()).unwrap();
        assert_eq!(body[wire], "id-1", "{body}");
    }

    #[test]
    fn one_field_bodies_are_checked_under_their_wire_names() {
        one_field::<PaymentStatusCheck>("shop_transaction_id", "shop_transaction_id");
        one_field::<VerificationInfo>("octo_payment_uuid", "octo_payment_UUID");
        one_field::<FiscalData>("payment_uuid", "payment_uuid");
        one_field::<BlockCardToken>("card_token", "card_token");
    }

    /// The body as one serde struct writes it: the credentials, then the
    /// fields flattened into the same object.
    fn flattened(config: &Config, fields: &impl Serialize) -> Vec<u8> {
        #[derive(Serialize)]
        struct Signed<'a, T> {
            octo_shop_id: crate::ids::ShopId,
            octo_secret: &'a str,
            #[serde(flatten)]
            fields: &'a T,
        }
        serde_json::to_vec(&Signed {
            octo_shop_id: config.shop_id(),
            octo_secret: config.secret().expose_secret(),
            fields,
        })
        .unwrap()
    }

    #[test]
    fn signed_bodies_join_the_credentials_and_the_fields() {
        let config = Config::new(7, "s\"e\\c\u{1}ré");
        let id = Field::non_empty("shop_transaction_id", "order-42").unwrap();
        let request = post_signed(&config, "/prepare_payment", &id).unwrap();
        assert_eq!(
            String::from_utf8(request.body().clone()).unwrap(),
            r#"{"octo_shop_id":7,"octo_secret":"s\"e\\c\u0001ré","shop_transaction_id":"order-42"}"#
        );
        // No fields of its own: the credentials alone, still one object.
        let none = post_signed(&config, "/set_accept", &BTreeMap::<String, u8>::new()).unwrap();
        assert_eq!(
            none.body(),
            &flattened(&config, &BTreeMap::<String, u8>::new())
        );
        assert_eq!(
            none.body().as_slice(),
            r#"{"octo_shop_id":7,"octo_secret":"s\"e\\c\u0001ré"}"#.as_bytes()
        );
        // Only an object can be joined.
        for not_an_object in [
            post_signed(&config, "/refund", &"text"),
            post_signed(&config, "/refund", &[1, 2]),
        ] {
            match not_an_object {
                Err(Error::Input(e)) => assert_eq!(e.field, "body"),
                other => panic!("{other:?}"),
            }
        }
    }

    proptest! {
        #[test]
        fn signed_bodies_are_the_flattened_struct(
            shop_id in any::<u64>(),
            secret in "[\"\\\\/\n\t\u{1}é€😀a-z0-9-]{0,40}",
            fields in prop::collection::btree_map("[\"\\\\a-z_é]{0,10}", "[\"\\\\\n a-z0-9é]{0,10}", 0..5),
        ) {
            let config = Config::new(shop_id, secret.as_str());
            let request = post_signed(&config, "/prepare_payment", &fields).unwrap();
            prop_assert_eq!(request.body(), &flattened(&config, &fields));
        }
    }
}
