//! The order lifecycle (DESIGN.md "Order lifecycle"): mark paid, cancel, refund, reactivate.
//! Cancel and refund void the tickets and give their seats back; reactivate takes them again,
//! only if they are still free.

use sqlx::{PgConnection, PgPool};

use crate::db::audit;
use crate::db::auth::{Actor, Role};
use crate::db::model::OrderStatus;
use crate::db::sales::may_manage_orders;
use crate::error::DataError;

/// The order actions of the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    MarkPaid,
    Cancel,
    Refund,
    Reactivate,
}

impl OrderAction {
    pub fn label(self) -> &'static str {
        match self {
            OrderAction::MarkPaid => "mark paid",
            OrderAction::Cancel => "cancel",
            OrderAction::Refund => "refund",
            OrderAction::Reactivate => "reactivate",
        }
    }

    /// Why an order of `status` cannot take this action (the lifecycle), if it cannot.
    pub fn refusal(self, code: &str, status: OrderStatus) -> Option<String> {
        let (from, _) = self.transition();
        (status != from).then(|| {
            format!(
                "order {code} is {}; only a {} order can be {}",
                status.label(),
                from.label(),
                match self {
                    OrderAction::MarkPaid => "marked paid",
                    OrderAction::Cancel => "cancelled",
                    OrderAction::Refund => "refunded",
                    OrderAction::Reactivate => "reactivated",
                }
            )
        })
    }

    /// The status an order must have for the action, and the status it gets.
    fn transition(self) -> (OrderStatus, OrderStatus) {
        match self {
            OrderAction::MarkPaid => (OrderStatus::Pending, OrderStatus::Paid),
            OrderAction::Cancel => (OrderStatus::Pending, OrderStatus::Cancelled),
            OrderAction::Refund => (OrderStatus::Paid, OrderStatus::Refunded),
            OrderAction::Reactivate => (OrderStatus::Cancelled, OrderStatus::Pending),
        }
    }
}

/// What an order action did, for the message after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOutcome {
    pub code: String,
    pub status: OrderStatus,
    pub tickets_changed: i64,
}

/// Applies `action` to order `order_id`: cancel and refund void the tickets and give the seats
/// back; reactivate takes them again, only if they are still free.
pub async fn apply_action(
    pool: &PgPool,
    actor: &Actor,
    order_id: i64,
    action: OrderAction,
) -> Result<ActionOutcome, DataError> {
    let mut tx = pool.begin().await?;
    // The event is checked (and key-share locked) before the order is locked: the order in
    // which deleting the event takes them, so the two cannot deadlock.
    let owners: Option<(i64, i64)> =
        sqlx::query_as("SELECT event_id, user_id FROM orders WHERE id = $1 AND deleted_at IS NULL")
            .bind(order_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((event_id, buyer)) = owners else {
        return Err(DataError::NotFound);
    };
    let own_pending_cancel =
        actor.role == Role::Customer && buyer == actor.id && action == OrderAction::Cancel;
    if !own_pending_cancel {
        may_manage_orders(&mut tx, actor, event_id).await?;
    }
    let row: Option<(String, OrderStatus)> = sqlx::query_as(
        "SELECT code, status FROM orders WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(order_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((code, status)) = row else {
        return Err(DataError::NotFound);
    };
    if let Some(refusal) = action.refusal(&code, status) {
        return Err(DataError::Refused(refusal));
    }
    let (from, to) = action.transition();
    let tickets_changed = match action {
        OrderAction::MarkPaid => 0,
        OrderAction::Cancel | OrderAction::Refund => release_seats(&mut tx, order_id).await?,
        OrderAction::Reactivate => retake_seats(&mut tx, order_id).await?,
    };
    sqlx::query("UPDATE orders SET status = $2 WHERE id = $1")
        .bind(order_id)
        .bind(to)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        action.label(),
        "order",
        order_id,
        Some(serde_json::json!({ "status": from.label() })),
        Some(serde_json::json!({ "status": to.label(), "tickets_changed": tickets_changed })),
    )
    .await?;
    tx.commit().await?;
    Ok(ActionOutcome {
        code,
        status: to,
        tickets_changed,
    })
}

/// Voids the order's live tickets and gives their seats back. Returns how many.
async fn release_seats(tx: &mut PgConnection, order_id: i64) -> Result<i64, DataError> {
    let released: Vec<(i64, i64)> = sqlx::query_as(
        "WITH voided AS ( \
             UPDATE tickets SET status = 'cancelled', checked_in_at = NULL, checked_in_by = NULL \
             WHERE order_id = $1 AND status <> 'cancelled' AND deleted_at IS NULL \
             RETURNING ticket_type_id) \
         SELECT ticket_type_id, count(*) FROM voided GROUP BY ticket_type_id \
         ORDER BY ticket_type_id",
    )
    .bind(order_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut total = 0;
    for (type_id, n) in released {
        sqlx::query("UPDATE ticket_types SET sold = sold - $2 WHERE id = $1")
            .bind(type_id)
            .bind(n as i32)
            .execute(&mut *tx)
            .await?;
        total += n;
    }
    Ok(total)
}

/// Takes the seats of a cancelled order's tickets again, all or none.
async fn retake_seats(tx: &mut PgConnection, order_id: i64) -> Result<i64, DataError> {
    let wanted: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT t.ticket_type_id, count(*), tt.name FROM tickets t \
         JOIN ticket_types tt ON tt.id = t.ticket_type_id \
         WHERE t.order_id = $1 AND t.status = 'cancelled' AND t.deleted_at IS NULL \
         GROUP BY t.ticket_type_id, tt.name ORDER BY t.ticket_type_id",
    )
    .bind(order_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut total = 0;
    for (type_id, n, name) in wanted {
        let taken: bool = sqlx::query_scalar(
            "SELECT take_seats(id, event_id, $2) FROM ticket_types WHERE id = $1",
        )
        .bind(type_id)
        .bind(n as i32)
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or(false);
        if !taken {
            return Err(DataError::Refused(format!(
                "cannot reactivate: not enough {name} tickets left"
            )));
        }
        total += n;
    }
    sqlx::query("UPDATE tickets SET status = 'valid' WHERE order_id = $1 AND status = 'cancelled' AND deleted_at IS NULL")
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    Ok(total)
}
