//! Log lines on standard error, when asked for with `OCTO_LOG` (or
//! `RUST_LOG`): `error`, `warn`, `info`, `debug` or `trace`.
//!
//! The SDK's crates report through `tracing` (a span per call, per attempt,
//! per callback, and an event per retry). This is the small subscriber that
//! prints them: one line per span opened, per span field recorded later, and
//! per event, with the spans it happened in. Nothing is printed unless the
//! variable is set. What the SDK logs never holds a secret; the CLI's tests
//! run the whole demo at `trace` and check.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// The variables that turn logging on, the first one set winning.
pub const LOG_VARS: [&str; 2] = ["OCTO_LOG", "RUST_LOG"];

/// Installs the stderr logger when `OCTO_LOG` or `RUST_LOG` asks for it.
pub fn init_from_env() {
    let wanted = LOG_VARS
        .iter()
        .find_map(|var| std::env::var(var).ok())
        .and_then(|value| most_verbose(&value));
    if let Some(level) = wanted {
        // Only fails when a logger is installed already: keep that one.
        let _ = tracing::subscriber::set_global_default(StderrLog::new(level));
    }
}

/// The most verbose level a `RUST_LOG`-style value names (`info`,
/// `octo=trace,warn`, ...); `None` for `off` or nothing recognisable.
pub fn most_verbose(value: &str) -> Option<Level> {
    value
        .split([',', '=', ' '])
        .filter_map(|word| match word.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Level::ERROR),
            "warn" => Some(Level::WARN),
            "info" => Some(Level::INFO),
            "debug" => Some(Level::DEBUG),
            "trace" => Some(Level::TRACE),
            _ => None,
        })
        .max()
}

/// Writes every enabled span and event as a line on standard error (or,
/// in tests, into any writer).
pub struct StderrLog {
    max: Level,
    next_id: AtomicU64,
    spans: Mutex<HashMap<u64, SpanEntry>>,
    sink: Mutex<Box<dyn std::io::Write + Send>>,
}

struct SpanEntry {
    name: &'static str,
    fields: String,
    refs: usize,
}

thread_local! {
    /// The spans entered on this thread, innermost last.
    static STACK: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl StderrLog {
    /// A logger printing everything at `max` and below.
    pub fn new(max: Level) -> Self {
        Self::with_sink(max, Box::new(std::io::stderr()))
    }

    /// A logger writing its lines into `sink`.
    pub fn with_sink(max: Level, sink: Box<dyn std::io::Write + Send>) -> Self {
        Self {
            max,
            next_id: AtomicU64::new(1),
            spans: Mutex::new(HashMap::new()),
            sink: Mutex::new(sink),
        }
    }

    fn spans(&self) -> std::sync::MutexGuard<'_, HashMap<u64, SpanEntry>> {
        self.spans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `outer{a=1}:inner{b=2}` for the spans entered on this thread.
    fn context(&self) -> String {
        let stack = STACK.with(|s| s.borrow().clone());
        let spans = self.spans();
        let mut out = String::new();
        for id in stack {
            if let Some(span) = spans.get(&id) {
                let _ = write!(out, "{}{{{}}}:", span.name, span.fields.trim());
            }
        }
        out
    }

    fn line(&self, level: &Level, target: &str, text: &str) {
        let mut sink = self
            .sink
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = writeln!(sink, "{level:>5} {target}: {text}");
    }
}

/// Collects `name=value` pairs.
struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Subscriber for StderrLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.max
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut fields = String::new();
        span.record(&mut Fields(&mut fields));
        let metadata = span.metadata();
        self.line(
            metadata.level(),
            metadata.target(),
            &format!("{}{{{}}} opened", metadata.name(), fields.trim()),
        );
        self.spans().insert(
            id,
            SpanEntry {
                name: metadata.name(),
                fields,
                refs: 1,
            },
        );
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut added = String::new();
        values.record(&mut Fields(&mut added));
        let name = {
            let mut spans = self.spans();
            let Some(entry) = spans.get_mut(&span.into_u64()) else {
                return;
            };
            entry.fields.push_str(&added);
            entry.name
        };
        self.line(&Level::TRACE, "span", &format!("{name}:{added}"));
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = String::new();
        event.record(&mut Fields(&mut fields));
        let metadata = event.metadata();
        let context = self.context();
        let text = if context.is_empty() {
            fields.trim_start().to_owned()
        } else {
            format!("{context}{fields}")
        };
        self.line(metadata.level(), metadata.target(), &text);
    }

    fn enter(&self, span: &Id) {
        STACK.with(|s| s.borrow_mut().push(span.into_u64()));
    }

    fn exit(&self, span: &Id) {
        let id = span.into_u64();
        STACK.with(|s| {
            let mut stack = s.borrow_mut();
            if let Some(at) = stack.iter().rposition(|entered| *entered == id) {
                stack.remove(at);
            }
        });
    }

    fn clone_span(&self, span: &Id) -> Id {
        if let Some(entry) = self.spans().get_mut(&span.into_u64()) {
            entry.refs += 1;
        }
        span.clone()
    }

    fn try_close(&self, span: Id) -> bool {
        let mut spans = self.spans();
        let id = span.into_u64();
        let Some(entry) = spans.get_mut(&id) else {
            return false;
        };
        entry.refs = entry.refs.saturating_sub(1);
        if entry.refs == 0 {
            spans.remove(&id);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_read_like_rust_log() {
        assert_eq!(most_verbose("trace"), Some(Level::TRACE));
        assert_eq!(
            most_verbose("octo_transport=debug,warn"),
            Some(Level::DEBUG)
        );
        assert_eq!(most_verbose("INFO"), Some(Level::INFO));
        assert_eq!(most_verbose("off"), None);
        assert_eq!(most_verbose(""), None);
    }

    /// A writer whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn spans_and_events_are_printed_and_spans_closed() {
        let out = Shared::default();
        let log = std::sync::Arc::new(StderrLog::with_sink(Level::DEBUG, Box::new(out.clone())));
        let dispatch = tracing::Dispatch::from(std::sync::Arc::clone(&log));
        tracing::dispatcher::with_default(&dispatch, || {
            let span = tracing::info_span!("outer", key = "k", status = tracing::field::Empty);
            let copy = span.clone();
            drop(span);
            {
                let _entered = copy.enter();
                copy.record("status", 200);
                tracing::debug!(n = 1, "inside");
                tracing::trace!("too verbose");
            }
            drop(copy);
        });
        let text = String::from_utf8(out.0.lock().map(|b| b.clone()).unwrap_or_default())
            .unwrap_or_default();
        assert!(text.contains("outer{key=\"k\"} opened"), "{text}");
        assert!(text.contains("DEBUG"), "{text}");
        assert!(
            text.contains("outer{key=\"k\" status=200}: message=inside n=1"),
            "{text}"
        );
        assert!(!text.contains("too verbose"), "{text}");
        assert!(log.spans().is_empty(), "the span was not closed");
    }
}
