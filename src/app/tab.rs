//! The tabs: three paged lists, the Check-in screen, the Trash and the Dashboard. Each tab names its keys'
//! context, its filter language and its title, so no screen borrows another's.

use crate::app::commands::Context;
use crate::app::list_view::ListView;
use crate::db::model::EntityKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    List(EntityKind),
    CheckIn,
    Trash,
    Dashboard,
}

impl Tab {
    /// Every tab, in the order of the tab bar and of the number keys.
    pub const ALL: [Tab; 6] = [
        Tab::List(EntityKind::Event),
        Tab::List(EntityKind::Order),
        Tab::List(EntityKind::Ticket),
        Tab::CheckIn,
        Tab::Trash,
        Tab::Dashboard,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::List(EntityKind::Event) => "Events",
            Tab::List(EntityKind::Order) => "Orders",
            Tab::List(EntityKind::Ticket) => "Tickets",
            Tab::CheckIn => "Check-in",
            Tab::Trash => "Trash",
            Tab::Dashboard => "Dashboard",
        }
    }

    /// The tab's number key (1-based).
    pub fn number(self) -> usize {
        Tab::ALL
            .iter()
            .position(|tab| *tab == self)
            .map_or(0, |i| i + 1)
    }

    /// Where its keys are looked up.
    pub fn context(self) -> Context {
        match self {
            Tab::List(_) => Context::List,
            Tab::CheckIn => Context::CheckIn,
            Tab::Trash => Context::Trash,
            Tab::Dashboard => Context::Dashboard,
        }
    }
}

/// The three list tabs' views, one per kind of row.
#[derive(Debug, Clone)]
pub struct Lists {
    events: ListView,
    orders: ListView,
    tickets: ListView,
}

impl Default for Lists {
    fn default() -> Self {
        Self {
            events: ListView::new(EntityKind::Event),
            orders: ListView::new(EntityKind::Order),
            tickets: ListView::new(EntityKind::Ticket),
        }
    }
}

impl Lists {
    pub fn get(&self, kind: EntityKind) -> &ListView {
        match kind {
            EntityKind::Event => &self.events,
            EntityKind::Order => &self.orders,
            EntityKind::Ticket => &self.tickets,
        }
    }

    pub fn get_mut(&mut self, kind: EntityKind) -> &mut ListView {
        match kind {
            EntityKind::Event => &mut self.events,
            EntityKind::Order => &mut self.orders,
            EntityKind::Ticket => &mut self.tickets,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &ListView> {
        [&self.events, &self.orders, &self.tickets].into_iter()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut ListView> {
        [&mut self.events, &mut self.orders, &mut self.tickets].into_iter()
    }
}
