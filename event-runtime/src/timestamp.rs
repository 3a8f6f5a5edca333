//! Fast RFC 3339 timestamps for CloudEvents `time`, without allocation.
//!
//! General-purpose formatting (the `time` crate's `Rfc3339`) costs about as much as encoding
//! a small event, and every structured or binary publish needs one, so the runtime formats
//! the current UTC time itself: `YYYY-MM-DDTHH:MM:SS.ffffffZ`, microsecond precision.

use std::time::{SystemTime, UNIX_EPOCH};

/// Length of a formatted timestamp.
const LEN: usize = 27;

/// A formatted UTC timestamp held on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Timestamp([u8; LEN]);

impl Timestamp {
    /// Formats the current time.
    pub(crate) fn now() -> Self {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Self::from_unix(since_epoch.as_secs(), since_epoch.subsec_micros())
    }

    /// Formats `seconds` since the Unix epoch plus `micros`.
    pub(crate) fn from_unix(seconds: u64, micros: u32) -> Self {
        let days = seconds / 86_400;
        let second_of_day = seconds % 86_400;
        let (year, month, day) = civil_from_days(days);
        let mut out = *b"0000-00-00T00:00:00.000000Z";
        write_digits(&mut out[0..4], u64::from(year));
        write_digits(&mut out[5..7], u64::from(month));
        write_digits(&mut out[8..10], u64::from(day));
        write_digits(&mut out[11..13], second_of_day / 3600);
        write_digits(&mut out[14..16], second_of_day % 3600 / 60);
        write_digits(&mut out[17..19], second_of_day % 60);
        write_digits(&mut out[20..26], u64::from(micros));
        Self(out)
    }

    /// Returns the timestamp as text.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("timestamps are ASCII digits and separators")
    }
}

fn write_digits(slot: &mut [u8], mut value: u64) {
    for byte in slot.iter_mut().rev() {
        *byte = b'0' + u8::try_from(value % 10).unwrap_or(0);
        value /= 10;
    }
}

/// Converts days since 1970-01-01 to a (year, month, day) date in the proleptic Gregorian
/// calendar, following Howard Hinnant's `civil_from_days` algorithm.
fn civil_from_days(days: u64) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (
        u32::try_from(year).unwrap_or(u32::MAX),
        u32::try_from(month).unwrap_or(0),
        u32::try_from(day).unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    #[test]
    fn matches_the_time_crate() {
        let samples = [
            0,
            951_782_400,
            1_709_164_800,
            1_764_806_399,
            4_102_444_800,
            253_402_300_799,
        ];
        for seconds in samples {
            let ours = Timestamp::from_unix(seconds, 123_456);
            let parsed = OffsetDateTime::parse(ours.as_str(), &Rfc3339).unwrap();
            assert_eq!(
                parsed.unix_timestamp(),
                i64::try_from(seconds).unwrap(),
                "{}",
                ours.as_str()
            );
            assert_eq!(parsed.microsecond(), 123_456);
        }
        assert_eq!(
            Timestamp::from_unix(951_782_400, 0).as_str(),
            "2000-02-29T00:00:00.000000Z"
        );
    }
}
