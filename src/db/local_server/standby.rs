//! A streaming replica of a built-in server: `pg_basebackup` of the running primary, started
//! as a hot standby in a folder of its own. The tests of read replicas and the replica
//! benchmark use it; docs/deploy.md shows the same steps for real machines.

use std::fs;
use std::time::Duration;

use crate::db::local_server::{LOCAL_ROLE, LocalEndpoint, LocalServer};
use crate::error::LocalServerError;

impl LocalServer {
    /// Makes this server a streaming replica of `primary` (which must be running) and starts
    /// it. `apply_delay` holds each commit back that long before the replica shows it
    /// (`recovery_min_apply_delay`), to make lag certain in tests.
    pub fn start_as_replica_of(
        &self,
        primary: &LocalServer,
        apply_delay: Duration,
    ) -> Result<LocalEndpoint, LocalServerError> {
        let _lock = self.lock()?;
        if !self.data_dir().join("PG_VERSION").exists() {
            let data_dir = self.data_dir();
            if data_dir.exists() {
                fs::remove_dir_all(&data_dir).map_err(|e| {
                    LocalServerError::io(format!("clearing {}", data_dir.display()), e)
                })?;
            }
            self.prepare_dir(&data_dir)?;
            let output = self
                .command("pg_basebackup")
                .arg("-D")
                .arg(&data_dir)
                .args(["-R", "-X", "stream", "-c", "fast", "-U", LOCAL_ROLE, "-h"])
                .arg(primary.socket_dir())
                .output()
                .map_err(|e| LocalServerError::io("running pg_basebackup", e))?;
            if !output.status.success() {
                return Err(LocalServerError::CommandFailed {
                    command: "pg_basebackup".into(),
                    output: String::from_utf8_lossy(&output.stderr).into_owned(),
                });
            }
            // The primary's log came along with its data folder: start this one's afresh.
            let _ = fs::remove_file(self.log_file());
            let auto_conf = data_dir.join("postgresql.auto.conf");
            let mut settings = fs::read_to_string(&auto_conf)
                .map_err(|e| LocalServerError::io(format!("reading {}", auto_conf.display()), e))?;
            settings.push_str(&format!(
                "recovery_min_apply_delay = '{}ms'\nhot_standby = on\n",
                apply_delay.as_millis()
            ));
            fs::write(&auto_conf, settings)
                .map_err(|e| LocalServerError::io(format!("writing {}", auto_conf.display()), e))?;
        }
        self.ensure_running_locked()
    }
}
