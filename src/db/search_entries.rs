//! The tickets' trigram indexes' pending entries, merged off the door's path (migration
//! 0020): left to the inserts, the admission that filled a pending list waited seconds for
//! the merge.

use sqlx::PgPool;

use crate::error::DataError;

/// Merges the pending entries of the tickets' trigram indexes into them, unless another
/// process is doing it; returns the pending-list pages merged.
pub async fn merge_pending(pool: &PgPool) -> Result<i64, DataError> {
    Ok(sqlx::query_scalar("SELECT merge_ticket_search_entries()")
        .fetch_one(pool)
        .await?)
}
