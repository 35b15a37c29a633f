//! The databases one process reads and writes: the primary, and a read replica when one is
//! configured. Which request goes to which is decided in `data_task::route`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::PgPool;

use crate::db::replica::{ReadReplica, ReadSettings, WalPosition, primary_position};
use crate::error::SetupError;

#[derive(Debug, Clone)]
pub struct Databases {
    pub primary: PgPool,
    pub replica: Option<Arc<ReadReplica>>,
    /// The primary's position when the newest change notification arrived: a reload after
    /// it must not read a replica that has not replayed the change.
    notified: Arc<AtomicU64>,
    /// The newest notification's position could not be read: read the primary until the
    /// next one's can.
    notified_unknown: Arc<std::sync::atomic::AtomicBool>,
}

impl Databases {
    pub fn primary_only(primary: PgPool) -> Self {
        Self {
            primary,
            replica: None,
            notified: Arc::new(AtomicU64::new(0)),
            notified_unknown: Arc::new(std::sync::atomic::AtomicBool::new(false)),
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

    /// A change notification arrived: reads from now on must see what it announced. (Called
    /// before the screens hear of it.)
    pub async fn note_notification(&self) {
        if self.replica.is_none() {
            return;
        }
        let position = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            primary_position(&self.primary),
        )
        .await;
        match position {
            Ok(Ok(position)) => {
                self.notified.fetch_max(position.0, Ordering::AcqRel);
                self.notified_unknown.store(false, Ordering::Release);
            }
            failed => {
                // Without the position, the reload could read a replica that has not
                // replayed the change: the primary is read until a position is known again.
                tracing::warn!(?failed, "read replica: cannot read the primary's position");
                self.notified_unknown.store(true, Ordering::Release);
            }
        }
    }

    pub fn notified_unknown(&self) -> bool {
        self.notified_unknown.load(Ordering::Acquire)
    }

    pub fn notified(&self) -> WalPosition {
        WalPosition(self.notified.load(Ordering::Acquire))
    }
}
