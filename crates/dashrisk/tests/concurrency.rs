//! The scorer is `Send + Sync`, and scoring one batch from 8 threads at once gives
//! exactly the results of a serial run (no shared mutable state, no order effects).

use dashrisk::synth::{Generator, SynthParams};
use dashrisk::*;

fn send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<Scorer>();
    send_sync::<Policy>();
    send_sync::<Calibration>();
    send_sync::<Instrument>();
    send_sync::<Limits>();
    send_sync::<Assessment>();
    send_sync::<AssessmentResult>();
    send_sync::<CompactResult>();
    send_sync::<dashrisk::parse::FlatScratch>();
    send_sync::<InputError>();
    send_sync::<RecordError>();
    send_sync::<ArtefactError>();
    send_sync::<DashGrading>();
}

/// Synthetic records, both forms, with bad lines mixed in, as JSON Lines text.
fn batch() -> Vec<Vec<u8>> {
    let mut gen = Generator::new(8, SynthParams::default());
    let mut lines = Vec::new();
    for i in 0..3000 {
        let mut a = gen.record(i).assessment;
        a.id = Some(format!("r{i}"));
        lines.push(serde_json::to_vec(&a).unwrap());
        if i % 97 == 0 {
            lines.push(br#"{"answers":{"q28":"yes"}}"#.to_vec());
            lines.push(b"{not json".to_vec());
            lines.push(br#"{"id":"x","id":"y"}"#.to_vec());
        }
    }
    lines
}

#[test]
fn eight_threads_give_the_serial_results() {
    let scorer = Scorer::default();
    let lines = batch();
    let score_all = |s: &Scorer| -> Vec<_> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| s.assess_json_line(i as u64 + 1, l))
            .collect()
    };
    let serial = score_all(&scorer);
    assert!(serial.iter().any(Result::is_err) && serial.iter().any(Result::is_ok));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8).map(|_| scope.spawn(|| score_all(&scorer))).collect();
        for h in handles {
            assert!(
                h.join().unwrap() == serial,
                "a thread's results differ from serial"
            );
        }
    });
    // Interleaved: each thread takes every 8th record of the same batch.
    let mut interleaved: Vec<Option<_>> = vec![None; lines.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let (scorer, lines) = (&scorer, &lines);
                scope.spawn(move || {
                    (t..lines.len())
                        .step_by(8)
                        .map(|i| (i, scorer.assess_json_line(i as u64 + 1, &lines[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, r) in h.join().unwrap() {
                interleaved[i] = Some(r);
            }
        }
    });
    let interleaved: Vec<_> = interleaved.into_iter().map(Option::unwrap).collect();
    assert!(interleaved == serial);
}
