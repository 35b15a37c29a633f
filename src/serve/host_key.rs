//! The server's host key: an Ed25519 key made once in the data directory (mode 0600) and used
//! from then on, so clients that trusted it keep trusting the server. A key file that exists
//! but cannot be read stops the server: a fresh key would look like an impostor to them.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use russh::keys::ssh_key::LineEnding;
use russh::keys::{Algorithm, HashAlg, PrivateKey};

use crate::error::SetupError;

/// Where the host key lives: beside the built-in database, in the data directory.
pub fn default_path() -> Result<PathBuf, SetupError> {
    let postgres = crate::db::local_server::LocalServer::default_root()
        .map_err(|error| SetupError::Invalid(error.to_string()))?;
    let data_dir = postgres.parent().map(Path::to_path_buf).unwrap_or(postgres);
    Ok(data_dir.join("ssh_host_ed25519_key"))
}

/// The key at `path`, made there first if there is none.
pub fn load_or_create(path: &Path) -> Result<PrivateKey, SetupError> {
    match std::fs::read_to_string(path) {
        Ok(text) => PrivateKey::from_openssh(text.trim()).map_err(|error| {
            SetupError::Invalid(format!(
                "the host key {} cannot be read ({error}); restore it from a backup, or remove \
                 it to make a new one (clients will then warn that the host key changed)",
                path.display()
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(error) => Err(SetupError::Invalid(format!(
            "the host key {} cannot be read ({error}); check its owner and mode (0600)",
            path.display()
        ))),
    }
}

fn create(path: &Path) -> Result<PrivateKey, SetupError> {
    let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519)
        .map_err(|error| SetupError::Invalid(format!("making a host key: {error}")))?;
    let text = key
        .to_openssh(LineEnding::LF)
        .map_err(|error| SetupError::Invalid(format!("writing the host key: {error}")))?;
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|error| {
            SetupError::Invalid(format!("creating {}: {error}", folder.display()))
        })?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|error| {
            SetupError::Invalid(format!("writing the host key {}: {error}", path.display()))
        })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|error| {
            SetupError::Invalid(format!("writing the host key {}: {error}", path.display()))
        })?;
    tracing::info!(path = %path.display(), "serve: made a new host key");
    Ok(key)
}

/// `SHA256:…`, as `ssh` shows it when it first meets the server.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_with_mode_0600_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let folder = std::env::temp_dir().join(format!("bo-hostkey-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let path = folder.join("ssh_host_ed25519_key");
        let first = load_or_create(&path).expect("made");
        let mode = std::fs::metadata(&path)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = load_or_create(&path).expect("read back");
        assert_eq!(fingerprint(&first), fingerprint(&again));
        std::fs::write(&path, "not a key").expect("spoiled");
        let error = load_or_create(&path).unwrap_err().to_string();
        assert!(error.contains("cannot be read"), "{error}");
        let _ = std::fs::remove_dir_all(&folder);
    }
}
