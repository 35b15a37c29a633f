//! A text search's rows found through the names that match (migration 0021).
//!
//! A ticket's searched text is `code ' ' holder`, an order's `code ' ' email ' ' name`. Codes
//! are unique, the rest repeats (a few hundred names over five million tickets), so a word's
//! rows are found through the few names that contain it, looked up in a small table
//! (`ticket_holder_names`; `buyer_texts` for orders, migration 0029), and the btree on the
//! column that carries them, which is also that column's sort. A word can also lie in a code,
//! or start in a code and go on in the name: the first case is found through the codes'
//! trigram index, the second through the names that start with the rest of the word. The
//! searched text is checked again on each row wherever the names found could stand for rows
//! that do not match (an order's email shared by two buyers, where codes are searched too; a
//! word's rest starting names after a code), so narrowing never changes the result.

use sqlx::{Postgres, QueryBuilder};

use super::sql::{contains_pattern, has_trigram};
use crate::db::model::EntityKind;

/// How a filter's text search is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextSearch {
    /// The searched text checked on each row only: for a walk that reads a budget of rows
    /// in sort order.
    Checked,
    /// The rows found through the matching names or the matching codes, then checked.
    ThroughNamesAndCodes,
    /// Through the matching names only: no live code contains any of the words, nor ends
    /// with what comes before a space in one (looked up just before), so the rows come in
    /// the names' own order.
    ThroughNames,
}

/// Where the names of a kind's searched text live.
struct NameSource {
    /// The row's column that holds the name (the key of its sort index).
    row_column: &'static str,
    /// The lookup table's column the row's column equals, and the table.
    column: &'static str,
    table: &'static str,
    /// The lookup table's searched text (what follows the code in the row's text).
    searched: &'static str,
    /// For a large lookup table, the columns its searched text is made of, which its ordered
    /// index carries: a walk in the names' order reads that index alone. None for a table of
    /// a few hundred names, which the trigram lookup reads whole as cheaply.
    walked: Option<&'static str>,
    codes: Codes,
    /// The rows' table, with the alias the lists give it.
    row_table: &'static str,
    /// Whether a row's name is among the matching names exactly when the row's own name
    /// contains the text: the lookup table holds the rows' column itself (every holder name
    /// a ticket has carried), not a text rows can share with another's (two buyers, one
    /// email, only one of them named so).
    names_are_the_rows: bool,
    /// The row's column and the lookup table's column that name whose name it is (an
    /// order's buyer): found by name and owner together, a row's name is its own, so the
    /// names keep exactly the matching rows (migration 0030). Only through names alone: an
    /// owner pair in an `OR` with the codes would be checked row by row over the table.
    owner: Option<(&'static str, &'static str)>,
}

/// Where a kind's codes are looked up by their trigrams.
enum Codes {
    /// The row's own column (orders).
    InRow(&'static str),
    /// `ticket_codes`, by the row's id (tickets, migration 0024): an admission rewrites the
    /// ticket's row, and a trigram index on it took entries for every new version.
    Apart { row_id: &'static str },
}

fn name_source(kind: EntityKind) -> Option<NameSource> {
    match kind {
        EntityKind::Ticket => Some(NameSource {
            row_column: "t.holder_name",
            column: "name",
            table: "ticket_holder_names",
            searched: "lower(name)",
            walked: None,
            codes: Codes::Apart { row_id: "t.id" },
            row_table: "tickets t",
            names_are_the_rows: true,
            owner: None,
        }),
        EntityKind::Order => Some(NameSource {
            row_column: "o.buyer_email",
            column: "email",
            table: "buyer_texts",
            searched: "searched",
            walked: Some("email, searched"),
            codes: Codes::InRow("o.code"),
            row_table: "orders o",
            names_are_the_rows: false,
            owner: Some(("o.user_id", "user_id")),
        }),
        EntityKind::Event => None,
    }
}

/// The text whose names a search reads a batch at a time, in the names' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamesFrom<'a> {
    Holder(&'a str),
    Word(&'a str),
}

/// Whether `word` is searched through names: it has a trigram (else the names' and codes'
/// trigram indexes would be read whole), and it does not end in a space (a word that does
/// could end exactly where a code does, before any name).
pub fn through_names(kind: EntityKind, word: &str) -> bool {
    name_source(kind).is_some() && has_trigram(word) && !word.ends_with(' ')
}

/// The sort column the names are found in order of (Holder, Buyer).
pub fn names_column(kind: EntityKind) -> Option<&'static str> {
    name_source(kind).map(|source| source.row_column)
}

/// ` AND (<row's name> = ANY(<names matching>) [OR <code matches>])` for a free word.
/// Returns whether that alone keeps exactly the rows whose searched text contains the word;
/// if not, the caller adds the check of the whole text. It does for tickets (their names
/// are their own; a code found contains the word) unless a space inside the word lets it
/// start in a code and go on in a name: then the names that start with the rest stand for
/// rows whose code may not end the right way.
pub fn push_word_narrowing(
    sql: &mut QueryBuilder<Postgres>,
    kind: EntityKind,
    word: &str,
    how: TextSearch,
) -> bool {
    let Some(source) = name_source(kind) else {
        return false;
    };
    if how == TextSearch::Checked || !through_names(kind, word) {
        return false;
    }
    sql.push(" AND (");
    let owner = source.owner.filter(|_| how == TextSearch::ThroughNames);
    let close = match owner {
        Some(owner) => push_owned_names(sql, &source, owner),
        None => push_names_array(sql, &source),
    };
    push_name_matches(sql, &source, word, how);
    sql.push(close);
    if how == TextSearch::ThroughNamesAndCodes {
        sql.push(" OR ");
        push_code_matches(sql, &source.codes, contains_pattern(word));
    }
    sql.push(")");
    let spans_code_and_name =
        how == TextSearch::ThroughNamesAndCodes && word.match_indices(' ').any(|(at, _)| at > 0);
    (source.names_are_the_rows || owner.is_some()) && !spans_code_and_name
}

/// `<the row's code> LIKE pattern`, as the codes' trigram index can answer it.
fn push_code_matches(sql: &mut QueryBuilder<Postgres>, codes: &Codes, pattern: String) {
    match codes {
        Codes::InRow(code) => {
            sql.push("lower(")
                .push(*code)
                .push(") LIKE lower(")
                .push_bind(pattern)
                .push(")");
        }
        Codes::Apart { row_id } => {
            sql.push(*row_id)
                .push(
                    " = ANY(ARRAY(SELECT ticket_id FROM ticket_codes WHERE lower(code) LIKE lower(",
                )
                .push_bind(pattern)
                .push(")))");
        }
    }
}

/// `<row's name> = ANY(ARRAY(SELECT <name> FROM <names> WHERE `; returns what closes it,
/// for the caller to push after the condition.
fn push_names_array(sql: &mut QueryBuilder<Postgres>, source: &NameSource) -> &'static str {
    sql.push(source.row_column)
        .push(" = ANY(ARRAY(SELECT ")
        .push(source.column)
        .push(" FROM ")
        .push(source.table)
        .push(" WHERE ");
    "))"
}

/// `(<row's name>, <row's owner>) IN (SELECT <name>, <owner> FROM <names> WHERE `; returns
/// what closes it.
fn push_owned_names(
    sql: &mut QueryBuilder<Postgres>,
    source: &NameSource,
    (row_owner, owner): (&'static str, &'static str),
) -> &'static str {
    sql.push("(")
        .push(source.row_column)
        .push(", ")
        .push(row_owner)
        .push(") IN (SELECT ")
        .push(source.column)
        .push(", ")
        .push(owner)
        .push(" FROM ")
        .push(source.table)
        .push(" WHERE ");
    ")"
}

/// `<names' searched text> LIKE %text%`.
fn push_names_containing(sql: &mut QueryBuilder<Postgres>, source: &NameSource, text: &str) {
    sql.push(source.searched)
        .push(" LIKE lower(")
        .push_bind(contains_pattern(text))
        .push(")");
}

/// `<names> LIKE %word%`, or, where the word may start in a code, from a space in it on the
/// rest starting a name (from a leading space, always; after a code's end, only if some code
/// ends that way).
fn push_name_matches(
    sql: &mut QueryBuilder<Postgres>,
    source: &NameSource,
    word: &str,
    how: TextSearch,
) {
    sql.push("(");
    push_names_containing(sql, source, word);
    for (at, _) in word.match_indices(' ') {
        if at > 0 && how == TextSearch::ThroughNames {
            continue;
        }
        sql.push(" OR ")
            .push(source.searched)
            .push(" LIKE lower(")
            .push_bind(prefix_pattern(&word[at + 1..]))
            .push(")");
    }
    sql.push(")");
}

/// `SELECT` the next `limit` names `from` matches, in the names' order (`descending` or not),
/// after `after` (the name itself included when `inclusive`): what a search sorted by the
/// names' column reads a batch at a time (see `listing::search`). With `walk`, only among
/// the next that many names in order (`None` for a table of names too small to walk).
/// A name may come more than once (two buyers with one email, one of them trashed): a
/// DISTINCT would be computed over every match before the limit (25,000 buyers' emails
/// hashed for a first name), so the caller drops the repeats. `None` for a kind without
/// names (events).
pub fn push_names_batch(
    sql: &mut QueryBuilder<Postgres>,
    kind: EntityKind,
    from: NamesFrom<'_>,
    after: Option<(&str, bool)>,
    descending: bool,
    limit: i64,
    walk: Option<i64>,
) -> Option<()> {
    let source = name_source(kind)?;
    let walk = match walk {
        Some(budget) => Some((budget, source.walked?)),
        None => None,
    };
    let order = if descending { " DESC" } else { " ASC" };
    sql.push("SELECT ").push(source.column).push(" FROM ");
    let after_clause = |sql: &mut QueryBuilder<Postgres>, joiner: &str| {
        if let Some((name, inclusive)) = after {
            let op = match (descending, inclusive) {
                (false, true) => " >= ",
                (false, false) => " > ",
                (true, true) => " <= ",
                (true, false) => " < ",
            };
            sql.push(joiner)
                .push(source.column)
                .push(op)
                .push_bind(name.to_string());
        }
    };
    match walk {
        // The next `budget` names in order, whether they match or not, then the matches
        // among them.
        Some((budget, columns)) => {
            sql.push("(SELECT ")
                .push(columns)
                .push(" FROM ")
                .push(source.table);
            after_clause(sql, " WHERE ");
            sql.push(" ORDER BY ")
                .push(source.column)
                .push(order)
                .push(" LIMIT ")
                .push_bind(budget)
                .push(") AS names WHERE ");
        }
        None => {
            sql.push(source.table).push(" WHERE ");
            after_clause(sql, "");
            if after.is_some() {
                sql.push(" AND ");
            }
        }
    }
    match from {
        NamesFrom::Holder(holder) => push_names_containing(sql, &source, holder),
        NamesFrom::Word(word) => push_name_matches(sql, &source, word, TextSearch::ThroughNames),
    }
    sql.push(" ORDER BY ")
        .push(source.column)
        .push(order)
        .push(" LIMIT ")
        .push_bind(limit);
    Some(())
}

/// ` AND t.holder_name = ANY(<names matching>)` for `holder:`. Returns whether it did (the
/// names are every holder name a ticket has carried, so that keeps exactly the tickets whose
/// holder contains the text); if not, the caller adds the check.
pub fn push_holder_narrowing(
    sql: &mut QueryBuilder<Postgres>,
    holder: &str,
    how: TextSearch,
) -> bool {
    if how == TextSearch::Checked || !has_trigram(holder) {
        return false;
    }
    let Some(source) = name_source(EntityKind::Ticket) else {
        return false;
    };
    sql.push(" AND ");
    let close = push_names_array(sql, &source);
    push_names_containing(sql, &source, holder);
    sql.push(close);
    true
}

/// Whether a live row of `kind` has a code containing one of `words`, or ending with what
/// comes before a space in one: if none does, the words' rows are all found through names
/// (`TextSearch::ThroughNames`). `None` when that cannot be looked up through the codes'
/// trigram index (a part before a space that ends in fewer than two letters or digits).
pub fn push_any_code_contains(
    sql: &mut QueryBuilder<Postgres>,
    kind: EntityKind,
    words: &[&str],
) -> Option<()> {
    let heads: Vec<&str> = words
        .iter()
        .flat_map(|word| {
            word.match_indices(' ')
                .filter(|(at, _)| *at > 0)
                .map(|(at, _)| &word[..at])
        })
        .collect();
    if !heads.iter().all(|head| ends_in_a_trigram(head)) {
        return None;
    }
    let source = name_source(kind)?;
    let table = source.row_table;
    let alias = table.rsplit(' ').next().unwrap_or(table);
    sql.push("SELECT EXISTS (SELECT 1 FROM ")
        .push(table)
        .push(" WHERE ")
        .push(alias)
        .push(".deleted_at IS NULL AND (false");
    for word in words {
        sql.push(" OR ");
        push_code_matches(sql, &source.codes, contains_pattern(word));
    }
    for head in heads {
        let mut pattern = contains_pattern(head);
        pattern.pop();
        sql.push(" OR ");
        push_code_matches(sql, &source.codes, pattern);
    }
    sql.push("))");
    Some(())
}

/// Whether `%text` has a trigram: its last run of letters and digits, the end known, pads to
/// three characters with two or more of them.
fn ends_in_a_trigram(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .next_back()
        .is_some_and(|run| run.chars().count() >= 2)
}

/// A `LIKE` pattern matching texts that start with `text`, its wildcards taken literally.
fn prefix_pattern(text: &str) -> String {
    let mut pattern = contains_pattern(text);
    pattern.remove(0);
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_could_end_with_a_code_or_have_no_trigram_are_only_checked() {
        assert!(through_names(EntityKind::Ticket, "dijkstra"));
        assert!(through_names(EntityKind::Order, "ken ritchie"));
        assert!(through_names(EntityKind::Ticket, " ada"));
        assert!(!through_names(EntityKind::Ticket, "ada "));
        assert!(!through_names(EntityKind::Ticket, "7k"));
        assert!(!through_names(EntityKind::Event, "jazz"));
    }

    #[test]
    fn a_code_ending_is_looked_up_only_where_the_codes_index_can() {
        let mut sql = QueryBuilder::<Postgres>::new("");
        assert!(push_any_code_contains(&mut sql, EntityKind::Order, &["ab ken", " x"]).is_some());
        assert_eq!(sql.into_string().matches(" LIKE lower(").count(), 3);
        let mut sql = QueryBuilder::<Postgres>::new("");
        assert!(push_any_code_contains(&mut sql, EntityKind::Order, &["x-a ken"]).is_none());
    }

    #[test]
    fn a_word_with_spaces_also_looks_up_the_names_its_rest_starts() {
        let mut sql = QueryBuilder::<Postgres>::new("");
        assert!(
            push_word_narrowing(
                &mut sql,
                EntityKind::Ticket,
                "ab ken r",
                TextSearch::ThroughNames,
            ),
            "through the names only, the names keep exactly the rows"
        );
        let text = sql.into_string();
        assert_eq!(text.matches(" LIKE lower(").count(), 1, "{text}");
        assert!(!text.contains("ticket_codes"), "{text}");
        let mut sql = QueryBuilder::<Postgres>::new("");
        assert!(
            !push_word_narrowing(
                &mut sql,
                EntityKind::Ticket,
                " ab ken r",
                TextSearch::ThroughNamesAndCodes,
            ),
            "names that start with a word's rest need the check"
        );
        let text = sql.into_string();
        assert_eq!(text.matches(" LIKE lower(").count(), 5, "{text}");
        assert!(text.contains("ticket_codes"), "{text}");
        assert_eq!(prefix_pattern("ken_r"), "ken\\_r%");
    }

    #[test]
    fn names_keep_exactly_the_rows_where_they_are_the_rows_own() {
        let mut sql = QueryBuilder::<Postgres>::new("");
        assert!(push_word_narrowing(
            &mut sql,
            EntityKind::Ticket,
            " lovelace",
            TextSearch::ThroughNamesAndCodes
        ));
        // An order's buyer found by email and buyer together, through names alone...
        assert!(push_word_narrowing(
            &mut sql,
            EntityKind::Order,
            "lovelace",
            TextSearch::ThroughNames
        ));
        // ...but by email alone beside the codes: a shared email's other buyer comes too.
        assert!(!push_word_narrowing(
            &mut sql,
            EntityKind::Order,
            "lovelace",
            TextSearch::ThroughNamesAndCodes
        ));
        assert!(!push_word_narrowing(
            &mut sql,
            EntityKind::Ticket,
            "lovelace",
            TextSearch::Checked
        ));
        assert!(push_holder_narrowing(
            &mut sql,
            "lovelace",
            TextSearch::ThroughNames
        ));
        assert!(!push_holder_narrowing(
            &mut sql,
            "lo",
            TextSearch::ThroughNames
        ));
    }
}
