//! The built-in PostgreSQL server used when no `DATABASE_URL` is given.
//!
//! We drive the PostgreSQL server binaries installed on the machine (`initdb`, `pg_ctl`)
//! directly rather than through a crate. We looked at `postgresql_embedded`: it downloads
//! server builds from the network by default, and its system-binaries mode still assumes the
//! server may run as the current user, so it fails as root. `pgtemp` makes throw-away clusters
//! only, and also cannot run as root. Neither keeps one private cluster in the user's data
//! directory between runs, which is what the product needs, and what remains (three
//! commands and a lock file) is small.
//!
//! The cluster listens on a Unix socket only, in a directory only its owner can enter, with
//! trust authentication: the socket's permissions are the access control. PostgreSQL refuses
//! to run as root, so when we are root the server runs as an unprivileged user (`postgres`,
//! or `BOXOFFICE_PG_USER`), the "run as user" approach of embedded-Postgres libraries.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{Uid, User};

use crate::error::LocalServerError;

mod lease;
mod standby;
pub use lease::LocalServerLease;

/// The PostgreSQL role and database the built-in server is set up with.
pub const LOCAL_ROLE: &str = "boxoffice";
pub const LOCAL_DATABASE: &str = "boxoffice";
/// Longest Unix socket path the kernel accepts (sun_path is 108 bytes with the NUL).
const MAX_SOCKET_PATH: usize = 107;
const SOCKET_FILE: &str = ".s.PGSQL.5432";

/// Who runs the server processes: ourselves, or (when we are root) a service user.
#[derive(Debug, Clone)]
struct ServiceUser {
    uid: u32,
    gid: u32,
    name: String,
}

/// A private PostgreSQL cluster in a data directory of ours.
#[derive(Debug)]
pub struct LocalServer {
    bin_dir: PathBuf,
    root: PathBuf,
    service_user: Option<ServiceUser>,
}

/// Where the running server can be reached.
#[derive(Debug, Clone)]
pub struct LocalEndpoint {
    pub socket_dir: PathBuf,
    /// True when this call initialised a new cluster (the caller loads the demo data).
    pub freshly_created: bool,
}

impl LocalServer {
    /// Finds the server binaries and decides who runs the server. `root` is the folder the
    /// cluster, its socket and its log live in.
    pub fn new(root: PathBuf) -> Result<Self, LocalServerError> {
        Self::with_binaries(root, find_bin_dir())
    }

    /// As `new`, with the binaries' folder given (None: none were found).
    pub fn with_binaries(
        root: PathBuf,
        bin_dir: Option<PathBuf>,
    ) -> Result<Self, LocalServerError> {
        let bin_dir = bin_dir.ok_or(LocalServerError::BinariesNotFound)?;
        let service_user = if Uid::effective().is_root() {
            let name = std::env::var("BOXOFFICE_PG_USER").unwrap_or_else(|_| "postgres".into());
            let user = User::from_name(&name)
                .ok()
                .flatten()
                .ok_or_else(|| LocalServerError::NoServiceUser(name.clone()))?;
            Some(ServiceUser {
                uid: user.uid.as_raw(),
                gid: user.gid.as_raw(),
                name,
            })
        } else {
            None
        };
        Ok(Self {
            bin_dir,
            root,
            service_user,
        })
    }

    /// The default home of the built-in database: `BOXOFFICE_DATA_DIR`, else the user's data
    /// directory.
    pub fn default_root() -> Result<PathBuf, LocalServerError> {
        if let Some(dir) = std::env::var_os("BOXOFFICE_DATA_DIR") {
            return Ok(PathBuf::from(dir).join("postgres"));
        }
        directories::ProjectDirs::from("", "", "boxoffice")
            .map(|dirs| dirs.data_dir().join("postgres"))
            .ok_or(LocalServerError::NoDataDir)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.data_dir().join("server.log")
    }

    /// The socket folder: beside the data unless that path is too long for a Unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        let beside = self.root.join("socket");
        if beside.join(SOCKET_FILE).as_os_str().len() <= MAX_SOCKET_PATH {
            return beside;
        }
        let uid = Uid::effective().as_raw();
        std::env::temp_dir().join(format!("boxoffice-{uid}-{}", short_hash(&self.root)))
    }

    /// Creates the cluster if needed and starts the server if it is not running. Safe to call
    /// from several processes at once: a lock file serialises them.
    pub fn ensure_running(&self) -> Result<LocalEndpoint, LocalServerError> {
        let _lock = self.lock()?;
        self.ensure_running_locked()
    }

    fn ensure_running_locked(&self) -> Result<LocalEndpoint, LocalServerError> {
        let socket_dir = self.socket_dir();
        self.prepare_dir(&socket_dir)?;
        let mut freshly_created = false;
        if !self.data_dir().join("PG_VERSION").exists() {
            self.init_cluster()?;
            freshly_created = true;
        }
        self.check_version()?;
        if !self.is_running()? {
            self.write_settings(&socket_dir)?;
            self.run_pg_ctl(&[
                "start",
                "-w",
                "-t",
                "60",
                "-s",
                "-D",
                path_str(&self.data_dir())?,
                "-l",
                path_str(&self.log_file())?,
            ])?;
        }
        Ok(LocalEndpoint {
            socket_dir,
            freshly_created,
        })
    }

    /// Stops the server (fast shutdown: clients are disconnected, data is flushed).
    pub fn stop(&self) -> Result<(), LocalServerError> {
        let _lock = self.lock()?;
        self.stop_locked()
    }

    fn stop_locked(&self) -> Result<(), LocalServerError> {
        if self.is_running()? {
            self.run_pg_ctl(&[
                "stop",
                "-w",
                "-s",
                "-m",
                "fast",
                "-D",
                path_str(&self.data_dir())?,
            ])?;
        }
        Ok(())
    }

    pub fn is_running(&self) -> Result<bool, LocalServerError> {
        if !self.data_dir().join("PG_VERSION").exists() {
            return Ok(false);
        }
        let output = self
            .command("pg_ctl")
            .args(["status", "-D"])
            .arg(self.data_dir())
            .output()
            .map_err(|e| LocalServerError::io("running pg_ctl status", e))?;
        // pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
        Ok(output.status.success())
    }

    fn lock(&self) -> Result<Flock<fs::File>, LocalServerError> {
        fs::create_dir_all(&self.root)
            .map_err(|e| LocalServerError::io(format!("creating {}", self.root.display()), e))?;
        let path = self.root.join("lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| LocalServerError::io(format!("opening {}", path.display()), e))?;
        Flock::lock(file, FlockArg::LockExclusive)
            .map_err(|(_, errno)| LocalServerError::io("locking the data directory", errno.into()))
    }

    /// Makes `dir` exist, owned by whoever runs the server, private to it, and reachable.
    fn prepare_dir(&self, dir: &Path) -> Result<(), LocalServerError> {
        fs::create_dir_all(dir)
            .map_err(|e| LocalServerError::io(format!("creating {}", dir.display()), e))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| LocalServerError::io(format!("securing {}", dir.display()), e))?;
        if let Some(user) = &self.service_user {
            chown(dir, user)?;
            grant_traversal(dir, user)?;
        }
        Ok(())
    }

    fn init_cluster(&self) -> Result<(), LocalServerError> {
        let data_dir = self.data_dir();
        if data_dir.exists() {
            // A half-made cluster from an interrupted first run: initdb wants an empty folder.
            fs::remove_dir_all(&data_dir)
                .map_err(|e| LocalServerError::io(format!("clearing {}", data_dir.display()), e))?;
        }
        self.prepare_dir(&data_dir)?;
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(&data_dir)
            .args([
                "-U",
                LOCAL_ROLE,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-instructions",
            ])
            .output()
            .map_err(|e| LocalServerError::io("running initdb", e))?;
        if !output.status.success() {
            return Err(LocalServerError::CommandFailed {
                command: "initdb".into(),
                output: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
        let conf = data_dir.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf)
            .map_err(|e| LocalServerError::io(format!("reading {}", conf.display()), e))?;
        text.push_str("\ninclude_if_exists = 'boxoffice.conf'\n");
        fs::write(&conf, text)
            .map_err(|e| LocalServerError::io(format!("writing {}", conf.display()), e))?;
        Ok(())
    }

    /// Settings that may change between runs (the socket folder) are written at each start.
    fn write_settings(&self, socket_dir: &Path) -> Result<(), LocalServerError> {
        let path = self.data_dir().join("boxoffice.conf");
        let socket = path_str(socket_dir)?.replace('\'', "''");
        let settings = format!(
            "# Written by boxoffice at each start.\n\
             listen_addresses = ''\n\
             unix_socket_directories = '{socket}'\n\
             unix_socket_permissions = 0700\n\
             fsync = on\n\
             max_connections = 100\n\
             shared_buffers = 128MB\n"
        );
        fs::write(&path, settings)
            .map_err(|e| LocalServerError::io(format!("writing {}", path.display()), e))?;
        if let Some(user) = &self.service_user {
            chown(&path, user)?;
        }
        Ok(())
    }

    fn check_version(&self) -> Result<(), LocalServerError> {
        let data_version = fs::read_to_string(self.data_dir().join("PG_VERSION"))
            .map_err(|e| LocalServerError::io("reading PG_VERSION", e))?
            .trim()
            .to_string();
        let output = Command::new(self.bin_dir.join("postgres"))
            .arg("--version")
            .output()
            .map_err(|e| LocalServerError::io("running postgres --version", e))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let binary_version = major_version(&text).unwrap_or_default();
        if binary_version != data_version {
            return Err(LocalServerError::VersionMismatch {
                data_dir: self.data_dir(),
                data_version,
                bin_dir: self.bin_dir.clone(),
                binary_version,
            });
        }
        Ok(())
    }

    fn run_pg_ctl(&self, args: &[&str]) -> Result<(), LocalServerError> {
        let output = self
            .command("pg_ctl")
            .args(args)
            .output()
            .map_err(|e| LocalServerError::io("running pg_ctl", e))?;
        if output.status.success() {
            return Ok(());
        }
        let log = fs::read_to_string(self.log_file()).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        Err(LocalServerError::CommandFailed {
            command: format!("pg_ctl {}", args.first().copied().unwrap_or_default()),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stderr),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ),
        })
    }

    /// A command for one of the server binaries, run as the service user when we are root.
    fn command(&self, binary: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(binary));
        command.current_dir(&self.root).env_remove("PGDATA");
        if let Some(user) = &self.service_user {
            command.uid(user.uid).gid(user.gid).env("USER", &user.name);
        }
        command
    }
}

/// Where the server binaries are: `BOXOFFICE_PG_BIN`, `pg_config --bindir`, the newest
/// `/usr/lib/postgresql/*/bin` (Debian), or the folder of `initdb` on the PATH.
pub fn find_bin_dir() -> Option<PathBuf> {
    let has_server = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Some(dir) = std::env::var_os("BOXOFFICE_PG_BIN") {
        let dir = PathBuf::from(dir);
        return has_server(&dir).then_some(dir);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let mut debian: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    debian.sort();
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    from_pg_config
        .into_iter()
        .chain(debian.into_iter().rev().map(|(_, dir)| dir))
        .chain(on_path)
        .find(|dir| has_server(dir))
}

fn major_version(version_output: &str) -> Option<String> {
    // "postgres (PostgreSQL) 15.19 (Debian ...)" -> "15"
    let number = version_output
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    number.split('.').next().map(str::to_string)
}

fn path_str(path: &Path) -> Result<&str, LocalServerError> {
    path.to_str().ok_or_else(|| {
        LocalServerError::io(
            format!("{} is not valid UTF-8", path.display()),
            std::io::Error::from(std::io::ErrorKind::InvalidInput),
        )
    })
}

fn chown(path: &Path, user: &ServiceUser) -> Result<(), LocalServerError> {
    std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).map_err(|e| {
        LocalServerError::io(format!("handing {} to {}", path.display(), user.name), e)
    })
}

/// The service user must be able to walk down to its folders. Where an ancestor keeps it
/// out (root's home is 0700), we add search permission for others (x, never r): names in
/// those folders stay unlistable, and nothing else changes.
fn grant_traversal(dir: &Path, user: &ServiceUser) -> Result<(), LocalServerError> {
    for ancestor in dir.ancestors().skip(1) {
        let meta = fs::metadata(ancestor)
            .map_err(|e| LocalServerError::io(format!("reading {}", ancestor.display()), e))?;
        let mode = meta.mode();
        let reachable = (meta.uid() == user.uid && mode & 0o100 != 0)
            || (meta.gid() == user.gid && mode & 0o010 != 0)
            || mode & 0o001 != 0;
        if !reachable {
            tracing::info!(folder = %ancestor.display(), "adding o+x so {} can reach the data", user.name);
            fs::set_permissions(
                ancestor,
                fs::Permissions::from_mode((mode & 0o7777) | 0o001),
            )
            .map_err(|e| {
                LocalServerError::io(
                    format!("opening {} to {}", ancestor.display(), user.name),
                    e,
                )
            })?;
        }
    }
    Ok(())
}

fn short_hash(path: &Path) -> String {
    // FNV-1a: a stable, dependency-free name for the fallback socket folder.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in path.as_os_str().as_encoded_bytes() {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_major_version() {
        assert_eq!(
            major_version("postgres (PostgreSQL) 15.19 (Debian 15.19-0+deb12u1)"),
            Some("15".into())
        );
        assert_eq!(
            major_version("postgres (PostgreSQL) 9.6.1"),
            Some("9".into())
        );
    }

    #[test]
    fn long_roots_fall_back_to_a_short_socket_folder() {
        let server = LocalServer {
            bin_dir: PathBuf::new(),
            root: PathBuf::from(format!("/{}", "x".repeat(150))),
            service_user: None,
        };
        let socket = server.socket_dir().join(SOCKET_FILE);
        assert!(
            socket.as_os_str().len() <= MAX_SOCKET_PATH,
            "{}",
            socket.display()
        );
        let short = LocalServer {
            root: PathBuf::from("/srv/bo"),
            ..server
        };
        assert_eq!(short.socket_dir(), PathBuf::from("/srv/bo/socket"));
    }
}
