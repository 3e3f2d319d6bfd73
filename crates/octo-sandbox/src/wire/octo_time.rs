//! OCTO's wall-clock time text, `yyyy-MM-dd HH:mm:ss` (both payment pages:
//! `init_time`; the API notes: `payed_time`, `refund_time`), read and
//! written by the sandbox's own code. The SDK writes and reads the same
//! text with its own; sharing one implementation would let a mistake in it
//! pass on both sides.

use time::{Date, Month, PrimitiveDateTime, Time};

/// `yyyy-MM-dd HH:mm:ss`, as OCTO writes it (years past 9999 with all
/// their digits; the sandbox's clock never gets there).
pub(crate) fn format(at: PrimitiveDateTime) -> String {
    written(at, ["-", "-", " ", ":", ":"])
}

/// `yyyyMMddHHmmss`, the fiscal receipt's `dateTime` as its page shows it.
pub(crate) fn format_compact(at: PrimitiveDateTime) -> String {
    written(at, [""; 5])
}

/// Year, month, day, hour, minute and second, zero-padded, with `between`
/// between them.
fn written(at: PrimitiveDateTime, between: [&str; 5]) -> String {
    let [a, b, c, d, e] = between;
    format!(
        "{:04}{a}{:02}{b}{:02}{c}{:02}{d}{:02}{e}{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Reads `yyyy-MM-dd HH:mm:ss` (spaces around it allowed): `None` unless
/// it is exactly that, a real date and a real time of day.
pub(crate) fn parse(text: &str) -> Option<PrimitiveDateTime> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() != 19 {
        return None;
    }
    for (at, sep) in [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')] {
        if bytes.get(at) != Some(&sep) {
            return None;
        }
    }
    let number = |from: usize, to: usize| -> Option<u16> {
        let digits = text.get(from..to)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    let month = Month::try_from(u8::try_from(number(5, 7)?).ok()?).ok()?;
    let date = Date::from_calendar_date(
        i32::from(number(0, 4)?),
        month,
        u8::try_from(number(8, 10)?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(number(11, 13)?).ok()?,
        u8::try_from(number(14, 16)?).ok()?,
        u8::try_from(number(17, 19)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_times_read_and_write_back() {
        // init_time on one-stage-payment.txt and on the legacy page, and
        // payed_time on card-tokenization.txt.
        for text in [
            "2024-05-02 09:17:00",
            "2018-03-30 11:22:33",
            "2024-12-26 15:56:52",
        ] {
            let at = parse(text).unwrap();
            assert_eq!(format(at), text);
        }
        let at = parse(" 2024-05-02 09:17:00 ").unwrap();
        assert_eq!((at.year(), u8::from(at.month()), at.day()), (2024, 5, 2));
        assert_eq!((at.hour(), at.minute(), at.second()), (9, 17, 0));
    }

    #[test]
    fn the_receipts_time_is_written_as_on_the_fiscalization_page() {
        // The page's receipt: "dateTime": "20220929013159".
        let at = parse("2022-09-29 01:31:59").unwrap();
        assert_eq!(format_compact(at), "20220929013159");
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "2024-05-02",
            "2024-05-02T09:17:00",
            "2024-05-02 09:17",
            "2024-5-02 09:17:00",
            "2024-13-02 09:17:00",
            "2024-02-30 09:17:00",
            "2024-05-02 24:00:00",
            "2024-05-02 09:60:00",
            "+024-05-02 09:17:00",
            "2024-05-02 09:17:0a",
            "2024-05-02 09:17:00Z",
            "２０２４-05-02 09:17",
        ] {
            assert!(parse(text).is_none(), "{text:?}");
        }
    }
}
