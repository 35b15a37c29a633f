//! Drawing: a pure function of the app state. Each screen and pane has its own module.

mod check_in;
mod dashboard;
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

use crate::app::overlay::Overlay;
use crate::app::tab::Tab;
use crate::app::{App, Screen};
use crate::data_task::Slot;
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
            let body = areas.table.union(areas.detail);
            match app.tab {
                Tab::CheckIn => check_in::draw(frame, body, app, &theme),
                Tab::Trash => trash::draw(frame, body, app, &theme),
                Tab::Dashboard => dashboard::draw(frame, body, app, &theme),
                Tab::List(kind) => {
                    let view = app.lists.get(kind);
                    if app.detail_zoomed {
                        detail::draw(frame, body, app, view, &theme);
                    } else {
                        table::draw(frame, areas.table, app, view, &theme);
                        detail::draw(frame, areas.detail, app, view, &theme);
                    }
                }
            }
            status_bar::draw(frame, areas.status, app, &theme);
            // Bottom first: the overlay on top (the one that takes the keys) is drawn last.
            for overlay in app.overlays.iter() {
                match overlay {
                    Overlay::Prompt(prompt) => {
                        filter_prompt::draw(frame, areas.table, prompt, app, &theme)
                    }
                    Overlay::Picker(picker) => picker::draw(
                        frame,
                        area,
                        picker,
                        app.is_waiting(Slot::Picker),
                        &app.keymap,
                        &theme,
                    ),
                    Overlay::Form(form) => form::draw(frame, area, form, &app.keymap, &theme),
                    Overlay::Confirm(confirm) => {
                        trash::draw_confirm(frame, area, confirm, &app.keymap, &theme)
                    }
                    Overlay::Unlock(unlock) => {
                        check_in::draw_unlock(frame, area, app, unlock, &theme)
                    }
                    Overlay::Help(help) => help::draw(frame, area, app, help, &theme),
                }
            }
        }
    }
}
