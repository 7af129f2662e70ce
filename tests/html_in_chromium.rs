//! The HTML report in a real browser: headless Chromium opens the report of the seed dump (its
//! twelfth weekly report, so with the trend section and a history of 12 reports), in zh-TW and
//! in English, 600 px wide (a phone, a narrow mail pane: what email layouts are made for) and
//! 1200 px wide (a desktop), in the light and the dark colour scheme, and finds it loads
//! cleanly, fits, is drawn with real glyphs, and neither runs nor fetches anything.
//!
//! How: `tests/support/chromium.py` drives Chromium over the DevTools protocol on a pipe (Python
//! standard library only; its docstring says why this rather than the Chromium CLI) and reports
//! what it saw as JSON; the assertions are here. `scripts/test-deps` installs Chromium and the
//! fonts. Without Chromium every test here fails, saying to run it.
//!
//! The reports, screenshots (`report-<lang>-<width>[-dark].png`) and measurements
//! (`report-<lang>-<width>[-dark].json`) are kept in `target/test-output/html/` to be looked at.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

const CHROMIUM: &str = "/usr/bin/chromium";
const LANGS: [&str; 2] = ["zh-TW", "en"];
const WIDTHS: [u64; 2] = [600, 1200];
const NARROW: u64 = 600;
const DARK: [bool; 2] = [false, true];
/// Reports in the history: ten generated weekly reports, then the seed's two weekly runs.
const HISTORY: usize = 12;

/// One report opened at one width in one colour scheme, and what Chromium saw.
struct Page {
    lang: &'static str,
    width: u64,
    dark: bool,
    html: PathBuf,
    seen: Value,
}

impl Page {
    fn name(&self) -> String {
        let scheme = if self.dark { "-dark" } else { "" };
        format!("report-{}-{}{scheme}", self.lang, self.width)
    }

    fn page(&self, key: &str) -> &Value {
        &self.seen["page"][key]
    }

    fn list(&self, value: &Value) -> Vec<String> {
        let items = value
            .as_array()
            .unwrap_or_else(|| panic!("a list in {value}"));
        items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect()
    }

    fn number(&self, key: &str) -> f64 {
        let value = self.page(key);
        value
            .as_f64()
            .unwrap_or_else(|| panic!("{}: {key} is not a number: {value}", self.name()))
    }
}

fn output_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output/html")
}

fn chromium() -> PathBuf {
    std::env::var_os("KUBE_PATROL_TEST_CHROMIUM").map_or_else(|| CHROMIUM.into(), PathBuf::from)
}

/// Every report at every width, opened once for all the tests of this file.
fn pages() -> &'static [Page] {
    static PAGES: OnceLock<Result<Vec<Page>, String>> = OnceLock::new();
    match PAGES.get_or_init(open_every_report) {
        Ok(pages) => pages,
        Err(e) => panic!("{e}"),
    }
}

fn open_every_report() -> Result<Vec<Page>, String> {
    let chromium = chromium();
    if !chromium.is_file() {
        return Err(format!(
            "{} not found: run `scripts/test-deps`, which installs Chromium and the fonts these \
             tests need (scripts/test runs it)",
            chromium.display()
        ));
    }
    let out = output_dir();
    let mut wanted = Vec::new();
    let mut args = vec!["--chromium".into(), chromium.into_os_string()];
    for lang in LANGS {
        let html = write_report(lang, &out.join(lang))?;
        for width in WIDTHS {
            for dark in DARK {
                let scheme = if dark { "-dark" } else { "" };
                let png = out.join(format!("report-{lang}-{width}{scheme}.png"));
                let _ = std::fs::remove_file(&png);
                let viewport = if dark {
                    format!("{width}:dark")
                } else {
                    width.to_string()
                };
                args.extend(["--page".into(), html.clone().into(), viewport.into()]);
                args.push(png.into());
                wanted.push((lang, width, dark, html.clone()));
            }
        }
    }
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/chromium.py");
    let output = Command::new("python3")
        .arg(&driver)
        .args(&args)
        .output()
        .map_err(|e| {
            format!(
                "python3 {}: {e} (run `scripts/test-deps`)",
                driver.display()
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "{} failed:\n{}",
            driver.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let seen: Vec<Value> = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{} printed no JSON list: {e}", driver.display()))?;
    if seen.len() != wanted.len() {
        return Err(format!("{} pages asked, {} seen", wanted.len(), seen.len()));
    }
    let pages: Vec<Page> = wanted
        .into_iter()
        .zip(seen)
        .map(|((lang, width, dark, html), seen)| Page {
            lang,
            width,
            dark,
            html,
            seen,
        })
        .collect();
    for page in &pages {
        let json = serde_json::to_string_pretty(&page.seen).expect("JSON");
        std::fs::write(out.join(format!("{}.json", page.name())), json)
            .map_err(|e| format!("writing the measurements of {}: {e}", page.name()))?;
    }
    Ok(pages)
}

/// Ten generated weekly reports, then two weekly runs into an archive in `dir`, in `lang`: the
/// seed dump, then the seed a week later, so the page has every section of the seed, the
/// trend's tables and a history of [`HISTORY`] reports; the path of the last run's HTML.
fn write_report(lang: &str, dir: &Path) -> Result<PathBuf, String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("emptying {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let config = dir.join("kube-patrol.yaml");
    let archive = dir.join("reports");
    let text = format!(
        "cluster:\n  name: PIGO 線下\n  timezone: Asia/Taipei\nnamespaces:\n  include: [pigo-dev, pigo-stg, pigo-rel]\nreport:\n  lang: {lang}\narchive:\n  dir: {}\n",
        archive.display()
    );
    std::fs::write(&config, text).map_err(|e| format!("writing {}: {e}", config.display()))?;
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-cluster.json");
    earlier_weeks(&seed, &archive, HISTORY - 2)?;
    let mut later: Value = serde_json::from_str(&std::fs::read_to_string(&seed).unwrap()).unwrap();
    common::a_week_later(&mut later);
    let week2 = dir.join("week2.json");
    std::fs::write(&week2, later.to_string())
        .map_err(|e| format!("writing {}: {e}", week2.display()))?;
    for (dump, now) in [
        (&seed, "2025-12-26T10:00:00+08:00"),
        (&week2, "2026-01-02T10:00:00+08:00"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
            .args(["run", "--config"])
            .arg(&config)
            .arg("--from-dump")
            .arg(dump)
            .args(["--now", now])
            .env("NO_COLOR", "1")
            .output()
            .map_err(|e| format!("running kube-patrol: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "kube-patrol run --lang {lang} failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    let html = archive.join("kube-patrol-20260102T020000Z.html");
    if !html.is_file() {
        return Err(format!("kube-patrol wrote no {}", html.display()));
    }
    Ok(html)
}

/// `weeks` weekly JSON reports in the archive, the newest a week before the seed's first run:
/// the seed's report with its time moved back and its figures varied, as older runs of
/// kube-patrol would have left them.
fn earlier_weeks(seed: &Path, archive: &Path, weeks: usize) -> Result<(), String> {
    let output = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .args(["report", "-A", "-o", "json", "--from-dump"])
        .arg(seed)
        .args(["--now", "2025-12-26T10:00:00+08:00"])
        .output()
        .map_err(|e| format!("running kube-patrol: {e}"))?;
    let report: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("kube-patrol report -o json printed no JSON: {e}"))?;
    std::fs::create_dir_all(archive).map_err(|e| format!("creating {}: {e}", archive.display()))?;
    let first = jiff::Timestamp::from_second(1_766_714_400).expect("2025-12-26T02:00:00Z");
    for week in 1..=weeks {
        let at = first - jiff::SignedDuration::from_hours(7 * 24 * week as i64);
        let mut old = report.clone();
        let (attention, unhealthy) = ((week * 5) % 4, (week * 3) % 5);
        let summary = &mut old["summary"];
        summary["attention"] = attention.into();
        summary["unhealthy"] = unhealthy.into();
        summary["healthy"] = (48 - attention - unhealthy).into();
        summary["not_healthy"] = (attention + unhealthy).into();
        summary["restarts"] = (40 - 3 * week).into();
        summary["overall"] = match (attention, unhealthy) {
            (_, u) if u > 2 => "unhealthy",
            (0, 0) => "healthy",
            _ => "attention",
        }
        .into();
        old["generated_at"] = at.to_string().into();
        old["trend"] =
            serde_json::json!({"new_problems": vec![0; week % 3], "resolved": vec![0; week % 2]});
        let name = format!("kube-patrol-{}.json", at.strftime("%Y%m%dT%H%M%SZ"));
        std::fs::write(archive.join(&name), old.to_string())
            .map_err(|e| format!("writing {name}: {e}"))?;
    }
    Ok(())
}

/// Fails with every problem of every page, one page a paragraph, if any.
fn assert_none(what: &str, problems: impl Fn(&Page) -> Vec<String>) {
    let mut report = String::new();
    for page in pages() {
        let found = problems(page);
        if !found.is_empty() {
            let _ = writeln!(report, "{} ({}):", page.name(), page.html.display());
            for problem in found {
                let _ = writeln!(report, "  {problem}");
            }
        }
    }
    assert!(report.is_empty(), "{what}:\n{report}");
}

fn labelled(label: &str, items: Vec<String>) -> Vec<String> {
    items.into_iter().map(|i| format!("{label}: {i}")).collect()
}

#[test]
fn the_report_loads_without_console_errors_or_uncaught_exceptions() {
    assert_none("console errors", |page| {
        let mut found = labelled("console.error", page.list(&page.seen["consoleErrors"]));
        found.extend(labelled("exception", page.list(&page.seen["exceptions"])));
        found.extend(labelled("log", page.list(&page.seen["logErrors"])));
        found
    });
}

#[test]
fn the_report_requests_nothing_but_its_own_file() {
    assert_none("requests besides the report's own file", |page| {
        let url = page.seen["url"].as_str().expect("the page's URL");
        let mut found = labelled("failed", page.list(&page.seen["failedRequests"]));
        found.extend(labelled(
            "requested",
            page.list(&page.seen["requests"])
                .into_iter()
                .filter(|r| r != url)
                .collect(),
        ));
        found.extend(labelled("loaded", page.list(page.page("resourceTimings"))));
        found
    });
}

#[test]
fn no_table_is_wider_than_the_window_at_600_or_1200_px() {
    assert_none("wider than the window", |page| {
        let mut found = Vec::new();
        let window = page.number("innerWidth");
        assert_eq!(window, page.width as f64, "{}: the viewport", page.name());
        for table in page.page("tables").as_array().expect("tables") {
            let right = table["right"].as_f64().expect("a table's right edge");
            if right > window {
                found.push(format!(
                    "the table under {:?} ({} columns) ends at {right} px",
                    table["heading"], table["columns"]
                ));
            }
        }
        for key in ["documentScrollWidth", "bodyScrollWidth"] {
            let width = page.number(key);
            if width > window {
                found.push(format!("{key} is {width} px, the window {window} px"));
            }
        }
        for e in page.page("overflowing").as_array().expect("overflowing") {
            found.push(format!("past the edge: {e}"));
        }
        found
    });
    let narrow = pages().iter().filter(|p| p.width == NARROW).count();
    assert_eq!(
        narrow,
        LANGS.len() * DARK.len(),
        "every language and colour scheme measured at {NARROW} px"
    );
}

#[test]
fn text_stays_inside_its_table_cell_or_code_block() {
    assert_none("content wider than its box", |page| {
        let spilling = page.page("spilling").as_array().expect("spilling");
        spilling.iter().map(Value::to_string).collect()
    });
}

#[test]
fn the_page_has_no_script_and_no_external_resource() {
    assert_none("scripts or external resources", |page| {
        let mut found = Vec::new();
        for key in ["scripts", "noscripts"] {
            if page.number(key) != 0.0 {
                found.push(format!(
                    "{} <{}> elements",
                    page.page(key),
                    &key[..key.len() - 1]
                ));
            }
        }
        found.extend(labelled("handler", page.list(page.page("handlers"))));
        found.extend(labelled(
            "javascript: URL",
            page.list(page.page("javascriptUrls")),
        ));
        found.extend(labelled("resource", page.list(page.page("resources"))));
        // The file itself, as a mail client gets it, before any parsing.
        let html = std::fs::read_to_string(&page.html).expect("report.html");
        let lower = html.to_lowercase();
        for needle in [
            "<script", "<link", "<img", "<iframe", " src=", "url(", "@import",
        ] {
            if lower.contains(needle) {
                found.push(format!("report.html contains {needle:?}"));
            }
        }
        found
    });
}

#[test]
fn every_character_is_drawn_with_a_font_that_has_it() {
    assert_none("characters drawn as empty boxes", |page| {
        let mut found = labelled(
            "no installed font has",
            page.list(&page.seen["uncoveredCharacters"]),
        );
        let fonts = page.seen["fonts"].as_object().expect("fonts");
        let text = page.page("text").as_str().expect("the page's text");
        let used = |part: &str| fonts.keys().any(|f| f.contains(part));
        if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) && !used("CJK") {
            found.push(format!("Chinese text but no CJK font among {fonts:?}"));
        }
        if text.chars().any(|c| c >= '\u{1f300}') && !used("Emoji") {
            found.push(format!("emoji but no emoji font among {fonts:?}"));
        }
        found
    });
}

#[test]
fn the_page_says_the_language_of_the_report() {
    assert_none("the page's language", |page| {
        let lang = page.page("lang").as_str().unwrap_or_default();
        if lang == page.lang {
            Vec::new()
        } else {
            vec![format!(
                "<html lang={lang:?}>, the report is in {}",
                page.lang
            )]
        }
    });
}

#[test]
fn a_full_page_screenshot_is_kept_for_each_language_and_width() {
    assert_none("screenshots", |page| {
        let png = output_dir().join(format!("{}.png", page.name()));
        let bytes = match std::fs::read(&png) {
            Ok(bytes) => bytes,
            Err(e) => return vec![format!("{}: {e}", png.display())],
        };
        if bytes.len() < 24 || !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return vec![format!("{} is not a PNG", png.display())];
        }
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        let tall = page.number("documentScrollHeight");
        let mut found = Vec::new();
        if u64::from(width) != page.width {
            found.push(format!("{}: {width} px wide", png.display()));
        }
        if f64::from(height) < tall.min(30000.0) {
            found.push(format!(
                "{}: {height} px tall, the page {tall}",
                png.display()
            ));
        }
        found
    });
}

#[test]
fn the_page_has_the_trend_section_of_a_second_weekly_run() {
    for page in pages() {
        let html = std::fs::read_to_string(&page.html).expect("report.html");
        let heading = if page.lang == "en" {
            "Since the last report"
        } else {
            "與上次巡檢比較"
        };
        assert!(html.contains(heading), "{}: no {heading:?}", page.name());
        assert!(
            html.contains("game-api-7688f98587-knrxz"),
            "{}",
            page.name()
        );
    }
}

#[test]
fn the_page_opens_with_the_glance_and_has_a_history_of_12_reports() {
    for page in pages() {
        let html = std::fs::read_to_string(&page.html).expect("report.html");
        let glance = html.find("kp-tile").expect("the glance's tiles");
        let title = html.find("<h1>").expect("the report's title");
        assert!(glance < title, "{}: the glance comes first", page.name());
        let history = if page.lang == "en" {
            "📅 History"
        } else {
            "📅 歷史紀錄"
        };
        let section = html
            .split(history)
            .nth(1)
            .unwrap_or_else(|| panic!("{}: no {history:?}", page.name()));
        let table = section.split("</table>").next().unwrap();
        let rows = table.matches("<tr>").count() - 1;
        assert_eq!(rows, HISTORY, "{}: rows of the history", page.name());
        for date in ["2026-01-02", "2025-12-26", "2025-10-17"] {
            assert!(
                table.contains(date),
                "{}: {date} in the history",
                page.name()
            );
        }
        assert!(table.contains('█'), "{}: the history's bars", page.name());
    }
}

#[test]
fn the_dark_scheme_draws_light_text_on_a_dark_page_and_the_light_one_the_reverse() {
    assert_none("colour scheme", |page| {
        let (background, color) = (page.page("bodyBackground"), page.page("bodyColor"));
        let (want_background, want_color) = if page.dark {
            ("rgb(13, 17, 23)", "rgb(230, 237, 243)")
        } else {
            ("rgb(255, 255, 255)", "rgb(31, 35, 40)")
        };
        if background == want_background && color == want_color {
            Vec::new()
        } else {
            vec![format!("background {background}, text {color}")]
        }
    });
}
