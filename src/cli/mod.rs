//! The command line: the app itself, the SSH server, and the operator commands `migrate`,
//! `seed` and `keys`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod export;
mod operator;
mod progress;

use operator::{keys, migrate, seed_scale};

use crate::app::commands::KeyMap;
use crate::app::{AppOptions, Kiosk};
use crate::config::Config;
use crate::db::local_server::LocalServer;
use crate::db::replica::ReadSettings;
use crate::db::{DatabaseSettings, DatabaseTarget};
use crate::error::{AppError, SetupError};

#[derive(Debug, Parser)]
#[command(
    name = "boxoffice",
    version,
    about = "The back office of an event-ticketing operation, in the terminal"
)]
pub struct Cli {
    /// PostgreSQL URL; without one (and without DATABASE_URL or a config file entry) the
    /// built-in local database is used.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// A streaming replica of that database for lists, searches, counts, details, dashboards
    /// and exports (see docs/deploy.md); writes and availability always use the primary.
    #[arg(long, env = "DATABASE_READ_URL", global = true, hide_env_values = true)]
    pub read_database_url: Option<String>,
    /// Configuration file (default: boxoffice/config.toml in the user's config directory).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Apply, revert or list schema migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Start locked to check-in, for door staff: no other tabs, and leaving needs the
    /// signed-in user's password.
    Kiosk {
        /// The event this door admits to (its id); without it, tickets of any event.
        #[arg(long)]
        event: Option<i64>,
        /// This door's name in the scan log (default: `terminal_name` in the config file,
        /// or the host name).
        #[arg(long)]
        terminal: Option<String>,
    },
    /// Serve the app over SSH: people connect with `ssh -p 2222 HOST`, signed in by the SSH
    /// key an admin registered for them.
    Serve {
        /// Address to listen on (default: `listen` under [serve] in the config file, else
        /// 127.0.0.1:2222).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Register, list and revoke the SSH keys that sign people in to `serve`.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Export orders, tickets or events to CSV (stdout, or -o FILE), as the list shows them
    /// to the signed-in user: same filter language, role scope and sorts.
    Export {
        what: export::ExportKind,
        /// A filter, as typed after / in the app (e.g. 'status:paid from:2026-01-01').
        #[arg(long, default_value = "")]
        filter: String,
        /// The file to write (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Sign in as this user (the password is asked, or read from BOXOFFICE_PASSWORD).
        #[arg(long = "as", value_name = "EMAIL")]
        email: String,
        /// Sort by this column (as the list's header names it; default: the list's own).
        #[arg(long)]
        sort: Option<String>,
        /// Reverse the sort.
        #[arg(long)]
        reverse: bool,
    },
    /// Add a large generated data set (for load tests and demos).
    Seed {
        /// Size: 1 is the benchmark set (2M orders, 5M tickets, 500k users, 20k events);
        /// 0.01 is a hundredth of it.
        #[arg(long)]
        scale: f64,
    },
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the newest migration, the newest N, or all of them.
    Down {
        /// How many to revert (default 1).
        steps: Option<usize>,
        /// Revert all migrations.
        #[arg(long, conflicts_with = "steps")]
        all: bool,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Register a public key for the user with EMAIL.
    Add {
        email: String,
        /// The public key file (e.g. id_ed25519.pub), or - to read the key line from stdin.
        file: PathBuf,
        /// A name for the key (default: the key's comment).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List the keys (of one user), newest first, revoked ones too.
    List { email: Option<String> },
    /// Revoke the key with this fingerprint (SHA256:…, as `keys list` shows it).
    Revoke { fingerprint: String },
}

/// Runs what the command line asks for.
pub async fn run(cli: Cli) -> Result<(), AppError> {
    let config = Config::load(cli.config.as_deref())?;
    // Before any connection: each one tells the database the default zone of new events.
    crate::zone::set_default_zone(config.default_zone());
    crate::money::set_default_currency(&config.default_currency());
    let keymap = KeyMap::load(&config.keys)?;
    let url = cli
        .database_url
        .filter(|url| !url.trim().is_empty())
        .or(config.database_url.clone());
    let target = match url {
        Some(url) => DatabaseTarget::Url(url),
        None => DatabaseTarget::BuiltIn(LocalServer::default_root()?),
    };
    let read_url = cli
        .read_database_url
        .filter(|url| !url.trim().is_empty())
        .or(config.read_database_url.clone());
    if read_url.is_some() && matches!(target, DatabaseTarget::BuiltIn(_)) {
        return Err(SetupError::Invalid(
            "a read replica (read_database_url, DATABASE_READ_URL) needs its primary given \
             too (database_url, DATABASE_URL): the built-in database has no replica"
                .into(),
        )
        .into());
    }
    let settings = DatabaseSettings {
        target: target.clone(),
        pool_size: config.pool_size.unwrap_or(crate::db::DEFAULT_POOL_SIZE),
        read: read_url.map(|url| ReadSettings {
            url,
            pool_size: config
                .read_pool_size
                .unwrap_or(crate::db::DEFAULT_POOL_SIZE),
            max_lag: std::time::Duration::from_secs(config.replica_max_lag_secs.unwrap_or(10)),
        }),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let options = |terminal: Option<String>, kiosk: Option<Kiosk>| AppOptions {
        keymap: keymap.clone(),
        terminal: terminal_name(terminal.or(config.terminal_name.clone())),
        kiosk,
        viewer_zone: crate::zone::default_zone(),
        no_color,
        clock: std::sync::Arc::new(crate::app::clock::SystemClock),
        export_folder: config.export_folder(),
    };
    match cli.command {
        None => crate::runner::run(settings, options(None, None)).await,
        Some(CliCommand::Kiosk { event, terminal }) => {
            if event.is_some_and(|id| id <= 0) {
                return Err(SetupError::Invalid(
                    "--event takes an event id (a positive number)".into(),
                )
                .into());
            }
            crate::runner::run(
                settings,
                options(
                    terminal,
                    Some(Kiosk {
                        event_id: event,
                        password_to_leave: true,
                    }),
                ),
            )
            .await
        }
        Some(CliCommand::Migrate { action }) => migrate(&target, action).await,
        Some(CliCommand::Serve { listen }) => {
            let mut serve = config.serve.clone();
            if let Some(listen) = listen {
                serve.listen = listen;
            }
            let mut options = crate::serve::ServeOptions::from_config(&serve, keymap)?;
            options.export_folder = config.export_folder();
            crate::serve::run(settings, options).await
        }
        Some(CliCommand::Keys { action }) => keys(&target, action).await,
        Some(CliCommand::Seed { scale }) => seed_scale(&target, scale).await,
        Some(CliCommand::Export {
            what,
            filter,
            output,
            email,
            sort,
            reverse,
        }) => {
            export::export(
                &target,
                export::ExportArgs {
                    kind: what,
                    filter,
                    output,
                    email,
                    sort,
                    reverse,
                },
            )
            .await
        }
    }
}

/// The name this terminal logs its scans under: given, or the host name.
pub(crate) fn terminal_name(given: Option<String>) -> String {
    given
        .map(|name| {
            name.trim()
                .chars()
                .take(crate::db::check_in::MAX_TERMINAL_CHARS)
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .or_else(|| {
            nix::unistd::gethostname()
                .ok()
                .and_then(|name| name.into_string().ok())
        })
        .unwrap_or_else(|| "terminal".into())
}
