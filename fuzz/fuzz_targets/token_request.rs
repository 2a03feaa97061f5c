//! `ScimTokenService::token_endpoint` with any `Authorization` header, `Content-Type` header and body:
//! never a panic, never a 5xx (the memory store cannot fail and requests come one at a time), every
//! refusal a well-formed RFC 6749 §5.2 error, and an access token only for a request that carried the
//! client's real secret.
//!
//! The request parser is crate-private, so the whole endpoint is fuzzed, over a memory store with
//! cheap Argon2 parameters and one client with one secret.
//!
//! Input: `authorization \0 content-type \0 body`; an empty or missing header part is an absent
//! header. The secret is random per run, so seeds name it with placeholders, replaced before the call:
//! `@ID@` (the client id), `@SECRET@` (the client secret) and `@BASIC@` (base64 of `id:secret`). A
//! fuzzer cannot guess a 43-character random secret, so an issued token without one of the last two
//! placeholders in the input is a bug.
#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use scim_token_core::oauth::{OAuthErrorCode, VerifiedCredential};
use scim_token_core::{Actor, Argon2Params, ClientId, ScimTokenService, Scope};
use scim_token_memory::MemoryStore;

struct Target {
    runtime: tokio::runtime::Runtime,
    service: ScimTokenService,
    client_id: ClientId,
    secret: String,
    basic: String,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let service = ScimTokenService::builder(MemoryStore::new())
            .argon2_params(Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 })
            .danger_accept_weak_argon2_for_tests(true)
            .build()
            .unwrap();
        let (scope, actor) = (Scope::default_scope(), Actor::new("fuzz").unwrap());
        let new = runtime.block_on(async {
            service.set_enabled(&scope, true, &actor).await.unwrap();
            service.create_client_secret(&scope, None, &actor).await.unwrap()
        });
        let (client_id, secret) = (new.client_id().clone(), new.expose_secret().to_owned());
        let basic = STANDARD.encode(format!("{client_id}:{secret}"));
        Target { runtime, service, client_id, secret, basic }
    })
}

/// `part` with the placeholders replaced; `None` if it is not UTF-8.
fn expand(target: &Target, part: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(part).ok()?;
    Some(
        text.replace("@ID@", target.client_id.as_str())
            .replace("@SECRET@", &target.secret)
            .replace("@BASIC@", &target.basic),
    )
}

fn contains(data: &[u8], needle: &[u8]) -> bool {
    data.windows(needle.len()).any(|window| window == needle)
}

fuzz_target!(|data: &[u8]| {
    let target = target();
    let mut parts = data.splitn(3, |&b| b == 0);
    let (authorization, content_type, body) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    // An HTTP adapter hands over header values as text; an empty part stands for an absent header.
    let header =
        |part: &[u8]| if part.is_empty() { Ok(None) } else { expand(target, part).map(Some).ok_or(()) };
    let (Ok(authorization), Ok(content_type)) = (header(authorization), header(content_type)) else { return };
    let body = match std::str::from_utf8(body) {
        Ok(_) => expand(target, body).unwrap().into_bytes(),
        Err(_) => body.to_vec(),
    };

    let answer = target.runtime.block_on(target.service.token_endpoint(
        authorization.as_deref(),
        content_type.as_deref(),
        &body,
    ));
    match answer {
        Ok(token) => {
            assert!(
                contains(data, b"@SECRET@") || contains(data, b"@BASIC@"),
                "a token was issued without the client's secret: {:?}",
                String::from_utf8_lossy(data)
            );
            assert_eq!((token.token_type(), token.scope()), ("Bearer", "scim"));
            assert!((1..=3600).contains(&token.expires_in()));
            let verified = target.runtime.block_on(target.service.verify(token.expose_secret())).unwrap();
            assert_eq!(verified.scope, Scope::default_scope());
            assert_eq!(&verified.token_id, token.id());
            assert!(matches!(
                verified.credential,
                VerifiedCredential::ClientSecret { ref client_id, .. } if *client_id == target.client_id
            ));
        }
        Err(error) => {
            let status = error.http_status();
            assert!(status == 400 || status == 401, "{status} ({:?}) for a bad request", error.code());
            let challenged = status == 401;
            if authorization.is_some() && error.code() == OAuthErrorCode::InvalidClient {
                assert!(challenged, "a client that tried Basic gets a 401 and a challenge");
            }
            assert_eq!(challenged, error.code() == OAuthErrorCode::InvalidClient && error.basic_auth_used());
            assert_eq!(challenged, error.www_authenticate().is_some());
            let description = error.description();
            assert!(!description.is_empty());
            assert!(description.bytes().all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)));
        }
    }
});
