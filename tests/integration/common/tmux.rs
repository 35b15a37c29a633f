//! A real terminal for end-to-end tests: tmux, with keys sent and the screen read back, and
//! the release binary started in it on a built-in database of its own.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use boxoffice::db::local_server::find_bin_dir;

pub struct Tmux {
    pub session: String,
}

impl Tmux {
    pub fn start(name: &str, width: u16, height: u16) -> Self {
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

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux").args(args).output().expect("tmux runs")
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Types text literally (no key names).
    pub fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", &self.session, "-l", text])
                .status
                .success()
        );
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["capture-pane", "-p", "-t", &self.session])
                .stdout,
        )
        .into_owned()
    }

    /// Waits until the screen shows `text` (the app has drawn the answer we need).
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
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

pub fn rows_label(screen: &str) -> String {
    let status = screen
        .lines()
        .rev()
        .find(|line| line.contains(" rows "))
        .unwrap_or_default();
    // "rows 1-14 of 1,313" -> "rows 1-14" (the total may arrive after the page).
    let label = status[status.find("rows ").unwrap_or(0)..].trim();
    label.split(" of ").next().unwrap_or(label).to_string()
}

pub fn available() -> bool {
    let ok = Command::new("tmux").arg("-V").output().is_ok() && find_bin_dir().is_some();
    if !ok {
        eprintln!("skipped: needs tmux and the PostgreSQL server binaries");
    }
    ok
}

/// A fresh folder for a built-in database.
pub fn fresh_data_dir(name: &str) -> PathBuf {
    let data_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    data_dir
}

/// Starts the binary with `args` in a shell in tmux, on the built-in database in `data_dir`.
pub fn launch_in(name: &str, data_dir: &std::path::Path, args: &str) -> Tmux {
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
pub fn launch(name: &str) -> (Tmux, PathBuf) {
    let data_dir = fresh_data_dir(name);
    (launch_in(name, &data_dir, ""), data_dir)
}

pub fn sign_in(tmux: &Tmux, email: &str) {
    tmux.wait_for("demo: admin@boxoffice.test", Duration::from_secs(60));
    tmux.type_text(email);
    tmux.keys(&["Enter"]);
    tmux.type_text("demo");
    tmux.keys(&["Enter"]);
}

/// Runs SQL on the built-in database of `data_dir` with psql, as the app's role.
pub fn psql(data_dir: &std::path::Path, sql: &str) -> String {
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
pub fn assert_restored(tmux: &Tmux, data_dir: &std::path::Path) {
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
