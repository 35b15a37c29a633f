//! The replica's health, checked every second against the primary's log position.

use std::collections::VecDeque;
use std::sync::Weak;
use std::time::Duration;

use sqlx::PgPool;
use tokio::time::Instant;

use super::{ReadReplica, WalPosition, primary_position, replayed_position};

const CHECK_EVERY: Duration = Duration::from_secs(1);
/// A replica that takes longer than this to say how far it is counts as not answering.
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// Whether lists are read from the replica, and if not, why (in words a person reads in the
/// status bar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaHealth {
    /// Not checked yet: reads go to the primary.
    Starting,
    InUse,
    Away(String),
}

/// Checks the replica until it is dropped.
pub(super) async fn watch(replica: Weak<ReadReplica>, primary: PgPool, max_lag: Duration) {
    let mut history = LagHistory::default();
    let mut every = tokio::time::interval(CHECK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(replica) = replica.upgrade() else {
            return;
        };
        let now = Instant::now();
        // A primary that does not answer is the app's own trouble, reported by the
        // requests; the lag is then judged on what was seen before.
        if let Ok(Ok(position)) =
            tokio::time::timeout(ANSWER_WITHIN, primary_position(&primary)).await
        {
            history.record(now, position, max_lag);
        }
        let replayed = tokio::time::timeout(ANSWER_WITHIN, replayed_position(replica.pool())).await;
        let mut detail = None;
        let health = match replayed {
            Err(_) => ReplicaHealth::Away("the read replica is not answering".into()),
            Ok(Err(error)) => {
                detail = Some(format!("{error:?}"));
                ReplicaHealth::Away("the read replica cannot be reached".into())
            }
            Ok(Ok(None)) => ReplicaHealth::Away(
                "the read database is not a replica (it replays no primary)".into(),
            ),
            Ok(Ok(Some(position))) => {
                replica.note_replayed(position);
                match history.behind(now, position) {
                    Some(behind) if behind >= max_lag => ReplicaHealth::Away(format!(
                        "the read replica is {} s behind",
                        behind.as_secs()
                    )),
                    _ => ReplicaHealth::InUse,
                }
            }
        };
        replica.set_health(health, detail.as_deref());
    }
}

/// The primary's positions of the last moments, to tell how long ago the primary was where
/// the replica is now.
#[derive(Debug, Default)]
struct LagHistory {
    seen: VecDeque<(Instant, WalPosition)>,
}

impl LagHistory {
    fn record(&mut self, at: Instant, position: WalPosition, max_lag: Duration) {
        self.seen.push_back((at, position));
        // Kept a little longer than the limit, so a replica stuck for good stays "behind".
        let keep = max_lag + CHECK_EVERY * 5;
        while self
            .seen
            .front()
            .is_some_and(|(seen_at, _)| at.duration_since(*seen_at) > keep)
        {
            self.seen.pop_front();
        }
    }

    /// How long ago the primary first wrote past what the replica has replayed (None: the
    /// replica has replayed everything seen).
    fn behind(&self, now: Instant, replayed: WalPosition) -> Option<Duration> {
        self.seen
            .iter()
            .find(|(_, position)| *position > replayed)
            .map(|(at, _)| now.duration_since(*at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_the_age_of_the_oldest_position_not_replayed() {
        let start = Instant::now();
        let max_lag = Duration::from_secs(10);
        let mut history = LagHistory::default();
        for second in 0..5u64 {
            history.record(
                start + Duration::from_secs(second),
                WalPosition(100 + second),
                max_lag,
            );
        }
        let now = start + Duration::from_secs(5);
        assert_eq!(history.behind(now, WalPosition(104)), None);
        assert_eq!(
            history.behind(now, WalPosition(102)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            history.behind(now, WalPosition(0)),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn a_replica_stuck_for_good_stays_behind() {
        let start = Instant::now();
        let max_lag = Duration::from_secs(2);
        let mut history = LagHistory::default();
        for second in 0..60u64 {
            history.record(
                start + Duration::from_secs(second),
                WalPosition(100 + second),
                max_lag,
            );
        }
        let behind = history
            .behind(start + Duration::from_secs(60), WalPosition(1))
            .expect("behind");
        assert!(behind >= max_lag, "{behind:?}");
    }
}
