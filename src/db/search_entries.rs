//! The pending entries of the tickets' codes' trigram index, merged off the path of sales and
//! admissions (migrations 0020, 0024): left to the inserts, the one that filled the pending
//! list waited seconds for the merge.

use sqlx::PgPool;

use crate::error::DataError;

/// Merges the pending entries of the tickets' codes' trigram index into it, unless another
/// process is doing it; returns the pending-list pages merged.
pub async fn merge_pending(pool: &PgPool) -> Result<i64, DataError> {
    Ok(sqlx::query_scalar("SELECT merge_ticket_search_entries()")
        .fetch_one(pool)
        .await?)
}
