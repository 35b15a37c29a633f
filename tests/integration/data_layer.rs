//! The data layer against real PostgreSQL: paging, sorting, counting, details, sign-in and
//! role scoping, each on a fresh database with the demo data.

use std::collections::HashSet;

use boxoffice::db::auth::{Role, sign_in};
use boxoffice::db::count::count_rows;
use boxoffice::db::detail::{Detail, fetch_detail};
use boxoffice::db::filter::Filter;
use boxoffice::db::listing::{ListQuery, Parent, Position, Sort, fetch_page, sort_keys};
use boxoffice::db::model::{EntityKind, Row, ScanResult};
use boxoffice::error::DataError;
use chrono::TimeZone;

use crate::common::TestDb;

const KINDS: [EntityKind; 3] = [EntityKind::Event, EntityKind::Order, EntityKind::Ticket];

fn query(kind: EntityKind, sort: Sort, position: Position, page_size: u16) -> ListQuery {
    ListQuery {
        kind,
        parent: None,
        filter: Filter::default(),
        sort,
        position,
        page_size,
    }
}

async fn walk(
    db: &TestDb,
    email: &str,
    kind: EntityKind,
    parent: Option<Parent>,
    sort: Sort,
) -> (Vec<i64>, Vec<i64>) {
    crate::common::walk(db, email, kind, parent, &Filter::default(), sort).await
}

#[tokio::test]
async fn paging_visits_every_row_once_in_every_sort_both_ways() {
    let db = TestDb::with_demo().await;
    for kind in KINDS {
        let table = match kind {
            EntityKind::Event => "SELECT count(*) FROM events WHERE deleted_at IS NULL",
            EntityKind::Order => "SELECT count(*) FROM orders WHERE deleted_at IS NULL",
            EntityKind::Ticket => "SELECT count(*) FROM tickets WHERE deleted_at IS NULL",
        };
        let total: i64 = sqlx::query_scalar(table)
            .fetch_one(&db.pool)
            .await
            .expect("count");
        for key in 0..sort_keys(kind).len() {
            for descending in [false, true] {
                let sort = Sort { key, descending };
                let (forward, backward) = walk(&db, "admin@boxoffice.test", kind, None, sort).await;
                let unique: HashSet<i64> = forward.iter().copied().collect();
                assert_eq!(
                    forward.len() as i64,
                    total,
                    "{kind:?} {sort:?}: every row once"
                );
                assert_eq!(
                    unique.len(),
                    forward.len(),
                    "{kind:?} {sort:?}: no row twice"
                );
                assert_eq!(
                    forward, backward,
                    "{kind:?} {sort:?}: backward walk sees the same order"
                );
            }
        }
    }
}

#[tokio::test]
async fn pages_follow_the_sort_order_with_ties_broken_by_id() {
    let db = TestDb::with_demo().await;
    let actor = db.actor("admin@boxoffice.test").await;
    // Orders by status: many ties, so the id must order them.
    let sort = Sort {
        key: 2,
        descending: false,
    };
    let page = fetch_page(
        &db.pool,
        &actor,
        &query(EntityKind::Order, sort, Position::First, 500),
    )
    .await
    .expect("page");
    let expected: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM orders WHERE deleted_at IS NULL ORDER BY status, id LIMIT 500",
    )
    .fetch_all(&db.pool)
    .await
    .expect("reference order");
    assert_eq!(page.rows.iter().map(Row::id).collect::<Vec<_>>(), expected);

    // Tickets by check-in time: the unchecked (NULL) sort last, in id order.
    let sort = Sort {
        key: 5,
        descending: false,
    };
    let page = fetch_page(
        &db.pool,
        &actor,
        &query(EntityKind::Ticket, sort, Position::Last, 50),
    )
    .await
    .expect("page");
    assert!(
        page.rows
            .iter()
            .all(|row| matches!(row, Row::Ticket(t) if t.checked_in_at.is_none()))
    );
}

#[tokio::test]
async fn a_reload_from_a_row_that_is_gone_still_shows_a_page() {
    let db = TestDb::with_demo().await;
    let actor = db.actor("admin@boxoffice.test").await;
    let sort = Sort::default_for(EntityKind::Event);
    let last = fetch_page(
        &db.pool,
        &actor,
        &query(EntityKind::Event, sort, Position::Last, 5),
    )
    .await
    .expect("last page");
    let cursor = last.rows.last().expect("rows").cursor();
    sqlx::query("UPDATE events SET deleted_at = now() WHERE id = $1")
        .bind(cursor.id)
        .execute(&db.pool)
        .await
        .expect("soft delete");
    let page = fetch_page(
        &db.pool,
        &actor,
        &query(EntityKind::Event, sort, Position::From(cursor), 5),
    )
    .await
    .expect("reload");
    assert_eq!(page.rows.len(), 5, "falls back to the last page");
    assert!(!page.has_after);
}

#[tokio::test]
async fn an_organizer_sees_only_their_events_and_those_events_orders_and_tickets() {
    let db = TestDb::with_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    assert_eq!(ada.role, Role::Organizer);
    let own_events: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE organizer_id = $1")
        .bind(ada.id)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    let own_orders: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM orders o JOIN events e ON e.id = o.event_id WHERE e.organizer_id = $1",
    )
    .bind(ada.id)
    .fetch_one(&db.pool)
    .await
    .expect("count");
    let all_orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert!(
        own_orders > 0 && own_orders < all_orders,
        "the demo has other organizers' orders"
    );

    let (events, _) = walk(
        &db,
        "ada@boxoffice.test",
        EntityKind::Event,
        None,
        Sort::default_for(EntityKind::Event),
    )
    .await;
    assert_eq!(events.len() as i64, own_events);
    let (orders, _) = walk(
        &db,
        "ada@boxoffice.test",
        EntityKind::Order,
        None,
        Sort::default_for(EntityKind::Order),
    )
    .await;
    assert_eq!(orders.len() as i64, own_orders);
    let count = count_rows(&db.pool, &ada, EntityKind::Order, None, &Filter::default())
        .await
        .expect("count");
    assert_eq!((count.rows, count.exact), (own_orders, true));

    // Another organizer's event and order: not found, as if they did not exist.
    let (other_event, other_order): (i64, i64) = sqlx::query_as(
        "SELECT e.id, o.id FROM orders o JOIN events e ON e.id = o.event_id \
         WHERE e.organizer_id <> $1 LIMIT 1",
    )
    .bind(ada.id)
    .fetch_one(&db.pool)
    .await
    .expect("another organizer's order");
    for (kind, id) in [
        (EntityKind::Event, other_event),
        (EntityKind::Order, other_order),
    ] {
        let result = fetch_detail(&db.pool, &ada, kind, id).await;
        assert!(
            matches!(result, Err(DataError::NotFound)),
            "{kind:?} {id}: {result:?}"
        );
    }
    // Drilling into another organizer's event lists nothing.
    let page = fetch_page(
        &db.pool,
        &ada,
        &ListQuery {
            parent: Some(Parent::Event(other_event)),
            ..query(
                EntityKind::Order,
                Sort::default_for(EntityKind::Order),
                Position::First,
                50,
            )
        },
    )
    .await
    .expect("page");
    assert!(page.rows.is_empty());
}

#[tokio::test]
async fn a_customer_sees_all_events_but_only_their_own_orders_and_tickets() {
    let db = TestDb::with_demo().await;
    // The demo customer has no generated orders; give them one to find.
    let chris = db.actor("chris@example.com").await;
    sqlx::query(
        "UPDATE orders SET user_id = $1 WHERE id IN (SELECT id FROM orders ORDER BY id LIMIT 3)",
    )
    .bind(chris.id)
    .execute(&db.pool)
    .await
    .expect("hand chris three orders");
    let (orders, _) = walk(
        &db,
        "chris@example.com",
        EntityKind::Order,
        None,
        Sort::default_for(EntityKind::Order),
    )
    .await;
    assert_eq!(orders.len(), 3);
    let own_tickets: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.user_id = $1",
    )
    .bind(chris.id)
    .fetch_one(&db.pool)
    .await
    .expect("count");
    let (tickets, _) = walk(
        &db,
        "chris@example.com",
        EntityKind::Ticket,
        None,
        Sort::default_for(EntityKind::Ticket),
    )
    .await;
    assert_eq!(tickets.len() as i64, own_tickets);
    let all_events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    let (events, _) = walk(
        &db,
        "chris@example.com",
        EntityKind::Event,
        None,
        Sort::default_for(EntityKind::Event),
    )
    .await;
    assert_eq!(events.len() as i64, all_events);
    // Event details show no sales figures to a customer.
    let Detail::Event(detail) = fetch_detail(&db.pool, &chris, EntityKind::Event, events[0])
        .await
        .expect("detail")
    else {
        panic!("an event detail");
    };
    assert!(detail.orders_by_status.is_empty());
}

#[tokio::test]
async fn support_and_staff_see_every_order() {
    let db = TestDb::with_demo().await;
    let all_orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    for email in [
        "support@boxoffice.test",
        "door@boxoffice.test",
        "admin@boxoffice.test",
    ] {
        let actor = db.actor(email).await;
        let count = count_rows(
            &db.pool,
            &actor,
            EntityKind::Order,
            None,
            &Filter::default(),
        )
        .await
        .expect("count");
        assert_eq!(count.rows, all_orders, "{email}");
    }
}

#[tokio::test]
async fn details_show_the_related_rows() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let (order_id, tickets): (i64, i64) = sqlx::query_as(
        "SELECT order_id, count(*) FROM tickets GROUP BY order_id ORDER BY count(*) DESC, order_id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("an order with tickets");
    let Detail::Order(order) = fetch_detail(&db.pool, &admin, EntityKind::Order, order_id)
        .await
        .expect("detail")
    else {
        panic!("an order detail");
    };
    assert_eq!(order.tickets.len() as i64, tickets);
    // The detail reads its related rows beside the row, as JSON: the same values as plain SQL,
    // times to the microsecond.
    let expected: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT t.code, tt.name, t.holder_name, t.status::text FROM tickets t \
         JOIN ticket_types tt ON tt.id = t.ticket_type_id \
         WHERE t.order_id = $1 AND t.deleted_at IS NULL ORDER BY t.id",
    )
    .bind(order_id)
    .fetch_all(&db.pool)
    .await
    .expect("tickets");
    let shown: Vec<(String, String, String, String)> = order
        .tickets
        .iter()
        .map(|t| {
            let status = t.status.sql_name().to_owned();
            (
                t.code.clone(),
                t.type_name.clone(),
                t.holder_name.clone(),
                status,
            )
        })
        .collect();
    assert_eq!(shown, expected);
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 3, 4, 5, 6, 7)
        .single()
        .expect("a time")
        + chrono::Duration::microseconds(123_456);
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, before, after) \
         VALUES ($1, $2, 'update', 'order', $3, '{\"note\": \"\", \"status\": \"paid\"}', \
                 '{\"note\": \"late\", \"status\": \"paid\"}')",
    )
    .bind(at)
    .bind(admin.id)
    .bind(order_id)
    .execute(&db.pool)
    .await
    .expect("an audit line");
    let Detail::Order(order) = fetch_detail(&db.pool, &admin, EntityKind::Order, order_id)
        .await
        .expect("detail")
    else {
        panic!("an order detail");
    };
    let line = order
        .history
        .iter()
        .find(|line| line.at == at)
        .expect("the change, at its time");
    assert_eq!(line.action, "update");
    assert_eq!(line.changed.as_deref(), Some("note"));
    assert!(line.actor.is_some());

    let checked_in: i64 =
        sqlx::query_scalar("SELECT id FROM tickets WHERE status = 'checked_in' LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .expect("a checked-in ticket");
    let Detail::Ticket(ticket) = fetch_detail(&db.pool, &admin, EntityKind::Ticket, checked_in)
        .await
        .expect("detail")
    else {
        panic!("a ticket detail");
    };
    assert!(ticket.ticket.checked_in_at.is_some());
    assert_eq!(ticket.scans.len(), 1, "the admission scan");
    assert_eq!(ticket.scans[0].result, ScanResult::Admitted);
    let scanned_at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT at FROM scans WHERE ticket_id = $1")
            .bind(checked_in)
            .fetch_one(&db.pool)
            .await
            .expect("the scan");
    assert_eq!(ticket.scans[0].at, scanned_at);

    let event_id: i64 = sqlx::query_scalar("SELECT event_id FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&db.pool)
        .await
        .expect("event");
    let Detail::Event(event) = fetch_detail(&db.pool, &admin, EntityKind::Event, event_id)
        .await
        .expect("detail")
    else {
        panic!("an event detail");
    };
    assert!(!event.ticket_types.is_empty());
    assert!(event.ticket_types.iter().all(|tt| tt.sold <= tt.quantity));
    let expected: Vec<(String, i64)> = sqlx::query_as(
        "SELECT tt.name, count(t.id) FILTER (WHERE t.status = 'checked_in' AND t.deleted_at IS NULL) \
         FROM ticket_types tt LEFT JOIN tickets t ON t.ticket_type_id = tt.id \
         WHERE tt.event_id = $1 AND tt.deleted_at IS NULL GROUP BY tt.id ORDER BY tt.id",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await
    .expect("ticket types");
    let shown: Vec<(String, i64)> = event
        .ticket_types
        .iter()
        .map(|tt| (tt.name.clone(), tt.checked_in))
        .collect();
    assert_eq!(shown, expected);
    let by_status: Vec<(String, i64)> = event
        .orders_by_status
        .iter()
        .map(|(status, n)| (status.label().to_owned(), *n))
        .collect();
    let expected: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status::text AS label, count(*) FROM orders \
         WHERE event_id = $1 AND deleted_at IS NULL GROUP BY status ORDER BY status",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await
    .expect("count");
    assert_eq!(by_status, expected);
    // An event's history takes in its ticket types' changes.
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after) \
         SELECT $1, 'update', 'ticket_type', id, '{\"price_cents\": 1000}', '{\"price_cents\": 1200}' \
         FROM ticket_types WHERE event_id = $2 ORDER BY id LIMIT 1",
    )
    .bind(admin.id)
    .bind(event_id)
    .execute(&db.pool)
    .await
    .expect("an audit line");
    let Detail::Event(event) = fetch_detail(&db.pool, &admin, EntityKind::Event, event_id)
        .await
        .expect("detail")
    else {
        panic!("an event detail");
    };
    assert!(
        event
            .history
            .iter()
            .any(|line| line.action == "ticket type update"
                && line.changed.as_deref() == Some("price cents")),
        "{:?}",
        event.history
    );
}

#[tokio::test]
async fn sign_in_accepts_the_right_password_only() {
    let db = TestDb::with_demo().await;
    for (email, role) in [
        ("admin@boxoffice.test", Role::Admin),
        ("ADA@boxoffice.test", Role::Organizer),
        ("support@boxoffice.test", Role::Support),
        ("door@boxoffice.test", Role::Staff),
        ("chris@example.com", Role::Customer),
    ] {
        let actor = sign_in(&db.pool, email, "demo", "test")
            .await
            .expect("demo sign-in");
        assert_eq!(actor.role, role);
    }
    let refused = |result: Result<_, DataError>| matches!(result, Err(DataError::Refused(m)) if m == "wrong email or password");
    assert!(refused(
        sign_in(&db.pool, "admin@boxoffice.test", "wrong", "test").await
    ));
    assert!(refused(
        sign_in(&db.pool, "nobody@example.com", "demo", "test").await
    ));
    // Generated customers have no password: they cannot sign in at all.
    let customer: String =
        sqlx::query_scalar("SELECT email FROM users WHERE password_hash IS NULL LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .expect("a customer");
    assert!(matches!(
        sign_in(&db.pool, &customer, "", "test").await,
        Err(DataError::Invalid(_))
    ));
    assert!(refused(sign_in(&db.pool, &customer, "demo", "test").await));
    // Hostile input is just a wrong password.
    assert!(refused(sign_in(&db.pool, "' OR 1=1 --", "x", "test").await));
    assert!(refused(
        sign_in(&db.pool, &"é".repeat(100_000), "x", "test").await
    ));
}

#[tokio::test]
async fn the_demo_data_is_realistic() {
    let db = TestDb::with_demo().await;
    let (events, past, future): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE starts_at < $1), count(*) FILTER (WHERE starts_at > $1) FROM events",
    )
    .bind(crate::common::anchor())
    .fetch_one(&db.pool)
    .await
    .expect("events");
    assert_eq!(events, 20);
    assert!(past >= 5 && future >= 5);
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT status::text FROM orders ORDER BY 1")
            .fetch_all(&db.pool)
            .await
            .expect("statuses");
    assert_eq!(statuses, ["cancelled", "paid", "pending", "refunded"]);
    let ticket_statuses: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT status::text FROM tickets ORDER BY 1")
            .fetch_all(&db.pool)
            .await
            .expect("statuses");
    assert_eq!(ticket_statuses, ["cancelled", "checked_in", "valid"]);
    // Order totals are the sum of their tickets' prices; sold counts match live tickets.
    let wrong_totals: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM orders o WHERE o.total_cents <> (SELECT sum(tt.price_cents) FROM tickets t \
         JOIN ticket_types tt ON tt.id = t.ticket_type_id WHERE t.order_id = o.id)",
    )
    .fetch_one(&db.pool)
    .await
    .expect("totals");
    assert_eq!(wrong_totals, 0);
    let wrong_sold: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ticket_types tt WHERE tt.sold <> (SELECT count(*) FROM tickets t \
         WHERE t.ticket_type_id = tt.id AND t.status <> 'cancelled')",
    )
    .fetch_one(&db.pool)
    .await
    .expect("sold");
    assert_eq!(wrong_sold, 0);
    // Codes use no look-alike characters.
    let bad_codes: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets WHERE code ~ '[01OI]'")
        .fetch_one(&db.pool)
        .await
        .expect("codes");
    assert_eq!(bad_codes, 0);
}

#[tokio::test]
async fn the_scale_seed_adds_the_proportions_asked_for() {
    let db = TestDb::with_demo().await;
    let scale = boxoffice::db::seed::Scale::from_factor(0.001).expect("valid scale");
    let schema_before = schema_outline(&db.pool).await;
    let mut steps = Vec::new();
    let added = boxoffice::db::seed::load_scale(
        &db.pool,
        scale,
        crate::common::anchor(),
        &mut boxoffice::db::progress::Progress::new(|step: &boxoffice::db::progress::Step| {
            steps.push(step.clone())
        }),
    )
    .await
    .expect("seeds");
    // The indexes, foreign keys and triggers set aside for the load are all back, as they were.
    assert_eq!(schema_outline(&db.pool).await, schema_before);
    // The copies the triggers keep were written by the seed itself, the same as the triggers'.
    let wrong_copies: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id \
                 JOIN events e ON e.id = o.event_id \
                 WHERE (o.buyer_email, o.buyer_name, o.event_title) <> (u.email, u.name, e.title)) \
              + (SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id \
                 JOIN ticket_types tt ON tt.id = t.ticket_type_id \
                 WHERE (t.order_code, t.type_name) <> (o.code, tt.name))",
    )
    .fetch_one(&db.pool)
    .await
    .expect("copies");
    assert_eq!(wrong_copies, 0);
    // The sales per organizer (added up by the seed, its triggers off) are the tickets' and
    // the orders', the demo's and the seed's, nothing counted twice (migration 0027).
    boxoffice::db::dashboard::roll_up_sales(&db.pool)
        .await
        .expect("rolled up");
    let wrong_sums: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT organizer_id, quarter, tickets FROM organizer_ticket_sales) AS kept \
         FULL JOIN (SELECT e.organizer_id, \
                           date_bin('15 minutes', t.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS quarter, \
                           count(*) AS tickets \
                    FROM tickets t JOIN ticket_types tt ON tt.id = t.ticket_type_id \
                    JOIN events e ON e.id = tt.event_id \
                    WHERE t.deleted_at IS NULL AND t.status <> 'cancelled' GROUP BY 1, 2) AS counted \
         USING (organizer_id, quarter) WHERE kept.tickets IS DISTINCT FROM counted.tickets",
    )
    .fetch_one(&db.pool)
    .await
    .expect("sums");
    assert_eq!(wrong_sums, 0);
    let wrong_totals: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT organizer_id, currency, quarter, cents FROM organizer_revenue) AS kept \
         FULL JOIN (SELECT e.organizer_id, e.currency, \
                           date_bin('15 minutes', o.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS quarter, \
                           sum(o.total_cents) AS cents \
                    FROM orders o JOIN events e ON e.id = o.event_id \
                    WHERE o.deleted_at IS NULL AND o.status = 'paid' GROUP BY 1, 2, 3) AS counted \
         USING (organizer_id, currency, quarter) WHERE kept.cents IS DISTINCT FROM counted.cents",
    )
    .fetch_one(&db.pool)
    .await
    .expect("totals");
    assert_eq!(wrong_totals, 0);
    // Every step was reported in order, ending finished.
    assert!(steps.windows(2).all(|w| w[1].number == w[0].number + 1));
    assert!(
        steps
            .last()
            .is_some_and(|step| step.is_finished() && step.done == step.total)
    );
    assert!(
        steps
            .iter()
            .any(|step| step.what.starts_with("building indexes"))
    );
    assert_eq!(
        boxoffice::db::seed::indexes_pending(&db.pool)
            .await
            .expect("pending"),
        0,
        "every index built"
    );
    assert_eq!(added.orders, 2_000);
    assert_eq!(added.events, 20);
    assert_eq!(added.ticket_types, 100);
    assert_eq!(added.users, 501);
    assert!(
        (4_000..=6_000).contains(&added.tickets),
        "{} tickets",
        added.tickets
    );
    // New rows can still be inserted: the identity sequences moved past the explicit ids.
    sqlx::query("INSERT INTO users (email, name) VALUES ('after.seed@example.com', 'After Seed')")
        .execute(&db.pool)
        .await
        .expect("identity continues after the seed");
    assert!(boxoffice::db::seed::Scale::from_factor(0.0).is_err());
    assert!(boxoffice::db::seed::Scale::from_factor(f64::NAN).is_err());
}

/// Every index, constraint and trigger of the schema, as the catalog defines them.
async fn schema_outline(pool: &sqlx::PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index \
         WHERE indrelid::regclass::text NOT LIKE 'pg_%' \
         UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
         UNION ALL SELECT tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text FROM pg_trigger \
         WHERE NOT tgisinternal ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("schema outline")
}

#[tokio::test]
async fn indexes_an_interrupted_seed_left_are_built_by_the_next_start() {
    let db = TestDb::with_demo().await;
    sqlx::query(
        "INSERT INTO seed_pending_indexes (position, name, definition) VALUES \
         (1, 'events_pending_test_idx', 'CREATE INDEX events_pending_test_idx ON public.events USING btree (venue)'), \
         (2, 'orders_pending_test_idx', 'CREATE INDEX orders_pending_test_idx ON public.orders USING btree (note)')",
    )
    .execute(&db.pool)
    .await
    .expect("queued");
    assert_eq!(
        boxoffice::db::seed::indexes_pending(&db.pool)
            .await
            .expect("pending"),
        2
    );
    let built = boxoffice::db::seed::finish_interrupted(
        &db.pool,
        &mut boxoffice::db::progress::Progress::silent(),
    )
    .await
    .expect("built");
    assert_eq!(built, 2);
    let present: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class WHERE relname IN ('events_pending_test_idx', 'orders_pending_test_idx')",
    )
    .fetch_one(&db.pool)
    .await
    .expect("indexes");
    assert_eq!(present, 2);
    assert_eq!(
        boxoffice::db::seed::indexes_pending(&db.pool)
            .await
            .expect("pending"),
        0
    );
}

/// A pooled connection that sat idle is checked before it is used (a server restart or an
/// admin's `pg_terminate_backend` kills idle ones), so the next query gets a live one; one in
/// steady use is not checked (that check was a round trip for every scan at the door).
#[tokio::test]
async fn a_connection_that_died_while_idle_is_replaced_before_use() {
    let db = TestDb::new().await;
    let pool = boxoffice::db::pool_for(db.options.clone(), 1)
        .await
        .expect("pool");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .expect("first connection");
    let terminated: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)")
        .bind(pid)
        .fetch_one(&db.pool)
        .await
        .expect("terminated");
    assert!(terminated);
    // Idle past the threshold of the check (a second), which is what this test is about.
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let again: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .expect("a live connection, not the dead one");
    assert_ne!(again, pid);
}

/// A plain list's page statement is planned once per connection and its plan kept: paging
/// used to plan it again at every page, which cost PostgreSQL more than running it.
#[tokio::test]
async fn paging_a_plain_list_keeps_its_plan() {
    let db = TestDb::with_demo().await;
    let support = db.actor("support@boxoffice.test").await;
    let one_connection = db.other_terminal().await;
    let mut position = Position::First;
    for _ in 0..10 {
        let page = fetch_page(
            &one_connection,
            &support,
            &query(
                EntityKind::Order,
                Sort::default_for(EntityKind::Order),
                position,
                10,
            ),
        )
        .await
        .expect("a page");
        position = Position::After(page.rows.last().expect("a full page").cursor());
    }
    let (generic, custom): (i64, i64) = sqlx::query_as(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements \
         WHERE statement LIKE '%(o.created_at, o.id) <%LIMIT 11'",
    )
    .fetch_one(&one_connection)
    .await
    .expect("the next pages' statement, prepared on this connection");
    assert!(
        generic >= 4 && custom <= 5,
        "planned again at each page: {generic} generic, {custom} custom plans"
    );
}
