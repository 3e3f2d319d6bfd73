//! A loopback HTTP/1 server for the stand-ins tests start (a shop's
//! callback endpoint, a return page): the accept loop written once.

use std::error::Error;
use std::net::SocketAddr;

use hyper::body::Incoming;
use hyper::service::Service;
use hyper_util::rt::TokioIo;

/// Serves `service` on a fresh port of `127.0.0.1`, a task per connection,
/// for as long as the runtime runs; the address.
pub async fn serve<S, B>(service: S) -> std::io::Result<SocketAddr>
where
    S: Service<http::Request<Incoming>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn Error + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                // A client that hangs up is not the server's failure.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}
