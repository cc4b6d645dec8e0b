//! DASH grading: the yes-count, the bands, professional judgement (raise only) and
//! the MARAC criteria.

use crate::answers::{Answer, Assessment, Context};
use crate::instrument::Instrument;
use crate::policy::GradingPolicy;
use crate::result::RiskLevel;
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

/// Counts answers over the instrument's questions (left-out questions are not known).
pub fn count(instrument: &Instrument, assessment: &Assessment) -> Counts {
    let answers: Vec<Answer> = instrument
        .questions
        .iter()
        .map(|q| assessment.answer(&q.id))
        .collect();
    count_answers(&answers)
}

/// Counts a list of answers.
pub fn count_answers(answers: &[Answer]) -> Counts {
    let mut c = Counts::default();
    for &a in answers {
        match a {
            Answer::Yes => c.yes += 1,
            Answer::No => {}
            Answer::NotKnown => c.not_known += 1,
            Answer::Declined => c.declined += 1,
        }
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
    /// Met.
    Met,
    /// Not met on the data given.
    NotMet,
    /// Could not be checked: the data it needs is missing. Never read as "not met"
    /// silently: the result carries a reason.
    Unchecked,
}

fn within_months(earlier: NaiveDate, later: NaiveDate, months: u32) -> bool {
    match earlier.checked_add_months(Months::new(months)) {
        Some(limit) => earlier <= later && later <= limit,
        None => earlier <= later,
    }
}

/// Potential escalation: at least `escalation_incidents` incidents, the current one
/// included, within the window.
pub fn escalation(policy: &GradingPolicy, ctx: &Context) -> Check {
    let needed_prior = policy.escalation_incidents.saturating_sub(1);
    if needed_prior == 0 {
        return Check::Met;
    }
    let verdict = |prior: u32| {
        if prior >= needed_prior {
            Check::Met
        } else {
            Check::NotMet
        }
    };
    if policy.escalation_window_months == 12 {
        if let Some(n) = ctx.prior_incidents_12m {
            return verdict(n);
        }
    }
    match (&ctx.prior_incident_dates, ctx.incident_date) {
        (Some(dates), Some(today)) => {
            let n = dates
                .iter()
                .filter(|&&d| d < today && within_months(d, today, policy.escalation_window_months))
                .count();
            verdict(u32::try_from(n).unwrap_or(u32::MAX))
        }
        _ => Check::Unchecked,
    }
}

/// Repeat MARAC: this incident falls within the window after the last MARAC.
pub fn repeat_marac(policy: &GradingPolicy, ctx: &Context) -> Check {
    match (ctx.last_marac_date, ctx.incident_date) {
        (None, _) => Check::NotMet,
        (Some(_), None) => Check::Unchecked,
        (Some(last), Some(today)) => {
            if within_months(last, today, policy.repeat_marac_window_months) {
                Check::Met
            } else {
                Check::NotMet
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // 2024-12-15 is six and a half months back; only 2025-05-01 is within six months: 1 prior + current = 2 < 3.
        assert_eq!(escalation(&p, &ctx), Check::NotMet);
        ctx.prior_incident_dates = Some(vec![d("2024-12-15"), d("2025-05-01"), d("2025-06-01")]);
        assert_eq!(escalation(&p, &ctx), Check::Met);
        ctx.prior_incident_dates = None;
        assert_eq!(escalation(&p, &ctx), Check::Unchecked);
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
        assert_eq!(repeat_marac(&p, &ctx("2025-01-10", None)), Check::Unchecked);
        assert_eq!(repeat_marac(&p, &Context::default()), Check::NotMet);
    }
}
