//! Colours and emphasis. With NO_COLOR set, only bold, reverse and underline are used, and
//! every state also carries a word or symbol, so nothing rests on colour alone.

use ratatui::style::{Color, Modifier, Style};

use crate::db::model::{OrderStatus, TicketStatus};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub no_color: bool,
}

impl Theme {
    fn color(&self, color: Color) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(color)
        }
    }

    pub fn title(&self) -> Style {
        self.color(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn header(&self) -> Style {
        self.color(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        }
    }

    pub fn dim(&self) -> Style {
        self.color(Color::DarkGray)
    }

    pub fn error(&self) -> Style {
        self.color(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn info(&self) -> Style {
        self.color(Color::Green)
    }

    pub fn active_tab(&self) -> Style {
        self.color(Color::Cyan)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn status_bar(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().bg(Color::DarkGray).fg(Color::White)
        }
    }

    pub fn order_status(&self, status: OrderStatus) -> Style {
        match status {
            OrderStatus::Paid => self.color(Color::Green),
            OrderStatus::Pending => self.color(Color::Yellow),
            OrderStatus::Cancelled => self.color(Color::DarkGray),
            OrderStatus::Refunded => self.color(Color::Magenta),
        }
    }

    pub fn ticket_status(&self, status: TicketStatus) -> Style {
        match status {
            TicketStatus::Valid => self.color(Color::Green),
            TicketStatus::CheckedIn => self.color(Color::Cyan),
            TicketStatus::Cancelled => self.color(Color::DarkGray),
        }
    }
}
