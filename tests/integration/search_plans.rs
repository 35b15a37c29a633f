//! The plans of a search's statements, where how PostgreSQL runs them is the point.

use crate::common::TestDb;
use boxoffice::db::filter::parse;
use boxoffice::db::listing::{ListQuery, Position, Sort, explain_walk_sql, sort_keys};
use boxoffice::db::model::EntityKind;

/// The node types from the top of a plan down to the walk's subquery (first children).
fn above_the_walk(plan: &serde_json::Value) -> Vec<String> {
    let mut types = Vec::new();
    let mut node = &plan[0]["Plan"];
    while let Some(kind) = node["Node Type"].as_str() {
        if kind == "Subquery Scan" {
            return types;
        }
        types.push(kind.to_string());
        node = &node["Plans"][0];
    }
    panic!("no subquery scan in {plan}");
}

/// A common word's walk of the sort's index stops at the page's last match, in every sort
/// of Tickets and Orders, both ways: nothing between the page's limit and the walked rows
/// sorts them again. (Ordered by an expression of the walked columns, Checked in's
/// `coalesce`, PostgreSQL sorted all 8,000 walked rows first: 17 ms for /dijkstra at scale
/// 1 where stopping at the 51st match takes 3.)
#[tokio::test]
async fn a_search_s_walk_stops_at_the_page_s_last_match_in_every_sort() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    for kind in [EntityKind::Ticket, EntityKind::Order] {
        let filter = parse(kind, "lovelace").expect("a word");
        for (key, column) in sort_keys(kind).iter().enumerate() {
            for descending in [false, true] {
                let query = ListQuery {
                    kind,
                    parent: None,
                    filter: filter.clone(),
                    sort: Sort { key, descending },
                    position: Position::First,
                    page_size: 20,
                };
                let plan: serde_json::Value = explain_walk_sql(&admin, &query)
                    .expect("the walk's statement")
                    .build_query_scalar()
                    .fetch_one(&db.pool)
                    .await
                    .expect("its plan");
                let above = above_the_walk(&plan);
                assert!(
                    !above.iter().any(|node| node == "Sort"),
                    "{kind:?} by {}{}: {above:?} above the walk",
                    column.column,
                    if descending { " desc" } else { "" }
                );
            }
        }
    }
}
