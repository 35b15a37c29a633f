//! The rows the screens show, as the data layer returns them.

use chrono::{DateTime, Utc};

/// The kinds of row the list screens page through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Event,
    Order,
    Ticket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, serde::Deserialize)]
#[sqlx(type_name = "order_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Pending,
    Paid,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, serde::Deserialize)]
#[sqlx(type_name = "ticket_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Valid,
    CheckedIn,
    Cancelled,
}

impl TicketStatus {
    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::Valid => "valid",
            TicketStatus::CheckedIn => "checked in",
            TicketStatus::Cancelled => "cancelled",
        }
    }

    /// The value's name in SQL (`ticket_status`).
    pub fn sql_name(self) -> &'static str {
        match self {
            TicketStatus::Valid => "valid",
            TicketStatus::CheckedIn => "checked_in",
            TicketStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, serde::Deserialize)]
#[sqlx(type_name = "scan_result", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ScanResult {
    Admitted,
    AlreadyUsed,
    Cancelled,
    NotPaid,
    Unknown,
    WrongEvent,
}

impl ScanResult {
    pub fn label(self) -> &'static str {
        match self {
            ScanResult::Admitted => "ADMIT",
            ScanResult::AlreadyUsed => "ALREADY USED",
            ScanResult::Cancelled => "CANCELLED",
            ScanResult::NotPaid => "NOT PAID",
            ScanResult::Unknown => "UNKNOWN CODE",
            ScanResult::WrongEvent => "WRONG EVENT",
        }
    }
}

/// Where a row sits in its sort order: the sort column's value (as text, cast back by the
/// query) and the id that breaks ties. Keyset pagination starts after or before one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub title: String,
    pub venue: String,
    pub organizer: String,
    /// The event's own clock (IANA name): its times are shown in it.
    pub time_zone: String,
    /// What its tickets are sold in (ISO 4217).
    pub currency: String,
    pub sort_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub status: OrderStatus,
    pub total_cents: i64,
    pub buyer_email: String,
    pub event_id: i64,
    pub event_title: String,
    /// The event's currency: looked up for the page's rows only (the list itself joins
    /// nothing).
    #[sqlx(default)]
    pub currency: String,
    pub sort_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TicketRow {
    pub id: i64,
    pub code: String,
    pub status: TicketStatus,
    pub holder_name: String,
    pub type_name: String,
    pub order_code: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub sort_key: String,
}

/// One row of any list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Event(EventRow),
    Order(OrderRow),
    Ticket(TicketRow),
}

impl Row {
    pub fn id(&self) -> i64 {
        match self {
            Row::Event(row) => row.id,
            Row::Order(row) => row.id,
            Row::Ticket(row) => row.id,
        }
    }

    pub fn cursor(&self) -> Cursor {
        let (key, id) = match self {
            Row::Event(row) => (&row.sort_key, row.id),
            Row::Order(row) => (&row.sort_key, row.id),
            Row::Ticket(row) => (&row.sort_key, row.id),
        };
        Cursor {
            key: key.clone(),
            id,
        }
    }
}

/// "1 ticket", "3 tickets".
pub fn count_of(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Formats integer cents as money; never goes through floating point.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_words() {
        assert_eq!(count_of(1, "ticket", "tickets"), "1 ticket");
        assert_eq!(count_of(0, "ticket", "tickets"), "0 tickets");
        assert_eq!(count_of(3, "seat", "seats"), "3 seats");
    }

    #[test]
    fn cents_format_exactly() {
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(2505), "25.05");
        assert_eq!(format_cents(-7), "-0.07");
        assert_eq!(format_cents(i64::MIN), "-92233720368547758.08");
    }
}
