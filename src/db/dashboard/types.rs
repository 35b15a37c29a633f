//! Sold, capacity and value per ticket type: one event's types, or a scope's added up by
//! name and currency.

use sqlx::PgPool;

use super::{Events, TypeSales};
use crate::error::DataError;

#[derive(Debug, Clone, sqlx::FromRow)]
struct ScopeType {
    name: String,
    currency: String,
    sold: i64,
    quantity: i64,
    price_cents: i64,
}

/// The live types of `ids` (each event's currency beside it), in id order. Seats sold are the seats
/// handed out less the room in the types' blocks (migration 0013), the blocks' room read once
/// for all the types instead of once per type. A thousand lookups in the types' event index
/// (3 ms) beat reading every type into a hash (20 ms), which the planner picks for a join
/// with a thousand ids: the lateral subquery, fenced by OFFSET 0, is always run per event.
async fn scope_types(
    pool: &PgPool,
    ids: &[i64],
    currencies: &[String],
) -> Result<Vec<ScopeType>, DataError> {
    Ok(sqlx::query_as::<_, ScopeType>(
        "SELECT tt.name, e.currency, (tt.sold - coalesce(b.room, 0))::bigint AS sold, \
                tt.quantity::bigint AS quantity, tt.price_cents::bigint AS price_cents \
         FROM unnest($1::bigint[], $2::text[]) AS e(id, currency) CROSS JOIN LATERAL ( \
           SELECT t.id, t.name, t.sold, t.quantity, t.price_cents FROM ticket_types t \
           WHERE t.event_id = e.id AND t.deleted_at IS NULL OFFSET 0) AS tt \
         LEFT JOIN (SELECT ticket_type_id, sum(room) AS room FROM ticket_type_blocks \
                    WHERE room > 0 GROUP BY ticket_type_id) AS b ON b.ticket_type_id = tt.id \
         ORDER BY tt.id",
    )
    .bind(ids)
    .bind(currencies)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn type_sales(
    pool: &PgPool,
    events: &Events,
    one_event: bool,
) -> Result<Vec<TypeSales>, DataError> {
    let (Some(ids), Some(currencies)) = (&events.ids, &events.currencies) else {
        // Everything: the types of each name added up, by the database.
        return Ok(sqlx::query_as(
            "SELECT tt.name, tt.currency, sum(tt.sold)::bigint AS sold, \
             sum(tt.quantity)::bigint AS capacity, sum(tt.sold * tt.price_cents)::bigint AS value_cents \
             FROM (SELECT t.name, e.currency, t.sold - coalesce(b.room, 0) AS sold, t.quantity, \
                          t.price_cents \
                   FROM ticket_types t JOIN events e ON e.id = t.event_id \
                   LEFT JOIN (SELECT ticket_type_id, sum(room) AS room \
                   FROM ticket_type_blocks WHERE room > 0 GROUP BY ticket_type_id) AS b \
                   ON b.ticket_type_id = t.id WHERE t.deleted_at IS NULL) AS tt \
             GROUP BY tt.name, tt.currency ORDER BY sum(tt.sold) DESC, tt.name, tt.currency LIMIT 12",
        )
        .fetch_all(pool)
        .await?);
    };
    let types = scope_types(pool, ids, currencies).await?;
    let of = |t: &ScopeType| TypeSales {
        name: t.name.clone(),
        currency: t.currency.clone(),
        sold: t.sold,
        capacity: t.quantity,
        value_cents: t.sold * t.price_cents,
    };
    if one_event {
        // One event: its types in order.
        return Ok(types.iter().map(of).collect());
    }
    // A scope: the types of each name (and currency) added up, the best sellers first.
    let mut by_name: std::collections::BTreeMap<(&str, &str), TypeSales> = Default::default();
    for t in &types {
        let key = (t.name.as_str(), t.currency.as_str());
        let entry = by_name.entry(key).or_insert_with(|| TypeSales {
            name: t.name.clone(),
            currency: t.currency.clone(),
            sold: 0,
            capacity: 0,
            value_cents: 0,
        });
        entry.sold += t.sold;
        entry.capacity += t.quantity;
        entry.value_cents += t.sold * t.price_cents;
    }
    let mut named: Vec<TypeSales> = by_name.into_values().collect();
    named.sort_by(|a, b| {
        b.sold
            .cmp(&a.sold)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.currency.cmp(&b.currency))
    });
    named.truncate(12);
    Ok(named)
}
