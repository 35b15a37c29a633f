//! The Check-in screen's state: the code field, the scan in flight (retried with the same key
//! until it is answered), the last result, the event's counters and the last scans.

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::data_task::Request;
use crate::db::check_in::{EventCounters, RecentScan, Scan, ScanOutcome};
use crate::db::model::ScanResult;

/// Longest code the field takes; a scanner that runs on is cut here.
const MAX_CODE_CHARS: usize = 64;
/// How long to wait before sending a scan again when the database did not answer.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct PendingScan {
    pub scan: Scan,
    /// Set when the last attempt failed for want of a database: when to try again.
    pub retry_at: Option<Instant>,
}

#[derive(Debug, Clone)]
pub struct CheckInView {
    pub input: Input,
    pub terminal: String,
    /// The event this door admits to (kiosk `--event`); None admits to any.
    pub locked_event: Option<i64>,
    /// The event the counters are for: the locked one, or that of the last ticket scanned.
    pub counters_event: Option<i64>,
    pub last: Option<ScanOutcome>,
    pub pending: Option<PendingScan>,
    pub counters: Option<EventCounters>,
    pub recent: Vec<RecentScan>,
    pub message: Option<String>,
    serial: u64,
    run_id: String,
}

impl CheckInView {
    pub fn new(terminal: String, locked_event: Option<i64>) -> Self {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        Self {
            input: Input::default(),
            terminal,
            locked_event,
            counters_event: locked_event,
            last: None,
            pending: None,
            counters: None,
            recent: Vec::new(),
            message: None,
            serial: 0,
            // Scan keys are unique per terminal and run: pid and start time name the run.
            run_id: format!("{}-{started}", std::process::id()),
        }
    }

    /// Types into the code field. Returns false for keys the field does not take.
    pub fn type_key(&mut self, key: &KeyEvent) -> bool {
        let takes = match key.code {
            KeyCode::Char(c) => {
                !key.modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && (c.is_alphanumeric() || c == '-' || c == ' ')
            }
            KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Home
            | KeyCode::End => true,
            _ => false,
        };
        if takes
            && (self.input.value().chars().count() < MAX_CODE_CHARS
                || !matches!(key.code, KeyCode::Char(_)))
        {
            self.input.handle_event(&Event::Key(*key));
        }
        takes
    }

    /// The scan of what the field holds, now pending, or None (empty field, or a scan still
    /// in flight).
    pub fn take_scan(&mut self) -> Option<Scan> {
        let code = self.input.value().trim().to_string();
        if code.is_empty() {
            self.message = Some("scan or type a ticket code".into());
            return None;
        }
        if self.pending.is_some() {
            self.message = Some("still checking the last code…".into());
            return None;
        }
        self.input.reset();
        self.message = None;
        self.serial += 1;
        let scan = Scan {
            code,
            terminal: self.terminal.clone(),
            event_id: self.locked_event,
            scan_key: format!("{}-{}", self.run_id, self.serial),
        };
        self.pending = Some(PendingScan {
            scan: scan.clone(),
            retry_at: None,
        });
        Some(scan)
    }

    pub fn status_request(&self) -> Request {
        Request::DoorStatus {
            event_id: self.counters_event,
            terminal: self.terminal.clone(),
        }
    }

    /// The scan to send again, when its retry is due.
    pub fn due_retry(&mut self, now: Instant) -> Option<Scan> {
        let pending = self.pending.as_mut()?;
        if pending.retry_at.is_some_and(|at| at <= now) {
            pending.retry_at = None;
            return Some(pending.scan.clone());
        }
        None
    }

    pub fn scanned(&mut self, outcome: ScanOutcome) {
        self.pending = None;
        // The counters follow the event people are being let into.
        let at_the_door = matches!(
            outcome.result,
            ScanResult::Admitted | ScanResult::AlreadyUsed
        );
        if self.locked_event.is_none() && at_the_door && outcome.event_id.is_some() {
            self.counters_event = outcome.event_id;
        }
        self.last = Some(outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn the_field_takes_code_characters_only() {
        let mut view = CheckInView::new("door-1".into(), None);
        for c in "q25nt-jmqsx".chars() {
            assert!(view.type_key(&press(c)));
        }
        assert!(!view.type_key(&press('?')), "help stays a command");
        assert!(!view.type_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        let scan = view.take_scan().expect("a scan");
        assert_eq!(scan.code, "q25nt-jmqsx");
        assert_eq!(view.input.value(), "", "ready for the next code at once");
        let next = {
            view.pending = None;
            for c in "ABC".chars() {
                view.type_key(&press(c));
            }
            view.take_scan().expect("another scan")
        };
        assert_ne!(scan.scan_key, next.scan_key, "every scan has its own key");
    }

    #[test]
    fn a_runaway_scanner_is_cut_at_the_limit() {
        let mut view = CheckInView::new("door-1".into(), None);
        for _ in 0..10_000 {
            view.type_key(&press('A'));
        }
        assert_eq!(view.input.value().chars().count(), MAX_CODE_CHARS);
    }
}
