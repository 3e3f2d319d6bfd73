//! Answering requests without a socket: the server's routes and answers,
//! called directly, for the fuzz target that feeds them arbitrary bytes.

use std::sync::Arc;

use http::Method;

use crate::clock::SystemClock;
use crate::config::SandboxConfig;
use crate::engine::Engine;
use crate::faults::Faults;
use crate::routes;
use crate::state::Store;

/// A sandbox without a socket, a data file or callbacks: each request is
/// answered by the same code, with the same bytes, as a started sandbox
/// answers it (faults aside). Made for fuzzing the request readers and
/// routes; not a stable API.
pub struct InProcess {
    engine: Arc<Engine>,
    payment: String,
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("payment", &self.payment)
            .finish_non_exhaustive()
    }
}

impl InProcess {
    /// Every path the sandbox answers, `{uuid}` standing for a payment's id.
    pub const PATHS: [&'static str; 17] = [
        "/prepare_payment",
        "/set_accept",
        "/refund",
        "/bind_card",
        "/verificationInfo",
        "/bind_card/check_sms_key",
        "/check_pan",
        "/block_card_token",
        "/fiscal-data",
        "/pay/{uuid}",
        "/pay/{uuid}/card",
        "/pay/{uuid}/otp",
        "/pay/{uuid}/3ds",
        "/status/{uuid}",
        "/",
        "/no/such/route",
        "/pay/unknown-payment/card",
    ];

    /// A lenient (or [strict](crate::SandboxBuilder::strict)) sandbox with
    /// the default shop, holding one payment created through
    /// `prepare_payment` ([`payment_uuid`](Self::payment_uuid)).
    pub fn new(strict: bool) -> Self {
        let config = SandboxConfig {
            strict,
            ..SandboxConfig::default()
        };
        let engine = Engine::new(
            config,
            Arc::new(SystemClock),
            Faults::default(),
            "http://127.0.0.1:0".to_owned(),
            (Store::default(), 0, None),
            None,
        );
        let mut sandbox = Self {
            engine,
            payment: String::new(),
        };
        let body = serde_json::json!({
            "octo_shop_id": crate::DEFAULT_SHOP_ID,
            "octo_secret": crate::DEFAULT_SHOP_SECRET,
            "shop_transaction_id": "in-process-1",
            "auto_capture": false,
            "test": true,
            "init_time": crate::wire::octo_time::format(sandbox.engine.local(sandbox.engine.now())),
            "description": "fuzz",
            "return_url": "https://shop.example/return",
            "currency": "UZS",
            "language": "en",
            "total_sum": "1000.50",
            "user_data": {"user_id": "u", "phone": "998901234567", "email": "a@b.uz"},
        });
        let answer = sandbox.answer(
            &Method::POST,
            "/prepare_payment",
            body.to_string().as_bytes(),
        );
        sandbox.payment = serde_json::from_slice::<serde_json::Value>(answer.body())
            .ok()
            .and_then(|v| v.get("octo_payment_UUID")?.as_str().map(str::to_owned))
            .unwrap_or_default();
        sandbox
    }

    /// The id of the payment created at start.
    pub fn payment_uuid(&self) -> &str {
        &self.payment
    }

    /// Answers one request, as the server would.
    pub fn answer(&self, method: &Method, path: &str, body: &[u8]) -> http::Response<Vec<u8>> {
        routes::route(&self.engine, method, path, body).into_response()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use rust_decimal::Decimal;

    fn json(answer: &http::Response<Vec<u8>>) -> serde_json::Value {
        serde_json::from_slice(answer.body()).unwrap()
    }

    #[test]
    fn answers_like_the_server() {
        let sandbox = InProcess::new(false);
        assert_eq!(sandbox.payment_uuid().len(), 36);
        let answer = sandbox.answer(&Method::POST, "/refund", b"{");
        assert_eq!(answer.status(), 200);
        assert_eq!(json(&answer)["error"], 1);
        let page = sandbox.answer(
            &Method::GET,
            &format!("/pay/{}", sandbox.payment_uuid()),
            b"",
        );
        assert_eq!(page.status(), 200);
        assert_eq!(
            page.headers()[http::header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let missing = sandbox.answer(&Method::GET, "/no/such/route", b"");
        assert_eq!(missing.status(), 404);
    }

    /// A payment already past what the sandbox computes with (kept in a
    /// data file from before amounts were bounded) still gets answers.
    #[test]
    fn a_paid_record_too_large_to_compute_with_still_answers_its_status() {
        let sandbox = InProcess::new(false);
        let uuid = sandbox.payment_uuid().to_owned();
        let card = sandbox
            .engine
            .submit_card(&uuid, "4111111111111111", "12/30", None);
        assert!(card.is_ok(), "{card:?}");
        sandbox
            .engine
            .transact(|store, tx| {
                let p = store.payment_mut(&uuid).unwrap();
                p.status = octo_proto::PaymentStatus::Succeeded;
                p.total_sum = Decimal::MAX;
                tx.payment(&uuid);
                Ok(())
            })
            .unwrap();
        let check = serde_json::json!({
            "octo_shop_id": crate::DEFAULT_SHOP_ID,
            "octo_secret": crate::DEFAULT_SHOP_SECRET,
            "shop_transaction_id": "in-process-1",
        });
        for _ in 0..2 {
            let answer = sandbox.answer(
                &Method::POST,
                "/prepare_payment",
                check.to_string().as_bytes(),
            );
            let answer = json(&answer);
            assert_eq!(answer["error"], 0, "{answer}");
            assert_eq!(answer["data"]["status"], "succeeded", "{answer}");
            assert!(answer["data"].get("transfer_sum").is_none(), "{answer}");
        }
        let p = sandbox
            .engine
            .read(|store| store.payment(&uuid).cloned())
            .unwrap();
        let body = crate::callbacks::notification_body(
            &sandbox.engine.config,
            &p,
            &octo_proto::OctoSecret::new("s"),
            "k",
        );
        assert_eq!(body["status"], "succeeded");
    }
}
