//! Door and box-office benchmark (DESIGN.md "Performance"): check-in throughput and latency
//! with 16 kiosks at once, and order creation with 32 buyers on one ticket type.
//!
//! `DATABASE_URL=postgres://…/bo_bench cargo bench --bench door` on a database seeded with
//! `boxoffice seed --scale 1` (see benches/README.md). Each run lasts a bounded time and talks
//! only to the database it is given (run it on loopback). It checks tickets in and sells
//! tickets: run it on a benchmark database, not on real data. `BENCH_CHECK_IN_ONLY=1` measures
//! the door alone, `BENCH_SALES_ONLY=1` the sales alone, `BENCH_DOOR_RATE=N` paces the door's
//! second phase at N scans/s (1,500 unless set), `BENCH_DOOR_PACED_ONLY=1` runs that phase
//! alone (on caches the first phase has not warmed), `BENCH_DOOR_STALLS=1` names every scan
//! over 50 ms (when it was due, which kiosk).

mod common;

use common::percentile;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use boxoffice::db::auth::sign_in;
use boxoffice::db::check_in::{Scan, scan};
use boxoffice::db::model::ScanResult;
use boxoffice::db::sales::{Sale, sell};
use boxoffice::db::seed::DEMO_PASSWORD;
use boxoffice::error::DataError;
use sqlx::postgres::PgConnectOptions;

const KIOSKS: usize = 16;
const BUYERS: usize = 32;
const RUN_FOR: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!(
            "set DATABASE_URL to a benchmark database seeded with `boxoffice seed --scale 1`"
        );
        return;
    };
    let options: PgConnectOptions = url.parse().expect("DATABASE_URL parses");
    // The app's own pool (its connection checks and session settings).
    let pool = boxoffice::db::pool_for(options, (BUYERS + 4) as u32)
        .await
        .expect("connects");
    let staff = sign_in(&pool, "door@boxoffice.test", DEMO_PASSWORD, "bench")
        .await
        .expect("staff signs in");
    let seller = sign_in(&pool, "support@boxoffice.test", DEMO_PASSWORD, "bench")
        .await
        .expect("support signs in");

    println!();
    println!("| what | figure | target |");
    println!("|---|---:|---|");
    // BENCH_SALES_ONLY=1 measures the sales alone (five runs in a row on the same type).
    if std::env::var_os("BENCH_SALES_ONLY").is_none() {
        // BENCH_DOOR_PACED_ONLY=1 skips the saturated phase, to tell its after-effects
        // (dirty pages being written back) from the paced phase's own tail.
        if std::env::var_os("BENCH_DOOR_PACED_ONLY").is_none() {
            check_in(&pool, &staff, None).await;
        }
        // The door at a set rate (BENCH_DOOR_RATE scans/s, 1,500 unless set): the latency a
        // kiosk sees when the door is busy but the machine not saturated, counted from when
        // each scan was due, so that a late start counts against it.
        let rate = std::env::var("BENCH_DOOR_RATE")
            .ok()
            .and_then(|rate| rate.parse::<u32>().ok())
            .unwrap_or(1_500);
        check_in(&pool, &staff, Some(rate)).await;
    }
    // BENCH_CHECK_IN_ONLY=1 measures the door alone.
    if std::env::var_os("BENCH_CHECK_IN_ONLY").is_some() {
        return;
    }

    // Order creation: 32 buyers on one ticket type with plenty of seats, for the rate...
    let buyers: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'customer' ORDER BY id LIMIT $1")
            .bind(BUYERS as i64)
            .fetch_all(&pool)
            .await
            .expect("customers");
    let (type_id, event_id): (i64, i64) = sqlx::query_as(
        "UPDATE ticket_types SET quantity = sold + 1000000 \
         WHERE id = (SELECT max(id) FROM ticket_types WHERE deleted_at IS NULL) RETURNING id, event_id",
    )
    .fetch_one(&pool)
    .await
    .expect("a ticket type");
    let sale = |buyer: i64| Sale {
        note: "benchmark".into(),
        ..Sale::one_type(event_id, buyer, type_id, 1)
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for buyer in buyers.clone() {
        let pool = pool.clone();
        let seller = seller.clone();
        let sale = sale(buyer);
        tasks.push(tokio::spawn(async move {
            let mut sold = 0usize;
            let mut times = Vec::new();
            while started.elapsed() < RUN_FOR {
                let at = Instant::now();
                sell(&pool, &seller, &sale).await.expect("sells");
                times.push(at.elapsed());
                sold += 1;
            }
            (sold, times)
        }));
    }
    let mut orders = 0;
    let mut times = Vec::new();
    for task in tasks {
        let (sold, mut t) = task.await.expect("buyer task");
        orders += sold;
        times.append(&mut t);
    }
    let rate = orders as f64 / started.elapsed().as_secs_f64();
    println!(
        "| order creation, {BUYERS} buyers on one type | {rate:.0} orders/s | over 500 orders/s |"
    );
    println!(
        "| order creation p99 | {:.2} ms | |",
        percentile(&mut times.clone(), 0.99)
    );
    println!(
        "| order creation, slowest | {:.2} ms | |",
        percentile(&mut times, 1.0)
    );

    // ...and on the same type nearly sold out, for overselling.
    let left = 50;
    // The seats waiting in the type's blocks go back to it first, so `sold` is what is sold.
    let mut tx = pool.begin().await.expect("a transaction");
    sqlx::query("SELECT return_block_room($1)")
        .bind(type_id)
        .execute(&mut *tx)
        .await
        .expect("blocks emptied");
    sqlx::query("UPDATE ticket_types SET quantity = sold + $2 WHERE id = $1")
        .bind(type_id)
        .bind(left)
        .execute(&mut *tx)
        .await
        .expect("nearly sold out");
    tx.commit().await.expect("committed");
    let mut tasks = Vec::new();
    for buyer in buyers {
        let pool = pool.clone();
        let seller = seller.clone();
        let sale = sale(buyer);
        tasks.push(tokio::spawn(async move {
            let mut sold = 0;
            loop {
                match sell(&pool, &seller, &sale).await {
                    Ok(_) => sold += 1,
                    Err(DataError::Refused(_)) => return sold,
                    Err(other) => panic!("{other}"),
                }
            }
        }));
    }
    let mut sold = 0;
    for task in tasks {
        sold += task.await.expect("buyer task");
    }
    let (quantity, sold_now): (i32, i32) =
        sqlx::query_as("SELECT quantity, seats_sold(id, sold) FROM ticket_types WHERE id = $1")
            .bind(type_id)
            .fetch_one(&pool)
            .await
            .expect("type");
    println!(
        "| oversold, {BUYERS} buyers racing for the last {left} | {} (sold {sold}, seats {quantity}, taken {sold_now}) | 0 |",
        (sold_now - quantity).max(0) + (sold - left).max(0)
    );
}

/// Check-in: every kiosk scans its own codes, and one in ten is a code another kiosk scans
/// too, so that the same ticket reaches two doors at nearly the same instant.
/// `paced`: the kiosks' total rate, each on a fixed schedule; None: each as fast as it can.
async fn check_in(pool: &sqlx::PgPool, staff: &boxoffice::db::auth::Actor, paced: Option<u32>) {
    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT t.code FROM tickets t JOIN orders o ON o.id = t.order_id \
         WHERE t.status = 'valid' AND o.status = 'paid' AND t.deleted_at IS NULL LIMIT 400000",
    )
    .fetch_all(pool)
    .await
    .expect("valid tickets");
    let how = match paced {
        None => "as fast as they can".to_string(),
        Some(rate) => format!("paced at {rate} scans/s in all"),
    };
    println!(
        "check-in: {KIOSKS} kiosks {how} for {RUN_FOR:?} over {} valid tickets",
        codes.len()
    );
    // Kiosks at a door keep their connections: open and warm one per kiosk first (each scans
    // one ticket kept out of the run), so that the run measures scans, not 16 connections
    // opening at once.
    let (warm_up, codes) = codes.split_at(KIOSKS.min(codes.len()));
    let warming: Vec<_> = warm_up
        .iter()
        .enumerate()
        .map(|(kiosk, code)| {
            let pool = pool.clone();
            let staff = staff.clone();
            let attempt = Scan {
                code: code.clone(),
                terminal: format!("bench-{kiosk}"),
                event_id: None,
                scan_key: format!("bench-warm-up-{kiosk}-{code}"),
            };
            tokio::spawn(async move { scan(&pool, &staff, &attempt).await.expect("warm-up scan") })
        })
        .collect();
    for warming in warming {
        warming.await.expect("warm-up task");
    }
    let name_stalls = std::env::var_os("BENCH_DOOR_STALLS").is_some();
    let every = paced.map(|rate| Duration::from_secs_f64(KIOSKS as f64 / f64::from(rate.max(1))));
    let shared: Vec<String> = codes.iter().step_by(10).cloned().collect();
    let started = Instant::now();
    // What every running boxoffice process does: merge the tickets' pending search entries
    // every 2 s (migration 0020). BENCH_NO_MERGE=1 leaves the merges to the scans, as before.
    let merger = std::env::var_os("BENCH_NO_MERGE").is_none().then(|| {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(2));
            while started.elapsed() < RUN_FOR {
                every.tick().await;
                boxoffice::db::search_entries::merge_pending(&pool)
                    .await
                    .expect("merged");
            }
        })
    });
    let mut kiosks = Vec::new();
    for kiosk in 0..KIOSKS {
        let pool = pool.clone();
        let staff = staff.clone();
        let own: Vec<String> = codes.iter().skip(kiosk).step_by(KIOSKS).cloned().collect();
        let shared = shared.clone();
        kiosks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut results: Vec<(String, ScanResult)> = Vec::new();
            let mut n = 0usize;
            while started.elapsed() < RUN_FOR && n < own.len() {
                let code = if n.is_multiple_of(10) {
                    &shared[(n / 10) % shared.len()]
                } else {
                    &own[n]
                };
                let attempt = Scan {
                    code: code.clone(),
                    terminal: format!("bench-{kiosk}"),
                    event_id: None,
                    scan_key: format!("bench-{kiosk}-{n}-{}", started.elapsed().as_nanos()),
                };
                let at = match every {
                    // Kiosks start spread over one interval, each on its own schedule.
                    Some(every) => {
                        let due = started
                            + every.mul_f64(kiosk as f64 / KIOSKS as f64)
                            + every * n as u32;
                        tokio::time::sleep_until(due.into()).await;
                        due
                    }
                    None => Instant::now(),
                };
                let outcome = scan(&pool, &staff, &attempt).await.expect("scan");
                let took = at.elapsed();
                latencies.push(took);
                // BENCH_DOOR_STALLS=1 names every scan over 50 ms: when it was due, and where.
                if name_stalls && took > Duration::from_millis(50) {
                    eprintln!(
                        "stall: kiosk {kiosk} due at {:.3} s took {:.1} ms",
                        (at - started).as_secs_f64(),
                        took.as_secs_f64() * 1e3
                    );
                }
                results.push((code.clone(), outcome.result));
                n += 1;
            }
            (latencies, results)
        }));
    }
    let mut latencies = Vec::new();
    let mut admitted: HashMap<String, usize> = HashMap::new();
    let mut scans = 0usize;
    for kiosk in kiosks {
        let (mut times, results) = kiosk.await.expect("kiosk task");
        latencies.append(&mut times);
        for (code, result) in results {
            scans += 1;
            if result == ScanResult::Admitted {
                *admitted.entry(code).or_default() += 1;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(merger) = merger {
        merger.await.expect("merger task");
    }
    let doubles = admitted.values().filter(|n| **n > 1).count();
    println!(
        "| check-in throughput, {KIOSKS} kiosks {how} | {:.0} scans/s | over 1,000 scans/s |",
        scans as f64 / elapsed
    );
    println!(
        "| check-in p50 | {:.2} ms | |",
        percentile(&mut latencies.clone(), 0.5)
    );
    println!(
        "| check-in p99 | {:.2} ms | under 20 ms |",
        percentile(&mut latencies.clone(), 0.99)
    );
    // The one scan a kiosk waited longest for: a stall no percentile shows.
    println!(
        "| check-in slowest scan | {:.2} ms | |",
        percentile(&mut latencies, 1.0)
    );
    println!(
        "| double admissions | {doubles} of {} tickets admitted | 0 |",
        admitted.len()
    );
}
