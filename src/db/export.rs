//! CSV export of a list exactly as it is shown: the same statement as its pages (filter,
//! role scope, parent, sort), walked in keyset batches so that memory stays flat whatever the
//! size, written with the `csv` crate, each cell made safe for spreadsheets.

use std::io::Write;

use crate::zone::Tz;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::db::auth::Actor;
use crate::db::filter::Filter;
use crate::db::listing::{self, ListQuery, Parent, Position, Sort};
use crate::db::model::{EntityKind, Row, format_cents};
use crate::error::DataError;

/// Rows read per statement.
const BATCH: u16 = 5_000;

/// What to export: a list's kind, drill-down parent, filter and sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSpec {
    pub kind: EntityKind,
    pub parent: Option<Parent>,
    pub filter: Filter,
    pub sort: Sort,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("cannot write the file: {0}")]
    Write(String),
}

impl From<csv::Error> for ExportError {
    fn from(error: csv::Error) -> Self {
        ExportError::Write(error.to_string())
    }
}

impl From<std::io::Error> for ExportError {
    fn from(error: std::io::Error) -> Self {
        ExportError::Write(error.to_string())
    }
}

/// The file name an export of `kind` suggests ("orders-2026-11-29-1830.csv").
pub fn file_name(kind: EntityKind, at: DateTime<crate::zone::Tz>) -> String {
    let what = match kind {
        EntityKind::Event => "events",
        EntityKind::Order => "orders",
        EntityKind::Ticket => "tickets",
    };
    format!("{what}-{}.csv", at.format("%Y-%m-%d-%H%M%S"))
}

/// Writes the list of `spec` as `actor` sees it to `out` as CSV, times in `offset`; calls
/// `progress` with the rows written so far after each batch. Returns the rows written.
pub async fn write_csv<W: Write>(
    pool: &PgPool,
    actor: &Actor,
    spec: &ExportSpec,
    offset: Tz,
    out: W,
    mut progress: impl FnMut(u64),
) -> Result<u64, ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header(spec.kind))?;
    let mut query = ListQuery {
        kind: spec.kind,
        parent: spec.parent,
        filter: spec.filter.clone(),
        sort: spec.sort,
        position: Position::First,
        page_size: BATCH,
    };
    let mut written = 0_u64;
    let mut scratch = String::new();
    let mut next = Some(spawn_fetch(pool, actor, &query));
    while let Some(fetching) = next.take() {
        let rows = fetching
            .await
            .map_err(|error| DataError::Database(format!("export batch: {error}")))??;
        // The next batch is read by the server while this one is written here.
        if let Some(last) = rows.last()
            && rows.len() == usize::from(BATCH)
        {
            query.position = Position::After(last.cursor());
            next = Some(spawn_fetch(pool, actor, &query));
        }
        for row in &rows {
            write_row(&mut writer, row, offset, &mut scratch)?;
        }
        written += rows.len() as u64;
        progress(written);
    }
    writer.flush()?;
    Ok(written)
}

type Batch = tokio::task::JoinHandle<Result<Vec<Row>, DataError>>;

/// Reads the batch at `query`'s position on a task of its own (aborted if dropped unread).
fn spawn_fetch(pool: &PgPool, actor: &Actor, query: &ListQuery) -> AbortOnDrop {
    let (pool, actor, query) = (pool.clone(), actor.clone(), query.clone());
    AbortOnDrop(tokio::spawn(async move {
        listing::fetch_batch(&pool, &actor, &query, BATCH).await
    }))
}

/// A batch being read, stopped when the export stops (an error, or the export cancelled).
struct AbortOnDrop(Batch);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::future::Future for AbortOnDrop {
    type Output = <Batch as std::future::Future>::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

/// Writes one row's cells, each made safe; `scratch` holds formatted times and money.
fn write_row<W: Write>(
    writer: &mut csv::Writer<W>,
    row: &Row,
    offset: Tz,
    scratch: &mut String,
) -> Result<(), csv::Error> {
    use std::fmt::Write as _;
    // Times with their offset: an event's on its own clock, the others on the viewer's.
    let mut time = |writer: &mut csv::Writer<W>, at: Option<DateTime<Utc>>, zone: Tz| {
        scratch.clear();
        if let Some(at) = at {
            let _ = write!(
                scratch,
                "{}",
                at.with_timezone(&zone)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
            );
        }
        writer.write_field(scratch.as_bytes())
    };
    let text =
        |writer: &mut csv::Writer<W>, value: &str| writer.write_field(safe_cell(value).as_bytes());
    match row {
        Row::Event(e) => {
            writer.write_field(e.id.to_string())?;
            let zone = crate::zone::stored_zone(&e.time_zone);
            time(writer, Some(e.starts_at), zone)?;
            time(writer, Some(e.ends_at), zone)?;
            text(writer, &e.title)?;
            text(writer, &e.venue)?;
            text(writer, &e.organizer)?;
            text(writer, &e.time_zone)?;
            writer.write_field(&e.currency)?;
        }
        Row::Order(o) => {
            writer.write_field(o.id.to_string())?;
            text(writer, &o.code)?;
            time(writer, Some(o.created_at), offset)?;
            writer.write_field(o.status.label())?;
            writer.write_field(format_cents(o.total_cents))?;
            writer.write_field(&o.currency)?;
            text(writer, &o.buyer_email)?;
            text(writer, &o.event_title)?;
        }
        Row::Ticket(t) => {
            writer.write_field(t.id.to_string())?;
            text(writer, &t.code)?;
            writer.write_field(t.status.sql_name())?;
            text(writer, &t.holder_name)?;
            text(writer, &t.type_name)?;
            text(writer, &t.order_code)?;
            time(writer, t.checked_in_at, offset)?;
        }
    }
    // An empty record ends the row the fields began.
    writer.write_record(None::<&[u8]>)
}

fn header(kind: EntityKind) -> &'static [&'static str] {
    match kind {
        EntityKind::Event => &[
            "id",
            "starts_at",
            "ends_at",
            "title",
            "venue",
            "organizer",
            "time_zone",
            "currency",
        ],
        EntityKind::Order => &[
            "id",
            "code",
            "created_at",
            "status",
            "total",
            "currency",
            "buyer_email",
            "event",
        ],
        EntityKind::Ticket => &[
            "id",
            "code",
            "status",
            "holder_name",
            "ticket_type",
            "order_code",
            "checked_in_at",
        ],
    }
}

/// A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, or a tab or
/// carriage return that hides one) gets a leading apostrophe, as OWASP advises: shown as
/// text, never evaluated.
pub fn safe_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_the_rest_left_alone() {
        for hostile in ["=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "\r=x"] {
            assert_eq!(safe_cell(hostile), format!("'{hostile}"));
        }
        for plain in ["Ada", "25.00", "", "a=b", "emoji 🎟"] {
            assert_eq!(safe_cell(plain), plain);
        }
    }
}
