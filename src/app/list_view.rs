//! The state of one paged table: what it lists, which page is shown, what is selected, and
//! what is loading (the app's in-flight table says which answers are awaited).

use crate::data_task::{Outcome, Request};
use crate::db::count::RowCount;
use crate::db::detail::Detail;
use crate::db::filter::Filter;
use crate::db::listing::{ListQuery, Page, Parent, Position, Sort, sort_keys};
use crate::db::model::{EntityKind, Row};

/// What a drilled-down list is narrowed to, with the words the title shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub parent: Parent,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loadable<T> {
    Idle,
    Loading,
    Ready(T),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct ListView {
    pub kind: EntityKind,
    pub scope: Option<Scope>,
    /// The active filter (empty: none).
    pub filter: Filter,
    pub sort: Sort,
    pub rows: Vec<Row>,
    pub selected: usize,
    pub has_before: bool,
    pub has_after: bool,
    /// Zero-based number of the first row shown, when known.
    pub first_row: Option<u64>,
    pub loading: bool,
    /// Rows changed elsewhere while this list was not shown: reload it when it is.
    pub stale: bool,
    /// Page keys pressed while a page was loading: + forward, - back.
    pub queued_pages: i32,
    pub error: Option<String>,
    pub count: Loadable<RowCount>,
    pub detail: Loadable<Detail>,
    /// Which row to select when the awaited page arrives.
    pending_selection: Selection,
    /// Where the awaited page was asked from, to number its rows.
    pending_position: Option<Position>,
    loaded_once: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selection {
    Top,
    Bottom,
    Keep,
}

impl ListView {
    pub fn new(kind: EntityKind) -> Self {
        Self {
            kind,
            scope: None,
            filter: Filter::default(),
            sort: Sort::default_for(kind),
            rows: Vec::new(),
            selected: 0,
            has_before: false,
            has_after: false,
            first_row: None,
            loading: false,
            stale: false,
            queued_pages: 0,
            error: None,
            count: Loadable::Idle,
            detail: Loadable::Idle,
            pending_selection: Selection::Top,
            pending_position: None,
            loaded_once: false,
        }
    }

    pub fn loaded_once(&self) -> bool {
        self.loaded_once
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    pub fn parent(&self) -> Option<Parent> {
        self.scope.as_ref().map(|scope| scope.parent)
    }

    fn query(&self, position: Position, page_size: u16) -> ListQuery {
        ListQuery {
            kind: self.kind,
            parent: self.parent(),
            filter: self.filter.clone(),
            sort: self.sort,
            position,
            page_size,
        }
    }

    /// The request for the first page (and the count that goes with it).
    pub fn first_page(&mut self, page_size: u16) -> Vec<Request> {
        let mut requests = vec![self.page_request(Position::First, Selection::Top, page_size)];
        requests.push(self.count_request());
        requests
    }

    pub fn last_page(&mut self, page_size: u16) -> Request {
        self.page_request(Position::Last, Selection::Bottom, page_size)
    }

    pub fn next_page(&mut self, page_size: u16) -> Option<Request> {
        let last = self.rows.last()?.cursor();
        self.has_after
            .then(|| self.page_request(Position::After(last), Selection::Top, page_size))
    }

    pub fn previous_page(&mut self, page_size: u16, select: bool) -> Option<Request> {
        let first = self.rows.first()?.cursor();
        let selection = if select {
            Selection::Bottom
        } else {
            Selection::Top
        };
        self.has_before
            .then(|| self.page_request(Position::Before(first), selection, page_size))
    }

    /// Reloads the page shown, from its first row, keeping the selection where it can.
    pub fn reload(&mut self, page_size: u16) -> Vec<Request> {
        let position = match self.rows.first() {
            Some(first) if self.has_before => Position::From(first.cursor()),
            _ => Position::First,
        };
        vec![
            self.page_request(position, Selection::Keep, page_size),
            self.count_request(),
        ]
    }

    fn page_request(
        &mut self,
        position: Position,
        selection: Selection,
        page_size: u16,
    ) -> Request {
        self.loading = true;
        self.pending_selection = selection;
        self.pending_position = Some(position.clone());
        Request::Page(self.query(position, page_size))
    }

    pub fn count_request(&mut self) -> Request {
        self.count = Loadable::Loading;
        Request::Count {
            kind: self.kind,
            parent: self.parent(),
            filter: self.filter.clone(),
        }
    }

    /// The detail request for the selected row, if any.
    pub fn detail_request(&mut self) -> Option<Request> {
        let id = self.selected_row()?.id();
        self.detail = Loadable::Loading;
        Some(Request::Detail {
            kind: self.kind,
            id,
        })
    }

    /// Moves to the next sort column (or reverses the sort) and starts again at the top.
    pub fn sort_next_column(&mut self) {
        let count = sort_keys(self.kind).len();
        self.sort = Sort {
            key: (self.sort.key + 1) % count,
            descending: false,
        };
    }

    pub fn reverse_sort(&mut self) {
        self.sort.descending = !self.sort.descending;
    }

    pub fn sort_label(&self) -> String {
        let key = sort_keys(self.kind)
            .get(self.sort.key)
            .map_or("?", |key| key.column);
        let arrow = if self.sort.descending { "↓" } else { "↑" };
        format!("{key} {arrow}")
    }

    /// Takes a page answer. Returns true when the selected row changed (the detail must be
    /// fetched again).
    pub fn apply_page(&mut self, result: Outcome<Page>) -> bool {
        self.loading = false;
        let page = match result {
            Ok(page) => page,
            Err(error) => {
                // Keep the rows shown: the error says why they did not change.
                self.error = Some(error.message);
                return false;
            }
        };
        let previous_id = self.selected_row().map(Row::id);
        let previous_first = self.first_row;
        let previous_len = self.rows.len() as u64;
        self.first_row = match (&page.position, &self.pending_position) {
            (Position::First, _) => Some(0),
            (Position::After(_), _) => previous_first.map(|first| first + previous_len),
            (Position::Before(_), _) => {
                previous_first.and_then(|first| first.checked_sub(page.rows.len() as u64))
            }
            (Position::From(_), _) => previous_first,
            (Position::Last, _) => match self.count {
                Loadable::Ready(RowCount { rows, exact: true }) => {
                    Some((rows as u64).saturating_sub(page.rows.len() as u64))
                }
                _ => None,
            },
        };
        self.apply_rows(page);
        self.selected = match self.pending_selection {
            Selection::Top => 0,
            Selection::Bottom => self.rows.len().saturating_sub(1),
            Selection::Keep => previous_id
                .and_then(|id| self.rows.iter().position(|row| row.id() == id))
                .unwrap_or(self.selected.min(self.rows.len().saturating_sub(1))),
        };
        self.selected_row().map(Row::id) != previous_id || self.detail == Loadable::Idle
    }

    fn apply_rows(&mut self, page: Page) {
        self.rows = page.rows;
        self.has_before = page.has_before;
        self.has_after = page.has_after;
        self.error = None;
        self.loaded_once = true;
        self.pending_position = None;
    }

    pub fn apply_count(&mut self, result: Outcome<RowCount>) {
        self.count = match result {
            Ok(count) => Loadable::Ready(count),
            Err(error) => Loadable::Failed(error.message),
        };
        // A last page fetched before its count arrived can now be numbered.
        if let (Loadable::Ready(RowCount { rows, exact: true }), None, false) =
            (&self.count, self.first_row, self.has_after)
        {
            self.first_row = Some((*rows as u64).saturating_sub(self.rows.len() as u64));
        }
    }

    pub fn apply_detail(&mut self, result: Outcome<Box<Detail>>) {
        self.detail = match result {
            Ok(detail) => Loadable::Ready(*detail),
            Err(error) => Loadable::Failed(error.message),
        };
    }

    /// Moves the selection within the page. Returns true when it moved.
    pub fn move_selection(&mut self, down: bool) -> bool {
        if down && self.selected + 1 < self.rows.len() {
            self.selected += 1;
            true
        } else if !down && self.selected > 0 {
            self.selected -= 1;
            true
        } else {
            false
        }
    }

    pub fn at_bottom(&self) -> bool {
        self.selected + 1 >= self.rows.len()
    }

    /// "rows 101-150 of about 2.0M", or as much of it as is known.
    pub fn range_label(&self) -> String {
        let total = match &self.count {
            Loadable::Ready(count) => Some(format_count(*count)),
            _ => None,
        };
        if self.rows.is_empty() {
            return if self.loaded_once {
                "no rows".into()
            } else {
                String::new()
            };
        }
        let len = self.rows.len() as u64;
        let range = match self.first_row {
            Some(first) => format!("rows {}-{}", first + 1, first + len),
            None if !self.has_after => format!("last {len} rows"),
            None => format!("{len} rows"),
        };
        match total {
            Some(total) => format!("{range} of {total}"),
            None => range,
        }
    }
}

/// "1,234" when exact, "about 2.0M" when estimated.
pub fn format_count(count: RowCount) -> String {
    if count.exact {
        return group_thousands(count.rows);
    }
    let rows = count.rows as f64;
    let short = if rows >= 1e6 {
        format!("{:.1}M", rows / 1e6)
    } else if rows >= 1e3 {
        format!("{:.0}k", rows / 1e3)
    } else {
        format!("{}", count.rows)
    };
    format!("about {short}")
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_well() {
        assert_eq!(
            format_count(RowCount {
                rows: 1234,
                exact: true
            }),
            "1,234"
        );
        assert_eq!(
            format_count(RowCount {
                rows: 999,
                exact: true
            }),
            "999"
        );
        assert_eq!(
            format_count(RowCount {
                rows: 2_013_000,
                exact: false
            }),
            "about 2.0M"
        );
        assert_eq!(
            format_count(RowCount {
                rows: 150_400,
                exact: false
            }),
            "about 150k"
        );
    }
}
