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
    #[error("the database is not reachable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
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
            sqlx::Error::Database(db) => DataError::Database(db.message().to_string()),
            _ => DataError::Database(error.to_string()),
        }
    }
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
