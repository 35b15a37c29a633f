//! End to end: the real binary in a real terminal (tmux), on a first run of the built-in
//! database, used as a new user would. Under `cargo test --release` (the README's test
//! command) this is the release binary.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use boxoffice::db::local_server::find_bin_dir;

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(name: &str, width: u16, height: u16) -> Self {
        let session = format!("bo-e2e-{name}-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .args([
                "env",
                "PS1=PROMPT> ",
                "TERM=xterm-256color",
                "bash",
                "--norc",
                "--noprofile",
            ])
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux session starts");
        Tmux { session }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux").args(args).output().expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Types text literally (no key names).
    fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", &self.session, "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["capture-pane", "-p", "-t", &self.session])
                .stdout,
        )
        .into_owned()
    }

    /// Waits until the screen shows `text` (the app has drawn the answer we need).
    fn wait_for(&self, text: &str, timeout: Duration) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                started.elapsed() < timeout,
                "waited {timeout:?} for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Closing the session hangs up on the app, which then quits and stops its database.
        let _ = self.run(&["kill-session", "-t", &self.session]);
    }
}

fn rows_label(screen: &str) -> String {
    let status = screen
        .lines()
        .rev()
        .find(|line| line.contains(" rows "))
        .unwrap_or_default();
    // "rows 1-14 of 1,313" -> "rows 1-14" (the total may arrive after the page).
    let label = status[status.find("rows ").unwrap_or(0)..].trim();
    label.split(" of ").next().unwrap_or(label).to_string()
}

fn available() -> bool {
    let ok = Command::new("tmux").arg("-V").output().is_ok() && find_bin_dir().is_some();
    if !ok {
        eprintln!("skipped: needs tmux and the PostgreSQL server binaries");
    }
    ok
}

/// A fresh folder for a built-in database.
fn fresh_data_dir(name: &str) -> PathBuf {
    let data_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    data_dir
}

/// Starts the binary with `args` in a shell in tmux, on the built-in database in `data_dir`.
fn launch_in(name: &str, data_dir: &std::path::Path, args: &str) -> Tmux {
    let tmux = Tmux::start(name, 100, 30);
    tmux.wait_for("PROMPT>", Duration::from_secs(5));
    // The echo marks the exit (and its status) on the shell's screen.
    let command = format!(
        "env -u DATABASE_URL BOXOFFICE_DATA_DIR={} {} {args}; echo EXIT''ED=$?",
        data_dir.display(),
        env!("CARGO_BIN_EXE_boxoffice")
    );
    tmux.type_text(&command);
    tmux.keys(&["Enter"]);
    tmux
}

/// Starts the app on a fresh built-in database.
fn launch(name: &str) -> (Tmux, PathBuf) {
    let data_dir = fresh_data_dir(name);
    (launch_in(name, &data_dir, ""), data_dir)
}

fn sign_in(tmux: &Tmux, email: &str) {
    tmux.wait_for("demo: admin@boxoffice.test", Duration::from_secs(60));
    tmux.type_text(email);
    tmux.keys(&["Enter"]);
    tmux.type_text("demo");
    tmux.keys(&["Enter"]);
}

/// Runs SQL on the built-in database of `data_dir` with psql, as the app's role.
fn psql(data_dir: &std::path::Path, sql: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-X",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-U",
            "boxoffice",
            "-d",
            "boxoffice",
            "-h",
        ])
        .arg(data_dir.join("postgres/socket"))
        .args(["-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// After the app has exited: the terminal is in cooked mode again and the server stopped.
fn assert_restored(tmux: &Tmux, data_dir: &std::path::Path) {
    let after = tmux.screen();
    assert!(
        !after.contains("boxoffice · sign in") && !after.contains("sorted by"),
        "{after}"
    );
    tmux.type_text("stty -a | grep -o -- '-\\?icanon' | sed 's/^/MO''DE:/'");
    tmux.keys(&["Enter"]);
    let modes = tmux.wait_for("MODE:", Duration::from_secs(5));
    assert!(
        modes.contains("MODE:icanon") && !modes.contains("MODE:-icanon"),
        "{modes}"
    );
    let server_pid = data_dir.join("postgres/data/postmaster.pid");
    let started = Instant::now();
    while server_pid.exists() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !server_pid.exists(),
        "the built-in server is stopped when the app exits"
    );
    let _ = std::fs::remove_dir_all(data_dir);
}

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
