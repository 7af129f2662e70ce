//! The archive's `index.html`: `kube-patrol run` rewrites it after each run, one row per
//! archived report, newest first, with links that work when the directory is copied out or
//! served; an index that cannot be written never fails the run. The page is also opened in
//! headless Chromium at 600 px (`tests/support/chromium.py`, as tests/html_in_chromium.rs does;
//! `scripts/test-deps` installs it) and its screenshot kept in `target/test-output/html/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

const WEEK1: &str = "2025-12-26T10:00:00+08:00";
const WEEK2: &str = "2026-01-02T10:00:00+08:00";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A config with only `archive.dir`; the rest comes from flags.
struct Archive {
    dir: TempDir,
}

impl Archive {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "archive:\n  dir: {}\n",
            dir.path().join("reports").display()
        );
        std::fs::write(dir.path().join("config.yaml"), config).unwrap();
        Archive { dir }
    }

    fn reports(&self) -> PathBuf {
        self.dir.path().join("reports")
    }

    /// `kube-patrol run` on the shipped seed dump at `now`.
    fn run(&self, now: &str) -> Output {
        self.run_with(now, &[])
    }

    fn run_with(&self, now: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
            .arg("run")
            .arg("--config")
            .arg(self.dir.path().join("config.yaml"))
            .arg("--from-dump")
            .arg(repo("examples/seed-cluster.json"))
            .args(["-n", "pigo-dev,pigo-stg,pigo-rel", "--lang", "en"])
            .args(["--timezone", "Asia/Taipei", "--cluster-name", "PIGO 線下"])
            .args(["--now", now])
            .args(args)
            .env("RUST_LOG", "info")
            .output()
            .expect("run kube-patrol")
    }

    fn index(&self) -> String {
        std::fs::read_to_string(self.reports().join("index.html")).expect("index.html")
    }
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn succeeded(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
}

/// The page's body rows.
fn rows(html: &str) -> Vec<&str> {
    let body = html.split("<tbody>").nth(1).expect("a table body");
    body.split("<tr>").skip(1).collect()
}

/// Every `href="..."` of a piece of the page.
fn links(html: &str) -> Vec<&str> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect()
}

#[test]
fn two_runs_give_an_index_of_two_rows_newest_first_whose_links_all_open() {
    let archive = Archive::new();
    succeeded(&archive.run(WEEK1));
    let after_one = archive.index();
    succeeded(&archive.run(WEEK2));
    let html = archive.index();

    assert_eq!(rows(&after_one).len(), 1, "{after_one}");
    assert!(html.contains("<title>PIGO 線下: archived pod health reports</title>"));
    assert!(html.contains("2 reports, newest first. Times are in Asia/Taipei."));
    let rows = rows(&html);
    assert_eq!(rows.len(), 2, "{html}");
    for (row, date, stem) in [
        (
            rows[0],
            "2026-01-02<br>10:00",
            "kube-patrol-20260102T020000Z",
        ),
        (
            rows[1],
            "2025-12-26<br>10:00",
            "kube-patrol-20251226T020000Z",
        ),
    ] {
        assert!(row.contains(date), "{row}");
        assert!(row.contains("🟡 Needs attention"), "{row}");
        assert!(row.contains(">48</td>"), "{row}");
        let expected: Vec<String> = ["html", "md", "json"]
            .iter()
            .map(|ext| format!("{stem}.{ext}"))
            .collect();
        assert_eq!(links(row), expected, "{row}");
    }
    for link in links(&html) {
        let file = archive.reports().join(link);
        assert!(file.is_file(), "{link} does not open: {html}");
    }
}

#[test]
fn a_report_that_cannot_be_read_keeps_its_row_without_figures() {
    let archive = Archive::new();
    std::fs::create_dir_all(archive.reports()).unwrap();
    let corrupt = archive.reports().join("kube-patrol-20251219T020000Z.json");
    std::fs::write(&corrupt, "{\"generated_at\": \"2025-12-19T").unwrap();
    let out = archive.run(WEEK1);

    succeeded(&out);
    let html = archive.index();
    let rows = rows(&html);
    assert_eq!(rows.len(), 2, "{html}");
    assert!(rows[1].contains("2025-12-19<br>10:00"), "{}", rows[1]);
    assert!(rows[1].contains("JSON report unreadable"), "{}", rows[1]);
    assert_eq!(links(rows[1]), ["kube-patrol-20251219T020000Z.json"]);
    assert!(
        stderr(&out).contains(&format!(
            "cannot read the archived report {}",
            corrupt.display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_run_that_archived_only_its_json_is_in_the_index_with_that_link() {
    let archive = Archive::new();
    let templates = archive.dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    // Fails on this cluster only, not on the sample report tried before the cluster is read.
    std::fs::write(
        templates.join("report.md.tera"),
        "# {{ cluster }}\n{% if cluster == \"PIGO 線下\" %}{{ no_such_variable }}{% endif %}\n",
    )
    .unwrap();
    let out = archive.run_with(WEEK1, &["--templates", templates.to_str().unwrap()]);

    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let html = archive.index();
    let rows = rows(&html);
    assert_eq!(rows.len(), 1, "{html}");
    assert!(rows[0].contains("🟡 Needs attention"), "{}", rows[0]);
    assert_eq!(links(rows[0]), ["kube-patrol-20251226T020000Z.json"]);
}

#[test]
fn an_index_that_cannot_be_written_is_a_warning_and_the_run_succeeds() {
    let archive = Archive::new();
    // A directory where index.html goes: the page cannot replace it.
    std::fs::create_dir_all(archive.reports().join("index.html").join("occupied")).unwrap();
    let out = archive.run(WEEK1);

    succeeded(&out);
    let log = stderr(&out);
    let warning = log
        .lines()
        .find(|l| l.contains("the archive's index"))
        .unwrap_or_else(|| panic!("no warning about the index: {log}"));
    assert!(warning.contains("WARN"), "{warning}");
    assert!(
        warning.contains(&format!(
            "the archive's index {}/index.html was not updated",
            archive.reports().display()
        )),
        "{warning}"
    );
    assert!(archive.reports().join("latest.json").exists());
}

#[test]
fn the_index_fits_600_px_in_chromium_and_its_screenshot_is_kept() {
    let chromium = std::env::var_os("KUBE_PATROL_TEST_CHROMIUM")
        .map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    assert!(
        chromium.is_file(),
        "{} not found: run `scripts/test-deps`, which installs Chromium and the fonts",
        chromium.display()
    );
    let archive = Archive::new();
    succeeded(&archive.run(WEEK1));
    succeeded(&archive.run(WEEK2));
    let out = repo("target/test-output/html");
    std::fs::create_dir_all(&out).unwrap();
    let png = out.join("index-600.png");
    let _ = std::fs::remove_file(&png);
    let seen = open_in_chromium(&chromium, &archive.reports().join("index.html"), &png);

    let page = &seen["page"];
    for key in ["consoleErrors", "exceptions", "failedRequests"] {
        assert_eq!(seen[key], Value::Array(Vec::new()), "{key}: {seen}");
    }
    for key in ["documentScrollWidth", "bodyScrollWidth"] {
        let width = page[key].as_f64().expect(key);
        assert!(width <= 600.0, "{key} is {width} px at 600: {seen}");
    }
    for table in page["tables"].as_array().expect("tables") {
        assert!(table["right"].as_f64().unwrap() <= 600.0, "{table}");
    }
    assert_eq!(seen["uncoveredCharacters"], Value::Array(Vec::new()));
    let bytes = std::fs::read(&png).expect("the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", png.display());
}

/// What `tests/support/chromium.py` saw of `html` at 600 px, its screenshot saved as `png`.
fn open_in_chromium(chromium: &Path, html: &Path, png: &Path) -> Value {
    let driver = repo("tests/support/chromium.py");
    let output = Command::new("python3")
        .arg(&driver)
        .arg("--chromium")
        .arg(chromium)
        .arg("--page")
        .arg(html)
        .arg("600")
        .arg(png)
        .output()
        .expect("python3 (run `scripts/test-deps`)");
    assert!(output.status.success(), "{}", stderr(&output));
    let mut seen: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    seen.pop().expect("the page")
}
