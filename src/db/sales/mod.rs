//! Selling tickets and the order lifecycle (DESIGN.md "Order lifecycle"). Seats are handed
//! out on `ticket_types.sold` (to orders, or in blocks that sales take from: `take_seats`,
//! migration 0013) and given back there, and the table's CHECK (`sold <= quantity`) backs
//! them: no interleaving of sales can oversell a ticket type.
//!
//! `box_office.rs` sells at the box office (finding or creating the buyer); `lifecycle.rs`
//! moves orders through their statuses.

mod box_office;
mod lifecycle;

pub use box_office::{BoxOfficeSale, sell_at_box_office};
pub use lifecycle::{ActionOutcome, OrderAction, apply_action};

use rand::RngExt;
use sqlx::{PgConnection, PgPool};

use crate::db::audit;
use crate::db::auth::Actor;
use crate::db::model::OrderStatus;
pub(crate) use crate::db::permissions::may_manage_orders;
use crate::error::DataError;

/// The code alphabet: no 0/O, 1/I look-alikes.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const MAX_TICKETS_PER_SALE: i32 = 100;

/// A code of `left`+`right` characters from a CSPRNG, dashed in the middle.
pub fn random_code(left: usize, right: usize) -> String {
    let mut rng = rand::rng();
    let mut code = String::with_capacity(left + right + 1);
    for i in 0..left + right {
        if i == left {
            code.push('-');
        }
        code.push(char::from(
            CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())],
        ));
    }
    code
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    pub ticket_type_id: i64,
    pub quantity: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub event_id: i64,
    pub buyer_id: i64,
    pub lines: Vec<SaleLine>,
    /// Name on the tickets (the buyer's when empty).
    pub holder_name: String,
    pub note: String,
    /// A sale at the box office is usually paid on the spot.
    pub paid: bool,
}

impl Sale {
    /// A paid sale of `quantity` tickets of one type, in the buyer's name.
    pub fn one_type(event_id: i64, buyer_id: i64, ticket_type_id: i64, quantity: i32) -> Self {
        Sale {
            event_id,
            buyer_id,
            lines: vec![SaleLine {
                ticket_type_id,
                quantity,
            }],
            holder_name: String::new(),
            note: String::new(),
            paid: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldOrder {
    pub id: i64,
    pub code: String,
    pub total_cents: i64,
    /// The event's currency, which the total is in.
    pub currency: String,
    pub ticket_codes: Vec<String>,
}

/// Sells tickets: reserves the seats, creates the order and its tickets, all or nothing.
pub async fn sell(pool: &PgPool, actor: &Actor, sale: &Sale) -> Result<SoldOrder, DataError> {
    let mut tx = pool.begin().await?;
    may_manage_orders(&mut tx, actor, sale.event_id).await?;
    let sold = sell_in(&mut tx, actor, sale).await?;
    tx.commit().await?;
    Ok(sold)
}

/// The sale itself, in the caller's transaction, once the caller has checked that `actor`
/// may sell for the event.
pub(crate) async fn sell_in(
    tx: &mut PgConnection,
    actor: &Actor,
    sale: &Sale,
) -> Result<SoldOrder, DataError> {
    if sale
        .lines
        .iter()
        .any(|line| line.quantity > MAX_TICKETS_PER_SALE)
    {
        return Err(DataError::Invalid(format!(
            "at most {MAX_TICKETS_PER_SALE} tickets per order"
        )));
    }
    // Each line is at most MAX_TICKETS_PER_SALE, so the sum cannot overflow an i64.
    let count: i64 = sale
        .lines
        .iter()
        .map(|line| i64::from(line.quantity.max(0)))
        .sum();
    if sale.lines.is_empty() || count == 0 {
        return Err(DataError::Invalid("choose at least one ticket".into()));
    }
    if sale.lines.iter().any(|line| line.quantity < 0) {
        return Err(DataError::Invalid("quantities cannot be negative".into()));
    }
    if count > i64::from(MAX_TICKETS_PER_SALE) {
        return Err(DataError::Invalid(format!(
            "at most {MAX_TICKETS_PER_SALE} tickets per order"
        )));
    }
    if sale.holder_name.chars().count() > 200 || sale.note.chars().count() > 2000 {
        return Err(DataError::Invalid(
            "the holder name or note is too long".into(),
        ));
    }
    let buyer: Option<String> =
        sqlx::query_scalar("SELECT name FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(sale.buyer_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(buyer_name) = buyer else {
        return Err(DataError::Invalid("no such buyer".into()));
    };
    let holder = if sale.holder_name.trim().is_empty() {
        buyer_name
    } else {
        sale.holder_name.trim().to_string()
    };
    // Prices are read first, without locking, and the seats are reserved last, just before
    // the commit: the ticket type's row lock, which serialises every sale of that type, is
    // held for one statement instead of the whole sale.
    let mut total: i64 = 0;
    let mut currency = String::new();
    let mut tickets: Vec<i64> = Vec::new();
    let lines: Vec<&SaleLine> = sale.lines.iter().filter(|line| line.quantity > 0).collect();
    for line in &lines {
        let price: Option<(i64, String)> = sqlx::query_as(
            "SELECT t.price_cents, e.currency FROM ticket_types t JOIN events e ON e.id = t.event_id \
             WHERE t.id = $1 AND t.event_id = $2 AND t.deleted_at IS NULL",
        )
        .bind(line.ticket_type_id)
        .bind(sale.event_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((price, event_currency)) = price else {
            return Err(DataError::Invalid(
                "that ticket type is not on sale for this event".into(),
            ));
        };
        currency = event_currency;
        // Prices are at most MAX_PRICE_CENTS and a sale at most MAX_TICKETS_PER_SALE tickets.
        total += price * i64::from(line.quantity);
        tickets.extend(std::iter::repeat_n(
            line.ticket_type_id,
            line.quantity as usize,
        ));
    }
    let status = if sale.paid {
        OrderStatus::Paid
    } else {
        OrderStatus::Pending
    };
    let (order_id, code) = insert_order(&mut *tx, sale, status, total).await?;
    let ticket_codes = insert_tickets(&mut *tx, order_id, &tickets, &holder).await?;
    audit::record(
        &mut *tx,
        actor,
        "create",
        "order",
        order_id,
        None,
        Some(serde_json::json!({
            "code": code, "status": status.label(), "total_cents": total, "tickets": ticket_codes,
        })),
    )
    .await?;
    // One reservation per type, in ticket type order: the lock order that keeps two sales
    // from waiting on each other.
    let mut by_type: std::collections::BTreeMap<i64, i32> = std::collections::BTreeMap::new();
    for line in &lines {
        *by_type.entry(line.ticket_type_id).or_default() += line.quantity;
    }
    for (ticket_type_id, quantity) in by_type {
        let line = SaleLine {
            ticket_type_id,
            quantity,
        };
        reserve(&mut *tx, sale.event_id, &line).await?;
    }
    Ok(SoldOrder {
        id: order_id,
        code,
        total_cents: total,
        currency,
        ticket_codes,
    })
}

/// Takes `line.quantity` seats of its ticket type, or refuses with how many are left (the
/// caller's transaction is then dropped, and everything it wrote with it). The seats come
/// from one of the type's seat blocks (migration 0013), so that sales of one type wait on
/// one of eight rows, not all on one.
async fn reserve(tx: &mut PgConnection, event_id: i64, line: &SaleLine) -> Result<(), DataError> {
    let reserved: bool = sqlx::query_scalar("SELECT take_seats($1, $3, $2)")
        .bind(line.ticket_type_id)
        .bind(line.quantity)
        .bind(event_id)
        .fetch_one(&mut *tx)
        .await?;
    if reserved {
        return Ok(());
    }
    let left: Option<(String, i32)> = sqlx::query_as(
        "SELECT name, quantity - seats_sold(id, sold) FROM ticket_types \
         WHERE id = $1 AND event_id = $2 AND deleted_at IS NULL",
    )
    .bind(line.ticket_type_id)
    .bind(event_id)
    .fetch_optional(&mut *tx)
    .await?;
    Err(match left {
        Some((name, left)) if left <= 0 => DataError::Refused(format!("{name} is sold out")),
        Some((name, left)) => DataError::Refused(format!("sold out: only {left} {name} left")),
        None => DataError::Invalid("that ticket type is not on sale for this event".into()),
    })
}

async fn insert_order(
    tx: &mut PgConnection,
    sale: &Sale,
    status: OrderStatus,
    total: i64,
) -> Result<(i64, String), DataError> {
    for _ in 0..8 {
        let code = random_code(4, 4);
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO orders (code, user_id, event_id, status, total_cents, note) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (code) WHERE deleted_at IS NULL DO NOTHING RETURNING id",
        )
        .bind(&code)
        .bind(sale.buyer_id)
        .bind(sale.event_id)
        .bind(status)
        .bind(total)
        .bind(sale.note.trim())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = inserted {
            return Ok((id, code));
        }
    }
    Err(DataError::Database(
        "could not find a free order code".into(),
    ))
}

/// Inserts one ticket per entry of `types`, drawing new codes for any that collide.
async fn insert_tickets(
    tx: &mut PgConnection,
    order_id: i64,
    types: &[i64],
    holder: &str,
) -> Result<Vec<String>, DataError> {
    let mut codes = Vec::with_capacity(types.len());
    let mut pending: Vec<i64> = types.to_vec();
    for _ in 0..8 {
        if pending.is_empty() {
            return Ok(codes);
        }
        let batch: Vec<String> = pending.iter().map(|_| random_code(5, 5)).collect();
        let inserted: Vec<(String, i64)> = sqlx::query_as(
            "INSERT INTO tickets (code, order_id, ticket_type_id, holder_name) \
             SELECT code, $2, type_id, $3 FROM unnest($1::text[], $4::bigint[]) AS n(code, type_id) \
             ON CONFLICT (code) WHERE deleted_at IS NULL DO NOTHING RETURNING code, ticket_type_id",
        )
        .bind(&batch)
        .bind(order_id)
        .bind(holder)
        .bind(&pending)
        .fetch_all(&mut *tx)
        .await?;
        for (code, type_id) in inserted {
            if let Some(at) = pending.iter().position(|t| *t == type_id) {
                pending.remove(at);
            }
            codes.push(code);
        }
    }
    if pending.is_empty() {
        Ok(codes)
    } else {
        Err(DataError::Database(
            "could not find free ticket codes".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_codes_use_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let code = random_code(5, 5);
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
            assert!(
                code.chars()
                    .filter(|c| *c != '-')
                    .all(|c| CODE_ALPHABET.contains(&(c as u8)))
            );
        }
    }
}
