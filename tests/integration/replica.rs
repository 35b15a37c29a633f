//! A read replica: lists read from it, never a session's own writes missed, never a seat
//! oversold, reloads after a notification current, and the primary taking over while the
//! replica is away. Each test makes a primary and a streaming replica of its own (the
//! built-in server code, `pg_basebackup -R`), the replica delayed to make lag certain.

use std::time::Duration;

use crate::common::replica::{ReplicatedCluster, Session, ids, list, replica_in_use};
use boxoffice::data_task::{DataEvent, Loaded, Reply, Request, Saved};
use boxoffice::db::auth::{Actor, sign_in};
use boxoffice::db::model::EntityKind;
use boxoffice::db::replica::ReplicaHealth;
use boxoffice::db::sales::{BoxOfficeSale, SaleLine};
use boxoffice::db::seed::DEMO_PASSWORD;
use sqlx::PgPool;

/// Commits reach the replica this late in the tests that need lag.
const DELAY: Duration = Duration::from_secs(3);
/// Far above the delay: a lagging replica is still read.
const LAG_LIMIT: Duration = Duration::from_secs(120);

async fn actor(pool: &PgPool, email: &str) -> Actor {
    sign_in(pool, email, DEMO_PASSWORD, "test")
        .await
        .expect("demo account signs in")
}

/// A ticket of the demo data (the newest, so the default sort shows it first).
async fn some_ticket(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT max(id) FROM tickets WHERE deleted_at IS NULL")
        .fetch_one(pool)
        .await
        .expect("a ticket")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lagging_replica_hides_other_sessions_writes_but_never_your_own() {
    let Some(cluster) = ReplicatedCluster::start("own-writes", DELAY).await else {
        return;
    };
    let primary = &cluster.primary.pool;
    let databases = cluster.databases(LAG_LIMIT);
    replica_in_use(&databases).await;
    let admin = actor(primary, "admin@boxoffice.test").await;
    let mut writer = Session::open(&databases, admin.clone());
    let mut other = Session::open(&databases, admin);
    let ticket = some_ticket(primary).await;

    let Reply::Form(Ok(Loaded::Holder(loaded))) =
        writer.ask(Request::LoadHolder { ticket_id: ticket }).await
    else {
        panic!("the holder form loads");
    };
    let saved = writer
        .ask(Request::SaveHolder {
            loaded,
            name: "Quillon Zephyrine".into(),
        })
        .await;
    assert!(
        matches!(saved, Reply::Save(Ok(Saved::Holder(_)))),
        "{saved:?}"
    );

    let replica = databases.replica.as_ref().expect("replica");
    let reads_before = replica.reads_answered();
    let seen_by_other = other
        .ask(list(EntityKind::Ticket, "holder:zephyrine"))
        .await;
    assert_eq!(
        ids(&seen_by_other),
        Vec::<i64>::new(),
        "another session reads the lagging replica, which has not replayed the save yet"
    );
    assert_eq!(
        replica.reads_answered(),
        reads_before + 1,
        "that read was answered by the replica"
    );
    let seen_by_writer = writer
        .ask(list(EntityKind::Ticket, "holder:zephyrine"))
        .await;
    assert_eq!(
        ids(&seen_by_writer),
        vec![ticket],
        "the writer sees its own write at once"
    );

    // The other session sees it too once the replica has replayed it: it was only lag.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if ids(&other
            .ask(list(EntityKind::Ticket, "holder:zephyrine"))
            .await)
            == vec![ticket]
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the replica caught up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_buyers_with_lists_on_a_lagging_replica_never_oversell() {
    let Some(cluster) = ReplicatedCluster::start("last-seats", DELAY).await else {
        return;
    };
    let primary = &cluster.primary.pool;
    let left = 5;
    let (type_id, event_id): (i64, i64) = sqlx::query_as(
        "UPDATE ticket_types SET quantity = seats_sold(id, sold) + $1 \
         WHERE id = (SELECT min(id) FROM ticket_types) RETURNING id, event_id",
    )
    .bind(left)
    .fetch_one(primary)
    .await
    .expect("a ticket type");
    let databases = cluster.databases(LAG_LIMIT);
    replica_in_use(&databases).await;
    let seller = actor(primary, "support@boxoffice.test").await;
    let emails: Vec<String> = (0..32).map(|n| format!("racer{n}@example.com")).collect();
    let mut racers = Vec::new();
    for email in emails {
        let mut session = Session::open(&databases, seller.clone());
        racers.push(tokio::spawn(async move {
            // What the seller looks at first comes from the (lagging) replica ...
            let looked = session
                .ask(Request::LoadTicketTypes {
                    event_id,
                    for_sale: false,
                })
                .await;
            assert!(looked.error().is_none(), "{looked:?}");
            // ... the sale itself is the primary's decision.
            session
                .ask(Request::Sell(BoxOfficeSale {
                    event_id,
                    buyer_email: email,
                    buyer_name: "Racing Buyer".into(),
                    lines: vec![SaleLine {
                        ticket_type_id: type_id,
                        quantity: 1,
                    }],
                    note: String::new(),
                    paid: true,
                }))
                .await
        }));
    }
    let (mut sold, mut refused) = (0, 0);
    for racer in racers {
        match racer.await.expect("buyer") {
            Reply::Save(Ok(Saved::Sold { .. })) => sold += 1,
            Reply::Save(Err(error)) => {
                assert!(error.message.contains("sold out"), "{error:?}");
                refused += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((sold, refused), (left, 32 - left));
    let (quantity, sold_now, live): (i32, i32, i64) = sqlx::query_as(
        "SELECT quantity, seats_sold(id, sold), \
         (SELECT count(*) FROM tickets WHERE ticket_type_id = $1 AND status <> 'cancelled') \
         FROM ticket_types WHERE id = $1",
    )
    .bind(type_id)
    .fetch_one(primary)
    .await
    .expect("type");
    assert_eq!(sold_now, quantity, "sold out exactly, 0 oversold");
    assert_eq!(i64::from(sold_now), live, "the counter matches the tickets");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reload_on_a_change_notification_shows_the_change() {
    let Some(cluster) = ReplicatedCluster::start("notified", DELAY).await else {
        return;
    };
    let primary = &cluster.primary.pool;
    let databases = cluster.databases(LAG_LIMIT);
    replica_in_use(&databases).await;
    let (changes_tx, mut changes) = tokio::sync::mpsc::unbounded_channel();
    let listener = boxoffice::data_task::listener::spawn(databases.clone(), changes_tx);
    let mut viewer = Session::open(&databases, actor(primary, "admin@boxoffice.test").await);
    let ticket = some_ticket(primary).await;
    // Another terminal (psql, another process) changes a ticket.
    sqlx::query("UPDATE tickets SET holder_name = 'Notified Xanthippe' WHERE id = $1")
        .bind(ticket)
        .execute(primary)
        .await
        .expect("update");
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), changes.recv())
            .await
            .expect("a notification within 10 s")
            .expect("listener");
        if let DataEvent::Changed { tables, .. } = event
            && tables.iter().any(|table| table == "tickets")
        {
            break;
        }
    }
    let on_replica: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tickets WHERE holder_name = 'Notified Xanthippe'")
            .fetch_one(&cluster.replica_pool())
            .await
            .expect("replica answers");
    assert_eq!(on_replica, 0, "the replica has not replayed the change yet");
    let reloaded = viewer
        .ask(list(EntityKind::Ticket, "holder:xanthippe"))
        .await;
    assert_eq!(
        ids(&reloaded),
        vec![ticket],
        "the reload waited for the change's position"
    );
    listener.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_stopped_mid_session_hands_reads_to_the_primary_and_gets_them_back() {
    let Some(cluster) = ReplicatedCluster::start("outage", Duration::ZERO).await else {
        return;
    };
    let primary = &cluster.primary.pool;
    let databases = cluster.databases(LAG_LIMIT);
    replica_in_use(&databases).await;
    let replica = databases.replica.clone().expect("replica");
    let mut session = Session::open(&databases, actor(primary, "admin@boxoffice.test").await);
    session
        .replica_news(|health| *health == ReplicaHealth::InUse)
        .await;
    let before = replica.reads_answered();
    let page = session.ask(list(EntityKind::Order, "")).await;
    assert!(!ids(&page).is_empty());
    assert_eq!(
        replica.reads_answered(),
        before + 1,
        "read from the replica"
    );

    cluster.stop_replica().await;
    let page = session.ask(list(EntityKind::Order, "")).await;
    assert!(!ids(&page).is_empty(), "lists keep working on the primary");
    let news = session
        .replica_news(|health| matches!(health, ReplicaHealth::Away(_)))
        .await;
    let ReplicaHealth::Away(why) = news else {
        unreachable!()
    };
    assert!(why.contains("replica"), "{why}");
    let away = replica.reads_answered();
    let page = session.ask(list(EntityKind::Event, "")).await;
    assert!(!ids(&page).is_empty());
    assert_eq!(
        replica.reads_answered(),
        away,
        "not read from the stopped replica"
    );

    cluster.start_replica().await;
    session
        .replica_news(|health| *health == ReplicaHealth::InUse)
        .await;
    let page = session.ask(list(EntityKind::Order, "")).await;
    assert!(!ids(&page).is_empty());
    assert_eq!(
        replica.reads_answered(),
        away + 1,
        "read from the replica again"
    );
}
