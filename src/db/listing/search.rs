//! A page of a text search, in two steps (the sort's index walked for a bounded number of
//! rows, else the matches through the trigram index).

use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{ListQuery, MAX_PAGE_SIZE, Parent, page_sql, push_from_where, run, walking_statement};
use crate::db::auth::Actor;
use crate::db::filter::{Condition, Filter};
use crate::db::model::{EntityKind, Row};
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
    sqlx::query("SET LOCAL enable_indexscan = off")
        .execute(&mut *tx)
        .await?;
    sqlx::query("SET LOCAL enable_indexonlyscan = off")
        .execute(&mut *tx)
        .await?;
    let rows = run(&mut *tx, query.kind, page_sql(actor, query)?).await?;
    tx.rollback().await?;
    Ok(rows)
}

/// As `push_from_where`, without the filter's text search.
pub(super) fn push_from_where_but_search(
    sql: &mut QueryBuilder<Postgres>,
    actor: &Actor,
    kind: EntityKind,
    parent: Option<Parent>,
    filter: &Filter,
) {
    let conditions_only = Filter {
        words: Vec::new(),
        conditions: filter
            .conditions
            .iter()
            .filter(|condition| !matches!(condition, Condition::Holder(_)))
            .cloned()
            .collect(),
        ..filter.clone()
    };
    push_from_where(sql, actor, kind, parent, &conditions_only);
}
