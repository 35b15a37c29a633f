//! Drawing: a pure function of the app state. Each screen and pane has its own module.

mod check_in;
mod detail;
mod filter_prompt;
mod form;
mod format;
mod help;
pub mod layout;
mod picker;
mod sign_in;
mod status_bar;
mod table;
mod tabs;
pub mod theme;
mod trash;

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{App, Screen};
use theme::Theme;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = Theme {
        no_color: app.no_color,
    };
    if !layout::fits(area) {
        let message = format!(
            "boxoffice needs a terminal of at least {}x{}; this one is {}x{}. Make it bigger, or press Ctrl-c to quit.",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT,
            area.width,
            area.height
        );
        let text = Paragraph::new(Line::from(message))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        frame.render_widget(text, area);
        return;
    }
    match app.screen {
        Screen::SignIn => sign_in::draw(frame, area, app, &theme),
        Screen::Main => {
            let areas = layout::main_areas(area);
            tabs::draw(frame, areas.tabs, app, &theme);
            if app.on_check_in() {
                check_in::draw(frame, areas.table.union(areas.detail), app, &theme);
            } else if app.on_trash() {
                trash::draw(frame, areas.table.union(areas.detail), app, &theme);
            } else if app.detail_zoomed {
                let body = areas.table.union(areas.detail);
                detail::draw(frame, body, app, &theme);
            } else {
                table::draw(frame, areas.table, app, &theme);
                detail::draw(frame, areas.detail, app, &theme);
            }
            status_bar::draw(frame, areas.status, app, &theme);
            if let Some(prompt) = &app.prompt {
                filter_prompt::draw(frame, areas.table, prompt, app, &theme);
            }
            if let Some(picker) = &app.picker {
                picker::draw(frame, area, picker, &theme);
            }
            if let Some(form) = &app.form {
                form::draw(frame, area, form, &theme);
            }
            if let Some(confirm) = &app.confirm {
                trash::draw_confirm(frame, area, confirm, &theme);
            }
            if app.help_open {
                help::draw(frame, area, app, &theme);
            }
        }
    }
}
