//! The response bodies the replay server can send, including broken ones.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// A body served frame by frame. With a known length hyper sends a
/// `content-length`; without one it falls back to chunked encoding. When
/// `abort` is set the body fails after its last frame, which makes hyper
/// drop the connection before the announced length is reached.
pub(crate) struct ReplyBody {
    frames: VecDeque<Bytes>,
    exact: Option<u64>,
    abort: bool,
}

impl ReplyBody {
    pub(crate) fn full(body: Bytes) -> Self {
        let exact = Some(body.len() as u64);
        Self {
            frames: VecDeque::from([body]),
            exact,
            abort: false,
        }
    }

    pub(crate) fn chunked(chunks: Vec<Bytes>) -> Self {
        Self {
            frames: chunks.into_iter().filter(|c| !c.is_empty()).collect(),
            exact: None,
            abort: false,
        }
    }

    pub(crate) fn aborted(prefix: Bytes) -> Self {
        Self {
            frames: VecDeque::from([prefix]),
            exact: None,
            abort: true,
        }
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if let Some(frame) = this.frames.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(frame))));
        }
        if this.abort {
            this.abort = false;
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "replay server cuts the response short on purpose",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty() && !self.abort
    }

    fn size_hint(&self) -> SizeHint {
        match self.exact {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}
