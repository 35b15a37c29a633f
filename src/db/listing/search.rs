//! A page of a text search, in two steps (the sort's index walked for a bounded number of
//! rows, else the matches through the trigram index).

use sqlx::PgPool;

use super::{ListQuery, MAX_PAGE_SIZE, page_sql, run, walking_statement};
use crate::db::auth::Actor;
use crate::db::filter::search_without_trigrams;
use crate::db::model::Row;
use crate::error::DataError;

/// Rows of the list a search checks in sort order before it reads its matches through the
/// trigram index instead (DESIGN.md "Performance": a search answers in 25 ms).
const SEARCH_WALK: i64 = 8_000;

/// A search's page in two steps. First the sort's index is walked from the position with
/// the search checked on each row, for at most `SEARCH_WALK` rows: a word on more than a few
/// rows in a thousand fills the page long before. Otherwise the word is rare here: its
/// matches are read through the trigram index and sorted. The planner cannot choose between
/// the two itself: matches are often bunched in the sort order (a name, sorted by holder),
/// where walking until the first one could read millions of rows.
pub(super) async fn search_rows(
    pool: &PgPool,
    actor: &Actor,
    query: &ListQuery,
) -> Result<Vec<Row>, DataError> {
    let size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let walked = run(
        pool,
        query.kind,
        walking_statement("SELECT ", actor, query, size, Some(SEARCH_WALK))?,
    )
    .await?;
    if walked.len() > usize::from(size) {
        return Ok(walked);
    }
    let mut tx = pool.begin().await?;
    if search_without_trigrams(&query.filter) {
        plan_without_bitmap_scans(&mut tx).await?;
    } else {
        sqlx::query(
            "SELECT set_config('enable_indexscan', 'off', true), \
                    set_config('enable_indexonlyscan', 'off', true)",
        )
        .execute(&mut *tx)
        .await?;
    }
    let rows = run(&mut *tx, query.kind, page_sql(actor, query)?).await?;
    tx.rollback().await?;
    Ok(rows)
}

/// For a search without trigrams (`search_without_trigrams`), for the rest of the
/// transaction: the trigram index would be read whole. Without bitmap scans (the only way a
/// GIN index is read) the planner, by the searched expressions' statistics, walks the sort's
/// index on (a common text, fast) or scans the table (a rare one, under a second at two
/// million rows).
pub(crate) async fn plan_without_bitmap_scans(
    tx: &mut sqlx::PgConnection,
) -> Result<(), DataError> {
    sqlx::query("SELECT set_config('enable_bitmapscan', 'off', true)")
        .execute(tx)
        .await?;
    Ok(())
}
