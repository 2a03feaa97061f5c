//! Which assertions are accepted: the Entra-shaped one; each claim wrong in turn; the algorithms and
//! keys refused; malformed and oversized input.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scim_token_core::oauth::{AssertionError, AssertionVerifier};
use serde_json::{Value, json};

use crate::support::{JwksServer, Reply, TestKey, entra_claims, jwks, now, sign, trust, verifier};

fn rejected_because(result: Result<(), AssertionError>) -> &'static str {
    match result {
        Err(AssertionError::Rejected { reason }) => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn an_entra_shaped_rs256_assertion_is_accepted() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    let verifier = verifier();
    verifier.verify(&trust(&server.url), &sign(&key, &entra_claims(secs)), at).await.expect("accepted");
    // A trust without a tenant id does not look at `tid`.
    let mut no_tenant = trust(&server.url);
    no_tenant.tenant_id = None;
    let mut claims = entra_claims(secs);
    claims.as_object_mut().expect("object").remove("tid");
    verifier.verify(&no_tenant, &sign(&key, &claims), at).await.expect("accepted without tid");
    // `aud` may be an array that contains ours.
    claims["aud"] = json!(["api://someone-else", format!("api://{}", crate::support::APP_ID)]);
    verifier.verify(&no_tenant, &sign(&key, &claims), at).await.expect("accepted with an aud array");
}

#[tokio::test]
async fn an_es256_assertion_with_a_p256_key_is_accepted() {
    let key = TestKey::p256();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    verifier().verify(&trust(&server.url), &sign(&key, &entra_claims(secs)), at).await.expect("accepted");
}

#[tokio::test]
async fn each_wrong_claim_is_refused() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    let verifier = verifier();
    let trust = trust(&server.url);
    let remove =
        |name: &'static str| move |c: &mut Value| drop(c.as_object_mut().expect("object").remove(name));
    let cases: Vec<(Box<dyn Fn(&mut Value)>, &str)> = vec![
        (
            Box::new(|c| c["iss"] = json!("https://login.microsoftonline.com/other-tenant/v2.0")),
            "wrong or missing iss",
        ),
        (Box::new(remove("iss")), "wrong or missing iss"),
        (Box::new(|c| c["sub"] = json!("another-object-id")), "wrong or missing sub"),
        (Box::new(remove("sub")), "wrong or missing sub"),
        // Entra shows the audience with `/.default`; the assertion never carries it.
        (
            Box::new(|c| c["aud"] = json!(format!("api://{}/.default", crate::support::APP_ID))),
            "wrong or missing aud",
        ),
        (Box::new(remove("aud")), "wrong or missing aud"),
        (Box::new(|c| c["tid"] = json!("00000000-0000-0000-0000-000000000000")), "wrong or missing tid"),
        (Box::new(remove("tid")), "wrong or missing tid"),
        (Box::new(remove("exp")), "missing exp"),
        (Box::new(move |c| c["exp"] = json!(secs - 61)), "expired"),
        (Box::new(move |c| c["nbf"] = json!(secs + 120)), "not yet valid (nbf)"),
        (Box::new(move |c| c["iat"] = json!(secs + 120)), "issued in the future (iat)"),
        (
            Box::new(move |c| {
                c["iat"] = json!(secs - 3600);
                c["nbf"] = json!(secs - 3600);
                c["exp"] = json!(secs + 3601 + 60);
            }),
            "lifetime too long",
        ),
        (Box::new(move |c| c["exp"] = json!(secs + 3 * 3600)), "exp too far in the future"),
        (Box::new(|c| c["exp"] = json!("tomorrow")), "malformed claims"),
    ];
    for (edit, reason) in cases {
        let mut claims = entra_claims(secs);
        edit(&mut claims);
        assert_eq!(rejected_because(verifier.verify(&trust, &sign(&key, &claims), at).await), reason);
    }
    // None of those needed the keys: claims are checked before any fetch.
    assert_eq!(server.requests(), 0);
}

/// An assertion whose header is `header` (raw JSON) over valid claims, with `signature`.
fn with_raw_header(header: &Value, claims: &Value, signature: &str) -> String {
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
    format!("{}.{}.{signature}", encode(header), encode(claims))
}

#[tokio::test]
async fn alg_none_is_refused() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    let verifier = verifier();
    for alg in ["none", "None", "NONE"] {
        let unsigned =
            with_raw_header(&json!({"alg": alg, "kid": key.kid, "typ": "JWT"}), &entra_claims(secs), "");
        assert_eq!(
            rejected_because(verifier.verify(&trust(&server.url), &unsigned, at).await),
            "malformed JWS header"
        );
    }
}

#[tokio::test]
async fn hmac_signed_with_the_public_key_is_refused() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    let verifier = verifier();
    // The classic key confusion: the attacker knows the public key and uses it as an HMAC secret.
    let jwk = serde_json::to_value(key.jwk()).expect("jwk");
    for secret in [jwks(&[&key]).into_bytes(), jwk["n"].as_str().expect("n").as_bytes().to_vec()] {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let mut header = Header::new(alg);
            header.kid = Some(key.kid.to_owned());
            let forged = jsonwebtoken::encode(
                &header,
                &entra_claims(secs),
                &EncodingKey::from_secret(&secret).expect("secret"),
            )
            .expect("hmac");
            assert_eq!(
                rejected_because(verifier.verify(&trust(&server.url), &forged, at).await),
                "algorithm not allowed"
            );
        }
    }
}

#[tokio::test]
async fn a_header_alg_that_does_not_match_the_key_type_is_refused() {
    let (rsa, ec) = (TestKey::a(), TestKey::p256());
    let server = JwksServer::start(Reply::Jwks(jwks(&[&rsa, &ec]))).await;
    let (at, secs) = now();
    let verifier = verifier();
    // Signed by the EC key, but naming the RSA key's kid (and the other way round).
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(rsa.kid.to_owned());
    let es256_on_rsa = jsonwebtoken::encode(&header, &entra_claims(secs), &ec.encoding).expect("es256");
    assert_eq!(
        rejected_because(verifier.verify(&trust(&server.url), &es256_on_rsa, at).await),
        "algorithm does not match the key"
    );
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(ec.kid.to_owned());
    let rs256_on_ec = jsonwebtoken::encode(&header, &entra_claims(secs), &rsa.encoding).expect("rs256");
    assert_eq!(
        rejected_because(verifier.verify(&trust(&server.url), &rs256_on_ec, at).await),
        "algorithm does not match the key"
    );
    // RS384/PS256 with a good RSA key: only RS256 is allowed.
    for alg in [Algorithm::RS384, Algorithm::PS256] {
        let mut header = Header::new(alg);
        header.kid = Some(rsa.kid.to_owned());
        let other = jsonwebtoken::encode(&header, &entra_claims(secs), &rsa.encoding).expect("rsa");
        assert_eq!(
            rejected_because(verifier.verify(&trust(&server.url), &other, at).await),
            "algorithm not allowed"
        );
    }
}

#[tokio::test]
async fn an_rsa_key_under_2048_bits_is_refused() {
    let small = TestKey::rsa_1024();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&small]))).await;
    let (at, secs) = now();
    let assertion = sign(&small, &entra_claims(secs));
    assert_eq!(rejected_because(verifier().verify(&trust(&server.url), &assertion, at).await), "unknown kid");
    assert_eq!(server.requests(), 1, "the key set was fetched, and the small key skipped");
}

#[tokio::test]
async fn a_tampered_signature_or_payload_is_refused() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    let verifier = verifier();
    let good = sign(&key, &entra_claims(secs));
    let (message, signature) = good.rsplit_once('.').expect("three parts");
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).expect("signature");
    bytes[100] ^= 0x01;
    let tampered = format!("{message}.{}", URL_SAFE_NO_PAD.encode(&bytes));
    assert_eq!(rejected_because(verifier.verify(&trust(&server.url), &tampered, at).await), "bad signature");
    // The same signature over other claims (a later exp).
    let (header, _) = message.split_once('.').expect("header");
    let mut claims = entra_claims(secs);
    claims["exp"] = json!(secs + 7000);
    let swapped = format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"))
    );
    assert_eq!(rejected_because(verifier.verify(&trust(&server.url), &swapped, at).await), "bad signature");
    // A signature by another key under this key's kid.
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.to_owned());
    let other = jsonwebtoken::encode(&header, &entra_claims(secs), &TestKey::b().encoding).expect("rs256");
    assert_eq!(rejected_because(verifier.verify(&trust(&server.url), &other, at).await), "bad signature");
    verifier.verify(&trust(&server.url), &good, at).await.expect("the untouched one still passes");
}

#[tokio::test]
async fn a_crit_header_is_refused() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.to_owned());
    header.crit = Some(vec!["exp".to_owned()]);
    let assertion = jsonwebtoken::encode(&header, &entra_claims(secs), &key.encoding).expect("rs256");
    assert_eq!(rejected_because(verifier().verify(&trust(&server.url), &assertion, at).await), "invalid JWS");
}

#[tokio::test]
async fn malformed_and_oversized_assertions_are_refused_without_a_fetch() {
    let key = TestKey::a();
    let server = JwksServer::start(Reply::Jwks(jwks(&[&key]))).await;
    let (at, secs) = now();
    let verifier = verifier();
    let trust = trust(&server.url);
    let good = sign(&key, &entra_claims(secs));
    let header_only = good.split('.').next().expect("header").to_owned();
    let cases = [
        (String::new(), "malformed JWS header"),
        ("not a jwt".to_owned(), "malformed JWS header"),
        ("a.b.c".to_owned(), "malformed JWS header"),
        (format!("{header_only}.!!!.sig"), "malformed claims"),
        (format!("{header_only}.{}.sig", URL_SAFE_NO_PAD.encode(b"[1,2]")), "malformed claims"),
        (format!("{good}.extra"), "malformed JWS header"),
        (with_raw_header(&json!({"alg": "RS256"}), &entra_claims(secs), "c2ln"), "no kid in the header"),
        (
            with_raw_header(&json!({"alg": "RS256", "kid": ""}), &entra_claims(secs), "c2ln"),
            "no kid in the header",
        ),
    ];
    for (assertion, reason) in cases {
        assert_eq!(rejected_because(verifier.verify(&trust, &assertion, at).await), reason, "{assertion:?}");
    }
    // 9 KiB: an Entra-shaped assertion padded with a large claim.
    let mut padded = entra_claims(secs);
    padded["pad"] = json!("x".repeat(9 * 1024));
    assert_eq!(
        rejected_because(verifier.verify(&trust, &sign(&key, &padded), at).await),
        "assertion too large"
    );
    assert_eq!(server.requests(), 0);
}
