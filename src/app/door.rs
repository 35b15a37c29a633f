//! The Check-in tab and the kiosk lock: keys, answers, retries and live refreshes.

use std::time::Instant;

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

use crate::app::check_in::RETRY_AFTER;
use crate::app::commands::{Command, Context};
use crate::app::{App, CHECK_IN_TAB, UnlockPrompt};
use crate::data_task::{Answer, DataErrorText, Request, Slot};
use crate::db::model::ScanResult;

impl App {
    /// Keys on the Check-in tab: commands on keys no code uses, the rest types the code.
    pub(super) fn handle_check_in_key(&mut self, key: &KeyEvent) {
        match self.keymap.command_for(Context::CheckIn, key) {
            Some(Command::Help) => self.help_open = !self.help_open,
            Some(Command::ClearCode) => {
                self.help_open = false;
                self.check_in.input.reset();
                self.check_in.message = None;
            }
            Some(Command::CheckIn) => {
                if let Some(scan) = self.check_in.take_scan() {
                    self.send(Request::Scan(scan));
                }
            }
            Some(Command::UndoLastAdmission) => self.undo_last_admission(),
            Some(Command::NextTab) => self.next_tab(true),
            Some(Command::PreviousTab) => self.next_tab(false),
            Some(_) => {}
            None => {
                if !self.check_in.type_key(key) {
                    self.check_in.message = Some("codes are letters, digits and dashes".into());
                }
            }
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

    /// Moves to the next (or previous) tab this user has.
    pub(super) fn next_tab(&mut self, forward: bool) {
        let tabs: Vec<usize> = self
            .tab_titles()
            .into_iter()
            .map(|(index, _)| index)
            .collect();
        let Some(at) = tabs.iter().position(|index| *index == self.active_tab) else {
            return;
        };
        let next = if forward {
            (at + 1) % tabs.len()
        } else {
            (at + tabs.len() - 1) % tabs.len()
        };
        self.switch_tab(tabs[next]);
    }

    pub(super) fn open_check_in(&mut self) {
        self.active_tab = CHECK_IN_TAB;
        self.detail_zoomed = false;
        let request = self.check_in.status_request();
        self.send(request);
    }

    /// Quitting a kiosk asks for the signed-in user's password.
    pub(super) fn handle_unlock_key(&mut self, key: &KeyEvent) {
        let Some(unlock) = self.unlock.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.unlock = None,
            KeyCode::Enter if unlock.waiting.is_none() => {
                let password = unlock.input.value().to_string();
                unlock.input.reset();
                self.send(Request::Unlock { password });
            }
            _ => {
                unlock.input.handle_event(&Event::Key(*key));
                unlock.error = None;
            }
        }
    }

    pub(super) fn ask_to_unlock(&mut self) {
        if self.unlock.is_none() {
            self.unlock = Some(UnlockPrompt::default());
        }
    }

    /// Answers for the door. Returns false for slots that are not the door's.
    pub(super) fn handle_door_reply(
        &mut self,
        slot: Slot,
        generation: u64,
        result: Result<Answer, DataErrorText>,
    ) -> bool {
        match slot {
            Slot::Scan => {
                let Some(pending) = self.check_in.pending.as_mut() else {
                    return true;
                };
                if pending.generation != generation {
                    return true;
                }
                match result {
                    Ok(Answer::Scanned(outcome)) => {
                        self.check_in.scanned(outcome);
                        let request = self.check_in.status_request();
                        self.send(request);
                    }
                    // No answer from the database: the same scan (same key) goes again, so
                    // a scan that did go through is not reported as used on the retry.
                    Err(error) if error.unavailable => {
                        pending.retry_at = Some(Instant::now() + RETRY_AFTER);
                        self.check_in.message =
                            Some("no answer from the database; retrying…".into());
                    }
                    Err(error) => {
                        self.check_in.pending = None;
                        self.check_in.message = Some(error.message);
                    }
                    Ok(_) => self.check_in.pending = None,
                }
            }
            Slot::DoorStatus => {
                if self.check_in.waiting_status != Some(generation) {
                    return true;
                }
                self.check_in.waiting_status = None;
                match result {
                    Ok(Answer::DoorStatus { counters, recent }) => {
                        self.check_in.counters = counters;
                        self.check_in.recent = recent;
                    }
                    Err(error) => self.check_in.message = Some(error.message),
                    Ok(_) => {}
                }
            }
            Slot::Action => {
                if self.waiting_action != Some(generation) {
                    return true;
                }
                self.waiting_action = None;
                if !self.on_check_in() {
                    self.after_change(result);
                    return true;
                }
                match result {
                    Ok(Answer::Done(message)) => {
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
                    Ok(_) => {}
                }
            }
            Slot::Unlock => {
                let Some(unlock) = self.unlock.as_mut() else {
                    return true;
                };
                if unlock.waiting != Some(generation) {
                    return true;
                }
                unlock.waiting = None;
                match result {
                    Ok(Answer::Unlocked) => self.should_quit = true,
                    Err(_) => unlock.error = Some("wrong password".into()),
                    Ok(_) => {}
                }
            }
            _ => return false,
        }
        true
    }

    /// Sends again a scan whose retry is due.
    pub(super) fn retry_scans(&mut self, now: Instant) {
        if let Some(scan) = self.check_in.due_retry(now) {
            self.send(Request::Scan(scan));
        }
    }

    /// Someone changed rows in `tables`: refresh what is on screen (keeping the place), and
    /// note the other lists as stale. After a lost listener everything is refreshed.
    pub(super) fn changed(&mut self, tables: &[String], reconnected: bool) {
        let touches =
            |names: &[&str]| reconnected || tables.iter().any(|t| names.contains(&t.as_str()));
        if touches(&["tickets", "scans", "orders"])
            && self.screen == crate::app::Screen::Main
            && self.may_check_in()
        {
            let request = self.check_in.status_request();
            self.send(request);
        }
        if self.on_trash()
            && touches(&["events", "ticket_types", "orders", "tickets"])
            && !self.trash.loading
        {
            self.reload_trash();
        }
        let page_size = self.page_size;
        for index in 0..self.tabs.len() {
            let affected = match self.tabs[index].kind {
                crate::db::model::EntityKind::Event => {
                    touches(&["events", "ticket_types", "users"])
                }
                crate::db::model::EntityKind::Order => touches(&["orders", "events", "users"]),
                crate::db::model::EntityKind::Ticket => {
                    touches(&["tickets", "orders", "ticket_types"])
                }
            };
            if !affected || !self.tabs[index].loaded_once() {
                continue;
            }
            if index == self.active_tab && self.prompt.is_none() && !self.tabs[index].loading {
                let requests = self.tabs[index].reload(page_size);
                self.send_all(requests);
                if let Some(detail) = self.tabs[index].detail_request() {
                    self.send(detail);
                }
            } else {
                self.tabs[index].stale = true;
            }
        }
    }
}
