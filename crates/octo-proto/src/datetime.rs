//! OCTO's date and time forms.
//!
//! `init_time`, `payed_time` and `refund_time` are `yyyy-MM-dd HH:mm:ss`
//! with no zone. Which zone OCTO means is undocumented; the SDK never reads a
//! clock. An `init_time` given as an instant ([`InitTime::Instant`]) is
//! written in the config's zone, Tashkent (UTC+05:00) unless set otherwise
//! ([`Config::with_init_time_offset`](crate::Config::with_init_time_offset));
//! times read back stay zone-less wall-clock values. Fiscal receipts use
//! `yyyyMMddHHmmss`; token payments use epoch milliseconds.

use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const OCTO_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
const COMPACT_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day][hour][minute][second]");

/// `init_time` as the caller gives it: an instant, which the request writes
/// in the config's zone, or a wall-clock time sent as it is.
///
/// ```
/// use octo_proto::datetime::InitTime;
/// use time::macros::{datetime, offset};
///
/// // 04:17 UTC is 09:17 in Tashkent, the default zone.
/// let at = InitTime::from(datetime!(2024-05-02 04:17:00 UTC));
/// assert_eq!(at.wall_clock(offset!(+5)), Some(datetime!(2024-05-02 09:17:00)));
/// // A wall-clock time is sent as written, whatever the zone.
/// let as_is = InitTime::from(datetime!(2024-05-02 09:17:00));
/// assert_eq!(as_is.wall_clock(offset!(UTC)), Some(datetime!(2024-05-02 09:17:00)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitTime {
    /// An instant, written in [`Config::init_time_offset`](crate::Config::init_time_offset).
    Instant(OffsetDateTime),
    /// A wall-clock time whose zone the caller chose, sent as it is.
    WallClock(PrimitiveDateTime),
}

impl InitTime {
    /// The wall-clock time sent for a config whose zone is `offset`;
    /// `None` when the instant falls outside the years `time` can hold.
    pub fn wall_clock(self, offset: UtcOffset) -> Option<PrimitiveDateTime> {
        match self {
            Self::Instant(at) => {
                let local = at.checked_to_offset(offset)?;
                Some(PrimitiveDateTime::new(local.date(), local.time()))
            }
            Self::WallClock(local) => Some(local),
        }
    }
}

impl From<OffsetDateTime> for InitTime {
    fn from(at: OffsetDateTime) -> Self {
        Self::Instant(at)
    }
}

impl From<PrimitiveDateTime> for InitTime {
    fn from(local: PrimitiveDateTime) -> Self {
        Self::WallClock(local)
    }
}

/// Reads `yyyy-MM-dd HH:mm:ss` as a wall-clock time, and an RFC 3339 time
/// with its offset (`2024-05-02T04:17:00Z`) as an instant.
impl<'de> serde::Deserialize<'de> for InitTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if let Some(local) = parse_octo(&raw) {
            return Ok(Self::WallClock(local));
        }
        OffsetDateTime::parse(raw.trim(), &Rfc3339)
            .map(Self::Instant)
            .map_err(|_| {
                serde::de::Error::custom(
                    "expected yyyy-MM-dd HH:mm:ss or an RFC 3339 time with an offset",
                )
            })
    }
}

/// Formats as `yyyy-MM-dd HH:mm:ss`.
pub fn format_octo(value: PrimitiveDateTime) -> String {
    // Written digit by digit: it runs on every prepare_payment, where the
    // formatting machinery would cost more than the rest of the field.
    let Ok(year) = u32::try_from(value.year()) else {
        return value.format(OCTO_FORMAT).unwrap_or_default();
    };
    if year > 9999 {
        return value.format(OCTO_FORMAT).unwrap_or_default();
    }
    let mut text = String::with_capacity(19);
    push_digits(&mut text, year, 4);
    text.push('-');
    push_digits(&mut text, u32::from(u8::from(value.month())), 2);
    text.push('-');
    push_digits(&mut text, u32::from(value.day()), 2);
    text.push(' ');
    push_digits(&mut text, u32::from(value.hour()), 2);
    text.push(':');
    push_digits(&mut text, u32::from(value.minute()), 2);
    text.push(':');
    push_digits(&mut text, u32::from(value.second()), 2);
    text
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(text: &mut String, value: u32, width: u32) {
    for power in (0..width).rev() {
        let digit = (value / 10u32.pow(power)) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// Parses `yyyy-MM-dd HH:mm:ss`.
pub fn parse_octo(text: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(text.trim(), OCTO_FORMAT).ok()
}

/// Parses the fiscal receipt's `yyyyMMddHHmmss`.
pub fn parse_compact(text: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(text.trim(), COMPACT_FORMAT).ok()
}

/// Reads epoch milliseconds.
pub fn from_epoch_millis(millis: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
}

/// Serde helpers for `yyyy-MM-dd HH:mm:ss` fields.
pub mod serde_octo {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `yyyy-MM-dd HH:mm:ss`.
    pub fn serialize<S: Serializer>(value: &PrimitiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_octo(*value))
    }

    /// Reads `yyyy-MM-dd HH:mm:ss`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PrimitiveDateTime, D::Error> {
        let raw = String::deserialize(d)?;
        parse_octo(&raw).ok_or_else(|| serde::de::Error::custom("expected yyyy-MM-dd HH:mm:ss"))
    }

    /// The same for optional fields.
    pub mod option {
        use super::*;

        /// Writes `yyyy-MM-dd HH:mm:ss` or null.
        pub fn serialize<S: Serializer>(
            value: &Option<PrimitiveDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            crate::serde_option::some_or_null(value, s, super::serialize)
        }

        /// Reads `yyyy-MM-dd HH:mm:ss` or null.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<PrimitiveDateTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(raw) => parse_octo(&raw)
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom("expected yyyy-MM-dd HH:mm:ss")),
            }
        }
    }
}

/// Serde helper writing an `OffsetDateTime` as epoch milliseconds.
pub(crate) mod serde_millis_option {
    use serde::Serializer;
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        crate::serde_option::some_or_null(value, s, |v, s| {
            let millis = v.unix_timestamp_nanos() / 1_000_000;
            s.serialize_i64(i64::try_from(millis).unwrap_or(i64::MAX))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn round_trips() {
        let t = datetime!(2024-05-02 09:17:00);
        assert_eq!(format_octo(t), "2024-05-02 09:17:00");
        assert_eq!(
            format_octo(datetime!(0987-12-31 23:59:59)),
            "0987-12-31 23:59:59"
        );
        assert_eq!(format_octo(t), t.format(OCTO_FORMAT).unwrap());
        assert_eq!(parse_octo("2024-05-02 09:17:00"), Some(t));
        assert_eq!(parse_octo("2024-05-02T09:17:00"), None);
        assert_eq!(
            parse_compact("20220929013159"),
            Some(datetime!(2022-09-29 01:31:59))
        );
        assert_eq!(
            from_epoch_millis(1732700367802).map(|t| t.year()),
            Some(2024)
        );
    }

    #[test]
    fn init_times() {
        use time::macros::offset;
        let tashkent = offset!(+5);
        // Late evening UTC is already the next day in Tashkent.
        let at = InitTime::from(datetime!(2024-12-31 20:30:00 UTC));
        assert_eq!(
            at.wall_clock(tashkent),
            Some(datetime!(2025-01-01 01:30:00))
        );
        assert_eq!(
            at.wall_clock(UtcOffset::UTC),
            Some(datetime!(2024-12-31 20:30:00))
        );
        let edge = InitTime::from(datetime!(9999-12-31 23:00:00 UTC));
        assert_eq!(edge.wall_clock(tashkent), None);
        let read: InitTime = serde_json::from_str("\"2024-05-02 09:17:00\"").unwrap();
        assert_eq!(read, InitTime::WallClock(datetime!(2024-05-02 09:17:00)));
        let read: InitTime = serde_json::from_str("\"2024-05-02T04:17:00Z\"").unwrap();
        assert_eq!(read, InitTime::Instant(datetime!(2024-05-02 04:17:00 UTC)));
        assert!(serde_json::from_str::<InitTime>("\"yesterday\"").is_err());
    }
}
