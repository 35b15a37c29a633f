//! Soft delete, batch restore and purge on real PostgreSQL, with the role matrix on every
//! write: allowed and refused cases, and a refusal changes nothing.

use crate::common::{TestDb, plan_of};
use boxoffice::db::sales::{OrderAction, apply_action};
use boxoffice::db::trash::{self, Target, TrashFilter};
use boxoffice::error::DataError;
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, PgPool};

/// Live rows per table: the fingerprint of "nothing changed".
async fn live(pool: &PgPool) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM events WHERE deleted_at IS NULL), \
                (SELECT count(*) FROM ticket_types WHERE deleted_at IS NULL), \
                (SELECT count(*) FROM orders WHERE deleted_at IS NULL), \
                (SELECT count(*) FROM tickets WHERE deleted_at IS NULL)",
    )
    .fetch_one(pool)
    .await
    .expect("counts")
}

async fn event_of(db: &TestDb, organizer: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT e.id FROM events e JOIN users u ON u.id = e.organizer_id WHERE u.email = $1 ORDER BY e.id LIMIT 1",
    )
    .bind(organizer)
    .fetch_one(&db.pool)
    .await
    .expect("an event")
}

#[tokio::test]
async fn deleting_an_event_takes_its_children_and_restoring_brings_back_that_batch_only() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let event = event_of(&db, "ada@boxoffice.test").await;
    let before = live(&db.pool).await;
    // One order of the event was deleted earlier, on its own.
    let early: i64 =
        sqlx::query_scalar("SELECT id FROM orders WHERE event_id = $1 ORDER BY id LIMIT 1")
            .bind(event)
            .fetch_one(&db.pool)
            .await
            .expect("an order");
    let early_tickets: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets WHERE order_id = $1")
        .bind(early)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    trash::delete(&db.pool, &admin, Target::Order(early))
        .await
        .expect("delete an order");

    let preview = trash::preview(&db.pool, &admin, Target::Event(event))
        .await
        .expect("preview");
    assert!(
        preview.describe().contains("ticket type"),
        "{}",
        preview.describe()
    );
    let deleted = trash::delete(&db.pool, &admin, Target::Event(event))
        .await
        .expect("delete the event");
    assert_eq!(deleted, preview, "the confirmation named what went");
    let after = live(&db.pool).await;
    assert_eq!(after.0, before.0 - 1);
    assert_eq!(after.1, before.1 - deleted.ticket_types);
    assert_eq!(after.2, before.2 - deleted.orders - 1);
    assert_eq!(after.3, before.3 - deleted.tickets - early_tickets);

    let entries = trash::list(&db.pool, &admin, &TrashFilter::default(), 50)
        .await
        .expect("trash");
    assert_eq!(entries.len(), 2, "one entry per delete");
    assert_eq!(entries[0].kind, "event", "newest first");
    assert_eq!(entries[0].deleted_by.as_deref(), Some("Alex Admin"));
    // The earlier order cannot come back while its event is in the trash.
    let refused = trash::restore(&db.pool, &admin, entries[1].id).await;
    assert!(
        matches!(&refused, Err(DataError::Refused(m)) if m.contains("restore that first")),
        "{refused:?}"
    );

    trash::restore(&db.pool, &admin, entries[0].id)
        .await
        .expect("restore the event");
    let restored = live(&db.pool).await;
    assert_eq!(
        restored,
        (before.0, before.1, before.2 - 1, before.3 - early_tickets),
        "that batch, nothing more"
    );
    trash::restore(&db.pool, &admin, entries[1].id)
        .await
        .expect("now the order");
    assert_eq!(live(&db.pool).await, before);
    assert!(
        trash::list(&db.pool, &admin, &TrashFilter::default(), 50)
            .await
            .expect("trash")
            .is_empty()
    );
    let logged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action IN ('delete', 'restore')")
            .fetch_one(&db.pool)
            .await
            .expect("audit");
    assert_eq!(logged, 4);
}

#[tokio::test]
async fn a_restore_that_would_clash_is_refused_and_says_which_value() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let (order, code): (i64, String) =
        sqlx::query_as("SELECT id, code FROM orders ORDER BY id LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .expect("an order");
    trash::delete(&db.pool, &admin, Target::Order(order))
        .await
        .expect("delete");
    // A new live order takes the same code meanwhile.
    sqlx::query("INSERT INTO orders (code, user_id, event_id) SELECT code, user_id, event_id FROM orders WHERE id = $1")
        .bind(order)
        .execute(&db.pool)
        .await
        .expect("a new order with that code");
    let before = live(&db.pool).await;
    let batch = trash::list(
        &db.pool,
        &admin,
        &TrashFilter {
            kind: Some("order".into()),
            ..TrashFilter::default()
        },
        10,
    )
    .await
    .expect("trash")[0]
        .id;
    let refused = trash::restore(&db.pool, &admin, batch).await;
    assert!(
        matches!(&refused, Err(DataError::Refused(m)) if m.contains(&format!("order code {code}"))),
        "{refused:?}"
    );
    assert_eq!(live(&db.pool).await, before, "nothing changed");
}

#[tokio::test]
async fn purge_is_for_admins_and_gives_the_seats_back() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let support = db.actor("support@boxoffice.test").await;
    let (order, type_id, tickets): (i64, i64, i64) = sqlx::query_as(
        "SELECT o.id, min(t.ticket_type_id), count(*) FROM orders o JOIN tickets t ON t.order_id = o.id \
         WHERE o.status = 'paid' AND t.status = 'valid' GROUP BY o.id \
         HAVING count(DISTINCT t.ticket_type_id) = 1 ORDER BY o.id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("a paid order");
    let sold = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i32>("SELECT seats_sold(id, sold) FROM ticket_types WHERE id = $1")
            .bind(type_id)
            .fetch_one(&pool)
            .await
            .expect("sold")
    };
    let sold_before = sold(db.pool.clone()).await;
    trash::delete(&db.pool, &support, Target::Order(order))
        .await
        .expect("support deletes an order");
    assert_eq!(
        sold(db.pool.clone()).await,
        sold_before,
        "a trashed order still holds its seats"
    );
    let batch = trash::list(&db.pool, &support, &TrashFilter::default(), 10)
        .await
        .expect("support sees it")[0]
        .id;
    assert!(matches!(
        trash::purge(&db.pool, &support, batch).await,
        Err(DataError::Refused(_))
    ));
    trash::purge(&db.pool, &admin, batch)
        .await
        .expect("admin purges");
    assert_eq!(
        i64::from(sold(db.pool.clone()).await),
        i64::from(sold_before) - tickets
    );
    let gone: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE id = $1")
        .bind(order)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(gone, 0);
}

#[tokio::test]
async fn the_role_matrix_holds_for_every_write_and_refusals_change_nothing() {
    let db = TestDb::with_demo().await;
    let ada_event = event_of(&db, "ada@boxoffice.test").await;
    let grace_event = event_of(&db, "grace@boxoffice.test").await;
    let order_of = |event: i64, status: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM orders WHERE event_id = $1 AND status::text = $2 ORDER BY id LIMIT 1")
                .bind(event)
                .bind(status)
                .fetch_one(&pool)
                .await
                .expect("an order")
        }
    };
    // (who, what, allowed)
    let ada_pending = order_of(ada_event, "pending").await;
    let grace_pending = order_of(grace_event, "pending").await;
    let cases: Vec<(&str, Target, bool)> = vec![
        ("support@boxoffice.test", Target::Event(grace_event), false),
        ("door@boxoffice.test", Target::Order(grace_pending), false),
        ("chris@example.com", Target::Order(grace_pending), false),
        ("ada@boxoffice.test", Target::Event(grace_event), false),
        ("ada@boxoffice.test", Target::Order(grace_pending), false),
        ("ada@boxoffice.test", Target::Order(ada_pending), true),
        ("support@boxoffice.test", Target::Order(grace_pending), true),
        ("admin@boxoffice.test", Target::Event(grace_event), true),
    ];
    for (email, target, allowed) in cases {
        let actor = db.actor(email).await;
        let before = live(&db.pool).await;
        let result = trash::delete(&db.pool, &actor, target).await;
        if allowed {
            assert!(result.is_ok(), "{email} may delete {target:?}: {result:?}");
        } else {
            assert!(
                matches!(result, Err(DataError::Refused(_))),
                "{email} may not delete {target:?}: {result:?}"
            );
            assert_eq!(
                live(&db.pool).await,
                before,
                "{email}: a refusal changes nothing"
            );
        }
    }
    // Order actions: staff may not; a customer may cancel only their own pending order.
    let db = TestDb::with_demo().await;
    let pending: i64 =
        sqlx::query_scalar("SELECT id FROM orders WHERE status = 'pending' ORDER BY id LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .expect("a pending order");
    let staff = db.actor("door@boxoffice.test").await;
    assert!(matches!(
        apply_action(&db.pool, &staff, pending, OrderAction::MarkPaid).await,
        Err(DataError::Refused(_))
    ));
    let chris = db.actor("chris@example.com").await;
    assert!(matches!(
        apply_action(&db.pool, &chris, pending, OrderAction::Cancel).await,
        Err(DataError::Refused(_))
    ));
    sqlx::query("UPDATE orders SET user_id = $1 WHERE id = $2")
        .bind(chris.id)
        .bind(pending)
        .execute(&db.pool)
        .await
        .expect("make it chris's");
    assert!(matches!(
        apply_action(&db.pool, &chris, pending, OrderAction::MarkPaid).await,
        Err(DataError::Refused(_))
    ));
    apply_action(&db.pool, &chris, pending, OrderAction::Cancel)
        .await
        .expect("chris cancels their own pending order");
    // Trash visibility: staff and customers have none; support sees orders and tickets only.
    assert!(matches!(
        trash::list(&db.pool, &staff, &TrashFilter::default(), 10).await,
        Err(DataError::Refused(_))
    ));
    assert!(matches!(
        trash::list(&db.pool, &chris, &TrashFilter::default(), 10).await,
        Err(DataError::Refused(_))
    ));
}

#[tokio::test]
async fn a_ticket_type_goes_to_the_trash_only_while_none_of_it_is_sold() {
    let db = TestDb::with_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    let admin = db.actor("admin@boxoffice.test").await;
    let event = event_of(&db, "ada@boxoffice.test").await;
    let sold_type: i64 = sqlx::query_scalar(
        "SELECT id FROM ticket_types WHERE event_id = $1 AND sold > 0 ORDER BY id LIMIT 1",
    )
    .bind(event)
    .fetch_one(&db.pool)
    .await
    .expect("a type with sales");
    let refused = trash::delete(&db.pool, &ada, Target::TicketType(sold_type)).await;
    assert!(
        matches!(&refused, Err(DataError::Refused(m)) if m.contains("only an unsold ticket type can go to the trash")),
        "{refused:?}"
    );
    let standing = new_standing_type(&db, &ada, event).await;
    let gone = trash::delete(&db.pool, &ada, Target::TicketType(standing.id))
        .await
        .expect("deleted");
    assert!(
        gone.describe().starts_with("ticket type “Standing”"),
        "{}",
        gone.describe()
    );
    let batch: i64 =
        sqlx::query_scalar("SELECT max(id) FROM trash_batches WHERE kind = 'ticket_type'")
            .fetch_one(&db.pool)
            .await
            .expect("its batch");
    // Another type of that name meanwhile: the restore is refused and says why.
    let twin = new_standing_type(&db, &ada, event).await;
    let clash = trash::restore(&db.pool, &ada, batch).await;
    assert!(
        matches!(&clash, Err(DataError::Refused(m)) if m.contains("ticket type name Standing")),
        "{clash:?}"
    );
    trash::delete(&db.pool, &ada, Target::TicketType(twin.id))
        .await
        .expect("twin deleted");
    trash::restore(&db.pool, &ada, batch)
        .await
        .expect("restored");
    let live: bool =
        sqlx::query_scalar("SELECT deleted_at IS NULL FROM ticket_types WHERE id = $1")
            .bind(standing.id)
            .fetch_one(&db.pool)
            .await
            .expect("row");
    assert!(live);
    // The twin's batch can be purged: nothing names it.
    let twin_batch: i64 =
        sqlx::query_scalar("SELECT max(id) FROM trash_batches WHERE kind = 'ticket_type'")
            .fetch_one(&db.pool)
            .await
            .expect("batch");
    trash::purge(&db.pool, &admin, twin_batch)
        .await
        .expect("purged");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM ticket_types WHERE id = $1")
        .bind(twin.id)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_batch_others_hang_on_to_is_not_purged_until_they_go() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let event = event_of(&db, "ada@boxoffice.test").await;
    let order: i64 =
        sqlx::query_scalar("SELECT id FROM orders WHERE event_id = $1 ORDER BY id LIMIT 1")
            .bind(event)
            .fetch_one(&db.pool)
            .await
            .expect("an order");
    trash::delete(&db.pool, &admin, Target::Order(order))
        .await
        .expect("order deleted");
    let order_batch: i64 = sqlx::query_scalar("SELECT max(id) FROM trash_batches")
        .fetch_one(&db.pool)
        .await
        .expect("batch");
    trash::delete(&db.pool, &admin, Target::Event(event))
        .await
        .expect("event deleted");
    let event_batch: i64 = sqlx::query_scalar("SELECT max(id) FROM trash_batches")
        .fetch_one(&db.pool)
        .await
        .expect("batch");
    let refused = trash::purge(&db.pool, &admin, event_batch).await;
    assert!(
        matches!(&refused, Err(DataError::Refused(m)) if m.contains("purge or restore those first")),
        "{refused:?}"
    );
    trash::purge(&db.pool, &admin, order_batch)
        .await
        .expect("the order first");
    trash::purge(&db.pool, &admin, event_batch)
        .await
        .expect("then the event");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE id = $1")
        .bind(event)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(left, 0);
}

/// A sale that starts while its event is going to the trash never commits into the trashed
/// event: it waits for the trash (at the event's check or at its commit) and is refused in
/// words.
#[tokio::test]
async fn a_sale_racing_the_trash_of_its_event_is_refused_at_commit() {
    use boxoffice::db::sales::{Sale, sell};
    let db = TestDb::with_demo().await;
    let seller = db.actor("admin@boxoffice.test").await;
    let (event_id, type_id): (i64, i64) = sqlx::query_as(
        "SELECT tt.event_id, tt.id FROM ticket_types tt JOIN events e ON e.id = tt.event_id \
         WHERE tt.sold < tt.quantity AND e.deleted_at IS NULL ORDER BY tt.id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("a type with seats");
    let buyer: i64 = sqlx::query_scalar("SELECT min(id) FROM users WHERE role = 'customer'")
        .fetch_one(&db.pool)
        .await
        .expect("a buyer");
    let orders_before: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE event_id = $1")
        .bind(event_id)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    // The trash's first steps, held open: the event locked as the trash locks it, and gone.
    let trash_side = db.other_terminal().await;
    let mut trash = trash_side.begin().await.expect("a transaction");
    sqlx::query("SELECT 1 FROM events WHERE id = $1 FOR UPDATE")
        .bind(event_id)
        .execute(&mut *trash)
        .await
        .expect("locked");
    sqlx::query("UPDATE events SET deleted_at = now() WHERE id = $1")
        .bind(event_id)
        .execute(&mut *trash)
        .await
        .expect("trashed");
    let sale = {
        let pool = db.pool.clone();
        tokio::spawn(async move {
            sell(&pool, &seller, &Sale::one_type(event_id, buyer, type_id, 1)).await
        })
    };
    // Wait until the sale waits on the trash's lock (its commit-time check).
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock'",
        )
        .fetch_one(&db.pool)
        .await
        .expect("activity");
        if waiting > 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    trash.commit().await.expect("the trash commits");
    // Refused wherever it waited: at its commit-time check ("moved to the trash meanwhile"),
    // or earlier, when it looked the event up.
    match sale.await.expect("the sale task") {
        Err(DataError::Fields(errors)) => assert!(
            errors.summary().contains("moved to the trash meanwhile"),
            "{}",
            errors.summary()
        ),
        Err(DataError::Refused(_) | DataError::NotFound | DataError::Invalid(_)) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
    let orders_after: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE event_id = $1")
        .bind(event_id)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(
        orders_after, orders_before,
        "nothing was sold into the trashed event"
    );
}

/// A sale taking seats from a ticket type's block (it does not lock the type) while that
/// type, unsold, goes to the trash: the trash does not see the sale's uncommitted ticket, and
/// the sale is refused at its commit instead of leaving a ticket of a trashed type.
#[tokio::test]
async fn a_sale_from_a_seat_block_racing_the_trash_of_its_type_is_refused_at_commit() {
    let db = TestDb::with_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    let event = event_of(&db, "ada@boxoffice.test").await;
    let standing = new_standing_type(&db, &ada, event).await;
    // Seats handed to a block earlier (the sales that took them were cancelled): none sold.
    sqlx::query(
        "WITH handed AS (UPDATE ticket_types SET sold = 16 WHERE id = $1 RETURNING id) \
         INSERT INTO ticket_type_blocks (ticket_type_id, slot, room) \
         SELECT id, s, 2 FROM handed, generate_series(0, 7) AS s",
    )
    .bind(standing.id)
    .execute(&db.pool)
    .await
    .expect("blocks with room");
    // The sale's own steps, held open before its commit.
    let sale_side = db.other_terminal().await;
    let mut sale = sale_side.begin().await.expect("a transaction");
    let order: i64 = sqlx::query_scalar(
        "INSERT INTO orders (code, user_id, event_id, status, total_cents) \
         VALUES ('RACE-0001', (SELECT min(id) FROM users WHERE role = 'customer'), $1, 'paid', 500) \
         RETURNING id",
    )
    .bind(event)
    .fetch_one(&mut *sale)
    .await
    .expect("the order");
    sqlx::query(
        "INSERT INTO tickets (code, order_id, ticket_type_id, holder_name) \
         VALUES ('RACE-TICKET', $1, $2, 'Racer')",
    )
    .bind(order)
    .bind(standing.id)
    .execute(&mut *sale)
    .await
    .expect("the ticket");
    let taken: bool = sqlx::query_scalar("SELECT take_seats($1, $2, 1)")
        .bind(standing.id)
        .bind(event)
        .fetch_one(&mut *sale)
        .await
        .expect("seats from a block");
    assert!(taken);
    // The trash sees no ticket of the type (the sale's is not committed) and goes ahead.
    trash::delete(&db.pool, &ada, Target::TicketType(standing.id))
        .await
        .expect("the unsold type goes to the trash");
    let refused = sale
        .commit()
        .await
        .expect_err("the sale is refused at commit");
    assert!(
        format!("{:?}", DataError::from(refused)).contains("moved to the trash meanwhile"),
        "refused in words"
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets WHERE code = 'RACE-TICKET'")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(left, 0, "no ticket of a trashed type");
}

/// A new, unsold ticket type "Standing" (20 seats) on `event`.
async fn new_standing_type(
    db: &TestDb,
    organizer: &boxoffice::db::auth::Actor,
    event: i64,
) -> boxoffice::db::edits::ticket_types::TicketTypeRecord {
    use boxoffice::db::edits::ticket_types::{TicketTypeDraft, create_ticket_type};
    let draft = TicketTypeDraft {
        name: "Standing".into(),
        price_cents: 500,
        quantity: 20,
        sales_start: None,
        sales_end: None,
    };
    create_ticket_type(&db.pool, organizer, event, &draft)
        .await
        .expect("created")
}

/// Lookups that name no state, so need indexes holding trashed rows as well: purging deletes
/// orders, ticket types and events, and PostgreSQL's foreign keys then look for a row still
/// naming each; trashing a type counts every ticket naming it, trashed ones too; renaming an
/// event, an order's code, a type or a buyer copies the new text into every row naming it
/// (migrations 0031, 0032). Without those indexes each read the whole table: 0.4 s an order
/// at scale 1, so purging an event of a hundred orders ran past the statement timeout, and
/// 0.7 s to save an event's title. Sequential scans are priced out here, so a plan that
/// still reads the table has no index to use.
#[tokio::test]
async fn rows_naming_an_order_type_event_or_buyer_are_found_by_index_in_the_trash_too() {
    let db = TestDb::with_demo().await;
    let mut tx = db.pool.begin().await.expect("a transaction");
    sqlx::query("SET LOCAL enable_seqscan = off")
        .execute(&mut *tx)
        .await
        .expect("set");
    for lookup in [
        "SELECT 1 FROM ONLY tickets x WHERE order_id = 1 FOR KEY SHARE OF x",
        "SELECT 1 FROM ONLY tickets x WHERE ticket_type_id = 1 FOR KEY SHARE OF x",
        "SELECT 1 FROM ONLY orders x WHERE event_id = 1 FOR KEY SHARE OF x",
        "UPDATE tickets SET order_code = 'X' WHERE order_id = 1",
        "UPDATE tickets SET type_name = 'X' WHERE ticket_type_id = 1",
        "UPDATE orders SET event_title = 'X' WHERE event_id = 1",
        "UPDATE orders SET buyer_name = 'X' WHERE user_id = 1",
    ] {
        let plan = plan_of(&mut tx, lookup, PgArguments::default()).await;
        assert!(!plan.contains("Seq Scan"), "{lookup}:\n{plan}");
    }
    let mut args = PgArguments::default();
    args.add(1_i64).expect("a type");
    let plan = plan_of(&mut tx, trash::TICKETS_OF_A_TYPE, args).await;
    assert!(
        !plan.contains("Seq Scan"),
        "trashing a type's count:\n{plan}"
    );
}
