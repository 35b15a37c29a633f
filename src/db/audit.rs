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
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor.id)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}
