//! Sharing the built-in server between processes on one machine.

use std::fs;
use std::path::PathBuf;

use crate::db::local_server::{LocalEndpoint, LocalServer};
use crate::error::LocalServerError;

/// Keeps the built-in server running while this process uses it. Every user of the server
/// holds a lease (a file named by its pid); when the last lease is dropped the
/// server is stopped, so two kiosks on one machine can share it and quitting one does not
/// pull the database from under the other.
#[derive(Debug)]
pub struct LocalServerLease {
    server: LocalServer,
    marker: PathBuf,
}

impl LocalServerLease {
    pub fn acquire(server: LocalServer) -> Result<(Self, LocalEndpoint), LocalServerError> {
        let _lock = server.lock()?;
        let clients = server.root.join("clients");
        fs::create_dir_all(&clients)
            .map_err(|e| LocalServerError::io(format!("creating {}", clients.display()), e))?;
        static LEASES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let serial = LEASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let marker = clients.join(format!("{}-{serial}", std::process::id()));
        fs::write(&marker, b"")
            .map_err(|e| LocalServerError::io(format!("writing {}", marker.display()), e))?;
        let lease = Self { server, marker };
        let endpoint = lease.server.ensure_running_locked()?;
        Ok((lease, endpoint))
    }

    pub fn server(&self) -> &LocalServer {
        &self.server
    }

    fn others_alive(&self) -> bool {
        let Ok(entries) = fs::read_dir(self.server.root.join("clients")) else {
            return false;
        };
        let mut alive = false;
        for entry in entries.flatten() {
            let path = entry.path();
            if path == self.marker {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name
                .split('-')
                .next()
                .and_then(|pid| pid.parse::<i32>().ok());
            // kill(pid, 0): ESRCH means no such process; EPERM means alive but not ours.
            let running = pid.is_some_and(|pid| {
                !matches!(
                    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None),
                    Err(nix::errno::Errno::ESRCH)
                )
            });
            if running {
                alive = true;
            } else {
                // A lease left by a process that died without cleaning up.
                let _ = fs::remove_file(&path);
            }
        }
        alive
    }
}

impl Drop for LocalServerLease {
    fn drop(&mut self) {
        let Ok(_lock) = self.server.lock() else {
            return;
        };
        let _ = fs::remove_file(&self.marker);
        if !self.others_alive()
            && let Err(error) = self.server.stop_locked()
        {
            tracing::warn!(%error, "stopping the built-in database");
        }
    }
}
