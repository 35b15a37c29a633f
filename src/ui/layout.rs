//! Where things go on the screen. The runner hands the app its page size from the same
//! arithmetic, so a page always fills the table exactly.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::Size;

/// Below this the app shows how big it needs to be instead of a cramped screen.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;
/// From this width on, the detail pane sits beside the table instead of under it.
const SIDE_BY_SIDE_FROM: u16 = 150;
const DETAIL_WIDTH: u16 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MainAreas {
    pub tabs: Rect,
    pub table: Rect,
    pub detail: Rect,
    pub status: Rect,
}

pub fn fits(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

pub fn main_areas(area: Rect) -> MainAreas {
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let [table, detail] = if body.width >= SIDE_BY_SIDE_FROM {
        Layout::horizontal([Constraint::Min(40), Constraint::Length(DETAIL_WIDTH)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(body)
    };
    MainAreas {
        tabs,
        table,
        detail,
        status,
    }
}

/// How many rows a page holds at this terminal size: the table less its borders and header.
pub fn table_rows(width: u16, height: u16) -> u16 {
    let areas = main_areas(Rect::new(
        0,
        0,
        width.max(MIN_WIDTH),
        height.max(MIN_HEIGHT),
    ));
    areas.table.height.saturating_sub(3).max(1)
}

/// The app's size at a terminal size, with as many rows per page as its table holds.
pub fn size(width: u16, height: u16) -> Size {
    Size {
        width,
        height,
        page_rows: table_rows(width, height),
    }
}

/// A centred box of at most `width` x `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}
