//! `dashrisk-serve` over real HTTP: the binary on a free loopback port.
//!
//! - every scenario through `POST /api/assess` equals the library's result;
//! - bad records get 422 with the error record the library (and the CLI) gives;
//! - a 12 MB body is refused; 200 concurrent requests are all answered correctly;
//! - a client that stalls on its headers or its body is cut off in bounded time;
//! - a non-loopback `--bind` needs `--allow-remote`;
//! - every response carries the security headers and sets no cookie;
//! - the pages work without JavaScript: a form post gives the result, trainer mode
//!   scores an answer, handouts print, an unknown scenario is 404.

use dashrisk::Scorer;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn start(extra: &[&str]) -> Server {
    let services = repo().join("crates/dashrisk/assets/services-example.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dashrisk-serve"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--services",
            services.to_str().unwrap(),
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    Server { child, base }
}

fn scenarios() -> Vec<Value> {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("fixtures/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
        .collect()
}

fn post_json(base: &str, path: &str, body: &str) -> (u16, String) {
    match ureq::post(&format!("{base}{path}"))
        .set("Content-Type", "application/json")
        .send_string(body)
    {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => panic!("{e}"),
    }
}

/// Posts a form (URL-encoded, as a browser does) and gives the status and body.
fn post_form(base: &str, path: &str, body: &str) -> (u16, String) {
    match ureq::post(&format!("{base}{path}"))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(body)
    {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => panic!("{e}"),
    }
}

/// The status of a request sent by hand: the server may answer (413) before it has
/// read the body, which an HTTP client would report as a broken pipe.
fn raw_status(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> u16 {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    c.write_all(head.as_bytes()).unwrap();
    let _ = c.write_all(body.as_bytes());
    let mut status = [0u8; 12];
    c.read_exact(&mut status).unwrap();
    std::str::from_utf8(&status[9..12])
        .unwrap()
        .parse()
        .unwrap()
}

/// The text of the panel's element that starts with `start` (up to its closing tag).
fn element<'a>(page: &'a str, start: &str) -> &'a str {
    let i = page
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {page}"));
    let rest = &page[i..];
    &rest[..rest.find("</").unwrap()]
}

#[test]
fn every_scenario_through_the_api_equals_the_library() {
    let s = start(&[]);
    let scorer = Scorer::default();
    for sc in scenarios() {
        let (status, body) = post_json(&s.base, "/api/assess", &sc["input"].to_string());
        assert_eq!(status, 200, "{}", sc["name"]);
        let got: Value = serde_json::from_str(&body).unwrap();
        let a = scorer.parse_value(&sc["input"]).unwrap();
        let want = serde_json::to_value(scorer.assess(&a).unwrap()).unwrap();
        assert_eq!(got, want, "{}", sc["name"]);
        let (status, body) = post_json(&s.base, "/api/ask-next", &sc["input"].to_string());
        assert_eq!(status, 200);
        let got: Value = serde_json::from_str(&body).unwrap();
        let want = serde_json::to_value(scorer.decisive_questions(&a).unwrap()).unwrap();
        assert_eq!(got, want, "{}", sc["name"]);
    }
    let instruments: Value = ureq::get(&format!("{}/api/instruments", s.base))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(instruments.as_array().unwrap().len(), 2);
    let listed: Value = ureq::get(&format!("{}/api/scenarios", s.base))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), scenarios().len());
}

#[test]
fn bad_records_get_422_with_the_error_record_and_big_bodies_are_refused() {
    let s = start(&[]);
    let scorer = Scorer::default();
    for bad in [
        r#"{"answers": {"q18": "maybe"}}"#,
        r#"{"answers": {"q99": "yes"}}"#,
        r#"{"answers": {"q1": "yes", "q1": "no"}}"#,
        "not json",
        r#"{"context": {"prior_incidents_12m": -1}}"#,
    ] {
        let (status, body) = post_json(&s.base, "/api/assess", bad);
        assert_eq!(status, 422, "{bad}");
        let got: Value = serde_json::from_str(&body).unwrap();
        let want = match scorer.parse_json_line(1, bad.as_bytes()) {
            Err(e) => serde_json::to_value(e).unwrap(),
            Ok(a) => {
                let e = scorer.assess(&a).unwrap_err();
                serde_json::to_value(dashrisk::RecordError {
                    line: 1,
                    id: a.id,
                    error: e,
                })
                .unwrap()
            }
        };
        assert_eq!(got, want, "{bad}");
    }
    // A 12 MB body: refused with 413 as soon as its length is announced, before
    // the server reads any of it (so the client sees the answer without having to
    // send 12 MB into a closed connection).
    {
        use std::io::{Read, Write};
        let addr = s.base.trim_start_matches("http://");
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        write!(
            c,
            "POST /api/assess HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            12 * 1024 * 1024
        )
        .unwrap();
        let _ = c.write_all(&vec![b' '; 64 * 1024]);
        let mut head = [0u8; 12];
        c.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"HTTP/1.1 413", "a 12 MB body is refused");
    }
    // The server is still there.
    let (status, _) = post_json(&s.base, "/api/assess", "{}");
    assert_eq!(status, 200);
}

#[test]
fn two_hundred_concurrent_requests_are_all_answered_correctly() {
    let s = start(&[]);
    let scorer = Scorer::default();
    let cases: Vec<(String, Value)> = scenarios()
        .iter()
        .map(|sc| {
            let a = scorer.parse_value(&sc["input"]).unwrap();
            (
                sc["input"].to_string(),
                serde_json::to_value(scorer.assess(&a).unwrap()).unwrap(),
            )
        })
        .collect();
    let handles: Vec<_> = (0..200)
        .map(|i| {
            let (body, want) = cases[i % cases.len()].clone();
            let base = s.base.clone();
            std::thread::spawn(move || {
                let (status, got) = post_json(&base, "/api/assess", &body);
                assert_eq!(status, 200);
                let got: Value = serde_json::from_str(&got).unwrap();
                assert_eq!(got, want);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("every request answered correctly");
    }
}

#[test]
fn a_remote_bind_needs_allow_remote() {
    let out = Command::new(env!("CARGO_BIN_EXE_dashrisk-serve"))
        .args(["--bind", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

#[test]
fn pages_work_without_javascript_and_carry_the_security_headers() {
    let s = start(&[]);
    let r = ureq::get(&format!("{}/", s.base)).call().unwrap();
    let csp = r.header("content-security-policy").unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.header("set-cookie").is_none(), "no cookie");
    let page = r.into_string().unwrap();
    assert!(page.contains("<form id=\"assess\" method=\"post\" action=\"/\""));
    // The partner-agency form has no q10 to q12.
    let partner = ureq::get(&format!("{}/?instrument=dash-2009-partner", s.base))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(partner.contains("value=\"dash-2009-partner\"") && !partner.contains("id=\"q10-yes\""));
    assert!(page.contains("id=\"q10-yes\""));
    // A form post, as a browser without JavaScript sends it.
    let r = ureq::post(&format!("{}/", s.base))
        .send_form(&[
            ("instrument", "dash-2009"),
            ("q18", "yes"),
            ("children_in_household", "true"),
        ])
        .unwrap();
    let page = r.into_string().unwrap();
    assert!(
        page.contains("data-classification=\"domestic_abuse\""),
        "strangulation is abuse"
    );
    let scorer = Scorer::default();
    let a = scorer
        .parse_json(r#"{"answers": {"q18": "yes"}, "context": {"children_in_household": true}}"#)
        .unwrap();
    for p in scorer.assess(&a).unwrap().pathways {
        let code = serde_json::to_value(p).unwrap();
        assert!(page.contains(&format!("data-pathway={code}")), "{code}");
    }
    assert!(
        page.contains("PLACEHOLDER"),
        "services listed under pathways"
    );
    assert!(page.contains("id=\"record-text\""));
    // A bad value is shown, not lost.
    let r = ureq::post(&format!("{}/", s.base)).send_form(&[("q18", "maybe")]);
    let Err(ureq::Error::Status(422, r)) = r else {
        panic!("a bad value is 422")
    };
    assert!(r.into_string().unwrap().contains("maybe"));
    // Trainer mode: scenario 1 is parental conflict, standard, RPC support only.
    let sc = &scenarios()[0];
    let class = sc["expect"]["classification"].as_str().unwrap();
    let level = sc["expect"]["risk_level"].as_str().unwrap();
    let mut form: Vec<(&str, &str)> = vec![
        ("_right", "2"),
        ("_asked", "3"),
        ("classification", class),
        ("risk_level", level),
    ];
    for p in sc["expect"]["pathways"].as_array().unwrap() {
        form.push(("pathways", p.as_str().unwrap()));
    }
    let page = ureq::post(&format!("{}/train/1", s.base))
        .send_form(&form)
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        page.contains("data-right=\"5\" data-asked=\"6\""),
        "three of three added"
    );
    assert!(page.contains(
        &sc["rationale"]
            .as_str()
            .unwrap()
            .replace('\'', "&#39;")
            .replace('"', "&quot;")[..40]
    ));
    let page = ureq::post(&format!("{}/train/1", s.base))
        .send_form(&[("classification", "domestic_abuse")])
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        page.contains("data-right=\"0\" data-asked=\"3\""),
        "nothing right"
    );
    let handout = ureq::get(&format!("{}/train/1/handout", s.base))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(handout.contains("class=\"handout\""));
    assert!(
        !handout.contains(sc["rationale"].as_str().unwrap()),
        "no answers on the handout"
    );
    match ureq::get(&format!("{}/train/999", s.base)).call() {
        Err(ureq::Error::Status(404, _)) => {}
        other => panic!("{other:?}"),
    }
    let services = ureq::get(&format!("{}/services", s.base))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(services.contains("PLACEHOLDERS"));
    assert!(services.contains("Children and young people"));
}

#[test]
fn a_trainers_own_scenarios_replace_the_shipped_ones_and_bad_ones_are_named() {
    // Under Cargo's folder for integration tests' files, emptied first: nothing
    // is left in the system's temporary folder.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashrisk-serve-scenarios");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let one = &scenarios()[7];
    std::fs::write(dir.join("a.json"), one.to_string()).unwrap();
    let s = start(&["--scenarios", dir.to_str().unwrap()]);
    let listed: Value = ureq::get(&format!("{}/api/scenarios", s.base))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], one["name"]);
    // The file's name only: the trainer's folder is not the pages' business (review
    // finding 12), neither in the API nor on any trainer page.
    assert_eq!(listed[0]["file"], "a.json");
    let folder = dir.to_str().unwrap();
    for path in ["/api/scenarios", "/train", "/train/1", "/train/1/handout"] {
        let body = ureq::get(&format!("{}{path}", s.base))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        assert!(!body.contains(folder), "{path} names {folder}");
    }
    let (_, feedback) = post_form(&s.base, "/train/1", "classification=unclear");
    assert!(feedback.contains("Scenario 1") && !feedback.contains(folder));
    drop(s);
    let mut bad = one.clone();
    bad["input"]["answers"]["q1"] = "perhaps".into();
    std::fs::write(dir.join("b.json"), bad.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dashrisk-serve"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--scenarios",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("b.json") && err.contains("perhaps"), "{err}");
    // At start-up the full path helps the trainer find the file.
    assert!(err.contains(dir.to_str().unwrap()), "{err}");
}

/// docs/guide-officer-trainer.md: its `sh` command starts the server (here on a free
/// port), and its JSON examples are a valid services file and a valid scenario.
#[test]
fn the_guides_command_and_examples_work() {
    let guide = std::fs::read_to_string(repo().join("docs/guide-officer-trainer.md")).unwrap();
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in guide.lines() {
        if let Some(lang) = line.strip_prefix("```") {
            match cur.take() {
                Some(b) => blocks.push(b),
                None => cur = Some((lang.to_string(), String::new())),
            }
            continue;
        }
        if let Some((_, text)) = cur.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    let sh: Vec<&String> = blocks
        .iter()
        .filter(|b| b.0 == "sh")
        .map(|b| &b.1)
        .collect();
    assert_eq!(sh.len(), 1);
    let args: Vec<&str> = sh[0].split_whitespace().collect();
    assert_eq!(args[0], "dashrisk-serve");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dashrisk-serve"))
        .args(&args[1..])
        .args(["--bind", "127.0.0.1:0"])
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("listening on http://127.0.0.1:"), "{line}");
    let json: Vec<&String> = blocks
        .iter()
        .filter(|b| b.0 == "json")
        .map(|b| &b.1)
        .collect();
    assert_eq!(json.len(), 2);
    let scenario: dashrisk_serve::scenarios::Scenario = serde_json::from_str(json[0]).unwrap();
    let scorer = Scorer::default();
    scorer
        .assess(&scorer.parse_value(&scenario.input).unwrap())
        .unwrap();
    let services = dashrisk::services::Services::from_json(json[1]).unwrap();
    assert_eq!(
        services.services[0].audience,
        dashrisk::services::Audience::ChildrenAndYoungPeople
    );
}

/// Review finding 2: a notification that is not made only because it is not known
/// whether there are children (or whether one was at the incident) is never shown
/// or copied as a plain "no".
#[test]
fn a_notification_whose_basis_is_not_known_is_never_a_plain_no() {
    let s = start(&[]);
    let cases = [
        // (form, children's social care, school, record line)
        (
            "q2=yes",
            "notify",
            "if there are children, notify before the next school day",
            "Notify children's social care: yes; notify the school: if there are children",
        ),
        (
            "q2=yes&children_in_household=false",
            "no children recorded in the household; if a child was at the incident, notify",
            "no children recorded in the household; if a child was at the incident, notify before the next school day",
            "Notify children's social care: if a child was at the incident; notify the school: if a child was at the incident",
        ),
        (
            "q2=yes&children_in_household=false&children_exposed=no",
            "no notification",
            "no notice",
            "Notify children's social care: no; notify the school: no",
        ),
        (
            "q2=yes&children_in_household=true",
            "notify",
            "notify before the next school day",
            "Notify children's social care: yes; notify the school: yes",
        ),
    ];
    // Parental conflict notifies no one, whatever the children: the page says why.
    let calm = (1..=27)
        .map(|i| format!("q{i}=no"))
        .collect::<Vec<_>>()
        .join("&")
        + "&fear=no&power_imbalance=no&prior_incidents_12m=0&argument_frequency=weekly&recent_transitions=none";
    let cases = cases.iter().copied().chain([(
        calm.as_str(),
        "no notification (none is indicated for parental conflict)",
        "no notice (none is indicated for parental conflict)",
        "Notify children's social care: no (parental conflict); notify the school: no (parental conflict)",
    )]);
    for (form, csc, school, record) in cases {
        let (status, page) = post_form(&s.base, "/fragment", form);
        assert_eq!(status, 200, "{form}");
        assert!(
            element(&page, "<li data-notice=\"csc\"")
                .ends_with(&format!("Children's social care: {csc}")),
            "{form}: {page}"
        );
        assert!(
            element(&page, "<li data-notice=\"school\"")
                .ends_with(&format!("School (Operation Encompass): {school}")),
            "{form}: {page}"
        );
        assert!(
            page.contains(&record.replace('\'', "&#39;")),
            "{form}: {page}"
        );
    }
}

/// Review finding 3: the pages and the text to copy say "synthetic" when, and only
/// when, the loaded calibration's provenance says so, and name its version.
#[test]
fn the_calibration_is_called_synthetic_only_when_it_is() {
    let q2 = "q2=yes&children_in_household=true";
    // The shipped calibration is synthetic: the banner, the panel and the record say so.
    let s = start(&[]);
    let (_, page) = post_form(&s.base, "/", q2);
    let shipped = dashrisk::Calibration::shipped();
    assert!(shipped.provenance.synthetic);
    let banner = element(&page, "<p class=\"support\">");
    assert!(
        banner.contains(&shipped.version) && banner.contains("SYNTHETIC"),
        "{banner}"
    );
    let caveat = format!(
        "(calibration {}, fitted on SYNTHETIC data, not evidence about real people)",
        shipped.version
    );
    let panel_p = element(&page, "<p>Decided by:");
    assert!(panel_p.contains(&caveat), "{panel_p}");
    let record = element(&page, "<textarea id=\"record-text\"");
    assert!(
        record
            .lines()
            .any(|l| l.starts_with("Estimated probability of abuse: ") && l.ends_with(&caveat)),
        "{record}"
    );
    drop(s);
    // A force's own calibration (not synthetic): no page calls it synthetic.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashrisk-serve-calibration");
    std::fs::create_dir_all(&dir).unwrap();
    let mut own = dashrisk::Calibration::shipped();
    own.version = "cal-force-test".into();
    own.provenance.synthetic = false;
    own.provenance.data = "force-records.csv".into();
    own.provenance.seed = None;
    own.seal();
    let file = dir.join("cal-force.json");
    std::fs::write(&file, own.to_json()).unwrap();
    let s = start(&["--calibration", file.to_str().unwrap()]);
    for path in ["/", "/train/1", "/train/1/handout", "/services"] {
        let page = ureq::get(&format!("{}{path}", s.base))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        let banner = element(&page, "<p class=\"support\">");
        assert!(
            banner.contains("cal-force-test") && banner.contains("force-records.csv"),
            "{banner}"
        );
        assert!(!banner.to_lowercase().contains("synthetic"), "{banner}");
    }
    let (_, page) = post_form(&s.base, "/", q2);
    assert!(!page.contains("ynthetic calibration") && !page.contains("SYNTHETIC"));
    assert!(element(&page, "<p>Decided by:").contains("(calibration cal-force-test)."));
    assert!(
        page.contains("Estimated probability of abuse: ")
            && page.contains("(calibration cal-force-test)\n")
    );
}

/// Review finding 6: a repeated form field is refused, as a repeated JSON key or
/// CSV column is, whatever its order; "none" with a change is refused too.
#[test]
fn a_repeated_form_field_is_refused_not_guessed() {
    let s = start(&[]);
    for form in [
        "q2=yes&q2=no",
        "q2=no&q2=yes",
        "instrument=dash-2009&instrument=dash-2009-partner&q10=yes",
        "children_in_household=true&children_in_household=false",
    ] {
        let field = form.split('=').next().unwrap();
        let (status, page) = post_form(&s.base, "/fragment", form);
        assert_eq!(status, 200, "{form}");
        assert!(!page.contains("data-classification"), "{form}: {page}");
        assert!(
            page.contains(&format!(
                "{field}: the field &quot;{field}&quot; appears more than once in the form; a repeated field is ambiguous, so give it once"
            )),
            "{form}: {page}"
        );
        let (status, _) = post_form(&s.base, "/", form);
        assert_eq!(status, 422, "{form}");
    }
    let (_, page) = post_form(
        &s.base,
        "/fragment",
        "recent_transitions=none&recent_transitions=separation",
    );
    assert!(!page.contains("data-classification"), "{page}");
    assert!(
        page.contains("tick either none or the changes there were"),
        "{page}"
    );
    // The checkbox group itself repeats.
    let (_, page) = post_form(
        &s.base,
        "/fragment",
        "q2=yes&recent_transitions=separation&recent_transitions=new_baby",
    );
    assert!(page.contains("data-classification"), "{page}");
}

/// Review finding 8: the session score, which arrives in editable links and forms,
/// never overflows and never shows more parts right than asked.
#[test]
fn the_trainer_score_is_bounded() {
    let s = start(&[]);
    let (status, page) = post_form(
        &s.base,
        "/train/1",
        "_right=4294967295&_asked=4294967295&classification=parental_conflict",
    );
    assert_eq!(status, 200);
    let max = dashrisk_serve::Score::MAX_ASKED;
    assert!(
        page.contains(&format!("data-right=\"{max}\" data-asked=\"{max}\"")),
        "{page}"
    );
    let (_, page) = post_form(&s.base, "/train/1", "_right=50&_asked=3");
    assert!(page.contains("data-right=\"3\" data-asked=\"6\""), "{page}");
    let page = ureq::get(&format!("{}/train/1?right=50&asked=3", s.base))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(page.contains("Score this session: 3 of 3"), "{page}");
    // The server is still there.
    let (status, _) = post_json(&s.base, "/api/assess", "{}");
    assert_eq!(status, 200);
}

/// Review finding 7: a form is refused past a few hundred fields, with a clear
/// error, and the form routes take at most 64 KiB while the API keeps its limit.
#[test]
fn big_forms_are_refused_and_the_api_keeps_its_limit() {
    let s = start(&[]);
    let many: String = (0..250)
        .map(|i| format!("k{i:04}="))
        .collect::<Vec<_>>()
        .join("&");
    let (status, page) = post_form(&s.base, "/fragment", &many);
    assert_eq!(status, 200);
    assert!(
        page.contains("the form has 250 fields, more than the 200 allowed"),
        "{page}"
    );
    let (status, _) = post_form(&s.base, "/", &many);
    assert_eq!(status, 422);
    // 100 KB: over the forms' 64 KiB, under the API's 1 MiB.
    let big = format!("q2=yes&_pad={}", "a".repeat(100_000));
    for path in ["/", "/fragment", "/train/1"] {
        assert_eq!(raw_status(&s.base, "POST", path, &[], &big), 413, "{path}");
    }
    let record = format!(
        r#"{{"id": "{}", "answers": {{"q2": "yes"}}}}"#,
        "a".repeat(100_000)
    );
    let (status, _) = post_json(&s.base, "/api/assess", &record);
    assert_eq!(status, 200);
    // A normal form still works.
    let (status, page) = post_form(&s.base, "/fragment", "q2=yes");
    assert_eq!(status, 200);
    assert!(page.contains("data-classification"));
}

/// Review finding 9: a request must name this machine in its Host (DNS rebinding),
/// and another web site may not post to the server; every response, refusals too,
/// carries the cross-origin headers.
#[test]
fn foreign_hosts_and_cross_site_requests_are_refused() {
    let s = start(&[]);
    let port = s.base.rsplit(':').next().unwrap();
    let local = format!("127.0.0.1:{port}");
    let ok = |method: &str, path: &str, headers: &[(&str, &str)]| {
        raw_status(&s.base, method, path, headers, "q2=yes")
    };
    // Host.
    let rebound = [("Host", "rebind.attacker.example:8080")];
    assert_eq!(ok("GET", "/api/scenarios", &rebound), 403);
    assert_eq!(ok("GET", "/", &rebound), 403);
    assert_eq!(ok("POST", "/fragment", &rebound), 403);
    for host in [
        local.clone(),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_string(),
    ] {
        assert_eq!(
            ok("GET", "/api/scenarios", &[("Host", &host)]),
            200,
            "{host}"
        );
    }
    // Cross-site posts.
    let origin = format!("http://{local}");
    assert_eq!(ok("POST", "/fragment", &[("Origin", &origin)]), 200);
    assert_eq!(
        ok(
            "POST",
            "/fragment",
            &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")]
        ),
        200
    );
    // Chromium's own form post under `Referrer-Policy: no-referrer`.
    assert_eq!(
        ok(
            "POST",
            "/",
            &[("Origin", "null"), ("Sec-Fetch-Site", "same-origin")]
        ),
        200
    );
    for headers in [
        vec![("Origin", "https://attacker.example")],
        vec![("Origin", "null")],
        vec![("Origin", "null"), ("Sec-Fetch-Site", "same-site")],
        vec![("Origin", "http://localhost:1")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![
            ("Origin", "https://attacker.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    ] {
        for path in ["/", "/fragment", "/train/1", "/api/assess"] {
            assert_eq!(ok("POST", path, &headers), 403, "{path} {headers:?}");
        }
    }
    // A link from another site still opens a page.
    assert_eq!(ok("GET", "/", &[("Sec-Fetch-Site", "cross-site")]), 200);
    // The refusal says why, and carries the headers.
    let r = ureq::get(&format!("{}/", s.base)).call().unwrap();
    assert_eq!(
        r.header("cross-origin-resource-policy"),
        Some("same-origin")
    );
    assert_eq!(r.header("cross-origin-opener-policy"), Some("same-origin"));
    match ureq::post(&format!("{}/fragment", s.base))
        .set("Origin", "https://attacker.example")
        .send_string("q2=yes")
    {
        Err(ureq::Error::Status(403, r)) => {
            assert_eq!(
                r.header("cross-origin-resource-policy"),
                Some("same-origin")
            );
            assert!(r.header("content-security-policy").is_some());
            assert!(r.into_string().unwrap().contains("another origin"));
        }
        other => panic!("{other:?}"),
    }
    drop(s);
    // With --allow-remote the force's own names are served; cross-site posts are not.
    let s = start(&["--allow-remote"]);
    let named = [("Host", "dashrisk.force.example")];
    assert_eq!(
        raw_status(&s.base, "GET", "/api/scenarios", &named, ""),
        200
    );
    assert_eq!(
        raw_status(
            &s.base,
            "POST",
            "/fragment",
            &[
                ("Host", "dashrisk.force.example"),
                ("Origin", "https://dashrisk.force.example")
            ],
            "q2=yes"
        ),
        200
    );
    assert_eq!(
        raw_status(
            &s.base,
            "POST",
            "/fragment",
            &[
                ("Host", "dashrisk.force.example"),
                ("Origin", "https://attacker.example")
            ],
            "q2=yes"
        ),
        403
    );
}

/// Review findings 11 and 13: exercise pages, feedback and handouts say the case is
/// fictional; pathways and MARAC criteria carry their proper names, on the page and
/// in the text to copy.
#[test]
fn exercises_say_they_are_fictional_and_labels_are_proper_names() {
    let s = start(&[]);
    let line = "Fictional training case: the people and events are invented.";
    for path in ["/train/8", "/train/8/handout"] {
        let page = ureq::get(&format!("{}{path}", s.base))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        assert!(page.contains(line), "{path}");
    }
    let (_, page) = post_form(&s.base, "/train/8", "classification=unclear");
    assert!(page.contains(line));
    let (_, page) = post_form(
        &s.base,
        "/",
        "q18=yes&q1=yes&q3=yes&q4=yes&q5=yes&q6=yes&q7=yes&q8=yes&q9=yes&q10=yes&q11=yes&q12=yes&q13=yes&q14=yes&children_in_household=true",
    );
    for bad in [
        "Idva",
        "Marac",
        "Rpc support",
        "Specialist da service",
        // (The example services file names one "example childrens social care
        // service": its text is the file's, not a label.)
        "Childrens social care",
        "Pathways: victim support",
        "visible_high_risk",
    ] {
        assert!(!page.contains(bad), "{bad}");
    }
    let record = element(&page, "<textarea id=\"record-text\"");
    assert!(
        record.contains("Pathways: MARAC, IDVA, Children&#39;s social care, Operation Encompass"),
        "{record}"
    );
    assert!(
        record.contains("MARAC referral: yes (visible high risk"),
        "{record}"
    );
    assert!(page.contains("<li data-pathway=\"idva\">IDVA"));
    let train = ureq::get(&format!("{}/train/1", s.base))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        train.contains(">RPC support</label>")
            && train.contains(">Specialist domestic abuse service</label>")
    );
}

/// Review finding 4: a scenario whose `expect` the tool's result does not match
/// under the loaded settings is named at start-up, and its feedback page says that
/// the rationale was written for other settings. The shipped ones all match.
#[test]
fn a_scenario_whose_expect_differs_is_named_and_flagged() {
    let run = |args: &[&str], check: &dyn Fn(&str)| -> String {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dashrisk-serve"))
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line.trim().rsplit(' ').next().unwrap().to_string();
        check(&base);
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run(&[], &|_| {});
    assert!(!err.contains("WARNING"), "{err}");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashrisk-serve-expect");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let one = &scenarios()[7];
    std::fs::write(dir.join("a-agrees.json"), one.to_string()).unwrap();
    let mut other = one.clone();
    let class = one["expect"]["classification"].as_str().unwrap();
    let wrong = if class == "unclear" {
        "domestic_abuse"
    } else {
        "unclear"
    };
    other["expect"]["classification"] = wrong.into();
    std::fs::write(dir.join("b-differs.json"), other.to_string()).unwrap();
    let err = run(&["--scenarios", dir.to_str().unwrap()], &|base| {
        let (_, page) = post_form(base, "/train/1", "classification=unclear");
        assert!(!page.contains("written for other settings"));
        let (_, page) = post_form(base, "/train/2", "classification=unclear");
        assert!(page.contains("written for other settings"), "{page}");
        assert!(
            page.contains(&format!(
                "classification: expected &quot;{wrong}&quot;, the tool gives &quot;{class}&quot;"
            )),
            "{page}"
        );
    });
    assert!(
        err.contains("WARNING: scenario b-differs.json")
            && err.contains("classification")
            && !err.contains("a-agrees.json"),
        "{err}"
    );
}

/// Review finding 5: an exercise page lists every input the scorer reads: the
/// form, every answer, the screen with the recent changes, the children, the
/// earlier-incident count and dates, this incident's and the last MARAC's dates and
/// the officer's judgement.
#[test]
fn every_input_of_a_scenario_is_on_its_exercise_page() {
    let s = start(&[]);
    let scorer = Scorer::default();
    for (i, sc) in scenarios().iter().enumerate() {
        let page = ureq::get(&format!("{}/train/{}", s.base, i + 1))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        let a = scorer.parse_value(&sc["input"]).unwrap();
        let name = &sc["name"];
        let inst = scorer.instrument(&a.instrument).unwrap();
        assert!(
            page.contains(&format!("<dt>Form</dt><dd>{}</dd>", inst.name)),
            "{name}"
        );
        let c = &a.context;
        let count = c
            .prior_incidents_12m
            .map_or("not recorded".to_string(), |n| n.to_string());
        let dates = c
            .prior_incident_dates
            .as_ref()
            .map_or("not recorded".to_string(), |ds| {
                if ds.is_empty() {
                    "none".into()
                } else {
                    ds.iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            });
        assert!(
            page.contains(&format!(
                "count in the 12 months before: {count}; dates: {dates}"
            )),
            "{name}"
        );
        let date = |d: Option<dashrisk::NaiveDate>| {
            d.map_or("not recorded".to_string(), |d| d.to_string())
        };
        assert!(
            page.contains(&format!(
                "this incident: {}; the last MARAC discussion: {}",
                date(c.incident_date),
                date(c.last_marac_date)
            )),
            "{name}"
        );
        let changes = match &a.conflict_screen.recent_transitions {
            None => "not known".to_string(),
            Some(ts) if ts.is_empty() => "none".to_string(),
            Some(ts) => ts
                .iter()
                .map(|t| {
                    serde_json::to_value(t)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .replace('_', " ")
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        assert!(
            page.contains(&format!("recent changes in the family: {changes}</dd>")),
            "{name}"
        );
        let judgement = a
            .officer_judgement
            .map_or("none recorded".to_string(), |j| {
                serde_json::to_value(j)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            });
        assert!(
            page.contains(&format!("<dt>Officer's judgement</dt><dd>{judgement}</dd>")),
            "{name}"
        );
    }
}

/// With a policy whose grading differs from the one the calibration's conflict
/// guarantee was measured under, no case is labelled parental conflict, and every
/// page says why (the shipped settings say nothing of the kind).
#[test]
fn pages_say_when_no_case_can_be_labelled_conflict() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-grading");
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.json");
    std::fs::write(&policy, r#"{"grading": {"escalation_window_months": 6}}"#).unwrap();
    let all_no: String = (1..=27)
        .map(|i| format!("q{i}=no&"))
        .collect::<String>()
        + "fear=no&power_imbalance=no&prior_incidents_12m=0&children_in_household=false&children_exposed=no";
    let shipped = start(&[]);
    let (_, page) = post_form(&shipped.base, "/", &all_no);
    assert!(
        page.contains("data-classification=\"parental_conflict\""),
        "{page}"
    );
    assert!(!page.contains("no case is labelled parental conflict"));
    let other = start(&["--policy", policy.to_str().unwrap()]);
    let (_, page) = post_form(&other.base, "/", &all_no);
    assert!(!page.contains("data-classification=\"parental_conflict\""));
    assert!(page.contains("another grading policy"), "{page}");
    assert!(page.contains("no case is labelled parental conflict"));
}

/// The opening tags `<name …>` of a page, in order, with where each starts.
fn opening_tags<'a>(page: &'a str, name: &str) -> Vec<(usize, &'a str)> {
    let start = format!("<{name}");
    page.match_indices(&start)
        .filter(|(i, _)| {
            // `<input` but not `<inputs`: the name ends at a space or '>'.
            matches!(page.as_bytes().get(i + start.len()), Some(b' ' | b'>'))
        })
        .map(|(i, _)| (i, &page[i..=i + page[i..].find('>').unwrap()]))
        .collect()
}

/// Review, hardening notes: the browser keeps no victim's answers, counts or dates
/// in its autofill store or its saved form state. Every form carries
/// `autocomplete="off"` (which radio buttons and checkboxes, having no attribute of
/// their own, inherit), and so does every field that takes typed or chosen values:
/// the count, the dates, the selects and the record text.
#[test]
fn no_form_or_field_offers_answers_to_the_browsers_autofill() {
    let s = start(&[]);
    let get = |path: &str| {
        ureq::get(&format!("{}{path}", s.base))
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    };
    let (status, result_page) = post_form(
        &s.base,
        "/",
        "q2=yes&fear=yes&prior_incidents_12m=2&incident_date=2025-05-16&last_marac_date=2025-01-10&children_in_household=true",
    );
    assert_eq!(status, 200);
    let pages = [
        ("/", get("/"), 1),
        (
            "/?instrument=dash-2009-partner",
            get("/?instrument=dash-2009-partner"),
            1,
        ),
        ("POST /", result_page, 1),
        ("/train/1", get("/train/1"), 1),
    ];
    for (path, page, forms) in &pages {
        let form_tags = opening_tags(page, "form");
        assert_eq!(form_tags.len(), *forms, "{path}");
        let mut spans = Vec::new();
        for (at, tag) in &form_tags {
            assert!(tag.contains(" autocomplete=\"off\""), "{path}: {tag}");
            spans.push(*at..at + page[*at..].find("</form>").unwrap());
        }
        let inputs = opening_tags(page, "input");
        assert!(!inputs.is_empty(), "{path}");
        for (at, tag) in &inputs {
            assert!(
                spans.iter().any(|r| r.contains(at)),
                "{path}: {tag} is outside the form"
            );
            let kind = tag
                .split("type=\"")
                .nth(1)
                .and_then(|t| t.split('"').next());
            if !matches!(kind, Some("radio" | "checkbox" | "hidden")) {
                assert!(tag.contains(" autocomplete=\"off\""), "{path}: {tag}");
            }
        }
        for name in ["select", "textarea"] {
            for (_, tag) in opening_tags(page, name) {
                assert!(tag.contains(" autocomplete=\"off\""), "{path}: {tag}");
            }
        }
    }
    // The officer page's typed fields are the count and the two dates, and its
    // selects the screen's two and the judgement; the result page adds the record.
    let typed = |page: &str| {
        opening_tags(page, "input")
            .iter()
            .filter(|(_, t)| t.contains("type=\"number\"") || t.contains("type=\"date\""))
            .count()
    };
    assert_eq!(typed(&pages[0].1), 3);
    assert_eq!(opening_tags(&pages[0].1, "select").len(), 3);
    assert!(pages[2].1.contains("value=\"2025-05-16\""));
    assert_eq!(opening_tags(&pages[2].1, "textarea").len(), 1);
}

/// The library's server (`dashrisk_serve::serve`, as the binary runs it) on a free
/// loopback port, in this process, with the given timeouts: the binary's are fixed
/// at 10 and 30 seconds, too long for a test. Stopped when dropped.
struct InProcess {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl InProcess {
    fn start(timeouts: dashrisk_serve::Timeouts) -> InProcess {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (tell, addr) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let bound = listener.local_addr().unwrap();
                tell.send(bound).unwrap();
                let state = dashrisk_serve::AppState {
                    scorer: Scorer::default(),
                    services: None,
                    exercises: Vec::new(),
                };
                let access = dashrisk_serve::Access {
                    bound,
                    allow_remote: false,
                };
                let app = dashrisk_serve::app(
                    state,
                    dashrisk_serve::DEFAULT_BODY_LIMIT,
                    access,
                    timeouts,
                );
                dashrisk_serve::serve(listener, app, timeouts, async {
                    let _ = stopped.await;
                })
                .await;
            });
        });
        InProcess {
            addr: addr.recv().unwrap(),
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        let _ = self.stop.take().unwrap().send(());
        let _ = self.thread.take().unwrap().join();
    }
}

/// What a client that stalls sees: everything the server sent until it closed the
/// connection, and how long that took. A server that waits for ever would leave the
/// read blocked until `patience`, and the test fails then (`closed` is false).
struct Stalled {
    reply: String,
    closed: bool,
    after: std::time::Duration,
}

fn read_until_closed(
    c: &mut std::net::TcpStream,
    since: std::time::Instant,
    patience: std::time::Duration,
) -> Stalled {
    use std::io::Read;
    c.set_read_timeout(Some(patience)).unwrap();
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = loop {
        match c.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            // A reset is a close too (the server may drop unread bytes).
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    Stalled {
        reply: String::from_utf8_lossy(&reply).into_owned(),
        closed,
        after: since.elapsed(),
    }
}

/// Review, hardening notes: a client that stalls cannot hold a connection open.
/// Headers not sent in time close the connection (a deadline from the moment the
/// server waits for them, which trickling bytes does not extend); a body not sent in
/// time gets 408 and the connection closes. Timeouts of 200 ms and 400 ms here; a
/// client that is prompt is answered as before.
#[test]
fn a_client_that_stalls_is_cut_off_in_bounded_time() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let timeouts = dashrisk_serve::Timeouts {
        header_read: Duration::from_millis(200),
        request: Duration::from_millis(400),
        ..dashrisk_serve::Timeouts::default()
    };
    let server = InProcess::start(timeouts);
    let patience = Duration::from_secs(5);
    let head = format!(
        "POST /api/assess HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n",
        server.addr
    );

    // A prompt client is answered, on a connection kept alive for a second request.
    let record = r#"{"answers": {"q18": "yes"}}"#;
    let mut c = std::net::TcpStream::connect(server.addr).unwrap();
    let request = format!("{head}Content-Length: {}\r\n\r\n{record}", record.len());
    c.write_all(request.as_bytes()).unwrap();
    c.write_all(
        request
            .replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n")
            .as_bytes(),
    )
    .unwrap();
    let t = Instant::now();
    let s = read_until_closed(&mut c, t, patience);
    assert!(s.closed, "{}", s.reply);
    assert_eq!(s.reply.matches("HTTP/1.1 200 OK").count(), 2, "{}", s.reply);
    assert_eq!(
        s.reply
            .matches("\"classification\":\"domestic_abuse\"")
            .count(),
        2,
        "{}",
        s.reply
    );

    // Connected, nothing sent.
    let c0 = Instant::now();
    let mut c = std::net::TcpStream::connect(server.addr).unwrap();
    let s = read_until_closed(&mut c, c0, patience);
    assert!(
        s.closed,
        "a silent connection is still open after {patience:?}"
    );
    assert!(s.reply.is_empty(), "{}", s.reply);
    assert!(s.after >= Duration::from_millis(150), "{:?}", s.after);
    assert!(s.after < Duration::from_secs(2), "{:?}", s.after);

    // Half the headers, then nothing.
    let c0 = Instant::now();
    let mut c = std::net::TcpStream::connect(server.addr).unwrap();
    c.write_all(head.as_bytes()).unwrap();
    let s = read_until_closed(&mut c, c0, patience);
    assert!(
        s.closed,
        "a half-sent head is still open after {patience:?}"
    );
    assert!(s.after >= Duration::from_millis(150), "{:?}", s.after);
    assert!(s.after < Duration::from_secs(2), "{:?}", s.after);

    // Headers trickled a byte every 50 ms: the deadline is not extended.
    let c0 = Instant::now();
    let mut c = std::net::TcpStream::connect(server.addr).unwrap();
    let mut writer = c.try_clone().unwrap();
    let trickle = std::thread::spawn(move || {
        for b in "X-Slow: ".bytes().chain(std::iter::repeat(b'a')).take(100) {
            if writer.write_all(&[b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let s = read_until_closed(&mut c, c0, patience);
    assert!(s.closed, "a trickled head is still open after {patience:?}");
    assert!(s.after < Duration::from_secs(2), "{:?}", s.after);
    trickle.join().unwrap();

    // The headers, then 10 of the 100 bytes the body announces, then nothing.
    let c0 = Instant::now();
    let mut c = std::net::TcpStream::connect(server.addr).unwrap();
    c.write_all(format!("{head}Content-Length: 100\r\n\r\n{{\"answers\":").as_bytes())
        .unwrap();
    let s = read_until_closed(&mut c, c0, patience);
    assert!(
        s.closed,
        "a stalled body is still open after {patience:?}: {}",
        s.reply
    );
    assert!(s.reply.starts_with("HTTP/1.1 408 "), "{}", s.reply);
    // The 408 carries the security headers as every answer does.
    assert!(
        s.reply
            .to_ascii_lowercase()
            .contains("cache-control: no-store"),
        "{}",
        s.reply
    );
    assert!(s.after >= Duration::from_millis(350), "{:?}", s.after);
    assert!(s.after < Duration::from_secs(2), "{:?}", s.after);
}

/// Review: a client that sends requests and never reads the answers held its
/// connection open for ever, and kept the server from stopping. Now a write that
/// waits longer than the write timeout ends the connection, and stopping waits for
/// connections at most the shutdown timeout.
#[test]
fn a_client_that_never_reads_is_cut_off_and_does_not_hold_up_the_stop() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let timeouts = dashrisk_serve::Timeouts {
        write: Duration::from_millis(300),
        shutdown: Duration::from_millis(500),
        ..dashrisk_serve::Timeouts::default()
    };
    let server = InProcess::start(timeouts);
    // Far more answers (about 110 MB of app.js) than the sockets' buffers hold.
    let sent = 20_000;
    let request = format!(
        "GET /static/app.js HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    );
    let mut c = std::net::TcpStream::connect(server.addr).unwrap();
    let mut writer = c.try_clone().unwrap();
    let feeder = std::thread::spawn(move || {
        for _ in 0..sent {
            if writer.write_all(request.as_bytes()).is_err() {
                break;
            }
        }
    });
    // Not reading for well over the write timeout.
    std::thread::sleep(Duration::from_millis(1500));
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut reply = Vec::new();
    let t = Instant::now();
    let mut buf = [0u8; 65536];
    loop {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
        }
        assert!(t.elapsed() < Duration::from_secs(20), "still reading");
    }
    let _ = feeder.join();
    let answered = String::from_utf8_lossy(&reply)
        .matches("HTTP/1.1 200 OK")
        .count();
    assert!(answered > 0, "nothing was answered");
    assert!(
        answered < sent,
        "all {sent} answers were sent: the stalled writes were waited out"
    );
    // Stopping is bounded even with a connection open that reads nothing.
    let mut idle = std::net::TcpStream::connect(server.addr).unwrap();
    idle.write_all(b"GET /static/app.js HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let t = Instant::now();
    drop(server);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}
