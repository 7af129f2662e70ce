//! The metrics as a file for node-exporter's textfile collector (`run --metrics-file`),
//! written atomically: a temporary file in the same directory, then renamed over the old one,
//! so the collector never reads half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the file was not written.
#[derive(Debug, thiserror::Error)]
#[error("failed to write the metrics file {}", path.display())]
pub struct TextfileError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Replaces `path` with `metrics`.
///
/// # Errors
/// [`TextfileError`] when the directory is missing or not writable; the old file stays.
pub fn write(path: &Path, metrics: &str) -> Result<(), TextfileError> {
    let error = |source| TextfileError {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        error(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file name",
        ))
    })?;
    // node-exporter reads `*.prom` only: the temporary name does not end so.
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(metrics.as_bytes())?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kube_patrol.prom");
        std::fs::write(&path, "old").unwrap();
        write(&path, "new 1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new 1\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_file() {
        let error = write(Path::new("/nonexistent/dir/k.prom"), "x").unwrap_err();
        assert!(error.to_string().contains("/nonexistent/dir/k.prom"));
    }
}
