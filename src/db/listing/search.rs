//! A page of a text search: in the names' own order straight through the names that match;
//! in any other order, the sort's index walked for a bounded number of rows, else the
//! matches found through names and codes (`filter::through_names`) and sorted.

use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{
    ListQuery, MAX_PAGE_SIZE, Reading, run, searching_page_sql, sort_keys, walking_statement,
};
use crate::db::auth::Actor;
use crate::db::count::estimate_rows;
use crate::db::filter::{
    Condition, Filter, TextSearch, has_trigram, names_column, push_any_code_contains,
    search_without_trigrams, through_names,
};
use crate::db::model::{EntityKind, Row};
use crate::error::DataError;

/// Rows of the list a search checks in sort order before it finds its matches through names
/// and codes instead (DESIGN.md "Performance": a search answers in 25 ms).
const SEARCH_WALK: i64 = 8_000;

/// A search's page. Sorted by the column the names are in (Holder, Buyer), the rows of the
/// matching names are read in that order from its index, which stops after a page. In other
/// orders, first the sort's index is walked from the position with the search checked on
/// each row, for at most `SEARCH_WALK` rows: a word on more than a few rows in a thousand
/// fills the page long before. Otherwise the word is rarer: its rows are found through the
/// names and codes that contain it, and sorted. The planner cannot choose between the two
/// itself: it does not know how many rows the matching names stand for.
pub(super) async fn search_rows(
    pool: &PgPool,
    actor: &Actor,
    query: &ListQuery,
) -> Result<Vec<Row>, DataError> {
    let size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let how = how_to_search(pool, query).await?;
    if in_names_order(query, how) {
        // An ordered scan of the names' index: the planner, taking the names for few rows,
        // would rather read all their rows and sort them (a common name: 200 ms).
        return run_planned(
            pool,
            query.kind,
            "SELECT set_config('enable_sort', 'off', true)",
            searching_page_sql(actor, query, Reading::FromPosition, how)?,
        )
        .await;
    }
    if walk_pays(pool, actor, query, size).await? {
        let walked = run(
            pool,
            query.kind,
            walking_statement(
                "SELECT ",
                actor,
                query,
                size,
                Reading::Walk(SEARCH_WALK),
                TextSearch::Checked,
            )?,
        )
        .await?;
        if walked.len() > usize::from(size) {
            return Ok(walked);
        }
    }
    if search_without_trigrams(&query.filter) {
        // No trigram index can look the text up, and none would be read whole: without
        // bitmap scans (the only way a GIN index is read) the planner, by the searched
        // expressions' statistics, walks the sort's index (a common text) or scans the
        // table (a rare one).
        return run_planned(
            pool,
            query.kind,
            WITHOUT_BITMAP_SCANS,
            searching_page_sql(actor, query, Reading::FromPosition, how)?,
        )
        .await;
    }
    // The matches through the names' and codes' indexes, then sorted (in one process: the
    // workers' start costs more than they save on a few thousand rows): walking the sort's
    // index instead, the planner's pick for what it takes for many rows, could read
    // millions before the first match.
    run_planned(
        pool,
        query.kind,
        "SELECT set_config('enable_indexscan', 'off', true), \
                set_config('enable_indexonlyscan', 'off', true), \
                set_config('max_parallel_workers_per_gather', '0', true)",
        searching_page_sql(actor, query, Reading::MatchesFirst, how)?,
    )
    .await
}

/// Runs a page statement in a transaction whose planner settings `settings` changes first.
async fn run_planned(
    pool: &PgPool,
    kind: EntityKind,
    settings: &'static str,
    statement: QueryBuilder<Postgres>,
) -> Result<Vec<Row>, DataError> {
    let mut tx = pool.begin().await?;
    sqlx::query(settings).execute(&mut *tx).await?;
    let rows = run(&mut *tx, kind, statement).await?;
    tx.rollback().await?;
    Ok(rows)
}

const WITHOUT_BITMAP_SCANS: &str = "SELECT set_config('enable_bitmapscan', 'off', true)";

/// Whether walking the sort's index is likely to fill the page within `SEARCH_WALK` rows:
/// by the planner's estimate, the search keeps at least two pages' worth of them. (Walking
/// for a rarer text only adds its cost to the search's: 8,000 rows read for nothing.)
async fn walk_pays(
    pool: &PgPool,
    actor: &Actor,
    query: &ListQuery,
    size: u16,
) -> Result<bool, DataError> {
    let kept = estimate_rows(pool, actor, query.kind, query.parent, &query.filter).await?;
    let listed = estimate_rows(
        pool,
        actor,
        query.kind,
        query.parent,
        &Filter {
            words: Vec::new(),
            conditions: query
                .filter
                .conditions
                .iter()
                .filter(|condition| !matches!(condition, Condition::Holder(_)))
                .cloned()
                .collect(),
            ..query.filter.clone()
        },
    )
    .await?;
    Ok(kept.saturating_mul(SEARCH_WALK) >= 2 * (i64::from(size) + 1) * listed.max(1))
}

/// Through names only when no live code contains a searched word or ends with its part
/// before a space (nearly always for a name; one index lookup), else through names and
/// codes.
async fn how_to_search(pool: &PgPool, query: &ListQuery) -> Result<TextSearch, DataError> {
    let words: Vec<&str> = query
        .filter
        .words
        .iter()
        .map(String::as_str)
        .filter(|word| through_names(query.kind, word))
        .collect();
    if words.is_empty() {
        return Ok(TextSearch::ThroughNames);
    }
    let mut sql = QueryBuilder::<Postgres>::new("");
    if push_any_code_contains(&mut sql, query.kind, &words).is_none() {
        return Ok(TextSearch::ThroughNamesAndCodes);
    }
    // Only through the codes' trigram index: the statement's generic plan (prepared, the
    // pattern unknown) walks the codes' btree for the first match, all 5M rows when there
    // is none (1.4 s).
    let mut tx = pool.begin().await?;
    sqlx::query(
        "SELECT set_config('enable_seqscan', 'off', true), \
                set_config('enable_indexscan', 'off', true), \
                set_config('enable_indexonlyscan', 'off', true)",
    )
    .execute(&mut *tx)
    .await?;
    let in_codes: bool = sql.build_query_scalar().fetch_one(&mut *tx).await?;
    tx.rollback().await?;
    Ok(if in_codes {
        TextSearch::ThroughNamesAndCodes
    } else {
        TextSearch::ThroughNames
    })
}

/// Whether the page is sorted by the column the names are in, and some text of the search
/// is found through names alone: then its rows come in order from that column's index.
fn in_names_order(query: &ListQuery, how: TextSearch) -> bool {
    let sorted_by_names = sort_keys(query.kind)
        .get(query.sort.key)
        .is_some_and(|key| Some(key.sql) == names_column(query.kind));
    let holder_through_names =
        query.kind == EntityKind::Ticket
            && query.filter.conditions.iter().any(
                |condition| matches!(condition, Condition::Holder(holder) if has_trigram(holder)),
            );
    let words_through_names = how == TextSearch::ThroughNames
        && query
            .filter
            .words
            .iter()
            .any(|word| through_names(query.kind, word));
    sorted_by_names && (holder_through_names || words_through_names)
}

/// For a search without trigrams (`search_without_trigrams`), for the rest of the
/// transaction: see `search_rows`. Counts use it too.
pub(crate) async fn plan_without_bitmap_scans(
    tx: &mut sqlx::PgConnection,
) -> Result<(), DataError> {
    sqlx::query(WITHOUT_BITMAP_SCANS).execute(tx).await?;
    Ok(())
}
