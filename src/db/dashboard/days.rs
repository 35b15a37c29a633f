//! The figures per day: tickets sold and money paid on each of the viewer's last days, and
//! the refunds of two of them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{Events, EventsAre};
use crate::error::DataError;
use crate::money::Sums;
use crate::zone::Tz;

/// `SELECT <the quarter hour of created_at> AS quarter, `, the rest to be pushed by the
/// caller. Every zone's offset, and every change of it, falls on a quarter hour, so each
/// quarter hour lies within one local day: the database only rounds each row's time down
/// (arithmetic), and `by_local_day` puts the quarters on the viewer's days, daylight saving
/// included. Asking PostgreSQL for each row's local date instead looked the zone up for every
/// row: a third of the organizer's dashboard's slowest figure.
fn select_quarter_hour(created_at: &'static str) -> QueryBuilder<Postgres> {
    let mut query = QueryBuilder::new("SELECT date_bin('15 minutes', ");
    query
        .push(created_at)
        .push(", TIMESTAMPTZ '2000-01-01 00:00:00+00') AS quarter, ");
    query
}

/// Adds up quarter-hour figures by the local day of `offset` they fall in, oldest day first.
fn by_local_day(quarters: Vec<(DateTime<Utc>, i64)>, offset: Tz) -> Vec<(NaiveDate, i64)> {
    let mut days = std::collections::BTreeMap::<NaiveDate, i64>::new();
    for (quarter, figure) in quarters {
        *days
            .entry(quarter.with_timezone(&offset).date_naive())
            .or_default() += figure;
    }
    days.into_iter().collect()
}

/// Whose sales the chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SalesOf {
    Event(i64),
    Organizer(i64),
    Everything,
}

/// Tickets sold or held (not cancelled) per local day since `from`, by their own creation
/// time: one event's (its types' few, found first) and everyone's from the tickets' index on
/// type and time; an organizer's from the sums per organizer and quarter hour and the
/// changes not yet added to them (migration 0027), read in one statement so that a roll-up
/// between two reads cannot count a change twice or miss it. (Everyone's from the sums
/// would read a thousand organizers' quarter hours: no faster than the tickets.)
pub(super) async fn tickets_per_day(
    pool: &PgPool,
    of: SalesOf,
    from: DateTime<Utc>,
    offset: Tz,
) -> Result<Vec<(NaiveDate, i64)>, DataError> {
    if let SalesOf::Organizer(organizer) = of {
        let quarters = sqlx::query_as(
            "SELECT quarter, sum(tickets)::bigint FROM ( \
             SELECT quarter, tickets FROM organizer_ticket_sales \
             WHERE organizer_id = $1 AND quarter >= $2 \
             UNION ALL SELECT c.quarter, c.tickets FROM ticket_sales_changes c \
             JOIN ticket_types tt ON tt.id = c.ticket_type_id \
             JOIN events e ON e.id = tt.event_id WHERE e.organizer_id = $1 AND c.quarter >= $2 \
             ) AS counted GROUP BY 1",
        )
        .bind(organizer)
        .bind(from)
        .fetch_all(pool)
        .await?;
        return Ok(by_local_day(quarters, offset));
    }
    let mut query = select_quarter_hour("t.created_at");
    query
        .push("count(*) FROM tickets t WHERE t.deleted_at IS NULL AND t.status <> 'cancelled' AND t.created_at >= ")
        .push_bind(from);
    if let SalesOf::Event(event) = of {
        query
            .push(
                " AND t.ticket_type_id = ANY(ARRAY(SELECT id FROM ticket_types \
                 WHERE deleted_at IS NULL AND event_id = ",
            )
            .push_bind(event)
            .push("))");
    }
    query.push(" GROUP BY 1");
    Ok(by_local_day(
        query.build_query_as().fetch_all(pool).await?,
        offset,
    ))
}

/// Adds the noted changes of tickets and orders up per organizer (migration 0027), unless
/// another process is doing it; returns the sums changed.
pub async fn roll_up_sales(pool: &PgPool) -> Result<i64, DataError> {
    Ok(sqlx::query_scalar("SELECT roll_up_sales()")
        .fetch_one(pool)
        .await?)
}

/// Totals of the paid orders placed per local day since `from`, per currency: an organizer's
/// from the totals per organizer and the changes not yet added to them (migration 0027, one
/// statement as for the tickets); one event's and everyone's from the orders' index on event
/// and time, one query for each currency the events sell in (almost always one).
pub(super) async fn revenue_per_day(
    pool: &PgPool,
    of: SalesOf,
    events: &Events,
    from: DateTime<Utc>,
    offset: Tz,
) -> Result<Vec<(NaiveDate, String, i64)>, DataError> {
    if let SalesOf::Organizer(organizer) = of {
        let quarters: Vec<(DateTime<Utc>, String, i64)> = sqlx::query_as(
            "SELECT quarter, currency, sum(cents)::bigint FROM ( \
             SELECT quarter, currency, cents FROM organizer_revenue \
             WHERE organizer_id = $1 AND quarter >= $2 \
             UNION ALL SELECT c.quarter, e.currency, c.cents FROM order_revenue_changes c \
             JOIN events e ON e.id = c.event_id WHERE e.organizer_id = $1 AND c.quarter >= $2 \
             ) AS paid GROUP BY 1, 2",
        )
        .bind(organizer)
        .bind(from)
        .fetch_all(pool)
        .await?;
        let mut by_currency = std::collections::BTreeMap::<String, Vec<_>>::new();
        for (quarter, currency, cents) in quarters {
            by_currency
                .entry(currency)
                .or_default()
                .push((quarter, cents));
        }
        return Ok(by_currency
            .into_iter()
            .flat_map(|(currency, quarters)| {
                by_local_day(quarters, offset)
                    .into_iter()
                    .map(move |(day, cents)| (day, currency.clone(), cents))
            })
            .collect());
    }
    let mut per_day = Vec::new();
    for group in &events.by_currency {
        let mut query = select_quarter_hour("o.created_at");
        query
            .push("sum(o.total_cents)::bigint FROM orders o WHERE o.deleted_at IS NULL AND o.status = 'paid' AND o.created_at >= ")
            .push_bind(from);
        group.push_filter(&mut query, "o.event_id", EventsAre::IndexKey);
        query.push(" GROUP BY 1");
        let days = by_local_day(query.build_query_as().fetch_all(pool).await?, offset);
        per_day.extend(
            days.into_iter()
                .map(|(day, cents)| (day, group.currency.clone(), cents)),
        );
    }
    Ok(per_day)
}

/// The orders refunded on each of two days (by their last change) and their totals per
/// currency: one range of the refunds' time index each, per currency.
pub(super) async fn refunds(
    pool: &PgPool,
    events: &Events,
    days: [NaiveDate; 2],
    offset: Tz,
) -> Result<[(i64, Sums); 2], DataError> {
    let mut figures: [(i64, Sums); 2] = Default::default();
    for group in &events.by_currency {
        let [first, second] = days.map(|day| {
            let mut query = QueryBuilder::new(
                "SELECT count(*), coalesce(sum(o.total_cents), 0)::bigint FROM orders o \
                 WHERE o.deleted_at IS NULL AND o.status = 'refunded' AND o.updated_at >= ",
            );
            query
                .push_bind(crate::zone::start_of_day(day, offset))
                .push(" AND o.updated_at < ")
                .push_bind(crate::zone::start_of_day(day + Duration::days(1), offset));
            group.push_filter(&mut query, "o.event_id", EventsAre::Checked);
            query
        });
        let (mut first, mut second) = (first, second);
        let found: ((i64, i64), (i64, i64)) = tokio::try_join!(
            first.build_query_as().fetch_one(pool),
            second.build_query_as().fetch_one(pool)
        )?;
        for (figure, (count, cents)) in figures.iter_mut().zip([found.0, found.1]) {
            figure.0 += count;
            figure.1.add(&group.currency, cents);
        }
    }
    Ok(figures)
}
