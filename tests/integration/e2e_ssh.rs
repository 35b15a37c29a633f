//! End to end over SSH: the release binary's `boxoffice serve` in one tmux window, the real
//! OpenSSH client in others, as an admin and organizers would use them.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::tmux::{Tmux, available, fresh_data_dir, launch_in};

const BOXOFFICE: &str = env!("CARGO_BIN_EXE_boxoffice");

fn ssh_available() -> bool {
    let ok = Command::new("ssh").arg("-V").output().is_ok()
        && Command::new("ssh-keygen").arg("--help").output().is_ok();
    if !ok {
        eprintln!("skipped: needs the OpenSSH client (ssh, ssh-keygen)");
    }
    ok
}

/// A new key pair in `folder`; returns the private key's path.
fn key_pair(folder: &Path, name: &str) -> String {
    let path = folder.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C"])
        .arg(format!("{name}@laptop"))
        .arg("-f")
        .arg(&path)
        .status()
        .expect("ssh-keygen runs");
    assert!(status.success());
    path.display().to_string()
}

/// `boxoffice keys …` on the data directory, as an operator would run it.
fn keys(data_dir: &Path, args: &[&str]) -> String {
    let output = Command::new(BOXOFFICE)
        .env_remove("DATABASE_URL")
        .env("BOXOFFICE_DATA_DIR", data_dir)
        .arg("keys")
        .args(args)
        .output()
        .expect("boxoffice runs");
    assert!(
        output.status.success(),
        "keys {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn ssh_args(key: &str, port: u16) -> String {
    format!(
        "ssh -i {key} -p {port} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
         -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
    )
}

/// Connects in a new tmux window of `width` x `height`.
fn connect(name: &str, key: &str, port: u16, width: u16, height: u16) -> Tmux {
    let tmux = Tmux::start(name, width, height);
    tmux.wait_for("PROMPT>", Duration::from_secs(5));
    tmux.type_text(&format!(
        "{} me@127.0.0.1; echo SSH''DONE=$?",
        ssh_args(key, port)
    ));
    tmux.keys(&["Enter"]);
    tmux
}

/// Whether the server refuses `key` (ssh without a terminal, in batch mode).
fn refused(key: &str, port: u16) -> bool {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} -o BatchMode=yes me@127.0.0.1 kiosk < /dev/null",
            ssh_args(key, port)
        ))
        .output()
        .expect("ssh runs");
    String::from_utf8_lossy(&output.stderr).contains("Permission denied (publickey)")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

#[test]
fn organizers_connect_with_their_keys_and_see_each_others_changes() {
    if !available() || !ssh_available() {
        return;
    }
    let data_dir = fresh_data_dir("ssh");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let ada_key = key_pair(&data_dir, "ada");
    let admin_key = key_pair(&data_dir, "admin");
    let grace_key = key_pair(&data_dir, "grace");
    let stranger_key = key_pair(&data_dir, "stranger");
    // The admin registers keys (this first command also makes the database and the demo).
    keys(
        &data_dir,
        &["add", "ada@boxoffice.test", &format!("{ada_key}.pub")],
    );
    keys(
        &data_dir,
        &["add", "admin@boxoffice.test", &format!("{admin_key}.pub")],
    );
    let added = keys(
        &data_dir,
        &[
            "add",
            "grace@boxoffice.test",
            &format!("{grace_key}.pub"),
            "--label",
            "office",
        ],
    );
    let grace_fingerprint = added
        .split_whitespace()
        .find(|word| word.starts_with("SHA256:"))
        .expect("the fingerprint is said")
        .to_string();
    assert!(keys(&data_dir, &["list"]).contains("grace@boxoffice.test"));

    let port = free_port();
    let server = launch_in(
        "serve",
        &data_dir,
        &format!("serve --listen 127.0.0.1:{port}"),
    );
    let started = server.wait_for("host key SHA256:", Duration::from_secs(60));
    // The fingerprint printed at start is the one the client sees.
    let scanned = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ssh-keyscan -p {port} -t ed25519 127.0.0.1 2>/dev/null | ssh-keygen -lf -"
        ))
        .output()
        .expect("ssh-keyscan runs");
    let scanned = String::from_utf8_lossy(&scanned.stdout);
    let printed = started
        .split_whitespace()
        .find(|word| word.starts_with("SHA256:"))
        .expect("printed");
    assert!(scanned.contains(printed), "{scanned} vs {printed}");

    // Ada signs in by her key alone and sees only her events.
    let ada = connect("ada", &ada_key, port, 100, 30);
    let screen = ada.wait_for("rows 1-9 of 9", Duration::from_secs(20));
    assert!(
        screen.contains("ada@boxoffice.test (organizer)"),
        "{screen}"
    );
    assert!(!screen.contains("Grace Hopper"), "{screen}");
    // A smaller window lays the screen out again.
    assert!(
        ada.run(&["resize-window", "-t", &ada.session, "-x", "80", "-y", "24"])
            .status
            .success()
    );
    let started = Instant::now();
    loop {
        let screen = ada.screen();
        let top = screen.lines().find(|line| line.starts_with("┌ Events"));
        if top.is_some_and(|line| line.chars().count() == 80) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{screen}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // The admin watches the gala; Ada renames it; the admin's screen follows within a second.
    let admin = connect("admin", &admin_key, port, 100, 30);
    admin.wait_for("admin@boxoffice.test (admin)", Duration::from_secs(20));
    admin.type_text("/New Year Gala");
    admin.keys(&["Enter"]);
    admin.wait_for("rows 1-1 of 1", Duration::from_secs(10));
    ada.type_text("/New Year Gala");
    ada.keys(&["Enter"]);
    ada.wait_for("rows 1-1 of 1", Duration::from_secs(10));
    ada.type_text("e");
    ada.wait_for("Edit event", Duration::from_secs(10));
    ada.type_text(" Encore");
    ada.keys(&["C-s"]);
    ada.wait_for("saved event", Duration::from_secs(10));
    admin.wait_for("New Year Gala Encore", Duration::from_secs(1));

    // An unknown key and a revoked key are refused; nothing is drawn for them.
    assert!(refused(&stranger_key, port), "an unknown key");
    assert!(!refused(&grace_key, port), "Grace's key works");
    keys(&data_dir, &["revoke", &grace_fingerprint]);
    let started = Instant::now();
    while !refused(&grace_key, port) {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "a revoked key is refused"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // q ends Ada's session; the server goes on serving the admin.
    ada.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(100));
    ada.type_text("q");
    ada.wait_for("SSHDONE=0", Duration::from_secs(10));
    admin.type_text("2");
    admin.wait_for("┌ Orders", Duration::from_secs(10));

    // SIGTERM: the admin is told, and the server exits 0.
    let shell = server.run(&[
        "display-message",
        "-p",
        "-t",
        &server.session,
        "#{pane_pid}",
    ]);
    let shell = String::from_utf8_lossy(&shell.stdout).trim().to_string();
    let pid = Command::new("pgrep")
        .args(["-P", &shell])
        .output()
        .expect("pgrep runs");
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs")
            .success()
    );
    admin.wait_for("the server is going down", Duration::from_secs(10));
    server.wait_for("EXITED=0", Duration::from_secs(20));
    let _ = std::fs::remove_dir_all(&data_dir);
}
