//! The whole demo at the most verbose log level: the logs (standard error)
//! and the story (standard output) never hold a test card's full number, a
//! CVC, the shop's secret, the notification key, a card token, or (in the
//! logs) the SMS code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{NOTIFY_KEY, run};
use octo_sandbox::cards::TEST_CARDS;
use octo_sandbox::{DEFAULT_OTP_CODE, DEFAULT_SHOP_SECRET};

/// Runs of exactly `len` hex digits (the sandbox's card tokens are 32).
fn hex_runs(text: &str, len: usize) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|run| run.len() == len)
        .map(str::to_owned)
        .collect()
}

/// Runs of fifteen to nineteen digits that pass the Luhn check: card
/// numbers (Uzcard, Humo, Visa and Mastercard numbers have 16). Shorter
/// runs are left out: the fiscal receipt's 12-digit sign and its 14-digit
/// time (`c=YYYYMMDDhhmmss` in the QR link) are no secrets, yet pass the
/// check one time in ten.
fn card_numbers(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| (15..=19).contains(&run.len()) && luhn(run))
        .map(str::to_owned)
        .collect()
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[test]
fn the_demo_at_trace_level_logs_no_secret() {
    for var in ["RUST_LOG", "OCTO_LOG"] {
        let out = run(&["demo"], &[(var, "trace".to_owned())], "");
        out.expect_code(0).stdout_has("10 of 10");
        let logs = &out.stderr;
        // The logs were captured, at every level down to trace.
        for expected in [
            "octo.call",
            "octo.attempt",
            "operation=\"prepare_payment\"",
            "TRACE",
        ] {
            assert!(
                logs.contains(expected),
                "{var}: no {expected:?} in the logs:\n{logs}"
            );
        }
        assert!(
            logs.lines().count() > 50,
            "{var}: too few log lines:\n{logs}"
        );

        let both = format!("{}\n{logs}", out.stdout);
        for card in TEST_CARDS {
            out.never_shows(card.pan);
        }
        out.never_shows(DEFAULT_SHOP_SECRET).never_shows(NOTIFY_KEY);
        // The story shows the sandbox's SMS code as the customer types it;
        // the logs never do.
        assert!(
            !logs.contains(DEFAULT_OTP_CODE),
            "SMS code in the logs:\n{logs}"
        );
        assert!(
            !logs.to_ascii_lowercase().contains("cvc"),
            "a CVC field in the logs:\n{logs}"
        );
        assert_eq!(
            card_numbers(&both),
            Vec::<String>::new(),
            "card numbers shown"
        );
        assert_eq!(
            hex_runs(&both, 32),
            Vec::<String>::new(),
            "card tokens shown"
        );
    }
}

#[test]
fn nothing_is_logged_unless_asked() {
    // An empty `OCTO_LOG` wins over any `RUST_LOG` the tests inherit.
    run(&["demo"], &[("OCTO_LOG", String::new())], "")
        .expect_code(0)
        .never_shows("octo.call");
}
