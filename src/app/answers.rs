//! How the app takes the data task's answers: each is checked against the in-flight table
//! (an answer its slot no longer waits for is dropped), then handed to its screen.

use crate::app::tab::Tab;
use crate::app::{App, DatabaseState, Screen};
use crate::data_task::{DataEvent, Outcome, Reply};
use crate::db::auth::{Actor, Role};
use crate::db::listing::Page;
use crate::db::model::EntityKind;
use crate::db::replica::ReplicaHealth;

impl App {
    pub(super) fn handle_data(&mut self, event: DataEvent) {
        match event {
            DataEvent::Progress(step) => self.database.state = DatabaseState::Connecting(step),
            DataEvent::Connected { label, built_in } => {
                self.database.state = DatabaseState::Ready;
                self.database.label = label;
                self.database.built_in = built_in;
            }
            DataEvent::ConnectFailed(message) => {
                self.database.state = DatabaseState::Failed(message)
            }
            DataEvent::Changed {
                tables,
                reconnected,
            } => self.changed(&tables, reconnected),
            DataEvent::Replica(health) => self.replica_health(health),
            DataEvent::ExportProgress { generation, rows } => {
                self.export_progressed(generation, rows)
            }
            DataEvent::Reply { generation, reply } => self.handle_reply(generation, reply),
        }
    }

    /// The replica went away or came back: said once, in words; the status bar keeps saying
    /// it while it lasts.
    fn replica_health(&mut self, health: ReplicaHealth) {
        let before = self.database.replica.replace(health.clone());
        match health {
            ReplicaHealth::InUse if before.is_some() => {
                self.flash_info("the read replica answers again: lists are read from it")
            }
            ReplicaHealth::Away(why) => self.flash_error(format!(
                "{why}: lists are read from the primary until it recovers (by itself)"
            )),
            ReplicaHealth::InUse | ReplicaHealth::Starting => {}
        }
    }

    fn handle_reply(&mut self, generation: u64, reply: Reply) {
        match reply.error() {
            Some(error) if error.unavailable => {
                if self.unreachable_since.is_none() {
                    self.unreachable_since = Some(self.now());
                    self.flash_error(error.message.clone());
                }
            }
            Some(_) => {}
            None => {
                if self.unreachable_since.take().is_some() {
                    self.flash_info("the database is back");
                }
            }
        }
        if !self.in_flight.finish(reply.slot(), generation) {
            return;
        }
        match reply {
            Reply::SignIn(Ok(actor)) => self.signed_in(actor),
            Reply::SignIn(Err(error)) => self.sign_in.refused(error.message),
            Reply::Page(kind, result) => self.page_arrived(kind, result),
            Reply::Count(kind, result) => self.lists.get_mut(kind).apply_count(result),
            Reply::Detail(kind, result) => self.lists.get_mut(kind).apply_detail(result),
            Reply::Scan(result) => self.scanned(result),
            Reply::DoorStatus(result) => self.door_status_arrived(result),
            Reply::Action(result) if self.tab == Tab::CheckIn => self.door_action_done(result),
            Reply::Action(result) => self.after_change(result),
            Reply::Unlock(result) => self.unlock_answered(result),
            Reply::Trash(result) => self.trash_listed(result),
            Reply::Form(result) => self.form_loaded(result),
            Reply::Save(result) => self.save_answered(result),
            Reply::Picker(result) => self.pick_list_arrived(result),
            Reply::Dashboard(result) => self.dashboard_arrived(result),
            Reply::Export(result) => self.export_ended(result),
        }
    }

    /// A page arrived: shown, then the page keys pressed meanwhile are played on, or else the
    /// selected row's detail is fetched.
    fn page_arrived(&mut self, kind: EntityKind, result: Outcome<Page>) {
        let page_rows = self.size.page_rows;
        let view = self.lists.get_mut(kind);
        let changed = view.apply_page(result);
        let queued = std::mem::take(&mut view.queued_pages);
        let next = match queued {
            0 => None,
            n if n > 0 => view.next_page(page_rows),
            _ => view.previous_page(page_rows, false),
        };
        if let Some(next) = next {
            view.queued_pages = queued - queued.signum();
            self.send(next);
        } else if changed && let Some(request) = view.detail_request() {
            self.send(request);
        }
    }

    /// Opens the app for `actor`: after a sign-in, or for an SSH session its key signed in.
    pub fn signed_in(&mut self, actor: Actor) {
        // Their own zone, if they chose one, for every time that is no event's.
        if let Some(zone) = actor
            .time_zone
            .as_deref()
            .and_then(|name| crate::zone::parse_zone(name).ok())
        {
            self.viewer_zone = zone;
        }
        self.sign_in.password.reset();
        self.flash_info(format!(
            "signed in as {} ({})",
            actor.name,
            actor.role.label()
        ));
        let door_only = actor.role == Role::Staff;
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
            self.switch_tab(Tab::CheckIn);
        } else {
            self.tab = Tab::List(EntityKind::Event);
            self.switch_tab(self.tab);
        }
    }
}
