//! Artefact integrity: instruments, policies and calibrations carry a format version
//! and a checksum; mismatched, truncated and tampered files are refused with an
//! error that names the artefact and the problem.

use dashrisk::*;

const MINI: &str = r#"{"format_version":1,"id":"mini","name":"Mini","source":"test",
  "questions":[{"id":"q1","number":1,"text":"Afraid?","domains":["fear"],"markers":["fear"]},
               {"id":"q2","number":2,"text":"Controlled?","domains":["coercive_control"],"markers":["power_imbalance"]}]}"#;

fn mini() -> Instrument {
    Instrument::from_json(MINI).unwrap()
}

#[test]
fn a_hand_written_instrument_needs_no_checksum_but_a_sealed_one_is_verified() {
    let inst = mini();
    let sealed = inst.to_sealed_json();
    assert!(sealed
        .trim_end()
        .ends_with(&format!("\"checksum\": \"{}\"\n}}", inst.checksum())));
    assert_eq!(Instrument::from_json(&sealed).unwrap(), inst);
    assert_eq!(Instrument::from_json_sealed(&sealed).unwrap(), inst);
    // The seal covers the content, not the layout.
    let compact =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&sealed).unwrap())
            .unwrap();
    assert_eq!(Instrument::from_json_sealed(&compact).unwrap(), inst);
    // Unsealed files are fine unless a deployment insists.
    let err = Instrument::from_json_sealed(MINI).unwrap_err();
    assert_eq!(
        err.to_string(),
        "instrument \"mini\": checksum: is missing, and only sealed files are accepted here"
    );
}

#[test]
fn tampered_instruments_are_refused() {
    let sealed = mini().to_sealed_json();
    for (from, to) in [
        ("Afraid?", "Afraid!"),
        (
            r#""markers": [
        "power_imbalance"
      ]"#,
            r#""markers": []"#,
        ),
        (r#""number": 2"#, r#""number": 3"#),
    ] {
        let tampered = sealed.replacen(from, to, 1);
        assert_ne!(tampered, sealed, "{from}");
        let err = Instrument::from_json(&tampered).unwrap_err();
        assert!(
            matches!(err, ArtefactError::Mismatch { .. }),
            "{from}: {err}"
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("instrument \"mini\": checksum does not match"),
            "{msg}"
        );
    }
    // A checksum that is not a SHA-256 at all.
    let odd = sealed.replacen("\"checksum\": \"", "\"checksum\": \"zz", 1);
    let err = Instrument::from_json(&odd).unwrap_err();
    assert!(
        err.to_string().contains("checksum: must be a string of 64"),
        "{err}"
    );
    let odd = sealed.replacen("\"checksum\": \"", "\"checksum\": 7, \"x\": \"", 1);
    assert!(Instrument::from_json(&odd).is_err());
}

#[test]
fn truncated_artefacts_are_refused_as_unreadable() {
    let texts = [
        ("instrument", mini().to_sealed_json()),
        ("policy", Policy::default().to_sealed_json()),
        ("calibration", Calibration::shipped().to_json()),
    ];
    for (kind, text) in texts {
        for cut in [1, text.len() / 3, text.len() / 2, text.len() - 3] {
            let err = match kind {
                "instrument" => Instrument::from_json(&text[..cut]).unwrap_err(),
                "policy" => Policy::from_json(&text[..cut]).unwrap_err(),
                _ => Calibration::from_json(&text[..cut]).unwrap_err(),
            };
            assert!(
                matches!(err, ArtefactError::Malformed { .. }),
                "{kind} at {cut}: {err}"
            );
            assert!(
                err.to_string()
                    .starts_with(&format!("{kind}: cannot be read: ")),
                "{err}"
            );
        }
    }
}

#[test]
fn other_format_versions_are_refused_before_the_schema() {
    // A future version with a new field: refused as a version, not an unknown field.
    let inst = MINI.replacen(
        "\"format_version\":1",
        "\"format_version\":2,\"locale\":\"cy\"",
        1,
    );
    let err = Instrument::from_json(&inst).unwrap_err();
    assert!(
        matches!(
            err,
            ArtefactError::Version {
                found: 2,
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
    let policy = Policy::default().to_sealed_json().replacen(
        "\"format_version\": 2",
        "\"format_version\": 3, \"new\": {}",
        1,
    );
    let err = Policy::from_json(&policy).unwrap_err();
    assert_eq!(
        err.to_string(),
        "policy: format version 3 is not supported (this build reads 2)"
    );
    let cal = Calibration::shipped().to_json().replacen(
        "\"format_version\": 2",
        "\"format_version\": 0",
        1,
    );
    let err = Calibration::from_json(&cal).unwrap_err();
    assert!(
        matches!(err, ArtefactError::Version { found: 0, .. }),
        "{err}"
    );
}

#[test]
fn policies_are_sealed_and_verified_like_instruments() {
    let p = Policy::default();
    let sealed = p.to_sealed_json();
    assert_eq!(Policy::from_json_sealed(&sealed).unwrap(), p);
    let tampered = sealed.replacen("\"high_from\": 14", "\"high_from\": 20", 1);
    assert_ne!(tampered, sealed);
    let err = Policy::from_json(&tampered).unwrap_err();
    assert!(matches!(err, ArtefactError::Mismatch { .. }), "{err}");
    // The same edit without a checksum is a hand-written policy, accepted.
    let mut v: serde_json::Value = serde_json::from_str(&tampered).unwrap();
    v.as_object_mut().unwrap().remove("checksum");
    assert_eq!(
        Policy::from_json(&v.to_string()).unwrap().grading.high_from,
        20
    );
    assert_eq!(p.checksum(), Policy::from_json(&sealed).unwrap().checksum());
}

#[test]
fn a_calibration_without_its_checksum_is_refused() {
    let mut v: serde_json::Value = serde_json::from_str(&Calibration::shipped().to_json()).unwrap();
    v.as_object_mut().unwrap().remove("checksum");
    let err = Calibration::from_json(&v.to_string()).unwrap_err();
    assert!(err.to_string().contains("checksum: is missing"), "{err}");
}

#[test]
fn the_built_in_instruments_seal_and_read_back() {
    for inst in Instrument::builtin() {
        let sealed = inst.to_sealed_json();
        let back = Instrument::from_json_sealed(&sealed).unwrap();
        assert_eq!(&back, inst);
        // Loading one under its built-in id is still refused by the scorer.
        assert!(Scorer::default().with_instrument(back).is_err());
    }
}
