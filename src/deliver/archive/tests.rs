use std::fs;
use std::io;
use std::path::Path;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::*;

const ALL: [(&str, &str); 3] = [
    ("md", "# report"),
    ("html", "<h1>report</h1>"),
    ("json", "{}"),
];

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Unlimited retention, short lock wait: each test says what it keeps.
fn settings(dir: &Path) -> ArchiveSettings {
    ArchiveSettings {
        keep_count: None,
        keep_for: None,
        lock_wait: Duration::from_millis(300),
        ..ArchiveSettings::new(dir)
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run_json(dir: &Path, generated_at: &str, json: &str) -> Stored {
    store(&settings(dir), at(generated_at), &[("json", json)]).unwrap()
}

#[test]
fn two_runs_in_a_row_give_two_sets_of_files_and_latest_points_at_the_second() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    store(&settings(dir), at("2025-12-19T02:00:00Z"), &ALL).unwrap();
    let second = [
        ("md", "# second"),
        ("html", "<h1>second</h1>"),
        ("json", "{\"n\":2}"),
    ];
    let stored = store(&settings(dir), at("2025-12-26T02:00:00Z"), &second).unwrap();

    assert_eq!(
        names(dir),
        [
            ".lock",
            "kube-patrol-20251219T020000Z.html",
            "kube-patrol-20251219T020000Z.json",
            "kube-patrol-20251219T020000Z.md",
            "kube-patrol-20251226T020000Z.html",
            "kube-patrol-20251226T020000Z.json",
            "kube-patrol-20251226T020000Z.md",
            "latest.html",
            "latest.json",
            "latest.md",
        ]
    );
    assert_eq!(
        stored.paths,
        [
            dir.join("kube-patrol-20251226T020000Z.md"),
            dir.join("kube-patrol-20251226T020000Z.html"),
            dir.join("kube-patrol-20251226T020000Z.json"),
        ]
    );
    assert!(stored.removed.is_empty());
    let link = fs::read_link(dir.join("latest.md")).unwrap();
    assert_eq!(link, Path::new("kube-patrol-20251226T020000Z.md"));
    assert_eq!(
        fs::read_to_string(dir.join("latest.json")).unwrap(),
        "{\"n\":2}"
    );
}

#[test]
fn runs_in_the_same_second_never_overwrite_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_json(dir, "2025-12-26T02:00:00Z", "first");
    run_json(dir, "2025-12-26T02:00:00.400Z", "second");
    let third = run_json(dir, "2025-12-26T02:00:00.900Z", "third");

    let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap();
    assert_eq!(read("kube-patrol-20251226T020000Z.json"), "first");
    assert_eq!(read("kube-patrol-20251226T020000Z-2.json"), "second");
    assert_eq!(read("kube-patrol-20251226T020000Z-3.json"), "third");
    assert_eq!(
        third.paths,
        [dir.join("kube-patrol-20251226T020000Z-3.json")]
    );
    assert_eq!(read("latest.json"), "third");
}

#[test]
fn a_run_takes_a_new_stem_even_when_only_another_format_used_the_old_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    store(
        &settings(dir),
        at("2025-12-26T02:00:00Z"),
        &[("md", "# one")],
    )
    .unwrap();
    let stored = run_json(dir, "2025-12-26T02:00:00Z", "two");
    assert_eq!(
        stored.paths,
        [dir.join("kube-patrol-20251226T020000Z-2.json")]
    );
    // latest.md would otherwise point at the first run while latest.json points at the second.
    assert!(!dir.join("latest.md").exists());
}

#[test]
fn retention_by_count_removes_the_oldest_runs_and_leaves_foreign_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for day in ["01", "08", "15"] {
        store(
            &settings(dir),
            at(&format!("2025-12-{day}T02:00:00Z")),
            &ALL,
        )
        .unwrap();
    }
    let foreign = [
        "notes.txt",
        "kube-patrol-20250101T000000Z.txt",
        "kube-patrol-20250101T000000Z-02.md",
        "kube-patrol-2025-01-01.json",
        "report.json",
    ];
    foreign
        .iter()
        .for_each(|f| fs::write(dir.join(f), "mine").unwrap());

    let keep_two = ArchiveSettings {
        keep_count: Some(2),
        ..settings(dir)
    };
    let stored = store(&keep_two, at("2025-12-22T02:00:00Z"), &ALL).unwrap();

    let gone = |day: &str| {
        ["html", "json", "md"].map(|ext| dir.join(format!("kube-patrol-202512{day}T020000Z.{ext}")))
    };
    let mut expected: Vec<_> = gone("01").into_iter().chain(gone("08")).collect();
    expected.sort();
    assert_eq!(stored.removed, expected);
    let left = names(dir);
    assert!(left.contains(&"kube-patrol-20251215T020000Z.md".to_owned()));
    assert!(left.contains(&"kube-patrol-20251222T020000Z.md".to_owned()));
    assert!(foreign.iter().all(|f| left.contains(&f.to_string())));
}

#[test]
fn retention_by_age_removes_runs_older_than_keep_for_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for when in [
        "2024-12-01T02:00:00Z",
        "2024-12-27T02:00:00Z",
        "2025-06-01T02:00:00Z",
    ] {
        run_json(dir, when, "old");
    }
    let a_year = ArchiveSettings::new(dir);
    let stored = store(&a_year, at("2025-12-26T02:00:00Z"), &[("json", "new")]).unwrap();

    // 366 days before 2025-12-26T02:00Z is 2024-12-25T02:00Z: only the first run is older.
    assert_eq!(
        stored.removed,
        [dir.join("kube-patrol-20241201T020000Z.json")]
    );
    assert_eq!(
        names(dir)
            .iter()
            .filter(|n| n.starts_with("kube-patrol-"))
            .count(),
        3
    );
}

#[test]
fn the_run_just_written_is_kept_whatever_retention_says() {
    let settings = ArchiveSettings {
        keep_count: Some(1),
        keep_for: Some(SignedDuration::from_hours(24)),
        ..ArchiveSettings::new("unused")
    };
    let run = |text: &str, seq| RunId { at: at(text), seq };
    let newer = run("2025-12-26T02:00:00Z", 1);
    let replayed = run("2025-01-01T00:00:00Z", 1);
    let older = run("2024-12-01T00:00:00Z", 1);

    // A report replayed with an old --now: it is past keep_for and not the newest, yet kept.
    let doomed = runs_to_remove(
        &settings,
        at("2025-01-01T00:00:00Z"),
        replayed,
        &[newer, older],
    );
    assert_eq!(doomed, [older]);
}

#[test]
fn only_the_exact_naming_pattern_is_recognized() {
    let run =
        |name: &str| parse_name(name).map(|(r, ext)| (r.at.to_string(), r.seq, ext.to_owned()));
    assert_eq!(
        run("kube-patrol-20251226T020000Z.json"),
        Some(("2025-12-26T02:00:00Z".to_owned(), 1, "json".to_owned()))
    );
    assert_eq!(
        run("kube-patrol-20251226T020000Z-12.md"),
        Some(("2025-12-26T02:00:00Z".to_owned(), 12, "md".to_owned()))
    );
    for foreign in [
        "kube-patrol-20251226T020000Z.txt",
        "kube-patrol-20251226T020000Z-1.md",
        "kube-patrol-20251226T020000Z-02.md",
        "kube-patrol-20251226T020000Z-x.md",
        "kube-patrol-20251226T020000.md",
        "kube-patrol-20251326T020000Z.md",
        "kube-patrol-20251226T020000Z.md.bak",
        "latest.md",
        ".lock",
        "kube-patrol-é.md",
    ] {
        assert_eq!(run(foreign), None, "{foreign}");
    }
}

#[test]
fn a_held_lock_makes_a_second_store_fail_with_the_lock_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let held = lock(dir, Duration::ZERO).unwrap();

    let err = store(&settings(dir), at("2025-12-26T02:00:00Z"), &ALL).unwrap_err();
    assert!(matches!(err, ArchiveError::Locked { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "another kube-patrol run holds the archive lock at {}/.lock (waited 300ms): let it finish, then run again",
            dir.display()
        )
    );
    assert_eq!(names(dir), [".lock"]);
    drop(held);
    store(&settings(dir), at("2025-12-26T02:00:00Z"), &ALL).unwrap();
}

#[test]
fn a_store_waits_for_a_lock_released_within_the_wait() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let held = lock(&dir, Duration::ZERO).unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        drop(held);
    });
    let patient = ArchiveSettings {
        lock_wait: Duration::from_secs(10),
        ..settings(&dir)
    };
    store(&patient, at("2025-12-26T02:00:00Z"), &ALL).unwrap();
    release.join().unwrap();
}

/// As root (tests here run as root) a chmod 0555 directory is still writable, so the
/// end-to-end failure is a path that cannot be a directory; the read-only and full volumes
/// are checked through the error mapping below.
#[test]
fn a_directory_under_a_regular_file_cannot_be_created() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    fs::write(&file, "not a directory").unwrap();

    for dir in [file.join("archive"), file.clone()] {
        let err = store(&settings(&dir), at("2025-12-26T02:00:00Z"), &ALL).unwrap_err();
        assert!(matches!(err, ArchiveError::CreateDir { .. }), "{err:?}");
        assert!(
            crate::error::one_line(&err).starts_with(&format!(
                "archive directory {} does not exist and cannot be created: fix the path or create the directory: ",
                dir.display()
            )),
            "{err}"
        );
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "not a directory");
}

#[test]
fn read_only_and_full_volumes_are_named_with_their_fix() {
    let dir = Path::new("/var/lib/kube-patrol");
    let file = dir.join("x.json");
    let erofs = io::Error::from(io::ErrorKind::ReadOnlyFilesystem);
    let eacces = io::Error::from(io::ErrorKind::PermissionDenied);
    let enospc = io::Error::from(io::ErrorKind::StorageFull);
    let read_only = "archive directory /var/lib/kube-patrol is read-only: mount the volume read-write and let kube-patrol's user write to it";
    assert_eq!(classify(dir, &file, "write", erofs).to_string(), read_only);
    assert_eq!(classify(dir, &file, "write", eacces).to_string(), read_only);
    assert_eq!(
        classify(dir, &file, "write", enospc).to_string(),
        "archive directory /var/lib/kube-patrol has no space left: free space on the volume or keep fewer reports"
    );
    let other = classify(dir, &file, "write", io::Error::other("disk on fire"));
    assert_eq!(
        crate::error::one_line(&other),
        "cannot write /var/lib/kube-patrol/x.json: check the archive directory: disk on fire"
    );
}

#[test]
fn a_read_only_volume_while_creating_the_directory_is_said_as_read_only() {
    let dir = Path::new("/mnt/ro/archive");
    let e = io::Error::from(io::ErrorKind::ReadOnlyFilesystem);
    let mapped = match classify(dir, dir, "create", e) {
        ArchiveError::Io { source, .. } => ArchiveError::CreateDir {
            dir: dir.into(),
            source,
        },
        other => other,
    };
    assert!(matches!(mapped, ArchiveError::ReadOnly { .. }));
}

#[test]
fn a_failed_write_leaves_no_temporary_file_and_no_partial_pointer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A directory where latest.md goes: the rename over it fails.
    fs::create_dir_all(dir.join("latest.md").join("occupied")).unwrap();

    let err = store(&settings(dir), at("2025-12-26T02:00:00Z"), &ALL).unwrap_err();
    assert!(matches!(err, ArchiveError::Io { .. }), "{err:?}");
    let left = names(dir);
    assert!(left.iter().all(|n| !n.starts_with(TEMP_PREFIX)), "{left:?}");
    // The run's own files were complete before the pointer failed, and stay.
    assert!(left.contains(&"kube-patrol-20251226T020000Z.json".to_owned()));
}

#[test]
fn a_run_that_fails_midway_leaves_none_of_its_files_and_latest_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_json(dir, "2025-12-19T02:00:00Z", "previous");
    // A directory where the html file's temporary file goes: md is written, html fails.
    let blocker = temp_path(dir, &dir.join("kube-patrol-20251226T020000Z.html"));
    fs::create_dir(&blocker).unwrap();

    let err = store(&settings(dir), at("2025-12-26T02:00:00Z"), &ALL).unwrap_err();
    assert!(matches!(err, ArchiveError::Io { .. }), "{err:?}");
    fs::remove_dir(&blocker).unwrap();
    assert_eq!(
        names(dir),
        [".lock", "kube-patrol-20251219T020000Z.json", "latest.json"]
    );
    assert_eq!(
        fs::read_to_string(dir.join("latest.json")).unwrap(),
        "previous"
    );
}

#[test]
fn a_killed_runs_temporary_files_are_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join(".kube-patrol-tmp-999-kube-patrol-x.md"), "half").unwrap();
    run_json(dir, "2025-12-26T02:00:00Z", "{}");
    assert!(names(dir).iter().all(|n| !n.starts_with(TEMP_PREFIX)));
}

#[test]
fn latest_is_a_copy_where_symlinks_are_not_supported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let latest = dir.join("latest.md");
    let no_symlinks = |_: &Path, _: &Path| Err(io::ErrorKind::Unsupported.into());
    point_latest(
        dir,
        &latest,
        "kube-patrol-20251226T020000Z.md",
        "# copy",
        no_symlinks,
    )
    .unwrap();

    assert!(!fs::symlink_metadata(&latest).unwrap().is_symlink());
    assert_eq!(fs::read_to_string(&latest).unwrap(), "# copy");
    assert_eq!(names(dir), ["latest.md"]);
}

#[test]
fn an_unknown_extension_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    let err = store(
        &settings(&dir),
        at("2025-12-26T02:00:00Z"),
        &[("pdf", "%PDF")],
    )
    .unwrap_err();
    assert!(matches!(err, ArchiveError::Extension(ref e) if e == "pdf"));
    assert!(!dir.exists());
}

#[test]
fn the_previous_json_is_the_newest_archived_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert_eq!(previous_json(&dir.join("missing")).unwrap(), None);
    assert_eq!(previous_json(dir).unwrap(), None);

    run_json(dir, "2025-12-19T02:00:00Z", "older");
    run_json(dir, "2025-12-26T02:00:00Z", "newest");
    run_json(dir, "2025-12-12T02:00:00Z", "replayed");
    fs::write(dir.join("kube-patrol-20991231T000000Z.json.bak"), "foreign").unwrap();

    let (path, text) = previous_json(dir).unwrap().unwrap();
    assert_eq!(path, dir.join("kube-patrol-20251226T020000Z.json"));
    assert_eq!(text, "newest");
}

#[test]
fn the_previous_json_of_same_second_runs_is_the_last_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    (0..3).for_each(|i| {
        run_json(dir, "2025-12-26T02:00:00Z", &i.to_string());
    });
    assert_eq!(previous_json(dir).unwrap().unwrap().1, "2");
}

#[test]
fn the_index_replaces_the_old_one_through_a_temporary_file_it_removes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_json(dir, "2025-12-26T02:00:00Z", "{}");
    write_index(&settings(dir), "<p>first</p>").unwrap();
    let path = write_index(&settings(dir), "<p>second</p>").unwrap();

    assert_eq!(path, dir.join("index.html"));
    assert_eq!(fs::read_to_string(&path).unwrap(), "<p>second</p>");
    assert_eq!(
        names(dir),
        [
            ".lock",
            "index.html",
            "kube-patrol-20251226T020000Z.json",
            "latest.json"
        ]
    );
}

#[test]
fn the_index_is_not_a_run_and_retention_leaves_it_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keep_one = ArchiveSettings {
        keep_count: Some(1),
        ..settings(dir)
    };
    store(&keep_one, at("2025-12-19T02:00:00Z"), &ALL).unwrap();
    write_index(&keep_one, "<p>index</p>").unwrap();
    let stored = store(&keep_one, at("2025-12-26T02:00:00Z"), &ALL).unwrap();

    assert_eq!(parse_name(INDEX_FILE), None);
    assert_eq!(stored.removed.len(), 3, "{:?}", stored.removed);
    assert!(dir.join(INDEX_FILE).is_file());
    let stems: Vec<String> = runs(dir).unwrap().into_iter().map(|r| r.stem).collect();
    assert_eq!(stems, ["kube-patrol-20251226T020000Z"]);
}

#[test]
fn an_index_that_cannot_replace_the_old_one_leaves_no_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A directory where index.html goes: the rename over it fails.
    fs::create_dir_all(dir.join(INDEX_FILE).join("occupied")).unwrap();

    let err = write_index(&settings(dir), "<p>index</p>").unwrap_err();
    assert_eq!(
        crate::error::one_line(&err)
            .split(": check")
            .next()
            .unwrap(),
        format!("cannot write {}/index.html", dir.display())
    );
    assert_eq!(names(dir), [".lock", "index.html"]);
}

/// Set in the child process that [`an_index_in_a_read_only_directory_is_the_read_only_error`]
/// starts under a read-only mount: the directory to try.
const READ_ONLY_DIR: &str = "KUBE_PATROL_TEST_READ_ONLY_DIR";

/// Root writes through a chmod 0555 directory (tests here run as root): then this test runs
/// itself again in a private mount namespace where the directory is a read-only bind mount,
/// as tests/run_command.rs does for a whole run.
#[test]
fn an_index_in_a_read_only_directory_is_the_read_only_error() {
    if let Some(dir) = std::env::var_os(READ_ONLY_DIR) {
        return assert_index_is_refused_as_read_only(Path::new(&dir));
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join(LOCK_FILE), "").unwrap();
    let mode = |mode| {
        let mut permissions = fs::metadata(dir).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, mode);
        fs::set_permissions(dir, permissions).unwrap();
    };
    mode(0o555);
    if fs::write(dir.join("probe"), "").is_err() {
        assert_index_is_refused_as_read_only(dir);
        return mode(0o755);
    }
    fs::remove_file(dir.join("probe")).unwrap();
    let test = "deliver::archive::tests::an_index_in_a_read_only_directory_is_the_read_only_error";
    let script = "mount --bind \"$DIR\" \"$DIR\" && mount -o remount,bind,ro \"$DIR\" && \
                  exec \"$TESTS\" --exact \"$TEST\" --test-threads 1";
    let out = std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", script])
        .env(READ_ONLY_DIR, dir)
        .env("DIR", dir)
        .env("TESTS", std::env::current_exe().unwrap())
        .env("TEST", test)
        .output()
        .expect("unshare (util-linux) to make a read-only mount");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_index_is_refused_as_read_only(dir: &Path) {
    let err = write_index(&settings(dir), "<p>index</p>").unwrap_err();
    assert!(matches!(err, ArchiveError::ReadOnly { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "archive directory {} is read-only:",
            dir.display()
        )),
        "{err}"
    );
    assert!(!dir.join(INDEX_FILE).exists());
}
