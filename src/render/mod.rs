//! Pure rendering: a [`Report`] into Markdown (tera templates) or JSON.

mod escape;

use jiff::tz::TimeZone;
use serde::Serialize;
use tera::{Context, Tera};

use crate::report::Report;

/// The built-in templates, compiled into the binary so it needs no files at run time.
const MARKDOWN_ZH_TW: (&str, &str) = (
    "report.zh-TW.md",
    include_str!("../../templates/report.zh-TW.md.tera"),
);

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to render template {template}: {message}")]
    Template { template: String, message: String },
    #[error("failed to serialize the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// How dates are shown.
#[derive(Debug, Clone)]
pub struct Style {
    pub timezone: TimeZone,
}

/// The report as Markdown (zh-TW).
///
/// # Errors
/// A template fails to parse or render.
pub fn markdown(report: &Report, style: &Style) -> Result<String, Error> {
    let mut tera = Tera::default();
    escape::register(&mut tera);
    let (name, text) = MARKDOWN_ZH_TW;
    tera.add_raw_template(name, text)
        .map_err(|e| template_error(name, &e))?;
    let context =
        Context::from_serialize(View::new(report, style)).map_err(|e| template_error(name, &e))?;
    tera.render(name, &context)
        .map_err(|e| template_error(name, &e))
}

/// The report as pretty JSON, ending with a newline.
///
/// # Errors
/// Only if serialization fails, which plain data does not.
pub fn json(report: &Report) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}

/// What templates see: the report plus values formatted for people.
#[derive(Serialize)]
struct View<'a> {
    #[serde(flatten)]
    report: &'a Report,
    date: String,
}

impl<'a> View<'a> {
    fn new(report: &'a Report, style: &Style) -> Self {
        let date = report
            .generated_at
            .parse::<jiff::Timestamp>()
            .map(|t| {
                t.to_zoned(style.timezone.clone())
                    .strftime("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_else(|_| report.generated_at.clone());
        View { report, date }
    }
}

/// Tera's error with its causes on one line: the template, then what went wrong where.
fn template_error(template: &str, e: &dyn std::error::Error) -> Error {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    Error::Template {
        template: template.to_owned(),
        message,
    }
}
