//! A page of a text search: in the names' own order through the names that match, a batch
//! at a time; in any other order, the sort's index walked for a bounded number of rows, else the
//! matches found through names and codes (`filter::through_names`) and sorted.

use sqlx::{Acquire, PgConnection, PgPool, Postgres, QueryBuilder};

use super::{
    Currency, ListQuery, MAX_PAGE_SIZE, Position, Reading, run, searching_page_sql, sort_keys,
    walking_statement,
};
use crate::db::auth::Actor;
use crate::db::count::estimate_rows;
use crate::db::filter::{
    Condition, Filter, NamesFrom, TextSearch, has_trigram, names_column, push_any_code_contains,
    push_names_batch, search_without_trigrams, through_names,
};
use crate::db::model::{EntityKind, Row};
use crate::error::DataError;

/// Rows of the list a search checks in sort order before it finds its matches through names
/// and codes instead (DESIGN.md "Performance": a search answers in 25 ms).
pub(super) const SEARCH_WALK: i64 = 8_000;

/// A search's page. Sorted by the column the names are in (Holder, Buyer), the matching
/// names are read in that order a batch at a time, and their rows from that column's index,
/// until the page is full (`rows_in_names_order`). In other
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
    // The search's steps (the codes' probe, the names, their rows) read one snapshot, so a
    // sale or a rename between two of them cannot hide a row or show it twice.
    let mut snapshot = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *snapshot)
        .await?;
    let rows = search_in_snapshot(&mut snapshot, pool, actor, query).await?;
    snapshot.rollback().await?;
    Ok(rows)
}

async fn search_in_snapshot(
    snapshot: &mut PgConnection,
    pool: &PgPool,
    actor: &Actor,
    query: &ListQuery,
) -> Result<Vec<Row>, DataError> {
    let size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let how = how_to_search(snapshot, query).await?;
    let common = walk_pays(pool, actor, query, size).await?;
    if let Some(from) = names_in_order(query, how) {
        return rows_in_names_order(snapshot, actor, query, from, size, common).await;
    }
    if common {
        let walked = run(
            &mut *snapshot,
            query.kind,
            walking_statement(
                "SELECT ",
                actor,
                query,
                size,
                Reading::Walk(SEARCH_WALK),
                TextSearch::Checked,
                Currency::InStatement,
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
            snapshot,
            query.kind,
            WITHOUT_BITMAP_SCANS,
            searching_page_sql(actor, query, Reading::FromPosition, how)?,
        )
        .await;
    }
    // The matches through the names' and codes' indexes, then sorted (in one process: the
    // workers' start costs more than they save on a few thousand rows): walking the sort's
    // index instead, the planner's pick for what it takes for many rows, could read
    // millions before the first match. Tickets and orders keep index scans for the one
    // index that covers their listed columns, the holders' and the buyers' (migrations 0025,
    // 0026): it reads the matches of a name without their rows (PostgreSQL 15 plans an
    // index-only scan only where index scans are on); their statement's matches sit behind a
    // fence, so no sort index is walked.
    let settings = match query.kind {
        EntityKind::Ticket | EntityKind::Order => {
            "SELECT set_config('max_parallel_workers_per_gather', '0', true)"
        }
        EntityKind::Event => {
            "SELECT set_config('enable_indexscan', 'off', true), \
                    set_config('enable_indexonlyscan', 'off', true), \
                    set_config('max_parallel_workers_per_gather', '0', true)"
        }
    };
    run_planned(
        snapshot,
        query.kind,
        settings,
        searching_page_sql(actor, query, Reading::MatchesFirst, how)?,
    )
    .await
}

/// Runs a page statement with the planner settings `settings` changes, for it alone (in a
/// savepoint rolled back after: the snapshot stays, the settings go).
async fn run_planned(
    snapshot: &mut PgConnection,
    kind: EntityKind,
    settings: &'static str,
    statement: QueryBuilder<Postgres>,
) -> Result<Vec<Row>, DataError> {
    let mut step = snapshot.begin().await?;
    sqlx::query(settings).execute(&mut *step).await?;
    let rows = run(&mut *step, kind, statement).await?;
    step.rollback().await?;
    Ok(rows)
}

/// The values of a one-column statement, with `settings` as in `run_planned` (none: `None`).
async fn values_planned<T>(
    snapshot: &mut PgConnection,
    settings: Option<&'static str>,
    mut statement: QueryBuilder<Postgres>,
) -> Result<Vec<T>, DataError>
where
    T: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres> + Send + Unpin,
{
    let Some(settings) = settings else {
        return Ok(statement.build_query_scalar().fetch_all(snapshot).await?);
    };
    let mut step = snapshot.begin().await?;
    sqlx::query(settings).execute(&mut *step).await?;
    let values = statement.build_query_scalar().fetch_all(&mut *step).await?;
    step.rollback().await?;
    Ok(values)
}

const WITHOUT_BITMAP_SCANS: &str = "SELECT set_config('enable_bitmapscan', 'off', true)";

/// A statement's text lookups through their trigram indexes only (bitmap scans): neither a
/// btree walked with the text checked on each row nor the table read whole.
const THROUGH_TRIGRAMS_ONLY: &str = "SELECT set_config('enable_seqscan', 'off', true), \
                                            set_config('enable_indexscan', 'off', true), \
                                            set_config('enable_indexonlyscan', 'off', true)";

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
async fn how_to_search(
    snapshot: &mut PgConnection,
    query: &ListQuery,
) -> Result<TextSearch, DataError> {
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
    // Only through the codes' trigram index (the orders', or ticket_codes'): the statement's
    // generic plan (prepared, the pattern unknown) walked the codes' btree for the first
    // match, all 5M tickets when there was none (1.4 s).
    let in_codes: Vec<bool> = values_planned(snapshot, Some(THROUGH_TRIGRAMS_ONLY), sql).await?;
    // EXISTS gives one row; none would mean the probe did not run: take codes as involved.
    Ok(if in_codes.first().copied().unwrap_or(true) {
        TextSearch::ThroughNamesAndCodes
    } else {
        TextSearch::ThroughNames
    })
}

/// The text whose names give the rows in order, when the page is sorted by the column the
/// names are in and some text of the search is found through names alone.
fn names_in_order(query: &ListQuery, how: TextSearch) -> Option<NamesFrom<'_>> {
    let sorted_by_names = sort_keys(query.kind)
        .get(query.sort.key)
        .is_some_and(|key| Some(key.sql) == names_column(query.kind));
    if !sorted_by_names {
        return None;
    }
    let holder = query
        .filter
        .conditions
        .iter()
        .find_map(|condition| match condition {
            Condition::Holder(holder)
                if query.kind == EntityKind::Ticket && has_trigram(holder) =>
            {
                Some(NamesFrom::Holder(holder.as_str()))
            }
            _ => None,
        });
    holder.or_else(|| {
        query
            .filter
            .words
            .iter()
            .find(|word| how == TextSearch::ThroughNames && through_names(query.kind, word))
            .map(|word| NamesFrom::Word(word.as_str()))
    })
}

/// The first names a batch reads; each next batch is four times larger, so a search whose
/// other conditions leave few rows per name reads its names in a few steps.
const FIRST_NAMES: i64 = 64;

/// Names a common text's batch checks in their order before looking its names up instead.
/// (5,000 measured worse: a last name's 16,600 buyers, spread through the emails, were then
/// looked up and sorted, 15-21 ms against 5-10.)
const NAMES_WALK: i64 = 20_000;

/// A page sorted by the names' column: the matching names read in that order from the
/// position's on, a batch at a time, and each batch's rows read in order from the column's
/// index, until the page is full. Reading every matching name first (a common last name:
/// 21,000 buyers, 50 ms) took longer than the page.
async fn rows_in_names_order(
    snapshot: &mut PgConnection,
    actor: &Actor,
    query: &ListQuery,
    from: NamesFrom<'_>,
    size: u16,
    common: bool,
) -> Result<Vec<Row>, DataError> {
    let wanted = usize::from(size) + 1;
    let (cursor, reversed) = match &query.position {
        Position::First => (None, false),
        Position::Last => (None, true),
        Position::After(cursor) | Position::From(cursor) => (Some(cursor), false),
        Position::Before(cursor) => (Some(cursor), true),
    };
    let descending = query.sort.descending != reversed;
    let mut after: Option<(String, bool)> = cursor.map(|cursor| (cursor.key.clone(), true));
    let mut limit = FIRST_NAMES;
    let mut rows = Vec::new();
    loop {
        let after_name = after
            .as_ref()
            .map(|(name, inclusive)| (name.as_str(), *inclusive));
        // A common text's buyers are met soon walking them in order: the next `NAMES_WALK`
        // read from their ordered index alone, the text checked on each (the holders' few
        // hundred names are always looked up whole). When that
        // finds too few (a rare text, or one whose names lie together further on: the
        // buyers' emails start with their names), they are found through the trigram index
        // and sorted. Left to itself, the planner walked the names' whole index for a
        // rare text (190,000 buyers before "grace.nakamura…", 0.5 s).
        let batch = |walk: Option<i64>| {
            let mut sql = QueryBuilder::<Postgres>::new("");
            push_names_batch(
                &mut sql, query.kind, from, after_name, descending, limit, walk,
            )
            .map(|()| sql)
        };
        let mut names: Vec<String> = Vec::new();
        if common && let Some(walk) = batch(Some(NAMES_WALK)) {
            names = values_planned(snapshot, None, walk).await?;
        }
        if i64::try_from(names.len()).unwrap_or(i64::MAX) < limit {
            let Some(lookup) = batch(None) else {
                break;
            };
            names = values_planned(snapshot, Some(THROUGH_TRIGRAMS_ONLY), lookup).await?;
        }
        // Fewer than asked (counted with their repeats): the matches end within the batch.
        let complete = i64::try_from(names.len()).unwrap_or(i64::MAX) < limit;
        names.dedup();
        let Some(last) = names.last().cloned() else {
            break;
        };
        let mut among = query.clone();
        among.filter.conditions.push(Condition::AmongNames(names));
        // An ordered scan of the names' index: the planner, taking the names for few rows,
        // would rather read all their rows and sort them (a common name: 200 ms).
        rows.extend(
            run_planned(
                snapshot,
                query.kind,
                "SELECT set_config('enable_sort', 'off', true)",
                searching_page_sql(actor, &among, Reading::FromPosition, TextSearch::Checked)?,
            )
            .await?,
        );
        if rows.len() >= wanted || complete {
            break;
        }
        after = Some((last, false));
        limit = limit.saturating_mul(4);
    }
    rows.truncate(wanted);
    Ok(rows)
}

/// For a search without trigrams (`search_without_trigrams`), for the rest of the
/// transaction: see `search_rows`. Counts use it too.
pub(crate) async fn plan_without_bitmap_scans(
    tx: &mut sqlx::PgConnection,
) -> Result<(), DataError> {
    sqlx::query(WITHOUT_BITMAP_SCANS).execute(tx).await?;
    Ok(())
}
