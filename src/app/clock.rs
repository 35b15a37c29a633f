//! Where the app reads the time: the real clock, or one a test moves by hand.

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub trait Clock: Debug + Send + Sync {
    fn now(&self) -> Instant;

    /// The date and time, for what is counted by day (the dashboard's "today").
    fn wall(&self) -> DateTime<Utc>;
}

/// The machine's monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn wall(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told to move, for tests of timed behaviour (messages that
/// expire, retries) that must not sleep.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Instant>,
    wall: Mutex<DateTime<Utc>>,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::at(Utc::now())
    }
}

impl ManualClock {
    /// A clock standing at `wall`.
    pub fn at(wall: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(Instant::now()),
            wall: Mutex::new(wall),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
        let mut wall = self
            .wall
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *wall += chrono::Duration::from_std(by).unwrap_or_default();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wall(&self) -> DateTime<Utc> {
        *self
            .wall
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
