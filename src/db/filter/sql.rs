//! Conditions of a parsed filter as parameterized SQL: every value is a bind parameter.

use crate::zone::Tz;
use chrono::NaiveTime;
use sqlx::{Postgres, QueryBuilder};

use super::through_names::{TextSearch, names_column, push_holder_narrowing, push_word_narrowing};
use crate::db::filter::{Condition, Filter, OrderRef, UserRef};
use crate::db::model::EntityKind;

/// A `LIKE` pattern matching `text` anywhere, with its wildcards taken literally.
pub(super) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Appends ` AND ...` for each condition and word, the text search found `how`. The lists
/// alias events `e`, orders `o`, tickets `t`; every value is a bind parameter.
pub fn push_conditions_and_search(
    sql: &mut QueryBuilder<Postgres>,
    kind: EntityKind,
    filter: &Filter,
    how: TextSearch,
) {
    push_conditions(sql, kind, filter);
    push_search(sql, kind, filter, how);
}

/// True when the filter searches text (free words or `holder:`): what a budgeted walk of the
/// sort's index checks row by row.
pub fn has_search(filter: &Filter) -> bool {
    !filter.words.is_empty()
        || filter
            .conditions
            .iter()
            .any(|condition| matches!(condition, Condition::Holder(_)))
}

/// True when the filter searches text and none of it can be looked up through a trigram
/// index (`7k`, `r-`: see `has_trigram`). PostgreSQL
/// would read a whole trigram index for such a search (4.5 s for `7k` on two million
/// orders), so its rows are found another way (see `listing::search`).
pub fn search_without_trigrams(filter: &Filter) -> bool {
    let mut texts = filter
        .words
        .iter()
        .chain(
            filter
                .conditions
                .iter()
                .filter_map(|condition| match condition {
                    Condition::Holder(holder) => Some(holder),
                    _ => None,
                }),
        )
        .peekable();
    texts.peek().is_some() && !texts.any(|text| has_trigram(text))
}

/// Whether a trigram index can look `text` up, as pg_trgm reads `%text%`: it splits the text
/// into runs of letters and digits, pads a run with two blanks before it where the text
/// shows where the word starts (a separator before it) and one after it where the text shows
/// where it ends, and needs three characters in a padded run. `sz-a` has trigrams (`sz `,
/// `  a`); `7k` and `r-` have none.
pub fn has_trigram(text: &str) -> bool {
    let runs: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
    let last = runs.len().saturating_sub(1);
    runs.iter().enumerate().any(|(i, run)| {
        let start_known = i > 0;
        let end_known = i < last;
        !run.is_empty()
            && run.chars().count() + 2 * usize::from(start_known) + usize::from(end_known) >= 3
    })
}

/// The text searches of the filter: free words and `holder:`, each checked on the row, and
/// found `how` (see `through_names`).
pub fn push_search(
    sql: &mut QueryBuilder<Postgres>,
    kind: EntityKind,
    filter: &Filter,
    how: TextSearch,
) {
    // Where the names found keep exactly the matching rows, the text is not checked again on
    // each: lowering and matching it was about half of reading a name's 10,000 tickets.
    for condition in &filter.conditions {
        if let Condition::Holder(holder) = condition
            && !push_holder_narrowing(sql, holder, how)
        {
            sql.push(" AND lower(t.holder_name) LIKE lower(")
                .push_bind(contains_pattern(holder))
                .push(")");
        }
    }
    let searched = match kind {
        EntityKind::Event => "lower(e.title || ' ' || e.venue)",
        EntityKind::Order => "lower(o.code || ' ' || o.buyer_email || ' ' || o.buyer_name)",
        EntityKind::Ticket => "lower(t.code || ' ' || t.holder_name)",
    };
    for word in &filter.words {
        if push_word_narrowing(sql, kind, word, how) {
            continue;
        }
        sql.push(" AND ")
            .push(searched)
            .push(" LIKE lower(")
            .push_bind(contains_pattern(word))
            .push(")");
    }
}

/// Every condition of the filter but the text searches.
pub fn push_conditions(sql: &mut QueryBuilder<Postgres>, kind: EntityKind, filter: &Filter) {
    let offset = filter.offset.unwrap_or(Tz::UTC);
    let date_column = match kind {
        EntityKind::Event => "e.starts_at",
        _ => "o.created_at",
    };
    for condition in &filter.conditions {
        match condition {
            // An event's dates are its own local dates: the range on starts_at (wide enough for
            // every zone, UTC-12 to UTC+14) keeps the index; the event's clock decides.
            Condition::From(day) if kind == EntityKind::Event => {
                let midnight = day.and_time(NaiveTime::MIN);
                sql.push(" AND e.starts_at >= ")
                    .push_bind(
                        midnight
                            .checked_sub_signed(chrono::Duration::hours(14))
                            .unwrap_or(midnight)
                            .and_utc(),
                    )
                    .push(" AND (e.starts_at AT TIME ZONE e.time_zone) >= ")
                    .push_bind(midnight);
            }
            Condition::To(day) if kind == EntityKind::Event => {
                let next = day.succ_opt().unwrap_or(*day).and_time(NaiveTime::MIN);
                sql.push(" AND e.starts_at < ")
                    .push_bind(
                        next.checked_add_signed(chrono::Duration::hours(12))
                            .unwrap_or(next)
                            .and_utc(),
                    )
                    .push(" AND (e.starts_at AT TIME ZONE e.time_zone) < ")
                    .push_bind(next);
            }
            Condition::From(day) => {
                sql.push(" AND ")
                    .push(date_column)
                    .push(" >= ")
                    .push_bind(crate::zone::start_of_day(*day, offset));
            }
            Condition::To(day) => {
                let next = day.succ_opt().unwrap_or(*day);
                sql.push(" AND ")
                    .push(date_column)
                    .push(" < ")
                    .push_bind(crate::zone::start_of_day(next, offset));
            }
            Condition::Venue(venue) => {
                sql.push(" AND lower(e.venue) LIKE lower(")
                    .push_bind(contains_pattern(venue))
                    .push(")");
            }
            Condition::Organizer(UserRef::Id(id)) => {
                sql.push(" AND e.organizer_id = ").push_bind(*id);
            }
            Condition::Organizer(UserRef::Email(email)) => {
                sql.push(
                    " AND e.organizer_id IN (SELECT id FROM users WHERE lower(email) = lower(",
                )
                .push_bind(email.clone())
                .push(") AND deleted_at IS NULL)");
            }
            // Bound as arrays of the enum itself: a cast in SQL would hide the value from the
            // planner's statistics, and the row estimate would be far off.
            Condition::OrderStatuses(statuses) => {
                sql.push(" AND o.status = ANY(")
                    .push_bind(statuses.clone())
                    .push(")");
            }
            Condition::TicketStatuses(statuses) => {
                sql.push(" AND t.status = ANY(")
                    .push_bind(statuses.clone())
                    .push(")");
            }
            // Tickets name their orders as a set, so the planner finds the few orders by
            // index and their tickets by `tickets_order_idx`, instead of hashing all orders.
            Condition::Event(id) if kind == EntityKind::Ticket => {
                sql.push(" AND t.order_id = ANY(ARRAY(SELECT id FROM orders WHERE deleted_at IS NULL AND event_id = ")
                    .push_bind(*id)
                    .push("))");
            }
            Condition::Event(id) => {
                sql.push(" AND o.event_id = ").push_bind(*id);
            }
            Condition::Customer(UserRef::Id(id)) => {
                sql.push(" AND o.user_id = ").push_bind(*id);
            }
            Condition::Customer(UserRef::Email(email)) => {
                sql.push(" AND o.user_id IN (SELECT id FROM users WHERE lower(email) = lower(")
                    .push_bind(email.clone())
                    .push(") AND deleted_at IS NULL)");
            }
            Condition::OrderCode(code) => {
                sql.push(" AND o.code = ").push_bind(code.clone());
            }
            Condition::Order(OrderRef::Id(id)) => {
                sql.push(" AND t.order_id = ").push_bind(*id);
            }
            Condition::Order(OrderRef::Code(code)) => {
                sql.push(" AND t.order_id = ANY(ARRAY(SELECT id FROM orders WHERE deleted_at IS NULL AND code = ")
                    .push_bind(code.clone())
                    .push("))");
            }
            Condition::TypeName(name) => {
                sql.push(" AND lower(t.type_name) = lower(")
                    .push_bind(name.clone())
                    .push(")");
            }
            // A text search: `push_search`.
            Condition::Holder(_) => {}
            Condition::TicketCode(code) => {
                sql.push(" AND t.code = ").push_bind(code.clone());
            }
            Condition::AmongNames(names) => {
                if let Some(column) = names_column(kind) {
                    sql.push(" AND ")
                        .push(column)
                        .push(" = ANY(")
                        .push_bind(names.clone())
                        .push(")");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid date")
    }

    #[test]
    fn trigrams_are_found_as_pg_trgm_reads_a_like_pattern() {
        for text in ["7k", "q", "r-", "x-", "é1", "-"] {
            assert!(!has_trigram(text), "{text}");
        }
        for text in [
            "turing",
            "7kx",
            "sz-a",
            "eu-9",
            "-a",
            "ab-",
            "50%",
            "lovelace 7",
        ] {
            assert!(has_trigram(text), "{text}");
        }
    }

    #[test]
    fn wildcards_are_taken_literally() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn days_are_local_days() {
        let offset: Tz = "Europe/Berlin".parse().expect("zone");
        assert_eq!(
            crate::zone::start_of_day(day("2026-06-01"), offset).to_rfc3339(),
            "2026-05-31T22:00:00+00:00"
        );
    }
}
