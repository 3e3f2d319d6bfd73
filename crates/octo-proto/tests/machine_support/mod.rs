//! Shared by the machine tests: canned OCTO answers and a readable,
//! Debug-free description of every output.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use octo_proto::callback::{CallbackLimits, Notification, SignatureScheme};
use octo_proto::machine::Reply;
use octo_proto::machine::{
    Awaiting, Command, Input, Machine, Output, PaymentNotice, PaymentOutcome, PaymentParams,
    TokenPaymentMachine,
};
use octo_proto::op::{
    BindCard, BlockedToken, Endpoint, Payment, PreparePayment, RefundResult, TokenPayment,
    Verification,
};
use octo_proto::{
    CardToken, Currency, Error, ErrorCode, NotificationKey, OctoError, PaymentId, PaymentMethod,
    PaymentStatus, RawBody, RefundStatus, TokenStatus, TransportError, TransportErrorKind,
    VerifyId,
};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use time::macros::datetime;

/// Every payment status OCTO sends; the last is the second spelling of
/// canceled (so `STATUSES[..10]` spells each status once).
pub const STATUSES: [&str; 11] = [
    "created",
    "wait_user_action",
    "waiting_pay",
    "waiting_for_capture",
    "succeeded",
    "partially_refunded",
    "refunded",
    "canceled",
    "failed",
    "on_review",
    "cancelled",
];

pub const T0: OffsetDateTime = datetime!(2024-05-02 09:00 UTC);

pub fn at(minutes: i64, seconds: i64) -> OffsetDateTime {
    T0 + time::Duration::minutes(minutes) + time::Duration::seconds(seconds)
}

pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

pub fn prepare(id: &str, total: &str) -> PreparePayment {
    PreparePayment::new(
        id.parse().unwrap(),
        dec(total),
        Currency::Uzs,
        "Two yoghurts",
        "https://shop.example/return",
        datetime!(2024-05-02 09:00),
    )
}

/// A payment of `total` under `id` paid with the Humo card token `tok`,
/// from [`T0`].
pub fn humo_token_payment(id: &str, total: &str) -> TokenPaymentMachine {
    TokenPaymentMachine::new(
        prepare(id, total),
        CardToken::new("tok"),
        PaymentMethod::Humo,
        None,
        PaymentParams::default(),
        T0,
    )
}

/// [`humo_token_payment`] of 1000.00 under `id`, whose `prepare_payment`
/// OCTO answered `created` under `uuid` at `at(0, 1)`: the machine has just
/// sent the charge (`pay_with_token`) and awaits its answer.
pub fn humo_token_charge_sent(id: &str, uuid: &str) -> TokenPaymentMachine {
    let mut m = humo_token_payment(id, "1000.00");
    drain(&mut m, payment_outcome);
    let created = payment(id, uuid, PaymentStatus::Created, Some("1000.00"));
    m.handle_input(Input::Reply(Reply::PreparePayment(Ok(created))), at(0, 1))
        .unwrap();
    let lines = drain(&mut m, payment_outcome);
    let charge = format!("send pay_with_token {uuid}");
    assert_eq!(lines.first(), Some(&charge), "{lines:?}");
    m
}

pub fn bind_card(id: &str, method: PaymentMethod) -> BindCard {
    octo_testkit::cards::binding(id, "8600312990314318", method, None)
}

pub fn payment(id: &str, uuid: &str, status: PaymentStatus, total: Option<&str>) -> Payment {
    Payment {
        shop_transaction_id: id.parse().unwrap(),
        octo_payment_uuid: uuid.parse().unwrap(),
        status,
        octo_pay_url: Some(format!("https://pay2.octo.uz/pay/{uuid}")),
        total_sum: total.map(dec),
        refunded_sum: None,
        transfer_sum: None,
        payed_time: None,
        processor_key: None,
        processing_reference: None,
        card: None,
        extra: Default::default(),
        warnings: Vec::new(),
    }
}

pub fn token_payment(
    uuid: &str,
    status: PaymentStatus,
    total: &str,
    url: Option<&str>,
) -> TokenPayment {
    TokenPayment {
        id: Some(PaymentId(5520)),
        octo_payment_uuid: uuid.parse().unwrap(),
        shop_transaction_id: None,
        status,
        initial_sum: Some(dec(total)),
        total_sum: dec(total),
        refunded_sum: None,
        transfer_sum: None,
        currency: Some(Currency::Uzs),
        redirect_url: url.map(str::to_owned),
        auto_capture: Some(true),
        is_test: Some(false),
        create_time: None,
        expire_time: None,
        payed_time: None,
        card: None,
        trans_type: Some("SMS".into()),
        extra: Default::default(),
        warnings: Vec::new(),
    }
}

/// The shop's request to refund `amount` under `shop_refund_id`.
pub fn refund(shop_refund_id: &str, amount: &str) -> Input {
    Input::Refund {
        shop_refund_id: shop_refund_id.parse().unwrap(),
        amount: dec(amount),
    }
}

pub fn refund_result(uuid: &str, status: RefundStatus) -> RefundResult {
    RefundResult {
        octo_payment_uuid: uuid.parse().unwrap(),
        refund_id: None,
        refund_time: None,
        status,
        extra: Default::default(),
        warnings: Vec::new(),
    }
}

/// A verification as OCTO answers it, with OCTO's payment id 5520.
pub fn verification(verify_id: u64, seconds_left: u32) -> Verification {
    Verification {
        verify_id: VerifyId(verify_id),
        phone: Some("+998** *****33".into()),
        seconds_left,
        payment_id: Some(PaymentId(5520)),
    }
}

pub fn blocked() -> BlockedToken {
    BlockedToken {
        status: TokenStatus::Blocked,
        extra: Default::default(),
    }
}

/// A payment notification as a shop's handler would hand it to a machine:
/// signed as OCTO would, posted, and verified. `total` goes into the
/// unsigned part, where it must change nothing.
pub fn signed_notice(
    id: &str,
    uuid: &str,
    status: PaymentStatus,
    total: Option<&str>,
) -> PaymentNotice {
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new("machine-test-key"));
    let mut sent = Notification::new(id.parse().unwrap(), uuid.parse().unwrap(), status);
    sent.total_sum = total.map(dec);
    let request = sent
        .sign(&scheme, "salt")
        .to_request("https://shop.example/octo/notify".parse().unwrap());
    let verified =
        Notification::parse_verified(&request, &scheme, &CallbackLimits::default()).unwrap();
    PaymentNotice::from(&verified)
}

/// OCTO refusing with `code` on `endpoint`.
pub fn octo_error(code: i64, endpoint: Endpoint) -> Error {
    Error::Octo(OctoError {
        http_status: http::StatusCode::OK,
        code: ErrorCode::from_code(code, endpoint),
        message: None,
        developer_message: None,
        body: RawBody::new(format!(r#"{{"error":{code}}}"#)),
    })
}

/// A timeout: the outcome is unknown.
pub fn timeout() -> Error {
    Error::Transport(TransportError::bare(TransportErrorKind::Timeout))
}

pub fn clock(t: Option<OffsetDateTime>) -> String {
    match t {
        Some(t) => format!(" until {:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
        None => String::new(),
    }
}

pub fn describe_command(command: &Command) -> String {
    match command {
        Command::PreparePayment(p) => format!("send prepare_payment {}", p.shop_transaction_id),
        Command::PaymentStatus(p) => format!("send payment_status {}", p.shop_transaction_id),
        Command::PayWithToken(p) => format!("send pay_with_token {}", p.octo_payment_uuid),
        Command::SetAccept(s) => match s.final_amount {
            Some(amount) => format!("send set_accept {} {amount}", s.accept_status),
            None => format!("send set_accept {}", s.accept_status),
        },
        Command::Refund(r) => format!("send refund {} {}", r.shop_refund_id, r.amount),
        Command::BindCard(b) => format!("send bind_card {}", b.shop_transaction_id),
        Command::VerificationInfo(_) => "send verification_info".into(),
        Command::CheckSmsKey(c) => format!("send check_sms_key {}", c.verify_id),
        Command::CheckPan(_) => "send check_pan".into(),
        Command::BlockCardToken(_) => "send block_card_token".into(),
        _ => "send something new".into(),
    }
}

fn awaiting(a: Awaiting) -> String {
    match a {
        Awaiting::Reply(endpoint) => format!("reply {endpoint}"),
        Awaiting::Notification => "notification".into(),
        Awaiting::Tokenization => "tokenization".into(),
        Awaiting::Code => "code".into(),
        Awaiting::Decision => "decision".into(),
        Awaiting::Caller => "caller".into(),
        Awaiting::Refund => "refund".into(),
        Awaiting::Nothing => "nothing".into(),
        _ => "something new".into(),
    }
}

/// One line per output; `done` lines come from `outcome`.
pub fn describe<T>(output: &Output<T>, outcome: impl Fn(&T) -> String) -> String {
    match output {
        Output::Send(command) => describe_command(command),
        Output::Redirect(url) => format!("redirect {url}"),
        Output::AskCode(p) => format!(
            "ask code {} {}s attempts {} resend {}",
            p.phone.as_deref().unwrap_or("-"),
            p.seconds_left,
            p.attempts_left,
            if p.can_resend { "yes" } else { "no" }
        ),
        Output::Decide(h) => format!("decide held {}{}", h.amount, clock(Some(h.expires_at))),
        Output::Wait(w) => format!("wait {}{}", awaiting(w.awaiting), clock(w.until)),
        Output::Done(t) => format!("done {}", outcome(t)),
        Output::Failed(f) => format!("failed {f}"),
        _ => "something new".into(),
    }
}

pub fn payment_outcome(o: &PaymentOutcome) -> String {
    format!(
        "{} total {} refunded {}",
        o.status, o.total_sum, o.refunded_sum
    )
}

/// Polls until the machine is idle; the idle line is included.
pub fn drain<M: Machine>(machine: &mut M, outcome: impl Fn(&M::Outcome) -> String) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let output = machine.poll_output();
        lines.push(describe(&output, &outcome));
        if matches!(output, Output::Wait(_)) {
            return lines;
        }
        assert!(lines.len() < 64, "the machine never goes idle: {lines:?}");
    }
}

/// Every output until the machine idles, the idle one included.
pub fn outputs<M: Machine>(m: &mut M) -> Vec<Output<M::Outcome>> {
    let mut all = Vec::new();
    loop {
        let output = m.poll_output();
        let idle = matches!(output, Output::Wait(_));
        all.push(output);
        if idle {
            return all;
        }
        assert!(all.len() < 32, "never idles");
    }
}
