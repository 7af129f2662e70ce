//! The archive directory: every run's report kept under its own name, a `latest` pointer and
//! retention, so a year of weekly reports stays on a volume without anyone cleaning it up.
//!
//! Layout of the directory:
//!
//! - `kube-patrol-20251226T020000Z.md`, `.html`, `.json`: one run (the files sharing a stem),
//!   named after the report's reference time in UTC; never overwritten — a second run in the
//!   same second is `kube-patrol-20251226T020000Z-2.*`, then `-3`...
//! - `latest.md`, `latest.html`, `latest.json`: symlinks to the files of the run just written
//!   (copies where the filesystem has no symlinks).
//! - `index.html`: a page listing every run, rewritten after each run ([`write_index`]).
//! - `.lock`: locked while a run writes, so two runs cannot interleave.
//!
//! Each file is written under a temporary name in the directory, synced, renamed, and the
//! directory is synced: a reader, or a crash, never sees half a report under a final name.
//! Files that do not match the naming pattern are never touched.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

#[cfg(test)]
mod tests;

const PREFIX: &str = "kube-patrol-";
/// The formats a run may archive: retention only recognizes these.
const EXTENSIONS: [&str; 3] = ["md", "html", "json"];
const LOCK_FILE: &str = ".lock";
/// The archive's index page; not a report's name, so retention and [`runs`] never see it.
pub const INDEX_FILE: &str = "index.html";
/// Temporary files start with a dot and this prefix, so no reader mistakes one for a report.
const TEMP_PREFIX: &str = ".kube-patrol-tmp-";
/// `20251226T020000Z`: sorts as time, and has no `:` (refused on some volumes).
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// Where to archive and how long to keep reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveSettings {
    pub dir: PathBuf,
    /// Keep at most this many runs (the newest); `None`: no limit by count.
    pub keep_count: Option<usize>,
    /// Remove runs older than this, measured from the new run's reference time; `None`: no limit
    /// by age.
    pub keep_for: Option<SignedDuration>,
    /// How long to wait for another run that holds the lock.
    pub lock_wait: Duration,
}

impl ArchiveSettings {
    /// A year of weekly reports (366 days, any count); wait 30 seconds for the lock.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ArchiveSettings {
            dir: dir.into(),
            keep_count: None,
            keep_for: Some(SignedDuration::from_hours(366 * 24)),
            lock_wait: Duration::from_secs(30),
        }
    }
}

/// What one run did to the archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The run's files, in the order given.
    pub paths: Vec<PathBuf>,
    /// Files of older runs removed by retention.
    pub removed: Vec<PathBuf>,
}

/// Why the archive could not be written or read; one line naming the path and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error(
        "archive directory {} does not exist and cannot be created: fix the path or create the directory",
        dir.display()
    )]
    CreateDir {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "archive directory {} is read-only: mount the volume read-write and let kube-patrol's user write to it",
        dir.display()
    )]
    ReadOnly {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "archive directory {} has no space left: free space on the volume or keep fewer reports",
        dir.display()
    )]
    Full {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "another kube-patrol run holds the archive lock at {} (waited {waited:?}): let it finish, then run again",
        lock.display()
    )]
    Locked { lock: PathBuf, waited: Duration },
    #[error("cannot {action} {}: check the archive directory", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot archive a .{0} file: only md, html and json are archived")]
    Extension(String),
}

/// Archives one run's files (`(extension, content)`, extension `md`, `html` or `json`) under
/// names from `generated_at`, points `latest.*` at them and applies retention.
///
/// # Errors
///
/// The directory cannot be created, is read-only or full, another run holds the lock, or a
/// write fails. A run whose files cannot all be written leaves none of them, and no temporary
/// file; `latest` then still points at the previous run.
pub fn store(
    settings: &ArchiveSettings,
    generated_at: Timestamp,
    files: &[(&str, &str)],
) -> Result<Stored, ArchiveError> {
    if let Some((ext, _)) = files.iter().find(|(ext, _)| !EXTENSIONS.contains(ext)) {
        return Err(ArchiveError::Extension((*ext).to_owned()));
    }
    if files.is_empty() {
        // Nothing to keep: leave `latest` and the older runs as they are.
        return Ok(Stored::default());
    }
    let dir = settings.dir.as_path();
    create_dir(dir)?;
    let _lock = lock(dir, settings.lock_wait)?;
    remove_stale_temps(dir);
    let existing = list(dir).map_err(|e| classify(dir, dir, "read", e))?;
    let run = free_run_id(generated_at, &existing);
    let paths = write_run(dir, run, files)?;
    sync_dir(dir)?;
    update_latest(dir, run, files)?;
    let removed = apply_retention(settings, generated_at, run, &existing);
    Ok(Stored { paths, removed })
}

/// Writes every file of the run, or none: when one fails, those already written are removed,
/// so the archive holds whole runs only (and a full volume gets its space back).
fn write_run(dir: &Path, run: RunId, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, ArchiveError> {
    let mut paths: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (ext, content) in files {
        let path = dir.join(run.file_name(ext));
        if let Err(e) = write_atomic(dir, &path, content.as_bytes()) {
            paths.iter().for_each(|p| drop(fs::remove_file(p)));
            return Err(e);
        }
        paths.push(path);
    }
    Ok(paths)
}

/// The newest archived JSON report and its text: call it before [`store`] to get the previous
/// run's report (for the trend). `None` when the directory is missing or holds no JSON report.
///
/// # Errors
///
/// The directory or the file cannot be read.
pub fn previous_json(dir: &Path) -> Result<Option<(PathBuf, String)>, ArchiveError> {
    let files = match list(dir) {
        Ok(files) => files,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(classify(dir, dir, "read", e)),
    };
    let Some(newest) = files
        .into_iter()
        .filter(|f| f.ext == "json")
        .max_by_key(|f| f.run)
    else {
        return Ok(None);
    };
    let text = fs::read_to_string(&newest.path).map_err(|source| ArchiveError::Io {
        action: "read the previous report",
        path: newest.path.clone(),
        source,
    })?;
    Ok(Some((newest.path, text)))
}

/// Replaces `index.html` in the archive directory with `html`, under the archive's lock and
/// atomically (a temporary file, synced, renamed; the directory synced): a reader sees the old
/// page or the new one, never half of one. Returns the page's path.
///
/// # Errors
///
/// The directory is missing, read-only or full, another run holds the lock past
/// `lock_wait`, or the write fails; the old page, if any, is then left as it was.
pub fn write_index(settings: &ArchiveSettings, html: &str) -> Result<PathBuf, ArchiveError> {
    let dir = settings.dir.as_path();
    let _lock = lock(dir, settings.lock_wait)?;
    let path = dir.join(INDEX_FILE);
    write_atomic(dir, &path, html.as_bytes())?;
    sync_dir(dir)?;
    Ok(path)
}

/// One archived run: the files sharing a stem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedRun {
    /// The reference time its names carry, to the second.
    pub at: Timestamp,
    /// `kube-patrol-20251226T020000Z` (or `...-2` for a second run in that second).
    pub stem: String,
    /// Its files by extension (`md`, `html`, `json`), in that order.
    pub files: Vec<(&'static str, PathBuf)>,
}

impl ArchivedRun {
    /// The file of one format, if the run wrote it.
    pub fn file(&self, ext: &str) -> Option<&Path> {
        self.files
            .iter()
            .find(|(e, _)| *e == ext)
            .map(|(_, path)| path.as_path())
    }
}

/// Every archived run, newest first; none when the directory does not exist.
///
/// # Errors
///
/// The directory cannot be read.
pub fn runs(dir: &Path) -> Result<Vec<ArchivedRun>, ArchiveError> {
    let mut files = match list(dir) {
        Ok(files) => files,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(classify(dir, dir, "read", e)),
    };
    files.sort_by_key(|f| std::cmp::Reverse(f.run));
    let mut runs: Vec<ArchivedRun> = Vec::new();
    for file in files {
        if runs.last().is_none_or(|r| r.stem != file.run.stem()) {
            runs.push(ArchivedRun {
                at: file.run.at,
                stem: file.run.stem(),
                files: Vec::new(),
            });
        }
        let ext = EXTENSIONS.into_iter().find(|e| *e == file.ext);
        if let (Some(run), Some(ext)) = (runs.last_mut(), ext) {
            run.files.push((ext, file.path));
        }
    }
    for run in &mut runs {
        run.files
            .sort_by_key(|(ext, _)| EXTENSIONS.iter().position(|e| e == ext));
    }
    Ok(runs)
}

/// One run: its reference time to the second and, for runs in the same second, its number
/// (1 for the first, which has no suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RunId {
    at: Timestamp,
    seq: u32,
}

impl RunId {
    fn stem(self) -> String {
        let stamp = self.at.strftime(STAMP);
        match self.seq {
            1 => format!("{PREFIX}{stamp}"),
            n => format!("{PREFIX}{stamp}-{n}"),
        }
    }

    fn file_name(self, ext: &str) -> String {
        format!("{}.{ext}", self.stem())
    }
}

/// A file of the archive that matches the naming pattern.
#[derive(Debug, Clone)]
struct ArchivedFile {
    run: RunId,
    ext: String,
    path: PathBuf,
}

/// The run and extension of a file named by [`RunId::file_name`]; `None` for any other name.
fn parse_name(name: &str) -> Option<(RunId, &str)> {
    let (stem, ext) = name.rsplit_once('.')?;
    let rest = stem.strip_prefix(PREFIX)?;
    if !EXTENSIONS.contains(&ext) {
        return None;
    }
    let (stamp, suffix) = rest.split_at_checked(16)?;
    let civil = DateTime::strptime("%Y%m%dT%H%M%S", stamp.strip_suffix('Z')?).ok()?;
    let at = TimeZone::UTC.to_timestamp(civil).ok()?;
    let seq = match suffix.strip_prefix('-') {
        None if suffix.is_empty() => 1,
        None => return None,
        Some(n) => n.parse().ok().filter(|n| *n >= 2)?,
    };
    let run = RunId { at, seq };
    // Only the exact form we write (no `-02`, no `+2`): a look-alike is someone else's file.
    (run.stem() == stem).then_some((run, ext))
}

/// Every file of the directory that matches the naming pattern.
fn list(dir: &Path) -> io::Result<Vec<ArchivedFile>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some((run, ext)) = name.to_str().and_then(parse_name) else {
            continue;
        };
        files.push(ArchivedFile {
            run,
            ext: ext.to_owned(),
            path: entry.path(),
        });
    }
    Ok(files)
}

/// The first run id of that second that no archived file uses, whatever its extension: a run
/// never shares a stem with an earlier one.
fn free_run_id(generated_at: Timestamp, existing: &[ArchivedFile]) -> RunId {
    let at = Timestamp::from_second(generated_at.as_second()).unwrap_or(generated_at);
    (1..)
        .map(|seq| RunId { at, seq })
        .find(|run| existing.iter().all(|f| f.run != *run))
        .expect("a free sequence number")
}

fn create_dir(dir: &Path) -> Result<(), ArchiveError> {
    fs::create_dir_all(dir).map_err(|source| match classify(dir, dir, "create", source) {
        ArchiveError::Io { source, .. } => ArchiveError::CreateDir {
            dir: dir.to_owned(),
            source,
        },
        other => other,
    })
}

/// An io error as the operator's fix: read-only and full volumes are named as such.
fn classify(dir: &Path, path: &Path, action: &'static str, source: io::Error) -> ArchiveError {
    let dir = dir.to_owned();
    match source.kind() {
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied => {
            ArchiveError::ReadOnly { dir, source }
        }
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            ArchiveError::Full { dir, source }
        }
        _ => ArchiveError::Io {
            action,
            path: path.to_owned(),
            source,
        },
    }
}

/// Locks `DIR/.lock`, waiting up to `wait` for another run to release it. The lock goes with
/// the returned file; the lock file itself stays (removing it would let two runs lock two
/// different files).
fn lock(dir: &Path, wait: Duration) -> Result<File, ArchiveError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| classify(dir, &path, "open the lock file", e))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(100).min(wait));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(ArchiveError::Locked {
                    lock: path,
                    waited: wait,
                });
            }
            Err(TryLockError::Error(e)) => return Err(classify(dir, &path, "lock", e)),
        }
    }
}

/// Temporary files of a run that was killed mid-write; safe to remove under the lock.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The temporary name of `target`, in the same directory so that the rename is atomic.
fn temp_path(dir: &Path, target: &Path) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    dir.join(format!("{TEMP_PREFIX}{}-{name}", std::process::id()))
}

/// Writes `content` to `target` through a synced temporary file and a rename; on failure the
/// temporary file is removed and `target` is untouched.
fn write_atomic(dir: &Path, target: &Path, content: &[u8]) -> Result<(), ArchiveError> {
    let temp = temp_path(dir, target);
    let written = write_synced(&temp, content).and_then(|()| fs::rename(&temp, target));
    written.map_err(|e| {
        let _ = fs::remove_file(&temp);
        classify(dir, target, "write", e)
    })
}

fn write_synced(path: &Path, content: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(content)?;
    file.sync_all()
}

/// Makes the renames durable: without it a crash may forget them though the data is on disk.
fn sync_dir(dir: &Path) -> Result<(), ArchiveError> {
    if cfg!(unix) {
        let synced = File::open(dir).and_then(|d| d.sync_all());
        match synced {
            // Some network and FUSE filesystems cannot sync a directory; their renames are as
            // durable as they get.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                ) => {}
            other => other.map_err(|e| classify(dir, dir, "sync", e))?,
        }
    }
    Ok(())
}

/// Points `latest.<ext>` at this run's file for each format it wrote, and removes the pointer
/// of a format it did not write, so that `latest.*` never mixes two runs.
fn update_latest(dir: &Path, run: RunId, files: &[(&str, &str)]) -> Result<(), ArchiveError> {
    for ext in EXTENSIONS {
        let latest = dir.join(format!("latest.{ext}"));
        match files.iter().find(|(e, _)| *e == ext) {
            Some((_, content)) => {
                point_latest(dir, &latest, &run.file_name(ext), content, symlink)?;
            }
            None => match fs::remove_file(&latest) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(classify(dir, &latest, "remove", e));
                }
                _ => {}
            },
        }
    }
    sync_dir(dir)
}

/// Replaces `latest` with a symlink to `target_name` (relative, so the directory can be
/// mounted anywhere), or with a copy of `content` where `link` fails (FAT, some SMB volumes).
fn point_latest(
    dir: &Path,
    latest: &Path,
    target_name: &str,
    content: &str,
    link: fn(&Path, &Path) -> io::Result<()>,
) -> Result<(), ArchiveError> {
    let temp = temp_path(dir, latest);
    if link(Path::new(target_name), &temp).is_err() {
        let _ = fs::remove_file(&temp);
        return write_atomic(dir, latest, content.as_bytes());
    }
    fs::rename(&temp, latest).map_err(|e| {
        let _ = fs::remove_file(&temp);
        classify(dir, latest, "update", e)
    })
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Removes the files of the runs that retention lets go. The report is already safe, so a
/// file that cannot be removed is a warning, not a failure: the next run tries again.
fn apply_retention(
    settings: &ArchiveSettings,
    now: Timestamp,
    current: RunId,
    existing: &[ArchivedFile],
) -> Vec<PathBuf> {
    let runs: Vec<RunId> = existing.iter().map(|f| f.run).collect();
    let doomed = runs_to_remove(settings, now, current, &runs);
    let mut removed = Vec::new();
    for file in existing.iter().filter(|f| doomed.contains(&f.run)) {
        match fs::remove_file(&file.path) {
            Ok(()) => removed.push(file.path.clone()),
            Err(e) => {
                tracing::warn!(path = %file.path.display(), error = %e, "cannot remove an old report")
            }
        }
    }
    removed.sort();
    removed
}

/// The runs older than `keep_for` (from `now`) or beyond the newest `keep_count`, counting the
/// current run, which is never removed.
fn runs_to_remove(
    settings: &ArchiveSettings,
    now: Timestamp,
    current: RunId,
    runs: &[RunId],
) -> Vec<RunId> {
    let mut runs: Vec<RunId> = runs.iter().copied().chain([current]).collect();
    runs.sort_unstable_by(|a, b| b.cmp(a));
    runs.dedup();
    let mut kept = 0;
    let mut doomed = Vec::new();
    for run in runs {
        let too_old = settings
            .keep_for
            .is_some_and(|keep| now.duration_since(run.at) > keep);
        let too_many = settings.keep_count.is_some_and(|keep| kept >= keep);
        if run != current && (too_old || too_many) {
            doomed.push(run);
        } else {
            kept += 1;
        }
    }
    doomed
}
