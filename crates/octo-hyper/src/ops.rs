//! One method per OCTO endpoint, each a named shorthand for
//! [`Client::send`].

use octo_proto::op::{
    BindCard, BlockCardToken, CheckPan, CheckSmsKey, FiscalData, PayWithToken, PaymentStatusCheck,
    PreparePayment, Refund, SetAccept, VerificationInfo,
};
use octo_proto::{Error, Operation};

use crate::client::Client;

macro_rules! per_operation {
    ($($(#[$doc:meta])* $method:ident($op:ty);)*) => {
        impl Client {
            $(
                $(#[$doc])*
                pub async fn $method(&self, op: &$op) -> Result<<$op as Operation>::Output, Error> {
                    self.send(op).await
                }
            )*
        }
    };
}

per_operation! {
    /// `POST /prepare_payment`: creates a payment (or returns the one
    /// already created under the same `shop_transaction_id`).
    prepare_payment(PreparePayment);
    /// `POST /prepare_payment` with only the id: the payment's status.
    payment_status(PaymentStatusCheck);
    /// `POST /pay/{octo_payment_UUID}`: pays with a card token.
    pay_with_token(PayWithToken);
    /// `POST /set_accept`: captures or cancels a held payment.
    set_accept(SetAccept);
    /// `POST /refund`.
    refund(Refund);
    /// `POST /bind_card`: starts binding a card.
    bind_card(BindCard);
    /// `POST /verificationInfo/`: the state of the binding OTP.
    verification_info(VerificationInfo);
    /// `POST /bind_card/check_sms_key`: the customer's binding OTP.
    check_sms_key(CheckSmsKey);
    /// `POST /check_pan`: resends the OTP.
    check_pan(CheckPan);
    /// `POST /block_card_token`.
    block_card_token(BlockCardToken);
    /// `POST /fiscal-data`: the payment's fiscal receipt.
    fiscal_data(FiscalData);
}
