//! Error types of the library. The binary turns them into reports at its edge (color-eyre).

use std::path::PathBuf;

/// What can go wrong while finding, creating or starting the built-in PostgreSQL server.
#[derive(Debug, thiserror::Error)]
pub enum LocalServerError {
    #[error(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found.\n\
         Install them (Debian/Ubuntu: `apt-get install postgresql`; Fedora: \
         `dnf install postgresql-server`; macOS: `brew install postgresql@15`), \
         or set BOXOFFICE_PG_BIN to the folder that holds them, \
         or set DATABASE_URL to a running PostgreSQL server."
    )]
    BinariesNotFound,
    #[error(
        "the built-in database in {data_dir} was created by PostgreSQL {data_version}, \
         but the binaries in {bin_dir} are PostgreSQL {binary_version}. Set BOXOFFICE_PG_BIN \
         to PostgreSQL {data_version}'s bin folder, or move {data_dir} away to start afresh."
    )]
    VersionMismatch {
        data_dir: PathBuf,
        data_version: String,
        bin_dir: PathBuf,
        binary_version: String,
    },
    #[error(
        "PostgreSQL refuses to run as root, and there is no user `{0}` to run it as. \
         Create that user, set BOXOFFICE_PG_USER to another unprivileged user, \
         or set DATABASE_URL to a running PostgreSQL server."
    )]
    NoServiceUser(String),
    #[error("cannot find the user's data directory; set BOXOFFICE_DATA_DIR")]
    NoDataDir,
    #[error("{command} failed: {output}")]
    CommandFailed { command: String, output: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl LocalServerError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

/// Errors of the data layer, worded for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("not found, or not yours to see")]
    NotFound,
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
    /// A save based on a version of the row that someone else has changed since.
    #[error("{0}")]
    Conflict(String),
    /// Values of a form that cannot be saved, each with the field it belongs to.
    #[error("{}", .0.summary())]
    Fields(FieldErrors),
    /// The driver's words are kept for the log (`{:?}`), never shown.
    #[error("the database cannot be reached just now; try again in a moment")]
    Unavailable(String),
    /// The connection broke while committing: the change may or may not have been saved.
    #[error(
        "the database stopped answering while saving, so it is not known whether the change \
         was saved: look at the list before saving again"
    )]
    Unconfirmed,
    /// The driver's words are kept for the log (`{:?}`), never shown.
    #[error("the database could not do this, so nothing was changed; the details are in the log")]
    Database(String),
}

impl From<sqlx::Error> for DataError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => DataError::NotFound,
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => DataError::Unavailable(error.to_string()),
            sqlx::Error::Database(db) => {
                let code = db.code().unwrap_or_default();
                match db.constraint().and_then(constraint_message) {
                    Some((field, message)) => DataError::Fields(FieldErrors::one(field, message)),
                    // Deadlock, serialization failure: the transaction was rolled back.
                    None if code == "40P01" || code == "40001" => DataError::Refused(
                        "someone was changing the same rows at the same moment; nothing was \
                         saved: try again"
                            .into(),
                    ),
                    // The server shut down or the connection broke: it is away, not wrong.
                    None if code.starts_with("08") || code == "57P01" || code == "57P02" => {
                        DataError::Unavailable(db.message().to_string())
                    }
                    None => DataError::Database(db.message().to_string()),
                }
            }
            _ => DataError::Database(error.to_string()),
        }
    }
}

/// Field-by-field reasons a form's values cannot be saved (the field is the form's key for
/// it, so the message shows next to that field).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![(field.into(), message.into())])
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was added, the errors otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, DataError> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(DataError::Fields(self))
        }
    }

    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|(_, message)| message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The plain words for a constraint the database enforced, and the form field it concerns.
/// The forms check these first; this catches what changed between the check and the write.
fn constraint_message(constraint: &str) -> Option<(&'static str, &'static str)> {
    Some(match constraint {
        "users_email_live_key" => ("email", "another user already has this email"),
        "users_email_check" => ("email", "an email looks like name@example.com"),
        "ticket_types_name_live_key" => {
            ("name", "this event already has a ticket type of that name")
        }
        "ticket_types_not_oversold" => (
            "quantity",
            "the capacity cannot be below the tickets already sold",
        ),
        "ticket_types_quantity_check" => ("quantity", "the capacity cannot be negative"),
        "ticket_types_price_cents_check" => ("price", "the price cannot be negative"),
        "ticket_types_sales_window_in_order" => ("sales_end", "sales must end after they start"),
        "events_dates_in_order" => ("ends_at", "an event must end after it starts"),
        // Checked at commit (migration 0016): a sale that raced a move to the trash.
        "orders_event_live" => (
            "event",
            "the event was moved to the trash meanwhile; nothing was sold",
        ),
        "tickets_type_live" => (
            "ticket_type",
            "the ticket type was moved to the trash meanwhile; nothing was sold",
        ),
        _ => return None,
    })
}

/// Errors of connecting, migrating and seeding.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    LocalServer(#[from] LocalServerError),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Invalid(String),
}

impl SetupError {
    /// What a person is told when the database cannot be opened: what happened and what to
    /// do, in plain words (the driver's own text goes to the log).
    pub fn plain_words(&self) -> String {
        self.words(Retry::Screen)
    }

    /// The same for a command run from a shell (`migrate`, `seed`, `export`, ...): no screen
    /// to press Enter on.
    pub fn command_words(&self) -> String {
        self.words(Retry::Command)
    }

    fn words(&self, retry: Retry) -> String {
        match self {
            SetupError::LocalServer(
                LocalServerError::CommandFailed { .. } | LocalServerError::Io { .. },
            ) => format!(
                "the built-in database could not be started; the details are in the log; {}",
                retry.again()
            ),
            // The others are written for people already: what is missing and how to fix it.
            SetupError::LocalServer(error) => error.to_string(),
            SetupError::Connect(error) | SetupError::Database(error) => connect_words(error, retry),
            SetupError::Migrate(_) => "the database's tables could not be brought up to date; \
                                        the details are in the log"
                .into(),
            SetupError::Invalid(words) => words.clone(),
        }
    }
}

/// Where a person would try again: on the screen, or by running the command again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    Screen,
    Command,
}

impl Retry {
    fn again(self) -> &'static str {
        match self {
            Retry::Screen => "press Enter to try again",
            Retry::Command => "run the command again",
        }
    }
}

fn connect_words(error: &sqlx::Error, retry: Retry) -> String {
    let again = retry.again();
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => {
            format!("the database server cannot be reached (is it running?); {again}")
        }
        sqlx::Error::Configuration(_) => {
            "the database address is not a valid postgres:// URL; check DATABASE_URL or the \
             config file"
                .into()
        }
        sqlx::Error::Database(db) => match db.code().as_deref().unwrap_or_default() {
            "3D000" if retry == Retry::Command => {
                "the database named in the URL does not exist: create it (createdb NAME) or \
                 correct DATABASE_URL or the config file"
                    .into()
            }
            "3D000" => format!(
                "the database does not exist (yet: another boxoffice may be creating it); {again}"
            ),
            "28P01" | "28000" => "the database refused this user or password; check \
                                  DATABASE_URL or the config file"
                .into(),
            "57P03" => format!("the database server is still starting; {again}"),
            "53300" => format!("the database server has no free connections; {again}"),
            code if code.starts_with("08") || code == "57P01" => {
                format!("the database server cannot be reached (is it running?); {again}")
            }
            _ => format!("the database could not be opened; the details are in the log; {again}"),
        },
        _ => format!("the database could not be opened; the details are in the log; {again}"),
    }
}

/// Errors reading the configuration file or key map.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("key map: {0}")]
    KeyMap(String),
}

/// Errors that end the app or a command.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("{0}")]
    TaskStopped(String),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    LocalServer(#[from] LocalServerError),
}

impl AppError {
    /// What a person at a shell is told when a command stops: plain words for what they can
    /// fix (the database, the config file); None for what only the details explain.
    pub fn command_words(&self) -> Option<String> {
        match self {
            AppError::Setup(error) => Some(error.command_words()),
            AppError::Config(error) => Some(error.to_string()),
            AppError::LocalServer(
                LocalServerError::CommandFailed { .. } | LocalServerError::Io { .. },
            ) => None,
            AppError::LocalServer(error) => Some(error.to_string()),
            _ => None,
        }
    }
}
