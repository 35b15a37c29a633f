//! A streaming replica for the reading that dominates (lists, searches, counts, details,
//! dashboards, exports). The primary keeps every write and every decision about seats and
//! admissions; see docs/deploy.md for why availability never reads a replica.
//!
//! Reads go to the replica only while it is healthy: answering, a standby, and not further
//! behind than the configured lag. A session's reads after its own write, or after a change
//! notification, wait (briefly) until the replica has replayed that position, else read the
//! primary.

mod health;
mod position;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio::sync::watch;

pub use health::ReplicaHealth;
pub use position::{WalPosition, primary_position, replayed_position};

use crate::error::SetupError;

/// How long a read waits for the replica to replay a position before it reads the primary.
pub const WAIT_FOR_REPLAY: Duration = Duration::from_millis(300);
/// A waiting read asks the replica how far it has replayed after this pause, doubling up to
/// [`POLL_REPLAY_AT_MOST`]: a replica on a good network replays a commit within a few ms.
const POLL_REPLAY_FIRST: Duration = Duration::from_millis(1);
const POLL_REPLAY_AT_MOST: Duration = Duration::from_millis(20);

/// Where the replica is and how it is used (`read_database_url`, `read_pool_size`,
/// `replica_max_lag_secs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSettings {
    pub url: String,
    pub pool_size: u32,
    /// Behind the primary by more than this, the replica is not read.
    pub max_lag: Duration,
}

/// The replica as this process uses it: its pool, its health, how far it has replayed.
#[derive(Debug)]
pub struct ReadReplica {
    pool: PgPool,
    /// What the status bar and the log call it (never a password).
    pub label: String,
    health: watch::Sender<ReplicaHealth>,
    /// The newest replay position seen, so that most waits need no round trip.
    replayed: AtomicU64,
    /// Reads it answered (the status, the tests and the benchmark read it).
    reads: AtomicU64,
}

impl ReadReplica {
    /// A replica whose pool connects on first use: a replica down at start leaves the app
    /// working on the primary. Its health is checked from now on, against `primary`.
    pub fn start(settings: &ReadSettings, primary: PgPool) -> Result<Arc<Self>, SetupError> {
        let options: PgConnectOptions = settings.url.parse().map_err(|error| {
            SetupError::Invalid(format!(
                "read_database_url is not a PostgreSQL URL ({error})"
            ))
        })?;
        let label = super::describe(&options);
        let options = super::session_settings(options);
        let pool = PgPoolOptions::new()
            .max_connections(settings.pool_size.max(1))
            .min_connections(0)
            // A replica that does not answer quickly is not worth waiting for: the primary is.
            .acquire_timeout(Duration::from_secs(2))
            .connect_lazy_with(options);
        let replica = Arc::new(Self {
            pool,
            label,
            health: watch::Sender::new(ReplicaHealth::Starting),
            replayed: AtomicU64::new(0),
            reads: AtomicU64::new(0),
        });
        tokio::spawn(health::watch(
            Arc::downgrade(&replica),
            primary,
            settings.max_lag,
        ));
        Ok(replica)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The replica's health as it changes.
    pub fn health(&self) -> watch::Receiver<ReplicaHealth> {
        self.health.subscribe()
    }

    pub fn in_use(&self) -> bool {
        *self.health.borrow() == ReplicaHealth::InUse
    }

    /// A read failed on the replica: reads go to the primary until the next health check
    /// finds it well again.
    pub fn read_failed(&self, why: &str) {
        tracing::warn!(replica = %self.label, why, "read replica: a read failed");
        self.set_health(
            ReplicaHealth::Away("the read replica did not answer".to_string()),
            Some(why),
        );
    }

    pub fn count_read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }

    pub fn reads_answered(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Waits until the replica has replayed `position`, for at most `budget`. False: it has
    /// not (or it did not answer), so the read should go to the primary.
    pub async fn wait_for(&self, position: WalPosition, budget: Duration) -> bool {
        if self.replayed() >= position {
            return true;
        }
        let deadline = tokio::time::Instant::now() + budget;
        let mut pause = POLL_REPLAY_FIRST;
        loop {
            match tokio::time::timeout_at(deadline, replayed_position(&self.pool)).await {
                Ok(Ok(Some(replayed))) => {
                    self.note_replayed(replayed);
                    if replayed >= position {
                        return true;
                    }
                }
                _ => return false,
            }
            if tokio::time::Instant::now() + pause >= deadline {
                return false;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(POLL_REPLAY_AT_MOST);
        }
    }

    fn replayed(&self) -> WalPosition {
        WalPosition(self.replayed.load(Ordering::Acquire))
    }

    fn note_replayed(&self, position: WalPosition) {
        self.replayed.fetch_max(position.0, Ordering::AcqRel);
    }

    /// Records the new health; a change is logged with its reason (and the driver's words).
    fn set_health(&self, health: ReplicaHealth, detail: Option<&str>) {
        self.health.send_if_modified(|current| {
            if *current == health {
                return false;
            }
            match &health {
                ReplicaHealth::InUse => {
                    tracing::info!(replica = %self.label, "read replica: reading from it")
                }
                ReplicaHealth::Away(why) => {
                    tracing::warn!(replica = %self.label, why, detail, "read replica: reading the primary")
                }
                ReplicaHealth::Starting => {}
            }
            *current = health;
            true
        });
    }
}
