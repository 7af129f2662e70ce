//! Pure rendering: a [`Report`] into Markdown (tera templates, words from the locale), an
//! email-safe HTML page, or JSON; and the archive's index page ([`index`]). Templates are built in, or given by the caller (the CronJob
//! mounts a ConfigMap of them); reading them from disk is the caller's business.

pub mod digest;
mod escape;
pub mod fleet;
pub mod html;
pub mod index;
pub mod metrics;
mod view;

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use serde::Serialize;
use tera::{Context, Tera};

use crate::locale::Catalog;
use crate::report::Report;
pub use view::Fold;
use view::View;

/// The file names a templates directory may hold to override the built-in templates.
pub const MARKDOWN_TEMPLATE: &str = "report.md.tera";
pub const PAGE_TEMPLATE: &str = "email.html.tera";

/// A template's name (its file, for errors) and text.
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub source: String,
}

/// The templates of one rendering.
#[derive(Debug, Clone)]
pub struct Templates {
    /// The report in Markdown; sees the report, `t` (the locale's words) and the view.
    pub markdown: Template,
    /// The HTML page around the Markdown turned into HTML: sees `lang`, `title`, `body`.
    pub page: Template,
    /// The fleet report's own part (summary, problems across clusters), before each
    /// cluster's part made with `markdown`.
    pub fleet: Template,
}

impl Default for Templates {
    /// The built-in templates, compiled into the binary so it needs no files at run time.
    fn default() -> Self {
        Templates {
            markdown: Template {
                name: MARKDOWN_TEMPLATE.into(),
                source: include_str!("../../templates/report.md.tera").into(),
            },
            page: Template {
                name: PAGE_TEMPLATE.into(),
                source: include_str!("../../templates/email.html.tera").into(),
            },
            fleet: fleet::default_template(),
        }
    }
}

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
    pub templates: Templates,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            timezone: TimeZone::UTC,
            healthy_rows_per_namespace: 100,
            next_inspection: SignedDuration::from_hours(7 * 24),
            context: None,
            templates: Templates::default(),
        }
    }
}

impl Templates {
    /// Parses every template, so that a broken one is reported before the cluster is read.
    ///
    /// # Errors
    /// The first template that does not parse, with its file and line.
    pub fn check(&self) -> Result<(), Error> {
        for template in [&self.markdown, &self.page, &self.fleet] {
            compile(template)?;
        }
        Ok(())
    }
}

/// The report as Markdown, in the catalog's language.
///
/// # Errors
/// The template fails to parse (the error names the file and line) or to render.
pub fn markdown(report: &Report, catalog: &Catalog, style: &Style) -> Result<String, Error> {
    let view = View::new(report, catalog, style);
    render(&style.templates.markdown, &view)
}

/// The report as an email-safe HTML page: the glance ([`html::glance`]), then the Markdown,
/// styled inline.
///
/// # Errors
/// As [`markdown`], for either template.
pub fn html(report: &Report, catalog: &Catalog, style: &Style) -> Result<String, Error> {
    page(report, catalog, style, &markdown(report, catalog, style)?)
}

/// The HTML part of an email may have this many bytes as sent ([`sent_size`]): Gmail hides what
/// comes after its first 102 KB behind "[Message clipped]".
pub const EMAIL_HTML_BUDGET: usize = 100_000;

/// An email's body: its plain-text part (Markdown) and its HTML part.
#[derive(Debug, Clone)]
pub struct EmailBody {
    pub text: String,
    pub html: String,
    /// How much of the report was left to the attachment; `Fold::default()`: nothing.
    pub fold: Fold,
}

/// The email's body: the whole report when its HTML fits [`EMAIL_HTML_BUDGET`], else the
/// report shortened step by step (healthy tables folded to counts, then the details left to
/// the attachment, then fewer rows of problems, then healthy namespaces as one row) until it
/// fits. What must be acted on stays: the state, the most severe problem pods, the trend, the
/// history, the statistics and the counts. The last step is used even if it does not fit (a
/// warning in the log says so).
///
/// # Errors
/// As [`html()`].
pub fn email(report: &Report, catalog: &Catalog, style: &Style) -> Result<EmailBody, Error> {
    let mut last = None;
    for (step, fold) in FOLDS.into_iter().enumerate() {
        let view = View::folded(report, catalog, style, fold);
        let text = render(&style.templates.markdown, &view)?;
        // The HTML is longer than its Markdown: a Markdown over the budget need not be
        // turned into HTML to know (a big cluster's whole report is tens of MB).
        if sent_size(&text) > EMAIL_HTML_BUDGET && step + 1 < FOLDS.len() {
            tracing::debug!(
                markdown = text.len(),
                ?fold,
                "email body too big, folding more"
            );
            continue;
        }
        let html = page(report, catalog, style, &text)?;
        let size = sent_size(&html);
        if size <= EMAIL_HTML_BUDGET {
            return Ok(EmailBody { text, html, fold });
        }
        tracing::debug!(size, ?fold, "email body too big, folding more");
        last = Some(EmailBody { text, html, fold });
    }
    let body = last.expect("FOLDS is not empty");
    tracing::warn!(
        size = sent_size(&body.html),
        budget = EMAIL_HTML_BUDGET,
        "the email's HTML is over the budget even shortened: mail clients may clip it"
    );
    Ok(body)
}

/// The steps of [`email`], from the whole report to the shortest body.
const FOLDS: [Fold; 9] = {
    const FULL: Fold = Fold {
        healthy_rows: None,
        no_details: false,
        rows: None,
        actions: None,
        namespaces: None,
    };
    const fn step(rows: Option<usize>, actions: usize, namespaces: Option<usize>) -> Fold {
        Fold {
            healthy_rows: Some(0),
            no_details: true,
            rows,
            actions: Some(actions),
            namespaces,
        }
    }
    [
        FULL,
        Fold {
            healthy_rows: Some(0),
            ..FULL
        },
        step(None, 10, None),
        step(Some(100), 10, None),
        step(Some(50), 10, None),
        step(Some(20), 5, None),
        step(Some(20), 5, Some(usize::MAX)),
        step(Some(10), 3, Some(50)),
        step(Some(5), 3, Some(10)),
    ]
};

/// The bytes of `text` as a mail client receives them, at most: quoted-printable, the
/// encoding lettre picks for mostly-ASCII text with some UTF-8 (whether Gmail's clip counts
/// the encoded or the decoded HTML is not documented; this counts the larger). A byte outside
/// ASCII and `=` take three bytes, a line end two (CRLF), and a soft line break (`=` CRLF)
/// ends every 75 bytes of a line.
fn sent_size(text: &str) -> usize {
    let mut size = 0;
    for line in text.split('\n') {
        let encoded: usize = line
            .bytes()
            .map(|b| if b >= 0x80 || b == b'=' { 3 } else { 1 })
            .sum();
        size += encoded + encoded / 75 * 3 + 2;
    }
    size
}

/// The page template around the glance and the Markdown turned into HTML.
fn page(
    report: &Report,
    catalog: &Catalog,
    style: &Style,
    markdown: &str,
) -> Result<String, Error> {
    let title = catalog.text("report.title", &[("cluster", &report.cluster)]);
    let glance = html::glance(report, catalog, style);
    page_with(catalog, style, &title, glance, markdown)
}

/// The page template around `glance` (HTML) and the Markdown turned into HTML.
fn page_with(
    catalog: &Catalog,
    style: &Style,
    title: &str,
    glance: String,
    markdown: &str,
) -> Result<String, Error> {
    let body = html::body(markdown);
    let template = &style.templates.page;
    let fail = |e: tera::Error| template_error(template, &e);
    // The page sees `lang`, `title`, `glance` and `body`; the body is moved into the context,
    // not copied: a big report's is tens of MiB.
    let context = Context::from_value(serde_json::json!({
        "lang": catalog.lang.code(),
        "title": title,
        "glance": glance,
        "body": body,
    }))
    .map_err(fail)?;
    compile(template)?
        .render(&template.name, &context)
        .map_err(fail)
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

/// The email's subject: the locale's default, or `template` (Tera, from the config's
/// `smtp.subject`) which sees `default` (that sentence), `cluster`, `date`, `overall` (the state
/// in words), `overall_code` (`healthy`, `attention`, `unhealthy`), `pods`, `healthy`,
/// `attention`, `unhealthy`, `not_healthy`, `silenced` (pods whose every problem is silenced,
/// left out of the other counts), `partial` and `new_problems` (since the last report; absent
/// without a trend). Always one line.
///
/// # Errors
/// The template fails to render (an unknown variable, a filter error).
pub fn subject(
    report: &Report,
    catalog: &Catalog,
    style: &Style,
    template: Option<&str>,
) -> Result<String, Error> {
    let data = Subject::new(report, catalog, style);
    let text = match template {
        None => data.default,
        Some(source) => {
            let template = Template {
                name: "smtp.subject".into(),
                source: source.into(),
            };
            render(&template, &data)?
        }
    };
    // A header is one line: a newline in the template must not start a new header.
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[derive(Serialize)]
struct Subject<'a> {
    default: String,
    cluster: &'a str,
    date: String,
    overall: String,
    overall_code: crate::report::Health,
    pods: usize,
    healthy: usize,
    attention: usize,
    unhealthy: usize,
    not_healthy: usize,
    silenced: usize,
    partial: bool,
    new_problems: Option<usize>,
}

impl<'a> Subject<'a> {
    fn new(report: &'a Report, catalog: &Catalog, style: &Style) -> Self {
        let date = report
            .generated_at
            .to_zoned(style.timezone.clone())
            .strftime("%Y-%m-%d")
            .to_string();
        let counts = &report.summary.counts;
        let code = report.summary.overall.code();
        let overall = catalog.text(&format!("health.{code}"), &[]);
        let mut default = catalog.text(
            "report.subject",
            &[
                ("cluster", &report.cluster),
                ("date", &date),
                ("overall", &overall),
                ("pods", &counts.pods.to_string()),
                ("unhealthy", &counts.unhealthy.to_string()),
                ("attention", &counts.attention.to_string()),
            ],
        );
        if counts.silenced > 0 {
            let count = counts.silenced.to_string();
            default.push_str(&catalog.text("silence.subject", &[("count", &count)]));
        }
        if report.partial {
            default.push_str(&catalog.text("report.subject_partial", &[]));
        }
        Subject {
            default,
            cluster: &report.cluster,
            date,
            overall,
            overall_code: report.summary.overall,
            pods: counts.pods,
            healthy: counts.healthy,
            attention: counts.attention,
            unhealthy: counts.unhealthy,
            not_healthy: report.summary.not_healthy,
            silenced: counts.silenced,
            partial: report.partial,
            new_problems: report.trend.as_ref().map(|t| t.new_problems.len()),
        }
    }
}

fn render(template: &Template, data: &impl Serialize) -> Result<String, Error> {
    let tera = compile(template)?;
    let fail = |e: tera::Error| template_error(template, &e);
    let context = Context::from_serialize(data).map_err(fail)?;
    tera.render(&template.name, &context).map_err(fail)
}

fn compile(template: &Template) -> Result<Tera, Error> {
    let mut tera = Tera::default();
    escape::register(&mut tera);
    // HTML escaping is ours (the `md` filter, pulldown-cmark); tera's would double it.
    tera.autoescape_on(vec![]);
    tera.add_raw_template(&template.name, &template.source)
        .map_err(|e| template_error(template, &e))?;
    Ok(tera)
}

fn template_error(template: &Template, e: &tera::Error) -> Error {
    let message = match syntax_error(e) {
        Some(s) => format!("line {}, column {}: {}", s.line, s.column, s.expected),
        None => crate::error::one_line(e),
    };
    Error::Template {
        template: template.name.clone(),
        message,
    }
}

/// A template's syntax error, from the drawing Tera's parser makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What the parser expected, e.g. `expected tag or some content`.
    pub expected: String,
    pub line: String,
    pub column: String,
}

/// The syntax error in `e`, if that is what it is: pest's multi-line drawing
/// (`--> 4:1`, `= expected ...`) read into its parts, so errors stay on one line.
pub fn syntax_error(e: &tera::Error) -> Option<SyntaxError> {
    let detail = std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string);
    let find = |prefix: &str| {
        detail
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .map(str::to_owned)
    };
    let (expected, at) = (find("= ")?, find("--> ")?);
    let (line, column) = at.split_once(':').unwrap_or((&at, "?"));
    Some(SyntaxError {
        expected,
        line: line.to_owned(),
        column: column.to_owned(),
    })
}

#[cfg(test)]
mod tests;
