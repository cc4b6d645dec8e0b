//! The pages, rendered on the server. Every value from a request or a file is
//! escaped ([`esc`]). Pages load only `/static/app.css` and `/static/app.js` from
//! this server, and work without the script.

use crate::scenarios::Exercise;
use crate::{AppState, Assessed, Score};
use dashrisk::ask::{Decides, DecisiveQuestion, Outcome};
use dashrisk::error::RecordError;
use dashrisk::{Calibration, Classification, Instrument, MaracCriterion, Pathway};
use std::fmt::Write as _;

/// HTML-escapes text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A snake_case value of a serialisable enum, in words (`domestic_abuse` →
/// "domestic abuse").
pub fn words<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

/// A pathway as officers and partners name it (acronyms kept, apostrophes in).
pub fn pathway_label(p: Pathway) -> &'static str {
    match p {
        Pathway::Marac => "MARAC",
        Pathway::Idva => "IDVA",
        Pathway::SpecialistDaService => "Specialist domestic abuse service",
        Pathway::VictimSupport => "Victim support",
        Pathway::RpcSupport => "RPC support",
        Pathway::EarlyHelp => "Early Help",
        Pathway::ChildrensSocialCare => "Children's social care",
        Pathway::OperationEncompass => "Operation Encompass",
        Pathway::ManagementOversight => "Management oversight",
    }
}

/// A MARAC criterion in words, as it reads after "Refer to MARAC:".
pub fn criterion_label(c: MaracCriterion) -> &'static str {
    match c {
        MaracCriterion::VisibleHighRisk => "visible high risk",
        MaracCriterion::ProfessionalJudgement => "professional judgement",
        MaracCriterion::PotentialEscalation => "potential escalation",
        MaracCriterion::RepeatMarac => "repeat MARAC",
    }
}

/// The line on every exercise page and handout, kept in print: the cases are
/// invented, and a handout can travel without the site banner.
const FICTIONAL: &str =
    "<p class=\"fictional\">Fictional training case: the people and events are invented.</p>";

fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The site banner's caveat: decision support, and what the loaded calibration is
/// fitted on (its provenance, not an assumption: a force's own calibration is not
/// synthetic).
fn support_note(scorer: &dashrisk::Scorer) -> String {
    let note = calibration_note(scorer.calibration());
    match scorer.conflict_guarantee_problem() {
        Some(why) => format!("{note} With these settings, {why}"),
        None => note,
    }
}

fn calibration_note(cal: &Calibration) -> String {
    let fitted = if cal.provenance.synthetic {
        format!(
            "fitted on SYNTHETIC data ({}): they are not evidence about real people",
            cal.provenance.data
        )
    } else {
        format!("fitted on {}", cal.provenance.data)
    };
    // A form kept from a synthetic fit, under a calibration that is not synthetic,
    // must say so: its probabilities are the synthetic fit's.
    let kept: Vec<&str> = cal
        .forms
        .iter()
        .filter(|f| !cal.provenance.synthetic && f.synthetic_kept())
        .map(|f| f.instrument.as_str())
        .collect();
    let kept = if kept.is_empty() {
        String::new()
    } else {
        format!(
            " The scoring of {} was kept from a fit on SYNTHETIC data: its probabilities are not evidence about real people.",
            kept.join(", ")
        )
    };
    format!(
        "Decision support: it never replaces professional judgement. Probabilities come from calibration {}, {fitted}.{kept}",
        cal.version
    )
}

/// What a probability is caveated with in the panel and the record: the
/// calibration's version, and, when its data are synthetic (or the record's
/// form's scoring was kept from a synthetic fit), that they are.
fn p_caveat(version: &str, cal: &Calibration, instrument: &str) -> String {
    let kept = cal.form(instrument).is_some_and(|f| f.synthetic_kept());
    if cal.provenance.synthetic {
        format!("calibration {version}, fitted on SYNTHETIC data, not evidence about real people")
    } else if kept {
        format!(
            "calibration {version}; this form's scoring was kept from a fit on SYNTHETIC data, not evidence about real people"
        )
    } else {
        format!("calibration {version}")
    }
}

fn shell(s: &AppState, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · dashrisk</title>\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n\
         <script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\n\
         <header class=\"site\"><nav aria-label=\"Main\"><a href=\"/\">Officer</a> <a href=\"/train\">Training</a> <a href=\"/services\">Local services</a></nav>\
         <p class=\"support\">{}</p></header>\n\
         <main id=\"main\">\n{body}\n</main>\n</body>\n</html>\n",
        esc(title),
        esc(&support_note(&s.scorer))
    )
}

/// A page for a missing scenario.
pub fn not_found(s: &AppState, message: &str) -> String {
    shell(
        s,
        "Not found",
        &format!(
            "<h1>Not found</h1><p>{}</p><p><a href=\"/train\">All scenarios</a></p>",
            esc(message)
        ),
    )
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn has_value(fields: &[(String, String)], name: &str, v: &str) -> bool {
    fields.iter().any(|(k, x)| k == name && x == v)
}

/// A group of radio buttons in a fieldset: `options` are (value, label).
fn radios(o: &mut String, name: &str, legend: &str, options: &[(&str, &str)], chosen: &str) {
    let _ = write!(
        o,
        "<fieldset class=\"q\"><legend>{}</legend><div class=\"choices\">",
        esc(legend)
    );
    for (v, label) in options {
        let id = format!("{name}-{}", if v.is_empty() { "unknown" } else { v });
        let _ = write!(
            o,
            "<input type=\"radio\" id=\"{id}\" name=\"{name}\" value=\"{v}\"{}><label for=\"{id}\">{}</label>",
            if *v == chosen { " checked" } else { "" },
            esc(label),
            id = esc(&id),
            name = esc(name),
            v = esc(v)
        );
    }
    o.push_str("</div></fieldset>\n");
}

fn select(o: &mut String, name: &str, label: &str, options: &[(&str, &str)], chosen: &str) {
    let _ = write!(
        o,
        "<p class=\"field\"><label for=\"{n}\">{}</label> <select id=\"{n}\" name=\"{n}\" autocomplete=\"off\">",
        esc(label),
        n = esc(name)
    );
    for (v, l) in options {
        let _ = write!(
            o,
            "<option value=\"{}\"{}>{}</option>",
            esc(v),
            if *v == chosen { " selected" } else { "" },
            esc(l)
        );
    }
    o.push_str("</select></p>\n");
}

const ANSWERS: [(&str, &str); 4] = [
    ("yes", "Yes"),
    ("no", "No"),
    ("not_known", "Not known"),
    ("declined", "Declined"),
];
const SCREEN: [(&str, &str); 3] = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")];

/// The form for `inst`, filled from `fields`.
fn form(o: &mut String, inst: &Instrument, fields: &[(String, String)]) {
    let _ = write!(
        o,
        "<form id=\"assess\" method=\"post\" action=\"/\" autocomplete=\"off\" aria-describedby=\"form-help\">\n\
         <input type=\"hidden\" name=\"instrument\" value=\"{}\">\n\
         <p id=\"form-help\">Record each answer as given. <em>Not known</em> is never read as <em>no</em>.</p>\n",
        esc(&inst.id)
    );
    let mut domains: Vec<(String, Vec<&dashrisk::Question>)> = Vec::new();
    for q in &inst.questions {
        let d = q
            .domains
            .first()
            .map(words)
            .unwrap_or_else(|| "other".into());
        match domains.iter_mut().find(|(n, _)| *n == d) {
            Some((_, v)) => v.push(q),
            None => domains.push((d, vec![q])),
        }
    }
    o.push_str(
        "<section aria-labelledby=\"h-questions\"><h2 id=\"h-questions\">Risk questions</h2>\n",
    );
    for (d, qs) in &domains {
        let _ = writeln!(
            o,
            "<details open><summary>{}</summary>",
            esc(&capitalise(d))
        );
        for q in qs {
            let chosen = value(fields, &q.id).unwrap_or("not_known");
            radios(
                o,
                &q.id,
                &format!("{}. {}", q.number, q.text),
                &ANSWERS,
                chosen,
            );
        }
        o.push_str("</details>\n");
    }
    o.push_str("</section>\n<section aria-labelledby=\"h-screen\"><h2 id=\"h-screen\">Parental-conflict screen</h2>\n");
    for (name, legend) in [
        ("fear", "Is either parent afraid of the other?"),
        (
            "power_imbalance",
            "Is there an imbalance of power, or does one parent control the other?",
        ),
        (
            "children_exposed",
            "Were children present at, or exposed to, the incident?",
        ),
    ] {
        radios(
            o,
            name,
            legend,
            &SCREEN,
            value(fields, name).unwrap_or("not_known"),
        );
    }
    select(
        o,
        "argument_frequency",
        "How often do they argue?",
        &[
            ("not_known", "Not known"),
            ("rare", "Rarely"),
            ("monthly", "Monthly"),
            ("weekly", "Weekly"),
            ("daily", "Daily"),
        ],
        value(fields, "argument_frequency").unwrap_or("not_known"),
    );
    select(
        o,
        "resolution",
        "Are arguments resolved?",
        &[
            ("not_known", "Not known"),
            ("resolved", "Resolved"),
            ("poorly_resolved", "Poorly resolved"),
        ],
        value(fields, "resolution").unwrap_or("not_known"),
    );
    o.push_str("<fieldset class=\"q\"><legend>Recent changes in the family (leave all unticked if not known)</legend><div class=\"choices\">");
    for (v, l) in [
        ("none", "None"),
        ("separation", "Separation"),
        ("new_baby", "New baby"),
        ("bereavement", "Bereavement"),
        ("child_starting_school", "Child starting school"),
        ("economic_pressure", "Economic pressure"),
    ] {
        let _ = write!(
            o,
            "<input type=\"checkbox\" id=\"rt-{v}\" name=\"recent_transitions\" value=\"{v}\"{}><label for=\"rt-{v}\">{l}</label>",
            if has_value(fields, "recent_transitions", v) { " checked" } else { "" }
        );
    }
    o.push_str("</div></fieldset>\n</section>\n<section aria-labelledby=\"h-context\"><h2 id=\"h-context\">Context</h2>\n");
    radios(
        o,
        "children_in_household",
        "Do children live in the household?",
        &[("true", "Yes"), ("false", "No"), ("", "Not known")],
        value(fields, "children_in_household").unwrap_or(""),
    );
    let _ = write!(
        o,
        "<p class=\"field\"><label for=\"prior_incidents_12m\">Earlier domestic incidents in the past 12 months (empty if not known)</label> \
         <input type=\"number\" min=\"0\" max=\"1000\" id=\"prior_incidents_12m\" name=\"prior_incidents_12m\" autocomplete=\"off\" value=\"{}\"></p>\n\
         <p class=\"field\"><label for=\"incident_date\">Date of this incident</label> <input type=\"date\" id=\"incident_date\" name=\"incident_date\" autocomplete=\"off\" value=\"{}\"></p>\n\
         <p class=\"field\"><label for=\"last_marac_date\">Date of the last MARAC discussion, if any</label> <input type=\"date\" id=\"last_marac_date\" name=\"last_marac_date\" autocomplete=\"off\" value=\"{}\"></p>\n",
        esc(value(fields, "prior_incidents_12m").unwrap_or("")),
        esc(value(fields, "incident_date").unwrap_or("")),
        esc(value(fields, "last_marac_date").unwrap_or(""))
    );
    select(
        o,
        "officer_judgement",
        "Your professional judgement of the risk (it can raise the level, never lower it)",
        &[
            ("", "No judgement recorded"),
            ("standard", "Standard"),
            ("medium", "Medium"),
            ("high", "High"),
        ],
        value(fields, "officer_judgement").unwrap_or(""),
    );
    o.push_str("</section>\n<p><button type=\"submit\">Assess</button></p>\n</form>\n");
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The officer page: the form (filled from `fields`) and the result, if any.
pub fn officer_page(
    s: &AppState,
    fields: &[(String, String)],
    outcome: Option<&Result<Assessed, RecordError>>,
) -> String {
    let id = value(fields, "instrument").unwrap_or(dashrisk::instrument::DASH_2009);
    let inst = s
        .scorer
        .instrument(id)
        .or_else(|| s.scorer.instrument(dashrisk::instrument::DASH_2009))
        .expect("the built-in police form");
    let mut o = String::new();
    let _ = write!(
        o,
        "<h1>Domestic incident: conflict or abuse?</h1>\n<p class=\"forms\">Form: "
    );
    for i in s.scorer.instruments() {
        if i.id == inst.id {
            let _ = write!(o, "<strong>{}</strong> ", esc(&i.name));
        } else {
            let _ = write!(
                o,
                "<a href=\"/?instrument={}\">{}</a> ",
                esc(&i.id),
                esc(&i.name)
            );
        }
    }
    o.push_str("</p>\n<div class=\"layout\">\n<div class=\"form-col\">\n");
    form(&mut o, inst, fields);
    o.push_str("</div>\n<div class=\"result-col\">\n");
    match outcome {
        Some(r) => o.push_str(&result_panel(s, r)),
        None => o.push_str(
            "<section id=\"result\" aria-live=\"polite\" aria-labelledby=\"h-result\"><h2 id=\"h-result\">Result</h2><p>Answer the questions and press <strong>Assess</strong>. With JavaScript on, the result updates as you answer.</p></section>",
        ),
    }
    o.push_str("\n</div>\n</div>\n");
    shell(s, "Officer", &o)
}

fn outcome_words(o: &Outcome) -> String {
    let mut parts = vec![
        words(&o.classification),
        format!("{} risk", words(&o.risk_level)),
    ];
    if o.marac_referral {
        parts.push("MARAC referral".into());
    }
    if o.csc_notification {
        parts.push("notify children's social care".into());
    }
    if o.school_notification {
        parts.push("notify the school".into());
    }
    parts.join(", ")
}

fn ask_next(o: &mut String, qs: &[DecisiveQuestion]) {
    o.push_str("<section class=\"ask\" aria-labelledby=\"h-ask\"><h3 id=\"h-ask\">Ask next</h3>");
    if qs.is_empty() {
        o.push_str("<p>No single unanswered question would change this result.</p></section>");
        return;
    }
    o.push_str(
        "<p>Each of these is unanswered, and its answer alone would change the result:</p><ol>",
    );
    for q in qs {
        let decides: Vec<&str> = q
            .decides
            .iter()
            .map(|d| match d {
                Decides::Classification => "the classification",
                Decides::RiskLevel => "the risk level",
                Decides::Marac => "MARAC",
                Decides::Notifications => "the notifications",
            })
            .collect();
        let _ = write!(
            o,
            "<li data-field=\"{}\"><strong>{}</strong> <span class=\"decides\">(decides {})</span><br>If yes: {}.<br>If no: {}.</li>",
            esc(&q.field),
            esc(&q.text),
            esc(&decides.join(", ")),
            esc(&outcome_words(&q.if_yes)),
            esc(&outcome_words(&q.if_no))
        );
    }
    o.push_str("</ol></section>");
}

fn services_for(o: &mut String, s: &AppState, p: Pathway) {
    let Some(dir) = &s.services else {
        return;
    };
    let list = dir.for_pathway(p);
    if list.is_empty() {
        return;
    }
    o.push_str("<ul class=\"services\">");
    for sv in list {
        let _ = write!(
            o,
            "<li>{}<strong>{}</strong> ({}): {} <em>Refer:</em> {}{}{}</li>",
            if sv.placeholder {
                "<span class=\"placeholder\">Placeholder</span> "
            } else {
                ""
            },
            esc(&sv.name),
            esc(sv.audience.label()),
            esc(&sv.offers),
            esc(&sv.how_to_refer),
            sv.phone
                .as_ref()
                .map(|p| format!(" Tel. {}.", esc(p)))
                .unwrap_or_default(),
            sv.url
                .as_ref()
                .map(|u| format!(" <span class=\"url\">{}</span>", esc(u)))
                .unwrap_or_default(),
        );
    }
    o.push_str("</ul>");
}

/// How one notification (children's social care, or the school's Operation
/// Encompass notice) reads, from the facts the core decided it on
/// (`stage/safeguarding.rs`). A notification that is not made because it is not
/// known whether there are children is never written as a plain "no": not known
/// is never read as no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    /// The result notifies.
    Yes,
    /// Not made only because it is not recorded whether children live in the
    /// household (`children.linked` is not known): notify if there are children.
    IfChildren,
    /// The household is recorded without children, but whether a child was at the
    /// incident is not known or declined: notify if one was.
    IfChildAtIncident,
    /// Parental conflict: no notification, whatever the children.
    NotForConflict,
    /// No children recorded in the household or at the incident.
    No,
}

impl Notice {
    fn of(a: &Assessed, notify: bool) -> Notice {
        let r = &a.result;
        if notify {
            return Notice::Yes;
        }
        if r.classification == Classification::ParentalConflict {
            return Notice::NotForConflict;
        }
        match r.children.linked {
            None => Notice::IfChildren,
            // The core links children exposed to the incident; exposure not known
            // (or declined) leaves that link open.
            Some(false) if a.record.conflict_screen.children_exposed.is_unknown() => {
                Notice::IfChildAtIncident
            }
            Some(_) => Notice::No,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Notice::Yes => "notify",
            Notice::IfChildren => "if_children",
            Notice::IfChildAtIncident => "if_child_at_incident",
            Notice::NotForConflict => "parental_conflict",
            Notice::No => "no_children",
        }
    }

    /// The panel's words: `yes` is what to do ("notify …"), `no` the plain no.
    fn panel(self, yes: &str, no: &str) -> String {
        match self {
            Notice::Yes => yes.to_string(),
            Notice::IfChildren => format!("if there are children, {yes}"),
            Notice::IfChildAtIncident => format!(
                "no children recorded in the household; if a child was at the incident, {yes}"
            ),
            Notice::NotForConflict => format!("{no} (none is indicated for parental conflict)"),
            Notice::No => no.to_string(),
        }
    }

    /// The record text's words.
    fn record(self) -> &'static str {
        match self {
            Notice::Yes => "yes",
            Notice::IfChildren => "if there are children",
            Notice::IfChildAtIncident => "if a child was at the incident",
            Notice::NotForConflict => "no (parental conflict)",
            Notice::No => "no",
        }
    }
}

/// The text block to copy into the force's record.
pub fn record_text(a: &Assessed, cal: &Calibration) -> String {
    let r = &a.result;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "dashrisk assessment (decision support; {}; calibration {})",
        r.scorer_version, r.calibration_version
    );
    let _ = writeln!(
        t,
        "Classification: {} (decided by {})",
        words(&r.classification),
        words(&r.decided_by)
    );
    let _ = writeln!(t, "Recording category: {}", words(&r.recording_category));
    let _ = writeln!(
        t,
        "Risk level: {} (yes answers {}, not known {}, declined {})",
        words(&r.risk_level),
        r.yes_count,
        r.not_known_count,
        r.declined_count
    );
    if let Some(p) = r.p_abuse {
        let _ = writeln!(
            t,
            "Estimated probability of abuse: {p:.2} ({})",
            p_caveat(&r.calibration_version, cal, &r.instrument)
        );
    }
    let crit: Vec<&str> = r.marac_criteria.iter().map(criterion_label).collect();
    let _ = writeln!(
        t,
        "MARAC referral: {}{}",
        if r.marac_referral { "yes" } else { "no" },
        if crit.is_empty() {
            String::new()
        } else {
            format!(" ({})", crit.join(", "))
        }
    );
    let _ = writeln!(
        t,
        "Notify children's social care: {}; notify the school: {}",
        Notice::of(a, r.csc_notification).record(),
        Notice::of(a, r.school_notification).record()
    );
    let _ = writeln!(t, "Children: {}", r.children.summary);
    let pw: Vec<&str> = r.pathways.iter().map(pathway_label).collect();
    let _ = writeln!(t, "Pathways: {}", pw.join(", "));
    let _ = writeln!(t, "Reasons:");
    for reason in &r.reasons {
        let _ = writeln!(t, "- {}", reason.text);
    }
    t
}

/// The result panel (also served alone for the script).
pub fn result_panel(s: &AppState, outcome: &Result<Assessed, RecordError>) -> String {
    let mut o = String::from(
        "<section id=\"result\" aria-live=\"polite\" aria-labelledby=\"h-result\"><h2 id=\"h-result\">Result</h2>",
    );
    let a = match outcome {
        Err(e) => {
            let _ = write!(
                o,
                "<div class=\"error\" role=\"alert\"><p><strong>This record cannot be assessed.</strong></p><p>{}</p></div></section>",
                esc(&e.error.to_string())
            );
            return o;
        }
        Ok(a) => a,
    };
    let r = &a.result;
    let class = code(&r.classification);
    let _ = write!(
        o,
        "<p class=\"classification {class}\" data-classification=\"{class}\"><span class=\"label\">Classification</span> {}</p>\
         <p class=\"level\" data-level=\"{}\"><span class=\"label\">Risk level</span> {}</p>",
        esc(&capitalise(&words(&r.classification))),
        esc(&code(&r.risk_level)),
        esc(&capitalise(&words(&r.risk_level)))
    );
    let _ = write!(
        o,
        "<p>Decided by: {}. Recording category: {}.{}</p>",
        esc(&words(&r.decided_by)),
        esc(&words(&r.recording_category)),
        r.p_abuse
            .map(|p| format!(
                " Estimated probability of abuse {p:.2} ({}).",
                esc(&p_caveat(
                    &r.calibration_version,
                    s.scorer.calibration(),
                    &r.instrument
                ))
            ))
            .unwrap_or_default()
    );
    let crit: Vec<&str> = r.marac_criteria.iter().map(criterion_label).collect();
    let _ = write!(
        o,
        "<h3>MARAC</h3><p data-marac=\"{}\">{}</p>",
        r.marac_referral,
        if r.marac_referral {
            format!("Refer to MARAC: {}.", esc(&crit.join(", ")))
        } else {
            "No MARAC criterion is met.".into()
        }
    );
    let csc = Notice::of(a, r.csc_notification);
    let school = Notice::of(a, r.school_notification);
    let _ = write!(
        o,
        "<h3>Children</h3><p>{}</p><ul><li data-notice=\"csc\" data-basis=\"{}\">Children's social care: {}</li>\
         <li data-notice=\"school\" data-basis=\"{}\">School (Operation Encompass): {}</li></ul>",
        esc(&r.children.summary),
        csc.code(),
        csc.panel("notify", "no notification"),
        school.code(),
        school.panel("notify before the next school day", "no notice")
    );
    o.push_str("<h3>Pathways</h3><ul class=\"pathways\">");
    for p in &r.pathways {
        let _ = write!(
            o,
            "<li data-pathway=\"{}\">{}",
            esc(&code(&p)),
            esc(pathway_label(p))
        );
        services_for(&mut o, s, p);
        o.push_str("</li>");
    }
    o.push_str("</ul>");
    if s.services.is_none() {
        o.push_str("<p class=\"hint\">No local services directory is loaded (<code>--services</code>).</p>");
    }
    o.push_str("<h3>Reasons</h3><ul class=\"reasons\">");
    for reason in &r.reasons {
        let _ = write!(
            o,
            "<li data-code=\"{}\">{}</li>",
            esc(&code(&reason.code)),
            esc(&reason.text)
        );
    }
    o.push_str("</ul>");
    ask_next(&mut o, &a.ask_next);
    let _ = write!(
        o,
        "<h3>For the record</h3><p><label for=\"record-text\">Copy this into the force's record (nothing is kept here):</label></p>\
         <textarea id=\"record-text\" readonly rows=\"12\" autocomplete=\"off\">{}</textarea>\
         <p class=\"actions\"><button type=\"button\" id=\"copy\" hidden>Copy</button> <button type=\"button\" id=\"print\" hidden>Print</button></p></section>",
        esc(&record_text(a, s.scorer.calibration()))
    );
    o
}

/// The local services directory.
pub fn services_page(s: &AppState) -> String {
    let mut o = String::from("<h1>Local services</h1>");
    let Some(dir) = &s.services else {
        o.push_str("<p>No services directory is loaded. Start the server with <code>--services FILE</code> (docs/guide-officer-trainer.md).</p>");
        return shell(s, "Local services", &o);
    };
    if dir.placeholder {
        o.push_str("<p class=\"placeholder-banner\" role=\"note\">These entries are PLACEHOLDERS from the example file: they are not real services. Replace the file with your area's directory.</p>");
    }
    let _ = write!(o, "<p>Area: {}</p>", esc(&dir.area));
    let mut pathways: Vec<Pathway> = dir.services.iter().map(|s| s.pathway).collect();
    pathways.sort();
    pathways.dedup();
    for p in pathways {
        let _ = write!(o, "<h2>{}</h2>", esc(pathway_label(p)));
        o.push_str("<table><thead><tr><th scope=\"col\">Service</th><th scope=\"col\">For</th><th scope=\"col\">Offers</th><th scope=\"col\">How to refer</th><th scope=\"col\">Contact</th><th scope=\"col\">Area</th></tr></thead><tbody>");
        for sv in dir.for_pathway(p) {
            let _ = write!(
                o,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
                esc(&sv.name),
                esc(sv.audience.label()),
                esc(&sv.offers),
                esc(&sv.how_to_refer),
                sv.phone.as_deref().map(esc).unwrap_or_default(),
                sv.url.as_deref().map(|u| format!("<br>{}", esc(u))).unwrap_or_default(),
                esc(&sv.area)
            );
        }
        o.push_str("</tbody></table>");
    }
    shell(s, "Local services", &o)
}

/// The list of scenarios.
pub fn train_index(s: &AppState) -> String {
    let mut o = String::from(
        "<h1>Scenario training</h1><p>Read the story and the recorded answers, choose the classification, the risk level and the pathways, then compare with the tool's answer and the case's rationale. Your score is kept for this session only, in the page's links.</p><ol class=\"scenarios\">",
    );
    for (i, e) in s.exercises.iter().enumerate() {
        let _ = write!(
            o,
            "<li><a href=\"/train/{n}\">{}</a> · <a href=\"/train/{n}/handout\">handout</a></li>",
            esc(&e.scenario.name),
            n = i + 1
        );
    }
    o.push_str("</ol>");
    shell(s, "Training", &o)
}

/// The recorded answers of an exercise, as a list.
fn recorded(o: &mut String, s: &AppState, e: &Exercise) {
    let a = &e.record;
    let inst = s
        .scorer
        .instrument(&a.instrument)
        .expect("a parsed record's form");
    let mut groups: Vec<(&str, Vec<String>)> =
        vec![("Yes", vec![]), ("Declined", vec![]), ("Not known", vec![])];
    let mut no = 0;
    for q in &inst.questions {
        let i = match a.answer(&q.id) {
            dashrisk::Answer::Yes => 0,
            dashrisk::Answer::Declined => 1,
            dashrisk::Answer::NotKnown => 2,
            dashrisk::Answer::No => {
                no += 1;
                continue;
            }
        };
        groups[i].1.push(format!("{}. {}", q.number, q.text));
    }
    let _ = write!(
        o,
        "<h2>Recorded answers</h2><dl class=\"recorded\"><dt>Form</dt><dd>{}</dd>",
        esc(&inst.name)
    );
    for (label, qs) in &groups {
        let _ = write!(
            o,
            "<dt>{label}</dt><dd>{}</dd>",
            if qs.is_empty() {
                "none".into()
            } else {
                qs.iter().map(|q| esc(q)).collect::<Vec<_>>().join("<br>")
            }
        );
    }
    let _ = write!(o, "<dt>No</dt><dd>{no} other questions</dd>");
    let sc = &a.conflict_screen;
    let transitions = match &sc.recent_transitions {
        None => "not known".to_string(),
        Some(ts) if ts.is_empty() => "none".to_string(),
        Some(ts) => ts.iter().map(words).collect::<Vec<_>>().join(", "),
    };
    let _ = write!(
        o,
        "<dt>Conflict screen</dt><dd>fear: {}; power imbalance: {}; children exposed: {}; arguments: {}, {}; recent changes in the family: {}</dd>",
        words(&sc.fear),
        words(&sc.power_imbalance),
        words(&sc.children_exposed),
        words(&sc.argument_frequency),
        words(&sc.resolution),
        esc(&transitions)
    );
    // Every input the scorer reads is listed (review finding 5): a dated earlier
    // incident or a MARAC date can decide MARAC, and "not recorded" is said so.
    let c = &a.context;
    let date = |d: Option<dashrisk::NaiveDate>| {
        d.map_or_else(|| "not recorded".to_string(), |d| d.to_string())
    };
    let dates = match &c.prior_incident_dates {
        None => "not recorded".to_string(),
        Some(ds) if ds.is_empty() => "none".to_string(),
        Some(ds) => ds
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let _ = write!(
        o,
        "<dt>Context</dt><dd>children in the household: {}</dd>\
         <dt>Earlier incidents</dt><dd>count in the 12 months before: {}; dates: {}</dd>\
         <dt>Dates</dt><dd>this incident: {}; the last MARAC discussion: {}</dd>\
         <dt>Officer's judgement</dt><dd>{}</dd></dl>",
        match c.children_in_household {
            Some(true) => "yes",
            Some(false) => "no",
            None => "not known",
        },
        c.prior_incidents_12m
            .map_or_else(|| "not recorded".to_string(), |n| n.to_string()),
        esc(&dates),
        date(c.incident_date),
        date(c.last_marac_date),
        a.officer_judgement
            .map_or_else(|| "none recorded".to_string(), |j| words(&j))
    );
}

const PATHWAYS: [Pathway; 9] = [
    Pathway::Marac,
    Pathway::Idva,
    Pathway::SpecialistDaService,
    Pathway::VictimSupport,
    Pathway::RpcSupport,
    Pathway::EarlyHelp,
    Pathway::ChildrensSocialCare,
    Pathway::OperationEncompass,
    Pathway::ManagementOversight,
];

/// An exercise: the story, the answers and the trainee's choices.
pub fn train_page(s: &AppState, n: usize, e: &Exercise, score: Score) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<h1>Scenario {n} of {}: {}</h1>{FICTIONAL}<p class=\"score\">Score this session: {} of {}</p><h2>What happened</h2><p class=\"story\">{}</p>",
        s.exercises.len(),
        esc(&e.scenario.name),
        score.right,
        score.asked,
        esc(&e.scenario.story)
    );
    recorded(&mut o, s, e);
    let _ = write!(
        o,
        "<form method=\"post\" action=\"/train/{n}\" id=\"exercise\" autocomplete=\"off\"><input type=\"hidden\" name=\"_right\" value=\"{}\"><input type=\"hidden\" name=\"_asked\" value=\"{}\">",
        score.right, score.asked
    );
    radios(
        &mut o,
        "classification",
        "Your classification",
        &[
            ("parental_conflict", "Parental conflict"),
            ("unclear", "Unclear"),
            ("domestic_abuse", "Domestic abuse"),
        ],
        "",
    );
    radios(
        &mut o,
        "risk_level",
        "Your risk level",
        &[
            ("standard", "Standard"),
            ("medium", "Medium"),
            ("high", "High"),
        ],
        "",
    );
    o.push_str("<fieldset class=\"q\"><legend>Your pathways (tick every one that applies)</legend><div class=\"choices\">");
    for p in PATHWAYS {
        let c = code(&p);
        let _ = write!(
            o,
            "<input type=\"checkbox\" id=\"p-{c}\" name=\"pathways\" value=\"{c}\"><label for=\"p-{c}\">{}</label>",
            esc(pathway_label(p))
        );
    }
    o.push_str("</div></fieldset><p><button type=\"submit\">Check my answer</button></p></form>");
    let _ = write!(
        o,
        "<p><a href=\"/train/{n}/handout\">Printable handout</a></p>"
    );
    shell(s, &format!("Scenario {n}"), &o)
}

/// Pathway codes in words (a code that is not a pathway, sent by hand, as given).
fn paths_words(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| match Pathway::parse(c) {
            Some(p) => pathway_label(p),
            None => c.as_str(),
        })
        .collect::<Vec<&str>>()
        .join(", ")
}

/// The feedback on a trainee's answer, with the updated score.
pub fn train_feedback(s: &AppState, n: usize, e: &Exercise, fields: &[(String, String)]) -> String {
    let r = &e.result;
    let num = |k: &str| {
        value(fields, k)
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let mut score = Score {
        right: num("_right"),
        asked: num("_asked"),
    }
    .bounded();
    let picked_class = value(fields, "classification").unwrap_or("");
    let picked_level = value(fields, "risk_level").unwrap_or("");
    let mut picked_paths: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "pathways")
        .map(|(_, v)| v.clone())
        .collect();
    picked_paths.sort();
    let mut tool_paths: Vec<String> = r.pathways.iter().map(|p| code(&p)).collect();
    tool_paths.sort();
    let parts = [
        (
            "Classification",
            picked_class == code(&r.classification),
            words(&r.classification),
            picked_class.replace('_', " "),
        ),
        (
            "Risk level",
            picked_level == code(&r.risk_level),
            words(&r.risk_level),
            picked_level.to_string(),
        ),
        (
            "Pathways",
            picked_paths == tool_paths,
            paths_words(&tool_paths),
            paths_words(&picked_paths),
        ),
    ];
    for p in &parts {
        score = score.with_part(p.1);
    }
    let Score { right, asked } = score;
    let mut o = String::new();
    let _ = write!(
        o,
        "<h1>Scenario {n}: {}</h1>{FICTIONAL}<p class=\"score\" data-right=\"{right}\" data-asked=\"{asked}\">Score this session: {right} of {asked}</p>\
         <table class=\"feedback\"><thead><tr><th scope=\"col\">Part</th><th scope=\"col\">Your answer</th><th scope=\"col\">The tool</th><th scope=\"col\">Match</th></tr></thead><tbody>",
        esc(&e.scenario.name)
    );
    for (label, ok, tool, yours) in &parts {
        let _ = write!(
            o,
            "<tr><th scope=\"row\">{label}</th><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            esc(if yours.is_empty() { "(none)" } else { yours }),
            esc(tool),
            if *ok { "right" } else { "wrong" },
            if *ok { "Yes" } else { "No" }
        );
    }
    o.push_str("</tbody></table><h2>Why the tool says this</h2><ul class=\"reasons\">");
    for reason in &r.reasons {
        let _ = write!(o, "<li>{}</li>", esc(&reason.text));
    }
    o.push_str("</ul><h2>The case's rationale</h2>");
    if !e.mismatches.is_empty() {
        let _ = write!(
            o,
            "<div class=\"mismatch\" role=\"note\"><p><strong>This case's rationale was written for other settings.</strong> \
             Under the policy and calibration loaded here, the tool's answer differs from the answer the case expects, \
             and you are scored against the tool's answer above. Where they differ:</p><ul>{}</ul></div>",
            e.mismatches
                .iter()
                .map(|m| format!("<li>{}</li>", esc(m)))
                .collect::<String>()
        );
    }
    let _ = write!(
        o,
        "<p class=\"rationale\">{}</p>",
        esc(&e.scenario.rationale)
    );
    let next = if n < s.exercises.len() {
        format!(
            "<a href=\"/train/{}?right={right}&amp;asked={asked}\">Next scenario</a>",
            n + 1
        )
    } else {
        "<a href=\"/train\">All scenarios</a> (this was the last)".into()
    };
    let _ = write!(
        o,
        "<p>{next} · <a href=\"/train/{n}?right={right}&amp;asked={asked}\">Try this one again</a> · <a href=\"/train/{n}/handout\">Handout</a></p>"
    );
    shell(s, &format!("Scenario {n}: feedback"), &o)
}

/// A printable one-page handout of an exercise (no answers on it).
pub fn handout(s: &AppState, n: usize, e: &Exercise) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<article class=\"handout\"><h1>Scenario {n}: {}</h1>{FICTIONAL}<h2>What happened</h2><p class=\"story\">{}</p>",
        esc(&e.scenario.name),
        esc(&e.scenario.story)
    );
    recorded(&mut o, s, e);
    o.push_str(
        "<h2>Your decision</h2><ol class=\"discussion\"><li>Parental conflict, domestic abuse, or unclear? What in the answers decides it?</li>\
         <li>What is the risk level, and is any MARAC criterion met?</li><li>What do the children need, and who should be told?</li>\
         <li>Which referral pathways apply, for each parent and for the children?</li><li>What would you ask next, and why?</li></ol>\
         <p class=\"print-hint\">Print with your browser (the page is laid out for one A4 sheet).</p></article>",
    );
    shell(s, &format!("Handout: scenario {n}"), &o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashrisk::calibration::KeptFrom;

    /// A force's calibration that kept the partner form from the shipped synthetic
    /// fit: the page and the partner form's probabilities say so; the police
    /// form's do not.
    #[test]
    fn a_form_kept_from_a_synthetic_fit_is_caveated() {
        let mut cal = Calibration::shipped();
        cal.provenance.synthetic = false;
        cal.provenance.data = "force.csv".into();
        let shipped = Calibration::shipped();
        let partner = dashrisk::instrument::DASH_2009_PARTNER;
        for f in &mut cal.forms {
            if f.instrument == partner {
                f.kept_from = Some(KeptFrom {
                    version: shipped.version.clone(),
                    checksum: shipped.checksum.clone(),
                    synthetic: true,
                    n: f.fit.n,
                });
            }
        }
        let note = calibration_note(&cal);
        assert!(note.contains("fitted on force.csv"), "{note}");
        assert!(
            note.contains(&format!(
                "The scoring of {partner} was kept from a fit on SYNTHETIC data"
            )),
            "{note}"
        );
        assert!(p_caveat("v", &cal, partner).contains("kept from a fit on SYNTHETIC data"));
        assert_eq!(
            p_caveat("v", &cal, dashrisk::instrument::DASH_2009),
            "calibration v"
        );
        // Points kept, map fitted here: the same caveat.
        for f in &mut cal.forms {
            if f.instrument == partner {
                f.points_from = f.kept_from.take();
            }
        }
        assert!(p_caveat("v", &cal, partner).contains("SYNTHETIC"));
        // Under a synthetic calibration the whole calibration says so, once.
        let note = calibration_note(&shipped);
        assert!(note.contains("fitted on SYNTHETIC data") && !note.contains("was kept"));
    }
}
