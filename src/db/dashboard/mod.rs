//! The dashboard's figures (DESIGN.md "Dashboard"): sales per day, today against the same day
//! last week, sold/capacity per ticket type, and the door, for everything a user may see or
//! for one event. Each figure is one query over an index (migration 0008), or for an
//! organizer's sales chart over the sums kept per organizer (migration 0027), so that one
//! event or an organizer's thousand answer within a few milliseconds. No figure waits for
//! another: the types are read by the per-type figure itself.

use crate::zone::Tz;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::db::auth::Actor;
use crate::db::model::ScanResult;
use crate::db::permissions::{DashboardScope, dashboard_scope};
use crate::error::DataError;
use crate::money::Sums;

mod days;
mod door;
mod types;

pub use days::roll_up_sales;
use days::{SalesOf, refunds, revenue_per_day, tickets_per_day};
use door::door;
use types::type_sales;

/// Days in the sales chart.
pub const DAYS: usize = 30;
/// Minutes in the door's admissions chart.
pub const DOOR_MINUTES: usize = 60;
const LAST_SCANS: i64 = 5;
const EVENTS_LISTED: i64 = 50;
/// Figures read at the same time by one dashboard (the refunds' two days count as one).
const AT_ONCE: usize = 4;

/// What the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The one event shown, or None for the whole scope.
    pub event: Option<EventHeading>,
    /// How many events the figures cover.
    pub event_count: i64,
    /// Oldest first, one per day, today last (days in the viewer's offset).
    pub days: Vec<DaySales>,
    pub today: DayFigures,
    pub same_day_last_week: DayFigures,
    pub ticket_types: Vec<TypeSales>,
    pub door: Door,
    /// The scope's events, the next ones first (empty for one event).
    pub events: Vec<EventSales>,
    /// The currencies the covered events sell in: money is shown in each, never added up
    /// across them.
    pub currencies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventHeading {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySales {
    pub day: NaiveDate,
    /// Tickets sold or held (not cancelled) that day.
    pub tickets: i64,
    /// Totals of the orders placed that day and paid, per currency.
    pub revenue: Sums,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub tickets: i64,
    pub revenue: Sums,
    pub refunds: i64,
    pub refunded: Sums,
}

/// One ticket type, or for a scope all types of one name and currency.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TypeSales {
    pub name: String,
    /// What `value_cents` is in.
    pub currency: String,
    pub sold: i64,
    pub capacity: i64,
    /// Sold (or held) tickets at today's price.
    pub value_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Door {
    /// The events the gauge counts: the one shown, or the scope's events starting today.
    pub events: i64,
    pub checked_in: i64,
    /// Tickets of paid orders that are not cancelled.
    pub expected: i64,
    /// Admissions to those events per minute over the last hour, per door, oldest first.
    pub per_door: Vec<DoorMinutes>,
    /// The last scans of those events' tickets in the last day.
    pub last_scans: Vec<LastScan>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorMinutes {
    pub terminal: String,
    pub per_minute: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LastScan {
    pub at: DateTime<Utc>,
    pub terminal: String,
    pub code: String,
    pub result: ScanResult,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventSales {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub sold: i64,
    pub capacity: i64,
}

/// The events the figures cover: one, the organizer's, or all (None), with the currency of
/// each, and split by currency for the money figures.
struct Events {
    ids: Option<Vec<i64>>,
    currencies: Option<Vec<String>>,
    by_currency: Vec<CurrencyGroup>,
}

/// The covered events that sell in one currency.
struct CurrencyGroup {
    currency: String,
    events: GroupEvents,
}

enum GroupEvents {
    /// Every event (all sell in this one currency): no condition at all.
    Every,
    Ids(Vec<i64>),
    /// Every event in this currency (everything, in several currencies).
    OfCurrency,
}

/// How a figure's rows are kept to a group's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventsAre {
    /// The key of the index read: `= ANY(ids)`, one descent of the index per event.
    IndexKey,
    /// Checked on rows found by something else (a day's refunds): a hashed set of the ids.
    /// `= ANY($ids)` there, in the generic plan of a prepared statement, compares each row with
    /// every id in turn: 8 ms for an organizer's 1,000 events against 0.5 ms.
    Checked,
}

impl CurrencyGroup {
    /// ` AND <column> is one of the group's events`.
    fn push_filter(
        &self,
        query: &mut QueryBuilder<Postgres>,
        column: &'static str,
        how: EventsAre,
    ) {
        match &self.events {
            GroupEvents::Every => {}
            GroupEvents::Ids(ids) => {
                let (open, close) = match how {
                    EventsAre::IndexKey => (" = ANY(", ")"),
                    EventsAre::Checked => (" IN (SELECT unnest(", "::bigint[]))"),
                };
                query
                    .push(" AND ")
                    .push(column)
                    .push(open)
                    .push_bind(ids.clone())
                    .push(close);
            }
            GroupEvents::OfCurrency => {
                query
                    .push(" AND ")
                    .push(column)
                    .push(" IN (SELECT id FROM events WHERE currency = ")
                    .push_bind(self.currency.clone())
                    .push(")");
            }
        }
    }
}

/// Event ids grouped by their currency.
fn groups_of(events: &[(i64, String)]) -> Vec<CurrencyGroup> {
    let mut by_currency: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
    for (id, currency) in events {
        by_currency.entry(currency).or_default().push(*id);
    }
    by_currency
        .into_iter()
        .map(|(currency, ids)| CurrencyGroup {
            currency: currency.to_string(),
            events: GroupEvents::Ids(ids),
        })
        .collect()
}

/// The dashboard of `event_id`, or of everything `actor` may see, at `now` with days in
/// `offset`.
pub async fn load(
    pool: &PgPool,
    actor: &Actor,
    event_id: Option<i64>,
    now: DateTime<Utc>,
    offset: Tz,
) -> Result<Dashboard, DataError> {
    let scope = dashboard_scope(actor.role).ok_or_else(|| {
        DataError::Refused(format!("a {} account has no dashboard", actor.role.label()))
    })?;
    let organizer = (scope == DashboardScope::OwnEvents).then_some(actor.id);
    let (event, covered) = match event_id {
        Some(id) => {
            let heading: EventHeading = sqlx::query_as(
                "SELECT id, title, starts_at, currency FROM events \
                 WHERE id = $1 AND deleted_at IS NULL AND ($2::bigint IS NULL OR organizer_id = $2)",
            )
            .bind(id)
            .bind(organizer)
            .fetch_optional(pool)
            .await?
            .ok_or(DataError::NotFound)?;
            let covered = vec![(id, heading.currency.clone())];
            (Some(heading), Some(covered))
        }
        None => match organizer {
            Some(organizer) => {
                let covered: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, currency FROM events WHERE organizer_id = $1 AND deleted_at IS NULL",
                )
                .bind(organizer)
                .fetch_all(pool)
                .await?;
                (None, Some(covered))
            }
            None => (None, None),
        },
    };
    let by_currency = match &covered {
        Some(covered) => groups_of(covered),
        None => {
            // Everything: orders of trashed events count too, so every event's currency.
            let currencies: Vec<String> =
                sqlx::query_scalar("SELECT DISTINCT currency FROM events ORDER BY 1")
                    .fetch_all(pool)
                    .await?;
            match currencies.as_slice() {
                [] => vec![CurrencyGroup {
                    currency: crate::money::default_currency().to_string(),
                    events: GroupEvents::Every,
                }],
                [only] => vec![CurrencyGroup {
                    currency: only.clone(),
                    events: GroupEvents::Every,
                }],
                several => several
                    .iter()
                    .map(|currency| CurrencyGroup {
                        currency: currency.clone(),
                        events: GroupEvents::OfCurrency,
                    })
                    .collect(),
            }
        }
    };
    let ids: Option<Vec<i64>> = covered
        .as_ref()
        .map(|covered| covered.iter().map(|(id, _)| *id).collect());
    let currencies: Option<Vec<String>> = covered.as_ref().map(|covered| {
        covered
            .iter()
            .map(|(_, currency)| currency.clone())
            .collect()
    });
    let sales_of = match (event_id, organizer) {
        (Some(event), _) => SalesOf::Event(event),
        (None, Some(organizer)) => SalesOf::Organizer(organizer),
        (None, None) => SalesOf::Everything,
    };
    let events = Events {
        ids,
        currencies,
        by_currency,
    };
    let today = now.with_timezone(&offset).date_naive();
    let first_day = today - Duration::days(DAYS as i64 - 1);
    let week_ago = today - Duration::days(7);
    let from = crate::zone::start_of_day(first_day, offset);
    // The figures are independent reads: run at once on the pool's connections, the
    // dashboard takes as long as its slowest one, not their sum. At most `AT_ONCE` at a time,
    // so that one dashboard leaves connections of the shared pool to everyone else.
    let gate = tokio::sync::Semaphore::new(AT_ONCE);
    let (
        event_count,
        tickets,
        revenue,
        [refunds_week_ago, refunds_today],
        ticket_types,
        door,
        listed,
    ) = tokio::try_join!(
        count_events(pool, &events),
        gated(&gate, tickets_per_day(pool, sales_of, from, offset)),
        gated(
            &gate,
            revenue_per_day(pool, sales_of, &events, from, offset)
        ),
        gated(&gate, refunds(pool, &events, [week_ago, today], offset)),
        gated(&gate, type_sales(pool, &events, event_id.is_some())),
        gated(&gate, door(pool, event_id, organizer, now, today, offset)),
        gated(&gate, async {
            if event_id.is_some() {
                Ok(Vec::new())
            } else {
                event_list(pool, organizer, now).await
            }
        }),
    )?;
    let chart = (0..DAYS as i64)
        .map(|i| {
            let day = first_day + Duration::days(i);
            let mut paid = Sums::default();
            for (_, currency, cents) in revenue.iter().filter(|(d, ..)| *d == day) {
                paid.add(currency, *cents);
            }
            DaySales {
                day,
                tickets: tickets
                    .iter()
                    .find(|(d, _)| *d == day)
                    .map_or(0, |(_, n)| *n),
                revenue: paid,
            }
        })
        .collect::<Vec<_>>();
    let figures = |day: NaiveDate, (refunds, refunded): (i64, Sums)| {
        let sales = chart.iter().find(|d| d.day == day);
        DayFigures {
            tickets: sales.map_or(0, |d| d.tickets),
            revenue: sales.map(|d| d.revenue.clone()).unwrap_or_default(),
            refunds,
            refunded,
        }
    };
    let currencies = events
        .by_currency
        .iter()
        .map(|group| group.currency.clone())
        .collect();
    Ok(Dashboard {
        event,
        event_count,
        currencies,
        today: figures(today, refunds_today),
        same_day_last_week: figures(week_ago, refunds_week_ago),
        days: chart,
        ticket_types,
        door,
        events: listed,
    })
}

/// Runs `figure` once `gate` has a turn free.
async fn gated<T>(
    gate: &tokio::sync::Semaphore,
    figure: impl std::future::Future<Output = Result<T, DataError>>,
) -> Result<T, DataError> {
    let _turn = gate
        .acquire()
        .await
        .map_err(|_| DataError::Unavailable("the dashboard's gate closed".into()))?;
    figure.await
}

async fn count_events(pool: &PgPool, events: &Events) -> Result<i64, DataError> {
    Ok(match &events.ids {
        Some(ids) => ids.len() as i64,
        None => {
            sqlx::query_scalar("SELECT count(*) FROM events WHERE deleted_at IS NULL")
                .fetch_one(pool)
                .await?
        }
    })
}

async fn event_list(
    pool: &PgPool,
    organizer: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<EventSales>, DataError> {
    // The events not over yet, the next first: tonight's stays on top during the show, and
    // yesterday's leaves when it ends. (Started within a day: the starts' index bounds the
    // read.)
    let mut query = QueryBuilder::new(
        "SELECT e.id, e.title, e.starts_at, \
                coalesce((SELECT sum(seats_sold(tt.id, tt.sold)) FROM ticket_types tt WHERE tt.event_id = e.id AND tt.deleted_at IS NULL), 0)::bigint AS sold, \
                coalesce((SELECT sum(quantity) FROM ticket_types tt WHERE tt.event_id = e.id AND tt.deleted_at IS NULL), 0)::bigint AS capacity \
         FROM events e WHERE e.deleted_at IS NULL AND e.starts_at >= ",
    );
    query
        .push_bind(now - Duration::days(1))
        .push(" AND e.ends_at > ")
        .push_bind(now);
    push_organizer(&mut query, organizer);
    query
        .push(" ORDER BY e.starts_at, e.id LIMIT ")
        .push_bind(EVENTS_LISTED);
    Ok(query.build_query_as().fetch_all(pool).await?)
}

/// ` AND organizer_id = <organizer>` for an organizer's own events (separate statements, so
/// that each is planned for its own index).
fn push_organizer(query: &mut QueryBuilder<Postgres>, organizer: Option<i64>) {
    if let Some(organizer) = organizer {
        query.push(" AND organizer_id = ").push_bind(organizer);
    }
}
