//! The async data task: owns the connection pool, runs the UI's requests, and answers with
//! events of its own type ([`DataEvent`]) on a channel the runner reads. The UI never awaits
//! the database.

mod execute;
mod export;
pub mod listener;
pub mod reply;
pub mod request;
pub mod route;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{RwLock, mpsc};
use tokio::task::JoinHandle;

use crate::db::DatabaseSettings;
use crate::db::auth::Actor;
use crate::db::databases::Databases;
use crate::db::replica::ReplicaHealth;
pub use execute::execute;
pub use reply::{
    ActionDone, DataErrorText, DataEvent, DoorStatus, ExportDone, Loaded, Outcome, PickList, Reply,
    Saved,
};
pub use request::{Envelope, Request, Slot};
use route::{Route, SessionReads};

/// How long a request may take before the database counts as away (the statement timeout
/// is 30 s; this leaves room to connect and commit).
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(45);
/// How long a read may take on the replica before the primary is asked instead.
const REPLICA_ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Connects to the database (and the replica) `settings` name, listens for changes, then
/// serves requests until the request channel closes. Returns the database connection (with
/// the built-in server's lease) so the caller decides when it ends.
pub async fn run(
    settings: DatabaseSettings,
    mut requests: mpsc::UnboundedReceiver<Envelope>,
    events: mpsc::UnboundedSender<DataEvent>,
) -> Option<crate::db::Connection> {
    let progress_events = events.clone();
    let progress = move |step: &str| {
        let _ = progress_events.send(DataEvent::Progress(step.to_string()));
    };
    // A failed start is tried again at the user's next request (Enter on the sign-in
    // screen): a database that was being set up by another process, or was down, is
    // usually there by then.
    let mut first_request = None;
    let (connection, databases) = loop {
        let opened =
            match crate::db::open_sized(&settings.target, settings.pool_size, &progress).await {
                Ok(connection) => Databases::new(connection.pool.clone(), settings.read.as_ref())
                    .map(|databases| (connection, databases)),
                Err(error) => Err(error),
            };
        match opened {
            Ok(opened) => break opened,
            Err(error) => {
                tracing::error!(?error, "connecting");
                let words = error.plain_words();
                if let Some(Envelope {
                    generation,
                    request,
                }) = first_request.take()
                {
                    let failure = crate::data_task::DataErrorText::unavailable(words.clone());
                    let reply = Reply::failed(request.slot(), failure);
                    let _ = events.send(DataEvent::Reply { generation, reply });
                }
                let _ = events.send(DataEvent::ConnectFailed(words));
                match requests.recv().await {
                    Some(request) => {
                        progress("connecting again");
                        first_request = Some(request);
                    }
                    None => return None,
                }
            }
        }
    };
    let _ = events.send(DataEvent::Connected {
        label: connection.label.clone(),
        built_in: connection.lease.is_some(),
    });
    let live = listener::spawn(databases.clone(), events.clone());
    serve_from(databases, None, first_request, requests, events).await;
    live.abort();
    Some(connection)
}

/// Serves one app's requests on `databases` until the request channel closes, as
/// `signed_in` (an SSH session's key owner) or, until a sign-in answers, as nobody. Each
/// request runs in its own task; a newer request for a slot that supersedes cancels the
/// older one.
pub async fn serve(
    databases: Databases,
    signed_in: Option<Actor>,
    requests: mpsc::UnboundedReceiver<Envelope>,
    events: mpsc::UnboundedSender<DataEvent>,
) {
    serve_from(databases, signed_in, None, requests, events).await;
}

/// As [`serve`], answering `first` (a request that arrived before the database did) first.
async fn serve_from(
    databases: Databases,
    signed_in: Option<Actor>,
    mut first: Option<Envelope>,
    mut requests: mpsc::UnboundedReceiver<Envelope>,
    events: mpsc::UnboundedSender<DataEvent>,
) {
    let _replica_news = databases.replica.as_ref().map(|replica| {
        StopOnDrop(tokio::spawn(tell_replica_health(
            replica.health(),
            events.clone(),
        )))
    });
    let reads = Arc::new(SessionReads::new(databases));
    let actor: Arc<RwLock<Option<Actor>>> = Arc::new(RwLock::new(signed_in));
    let mut running: HashMap<Slot, JoinHandle<()>> = HashMap::new();
    loop {
        let next = match first.take() {
            Some(envelope) => Some(envelope),
            None => requests.recv().await,
        };
        let Some(Envelope {
            generation,
            request,
        }) = next
        else {
            break;
        };
        let slot = request.slot();
        if let Some(previous) = running.remove(&slot)
            && slot.supersedes()
        {
            // A newer request for the same view supersedes it; dropping the query future
            // also stops waiting on the server. (Scans and actions are never dropped: the
            // handle is let go and the task runs to its end.)
            previous.abort();
            if slot == Slot::Export {
                // A stopped export removes its file as it goes: done before the stop is
                // answered, so "removed" is true when the user reads it.
                let _ = previous.await;
            }
        }
        let reads = reads.clone();
        let events = events.clone();
        let actor = actor.clone();
        let handle = tokio::spawn(async move {
            let current = actor.read().await.clone();
            let route = request.route();
            let chosen = reads.choose(route).await;
            if let (Request::Export { spec, path, offset }, Some(current)) = (&request, &current) {
                let reply = export::run(
                    &chosen.pool,
                    current,
                    spec,
                    path,
                    *offset,
                    &events,
                    generation,
                )
                .await;
                let _ = events.send(DataEvent::Reply { generation, reply });
                return;
            }
            let wrote = request.is_write();
            let reply = match chosen.replica {
                Some(replica) => {
                    // A replica gone silent mid-query must not hold a screen for the full
                    // answer time: past a few seconds the primary is asked.
                    let reply = match tokio::time::timeout(
                        REPLICA_ANSWER_WITHIN,
                        answer(&chosen.pool, current.as_ref(), request.clone()),
                    )
                    .await
                    {
                        Ok(reply) => reply,
                        Err(_) => Reply::failed(
                            slot,
                            crate::error::DataError::Unavailable(
                                "the replica did not answer in time".into(),
                            )
                            .into(),
                        ),
                    };
                    match reply.error() {
                        // Whatever failed on the replica (gone, or a query cancelled by its
                        // replay) is asked of the primary; a replica gone is left alone.
                        Some(error) => {
                            if error.unavailable {
                                replica.read_failed(&error.message);
                            }
                            answer(&reads.primary().pool, current.as_ref(), request).await
                        }
                        None => {
                            replica.count_read();
                            reply
                        }
                    }
                }
                None => answer(&chosen.pool, current.as_ref(), request).await,
            };
            if wrote && route == Route::Primary && reply.error().is_none() {
                reads.wrote().await;
            }
            if let Some(signed_in) = reply.signed_in() {
                *actor.write().await = Some(signed_in.clone());
            }
            let _ = events.send(DataEvent::Reply { generation, reply });
        });
        running.retain(|_, handle| !handle.is_finished());
        running.insert(slot, handle);
    }
    for (_, handle) in running {
        handle.abort();
    }
}

/// Runs one request, bounded: a connection cut without a word (a network gone) must not
/// leave a screen waiting forever; past the statement timeout and some, the database is away.
async fn answer(pool: &sqlx::PgPool, actor: Option<&Actor>, request: Request) -> Reply {
    let slot = request.slot();
    match tokio::time::timeout(ANSWER_WITHIN, execute(pool, actor, request)).await {
        Ok(reply) => reply,
        Err(_) => {
            tracing::warn!(?slot, "no answer within {} s", ANSWER_WITHIN.as_secs());
            let error = crate::error::DataError::Unavailable(format!(
                "no answer within {} s",
                ANSWER_WITHIN.as_secs()
            ));
            Reply::failed(slot, error.into())
        }
    }
}

/// Tells the app whether lists come from the replica, at once and at every change.
async fn tell_replica_health(
    mut health: tokio::sync::watch::Receiver<ReplicaHealth>,
    events: mpsc::UnboundedSender<DataEvent>,
) {
    loop {
        let now = health.borrow_and_update().clone();
        if now != ReplicaHealth::Starting && events.send(DataEvent::Replica(now)).is_err() {
            return;
        }
        if health.changed().await.is_err() {
            return;
        }
    }
}

/// Stops a helper task when the session it serves ends.
struct StopOnDrop(JoinHandle<()>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
