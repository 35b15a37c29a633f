//! Every message a person sees about the database is in plain words: what happened and what
//! boxoffice will do. The driver's own text ("error returned from database", "os error 2")
//! goes to the log only.

use crate::common::TestDb;
use boxoffice::data_task::{self, DataEvent, Envelope, Reply, Request};
use boxoffice::db::{self, DatabaseTarget};
use boxoffice::error::DataError;
use tokio::sync::mpsc;

const DRIVER_WORDS: [&str; 6] = [
    "error returned from database",
    "error communicating with database",
    "os error",
    "No such file",
    "SQLSTATE",
    "pool timed out",
];

fn assert_plain(words: &str) {
    for driver in DRIVER_WORDS {
        assert!(
            !words.contains(driver),
            "driver text `{driver}` in: {words}"
        );
    }
    assert!(!words.is_empty());
}

/// A URL for a database on the test server that nobody has created.
fn url_of(db: &TestDb, database: &str) -> String {
    let options = &db.options;
    let host = options
        .get_socket()
        .map(|dir| dir.display().to_string())
        .unwrap_or_else(|| options.get_host().to_string());
    format!(
        "postgres://{}@localhost:{}/{database}?host={host}",
        options.get_username(),
        options.get_port()
    )
}

async fn setup_words(target: &DatabaseTarget) -> String {
    let quiet = |_: &str| {};
    let error = db::open(target, &quiet)
        .await
        .expect_err("the database cannot be opened");
    error.plain_words()
}

#[tokio::test]
async fn each_kind_of_database_failure_is_said_in_plain_words() {
    let db = TestDb::new().await;

    // No server at that address (the socket file is not there).
    let words = setup_words(&DatabaseTarget::Url(
        "postgres://nobody@localhost/boxoffice?host=/nonexistent/socket".into(),
    ))
    .await;
    assert_plain(&words);
    assert!(words.contains("cannot be reached"), "{words}");
    assert!(words.contains("press Enter to try again"), "{words}");

    // The server is there, the database is not.
    let words = setup_words(&DatabaseTarget::Url(url_of(&db, "no_such_database_here"))).await;
    assert_plain(&words);
    assert!(words.contains("does not exist"), "{words}");

    // Not a URL at all.
    let words = setup_words(&DatabaseTarget::Url("postgres://[".into())).await;
    assert_plain(&words);
    assert!(words.contains("not a valid postgres:// URL"), "{words}");

    // A statement the server refuses: said plainly, the server's words kept for the log.
    let refused = sqlx::query("SELECT 1 / 0").execute(&db.pool).await;
    let error = DataError::from(refused.expect_err("division by zero"));
    assert_plain(&error.to_string());
    assert!(
        format!("{error:?}").contains("division by zero"),
        "the log keeps it"
    );

    // The connection gone: plain, and what to do.
    db.pool.close().await;
    let gone = sqlx::query("SELECT 1").execute(&db.pool).await;
    let error = DataError::from(gone.expect_err("pool closed"));
    assert!(matches!(error, DataError::Unavailable(_)));
    assert_plain(&error.to_string());
    assert!(error.to_string().contains("try again in a moment"));
}

/// The data task's next event of interest (progress is skipped).
async fn next(events: &mut mpsc::UnboundedReceiver<DataEvent>) -> DataEvent {
    loop {
        match events.recv().await.expect("the data task answers") {
            DataEvent::Progress(_) => continue,
            event => return event,
        }
    }
}

#[tokio::test]
async fn a_sign_in_after_a_failed_start_tries_the_database_again() {
    let db = TestDb::new().await;
    let name = format!("bo_late_{}", std::process::id());
    let admin = db.other_terminal().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&admin)
    .await
    .expect("clean");
    let (requests, requests_rx) = mpsc::unbounded_channel();
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let task = tokio::spawn(data_task::run(
        boxoffice::db::DatabaseSettings::primary(DatabaseTarget::Url(url_of(&db, &name))),
        requests_rx,
        events_tx,
    ));
    let DataEvent::ConnectFailed(words) = next(&mut events).await else {
        panic!("the first start fails: no database yet");
    };
    assert_plain(&words);

    // Enter pressed again while it is still missing: the sign-in says why, in words.
    let sign_in = |generation| Envelope {
        generation,
        request: Request::SignIn {
            email: "admin@boxoffice.test".into(),
            password: "whatever".into(),
            terminal: "test".into(),
        },
    };
    requests.send(sign_in(1)).expect("sent");
    let DataEvent::Reply {
        reply: Reply::SignIn(Err(error)),
        ..
    } = next(&mut events).await
    else {
        panic!("the sign-in is answered");
    };
    assert_plain(&error.message);
    assert!(matches!(
        next(&mut events).await,
        DataEvent::ConnectFailed(_)
    ));

    // Someone creates the database; the next Enter connects, sets up the schema, and the
    // sign-in is checked (an empty database knows nobody).
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("created");
    requests.send(sign_in(2)).expect("sent");
    assert!(matches!(
        next(&mut events).await,
        DataEvent::Connected { .. }
    ));
    let DataEvent::Reply {
        generation,
        reply: Reply::SignIn(Err(error)),
    } = next(&mut events).await
    else {
        panic!("the sign-in is answered");
    };
    assert_eq!(generation, 2);
    assert_eq!(error.message, "wrong email or password");
    drop(requests);
    if let Some(connection) = task.await.expect("the data task ends") {
        connection.close().await;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .expect("dropped");
}

#[tokio::test]
async fn a_command_run_from_a_shell_says_what_to_fix_in_plain_words() {
    let db = TestDb::new().await;
    let data_dir = std::env::temp_dir().join(format!("bo_plain_{}", std::process::id()));
    let run = |args: &[&str], url: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_boxoffice"))
            .args(args)
            .env("DATABASE_URL", url)
            .env("BOXOFFICE_DATA_DIR", &data_dir)
            .env_remove("RUST_BACKTRACE")
            .output()
            .expect("boxoffice runs")
    };
    for (args, url, wanted) in [
        (
            &["migrate", "up"][..],
            url_of(&db, "no_such_database_here"),
            "create it (createdb NAME)",
        ),
        (
            &["seed", "--scale", "0.001"][..],
            "postgres://nobody@localhost/boxoffice?host=/nonexistent/socket".to_string(),
            "run the command again",
        ),
    ] {
        let output = run(args, &url);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} fails: {stderr}");
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
        assert_plain(&stderr);
        assert!(
            !stderr.contains("Location") && !stderr.contains("src/"),
            "no report of where in the code: {stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&data_dir);
}
