//! Opening the forms and pickers, typing into them, and their answers: `n` new (an event on
//! Events, a box-office sale on an event's Orders), `e` edit (an event, a ticket's holder),
//! `t` an event's ticket types, `u` users (admins).

use crossterm::event::KeyEvent;

use crate::app::App;
use crate::app::form::{Form, FormAction, Purpose};
use crate::app::picker::{Picker, PickerAction, PickerItems};
use crate::data_task::{Answer, DataErrorText, Request};
use crate::db::auth::Role;
use crate::db::listing::Parent;
use crate::db::model::{EntityKind, Row};
use crate::db::permissions::Write;
use crate::db::trash::Target;

impl App {
    fn role(&self) -> Option<Role> {
        self.actor.as_ref().map(|actor| actor.role)
    }

    /// Refuses at the key press (before anything is typed) what the data layer would refuse
    /// anyway, from the same table.
    pub(super) fn may(&mut self, write: Write) -> bool {
        match self.role() {
            Some(role) if write.allowed(role) => true,
            Some(role) => {
                self.flash_error(write.refusal(role));
                false
            }
            None => false,
        }
    }

    /// `n`: a new row of the tab's kind.
    pub(super) fn open_new_form(&mut self) {
        match self.view().kind {
            EntityKind::Event => {
                if self.may(Write::ManageEvents)
                    && let Some(actor) = self.actor.clone()
                {
                    self.form = Some(Form::event(&actor, None, self.time_offset));
                }
            }
            EntityKind::Order => {
                let event = match (self.view().parent(), self.view().selected_row()) {
                    (Some(Parent::Event(id)), _) => Some(id),
                    _ => None,
                };
                match event {
                    Some(event_id) if self.may(Write::ManageOrders) => {
                        self.send(Request::LoadTicketTypes {
                            event_id,
                            for_sale: true,
                        });
                    }
                    Some(_) => {}
                    None => self.flash_info("to sell: Enter on an event (Events tab), then n"),
                }
            }
            EntityKind::Ticket => {
                self.flash_info("tickets come from a sale: Enter on an event, then n")
            }
        }
    }

    /// `e`: edit the selected row.
    pub(super) fn open_edit_form(&mut self) {
        match self.view().selected_row() {
            Some(Row::Event(event)) => {
                let id = event.id;
                if self.may(Write::ManageEvents) {
                    self.send(Request::LoadEvent { id });
                }
            }
            Some(Row::Ticket(ticket)) => {
                let ticket_id = ticket.id;
                self.send(Request::LoadHolder { ticket_id });
            }
            // An order's lines are fixed at the sale and its status moves through p, c, f, a:
            // what is left to edit is its note.
            Some(Row::Order(order)) => {
                let id = order.id;
                if self.may(Write::ManageOrders) {
                    self.send(Request::LoadOrderNote { id });
                }
            }
            None => self.flash_info("nothing selected"),
        }
    }

    /// `t`: the ticket types of the selected event, to edit one or add one.
    pub(super) fn open_ticket_types(&mut self) {
        let event = match (self.view().selected_row(), self.view().parent()) {
            (Some(Row::Event(event)), _) => Some(event.id),
            (_, Some(Parent::Event(id))) => Some(id),
            _ => None,
        };
        match event {
            Some(event_id) => {
                if self.may(Write::ManageEvents) {
                    self.send(Request::LoadTicketTypes {
                        event_id,
                        for_sale: false,
                    });
                }
            }
            None => self.flash_info("select an event (Events tab) to see its ticket types"),
        }
    }

    /// `u`: find a user to edit, or make a new one (admins).
    pub(super) fn open_users(&mut self) {
        if self.may(Write::ManageUsers) {
            self.picker = Some(Picker::users());
            self.send(Request::SearchUsers {
                text: String::new(),
            });
        }
    }

    pub(super) fn handle_form_key(&mut self, key: &KeyEvent) {
        let offset = self.time_offset;
        let Some(form) = self.form.as_mut() else {
            return;
        };
        // While an answer is awaited the fields stay as sent; Esc still closes the form. A
        // save goes on (its answer shows in the status bar); a reload is dropped.
        if form.waiting.is_some() {
            if key.code == crossterm::event::KeyCode::Esc {
                let saving = form.saving;
                self.form = None;
                if saving {
                    self.flash_info("closed; the save goes on, and its answer will show here");
                } else {
                    self.waiting_form = None;
                    self.waiting_picker = None;
                }
            }
            return;
        }
        match form.handle_key(key, offset) {
            FormAction::None => {}
            FormAction::Close => {
                self.form = None;
                self.flash_info("nothing changed");
            }
            FormAction::Send(request) => {
                let saving = request.is_form_save();
                let generation = self.send_tracked(*request);
                if let Some(form) = self.form.as_mut() {
                    form.waiting = Some(generation);
                    form.saving = saving;
                    form.retry = false;
                }
            }
        }
    }

    pub(super) fn handle_picker_key(&mut self, key: &KeyEvent) {
        let Some(picker) = self.picker.as_mut() else {
            return;
        };
        match picker.handle_key(key) {
            PickerAction::None => {}
            PickerAction::Close => self.picker = None,
            PickerAction::Search(text) => self.send(Request::SearchUsers { text }),
            PickerAction::Delete(index) => {
                let target = match &picker.items {
                    PickerItems::TicketTypes(types) => types.types.get(index).map(|t| t.id),
                    PickerItems::Users(_) => None,
                };
                if let Some(id) = target {
                    self.picker = None;
                    self.send(Request::PreviewDelete(Target::TicketType(id)));
                }
            }
            PickerAction::Open(chosen) => {
                let offset = self.time_offset;
                let Some(picker) = self.picker.take() else {
                    return;
                };
                self.form = Some(match picker.items {
                    PickerItems::TicketTypes(types) => Form::ticket_type(
                        types.event_id,
                        &types.event_title,
                        chosen.and_then(|i| types.types.get(i).cloned()),
                        offset,
                    ),
                    PickerItems::Users(users) => {
                        let typed = picker
                            .search
                            .as_ref()
                            .map(|s| s.value().trim().to_string())
                            .unwrap_or_default();
                        // A new user takes the email searched for, if it was one.
                        let email = if typed.contains('@') {
                            typed
                        } else {
                            String::new()
                        };
                        Form::user(chosen.and_then(|i| users.get(i).cloned()), &email)
                    }
                });
            }
        }
    }

    pub(super) fn handle_picker_reply(
        &mut self,
        generation: u64,
        result: Result<Answer, DataErrorText>,
    ) {
        if self.waiting_picker != Some(generation) {
            return;
        }
        self.waiting_picker = None;
        match result {
            Ok(Answer::Users(users)) => {
                if let Some(picker) = self.picker.as_mut() {
                    picker.set_users(users);
                    picker.waiting = None;
                }
            }
            Ok(Answer::TicketTypes { types, for_sale }) => {
                let reloading = matches!(
                    self.form.as_ref().map(|f| &f.purpose),
                    Some(Purpose::Sale(open)) if open.event_id == types.event_id
                );
                if reloading && let Some(form) = self.form.as_mut() {
                    form.rebase(Form::sale(types));
                    form.waiting = None;
                } else if self.form.is_some() {
                    // Another form was opened meanwhile: it keeps the screen.
                } else if for_sale {
                    self.form = Some(Form::sale(types));
                } else {
                    self.picker = Some(Picker::ticket_types(types));
                }
            }
            Err(error) => match self.form.as_mut() {
                // A sale form's reload (Ctrl-r) failed: it stays as it was, saying why.
                Some(form) if form.waiting == Some(generation) => {
                    form.waiting = None;
                    form.show_errors(&error);
                }
                _ => self.flash_error(error.message),
            },
            Ok(_) => {}
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
        let offset = self.time_offset;
        // Whether the form on screen is the one that asked (it may have been closed with Esc
        // while it waited, and another opened since).
        let own = self
            .form
            .as_ref()
            .is_some_and(|form| form.waiting == Some(generation));
        let was_save = own && self.form.as_ref().is_some_and(|form| form.saving);
        let loaded = match result {
            Ok(Answer::HolderLoaded(loaded)) => {
                let code = match self.view().selected_row() {
                    Some(Row::Ticket(ticket)) if ticket.id == loaded.ticket_id => {
                        ticket.code.clone()
                    }
                    _ => format!("#{}", loaded.ticket_id),
                };
                Form::holder_name(&code, loaded)
            }
            Ok(Answer::OrderNoteLoaded(note)) => Form::order_note(note),
            Ok(Answer::EventLoaded(event)) => match self.actor.as_ref() {
                Some(actor) => Form::event(actor, Some(event), offset),
                None => return,
            },
            Ok(Answer::TicketTypeLoaded(loaded)) => match self.form.as_ref().map(|f| &f.purpose) {
                Some(Purpose::TicketType {
                    event_id,
                    event_title,
                    ..
                }) => Form::ticket_type(*event_id, &event_title.clone(), Some(loaded), offset),
                _ => return,
            },
            Ok(Answer::UserLoaded(user)) => Form::user(Some(user), ""),
            Ok(Answer::HolderSaved(saved)) => {
                return self.form_saved(own, format!("saved: holder is now {}", saved.holder_name));
            }
            Ok(Answer::Saved(message)) => return self.form_saved(own, message),
            Err(error) => {
                match self.form.as_mut() {
                    // The form stays open with what was typed, and says why it was not saved.
                    Some(form) if own => {
                        form.waiting = None;
                        form.show_errors(&error);
                        if error.unavailable && was_save {
                            form.retry = true;
                            form.error = Some(
                                "the database is not reachable: what you typed is kept, and \
                                 saved as soon as it answers again"
                                    .into(),
                            );
                        }
                    }
                    _ => self.flash_error(error.message),
                }
                return;
            }
            Ok(_) => return,
        };
        match self.form.as_mut() {
            // A reload after a conflict: keep what was typed over the new version.
            Some(form) if own => {
                form.rebase(loaded);
                self.flash_info("reloaded: your changes are kept over the new version; save again");
            }
            // Another form was opened meanwhile: it keeps the screen.
            Some(_) => {}
            None => self.form = Some(loaded),
        }
    }

    /// Sends a save that could not reach the database again, once it answers, from the
    /// fields as they are now.
    pub(super) fn resend_form_save(&mut self) {
        if self.unreachable_since.is_some() {
            return;
        }
        let offset = self.time_offset;
        let Some(form) = self.form.as_mut() else {
            return;
        };
        if !form.retry || form.waiting.is_some() {
            return;
        }
        form.retry = false;
        match form.request(offset) {
            Ok(request) => {
                let generation = self.send_tracked(request);
                if let Some(form) = self.form.as_mut() {
                    form.waiting = Some(generation);
                    form.saving = true;
                }
            }
            Err(errors) => form.show_errors(&errors),
        }
    }

    /// A save went through: its form (if still on screen) closes, and the lists reload.
    fn form_saved(&mut self, own: bool, message: String) {
        if own {
            self.form = None;
        }
        self.flash_info(message);
        let page_size = self.page_size;
        let requests = self.view_mut().reload(page_size);
        self.send_all(requests);
        if let Some(detail) = self.view_mut().detail_request() {
            self.send(detail);
        }
        let shown = self.active_tab;
        for (index, view) in self.tabs.iter_mut().enumerate() {
            view.stale |= index != shown;
        }
    }
}
