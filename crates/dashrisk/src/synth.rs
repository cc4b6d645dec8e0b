//! A seeded synthetic reference population of police-attended domestic incidents
//! between parents. **Not real data**: there is no public police dataset. Every
//! assumption below is written down, with its source, in docs/synthetic-data.md;
//! results on this population say nothing about real people.
//!
//! The model, per incident:
//! 1. A true class: abuse with probability `p_abuse` (assumed), else parental conflict.
//! 2. Two latent factors: *coercive control* `C` and *physical violence* `P`
//!    (Myhill & Hohl 2019: threats, control, sexual coercion, isolation, fear,
//!    choking and weapons load on one coercive-control factor; current injury does
//!    not). In conflict cases the abuse items are, by definition, absent, apart from
//!    a small rate of label noise.
//! 3. Each item's *true* presence from a logistic in its factor, or from a shared
//!    base rate for items common to both classes (separation, contact disputes,
//!    wellbeing, money, substance use, criminal history).
//! 4. What the officer *records*: not known and declined at item-specific rates,
//!    under-recording of sensitive items (sexual abuse, control, isolation), and a
//!    small false-"yes" rate (Turner et al. 2019 on inconsistent completion).
//! 5. Two labels: abuse vs conflict, and serious harm within 12 months (rare; a
//!    logistic in the factors, strangulation, threats to kill and history).

use crate::answers::*;
use crate::instrument::DASH_2009;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};
use serde::{Deserialize, Serialize};

/// Version of the generator: changes whenever its output for a seed changes.
pub const GENERATOR_VERSION: &str = "dashrisk-synth/3";

/// The generator's assumptions. Defaults are documented in docs/synthetic-data.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynthParams {
    /// Share of incidents that are domestic abuse (rest: parental conflict). Assumed 0.6.
    pub p_abuse: f64,
    /// Share with children in the household: about half of domestic call-outs
    /// (Armitage 2024). 0.5.
    pub p_children: f64,
    /// Base rate of "not known" per item. 0.08.
    pub p_not_known: f64,
    /// Extra "not known" and "declined" on sensitive items (q4, q15, q19). 0.08.
    pub p_sensitive_unanswered: f64,
    /// Share of true "yes" recorded as "no" on sensitive items. 0.35.
    pub under_recording_sensitive: f64,
    /// Share of true "yes" recorded as "no" on other items. 0.08.
    pub under_recording_other: f64,
    /// Share of true "no" recorded as "yes". 0.02.
    pub false_yes: f64,
    /// Label noise: chance that a conflict case shows an abuse item truly present. 0.02.
    pub conflict_abuse_item_rate: f64,
    /// Intercept of the serious-harm logistic (sets its rarity: about 2% of
    /// incidents, 3% of abuse cases, with the other defaults). -6.0.
    pub harm_intercept: f64,
    /// In a conflict case, the chance that an earlier call-out was recorded as
    /// domestic abuse or under review (and so counts in `prior_incidents_12m`, which
    /// counts earlier abuse incidents): an officer who could not clear fear and
    /// control at the earlier call-out recorded it under review. Assumption, no
    /// source. 0.1.
    #[serde(default = "default_conflict_prior_recorded_as_abuse")]
    pub conflict_prior_recorded_as_abuse: f64,
    /// Officers attending, for the call-out columns (`incident_date`, `area`,
    /// `officer`). 0, the default, leaves those columns out and the records exactly
    /// as without them; with officers, the columns come from a second random stream,
    /// so every other field of a record is drawn as before (only the officer effect
    /// below changes what is recorded).
    #[serde(default)]
    pub officers: u32,
    /// Areas the officers work in (officer `k` works in area `k mod areas`). 4.
    #[serde(default = "default_areas")]
    pub areas: u32,
    /// The year the call-outs fall in (a day drawn uniformly). 2025.
    #[serde(default = "default_year")]
    pub year: u32,
    /// The officer effect: the share of officers who under-record sensitive items
    /// (isolation, control, sexual abuse) far more than the rest. Assumption after
    /// the "officer effect" of Turner et al. (2019) and Grogger et al. (2021). 0.2.
    #[serde(default = "default_officer_effect_share")]
    pub officer_effect_share: f64,
    /// Share of true "yes" on sensitive items that those officers record as "no"
    /// (instead of `under_recording_sensitive`). 0.8.
    #[serde(default = "default_officer_under_recording")]
    pub officer_under_recording: f64,
}

fn default_areas() -> u32 {
    4
}
fn default_year() -> u32 {
    2025
}
fn default_officer_effect_share() -> f64 {
    0.2
}
fn default_officer_under_recording() -> f64 {
    0.8
}

fn default_conflict_prior_recorded_as_abuse() -> f64 {
    0.1
}

impl SynthParams {
    /// The defaults with `settings` (`key=value`, as on the command line) applied.
    /// Every key must be a field of [`SynthParams`]; every value a finite number
    /// in the field's range (checked by [`SynthParams::validate`]).
    ///
    /// ```
    /// use dashrisk::synth::SynthParams;
    /// let p = SynthParams::with_settings(&["p_abuse=0.3", "under_recording_sensitive=0.6"]).unwrap();
    /// assert_eq!((p.p_abuse, p.under_recording_sensitive), (0.3, 0.6));
    /// assert!(SynthParams::with_settings(&["p_abuze=0.3"]).unwrap_err().contains("p_abuse"));
    /// ```
    pub fn with_settings<S: AsRef<str>>(settings: &[S]) -> Result<SynthParams, String> {
        let mut value = serde_json::to_value(SynthParams::default()).map_err(|e| e.to_string())?;
        let obj = value
            .as_object_mut()
            .ok_or("generator settings are not an object")?;
        let keys: Vec<String> = obj.keys().cloned().collect();
        for s in settings {
            let s = s.as_ref();
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| format!("{s:?}: expected KEY=VALUE (for example p_abuse=0.3)"))?;
            let (k, v) = (k.trim(), v.trim());
            if !obj.contains_key(k) {
                return Err(format!(
                    "{k:?} is not a generator setting; expected one of: {}",
                    keys.join(", ")
                ));
            }
            if obj[k].is_u64() {
                let n: u32 = v.parse().map_err(|_| {
                    format!("{k}: {v:?} is not a whole number from 0 to {}", u32::MAX)
                })?;
                obj.insert(k.to_string(), serde_json::json!(n));
                continue;
            }
            let x: f64 = v
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| format!("{k}: {v:?} is not a number"))?;
            obj.insert(k.to_string(), serde_json::json!(x));
        }
        let p: SynthParams = serde_json::from_value(value).map_err(|e| e.to_string())?;
        p.validate()?;
        Ok(p)
    }

    /// Checks that every rate is a probability in [0, 1] and the intercept finite.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("p_abuse", self.p_abuse),
            ("p_children", self.p_children),
            ("p_not_known", self.p_not_known),
            ("p_sensitive_unanswered", self.p_sensitive_unanswered),
            ("under_recording_sensitive", self.under_recording_sensitive),
            ("under_recording_other", self.under_recording_other),
            ("false_yes", self.false_yes),
            ("conflict_abuse_item_rate", self.conflict_abuse_item_rate),
            (
                "conflict_prior_recorded_as_abuse",
                self.conflict_prior_recorded_as_abuse,
            ),
            ("officer_effect_share", self.officer_effect_share),
            ("officer_under_recording", self.officer_under_recording),
        ];
        for (k, x) in rates {
            if !(0.0..=1.0).contains(&x) {
                return Err(format!(
                    "{k}: {x} is not a rate; expected a number from 0 to 1"
                ));
            }
        }
        if self.p_not_known + self.p_sensitive_unanswered > 1.0 {
            return Err("p_not_known + p_sensitive_unanswered must be at most 1".into());
        }
        if !self.harm_intercept.is_finite() {
            return Err("harm_intercept must be a finite number".into());
        }
        if self.officers > 0 && self.areas == 0 {
            return Err(
                "areas: 0 is not allowed when there are officers; expected 1 or more".into(),
            );
        }
        if self.officers > 1_000_000 {
            return Err(format!(
                "officers: {} is too many; expected at most 1000000",
                self.officers
            ));
        }
        if !(1900..=2100).contains(&self.year) {
            return Err(format!("year: {} is outside 1900-2100", self.year));
        }
        Ok(())
    }
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            p_abuse: 0.6,
            p_children: 0.5,
            p_not_known: 0.08,
            p_sensitive_unanswered: 0.08,
            under_recording_sensitive: 0.35,
            under_recording_other: 0.08,
            false_yes: 0.02,
            conflict_abuse_item_rate: 0.02,
            harm_intercept: -6.0,
            conflict_prior_recorded_as_abuse: default_conflict_prior_recorded_as_abuse(),
            officers: 0,
            areas: default_areas(),
            year: default_year(),
            officer_effect_share: default_officer_effect_share(),
            officer_under_recording: default_officer_under_recording(),
        }
    }
}

/// One synthetic incident with its two labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthRecord {
    /// The assessment as recorded.
    pub assessment: Assessment,
    /// True class: domestic abuse (true) or parental conflict (false).
    pub abuse: bool,
    /// Serious harm within 12 months.
    pub serious_harm: bool,
    /// Who attended, where and when: only when [`SynthParams::officers`] is set.
    pub call_out: Option<CallOut>,
}

/// Column names of the synthetic CSV (`dashrisk synth --format csv`, and Python's
/// `synth(as_frame=True)`); with officers set, the call-out columns `incident_date`,
/// `area` and `officer` follow `prior_incidents_12m`.
pub fn flat_header(params: &SynthParams) -> Vec<String> {
    let mut h = vec!["id".to_string(), "instrument".to_string()];
    h.extend((1..=27).map(|i| format!("q{i}")));
    for c in [
        "fear",
        "power_imbalance",
        "argument_frequency",
        "resolution",
        "children_exposed",
        "recent_transitions",
        "children_in_household",
        "prior_incidents_12m",
    ] {
        h.push(c.to_string());
    }
    if params.officers > 0 {
        h.extend(["incident_date", "area", "officer"].map(String::from));
    }
    h.extend(["label_abuse", "label_serious_harm"].map(String::from));
    h
}

impl SynthRecord {
    /// The record as CSV cells under [`flat_header`]: answers as written, a
    /// question left out empty (not known), `recent_transitions` `;`-joined
    /// (`none` for an empty list), labels 1 or 0.
    pub fn flat_row(&self) -> Vec<String> {
        let a = &self.assessment;
        let s = &a.conflict_screen;
        let mut row = vec![a.id.clone().unwrap_or_default(), a.instrument.clone()];
        for q in 1..=27 {
            row.push(
                a.answers
                    .get(&format!("q{q}"))
                    .map(|x| x.as_str().to_string())
                    .unwrap_or_default(),
            );
        }
        row.push(s.fear.as_str().into());
        row.push(s.power_imbalance.as_str().into());
        row.push(s.argument_frequency.as_str().into());
        row.push(s.resolution.as_str().into());
        row.push(s.children_exposed.as_str().into());
        row.push(match &s.recent_transitions {
            None => String::new(),
            Some(t) if t.is_empty() => "none".into(),
            Some(t) => t.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(";"),
        });
        row.push(
            a.context
                .children_in_household
                .map(|b| b.to_string())
                .unwrap_or_default(),
        );
        row.push(
            a.context
                .prior_incidents_12m
                .map(|n| n.to_string())
                .unwrap_or_default(),
        );
        if let Some(c) = &self.call_out {
            row.push(
                a.context
                    .incident_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            );
            row.push(c.area.clone());
            row.push(c.officer.clone());
        }
        row.push(u8::from(self.abuse).to_string());
        row.push(u8::from(self.serious_harm).to_string());
        row
    }

    /// The assessment with its `meta` as `dashrisk synth --format jsonl` writes it:
    /// `synthetic`, the labels, and the officer and area when set.
    pub fn with_meta(self) -> Assessment {
        let mut a = self.assessment;
        let mut meta = serde_json::json!({
            "synthetic": true,
            "label_abuse": u8::from(self.abuse),
            "label_serious_harm": u8::from(self.serious_harm),
        });
        if let Some(c) = &self.call_out {
            meta["area"] = c.area.clone().into();
            meta["officer"] = c.officer.clone().into();
        }
        a.meta = Some(meta);
        a
    }
}

/// The call-out columns of a synthetic record: its area and officer (the incident
/// date is in the assessment's context).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallOut {
    /// `area-1`…
    pub area: String,
    /// `officer-001`…
    pub officer: String,
    /// Whether this officer is one of those who under-record sensitive items (the
    /// documented officer effect). Ground truth, for tests and teaching; not a column.
    pub under_records: bool,
}

/// Which factor drives an item in abuse cases, and its logistic parameters.
#[derive(Clone, Copy)]
enum Driver {
    /// Coercive-control factor: P(yes) = sigmoid(a + b·C).
    Control(f64, f64),
    /// Physical factor: P(yes) = sigmoid(a + b·P).
    Physical(f64, f64),
    /// Common to both classes with these base rates (abuse, conflict).
    Shared(f64, f64),
}

use Driver::*;

/// Drivers for q1..q27 (index 0 = q1). Loadings are assumptions (docs/synthetic-data.md).
const ITEMS: [Driver; 27] = [
    Physical(-0.8, 1.0), // q1 injury: physical factor, not control
    Control(0.2, 1.2),   // q2 very frightened
    Control(0.0, 1.2),   // q3 afraid of further harm
    Control(-1.0, 1.0),  // q4 isolation (sensitive)
    Shared(0.35, 0.2),   // q5 depression / suicidal thoughts
    Shared(0.45, 0.45),  // q6 separation in past year
    Shared(0.3, 0.35),   // q7 conflict over child contact
    Control(-1.0, 1.1),  // q8 stalking / harassment
    Shared(0.15, 0.15),  // q9 pregnancy / baby < 18 months
    Shared(0.2, 0.2),    // q10 children not the abuser's in household
    Physical(-2.8, 0.9), // q11 hurt the children
    Control(-2.6, 1.0),  // q12 threatened the children
    Control(-0.5, 1.0),  // q13 more often
    Control(-0.6, 1.0),  // q14 getting worse
    Control(-0.2, 1.3),  // q15 control / jealousy (sensitive)
    Control(-2.0, 1.0),  // q16 weapons (loads on control: Myhill & Hohl)
    Control(-2.0, 1.1),  // q17 threats to kill
    Control(-1.9, 1.0),  // q18 strangulation (loads on control: Myhill & Hohl)
    Control(-1.8, 1.0),  // q19 sexual abuse (sensitive)
    Shared(0.08, 0.04),  // q20 third-party threat
    Physical(-1.2, 0.8), // q21 hurt anyone else
    Shared(0.08, 0.02),  // q22 animal abuse
    Shared(0.35, 0.3),   // q23 financial issues
    Shared(0.45, 0.3),   // q24 substance / mental health
    Shared(0.15, 0.06),  // q25 suicide threats
    Shared(0.15, 0.03),  // q26 breached bail / orders
    Shared(0.45, 0.2),   // q27 criminal history
];

/// Sensitive items that officers under-record (police form numbers).
const SENSITIVE: [usize; 3] = [4, 15, 19];
/// Items that are abuse by definition, absent in conflict but for label noise.
const ABUSE_ONLY: [usize; 14] = [1, 2, 3, 4, 8, 11, 12, 13, 14, 15, 16, 17, 18, 19];

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Generates `n` records from `seed`. Deterministic across platforms (ChaCha8).
///
/// ```
/// let a = dashrisk::synth::generate(5, 7, &Default::default());
/// let b = dashrisk::synth::generate(5, 7, &Default::default());
/// assert_eq!(a, b);
/// ```
pub fn generate(n: usize, seed: u64, params: &SynthParams) -> Vec<SynthRecord> {
    let mut g = Generator::new(seed, params.clone());
    (0..n).map(|i| g.record(i)).collect()
}

/// A streaming generator, for populations too large to hold in memory.
pub struct Generator {
    rng: ChaCha8Rng,
    params: SynthParams,
    normal: Normal<f64>,
    /// The second stream, for the call-out columns (officer, area, date), and which
    /// officers under-record sensitive items.
    calls: Option<(ChaCha8Rng, Vec<bool>)>,
}

impl Generator {
    /// A generator from a seed.
    pub fn new(seed: u64, params: SynthParams) -> Generator {
        let calls = (params.officers > 0).then(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(1);
            let under = (0..params.officers)
                .map(|_| rng.random::<f64>() < params.officer_effect_share)
                .collect();
            (rng, under)
        });
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            params,
            normal: Normal::new(0.0, 1.0).expect("unit normal"),
            calls,
        }
    }

    /// The call-out of the next record, from the second stream: an officer drawn
    /// uniformly (so areas differ in size only through `officers mod areas`), and a
    /// day drawn uniformly in the year.
    fn call_out(&mut self) -> Option<(CallOut, chrono::NaiveDate)> {
        let (rng, under) = self.calls.as_mut()?;
        let k = rng.random_range(0..under.len());
        let year = i32::try_from(self.params.year).ok()?;
        let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1)?;
        let days = if chrono::NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
            366
        } else {
            365
        };
        let date = first + chrono::Days::new(rng.random_range(0..days));
        let area = k as u32 % self.params.areas.max(1);
        Some((
            CallOut {
                area: format!("area-{}", area + 1),
                officer: format!("officer-{:03}", k + 1),
                under_records: under[k],
            },
            date,
        ))
    }

    fn bern(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    /// The next record; `i` becomes its id (`syn-000001`…).
    pub fn record(&mut self, i: usize) -> SynthRecord {
        let p = self.params.clone();
        let call = self.call_out();
        let under_sensitive = match &call {
            Some((c, _)) if c.under_records => p.officer_under_recording,
            _ => p.under_recording_sensitive,
        };
        let abuse = self.bern(p.p_abuse);
        let (c, phys) = if abuse {
            (
                0.8 + self.normal.sample(&mut self.rng),
                0.3 + self.normal.sample(&mut self.rng),
            )
        } else {
            (-1.0, -1.0)
        };
        let mut truth = [false; 27];
        for (idx, driver) in ITEMS.iter().enumerate() {
            let num = idx + 1;
            truth[idx] = if !abuse && ABUSE_ONLY.contains(&num) {
                self.bern(p.conflict_abuse_item_rate)
            } else {
                match *driver {
                    Control(a, b) => self.bern(sigmoid(a + b * c)),
                    Physical(a, b) => self.bern(sigmoid(a + b * phys)),
                    Shared(pa, pc) => self.bern(if abuse { pa } else { pc }),
                }
            };
        }
        let mut a = Assessment {
            id: Some(format!("syn-{:07}", i + 1)),
            instrument: DASH_2009.to_string(),
            ..Assessment::default()
        };
        for (idx, &t) in truth.iter().enumerate() {
            let num = idx + 1;
            let sensitive = SENSITIVE.contains(&num);
            let u = self.rng.random::<f64>();
            let unanswered = p.p_not_known
                + if sensitive {
                    p.p_sensitive_unanswered
                } else {
                    0.0
                };
            let ans = if u < unanswered {
                if sensitive && u < p.p_sensitive_unanswered / 2.0 {
                    Answer::Declined
                } else {
                    Answer::NotKnown
                }
            } else if t {
                let under = if sensitive {
                    under_sensitive
                } else {
                    p.under_recording_other
                };
                if self.bern(under) {
                    Answer::No
                } else {
                    Answer::Yes
                }
            } else if self.bern(p.false_yes) {
                Answer::Yes
            } else {
                Answer::No
            };
            // Missing keys are not known; leave some out to exercise that path.
            if !(ans == Answer::NotKnown && self.bern(0.5)) {
                a.answers.insert(format!("q{num}"), ans);
            }
        }
        // The conflict screen: fear and power imbalance track the control factor.
        let screen_yes = |g: &mut Self, truth: bool| {
            if g.bern(0.15) {
                Answer::NotKnown
            } else if truth || g.bern(p.false_yes) {
                // Short-circuit: the false-yes draw is made only for a true "no".
                Answer::Yes
            } else {
                Answer::No
            }
        };
        let fear_true = abuse && c > 0.0;
        let power_true = abuse && c > -0.3;
        a.conflict_screen.fear = screen_yes(self, fear_true);
        a.conflict_screen.power_imbalance = screen_yes(self, power_true);
        let freq_u = self.rng.random::<f64>();
        a.conflict_screen.argument_frequency = if freq_u < 0.1 {
            ArgumentFrequency::NotKnown
        } else if abuse {
            [
                ArgumentFrequency::Rare,
                ArgumentFrequency::Monthly,
                ArgumentFrequency::Weekly,
                ArgumentFrequency::Daily,
            ][self.rng.random_range(0..4)]
        } else {
            [
                ArgumentFrequency::Monthly,
                ArgumentFrequency::Weekly,
                ArgumentFrequency::Weekly,
                ArgumentFrequency::Daily,
            ][self.rng.random_range(0..4)]
        };
        a.conflict_screen.resolution = if self.bern(0.12) {
            Resolution::NotKnown
        } else if self.bern(if abuse { 0.6 } else { 0.8 }) {
            Resolution::PoorlyResolved
        } else {
            Resolution::Resolved
        };
        let children = self.bern(p.p_children);
        a.context.children_in_household = if self.bern(0.05) {
            None
        } else {
            Some(children)
        };
        a.conflict_screen.children_exposed = if !children {
            Answer::No
        } else if self.bern(0.6) {
            Answer::Yes
        } else {
            Answer::NotKnown
        };
        if self.bern(0.2) {
            a.conflict_screen.recent_transitions = None;
        } else {
            let mut ts = Vec::new();
            for t in [
                Transition::Separation,
                Transition::NewBaby,
                Transition::Bereavement,
                Transition::ChildStartingSchool,
                Transition::EconomicPressure,
            ] {
                if self.bern(0.12) {
                    ts.push(t);
                }
            }
            a.conflict_screen.recent_transitions = Some(ts);
        }
        // Prior incidents: history is the strongest predictor (Turner et al. 2022).
        // `prior_incidents_12m` counts earlier *abuse* incidents (the input
        // contract): in an abuse case every earlier call-out counts; in a conflict
        // case only those recorded as abuse or under review do (generator v3; v2
        // counted every call-out of a conflict family, against the contract).
        let lambda = if abuse { (-0.4 + 0.5 * c).exp() } else { 0.35 };
        let callouts = Poisson::new(lambda.max(1e-6))
            .map(|d| d.sample(&mut self.rng) as u32)
            .unwrap_or(0);
        let prior = if abuse {
            callouts
        } else {
            (0..callouts)
                .filter(|_| self.bern(p.conflict_prior_recorded_as_abuse))
                .count() as u32
        };
        a.context.prior_incidents_12m = if self.bern(0.1) { None } else { Some(prior) };
        let harm_logit = if abuse {
            p.harm_intercept
                + 0.8 * c
                + 0.5 * phys
                + 0.25 * f64::from(prior.min(6))
                + if truth[17] { 1.0 } else { 0.0 }
                + if truth[16] { 0.8 } else { 0.0 }
        } else {
            p.harm_intercept - 2.0
        };
        let serious_harm = self.bern(sigmoid(harm_logit));
        let call_out = call.map(|(c, date)| {
            a.context.incident_date = Some(date);
            c
        });
        SynthRecord {
            assessment: a,
            abuse,
            serious_harm,
            call_out,
        }
    }
}
