//! `x` exports the list shown (its filter, scope, drill-down and sort) to a CSV file in the
//! export folder, while the screen stays usable: progress in the status bar, Esc stops it
//! and the partial file goes. `y` copies the selected row's code to the clipboard (OSC 52),
//! and `D` opens an event's dashboard.

use std::path::PathBuf;
use std::time::Instant;

use crate::app::App;
use crate::data_task::{ExportDone, Outcome, Request, Slot};
use crate::db::export::{ExportSpec, file_name};
use crate::db::model::{EntityKind, Row, count_of};

/// The export running.
#[derive(Debug, Clone)]
pub struct ExportJob {
    pub kind: EntityKind,
    pub path: PathBuf,
    pub rows: u64,
    pub started: Instant,
    /// Asked to stop; waiting for the data task to say it has.
    pub stopping: bool,
}

impl ExportJob {
    pub fn rows_per_second(&self, now: Instant) -> u64 {
        let seconds = now.duration_since(self.started).as_secs_f64();
        if seconds < 0.05 {
            0
        } else {
            (self.rows as f64 / seconds) as u64
        }
    }
}

/// What a row of `kind` is called: one, many.
fn row_words(kind: EntityKind) -> (&'static str, &'static str) {
    match kind {
        EntityKind::Event => ("event", "events"),
        EntityKind::Order => ("order", "orders"),
        EntityKind::Ticket => ("ticket", "tickets"),
    }
}

impl App {
    pub(super) fn start_export(&mut self, kind: EntityKind) {
        if self.export.is_some() {
            self.flash_info("an export is running already (Esc stops it)");
            return;
        }
        let view = self.lists.get(kind);
        let spec = ExportSpec {
            kind,
            parent: view.scope.as_ref().map(|scope| scope.parent),
            filter: view.filter.clone(),
            sort: view.sort,
        };
        if !self.export_folder.is_dir() {
            self.flash_error(format!(
                "cannot export: the folder {} does not exist (set export_folder in the config)",
                self.export_folder.display()
            ));
            return;
        }
        let local_now = self.wall_clock().with_timezone(&self.viewer_zone);
        let path = self.export_folder.join(file_name(kind, local_now));
        self.export = Some(ExportJob {
            kind,
            path: path.clone(),
            rows: 0,
            started: self.now(),
            stopping: false,
        });
        self.send(Request::Export {
            spec,
            path,
            offset: self.viewer_zone,
        });
    }

    pub(super) fn cancel_export(&mut self) {
        if let Some(job) = self.export.as_mut()
            && !job.stopping
        {
            job.stopping = true;
            self.send(Request::CancelExport);
        }
    }

    pub(super) fn export_progressed(&mut self, generation: u64, rows: u64) {
        if self.in_flight.is_current(Slot::Export, generation)
            && let Some(job) = self.export.as_mut()
        {
            job.rows = rows;
        }
    }

    pub(super) fn export_ended(&mut self, result: Outcome<ExportDone>) {
        let Some(job) = self.export.take() else {
            return;
        };
        match result {
            Ok(ExportDone::Finished { path, rows }) => {
                let (one, many) = row_words(job.kind);
                self.flash_info(format!(
                    "exported {} to {}",
                    count_of(i64::try_from(rows).unwrap_or(i64::MAX), one, many),
                    path.display()
                ))
            }
            Ok(ExportDone::Cancelled) => {
                self.flash_info("export stopped; the partial file was removed")
            }
            Err(error) => self.flash_error(format!("export failed: {}", error.message)),
        }
    }

    /// Puts the selected order's or ticket's code on the clipboard.
    pub(super) fn copy_selected(&mut self, kind: EntityKind) {
        let text = match self.lists.get(kind).selected_row() {
            Some(Row::Order(order)) => order.code.clone(),
            Some(Row::Ticket(ticket)) => ticket.code.clone(),
            Some(Row::Event(_)) => {
                self.flash_info(
                    "events have no code to copy; y copies an order's or a ticket's code",
                );
                return;
            }
            None => {
                self.flash_info("nothing selected to copy");
                return;
            }
        };
        self.flash_info(format!("copied {text} to the clipboard"));
        self.clipboard = Some(text);
    }

    /// `D` on Events: the selected event's dashboard.
    pub(super) fn open_event_dashboard(&mut self, kind: EntityKind) {
        if !self.has_dashboard() {
            self.flash_info("this account has no dashboard");
            return;
        }
        match (kind, self.lists.get(kind).selected_row()) {
            (EntityKind::Event, Some(row)) => {
                let id = row.id();
                self.open_dashboard(Some(id));
            }
            (EntityKind::Event, None) => self.flash_info("no event selected"),
            _ => self.flash_info("D opens the selected event's dashboard, on the Events tab"),
        }
    }
}
