//! The configuration file (`boxoffice/config.toml` in the user's config directory).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::ConfigError;

#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A PostgreSQL URL; without one (and without DATABASE_URL) the built-in database is used.
    pub database_url: Option<String>,
    /// A streaming replica of that database: lists, searches, counts, details, dashboards
    /// and exports read from it (see docs/deploy.md).
    pub read_database_url: Option<String>,
    /// Connections this process keeps to the primary (default 8; one more listens for
    /// changes).
    pub pool_size: Option<u32>,
    /// Connections this process keeps to the replica (default 8).
    pub read_pool_size: Option<u32>,
    /// A replica further behind than this is not read until it catches up (default 10).
    pub replica_max_lag_secs: Option<u64>,
    /// The zone new events get, and times that are no event's are shown in (an IANA name
    /// like `Europe/Berlin`; default: this machine's zone).
    pub default_time_zone: Option<String>,
    /// The currency new events get (an ISO 4217 code like `EUR`; default EUR).
    pub default_currency: Option<String>,
    /// This terminal's name in the scan log (default: the host name).
    pub terminal_name: Option<String>,
    /// Key bindings: command name to keys, overriding `assets/keymap.toml`.
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
    /// Where `x` writes its CSV files (default: the user's download folder, else home).
    pub export_folder: Option<PathBuf>,
    /// `boxoffice serve`.
    #[serde(default)]
    pub serve: ServeConfig,
}

/// The SSH server's settings (`[serve]`); every one has a default.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ServeConfig {
    /// Where to listen (`--listen` overrides it).
    pub listen: String,
    /// Connections still signing in, at most, at once; more are closed at once.
    pub max_unauthenticated: usize,
    /// Failed sign-ins from one address within `failed_auth_window_secs` before its
    /// connections are refused until the window has passed.
    pub max_failed_auth_per_address: u32,
    pub failed_auth_window_secs: u64,
    /// Sessions one user may have open at once.
    pub sessions_per_user: usize,
    /// A session with no key pressed for this long is closed, saying why.
    pub idle_timeout_secs: u64,
    /// A session whose client has not taken a frame for this long is closed.
    pub stall_timeout_secs: u64,
    /// Keepalives after this many seconds of silence; three unanswered close the connection.
    pub keepalive_secs: u64,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:2222".into(),
            max_unauthenticated: 64,
            max_failed_auth_per_address: 10,
            failed_auth_window_secs: 300,
            sessions_per_user: 8,
            idle_timeout_secs: 30 * 60,
            stall_timeout_secs: 60,
            keepalive_secs: 30,
        }
    }
}

impl Config {
    /// The configured default zone (checked when the file was read), else this machine's.
    pub fn default_zone(&self) -> crate::zone::Tz {
        self.default_time_zone
            .as_deref()
            .and_then(|name| crate::zone::parse_zone(name).ok())
            .unwrap_or_else(crate::zone::system_zone)
    }

    /// The configured default currency (checked when the file was read), else EUR.
    pub fn default_currency(&self) -> String {
        self.default_currency
            .as_deref()
            .and_then(|code| crate::money::parse_currency(code).ok())
            .unwrap_or_else(|| crate::money::FALLBACK_CURRENCY.to_string())
    }

    /// Pool sizes must leave room to work: zero connections would hang every request.
    pub fn check(&self) -> Result<(), ConfigError> {
        for (name, value) in [
            ("pool_size", self.pool_size),
            ("read_pool_size", self.read_pool_size),
        ] {
            if value.is_some_and(|size| !(1..=1000).contains(&size)) {
                return Err(ConfigError::Parse {
                    path: "config".into(),
                    message: format!("{name} must be between 1 and 1000"),
                });
            }
        }
        if let Some(name) = &self.default_time_zone
            && let Err(message) = crate::zone::parse_zone(name)
        {
            return Err(ConfigError::Parse {
                path: "config".into(),
                message: format!("default_time_zone: {message}"),
            });
        }
        if let Some(code) = &self.default_currency
            && let Err(message) = crate::money::parse_currency(code)
        {
            return Err(ConfigError::Parse {
                path: "config".into(),
                message: format!("default_currency: {message}"),
            });
        }
        if self.replica_max_lag_secs == Some(0) {
            return Err(ConfigError::Parse {
                path: "config".into(),
                message: "replica_max_lag_secs must be at least 1".into(),
            });
        }
        Ok(())
    }

    /// The folder exports go to: the configured one, or the default.
    pub fn export_folder(&self) -> PathBuf {
        self.export_folder
            .clone()
            .unwrap_or_else(default_export_folder)
    }

    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "boxoffice")
            .map(|dirs| dirs.config_dir().join("config.toml"))
    }

    /// Reads `path`, or the default file if no path is given. A missing default file means
    /// the defaults; a missing file the user named is an error.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, must_exist) = match path {
            Some(path) => (path.to_path_buf(), true),
            None => match Self::default_path() {
                Some(path) => (path, false),
                None => return Ok(Self::default()),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                return Ok(Self::default());
            }
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.message().to_string(),
        })?;
        config.check().map_err(|error| match error {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: origin.to_string(),
                message,
            },
            other => other,
        })?;
        Ok(config)
    }
}

/// The user's download folder, else their home, else the current folder.
pub fn default_export_folder() -> PathBuf {
    directories::UserDirs::new()
        .map(|dirs| {
            dirs.download_dir()
                .filter(|dir| dir.is_dir())
                .unwrap_or(dirs.home_dir())
                .to_path_buf()
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_full_config() {
        let config = Config::parse(
            "database_url = \"postgres://db.example/boxoffice\"\n[keys]\nquit = [\"ctrl-q\"]\n",
            "test",
        )
        .expect("valid config");
        assert_eq!(
            config.database_url.as_deref(),
            Some("postgres://db.example/boxoffice")
        );
        assert_eq!(config.keys["quit"], vec!["ctrl-q".to_string()]);
    }

    #[test]
    fn the_default_currency_is_read_upper_cased_and_checked() {
        let config = Config::parse("default_currency = \"usd\"\n", "test").expect("valid");
        assert_eq!(config.default_currency(), "USD");
        assert_eq!(Config::default().default_currency(), "EUR");
        let error = Config::parse("default_currency = \"euro\"", "config.toml").unwrap_err();
        assert!(error.to_string().contains("default_currency"), "{error}");
    }

    #[test]
    fn pool_sizes_and_the_replica_are_read_and_checked() {
        let config = Config::parse(
            "read_database_url = \"postgres://replica.example/boxoffice\"\npool_size = 16\nread_pool_size = 4\nreplica_max_lag_secs = 5\n",
            "test",
        )
        .expect("valid config");
        assert_eq!(config.pool_size, Some(16));
        assert_eq!(config.read_pool_size, Some(4));
        assert_eq!(config.replica_max_lag_secs, Some(5));
        let error = Config::parse("pool_size = 0", "config.toml").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("pool_size must be between 1 and 1000"),
            "{error}"
        );
        assert!(Config::parse("replica_max_lag_secs = 0", "c").is_err());
    }

    #[test]
    fn unknown_settings_are_refused() {
        let error = Config::parse("databse_url = \"x\"", "config.toml").unwrap_err();
        assert!(error.to_string().contains("databse_url"), "{error}");
    }

    #[test]
    fn a_missing_named_file_is_an_error() {
        let error = Config::load(Some(Path::new("/nonexistent/boxoffice.toml"))).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/boxoffice.toml"));
    }
}
