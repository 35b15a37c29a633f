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
    let tabs = app.tabs();
    let selected = tabs.iter().position(|tab| *tab == app.tab);
    let titles = tabs.iter().map(|tab| match app.kiosk {
        Some(_) => Line::from(format!("{} · kiosk", tab.title())),
        None => Line::from(format!("{} {}", tab.number(), tab.title())),
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
