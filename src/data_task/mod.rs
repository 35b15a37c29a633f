//! The async data task: owns the connection pool, runs the UI's requests, and answers with
//! events of its own type ([`DataEvent`]) on a channel the runner reads. The UI never awaits
//! the database.

mod execute;
mod export;
pub mod listener;
pub mod reply;
pub mod request;

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{RwLock, mpsc};
use tokio::task::JoinHandle;

use crate::db::DatabaseTarget;
use crate::db::auth::Actor;
pub use execute::execute;
pub use reply::{
    ActionDone, DataErrorText, DataEvent, DoorStatus, ExportDone, Loaded, Outcome, PickList, Reply,
    Saved,
};
pub use request::{Envelope, Request, Slot};

/// How long a request may take before the database counts as away (the statement timeout
/// is 30 s; this leaves room to connect and commit).
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(45);

/// Connects to `target`, listens for changes, then serves requests until the request channel
/// closes. Returns the database connection (with the built-in server's lease) so the caller
/// decides when it ends.
pub async fn run(
    target: DatabaseTarget,
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
    let connection = loop {
        match crate::db::open(&target, &progress).await {
            Ok(connection) => break connection,
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
    let live = listener::spawn(connection.pool.clone(), events.clone());
    serve_from(
        connection.pool.clone(),
        None,
        first_request,
        requests,
        events,
    )
    .await;
    live.abort();
    Some(connection)
}

/// Serves one app's requests on `pool` until the request channel closes, as `signed_in` (an
/// SSH session's key owner) or, until a sign-in answers, as nobody. Each request runs in its
/// own task; a newer request for a slot that supersedes cancels the older one.
pub async fn serve(
    pool: PgPool,
    signed_in: Option<Actor>,
    requests: mpsc::UnboundedReceiver<Envelope>,
    events: mpsc::UnboundedSender<DataEvent>,
) {
    serve_from(pool, signed_in, None, requests, events).await;
}

/// As [`serve`], answering `first` (a request that arrived before the database did) first.
async fn serve_from(
    pool: PgPool,
    signed_in: Option<Actor>,
    mut first: Option<Envelope>,
    mut requests: mpsc::UnboundedReceiver<Envelope>,
    events: mpsc::UnboundedSender<DataEvent>,
) {
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
        let pool = pool.clone();
        let events = events.clone();
        let actor = actor.clone();
        let handle = tokio::spawn(async move {
            let current = actor.read().await.clone();
            if let (Request::Export { spec, path, offset }, Some(current)) = (&request, &current) {
                let reply =
                    export::run(&pool, current, spec, path, *offset, &events, generation).await;
                let _ = events.send(DataEvent::Reply { generation, reply });
                return;
            }
            // A connection cut without a word (a network gone) must not leave a screen
            // waiting forever: past the statement timeout and some, the database is away.
            let reply = match tokio::time::timeout(
                ANSWER_WITHIN,
                execute(&pool, current.as_ref(), request),
            )
            .await
            {
                Ok(reply) => reply,
                Err(_) => {
                    tracing::warn!(?slot, "no answer within {} s", ANSWER_WITHIN.as_secs());
                    let error = crate::error::DataError::Unavailable(format!(
                        "no answer within {} s",
                        ANSWER_WITHIN.as_secs()
                    ));
                    Reply::failed(slot, error.into())
                }
            };
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
