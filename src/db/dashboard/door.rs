//! The door's figures on the dashboard: admitted against expected, admissions per minute
//! per door, the last scans.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{DOOR_MINUTES, Door, DoorMinutes, LAST_SCANS, push_organizer};
use crate::error::DataError;
use crate::zone::Tz;

pub(super) async fn door(
    pool: &PgPool,
    event_id: Option<i64>,
    organizer: Option<i64>,
    now: DateTime<Utc>,
    today: NaiveDate,
    offset: Tz,
) -> Result<Door, DataError> {
    // The gauge: the event shown, or the scope's events starting today.
    let door_events: Vec<i64> = match event_id {
        Some(id) => vec![id],
        None => {
            let mut query = QueryBuilder::new(
                "SELECT id FROM events WHERE deleted_at IS NULL AND starts_at >= ",
            );
            query
                .push_bind(crate::zone::start_of_day(today, offset))
                .push(" AND starts_at < ")
                .push_bind(crate::zone::start_of_day(today + Duration::days(1), offset));
            push_organizer(&mut query, organizer);
            query.build_query_scalar().fetch_all(pool).await?
        }
    };
    let (checked_in, expected): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE t.status = 'checked_in'), \
                count(*) FILTER (WHERE t.status <> 'cancelled' AND o.status = 'paid') \
         FROM orders o JOIN tickets t ON t.order_id = o.id AND t.deleted_at IS NULL \
         WHERE o.deleted_at IS NULL AND o.event_id = ANY($1)",
    )
    .bind(&door_events)
    .fetch_one(pool)
    .await?;
    let hour_ago = now - Duration::minutes(DOOR_MINUTES as i64);
    let mut query = QueryBuilder::new("SELECT s.terminal, floor(extract(epoch FROM s.at - ");
    query
        .push_bind(hour_ago)
        .push(") / 60)::int AS minute, count(*) FROM scans s");
    push_door_tickets(&mut query, &door_events);
    query
        .push(" AND s.result = 'admitted' AND s.at >= ")
        .push_bind(hour_ago)
        .push(" AND s.at <= ")
        .push_bind(now)
        .push(" GROUP BY 1, 2 ORDER BY 1, 2");
    let minutes: Vec<(String, i32, i64)> = query.build_query_as().fetch_all(pool).await?;
    let mut per_door: Vec<DoorMinutes> = Vec::new();
    for (terminal, minute, count) in minutes {
        if per_door.last().is_none_or(|d| d.terminal != terminal) {
            per_door.push(DoorMinutes {
                terminal: terminal.clone(),
                per_minute: vec![0; DOOR_MINUTES],
            });
        }
        if let (Some(door), Ok(index)) = (per_door.last_mut(), usize::try_from(minute))
            && let Some(slot) = door.per_minute.get_mut(index.min(DOOR_MINUTES - 1))
        {
            *slot += u64::try_from(count).unwrap_or(0);
        }
    }
    let mut query = QueryBuilder::new("SELECT s.at, s.terminal, s.code, s.result FROM scans s");
    push_door_tickets(&mut query, &door_events);
    query
        .push(" AND s.at >= ")
        .push_bind(now - Duration::days(1))
        .push(" ORDER BY s.at DESC, s.id DESC LIMIT ")
        .push_bind(LAST_SCANS);
    let last_scans = query.build_query_as().fetch_all(pool).await?;
    Ok(Door {
        events: door_events.len() as i64,
        checked_in,
        expected,
        per_door,
        last_scans,
    })
}

/// ` WHERE <the scan is of a ticket of these events>`: read through the events' own tickets
/// (a few hundred each), never by walking every door's scans.
fn push_door_tickets(query: &mut QueryBuilder<Postgres>, events: &[i64]) {
    query
        .push(
            " WHERE s.ticket_id = ANY(ARRAY(SELECT t.id FROM orders o \
             JOIN tickets t ON t.order_id = o.id AND t.deleted_at IS NULL \
             WHERE o.deleted_at IS NULL AND o.event_id = ANY(",
        )
        .push_bind(events.to_vec())
        .push(")))");
}
