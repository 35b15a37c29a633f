//! Row counts for the status bar: the planner's estimate first, an exact count only when it
//! is cheap. A count is its own request, so it never delays the page.

use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::db::auth::Actor;
use crate::db::filter::{Filter, TextSearch, search_without_trigrams};
use crate::db::listing::{Parent, plan_without_bitmap_scans, push_from_where_searching};
use crate::db::model::EntityKind;
use crate::error::DataError;

/// Below this estimate an exact `count(*)` costs a few milliseconds at most.
const EXACT_COUNT_BELOW: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowCount {
    pub rows: i64,
    pub exact: bool,
}

pub async fn count_rows(
    pool: &PgPool,
    actor: &Actor,
    kind: EntityKind,
    parent: Option<Parent>,
    filter: &Filter,
) -> Result<RowCount, DataError> {
    let estimate = estimate_rows(pool, actor, kind, parent, filter).await?;
    if estimate >= EXACT_COUNT_BELOW {
        return Ok(RowCount {
            rows: estimate,
            exact: false,
        });
    }
    let mut count = QueryBuilder::<Postgres>::new("SELECT count(*)");
    push_from_where_searching(
        &mut count,
        actor,
        kind,
        parent,
        filter,
        TextSearch::ThroughNamesAndCodes,
    );
    let rows: i64 = if search_without_trigrams(filter) {
        // As for its page: never read a whole trigram index.
        let mut tx = pool.begin().await?;
        plan_without_bitmap_scans(&mut tx).await?;
        let rows = count.build_query_scalar().fetch_one(&mut *tx).await?;
        tx.rollback().await?;
        rows
    } else {
        count.build_query_scalar().fetch_one(pool).await?
    };
    // Counted through names and codes (see `filter::through_names`).
    Ok(RowCount { rows, exact: true })
}

/// The planner's estimate of the rows of a list, from the searched texts themselves (which
/// the statistics of migration 0015 know; it cannot tell how many rows a set of names
/// stands for).
pub async fn estimate_rows(
    pool: &PgPool,
    actor: &Actor,
    kind: EntityKind,
    parent: Option<Parent>,
    filter: &Filter,
) -> Result<i64, DataError> {
    let mut explain = QueryBuilder::<Postgres>::new("EXPLAIN (FORMAT JSON) SELECT 1");
    push_from_where_searching(
        &mut explain,
        actor,
        kind,
        parent,
        filter,
        TextSearch::Checked,
    );
    let plan: serde_json::Value = explain.build_query_scalar().fetch_one(pool).await?;
    Ok(plan
        .pointer("/0/Plan/Plan Rows")
        .and_then(serde_json::Value::as_f64)
        .map_or(0, |rows| rows.round() as i64))
}
