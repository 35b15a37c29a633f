//! Who may write what (DESIGN.md "Roles"): the checks writes make inside their transaction,
//! on the rows as they are now (a key hidden in the UI is not enforcement).

use sqlx::{PgConnection, PgPool};

use crate::db::auth::{Actor, Role};
use crate::error::DataError;

/// What a role may do at all (DESIGN.md "Roles"). Which rows — an organizer's own events, a
/// customer's own pending order — is checked on the rows, in the write's transaction. The
/// screens ask the same table to refuse at the key press what the data layer would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Create, change and delete events and their ticket types.
    ManageEvents,
    /// Sell, mark paid / cancel / refund / reactivate, edit notes, delete orders and tickets.
    ManageOrders,
    /// Cancel an order (customers: their own pending ones).
    CancelOrder,
    Purge,
    ManageUsers,
}

impl Write {
    pub fn allowed(self, role: Role) -> bool {
        use Role::*;
        match self {
            Write::ManageEvents => matches!(role, Admin | Organizer),
            Write::ManageOrders => matches!(role, Admin | Organizer | Support),
            Write::CancelOrder => matches!(role, Admin | Organizer | Support | Customer),
            Write::Purge | Write::ManageUsers => role == Admin,
        }
    }

    /// "a staff account cannot …"
    pub fn refusal(self, role: Role) -> String {
        let what = match self {
            Write::ManageEvents => "create, change or delete events",
            Write::ManageOrders => "sell, change or delete orders",
            Write::CancelOrder => "change orders",
            Write::Purge => "purge the trash",
            Write::ManageUsers => "manage users",
        };
        format!("a {} account cannot {what}", role.label())
    }

    /// Ok, or the plain refusal.
    pub fn check(self, actor: &Actor) -> Result<(), DataError> {
        if self.allowed(actor.role) {
            Ok(())
        } else {
            Err(DataError::Refused(self.refusal(actor.role)))
        }
    }
}

/// Which tickets a role may check in (DESIGN.md "Roles"); None: no check-in at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckInScope {
    AnyEvent,
    /// An organizer: tickets of their own events.
    OwnEvents,
}

pub fn check_in_scope(role: Role) -> Option<CheckInScope> {
    match role {
        Role::Admin | Role::Staff => Some(CheckInScope::AnyEvent),
        Role::Organizer => Some(CheckInScope::OwnEvents),
        Role::Support | Role::Customer => None,
    }
}

/// Whose figures a role's dashboard shows (DESIGN.md "Dashboard"); None: no dashboard.
pub fn dashboard_scope(role: Role) -> Option<DashboardScope> {
    match role {
        Role::Admin | Role::Support => Some(DashboardScope::Everything),
        Role::Organizer => Some(DashboardScope::OwnEvents),
        Role::Staff | Role::Customer => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashboardScope {
    Everything,
    OwnEvents,
}

/// What a role sees and restores of the trash (DESIGN.md "Roles"); None: no trash at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrashScope {
    Everything,
    /// An organizer: what was deleted of their own events.
    OwnEvents,
    /// Support: deleted orders and tickets.
    OrdersAndTickets,
}

pub fn trash_scope(role: Role) -> Option<TrashScope> {
    match role {
        Role::Admin => Some(TrashScope::Everything),
        Role::Organizer => Some(TrashScope::OwnEvents),
        Role::Support => Some(TrashScope::OrdersAndTickets),
        Role::Staff | Role::Customer => None,
    }
}

/// The signed-in user as the database knows them now: a role changed or an account removed
/// since sign-in takes effect on the next request, not the next sign-in.
pub async fn current_actor(pool: &PgPool, actor: &Actor) -> Result<Actor, DataError> {
    let now: Option<(String, String, Role, Option<String>)> = sqlx::query_as(
        "SELECT email, name, role, time_zone FROM users WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(actor.id)
    .fetch_optional(pool)
    .await?;
    match now {
        Some((email, name, role, time_zone)) => Ok(Actor {
            id: actor.id,
            email,
            name,
            role,
            time_zone,
        }),
        None => Err(DataError::Refused(
            "this account no longer exists: quit and sign in with another".into(),
        )),
    }
}

/// The organizer of a live event. The row is key-share locked until the transaction ends, so
/// a delete of the event waits for this write, or this write sees the event gone.
async fn live_event_organizer(conn: &mut PgConnection, event_id: i64) -> Result<i64, DataError> {
    sqlx::query_scalar(
        "SELECT organizer_id FROM events WHERE id = $1 AND deleted_at IS NULL FOR KEY SHARE",
    )
    .bind(event_id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| {
        DataError::Refused("this event is not there any more (deleted meanwhile?)".into())
    })
}

/// Whether `actor` may create events (`event_id` None) or change, and add ticket types to,
/// a live event: admins any, organizers their own.
pub(crate) async fn may_manage_event(
    conn: &mut PgConnection,
    actor: &Actor,
    event_id: Option<i64>,
) -> Result<(), DataError> {
    Write::ManageEvents.check(actor)?;
    let Some(event_id) = event_id else {
        return Ok(());
    };
    let organizer = live_event_organizer(conn, event_id).await?;
    if actor.role == Role::Organizer && organizer != actor.id {
        return Err(DataError::Refused(
            "you can only change your own events".into(),
        ));
    }
    Ok(())
}

/// Whether `actor` may sell for, or change orders of, the live event `event_id`: admins and
/// support any, organizers their own.
pub(crate) async fn may_manage_orders(
    conn: &mut PgConnection,
    actor: &Actor,
    event_id: i64,
) -> Result<(), DataError> {
    Write::ManageOrders.check(actor)?;
    let organizer = live_event_organizer(conn, event_id).await?;
    if actor.role == Role::Organizer && organizer != actor.id {
        return Err(DataError::Refused(
            "you can only manage orders of your own events".into(),
        ));
    }
    Ok(())
}
