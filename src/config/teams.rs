//! `teams:` (a top-level list) — the report routed per team: each team receives the report of
//! its namespaces only (its own counts and trend, in the seed's layout), by its own email
//! recipients and chat channels; the main recipients keep the whole cluster. One collection
//! serves them all.
//!
//! ```yaml
//! teams:
//!   - name: payments
//!     namespaces: ["pay-*", checkout]       # names or globs
//!     email: [payments@example.com]         # through the `smtp` section's server
//!     slack:
//!       url_file: /etc/kube-patrol/teams/payments/slack-url
//! ```
//!
//! Each entry needs `name` (unique), `namespaces` and at least one of `email`, `slack`,
//! `teams`, `webhook` (the shapes of `notify:`'s).

use std::path::PathBuf;

use super::notify::{RawChannels, read_channels, validate_channels};
use super::read::{Reader, Section, Spanned};
use super::{Diagnostic, Location, WebhookConfig};

/// The keys of one `teams:` entry.
const ENTRY_KEYS: [&str; 6] = ["name", "namespaces", "email", "slack", "teams", "webhook"];

type Text = Spanned<String>;
type Problems = Vec<Diagnostic>;

/// One entry of `teams:`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamConfig {
    pub name: String,
    /// Names or globs of the team's namespaces, among those inspected.
    pub namespaces: Vec<String>,
    /// The team's email recipients (mailboxes), sent through `smtp`; may be empty.
    pub email: Vec<String>,
    pub slack: Option<PathBuf>,
    pub teams: Option<PathBuf>,
    pub webhook: Option<WebhookConfig>,
}

impl TeamConfig {
    /// Whether `namespace` is one of the team's.
    pub fn owns(&self, namespace: &str) -> bool {
        self.namespaces.iter().any(|glob| {
            globset::Glob::new(glob)
                .map(|g| g.compile_matcher().is_match(namespace))
                .unwrap_or(false)
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawTeam {
    at: Location,
    path: String,
    name: Option<Text>,
    namespaces: Option<Spanned<Vec<Text>>>,
    email: Option<Spanned<Vec<Text>>>,
    channels: RawChannels,
}

/// Reads `teams:` from the file's top-level mapping.
pub(super) fn read(r: &mut Reader, root: &Section) -> Vec<RawTeam> {
    let expected = ("a list of teams (`- name: payments` ...)", "");
    r.list(root, "teams", expected, |r, item, path| {
        let s = r.section(Some(item), &path, &ENTRY_KEYS);
        RawTeam {
            at: item.at,
            name: r.text(&s, "name"),
            namespaces: r.one_or_more(&s, "namespaces"),
            email: r.one_or_more(&s, "email"),
            channels: read_channels(r, &s, &path),
            path,
        }
    })
}

/// Checks every entry; `smtp`: whether the file has an `smtp` section (for `email`).
pub(super) fn validate(raw: Vec<RawTeam>, smtp: bool, p: &mut Problems) -> Vec<TeamConfig> {
    let mut teams: Vec<TeamConfig> = Vec::new();
    for entry in raw {
        let before = p.len();
        let name = match &entry.name {
            Some(name) if name.value.trim().is_empty() => {
                p.push(name.problem("must not be empty"));
                None
            }
            Some(name) if teams.iter().any(|t| t.name == name.value.trim()) => {
                p.push(name.problem(format!("team `{}` is listed twice", name.value.trim())));
                None
            }
            Some(name) => Some(name.value.trim().to_owned()),
            None => {
                let message = "missing: `name` (the team's name, in subjects and logs) is required";
                p.push(Diagnostic::new(
                    entry.at,
                    format!("{}.name", entry.path),
                    message,
                ));
                None
            }
        };
        let namespaces = namespaces(&entry, p);
        let email =
            match &entry.email {
                Some(list) if !smtp => {
                    p.push(list.problem(
                        "needs an `smtp` section: the team's mail goes through its server",
                    ));
                    Vec::new()
                }
                Some(list) => mailboxes(&list.value, p),
                None => Vec::new(),
            };
        let (slack, teams_url, webhook) = validate_channels(entry.channels, p);
        let channels =
            !email.is_empty() || slack.is_some() || teams_url.is_some() || webhook.is_some();
        if !channels && p.len() == before {
            let message = "routes the report nowhere: give `email`, `slack`, `teams` or `webhook`";
            p.push(Diagnostic::new(entry.at, entry.path.clone(), message));
        }
        if p.len() > before {
            continue;
        }
        if let Some(name) = name {
            teams.push(TeamConfig {
                name,
                namespaces,
                email,
                slack,
                teams: teams_url,
                webhook,
            });
        }
    }
    teams
}

fn namespaces(entry: &RawTeam, p: &mut Problems) -> Vec<String> {
    let Some(list) = &entry.namespaces else {
        let message = "missing: `namespaces` (names or globs of the team's namespaces) is required";
        p.push(Diagnostic::new(
            entry.at,
            format!("{}.namespaces", entry.path),
            message,
        ));
        return Vec::new();
    };
    if list.value.is_empty() {
        p.push(list.problem("must list at least one namespace or glob"));
    }
    list.value
        .iter()
        .filter_map(|text| {
            let problem = if text.value.trim().is_empty() {
                Some("must not be empty".to_owned())
            } else {
                globset::Glob::new(&text.value)
                    .err()
                    .map(|e| format!("invalid glob `{}`: {}", text.value, e.kind()))
            };
            match problem {
                None => Some(text.value.clone()),
                Some(message) => {
                    p.push(text.problem(message));
                    None
                }
            }
        })
        .collect()
}

fn mailboxes(list: &[Text], p: &mut Problems) -> Vec<String> {
    list.iter()
        .filter_map(|text| {
            if text.value.parse::<lettre::message::Mailbox>().is_ok() {
                Some(text.value.clone())
            } else {
                p.push(text.problem(format!(
                    "expected an address such as `name <user@example.com>` or `user@example.com`, found `{}`",
                    text.value
                )));
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::config::from_yaml;

    const SMTP: &str = "smtp:\n  host: mail\n  from: a@example.com\n  to: b@example.com\n";

    #[test]
    fn a_team_reads_its_namespaces_recipients_and_chat_channels() {
        let config = from_yaml(&format!(
            "{SMTP}teams:\n  - name: payments\n    namespaces: [\"pay-*\", checkout]\n    \
             email: pay@example.com\n    slack:\n      url_file: /s\n"
        ))
        .unwrap();
        let team = &config.teams[0];
        assert_eq!(team.name, "payments");
        assert_eq!(team.email, ["pay@example.com"]);
        assert_eq!(team.slack.as_deref(), Some(std::path::Path::new("/s")));
        assert!(team.owns("pay-api") && team.owns("checkout") && !team.owns("games"));
    }

    #[test]
    fn a_team_without_namespaces_or_channels_or_with_email_but_no_smtp_is_reported() {
        let problems = from_yaml(
            "teams:\n  - name: a\n  - name: b\n    namespaces: [b]\n    email: [b@example.com]\n",
        )
        .unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            text[0].starts_with("2:5: teams[0].namespaces: missing"),
            "{text:?}"
        );
        assert!(
            text[1].contains("teams[1].email: needs an `smtp` section"),
            "{text:?}"
        );
    }

    #[test]
    fn a_team_listed_twice_and_a_typo_are_reported_at_their_lines() {
        let problems = from_yaml(&format!(
            "{SMTP}teams:\n  - name: a\n    namespaces: [a]\n    email: [a@example.com]\n  \
             - name: a\n    namespace: [b]\n"
        ))
        .unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|t| t
                .starts_with("10:5: teams[1].namespace: unknown key; did you mean `namespaces`?")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("team `a` is listed twice")),
            "{text:?}"
        );
    }
}
