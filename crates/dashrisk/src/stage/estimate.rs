//! Estimate: the points score and its calibrated probability `p_abuse`, from the
//! form's learned points (the calibration artefact).
//!
//! The estimate never decides on its own where a safety rule applies
//! ([`super::decision`]); it is reported as the statistical estimate it is. A form
//! the calibration has no points for has no estimate.

use super::resolve::Resolved;
use crate::answers::{Answer, Assessment};
use crate::calibration::{Calibration, FormScore, ItemPoints, SCREEN_FEAR, SCREEN_POWER};
use crate::instrument::Instrument;

/// A form's learned points laid out in its question order, made once when the
/// scorer is built, so that scoring a record reads a slice instead of looking up
/// question ids.
#[derive(Debug, Clone)]
pub(crate) struct FormTable {
    /// The points as fitted.
    pub score: FormScore,
    /// Points by question, in the instrument's order.
    pub items: Vec<ItemPoints>,
    /// The screen's fear question.
    pub fear: ItemPoints,
    /// The screen's power-imbalance question.
    pub power: ItemPoints,
}

impl FormTable {
    pub fn new(inst: &Instrument, score: FormScore) -> FormTable {
        FormTable {
            items: inst.questions.iter().map(|q| score.item(&q.id)).collect(),
            fear: score.item(SCREEN_FEAR),
            power: score.item(SCREEN_POWER),
            score,
        }
    }
}

/// Points and probabilities for one record; all `None` without a form score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// The points score, unknown answers scoring their unknown points.
    pub points: Option<f64>,
    /// The calibrated probability of `points`: reported in the result.
    pub p_abuse: Option<f64>,
    /// The calibrated probability of the answers given about this incident (the
    /// form's and the screen's "yes" answers; unknowns and earlier incidents scoring
    /// nothing): only used to decide abuse without a gate, so that neither unknowns
    /// nor history alone establish abuse. (Earlier abuse rules out parental conflict
    /// and can meet a MARAC criterion; it does not make this incident abuse.)
    pub p_evidence: Option<f64>,
}

pub(crate) fn estimate(r: &Resolved, a: &Assessment, cal: &Calibration) -> Estimate {
    match r.form {
        None => Estimate {
            points: None,
            p_abuse: None,
            p_evidence: None,
        },
        Some(f) => {
            let (points, evidence) = both_points(r, a, f);
            Estimate {
                points: Some(points),
                p_abuse: Some(cal.p(&f.score, points)),
                p_evidence: Some(cal.p(&f.score, evidence)),
            }
        }
    }
}

/// [`points`] with `unknowns` true and false, in one pass over the answers. Each
/// sum is formed in the same order as by [`points`], so both are the same to the
/// bit.
fn both_points(r: &Resolved, a: &Assessment, f: &FormTable) -> (f64, f64) {
    // A table, not a `match`: a jump per answer is mispredicted on mixed answers.
    let score = |p: ItemPoints, ans: Answer| {
        let yes = f64::from(p.yes);
        let by_answer = [(yes, yes), (0.0, 0.0), (p.unknown, 0.0), (p.unknown, 0.0)];
        by_answer[match ans {
            Answer::Yes => 0,
            Answer::No => 1,
            Answer::NotKnown => 2,
            Answer::Declined => 3,
        }]
    };
    let (mut all, mut given) = (0.0, 0.0);
    let mut add = |p: ItemPoints, ans: Answer| {
        let (x, y) = score(p, ans);
        all += x;
        given += y;
    };
    for (&p, &ans) in f.items.iter().zip(r.answers) {
        add(p, ans);
    }
    let s = &a.conflict_screen;
    add(f.fear, s.fear);
    add(f.power, s.power_imbalance);
    let pr = f.score.prior_incidents;
    all += match a.context.prior_incidents_12m {
        Some(n) => f64::from(pr.per_incident) * f64::from(n.min(pr.cap)),
        None => pr.unknown,
    };
    (all, given)
}

/// The points score; with `unknowns` false, the score of the answers given about
/// this incident: unknown answers and the earlier-incident count score nothing.
pub(crate) fn points(r: &Resolved, a: &Assessment, f: &FormTable, unknowns: bool) -> f64 {
    let score = |p: ItemPoints, ans: Answer| match ans {
        Answer::Yes => f64::from(p.yes),
        Answer::No => 0.0,
        Answer::NotKnown | Answer::Declined if unknowns => p.unknown,
        Answer::NotKnown | Answer::Declined => 0.0,
    };
    let mut total = 0.0;
    for (&p, &ans) in f.items.iter().zip(r.answers) {
        total += score(p, ans);
    }
    let s = &a.conflict_screen;
    total += score(f.fear, s.fear);
    total += score(f.power, s.power_imbalance);
    let pr = f.score.prior_incidents;
    if unknowns {
        total += match a.context.prior_incidents_12m {
            Some(n) => f64::from(pr.per_incident) * f64::from(n.min(pr.cap)),
            None => pr.unknown,
        };
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::evidence::FormMasks;
    use crate::stage::resolve::{answer_buf, resolve};

    /// One pass gives both sums to the bit, on synthetic records on both built-in
    /// forms, with every answer, the screen and the earlier-incident count varied.
    #[test]
    fn one_pass_gives_both_sums_to_the_bit() {
        let cal = Calibration::shipped();
        let instruments: Vec<Instrument> = Instrument::builtin().into_iter().cloned().collect();
        let forms: Vec<Option<FormTable>> = instruments
            .iter()
            .map(|i| cal.form(&i.id).map(|f| FormTable::new(i, f.clone())))
            .collect();
        assert!(forms.iter().all(Option::is_some));
        let masks: Vec<FormMasks> = instruments.iter().map(FormMasks::new).collect();
        let answers = [Answer::Yes, Answer::No, Answer::NotKnown, Answer::Declined];
        let records = crate::synth::generate(3_000, 5, &Default::default());
        for (k, r) in records.into_iter().enumerate() {
            let mut a = r.assessment;
            let inst = &instruments[k % 2];
            a.instrument = inst.id.clone();
            a.answers = inst
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.clone(), answers[(k * 7 + i * (k % 5 + 1)) % 4]))
                .collect();
            a.conflict_screen.fear = answers[k % 3];
            a.conflict_screen.power_imbalance = answers[(k / 3) % 3];
            a.context.prior_incidents_12m = (k % 4 != 0).then_some((k % 9) as u32);
            let mut buf = answer_buf();
            let res = resolve(&instruments, &forms, &masks, &a, &mut buf).unwrap();
            let f = res.form.unwrap();
            let (all, given) = both_points(&res, &a, f);
            assert_eq!(all.to_bits(), points(&res, &a, f, true).to_bits(), "{k}");
            assert_eq!(given.to_bits(), points(&res, &a, f, false).to_bits(), "{k}");
        }
    }
}
