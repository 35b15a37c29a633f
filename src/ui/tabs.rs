//! The tab bar.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::app::{App, TABS};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [tabs_area, name_area] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(10)]).areas(area);
    let titles = TABS
        .iter()
        .enumerate()
        .map(|(i, (_, name))| Line::from(format!("{} {name}", i + 1)));
    let tabs = Tabs::new(titles)
        .select(app.active_tab)
        .highlight_style(theme.active_tab())
        .divider("│");
    frame.render_widget(tabs, tabs_area);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled("boxoffice", theme.title()))).right_aligned(),
        name_area,
    );
}
