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
    let existing: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL",
    )
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;
    let (buyer_id, buyer) = match existing {
        Some((id, name)) => (id, name),
        None => {
            let name = crate::db::edits::clean_text(
                &mut errors,
                "buyer_name",
                "a new buyer's name",
                &sale.buyer_name,
                1,
                200,
            );
            if !errors.is_empty() {
                return Err(DataError::Fields(errors));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, name, role) VALUES ($1, $2, 'customer') RETURNING id",
            )
            .bind(&email)
            .bind(&name)
            .fetch_one(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                actor,
                "create",
                "user",
                id,
                None,
                Some(serde_json::json!({ "email": email, "name": name, "role": "customer" })),
            )
            .await?;
            (id, format!("{name} (new buyer)"))
        }
    };
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
