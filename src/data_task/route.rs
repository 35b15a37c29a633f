//! Which database answers each request: the one table of it, and a session's reads that see
//! its own writes.
//!
//! The primary answers every write and every read a decision rests on: seats and sales,
//! admissions and the door's counters, the version a form's save is checked against, a
//! delete's preview, sign-in. A replica may lag, and availability read from a lagging replica
//! oversells. What a person only looks at (lists, searches, counts, details, the trash,
//! pickers, dashboards, exports) may come from the replica.

use std::sync::Arc;

use sqlx::PgPool;

use crate::data_task::Request;
use crate::db::databases::{Databases, PositionFloor};
use crate::db::replica::{ReadReplica, WAIT_FOR_REPLAY};

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
    /// Where the primary was after this session's last write.
    own_write: PositionFloor,
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
            own_write: PositionFloor::default(),
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
        if route == Route::Primary || !replica.in_use() {
            return self.primary();
        }
        let (Some(notified), Some(own_write)) = (self.databases.notified(), self.own_write.get())
        else {
            return self.primary();
        };
        if !replica
            .wait_for(notified.max(own_write), WAIT_FOR_REPLAY)
            .await
        {
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
        self.own_write
            .raise(self.databases.primary_position_now().await);
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
