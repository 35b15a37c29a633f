//! A CSV export run by the data task: written to a new file in batches, with progress events
//! on the way; stopped (by a newer request on its slot: the cancel) it removes what it wrote.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::zone::Tz;
use sqlx::PgPool;
use tokio::sync::mpsc::UnboundedSender;

use crate::data_task::reply::{DataErrorText, DataEvent, ExportDone, Reply};
use crate::db::auth::Actor;
use crate::db::export::{ExportError, ExportSpec, write_csv};

/// How often progress is reported at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// A file being written: removed when dropped before `keep` (an error, or the task aborted).
struct PartialFile {
    path: PathBuf,
    kept: bool,
}

impl PartialFile {
    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Runs an export to `path` (which must not exist yet) and answers with where it went.
pub async fn run(
    pool: &PgPool,
    actor: &Actor,
    spec: &ExportSpec,
    path: &Path,
    offset: Tz,
    events: &UnboundedSender<DataEvent>,
    generation: u64,
) -> Reply {
    let outcome = write_file(pool, actor, spec, path, offset, events, generation).await;
    Reply::Export(outcome.map_err(|error| {
        tracing::warn!(?error, path = %path.display(), "export failed");
        match error {
            ExportError::Data(error) => DataErrorText::from(error),
            ExportError::Write(reason) => DataErrorText::from(crate::error::DataError::Invalid(
                format!("cannot write {}: {reason}", path.display()),
            )),
        }
    }))
}

async fn write_file(
    pool: &PgPool,
    actor: &Actor,
    spec: &ExportSpec,
    path: &Path,
    offset: Tz,
    events: &UnboundedSender<DataEvent>,
    generation: u64,
) -> Result<ExportDone, ExportError> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let partial = PartialFile {
        path: path.to_path_buf(),
        kept: false,
    };
    let mut last_report = Instant::now();
    let rows = write_csv(
        pool,
        actor,
        spec,
        offset,
        BufWriter::with_capacity(256 * 1024, file),
        |rows| {
            if last_report.elapsed() >= PROGRESS_EVERY {
                last_report = Instant::now();
                let _ = events.send(DataEvent::ExportProgress { generation, rows });
            }
        },
    )
    .await?;
    partial.keep();
    Ok(ExportDone::Finished {
        path: path.to_path_buf(),
        rows,
    })
}
