//! Fault injection, for tests of retries and of callbacks arriving badly.
//!
//! Server faults match requests by path and fire a given number of times.
//! Callback faults apply to every callback while they are on. Both can be
//! set at start ([`SandboxBuilder`](crate::SandboxBuilder)) and changed
//! while the sandbox runs ([`SandboxHandle::faults`](crate::SandboxHandle::faults)).
//!
//! A [`FaultMix`] adds faults at random instead: a share of the requests
//! (after the rules, which go first) and of the callbacks, each fault kind
//! with a weight, drawn from a seeded generator. Every fault the sandbox
//! actually injects, by rule, flag or mix, is counted by kind
//! ([`Faults::injected`]), so a test reports what it survived. The seed
//! fixes the sequence of draws; which request meets which draw still
//! depends on the order in which concurrent requests arrive.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, SizeHint};

/// What a server fault does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// Process the request, then close the connection without answering:
    /// the change is made and the client does not know it.
    DropAfterProcessing,
    /// Answer HTTP 500 without processing.
    Status500,
    /// Process the request, then answer HTTP 500 instead of the result.
    Status500AfterProcessing,
    /// Wait this long, then process and answer normally.
    Delay(Duration),
    /// Answer HTTP 502 with an HTML page, as a proxy in front of OCTO
    /// does, without processing.
    Status502,
    /// Process the request at once, then hold the answer this long (longer
    /// than the client's timeout: the change is made, the answer comes too
    /// late to be read).
    SlowAnswer(Duration),
    /// Process the request, then send the head and half of the body and
    /// close the connection: the answer is cut off mid-body.
    ResetMidBody,
    /// Answer OCTO's error 4 ("internal error") under HTTP 200, the
    /// envelope of any refusal, without processing: nothing is changed.
    OctoInternal,
    /// Process the request, then answer OCTO's error 4 under HTTP 200
    /// instead of the result: the change is made and the client hears
    /// "internal error".
    OctoInternalAfterProcessing,
}

impl FaultAction {
    /// The kind under which it is counted.
    pub fn kind(self) -> FaultKind {
        match self {
            Self::DropAfterProcessing => FaultKind::DropAfterProcessing,
            Self::Status500 => FaultKind::Status500,
            Self::Status500AfterProcessing => FaultKind::Status500AfterProcessing,
            Self::Delay(_) => FaultKind::Delay,
            Self::Status502 => FaultKind::Status502,
            Self::SlowAnswer(_) => FaultKind::SlowAnswer,
            Self::ResetMidBody => FaultKind::ResetMidBody,
            Self::OctoInternal => FaultKind::OctoInternal,
            Self::OctoInternalAfterProcessing => FaultKind::OctoInternalAfterProcessing,
        }
    }
}

/// How many kinds of fault there are.
const KINDS: usize = 11;

/// Every kind of fault the sandbox can inject, for weights and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultKind {
    /// [`FaultAction::DropAfterProcessing`].
    DropAfterProcessing,
    /// [`FaultAction::Status500`].
    Status500,
    /// [`FaultAction::Status500AfterProcessing`].
    Status500AfterProcessing,
    /// [`FaultAction::Delay`].
    Delay,
    /// [`FaultAction::Status502`].
    Status502,
    /// [`FaultAction::SlowAnswer`].
    SlowAnswer,
    /// [`FaultAction::ResetMidBody`].
    ResetMidBody,
    /// [`FaultAction::OctoInternal`].
    OctoInternal,
    /// [`FaultAction::OctoInternalAfterProcessing`].
    OctoInternalAfterProcessing,
    /// A callback sent twice.
    DuplicateCallback,
    /// A callback held back and sent after the next one.
    ReorderCallback,
}

impl FaultKind {
    /// Every kind, in a stable order.
    pub const ALL: [FaultKind; KINDS] = [
        Self::DropAfterProcessing,
        Self::Status500,
        Self::Status500AfterProcessing,
        Self::Delay,
        Self::Status502,
        Self::SlowAnswer,
        Self::ResetMidBody,
        Self::OctoInternal,
        Self::OctoInternalAfterProcessing,
        Self::DuplicateCallback,
        Self::ReorderCallback,
    ];

    /// A stable snake_case name, for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::DropAfterProcessing => "drop_after_processing",
            Self::Status500 => "status_500",
            Self::Status500AfterProcessing => "status_500_after_processing",
            Self::Delay => "delay",
            Self::Status502 => "status_502",
            Self::SlowAnswer => "slow_answer",
            Self::ResetMidBody => "reset_mid_body",
            Self::OctoInternal => "octo_internal",
            Self::OctoInternalAfterProcessing => "octo_internal_after_processing",
            Self::DuplicateCallback => "duplicate_callback",
            Self::ReorderCallback => "reorder_callback",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::DropAfterProcessing => 0,
            Self::Status500 => 1,
            Self::Status500AfterProcessing => 2,
            Self::Delay => 3,
            Self::Status502 => 4,
            Self::SlowAnswer => 5,
            Self::ResetMidBody => 6,
            Self::OctoInternal => 7,
            Self::OctoInternalAfterProcessing => 8,
            Self::DuplicateCallback => 9,
            Self::ReorderCallback => 10,
        }
    }
}

impl std::fmt::Display for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How many faults of each kind were injected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    counts: [u64; KINDS],
    seen: u64,
}

impl FaultCounts {
    /// How many of `kind`.
    pub fn get(&self, kind: FaultKind) -> u64 {
        self.counts.get(kind.index()).copied().unwrap_or(0)
    }

    /// Server faults (every kind but the callback ones).
    pub fn requests(&self) -> u64 {
        FaultKind::ALL
            .iter()
            .filter(|k| !matches!(k, FaultKind::DuplicateCallback | FaultKind::ReorderCallback))
            .map(|k| self.get(*k))
            .sum()
    }

    /// Requests the sandbox served in all, faulted or not: the base of
    /// the share [`requests`](Self::requests) is of.
    pub fn requests_seen(&self) -> u64 {
        self.seen
    }

    /// Every fault.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Each kind with its count, in [`FaultKind::ALL`]'s order.
    pub fn iter(&self) -> impl Iterator<Item = (FaultKind, u64)> + '_ {
        FaultKind::ALL.into_iter().map(|k| (k, self.get(k)))
    }
}

/// A server fault: an action, on which paths, how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    action: FaultAction,
    path: Option<String>,
    times: Option<u32>,
}

impl FaultRule {
    /// `action` on every request, every time, until changed.
    pub fn new(action: FaultAction) -> Self {
        Self {
            action,
            path: None,
            times: None,
        }
    }

    /// Only on requests whose path is `path` (such as `/prepare_payment`)
    /// or starts with it followed by `/`.
    pub fn on_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Only the next `times` matching requests.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    fn matches(&self, path: &str) -> bool {
        match &self.path {
            None => true,
            Some(p) => path_matches(p, path),
        }
    }
}

fn path_matches(prefix: &str, path: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Faults in outgoing callbacks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallbackFaults {
    /// Send every callback twice.
    pub duplicate: bool,
    /// Hold each callback until the next one and send them in reverse
    /// order (a callback with no follower goes out after a short wait).
    pub reorder: bool,
}

/// Random faults: which share of requests and callbacks meet one, and
/// which kind, drawn from a generator seeded with [`FaultMix::new`]'s seed.
///
/// Rates are per mille (0 to 1000). A faulted request gets one server
/// fault, chosen by weight among the kinds with a weight above zero; a
/// callback is independently duplicated, and independently held back to
/// go out after the next one, each at its own rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultMix {
    seed: u64,
    request_per_mille: u32,
    weights: Vec<(FaultAction, u32)>,
    duplicate_per_mille: u32,
    reorder_per_mille: u32,
    paths: Vec<String>,
}

impl FaultMix {
    /// No faults yet, with this seed; add rates and weights.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            request_per_mille: 0,
            weights: Vec::new(),
            duplicate_per_mille: 0,
            reorder_per_mille: 0,
            paths: Vec::new(),
        }
    }

    /// `per_mille` of the requests (at most 1000) meet a server fault.
    pub fn request_rate(mut self, per_mille: u32) -> Self {
        self.request_per_mille = per_mille.min(1000);
        self
    }

    /// Among faulted requests, `action` is chosen with this weight
    /// (relative to the others'). A second call for the same kind of
    /// action replaces the first.
    pub fn weight(mut self, action: FaultAction, weight: u32) -> Self {
        self.weights.retain(|(a, _)| a.kind() != action.kind());
        self.weights.push((action, weight));
        self
    }

    /// `per_mille` of the callbacks are sent twice.
    pub fn duplicate_callbacks(mut self, per_mille: u32) -> Self {
        self.duplicate_per_mille = per_mille.min(1000);
        self
    }

    /// `per_mille` of the callbacks are held back and sent after the next
    /// one.
    pub fn reorder_callbacks(mut self, per_mille: u32) -> Self {
        self.reorder_per_mille = per_mille.min(1000);
        self
    }

    /// Only requests to these paths (each as in [`FaultRule::on_path`])
    /// meet random faults; by default every request does.
    pub fn only_paths<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.paths = paths.into_iter().map(Into::into).collect();
        self
    }

    fn applies_to(&self, path: &str) -> bool {
        self.paths.is_empty() || self.paths.iter().any(|p| path_matches(p, path))
    }
}

/// SplitMix64: small, fast and good enough to spread faults; no
/// dependency, and the same sequence on every platform.
#[derive(Debug, Clone)]
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u32) -> bool {
        per_mille > 0 && self.next() % 1000 < u64::from(per_mille)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

#[derive(Debug, Default)]
struct State {
    rules: Vec<FaultRule>,
    callbacks: CallbackFaults,
    mix: Option<(FaultMix, Draws)>,
}

/// The faults in force. Clones share them and their counts.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    state: Arc<Mutex<State>>,
    counts: Arc<[AtomicU64; KINDS]>,
    seen: Arc<AtomicU64>,
}

impl Faults {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn count(&self, kind: FaultKind) {
        if let Some(c) = self.counts.get(kind.index()) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Adds a server fault (after those already set).
    pub fn add(&self, rule: FaultRule) {
        self.state().rules.push(rule);
    }

    /// Removes every server fault and the mix, and turns callback faults
    /// off. The counts stay.
    pub fn clear(&self) {
        let mut s = self.state();
        s.rules.clear();
        s.callbacks = CallbackFaults::default();
        s.mix = None;
    }

    /// Sets the callback faults.
    pub fn set_callback_faults(&self, faults: CallbackFaults) {
        self.state().callbacks = faults;
    }

    /// The callback faults in force (the flags; the mix draws apart).
    pub fn callback_faults(&self) -> CallbackFaults {
        self.state().callbacks
    }

    /// Adds random faults (replacing a mix set before), drawn from the
    /// mix's seed.
    pub fn set_mix(&self, mix: FaultMix) {
        let draws = Draws(mix.seed);
        self.state().mix = Some((mix, draws));
    }

    /// Stops random faults; rules and flags stay.
    pub fn clear_mix(&self) {
        self.state().mix = None;
    }

    /// The faults injected so far, by kind.
    pub fn injected(&self) -> FaultCounts {
        let mut out = FaultCounts::default();
        for (slot, count) in out.counts.iter_mut().zip(self.counts.iter()) {
            *slot = count.load(Ordering::Relaxed);
        }
        out.seen = self.seen.load(Ordering::Relaxed);
        out
    }

    /// The fault for a request to `path`, using up one of its times: a
    /// rule first, else a draw from the mix. Counted.
    pub(crate) fn take(&self, path: &str) -> Option<FaultAction> {
        self.seen.fetch_add(1, Ordering::Relaxed);
        let action = {
            let mut s = self.state();
            match s.rules.iter().position(|r| r.matches(path)) {
                Some(index) => {
                    let rule = s.rules.get_mut(index)?;
                    let action = rule.action;
                    if let Some(times) = rule.times.as_mut() {
                        *times = times.saturating_sub(1);
                        if *times == 0 {
                            s.rules.remove(index);
                        }
                    }
                    Some(action)
                }
                None => s
                    .mix
                    .as_mut()
                    .and_then(|(mix, draws)| draw(mix, draws, path)),
            }
        };
        if let Some(a) = action {
            self.count(a.kind());
        }
        action
    }

    /// The faults for the next callback: the flags, or else the mix's
    /// draws. Counted.
    pub(crate) fn take_callback_faults(&self) -> CallbackFaults {
        let faults = {
            let mut s = self.state();
            let flags = s.callbacks;
            match s.mix.as_mut() {
                Some((mix, draws)) => CallbackFaults {
                    duplicate: flags.duplicate || draws.chance(mix.duplicate_per_mille),
                    reorder: flags.reorder || draws.chance(mix.reorder_per_mille),
                },
                None => flags,
            }
        };
        if faults.duplicate {
            self.count(FaultKind::DuplicateCallback);
        }
        if faults.reorder {
            self.count(FaultKind::ReorderCallback);
        }
        faults
    }
}

fn draw(mix: &FaultMix, draws: &mut Draws, path: &str) -> Option<FaultAction> {
    if !mix.applies_to(path) || !draws.chance(mix.request_per_mille) {
        return None;
    }
    let total: u64 = mix.weights.iter().map(|(_, w)| u64::from(*w)).sum();
    let mut pick = draws.below(total);
    for (action, weight) in &mix.weights {
        let weight = u64::from(*weight);
        if pick < weight {
            return Some(*action);
        }
        pick -= weight;
    }
    None
}

/// The page a proxy in front of OCTO sends when OCTO does not answer.
pub(crate) fn bad_gateway() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(
        b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
    )));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html"),
    );
    response
}

/// Marks an answer to be cut off mid-body by [`cut_if_marked`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct CutMidBody;

/// `response`, marked to be cut off mid-body.
pub(crate) fn mark_cut(mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    response.extensions_mut().insert(CutMidBody);
    response
}

/// Why a cut answer's body ends early.
#[derive(Debug)]
pub(crate) struct CutShort;

impl std::fmt::Display for CutShort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("answer cut off mid-body by a sandbox fault")
    }
}

impl std::error::Error for CutShort {}

/// An answer's body: whole, or cut off after half of it, its full length
/// announced (the server then closes the connection mid-body).
#[derive(Debug)]
pub(crate) enum FaultBody {
    /// The body as rendered.
    Whole(Full<Bytes>),
    /// Half of it, then an error.
    Cut {
        /// What is sent before the cut.
        half: Option<Bytes>,
        /// The length announced.
        announced: u64,
    },
}

impl Body for FaultBody {
    type Data = Bytes;
    type Error = CutShort;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, CutShort>>> {
        match self.get_mut() {
            Self::Whole(body) => Pin::new(body)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            Self::Cut { half, .. } => Poll::Ready(Some(match half.take() {
                Some(bytes) => Ok(Frame::data(bytes)),
                None => Err(CutShort),
            })),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Whole(body) => body.is_end_stream(),
            Self::Cut { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Whole(body) => body.size_hint(),
            Self::Cut { announced, .. } => SizeHint::with_exact(*announced),
        }
    }
}

/// The answer of `serve`, cut off mid-body when it was marked so.
pub(crate) async fn cut_if_marked<E>(
    serve: impl Future<Output = Result<Response<Full<Bytes>>, E>>,
) -> Result<Response<FaultBody>, E> {
    let response = serve.await?;
    if response.extensions().get::<CutMidBody>().is_none() {
        return Ok(response.map(FaultBody::Whole));
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    let announced = u64::try_from(bytes.len().max(2)).unwrap_or(u64::MAX);
    parts.headers.remove(header::CONTENT_LENGTH);
    let half = Some(bytes.slice(..bytes.len() / 2));
    Ok(Response::from_parts(
        parts,
        FaultBody::Cut { half, announced },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_counted_apart_under_its_own_name() {
        let f = Faults::default();
        f.add(FaultRule::new(FaultAction::OctoInternal).times(1));
        f.add(FaultRule::new(FaultAction::OctoInternalAfterProcessing).times(2));
        assert_eq!(f.take("/refund"), Some(FaultAction::OctoInternal));
        assert_eq!(
            f.take("/refund"),
            Some(FaultAction::OctoInternalAfterProcessing)
        );
        assert_eq!(
            f.take("/refund"),
            Some(FaultAction::OctoInternalAfterProcessing)
        );
        let counts = f.injected();
        assert_eq!(counts.get(FaultKind::OctoInternal), 1);
        assert_eq!(counts.get(FaultKind::OctoInternalAfterProcessing), 2);
        assert_eq!(counts.requests(), 3);
        for (slot, kind) in FaultKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), slot, "{kind}");
        }
        let mut names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FaultKind::ALL.len(), "names are unique");
    }

    #[test]
    fn rules_match_paths_and_run_out() {
        let f = Faults::default();
        f.add(
            FaultRule::new(FaultAction::Status500)
                .on_path("/refund")
                .times(2),
        );
        f.add(FaultRule::new(FaultAction::DropAfterProcessing).on_path("/pay"));
        assert_eq!(f.take("/prepare_payment"), None);
        assert_eq!(f.take("/refunds"), None);
        assert_eq!(f.take("/refund"), Some(FaultAction::Status500));
        assert_eq!(f.take("/refund"), Some(FaultAction::Status500));
        assert_eq!(f.take("/refund"), None);
        assert_eq!(f.take("/pay/abc"), Some(FaultAction::DropAfterProcessing));
        assert_eq!(f.take("/pay/abc"), Some(FaultAction::DropAfterProcessing));
        f.clear();
        assert_eq!(f.take("/pay/abc"), None);
        let counts = f.injected();
        assert_eq!(counts.get(FaultKind::Status500), 2);
        assert_eq!(counts.get(FaultKind::DropAfterProcessing), 2);
        assert_eq!(counts.total(), 4);
        assert_eq!(counts.requests_seen(), 8);
    }

    fn mix(seed: u64) -> FaultMix {
        FaultMix::new(seed)
            .request_rate(200)
            .weight(FaultAction::Status500, 1)
            .weight(FaultAction::Status502, 1)
            .weight(FaultAction::ResetMidBody, 2)
            .duplicate_callbacks(100)
            .reorder_callbacks(50)
    }

    fn run(seed: u64) -> (Vec<Option<FaultAction>>, FaultCounts) {
        let f = Faults::default();
        f.set_mix(mix(seed));
        let drawn = (0..10_000).map(|_| f.take("/refund")).collect();
        for _ in 0..10_000 {
            let _ = f.take_callback_faults();
        }
        (drawn, f.injected())
    }

    #[test]
    fn a_mix_is_repeatable_by_seed_and_near_its_rates() {
        let (first, counts) = run(7);
        let (again, counts_again) = run(7);
        assert_eq!(first, again);
        assert_eq!(counts, counts_again);
        let (other, _) = run(8);
        assert_ne!(first, other, "another seed, other draws");

        let faulted = counts.requests();
        assert!((1_700..=2_300).contains(&faulted), "{faulted} of 10,000");
        let reset = counts.get(FaultKind::ResetMidBody);
        let s500 = counts.get(FaultKind::Status500);
        assert!(reset > s500, "weight 2 against 1: {reset} vs {s500}");
        assert_eq!(counts.get(FaultKind::DropAfterProcessing), 0);
        let dup = counts.get(FaultKind::DuplicateCallback);
        assert!((800..=1_200).contains(&dup), "{dup}");
        let reorder = counts.get(FaultKind::ReorderCallback);
        assert!((350..=650).contains(&reorder), "{reorder}");
    }

    #[test]
    fn rules_go_before_the_mix_and_paths_limit_it() {
        let f = Faults::default();
        f.set_mix(
            FaultMix::new(1)
                .request_rate(1000)
                .weight(FaultAction::Status502, 1)
                .only_paths(["/refund"]),
        );
        f.add(
            FaultRule::new(FaultAction::Status500)
                .on_path("/refund")
                .times(1),
        );
        assert_eq!(f.take("/refund"), Some(FaultAction::Status500));
        assert_eq!(f.take("/refund"), Some(FaultAction::Status502));
        assert_eq!(f.take("/prepare_payment"), None);
        f.clear_mix();
        assert_eq!(f.take("/refund"), None);
        assert_eq!(f.injected().requests(), 2);
    }

    #[tokio::test]
    async fn a_cut_answer_announces_more_than_it_carries() {
        let whole = Response::new(Full::new(Bytes::from_static(b"{\"error\":0,\"data\":{}}")));
        let served = async { Ok::<_, std::convert::Infallible>(mark_cut(whole)) };
        let Ok(cut) = cut_if_marked(served).await;
        assert_eq!(cut.body().size_hint().exact(), Some(21));
        let mut body = cut.into_body();
        let first = body
            .frame()
            .await
            .and_then(|f| f.ok())
            .and_then(|f| f.into_data().ok());
        assert_eq!(first.map(|b| b.len()), Some(10));
        assert!(matches!(body.frame().await, Some(Err(CutShort))));

        let plain = Response::new(Full::new(Bytes::from_static(b"{}")));
        let Ok(kept) = cut_if_marked(async { Ok::<_, std::convert::Infallible>(plain) }).await;
        let bytes = kept.into_body().collect().await.map(|c| c.to_bytes());
        assert_eq!(bytes.ok().as_deref(), Some(&b"{}"[..]));
    }
}
