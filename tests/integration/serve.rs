//! `boxoffice serve` driven by russh's client, the screens read with a terminal emulator:
//! sign-in by key, scoping, live updates across sessions, refusals, a stalled client, a
//! panicking session, shutting down. Real PostgreSQL, a server on a loopback port.

use std::time::Duration;

use crate::common::TestDb;
use crate::common::ssh::{Terminal, new_key, public_line, sign_in};
use boxoffice::app::commands::KeyMap;
use boxoffice::config::ServeConfig;
use boxoffice::db::ssh_keys::{self, ChangedBy};
use boxoffice::serve::{ServeOptions, Server};
use russh::keys::PrivateKey;

const SOON: Duration = Duration::from_secs(10);

async fn server(db: &TestDb, limits: ServeConfig) -> Server {
    let mut options = ServeOptions::from_config(
        &ServeConfig {
            listen: "127.0.0.1:0".into(),
            ..limits
        },
        KeyMap::defaults(),
    )
    .expect("options");
    options.panic_command_for_tests = true;
    options.stall_timeout = Duration::from_secs(2);
    Server::start(
        boxoffice::db::databases::Databases::primary_only(db.pool.clone()),
        "test".into(),
        options,
        new_key(),
    )
    .await
    .expect("the server starts")
}

async fn key_for(db: &TestDb, email: &str) -> PrivateKey {
    let key = new_key();
    ssh_keys::add(
        &db.pool,
        ChangedBy::CommandLine("test"),
        email,
        &public_line(&key),
        "",
    )
    .await
    .expect("key added");
    key
}

/// Waits until the server's key index has (or no longer has) `key`.
async fn index_has(server: &Server, key: &PrivateKey, present: bool) {
    let fingerprint = ssh_keys::fingerprint(key.public_key());
    let mut index = server.key_index();
    tokio::time::timeout(
        SOON,
        index.wait_for(|index| index.contains_key(&fingerprint) == present),
    )
    .await
    .expect("the index follows the change")
    .expect("the index is kept");
}

#[tokio::test]
async fn an_organizer_signs_in_by_key_and_sees_only_her_events_and_quits() {
    let db = TestDb::with_demo().await;
    let server = server(&db, ServeConfig::default()).await;
    let ada = key_for(&db, "ada@boxoffice.test").await;
    index_has(&server, &ada, true).await;
    let mut terminal = Terminal::open(server.address, &ada, 100, 30, None)
        .await
        .expect("Ada's key signs her in");
    assert!(
        terminal
            .wait_for(SOON, |screen| screen.contains("rows 1-9 of 9"))
            .await,
        "{}",
        terminal.screen()
    );
    let screen = terminal.screen();
    assert!(
        screen.contains("ada@boxoffice.test (organizer)"),
        "{screen}"
    );
    assert!(screen.contains("New Year Gala"), "{screen}");
    assert!(
        !screen.contains("Grace Hopper"),
        "only her events: {screen}"
    );
    // The window shrinks: the screen is laid out again at the new size.
    terminal.resize(80, 24).await;
    assert!(
        terminal
            .wait_for(SOON, |screen| screen.lines().any(|line| line
                .starts_with("┌ Events")
                && line.trim_end().chars().count() == 80))
            .await,
        "{}",
        terminal.screen()
    );
    // A key split across two packets is one key: PgDn is ESC [ 6 ~.
    terminal.send(b"2").await;
    assert!(
        terminal
            .wait_for(SOON, |screen| screen.contains("┌ Orders"))
            .await
    );
    terminal.send(b"q").await;
    assert!(terminal.wait_closed(SOON).await);
    assert_eq!(terminal.exit_status, Some(0));
    // The key's use is on record.
    let used: bool =
        sqlx::query_scalar("SELECT last_used_at IS NOT NULL FROM user_keys WHERE fingerprint = $1")
            .bind(ssh_keys::fingerprint(ada.public_key()))
            .fetch_one(&db.pool)
            .await
            .expect("the key");
    assert!(used);
    server.shut_down().await;
}

#[tokio::test]
async fn unknown_and_revoked_keys_and_removed_users_are_refused_before_anything_is_drawn() {
    let db = TestDb::with_demo().await;
    let server = server(&db, ServeConfig::default()).await;
    assert_eq!(
        sign_in(server.address, &new_key()).await.err().as_deref(),
        Some("refused"),
        "an unknown key"
    );
    let grace = key_for(&db, "grace@boxoffice.test").await;
    index_has(&server, &grace, true).await;
    assert!(sign_in(server.address, &grace).await.is_ok());
    ssh_keys::revoke(
        &db.pool,
        ChangedBy::CommandLine("test"),
        &ssh_keys::fingerprint(grace.public_key()),
    )
    .await
    .expect("revoked");
    index_has(&server, &grace, false).await;
    assert_eq!(
        sign_in(server.address, &grace).await.err().as_deref(),
        Some("refused"),
        "a revoked key"
    );
    let linus = key_for(&db, "linus@boxoffice.test").await;
    index_has(&server, &linus, true).await;
    sqlx::query("UPDATE users SET deleted_at = now() WHERE email = 'linus@boxoffice.test'")
        .execute(&db.pool)
        .await
        .expect("user removed");
    index_has(&server, &linus, false).await;
    assert!(
        sign_in(server.address, &linus).await.is_err(),
        "a removed user"
    );
    server.shut_down().await;
}

#[tokio::test]
async fn a_change_made_in_one_session_shows_in_another_and_staff_open_at_the_door() {
    let db = TestDb::with_demo().await;
    let server = server(&db, ServeConfig::default()).await;
    let admin = key_for(&db, "admin@boxoffice.test").await;
    let ada = key_for(&db, "ada@boxoffice.test").await;
    let door = key_for(&db, "door@boxoffice.test").await;
    index_has(&server, &door, true).await;
    let mut watching = Terminal::open(server.address, &ada, 100, 30, None)
        .await
        .expect("Ada");
    assert!(
        watching
            .wait_for(SOON, |screen| screen.contains("New Year Gala"))
            .await
    );
    let mut editing = Terminal::open(server.address, &admin, 100, 30, None)
        .await
        .expect("the admin");
    assert!(
        editing
            .wait_for(SOON, |screen| screen
                .contains("admin@boxoffice.test (admin)"))
            .await
    );
    // The admin finds Ada's gala and renames it in the event form.
    editing.send(b"/New Year Gala\r").await;
    assert!(
        editing
            .wait_for(SOON, |screen| screen.contains("rows 1-1 of 1"))
            .await,
        "{}",
        editing.screen()
    );
    editing.send(b"e").await;
    assert!(
        editing
            .wait_for(SOON, |screen| screen.contains("Edit event"))
            .await,
        "{}",
        editing.screen()
    );
    editing.send(b" Encore\x13").await;
    assert!(
        editing
            .wait_for(SOON, |screen| screen.contains("saved event"))
            .await,
        "{}",
        editing.screen()
    );
    assert!(
        watching
            .wait_for(Duration::from_secs(2), |screen| screen
                .contains("New Year Gala Encore"))
            .await,
        "Ada's session follows the change: {}",
        watching.screen()
    );
    // Door staff open locked to Check-in.
    let mut at_the_door = Terminal::open(server.address, &door, 80, 24, None)
        .await
        .expect("door staff");
    assert!(
        at_the_door
            .wait_for(SOON, |screen| screen.contains("Check-in · kiosk"))
            .await,
        "{}",
        at_the_door.screen()
    );
    // An exec request that is not the door is explained, with a failing status.
    let mut odd = Terminal::open(server.address, &ada, 80, 24, Some("rm -rf /"))
        .await
        .expect("a session");
    assert!(odd.wait_closed(SOON).await);
    assert!(odd.screen().contains("unknown command"), "{}", odd.screen());
    assert_eq!(odd.exit_status, Some(1));
    server.shut_down().await;
}

#[tokio::test]
async fn a_stalled_client_is_let_go_while_twenty_others_page_on() {
    let db = TestDb::with_demo().await;
    let server = server(
        &db,
        ServeConfig {
            sessions_per_user: 32,
            ..ServeConfig::default()
        },
    )
    .await;
    let support = key_for(&db, "support@boxoffice.test").await;
    index_has(&server, &support, true).await;
    // One client (through a relay that can stop passing the server's bytes on) opens the
    // app, then stops reading while it keeps pressing keys: the server has to wait for it.
    let relay = crate::common::ssh::Relay::start(server.address).await;
    let mut stalled = Terminal::open_with_window(relay.address, &support, 200, 60, None, 8 * 1024)
        .await
        .expect("a session");
    assert!(stalled.wait_for(SOON, |s| s.contains("rows 1-")).await);
    relay.stall();
    let pressing = tokio::spawn(async move {
        stalled.send(b"2").await;
        for turn in 0..2_000 {
            let key: &[u8] = if turn % 2 == 0 {
                b"\x1b[6~"
            } else {
                b"\x1b[5~"
            };
            if tokio::time::timeout(Duration::from_millis(200), stalled.channel.data(key))
                .await
                .is_err()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stalled
    });
    let mut others = Vec::new();
    for _ in 0..20 {
        let mut terminal = Terminal::open(server.address, &support, 100, 30, None)
            .await
            .expect("a session");
        assert!(
            terminal
                .wait_for(SOON, |screen| screen.contains("rows 1-"))
                .await
        );
        terminal.send(b"2").await;
        assert!(
            terminal
                .wait_for(SOON, |screen| screen.contains("of 3,000"))
                .await,
            "{}",
            terminal.screen()
        );
        others.push(terminal);
    }
    // Each of the twenty pages forward five times and every page arrives.
    let page = u32::from(boxoffice::ui::layout::size(100, 30).page_rows);
    for turn in 1..=5u32 {
        for terminal in &mut others {
            terminal.send(b"\x1b[6~").await;
        }
        for terminal in &mut others {
            let rows = terminal.screen();
            let wanted = format!("rows {}-", turn * page + 1);
            assert!(
                terminal
                    .wait_for(SOON, |screen| screen.contains(&wanted))
                    .await,
                "page {turn} did not arrive: {rows}"
            );
        }
    }
    // The stalled session is closed after the stall time; the twenty stay.
    let deadline = std::time::Instant::now() + SOON;
    while server.sessions_open() > 20 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server.sessions_open(), 20, "only the stalled session went");
    pressing.abort();
    server.shut_down().await;
}

#[tokio::test]
async fn a_session_whose_app_panics_ends_alone_and_shutting_down_tells_everyone() {
    let db = TestDb::with_demo().await;
    let server = server(&db, ServeConfig::default()).await;
    let admin = key_for(&db, "admin@boxoffice.test").await;
    index_has(&server, &admin, true).await;
    let mut steady = Terminal::open(server.address, &admin, 100, 30, None)
        .await
        .expect("a session");
    assert!(
        steady
            .wait_for(SOON, |screen| screen.contains("rows 1-"))
            .await
    );
    let mut doomed = Terminal::open(server.address, &admin, 80, 24, Some("panic-for-test"))
        .await
        .expect("a session");
    assert!(doomed.wait_closed(SOON).await);
    assert!(
        doomed.screen().contains("internal error"),
        "{}",
        doomed.screen()
    );
    assert_eq!(doomed.exit_status, Some(1));
    // The other session is unaffected.
    steady.send(b"3").await;
    assert!(
        steady
            .wait_for(SOON, |screen| screen.contains("┌ Tickets"))
            .await
    );
    server.shut_down().await;
    assert!(steady.wait_closed(SOON).await);
    assert!(
        steady.screen().contains("the server is going down"),
        "{}",
        steady.screen()
    );
}

#[tokio::test]
async fn sessions_per_user_are_capped() {
    let db = TestDb::with_demo().await;
    let server = server(
        &db,
        ServeConfig {
            sessions_per_user: 1,
            ..ServeConfig::default()
        },
    )
    .await;
    let ada = key_for(&db, "ada@boxoffice.test").await;
    index_has(&server, &ada, true).await;
    let mut first = Terminal::open(server.address, &ada, 80, 24, None)
        .await
        .expect("one session");
    assert!(first.wait_for(SOON, |s| s.contains("rows 1-")).await);
    let mut second = Terminal::open(server.address, &ada, 80, 24, None)
        .await
        .expect("a channel");
    assert!(second.wait_closed(SOON).await);
    assert!(
        second.screen().contains("sessions open already"),
        "{}",
        second.screen()
    );
    server.shut_down().await;
}
