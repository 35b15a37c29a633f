//! One request run against the database, as one user: the data task calls this for every
//! request; tests call it directly to feed real answers to the app.

use sqlx::PgPool;

use crate::data_task::reply::{
    ActionDone, DataErrorText, DoorStatus, Loaded, Outcome, PickList, Reply, Saved,
};
use crate::data_task::{Request, Slot};
use crate::db::auth::{self, Actor};
use crate::db::edits::{events, orders, ticket_types, users};
use crate::db::{check_in, count, dashboard, detail, edits, listing, sales, trash};
use crate::error::DataError;

/// The error as the UI shows it; the driver's whole text goes to the log.
fn outcome<T>(slot: Slot, result: Result<T, DataError>) -> Outcome<T> {
    result.map_err(|error| failure(slot, error))
}

fn failure(slot: Slot, error: DataError) -> DataErrorText {
    tracing::warn!(?error, ?slot, "request failed");
    DataErrorText::from(error)
}

/// Runs `request` as `actor` (None before sign-in: only a sign-in is answered).
pub async fn execute(pool: &PgPool, actor: Option<&Actor>, request: Request) -> Reply {
    let slot = request.slot();
    if let Request::SignIn {
        email,
        password,
        terminal,
    } = &request
    {
        return Reply::SignIn(outcome(
            slot,
            auth::sign_in(pool, email, password, terminal).await,
        ));
    }
    let Some(signed_in) = actor else {
        return Reply::failed(
            slot,
            failure(slot, DataError::Refused("sign in first".into())),
        );
    };
    // Writes act as the user is now (a role taken away counts at once); reads, and the kiosk's
    // unlock, as signed in, saving each page a round trip.
    let current;
    let actor = if request.is_write() {
        match crate::db::permissions::current_actor(pool, signed_in).await {
            Ok(now) => {
                current = now;
                &current
            }
            Err(error) => return Reply::failed(slot, failure(slot, error)),
        }
    } else {
        signed_in
    };
    run(pool, actor, request).await
}

async fn run(pool: &PgPool, actor: &Actor, request: Request) -> Reply {
    let slot = request.slot();
    let done = |result: Result<ActionDone, DataError>| Reply::Action(outcome(slot, result));
    let loaded = |result: Result<Loaded, DataError>| Reply::Form(outcome(slot, result));
    let saved = |result: Result<Saved, DataError>| Reply::Save(outcome(slot, result));
    match request {
        Request::SignIn { .. } => {
            Reply::SignIn(Err(DataError::Refused("already signed in".into()).into()))
        }
        Request::Page(query) => Reply::Page(
            query.kind,
            outcome(slot, listing::fetch_page(pool, actor, &query).await),
        ),
        Request::Count {
            kind,
            parent,
            filter,
        } => Reply::Count(
            kind,
            outcome(
                slot,
                count::count_rows(pool, actor, kind, parent, &filter).await,
            ),
        ),
        Request::Detail { kind, id } => Reply::Detail(
            kind,
            outcome(
                slot,
                detail::fetch_detail(pool, actor, kind, id)
                    .await
                    .map(Box::new),
            ),
        ),
        Request::Scan(attempt) => {
            Reply::Scan(outcome(slot, check_in::scan(pool, actor, &attempt).await))
        }
        Request::DoorStatus { event_id, terminal } => Reply::DoorStatus(outcome(
            slot,
            door_status(pool, actor, event_id, &terminal).await,
        )),
        Request::UndoCheckIn { ticket_id } => done(
            check_in::undo_check_in(pool, actor, ticket_id)
                .await
                .map(|()| ActionDone::CheckInUndone),
        ),
        Request::Unlock { password, terminal } => Reply::Unlock(outcome(
            slot,
            auth::sign_in(pool, &actor.email, &password, &terminal)
                .await
                .map(|_| ()),
        )),
        Request::PreviewDelete(target) => done(
            trash::preview(pool, actor, target)
                .await
                .map(|preview| ActionDone::DeletePreview { target, preview }),
        ),
        Request::Delete(target) => done(
            trash::delete(pool, actor, target)
                .await
                .map(ActionDone::Deleted),
        ),
        Request::OrderAction { order_id, action } => done(
            sales::apply_action(pool, actor, order_id, action)
                .await
                .map(ActionDone::Order),
        ),
        Request::Restore { batch } => done(
            trash::restore(pool, actor, batch)
                .await
                .map(ActionDone::Restored),
        ),
        Request::Purge { batch } => done(
            trash::purge(pool, actor, batch)
                .await
                .map(ActionDone::Purged),
        ),
        Request::Trash(filter) => {
            Reply::Trash(outcome(slot, trash::list(pool, actor, &filter, 500).await))
        }
        Request::LoadHolder { ticket_id } => loaded(
            edits::load_holder_name(pool, actor, ticket_id)
                .await
                .map(Loaded::Holder),
        ),
        Request::LoadOrderNote { id } => loaded(
            orders::load_order_note(pool, actor, id)
                .await
                .map(Loaded::OrderNote),
        ),
        Request::LoadEvent { id } => {
            loaded(events::load_event(pool, actor, id).await.map(Loaded::Event))
        }
        Request::LoadTicketType { id } => loaded(
            ticket_types::load_ticket_type(pool, actor, id)
                .await
                .map(Loaded::TicketType),
        ),
        Request::LoadUser { id } => {
            loaded(users::load_user(pool, actor, id).await.map(Loaded::User))
        }
        Request::SaveHolder { loaded, name } => saved(
            edits::save_holder_name(pool, actor, &loaded, &name)
                .await
                .map(Saved::Holder),
        ),
        Request::SaveOrderNote { loaded, note } => saved(
            orders::save_order_note(pool, actor, &loaded, &note)
                .await
                .map(Saved::OrderNote),
        ),
        Request::SaveEvent { loaded, draft } => saved(match loaded {
            None => events::create_event(pool, actor, &draft)
                .await
                .map(|event| Saved::Event {
                    created: true,
                    event,
                }),
            Some(loaded) => events::update_event(pool, actor, &loaded, &draft)
                .await
                .map(|event| Saved::Event {
                    created: false,
                    event,
                }),
        }),
        Request::SaveTicketType {
            event_id,
            loaded,
            draft,
        } => saved(match loaded {
            None => ticket_types::create_ticket_type(pool, actor, event_id, &draft)
                .await
                .map(|ticket_type| Saved::TicketType {
                    created: true,
                    ticket_type,
                }),
            Some(loaded) => ticket_types::update_ticket_type(pool, actor, &loaded, &draft)
                .await
                .map(|ticket_type| Saved::TicketType {
                    created: false,
                    ticket_type,
                }),
        }),
        Request::Sell(sale) => saved(
            sales::sell_at_box_office(pool, actor, &sale)
                .await
                .map(|(order, buyer)| Saved::Sold { order, buyer }),
        ),
        Request::SaveUser { loaded, draft } => saved(match loaded {
            None => users::create_user(pool, actor, &draft)
                .await
                .map(|user| Saved::User {
                    created: true,
                    user,
                }),
            Some(loaded) => users::update_user(pool, actor, &loaded, &draft)
                .await
                .map(|user| Saved::User {
                    created: false,
                    user,
                }),
        }),
        Request::SearchUsers { text } => Reply::Picker(outcome(
            slot,
            users::search_users(pool, actor, &text)
                .await
                .map(PickList::Users),
        )),
        Request::LoadTicketTypes { event_id, for_sale } => Reply::Picker(outcome(
            slot,
            ticket_types::event_ticket_types(pool, actor, event_id)
                .await
                .map(|types| PickList::TicketTypes { types, for_sale }),
        )),
        // The data task runs exports itself (they report progress and take no time limit);
        // a cancel that reaches here found nothing running.
        Request::Export { .. } | Request::CancelExport => {
            Reply::Export(Ok(crate::data_task::reply::ExportDone::Cancelled))
        }
        Request::Dashboard {
            event_id,
            offset,
            now,
        } => Reply::Dashboard(outcome(
            slot,
            dashboard::load(pool, actor, event_id, now, offset)
                .await
                .map(Box::new),
        )),
    }
}

async fn door_status(
    pool: &PgPool,
    actor: &Actor,
    event_id: Option<i64>,
    terminal: &str,
) -> Result<DoorStatus, DataError> {
    let counters = match event_id {
        Some(id) => Some(check_in::counters(pool, actor, id).await?),
        None => None,
    };
    let recent = check_in::recent_scans(pool, actor, terminal, 8).await?;
    Ok(DoorStatus { counters, recent })
}
