//! Who may write what (DESIGN.md "Roles"): the checks writes make inside their transaction,
//! on the rows as they are now (a key hidden in the UI is not enforcement).

use sqlx::{PgConnection, PgPool};

use crate::db::auth::{Actor, Role};
use crate::error::DataError;

/// The signed-in user as the database knows them now: a role changed or an account removed
/// since sign-in takes effect on the next request, not the next sign-in.
pub async fn current_actor(pool: &PgPool, actor: &Actor) -> Result<Actor, DataError> {
    let now: Option<(String, String, Role)> =
        sqlx::query_as("SELECT email, name, role FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(actor.id)
            .fetch_optional(pool)
            .await?;
    match now {
        Some((email, name, role)) => Ok(Actor {
            id: actor.id,
            email,
            name,
            role,
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
    if !matches!(actor.role, Role::Admin | Role::Organizer) {
        return Err(DataError::Refused(format!(
            "a {} account cannot create or change events",
            actor.role.label()
        )));
    }
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
    if !matches!(actor.role, Role::Admin | Role::Support | Role::Organizer) {
        return Err(DataError::Refused(format!(
            "a {} account cannot sell or change orders",
            actor.role.label()
        )));
    }
    let organizer = live_event_organizer(conn, event_id).await?;
    if actor.role == Role::Organizer && organizer != actor.id {
        return Err(DataError::Refused(
            "you can only manage orders of your own events".into(),
        ));
    }
    Ok(())
}
