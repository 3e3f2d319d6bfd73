//! What the sandbox posts: the signed payment notification and the
//! tokenization callback.

use octo_proto::{OctoSecret, Pan};
use serde_json::{Map, Value};

use super::signature;
use crate::config::{NotificationHashKey, SandboxConfig, Signing};
use crate::state::{PaymentRecord, TokenRecord};
use crate::wire::{money, octo_time};

/// The signature of a notification, computed by the sandbox's own code
/// ([`signature`]): the SDK's verifier has to agree with it, not share it.
pub(crate) fn signature_of(
    signing: &Signing,
    secret: &OctoSecret,
    uuid: &str,
    status: &str,
    hash_key: &str,
) -> String {
    match signing {
        Signing::UniqueKey(key) => signature::unique_key(key.expose_secret(), uuid, status),
        Signing::SecretAndHashKey => {
            signature::secret_and_hash_key(secret.expose_secret(), hash_key, uuid, status)
        }
    }
}

/// The JSON posted to `notify_url` for the payment's current status.
pub(crate) fn notification_body(
    config: &SandboxConfig,
    p: &PaymentRecord,
    secret: &OctoSecret,
    hash_key: &str,
) -> Value {
    let status = p.status.as_str();
    let mut m = Map::new();
    m.insert(
        "shop_transaction_id".into(),
        p.shop_transaction_id.clone().into(),
    );
    m.insert("octo_payment_UUID".into(), p.uuid.clone().into());
    m.insert("status".into(), status.into());
    m.insert(
        "signature".into(),
        signature_of(&config.signing, secret, &p.uuid, status, hash_key).into(),
    );
    // The unique_key formula does not use hash_key: the sandbox can be told
    // to leave it out. The secret formula signs it, so it always goes.
    let hash_key_value = match (&config.signing, config.notification_hash_key) {
        (Signing::UniqueKey(_), NotificationHashKey::LeftOut) => None,
        (Signing::UniqueKey(_), NotificationHashKey::Null) => Some(Value::Null),
        _ => Some(hash_key.into()),
    };
    if let Some(value) = hash_key_value {
        m.insert("hash_key".into(), value);
    }
    m.insert("total_sum".into(), money(p.total_sum));
    m.insert("refunded_sum".into(), money(p.refunded_sum));
    if let Some(t) = p.transfer_sum(config.fee_percent) {
        m.insert("transfer_sum".into(), money(t));
    }
    m.insert("currency".into(), p.currency.as_str().into());
    if let Some(at) = p.payed_at {
        m.insert(
            "payed_time".into(),
            octo_time::format(config.local(at)).into(),
        );
    }
    if let Some(card) = &p.card {
        m.insert("maskedPan".into(), card.masked().into());
        m.insert("card_type".into(), card.brand.card_type().into());
        m.insert("card_vendor".into(), card.brand.vendor().into());
        m.insert("card_country".into(), "UZ".into());
        m.insert("is_physical_card".into(), true.into());
        m.insert("riskLevel".into(), 0.into());
        m.insert(
            "rrn".into(),
            format!("{:012}", p.created_at.unix_timestamp() % 1_000_000_000_000).into(),
        );
    }
    Value::Object(m)
}

/// The JSON posted to `bind_notify_url` when a binding ends. OCTO sends
/// the full card number; when the sandbox no longer has it (a restart in
/// between), it sends the masked one.
pub(crate) fn tokenization_body(
    p: &PaymentRecord,
    token: &TokenRecord,
    pan: Option<&Pan>,
) -> Value {
    let card = &token.card;
    let pan_text = pan.map_or_else(
        || format!("{}******{}", card.first6, card.last4),
        |pan| pan.expose_secret().to_owned(),
    );
    let holder = p
        .binding
        .as_ref()
        .map(|b| b.holder.clone())
        .unwrap_or_default();
    let mut m = Map::new();
    m.insert(
        "shop_transaction_id".into(),
        p.shop_transaction_id.clone().into(),
    );
    m.insert("pan".into(), pan_text.into());
    m.insert("exp".into(), card.exp.clone().into());
    m.insert("cardHolderName".into(), holder.into());
    m.insert("card_token".into(), token.token.clone().into());
    m.insert("status".into(), token.status.as_str().into());
    Value::Object(m)
}
