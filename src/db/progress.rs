//! Progress of the long operator commands (`seed`, `migrate up`): a plan of steps, each with
//! an estimated cost, reported as each one starts, for a bar with an estimate on a terminal or
//! plain lines in a log.

/// Where a long command is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1-based number of the step starting now; `count + 1` once every step is done.
    pub number: usize,
    pub count: usize,
    pub what: String,
    /// Estimated cost of the steps done so far, and of all of them (the plan's own units).
    pub done: u64,
    pub total: u64,
}

impl Step {
    pub fn is_finished(&self) -> bool {
        self.number > self.count
    }
}

/// A plan of steps and the callback that hears about them.
pub struct Progress<'a> {
    report: Box<dyn FnMut(&Step) + Send + 'a>,
    plan: Vec<(String, u64)>,
    started: usize,
}

impl<'a> Progress<'a> {
    pub fn new(report: impl FnMut(&Step) + Send + 'a) -> Self {
        Self {
            report: Box::new(report),
            plan: Vec::new(),
            started: 0,
        }
    }

    /// Reports nothing (the app's own first-run set-up, tests).
    pub fn silent() -> Self {
        Self::new(|_| {})
    }

    /// Adds a step, with its estimated cost relative to the others, to the end of the plan.
    pub fn plan(&mut self, what: impl Into<String>, cost: u64) {
        self.plan.push((what.into(), cost.max(1)));
    }

    /// Reports that the next planned step starts (and so that the one before it is done).
    pub fn next_step(&mut self) {
        if self.started < self.plan.len() {
            self.started += 1;
            self.report_current();
        }
    }

    /// Reports that every step is done.
    pub fn finish(&mut self) {
        self.started = self.plan.len() + 1;
        self.report_current();
    }

    fn report_current(&mut self) {
        let total = self.plan.iter().map(|(_, cost)| cost).sum();
        let done = self
            .plan
            .iter()
            .take(self.started.saturating_sub(1))
            .map(|(_, cost)| cost)
            .sum();
        let what = self
            .plan
            .get(self.started.saturating_sub(1))
            .map_or_else(|| "done".to_string(), |(what, _)| what.clone());
        (self.report)(&Step {
            number: self.started,
            count: self.plan.len(),
            what,
            done,
            total,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_report_cost_done_before_them() {
        let mut seen = Vec::new();
        {
            let mut progress = Progress::new(|step: &Step| seen.push(step.clone()));
            progress.plan("orders", 3);
            progress.plan("tickets", 7);
            progress.next_step();
            progress.next_step();
            progress.finish();
        }
        let summary: Vec<_> = seen
            .iter()
            .map(|s| (s.number, s.what.as_str(), s.done, s.total, s.is_finished()))
            .collect();
        assert_eq!(
            summary,
            [
                (1, "orders", 0, 10, false),
                (2, "tickets", 3, 10, false),
                (3, "done", 10, 10, true)
            ]
        );
    }
}
