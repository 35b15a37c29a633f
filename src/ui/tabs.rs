//! The tab bar.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::app::App;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [tabs_area, name_area] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(10)]).areas(area);
    let tabs = app.tab_titles();
    let selected = tabs.iter().position(|(index, _)| *index == app.active_tab);
    let titles = tabs.iter().map(|(index, name)| match app.kiosk {
        Some(_) => Line::from(format!("{name} · kiosk")),
        None => Line::from(format!("{} {name}", index + 1)),
    });
    let tabs = Tabs::new(titles)
        .select(selected)
        .highlight_style(theme.active_tab())
        .divider("│");
    frame.render_widget(tabs, tabs_area);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled("boxoffice", theme.title()))).right_aligned(),
        name_area,
    );
}
