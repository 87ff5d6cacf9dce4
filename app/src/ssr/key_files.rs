//! Private key files in a server instance's key folder: written once, never over an existing file, readable
//! by the server's user only, and on disk before the key is used (a key lost in a crash after a VLE or a
//! verifier saw its public half would leave signatures no one can check again).

use std::path::Path;

/// Writes `der` to `path` as a new file, mode 0600 on Unix, flushed to disk.
pub fn write_private_key(path: &Path, der: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        file.write_all(der)?;
        file.sync_all()?;
    }
    #[cfg(not(unix))]
    std::fs::write(path, der)?;
    Ok(())
}
