//! Live updates: someone (another terminal, psql) changed rows. What is on screen is fetched
//! again keeping its place; the other lists are marked stale and fetched when shown.

use crate::app::tab::Tab;
use crate::app::{App, Screen};
use crate::db::model::EntityKind;

/// The tables whose changes a list shows.
fn shown_in(kind: EntityKind) -> &'static [&'static str] {
    match kind {
        EntityKind::Event => &["events", "ticket_types", "users"],
        EntityKind::Order => &["orders", "events", "users"],
        EntityKind::Ticket => &["tickets", "orders", "ticket_types"],
    }
}

impl App {
    /// Rows changed in `tables`; after a lost listener (`reconnected`) changes may have been
    /// missed, so everything counts as changed.
    pub(super) fn changed(&mut self, tables: &[String], reconnected: bool) {
        if self.screen != Screen::Main {
            return;
        }
        let touches =
            |names: &[&str]| reconnected || tables.iter().any(|t| names.contains(&t.as_str()));
        if touches(&["tickets", "scans", "orders"]) && self.may_check_in() {
            let request = self.check_in.status_request();
            self.send(request);
        }
        if self.tab == Tab::Trash
            && touches(&["events", "ticket_types", "orders", "tickets"])
            && !self.trash.loading
        {
            self.reload_trash();
        }
        if self.tab == Tab::Dashboard
            && touches(&["orders", "tickets", "scans", "ticket_types", "events"])
        {
            self.dashboard_changed();
        }
        let page_rows = self.size.page_rows;
        let prompt_open = self.overlays.prompt().is_some();
        let mut requests = Vec::new();
        for view in self.lists.iter_mut() {
            if !touches(shown_in(view.kind)) || !view.loaded_once() {
                continue;
            }
            if self.tab == Tab::List(view.kind) && !prompt_open && !view.loading {
                requests.extend(view.reload(page_rows));
                requests.extend(view.detail_request());
            } else {
                view.stale = true;
            }
        }
        self.send_all(requests);
    }
}
