//! `dashrisk-serve`: a local web app on top of the `dashrisk` core, for officers and
//! trainers, and a JSON API beside the pages. It is the only part of dashrisk that
//! opens a socket (docs/security.md); it binds loopback unless told otherwise.
//!
//! - `/` the officer page: the form's questions grouped by domain, the conflict
//!   screen and the context; the result (classification, level, MARAC, children and
//!   notifications, pathways with local services, reasons, "ask next") as a page and
//!   as a text block to copy into the force's record. It works without JavaScript (a
//!   submit button); with it, the result updates as the officer answers.
//! - `/train` trainer mode: scenario exercises, scored for the session (the score
//!   travels in the form, not in a cookie), each with a printable handout.
//! - `/services` the local services directory.
//! - `POST /api/assess`, `POST /api/ask-next`, `GET /api/instruments`,
//!   `GET /api/scenarios`.
//!
//! Nothing is stored, logged or written: a request's answers live only while it is
//! answered.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod html;
pub mod scenarios;

use axum::extract::Request;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use dashrisk::error::RecordError;
use dashrisk::services::Services;
use dashrisk::{AssessOptions, Assessment, AssessmentResult, Scorer};
use dashrisk::{ErrorKind, InputError};
use std::collections::HashSet;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The default request body limit: 1 MiB (the API's records may carry `meta`).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The body limit of the form routes (`/`, `/fragment`, `/train/N`): 64 KiB. The
/// officer form sends about 2 KiB; a large form only costs the server work.
pub const FORM_BODY_LIMIT: usize = 64 * 1024;

/// The most fields a form may carry. The officer form sends fewer than 60 (every
/// question, the screen, the context and the ticked changes).
pub const MAX_FORM_FIELDS: usize = 200;

/// How long a client may take to send a request's headers: 10 seconds. A browser
/// sends them at once; only a stalled or deliberately slow client takes longer.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request may take once its headers are read, its body and the answer
/// included: 30 seconds. The officer form's 2 KiB arrive at once and an answer takes
/// milliseconds, even under load.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The server's timeouts, so that a slow or stalled client cannot hold a
/// connection (and the memory and task behind it) open for ever, nor keep the
/// server from stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// How long a client has to send a request's headers, counted from when the
    /// server starts waiting for them: when the connection opens, and on a kept-alive
    /// connection when the previous answer has been sent. It is a deadline, not an
    /// idle time: sending a byte now and then does not extend it. A client that
    /// misses it has its connection closed without an answer.
    pub header_read: Duration,
    /// How long a request has from its headers to its answer, reading the body
    /// included. A request that takes longer is answered 408 Request Timeout, and
    /// the connection is closed.
    pub request: Duration,
    /// How long a write to the client may wait for the client to read: a client
    /// that stops reading its answers has its connection closed after this.
    pub write: Duration,
    /// How long, after the server is told to stop, it waits for the connections
    /// in progress to finish before it exits anyway.
    pub shutdown: Duration,
}

/// The default [`Timeouts::write`].
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default [`Timeouts::shutdown`].
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header_read: DEFAULT_HEADER_READ_TIMEOUT,
            request: DEFAULT_REQUEST_TIMEOUT,
            write: DEFAULT_WRITE_TIMEOUT,
            shutdown: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }
}

/// The Content-Security-Policy of every response: nothing from another host, no
/// inline script or style.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What the server serves.
#[derive(Debug)]
pub struct AppState {
    /// The scorer (policy, calibration, instruments).
    pub scorer: Scorer,
    /// The local services directory, if one was given.
    pub services: Option<Services>,
    /// The scenario exercises.
    pub exercises: Vec<scenarios::Exercise>,
}

/// Who may use the server: what each request's `Host`, `Origin` and
/// `Sec-Fetch-Site` headers are checked against.
///
/// - **Host.** Without `--allow-remote`, a request must name this machine
///   (`localhost`, a loopback address or the bound address). A page on another
///   site that has rebound its own name to 127.0.0.1 ("DNS rebinding") sends its
///   own name, and is refused.
/// - **Cross-site.** A request that can change or compute something (any method
///   but GET, HEAD and OPTIONS) is refused when its `Origin` is another origin than
///   the `Host` it names (`null` counts as another unless the browser marks the
///   request `Sec-Fetch-Site: same-origin`), or when the browser marks it
///   `Sec-Fetch-Site: cross-site`: another web page must not drive the tool (load,
///   or a result for answers it chose). Clients that are not browsers send neither
///   header.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    /// The address the server is bound to.
    pub bound: SocketAddr,
    /// `--allow-remote`: any `Host` is accepted (the force's own names and proxies
    /// reach the server); the cross-site checks still apply.
    pub allow_remote: bool,
}

impl Access {
    /// Whether a request with this method and these headers may be served; if not,
    /// why, in a sentence for the person who sent it.
    pub fn check(&self, method: &Method, headers: &HeaderMap) -> Result<(), String> {
        let text = |name| {
            headers
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let host = text(header::HOST);
        if !self.allow_remote {
            match &host {
                None => {
                    return Err(format!(
                        "the request has no Host header; open http://{}/",
                        self.bound
                    ))
                }
                Some(h) if !self.host_is_local(h) => {
                    return Err(format!(
                        "the request's Host {:?} is not this machine; open http://{}/ (serving other machines needs --allow-remote)",
                        dashrisk::error::truncate_value(h),
                        self.bound
                    ))
                }
                Some(_) => {}
            }
        }
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return Ok(());
        }
        let site = text(HeaderName::from_static("sec-fetch-site"));
        if site.as_deref() == Some("cross-site") {
            return Err(
                "the request came from another web site: use the pages this server serves".into(),
            );
        }
        if let Some(origin) = text(header::ORIGIN) {
            // Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` with
            // the page's own form posts; it is the page's own only when the browser
            // also says so (a sandboxed frame elsewhere sends "null" as well).
            let same = if origin == "null" {
                site.as_deref() == Some("same-origin")
            } else {
                host.as_deref().is_some_and(|h| {
                    let h = h.to_ascii_lowercase();
                    let o = origin.to_ascii_lowercase();
                    o == format!("http://{h}") || o == format!("https://{h}")
                })
            };
            if !same {
                return Err(format!(
                    "the request came from another origin ({:?}): use the pages this server serves",
                    dashrisk::error::truncate_value(&origin)
                ));
            }
        }
        Ok(())
    }

    /// Whether a Host header names this machine: `localhost`, a loopback address or
    /// the bound address, with any port.
    fn host_is_local(&self, host: &str) -> bool {
        let name = match host.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or(""),
            None => host.rsplit_once(':').map_or(host, |(name, _)| name),
        };
        let name = name.trim_end_matches('.');
        name.eq_ignore_ascii_case("localhost")
            || name
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback() || ip == self.bound.ip())
    }
}

async fn guard(State(access): State<Access>, req: Request, next: Next) -> Response {
    match access.check(req.method(), req.headers()) {
        Ok(()) => next.run(req).await,
        Err(why) => (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("dashrisk-serve refused this request: {why}\n"),
        )
            .into_response(),
    }
}

/// The app: every page and API route, with the body limits, the request timeout
/// ([`Timeouts::request`]), the request checks of [`Access`] and the security
/// headers.
pub fn app(state: AppState, body_limit: usize, access: Access, timeouts: Timeouts) -> Router {
    let form_limit = body_limit.min(FORM_BODY_LIMIT);
    let forms = Router::new()
        .route("/", get(officer_page).post(officer_submit))
        .route("/fragment", post(officer_fragment))
        .route("/train/{n}", get(train_page).post(train_submit))
        .layer(DefaultBodyLimit::max(form_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(form_limit));
    Router::new()
        .merge(forms)
        .route("/services", get(services_page))
        .route("/train", get(train_index))
        .route("/train/{n}/handout", get(train_handout))
        .route("/static/app.js", get(app_js))
        .route("/static/app.css", get(app_css))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/assess", post(api_assess))
        .route("/api/ask-next", post(api_ask_next))
        .route("/api/instruments", get(api_instruments))
        .route("/api/scenarios", get(api_scenarios))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(body_limit))
        // Around the handlers, which read the body: a body that stalls is cut off
        // too. Inside the security headers, so that a 408 carries them.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeouts.request,
        ))
        .layer(axum::middleware::from_fn_with_state(access, guard))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(Arc::new(state))
}

/// Serves `app` on `listener`, each HTTP/1.1 connection on its own task, until
/// `shutdown` completes; then it accepts no more connections and waits for the
/// requests in progress to be answered, for at most [`Timeouts::shutdown`].
///
/// This is `axum::serve` with hyper's header read timeout switched on
/// ([`Timeouts::header_read`]): `axum::serve` installs no timer, without which
/// hyper applies no header timeout at all. The request timeout is the app's
/// ([`app`]).
pub async fn serve(
    mut listener: tokio::net::TcpListener,
    app: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // `Listener::accept` retries a failed accept (after a pause when the
        // process is out of file handles), as `axum::serve` does.
        let stream = tokio::select! {
            (stream, _) = axum::serve::Listener::accept(&mut listener) => stream,
            () = &mut shutdown => break,
        };
        // A write that waits longer than `timeouts.write` for the client to read
        // fails, and ends the connection.
        let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
        stream.set_write_timeout(Some(timeouts.write));
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(timeouts.header_read)
            .serve_connection(
                hyper_util::rt::TokioIo::new(Box::pin(stream)),
                hyper_util::service::TowerToHyperService::new(app.clone()),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection's error (a client gone, a header timeout) ends only
            // that connection; nothing about it is logged.
            let _ = connection.await;
        });
    }
    drop(listener);
    // Bounded: a client that never reads cannot keep the server from stopping.
    let _ = tokio::time::timeout(timeouts.shutdown, graceful.shutdown()).await;
}

async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // No other site may embed a response, or keep a handle on a window of ours.
    h.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // Results are about people: never kept in a cache.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

type St = State<Arc<AppState>>;

async fn app_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../static/app.js"),
    )
}

async fn app_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/app.css"),
    )
}

/// The form's fields as a flat record (the CSV columns of the input contract).
///
/// A repeated field is refused (`duplicate_field`), as a repeated JSON key or CSV
/// column is: "first value wins" would let two clients read one form differently.
/// The one field that repeats is the checkbox group `recent_transitions`, whose
/// values are joined with ';' as in CSV; "none" ticked together with a change is
/// refused rather than one of them dropped.
fn parse_form(scorer: &Scorer, fields: &[(String, String)]) -> Result<Assessment, RecordError> {
    let fail = |error| RecordError {
        line: 1,
        id: None,
        error,
    };
    if fields.len() > MAX_FORM_FIELDS {
        return Err(fail(InputError::new(
            ErrorKind::TooLarge,
            "",
            None,
            format!(
                "the form has {} fields, more than the {MAX_FORM_FIELDS} allowed (the officer form sends fewer than 60)",
                fields.len()
            ),
        )));
    }
    let mut row: Vec<(&str, &str)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut transitions: Vec<&str> = Vec::new();
    for (k, v) in fields {
        if k.starts_with('_') {
            continue; // the page's own fields
        }
        if k == "recent_transitions" {
            transitions.push(v);
        } else if !seen.insert(k) {
            let name = dashrisk::error::truncate_value(k);
            return Err(fail(InputError::new(
                ErrorKind::DuplicateField,
                k.as_str(),
                Some(k),
                format!(
                    "{name}: the field {name:?} appears more than once in the form; a repeated field is ambiguous, so give it once"
                ),
            )));
        } else {
            row.push((k, v));
        }
    }
    let joined = transitions.join(";");
    if !transitions.is_empty() {
        if transitions.len() > 1 && transitions.contains(&"none") {
            return Err(fail(InputError::new(
                ErrorKind::InvalidValue,
                "recent_transitions",
                Some("none"),
                "recent_transitions: \"none\" is ticked together with a change; tick either none or the changes there were",
            )));
        }
        row.push(("recent_transitions", &joined));
    }
    scorer.parse_flat(&row).map(|(a, _)| a).map_err(fail)
}

/// A record's result, with "ask next" and the services for its pathways.
pub struct Assessed {
    /// The record.
    pub record: Assessment,
    /// Its result.
    pub result: AssessmentResult,
    /// The unanswered questions that would change it.
    pub ask_next: Vec<dashrisk::ask::DecisiveQuestion>,
}

fn assess(scorer: &Scorer, a: Assessment) -> Result<Assessed, RecordError> {
    let fail = |error| RecordError {
        line: 1,
        id: a.id.clone(),
        error,
    };
    let result = scorer.assess(&a).map_err(fail)?;
    let ask_next = scorer.decisive_questions(&a).map_err(fail)?;
    Ok(Assessed {
        record: a,
        result,
        ask_next,
    })
}

/// `/?instrument=ID` opens the page on another form (the partner-agency form).
#[derive(Debug, serde::Deserialize)]
struct PageQuery {
    instrument: Option<String>,
}

async fn officer_page(State(s): St, Query(q): Query<PageQuery>) -> Html<String> {
    let fields: Vec<(String, String)> = q
        .instrument
        .filter(|id| s.scorer.instrument(id).is_some())
        .map(|id| vec![("instrument".to_string(), id)])
        .unwrap_or_default();
    Html(html::officer_page(&s, &fields, None))
}

async fn officer_submit(State(s): St, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let outcome = parse_form(&s.scorer, &fields).and_then(|a| assess(&s.scorer, a));
    let status = if outcome.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        Html(html::officer_page(&s, &fields, Some(&outcome))),
    )
        .into_response()
}

async fn officer_fragment(State(s): St, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let outcome = parse_form(&s.scorer, &fields).and_then(|a| assess(&s.scorer, a));
    Html(html::result_panel(&s, &outcome)).into_response()
}

async fn services_page(State(s): St) -> Html<String> {
    Html(html::services_page(&s))
}

async fn train_index(State(s): St) -> Html<String> {
    Html(html::train_index(&s))
}

/// The session's score, carried in links and forms (no cookie, nothing stored).
#[derive(Debug, Default, Clone, Copy, serde::Deserialize)]
pub struct Score {
    /// Parts answered right so far.
    #[serde(default)]
    pub right: u32,
    /// Parts answered so far.
    #[serde(default)]
    pub asked: u32,
}

impl Score {
    /// The most parts a session counts: far more than a day's training (three parts
    /// for each of the 76 shipped scenarios is 228), small enough never to overflow.
    pub const MAX_ASKED: u32 = 100_000;

    /// The score as it can be: the score arrives from the page's links and forms,
    /// which anyone can edit, so `asked` is capped and `right` is at most `asked`.
    pub fn bounded(self) -> Score {
        let asked = self.asked.min(Score::MAX_ASKED);
        Score {
            right: self.right.min(asked),
            asked,
        }
    }

    /// The score after one more part, right or not.
    pub fn with_part(self, right: bool) -> Score {
        Score {
            right: self.right.saturating_add(u32::from(right)),
            asked: self.asked.saturating_add(1),
        }
        .bounded()
    }
}

fn exercise(s: &AppState, n: usize) -> Result<&scenarios::Exercise, Box<Response>> {
    n.checked_sub(1)
        .and_then(|i| s.exercises.get(i))
        .ok_or_else(|| {
            Box::new(
                (
                    StatusCode::NOT_FOUND,
                    Html(html::not_found(
                        s,
                        &format!("There is no scenario {n}; there are {}.", s.exercises.len()),
                    )),
                )
                    .into_response(),
            )
        })
}

async fn train_page(State(s): St, Path(n): Path<usize>, Query(score): Query<Score>) -> Response {
    match exercise(&s, n) {
        Ok(e) => Html(html::train_page(&s, n, e, score.bounded())).into_response(),
        Err(r) => *r,
    }
}

async fn train_submit(
    State(s): St,
    Path(n): Path<usize>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    match exercise(&s, n) {
        Ok(e) => Html(html::train_feedback(&s, n, e, &fields)).into_response(),
        Err(r) => *r,
    }
}

async fn train_handout(State(s): St, Path(n): Path<usize>) -> Response {
    match exercise(&s, n) {
        Ok(e) => Html(html::handout(&s, n, e)).into_response(),
        Err(r) => *r,
    }
}

fn record_error(e: RecordError) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(e)).into_response()
}

fn parse_body(scorer: &Scorer, body: &[u8]) -> Result<Assessment, RecordError> {
    scorer.parse_json_line(1, body)
}

async fn api_assess(State(s): St, body: axum::body::Bytes) -> Response {
    let a = match parse_body(&s.scorer, &body) {
        Ok(a) => a,
        Err(e) => return record_error(e),
    };
    match s.scorer.assess_with(&a, &AssessOptions::default()) {
        Ok(r) => Json(r).into_response(),
        Err(error) => record_error(RecordError {
            line: 1,
            id: a.id,
            error,
        }),
    }
}

async fn api_ask_next(State(s): St, body: axum::body::Bytes) -> Response {
    let a = match parse_body(&s.scorer, &body) {
        Ok(a) => a,
        Err(e) => return record_error(e),
    };
    match s.scorer.decisive_questions(&a) {
        Ok(q) => Json(q).into_response(),
        Err(error) => record_error(RecordError {
            line: 1,
            id: a.id,
            error,
        }),
    }
}

async fn api_instruments(State(s): St) -> Response {
    Json(s.scorer.instruments()).into_response()
}

async fn api_scenarios(State(s): St) -> Response {
    let list: Vec<serde_json::Value> = s
        .exercises
        .iter()
        .enumerate()
        .map(|(i, e)| {
            serde_json::json!({
                "number": i + 1,
                "file": e.scenario.file,
                "name": e.scenario.name,
                "story": e.scenario.story,
                "rationale": e.scenario.rationale,
                "input": e.scenario.input,
                "expect": e.scenario.expect,
            })
        })
        .collect();
    Json(list).into_response()
}
