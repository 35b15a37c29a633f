//! The status bar: who is signed in, which database, loading state, row range, messages.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, DatabaseState, FlashKind};
use crate::db::replica::ReplicaHealth;
use crate::ui::format::printable;
use crate::ui::theme::Theme;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    frame.render_widget(Paragraph::new("").style(theme.status_bar()), area);
    let range = app
        .current_list()
        .map(|view| view.range_label())
        .unwrap_or_default();
    let [left, right] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(range.chars().count() as u16 + 2),
    ])
    .areas(area);
    let who = app
        .actor
        .as_ref()
        .map(|actor| format!(" {} ({})", actor.email, actor.role.label()))
        .unwrap_or_default();
    let database = if app.database.built_in {
        "built-in db".to_string()
    } else {
        app.database.label.clone()
    };
    // The message comes before the database name: on a narrow terminal the name is cut first;
    // and a message too long to fit beside who is signed in takes that place too.
    let flash_width = app.flash.as_ref().map_or(0, |f| f.text.chars().count());
    let who = if who.chars().count() + 3 + flash_width > left.width as usize {
        " ".to_string()
    } else {
        format!("{who} │ ")
    };
    let mut spans = vec![Span::raw(who)];
    match (&app.flash, &app.database.state) {
        (None, _) if app.unreachable_since.is_some() => {
            spans.push(Span::styled(
                "✗ database unreachable, retrying…",
                theme.error(),
            ));
        }
        (_, DatabaseState::Failed(error)) => {
            spans.push(Span::styled(printable(error), theme.error()));
        }
        (flash, _)
            if app.export.is_some() && flash.as_ref().is_none_or(|f| f.kind == FlashKind::Info) =>
        {
            if let Some(job) = &app.export {
                let what = if job.stopping {
                    "stopping the export…".to_string()
                } else {
                    format!(
                        "{} exporting: {} rows · {} rows/s · {} stops",
                        SPINNER[app.spinner % SPINNER.len()],
                        job.rows,
                        job.rows_per_second(app.now()),
                        app.keymap.hint(crate::app::commands::Command::Back)
                    )
                };
                spans.push(Span::styled(what, theme.info()));
            }
        }
        (Some(flash), _) => {
            let style = match flash.kind {
                FlashKind::Info => theme.info(),
                FlashKind::Error => theme.error(),
            };
            spans.push(Span::styled(printable(&flash.text), style));
        }
        (None, _) if app.is_loading() => {
            spans.push(Span::raw(format!(
                "{} loading",
                SPINNER[app.spinner % SPINNER.len()]
            )));
        }
        (None, _) => {
            let help = app
                .keymap
                .first_key_label(crate::app::commands::Command::Help)
                .unwrap_or_default();
            spans.push(Span::raw(format!("ready · {help} help")));
        }
    }
    spans.push(Span::raw(format!(" │ {database}")));
    match &app.database.replica {
        Some(ReplicaHealth::InUse) => spans.push(Span::raw(" + replica")),
        Some(ReplicaHealth::Away(_)) => spans.push(Span::styled(
            " · replica away: reading the primary",
            theme.error(),
        )),
        Some(ReplicaHealth::Starting) | None => {}
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.status_bar()),
        left,
    );
    frame.render_widget(
        Paragraph::new(format!("{range} "))
            .right_aligned()
            .style(theme.status_bar()),
        right,
    );
}
