//! The async data task: owns the connection pool, runs the UI's requests, and answers with
//! events on the app's one event queue. The UI never awaits the database.

pub mod listener;
pub mod messages;

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{RwLock, mpsc};
use tokio::task::JoinHandle;

use crate::db::auth::{self, Actor};
use crate::db::edits::{events, orders, ticket_types, users};
use crate::db::model::count_of;
use crate::db::{DatabaseTarget, check_in, count, detail, edits, listing, sales, trash};
use crate::error::DataError;
use crate::event::AppEvent;
pub use messages::{Answer, DataErrorText, DataEvent, Envelope, Request, Slot};

/// How long a request may take before the database counts as away (the statement timeout
/// is 30 s; this leaves room to connect and commit).
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(45);

/// Runs one request as `actor`. The data task calls this for every request; tests call it
/// directly to feed real answers to the app.
pub async fn execute(
    pool: &PgPool,
    actor: Option<&Actor>,
    request: Request,
) -> Result<Answer, DataError> {
    if let Request::SignIn { email, password } = &request {
        return auth::sign_in(pool, email, password)
            .await
            .map(Answer::SignedIn);
    }
    let signed_in = actor.ok_or_else(|| DataError::Refused("sign in first".into()))?;
    // Writes act as the user is now (a role taken away counts at once); reads, and the kiosk's
    // unlock, as signed in, saving each page a round trip.
    let current;
    let actor = if request.is_write() {
        current = crate::db::permissions::current_actor(pool, signed_in).await?;
        &current
    } else {
        signed_in
    };
    match request {
        Request::SignIn { .. } => Err(DataError::Refused("already signed in".into())),
        Request::Page(query) => listing::fetch_page(pool, actor, &query)
            .await
            .map(Answer::Page),
        Request::Count {
            kind,
            parent,
            filter,
        } => count::count_rows(pool, actor, kind, parent, &filter)
            .await
            .map(Answer::Count),
        Request::Detail { kind, id } => detail::fetch_detail(pool, actor, kind, id)
            .await
            .map(|detail| Answer::Detail(Box::new(detail))),
        Request::Scan(attempt) => check_in::scan(pool, actor, &attempt)
            .await
            .map(Answer::Scanned),
        Request::DoorStatus { event_id, terminal } => {
            let counters = match event_id {
                Some(id) => Some(check_in::counters(pool, actor, id).await?),
                None => None,
            };
            let recent = check_in::recent_scans(pool, actor, &terminal, 8).await?;
            Ok(Answer::DoorStatus { counters, recent })
        }
        Request::UndoCheckIn { ticket_id } => check_in::undo_check_in(pool, actor, ticket_id)
            .await
            .map(|()| Answer::Done("check-in undone".into())),
        Request::Unlock { password } => auth::sign_in(pool, &actor.email, &password)
            .await
            .map(|_| Answer::Unlocked),
        Request::PreviewDelete(target) => trash::preview(pool, actor, target)
            .await
            .map(|preview| Answer::DeletePreview { target, preview }),
        Request::Delete(target) => trash::delete(pool, actor, target)
            .await
            .map(|gone| Answer::Done(format!("moved {} to the trash", gone.describe()))),
        Request::OrderAction { order_id, action } => {
            sales::apply_action(pool, actor, order_id, action)
                .await
                .map(|done| {
                    Answer::Done(format!(
                        "order {} is {} ({} changed)",
                        done.code,
                        done.status.label(),
                        count_of(done.tickets_changed, "ticket", "tickets")
                    ))
                })
        }
        Request::Trash(filter) => trash::list(pool, actor, &filter, 500)
            .await
            .map(Answer::Trash),
        Request::Restore { batch } => trash::restore(pool, actor, batch).await.map(Answer::Done),
        Request::Purge { batch } => trash::purge(pool, actor, batch).await.map(Answer::Done),
        Request::LoadHolder { ticket_id } => edits::load_holder_name(pool, actor, ticket_id)
            .await
            .map(Answer::HolderLoaded),
        Request::SaveHolder { loaded, name } => {
            edits::save_holder_name(pool, actor, &loaded, &name)
                .await
                .map(Answer::HolderSaved)
        }
        Request::LoadOrderNote { id } => orders::load_order_note(pool, actor, id)
            .await
            .map(Answer::OrderNoteLoaded),
        Request::SaveOrderNote { loaded, note } => {
            orders::save_order_note(pool, actor, &loaded, &note)
                .await
                .map(|saved| Answer::Saved(format!("saved the note of order {}", saved.code)))
        }
        Request::LoadEvent { id } => events::load_event(pool, actor, id)
            .await
            .map(Answer::EventLoaded),
        Request::SaveEvent { loaded, draft } => match loaded {
            None => events::create_event(pool, actor, &draft)
                .await
                .map(|saved| {
                    Answer::Saved(format!("created event “{}” (#{})", saved.title, saved.id))
                }),
            Some(loaded) => events::update_event(pool, actor, &loaded, &draft)
                .await
                .map(|saved| Answer::Saved(format!("saved event “{}”", saved.title))),
        },
        Request::LoadTicketTypes { event_id, for_sale } => {
            ticket_types::event_ticket_types(pool, actor, event_id)
                .await
                .map(|types| Answer::TicketTypes { types, for_sale })
        }
        Request::LoadTicketType { id } => ticket_types::load_ticket_type(pool, actor, id)
            .await
            .map(Answer::TicketTypeLoaded),
        Request::SaveTicketType {
            event_id,
            loaded,
            draft,
        } => match loaded {
            None => ticket_types::create_ticket_type(pool, actor, event_id, &draft)
                .await
                .map(|saved| Answer::Saved(format!("created ticket type “{}”", saved.name))),
            Some(loaded) => ticket_types::update_ticket_type(pool, actor, &loaded, &draft)
                .await
                .map(|saved| Answer::Saved(format!("saved ticket type “{}”", saved.name))),
        },
        Request::Sell(sale) => {
            sales::sell_at_box_office(pool, actor, &sale)
                .await
                .map(|(sold, buyer)| {
                    Answer::Saved(format!(
                        "sold {}: {}, {} to {buyer}",
                        sold.code,
                        count_of(sold.ticket_codes.len() as i64, "ticket", "tickets"),
                        crate::db::model::format_cents(sold.total_cents)
                    ))
                })
        }
        Request::SearchUsers { text } => users::search_users(pool, actor, &text)
            .await
            .map(Answer::Users),
        Request::LoadUser { id } => users::load_user(pool, actor, id)
            .await
            .map(Answer::UserLoaded),
        Request::SaveUser { loaded, draft } => match loaded {
            None => users::create_user(pool, actor, &draft)
                .await
                .map(|saved| Answer::Saved(format!("created user {}", saved.email))),
            Some(loaded) => users::update_user(pool, actor, &loaded, &draft)
                .await
                .map(|saved| Answer::Saved(format!("saved user {}", saved.email))),
        },
    }
}

/// Connects to `target`, then serves requests until the request channel closes. Returns the
/// database connection (with the built-in server's lease) so the caller decides when it ends.
pub async fn run(
    target: DatabaseTarget,
    mut requests: mpsc::UnboundedReceiver<Envelope>,
    events: mpsc::UnboundedSender<AppEvent>,
) -> Option<crate::db::Connection> {
    let progress_events = events.clone();
    let progress = move |step: &str| {
        let _ = progress_events.send(AppEvent::Data(DataEvent::Progress(step.to_string())));
    };
    let connection = match crate::db::open(&target, &progress).await {
        Ok(connection) => connection,
        Err(error) => {
            tracing::error!(%error, "connecting");
            let _ = events.send(AppEvent::Data(DataEvent::ConnectFailed(error.to_string())));
            // Keep draining so that senders never see a closed channel as a crash.
            while requests.recv().await.is_some() {}
            return None;
        }
    };
    let _ = events.send(AppEvent::Data(DataEvent::Connected {
        label: connection.label.clone(),
        built_in: connection.lease.is_some(),
    }));
    let live = listener::spawn(connection.pool.clone(), events.clone());
    let actor: Arc<RwLock<Option<Actor>>> = Arc::default();
    let mut running: HashMap<Slot, JoinHandle<()>> = HashMap::new();
    while let Some(Envelope {
        generation,
        request,
    }) = requests.recv().await
    {
        let slot = request.slot();
        if let Some(previous) = running.remove(&slot)
            && slot.supersedes()
        {
            // A newer request for the same view supersedes it; dropping the query future
            // also stops waiting on the server. (Scans and actions are never dropped: the
            // handle is let go and the task runs to its end.)
            previous.abort();
        }
        let pool = connection.pool.clone();
        let events = events.clone();
        let actor = actor.clone();
        let handle = tokio::spawn(async move {
            let current = actor.read().await.clone();
            // A connection cut without a word (a network gone) must not leave a screen
            // waiting forever: past the statement timeout and some, the database is away.
            let result = match tokio::time::timeout(
                ANSWER_WITHIN,
                execute(&pool, current.as_ref(), request),
            )
            .await
            {
                Ok(result) => result,
                Err(_) => Err(DataError::Unavailable(format!(
                    "no answer within {} s",
                    ANSWER_WITHIN.as_secs()
                ))),
            };
            if let Ok(Answer::SignedIn(signed_in)) = &result {
                *actor.write().await = Some(signed_in.clone());
            }
            if let Err(error) = &result {
                tracing::warn!(%error, ?slot, "request failed");
            }
            let _ = events.send(AppEvent::Data(DataEvent::Reply {
                slot,
                generation,
                result: result.map_err(DataErrorText::from),
            }));
        });
        running.retain(|_, handle| !handle.is_finished());
        running.insert(slot, handle);
    }
    live.abort();
    for (_, handle) in running {
        handle.abort();
    }
    Some(connection)
}
