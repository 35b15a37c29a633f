//! The filter prompt's language (DESIGN.md "Filter prompt"): `key:value` words filter, other
//! words search. Parsing turns the typed text into typed conditions or a plain message; it
//! never produces SQL. `sql::push_conditions_and_search` turns conditions into parameterized SQL.

use crate::zone::Tz;
use chrono::NaiveDate;

use crate::db::model::{EntityKind, OrderStatus, TicketStatus};

mod sql;
mod through_names;
pub use sql::{
    has_search, has_trigram, push_conditions, push_conditions_and_search, push_search,
    search_without_trigrams,
};
pub use through_names::{
    NamesFrom, TextSearch, names_column, push_any_code_contains, push_names_batch, through_names,
};

/// Longest filter accepted, in characters.
pub const MAX_FILTER_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    Id(i64),
    Email(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRef {
    Id(i64),
    Code(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// On or after this day (events: start; orders: creation).
    From(NaiveDate),
    /// On or before this day.
    To(NaiveDate),
    Venue(String),
    Organizer(UserRef),
    OrderStatuses(Vec<OrderStatus>),
    Event(i64),
    Customer(UserRef),
    OrderCode(String),
    TicketStatuses(Vec<TicketStatus>),
    Order(OrderRef),
    TypeName(String),
    Holder(String),
    TicketCode(String),
    /// The rows whose holder (tickets) or buyer (orders) is one of these: never parsed, set
    /// by a search that reads its names a batch at a time (`listing::search`).
    AmongNames(Vec<String>),
}

/// A parsed filter: conditions, free words (lowercased), and the text as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub text: String,
    pub conditions: Vec<Condition>,
    pub words: Vec<String>,
    /// Whole days in `from`/`to` are days in this offset (the user's local time).
    pub offset: Option<Tz>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty() && self.words.is_empty()
    }

    /// True when the filter is one pasted code: the list shows that row alone.
    pub fn is_code_jump(&self) -> bool {
        self.words.is_empty()
            && matches!(
                self.conditions.as_slice(),
                [Condition::OrderCode(_)] | [Condition::TicketCode(_)]
            )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

fn keys_for(kind: EntityKind) -> &'static [&'static str] {
    match kind {
        EntityKind::Event => &["from", "to", "venue", "organizer"],
        EntityKind::Order => &["status", "from", "to", "event", "customer", "code"],
        EntityKind::Ticket => &["event", "order", "status", "type", "holder", "code"],
    }
}

fn kind_name(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Event => "events",
        EntityKind::Order => "orders",
        EntityKind::Ticket => "tickets",
    }
}

/// Parses what was typed at the prompt of a `kind` list.
pub fn parse(kind: EntityKind, input: &str) -> Result<Filter, FilterError> {
    if input.chars().count() > MAX_FILTER_CHARS {
        return Err(FilterError(format!(
            "a filter is at most {MAX_FILTER_CHARS} characters"
        )));
    }
    if input.chars().any(char::is_control) {
        return Err(FilterError(
            "the filter has a control character; type plain text".into(),
        ));
    }
    let mut filter = Filter {
        text: input.trim().to_string(),
        ..Filter::default()
    };
    for token in tokenize(input)? {
        match token {
            Token::Word(word) => filter.words.push(word.to_lowercase()),
            Token::Pair(key, value) => {
                let key = key.to_lowercase();
                if !keys_for(kind).contains(&key.as_str()) {
                    return Err(FilterError(format!(
                        "unknown key `{key}` for {}; keys: {}",
                        kind_name(kind),
                        keys_for(kind).join(", ")
                    )));
                }
                if value.trim().is_empty() {
                    return Err(FilterError(format!("`{key}:` needs a value")));
                }
                filter.conditions.push(condition(kind, &key, value.trim())?);
            }
        }
    }
    // A lone pasted code finds that order or ticket exactly.
    if filter.conditions.is_empty()
        && let [word] = filter.words.as_slice()
        && let Some(code) = code_shape(kind, word)
    {
        filter.words.clear();
        filter.conditions.push(code);
    }
    Ok(filter)
}

fn condition(kind: EntityKind, key: &str, value: &str) -> Result<Condition, FilterError> {
    Ok(match (kind, key) {
        (_, "from") => Condition::From(date(key, value)?),
        (_, "to") => Condition::To(date(key, value)?),
        (_, "venue") => Condition::Venue(value.to_string()),
        (_, "organizer") => Condition::Organizer(user_ref(key, value)?),
        (EntityKind::Order, "status") => Condition::OrderStatuses(statuses(value, order_status)?),
        (EntityKind::Ticket, "status") => {
            Condition::TicketStatuses(statuses(value, ticket_status)?)
        }
        (_, "event") => Condition::Event(id(key, value)?),
        (_, "customer") => Condition::Customer(user_ref(key, value)?),
        (EntityKind::Order, "code") => Condition::OrderCode(value.to_uppercase()),
        (_, "code") => Condition::TicketCode(value.to_uppercase()),
        (_, "order") => Condition::Order(match value.parse::<i64>() {
            Ok(n) if n > 0 => OrderRef::Id(n),
            _ => OrderRef::Code(value.to_uppercase()),
        }),
        (_, "type") => Condition::TypeName(value.to_string()),
        (_, "holder") => Condition::Holder(value.to_string()),
        _ => return Err(FilterError(format!("unknown key `{key}`"))),
    })
}

fn date(key: &str, value: &str) -> Result<NaiveDate, FilterError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        FilterError(format!(
            "`{key}:` takes a date like 2026-06-01, not `{value}`"
        ))
    })
}

fn id(key: &str, value: &str) -> Result<i64, FilterError> {
    value.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        FilterError(format!(
            "`{key}:` takes an id (a positive number), not `{value}`"
        ))
    })
}

fn user_ref(key: &str, value: &str) -> Result<UserRef, FilterError> {
    if let Ok(n) = value.parse::<i64>() {
        return if n > 0 {
            Ok(UserRef::Id(n))
        } else {
            Err(FilterError(format!(
                "`{key}:` takes an email or a positive id"
            )))
        };
    }
    if value.contains('@') {
        return Ok(UserRef::Email(value.to_string()));
    }
    Err(FilterError(format!(
        "`{key}:` takes an email or an id, not `{value}`"
    )))
}

fn statuses<T>(value: &str, one: fn(&str) -> Option<T>) -> Result<Vec<T>, FilterError> {
    value
        .split(',')
        .filter(|part| !part.is_empty())
        .map(|part| {
            one(&part.to_lowercase()).ok_or_else(|| FilterError(format!("unknown status `{part}`")))
        })
        .collect()
}

fn order_status(name: &str) -> Option<OrderStatus> {
    Some(match name {
        "pending" => OrderStatus::Pending,
        "paid" => OrderStatus::Paid,
        "cancelled" | "canceled" => OrderStatus::Cancelled,
        "refunded" => OrderStatus::Refunded,
        _ => return None,
    })
}

fn ticket_status(name: &str) -> Option<TicketStatus> {
    Some(match name {
        "valid" => TicketStatus::Valid,
        "checked_in" | "checked-in" | "checkedin" | "in" => TicketStatus::CheckedIn,
        "cancelled" | "canceled" => TicketStatus::Cancelled,
        _ => return None,
    })
}

/// Order codes are 4+4 and ticket codes 5+5 characters of the code alphabet.
fn code_shape(kind: EntityKind, word: &str) -> Option<Condition> {
    let upper = word.to_uppercase();
    let (left, right) = upper.split_once('-')?;
    let alphabet = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    if !alphabet(left) || !alphabet(right) {
        return None;
    }
    match (kind, left.len(), right.len()) {
        (EntityKind::Order, 4, 4) => Some(Condition::OrderCode(upper)),
        (EntityKind::Ticket, 5, 5) => Some(Condition::TicketCode(upper)),
        _ => None,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Pair(String, String),
}

/// Splits on white space; double quotes group words (`venue:"Main Hall"`, `"jazz night"`).
fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(tokens);
        }
        let mut text = String::new();
        let mut quoted_from = None;
        let mut in_quotes = false;
        while let Some(c) = chars.peek().copied() {
            if c == '"' {
                chars.next();
                if !in_quotes {
                    quoted_from.get_or_insert(text.len());
                }
                in_quotes = !in_quotes;
            } else if c.is_whitespace() && !in_quotes {
                break;
            } else {
                text.push(c);
                chars.next();
            }
        }
        if in_quotes {
            return Err(FilterError("a quote is not closed".into()));
        }
        // `key:value` when the key is a plain word typed before any quote.
        let pair = text.split_once(':').filter(|(key, _)| {
            !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphabetic())
                && quoted_from.is_none_or(|at| at > key.len())
        });
        tokens.push(match pair {
            Some((key, value)) => Token::Pair(key.to_string(), value.to_string()),
            None if text.is_empty() => continue,
            None => Token::Word(text),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid date")
    }

    #[test]
    fn the_design_examples_parse() {
        let events = parse(
            EntityKind::Event,
            r#"from:2026-06-01 to:2026-06-30 venue:"Main Hall" organizer:ada@example.com"#,
        )
        .expect("events example");
        assert_eq!(
            events.conditions,
            vec![
                Condition::From(day("2026-06-01")),
                Condition::To(day("2026-06-30")),
                Condition::Venue("Main Hall".into()),
                Condition::Organizer(UserRef::Email("ada@example.com".into())),
            ]
        );
        let orders = parse(
            EntityKind::Order,
            "status:paid,refunded from:2026-01-01 event:42 jazz@example.com",
        )
        .expect("orders example");
        assert_eq!(
            orders.conditions,
            vec![
                Condition::OrderStatuses(vec![OrderStatus::Paid, OrderStatus::Refunded]),
                Condition::From(day("2026-01-01")),
                Condition::Event(42),
            ]
        );
        assert_eq!(orders.words, vec!["jazz@example.com".to_string()]);
        let tickets = parse(EntityKind::Ticket, "event:42 status:valid type:VIP K7QF")
            .expect("tickets example");
        assert_eq!(
            tickets.conditions,
            vec![
                Condition::Event(42),
                Condition::TicketStatuses(vec![TicketStatus::Valid]),
                Condition::TypeName("VIP".into()),
            ]
        );
        assert_eq!(tickets.words, vec!["k7qf".to_string()]);
    }

    #[test]
    fn keys_are_checked_per_tab() {
        let error = parse(EntityKind::Event, "status:paid").unwrap_err();
        assert_eq!(
            error.0,
            "unknown key `status` for events; keys: from, to, venue, organizer"
        );
        assert!(
            parse(EntityKind::Order, "status:lost")
                .unwrap_err()
                .0
                .contains("unknown status `lost`")
        );
        assert!(
            parse(EntityKind::Order, "from:yesterday")
                .unwrap_err()
                .0
                .contains("2026-06-01")
        );
        assert!(parse(EntityKind::Order, "from:2026-02-30").is_err());
        assert!(
            parse(EntityKind::Order, "event:-3")
                .unwrap_err()
                .0
                .contains("positive")
        );
        assert!(
            parse(EntityKind::Order, "event:")
                .unwrap_err()
                .0
                .contains("needs a value")
        );
        assert!(
            parse(EntityKind::Order, "customer:bob")
                .unwrap_err()
                .0
                .contains("email or an id")
        );
        assert!(
            parse(EntityKind::Order, "STATUS:Paid").is_ok(),
            "keys and statuses ignore case"
        );
    }

    #[test]
    fn quotes_group_and_must_close() {
        let filter = parse(EntityKind::Event, r#""jazz night" venue:"The Loft""#).expect("quoted");
        assert_eq!(filter.words, vec!["jazz night".to_string()]);
        assert_eq!(filter.conditions, vec![Condition::Venue("The Loft".into())]);
        assert_eq!(
            parse(EntityKind::Event, r#"venue:"Main Hall"#)
                .unwrap_err()
                .0,
            "a quote is not closed"
        );
        // A quoted word with a colon is a search, not a key.
        let url = parse(EntityKind::Event, r#""http://example.com""#).expect("quoted colon");
        assert_eq!(url.words, vec!["http://example.com".to_string()]);
        assert!(url.conditions.is_empty());
    }

    #[test]
    fn a_lone_code_jumps_to_its_row() {
        let order = parse(EntityKind::Order, " k7qf-92mx ").expect("order code");
        assert_eq!(
            order.conditions,
            vec![Condition::OrderCode("K7QF-92MX".into())]
        );
        assert!(order.is_code_jump());
        let ticket = parse(EntityKind::Ticket, "Q25NT-JMQSX").expect("ticket code");
        assert_eq!(
            ticket.conditions,
            vec![Condition::TicketCode("Q25NT-JMQSX".into())]
        );
        // Not code-shaped, or more than one word: a search.
        assert!(
            !parse(EntityKind::Order, "K7QF")
                .expect("word")
                .is_code_jump()
        );
        assert!(
            !parse(EntityKind::Order, "K7QF-92MX paid")
                .expect("words")
                .is_code_jump()
        );
    }

    #[test]
    fn hostile_input_gets_a_message_or_stays_text() {
        let sql = parse(EntityKind::Order, "'; DROP TABLE orders; --").expect("just words");
        assert_eq!(
            sql.words,
            vec![
                "';".to_string(),
                "drop".into(),
                "table".into(),
                "orders;".into(),
                "--".into()
            ]
        );
        assert!(
            parse(EntityKind::Order, "paid\u{1b}[2J")
                .unwrap_err()
                .0
                .contains("control character")
        );
        assert!(parse(EntityKind::Order, "a\nb").is_err());
        let emoji = parse(EntityKind::Ticket, "🎷 שלום holder:\u{202e}evil").expect("unicode");
        assert_eq!(emoji.words, vec!["🎷".to_string(), "שלום".into()]);
        let huge = "x".repeat(100 * 1024);
        assert!(
            parse(EntityKind::Event, &huge)
                .unwrap_err()
                .0
                .contains("at most 500")
        );
        assert!(parse(EntityKind::Event, "\"").is_err());
        assert!(parse(EntityKind::Event, ":::").is_ok());
        assert!(parse(EntityKind::Event, "").expect("empty").is_empty());
    }
}
