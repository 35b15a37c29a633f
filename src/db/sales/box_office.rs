//! A sale at the box office: the buyer named by email, created as a customer if new, and
//! the sale itself, in one transaction.

use sqlx::PgPool;

use crate::db::audit;
use crate::db::auth::Actor;
use crate::db::sales::{Sale, SaleLine, SoldOrder, may_manage_orders, sell_in};
use crate::error::DataError;

/// A sale at the box office: the buyer named by email, created as a customer if new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxOfficeSale {
    pub event_id: i64,
    pub buyer_email: String,
    /// Needed only for a buyer who has no account yet.
    pub buyer_name: String,
    pub lines: Vec<SaleLine>,
    pub note: String,
    pub paid: bool,
}

/// Sells at the box office: finds or creates the buyer and sells, in one transaction (a
/// refused sale leaves no new buyer behind).
pub async fn sell_at_box_office(
    pool: &PgPool,
    actor: &Actor,
    sale: &BoxOfficeSale,
) -> Result<(SoldOrder, String), DataError> {
    let mut errors = crate::error::FieldErrors::default();
    let email = crate::db::edits::clean_email(&mut errors, "buyer_email", &sale.buyer_email);
    if !errors.is_empty() {
        return Err(DataError::Fields(errors));
    }
    let mut tx = pool.begin().await?;
    may_manage_orders(&mut tx, actor, sale.event_id).await?;
    let (buyer_id, buyer) = find_or_create_buyer(&mut tx, actor, &email, &sale.buyer_name).await?;
    let sold = sell_in(
        &mut tx,
        actor,
        &Sale {
            event_id: sale.event_id,
            buyer_id,
            lines: sale.lines.clone(),
            holder_name: String::new(),
            note: sale.note.clone(),
            paid: sale.paid,
        },
    )
    .await?;
    crate::db::edits::commit(tx).await?;
    Ok((sold, buyer))
}

/// The live account with this email, or a new customer account with this name. Two
/// cashiers selling to the same new buyer at once end up with one account: the second insert
/// waits for the first and then finds it.
async fn find_or_create_buyer(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    email: &str,
    name: &str,
) -> Result<(i64, String), DataError> {
    let find = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL",
    );
    if let Some(found) = find.bind(email).fetch_optional(&mut *tx).await? {
        return Ok(found);
    }
    let mut errors = crate::error::FieldErrors::default();
    let name = crate::db::edits::clean_text(
        &mut errors,
        "buyer_name",
        "a new buyer's name",
        name,
        1,
        200,
    );
    if !errors.is_empty() {
        return Err(DataError::Fields(errors));
    }
    let created: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (email, name, role) VALUES ($1, $2, 'customer') \
         ON CONFLICT (lower(email)) WHERE deleted_at IS NULL DO NOTHING RETURNING id",
    )
    .bind(email)
    .bind(&name)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = created else {
        return sqlx::query_as(
            "SELECT id, name FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL",
        )
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            DataError::Refused("that buyer's account changed meanwhile; try again".into())
        });
    };
    audit::record(
        tx,
        actor,
        "create",
        "user",
        id,
        None,
        Some(serde_json::json!({ "email": email, "name": name, "role": "customer" })),
    )
    .await?;
    Ok((id, format!("{name} (new buyer)")))
}
