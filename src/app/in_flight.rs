//! One table of the requests in flight: for each slot, the generation of the newest request
//! sent. Answers are checked against it, so an answer to a request that has since been
//! superseded (or given up) is dropped in one place, for every screen alike.

use std::collections::HashMap;

use crate::data_task::Slot;

#[derive(Debug, Default, Clone)]
pub struct InFlight {
    last_generation: u64,
    waiting: HashMap<Slot, u64>,
}

impl InFlight {
    /// Notes a new request on `slot` and gives its generation (unique, increasing).
    pub fn start(&mut self, slot: Slot) -> u64 {
        self.last_generation += 1;
        self.waiting.insert(slot, self.last_generation);
        self.last_generation
    }

    /// Whether `generation` is the request its slot waits for (a progress report of it).
    pub fn is_current(&self, slot: Slot, generation: u64) -> bool {
        self.waiting.get(&slot) == Some(&generation)
    }

    /// Whether an answer is the one its slot waits for; if so the slot waits no more.
    pub fn finish(&mut self, slot: Slot, generation: u64) -> bool {
        if self.waiting.get(&slot) == Some(&generation) {
            self.waiting.remove(&slot);
            true
        } else {
            false
        }
    }

    pub fn is_waiting(&self, slot: Slot) -> bool {
        self.waiting.contains_key(&slot)
    }

    /// Stops waiting on `slot`: its answer, when it comes, is dropped.
    pub fn forget(&mut self, slot: Slot) {
        self.waiting.remove(&slot);
    }

    /// The generation of the newest request sent so far (0 before any).
    pub fn last_generation(&self) -> u64 {
        self.last_generation
    }

    /// Whether an answer to a request newer than `generation` is still awaited.
    pub fn waits_after(&self, generation: u64) -> bool {
        self.waiting.values().any(|&waited| waited > generation)
    }

    /// How many slots wait for an answer.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::model::EntityKind;

    #[test]
    fn only_the_newest_request_of_a_slot_is_answered() {
        let mut in_flight = InFlight::default();
        let page = Slot::Page(EntityKind::Order);
        let first = in_flight.start(page);
        let second = in_flight.start(page);
        let count = in_flight.start(Slot::Count(EntityKind::Order));
        assert!(first < second && second < count, "generations increase");
        assert!(!in_flight.finish(page, first), "superseded");
        assert!(in_flight.finish(page, second));
        assert!(!in_flight.finish(page, second), "answered once");
        assert!(in_flight.is_waiting(Slot::Count(EntityKind::Order)));
        assert!(
            in_flight.waits_after(second),
            "the count is newer than the page"
        );
        assert!(!in_flight.waits_after(count));
        in_flight.forget(Slot::Count(EntityKind::Order));
        assert!(!in_flight.finish(Slot::Count(EntityKind::Order), count));
        assert!(in_flight.is_empty());
    }
}
