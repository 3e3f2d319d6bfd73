//! The error codes the sandbox answers with, grouped by endpoint (a code
//! means different things on different endpoints): a module for each group
//! of several, one constant named for its endpoint otherwise. Each is read from OCTO's
//! pages and the API notes; `docs/sandbox-rules.md` cites every entry.
//! The table is the sandbox's own, not octo-proto's `ErrorCode`, on
//! purpose: the sandbox is what the SDK is tested against, and a mistake in
//! the SDK's reading would pass unseen if both used it. The test below
//! compares the two readings code by code, so a disagreement fails there.

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

/// `refund`: an invalid refund amount (API notes: 3 on `refund`).
pub(crate) const REFUND_INVALID_AMOUNT: i64 = 3;

/// `set_accept`: a refused `final_amount`. The pages give no code; the
/// sandbox answers 3, the code of a refused amount on `refund`.
pub(crate) const SET_ACCEPT_INVALID_AMOUNT: i64 = 3;

/// `block_card_token` (tokenization page) and `pay/{uuid}` with a token.
pub(crate) mod token {
    /// No such token.
    pub const NOT_FOUND: i64 = 5;
    /// The token is not active.
    pub const NOT_ACTIVE: i64 = 6;
}

/// `bind_card` (API notes): the card already has an active or pending
/// token.
pub(crate) const BIND_CARD_TOKEN_ALREADY_EXISTS: i64 = 20;

/// `check_pan`, the OTP resend (API notes): too many OTP resends.
pub(crate) const CHECK_PAN_TOO_MANY_RESENDS: i64 = 17;

/// `fiscal-data` (fiscalization page): a wrong secret. The page's example
/// answers `"error": 1, "errMessage": "wrong secret"`, not
/// prepare_payment's 2.
pub(crate) const FISCAL_DATA_WRONG_SECRET: i64 = 1;

#[cfg(test)]
mod cross_check {
    use octo_proto::Endpoint;
    use octo_proto::ErrorCode::{self, *};

    use super::*;

    // The codes several endpoints answer with, meaning the same on each.
    const DATA: (i64, ErrorCode) = (common::DATA_FORMAT, DataFormat);
    const AUTH: (i64, ErrorCode) = (common::AUTHORIZATION, Authorization);
    const INTERNAL: (i64, ErrorCode) = (common::INTERNAL, Internal);
    const NO_TOKEN: (i64, ErrorCode) = (token::NOT_FOUND, TokenNotFound);
    const TOKEN_INACTIVE: (i64, ErrorCode) = (token::NOT_ACTIVE, TokenNotActive);

    /// Every code each endpoint answers with, and what it means by OCTO's
    /// pages, written as the `ErrorCode` a client should read.
    const TABLE: &[(Endpoint, &[(i64, ErrorCode)])] = &[
        (
            Endpoint::PreparePayment,
            &[
                DATA,
                AUTH,
                INTERNAL,
                (prepare_payment::BASKET_TOTAL, BasketTotalMismatch),
                (prepare_payment::REAL_PAYMENTS_FORBIDDEN, ShopNotAllowed),
                (prepare_payment::INVALID_CURRENCY, InvalidCurrency),
                (
                    prepare_payment::FISCAL_OBJECT_UNKNOWN,
                    FiscalObjectNotRegistered,
                ),
            ],
        ),
        (Endpoint::PaymentStatus, &[DATA, AUTH, INTERNAL]),
        (
            Endpoint::PayWithToken,
            &[DATA, INTERNAL, NO_TOKEN, TOKEN_INACTIVE],
        ),
        (
            Endpoint::SetAccept,
            &[
                DATA,
                AUTH,
                INTERNAL,
                (SET_ACCEPT_INVALID_AMOUNT, InvalidAmount),
            ],
        ),
        (
            Endpoint::Refund,
            &[
                DATA,
                AUTH,
                INTERNAL,
                (REFUND_INVALID_AMOUNT, InvalidRefundAmount),
            ],
        ),
        (
            Endpoint::BindCard,
            &[
                DATA,
                AUTH,
                INTERNAL,
                (BIND_CARD_TOKEN_ALREADY_EXISTS, TokenAlreadyExists),
            ],
        ),
        (Endpoint::VerificationInfo, &[DATA, INTERNAL]),
        (Endpoint::CheckSmsKey, &[DATA, AUTH, INTERNAL]),
        (
            Endpoint::CheckPan,
            &[
                DATA,
                INTERNAL,
                (CHECK_PAN_TOO_MANY_RESENDS, TooManyOtpResends),
            ],
        ),
        (
            Endpoint::BlockCardToken,
            &[DATA, AUTH, INTERNAL, NO_TOKEN, TOKEN_INACTIVE],
        ),
        // The page answers a wrong secret with the generic code 1, so a
        // client can only read it as a data-format error; it is the
        // page's choice, not a disagreement between the two readings.
        (
            Endpoint::FiscalData,
            &[DATA, INTERNAL, (FISCAL_DATA_WRONG_SECRET, DataFormat)],
        ),
    ];

    /// The table, a row per endpoint and code.
    fn rows() -> impl Iterator<Item = (Endpoint, i64, ErrorCode)> {
        TABLE.iter().flat_map(|(endpoint, codes)| {
            codes.iter().map(|(code, meant)| (*endpoint, *code, *meant))
        })
    }

    #[test]
    fn octo_proto_reads_every_code_as_the_pages_mean_it() {
        let disagreements: Vec<String> = rows()
            .filter(|(endpoint, code, meant)| ErrorCode::from_code(*code, *endpoint) != *meant)
            .map(|(endpoint, code, meant)| {
                format!(
                    "{endpoint:?} {code}: the pages mean {meant:?}, octo-proto reads {:?}",
                    ErrorCode::from_code(code, endpoint)
                )
            })
            .collect();
        assert!(disagreements.is_empty(), "{disagreements:#?}");
    }

    #[test]
    fn every_endpoint_is_in_the_table_and_numbers_round_trip() {
        for endpoint in Endpoint::ALL {
            assert!(
                TABLE.iter().any(|(e, _)| *e == endpoint),
                "{endpoint:?} is missing from the sandbox's table"
            );
        }
        for (_, code, meant) in rows() {
            assert_eq!(meant.as_i64(), code, "{meant:?}");
        }
    }
}
