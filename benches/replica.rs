//! Read replica benchmark: the list pages read from the replica beside the same pages read
//! from the primary (same data), and what read-your-writes adds to a list read right after a
//! write.
//!
//! `DATABASE_URL=postgres://…/bo_bench DATABASE_READ_URL=postgres://…replica… cargo bench
//! --bench replica` — the primary must hold the benchmark data set (`seed --scale 1`) and
//! the replica stream from it. It writes only holder names of a few tickets.

mod common;

use std::time::{Duration, Instant};

use boxoffice::data_task::route::{Route, SessionReads};
use boxoffice::db::auth::{Actor, sign_in};
use boxoffice::db::databases::Databases;
use boxoffice::db::filter::parse;
use boxoffice::db::listing::{ListQuery, Position, Sort, fetch_page};
use boxoffice::db::model::EntityKind;
use boxoffice::db::replica::{ReadSettings, ReplicaHealth};
use boxoffice::db::{DEFAULT_POOL_SIZE, pool_for, seed};
use common::percentile;
use sqlx::PgPool;

const RUNS: usize = 40;
const AFTER_WRITE_RUNS: usize = 200;

fn query(kind: EntityKind, filter: &str) -> ListQuery {
    ListQuery {
        kind,
        parent: None,
        filter: parse(kind, filter).expect("benchmark filters parse"),
        sort: Sort::default_for(kind),
        position: Position::First,
        page_size: 50,
    }
}

async fn timed_page(pool: &PgPool, actor: &Actor, query: &ListQuery) -> (f64, f64) {
    fetch_page(pool, actor, query).await.expect("page");
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        std::hint::black_box(fetch_page(pool, actor, query).await.expect("page"));
        samples.push(started.elapsed());
    }
    (
        percentile(&mut samples.clone(), 0.5),
        percentile(&mut samples, 0.99),
    )
}

#[tokio::main]
async fn main() {
    let (Ok(url), Ok(read_url)) = (
        std::env::var("DATABASE_URL"),
        std::env::var("DATABASE_READ_URL"),
    ) else {
        eprintln!(
            "set DATABASE_URL to the benchmark database and DATABASE_READ_URL to a streaming \
             replica of it (see benches/README.md)"
        );
        return;
    };
    let primary = pool_for(url.parse().expect("DATABASE_URL parses"), DEFAULT_POOL_SIZE)
        .await
        .expect("connects to the primary");
    let databases = Databases::new(
        primary.clone(),
        Some(&ReadSettings {
            url: read_url,
            pool_size: DEFAULT_POOL_SIZE,
            max_lag: Duration::from_secs(10),
        }),
    )
    .expect("replica settings");
    let replica = databases.replica.clone().expect("a replica");
    let mut health = replica.health();
    let ready = tokio::time::timeout(
        Duration::from_secs(30),
        health.wait_for(|now| *now != ReplicaHealth::Starting),
    )
    .await
    .expect("the replica's health is known within 30 s")
    .expect("health")
    .clone();
    assert_eq!(ready, ReplicaHealth::InUse, "the replica is usable");
    let admin = sign_in(
        &primary,
        "admin@boxoffice.test",
        seed::DEMO_PASSWORD,
        "bench",
    )
    .await
    .expect("admin signs in");

    println!("## Pages: primary and replica, same data ({RUNS} runs each, p50 / p99 ms)\n");
    println!("| page | primary | replica |");
    println!("|---|---:|---:|");
    let cases = [
        ("events: first page", query(EntityKind::Event, "")),
        ("orders: first page", query(EntityKind::Order, "")),
        ("tickets: first page", query(EntityKind::Ticket, "")),
        (
            "orders: /status:refunded",
            query(EntityKind::Order, "status:refunded"),
        ),
        (
            "orders: /from:2026-01-01 to:2026-01-31",
            query(EntityKind::Order, "from:2026-01-01 to:2026-01-31"),
        ),
        ("orders: /ada", query(EntityKind::Order, "ada")),
        (
            "tickets: /holder:lovelace",
            query(EntityKind::Ticket, "holder:lovelace"),
        ),
        ("tickets: /dijkstra", query(EntityKind::Ticket, "dijkstra")),
        (
            "tickets: /status:checked_in",
            query(EntityKind::Ticket, "status:checked_in"),
        ),
        ("events: /jazz", query(EntityKind::Event, "jazz")),
    ];
    for (name, query) in &cases {
        let on_primary = timed_page(&primary, &admin, query).await;
        let on_replica = timed_page(replica.pool(), &admin, query).await;
        println!(
            "| {name} | {:.1} / {:.1} | {:.1} / {:.1} |",
            on_primary.0, on_primary.1, on_replica.0, on_replica.1
        );
    }

    println!("\n## A list read right after a write ({AFTER_WRITE_RUNS} runs, p50 / p99 ms)\n");
    let ticket: i64 = sqlx::query_scalar("SELECT max(id) FROM tickets")
        .fetch_one(&primary)
        .await
        .expect("a ticket");
    let list = query(EntityKind::Order, "");
    let reads = SessionReads::new(databases.clone());
    let mut plain = Vec::new();
    let mut after_write = Vec::new();
    let mut waits = Vec::new();
    let mut on_primary_after_write = 0;
    for run in 0..AFTER_WRITE_RUNS {
        // A read with nothing to wait for.
        let started = Instant::now();
        let chosen = reads.choose(Route::Replica).await;
        fetch_page(&chosen.pool, &admin, &list).await.expect("page");
        plain.push(started.elapsed());
        // A write, then the same read: it waits until the replica has replayed the write.
        sqlx::query("UPDATE tickets SET holder_name = $2 WHERE id = $1")
            .bind(ticket)
            .bind(format!("Bench Writer {run}"))
            .execute(&primary)
            .await
            .expect("write");
        reads.wrote().await;
        let started = Instant::now();
        let chosen = reads.choose(Route::Replica).await;
        waits.push(started.elapsed());
        if chosen.replica.is_none() {
            on_primary_after_write += 1;
        }
        fetch_page(&chosen.pool, &admin, &list).await.expect("page");
        after_write.push(started.elapsed());
    }
    println!("| | p50 | p99 |");
    println!("|---|---:|---:|");
    for (name, samples) in [
        ("list read, nothing to wait for (replica)", &mut plain),
        ("wait for the replica to replay the write", &mut waits),
        (
            "list read right after a write (wait + read)",
            &mut after_write,
        ),
    ] {
        println!(
            "| {name} | {:.2} | {:.2} |",
            percentile(&mut samples.clone(), 0.5),
            percentile(samples, 0.99)
        );
    }
    println!(
        "\nafter a write, {on_primary_after_write} of {AFTER_WRITE_RUNS} reads went to the primary \
         (the replica had not replayed the write within 300 ms)"
    );
}
