//! The whole report of the seed dump, as people get it, compared with snapshots kept in
//! `tests/snapshots/`: the Markdown and the HTML, in zh-TW and English, at a fixed time and
//! zone. Any change of wording, layout, escaping or column widths shows up in review as a diff
//! of these files.
//!
//! To accept an intended change: `INSTA_UPDATE=always cargo test --test report_snapshots` (or
//! `cargo insta review`), then read the diff before committing it. On CI (`CI=true`) insta
//! writes nothing and a difference fails.

use std::process::Command;

/// Runs the binary on the seed dump, away from whatever config or templates the environment
/// of the test names, so the snapshot depends only on the source.
fn seed_report(lang: &str, format: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "--from-dump", "examples/seed-cluster.json"])
        .args([
            "-n",
            "pigo-dev,pigo-stg,pigo-rel",
            "--cluster-name",
            "PIGO 線下",
        ])
        .args([
            "--now",
            "2025-12-26T10:00:00+08:00",
            "--timezone",
            "Asia/Taipei",
        ])
        .args(["--lang", lang, "-o", format])
        .env("RUST_LOG", "warn")
        .env_remove("KUBE_PATROL_CONFIG")
        .env_remove("KUBE_PATROL_TEMPLATES")
        .env_remove("KUBE_PATROL_CLUSTER_NAME")
        .output()
        .expect("run kube-patrol");
    assert!(
        output.status.success(),
        "kube-patrol report --lang {lang} -o {format} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8 report");
    // The tool names its version; a release should not rewrite four snapshots.
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn the_markdown_report_in_chinese_matches_its_snapshot() {
    insta::assert_snapshot!("markdown_zh_tw", seed_report("zh-TW", "markdown"));
}

#[test]
fn the_markdown_report_in_english_matches_its_snapshot() {
    insta::assert_snapshot!("markdown_en", seed_report("en", "markdown"));
}

#[test]
fn the_html_report_in_chinese_matches_its_snapshot() {
    insta::assert_snapshot!("html_zh_tw", seed_report("zh-TW", "html"));
}

#[test]
fn the_html_report_in_english_matches_its_snapshot() {
    insta::assert_snapshot!("html_en", seed_report("en", "html"));
}
