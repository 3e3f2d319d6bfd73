//! The baseline for the sandbox's throughput: a minimal hyper server on the
//! same runtime set-up as the sandbox that reads each request's body and
//! answers one fixed JSON body, shaped like a `prepare_payment` answer.
//! Address as the first argument (default `127.0.0.1:0`); prints
//! `listening on http://ADDR`; serves until Ctrl-C.
//!
//! ```text
//! cargo run --release -p octo-sandbox --example fixed_body_server -- 127.0.0.1:8081
//! ```

mod support;

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// About the size of the sandbox's answer to a new payment.
const BODY: &str = r#"{"error":0,"data":{"shop_transaction_id":"b-0-1","octo_payment_UUID":"0f3c2a9e-5b7d-4c1e-9a8f-2d6b4e1c7a90","status":"created","octo_pay_url":"http://127.0.0.1:8080/pay/0f3c2a9e-5b7d-4c1e-9a8f-2d6b4e1c7a90?language=en","refunded_sum":0,"total_sum":1000.50},"shop_transaction_id":"b-0-1","octo_payment_UUID":"0f3c2a9e-5b7d-4c1e-9a8f-2d6b4e1c7a90","status":"created","octo_pay_url":"http://127.0.0.1:8080/pay/0f3c2a9e-5b7d-4c1e-9a8f-2d6b4e1c7a90?language=en","refunded_sum":0,"total_sum":1000.50,"errMessage":null,"errorMessage":null,"apiMessageForDevelopers":null}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(support::address()?).await?;
    support::announce(&format!("http://{}", listener.local_addr()?))?;
    let serve = async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service =
                    service_fn(|request: http::Request<hyper::body::Incoming>| async move {
                        // Read the body, as any real handler would.
                        let _ = request.into_body().collect().await;
                        let mut response =
                            http::Response::new(Full::new(Bytes::from_static(BODY.as_bytes())));
                        response.headers_mut().insert(
                            http::header::CONTENT_TYPE,
                            http::HeaderValue::from_static("application/json"),
                        );
                        Ok::<_, Infallible>(response)
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    };
    tokio::select! {
        () = serve => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
