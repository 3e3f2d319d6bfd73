//! The error codes the sandbox answers with: its own table, read from
//! OCTO's pages endpoint by endpoint, not from the SDK's `ErrorCode` (a
//! sandbox that borrowed the SDK's reading could not catch a mistake in
//! it). A code means different things on different endpoints, so the
//! table is grouped by endpoint. `docs/sandbox-rules.md` cites each entry.

/// Codes every endpoint shares.
pub(crate) mod common {
    /// The request's data is malformed (both `prepare_payment` pages,
    /// `block_card_token`). The sandbox also uses it for the refusals the
    /// pages give no code for (an unknown payment, a wrong state).
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

/// `refund` and `set_accept` (API notes).
pub(crate) mod refund {
    /// An invalid refund amount (API notes: 3 on `refund`). The sandbox
    /// uses it for a refused `final_amount` on `set_accept` too.
    pub const INVALID_AMOUNT: i64 = 3;
}

/// `block_card_token` (tokenization page) and `pay/{uuid}` with a token.
pub(crate) mod token {
    /// No such token.
    pub const NOT_FOUND: i64 = 5;
    /// The token is not active.
    pub const NOT_ACTIVE: i64 = 6;
}

/// `fiscal-data` (fiscalization page).
pub(crate) mod fiscal_data {
    /// A wrong secret: the page's example answers `"error": 1,
    /// "errMessage": "wrong secret"`, not prepare_payment's 2.
    pub const WRONG_SECRET: i64 = 1;
}
