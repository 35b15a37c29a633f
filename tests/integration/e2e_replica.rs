//! End to end: two apps (the release binary in tmux) on one primary, one of them reading its
//! lists from a streaming replica. A sale made in one shows in the other's list.

use std::time::{Duration, Instant};

use crate::common::replica::ReplicatedCluster;
use crate::common::tmux::{Tmux, available};

/// Starts the app in tmux on the given databases.
fn launch(name: &str, primary: &str, replica: Option<&str>) -> Tmux {
    let tmux = Tmux::start(name, 130, 30);
    tmux.wait_for("PROMPT>", Duration::from_secs(5));
    let read = replica
        .map(|url| format!("DATABASE_READ_URL='{url}' "))
        .unwrap_or_default();
    tmux.type_text(&format!(
        "env -u DATABASE_READ_URL DATABASE_URL='{primary}' {read}{}; echo EXIT''ED=$?",
        env!("CARGO_BIN_EXE_boxoffice")
    ));
    tmux.keys(&["Enter"]);
    tmux
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_at_one_desk_shows_at_a_desk_reading_the_replica() {
    if !available() {
        return;
    }
    let Some(cluster) = ReplicatedCluster::start("e2e", Duration::ZERO).await else {
        return;
    };
    let seller = launch("desk-primary", &cluster.primary_url, None);
    let watcher = launch(
        "desk-replica",
        &cluster.primary_url,
        Some(&cluster.replica_url),
    );
    for desk in [&seller, &watcher] {
        desk.wait_for("database: boxoffice@", Duration::from_secs(30));
        desk.type_text("admin@boxoffice.test");
        desk.keys(&["Enter"]);
        desk.type_text("demo");
        desk.keys(&["Enter"]);
        desk.wait_for("signed in as", Duration::from_secs(10));
    }
    // The watcher's orders, newest first, read from the replica.
    watcher.keys(&["2"]);
    watcher.wait_for("Orders · sorted by", Duration::from_secs(5));
    watcher.wait_for("+ replica", Duration::from_secs(10));

    // The seller sells one ticket of the first event at the box office.
    seller.keys(&["Enter"]);
    seller.wait_for("Orders of event", Duration::from_secs(5));
    seller.keys(&["n"]);
    seller.wait_for("Sell tickets for", Duration::from_secs(5));
    seller.type_text("replica.walker@example.com");
    seller.keys(&["Tab"]);
    seller.type_text("Replica Walker");
    seller.keys(&["Tab"]);
    seller.type_text("1");
    seller.keys(&["C-s"]);
    seller.wait_for("to Replica Walker", Duration::from_secs(5));
    let sold_at = Instant::now();

    let screen = watcher.wait_for("replica.walker@example.com", Duration::from_secs(10));
    eprintln!(
        "the sale showed at the replica desk {} ms after the seller saw it saved",
        sold_at.elapsed().as_millis()
    );
    assert!(
        screen.contains("+ replica"),
        "still reading the replica: {screen}"
    );
    for desk in [&seller, &watcher] {
        desk.keys(&["q"]);
        desk.wait_for("EXITED=0", Duration::from_secs(15));
    }
}
