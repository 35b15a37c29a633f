//! SSH server benchmark (issue "Organizers over SSH"): the release binary's `boxoffice serve`
//! on loopback, driven by russh clients in this process.
//!
//! `DATABASE_URL=postgres://…/bo_bench_ssh cargo bench --bench ssh` on a database of its own
//! (the demo data is loaded when it is empty). Prints: server RSS with 0, 50, 100 and 200 idle
//! sessions; keypress-to-frame p50/p99 with 200 sessions each pressing a paging key every
//! 100 ms, their presses spread over the 100 ms, then all in the same instant; the CPU of the
//! server, of PostgreSQL and of these clients, and the frames and bytes sent, per key (all
//! three share the machine's cores); the same with 5 stalled clients besides. Bounded:
//! each phase runs for a fixed time, only to 127.0.0.1.

mod common;

#[path = "../tests/integration/common/ssh.rs"]
#[allow(dead_code)]
mod ssh;

use common::{percentile, resident_kib};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use boxoffice::db::ssh_keys::{self, ChangedBy};
use russh::ChannelMsg;
use ssh::{Relay, Terminal, new_key, public_line};

/// 200 and 5; `BENCH_SESSIONS` and `BENCH_STALLED` change them for a quick look.
fn counts() -> (usize, usize) {
    let get = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    (get("BENCH_SESSIONS", 200), get("BENCH_STALLED", 5))
}
const PRESS_EVERY: Duration = Duration::from_millis(100);
const RUN_FOR: Duration = Duration::from_secs(10);
/// The end of a frame: crossterm's EndSynchronizedUpdate.
const FRAME_END: &[u8] = b"\x1b[?2026l";

/// User + system CPU time of `pid`, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat_cpu_seconds(&stat)
}

/// User + system CPU time in a /proc stat line, in seconds.
fn stat_cpu_seconds(stat: &str) -> f64 {
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat; 11 and 12 after the name and state.
    let clock_ticks = 100.0;
    (ticks(11) + ticks(12)) / clock_ticks
}

/// CPU seconds of every PostgreSQL process of this machine (its server and backends): what
/// the sessions' queries cost, as far as nothing else uses the server meanwhile.
fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .filter(|stat| stat.contains("(postgres)"))
        .map(|stat| stat_cpu_seconds(&stat))
        .sum()
}

/// Where a paging run's CPU went, in cores: the server, PostgreSQL, this bench's clients.
#[derive(Debug, Clone, Copy)]
struct CoreShares {
    server: f64,
    postgres: f64,
    clients: f64,
    /// How long the run took.
    seconds: f64,
}

struct ServerProcess {
    child: Child,
    port: u16,
    /// Kept open: the server writes a line when it goes down.
    _output: std::process::ChildStdout,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn start_server(url: &str) -> ServerProcess {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port");
    let folder = std::env::temp_dir().join(format!("bo-ssh-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let config = folder.join("config.toml");
    std::fs::write(
        &config,
        "[serve]\nsessions_per_user = 1000\nmax_unauthenticated = 512\n",
    )
    .expect("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_boxoffice"))
        .env("DATABASE_URL", url)
        .env("BOXOFFICE_DATA_DIR", &folder)
        .args(["--config"])
        .arg(&config)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut stdout = child.stdout.take().expect("its output");
    let mut seen = Vec::new();
    let mut buffer = [0u8; 1024];
    let started = Instant::now();
    while !String::from_utf8_lossy(&seen).contains("host key") {
        use std::io::Read;
        let n = stdout.read(&mut buffer).unwrap_or(0);
        assert!(
            n > 0 || started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        seen.extend_from_slice(&buffer[..n]);
    }
    ServerProcess {
        child,
        port,
        _output: stdout,
    }
}

/// The "rows N-M" label on the screen.
fn rows_label(screen: &str) -> String {
    screen
        .lines()
        .rev()
        .find_map(|line| line.find("rows ").map(|at| line[at..].trim().to_string()))
        .unwrap_or_default()
}

/// What the server sent a session while it paged: frames (each ends a synchronized update)
/// and bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Received {
    frames: usize,
    bytes: usize,
}

impl Received {
    fn count(&mut self, data: &[u8]) {
        self.frames += data
            .windows(FRAME_END.len())
            .filter(|w| *w == FRAME_END)
            .count();
        self.bytes += data.len();
    }
}

/// Presses a paging key every `PRESS_EVERY` for `RUN_FOR`, the first after `offset`; the time
/// from each press until the frame that shows the new page has arrived.
async fn page_on(mut terminal: Terminal, offset: Duration) -> (Vec<Duration>, Received, Terminal) {
    let mut samples = Vec::new();
    let mut received = Received::default();
    tokio::time::sleep(offset).await;
    let stop = Instant::now() + RUN_FOR;
    let mut turn = 0u64;
    while Instant::now() < stop {
        let next = Instant::now() + PRESS_EVERY;
        // Whatever arrived meanwhile (a spinner's turn) is not the answer to this press.
        while let Ok(Some(message)) =
            tokio::time::timeout(Duration::ZERO, terminal.channel.wait()).await
        {
            if let ChannelMsg::Data { data } = message {
                received.count(&data);
                terminal.parser.process(&data);
            }
        }
        let before = rows_label(&terminal.screen());
        let key: &[u8] = if turn.is_multiple_of(2) {
            b"\x1b[6~"
        } else {
            b"\x1b[5~"
        };
        turn += 1;
        let pressed = Instant::now();
        if terminal.channel.data(key).await.is_err() {
            break;
        }
        let answered = loop {
            match tokio::time::timeout(Duration::from_secs(5), terminal.channel.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => {
                    received.count(&data);
                    terminal.parser.process(&data);
                    if data.windows(FRAME_END.len()).any(|w| w == FRAME_END)
                        && rows_label(&terminal.screen()) != before
                    {
                        break Some(pressed.elapsed());
                    }
                }
                Ok(Some(_)) => {}
                _ => break None,
            }
        };
        match answered {
            Some(took) => samples.push(took),
            None => break,
        }
        tokio::time::sleep_until(next.into()).await;
    }
    (samples, received, terminal)
}

async fn open_sessions(
    port: u16,
    keys: &[russh::keys::PrivateKey],
    from: usize,
    to: usize,
) -> Vec<Terminal> {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut opened = Vec::new();
    for key in &keys[from..to] {
        let mut terminal = Terminal::open(address, key, 100, 30, None)
            .await
            .expect("a session");
        assert!(
            terminal
                .wait_for(Duration::from_secs(30), |s| s.contains("rows 1-"))
                .await
        );
        terminal.send(b"2").await;
        assert!(
            terminal
                .wait_for(Duration::from_secs(30), |s| s.contains("of 3,000"))
                .await
        );
        opened.push(terminal);
    }
    opened
}

/// When the sessions press their keys within each `PRESS_EVERY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presses {
    /// Spread evenly over the interval, as people paging at once press: 200 sessions, a key
    /// every half millisecond.
    Spread,
    /// All in the same instant: each interval starts with every session's key at once.
    Lockstep,
}

async fn paging_run(
    terminals: Vec<Terminal>,
    pid: u32,
    presses: Presses,
) -> (Vec<Duration>, CoreShares, Received, Vec<Terminal>) {
    let before = (
        cpu_seconds(pid),
        postgres_cpu_seconds(),
        cpu_seconds(std::process::id()),
    );
    let started = Instant::now();
    let count = u32::try_from(terminals.len()).unwrap_or(u32::MAX).max(1);
    let runs: Vec<_> = (0u32..)
        .zip(terminals)
        .map(|(at, terminal)| {
            let offset = match presses {
                Presses::Spread => PRESS_EVERY * at / count,
                Presses::Lockstep => Duration::ZERO,
            };
            tokio::spawn(page_on(terminal, offset))
        })
        .collect();
    let mut samples = Vec::new();
    let mut back = Vec::new();
    let mut received = Received::default();
    for run in runs {
        if let Ok((mut taken, got, terminal)) = run.await {
            samples.append(&mut taken);
            received.frames += got.frames;
            received.bytes += got.bytes;
            back.push(terminal);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let shares = CoreShares {
        server: (cpu_seconds(pid) - before.0) / seconds,
        postgres: (postgres_cpu_seconds() - before.1) / seconds,
        clients: (cpu_seconds(std::process::id()) - before.2) / seconds,
        seconds,
    };
    (samples, shares, received, back)
}

/// The CPU a key cost each part, in ms: what 200 sessions at 10 keys a second each would need.
/// A paging run's row: latency, keys answered, and the CPU of each part (the server's also
/// per session, given their number).
fn print_paging_row(
    label: &str,
    samples: &mut [Duration],
    shares: CoreShares,
    sessions: Option<usize>,
) {
    let per_session = sessions
        .map(|count| {
            format!(
                " ({:.2}% per session)",
                shares.server * 100.0 / count as f64
            )
        })
        .unwrap_or_default();
    println!(
        "| {label} | {:.2} ms | {:.2} ms | {} | {:.0}% of a core{per_session} | {:.0}% | {:.0}% |",
        percentile(samples, 0.5),
        percentile(samples, 0.99),
        samples.len(),
        shares.server * 100.0,
        shares.postgres * 100.0,
        shares.clients * 100.0,
    );
}

fn per_key(shares: CoreShares, received: Received, keys: usize) -> String {
    let ms = |cores: f64| cores * shares.seconds * 1e3 / keys.max(1) as f64;
    let each = |count: usize| count as f64 / keys.max(1) as f64;
    format!(
        "server {:.2} + PostgreSQL {:.2} + clients {:.2} ms of CPU a key; {:.2} frames, {:.0} bytes a key",
        ms(shares.server),
        ms(shares.postgres),
        ms(shares.clients),
        each(received.frames),
        each(received.bytes)
    )
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!(
            "set DATABASE_URL to a database of its own for this benchmark (createdb bo_bench_ssh)"
        );
        return;
    };
    let pool = boxoffice::db::pool_for(
        url.parse().expect("DATABASE_URL parses"),
        boxoffice::db::DEFAULT_POOL_SIZE,
    )
    .await
    .expect("connects");
    boxoffice::db::migrations::MIGRATOR
        .run(&pool)
        .await
        .expect("migrates");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .expect("counts");
    if users == 0 {
        boxoffice::db::seed::load_demo(&pool, chrono::Utc::now())
            .await
            .expect("demo data");
    }
    sqlx::query("UPDATE user_keys SET revoked_at = now() WHERE revoked_at IS NULL")
        .execute(&pool)
        .await
        .expect("old keys revoked");
    let (sessions, stalled_count) = counts();
    let keys: Vec<_> = (0..sessions + stalled_count).map(|_| new_key()).collect();
    for key in &keys {
        ssh_keys::add(
            &pool,
            ChangedBy::CommandLine("bench"),
            "support@boxoffice.test",
            &public_line(key),
            "bench",
        )
        .await
        .expect("key added");
    }
    let server = start_server(&url);
    let pid = server.child.id();
    // The server reloads its keys on the change notification; give it a moment to be sure.
    tokio::time::sleep(Duration::from_secs(2)).await;

    println!("SSH server: {sessions} sessions of support@ at 100x30, Orders tab (3,000 rows)");
    println!();
    println!("| idle sessions | server RSS | beyond the first |");
    println!("|---:|---:|---:|");
    let base = resident_kib(&pid.to_string());
    println!("| 0 | {:.1} MB | |", base as f64 / 1024.0);
    // Connections signed in but with no session: what the SSH layer alone keeps.
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], server.port));
    let mut bare = Vec::new();
    for key in &keys[..sessions / 4] {
        bare.push(ssh::sign_in(address, key).await.expect("signed in"));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let with_bare = resident_kib(&pid.to_string());
    println!(
        "| ({} connections signed in, no session yet) | {:.1} MB | {:.2} MB/connection |",
        bare.len(),
        with_bare as f64 / 1024.0,
        with_bare.saturating_sub(base) as f64 / 1024.0 / bare.len().max(1) as f64
    );
    drop(bare);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut terminals = Vec::new();
    let mut first = 0;
    for target in [1, sessions / 4, sessions / 2, sessions] {
        let mut more = open_sessions(server.port, &keys, terminals.len(), target).await;
        terminals.append(&mut more);
        // Idle sessions rest 3 s after their last frame (the "signed in" message shows for
        // 5 s): measure them idle.
        tokio::time::sleep(Duration::from_secs(9)).await;
        let rss = resident_kib(&pid.to_string());
        if target == 1 {
            first = rss;
            continue;
        }
        let per = (rss.saturating_sub(first)) as f64 / (target - 1) as f64;
        println!(
            "| {target} | {:.1} MB | {:.2} MB/session ({:.1} MB for all beyond the process's own) |",
            rss as f64 / 1024.0,
            per / 1024.0,
            rss.saturating_sub(base) as f64 / 1024.0
        );
    }

    println!();
    println!(
        "| paging, {sessions} sessions, a key each 100 ms, {RUN_FOR:?} | p50 | p99 | keys answered | server CPU | PostgreSQL CPU | clients' CPU |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut terminals = terminals;
    let mut notes = Vec::new();
    for (label, presses) in [
        (
            "keypress to frame received, presses spread over the 100 ms",
            Presses::Spread,
        ),
        (
            "the same, every session pressing in the same instant",
            Presses::Lockstep,
        ),
    ] {
        let (mut samples, shares, received, back) = paging_run(terminals, pid, presses).await;
        terminals = back;
        let presses = samples.len();
        print_paging_row(label, &mut samples, shares, Some(sessions));
        notes.push(format!("{label}: {}", per_key(shares, received, presses)));
    }
    for note in notes {
        println!("({note})");
    }

    // Five clients that stop reading (a relay that no longer passes the server's bytes on),
    // then the same run again.
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], server.port));
    let mut stalled = Vec::new();
    eprintln!("opening {stalled_count} clients that will stop reading");
    for key in &keys[sessions..] {
        let relay = Relay::start(address).await;
        let mut terminal = Terminal::open_with_window(relay.address, key, 200, 60, None, 8 * 1024)
            .await
            .expect("a session");
        assert!(
            terminal
                .wait_for(Duration::from_secs(30), |s| s.contains("rows 1-"))
                .await
        );
        relay.stall();
        stalled.push((relay, terminal));
    }
    let pressing: Vec<_> = stalled
        .into_iter()
        .map(|(relay, terminal)| {
            tokio::spawn(async move {
                let stop = Instant::now() + RUN_FOR;
                while Instant::now() < stop {
                    let sent = tokio::time::timeout(
                        Duration::from_millis(200),
                        terminal.channel.data(&b"j"[..]),
                    )
                    .await;
                    if !matches!(sent, Ok(Ok(()))) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                (relay, terminal)
            })
        })
        .collect();
    let rss_before = resident_kib(&pid.to_string());
    let (mut samples, shares, received, _terminals) =
        paging_run(terminals, pid, Presses::Spread).await;
    let presses = samples.len();
    print_paging_row(
        &format!("the same, with {stalled_count} stalled clients"),
        &mut samples,
        shares,
        None,
    );
    println!("({})", per_key(shares, received, presses));
    println!(
        "server RSS with the stalled clients: {:.1} MB before the run, {:.1} MB after",
        rss_before as f64 / 1024.0,
        resident_kib(&pid.to_string()) as f64 / 1024.0
    );
    for task in pressing {
        task.abort();
    }
}
