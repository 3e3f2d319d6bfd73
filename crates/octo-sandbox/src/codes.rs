//! The error codes the sandbox answers with: its own table, read from
//! OCTO's pages (and the API notes for 17 and 20) endpoint by endpoint,
//! not taken from octo-proto's `ErrorCode`: a sandbox that borrowed the
//! SDK's reading could not catch a mistake in it. A code means different
//! things on different endpoints, so the table is grouped by endpoint.
//! `docs/sandbox-rules.md` cites each entry.
//!
//! The two readings are compared by a test below: for every code an
//! endpoint answers with, the meaning the pages give must be what
//! `octo_proto::ErrorCode::from_code` reads for that endpoint. A
//! disagreement fails that test rather than hiding in either crate.

/// Codes every endpoint shares.
pub(crate) mod common {
    /// The request's data is malformed (both `prepare_payment` pages,
    /// `block_card_token`). The sandbox also uses it for the refusals the
    /// pages give no code for (an unknown payment, a wrong state, an amount
    /// too large to compute with).
    pub const DATA_FORMAT: i64 = 1;
    /// Authorisation: a wrong shop id or secret (`prepare_payment` pages:
    /// `"error": 2, "errMessage": "Wrong secret"`; `block_card_token`).
    pub const AUTHORIZATION: i64 = 2;
    /// An internal service error (legacy `prepare_payment` page,
    /// `block_card_token`); the sandbox's when its data file fails.
    pub const INTERNAL: i64 = 4;
}

/// `prepare_payment` (both pages) and the fiscalization page.
pub(crate) mod prepare_payment {
    /// The basket's total is not `total_sum` (legacy page).
    pub const BASKET_TOTAL: i64 = 3;
    /// The shop's status does not allow real payments (legacy page).
    pub const REAL_PAYMENTS_FORBIDDEN: i64 = 5;
    /// An invalid currency (legacy page).
    pub const INVALID_CURRENCY: i64 = 6;
    /// A basket line names a fiscal object not registered (fiscalization
    /// page).
    pub const FISCAL_OBJECT_UNKNOWN: i64 = 403;
}

/// `refund` (API notes).
pub(crate) mod refund {
    /// An invalid refund amount (API notes: 3 on `refund`).
    pub const INVALID_AMOUNT: i64 = 3;
}

/// `set_accept`.
pub(crate) mod set_accept {
    /// A refused `final_amount`: the pages give no code; the sandbox
    /// answers 3, the code of a refused amount on `refund`.
    pub const INVALID_AMOUNT: i64 = 3;
}

/// `block_card_token` (tokenization page) and `pay/{uuid}` with a token.
pub(crate) mod token {
    /// No such token.
    pub const NOT_FOUND: i64 = 5;
    /// The token is not active.
    pub const NOT_ACTIVE: i64 = 6;
}

/// `bind_card` (API notes).
pub(crate) mod bind_card {
    /// The card already has an active or pending token.
    pub const TOKEN_ALREADY_EXISTS: i64 = 20;
}

/// `check_pan`, the OTP resend (API notes).
pub(crate) mod check_pan {
    /// Too many OTP resends.
    pub const TOO_MANY_RESENDS: i64 = 17;
}

/// `fiscal-data` (fiscalization page).
pub(crate) mod fiscal_data {
    /// A wrong secret: the page's example answers `"error": 1,
    /// "errMessage": "wrong secret"`, not prepare_payment's 2.
    pub const WRONG_SECRET: i64 = 1;
}

#[cfg(test)]
mod cross_check {
    use octo_proto::{Endpoint, ErrorCode};

    use super::*;

    /// Every code each endpoint answers with, and what it means by OCTO's
    /// pages, written as the `ErrorCode` a client should read.
    const TABLE: &[(Endpoint, i64, ErrorCode)] = &[
        (
            Endpoint::PreparePayment,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (
            Endpoint::PreparePayment,
            common::AUTHORIZATION,
            ErrorCode::Authorization,
        ),
        (
            Endpoint::PreparePayment,
            common::INTERNAL,
            ErrorCode::Internal,
        ),
        (
            Endpoint::PreparePayment,
            prepare_payment::BASKET_TOTAL,
            ErrorCode::BasketTotalMismatch,
        ),
        (
            Endpoint::PreparePayment,
            prepare_payment::REAL_PAYMENTS_FORBIDDEN,
            ErrorCode::ShopNotAllowed,
        ),
        (
            Endpoint::PreparePayment,
            prepare_payment::INVALID_CURRENCY,
            ErrorCode::InvalidCurrency,
        ),
        (
            Endpoint::PreparePayment,
            prepare_payment::FISCAL_OBJECT_UNKNOWN,
            ErrorCode::FiscalObjectNotRegistered,
        ),
        (
            Endpoint::PaymentStatus,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (
            Endpoint::PaymentStatus,
            common::AUTHORIZATION,
            ErrorCode::Authorization,
        ),
        (
            Endpoint::PaymentStatus,
            common::INTERNAL,
            ErrorCode::Internal,
        ),
        (
            Endpoint::PayWithToken,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (
            Endpoint::PayWithToken,
            common::INTERNAL,
            ErrorCode::Internal,
        ),
        (
            Endpoint::PayWithToken,
            token::NOT_FOUND,
            ErrorCode::TokenNotFound,
        ),
        (
            Endpoint::PayWithToken,
            token::NOT_ACTIVE,
            ErrorCode::TokenNotActive,
        ),
        (
            Endpoint::SetAccept,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (
            Endpoint::SetAccept,
            common::AUTHORIZATION,
            ErrorCode::Authorization,
        ),
        (Endpoint::SetAccept, common::INTERNAL, ErrorCode::Internal),
        (
            Endpoint::SetAccept,
            set_accept::INVALID_AMOUNT,
            ErrorCode::InvalidAmount,
        ),
        (Endpoint::Refund, common::DATA_FORMAT, ErrorCode::DataFormat),
        (
            Endpoint::Refund,
            common::AUTHORIZATION,
            ErrorCode::Authorization,
        ),
        (Endpoint::Refund, common::INTERNAL, ErrorCode::Internal),
        (
            Endpoint::Refund,
            refund::INVALID_AMOUNT,
            ErrorCode::InvalidRefundAmount,
        ),
        (
            Endpoint::BindCard,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (
            Endpoint::BindCard,
            common::AUTHORIZATION,
            ErrorCode::Authorization,
        ),
        (Endpoint::BindCard, common::INTERNAL, ErrorCode::Internal),
        (
            Endpoint::BindCard,
            bind_card::TOKEN_ALREADY_EXISTS,
            ErrorCode::TokenAlreadyExists,
        ),
        (
            Endpoint::VerificationInfo,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (
            Endpoint::VerificationInfo,
            common::INTERNAL,
            ErrorCode::Internal,
        ),
        (
            Endpoint::CheckSmsKey,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (
            Endpoint::CheckSmsKey,
            common::AUTHORIZATION,
            ErrorCode::Authorization,
        ),
        (Endpoint::CheckSmsKey, common::INTERNAL, ErrorCode::Internal),
        (
            Endpoint::CheckPan,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (Endpoint::CheckPan, common::INTERNAL, ErrorCode::Internal),
        (
            Endpoint::CheckPan,
            check_pan::TOO_MANY_RESENDS,
            ErrorCode::TooManyOtpResends,
        ),
        (
            Endpoint::BlockCardToken,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (
            Endpoint::BlockCardToken,
            common::AUTHORIZATION,
            ErrorCode::Authorization,
        ),
        (
            Endpoint::BlockCardToken,
            common::INTERNAL,
            ErrorCode::Internal,
        ),
        (
            Endpoint::BlockCardToken,
            token::NOT_FOUND,
            ErrorCode::TokenNotFound,
        ),
        (
            Endpoint::BlockCardToken,
            token::NOT_ACTIVE,
            ErrorCode::TokenNotActive,
        ),
        (
            Endpoint::FiscalData,
            common::DATA_FORMAT,
            ErrorCode::DataFormat,
        ),
        (Endpoint::FiscalData, common::INTERNAL, ErrorCode::Internal),
        // The page answers a wrong secret with the generic code 1, so a
        // client can only read it as a data-format error; it is the
        // page's choice, not a disagreement between the two readings.
        (
            Endpoint::FiscalData,
            fiscal_data::WRONG_SECRET,
            ErrorCode::DataFormat,
        ),
    ];

    #[test]
    fn octo_proto_reads_every_code_as_the_pages_mean_it() {
        let disagreements: Vec<String> = TABLE
            .iter()
            .filter(|(endpoint, code, meant)| ErrorCode::from_code(*code, *endpoint) != *meant)
            .map(|(endpoint, code, meant)| {
                format!(
                    "{endpoint:?} {code}: the pages mean {meant:?}, octo-proto reads {:?}",
                    ErrorCode::from_code(*code, *endpoint)
                )
            })
            .collect();
        assert!(disagreements.is_empty(), "{disagreements:#?}");
    }

    #[test]
    fn every_endpoint_is_in_the_table_and_numbers_round_trip() {
        for endpoint in Endpoint::ALL {
            assert!(
                TABLE.iter().any(|(e, _, _)| *e == endpoint),
                "{endpoint:?} is missing from the sandbox's table"
            );
        }
        for (_, code, meant) in TABLE {
            assert_eq!(meant.as_i64(), *code, "{meant:?}");
        }
    }
}
