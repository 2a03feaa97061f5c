//! `FederationVerifier::verify` with any client assertion: never a panic, never "keys unavailable"
//! (the key set is served, and cached after one fetch), never a second JWKS fetch whatever `kid`s the
//! input forges, and an assertion accepted only if an independent reading agrees: a header naming a
//! served key and its algorithm, a signature that key verifies, and claims for this trust at this time.
//!
//! The crate takes no in-memory key set, so the target serves a fixed JWKS (the federation tests' RSA
//! key `key-a` and P-256 key `key-ec`) from a loopback HTTP server of its own, with
//! `allow_loopback_http`: no network. Time is fixed (`NOW`), so the cache never goes stale.
//!
//! Input: the first byte picks the mode, the rest is
//! - 0: the assertion as sent (seeds: Entra-shaped RS256 assertions signed with `key-a`, valid at `NOW`);
//! - 1: a payload, signed here with `key-ec` under the header `{"alg":"ES256","kid":"key-ec"}`, so the
//!   fuzzer explores the claim checks behind a valid signature;
//! - 2: `header \0 payload`, both signed here with `key-ec` whatever the header says.
#![no_main]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use libfuzzer_sys::fuzz_target;
use scim_token_core::oauth::{AssertionError, AssertionVerifier, FederationTrust};
use scim_token_core::{Actor, Timestamp, TokenId};
use scim_token_federation::FederationVerifier;
use serde::Deserialize;
use serde_json::Value;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBJECT: &str = "1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809";
const AUDIENCE: &str = "api://8d2e7a1f-3c4b-4e5f-9a6b-7c8d9e0f1a2b";
/// The verifier's default leeway and maximum assertion lifetime, in seconds.
const LEEWAY: i64 = 60;
const MAX_LIFETIME: i64 = 2 * 3600;
/// 2027-01-15T08:00:00Z: the seeds' `iat` is 10 s before it.
const NOW: i64 = 1_800_000_000;

const RSA_PEM: &[u8] =
    include_bytes!("../../crates/scim-token-federation/tests/fixtures/test-only-rsa-a.pem");
const EC_PEM: &[u8] =
    include_bytes!("../../crates/scim-token-federation/tests/fixtures/test-only-ec-p256.pem");

struct Target {
    runtime: tokio::runtime::Runtime,
    verifier: FederationVerifier,
    trust: FederationTrust,
    ec_key: EncodingKey,
    /// The served keys by `kid`, for the independent signature check.
    keys: Vec<(&'static str, Algorithm, DecodingKey)>,
    fetches: &'static AtomicUsize,
}

/// Serves `body` as `200 application/json` to every request, counting them.
fn serve(body: String, fetches: &'static AtomicUsize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            fetches.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
        }
    });
    port
}

fn jwk(key: &EncodingKey, algorithm: Algorithm, kid: &str) -> Jwk {
    let mut jwk = Jwk::from_encoding_key(key, algorithm).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    jwk
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    static FETCHES: AtomicUsize = AtomicUsize::new(0);
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // Built first: it installs jsonwebtoken's crypto provider, which the signing below needs.
        let verifier = FederationVerifier::builder().allow_loopback_http(true).build().unwrap();
        let rsa_key = EncodingKey::from_rsa_pem(RSA_PEM).unwrap();
        let ec_key = EncodingKey::from_ec_pem(EC_PEM).unwrap();
        let (rsa_jwk, ec_jwk) = (jwk(&rsa_key, Algorithm::RS256, "key-a"), jwk(&ec_key, Algorithm::ES256, "key-ec"));
        let keys = vec![
            ("key-a", Algorithm::RS256, DecodingKey::from_jwk(&rsa_jwk).unwrap()),
            ("key-ec", Algorithm::ES256, DecodingKey::from_jwk(&ec_jwk).unwrap()),
        ];
        let jwks = serde_json::to_string(&JwkSet { keys: vec![rsa_jwk, ec_jwk] }).unwrap();
        let port = serve(jwks, &FETCHES);
        let trust = FederationTrust {
            id: TokenId::new("fuzztrust0000000").unwrap(),
            issuer: format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
            jwks_url: format!("http://127.0.0.1:{port}/discovery/v2.0/keys"),
            subject: SUBJECT.to_owned(),
            audience: AUDIENCE.to_owned(),
            tenant_id: Some(TENANT.to_owned()),
            created_at: Timestamp::from_unix_millis(0),
            created_by: Actor::new("fuzz").unwrap(),
        };
        let target = Target { runtime, verifier, trust, ec_key, keys, fetches: &FETCHES };
        // The one fetch: a valid assertion under the served P-256 key is accepted.
        let claims = format!(
            r#"{{"iss":"{}","sub":"{SUBJECT}","aud":"{AUDIENCE}","tid":"{TENANT}","iat":{},"nbf":{},"exp":{}}}"#,
            target.trust.issuer,
            NOW - 10,
            NOW - 10,
            NOW + 3890
        );
        let warm_up = sign(&target, br#"{"alg":"ES256","kid":"key-ec","typ":"JWT"}"#, claims.as_bytes());
        target.runtime.block_on(target.verifier.verify(&target.trust, &warm_up, now())).unwrap();
        assert_eq!(FETCHES.load(Ordering::SeqCst), 1);
        target
    })
}

fn now() -> Timestamp {
    Timestamp::from_unix_millis(NOW * 1000)
}

/// A compact JWS of `header` and `payload` (any bytes), signed with the P-256 key.
fn sign(target: &Target, header: &[u8], payload: &[u8]) -> String {
    let message = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &target.ec_key, Algorithm::ES256).unwrap();
    format!("{message}.{signature}")
}

/// The header members the checks below read; others are skipped unread, as by the verifier.
#[derive(Deserialize)]
struct HeaderSeen {
    alg: Option<Value>,
    kid: Option<Value>,
    crit: Option<Value>,
}

/// The claims the checks below read. Others are skipped unread, as by the verifier: reading them into a
/// `Value` would refuse what it accepts (a lone surrogate escape in an ignored claim, for one).
#[derive(Deserialize)]
struct ClaimsSeen {
    iss: Option<Value>,
    sub: Option<Value>,
    aud: Option<Value>,
    tid: Option<Value>,
    exp: Option<Value>,
    nbf: Option<Value>,
    iat: Option<Value>,
}

/// What an accepted assertion must be, read without the verifier: a header naming a served key and
/// its algorithm, a signature by that key over the first two parts, and claims for the trust at `NOW`.
fn assert_acceptable(target: &Target, assertion: &str) {
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3, "an accepted JWS has three parts");
    let decoded = |part: &str| URL_SAFE_NO_PAD.decode(part).expect("base64url without padding");
    let header: HeaderSeen = serde_json::from_slice(&decoded(parts[0])).unwrap();
    let kid = header.kid.as_ref().and_then(Value::as_str).expect("a kid");
    let (_, algorithm, key) = target.keys.iter().find(|(k, ..)| *k == kid).expect("a served kid");
    assert_eq!(header.alg.as_ref().and_then(Value::as_str), Some(format!("{algorithm:?}").as_str()));
    assert!(header.crit.is_none());
    let message = &assertion[..parts[0].len() + 1 + parts[1].len()];
    assert!(jsonwebtoken::crypto::verify(parts[2], message.as_bytes(), key, *algorithm).unwrap());

    let claims: ClaimsSeen = serde_json::from_slice(&decoded(parts[1])).unwrap();
    let text = |claim: &Option<Value>| claim.as_ref().and_then(Value::as_str).map(str::to_owned);
    assert_eq!(text(&claims.iss).as_deref(), Some(target.trust.issuer.as_str()));
    assert_eq!(text(&claims.sub).as_deref(), Some(SUBJECT));
    assert_eq!(text(&claims.tid).as_deref(), Some(TENANT));
    let aud = claims.aud.expect("an aud");
    assert!(
        aud.as_str() == Some(AUDIENCE) || aud.as_array().is_some_and(|a| a.iter().any(|v| v == AUDIENCE))
    );
    let exp = claims.exp.and_then(|exp| exp.as_i64()).expect("an integer exp");
    assert!(exp + LEEWAY > NOW && exp - NOW <= MAX_LIFETIME + LEEWAY);
    if let Some(nbf) = claims.nbf {
        assert!(nbf.as_i64().expect("an integer nbf") <= NOW + LEEWAY);
    }
    if let Some(iat) = claims.iat {
        let iat = iat.as_i64().expect("an integer iat");
        assert!(iat <= NOW + LEEWAY && iat < exp && exp - iat <= MAX_LIFETIME);
    }
}

fuzz_target!(|data: &[u8]| {
    let target = target();
    let Some((&mode, rest)) = data.split_first() else { return };
    let assertion = match mode % 3 {
        0 => match std::str::from_utf8(rest) {
            Ok(text) => text.to_owned(),
            Err(_) => return,
        },
        1 => sign(target, br#"{"alg":"ES256","kid":"key-ec"}"#, rest),
        _ => {
            let mut parts = rest.splitn(2, |&b| b == 0);
            let (header, payload) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            sign(target, header, payload)
        }
    };
    match target.runtime.block_on(target.verifier.verify(&target.trust, &assertion, now())) {
        Ok(()) => assert_acceptable(target, &assertion),
        Err(AssertionError::Rejected { reason }) => assert!(!reason.is_empty()),
        Err(error) => panic!("the served keys were found unavailable: {error}"),
    }
    assert_eq!(target.fetches.load(Ordering::SeqCst), 1, "the key set was fetched again");
});
