//! RFC 3339 (UTC) text for stored timestamps, total over every `i64`: a value outside years 0000–9999
//! (only a hand-edited row or an absurd expiry yields one) is shown as the nearest representable instant.

use scim_token_core::Timestamp;

/// 0000-01-01T00:00:00.000Z.
const MIN_MILLIS: i64 = -62_167_219_200_000;
/// 9999-12-31T23:59:59.999Z.
const MAX_MILLIS: i64 = 253_402_300_799_999;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// `2026-05-01T10:00:00.123Z`: exact, for JSON.
pub fn millis(at: Timestamp) -> String {
    let (date, hms, ms) = parts(at);
    format!("{date}T{hms}.{ms:03}Z")
}

/// `2026-05-01T10:00:00Z`: for people.
pub fn seconds(at: Timestamp) -> String {
    let (date, hms, _) = parts(at);
    format!("{date}T{hms}Z")
}

fn parts(at: Timestamp) -> (String, String, i64) {
    let millis = at.unix_millis().clamp(MIN_MILLIS, MAX_MILLIS);
    let (days, in_day) = (millis.div_euclid(MILLIS_PER_DAY), millis.rem_euclid(MILLIS_PER_DAY));
    let (year, month, day) = civil_from_days(days);
    let seconds = in_day / 1000;
    let hms = format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
    (format!("{year:04}-{month:02}-{day:02}"), hms, in_day % 1000)
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(millis: i64) -> Timestamp {
        Timestamp::from_unix_millis(millis)
    }

    #[test]
    fn known_instants() {
        assert_eq!(millis(at(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(millis(at(-1)), "1969-12-31T23:59:59.999Z");
        assert_eq!(millis(at(951_782_400_000)), "2000-02-29T00:00:00.000Z");
        assert_eq!(millis(at(1_700_000_000_123)), "2023-11-14T22:13:20.123Z");
        assert_eq!(seconds(at(1_700_000_000_999)), "2023-11-14T22:13:20Z");
        assert_eq!(millis(at(4_107_542_400_000)), "2100-03-01T00:00:00.000Z");
    }

    #[test]
    fn out_of_range_values_clamp() {
        assert_eq!(millis(at(MAX_MILLIS)), "9999-12-31T23:59:59.999Z");
        assert_eq!(millis(at(i64::MAX)), "9999-12-31T23:59:59.999Z");
        assert_eq!(millis(at(MIN_MILLIS)), "0000-01-01T00:00:00.000Z");
        assert_eq!(millis(at(i64::MIN)), "0000-01-01T00:00:00.000Z");
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
        let first = MIN_MILLIS / MILLIS_PER_DAY;
        let last = MAX_MILLIS / MILLIS_PER_DAY;
        let mut expected = (0, 1, 1);
        for days in first..=last {
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
