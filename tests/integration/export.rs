//! CSV export and copy: files checked row by row against plain SQL for a filtered, sorted,
//! role-scoped list with hostile text, read back by a CSV reader; a stopped export leaves no
//! file; `x` exports what the list shows; `y` puts the code on the clipboard with OSC 52.

use std::path::PathBuf;

use crate::common::{Harness, TestDb};
use boxoffice::data_task::{self, DataEvent, Envelope, ExportDone, Reply, Request};
use boxoffice::db::export::{ExportSpec, write_csv};
use boxoffice::db::filter::parse;
use boxoffice::db::listing::Sort;
use boxoffice::db::model::EntityKind;
use crossterm::event::KeyCode;
use tokio::sync::mpsc;

fn utc() -> boxoffice::zone::Tz {
    boxoffice::zone::Tz::UTC
}

/// A cell as written, without the apostrophe that keeps a spreadsheet from running it.
fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

async fn hostile_demo() -> TestDb {
    let db = TestDb::with_demo().await;
    // A title with a formula, quotes, a comma, a newline and emoji; a buyer whose email starts
    // with a formula sign. The copies on the orders follow by trigger.
    sqlx::query(
        "UPDATE events SET title = E'=HYPERLINK(\"http://x\",\"ok\"), \"quoted\"\\nline two 🎟' \
         WHERE id = (SELECT e.id FROM events e JOIN users u ON u.id = e.organizer_id \
                     WHERE u.email = 'ada@boxoffice.test' ORDER BY e.id LIMIT 1)",
    )
    .execute(&db.pool)
    .await
    .expect("hostile title");
    sqlx::query(
        "UPDATE users SET email = '=cmd|calc@evil.test', name = '@SUM(A1), \"x\"' \
         WHERE id = (SELECT o.user_id FROM orders o JOIN events e ON e.id = o.event_id \
                     JOIN users u ON u.id = e.organizer_id \
                     WHERE u.email = 'ada@boxoffice.test' AND o.status = 'paid' \
                     AND o.user_id <> u.id ORDER BY o.id LIMIT 1)",
    )
    .execute(&db.pool)
    .await
    .expect("hostile buyer");
    db
}

#[tokio::test]
async fn an_organizers_filtered_sorted_export_matches_plain_sql_row_by_row() {
    let db = hostile_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    // One of her events sells in dollars: each order's currency is its event's.
    sqlx::query(
        "UPDATE events SET currency = 'USD' WHERE id = (SELECT e.id FROM events e \
         JOIN users u ON u.id = e.organizer_id WHERE u.email = 'ada@boxoffice.test' \
         AND EXISTS (SELECT 1 FROM orders o WHERE o.event_id = e.id AND o.status = 'paid') \
         ORDER BY e.id LIMIT 1)",
    )
    .execute(&db.pool)
    .await
    .expect("an event in dollars");
    let mut filter = parse(EntityKind::Order, "status:paid").expect("filter");
    filter.offset = Some(utc());
    let spec = ExportSpec {
        kind: EntityKind::Order,
        parent: None,
        filter,
        // By buyer (the fifth column), A to Z.
        sort: Sort {
            key: 4,
            descending: false,
        },
    };
    let mut bytes = Vec::new();
    let mut reported = Vec::new();
    let rows = write_csv(&db.pool, &ada, &spec, utc(), &mut bytes, |n| {
        reported.push(n)
    })
    .await
    .expect("exported");
    let expected: Vec<(i64, String, i64, String, String, String)> = sqlx::query_as(
        "SELECT o.id, o.code, o.total_cents, e.currency, o.buyer_email, o.event_title FROM orders o \
         JOIN events e ON e.id = o.event_id JOIN users u ON u.id = e.organizer_id \
         WHERE u.email = 'ada@boxoffice.test' AND o.status = 'paid' AND o.deleted_at IS NULL \
         AND e.deleted_at IS NULL ORDER BY o.buyer_email, o.id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("plain SQL");
    assert_eq!(rows as usize, expected.len());
    assert_eq!(reported.last().copied(), Some(rows));
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        reader.headers().expect("header"),
        vec![
            "id",
            "code",
            "created_at",
            "status",
            "total",
            "currency",
            "buyer_email",
            "event"
        ]
    );
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("well-formed CSV");
    assert_eq!(records.len(), expected.len());
    let mut hostile_seen = (false, false);
    for (record, (id, code, total, currency, email, title)) in records.iter().zip(&expected) {
        assert_eq!(record[0].parse::<i64>().expect("id"), *id);
        assert_eq!(&record[1], code);
        assert_eq!(&record[3], "paid");
        assert_eq!(record[4], boxoffice::db::model::format_cents(*total));
        assert_eq!(&record[5], currency);
        assert_eq!(unguarded(&record[6]), email);
        assert_eq!(unguarded(&record[7]), title);
        chrono::DateTime::parse_from_rfc3339(&record[2]).expect("a time with its offset");
        if email.starts_with('=') {
            assert_eq!(&record[6], format!("'{email}"), "formula neutralised");
            hostile_seen.0 = true;
        }
        if title.starts_with('=') {
            assert!(record[7].starts_with("'=") && record[7].contains('\n'));
            hostile_seen.1 = true;
        }
    }
    assert_eq!(hostile_seen, (true, true), "the hostile rows were exported");
    let currencies: std::collections::BTreeSet<&str> =
        records.iter().map(|record| &record[5]).collect();
    assert_eq!(
        currencies,
        ["EUR", "USD"].into(),
        "orders of both currencies exported"
    );
}

/// Runs a data task of its own, signed in as `email`.
async fn data_task_for(
    db: &TestDb,
    email: &str,
) -> (
    mpsc::UnboundedSender<Envelope>,
    mpsc::UnboundedReceiver<DataEvent>,
) {
    let (requests_tx, requests_rx) = mpsc::unbounded_channel();
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let actor = db.actor(email).await;
    tokio::spawn(data_task::serve(
        boxoffice::db::databases::Databases::primary_only(db.pool.clone()),
        Some(actor),
        requests_rx,
        events_tx,
    ));
    (requests_tx, events_rx)
}

async fn reply_of(events: &mut mpsc::UnboundedReceiver<DataEvent>, generation: u64) -> Reply {
    loop {
        match events.recv().await.expect("the data task answers") {
            DataEvent::Reply {
                generation: g,
                reply,
            } if g == generation => return reply,
            _ => {}
        }
    }
}

fn export_request(path: PathBuf) -> Request {
    Request::Export {
        spec: ExportSpec {
            kind: EntityKind::Ticket,
            parent: None,
            filter: Default::default(),
            sort: Sort::default_for(EntityKind::Ticket),
        },
        path,
        offset: utc(),
    }
}

#[tokio::test]
async fn the_data_task_writes_the_file_and_a_stopped_export_leaves_none() {
    let db = TestDb::with_demo().await;
    let (requests, mut events) = data_task_for(&db, "admin@boxoffice.test").await;
    let folder = std::env::temp_dir().join(format!("bo-export-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("folder");

    let whole = folder.join("whole.csv");
    let _ = std::fs::remove_file(&whole);
    requests
        .send(Envelope {
            generation: 1,
            request: export_request(whole.clone()),
        })
        .expect("sent");
    let tickets: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets WHERE deleted_at IS NULL")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    match reply_of(&mut events, 1).await {
        Reply::Export(Ok(ExportDone::Finished { path, rows, .. })) => {
            assert_eq!(path, whole);
            assert_eq!(rows as i64, tickets);
        }
        other => panic!("{other:?}"),
    }
    let lines = std::fs::read_to_string(&whole)
        .expect("file")
        .lines()
        .count();
    assert!(lines as i64 > tickets, "a header and every ticket");

    // An existing file is never overwritten: refused, and left as it was.
    requests
        .send(Envelope {
            generation: 2,
            request: export_request(whole.clone()),
        })
        .expect("sent");
    assert!(matches!(
        reply_of(&mut events, 2).await,
        Reply::Export(Err(_))
    ));
    assert_eq!(
        std::fs::read_to_string(&whole)
            .expect("file")
            .lines()
            .count(),
        lines
    );

    // Stopped: the cancel answers once the partial file is gone.
    let stopped = folder.join("stopped.csv");
    let _ = std::fs::remove_file(&stopped);
    requests
        .send(Envelope {
            generation: 3,
            request: export_request(stopped.clone()),
        })
        .expect("sent");
    requests
        .send(Envelope {
            generation: 4,
            request: Request::CancelExport,
        })
        .expect("sent");
    assert_eq!(
        reply_of(&mut events, 4).await,
        Reply::Export(Ok(ExportDone::Cancelled))
    );
    assert!(!stopped.exists(), "no partial file after a stop");
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test]
async fn x_exports_the_list_as_shown_and_y_copies_the_code() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::new(db.pool.clone(), 100, 30);
    harness.sign_in("support@boxoffice.test").await;
    harness.press(KeyCode::Char('2')).await;
    harness.press(KeyCode::Char('/')).await;
    harness.type_text("status:refunded").await;
    harness.press(KeyCode::Enter).await;
    harness.press(KeyCode::Char('S')).await;
    let view = harness.app.lists.get(EntityKind::Order).clone();

    harness.app.handle_event(boxoffice::event::AppEvent::Key(
        crossterm::event::KeyEvent::from(KeyCode::Char('x')),
    ));
    let requests = harness.app.take_requests();
    let Some(Request::Export { spec, path, .. }) = requests.first().map(|e| e.request.clone())
    else {
        panic!("x sends an export: {requests:?}");
    };
    assert_eq!(spec.filter, view.filter);
    assert_eq!(spec.sort, view.sort);
    assert_eq!(path.parent(), Some(std::env::temp_dir().as_path()));
    assert!(
        harness.render().contains("exporting"),
        "{}",
        harness.render()
    );
    // A second x while one runs starts nothing.
    harness.app.handle_event(boxoffice::event::AppEvent::Key(
        crossterm::event::KeyEvent::from(KeyCode::Char('x')),
    ));
    assert!(harness.app.take_requests().is_empty());
    // Esc stops it.
    harness.app.handle_event(boxoffice::event::AppEvent::Key(
        crossterm::event::KeyEvent::from(KeyCode::Esc),
    ));
    let requests = harness.app.take_requests();
    assert!(matches!(
        requests.first().map(|e| &e.request),
        Some(Request::CancelExport)
    ));
    assert!(harness.render().contains("stopping the export"));
    harness
        .app
        .handle_event(boxoffice::event::AppEvent::Data(DataEvent::Reply {
            generation: requests[0].generation,
            reply: Reply::Export(Ok(ExportDone::Cancelled)),
        }));
    assert!(harness.app.export.is_none());
    assert!(harness.render().contains("export stopped"));

    // y: the selected order's code, to the clipboard, written as OSC 52.
    let code = match harness.app.lists.get(EntityKind::Order).selected_row() {
        Some(boxoffice::db::model::Row::Order(order)) => order.code.clone(),
        other => panic!("an order is selected: {other:?}"),
    };
    harness.press(KeyCode::Char('y')).await;
    assert!(harness.render().contains(&format!("copied {code}")));
    let text = harness.app.take_clipboard().expect("something to copy");
    assert_eq!(text, code);
    let output = Output::default();
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(output.clone()))
            .expect("terminal");
    boxoffice::runner::Screen::copy(&mut terminal, &text).expect("copied");
    let written = String::from_utf8(output.0.lock().expect("bytes").clone()).expect("utf-8");
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(code.as_bytes());
    assert_eq!(written, format!("\x1b]52;c;{encoded}\x07"));
}

/// What a terminal backend writes, kept to be read.
#[derive(Clone, Default)]
struct Output(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
