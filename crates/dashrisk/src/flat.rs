//! The flat (tabular) view of results and error records: one list of columns, used
//! by the CLI's CSV output and the Python package's DataFrames, so that the two
//! can never disagree on a column's name, order or meaning.
//!
//! ```
//! use dashrisk::flat::{result_row, Cell, RESULT_COLUMNS};
//! use dashrisk::{Answer, Assessment, Scorer};
//! let mut a = Assessment::default();
//! a.answers.insert("q18".into(), Answer::Yes);
//! let r = Scorer::default().assess(&a).unwrap();
//! let row = result_row(&r);
//! let at = |name: &str| RESULT_COLUMNS.iter().position(|c| c.name == name).unwrap();
//! assert_eq!(row[at("classification")], Cell::Text("domestic_abuse".into()));
//! assert_eq!(row[at("yes_count")], Cell::Count(1));
//! assert_eq!(row[at("error_code")], Cell::Missing);
//! ```

use crate::compact::CompactResult;
use crate::error::RecordError;
use crate::result::AssessmentResult;
use crate::scorer::Scorer;
use std::borrow::Cow;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text (a contract string, an id, a message).
    Text,
    /// `true` / `false`.
    Bool,
    /// A whole number, 0 or more.
    Count,
    /// A real number.
    Float,
    /// A list of contract strings (CSV joins them with `;`).
    List,
}

/// One result column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The column name.
    pub name: &'static str,
    /// What it holds.
    pub kind: ColumnKind,
}

const fn col(name: &'static str, kind: ColumnKind) -> Column {
    Column { name, kind }
}

use ColumnKind as K;

/// The result columns, in order. A result fills the columns up to
/// `calibration_version` and leaves the `error_*` columns missing; an error record
/// fills `id` and the `error_*` columns only.
pub const RESULT_COLUMNS: [Column; 29] = [
    col("id", K::Text),
    col("classification", K::Text),
    col("decided_by", K::Text),
    col("conflict_blockers", K::List),
    col("p_abuse", K::Float),
    col("points", K::Float),
    col("risk_level", K::Text),
    col("actuarial_level", K::Text),
    col("yes_count", K::Count),
    col("not_known_count", K::Count),
    col("declined_count", K::Count),
    col("marac_referral", K::Bool),
    col("marac_criteria", K::List),
    col("flags", K::List),
    col("csc_notification", K::Bool),
    col("school_notification", K::Bool),
    col("pathways", K::List),
    col("recording_category", K::Text),
    col("children_in_household", K::Bool),
    col("children_linked", K::Bool),
    col("reason_codes", K::List),
    col("reasons", K::Text),
    col("instrument", K::Text),
    col("scorer_version", K::Text),
    col("calibration_version", K::Text),
    col("error_code", K::Text),
    col("error_field", K::Text),
    col("error_value", K::Text),
    col("error_message", K::Text),
];

/// One cell, borrowing from the result it shows where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Text.
    Text(Cow<'a, str>),
    /// A flag.
    Bool(bool),
    /// A count.
    Count(u32),
    /// A real number.
    Float(f64),
    /// A list of contract strings.
    List(Vec<&'static str>),
    /// A fact the record did not give (children in the household not recorded):
    /// CSV writes `not_known`.
    NotKnown,
    /// No value: the column does not apply to this row (a result's error columns,
    /// an error record's result columns).
    Missing,
}

/// The names of [`RESULT_COLUMNS`], in order.
pub fn column_names() -> impl Iterator<Item = &'static str> {
    RESULT_COLUMNS.iter().map(|c| c.name)
}

fn opt_bool(b: Option<bool>) -> Cell<'static> {
    b.map_or(Cell::NotKnown, Cell::Bool)
}

/// The cells of a result, in [`RESULT_COLUMNS`] order.
pub fn result_row(r: &AssessmentResult) -> Vec<Cell<'_>> {
    let text = |s| Cell::Text(Cow::Borrowed(s));
    let row = vec![
        r.id.as_deref().map_or(Cell::Missing, text),
        text(r.classification.as_str()),
        text(r.decided_by.as_str()),
        Cell::List(r.conflict_blockers.iter().map(|b| b.as_str()).collect()),
        r.p_abuse.map_or(Cell::Missing, Cell::Float),
        r.points.map_or(Cell::Missing, Cell::Float),
        text(r.risk_level.as_str()),
        text(r.actuarial_level.as_str()),
        Cell::Count(r.yes_count),
        Cell::Count(r.not_known_count),
        Cell::Count(r.declined_count),
        Cell::Bool(r.marac_referral),
        Cell::List(r.marac_criteria.iter().map(|c| c.as_str()).collect()),
        Cell::List(r.flags.iter().map(|f| f.as_str()).collect()),
        Cell::Bool(r.csc_notification),
        Cell::Bool(r.school_notification),
        Cell::List(r.pathways.iter().map(|p| p.as_str()).collect()),
        text(r.recording_category.as_str()),
        opt_bool(r.children.in_household),
        opt_bool(r.children.linked),
        Cell::List(r.reasons.iter().map(|x| x.code.as_str()).collect()),
        Cell::Text(Cow::Owned(
            r.reasons
                .iter()
                .map(|x| x.text.as_ref())
                .collect::<Vec<_>>()
                .join(" "),
        )),
        text(&r.instrument),
        text(&r.scorer_version),
        text(&r.calibration_version),
        Cell::Missing,
        Cell::Missing,
        Cell::Missing,
        Cell::Missing,
    ];
    debug_assert_eq!(row.len(), RESULT_COLUMNS.len());
    row
}

/// A number written with a fixed count of digits after the point, exactly as
/// `format!("{x:.N}")` writes it (tests compare them on random, tied and nearly
/// tied values), but faster for the numbers results carry.
///
/// A positive number whose scaled value (`x × 10^places`) is below 10⁹ and not
/// within 10⁻⁶ of a tie is written from that value rounded to an integer; the
/// others (and more than 4 places) go to `std`'s formatting. The scaled value is
/// off the exact one by at most 10⁹ × 2⁻⁵³ (about 10⁻⁷), so away from a tie it
/// rounds to the same integer as the exact value does. (Hand-written: no crate
/// writes a float to fixed places but `std`'s formatting, which this passes to
/// near ties; `std`'s exact digits were about 5% of the CSV path.)
///
/// ```
/// use dashrisk::flat::Fixed;
/// assert_eq!(Fixed(0.93614, 4).to_string(), format!("{:.4}", 0.93614));
/// assert_eq!(Fixed(2.5, 0).to_string(), "2"); // a tie: as std, to even
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed(pub f64, pub usize);

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_fixed(f, self.0, self.1)
    }
}

/// Writes `x` to `places` places as [`Fixed`] displays it, into any writer: a
/// sentence writes it straight into its string, with no formatter between.
pub(crate) fn write_fixed<W: std::fmt::Write + ?Sized>(
    w: &mut W,
    x: f64,
    places: usize,
) -> std::fmt::Result {
    const SCALE: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];
    const POW: [u64; 5] = [1, 10, 100, 1_000, 10_000];
    if let (Some(&scale), Some(&pow)) = (SCALE.get(places), POW.get(places)) {
        let y = x * scale;
        if x.is_sign_positive() && (0.0..1e9).contains(&y) {
            let whole = y.floor();
            let frac = y - whole;
            if (frac - 0.5).abs() > 1e-6 {
                let k = whole as u64 + u64::from(frac > 0.5);
                let (int, dec) = (k / pow, k % pow);
                w.write_str(Digits::new(int).as_str())?;
                if places > 0 {
                    let dec = Digits::new(dec);
                    w.write_char('.')?;
                    for _ in dec.as_str().len()..places {
                        w.write_char('0')?;
                    }
                    w.write_str(dec.as_str())?;
                }
                return Ok(());
            }
        }
    }
    write!(w, "{x:.places$}")
}

/// Every number below 100 as two digits, in order: a number below 100 is a slice of
/// this, with no digits made.
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// A whole number's decimal digits, as `Display` writes them, made on the stack.
pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
    /// The number when it is below 100 (then `buf` is not written), else 100.
    small: u8,
}

impl Digits {
    /// The digits of `v` (20 places hold every `u64`).
    pub(crate) fn new(mut v: u64) -> Digits {
        let mut buf = [b'0'; 20];
        if v < 100 {
            return Digits {
                buf,
                start: 0,
                small: v as u8,
            };
        }
        let mut start = buf.len();
        while start > 0 {
            start -= 1;
            buf[start] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        Digits {
            buf,
            start,
            small: 100,
        }
    }

    /// The digits.
    pub(crate) fn as_str(&self) -> &str {
        if self.small < 100 {
            let at = usize::from(self.small) * 2;
            let skip = usize::from(self.small < 10);
            return PAIRS.get(at + skip..at + 2).unwrap_or("0");
        }
        // Only ASCII digits are written, so this never falls back.
        std::str::from_utf8(self.buf.get(self.start..).unwrap_or_default()).unwrap_or("0")
    }
}

/// Where [`write_compact`] puts a row's cells: one call per column, in
/// [`RESULT_COLUMNS`] order (`col` is the position). Nothing is allocated on the
/// way: text borrows, lists are iterators of contract strings.
pub trait RowSink {
    /// A text cell.
    fn text(&mut self, col: usize, s: &str);
    /// A flag.
    fn bool(&mut self, col: usize, v: bool);
    /// A count.
    fn count(&mut self, col: usize, v: u32);
    /// A real number.
    fn float(&mut self, col: usize, v: f64);
    /// A list of contract strings.
    fn list<I: Iterator<Item = &'static str>>(&mut self, col: usize, items: I);
    /// A fact the record did not give ([`Cell::NotKnown`]).
    fn not_known(&mut self, col: usize);
    /// No value ([`Cell::Missing`]).
    fn missing(&mut self, col: usize);
}

/// Writes a [`CompactResult`]'s row into `sink`: the cells of [`result_row`] for
/// the same record, except `reasons` (the sentences), which is missing. `id` is
/// the record's id; `scorer` the one that assessed it (for the instrument and
/// calibration version).
pub fn write_compact<S: RowSink>(
    c: &CompactResult,
    id: Option<&str>,
    scorer: &Scorer,
    sink: &mut S,
) {
    write_compact_text(c, id, None, scorer, sink);
}

/// [`write_compact`] with the `reasons` cell written from `text`, when given: the
/// sentences [`Scorer::assess_compact_text`] wrote for the same record. The row is
/// then every cell of [`result_row`] for the record (a test compares them);
/// without `text` the cell is missing, as [`write_compact`] leaves it.
pub fn write_compact_text<S: RowSink>(
    c: &CompactResult,
    id: Option<&str>,
    text: Option<&str>,
    scorer: &Scorer,
    sink: &mut S,
) {
    let mut col = 0usize;
    let mut next = || {
        col += 1;
        col - 1
    };
    match id {
        Some(id) => sink.text(next(), id),
        None => sink.missing(next()),
    }
    sink.text(next(), c.classification.as_str());
    sink.text(next(), c.decided_by.as_str());
    sink.list(next(), c.conflict_blockers.iter().map(|b| b.as_str()));
    for v in [c.p_abuse, c.points] {
        match v {
            Some(v) => sink.float(next(), v),
            None => sink.missing(next()),
        }
    }
    sink.text(next(), c.risk_level.as_str());
    sink.text(next(), c.actuarial_level.as_str());
    sink.count(next(), c.yes_count);
    sink.count(next(), c.not_known_count);
    sink.count(next(), c.declined_count);
    sink.bool(next(), c.marac_referral);
    sink.list(next(), c.marac_criteria.iter().map(|x| x.as_str()));
    sink.list(next(), c.flags.iter().map(|x| x.as_str()));
    sink.bool(next(), c.csc_notification);
    sink.bool(next(), c.school_notification);
    sink.list(next(), c.pathways.iter().map(|x| x.as_str()));
    sink.text(next(), c.recording_category.as_str());
    for v in [c.children_in_household, c.children_linked] {
        match v {
            Some(v) => sink.bool(next(), v),
            None => sink.not_known(next()),
        }
    }
    sink.list(next(), c.reasons.as_slice().iter().map(|x| x.as_str()));
    match text {
        Some(t) => sink.text(next(), t),
        None => sink.missing(next()),
    }
    let instrument = scorer
        .instruments()
        .get(c.instrument)
        .map_or("", |i| i.id.as_str());
    sink.text(next(), instrument);
    sink.text(next(), crate::scorer::SCORER_VERSION);
    sink.text(next(), &scorer.calibration().version);
    for _ in 0..4 {
        sink.missing(next());
    }
    debug_assert_eq!(col, RESULT_COLUMNS.len());
}

/// The cells of an error record: `id` and the `error_*` columns.
pub fn error_row(e: &RecordError) -> Vec<Cell<'_>> {
    let mut row: Vec<Cell<'static>> = vec![Cell::Missing; RESULT_COLUMNS.len()];
    let mut set = |name: &str, cell: Cell<'static>| {
        if let Some(i) = RESULT_COLUMNS.iter().position(|c| c.name == name) {
            row[i] = cell;
        }
    };
    let text = |s: &str| Cell::Text(Cow::Owned(s.to_string()));
    set("id", e.id.as_deref().map_or(Cell::Missing, text));
    set("error_code", text(e.error.code.code()));
    set("error_field", text(&e.error.field));
    set(
        "error_value",
        e.error.value.as_deref().map_or(Cell::Missing, text),
    );
    set("error_message", text(&e.error.message));
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Answer, Assessment, ErrorKind, InputError};

    /// A sink that collects [`Cell`]s, to compare with [`result_row`].
    #[derive(Default)]
    struct Cells(Vec<(usize, Cell<'static>)>);

    impl RowSink for Cells {
        fn text(&mut self, col: usize, s: &str) {
            self.0.push((col, Cell::Text(Cow::Owned(s.to_string()))));
        }
        fn bool(&mut self, col: usize, v: bool) {
            self.0.push((col, Cell::Bool(v)));
        }
        fn count(&mut self, col: usize, v: u32) {
            self.0.push((col, Cell::Count(v)));
        }
        fn float(&mut self, col: usize, v: f64) {
            self.0.push((col, Cell::Float(v)));
        }
        fn list<I: Iterator<Item = &'static str>>(&mut self, col: usize, items: I) {
            self.0.push((col, Cell::List(items.collect())));
        }
        fn not_known(&mut self, col: usize) {
            self.0.push((col, Cell::NotKnown));
        }
        fn missing(&mut self, col: usize) {
            self.0.push((col, Cell::Missing));
        }
    }

    #[test]
    fn the_compact_row_is_the_result_row_with_or_without_the_sentences() {
        let scorer = Scorer::default();
        let reasons = RESULT_COLUMNS
            .iter()
            .position(|c| c.name == "reasons")
            .unwrap();
        let mut records: Vec<Assessment> = crate::synth::generate(400, 8, &Default::default())
            .into_iter()
            .map(|r| r.assessment)
            .collect();
        records[0].id = None;
        records[1].context.children_in_household = None;
        records[2].instrument = crate::instrument::DASH_2009_PARTNER.into();
        records[2]
            .answers
            .retain(|k, _| k != "q10" && k != "q11" && k != "q12");
        for a in &records {
            let full = scorer.assess(a).unwrap();
            let mut sink = Cells::default();
            write_compact(
                &scorer.assess_compact(a).unwrap(),
                a.id.as_deref(),
                &scorer,
                &mut sink,
            );
            let cols: Vec<usize> = sink.0.iter().map(|c| c.0).collect();
            assert_eq!(cols, (0..RESULT_COLUMNS.len()).collect::<Vec<_>>());
            for ((col, cell), want) in sink.0.into_iter().zip(result_row(&full)) {
                if col == reasons {
                    assert_eq!(cell, Cell::Missing);
                } else {
                    assert_eq!(cell, want, "{}", RESULT_COLUMNS[col].name);
                }
            }
            // With the sentences, every cell is the full result's, `reasons` too.
            let mut text = String::new();
            let c = scorer.assess_compact_text(a, &mut text).unwrap();
            let mut sink = Cells::default();
            write_compact_text(&c, a.id.as_deref(), Some(&text), &scorer, &mut sink);
            let cols: Vec<usize> = sink.0.iter().map(|c| c.0).collect();
            assert_eq!(cols, (0..RESULT_COLUMNS.len()).collect::<Vec<_>>());
            for ((col, cell), want) in sink.0.into_iter().zip(result_row(&full)) {
                assert_eq!(cell, want, "{}", RESULT_COLUMNS[col].name);
            }
        }
    }

    #[test]
    fn cells_match_their_column_kinds() {
        let scorer = Scorer::default();
        let mut a = Assessment::default();
        a.answers.insert("q2".into(), Answer::Yes);
        a.id = Some("x".into());
        let r = scorer.assess(&a).unwrap();
        let e = RecordError {
            line: 3,
            id: Some("y".into()),
            error: InputError::new(ErrorKind::InvalidValue, "fear", Some("maybe"), "bad"),
        };
        for row in [result_row(&r), error_row(&e)] {
            assert_eq!(row.len(), RESULT_COLUMNS.len());
            for (cell, c) in row.iter().zip(RESULT_COLUMNS) {
                let ok = match cell {
                    Cell::Text(_) => c.kind == K::Text,
                    Cell::Bool(_) | Cell::NotKnown => c.kind == K::Bool,
                    Cell::Count(_) => c.kind == K::Count,
                    Cell::Float(_) => c.kind == K::Float,
                    Cell::List(_) => c.kind == K::List,
                    Cell::Missing => true,
                };
                assert!(ok, "{}: {cell:?}", c.name);
            }
        }
        let names: Vec<&str> = column_names().collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "column names are unique");
    }

    #[test]
    fn fixed_is_std_at_every_place_on_ties_and_edges() {
        // Exact ties (k + 1/2 at the last place) and their neighbours, every place.
        for places in 0..=6usize {
            for k in 0..4000u32 {
                let x = (f64::from(k) + 0.5) / 10f64.powi(places as i32);
                for y in [x, x.next_up(), x.next_down(), x * 100.0, x / 100.0] {
                    assert_eq!(Fixed(y, places).to_string(), format!("{y:.places$}"), "{y}");
                }
            }
        }
        for x in [
            0.0,
            -0.0,
            -0.5,
            -2.5,
            1e9,
            1e12,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            for places in 0..=5usize {
                assert_eq!(Fixed(x, places).to_string(), format!("{x:.places$}"), "{x}");
            }
        }
    }

    #[test]
    fn digits_are_display_at_the_edges() {
        for v in [
            0,
            1,
            9,
            10,
            11,
            42,
            90,
            99,
            100,
            101,
            12_345,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(super::Digits::new(v).as_str(), v.to_string());
        }
    }

    proptest::proptest! {
        #[test]
        fn fixed_is_std(x in proptest::num::f64::ANY, p in 0.0f64..1.0, places in 0usize..=6) {
            // Any number, and percentages (as the sentences write them), by
            // `Display` and written straight into a string.
            for y in [x, p * 100.0, p] {
                let std = format!("{y:.places$}");
                proptest::prop_assert_eq!(Fixed(y, places).to_string(), std.clone());
                let mut direct = String::from("x");
                super::write_fixed(&mut direct, y, places).unwrap();
                proptest::prop_assert_eq!(direct, format!("x{std}"));
            }
        }

        #[test]
        fn digits_are_display(v in proptest::num::u64::ANY, small in 0u64..100_000) {
            for n in [v, small] {
                let d = super::Digits::new(n);
                proptest::prop_assert_eq!(d.as_str(), n.to_string());
            }
        }
    }
}
