//! How the app takes the data task's answers: each is matched to the request it answers, and
//! dropped if the screen no longer waits for it.

use crate::app::{App, DatabaseState, Screen};
use crate::data_task::{Answer, DataEvent, Slot};
use std::time::Instant;

impl App {
    pub(super) fn handle_data(&mut self, event: DataEvent) {
        match event {
            DataEvent::Progress(step) => self.database = DatabaseState::Connecting(step),
            DataEvent::Connected { label, built_in } => {
                self.database = DatabaseState::Ready;
                self.database_label = label;
                self.built_in_database = built_in;
            }
            DataEvent::ConnectFailed(message) => self.database = DatabaseState::Failed(message),
            DataEvent::Changed {
                tables,
                reconnected,
            } => {
                if self.screen == Screen::Main {
                    self.changed(&tables, reconnected);
                }
            }
            DataEvent::Reply {
                slot,
                generation,
                result,
            } => self.handle_reply(slot, generation, result),
        }
    }

    fn handle_reply(
        &mut self,
        slot: Slot,
        generation: u64,
        result: Result<Answer, crate::data_task::DataErrorText>,
    ) {
        match &result {
            Err(error) if error.unavailable => {
                if self.unreachable_since.is_none() {
                    self.unreachable_since = Some(Instant::now());
                    self.flash_error(error.message.clone());
                }
            }
            Err(_) => {}
            Ok(_) => {
                if self.unreachable_since.take().is_some() {
                    self.flash_info("the database is back");
                }
            }
        }
        match slot {
            Slot::SignIn => {
                if self.sign_in.waiting != Some(generation) {
                    return;
                }
                match result {
                    Ok(Answer::SignedIn(actor)) => self.signed_in(actor),
                    Ok(_) => {}
                    Err(error) => self.sign_in.refused(error.message),
                }
            }
            Slot::Page(kind) => {
                let page_size = self.page_size;
                let view = self.view_of_mut(kind);
                if view.waiting_page != Some(generation) {
                    return;
                }
                view.waiting_page = None;
                let changed = view.apply_page(result);
                let queued = std::mem::take(&mut view.queued_pages);
                let next = match queued {
                    0 => None,
                    n if n > 0 => view.next_page(page_size),
                    _ => view.previous_page(page_size, false),
                };
                if let Some(next) = next {
                    view.queued_pages = queued - queued.signum();
                    self.send(next);
                } else if changed && let Some(request) = view.detail_request() {
                    self.send(request);
                }
            }
            Slot::Count(kind) => {
                let view = self.view_of_mut(kind);
                if view.waiting_count == Some(generation) {
                    view.waiting_count = None;
                    view.apply_count(result);
                }
            }
            Slot::Scan | Slot::DoorStatus | Slot::Action | Slot::Unlock => {
                self.handle_door_reply(slot, generation, result);
            }
            Slot::Trash => self.handle_trash_reply(generation, result),
            Slot::Form | Slot::Save => self.handle_form_reply(generation, result),
            Slot::Picker => self.handle_picker_reply(generation, result),
            Slot::Detail(kind) => {
                let view = self.view_of_mut(kind);
                if view.waiting_detail == Some(generation) {
                    view.waiting_detail = None;
                    view.apply_detail(result);
                }
            }
        }
    }

    fn signed_in(&mut self, actor: crate::db::auth::Actor) {
        self.sign_in.waiting = None;
        self.sign_in.password.reset();
        self.flash_info(format!(
            "signed in as {} ({})",
            actor.name,
            actor.role.label()
        ));
        let door_only = actor.role == crate::db::auth::Role::Staff;
        self.actor = Some(actor);
        if self.kiosk.is_some() && !self.may_check_in() {
            self.actor = None;
            self.flash = None;
            self.sign_in.refused("this account cannot check tickets in; a kiosk needs a staff, organizer or admin account".into());
            return;
        }
        self.screen = Screen::Main;
        if self.kiosk.is_some() || door_only {
            // The door is where staff work; the lists load when they go there.
            self.open_check_in();
        } else {
            self.active_tab = 0;
            self.load_active_tab();
        }
    }
}
