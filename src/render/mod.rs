//! Pure rendering: a [`Report`] into Markdown (tera templates, words from the locale) or JSON.

mod escape;
pub mod html;
mod view;

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use tera::{Context, Tera};

use crate::locale::Catalog;
use crate::report::Report;
use view::View;

/// The built-in Markdown template, compiled into the binary so it needs no files at run time.
const MARKDOWN: (&str, &str) = ("report.md", include_str!("../../templates/report.md.tera"));

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to render template {template}: {message}")]
    Template { template: String, message: String },
    #[error("failed to serialize the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// How the report is shown to people.
#[derive(Debug, Clone)]
pub struct Style {
    /// Dates and times are shown in this zone.
    pub timezone: TimeZone,
    /// Healthy tables fold after this many rows per namespace (0: never).
    pub healthy_rows_per_namespace: usize,
    /// The footer's next inspection is the inspection date plus this.
    pub next_inspection: SignedDuration,
    /// The kubeconfig context, for the appendix's commands.
    pub context: Option<String>,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            timezone: TimeZone::UTC,
            healthy_rows_per_namespace: 100,
            next_inspection: SignedDuration::from_hours(7 * 24),
            context: None,
        }
    }
}

/// The report as Markdown, in the catalog's language.
///
/// # Errors
/// A template fails to parse or render.
pub fn markdown(report: &Report, catalog: &Catalog, style: &Style) -> Result<String, Error> {
    let mut tera = Tera::default();
    escape::register(&mut tera);
    let (name, text) = MARKDOWN;
    tera.add_raw_template(name, text)
        .map_err(|e| template_error(name, &e))?;
    let view = View::new(report, catalog, style);
    let context = Context::from_serialize(&view).map_err(|e| template_error(name, &e))?;
    tera.render(name, &context)
        .map_err(|e| template_error(name, &e))
}

/// The report as an email-safe HTML page (the Markdown, styled inline).
///
/// # Errors
/// As [`markdown`].
pub fn html(report: &Report, catalog: &Catalog, style: &Style) -> Result<String, Error> {
    let markdown = markdown(report, catalog, style)?;
    let title = catalog.text("report.title", &[("cluster", &report.cluster)]);
    Ok(html::page(&markdown, &title, catalog.lang.code()))
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

/// Tera's error with its causes on one line: the template, then what went wrong where.
fn template_error(template: &str, e: &(dyn std::error::Error + 'static)) -> Error {
    Error::Template {
        template: template.to_owned(),
        message: crate::error::one_line(e),
    }
}
