//! Any bytes, under any method and content type, into the callback readers
//! (payment notification, verified and not; tokenization callback; the
//! reader that tells them apart by the body): each must return `Ok` or a
//! typed `Err`, and never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use octo_proto::callback::{
    CallbackKind, CallbackLimits, Notification, SignatureScheme, TokenizationCallback,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let _ = CallbackKind::of_body(body);
    let method = if selector & 1 == 0 { "POST" } else { "GET" };
    let content_type = match (selector >> 1) % 4 {
        0 => "application/json",
        1 => "application/json; charset=utf-8",
        2 => "text/html",
        _ => "",
    };
    let mut builder = http::Request::builder().method(method).uri("/octo/notify");
    if !content_type.is_empty() {
        builder = builder.header(http::header::CONTENT_TYPE, content_type);
    }
    let Ok(request) = builder.body(body) else {
        return;
    };
    let limits = CallbackLimits::default();
    let schemes = [
        SignatureScheme::UniqueKey("fuzz-key".into()),
        SignatureScheme::SecretAndHashKey("fuzz-secret".into()),
        SignatureScheme::either("fuzz-key".into(), "fuzz-secret".into()),
    ];
    for scheme in &schemes {
        let _ = Notification::parse_verified(&request, scheme, &limits);
    }
    if let Ok(unverified) = Notification::parse_unverified(&request, &limits) {
        for scheme in &schemes {
            let _ = unverified.clone().verify(scheme);
        }
    }
    let _ = TokenizationCallback::parse(&request, &limits);
});
