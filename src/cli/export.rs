//! `boxoffice export orders|tickets|events`: the same CSV as `x` in the app, from the command
//! line, signed in like the app (the password asked on the terminal, or BOXOFFICE_PASSWORD),
//! with the same filter language, role scope and sorts.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::operator::say;
use crate::db::export::{ExportSpec, write_csv};
use crate::db::listing::{Sort, sort_keys};
use crate::db::model::EntityKind;
use crate::db::{self, DatabaseTarget};
use crate::error::{AppError, SetupError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    Orders,
    Tickets,
    Events,
}

impl ExportKind {
    fn entity(self) -> EntityKind {
        match self {
            ExportKind::Orders => EntityKind::Order,
            ExportKind::Tickets => EntityKind::Ticket,
            ExportKind::Events => EntityKind::Event,
        }
    }
}

/// What `export` was asked for.
#[derive(Debug, Clone)]
pub struct ExportArgs {
    pub kind: ExportKind,
    pub filter: String,
    pub output: Option<PathBuf>,
    pub email: String,
    pub sort: Option<String>,
    pub reverse: bool,
}

pub async fn export(target: &DatabaseTarget, args: ExportArgs) -> Result<(), AppError> {
    let kind = args.kind.entity();
    let offset = crate::zone::default_zone();
    let mut filter = crate::db::filter::parse(kind, &args.filter)
        .map_err(|error| SetupError::Invalid(format!("--filter: {}", error.0)))?;
    filter.offset = Some(offset);
    let sort = sort_of(kind, args.sort.as_deref(), args.reverse)?;
    let password = match std::env::var("BOXOFFICE_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ if std::io::stdin().is_terminal() => {
            rpassword::prompt_password(format!("password for {}: ", args.email))?
        }
        _ => {
            return Err(SetupError::Invalid(
                "no password: set BOXOFFICE_PASSWORD, or run it on a terminal to be asked".into(),
            )
            .into());
        }
    };
    let connection = db::open(target, &say).await?;
    let result = run(
        &connection.pool,
        &args,
        kind,
        filter,
        sort,
        &password,
        offset,
    )
    .await;
    connection.close().await;
    result
}

fn sort_of(kind: EntityKind, column: Option<&str>, reverse: bool) -> Result<Sort, SetupError> {
    let mut sort = Sort::default_for(kind);
    if let Some(column) = column {
        let keys = sort_keys(kind);
        sort.key = keys
            .iter()
            .position(|key| key.column.eq_ignore_ascii_case(column))
            .ok_or_else(|| {
                let names: Vec<_> = keys.iter().map(|key| key.column.to_lowercase()).collect();
                SetupError::Invalid(format!(
                    "--sort: no column `{column}`; one of {}",
                    names.join(", ")
                ))
            })?;
        sort.descending = false;
    }
    if reverse {
        sort.descending = !sort.descending;
    }
    Ok(sort)
}

async fn run(
    pool: &sqlx::PgPool,
    args: &ExportArgs,
    kind: EntityKind,
    filter: crate::db::filter::Filter,
    sort: Sort,
    password: &str,
    offset: crate::zone::Tz,
) -> Result<(), AppError> {
    let terminal = format!("boxoffice export on {}", super::terminal_name(None));
    let actor = crate::db::auth::sign_in(pool, &args.email, password, &terminal)
        .await
        .map_err(|error| SetupError::Invalid(format!("sign-in: {error}")))?;
    let spec = ExportSpec {
        kind,
        parent: None,
        filter,
        sort,
    };
    let bar = progress_bar();
    let started = Instant::now();
    let report = |rows: u64| {
        if let Some(bar) = &bar {
            bar.set_position(rows);
        }
    };
    let written = match &args.output {
        None => {
            let stdout = std::io::stdout().lock();
            write_csv(
                pool,
                &actor,
                &spec,
                offset,
                std::io::BufWriter::new(stdout),
                report,
            )
            .await
        }
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|error| {
                SetupError::Invalid(format!("cannot create {}: {error}", path.display()))
            })?;
            let written = tokio::select! {
                written = write_csv(pool, &actor, &spec, offset, std::io::BufWriter::new(file), report) => written,
                _ = tokio::signal::ctrl_c() => {
                    remove_partial(path);
                    if let Some(bar) = &bar {
                        bar.finish_and_clear();
                    }
                    return Err(SetupError::Invalid("stopped (Ctrl-c); the partial file was removed".into()).into());
                }
            };
            if written.is_err() {
                remove_partial(path);
            }
            written
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let rows = written.map_err(|error| SetupError::Invalid(format!("export: {error}")))?;
    let seconds = started.elapsed().as_secs_f64();
    let mut stderr = std::io::stderr();
    let _ = writeln!(
        stderr,
        "exported {rows} rows{} in {seconds:.1}s ({:.0} rows/s)",
        args.output
            .as_ref()
            .map(|path| format!(" to {}", path.display()))
            .unwrap_or_default(),
        rows as f64 / seconds.max(1e-3)
    );
    Ok(())
}

fn remove_partial(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Rows and rows/s on stderr, when it is a terminal.
fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::no_length();
    bar.set_style(
        ProgressStyle::with_template("{spinner} exporting: {pos} rows · {per_sec} · {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
