//! Timestamps and the injectable clock, so that expiry and overlap are tested without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time, in whole milliseconds since the Unix epoch: exact to store in any database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The timestamp `millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Converts a `SystemTime`, truncating to milliseconds and saturating outside ±292 million years.
    pub fn from_system_time(time: SystemTime) -> Self {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |m| -m),
        };
        Self(millis)
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-05-01T10:00:00.123Z`: exact, for JSON and logs.
    /// An instant outside the years 0000 to 9999 is written as the nearest one RFC 3339 can express.
    ///
    /// ```
    /// # use scim_token_core::Timestamp;
    /// assert_eq!(Timestamp::from_unix_millis(1_700_000_000_123).to_rfc3339(), "2023-11-14T22:13:20.123Z");
    /// ```
    pub fn to_rfc3339(self) -> String {
        crate::rfc3339::format(self.0, true)
    }

    /// RFC 3339 in UTC truncated to the second, e.g. `2026-05-01T10:00:00Z`: for people.
    pub fn to_rfc3339_seconds(self) -> String {
        crate::rfc3339::format(self.0, false)
    }

    /// This timestamp plus `duration`, saturating.
    #[must_use]
    pub fn saturating_add(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }
}

/// Truncates to milliseconds and saturates outside ±292 million years, as
/// [`Timestamp::from_system_time`] does.
impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        Self::from_system_time(time)
    }
}

/// A [`Timestamp`] the platform's `SystemTime` cannot hold (on Linux every one fits; Windows' ends in
/// the year 30828).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the timestamp {0:?} is outside the range of the platform's SystemTime")]
pub struct SystemTimeOutOfRange(pub Timestamp);

/// Exact: every millisecond is a `SystemTime`, within the platform's range.
impl TryFrom<Timestamp> for SystemTime {
    type Error = SystemTimeOutOfRange;

    fn try_from(at: Timestamp) -> Result<Self, Self::Error> {
        let offset = Duration::from_millis(at.0.unsigned_abs());
        let time = if at.0 >= 0 { UNIX_EPOCH.checked_add(offset) } else { UNIX_EPOCH.checked_sub(offset) };
        time.ok_or(SystemTimeOutOfRange(at))
    }
}

/// The source of "now" for expiry, overlap windows, audit events and `last_used_at`.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The operating system's wall clock: the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_system_time(SystemTime::now())
    }
}

/// A clock that moves only when told to: for tests of expiry and overlap windows.
///
/// Clones share the same time.
///
/// ```
/// # use scim_token_core::{Clock, ManualClock, Timestamp};
/// # use std::time::Duration;
/// let clock = ManualClock::new(Timestamp::from_unix_millis(1_000));
/// clock.advance(Duration::from_secs(1));
/// assert_eq!(clock.now(), Timestamp::from_unix_millis(2_000));
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: Timestamp) -> Self {
        Self(Arc::new(AtomicI64::new(start.unix_millis())))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_time_round_trip_and_saturation() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(Timestamp::from_system_time(t).unix_millis(), 1_700_000_000_123);
        let before = UNIX_EPOCH - Duration::from_millis(5);
        assert_eq!(Timestamp::from_system_time(before).unix_millis(), -5);
        assert_eq!(
            Timestamp::from_unix_millis(i64::MAX - 1).saturating_add(Duration::MAX).unix_millis(),
            i64::MAX
        );
    }

    #[test]
    fn converts_to_and_from_system_time() {
        for millis in [0, 1_700_000_000_123, -5, -1_700_000_000_123] {
            let at = Timestamp::from_unix_millis(millis);
            let time = SystemTime::try_from(at).unwrap();
            assert_eq!(Timestamp::from(time), at, "{millis}");
        }
        let after = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(SystemTime::try_from(Timestamp::from(after)).unwrap(), after);
        // Sub-millisecond precision is truncated on the way in.
        assert_eq!(Timestamp::from(after + Duration::from_micros(999)), Timestamp::from(after));
    }

    #[test]
    fn a_timestamp_beyond_the_platform_s_system_time_is_an_error_not_a_panic() {
        // Whether i64::MAX milliseconds fit depends on the platform; either answer is fine, a panic is not.
        for at in [Timestamp::from_unix_millis(i64::MAX), Timestamp::from_unix_millis(i64::MIN)] {
            match SystemTime::try_from(at) {
                Ok(time) => assert_eq!(Timestamp::from(time), at),
                Err(error) => assert_eq!(error, SystemTimeOutOfRange(at)),
            }
        }
    }
}
