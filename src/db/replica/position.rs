//! WAL positions: where the primary has written to, and how far a replica has replayed.

use std::fmt;

use sqlx::PgPool;

use crate::error::DataError;

/// A position in the write-ahead log (PostgreSQL's `pg_lsn`), as a number that orders the
/// way the log does. Zero means "nothing to wait for".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WalPosition(pub u64);

impl WalPosition {
    /// Reads PostgreSQL's text form, two hexadecimal halves: `16/B374D848`.
    pub fn parse(text: &str) -> Option<Self> {
        let (high, low) = text.trim().split_once('/')?;
        let high = u64::from_str_radix(high, 16).ok()?;
        let low = u64::from_str_radix(low, 16).ok()?;
        (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX))
            .then_some(Self((high << 32) | low))
    }
}

impl fmt::Display for WalPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & u64::from(u32::MAX))
    }
}

/// The primary's log position now: after a commit has returned, at or past that commit.
pub async fn primary_position(primary: &PgPool) -> Result<WalPosition, DataError> {
    let text: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(primary)
        .await?;
    WalPosition::parse(&text)
        .ok_or_else(|| DataError::Database(format!("unreadable WAL position {text:?}")))
}

/// How far a standby has replayed the primary's log; None when the server is not a standby
/// (it is replaying nothing).
pub async fn replayed_position(replica: &PgPool) -> Result<Option<WalPosition>, DataError> {
    let text: Option<String> = sqlx::query_scalar("SELECT pg_last_wal_replay_lsn()::text")
        .fetch_one(replica)
        .await?;
    Ok(text.as_deref().and_then(WalPosition::parse))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_orders_positions_as_the_log_does() {
        let early = WalPosition::parse("0/FFFFFFFF").expect("valid");
        let late = WalPosition::parse("1/0").expect("valid");
        assert!(early < late);
        assert_eq!(
            WalPosition::parse("16/B374D848").map(|p| p.to_string()),
            Some("16/B374D848".into())
        );
        for bad in ["", "16", "x/1", "1/100000000", "/"] {
            assert_eq!(WalPosition::parse(bad), None, "{bad:?}");
        }
    }
}
