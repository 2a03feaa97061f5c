//! RFC 3339 text (UTC) for [`Timestamp`](crate::Timestamp)s, e.g. `2026-05-04T09:30:00.123Z`: a dozen lines of calendar
//! arithmetic instead of a date-time dependency, since only UTC instants are ever written. Total over
//! every `i64`: an instant outside the years 0000 to 9999 (a hand-edited row, an expiry computed from a
//! huge lifetime that saturated near the year 292 million) is written as the nearest one RFC 3339 can
//! express.

/// 0000-01-01T00:00:00.000Z, the first instant RFC 3339 can write.
const MIN_MILLIS: i64 = -62_167_219_200_000;
/// 9999-12-31T23:59:59.999Z, the last instant RFC 3339 can write.
const MAX_MILLIS: i64 = 253_402_300_799_999;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// `2026-05-01T10:00:00.123Z` (`with_millis`) or `2026-05-01T10:00:00Z` (truncated to the second), for
/// the instant `unix_millis` milliseconds after the Unix epoch.
pub(crate) fn format(unix_millis: i64, with_millis: bool) -> String {
    let millis = unix_millis.clamp(MIN_MILLIS, MAX_MILLIS);
    let (days, in_day) = (millis.div_euclid(MILLIS_PER_DAY), millis.rem_euclid(MILLIS_PER_DAY));
    let (year, month, day) = civil_from_days(days);
    let seconds = in_day / 1000;
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let date_time = format!("{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}");
    if with_millis { format!("{date_time}.{:03}Z", in_day % 1000) } else { format!("{date_time}Z") }
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
    use crate::time::Timestamp;

    fn millis(at: i64) -> String {
        Timestamp::from_unix_millis(at).to_rfc3339()
    }

    #[test]
    fn known_instants() {
        assert_eq!(millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(millis(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(millis(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(millis(951_782_400_000), "2000-02-29T00:00:00.000Z"); // 400-year leap day
        assert_eq!(millis(-2_203_891_200_000), "1900-03-01T00:00:00.000Z"); // 1900 is not a leap year
        assert_eq!(millis(4_107_542_399_999), "2100-02-28T23:59:59.999Z");
        assert_eq!(millis(4_107_542_400_000), "2100-03-01T00:00:00.000Z");
    }

    #[test]
    fn seconds_precision_truncates() {
        let at = Timestamp::from_unix_millis(1_700_000_000_999);
        assert_eq!(at.to_rfc3339_seconds(), "2023-11-14T22:13:20Z");
        assert_eq!(Timestamp::from_unix_millis(-1).to_rfc3339_seconds(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn out_of_range_instants_saturate() {
        assert_eq!(millis(MAX_MILLIS), "9999-12-31T23:59:59.999Z");
        assert_eq!(millis(i64::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(millis(MIN_MILLIS), "0000-01-01T00:00:00.000Z");
        assert_eq!(millis(i64::MIN), "0000-01-01T00:00:00.000Z");
    }

    /// Walks every day from 0000-01-01 to 9999-12-31 and checks each date is the calendar successor of
    /// the one before, with the Gregorian leap-year rule written out independently.
    #[test]
    fn every_day_follows_the_calendar() {
        let leap = |y: i64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        let month_len = |y: i64, m: i64| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let mut expected = (0, 1, 1);
        for days in MIN_MILLIS / MILLIS_PER_DAY..=MAX_MILLIS / MILLIS_PER_DAY {
            assert_eq!(civil_from_days(days), expected, "day {days}");
            let (y, m, d) = expected;
            expected = match (d == month_len(y, m), m == 12) {
                (false, _) => (y, m, d + 1),
                (true, false) => (y, m + 1, 1),
                (true, true) => (y + 1, 1, 1),
            };
        }
        assert_eq!(expected, (10_000, 1, 1));
    }
}
