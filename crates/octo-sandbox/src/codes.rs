//! The error codes the sandbox answers with, as OCTO's pages and the API
//! notes number them, endpoint by endpoint (a code means different things
//! on different endpoints). `docs/sandbox-rules.md` cites every entry.
//!
//! The sandbox names its refusals with octo-proto's [`ErrorCode`]
//! (`wire::Reject` carries one), so the two share the names. The numbers
//! are not taken on trust: the table below is the sandbox's own reading of
//! the pages, written as numbers, and its tests fail when octo-proto's
//! `ErrorCode` puts a different number on the wire or reads a page's number
//! differently. The sandbox is what the SDK is tested against; a wrong
//! number shared by both would otherwise pass unseen.
//!
//! [`ErrorCode`]: octo_proto::ErrorCode

#[cfg(test)]
mod pages {
    use octo_proto::Endpoint;
    use octo_proto::ErrorCode::{self, *};

    // The codes several endpoints answer with, meaning the same on each:
    // 1 malformed data, 2 a wrong shop id or secret, 4 an internal error
    // (both `prepare_payment` pages, `block_card_token`); 5 no such token
    // and 6 a token not active (tokenization page).
    const DATA: (i64, ErrorCode) = (1, DataFormat);
    const AUTH: (i64, ErrorCode) = (2, Authorization);
    const INTERNAL: (i64, ErrorCode) = (4, Internal);
    const NO_TOKEN: (i64, ErrorCode) = (5, TokenNotFound);
    const TOKEN_INACTIVE: (i64, ErrorCode) = (6, TokenNotActive);

    /// Every code each endpoint answers with: the number from OCTO's pages
    /// and the `ErrorCode` the sandbox refuses with.
    const TABLE: &[(Endpoint, &[(i64, ErrorCode)])] = &[
        (
            Endpoint::PreparePayment,
            &[
                DATA,
                AUTH,
                INTERNAL,
                // Legacy page: the basket's total is not `total_sum`.
                (3, BasketTotalMismatch),
                // Legacy page: the shop's status forbids real payments.
                (5, ShopNotAllowed),
                // Legacy page: an invalid currency.
                (6, InvalidCurrency),
                // Fiscalization page: a basket line's fiscal object is not
                // registered.
                (403, FiscalObjectNotRegistered),
            ],
        ),
        (Endpoint::PaymentStatus, &[DATA, AUTH, INTERNAL]),
        (
            Endpoint::PayWithToken,
            &[DATA, INTERNAL, NO_TOKEN, TOKEN_INACTIVE],
        ),
        // The pages give `set_accept` no code for a refused amount; the
        // sandbox answers 3, the code of a refused amount on `refund`.
        (
            Endpoint::SetAccept,
            &[DATA, AUTH, INTERNAL, (3, InvalidAmount)],
        ),
        // API notes: 3 is an invalid refund amount.
        (
            Endpoint::Refund,
            &[DATA, AUTH, INTERNAL, (3, InvalidRefundAmount)],
        ),
        // API notes: 20, the card already has an active or pending token.
        (
            Endpoint::BindCard,
            &[DATA, AUTH, INTERNAL, (20, TokenAlreadyExists)],
        ),
        (Endpoint::VerificationInfo, &[DATA, INTERNAL]),
        (Endpoint::CheckSmsKey, &[DATA, AUTH, INTERNAL]),
        // API notes: 17, too many OTP resends.
        (
            Endpoint::CheckPan,
            &[DATA, INTERNAL, (17, TooManyOtpResends)],
        ),
        (
            Endpoint::BlockCardToken,
            &[DATA, AUTH, INTERNAL, NO_TOKEN, TOKEN_INACTIVE],
        ),
        // The fiscalization page answers a wrong secret with the generic
        // code 1, so a client can only read it as a data-format error: the
        // page's choice, not a disagreement between the two readings.
        (Endpoint::FiscalData, &[DATA, INTERNAL]),
    ];

    /// The table, a row per endpoint and code.
    fn rows() -> impl Iterator<Item = (Endpoint, i64, ErrorCode)> {
        TABLE.iter().flat_map(|(endpoint, codes)| {
            codes.iter().map(|(code, meant)| (*endpoint, *code, *meant))
        })
    }

    #[test]
    fn octo_proto_reads_every_page_number_as_the_pages_mean_it() {
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
    fn every_code_the_sandbox_sends_is_the_pages_number() {
        for (endpoint, code, sent) in rows() {
            assert_eq!(sent.as_i64(), code, "{endpoint:?}: {sent:?}");
        }
    }

    #[test]
    fn every_endpoint_is_in_the_table() {
        for endpoint in Endpoint::ALL {
            assert!(
                TABLE.iter().any(|(e, _)| *e == endpoint),
                "{endpoint:?} is missing from the sandbox's table"
            );
        }
    }
}

/// The words the sandbox writes with octo-proto's enums (`as_str`), pinned
/// to OCTO's pages the way the error numbers are above: a misspelling in
/// the SDK (say `cancelled` for `canceled`) would otherwise go out in the
/// sandbox's answers and be read back by the same SDK without a sound.
#[cfg(test)]
mod words {
    use octo_proto::{AcceptStatus, Currency, Language, PaymentStatus, TokenStatus};

    /// Asserts that `as_str` writes each value as the page's word beside it.
    #[track_caller]
    fn assert_words<T: std::fmt::Debug>(pages: &[(T, &str)], as_str: impl Fn(&T) -> &str) {
        for (value, word) in pages {
            assert_eq!(as_str(value), *word, "{value:?}");
        }
    }

    #[test]
    fn payment_statuses_are_the_legacy_pages_words() {
        // basket-and-payment-creation-legacy.txt, "status".
        let pages = [
            (PaymentStatus::Created, "created"),
            (PaymentStatus::Canceled, "canceled"),
            (PaymentStatus::WaitUserAction, "wait_user_action"),
            (PaymentStatus::WaitingForCapture, "waiting_for_capture"),
            (PaymentStatus::Succeeded, "succeeded"),
        ];
        assert_words(&pages, PaymentStatus::as_str);
    }

    #[test]
    fn token_statuses_are_the_tokenization_pages_words() {
        // card-tokenization.txt, "Possible Token Statuses".
        let pages = [
            (TokenStatus::Init, "init"),
            (TokenStatus::Active, "active"),
            (TokenStatus::Blocked, "blocked"),
            (TokenStatus::Failed, "failed"),
        ];
        assert_words(&pages, TokenStatus::as_str);
    }

    #[test]
    fn decisions_currencies_and_languages_are_the_pages_words() {
        // API notes, set_accept and the notification's reply.
        let decisions = [
            (AcceptStatus::Capture, "capture"),
            (AcceptStatus::Cancel, "cancel"),
        ];
        assert_words(&decisions, |decision| decision.as_str());
        // one-stage-payment.txt ("USD, UZS, RUB") and the legacy page.
        let currencies = [
            (Currency::Uzs, "UZS"),
            (Currency::Usd, "USD"),
            (Currency::Rub, "RUB"),
        ];
        assert_words(&currencies, Currency::as_str);
        // Both payment pages: en, uz, ru; the legacy page adds oz.
        let languages = [
            (Language::English, "en"),
            (Language::Uzbek, "uz"),
            (Language::Russian, "ru"),
            (Language::UzbekLatin, "oz"),
        ];
        assert_words(&languages, Language::as_str);
    }
}
