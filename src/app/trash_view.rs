//! The Trash tab: the deleted batches, newest first, narrowed by its own filter language;
//! `r` restores and `P` purges (the questions are in `questions.rs`).

use crate::app::App;
use crate::app::commands::Command;
use crate::app::filter_prompt::FilterPrompt;
use crate::app::overlay::Overlay;
use crate::data_task::{Outcome, Request};
use crate::db::trash::{TrashEntry, TrashFilter, parse_filter};

#[derive(Debug, Clone, Default)]
pub struct TrashView {
    pub entries: Vec<TrashEntry>,
    pub selected: usize,
    pub filter: TrashFilter,
    pub loading: bool,
    pub error: Option<String>,
}

impl App {
    pub(super) fn run_trash_command(&mut self, command: Command) {
        match command {
            Command::Down => self.move_trash_selection(true),
            Command::Up => self.move_trash_selection(false),
            Command::Refresh => self.reload_trash(),
            Command::Filter => {
                let text = self.trash.filter.text.clone();
                self.overlays
                    .open(Overlay::Prompt(FilterPrompt::open(&text)));
            }
            Command::Back if !self.trash.filter.text.is_empty() => {
                self.trash.filter = TrashFilter::default();
                self.reload_trash();
                self.flash_info("filter cleared");
            }
            Command::Restore => self.ask_restore(false),
            Command::Purge => self.ask_restore(true),
            _ => {}
        }
    }

    pub(super) fn reload_trash(&mut self) {
        self.trash.loading = true;
        let filter = self.trash.filter.clone();
        self.send(Request::Trash(filter));
    }

    fn move_trash_selection(&mut self, down: bool) {
        let last = self.trash.entries.len().saturating_sub(1);
        self.trash.selected = if down {
            (self.trash.selected + 1).min(last)
        } else {
            self.trash.selected.saturating_sub(1)
        };
    }

    /// Applies the trash prompt's text; says the filter as applied, or what is wrong with it.
    pub(super) fn apply_trash_filter(&mut self, text: &str) -> Result<String, String> {
        let filter = parse_filter(text, self.viewer_zone).map_err(|error| error.0)?;
        let applied = filter.text.clone();
        self.trash.filter = filter;
        self.trash.selected = 0;
        self.reload_trash();
        Ok(applied)
    }

    pub(super) fn trash_listed(&mut self, result: Outcome<Vec<TrashEntry>>) {
        self.trash.loading = false;
        match result {
            Ok(entries) => {
                self.trash.selected = self.trash.selected.min(entries.len().saturating_sub(1));
                self.trash.entries = entries;
                self.trash.error = None;
            }
            Err(error) => self.trash.error = Some(error.message),
        }
    }
}
