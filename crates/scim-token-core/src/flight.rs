//! Single flight: concurrent checks of the same presented token share one Argon2 run.
//!
//! On a cold cache (a restart, another instance's new token) an identity provider's burst of requests
//! all carry the same token. Each ran its own Argon2 check, the extra ones queued for a hashing slot and
//! got `Busy` (a 503): 176 of 300 simultaneous first uses in one measured burst. Now the first check leads one
//! flight and every check of the same token against the same stored hash waits for its outcome. The
//! leader waits for a hashing slot itself (a request dropped meanwhile costs no Argon2 run, and a
//! waiter takes over), then runs Argon2 in a task of its own, which finishes even if it is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use crate::cache::Fingerprint;
use crate::error::{Error, Result, SharedCause};

/// What one Argon2 check found, shared by every caller that waited on it.
#[derive(Clone, Debug)]
pub(crate) enum Argon2Answer {
    /// The token matches the stored hash.
    Match,
    /// It does not.
    Mismatch,
    /// No hashing slot was free within `busy_wait`.
    Busy,
    /// Argon2 or the blocking pool failed (the error holds no secret). Shared, not boxed, so every
    /// waiter gets the same error with its `source()` chain.
    Failed(SharedCause),
}

impl Argon2Answer {
    pub(crate) fn from_result(result: &Result<bool>) -> Self {
        match result {
            Ok(true) => Self::Match,
            Ok(false) => Self::Mismatch,
            Err(Error::Busy) => Self::Busy,
            Err(Error::Hashing(cause)) => Self::Failed(cause.clone()),
            // Checks fail only with the two above; anything else is passed on by its message.
            Err(error) => Self::Failed(SharedCause::from(Box::from(error.to_string()))),
        }
    }

    fn into_result(self) -> Result<bool> {
        match self {
            Self::Match => Ok(true),
            Self::Mismatch => Ok(false),
            Self::Busy => Err(Error::Busy),
            Self::Failed(cause) => Err(Error::Hashing(cause)),
        }
    }
}

type Receiver = watch::Receiver<Option<Argon2Answer>>;

/// The checks in flight, by fingerprint of the presented token. Holds one entry per distinct token being
/// checked right now, so it is bounded by the requests in flight; entries leave when their check ends.
#[derive(Default)]
pub(crate) struct Flights {
    in_flight: Mutex<HashMap<Fingerprint, (Arc<str>, Receiver)>>,
}

/// What a caller gets from [`Flights::join`].
pub(crate) enum Joined {
    /// A check of this token against this hash is running: wait for it.
    Wait(Receiver),
    /// None was: the caller must run it, then call [`Leader::finish`].
    Lead(Leader),
}

/// The right and duty to run a check and publish its outcome. Dropped without finishing (a panic, a
/// runtime shutting down), it still removes its entry, and its waiters get an error instead of hanging.
pub(crate) struct Leader {
    flights: Arc<Flights>,
    fingerprint: Fingerprint,
    sender: watch::Sender<Option<Argon2Answer>>,
    /// Tells this flight's entry from a newer one under the same fingerprint.
    own: Receiver,
}

impl Flights {
    /// Joins the check of `fingerprint` against `stored_hash`, or registers a new one.
    pub(crate) fn join(self: &Arc<Self>, fingerprint: Fingerprint, stored_hash: &Arc<str>) -> Joined {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((hash, receiver)) = in_flight.get(&fingerprint)
            && **hash == **stored_hash
        {
            return Joined::Wait(receiver.clone());
        }
        let (sender, receiver) = watch::channel(None);
        // A flight against another stored hash (the record changed meanwhile) keeps running for its own
        // waiters; new callers join this one.
        in_flight.insert(fingerprint, (stored_hash.clone(), receiver.clone()));
        Joined::Lead(Leader { flights: self.clone(), fingerprint, sender, own: receiver })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.in_flight.lock().unwrap().len()
    }
}

impl Leader {
    /// Ends the flight (new callers start afresh, or hit the cache) and hands `answer` to its waiters.
    pub(crate) fn finish(self, answer: Argon2Answer) {
        self.leave();
        // Fails only if nobody waits any more, which is fine.
        let _ = self.sender.send(Some(answer));
    }

    fn leave(&self) {
        let mut in_flight = self.flights.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        if in_flight.get(&self.fingerprint).is_some_and(|(_, receiver)| self.own.same_channel(receiver)) {
            in_flight.remove(&self.fingerprint);
        }
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        self.leave();
    }
}

/// Waits for the outcome of a flight; `None` if its leader gave up before starting Argon2 (its request
/// was dropped while waiting for a hashing slot): the caller should join again, and may lead.
pub(crate) async fn wait(mut receiver: Receiver) -> Option<Result<bool>> {
    let outcome = receiver.wait_for(Option::is_some).await.ok()?;
    // Always `Some` (that is what was waited for); a `None` would only mean "join again".
    outcome.clone().map(Argon2Answer::into_result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn callers_of_one_token_and_hash_share_a_flight() {
        let flights = Arc::new(Flights::default());
        let (fp, hash) = ([1u8; 32], Arc::<str>::from("h"));
        let Joined::Lead(leader) = flights.join(fp, &hash) else { panic!("the first caller leads") };
        let Joined::Wait(waiter) = flights.join(fp, &hash) else { panic!("the second waits") };
        assert!(matches!(flights.join([2u8; 32], &hash), Joined::Lead(_)), "another token: its own flight");
        leader.finish(Argon2Answer::Match);
        assert_eq!(flights.len(), 0, "finished flights leave, and so do dropped leaders");
        assert!(wait(waiter).await.unwrap().unwrap());
        assert!(matches!(flights.join(fp, &hash), Joined::Lead(_)), "after the end a new flight starts");
    }

    #[tokio::test]
    async fn another_stored_hash_starts_its_own_flight_and_abandoned_waiters_are_told() {
        let flights = Arc::new(Flights::default());
        let fp = [1u8; 32];
        let Joined::Lead(old) = flights.join(fp, &Arc::from("old")) else { panic!() };
        let Joined::Wait(old_waiter) = flights.join(fp, &Arc::from("old")) else { panic!() };
        let Joined::Lead(new) = flights.join(fp, &Arc::from("new")) else { panic!("a changed record") };
        drop(old);
        assert_eq!(flights.len(), 1, "the old leader must not remove the new flight");
        assert!(wait(old_waiter).await.is_none(), "abandoned: the waiter must join again");
        new.finish(Argon2Answer::Busy);
        assert_eq!(flights.len(), 0);
    }

    /// One failed Argon2 run answers every waiter, and each still sees the library error as `source()`.
    #[tokio::test]
    async fn a_shared_failure_keeps_its_source_for_every_waiter() {
        let flights = Arc::new(Flights::default());
        let (fp, hash) = ([3u8; 32], Arc::<str>::from("h"));
        let Joined::Lead(leader) = flights.join(fp, &hash) else { panic!("the first caller leads") };
        let waiters = [flights.join(fp, &hash), flights.join(fp, &hash)];
        let cause = std::io::Error::other("argon2 ran out of memory");
        leader.finish(Argon2Answer::from_result(&Err(Error::hashing(cause))));
        for waiter in waiters {
            let Joined::Wait(waiter) = waiter else { panic!("later callers wait") };
            let error = wait(waiter).await.unwrap().unwrap_err();
            assert!(matches!(error, Error::Hashing(_)), "{error}");
            let source = std::error::Error::source(&error).expect("the cause is the source");
            assert_eq!(source.to_string(), "argon2 ran out of memory");
        }
    }
}
