//! The databases one process reads and writes: the primary, and a read replica when one is
//! configured. Which request goes to which is decided in `data_task::route`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sqlx::PgPool;

use crate::db::replica::{ReadReplica, ReadSettings, WalPosition, primary_position};
use crate::error::SetupError;

/// A position lookup that takes longer than this is given up (the primary is then read).
const POSITION_WITHIN: Duration = Duration::from_secs(1);

/// What a session's reads must have seen on the replica: a WAL position, or "unknown" (its
/// lookup failed), which sends reads to the primary until a later lookup succeeds.
#[derive(Debug, Default)]
pub struct PositionFloor {
    at: AtomicU64,
    unknown: AtomicBool,
}

impl PositionFloor {
    /// Raises the floor to `position`; None (the lookup failed) makes it unknown.
    pub fn raise(&self, position: Option<WalPosition>) {
        match position {
            Some(position) => {
                self.at.fetch_max(position.0, Ordering::AcqRel);
                self.unknown.store(false, Ordering::Release);
            }
            None => self.unknown.store(true, Ordering::Release),
        }
    }

    /// The position to wait for; None: unknown, read the primary.
    pub fn get(&self) -> Option<WalPosition> {
        (!self.unknown.load(Ordering::Acquire))
            .then(|| WalPosition(self.at.load(Ordering::Acquire)))
    }
}

#[derive(Debug, Clone)]
pub struct Databases {
    pub primary: PgPool,
    pub replica: Option<Arc<ReadReplica>>,
    /// Where the primary was when the newest change notification arrived: a reload after it
    /// must not read a replica that has not replayed the change.
    notified: Arc<PositionFloor>,
}

impl Databases {
    pub fn primary_only(primary: PgPool) -> Self {
        Self {
            primary,
            replica: None,
            notified: Arc::new(PositionFloor::default()),
        }
    }

    /// The primary, and the replica `read` names (its health checked from now on).
    pub fn new(primary: PgPool, read: Option<&ReadSettings>) -> Result<Self, SetupError> {
        let replica = match read {
            Some(settings) => Some(ReadReplica::start(settings, primary.clone())?),
            None => None,
        };
        Ok(Self {
            replica,
            ..Self::primary_only(primary)
        })
    }

    /// The primary's WAL position now, asked for at most a second (None: not known).
    pub async fn primary_position_now(&self) -> Option<WalPosition> {
        match tokio::time::timeout(POSITION_WITHIN, primary_position(&self.primary)).await {
            Ok(Ok(position)) => Some(position),
            failed => {
                tracing::warn!(?failed, "read replica: cannot read the primary's position");
                None
            }
        }
    }

    /// A change notification arrived: reads from now on must see what it announced. (Called
    /// before the screens hear of it.)
    pub async fn note_notification(&self) {
        if self.replica.is_some() {
            self.notified.raise(self.primary_position_now().await);
        }
    }

    /// What reads must have seen since the newest notification (None: read the primary).
    pub fn notified(&self) -> Option<WalPosition> {
        self.notified.get()
    }
}
