//! The operator commands: `migrate`, `seed` and `keys`.

use crate::cli::{KeysAction, MigrateAction, progress};
use crate::db::migrations::{self, DownTo};
use crate::db::seed::{self, Scale};
use crate::db::{self, DatabaseTarget};
use crate::error::{AppError, SetupError};

pub(super) fn say(step: &str) {
    eprintln!("boxoffice: {step}…");
}

pub(super) async fn migrate(
    target: &DatabaseTarget,
    action: MigrateAction,
) -> Result<(), AppError> {
    let connection = db::connect(target, &say).await?;
    let result = match action {
        MigrateAction::Up => {
            migrations::up_with_progress(&connection.pool, &mut progress::on_stderr("migrate"))
                .await
                .map(|applied| {
                    if applied.is_empty() {
                        println!("schema is up to date (nothing to apply)");
                    }
                    for version in applied {
                        println!("applied {version}");
                    }
                })
        }
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

pub(super) async fn seed_scale(target: &DatabaseTarget, factor: f64) -> Result<(), AppError> {
    let scale = Scale::from_factor(factor)?;
    let connection = db::open(target, &say).await?;
    eprintln!(
        "boxoffice: seeding {} orders, {} events, {} customers…",
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
        seed::load_scale(
            &connection.pool,
            scale,
            chrono::Utc::now(),
            &mut progress::on_stderr("seed"),
        )
        .await
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

pub(super) async fn keys(target: &DatabaseTarget, action: KeysAction) -> Result<(), AppError> {
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
