//! A client that sends a request's head at once and then its body one byte
//! at a time: what a server facing the internet must cut off in time
//! without harm to its other clients.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the trickling client saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trickled {
    /// The first line of the answer (`HTTP/1.1 408 …`), or `None` when the
    /// server closed the connection without answering.
    pub status_line: Option<String>,
    /// From the connect to the answer or the close.
    pub elapsed: Duration,
    /// Whether the server answered or closed within the limit given.
    pub in_time: bool,
}

/// Connects to `addr` (`host:port`), writes `head` at once, then `body` one
/// byte every `every`, keeping the connection open afterwards, and waits at
/// most `limit` for the first line of an answer or a close.
pub async fn trickle(
    addr: &str,
    head: Vec<u8>,
    body: Vec<u8>,
    every: Duration,
    limit: Duration,
) -> std::io::Result<Trickled> {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await?;
    let (mut read, mut write) = stream.into_split();
    write.write_all(&head).await?;
    let writer = tokio::spawn(async move {
        for byte in body {
            tokio::time::sleep(every).await;
            if write.write_all(&[byte]).await.is_err() {
                break;
            }
        }
        // Keep the write half open: closing it would end the body.
        tokio::time::sleep(limit).await;
    });
    let mut seen = Vec::new();
    let mut chunk = [0u8; 512];
    let answered = tokio::time::timeout(limit, async {
        loop {
            match read.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    seen.extend_from_slice(chunk.get(..n).unwrap_or_default());
                    if seen.windows(2).any(|w| w == b"\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    writer.abort();
    let status_line = String::from_utf8_lossy(&seen)
        .lines()
        .next()
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    Ok(Trickled {
        status_line,
        elapsed: started.elapsed(),
        in_time: answered.is_ok(),
    })
}

/// The head of an HTTP/1.1 request as a socket carries it: the request
/// line, a `host`, the request's own headers and its `content-length`.
pub fn request_head(request: &http::Request<Vec<u8>>, host: &str) -> Vec<u8> {
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!("{} {path} HTTP/1.1\r\nhost: {host}\r\n", request.method());
    for (name, value) in request.headers() {
        if name != http::header::HOST && name != http::header::CONTENT_LENGTH {
            head.push_str(&format!(
                "{name}: {}\r\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", request.body().len()));
    head.into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_head_names_the_path_host_headers_and_length() {
        let request = http::Request::post("http://127.0.0.1:9/notify?x=1")
            .header("content-type", "application/json")
            .body(b"{}".to_vec())
            .unwrap();
        let head = String::from_utf8(request_head(&request, "127.0.0.1:9")).unwrap();
        assert_eq!(
            head,
            "POST /notify?x=1 HTTP/1.1\r\nhost: 127.0.0.1:9\r\n\
             content-type: application/json\r\ncontent-length: 2\r\n\r\n"
        );
    }
}
