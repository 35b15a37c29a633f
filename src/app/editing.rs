//! Opening, typing into and saving the edit form; its answers.

use crossterm::event::KeyEvent;

use crate::app::App;
use crate::app::form::{EditForm, FormAction};
use crate::data_task::{Answer, DataErrorText, Request};
use crate::db::model::Row;

impl App {
    /// `e` on a ticket: load its holder name (with the version it was read at) into a form.
    pub(super) fn open_holder_form(&mut self) {
        match self.view().selected_row() {
            Some(Row::Ticket(ticket)) => {
                let ticket_id = ticket.id;
                self.send(Request::LoadHolder { ticket_id });
            }
            _ => self.flash_info("select a ticket (Tickets tab) to edit its holder name"),
        }
    }

    pub(super) fn handle_form_key(&mut self, key: &KeyEvent) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        match form.handle_key(key) {
            FormAction::None => {}
            FormAction::Close => {
                self.form = None;
                self.flash_info("nothing changed");
            }
            FormAction::Save(name) => {
                let loaded = form.loaded.clone();
                self.send(Request::SaveHolder { loaded, name });
                if let Some(form) = self.form.as_mut() {
                    form.waiting = self.waiting_form;
                }
            }
        }
    }

    pub(super) fn handle_form_reply(
        &mut self,
        generation: u64,
        result: Result<Answer, DataErrorText>,
    ) {
        if self.waiting_form != Some(generation) {
            return;
        }
        self.waiting_form = None;
        match result {
            Ok(Answer::HolderLoaded(loaded)) => {
                let code = match self.view().selected_row() {
                    Some(Row::Ticket(ticket)) if ticket.id == loaded.ticket_id => {
                        ticket.code.clone()
                    }
                    _ => format!("#{}", loaded.ticket_id),
                };
                self.form = Some(EditForm::holder_name(&code, loaded));
            }
            Ok(Answer::HolderSaved(saved)) => {
                self.form = None;
                self.flash_info(format!("saved: holder is now {}", saved.holder_name));
                let page_size = self.page_size;
                let requests = self.view_mut().reload(page_size);
                self.send_all(requests);
                if let Some(detail) = self.view_mut().detail_request() {
                    self.send(detail);
                }
            }
            Err(error) => match self.form.as_mut() {
                // The form stays open with what was typed, and says why it was not saved.
                Some(form) => {
                    form.waiting = None;
                    form.error = Some(error.message);
                }
                None => self.flash_error(error.message),
            },
            Ok(_) => {}
        }
    }
}
