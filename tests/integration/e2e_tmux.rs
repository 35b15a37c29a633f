//! End to end: the real binary in a real terminal (tmux), on a first run of the built-in
//! database, used as a new user would. Under `cargo test --release` (the README's test
//! command) this is the release binary.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::tmux::{
    Tmux, assert_restored, available, fresh_data_dir, launch, launch_in, psql, rows_label, sign_in,
};

#[test]
fn a_new_user_signs_in_browses_and_quits_with_the_terminal_restored() {
    if !available() {
        return;
    }
    let (tmux, data_dir) = launch("journey");

    // First run: the built-in database is created and the demo loaded, then sign-in is ready.
    tmux.wait_for("sign in", Duration::from_secs(10));
    tmux.wait_for("demo: admin@boxoffice.test", Duration::from_secs(60));
    tmux.type_text("ada@boxoffice.test");
    tmux.keys(&["Enter"]);
    tmux.type_text("demo");
    tmux.keys(&["Enter"]);
    let events = tmux.wait_for(
        "signed in as Ada Lovelace (organizer)",
        Duration::from_secs(10),
    );
    assert!(events.contains("Events · sorted by Starts"), "{events}");
    assert!(
        !events.contains("Grace Hopper"),
        "an organizer sees only their own events"
    );

    // Orders tab, page forward and back.
    tmux.keys(&["2"]);
    let orders = tmux.wait_for("Orders · sorted by Created", Duration::from_secs(5));
    let first = tmux.wait_for("rows 1-", Duration::from_secs(5));
    let first_label = rows_label(&first);
    tmux.keys(&["PageDown"]);
    let second = tmux.wait_for(
        &format!("rows {}-", page_end(&first_label) + 1),
        Duration::from_secs(5),
    );
    assert_ne!(rows_label(&second), first_label, "{orders}");
    tmux.keys(&["PageUp"]);
    let back = tmux.wait_for("rows 1-", Duration::from_secs(5));
    assert_eq!(rows_label(&back), first_label);

    // Open an order's tickets; the detail pane shows the selected ticket.
    tmux.keys(&["Enter"]);
    let tickets = tmux.wait_for("Tickets of order", Duration::from_secs(5));
    tmux.wait_for("Ticket ", Duration::from_secs(5));
    assert!(tickets.contains("Esc back"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("Orders · sorted by Created", Duration::from_secs(5));

    // Help, then quit.
    tmux.keys(&["?"]);
    tmux.wait_for("Keys · Esc or ? closes", Duration::from_secs(5));
    tmux.keys(&["Escape"]);
    // Keys sent in one burst after Esc would read as Alt-q: wait for the help to close.
    let started = Instant::now();
    while tmux.screen().contains("Keys · Esc") && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED=0", Duration::from_secs(15));
    assert_restored(&tmux, &data_dir);
}

#[test]
fn sigterm_quits_cleanly() {
    if !available() {
        return;
    }
    let (tmux, data_dir) = launch("sigterm");
    tmux.wait_for("demo: admin@boxoffice.test", Duration::from_secs(60));
    let shell = tmux.run(&["display-message", "-p", "-t", &tmux.session, "#{pane_pid}"]);
    let shell = String::from_utf8_lossy(&shell.stdout).trim().to_string();
    let app = Command::new("pgrep")
        .args(["-P", &shell])
        .output()
        .expect("pgrep runs");
    let app = String::from_utf8_lossy(&app.stdout).trim().to_string();
    assert!(!app.is_empty(), "the app runs under the shell");
    assert!(
        Command::new("kill")
            .args(["-TERM", &app])
            .status()
            .expect("kill runs")
            .success()
    );
    tmux.wait_for("EXITED=0", Duration::from_secs(15));
    assert_restored(&tmux, &data_dir);
}

/// The last row number of a "rows 1-26 of 156" label.
fn page_end(label: &str) -> u64 {
    label
        .trim_start_matches("rows ")
        .split(['-', ' '])
        .nth(1)
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(0)
}

#[test]
fn two_kiosks_scanning_one_code_admit_it_once() {
    if !available() {
        return;
    }
    let data_dir = fresh_data_dir("kiosks");
    let first = launch_in("kiosk-1", &data_dir, "kiosk --terminal door-1");
    sign_in(&first, "door@boxoffice.test");
    first.wait_for("Scan or type a code · door-1", Duration::from_secs(10));
    let second = launch_in("kiosk-2", &data_dir, "kiosk --terminal door-2");
    sign_in(&second, "door@boxoffice.test");
    second.wait_for("Scan or type a code · door-2", Duration::from_secs(10));
    let code = psql(
        &data_dir,
        "SELECT t.code FROM tickets t JOIN orders o ON o.id = t.order_id \
         WHERE t.status = 'valid' AND o.status = 'paid' ORDER BY t.id LIMIT 1",
    );
    // A barcode scanner types the code and Enter, at both doors at once.
    first.type_text(&code);
    second.type_text(&code);
    first.keys(&["Enter"]);
    second.keys(&["Enter"]);
    let one = first.wait_for("· ready for the next code", Duration::from_secs(10));
    let two = second.wait_for("· ready for the next code", Duration::from_secs(10));
    let admitted = [&one, &two]
        .iter()
        .filter(|screen| screen.contains("ADMIT · ready"))
        .count();
    let used = [&one, &two]
        .iter()
        .filter(|screen| screen.contains("ALREADY USED · ready"))
        .count();
    assert_eq!(
        (admitted, used),
        (1, 1),
        "one ADMIT and one ALREADY USED:\n{one}\n{two}"
    );
    let loser = if one.contains("ALREADY USED") {
        &one
    } else {
        &two
    };
    let winner = if one.contains("ALREADY USED") {
        "door-2"
    } else {
        "door-1"
    };
    assert!(loser.contains(&format!("by {winner}")), "{loser}");
    // Leaving a kiosk needs the password.
    first.keys(&["C-c"]);
    first.wait_for("Leave the kiosk", Duration::from_secs(5));
    first.type_text("demo");
    first.keys(&["Enter"]);
    first.wait_for("EXITED=0", Duration::from_secs(15));
    // The other kiosk keeps the shared database running.
    second.type_text(&code);
    second.keys(&["Enter"]);
    second.wait_for("by ", Duration::from_secs(10));
    second.keys(&["C-c"]);
    second.wait_for("Leave the kiosk", Duration::from_secs(5));
    second.type_text("demo");
    second.keys(&["Enter"]);
    second.wait_for("EXITED=0", Duration::from_secs(15));
    assert_restored(&second, &data_dir);
}

#[test]
fn a_row_inserted_with_psql_appears_without_a_key_press() {
    if !available() {
        return;
    }
    let (tmux, data_dir) = launch("live");
    sign_in(&tmux, "support@boxoffice.test");
    tmux.wait_for("signed in as Sam Support", Duration::from_secs(10));
    tmux.keys(&["2"]);
    tmux.wait_for("Orders · sorted by Created", Duration::from_secs(5));
    tmux.wait_for("rows 1-", Duration::from_secs(5));
    psql(
        &data_dir,
        "INSERT INTO orders (code, user_id, event_id, status, total_cents) \
         SELECT 'LIVE-2026', (SELECT id FROM users WHERE email = 'chris@example.com'), min(id), 'paid', 4200 FROM events",
    );
    let screen = tmux.wait_for("LIVE-2026", Duration::from_secs(3));
    assert!(screen.contains("42.00"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED=0", Duration::from_secs(15));
    assert_restored(&tmux, &data_dir);
}

/// Waits until the screen no longer shows `text` (so that the next key is not read together
/// with an Esc as Alt-key).
fn wait_gone(tmux: &Tmux, text: &str) {
    let started = Instant::now();
    while tmux.screen().contains(text) && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn live_rows(data_dir: &std::path::Path) -> String {
    psql(
        data_dir,
        "SELECT (SELECT count(*) FROM events WHERE title = 'E2E Jazz Night' AND deleted_at IS NULL) || ' events, ' || \
         (SELECT count(*) FROM ticket_types tt JOIN events e ON e.id = tt.event_id \
          WHERE e.title = 'E2E Jazz Night' AND tt.deleted_at IS NULL) || ' types, ' || \
         (SELECT count(*) FROM orders o JOIN events e ON e.id = o.event_id \
          WHERE e.title = 'E2E Jazz Night' AND o.deleted_at IS NULL) || ' orders, ' || \
         (SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id JOIN events e ON e.id = o.event_id \
          WHERE e.title = 'E2E Jazz Night' AND t.deleted_at IS NULL) || ' tickets, sold ' || \
         (SELECT string_agg(tt.name || '=' || seats_sold(tt.id, tt.sold), ' ' ORDER BY tt.name) FROM ticket_types tt \
          JOIN events e ON e.id = tt.event_id WHERE e.title = 'E2E Jazz Night')",
    )
}

#[test]
fn create_an_event_with_two_ticket_types_sell_delete_and_restore_it() {
    if !available() {
        return;
    }
    let (tmux, data_dir) = launch("forms");
    sign_in(&tmux, "ada@boxoffice.test");
    tmux.wait_for("signed in as Ada Lovelace", Duration::from_secs(10));

    // A new event.
    tmux.keys(&["n"]);
    tmux.wait_for("New event", Duration::from_secs(5));
    tmux.type_text("E2E Jazz Night");
    tmux.keys(&["Tab"]);
    tmux.type_text("Blue Note");
    tmux.keys(&["Tab"]);
    tmux.type_text("2027-03-01 19:30");
    tmux.keys(&["Tab"]);
    tmux.type_text("2027-03-01 23:00");
    tmux.keys(&["C-s"]);
    tmux.wait_for("created event “E2E Jazz Night”", Duration::from_secs(5));
    tmux.keys(&["/"]);
    tmux.type_text("\"E2E Jazz Night\"");
    tmux.keys(&["Enter"]);
    tmux.wait_for("rows 1-1 of 1", Duration::from_secs(5));

    // Two ticket types, from the event.
    for (name, price, capacity) in [("VIP", "50", "10"), ("General", "20.00", "100")] {
        tmux.keys(&["t"]);
        tmux.wait_for("+ new ticket type", Duration::from_secs(5));
        tmux.keys(&["n"]);
        tmux.wait_for(
            "New ticket type for “E2E Jazz Night”",
            Duration::from_secs(5),
        );
        tmux.type_text(name);
        tmux.keys(&["Tab"]);
        tmux.type_text(price);
        tmux.keys(&["Tab"]);
        tmux.type_text(capacity);
        tmux.keys(&["C-s"]);
        tmux.wait_for(
            &format!("created ticket type “{name}”"),
            Duration::from_secs(5),
        );
    }
    tmux.wait_for("0/100", Duration::from_secs(5));

    // Sell an order at the box office, to a new buyer.
    tmux.keys(&["Enter"]);
    tmux.wait_for("Orders of event “E2E Jazz Night”", Duration::from_secs(5));
    tmux.keys(&["n"]);
    tmux.wait_for("Sell tickets for “E2E Jazz Night”", Duration::from_secs(5));
    tmux.type_text("walk.in@example.com");
    tmux.keys(&["Tab"]);
    tmux.type_text("Walk In");
    tmux.keys(&["Tab"]);
    tmux.type_text("2");
    tmux.keys(&["Tab"]);
    tmux.type_text("3");
    tmux.wait_for("Total 160.00 EUR · 5 tickets", Duration::from_secs(5));
    tmux.keys(&["C-s"]);
    tmux.wait_for(": 5 tickets, 160.00 EUR to Walk In", Duration::from_secs(5));
    tmux.wait_for("walk.in@example.com", Duration::from_secs(5));
    let before = live_rows(&data_dir);
    assert_eq!(
        before,
        "1 events, 2 types, 1 orders, 5 tickets, sold General=3 VIP=2"
    );

    // Delete the event: it takes its ticket types, order and tickets to the trash.
    tmux.keys(&["Escape"]);
    wait_gone(&tmux, "Orders of event");
    tmux.wait_for("Events · /", Duration::from_secs(5));
    tmux.keys(&["d"]);
    let question = tmux.wait_for("Move event “E2E Jazz Night”", Duration::from_secs(5));
    assert!(question.contains("2 ticket types"), "{question}");
    tmux.keys(&["y"]);
    tmux.wait_for("moved event “E2E Jazz Night”", Duration::from_secs(5));
    assert_eq!(
        live_rows(&data_dir),
        "0 events, 0 types, 0 orders, 0 tickets, sold General=3 VIP=2"
    );

    // Find it in the Trash and restore it: every row is back.
    tmux.keys(&["5"]);
    tmux.wait_for("Trash · newest first", Duration::from_secs(5));
    // The row itself (the status bar's "moved event …" names it too).
    tmux.wait_for("event   event “E2E Jazz Night”", Duration::from_secs(5));
    tmux.keys(&["r"]);
    tmux.wait_for("Restore event “E2E Jazz Night”", Duration::from_secs(5));
    tmux.keys(&["y"]);
    tmux.wait_for("restored", Duration::from_secs(5));
    assert_eq!(live_rows(&data_dir), before);
    tmux.keys(&["1"]);
    tmux.wait_for("Blue Note", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    tmux.wait_for("walk.in@example.com", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    tmux.wait_for("Tickets of order", Duration::from_secs(5));
    let tickets = tmux.wait_for("rows 1-5 of 5", Duration::from_secs(5));
    assert!(tickets.matches("Walk In").count() >= 5, "{tickets}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED=0", Duration::from_secs(15));
    assert_restored(&tmux, &data_dir);
}

/// The number in "last 30 days: N sold" on the dashboard.
fn sold_in_30_days(screen: &str) -> i64 {
    let after = screen
        .split("last 30 days: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no sales chart on:\n{screen}"));
    after
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number in {after:?}"))
}

#[test]
fn an_organizer_watches_a_sale_arrive_on_her_dashboard_and_exports_her_orders() {
    if !available() {
        return;
    }
    let data_dir = crate::common::tmux::fresh_data_dir("dashboard");
    let exports = data_dir.join("exports");
    std::fs::create_dir_all(&exports).expect("export folder");
    let config = data_dir.join("config.toml");
    std::fs::write(
        &config,
        format!("export_folder = \"{}\"\n", exports.display()),
    )
    .expect("config");
    let tmux = crate::common::tmux::launch_in(
        "dashboard",
        &data_dir,
        &format!("--config {}", config.display()),
    );
    sign_in(&tmux, "ada@boxoffice.test");
    tmux.wait_for("signed in as Ada Lovelace", Duration::from_secs(10));
    tmux.keys(&["6"]);
    let before = tmux.wait_for("Dashboard · your events", Duration::from_secs(5));
    let sold_before = sold_in_30_days(&before);

    // A sale of two tickets to one of her events, made with psql.
    psql(
        &data_dir,
        "WITH e AS (SELECT e.id FROM events e JOIN users u ON u.id = e.organizer_id \
                    WHERE u.email = 'ada@boxoffice.test' ORDER BY e.starts_at DESC LIMIT 1), \
              o AS (INSERT INTO orders (code, user_id, event_id, status, total_cents) \
                    SELECT 'DASH-2026', (SELECT id FROM users WHERE email = 'chris@example.com'), \
                           e.id, 'paid', 5000 FROM e RETURNING id, event_id) \
         INSERT INTO tickets (code, order_id, ticket_type_id, holder_name, status) \
         SELECT 'DASHT-' || n, o.id, (SELECT min(id) FROM ticket_types WHERE event_id = o.event_id), \
                'Live Buyer', 'valid' FROM o, generate_series(1, 2) AS n",
    );
    let expected = format!("last 30 days: {} sold", sold_before + 2);
    tmux.wait_for(&expected, Duration::from_secs(3));

    // Her orders, exported from the Orders tab.
    tmux.keys(&["2"]);
    tmux.wait_for("DASH-2026", Duration::from_secs(5));
    tmux.keys(&["x"]);
    let done = tmux.wait_for("exported ", Duration::from_secs(15));
    let file = std::fs::read_dir(&exports)
        .expect("export folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "csv"))
        .unwrap_or_else(|| panic!("a CSV file in {}; the screen:\n{done}", exports.display()));
    let text = std::fs::read_to_string(&file).expect("the file reads");
    assert!(text.starts_with("id,code,created_at"), "{text}");
    assert!(text.contains("DASH-2026"), "the new sale is in the file");
    let ada_orders = psql(
        &data_dir,
        "SELECT count(*) FROM orders o JOIN events e ON e.id = o.event_id \
         JOIN users u ON u.id = e.organizer_id \
         WHERE u.email = 'ada@boxoffice.test' AND o.deleted_at IS NULL",
    );
    assert_eq!(
        (text.lines().count() - 1).to_string(),
        ada_orders.trim(),
        "every one of her orders, and only hers"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED=0", Duration::from_secs(15));
    assert_restored(&tmux, &data_dir);
}
