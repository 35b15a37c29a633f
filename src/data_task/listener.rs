//! Live updates: LISTEN for the change notifications, and tell the UI which tables changed, a
//! burst at a time. When the listening connection drops, notifications sent meanwhile are
//! lost, so the UI is told to reload what it shows.
//!
//! The triggers (migrations 0003, 0011) note each change in `pending_changes` instead of
//! notifying from the writing transaction: NOTIFY would take a cluster-wide lock at each
//! sale's and each admission's commit. Every process that listens also sends what is pending,
//! every [`SEND_EVERY`] (one of them at a time does it), and merges the tickets' pending
//! search entries every [`MERGE_EVERY`] (migration 0020) and adds the noted sales up
//! per organizer every [`ROLL_UP_EVERY`] (migration 0027).
//!
//! With a read replica, the primary's position is noted before the UI hears of a change, so
//! the reload it makes waits for the replica to have replayed the change (or reads the
//! primary).

use std::collections::BTreeSet;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;

use crate::db::databases::Databases;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::data_task::DataEvent;
use crate::error::DataError;

pub const CHANNEL: &str = "boxoffice_changes";
/// Changes arriving within this window are reported together.
const DEBOUNCE: Duration = Duration::from_millis(120);
const RETRY: Duration = Duration::from_secs(2);
/// How often the pending changes are sent: a change is on screen within this, the debounce
/// and a reload.
const SEND_EVERY: Duration = Duration::from_millis(200);
/// How often the tickets' search entries are merged: at a busy door's rate the pending lists
/// grow by about 0.5 MB a second, and a scan merges them itself past 4 MB.
const MERGE_EVERY: Duration = Duration::from_secs(2);
/// How often the noted sales are added up per organizer: a dashboard reads what is
/// not yet added up row by row, a busy box office notes about a thousand rows a second.
const ROLL_UP_EVERY: Duration = Duration::from_secs(1);

/// Stops the sender when the listener task is stopped (its future dropped).
struct StopOnDrop(JoinHandle<()>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub fn spawn(databases: Databases, events: UnboundedSender<DataEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let pool = databases.primary.clone();
        let _sender = StopOnDrop(tokio::spawn(send_pending_changes(pool.clone())));
        let _merger = StopOnDrop(tokio::spawn(merge_search_entries(pool.clone())));
        let _roller = StopOnDrop(tokio::spawn(roll_up_sales(pool.clone())));
        let mut first = true;
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(%error, "live updates: cannot connect; retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            if let Err(error) = listener.listen(CHANNEL).await {
                tracing::warn!(%error, "live updates: cannot LISTEN; retrying");
                tokio::time::sleep(RETRY).await;
                continue;
            }
            if !first && !report(&databases, &events, BTreeSet::new(), true).await {
                return;
            }
            first = false;
            if !listen(&mut listener, &databases, &events).await {
                return;
            }
            tokio::time::sleep(RETRY).await;
        }
    })
}

/// Sends the changes the triggers noted, for every listener of the database, until stopped.
async fn send_pending_changes(pool: PgPool) {
    repeat(
        SEND_EVERY,
        "live updates: sending the pending changes",
        || async {
            sqlx::query_scalar::<_, i32>("SELECT send_pending_changes()")
                .fetch_one(&pool)
                .await
                .map(drop)
                .map_err(DataError::from)
        },
    )
    .await;
}

/// Merges the tickets' pending search entries every [`MERGE_EVERY`], until stopped, so that
/// no sale has to (`db::search_entries`).
async fn merge_search_entries(pool: PgPool) {
    repeat(
        MERGE_EVERY,
        "search upkeep: merging the tickets' search entries",
        || async {
            crate::db::search_entries::merge_pending(&pool)
                .await
                .map(drop)
        },
    )
    .await;
}

/// Adds the noted sales up per organizer every [`ROLL_UP_EVERY`], until stopped
/// (`db::dashboard`).
async fn roll_up_sales(pool: PgPool) {
    repeat(
        ROLL_UP_EVERY,
        "dashboard upkeep: adding up the sales per organizer",
        || async { crate::db::dashboard::roll_up_sales(&pool).await.map(drop) },
    )
    .await;
}

/// Runs `step` every `period` until stopped; says once when it starts failing, and when it
/// works again.
async fn repeat<F, Step>(period: Duration, what: &'static str, mut step: F)
where
    F: FnMut() -> Step,
    Step: Future<Output = Result<(), DataError>>,
{
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        every.tick().await;
        match step().await {
            Ok(()) if failing => {
                tracing::info!("{what}: working again");
                failing = false;
            }
            Ok(()) => {}
            Err(error) if !failing => {
                tracing::warn!(?error, "{what}: failing; retrying");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

/// Forwards notifications until the connection fails for good (false: the app is gone).
async fn listen(
    listener: &mut PgListener,
    databases: &Databases,
    events: &UnboundedSender<DataEvent>,
) -> bool {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                let mut tables = BTreeSet::new();
                tables.insert(table_of(notification.payload()));
                let deadline = tokio::time::Instant::now() + DEBOUNCE;
                while let Ok(Ok(Some(more))) =
                    tokio::time::timeout_at(deadline, listener.try_recv()).await
                {
                    tables.insert(table_of(more.payload()));
                }
                if !report(databases, events, tables, false).await {
                    return false;
                }
            }
            // The connection dropped; the next call reconnects and listens again.
            Ok(None) => {
                tracing::info!("live updates: connection lost, reconnecting");
                if !report(databases, events, BTreeSet::new(), true).await {
                    return false;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "live updates: listener failed");
                return true;
            }
        }
    }
}

fn table_of(payload: &str) -> String {
    payload.split(':').next().unwrap_or_default().to_string()
}

async fn report(
    databases: &Databases,
    events: &UnboundedSender<DataEvent>,
    tables: BTreeSet<String>,
    reconnected: bool,
) -> bool {
    databases.note_notification().await;
    events
        .send(DataEvent::Changed {
            tables: tables.into_iter().collect(),
            reconnected,
        })
        .is_ok()
}
