//! The fixed list of columns each list can be sorted by, and the sort of a list.

use crate::db::model::EntityKind;

/// A column a list can be sorted by. `sql` and `sql_type` are fixed text from this file,
/// never user input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub column: &'static str,
    pub(super) sql: &'static str,
    pub(super) sql_type: &'static str,
}

// In the order of the table's columns, so that `s` walks them left to right.
const EVENT_SORTS: &[SortKey] = &[
    SortKey {
        column: "ID",
        sql: "e.id",
        sql_type: "bigint",
    },
    SortKey {
        column: "Starts",
        sql: "e.starts_at",
        sql_type: "timestamptz",
    },
    SortKey {
        column: "Title",
        sql: "e.title",
        sql_type: "text",
    },
    SortKey {
        column: "Venue",
        sql: "e.venue",
        sql_type: "text",
    },
    SortKey {
        column: "Organizer",
        sql: "u.name",
        sql_type: "text",
    },
];

const ORDER_SORTS: &[SortKey] = &[
    SortKey {
        column: "Code",
        sql: "o.code",
        sql_type: "text",
    },
    SortKey {
        column: "Created",
        sql: "o.created_at",
        sql_type: "timestamptz",
    },
    SortKey {
        column: "Status",
        sql: "o.status",
        sql_type: "order_status",
    },
    SortKey {
        column: "Total",
        sql: "o.total_cents",
        sql_type: "bigint",
    },
    SortKey {
        column: "Buyer",
        sql: "o.buyer_email",
        sql_type: "text",
    },
    SortKey {
        column: "Event",
        sql: "o.event_title",
        sql_type: "text",
    },
];

const TICKET_SORTS: &[SortKey] = &[
    SortKey {
        column: "Code",
        sql: "t.code",
        sql_type: "text",
    },
    SortKey {
        column: "Status",
        sql: "t.status",
        sql_type: "ticket_status",
    },
    SortKey {
        column: "Holder",
        sql: "t.holder_name",
        sql_type: "text",
    },
    SortKey {
        column: "Type",
        sql: "t.type_name",
        sql_type: "text",
    },
    SortKey {
        column: "Order",
        sql: "t.order_code",
        sql_type: "text",
    },
    SortKey {
        column: "Checked in",
        sql: "coalesce(t.checked_in_at, 'infinity'::timestamptz)",
        sql_type: "timestamptz",
    },
];

/// The sort orders a kind of list offers, the default first.
pub fn sort_keys(kind: EntityKind) -> &'static [SortKey] {
    match kind {
        EntityKind::Event => EVENT_SORTS,
        EntityKind::Order => ORDER_SORTS,
        EntityKind::Ticket => TICKET_SORTS,
    }
}

/// A sort order: an index into `sort_keys(kind)` and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: usize,
    pub descending: bool,
}

impl Sort {
    /// The default order of each list: latest events and newest orders first, tickets by
    /// code.
    pub fn default_for(kind: EntityKind) -> Self {
        match kind {
            EntityKind::Event | EntityKind::Order => Sort {
                key: 1,
                descending: true,
            },
            EntityKind::Ticket => Sort {
                key: 0,
                descending: false,
            },
        }
    }
}
