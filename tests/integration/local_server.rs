//! The built-in PostgreSQL server: created on first use, reused after, shared between
//! processes, stopped by the last one out, and clear about what is missing.

use std::path::PathBuf;

use boxoffice::db::local_server::{LocalServer, LocalServerLease, find_bin_dir};
use boxoffice::db::{self, DatabaseTarget};
use boxoffice::error::LocalServerError;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn first_run_creates_migrates_and_loads_the_demo_then_stops() {
    if find_bin_dir().is_none() {
        eprintln!("skipped: no PostgreSQL server binaries on this machine");
        return;
    }
    let root = scratch("first");
    let said = std::sync::Mutex::new(Vec::<String>::new());
    let listen = |step: &str| said.lock().expect("not poisoned").push(step.to_string());
    let connection = db::open(&DatabaseTarget::BuiltIn(root.clone()), &listen)
        .await
        .expect("built-in database opens");
    let first_run = said.lock().expect("not poisoned").clone();
    assert!(
        first_run.iter().any(|step| step == "updating the schema")
            && first_run
                .iter()
                .any(|step| step.starts_with("setting up the database")),
        "{first_run:?}"
    );
    assert!(connection.label.starts_with("built-in"));
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&connection.pool)
        .await
        .expect("count");
    assert!(users > 1000, "demo data loaded: {users} users");
    let socket_only: String = sqlx::query_scalar("SHOW listen_addresses")
        .fetch_one(&connection.pool)
        .await
        .expect("show");
    assert_eq!(socket_only, "");
    let fsync: String = sqlx::query_scalar("SHOW fsync")
        .fetch_one(&connection.pool)
        .await
        .expect("show");
    assert_eq!(fsync, "on");

    // A second user of the same server (another kiosk) keeps it up when the first leaves.
    let server = LocalServer::new(root.clone()).expect("binaries");
    let (second, _) = tokio::task::spawn_blocking(move || LocalServerLease::acquire(server))
        .await
        .expect("task")
        .expect("second lease");
    connection.pool.close().await;
    let first_lease = connection.lease.expect("built-in has a lease");
    tokio::task::spawn_blocking(move || drop(first_lease))
        .await
        .expect("drop");
    assert!(
        second.server().is_running().expect("status"),
        "still up for the second user"
    );
    let probe = LocalServer::new(root.clone()).expect("binaries");
    tokio::task::spawn_blocking(move || drop(second))
        .await
        .expect("drop");
    assert!(
        !probe.is_running().expect("status"),
        "the last one out stops it"
    );

    // The next run reuses the cluster and its data, and says only what it does.
    said.lock().expect("not poisoned").clear();
    let again = db::open(&DatabaseTarget::BuiltIn(root.clone()), &listen)
        .await
        .expect("reopens");
    let next_run = said.lock().expect("not poisoned").clone();
    assert!(
        !next_run
            .iter()
            .any(|step| step == "updating the schema" || step.starts_with("setting up")),
        "{next_run:?}"
    );
    let users_again: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&again.pool)
        .await
        .expect("count");
    assert_eq!(
        users_again, users,
        "kept between runs, demo not loaded twice"
    );
    again.pool.close().await;
    let lease = again.lease.expect("lease");
    tokio::task::spawn_blocking(move || drop(lease))
        .await
        .expect("drop");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn missing_binaries_say_what_to_install() {
    let error = LocalServer::with_binaries(scratch("none"), None).expect_err("no binaries");
    let message = error.to_string();
    assert!(matches!(error, LocalServerError::BinariesNotFound));
    assert!(message.contains("apt-get install postgresql"), "{message}");
    assert!(message.contains("BOXOFFICE_PG_BIN"), "{message}");
    assert!(message.contains("DATABASE_URL"), "{message}");
}

#[test]
fn a_data_directory_from_another_major_version_is_refused() {
    let Some(bin) = find_bin_dir() else {
        eprintln!("skipped: no PostgreSQL server binaries on this machine");
        return;
    };
    let root = scratch("version");
    std::fs::create_dir_all(root.join("data")).expect("mkdir");
    std::fs::write(root.join("data/PG_VERSION"), "9\n").expect("write");
    let server = LocalServer::with_binaries(root.clone(), Some(bin)).expect("binaries");
    let error = server.ensure_running().expect_err("version mismatch");
    let message = error.to_string();
    assert!(message.contains("created by PostgreSQL 9"), "{message}");
    assert!(message.contains("BOXOFFICE_PG_BIN"), "{message}");
    let _ = std::fs::remove_dir_all(&root);
}

/// Four kiosks switched on in the same second on a new machine: the first-run set-up
/// (cluster, database, schema, demo data) happens once, the others wait for it and work.
/// Real processes, each signing in and exporting the events (the app's own start-up path,
/// without a terminal).
#[tokio::test]
async fn eight_processes_starting_at_once_on_a_fresh_directory_all_work_and_load_the_demo_once() {
    if find_bin_dir().is_none() {
        eprintln!("skipped: no PostgreSQL server binaries on this machine");
        return;
    }
    let home = scratch("eight");
    std::fs::create_dir_all(&home).expect("scratch folder");
    let started: Vec<_> = (0..8)
        .map(|_| {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_boxoffice"))
                .args(["export", "events", "--as", "admin@boxoffice.test"])
                .env_remove("DATABASE_URL")
                .env("BOXOFFICE_DATA_DIR", &home)
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", home.join("config"))
                .env("BOXOFFICE_PASSWORD", boxoffice::db::seed::DEMO_PASSWORD)
                .stdin(std::process::Stdio::null())
                .output()
        })
        .collect();
    let mut exports = Vec::new();
    for process in started {
        let output = process.await.expect("boxoffice ran");
        assert!(
            output.status.success(),
            "every process works: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        exports.push(output.stdout);
    }
    assert!(exports[0].len() > 100, "the demo's events were exported");
    assert!(
        exports.iter().all(|export| *export == exports[0]),
        "all eight saw the same events"
    );
    // Loaded once: one more open finds exactly one demo data set.
    let quiet = |_: &str| {};
    let connection = db::open(&DatabaseTarget::BuiltIn(home.join("postgres")), &quiet)
        .await
        .expect("reopens");
    let (admins, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM users WHERE email = 'admin@boxoffice.test'), \
                (SELECT count(*) FROM events)",
    )
    .fetch_one(&connection.pool)
    .await
    .expect("counts");
    let exported_events = String::from_utf8_lossy(&exports[0]).lines().count() as i64 - 1;
    assert_eq!(admins, 1);
    assert_eq!(
        events, exported_events,
        "one demo set of events, no second load"
    );
    connection.close().await;
    let _ = std::fs::remove_dir_all(&home);
}
