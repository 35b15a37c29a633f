//! Schema migrations (`migrations/`, embedded in the binary): up, down and status.

use sqlx::PgPool;
use sqlx::migrate::{AppliedMigration, Migrate, Migrator};

use crate::db::progress::Progress;
use crate::error::SetupError;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// One migration and whether it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub version: i64,
    pub description: String,
    pub applied: bool,
}

/// Whether some migration of this binary is not applied yet. Reads only: creating sqlx's
/// table here, outside its lock, raced the other processes starting on a new database.
pub async fn any_pending(pool: &PgPool) -> Result<bool, SetupError> {
    let table = MIGRATOR.table_name.as_ref();
    let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(table)
        .fetch_one(pool)
        .await?;
    if !exists {
        return Ok(true);
    }
    let applied = pool.acquire().await?.list_applied_migrations(table).await?;
    Ok(states(&applied).iter().any(|m| !m.applied))
}

pub async fn up(pool: &PgPool) -> Result<(), SetupError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Applies the pending migrations one at a time, each a step of `progress`; returns the
/// versions applied, oldest first.
pub async fn up_with_progress(
    pool: &PgPool,
    progress: &mut Progress<'_>,
) -> Result<Vec<i64>, SetupError> {
    let pending: Vec<MigrationState> = status(pool)
        .await?
        .into_iter()
        .filter(|m| !m.applied)
        .collect();
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    for migration in &pending {
        progress.plan(
            format!("{} {}", migration.version, migration.description),
            1,
        );
    }
    for migration in &pending {
        progress.next_step();
        // run_to takes sqlx's migration lock, like `run`: two processes never apply one twice.
        MIGRATOR.run_to(migration.version, pool).await?;
    }
    progress.finish();
    Ok(pending.iter().map(|m| m.version).collect())
}

/// How far `migrate down` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownTo {
    /// Revert this many of the newest applied migrations.
    Steps(usize),
    All,
}

/// Reverts migrations; returns the versions reverted, newest first.
pub async fn down(pool: &PgPool, how_far: DownTo) -> Result<Vec<i64>, SetupError> {
    let applied: Vec<i64> = status(pool)
        .await?
        .into_iter()
        .filter(|m| m.applied)
        .map(|m| m.version)
        .collect();
    let keep = match how_far {
        DownTo::All => 0,
        DownTo::Steps(steps) => applied.len().saturating_sub(steps),
    };
    let target = if keep == 0 { 0 } else { applied[keep - 1] };
    MIGRATOR.undo(pool, target).await?;
    Ok(applied[keep..].iter().rev().copied().collect())
}

pub async fn status(pool: &PgPool) -> Result<Vec<MigrationState>, SetupError> {
    let mut conn = pool.acquire().await?;
    conn.ensure_migrations_table(&MIGRATOR.table_name).await?;
    let applied = conn.list_applied_migrations(&MIGRATOR.table_name).await?;
    Ok(states(&applied))
}

/// This binary's migrations, each with whether it is among `applied`.
fn states(applied: &[AppliedMigration]) -> Vec<MigrationState> {
    MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| MigrationState {
            version: m.version,
            description: m.description.to_string(),
            applied: applied.iter().any(|a| a.version == m.version),
        })
        .collect()
}
