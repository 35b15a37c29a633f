//! `boxoffice serve`: one process serving the app to many people over SSH, each signed in by
//! their SSH key, each session with its own app state drawn to its own channel at its own
//! size, on one connection pool and one LISTEN connection.
//!
//! - `handler.rs`: one connection's SSH callbacks (sign-in by key, opening a session);
//! - `session.rs`: one session's app; `session_tasks.rs`: its input, output, notifications;
//! - `screen.rs`: frames for a remote terminal, at most one waiting per session;
//! - `input.rs`: keys from the channel's bytes;
//! - `gate.rs`: the limits; `key_index.rs`: the keys in force; `host_key.rs`: the host key.

mod gate;
mod handler;
pub mod host_key;
pub mod input;
mod key_index;
pub mod screen;
mod session;
mod session_tasks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::zone::Tz;
use russh::keys::PrivateKey;
use russh::server::Config;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use crate::app::commands::KeyMap;
use crate::config::ServeConfig;
use crate::data_task::DataEvent;
use crate::db::DatabaseSettings;
use crate::db::databases::Databases;
use crate::error::{AppError, SetupError};
use gate::Gate;
pub use key_index::KeyIndex;

/// How the server runs; `from_config` gives the defaults of the config file.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub limits: ServeConfig,
    pub idle_timeout: Duration,
    pub stall_timeout: Duration,
    pub keymap: KeyMap,
    /// The offset times are shown in (the server's local time).
    pub viewer_zone: Tz,
    /// Where sessions' `x` writes CSV files (on the server).
    pub export_folder: std::path::PathBuf,
    /// Lets the exec command `panic-for-test` make a session's app panic (tests only).
    pub panic_command_for_tests: bool,
}

impl ServeOptions {
    pub fn from_config(config: &ServeConfig, keymap: KeyMap) -> Result<Self, SetupError> {
        let listen = config.listen.parse().map_err(|_| {
            SetupError::Invalid(format!(
                "serve: `{}` is not an address to listen on (like 127.0.0.1:2222)",
                config.listen
            ))
        })?;
        Ok(Self {
            listen,
            limits: config.clone(),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs.max(1)),
            stall_timeout: Duration::from_secs(config.stall_timeout_secs.max(1)),
            keymap,
            viewer_zone: crate::zone::default_zone(),
            export_folder: crate::config::default_export_folder(),
            panic_command_for_tests: false,
        })
    }
}

/// What every connection and session of the process shares.
pub struct Shared {
    /// The primary, and the read replica if there is one.
    databases: Databases,
    /// The database as the status bar names it.
    label: String,
    keys: watch::Receiver<Arc<KeyIndex>>,
    changes: broadcast::Sender<DataEvent>,
    gate: Arc<Gate>,
    options: ServeOptions,
    shutdown: watch::Receiver<bool>,
    /// Sessions open now.
    sessions: Arc<AtomicUsize>,
}

/// A running server.
pub struct Server {
    pub address: SocketAddr,
    pub host_key_fingerprint: String,
    keys: watch::Receiver<Arc<KeyIndex>>,
    sessions: Arc<AtomicUsize>,
    shutdown: watch::Sender<bool>,
    accept: JoinHandle<()>,
    listener: JoinHandle<()>,
}

impl Server {
    /// Listens on `options.listen` and serves until [`Server::shut_down`].
    pub async fn start(
        databases: Databases,
        label: String,
        options: ServeOptions,
        host_key: PrivateKey,
    ) -> Result<Server, SetupError> {
        let socket = TcpListener::bind(options.listen).await.map_err(|error| {
            SetupError::Invalid(format!(
                "serve: cannot listen on {}: {error}",
                options.listen
            ))
        })?;
        let address = socket
            .local_addr()
            .map_err(|error| SetupError::Invalid(format!("serve: {error}")))?;
        // One LISTEN connection for the process; each session gets the notifications.
        let (changes, _) = broadcast::channel(256);
        let (notes_tx, mut notes_rx) = mpsc::unbounded_channel();
        let live = crate::data_task::listener::spawn(databases.clone(), notes_tx);
        let fan_out = {
            let changes = changes.clone();
            tokio::spawn(async move {
                while let Some(event) = notes_rx.recv().await {
                    let _ = changes.send(event);
                }
            })
        };
        let listener = tokio::spawn(async move {
            let _ = fan_out.await;
            live.abort();
        });
        let keys = key_index::start(databases.primary.clone(), changes.subscribe())
            .await
            .map_err(|error| SetupError::Invalid(format!("serve: loading the keys: {error}")))?;
        let (shutdown_tx, shutdown) = watch::channel(false);
        let host_key_fingerprint = host_key::fingerprint(&host_key);
        let config = Arc::new(russh_config(&options, host_key));
        let sessions = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            sessions: sessions.clone(),
            databases,
            label,
            keys: keys.clone(),
            changes,
            gate: Gate::new(&options.limits),
            options,
            shutdown,
        });
        let accept = tokio::spawn(accept_loop(socket, config, shared));
        tokio::spawn(give_back_memory());
        tracing::info!(%address, fingerprint = %host_key_fingerprint, "serve: listening");
        Ok(Server {
            address,
            host_key_fingerprint,
            keys,
            sessions,
            shutdown: shutdown_tx,
            accept,
            listener,
        })
    }

    /// The keys in force as the server knows them (tests wait on it after a change).
    pub fn key_index(&self) -> watch::Receiver<Arc<KeyIndex>> {
        self.keys.clone()
    }

    /// How many sessions are open now.
    pub fn sessions_open(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }

    /// Tells every session the server is going down, stops taking connections, and gives
    /// the sessions a moment to say so.
    pub async fn shut_down(self) {
        let _ = self.shutdown.send(true);
        self.accept.abort();
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.listener.abort();
    }
}

/// Idle sessions let go of their parser and screen buffers; glibc keeps freed memory in its
/// heaps unless asked, so every so often it is asked to give the free pages back.
async fn give_back_memory() {
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        every.tick().await;
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only releases free memory of the allocator's own heaps; it
        // touches no memory in use and may be called from any thread at any time.
        unsafe {
            nix::libc::malloc_trim(0);
        }
    }
}

fn russh_config(options: &ServeOptions, host_key: PrivateKey) -> Config {
    let mut methods = russh::MethodSet::empty();
    methods.push(russh::MethodKind::PublicKey);
    Config {
        methods,
        keys: vec![host_key],
        auth_rejection_time: Duration::from_millis(300),
        auth_rejection_time_initial: Some(Duration::ZERO),
        max_auth_attempts: 6,
        inactivity_timeout: None,
        keepalive_interval: Some(Duration::from_secs(options.limits.keepalive_secs.max(1))),
        keepalive_max: 3,
        nodelay: true,
        ..Config::default()
    }
}

async fn accept_loop(socket: TcpListener, config: Arc<Config>, shared: Arc<Shared>) {
    loop {
        let (stream, address) = match socket.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "serve: accepting a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let unauthenticated = match shared.gate.admit(address.ip()) {
            Ok(unauthenticated) => unauthenticated,
            Err(why) => {
                tracing::warn!(%address, why, "serve: refused a connection");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let handler = handler::Connection::new(shared.clone(), address, unauthenticated);
        let config = config.clone();
        tokio::spawn(async move {
            match russh::server::run_stream(config, stream, handler).await {
                Ok(session) => {
                    if let Err(error) = session.await {
                        tracing::info!(%address, %error, "serve: connection ended");
                    }
                }
                Err(error) => tracing::info!(%address, %error, "serve: connection failed"),
            }
        });
    }
}

/// `boxoffice serve`: opens the database, loads (or makes) the host key, serves until SIGTERM
/// or SIGINT, then tells every session and exits.
pub async fn run(settings: DatabaseSettings, options: ServeOptions) -> Result<(), AppError> {
    install_panic_logging();
    let key_path = host_key::default_path()?;
    let host_key = host_key::load_or_create(&key_path)?;
    let say = |step: &str| eprintln!("boxoffice: {step}…");
    let connection = crate::db::open_sized(&settings.target, settings.pool_size, &say).await?;
    let databases = Databases::new(connection.pool.clone(), settings.read.as_ref())?;
    // The sessions' status bar adds "+ replica" itself while the replica is read.
    let console_label = match &databases.replica {
        Some(replica) => format!("{} + replica {}", connection.label, replica.label),
        None => connection.label.clone(),
    };
    let server = Server::start(databases, connection.label.clone(), options, host_key).await?;
    // The operator's console may have gone (a closed pipe): the server serves on regardless.
    let tell = |line: String| {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "{line}");
    };
    tell(format!(
        "boxoffice serve: listening on {} (database {console_label})",
        server.address
    ));
    tell(format!(
        "host key {} ({})",
        server.host_key_fingerprint,
        key_path.display()
    ));
    tell(format!(
        "people connect with: ssh -p {} <this host>",
        server.address.port()
    ));
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    tell("boxoffice serve: going down".to_string());
    tracing::info!("serve: going down (signal)");
    server.shut_down().await;
    connection.close().await;
    Ok(())
}

/// A panic in a session is logged with its backtrace (and ends only that session).
fn install_panic_logging() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!(panic = %info, %backtrace, "serve: panic");
        previous(info);
    }));
}
