//! Every callback is handled inside its `octo.callback` span: what the
//! service and the shop's handler log while answering it carries that
//! span (kind, the formula a notification's signature matched, status), so
//! a log line can be told apart from those of the callbacks served beside
//! it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::{scheme, signed_notification};
use http_body_util::Full;
use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::callback::{
    NotificationReply, TokenizationCallback, TokenizationReply, VerifiedNotification,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;

/// Logs one line from inside the handler.
struct Logs;

impl CallbackHandler for Logs {
    async fn notification(&self, _: VerifiedNotification) -> NotificationReply {
        tracing::info!("the shop's handler ran");
        NotificationReply::acknowledge()
    }

    async fn tokenization(&self, _: TokenizationCallback) -> TokenizationReply {
        TokenizationReply::not_stored("not in this test")
    }
}

/// Each event's message and the names of the spans entered when it came,
/// innermost last.
type Seen = Arc<Mutex<Vec<(String, Vec<&'static str>)>>>;

/// A subscriber that keeps only that, for one thread (the test's runtime
/// has one).
#[derive(Default)]
struct Recorder {
    next: AtomicU64,
    names: Mutex<HashMap<u64, &'static Metadata<'static>>>,
    entered: Mutex<Vec<u64>>,
    seen: Seen,
    /// The fields recorded on spans after they were made: name, value.
    recorded: Arc<Mutex<Vec<(String, String)>>>,
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        self.names.lock().unwrap().insert(id, span.metadata());
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut fields = Fields(Vec::new());
        values.record(&mut fields);
        self.recorded.lock().unwrap().extend(fields.0);
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let names = self.names.lock().unwrap();
        let spans = self
            .entered
            .lock()
            .unwrap()
            .iter()
            .filter_map(|id| names.get(id).map(|metadata| metadata.name()))
            .collect();
        self.seen.lock().unwrap().push((message.0, spans));
    }

    /// The innermost span entered, so that `Span::current()` finds it.
    fn current_span(&self) -> Current {
        let entered = self.entered.lock().unwrap();
        let names = self.names.lock().unwrap();
        entered
            .last()
            .and_then(|id| Some(Current::new(Id::from_u64(*id), names.get(id)?)))
            .unwrap_or_else(Current::none)
    }

    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        if let Some(at) = entered.iter().rposition(|id| *id == span.into_u64()) {
            entered.remove(at);
        }
    }
}

#[tokio::test]
async fn the_handler_runs_inside_the_callback_span() {
    let recorder = Recorder::default();
    let seen = Arc::clone(&recorder.seen);
    let recorded = Arc::clone(&recorder.recorded);
    let _default = tracing::subscriber::set_default(recorder);
    let service = CallbackService::new(Logs, scheme());
    let answer = service
        .handle(signed_notification("http://127.0.0.1:9").map(|body| Full::new(Bytes::from(body))))
        .await;
    assert_eq!(answer.status(), 200);
    let seen = seen.lock().unwrap();
    let handler = seen
        .iter()
        .find(|(message, _)| message == "the shop's handler ran")
        .expect("the handler's line was recorded");
    assert!(handler.1.contains(&"octo.callback"), "{seen:?}");
    let recorded = recorded.lock().unwrap();
    for field in [
        ("kind", "notification"),
        ("signed_with", "unique_key"),
        ("http.status", "200"),
    ] {
        let field = (field.0.to_owned(), field.1.to_owned());
        assert!(recorded.contains(&field), "{field:?} in {recorded:?}");
    }
}
