//! The audit log: every change of state records who did it, when, and the values before and
//! after, in the same transaction as the change.

use sqlx::PgConnection;

use crate::db::auth::Actor;
use crate::error::DataError;

pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), DataError> {
    record_by(
        conn,
        Some(actor.id),
        action,
        entity,
        entity_id,
        before,
        after,
    )
    .await
}

/// As [`record`], for a change that may have no signed-in actor (an operator's command, whose
/// `after` says so).
pub async fn record_by(
    conn: &mut PgConnection,
    actor_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), DataError> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor_id)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}
