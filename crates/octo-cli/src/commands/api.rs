//! The API commands: one OCTO call each (two or three for `bind`), printed
//! as text or JSON.

use octo_proto::op::{
    BindCard, BlockCardToken, CheckSmsKey, FiscalData, PaymentStatusCheck, PreparePayment, Refund,
    SetAccept, SmsCode, VerificationInfo,
};
use octo_proto::{
    CardExpiry, CardToken, Currency, Cvc, Language, Operation, Pan, PaymentMethod, PaymentStatus,
    PaymentUuid, RefundStatus, ShopRefundId, ShopTransactionId,
};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::backend::{self, Backend};
use crate::cli::{ApiOptions, Command};
use crate::credentials::Credentials;
use crate::failure::{Failure, exit};
use crate::render;
use crate::secret_input::SecretInput;

/// Runs one of the API commands; `None` when `command` is not one.
pub fn run(command: Command) -> Option<Result<u8, Failure>> {
    Some(match command {
        Command::Prepare {
            shop_transaction_id,
            amount,
            currency,
            description,
            return_url,
            notify_url,
            two_stage,
            test,
            ttl,
            language,
            api,
        } => with_backend(&api, test, |b| {
            let order = id(&shop_transaction_id)?;
            let mut op = PreparePayment::new(
                order.clone(),
                amount,
                Currency::parse(&currency.to_ascii_uppercase()),
                description,
                return_url,
                now(),
            );
            op.auto_capture = !two_stage;
            op.test = Some(test);
            op.notify_url = notify_url;
            op.ttl = ttl;
            op.language = Language::parse(&language);
            let p = call(b, &op)?;
            render::print(api.json, &p, render::payment).map_err(unprinted)?;
            // OCTO keeps one payment per shop_transaction_id: a repeated id
            // gets the payment made first, whatever amount was asked now.
            if let Some(sum) = op.answered_with_another(&p) {
                return Err(Failure::new(
                    exit::REFUSED,
                    format!(
                        "OCTO already has a payment under --id {order} for {sum}, not {amount}: \
                         it answered with that payment and created none"
                    ),
                    Some(
                        "a new payment needs a new --id; the same --id repeats the same \
                         payment, with its own amount",
                    ),
                ));
            }
            // A repeated --id may answer with a payment the customer has
            // already paid (or that was cancelled): no page to pay on then.
            let payable = matches!(
                p.status,
                PaymentStatus::Created | PaymentStatus::WaitUserAction | PaymentStatus::WaitingPay
            );
            let next = match (&p.octo_pay_url, payable) {
                (Some(url), true) => format!("\nSend the customer to {url} to pay.\n"),
                (None, true) => String::new(),
                (_, false) => format!(
                    "\nThis payment is already {}: there is nothing for the customer to pay.\n",
                    p.status
                ),
            };
            if !api.json {
                render::out(&next).map_err(unprinted)?;
            }
            Ok(exit::OK)
        }),
        Command::Status {
            shop_transaction_id,
            api,
        } => with_backend(&api, false, |b| {
            let op = PaymentStatusCheck::new(id(&shop_transaction_id)?);
            shown(api.json, &call(b, &op)?, render::payment)
        }),
        Command::Capture { uuid, amount, api } => with_backend(&api, false, |b| {
            let uuid = payment_uuid(&uuid)?;
            let op = match amount {
                Some(amount) => SetAccept::capture_partial(uuid, amount),
                None => SetAccept::capture(uuid),
            };
            shown(api.json, &call(b, &op)?, render::payment)
        }),
        Command::Cancel { uuid, api } => with_backend(&api, false, |b| {
            let op = SetAccept::cancel(payment_uuid(&uuid)?);
            shown(api.json, &call(b, &op)?, render::payment)
        }),
        Command::Refund {
            uuid,
            refund_id,
            amount,
            api,
        } => with_backend(&api, false, |b| {
            let refund_id = ShopRefundId::new(refund_id)
                .map_err(|e| Failure::usage(format!("--refund-id: {e}")))?;
            let op = Refund::new(refund_id, payment_uuid(&uuid)?, amount);
            let refund = call(b, &op).map_err(refused_refund)?;
            let code = shown(api.json, &refund, render::refund)?;
            // OCTO answered that it does not know: an unknown outcome.
            if refund.status == RefundStatus::Unknown {
                return Err(Failure::new(
                    exit::NETWORK,
                    "OCTO answered the refund with status unknown: the outcome is unknown, the \
                     refund may have been made"
                        .to_owned(),
                    Some(
                        "run `octo status` for the payment before refunding again, and repeat \
                         only with the same --refund-id",
                    ),
                ));
            }
            // OCTO took it but has not finished (`new`, `pending`, or a
            // status this version does not know): the money is not back yet
            // and the refund may still be canceled. Not "done".
            if !matches!(
                refund.status,
                RefundStatus::Succeeded | RefundStatus::Canceled | RefundStatus::Error
            ) {
                return Err(Failure::new(
                    exit::NETWORK,
                    format!(
                        "OCTO took the refund but has not finished it: status {}; it may still \
                         succeed or be canceled, and nothing counts as refunded yet",
                        refund.status
                    ),
                    Some(
                        "run the same command again later (the same --refund-id and amount) to \
                         see the refund's status; never repeat it under a new --refund-id",
                    ),
                ));
            }
            // OCTO answered, and said no: the refund was not made.
            if matches!(refund.status, RefundStatus::Canceled | RefundStatus::Error) {
                return Err(Failure::new(
                    exit::REFUSED,
                    format!("OCTO refused the refund: status {}", refund.status),
                    Some(
                        "nothing was refunded under this --refund-id; a new attempt needs a new \
                         --refund-id",
                    ),
                ));
            }
            Ok(code)
        }),
        Command::Bind {
            shop_transaction_id,
            phone,
            method,
            return_url,
            bind_notify_url,
            with_cvc,
            api,
        } => {
            let mut input = SecretInput::stdin();
            with_backend(&api, false, |b| {
                let pan = input.read("card number", "Card number: ")?;
                let pan = Pan::new(pan).map_err(|e| Failure::usage(format!("card number: {e}")))?;
                // Card data, like the number: never an argument (shell
                // history, `ps`), never printed.
                let exp = input.read("expiry", "Expiry (YYMM): ")?;
                let exp = CardExpiry::parse_yymm(&exp)
                    .map_err(|e| Failure::usage(format!("expiry: {e}")))?;
                let holder = input.read("name on the card", "Name on the card: ")?;
                let cvc2 = if with_cvc {
                    let cvc = input.read("CVC", "CVC2: ")?;
                    Some(Cvc::new(cvc).map_err(|e| Failure::usage(format!("CVC: {e}")))?)
                } else {
                    None
                };
                let op = BindCard {
                    shop_transaction_id: id(&shop_transaction_id)?,
                    pan,
                    exp,
                    phone,
                    card_holder_name: holder,
                    cvc2,
                    method: PaymentMethod::parse(&method),
                    return_url,
                    notify_url: None,
                    bind_notify_url,
                };
                bind(b, &op, api.json, &mut input)
            })
        }
        Command::BlockToken { api } => {
            let mut input = SecretInput::stdin();
            with_backend(&api, false, |b| {
                let token = CardToken::new(input.read("card token", "Card token: ")?);
                let blocked = call(b, &BlockCardToken::new(token))?;
                shown(api.json, &blocked, render::blocked)
            })
        }
        Command::FiscalData { uuid, api } => with_backend(&api, false, |b| {
            let receipt = call(b, &FiscalData::new(payment_uuid(&uuid)?))?;
            shown(api.json, &receipt, render::receipt)
        }),
        _ => return None,
    })
}

/// Loads the credentials, builds the client, and runs `call` with it.
fn with_backend(
    api: &ApiOptions,
    test: bool,
    call: impl FnOnce(&Backend) -> Result<u8, Failure>,
) -> Result<u8, Failure> {
    let config = Credentials::load(api.credentials.as_deref())?.config(
        api.base_url.as_deref(),
        api.insecure_http,
        test,
    )?;
    let runtime = backend::runtime()?;
    let backend = Backend::new(api.transport, config, runtime.handle())?;
    call(&backend)
}

/// A refused refund's failure, with what a refusal cannot show: OCTO's
/// page says only that `shop_refund_id` filters duplicates, so when an
/// earlier run under the same id ended with no answer, this refusal may be
/// OCTO turning the duplicate away after the first one was made.
fn refused_refund(failure: Failure) -> Failure {
    if failure.code != exit::REFUSED {
        return failure;
    }
    let said = failure.hint.unwrap_or_default();
    let hint = format!(
        "{said}{}if an earlier `octo refund` with this --refund-id ended with an unknown \
         outcome or with OCTO's new or pending, that refund may have been made (or be under \
         way) and this may be OCTO refusing the duplicate: treat it as made; `octo status \
         --id ORDER` counts it in refunded_sum only once it succeeded, so never refund that \
         money again under a new --refund-id",
        if said.is_empty() { "" } else { "; " }
    );
    Failure::new(failure.code, failure.message, Some(&hint))
}

/// Sends `op`; OCTO's refusal or a transport error becomes the failure the
/// command exits with.
fn call<O: Operation>(b: &Backend, op: &O) -> Result<O::Output, Failure> {
    b.send(op).map_err(|e| Failure::from_sdk(&e))
}

/// Prints `value` (as JSON with `--json`, else as `text` writes it): the
/// command is done.
fn shown<T: Serialize>(json: bool, value: &T, text: fn(&T) -> String) -> Result<u8, Failure> {
    render::print(json, value, text).map_err(unprinted)?;
    Ok(exit::OK)
}

/// Standard output failed after OCTO answered: the call was carried out
/// (or read, for status), only its result is lost. Exit as an unknown
/// outcome, never as a crash that reads like a failed call to repeat.
fn unprinted(error: std::io::Error) -> Failure {
    Failure::new(
        exit::NETWORK,
        format!(
            "OCTO carried it out, but the result could not be written to standard output: {error}"
        ),
        Some(
            "run `octo status --id ORDER` to see the result; repeat the command only with the \
             same ids",
        ),
    )
}

/// `bind_card`, then (Humo, Uzcard) the SMS code from standard input, or
/// (Visa, Mastercard) the 3-D Secure page to send the customer to.
fn bind<R: std::io::BufRead>(
    b: &Backend,
    op: &BindCard,
    json: bool,
    input: &mut SecretInput<R>,
) -> Result<u8, Failure> {
    let started = call(b, op)?;
    if op.method == PaymentMethod::BankCard {
        render::print(json, &started, render::payment).map_err(unprinted)?;
        if let (false, Some(url)) = (json, &started.octo_pay_url) {
            render::out(&format!(
                "\nThe card holder confirms on the 3-D Secure page: {url}\n"
            ))
            .map_err(unprinted)?;
        }
        return Ok(exit::OK);
    }
    let uuid = started.octo_payment_uuid.clone();
    let verification = call(b, &VerificationInfo::new(uuid.clone()))?;
    if verification.is_expired() {
        return Err(Failure::new(
            exit::REFUSED,
            "the SMS code has expired before it could be entered",
            Some("start the binding again with a new --id"),
        ));
    }
    // The prompt goes to standard error (or the terminal) so that standard
    // output stays the result alone (and valid JSON with --json).
    let prompt = format!(
        "{}Enter the SMS code: ",
        render::verification(&verification)
    );
    // bind_card was sent and OCTO texted the code: a failure from here on
    // leaves a pending binding at OCTO, which the message must say (the
    // same card is refused another binding until this one lapses).
    let started_note = |mut failure: Failure| {
        failure.message = format!(
            "{}; the binding {} was started at OCTO and stays pending until its code \
             expires (in {} s)",
            failure.message, uuid, verification.seconds_left
        );
        failure.hint = Some(
            "the same card cannot be bound again while it is pending: wait for it to \
             expire, then bind again with a new --id"
                .to_owned(),
        );
        failure
    };
    let code = input.read("SMS code", &prompt).map_err(started_note)?;
    let sms_key = SmsCode::new(code)
        .map_err(|e| Failure::usage(format!("SMS code: {e}")))
        .map_err(started_note)?;
    let check = CheckSmsKey {
        octo_payment_uuid: uuid,
        verify_id: verification.verify_id,
        sms_key,
    };
    let confirmed = call(b, &check)?;
    if json {
        let value = json!({ "verification": verification, "binding": confirmed });
        render::print(true, &value, |_| String::new()).map_err(unprinted)?;
    } else {
        render::out(&format!(
            "{}\nConfirmed: OCTO posts the card token to your bind_notify_url.\n",
            render::payment(&confirmed)
        ))
        .map_err(unprinted)?;
    }
    Ok(exit::OK)
}

fn id(value: &str) -> Result<ShopTransactionId, Failure> {
    ShopTransactionId::new(value).map_err(|e| Failure::usage(format!("--id: {e}")))
}

fn payment_uuid(value: &str) -> Result<PaymentUuid, Failure> {
    PaymentUuid::new(value).map_err(|e| Failure::usage(format!("--uuid: {e}")))
}

/// The current instant as `init_time`; the SDK writes it in the config's
/// zone (Tashkent, UTC+05:00, unless configured).
fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}
