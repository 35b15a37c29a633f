//! Progress of a long operator command on stderr: a bar with the current step and an estimate
//! when stderr is a terminal, one plain line per step when it is not (logs, CI, pipes).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::db::progress::{Progress, Step};

/// A `Progress` that shows itself on stderr, its lines prefixed with `command`.
pub fn on_stderr(command: &'static str) -> Progress<'static> {
    let started = Instant::now();
    if !std::io::stderr().is_terminal() {
        return Progress::new(move |step: &Step| {
            if step.is_finished() {
                eprintln!("{command}: done in {:.1}s", started.elapsed().as_secs_f64());
            } else {
                eprintln!(
                    "{command}: step {}/{}: {} ({:.1}s so far)",
                    step.number,
                    step.count,
                    step.what,
                    started.elapsed().as_secs_f64()
                );
            }
        });
    }
    let bar = ProgressBar::new(1);
    let style = ProgressStyle::with_template(
        "{spinner} {prefix} [{bar:24}] {percent:>3}%  {elapsed_precise} so far, about {eta} left\n  {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(command);
    bar.enable_steady_tick(Duration::from_millis(200));
    Progress::new(move |step: &Step| {
        if step.is_finished() {
            bar.finish_and_clear();
            eprintln!("{command}: done in {:.1}s", started.elapsed().as_secs_f64());
        } else {
            bar.set_length(step.total.max(1));
            bar.set_position(step.done);
            bar.set_message(format!(
                "step {}/{}: {}",
                step.number, step.count, step.what
            ));
        }
    })
}
