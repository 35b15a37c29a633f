//! The data layer: connecting (to a given server or the built-in one), the schema, seeding,
//! and the scoped reads the screens need. Nothing here knows about the terminal.

pub mod audit;
pub mod auth;
pub mod check_in;
pub mod count;
pub mod dashboard;
pub mod databases;
pub mod detail;
pub mod edits;
pub mod export;
pub mod filter;
pub mod listing;
pub mod local_server;
pub mod migrations;
pub mod model;
pub mod permissions;
pub mod progress;
pub mod replica;
pub mod sales;
pub mod scope;
pub mod search_entries;
pub mod seed;
pub mod sign_in_throttle;
pub mod ssh_keys;
pub mod trash;

use std::path::PathBuf;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgPool};

use crate::db::local_server::{LOCAL_DATABASE, LOCAL_ROLE, LocalServer, LocalServerLease};
use crate::error::SetupError;

/// Which database to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// A server given by URL (`DATABASE_URL`, `--database-url` or the config file).
    Url(String),
    /// The built-in server, in this folder.
    BuiltIn(PathBuf),
}

/// A ready database: migrated, and for a new built-in one, loaded with the demo data.
#[derive(Debug)]
pub struct Connection {
    pub pool: PgPool,
    /// What the status bar calls this database (never includes a password).
    pub label: String,
    /// Keeps the built-in server up while we run; dropping it may stop the server.
    pub lease: Option<LocalServerLease>,
}

impl Connection {
    /// Closes the pool, then lets the lease go, which stops the built-in server if no other
    /// boxoffice still uses it (that waits for the server, so it runs off the async threads).
    pub async fn close(self) {
        self.pool.close().await;
        let lease = self.lease;
        let _ = tokio::task::spawn_blocking(move || drop(lease)).await;
    }
}

/// Connections per process to the primary unless configured (`pool_size`).
pub const DEFAULT_POOL_SIZE: u32 = 8;

/// Where the data is and how many connections this process may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    pub target: DatabaseTarget,
    /// Connections to the primary (`pool_size`); the LISTEN connection comes on top.
    pub pool_size: u32,
    /// A read replica (`read_database_url`).
    pub read: Option<replica::ReadSettings>,
}

impl DatabaseSettings {
    /// The primary only, with the default pool.
    pub fn primary(target: DatabaseTarget) -> Self {
        Self {
            target,
            pool_size: DEFAULT_POOL_SIZE,
            read: None,
        }
    }
}

/// Progress reported while connecting (starting the built-in server can take seconds).
pub type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// Connects to `target` and brings its schema up to date. A built-in database that has no
/// users yet (its first run) gets the demo data.
pub async fn open(
    target: &DatabaseTarget,
    progress: Progress<'_>,
) -> Result<Connection, SetupError> {
    open_sized(target, DEFAULT_POOL_SIZE, progress).await
}

/// As [`open`], with a pool of `pool_size` connections.
pub async fn open_sized(
    target: &DatabaseTarget,
    pool_size: u32,
    progress: Progress<'_>,
) -> Result<Connection, SetupError> {
    let connection = connect_sized(target, pool_size, progress).await?;
    // Said only when there is something to apply: every start checks.
    if migrations::any_pending(&connection.pool).await? {
        progress("updating the schema");
    }
    migrations::up(&connection.pool).await?;
    if seed::indexes_pending(&connection.pool).await? > 0 {
        progress("finishing the indexes an interrupted seed left");
        seed::finish_interrupted(&connection.pool, &mut progress::Progress::silent()).await?;
    }
    if connection.lease.is_some() {
        let has_users: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users)")
            .fetch_one(&connection.pool)
            .await?;
        if !has_users {
            // Several processes may start on a new database at once: one loads, the others
            // wait on its lock and then find the data there.
            progress("setting up the database (loading the demo data)");
            seed::load_demo_if_empty(&connection.pool, chrono::Utc::now()).await?;
        }
    }
    Ok(connection)
}

/// Connects to `target` (starting the built-in server if that is the target) without
/// touching the schema: `migrate` works on what is there.
pub async fn connect(
    target: &DatabaseTarget,
    progress: Progress<'_>,
) -> Result<Connection, SetupError> {
    connect_sized(target, DEFAULT_POOL_SIZE, progress).await
}

async fn connect_sized(
    target: &DatabaseTarget,
    pool_size: u32,
    progress: Progress<'_>,
) -> Result<Connection, SetupError> {
    let (options, label, lease) = match target {
        DatabaseTarget::Url(url) => {
            let options: PgConnectOptions = url.parse().map_err(SetupError::Connect)?;
            let label = describe(&options);
            (options, label, None)
        }
        DatabaseTarget::BuiltIn(root) => {
            progress("starting the built-in database");
            let root = root.clone();
            let (lease, endpoint) = tokio::task::spawn_blocking(move || {
                LocalServer::new(root).and_then(LocalServerLease::acquire)
            })
            .await
            .map_err(|e| SetupError::Invalid(format!("starting the built-in database: {e}")))??;
            let options = PgConnectOptions::new()
                .socket(&endpoint.socket_dir)
                .username(LOCAL_ROLE)
                .database("postgres");
            // Not only when this process made the cluster: another one starting in the same
            // second may have made it and not yet created the database.
            if endpoint.freshly_created {
                progress("setting up the database");
            }
            create_local_database(&options).await?;
            let label = format!("built-in ({})", lease.server().data_dir().display());
            (options.database(LOCAL_DATABASE), label, Some(lease))
        }
    };
    let pool = pool_for(options, pool_size).await?;
    Ok(Connection { pool, label, lease })
}

/// How long a pooled connection may sit idle before it is checked before use.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The connection pool every part of the app shares. Each connection is tagged with our pid
/// (visible in `pg_stat_activity`) and bounded by a statement timeout so that a runaway query
/// cannot hold a screen forever.
pub async fn pool_for(options: PgConnectOptions, size: u32) -> Result<PgPool, SetupError> {
    PgPoolOptions::new()
        .max_connections(size.max(1))
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(5))
        // sqlx checks every connection with a round trip before handing it out (and again,
        // unconditionally, when it comes back): at the door one more round trip before every
        // scan, on a CPU the scans already fill. Only a connection idle for a while is checked
        // before use (after a server restart those are dead).
        .test_before_acquire(false)
        .before_acquire(|connection, held| {
            Box::pin(async move {
                if held.idle_for >= CHECK_AFTER_IDLE {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(session_settings(options))
        .await
        .map_err(SetupError::Connect)
}

/// What every connection of ours sets: our pid as its name, a statement timeout, the default
/// time zone and currency for new events.
pub(crate) fn session_settings(options: PgConnectOptions) -> PgConnectOptions {
    options
        .application_name(&format!("boxoffice/{}", std::process::id()))
        .options([
            ("statement_timeout", "30s"),
            ("jit", "off"),
            // New events without a zone of their own get this one (migration 0017).
            (
                "boxoffice.default_time_zone",
                crate::zone::default_zone().name(),
            ),
            // ... and this currency (migration 0019).
            (
                "boxoffice.default_currency",
                crate::money::default_currency(),
            ),
        ])
}

async fn create_local_database(admin: &PgConnectOptions) -> Result<(), SetupError> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(admin.clone())
        .await
        .map_err(SetupError::Connect)?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(LOCAL_DATABASE)
            .fetch_one(&pool)
            .await?;
    if !exists {
        match sqlx::query("CREATE DATABASE boxoffice")
            .execute(&pool)
            .await
        {
            Ok(_) => {}
            // Another process created it between our look and our CREATE.
            Err(sqlx::Error::Database(error))
                if matches!(error.code().as_deref(), Some("42P04" | "23505")) => {}
            Err(error) => return Err(error.into()),
        }
    }
    pool.close().await;
    Ok(())
}

pub(crate) fn describe(options: &PgConnectOptions) -> String {
    let database = options.get_database().unwrap_or("postgres");
    format!(
        "{}@{}/{}",
        options.get_username(),
        options.get_host(),
        database
    )
}
