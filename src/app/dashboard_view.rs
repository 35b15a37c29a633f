//! The Dashboard tab: sales, ticket types and the door for everything the user may see, or for
//! one event (Enter on the dashboard's event list, or `D` on an event in Events). Live: a
//! change from any terminal loads it again, one load at a time (a change that arrives while
//! one runs asks for one more when it lands).

use crate::app::App;
use crate::app::commands::Command;
use crate::app::tab::Tab;
use crate::data_task::{Outcome, Request};
use crate::db::dashboard::Dashboard;
use crate::db::permissions::dashboard_scope;

#[derive(Debug, Clone, Default)]
pub struct DashboardView {
    /// The event shown; None: the whole scope.
    pub event_id: Option<i64>,
    pub data: Option<Box<Dashboard>>,
    pub loading: bool,
    pub error: Option<String>,
    /// The selected row of the scope's event list.
    pub selected: usize,
    /// A change arrived while a load was running: load once more when it lands.
    pub reload_when_done: bool,
    /// Where the scope view was, to come back to with Esc.
    scope_selected: usize,
}

impl App {
    /// Whether the signed-in user has a dashboard.
    pub fn has_dashboard(&self) -> bool {
        self.actor
            .as_ref()
            .is_some_and(|actor| dashboard_scope(actor.role).is_some())
    }

    pub(super) fn run_dashboard_command(&mut self, command: Command) {
        match command {
            Command::Down | Command::Up => {
                let last = self
                    .dashboard
                    .data
                    .as_ref()
                    .map_or(0, |data| data.events.len().saturating_sub(1));
                let selected = &mut self.dashboard.selected;
                *selected = if command == Command::Down {
                    (*selected + 1).min(last)
                } else {
                    selected.saturating_sub(1)
                };
            }
            Command::Open if self.dashboard.event_id.is_none() => {
                let chosen = self
                    .dashboard
                    .data
                    .as_ref()
                    .and_then(|data| data.events.get(self.dashboard.selected))
                    .map(|event| event.id);
                if let Some(id) = chosen {
                    self.dashboard.scope_selected = self.dashboard.selected;
                    self.open_dashboard(Some(id));
                }
            }
            Command::Back if self.dashboard.event_id.is_some() => {
                self.open_dashboard(None);
                self.dashboard.selected = self.dashboard.scope_selected;
            }
            Command::Refresh => self.reload_dashboard(),
            _ => {}
        }
    }

    /// Shows the dashboard of `event_id` (None: the whole scope).
    pub(super) fn open_dashboard(&mut self, event_id: Option<i64>) {
        if self.dashboard.event_id != event_id {
            self.dashboard.event_id = event_id;
            self.dashboard.data = None;
            self.dashboard.selected = 0;
        }
        if self.tab == Tab::Dashboard {
            self.reload_dashboard();
        } else {
            self.switch_tab(Tab::Dashboard);
        }
    }

    pub(super) fn reload_dashboard(&mut self) {
        self.dashboard.loading = true;
        self.dashboard.reload_when_done = false;
        let request = Request::Dashboard {
            event_id: self.dashboard.event_id,
            offset: self.viewer_zone,
            now: self.wall_clock(),
        };
        self.send(request);
    }

    /// Something the dashboard counts changed: load it again, or once the load running lands.
    pub(super) fn dashboard_changed(&mut self) {
        if self.dashboard.loading {
            self.dashboard.reload_when_done = true;
        } else {
            self.reload_dashboard();
        }
    }

    pub(super) fn dashboard_arrived(&mut self, result: Outcome<Box<Dashboard>>) {
        self.dashboard.loading = false;
        match result {
            Ok(data) => {
                let last = data.events.len().saturating_sub(1);
                self.dashboard.selected = self.dashboard.selected.min(last);
                self.dashboard.data = Some(data);
                self.dashboard.error = None;
            }
            Err(error) => {
                if self.dashboard.event_id.is_some() && !error.unavailable {
                    // The event went away (deleted, or not this user's): back to the scope.
                    self.dashboard.event_id = None;
                    self.dashboard.data = None;
                    self.flash_error(format!("that event's dashboard: {}", error.message));
                    self.reload_dashboard();
                    return;
                }
                self.dashboard.error = Some(error.message);
            }
        }
        if self.dashboard.reload_when_done && self.tab == Tab::Dashboard {
            self.reload_dashboard();
        }
    }
}
