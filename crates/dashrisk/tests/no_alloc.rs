//! No heap allocation per record on the bulk path: a counting global allocator
//! counts every allocation while `Scorer::assess_compact` and
//! `batch::assess_compact` run.
//!
//! The counting allocator is the `allocation-counter` crate's (it installs itself
//! as the global allocator of this test binary, and counts per thread).

#[cfg(feature = "batch")]
use dashrisk::batch;
use dashrisk::{synth, Assessment, Scorer};

fn allocations_during(f: impl FnOnce()) -> u64 {
    allocation_counter::measure(f).count_total
}

#[test]
fn assessing_allocates_nothing_per_record() {
    let scorer = Scorer::default();
    // Synthetic records cover every branch the data reaches: gates, unknowns,
    // dates, transitions, MARAC history, both forms.
    let mut records: Vec<Assessment> = synth::generate(2_000, 5, &Default::default())
        .into_iter()
        .map(|r| r.assessment)
        .collect();
    let partner: Vec<Assessment> = records[..500]
        .iter()
        .map(|a| {
            let mut a = a.clone();
            a.instrument = dashrisk::instrument::DASH_2009_PARTNER.into();
            let form = dashrisk::Instrument::dash_2009_partner();
            a.answers.retain(|id, _| form.question(id).is_some());
            a
        })
        .collect();
    records.extend(partner);
    // Dated history and MARAC dates on some, so the date rules run too.
    for (i, a) in records.iter_mut().enumerate().filter(|(i, _)| i % 7 == 0) {
        let month = 1 + (i % 12) as u32;
        let date = |y, d| dashrisk::NaiveDate::from_ymd_opt(y, month, d);
        a.context.incident_date = date(2025, 20);
        a.context.prior_incident_dates = Some(vec![date(2025, 2).unwrap(), date(2023, 9).unwrap()]);
        if i % 2 == 0 {
            a.context.last_marac_date = date(2024, 28);
        }
    }
    assert!(records
        .iter()
        .any(|a| a.context.prior_incident_dates.is_some()));

    // One at a time: not one allocation, whatever the record.
    let mut decided = 0usize;
    let n = allocations_during(|| {
        for a in &records {
            let c = scorer.assess_compact(a).expect("valid record");
            decided += c.reasons.as_slice().len();
        }
    });
    assert!(decided > records.len());
    assert_eq!(n, 0, "{n} allocations for {} records", records.len());

    // (With the `batch` feature, which the workspace's front ends turn on.)
    #[cfg(feature = "batch")]
    {
        // A batch on the calling thread: allocations per batch (the result list and
        // the output), the same for 10 times the records. (The allocator counts per
        // thread; on more threads each worker runs the loop measured above.)
        let big: Vec<Assessment> = records
            .iter()
            .cycle()
            .take(records.len() * 10)
            .cloned()
            .collect();
        {
            let threads = 1;
            let small_n = allocations_during(|| {
                std::hint::black_box(batch::assess_compact(&scorer, &records, threads));
            });
            let big_n = allocations_during(|| {
                std::hint::black_box(batch::assess_compact(&scorer, &big, threads));
            });
            assert_eq!(
                small_n,
                big_n,
                "{threads} threads: {small_n} allocations for {} records, {big_n} for {}",
                records.len(),
                big.len()
            );
            assert!(small_n <= 4, "{small_n} allocations for one batch");
        }
    }

    // The full result, for contrast, allocates per record (its lists and strings):
    // the counter does see allocations.
    let full = allocations_during(|| {
        for a in &records[..100] {
            std::hint::black_box(scorer.assess(a).unwrap());
        }
    });
    assert!(full >= 100, "{full}");

    // Flat rows (CSV cells, frame cells) with dates and transitions, read into a
    // reused scratch: after the first rows have sized its lists, nothing.
    let params = synth::SynthParams {
        officers: 20,
        areas: 3,
        ..Default::default()
    };
    let mut names = synth::flat_header(&params);
    names.push("prior_incident_dates".into());
    let header = dashrisk::parse::FlatHeader::new(&names);
    let rows: Vec<Vec<String>> = synth::generate(2_000, 9, &params)
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.flat_row();
            row.push(if i % 3 == 0 {
                "2024-01-02;2023-05-06".into()
            } else {
                String::new()
            });
            row
        })
        .collect();
    let cells: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let mut scratch = dashrisk::parse::FlatScratch::new();
    for c in &cells[..10] {
        scorer
            .assess_flat_compact(&header, c, &mut scratch)
            .expect("valid row");
    }
    // The open questions of unclear rows go into a list whose room is kept.
    let mut open = Vec::with_capacity(256);
    let (mut abuse, mut unclear, mut listed) = (0usize, 0usize, 0usize);
    let n = allocations_during(|| {
        for c in &cells {
            let r = scorer
                .assess_flat_compact(&header, c, &mut scratch)
                .expect("valid row");
            abuse += usize::from(r.classification == dashrisk::Classification::DomesticAbuse);
            if r.classification == dashrisk::Classification::Unclear {
                unclear += 1;
                open.clear();
                scorer.unanswered_gate_questions_flat(&scratch, &mut open);
                listed += open.len();
            }
        }
    });
    assert!(abuse > 0 && unclear > 0 && listed > 0);
    assert_eq!(n, 0, "{n} allocations for {} flat rows", cells.len());

    // With the sentences written into one kept string: once it has grown to fit
    // the longest (a first pass), nothing.
    let mut text = String::new();
    let mut longest = 0usize;
    for c in &cells {
        scorer
            .assess_flat_compact_text(&header, c, &mut scratch, &mut text)
            .expect("valid row");
        longest = longest.max(text.len());
    }
    let mut written = 0usize;
    let n = allocations_during(|| {
        for c in &cells {
            scorer
                .assess_flat_compact_text(&header, c, &mut scratch, &mut text)
                .expect("valid row");
            written += text.len();
        }
    });
    assert!(
        longest > 500 && written > 500 * cells.len(),
        "{longest} {written}"
    );
    assert_eq!(
        n,
        0,
        "{n} allocations for {} flat rows with sentences",
        cells.len()
    );
}

/// The whole result allocates only what it must own: its list of reasons, a copy
/// of the id, and each sentence that has numbers or lists written into it (with a
/// kept string to write them in). The lists of pathways, flags, criteria,
/// blockers and child links are bit sets; the instrument and version strings of
/// the built-in form and the shipped calibration, the fixed sentences and the
/// children's summary are borrowed.
#[test]
fn the_whole_result_allocates_only_what_it_owns() {
    use std::borrow::Cow;
    let scorer = Scorer::default();
    let records: Vec<Assessment> = synth::generate(500, 9, &Default::default())
        .into_iter()
        .map(|r| r.assessment)
        .collect();
    for (i, a) in records.iter().enumerate() {
        assert!(a.meta.is_none());
        let id = usize::from(a.id.is_some());
        let codes = dashrisk::AssessOptions { reason_text: false };
        let mut kept = None;
        let n = allocations_during(|| kept = Some(scorer.assess_with(a, &codes).unwrap()));
        let r = kept.take().unwrap();
        // The list starts with room for 16 reasons and doubles when it is full.
        let list = |len: usize| 1 + usize::from(len > 16) + usize::from(len > 32);
        assert_eq!(
            n as usize,
            list(r.reasons.len()) + id,
            "record {i}, codes only"
        );
        assert!(!r.pathways.is_empty() && !r.reasons.is_empty());

        let text = dashrisk::AssessOptions { reason_text: true };
        let n = allocations_during(|| kept = Some(scorer.assess_with(a, &text).unwrap()));
        let r = kept.unwrap();
        let owned = r
            .reasons
            .iter()
            .filter(|x| matches!(x.text, Cow::Owned(_)))
            .count();
        assert!(
            owned < r.reasons.len(),
            "record {i}: some sentences are fixed"
        );
        assert!(matches!(r.children.summary, Cow::Borrowed(_)));
        assert!(matches!(r.instrument, Cow::Borrowed(_)));
        assert!(matches!(r.calibration_version, Cow::Borrowed(_)));
        // The reasons list, the id, the kept sentence string, each filled sentence.
        let want = list(r.reasons.len()) + id + 1 + owned;
        assert_eq!(n as usize, want, "record {i}, with sentences");
    }
}
