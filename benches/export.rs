//! CSV export of every order (2M at scale 1) as an admin, with the app's own code: rows/s and
//! resident memory sampled as it goes (target: over 200k rows/s, flat under 60 MB).
//!
//! `DATABASE_URL=postgres://…/bo_bench cargo bench --bench export` (a database seeded with
//! `boxoffice seed --scale 1`).

mod common;

use std::time::Instant;

use boxoffice::db::auth::sign_in;
use boxoffice::db::export::{ExportSpec, write_csv};
use boxoffice::db::listing::Sort;
use boxoffice::db::model::EntityKind;
use boxoffice::db::{pool_for, seed};
use common::resident_kib;

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("set DATABASE_URL to a database seeded with `boxoffice seed --scale 1`");
        return;
    };
    let pool = pool_for(
        url.parse().expect("DATABASE_URL parses"),
        boxoffice::db::DEFAULT_POOL_SIZE,
    )
    .await
    .expect("connects");
    let admin = sign_in(&pool, "admin@boxoffice.test", seed::DEMO_PASSWORD, "bench")
        .await
        .expect("admin signs in");
    let offset = boxoffice::zone::Tz::UTC;
    println!(
        "| export (all rows, default sort, to a file) | rows | seconds | rows/s | RSS before | RSS peak |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for kind in [EntityKind::Order, EntityKind::Ticket] {
        let path = std::env::temp_dir().join(format!("bo-bench-export-{kind:?}.csv"));
        let file = std::io::BufWriter::with_capacity(
            256 * 1024,
            std::fs::File::create(&path).expect("file"),
        );
        let spec = ExportSpec {
            kind,
            parent: None,
            filter: Default::default(),
            sort: Sort::default_for(kind),
        };
        let before = resident_kib("self");
        let mut peak = before;
        let started = Instant::now();
        let rows = write_csv(&pool, &admin, &spec, offset, file, |_| {
            peak = peak.max(resident_kib("self"));
        })
        .await
        .expect("exported");
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "| {kind:?}s | {rows} | {seconds:.1} | {:.0} | {:.1} MB | {:.1} MB |",
            rows as f64 / seconds,
            before as f64 / 1024.0,
            peak as f64 / 1024.0
        );
        let _ = std::fs::remove_file(&path);
    }
}
