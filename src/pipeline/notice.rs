//! The failure notice: when `run` cannot make the report (the cluster cannot be read), the
//! recipients get a short email saying so, so that a week never passes in silence.

use tracing::{info, warn};

use super::Plan;
use crate::cli::{Failure, InspectArgs};
use crate::deliver::email::{self, EmailSettings};
use crate::error::one_line;
use crate::locale::Catalog;

/// The cluster's display name without a report: `--cluster-name`, `cluster.name`, the
/// context, else `Kubernetes`.
pub(super) fn cluster_name(args: &InspectArgs, plan: &Plan) -> String {
    args.cluster_name
        .clone()
        .or_else(|| plan.config.cluster.name.clone())
        .or_else(|| args.context())
        .unwrap_or_else(|| "Kubernetes".to_owned())
}

/// The notice's subject and plain-text body, in the report's language.
pub(super) fn text(args: &InspectArgs, plan: &Plan, failure: &Failure) -> (String, String) {
    let catalog = Catalog::builtin(plan.lang);
    let cluster = cluster_name(args, plan);
    let zoned = plan.now.to_zoned(plan.style.timezone.clone());
    let date = zoned.strftime("%Y-%m-%d").to_string();
    let time = zoned.strftime("%Y-%m-%d %H:%M %Z").to_string();
    let error = one_line(failure.error.as_ref());
    let subject = catalog.text("notice.subject", &[("cluster", &cluster), ("date", &date)]);
    let body = catalog.text(
        "notice.body",
        &[("cluster", &cluster), ("time", &time), ("error", &error)],
    );
    (subject, body)
}

fn html_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

/// Mails the notice; a notice that cannot be sent is only logged: the run fails anyway, with
/// the error that stopped it.
pub(super) async fn send(settings: &EmailSettings, body: &str) {
    let html = format!(
        "<pre style=\"white-space:pre-wrap;font-family:sans-serif\">{}</pre>",
        html_escaped(body)
    );
    let message = email::Message {
        text: body,
        html: &html,
        attachments: &[],
    };
    match email::send(settings, &message).await {
        Ok(_) => info!(to = settings.to.len(), "failure notice emailed"),
        Err(e) => warn!(error = %one_line(&e), "the failure notice could not be emailed"),
    }
}
