//! DASH grading: the yes-count, the bands, professional judgement (raise only) and
//! the MARAC criteria. This is the grading stage of the pipeline
//! (docs/ARCHITECTURE.md): plain data in, a [`Grade`] out.

use crate::answers::{Answer, Assessment, Context};
use crate::instrument::Instrument;
use crate::policy::GradingPolicy;
use crate::result::{MaracCriterion, RiskLevel};
use crate::set::Set;
use chrono::{Months, NaiveDate};

/// Answer counts over an instrument's questions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// "yes" answers.
    pub yes: u32,
    /// "not known" answers, including questions the record left out.
    pub not_known: u32,
    /// "declined" answers.
    pub declined: u32,
}

impl Counts {
    /// Answers that are not known or declined.
    pub fn unanswered(&self) -> u32 {
        self.not_known + self.declined
    }
}

/// Counts answers over the instrument's questions (left-out questions are not known).
pub fn count(instrument: &Instrument, assessment: &Assessment) -> Counts {
    let mut c = Counts::default();
    for q in &instrument.questions {
        match assessment.answer(&q.id) {
            Answer::Yes => c.yes += 1,
            Answer::No => {}
            Answer::NotKnown => c.not_known += 1,
            Answer::Declined => c.declined += 1,
        }
    }
    c
}

/// Counts a list of answers.
pub fn count_answers(answers: &[Answer]) -> Counts {
    // Without branches: a `match` here compiles to a jump per answer, which the
    // processor mispredicts on mixed answers.
    let mut c = Counts::default();
    for &a in answers {
        c.yes += u32::from(a == Answer::Yes);
        c.not_known += u32::from(a == Answer::NotKnown);
        c.declined += u32::from(a == Answer::Declined);
    }
    c
}

/// The actuarial level for a yes-count.
pub fn band(policy: &GradingPolicy, yes: u32) -> RiskLevel {
    if yes >= policy.high_from {
        RiskLevel::High
    } else if yes >= policy.medium_from {
        RiskLevel::Medium
    } else {
        RiskLevel::Standard
    }
}

/// The final level: professional judgement may raise the actuarial level and never
/// lowers it.
pub fn final_level(actuarial: RiskLevel, judgement: Option<RiskLevel>) -> RiskLevel {
    match judgement {
        Some(j) => actuarial.max(j),
        None => actuarial,
    }
}

/// Whether a criterion that depends on dates or history is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Met on what was recorded.
    Met,
    /// Counts as met: what was recorded *may* meet it (incidents that could fall
    /// inside the window, a MARAC date without the incident date). The result says
    /// so and asks for the missing dates.
    MetOnRecords,
    /// Not met on the data given.
    NotMet,
    /// Could not be checked: nothing it needs was recorded. Never read as "not met"
    /// silently: the result carries a reason.
    Unchecked,
}

impl Check {
    /// Whether the criterion counts as met (met, or met on what was recorded).
    pub fn counts_as_met(self) -> bool {
        matches!(self, Check::Met | Check::MetOnRecords)
    }
}

/// Whether `earlier` falls within `months` months before `later` (both ends
/// inclusive; an earlier incident on the incident date counts: it was listed as
/// earlier).
fn within_months(earlier: NaiveDate, later: NaiveDate, months: u32) -> bool {
    match earlier.checked_add_months(Months::new(months)) {
        Some(limit) => earlier <= later && later <= limit,
        None => earlier <= later,
    }
}

/// How many earlier incidents fall in the escalation window: surely, and at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct InWindow {
    /// Incidents known to be inside the window.
    certain: u64,
    /// Incidents that may be inside it.
    possible: u64,
    /// Whether the records cover the whole window (so that a low `possible` is
    /// "not met" rather than "unchecked").
    covered: bool,
}

/// Counts earlier incidents in a window of `months` from a 12-month count and a
/// list of dates. When both are given the larger reading wins (rule 4): the count
/// and the dates may describe the same incidents.
fn in_window(ctx: &Context, months: u32) -> Option<InWindow> {
    let count = ctx.prior_incidents_12m.map(u64::from);
    let dates = ctx.prior_incident_dates.as_deref();
    if count.is_none() && dates.is_none() {
        return None;
    }
    let c = count.unwrap_or(0);
    let n = |pred: &dyn Fn(NaiveDate) -> bool, ds: &[NaiveDate]| {
        ds.iter().filter(|&&d| pred(d)).count() as u64
    };
    Some(match (dates, ctx.incident_date) {
        (Some(ds), Some(today)) => {
            let in_w = n(&|d| within_months(d, today, months), ds);
            let in_12 = n(&|d| within_months(d, today, 12), ds);
            if months >= 12 {
                // The counted incidents are all inside the window; dated ones past
                // the count's 12 months are further incidents.
                let certain = in_w + c.saturating_sub(in_12);
                InWindow {
                    certain,
                    possible: certain,
                    covered: true,
                }
            } else {
                // Any of the counted incidents may fall inside the shorter window.
                InWindow {
                    certain: in_w,
                    possible: c.max(in_w),
                    covered: true,
                }
            }
        }
        (Some(ds), None) => {
            // Without the incident date the dates cannot be placed: any of them may
            // be inside the window.
            let len = ds.len() as u64;
            InWindow {
                certain: if months >= 12 { c } else { 0 },
                possible: if months > 12 { c + len } else { c.max(len) },
                covered: true,
            }
        }
        (None, _) => InWindow {
            certain: if months >= 12 { c } else { 0 },
            possible: c,
            // A count of 12 months says nothing of a longer window's other months.
            covered: months <= 12,
        },
    })
}

/// Potential escalation: at least `escalation_incidents` incidents, the current one
/// included, within the window. [`Check::MetOnRecords`] when the incidents
/// recorded could reach it but need not; [`Check::Unchecked`] when nothing was
/// recorded.
pub fn escalation(policy: &GradingPolicy, ctx: &Context) -> Check {
    let needed = u64::from(policy.escalation_incidents.saturating_sub(1));
    if needed == 0 {
        return Check::Met;
    }
    match in_window(ctx, policy.escalation_window_months) {
        None => Check::Unchecked,
        Some(w) if w.certain >= needed => Check::Met,
        Some(w) if w.possible >= needed => Check::MetOnRecords,
        Some(w) if w.covered => Check::NotMet,
        Some(_) => Check::Unchecked,
    }
}

/// The months over which a dated earlier incident counts as earlier abuse at the
/// least: those of `prior_incidents_12m`.
pub const EARLIER_ABUSE_MONTHS: u32 = 12;

/// Whether an earlier domestic-abuse incident is recorded: a 12-month count of at
/// least one, or an earlier incident dated within 12 months before the incident
/// date (or within the escalation window, when a policy makes that longer). A
/// dated incident counts over at least the count's 12 months, so that the same
/// incident blocks parental conflict however it was recorded, whatever the
/// policy's escalation window. Dates that cannot be placed (no incident date) may
/// lie inside the window, so they count too: not known is never read as no. An
/// unknown count is not an earlier incident.
pub fn earlier_abuse(policy: &GradingPolicy, ctx: &Context) -> bool {
    let counted = ctx.prior_incidents_12m.is_some_and(|n| n >= 1);
    let months = policy.escalation_window_months.max(EARLIER_ABUSE_MONTHS);
    let dated = match (&ctx.prior_incident_dates, ctx.incident_date) {
        (Some(ds), Some(today)) => ds.iter().any(|&d| within_months(d, today, months)),
        (Some(ds), None) => !ds.is_empty(),
        (None, _) => false,
    };
    counted || dated
}

/// Repeat MARAC: this incident falls within the window after the last MARAC.
/// [`Check::MetOnRecords`] when a last MARAC date is given without the incident
/// date.
pub fn repeat_marac(policy: &GradingPolicy, ctx: &Context) -> Check {
    match (ctx.last_marac_date, ctx.incident_date) {
        (None, _) => Check::NotMet,
        (Some(_), None) => Check::MetOnRecords,
        (Some(last), Some(today)) => {
            if within_months(last, today, policy.repeat_marac_window_months) {
                Check::Met
            } else {
                Check::NotMet
            }
        }
    }
}

/// What grading found: the grading stage's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    /// Answer counts.
    pub counts: Counts,
    /// The level from the count alone.
    pub actuarial: RiskLevel,
    /// The final level (raised, never lowered, by judgement).
    pub level: RiskLevel,
    /// The MARAC criteria that count as met (listed in declaration order).
    pub criteria: Set<MaracCriterion>,
    /// Potential escalation.
    pub escalation: Check,
    /// Repeat MARAC.
    pub repeat: Check,
    /// Whether the unanswered items, were they "yes", would lift the count to the
    /// high band when it is not high already.
    pub high_possible_if_unknowns_yes: bool,
    /// An earlier domestic-abuse incident is recorded ([`earlier_abuse`]).
    pub earlier_abuse: bool,
    /// The victim has been discussed at MARAC before (any last MARAC date).
    pub marac_history: bool,
}

impl Grade {
    /// Whether any MARAC criterion counts as met.
    pub fn marac(&self) -> bool {
        !self.criteria.is_empty()
    }
}

/// Grades one record: `answers` are the instrument's answers in question order.
pub fn grade(policy: &GradingPolicy, answers: &[Answer], a: &Assessment) -> Grade {
    let counts = count_answers(answers);
    let actuarial = band(policy, counts.yes);
    let level = final_level(actuarial, a.officer_judgement);
    let escalation = escalation(policy, &a.context);
    let repeat = repeat_marac(policy, &a.context);
    let mut criteria = Set::new();
    criteria.insert_if(
        counts.yes >= policy.high_from,
        MaracCriterion::VisibleHighRisk,
    );
    criteria.insert_if(
        a.officer_judgement == Some(RiskLevel::High),
        MaracCriterion::ProfessionalJudgement,
    );
    criteria.insert_if(
        escalation.counts_as_met(),
        MaracCriterion::PotentialEscalation,
    );
    criteria.insert_if(repeat.counts_as_met(), MaracCriterion::RepeatMarac);
    Grade {
        counts,
        actuarial,
        level,
        criteria,
        escalation,
        repeat,
        high_possible_if_unknowns_yes: actuarial < RiskLevel::High
            && counts.yes.saturating_add(counts.unanswered()) >= policy.high_from,
        earlier_abuse: earlier_abuse(policy, &a.context),
        marac_history: a.context.last_marac_date.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A dated earlier incident within 12 months before the incident is earlier
        /// abuse whatever the escalation window, as the same incident counted in
        /// `prior_incidents_12m` is; one past both the 12 months and the window is
        /// not.
        #[test]
        fn a_dated_incident_in_the_last_12_months_is_earlier_abuse(
            window in 1u32..=36,
            back in 0i64..=1200,
            day in 0i64..3650,
        ) {
            let today = d("2020-01-01") + chrono::Duration::days(day);
            let earlier = today - chrono::Duration::days(back);
            let p = GradingPolicy { escalation_window_months: window, ..GradingPolicy::default() };
            let ctx = Context {
                incident_date: Some(today),
                prior_incident_dates: Some(vec![earlier]),
                ..Context::default()
            };
            let months = window.max(EARLIER_ABUSE_MONTHS);
            let inside = earlier.checked_add_months(Months::new(months)).is_none_or(|l| today <= l);
            prop_assert_eq!(earlier_abuse(&p, &ctx), inside, "window {}, {} days back", window, back);
            if back <= 365 {
                prop_assert!(earlier_abuse(&p, &ctx), "within a year: window {}", window);
            }
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn bands_follow_guidance() {
        let p = GradingPolicy::default();
        assert_eq!(band(&p, 0), RiskLevel::Standard);
        assert_eq!(band(&p, 9), RiskLevel::Standard);
        assert_eq!(band(&p, 10), RiskLevel::Medium);
        assert_eq!(band(&p, 13), RiskLevel::Medium);
        assert_eq!(band(&p, 14), RiskLevel::High);
    }

    #[test]
    fn judgement_never_lowers() {
        assert_eq!(
            final_level(RiskLevel::High, Some(RiskLevel::Standard)),
            RiskLevel::High
        );
        assert_eq!(
            final_level(RiskLevel::Standard, Some(RiskLevel::Medium)),
            RiskLevel::Medium
        );
    }

    #[test]
    fn escalation_counts_current_incident() {
        let p = GradingPolicy::default();
        let ctx = |n| Context {
            prior_incidents_12m: Some(n),
            ..Context::default()
        };
        assert_eq!(escalation(&p, &ctx(1)), Check::NotMet);
        assert_eq!(escalation(&p, &ctx(2)), Check::Met);
        assert_eq!(escalation(&p, &Context::default()), Check::Unchecked);
    }

    #[test]
    fn escalation_with_a_six_month_window_uses_dates() {
        let p = GradingPolicy {
            escalation_window_months: 6,
            ..GradingPolicy::default()
        };
        let mut ctx = Context {
            prior_incidents_12m: Some(5),
            incident_date: Some(d("2025-06-30")),
            prior_incident_dates: Some(vec![d("2024-12-15"), d("2025-05-01")]),
            ..Context::default()
        };
        // 2024-12-15 is six and a half months back; only 2025-05-01 is dated within six
        // months, but the 3 undated incidents of the count of 5 may fall in the window
        // too (rule 10): counted as met on what was recorded.
        assert_eq!(escalation(&p, &ctx), Check::MetOnRecords);
        ctx.prior_incidents_12m = Some(1);
        assert_eq!(
            escalation(&p, &ctx),
            Check::NotMet,
            "1 prior + current = 2 < 3"
        );
        ctx.prior_incidents_12m = Some(5);
        ctx.prior_incident_dates = Some(vec![d("2024-12-15"), d("2025-05-01"), d("2025-06-01")]);
        assert_eq!(escalation(&p, &ctx), Check::Met);
        // Rule 10: a 12-month count of 5 with no dates may put 2 in the window.
        ctx.prior_incident_dates = None;
        assert_eq!(escalation(&p, &ctx), Check::MetOnRecords);
        // Nothing recorded: unchecked.
        ctx.prior_incidents_12m = None;
        assert_eq!(escalation(&p, &ctx), Check::Unchecked);
        // Dates that cannot be placed (no incident date) may all be in the window.
        ctx.incident_date = None;
        ctx.prior_incident_dates = Some(vec![d("2020-01-01"), d("2021-01-01")]);
        assert_eq!(escalation(&p, &ctx), Check::MetOnRecords);
        ctx.prior_incident_dates = Some(vec![d("2020-01-01")]);
        assert_eq!(escalation(&p, &ctx), Check::NotMet);
    }

    #[test]
    fn count_and_dates_the_larger_wins() {
        let p = GradingPolicy::default();
        let mut ctx = Context {
            prior_incidents_12m: Some(0),
            incident_date: Some(d("2025-06-30")),
            prior_incident_dates: Some(vec![d("2025-01-10"), d("2025-03-01"), d("2025-06-30")]),
            ..Context::default()
        };
        assert_eq!(escalation(&p, &ctx), Check::Met, "dates say 3, count 0");
        assert!(earlier_abuse(&p, &ctx));
        // A same-day earlier incident counts.
        ctx.prior_incident_dates = Some(vec![d("2025-06-30"), d("2025-06-30")]);
        assert_eq!(escalation(&p, &ctx), Check::Met);
        // Dates outside the window do not count, and the count is larger.
        ctx.prior_incidents_12m = Some(2);
        ctx.prior_incident_dates = Some(vec![d("2020-01-01")]);
        assert_eq!(escalation(&p, &ctx), Check::Met);
        ctx.prior_incidents_12m = Some(1);
        assert_eq!(escalation(&p, &ctx), Check::NotMet);
        // An 18-month window: the count covers 12 months, a date 15 months back adds one.
        let p18 = GradingPolicy {
            escalation_window_months: 18,
            ..GradingPolicy::default()
        };
        ctx.prior_incident_dates = Some(vec![d("2024-03-30")]);
        assert_eq!(escalation(&p18, &ctx), Check::Met);
        ctx.prior_incident_dates = None;
        assert_eq!(
            escalation(&p18, &ctx),
            Check::Unchecked,
            "months 13-18 not recorded"
        );
    }

    #[test]
    fn unplaced_dates_by_window() {
        // No incident date: the dates cannot be placed, so each may be inside the
        // window; a count covers 12 months.
        let ctx = |count: u32, n_dates: usize| Context {
            prior_incidents_12m: Some(count),
            prior_incident_dates: Some(vec![d("2024-01-01"); n_dates]),
            ..Context::default()
        };
        let window = |months| GradingPolicy {
            escalation_window_months: months,
            ..GradingPolicy::default()
        };
        // 12 months: the count is certain, and a date may be one of the counted.
        assert_eq!(escalation(&window(12), &ctx(2, 1)), Check::Met);
        assert_eq!(escalation(&window(12), &ctx(1, 1)), Check::NotMet);
        assert_eq!(escalation(&window(12), &ctx(0, 2)), Check::MetOnRecords);
        // 6 months: nothing is certain; the larger of count and dates may be inside.
        assert_eq!(escalation(&window(6), &ctx(2, 1)), Check::MetOnRecords);
        assert_eq!(escalation(&window(6), &ctx(1, 1)), Check::NotMet);
        // 18 months: a date may be an incident 13 to 18 months back, beside the count.
        assert_eq!(escalation(&window(18), &ctx(1, 1)), Check::MetOnRecords);
        assert_eq!(escalation(&window(18), &ctx(2, 0)), Check::Met);
        assert_eq!(escalation(&window(18), &ctx(1, 0)), Check::NotMet);
    }

    #[test]
    fn high_possible_only_below_high_and_only_when_the_unknowns_reach_it() {
        let p = GradingPolicy::default();
        let a = Assessment::default();
        let answers = |yes: usize, unknown: usize| {
            let mut v = vec![Answer::Yes; yes];
            v.extend(vec![Answer::NotKnown; unknown]);
            v.extend(vec![Answer::No; 27 - yes - unknown]);
            v
        };
        assert!(grade(&p, &answers(10, 4), &a).high_possible_if_unknowns_yes);
        assert!(!grade(&p, &answers(10, 3), &a).high_possible_if_unknowns_yes);
        assert!(!grade(&p, &answers(2, 3), &a).high_possible_if_unknowns_yes);
        // Already high: nothing to warn about.
        assert!(!grade(&p, &answers(14, 5), &a).high_possible_if_unknowns_yes);
    }

    #[test]
    fn repeat_marac_needs_the_marac_before_the_incident() {
        let p = GradingPolicy::default();
        let ctx = Context {
            last_marac_date: Some(d("2025-03-01")),
            incident_date: Some(d("2025-02-01")),
            ..Context::default()
        };
        assert_eq!(repeat_marac(&p, &ctx), Check::NotMet);
    }

    #[test]
    fn earlier_abuse_needs_a_count_or_a_placed_date() {
        let p = GradingPolicy::default();
        let mut ctx = Context::default();
        assert!(!earlier_abuse(&p, &ctx), "unknown count does not block");
        ctx.prior_incidents_12m = Some(0);
        assert!(!earlier_abuse(&p, &ctx));
        ctx.prior_incidents_12m = Some(1);
        assert!(earlier_abuse(&p, &ctx));
        ctx.prior_incidents_12m = Some(0);
        ctx.prior_incident_dates = Some(vec![]);
        assert!(!earlier_abuse(&p, &ctx));
        ctx.prior_incident_dates = Some(vec![d("2025-01-01")]);
        assert!(
            earlier_abuse(&p, &ctx),
            "no incident date: may be in the window"
        );
        ctx.incident_date = Some(d("2025-06-30"));
        assert!(earlier_abuse(&p, &ctx));
        ctx.incident_date = Some(d("2027-06-30"));
        assert!(!earlier_abuse(&p, &ctx), "outside the window");
    }

    #[test]
    fn repeat_marac_window() {
        let p = GradingPolicy::default();
        let ctx = |last: &str, today: Option<&str>| Context {
            last_marac_date: Some(d(last)),
            incident_date: today.map(d),
            ..Context::default()
        };
        assert_eq!(
            repeat_marac(&p, &ctx("2025-01-10", Some("2026-01-10"))),
            Check::Met
        );
        assert_eq!(
            repeat_marac(&p, &ctx("2025-01-10", Some("2026-01-11"))),
            Check::NotMet
        );
        assert_eq!(
            repeat_marac(&p, &ctx("2025-01-10", None)),
            Check::MetOnRecords
        );
        assert_eq!(repeat_marac(&p, &Context::default()), Check::NotMet);
    }
}
