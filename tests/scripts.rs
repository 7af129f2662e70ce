//! The project's shell scripts find the tools they install. A script that defines a function
//! named like a tool (`buildah() { ... }`) makes `command -v buildah` true before the tool is
//! installed, so the install step never runs and a fresh machine fails (this happened with
//! `scripts/build-image`). Probes use `type -P`, which sees executables only, and no function
//! shadows a tool.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shell_scripts() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut scripts = Vec::new();
    for dir in ["scripts", ".ci"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("scripts directory") {
            let path = entry.expect("directory entry").path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.starts_with("#!/usr/bin/env bash") || text.starts_with("#!/bin/bash") {
                scripts.push(path);
            }
        }
    }
    assert!(!scripts.is_empty(), "no shell script found");
    scripts
}

/// The names of the functions a script defines (`name() {`).
fn functions(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let (name, rest) = line.trim_start().split_once("()")?;
            let plain = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            (plain && rest.trim_start().starts_with('{')).then(|| name.to_owned())
        })
        .collect()
}

/// The tools a script probes for with `type -P NAME`.
fn probed(text: &str) -> BTreeSet<String> {
    text.split("type -P ")
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|word| word.trim_matches('"').to_owned())
        .filter(|word| !word.starts_with('$'))
        .collect()
}

fn is_executable_on_path(name: &str) -> bool {
    Command::new("bash")
        .args(["-c", &format!("type -P '{name}'")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn scripts_probe_for_tools_with_type_p_not_command_v() {
    let offenders: Vec<String> = shell_scripts()
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            text.lines()
                .any(|l| !l.trim_start().starts_with('#') && l.contains("command -v"))
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "`command -v` also finds functions and aliases; probe with `type -P`: {offenders:?}"
    );
}

#[test]
fn no_script_defines_a_function_named_like_a_tool() {
    let scripts = shell_scripts();
    let all_probed: BTreeSet<String> = scripts
        .iter()
        .flat_map(|p| probed(&std::fs::read_to_string(p).unwrap()))
        .collect();
    let mut shadows = Vec::new();
    for path in &scripts {
        for name in functions(&std::fs::read_to_string(path).unwrap()) {
            if all_probed.contains(&name) || is_executable_on_path(&name) {
                shadows.push(format!("{}: {name}()", path.display()));
            }
        }
    }
    assert!(
        shadows.is_empty(),
        "functions that hide a tool of the same name: {shadows:?}"
    );
}

#[test]
fn the_function_finder_sees_the_shape_that_broke_a_fresh_machine() {
    let text = "log() { echo; }\nbuildah() { command buildah --storage-driver vfs \"$@\"; }\n";
    assert_eq!(functions(text), ["log", "buildah"]);
    assert_eq!(
        probed("type -P buildah >/dev/null || x\ntype -P \"$X\""),
        BTreeSet::from(["buildah".to_owned()])
    );
}
