//! The plans of the lists' statements, for the benchmark and the tests that check them.

use sqlx::{Postgres, QueryBuilder};

use super::{ListQuery, Reading, search, searching_statement, statement};
use crate::db::auth::Actor;
use crate::db::filter::TextSearch;
use crate::error::DataError;

/// `EXPLAIN (FORMAT JSON)` of `page_sql`, with the same parameters, for checking plans.
pub fn explain_page_sql(
    actor: &Actor,
    query: &ListQuery,
) -> Result<QueryBuilder<Postgres>, DataError> {
    statement("EXPLAIN (FORMAT JSON) SELECT ", actor, query)
}

/// `EXPLAIN (FORMAT JSON)` of a search's walk of the sort's index (`search`), with the same
/// parameters, for checking that it stops at the page's last match.
pub fn explain_walk_sql(
    actor: &Actor,
    query: &ListQuery,
) -> Result<QueryBuilder<Postgres>, DataError> {
    searching_statement(
        "EXPLAIN (FORMAT JSON) SELECT ",
        actor,
        query,
        Reading::Walk(search::SEARCH_WALK),
        TextSearch::Checked,
    )
}
