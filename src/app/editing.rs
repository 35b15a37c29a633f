//! Opening the forms and pickers, typing into them, and their answers: `n` new (an event on
//! Events, a box-office sale on an event's Orders), `e` edit (an event, a ticket's holder),
//! `t` an event's ticket types, `u` users (admins).

use crossterm::event::KeyEvent;

use crate::app::commands::{Command, Context};
use crate::app::form::{Form, FormAction, FormState, Purpose};
use crate::app::overlay::Overlay;
use crate::app::picker::{Picker, PickerAction, PickerItems};
use crate::app::tab::Tab;
use crate::app::{App, wording};
use crate::data_task::{Loaded, Outcome, PickList, Request, Saved, Slot};
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
    pub(super) fn open_new_form(&mut self, kind: EntityKind) {
        match kind {
            EntityKind::Event => {
                if self.may(Write::ManageEvents)
                    && let Some(actor) = self.actor.clone()
                {
                    let form = Form::event(&actor, None);
                    self.overlays.open(Overlay::Form(form));
                }
            }
            EntityKind::Order => {
                let event = match self.lists.get(kind).parent() {
                    Some(Parent::Event(id)) => Some(id),
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
    pub(super) fn open_edit_form(&mut self, kind: EntityKind) {
        match self.lists.get(kind).selected_row() {
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
    pub(super) fn open_ticket_types(&mut self, kind: EntityKind) {
        let view = self.lists.get(kind);
        let event = match (view.selected_row(), view.parent()) {
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
            self.overlays.open(Overlay::Picker(Picker::users()));
            self.send(Request::SearchUsers {
                text: String::new(),
            });
        }
    }

    pub(super) fn handle_form_key(&mut self, key: &KeyEvent) {
        let offset = self.viewer_zone;
        let Some(form) = self.overlays.form_mut() else {
            return;
        };
        // While an answer is awaited the fields stay as sent; cancelling still closes the
        // form. A save goes on (its answer shows in the status bar); a reload is dropped.
        if form.is_busy() {
            if self.keymap.command_for(Context::Form, key) == Some(Command::CancelForm) {
                let saving = form.state == FormState::Saving;
                self.overlays.close_form();
                if saving {
                    self.flash_info("closed; the save goes on, and its answer will show here");
                } else {
                    self.in_flight.forget(Slot::Form);
                    self.in_flight.forget(Slot::Picker);
                }
            }
            return;
        }
        match form.handle_key(key, &self.keymap, offset) {
            FormAction::None => {}
            FormAction::Close => {
                self.overlays.close_form();
                self.flash_info("nothing changed");
            }
            FormAction::Send(request) => {
                form.state = if request.is_form_save() {
                    FormState::Saving
                } else {
                    FormState::Reloading
                };
                self.send(*request);
            }
        }
    }

    pub(super) fn handle_picker_key(&mut self, key: &KeyEvent) {
        let busy = self.is_waiting(Slot::Picker);
        let Some(picker) = self.overlays.picker_mut() else {
            return;
        };
        match picker.handle_key(key, &self.keymap, busy) {
            PickerAction::None => {}
            PickerAction::Close => {
                self.overlays.close_picker();
                self.in_flight.forget(Slot::Picker);
            }
            PickerAction::Search(text) => self.send(Request::SearchUsers { text }),
            PickerAction::Delete(index) => {
                let target = match &picker.items {
                    PickerItems::TicketTypes(types) => types.types.get(index).map(|t| t.id),
                    PickerItems::Users(_) => None,
                };
                if let Some(id) = target {
                    self.overlays.close_picker();
                    self.send(Request::PreviewDelete(Target::TicketType(id)));
                }
            }
            PickerAction::Open(Some(index)) if matches!(picker.items, PickerItems::Users(_)) => {
                // The user as they are now, with their SSH keys, for the form.
                let id = match &picker.items {
                    PickerItems::Users(users) => users.get(index).map(|user| user.id),
                    PickerItems::TicketTypes(_) => None,
                };
                if let Some(id) = id {
                    self.overlays.close_picker();
                    self.send(Request::LoadUser { id });
                }
            }
            PickerAction::Open(chosen) => {
                let Some(picker) = self.overlays.close_picker() else {
                    return;
                };
                let form = match picker.items {
                    PickerItems::TicketTypes(types) => Form::ticket_type(
                        types.event_id,
                        &types.event_title,
                        chosen.and_then(|i| types.types.get(i).cloned()),
                        types.event_zone,
                        &types.event_currency,
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
                };
                self.overlays.open(Overlay::Form(form));
            }
        }
    }

    /// A picker's list: users found, or an event's ticket types (for the picker, for a new
    /// sale form, or for a sale form's reload).
    pub(super) fn pick_list_arrived(&mut self, result: Outcome<PickList>) {
        match result {
            Ok(PickList::Users(users)) => {
                if let Some(picker) = self.overlays.picker_mut() {
                    picker.set_users(users);
                }
            }
            Ok(PickList::TicketTypes { types, for_sale }) => match self.overlays.form_mut() {
                Some(form) if matches!(&form.purpose, Purpose::Sale(open) if open.event_id == types.event_id) =>
                {
                    form.rebase(Form::sale(types));
                }
                // Another form was opened meanwhile: it keeps the screen.
                Some(_) => {}
                None if for_sale => self.overlays.open(Overlay::Form(Form::sale(types))),
                None => self
                    .overlays
                    .open(Overlay::Picker(Picker::ticket_types(types))),
            },
            Err(error) => match self.overlays.form_mut() {
                // A sale form's reload (Ctrl-r) failed: it stays as it was, saying why.
                Some(form) if form.state == FormState::Reloading => form.show_errors(&error),
                _ => self.flash_error(error.message),
            },
        }
    }

    /// A row loaded for its form: a new form opens, or (Ctrl-r after a conflict) the form on
    /// screen takes the new version, keeping what was typed.
    pub(super) fn form_loaded(&mut self, result: Outcome<Loaded>) {
        let reloading = self
            .overlays
            .form()
            .is_some_and(|form| form.state == FormState::Reloading);
        let fresh = match result {
            Ok(Loaded::Holder(loaded)) => {
                let code = match self.current_list().and_then(|view| view.selected_row()) {
                    Some(Row::Ticket(ticket)) if ticket.id == loaded.ticket_id => {
                        ticket.code.clone()
                    }
                    _ => format!("#{}", loaded.ticket_id),
                };
                Form::holder_name(&code, loaded)
            }
            Ok(Loaded::OrderNote(note)) => Form::order_note(note),
            Ok(Loaded::Event(event)) => match self.actor.as_ref() {
                Some(actor) => Form::event(actor, Some(event)),
                None => return,
            },
            Ok(Loaded::TicketType(loaded)) => match self.overlays.form().map(|f| &f.purpose) {
                Some(Purpose::TicketType {
                    event_id,
                    event_title,
                    event_zone,
                    event_currency,
                    ..
                }) => Form::ticket_type(
                    *event_id,
                    &event_title.clone(),
                    Some(loaded),
                    *event_zone,
                    &event_currency.clone(),
                ),
                _ => return,
            },
            Ok(Loaded::User(user)) => Form::user(Some(user), ""),
            Err(error) => {
                match self.overlays.form_mut() {
                    Some(form) if reloading => form.show_errors(&error),
                    _ => self.flash_error(error.message),
                }
                return;
            }
        };
        match self.overlays.form_mut() {
            Some(form) if reloading => {
                form.rebase(fresh);
                self.flash_info("reloaded: your changes are kept over the new version; save again");
            }
            // Another form was opened meanwhile: it keeps the screen.
            Some(_) => {}
            None => self.overlays.open(Overlay::Form(fresh)),
        }
    }

    /// A save's answer. The form that sent it (if still on screen) closes, or stays with the
    /// reasons; a form opened since is left alone, and the answer shows in the status bar.
    pub(super) fn save_answered(&mut self, result: Outcome<Saved>) {
        let own = self
            .overlays
            .form()
            .is_some_and(|form| form.state == FormState::Saving);
        match result {
            Ok(saved) => self.form_saved(own, wording::saved(&saved)),
            Err(error) => match self.overlays.form_mut() {
                // The form stays open with what was typed, and says why it was not saved.
                Some(form) if own => {
                    form.show_errors(&error);
                    if error.unavailable {
                        form.state = FormState::WaitingForDatabase;
                        form.error = Some(
                            "the database is not reachable: what you typed is kept, and \
                             saved as soon as it answers again"
                                .into(),
                        );
                    }
                }
                _ => self.flash_error(error.message),
            },
        }
    }

    /// Sends a save that could not reach the database again, once it answers, from the
    /// fields as they are now.
    pub(super) fn resend_form_save(&mut self) {
        if self.unreachable_since.is_some() {
            return;
        }
        let offset = self.viewer_zone;
        let Some(form) = self.overlays.form_mut() else {
            return;
        };
        if form.state != FormState::WaitingForDatabase {
            return;
        }
        match form.request(offset) {
            Ok(request) => {
                form.state = FormState::Saving;
                self.send(request);
            }
            Err(errors) => form.show_errors(&errors),
        }
    }

    /// A save went through: its form (if still on screen) closes, and the lists reload.
    fn form_saved(&mut self, own: bool, message: String) {
        if own {
            self.overlays.close_form();
        }
        self.flash_info(message);
        self.reload_shown();
        let shown = self.tab;
        for view in self.lists.iter_mut() {
            view.stale |= Tab::List(view.kind) != shown;
        }
    }
}
