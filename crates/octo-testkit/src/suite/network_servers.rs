//! The loopback servers the [`network`](super::network) scenarios talk
//! to: a TLS server whose certificate no root trusts, and a plain server
//! that answers its first request late.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A self-signed certificate for `localhost` and `127.0.0.1` (P-256, valid
/// from 2000 until 2126, PEM), made for the TLS scenario; no root store
/// trusts it. Its validity starts long ago so that a test machine's clock
/// never finds it not yet valid (the handshake must fail for its issuer).
const CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIIBiDCCAS+gAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEyNjExMDYwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABISj+EJEhvYE9vGM
zueaXsR0Ot+hluXmIi9YxYDwB4xRfeO3xjYHVwucw/C+u0TgbMNw0MF3i/p3HXzg
LZznKZOjcDBuMB0GA1UdDgQWBBR3jh9e6xEoeWStlSo41QE5EuSpnTAaBgNVHREE
EzARgglsb2NhbGhvc3SHBH8AAAEwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMC
B4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwCgYIKoZIzj0EAwIDRwAwRAIgTfQy04dG
9i9fMU80AMTllzZ4dgFDKlYEYQw87W3bAVECIG+pW1gi0jV/4ki4CVtSLIGV8A9h
kxBagRYdWzplOobH
-----END CERTIFICATE-----
";

/// The private key of [`CERT`] (PKCS #8, PEM).
const KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgalaM+6g4vROsT0t6
YVpgd2UUaq2+1U2+gSuBRtMlbz+hRANCAASEo/hCRIb2BPbxjM7nml7EdDrfoZbl
5iIvWMWA8AeMUX3jt8Y2B1cLnMPwvrtE4GzDcNDBd4v6dx184C2c5ymT
-----END PRIVATE KEY-----
";

/// A TLS server on loopback with [`CERT`]: what became of the one
/// connection it takes (`Ok` with the first byte of a request, or `Err`
/// with why none came).
pub(crate) fn untrusted_server() -> (String, std::thread::JoinHandle<Result<u8, String>>) {
    untrusted_server_within(Duration::from_secs(20))
}

/// [`untrusted_server`], giving up (`Err`) when no connection comes within
/// `accept`.
fn untrusted_server_within(
    accept: Duration,
) -> (String, std::thread::JoinHandle<Result<u8, String>>) {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap()],
        PrivateKeyDer::from_pem_slice(KEY.as_bytes()).unwrap(),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut stream = accept_within(&listener, accept)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut connection = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut tls = rustls::Stream::new(&mut connection, &mut stream);
        let mut first = [0u8; 1];
        match tls.read(&mut first) {
            Ok(1) => Ok(first[0]),
            Ok(_) => Err("closed".to_owned()),
            Err(e) => Err(e.to_string()),
        }
    });
    (url, server)
}

/// The first connection `listener` takes within `limit`, in blocking mode.
fn accept_within(listener: &TcpListener, limit: Duration) -> Result<TcpStream, String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let deadline = std::time::Instant::now() + limit;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).map_err(|e| e.to_string())?;
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if std::time::Instant::now() >= deadline {
                    return Err("no connection came".to_owned());
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// A status answer for `order-42` in `status`, with its head.
fn answer(status: &str) -> String {
    let body = format!(
        r#"{{"error":0,"data":{{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"{status}"}}}}"#
    );
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Reads one request (head and `Content-Length` body); `false` when the
/// connection ends or fails first.
fn read_request(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 || !matches!(stream.read(&mut byte), Ok(1)) {
            return false;
        }
        head.extend_from_slice(&byte);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).is_ok()
}

/// A loopback server whose first request is answered `canceled` after
/// `late`, and every later one `succeeded` at once, on whichever
/// connection it comes.
pub(crate) fn late_first_answer(late: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for _ in 0..4 {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                for _ in 0..4 {
                    if !read_request(&mut stream) {
                        return;
                    }
                    let reply = if requests.fetch_add(1, Ordering::SeqCst) == 0 {
                        std::thread::sleep(late);
                        answer("canceled")
                    } else {
                        answer("succeeded")
                    };
                    if stream.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::{ServerName, UnixTime};

    /// The scenario expects the handshake to fail for the issuer alone. A
    /// certificate not yet valid on the test machine's clock fails for its
    /// dates first (`NotValidYet`), so it must have been valid long before
    /// any clock that runs the suite: trusted as its own root, it verifies
    /// at the start of 2020.
    #[test]
    fn the_certificate_is_valid_on_any_recent_clock() {
        let cert = CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert.clone()).unwrap();
        let verifier = WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .unwrap();
        let start_of_2020 = UnixTime::since_unix_epoch(Duration::from_secs(1_577_836_800));
        let name = ServerName::try_from("localhost").unwrap();
        let verified = verifier.verify_server_cert(&cert, &[], &name, &[], start_of_2020);
        assert!(verified.is_ok(), "{verified:?}");
    }

    /// A client that never connects (one that fails before dialling) must
    /// not leave the scenario waiting for the TLS server for ever.
    #[test]
    fn the_tls_server_gives_up_when_no_client_comes() {
        let (_url, server) = untrusted_server_within(Duration::from_millis(200));
        let (done, ended) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(server.join()));
        let outcome = ended
            .recv_timeout(Duration::from_secs(10))
            .expect("the TLS server still waits for a connection");
        assert!(outcome.unwrap().is_err());
    }
}
