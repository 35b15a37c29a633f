//! Which database answers each request: the one table of it, and a session's reads that see
//! its own writes.
//!
//! The primary answers every write and every read a decision rests on: seats and sales,
//! admissions and the door's counters, the version a form's save is checked against, a
//! delete's preview, sign-in. A replica may lag, and availability read from a lagging replica
//! oversells. What a person only looks at (lists, searches, counts, details, the trash,
//! pickers, dashboards, exports) may come from the replica.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::PgPool;

use crate::data_task::Request;
use crate::db::databases::Databases;
use crate::db::replica::{ReadReplica, WAIT_FOR_REPLAY, WalPosition, primary_position};

/// A position lookup that takes longer than this is given up (the primary is then read).
const POSITION_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Primary,
    /// The replica when it is healthy and has replayed what this session must see.
    Replica,
}

impl Request {
    /// Where this request is answered. No wildcard: a new request must be placed here.
    pub fn route(&self) -> Route {
        match self {
            Request::Page(_)
            | Request::Count { .. }
            | Request::Detail { .. }
            | Request::Trash(_)
            | Request::SearchUsers { .. }
            | Request::Dashboard { .. }
            | Request::Export { .. } => Route::Replica,
            // The sale form's list shows what is left to sell: the primary's word.
            Request::LoadTicketTypes { for_sale, .. } => {
                if *for_sale {
                    Route::Primary
                } else {
                    Route::Replica
                }
            }
            Request::SignIn { .. }
            | Request::Unlock { .. }
            | Request::Scan(_)
            | Request::DoorStatus { .. }
            | Request::UndoCheckIn { .. }
            | Request::PreviewDelete(_)
            | Request::Delete(_)
            | Request::OrderAction { .. }
            | Request::Restore { .. }
            | Request::Purge { .. }
            | Request::LoadHolder { .. }
            | Request::LoadOrderNote { .. }
            | Request::LoadEvent { .. }
            | Request::LoadTicketType { .. }
            | Request::LoadUser { .. }
            | Request::SaveHolder { .. }
            | Request::SaveOrderNote { .. }
            | Request::SaveEvent { .. }
            | Request::SaveTicketType { .. }
            | Request::Sell(_)
            | Request::SaveUser { .. }
            | Request::CancelExport => Route::Primary,
        }
    }
}

/// One session's way to the databases: it remembers where the primary's log was after the
/// session's last write, so the session never reads a replica that has not replayed it.
#[derive(Debug)]
pub struct SessionReads {
    databases: Databases,
    own_write: AtomicU64,
    /// The last write's position could not be read: read the primary until a write's can.
    own_write_unknown: std::sync::atomic::AtomicBool,
}

/// The database chosen for one request.
pub struct Chosen {
    pub pool: PgPool,
    /// Set when the replica answers (a failed read is then tried on the primary).
    pub replica: Option<Arc<ReadReplica>>,
}

impl SessionReads {
    pub fn new(databases: Databases) -> Self {
        Self {
            databases,
            own_write: AtomicU64::new(0),
            own_write_unknown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn databases(&self) -> &Databases {
        &self.databases
    }

    pub fn primary(&self) -> Chosen {
        Chosen {
            pool: self.databases.primary.clone(),
            replica: None,
        }
    }

    /// The database for `route`: the replica if it is in use and replays, within
    /// [`WAIT_FOR_REPLAY`], what this session has written and what notifications announced.
    pub async fn choose(&self, route: Route) -> Chosen {
        let Some(replica) = &self.databases.replica else {
            return self.primary();
        };
        if route == Route::Primary
            || !replica.in_use()
            || self.own_write_unknown.load(Ordering::Acquire)
            || self.databases.notified_unknown()
        {
            return self.primary();
        }
        let must_see = self
            .databases
            .notified()
            .max(WalPosition(self.own_write.load(Ordering::Acquire)));
        if !replica.wait_for(must_see, WAIT_FOR_REPLAY).await {
            return self.primary();
        }
        Chosen {
            pool: replica.pool().clone(),
            replica: Some(replica.clone()),
        }
    }

    /// The session has written: its next reads must see the primary as it is now.
    pub async fn wrote(&self) {
        if self.databases.replica.is_none() {
            return;
        }
        let position =
            tokio::time::timeout(POSITION_WITHIN, primary_position(&self.databases.primary)).await;
        match position {
            Ok(Ok(position)) => {
                self.own_write.fetch_max(position.0, Ordering::AcqRel);
                self.own_write_unknown.store(false, Ordering::Release);
            }
            failed => {
                // Unknown position: read the primary until the next write tells us one.
                tracing::warn!(?failed, "read replica: cannot read the primary's position");
                self.own_write_unknown.store(true, Ordering::Release);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::check_in::Scan;
    use crate::db::filter::Filter;
    use crate::db::model::EntityKind;

    #[test]
    fn reads_that_decide_or_edit_go_to_the_primary_and_looking_goes_to_the_replica() {
        let looking = [
            Request::Count {
                kind: EntityKind::Order,
                parent: None,
                filter: Filter::default(),
            },
            Request::Detail {
                kind: EntityKind::Ticket,
                id: 1,
            },
            Request::SearchUsers { text: "ada".into() },
            Request::LoadTicketTypes {
                event_id: 1,
                for_sale: false,
            },
            Request::Dashboard {
                event_id: None,
                offset: crate::zone::Tz::UTC,
                now: chrono::Utc::now(),
            },
        ];
        for request in looking {
            assert_eq!(request.route(), Route::Replica, "{request:?}");
        }
        let deciding = [
            Request::LoadTicketTypes {
                event_id: 1,
                for_sale: true,
            },
            Request::Scan(Scan {
                code: "X".into(),
                event_id: None,
                terminal: "door".into(),
                scan_key: "k".into(),
            }),
            Request::DoorStatus {
                event_id: Some(1),
                terminal: "door".into(),
            },
            Request::LoadEvent { id: 1 },
            Request::LoadUser { id: 1 },
            Request::SignIn {
                email: "a@b".into(),
                password: "p".into(),
                terminal: "t".into(),
            },
            Request::Unlock {
                password: "p".into(),
                terminal: "t".into(),
            },
            Request::UndoCheckIn { ticket_id: 1 },
        ];
        for request in deciding {
            assert_eq!(request.route(), Route::Primary, "{request:?}");
        }
    }

    #[test]
    fn every_write_goes_to_the_primary() {
        let writes = [
            Request::UndoCheckIn { ticket_id: 1 },
            Request::Restore { batch: 1 },
            Request::Purge { batch: 1 },
        ];
        for request in writes {
            assert!(request.is_write());
            assert_eq!(request.route(), Route::Primary, "{request:?}");
        }
    }
}
