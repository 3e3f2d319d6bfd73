//! The HTTP client that posts callbacks: hyper-util's pooled client, plain
//! HTTP (the sandbox calls shops on loopback or a local network).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The largest reply the sandbox reads.
const MAX_REPLY: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub(crate) struct CallbackClient {
    client: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

/// Why an attempt failed.
#[derive(Debug)]
pub(crate) enum AttemptError {
    BadUrl,
    Timeout,
    Failed,
}

impl CallbackClient {
    pub(crate) fn new(timeout: Duration) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            timeout,
        }
    }

    /// Posts `body` as JSON; the status and the reply's bytes.
    pub(crate) async fn post(
        &self,
        url: &str,
        body: Bytes,
    ) -> Result<(http::StatusCode, Bytes), AttemptError> {
        let request = http::Request::post(url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::USER_AGENT, "octo-sandbox")
            .body(Full::new(body))
            .map_err(|_| AttemptError::BadUrl)?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|_| AttemptError::Failed)?;
            let status = response.status();
            let bytes = Limited::new(response.into_body(), MAX_REPLY)
                .collect()
                .await
                .map_err(|_| AttemptError::Failed)?
                .to_bytes();
            Ok((status, bytes))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| AttemptError::Timeout)?
    }
}
