//! One interface for every tool that turns an assessment into a risk score, so that
//! evaluation code can run the calibrated scorer, plain DASH grading and comparison
//! models (the `dashrisk-learn` logistic regression) side by side.
//!
//! A [`Prediction`] always has a `rank_score` in which **higher means more likely
//! positive** (abuse, or more risk): that is all a ranking metric such as ROC AUC
//! needs. Tools that estimate a probability also fill `probability` (for the Brier
//! score and calibration plots); tools that classify or grade fill `classification`
//! or `level`. Every prediction carries reasons in the scorer's `{code, text}` style.
//!
//! Predictions are decision support for comparison and evaluation; only
//! [`Scorer::assess`] applies the safety gates and produces the full result.
//!
//! ```
//! use dashrisk::predictor::{DashGrading, Predictor};
//! use dashrisk::{Answer, Assessment, Scorer};
//! let tools: Vec<Box<dyn Predictor>> = vec![
//!     Box::new(Scorer::default()),
//!     Box::new(DashGrading::default()),
//! ];
//! let mut a = Assessment::default();
//! a.answers.insert("q18".into(), Answer::Yes);
//! for tool in &tools {
//!     let p = tool.predict(&a).unwrap();
//!     assert!(p.rank_score.is_finite(), "{}", tool.name());
//! }
//! ```

use crate::answers::Assessment;
use crate::error::InputError;
use crate::grading;
use crate::result::{Classification, Reason, ReasonCode, RiskLevel};
use crate::scorer::Scorer;
use serde::{Deserialize, Serialize};

/// What one tool says about one assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The record's id, echoed.
    pub id: Option<String>,
    /// Name of the tool that made the prediction ([`Predictor::name`]).
    pub predictor: String,
    /// The ranking score: higher means more likely positive. Comparable only
    /// between predictions of the same tool. (The scorer's points are a different
    /// thing: [`crate::AssessmentResult::points`].)
    pub rank_score: f64,
    /// The estimated probability of the positive outcome, for tools that estimate
    /// one (the scorer's `p_abuse`, a logistic model's probability).
    pub probability: Option<f64>,
    /// The conflict-vs-abuse decision, for tools that make one.
    pub classification: Option<Classification>,
    /// The risk level, for tools that grade.
    pub level: Option<RiskLevel>,
    /// Why, in the scorer's `{code, text}` style.
    pub reasons: Vec<Reason>,
}

/// A tool that scores assessments. Implemented by [`Scorer`] (the calibrated
/// `p_abuse`), [`DashGrading`] (the yes-count and its level) and, in the
/// `dashrisk-learn` crate, the logistic comparison model.
///
/// Implementations are `Send + Sync` so that evaluation code can share one tool
/// across threads.
pub trait Predictor: Send + Sync {
    /// A short stable name for reports (`scorer`, `dash-grading`, …).
    fn name(&self) -> &str;

    /// Scores one assessment, or says which field is wrong.
    fn predict(&self, assessment: &Assessment) -> Result<Prediction, InputError>;
}

/// The calibrated scorer as a predictor: `rank_score` and `probability` are `p_abuse`,
/// with the classification, the final risk level and the scorer's reasons.
impl Predictor for Scorer {
    fn name(&self) -> &str {
        "scorer"
    }

    fn predict(&self, assessment: &Assessment) -> Result<Prediction, InputError> {
        let r = self.assess(assessment)?;
        let questions = self
            .instrument(&r.instrument)
            .map_or(1, |i| i.questions.len().max(1));
        Ok(Prediction {
            id: r.id,
            predictor: Predictor::name(self).to_string(),
            // A form without an estimate ranks by its share of "yes" answers.
            rank_score: r
                .p_abuse
                .unwrap_or(f64::from(r.yes_count) / questions as f64),
            probability: r.p_abuse,
            classification: Some(r.classification),
            level: Some(r.risk_level),
            reasons: r.reasons,
        })
    }
}

/// Plain DASH grading as a predictor: `rank_score` is the yes-count, `level` the final
/// level (the count's band, raised but never lowered by the officer's judgement).
/// No probability and no classification: grading does neither.
#[derive(Debug, Clone, Default)]
pub struct DashGrading {
    // The scorer supplies the instruments and the grading policy; its calibration
    // is not used.
    scorer: Scorer,
}

impl DashGrading {
    /// Grading with the instruments and grading policy of this scorer.
    pub fn new(scorer: Scorer) -> DashGrading {
        DashGrading { scorer }
    }
}

impl Predictor for DashGrading {
    fn name(&self) -> &str {
        "dash-grading"
    }

    fn predict(&self, assessment: &Assessment) -> Result<Prediction, InputError> {
        let inst = self.scorer.check_questions(assessment)?;
        let policy = &self.scorer.policy().grading;
        let counts = grading::count(inst, assessment);
        let actuarial = grading::band(policy, counts.yes);
        let level = grading::final_level(actuarial, assessment.officer_judgement);
        let mut reasons = vec![Reason {
            code: ReasonCode::YesCountBand,
            text: format!(
                "{} of {} questions answered yes: {} risk on the count ({} or more is high).",
                counts.yes,
                inst.questions.len(),
                actuarial.as_str(),
                policy.high_from
            )
            .into(),
        }];
        if level > actuarial {
            reasons.push(Reason {
                code: ReasonCode::ProfessionalJudgementRaised,
                text: format!(
                    "Professional judgement raised the level from {} to {}.",
                    actuarial.as_str(),
                    level.as_str()
                )
                .into(),
            });
        }
        Ok(Prediction {
            id: assessment.id.clone(),
            predictor: self.name().to_string(),
            rank_score: f64::from(counts.yes),
            probability: None,
            classification: None,
            level: Some(level),
            reasons,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Answer;

    #[test]
    fn predictors_are_send_sync_and_object_safe() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Scorer>();
        send_sync::<DashGrading>();
        send_sync::<Prediction>();
        send_sync::<Box<dyn Predictor>>();
    }

    #[test]
    fn scorer_prediction_is_its_assessment() {
        let scorer = Scorer::default();
        let mut a = Assessment {
            id: Some("x1".into()),
            ..Assessment::default()
        };
        a.answers.insert("q2".into(), Answer::Yes);
        let r = scorer.assess(&a).unwrap();
        let p = scorer.predict(&a).unwrap();
        assert_eq!(p.id.as_deref(), Some("x1"));
        assert_eq!(Some(p.rank_score), r.p_abuse);
        assert_eq!(p.probability, r.p_abuse);
        assert_eq!(p.classification, Some(r.classification));
        assert_eq!(p.level, Some(r.risk_level));
        assert_eq!(p.reasons, r.reasons);
    }

    #[test]
    fn dash_grading_scores_the_yes_count_and_never_lowers() {
        let g = DashGrading::default();
        let mut a = Assessment::default();
        for q in 1..=15 {
            a.answers.insert(format!("q{q}"), Answer::Yes);
        }
        a.officer_judgement = Some(RiskLevel::Standard);
        let p = g.predict(&a).unwrap();
        assert_eq!(p.rank_score, 15.0);
        assert_eq!(p.level, Some(RiskLevel::High));
        assert_eq!(p.probability, None);
        let b = Assessment {
            officer_judgement: Some(RiskLevel::Medium),
            ..Assessment::default()
        };
        let p = g.predict(&b).unwrap();
        assert_eq!(p.rank_score, 0.0);
        assert_eq!(p.level, Some(RiskLevel::Medium));
        assert!(p
            .reasons
            .iter()
            .any(|r| r.code == ReasonCode::ProfessionalJudgementRaised));
    }

    #[test]
    fn unknown_questions_are_errors_for_every_tool() {
        let mut a = Assessment::default();
        a.answers.insert("q99".into(), Answer::Yes);
        let tools: [&dyn Predictor; 2] = [&Scorer::default(), &DashGrading::default()];
        for t in tools {
            let e = t.predict(&a).unwrap_err();
            assert_eq!(e.code.code(), "unknown_question", "{}", t.name());
        }
    }

    #[test]
    fn prediction_round_trips_through_json() {
        let p = Scorer::default().predict(&Assessment::default()).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        let back: Prediction = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }
}
