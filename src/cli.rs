//! The command line: the app itself, the SSH server, and the operator commands `migrate`,
//! `seed` and `keys`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::app::commands::KeyMap;
use crate::app::{AppOptions, Kiosk};
use crate::config::Config;
use crate::db::local_server::LocalServer;
use crate::db::migrations::{self, DownTo};
use crate::db::seed::{self, Scale};
use crate::db::{self, DatabaseTarget};
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
    let keymap = KeyMap::load(&config.keys)?;
    let url = cli
        .database_url
        .filter(|url| !url.trim().is_empty())
        .or(config.database_url.clone());
    let target = match url {
        Some(url) => DatabaseTarget::Url(url),
        None => DatabaseTarget::BuiltIn(LocalServer::default_root()?),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let options = |terminal: Option<String>, kiosk: Option<Kiosk>| AppOptions {
        keymap: keymap.clone(),
        terminal: terminal_name(terminal.or(config.terminal_name.clone())),
        kiosk,
        time_offset: *chrono::Local::now().offset(),
        no_color,
        clock: std::sync::Arc::new(crate::app::clock::SystemClock),
    };
    match cli.command {
        None => crate::runner::run(target, options(None, None)).await,
        Some(CliCommand::Kiosk { event, terminal }) => {
            if event.is_some_and(|id| id <= 0) {
                return Err(SetupError::Invalid(
                    "--event takes an event id (a positive number)".into(),
                )
                .into());
            }
            crate::runner::run(
                target,
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
            let options = crate::serve::ServeOptions::from_config(&serve, keymap)?;
            crate::serve::run(target, options).await
        }
        Some(CliCommand::Keys { action }) => keys(&target, action).await,
        Some(CliCommand::Seed { scale }) => seed_scale(&target, scale).await,
    }
}

fn say(step: &str) {
    eprintln!("boxoffice: {step}…");
}

async fn migrate(target: &DatabaseTarget, action: MigrateAction) -> Result<(), AppError> {
    let connection = db::connect(target, &say).await?;
    let result = match action {
        MigrateAction::Up => migrations::up(&connection.pool)
            .await
            .map(|()| println!("schema is up to date")),
        MigrateAction::Down { steps, all } => {
            let how_far = if all {
                DownTo::All
            } else {
                DownTo::Steps(steps.unwrap_or(1))
            };
            migrations::down(&connection.pool, how_far)
                .await
                .map(|reverted| {
                    if reverted.is_empty() {
                        println!("nothing to revert");
                    }
                    for version in reverted {
                        println!("reverted {version}");
                    }
                })
        }
        MigrateAction::Status => migrations::status(&connection.pool).await.map(|states| {
            for state in states {
                let mark = if state.applied { "applied" } else { "pending" };
                println!("{:>4}  {mark:<8} {}", state.version, state.description);
            }
        }),
    };
    connection.close().await;
    Ok(result?)
}

async fn seed_scale(target: &DatabaseTarget, factor: f64) -> Result<(), AppError> {
    let scale = Scale::from_factor(factor)?;
    let connection = db::open(target, &say).await?;
    eprintln!(
        "boxoffice: seeding {} orders, {} events, {} customers (this takes a while at scale 1)…",
        scale.orders, scale.events, scale.customers
    );
    let started = std::time::Instant::now();
    let result: Result<_, SetupError> = async {
        // An empty database gets the demo accounts first, so that someone can sign in.
        let has_users: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users)")
            .fetch_one(&connection.pool)
            .await?;
        if !has_users {
            seed::load_demo(&connection.pool, chrono::Utc::now()).await?;
        }
        seed::load_scale(&connection.pool, scale, chrono::Utc::now()).await
    }
    .await;
    connection.close().await;
    let added = result?;
    println!(
        "added {} users, {} events, {} ticket types, {} orders, {} tickets in {:.1}s",
        added.users,
        added.events,
        added.ticket_types,
        added.orders,
        added.tickets,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The name this terminal logs its scans under: given, or the host name.
fn terminal_name(given: Option<String>) -> String {
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

async fn keys(target: &DatabaseTarget, action: KeysAction) -> Result<(), AppError> {
    use crate::db::ssh_keys::{self, ChangedBy};
    let line = match &action {
        KeysAction::Add { file, .. } if file.as_os_str() == "-" => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Some(line)
        }
        KeysAction::Add { file, .. } => Some(std::fs::read_to_string(file).map_err(|error| {
            SetupError::Invalid(format!("cannot read {}: {error}", file.display()))
        })?),
        _ => None,
    };
    let connection = db::open(target, &say).await?;
    let operator = nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map_or_else(|| "unknown".to_string(), |user| user.name);
    let by = ChangedBy::CommandLine(&operator);
    let result = match action {
        KeysAction::Add { email, label, .. } => {
            let line = line.unwrap_or_default();
            ssh_keys::add(&connection.pool, by, &email, &line, &label)
                .await
                .map(|key| {
                    println!(
                        "added {} for {} ({})",
                        key.fingerprint,
                        key.email,
                        if key.label.is_empty() {
                            "no label"
                        } else {
                            &key.label
                        }
                    )
                })
        }
        KeysAction::List { email } => ssh_keys::list(&connection.pool, email.as_deref())
            .await
            .map(|keys| {
                if keys.is_empty() {
                    println!("no keys");
                }
                for key in keys {
                    let state = match (key.revoked_at, key.last_used_at) {
                        (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                        (None, Some(at)) => format!("last used {}", at.format("%Y-%m-%d %H:%M")),
                        (None, None) => "never used".to_string(),
                    };
                    println!(
                        "{}  {:<30} {:<20} {state}",
                        key.fingerprint, key.email, key.label
                    );
                }
            }),
        KeysAction::Revoke { fingerprint } => ssh_keys::revoke(&connection.pool, by, &fingerprint)
            .await
            .map(|key| println!("revoked {} of {}", key.fingerprint, key.email)),
    };
    connection.close().await;
    result.map_err(|error| SetupError::Invalid(error.to_string()).into())
}
