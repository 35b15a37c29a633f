//! The Check-in tab and the kiosk lock: keys, answers and retries.

use std::time::Instant;

use crossterm::event::{Event, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

use crate::app::App;
use crate::app::check_in::RETRY_AFTER;
use crate::app::commands::{Command, Context};
use crate::app::wording;
use crate::data_task::{ActionDone, DoorStatus, Outcome, Request, Slot};
use crate::db::check_in::ScanOutcome;
use crate::db::model::ScanResult;

impl App {
    /// The Check-in tab's own commands.
    pub(super) fn run_door_command(&mut self, command: Command) {
        match command {
            Command::ClearCode => {
                self.check_in.input.reset();
                self.check_in.message = None;
            }
            Command::CheckIn => {
                if let Some(scan) = self.check_in.take_scan() {
                    self.send(Request::Scan(scan));
                }
            }
            Command::UndoLastAdmission => self.undo_last_admission(),
            _ => {}
        }
    }

    /// Keys that are no command type the code.
    pub(super) fn type_code(&mut self, key: &KeyEvent) {
        if !self.check_in.type_key(key) {
            self.check_in.message = Some("codes are letters, digits and dashes".into());
        }
    }

    fn undo_last_admission(&mut self) {
        let admitted = self
            .check_in
            .last
            .as_ref()
            .filter(|outcome| outcome.result == ScanResult::Admitted && !outcome.replayed)
            .and_then(|outcome| outcome.ticket_id);
        match admitted {
            Some(ticket_id) => self.send(Request::UndoCheckIn { ticket_id }),
            None => self.check_in.message = Some("the last scan was not an admission".into()),
        }
    }

    /// Quitting a kiosk asks for the signed-in user's password.
    pub(super) fn handle_unlock_key(&mut self, key: &KeyEvent) {
        let checking = self.is_waiting(Slot::Unlock);
        let Some(unlock) = self.overlays.unlock_mut() else {
            return;
        };
        match self.keymap.command_for(Context::Unlock, key) {
            Some(Command::StayLocked) => {
                self.overlays.close_unlock();
                self.in_flight.forget(Slot::Unlock);
            }
            Some(Command::Unlock) if checking => {}
            Some(Command::Unlock) => {
                let password = unlock.input.value().to_string();
                unlock.input.reset();
                let terminal = self.check_in.terminal.clone();
                self.send(Request::Unlock { password, terminal });
            }
            _ => {
                unlock.input.handle_event(&Event::Key(*key));
                unlock.error = None;
            }
        }
    }

    pub(super) fn unlock_answered(&mut self, result: Outcome<()>) {
        match result {
            Ok(()) => self.should_quit = true,
            Err(_) => {
                if let Some(unlock) = self.overlays.unlock_mut() {
                    unlock.error = Some("wrong password".into());
                }
            }
        }
    }

    pub(super) fn scanned(&mut self, result: Outcome<ScanOutcome>) {
        match result {
            Ok(outcome) => {
                self.check_in.scanned(outcome);
                let request = self.check_in.status_request();
                self.send(request);
            }
            // No answer from the database: the same scan (same key) goes again, so a scan
            // that did go through is not reported as used on the retry.
            Err(error) if error.unavailable => {
                let retry_at = self.now() + RETRY_AFTER;
                if let Some(pending) = self.check_in.pending.as_mut() {
                    pending.retry_at = Some(retry_at);
                }
                self.check_in.message = Some("no answer from the database; retrying…".into());
            }
            Err(error) => {
                self.check_in.pending = None;
                self.check_in.message = Some(error.message);
            }
        }
    }

    pub(super) fn door_status_arrived(&mut self, result: Outcome<DoorStatus>) {
        match result {
            Ok(status) => {
                self.check_in.counters = status.counters;
                self.check_in.recent = status.recent;
            }
            Err(error) => self.check_in.message = Some(error.message),
        }
    }

    /// A change made at the door (undoing an admission).
    pub(super) fn door_action_done(&mut self, result: Outcome<ActionDone>) {
        match result {
            Ok(done) => {
                let message = wording::action_done(&done);
                self.flash_info(message.clone());
                self.check_in.message = Some(message);
                if let Some(last) = self.check_in.last.as_mut() {
                    last.replayed = true;
                }
                let request = self.check_in.status_request();
                self.send(request);
            }
            Err(error) => {
                self.flash_error(error.message.clone());
                self.check_in.message = Some(error.message);
            }
        }
    }

    /// Sends again a scan whose retry is due.
    pub(super) fn retry_scans(&mut self, now: Instant) {
        if let Some(scan) = self.check_in.due_retry(now) {
            self.send(Request::Scan(scan));
        }
    }
}
