//! RFC 3339 text for timestamps, e.g. `2026-05-04T09:30:00.123Z`: a few lines of calendar arithmetic
//! instead of a date-time crate, since the adapter only ever formats UTC instants.

use scim_token_core::Timestamp;

/// Milliseconds from the Unix epoch to 0000-01-01T00:00:00.000Z, the first instant RFC 3339 can write.
const MIN_MILLIS: i64 = -62_167_219_200_000;
/// Milliseconds from the Unix epoch to 9999-12-31T23:59:59.999Z, the last instant RFC 3339 can write.
const MAX_MILLIS: i64 = 253_402_300_799_999;

/// Formats `at` in UTC with millisecond precision. Instants outside the years 0000 to 9999 (an expiry
/// computed from a huge lifetime saturates near the year 292 million) are written as the nearest
/// instant that RFC 3339 can express.
pub(crate) fn format(at: Timestamp) -> String {
    let millis = at.unix_millis().clamp(MIN_MILLIS, MAX_MILLIS);
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (seconds, millis) = (in_day / 1000, in_day % 1000);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// The proleptic Gregorian date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March is 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(millis: i64) -> String {
        format(Timestamp::from_unix_millis(millis))
    }

    #[test]
    fn known_instants() {
        assert_eq!(at(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(at(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(at(951_782_400_000), "2000-02-29T00:00:00.000Z"); // 400-year leap day
        assert_eq!(at(-2_203_891_200_000), "1900-03-01T00:00:00.000Z"); // 1900 is not a leap year
        assert_eq!(at(4_107_542_399_999), "2100-02-28T23:59:59.999Z");
        assert_eq!(at(MIN_MILLIS), "0000-01-01T00:00:00.000Z");
        assert_eq!(at(MAX_MILLIS), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn out_of_range_instants_saturate() {
        assert_eq!(at(i64::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(at(i64::MIN), "0000-01-01T00:00:00.000Z");
    }

    #[test]
    fn consecutive_days_follow_the_calendar() {
        // Walks every day from 1600 to 2400 and checks each date against a day-by-day count.
        let (mut year, mut month, mut day) = (1600, 1, 1);
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let first = (-135_140_i64..).find(|&d| civil_from_days(d) == (1600, 1, 1)).unwrap();
        for days in first..first + 292_194 {
            assert_eq!(civil_from_days(days), (year, month, day), "{days}");
            let month_len = match month {
                2 if leap(year) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            day += 1;
            if day > month_len {
                (day, month) = (1, month + 1);
                if month > 12 {
                    (month, year) = (1, year + 1);
                }
            }
        }
    }
}
