//! DESIGN.md's role matrix, whole: every write the product offers, tried by every role on
//! the same rows (the organizer Ada's event, bought by the customer Chris). Allowed writes go
//! through; refused ones say so in plain words and leave every table as it was.

use crate::common::{TestDb, anchor};
use boxoffice::db::auth::{Actor, Role};
use boxoffice::db::check_in::{Scan, scan, undo_check_in};
use boxoffice::db::edits::events::{EventDraft, EventRecord, create_event, update_event};
use boxoffice::db::edits::orders::{OrderNote, load_order_note, save_order_note};
use boxoffice::db::edits::ticket_types::{
    TicketTypeDraft, TicketTypeRecord, create_ticket_type, update_ticket_type,
};
use boxoffice::db::edits::users::{UserDraft, create_user};
use boxoffice::db::edits::{HolderName, load_holder_name, save_holder_name};
use boxoffice::db::model::ScanResult;
use boxoffice::db::sales::{
    BoxOfficeSale, OrderAction, SaleLine, SoldOrder, apply_action, sell_at_box_office,
};
use boxoffice::db::trash::{self, Target};
use boxoffice::error::DataError;
use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    CreateEvent,
    EditEvent,
    DeleteEvent,
    CreateTicketType,
    EditTicketType,
    DeleteTicketType,
    Sell,
    MarkPaid,
    Cancel,
    Refund,
    Reactivate,
    EditOrderNote,
    EditHolder,
    CheckIn,
    UndoCheckIn,
    Restore,
    Purge,
    ManageUsers,
}

const WRITES: [Write; 18] = [
    Write::CreateEvent,
    Write::EditEvent,
    Write::DeleteEvent,
    Write::CreateTicketType,
    Write::EditTicketType,
    Write::DeleteTicketType,
    Write::Sell,
    Write::MarkPaid,
    Write::Cancel,
    Write::Refund,
    Write::Reactivate,
    Write::EditOrderNote,
    Write::EditHolder,
    Write::CheckIn,
    Write::UndoCheckIn,
    Write::Restore,
    Write::Purge,
    Write::ManageUsers,
];

/// Who may do what to Ada's event and Chris's orders, as DESIGN.md "Roles" says. The
/// columns: admin, Ada (organizer, her event), Grace (organizer, not her event), support,
/// door staff, Chris (customer, his own orders).
fn allowed(write: Write) -> [bool; 6] {
    const Y: bool = true;
    const N: bool = false;
    match write {
        // Grace may create events: her own.
        Write::CreateEvent => [Y, Y, Y, N, N, N],
        Write::EditEvent
        | Write::DeleteEvent
        | Write::CreateTicketType
        | Write::EditTicketType
        | Write::DeleteTicketType
        | Write::UndoCheckIn => [Y, Y, N, N, N, N],
        Write::Sell
        | Write::MarkPaid
        | Write::Refund
        | Write::Reactivate
        | Write::EditOrderNote
        | Write::Restore => [Y, Y, N, Y, N, N],
        // A customer may cancel their own pending order and rename their own tickets.
        Write::Cancel | Write::EditHolder => [Y, Y, N, Y, N, Y],
        Write::CheckIn => [Y, Y, N, N, Y, N],
        Write::Purge | Write::ManageUsers => [Y, N, N, N, N, N],
    }
}

const WHO: [&str; 6] = [
    "admin@boxoffice.test",
    "ada@boxoffice.test",
    "grace@boxoffice.test",
    "support@boxoffice.test",
    "door@boxoffice.test",
    "chris@example.com",
];

/// The rows every write acts on, made by the admin in a fresh database.
struct Targets {
    event: EventRecord,
    other_event: i64,
    ticket_type: TicketTypeRecord,
    unsold_type: i64,
    pending: i64,
    second_pending: i64,
    paid: i64,
    cancelled: i64,
    holder: HolderName,
    note: OrderNote,
    to_check_in: String,
    checked_in: i64,
    batch_to_restore: i64,
    batch_to_purge: i64,
}

fn event_draft(title: &str) -> EventDraft {
    EventDraft {
        title: title.into(),
        venue: "Main Hall".into(),
        starts_at: anchor() + Duration::days(30),
        ends_at: anchor() + Duration::days(30) + Duration::hours(2),
        description: String::new(),
        organizer_email: Some("ada@boxoffice.test".into()),
        time_zone: "Europe/Berlin".into(),
        currency: "EUR".into(),
    }
}

fn type_draft(name: &str, quantity: i32) -> TicketTypeDraft {
    TicketTypeDraft {
        name: name.into(),
        price_cents: 1000,
        quantity,
        sales_start: None,
        sales_end: None,
    }
}

async fn sell(db: &TestDb, admin: &Actor, event: i64, type_id: i64, paid: bool) -> SoldOrder {
    let sale = BoxOfficeSale {
        event_id: event,
        buyer_email: "chris@example.com".into(),
        buyer_name: String::new(),
        lines: vec![SaleLine {
            ticket_type_id: type_id,
            quantity: 1,
        }],
        note: String::new(),
        paid,
    };
    sell_at_box_office(&db.pool, admin, &sale)
        .await
        .expect("setup sale")
        .0
}

async fn latest_batch(db: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT max(id) FROM trash_batches")
        .fetch_one(&db.pool)
        .await
        .expect("a batch")
}

async fn prepare(db: &TestDb) -> Targets {
    let admin = db.actor("admin@boxoffice.test").await;
    let event = create_event(&db.pool, &admin, &event_draft("Matrix night"))
        .await
        .expect("event");
    let other_event = create_event(&db.pool, &admin, &event_draft("Matrix matinee"))
        .await
        .expect("event")
        .id;
    let ticket_type = create_ticket_type(&db.pool, &admin, event.id, &type_draft("Seat", 50))
        .await
        .expect("type");
    let unsold_type = create_ticket_type(&db.pool, &admin, event.id, &type_draft("Standing", 5))
        .await
        .expect("type")
        .id;
    let order = |paid| sell(db, &admin, event.id, ticket_type.id, paid);
    let pending = order(false).await.id;
    let second_pending = order(false).await.id;
    let paid = order(true).await;
    let cancelled = order(false).await.id;
    apply_action(&db.pool, &admin, cancelled, OrderAction::Cancel)
        .await
        .expect("cancelled");
    let to_check_in = order(true).await.ticket_codes[0].clone();
    let checked_in = order(true).await;
    let door = |code: &str| Scan {
        code: code.to_string(),
        terminal: "matrix".into(),
        event_id: None,
        scan_key: format!("setup-{code}"),
    };
    scan(&db.pool, &admin, &door(&checked_in.ticket_codes[0]))
        .await
        .expect("checked in");
    let checked_in: i64 = sqlx::query_scalar("SELECT id FROM tickets WHERE code = $1")
        .bind(&checked_in.ticket_codes[0])
        .fetch_one(&db.pool)
        .await
        .expect("ticket");
    let holder_order = order(true).await;
    let holder_ticket: i64 = sqlx::query_scalar("SELECT id FROM tickets WHERE code = $1")
        .bind(&holder_order.ticket_codes[0])
        .fetch_one(&db.pool)
        .await
        .expect("ticket");
    let holder = load_holder_name(&db.pool, &admin, holder_ticket)
        .await
        .expect("holder");
    let note = load_order_note(&db.pool, &admin, order(false).await.id)
        .await
        .expect("note");
    let restore_me = order(true).await.id;
    trash::delete(&db.pool, &admin, Target::Order(restore_me))
        .await
        .expect("deleted");
    let batch_to_restore = latest_batch(db).await;
    let purge_me = order(true).await.id;
    trash::delete(&db.pool, &admin, Target::Order(purge_me))
        .await
        .expect("deleted");
    let batch_to_purge = latest_batch(db).await;
    Targets {
        event,
        other_event,
        ticket_type,
        unsold_type,
        pending,
        second_pending,
        paid: paid.id,
        cancelled,
        holder,
        note,
        to_check_in,
        checked_in,
        batch_to_restore,
        batch_to_purge,
    }
}

/// Everything a write could change (scans excepted: every attempt is logged by design).
async fn fingerprint(db: &TestDb) -> String {
    sqlx::query_scalar(
        "SELECT md5(concat_ws('|', \
           (SELECT string_agg(t::text, ',' ORDER BY id) FROM users t), \
           (SELECT string_agg(t::text, ',' ORDER BY id) FROM events t), \
           (SELECT string_agg(t::text, ',' ORDER BY id) FROM ticket_types t), \
           (SELECT string_agg(t::text, ',' ORDER BY id) FROM orders t), \
           (SELECT string_agg(t::text, ',' ORDER BY id) FROM tickets t), \
           (SELECT string_agg(t::text, ',' ORDER BY id) FROM trash_batches t), \
           (SELECT count(*)::text FROM audit_log)))",
    )
    .fetch_one(&db.pool)
    .await
    .expect("fingerprint")
}

async fn attempt(db: &TestDb, actor: &Actor, write: Write, t: &Targets) -> Result<(), DataError> {
    let pool = &db.pool;
    let action = |order, action| apply_action(pool, actor, order, action);
    match write {
        Write::CreateEvent => create_event(pool, actor, &event_draft("Another night"))
            .await
            .map(drop),
        Write::EditEvent => update_event(pool, actor, &t.event, &event_draft("Renamed"))
            .await
            .map(drop),
        Write::DeleteEvent => trash::delete(pool, actor, Target::Event(t.other_event))
            .await
            .map(drop),
        Write::CreateTicketType => {
            create_ticket_type(pool, actor, t.event.id, &type_draft("Balcony", 10))
                .await
                .map(drop)
        }
        Write::EditTicketType => {
            update_ticket_type(pool, actor, &t.ticket_type, &type_draft("Seat", 60))
                .await
                .map(drop)
        }
        Write::DeleteTicketType => trash::delete(pool, actor, Target::TicketType(t.unsold_type))
            .await
            .map(drop),
        Write::Sell => sell_at_box_office(
            pool,
            actor,
            &BoxOfficeSale {
                event_id: t.event.id,
                buyer_email: "chris@example.com".into(),
                buyer_name: String::new(),
                lines: vec![SaleLine {
                    ticket_type_id: t.ticket_type.id,
                    quantity: 2,
                }],
                note: String::new(),
                paid: true,
            },
        )
        .await
        .map(drop),
        Write::MarkPaid => action(t.pending, OrderAction::MarkPaid).await.map(drop),
        Write::Cancel => action(t.second_pending, OrderAction::Cancel)
            .await
            .map(drop),
        Write::Refund => action(t.paid, OrderAction::Refund).await.map(drop),
        Write::Reactivate => action(t.cancelled, OrderAction::Reactivate).await.map(drop),
        Write::EditOrderNote => save_order_note(pool, actor, &t.note, "called back")
            .await
            .map(drop),
        Write::EditHolder => save_holder_name(pool, actor, &t.holder, "Renamed Holder")
            .await
            .map(drop),
        Write::CheckIn => {
            let outcome = scan(
                pool,
                actor,
                &Scan {
                    code: t.to_check_in.clone(),
                    terminal: "matrix".into(),
                    event_id: None,
                    scan_key: format!("matrix-{}", actor.email),
                },
            )
            .await?;
            // Only an admission is the write; another answer (wrong event) admits nothing.
            match outcome.result {
                ScanResult::Admitted => Ok(()),
                other => Err(DataError::Refused(other.label().to_string())),
            }
        }
        Write::UndoCheckIn => undo_check_in(pool, actor, t.checked_in).await,
        Write::Restore => trash::restore(pool, actor, t.batch_to_restore)
            .await
            .map(drop),
        Write::Purge => trash::purge(pool, actor, t.batch_to_purge).await.map(drop),
        Write::ManageUsers => create_user(
            pool,
            actor,
            &UserDraft {
                email: "matrix.user@example.com".into(),
                name: "Matrix User".into(),
                role: Role::Staff,
                password: None,
                add_key: None,
                revoke_keys: Vec::new(),
                time_zone: String::new(),
            },
        )
        .await
        .map(drop),
    }
}

/// Tries every write as the user of column `column` of the matrix, in a fresh database (so
/// every allowed write acts on the same rows).
async fn check_role(column: usize) {
    let email = WHO[column];
    let mut failures = Vec::new();
    let db = TestDb::with_demo().await;
    let targets = prepare(&db).await;
    let actor = db.actor(email).await;
    for write in WRITES {
        let expected = allowed(write)[column];
        let before = fingerprint(&db).await;
        let result = attempt(&db, &actor, write, &targets).await;
        let after = fingerprint(&db).await;
        match (&result, expected) {
            (Ok(()), true) => {
                if before == after {
                    failures.push(format!("{email} {write:?}: allowed but changed nothing"));
                }
            }
            (Err(error @ (DataError::Refused(_) | DataError::NotFound)), false)
                if before == after =>
            {
                let message = error.to_string();
                if message.is_empty()
                    || message.contains("SQL")
                    || message.contains("database error")
                {
                    failures.push(format!("{email} {write:?}: not a plain refusal: {message}"));
                }
            }
            (Err(_), false) => failures.push(format!(
                "{email} {write:?}: refused ({result:?}) but the database changed"
            )),
            _ => failures.push(format!(
                "{email} {write:?}: expected {}, got {result:?}",
                if expected { "allowed" } else { "refused" }
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn an_admin_may_do_everything() {
    check_role(0).await;
}

#[tokio::test]
async fn an_organizer_may_run_their_own_events_but_not_purge_or_manage_users() {
    check_role(1).await;
}

#[tokio::test]
async fn an_organizer_may_not_touch_another_organizers_event() {
    check_role(2).await;
}

#[tokio::test]
async fn support_may_sell_change_orders_and_restore_but_not_change_events() {
    check_role(3).await;
}

#[tokio::test]
async fn door_staff_may_only_check_in() {
    check_role(4).await;
}

#[tokio::test]
async fn a_customer_may_only_cancel_their_pending_order_and_rename_their_tickets() {
    check_role(5).await;
}
