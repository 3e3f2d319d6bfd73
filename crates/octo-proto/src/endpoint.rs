//! The endpoints of OCTO's API, named once for paths, error codes, logs
//! and retrying.

/// An OCTO endpoint, as far as it matters for paths, error codes and
/// retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /prepare_payment`: create a payment.
    PreparePayment,
    /// `POST /prepare_payment` with only the shop's id: check a status.
    PaymentStatus,
    /// `POST /pay/{octo_payment_UUID}`: pay with a card token.
    PayWithToken,
    /// `POST /set_accept`: capture or cancel a held payment.
    SetAccept,
    /// `POST /refund`.
    Refund,
    /// `POST /bind_card`: start binding a card.
    BindCard,
    /// `POST /verificationInfo/`: the OTP's state during binding.
    VerificationInfo,
    /// `POST /bind_card/check_sms_key`: the customer's OTP during binding.
    CheckSmsKey,
    /// `POST /check_pan`: resend the OTP.
    CheckPan,
    /// `POST /block_card_token`.
    BlockCardToken,
    /// `POST /fiscal-data`: the fiscal receipt of a payment.
    FiscalData,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 11] = [
        Self::PreparePayment,
        Self::PaymentStatus,
        Self::PayWithToken,
        Self::SetAccept,
        Self::Refund,
        Self::BindCard,
        Self::VerificationInfo,
        Self::CheckSmsKey,
        Self::CheckPan,
        Self::BlockCardToken,
        Self::FiscalData,
    ];

    /// A stable snake_case name (used in fixtures, logs and spans).
    pub fn name(self) -> &'static str {
        match self {
            Self::PreparePayment => "prepare_payment",
            Self::PaymentStatus => "payment_status",
            Self::PayWithToken => "pay_with_token",
            Self::SetAccept => "set_accept",
            Self::Refund => "refund",
            Self::BindCard => "bind_card",
            Self::VerificationInfo => "verification_info",
            Self::CheckSmsKey => "check_sms_key",
            Self::CheckPan => "check_pan",
            Self::BlockCardToken => "block_card_token",
            Self::FiscalData => "fiscal_data",
        }
    }

    /// Whether resending a request whose outcome is unknown is safe: the
    /// endpoint only reads, or OCTO's pages say it deduplicates by a key
    /// the shop chose (`shop_transaction_id` for `prepare_payment`,
    /// `shop_refund_id` for `refund`). The evidence for each endpoint is in
    /// `docs/protocol-notes.md`, "Idempotency of each endpoint".
    pub fn is_idempotent(self) -> bool {
        match self {
            Self::PreparePayment
            | Self::PaymentStatus
            | Self::Refund
            | Self::VerificationInfo
            | Self::FiscalData => true,
            // Binding twice meets error 20 (a token is pending) and sends
            // the card again; capturing twice, paying twice, spending an
            // OTP attempt, sending another SMS or blocking twice (error 6
            // hides whether the first block landed) are not safe to repeat
            // blindly.
            Self::BindCard
            | Self::PayWithToken
            | Self::SetAccept
            | Self::CheckSmsKey
            | Self::CheckPan
            | Self::BlockCardToken => false,
        }
    }
}

impl Endpoint {
    /// Whether the endpoint only reads: a payment's status check
    /// (`prepare_payment` with only the id) or its fiscal receipt. A call
    /// to it changes nothing at OCTO, so a refusal of it says all there is
    /// to say, resent or not.
    pub fn is_read_only(self) -> bool {
        matches!(self, Self::PaymentStatus | Self::FiscalData)
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
