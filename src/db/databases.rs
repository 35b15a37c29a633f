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
}

impl Databases {
    pub fn primary_only(primary: PgPool) -> Self {
        Self {
            primary,
            replica: None,
            notified: Arc::new(AtomicU64::new(0)),
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
        match primary_position(&self.primary).await {
            Ok(position) => {
                self.notified.fetch_max(position.0, Ordering::AcqRel);
            }
            Err(error) => {
                // Without the position, reads wait for nothing newer: the next notification
                // or write will raise it. The replica's lag limit bounds what is missed.
                tracing::warn!(?error, "read replica: cannot read the primary's position");
            }
        }
    }

    pub fn notified(&self) -> WalPosition {
        WalPosition(self.notified.load(Ordering::Acquire))
    }
}
