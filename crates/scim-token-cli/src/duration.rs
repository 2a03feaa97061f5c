//! Durations on the command line: a whole number and one unit, `45s`, `10m`, `12h` or `90d`.

use std::time::Duration;

/// The longest duration accepted: 100 years, far beyond any sensible expiry or overlap.
const MAX_SECONDS: u64 = 100 * 365 * 86_400;

/// Parses `45s`, `10m`, `12h` or `90d` (for clap's `value_parser`).
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let usage =
        || format!("{text:?} is not a duration; write a whole number and a unit: 45s, 10m, 12h or 90d");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(usage)?;
    let (number, unit) = text.split_at(split);
    let unit_seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(usage()),
    };
    let number: u64 = number.parse().map_err(|_| usage())?;
    match number.checked_mul(unit_seconds) {
        Some(seconds) if seconds <= MAX_SECONDS => Ok(Duration::from_secs(seconds)),
        _ => Err(format!("{text:?} is too long; the most is 100 years (36500d)")),
    }
}

/// Like [`parse`], but refuses zero (for `--expiry`: a token that is born expired is useless).
pub(crate) fn parse_positive(text: &str) -> Result<Duration, String> {
    match parse(text)? {
        Duration::ZERO => Err(format!("{text:?} is zero; give a lifetime such as 90d")),
        duration => Ok(duration),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        assert_eq!(parse("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse("36500d"), Ok(Duration::from_secs(MAX_SECONDS)));
    }

    #[test]
    fn refusals() {
        for text in ["", "10", "m", "-5m", "1.5h", "10 m", "10M", "10min", "5m3s", "+5m"] {
            assert!(parse(text).unwrap_err().contains("is not a duration"), "{text:?}");
        }
        for text in ["36501d", "99999999999999999999s", "18446744073709551615d"] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        assert!(parse("36501d").unwrap_err().contains("too long"));
    }

    #[test]
    fn positive() {
        assert_eq!(parse_positive("1s"), Ok(Duration::from_secs(1)));
        assert!(parse_positive("0d").unwrap_err().contains("is zero"));
        assert!(parse_positive("x").is_err());
    }
}
