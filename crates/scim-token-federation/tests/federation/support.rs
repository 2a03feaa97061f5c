//! Scaffolding: the fixture keys, an Entra-shaped assertion signer, and a loopback JWKS server that
//! counts its requests.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scim_token_core::oauth::FederationTrust;
use scim_token_core::{Actor, Timestamp, TokenId};
use scim_token_federation::{FederationVerifier, FederationVerifierBuilder};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const APP_ID: &str = "8d2e7a1f-3c4b-4e5f-9a6b-7c8d9e0f1a2b";
pub const OBJECT_ID: &str = "1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809";

/// A signing key and the `kid` the JWKS server lists it under.
pub struct TestKey {
    pub kid: &'static str,
    pub algorithm: Algorithm,
    pub encoding: EncodingKey,
}

impl TestKey {
    fn rsa(kid: &'static str, pem: &[u8]) -> Self {
        Self {
            kid,
            algorithm: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_pem(pem).expect("RSA fixture"),
        }
    }

    pub fn a() -> Self {
        Self::rsa("key-a", include_bytes!("../fixtures/test-only-rsa-a.pem"))
    }

    pub fn b() -> Self {
        Self::rsa("key-b", include_bytes!("../fixtures/test-only-rsa-b.pem"))
    }

    pub fn rsa_1024() -> Self {
        Self::rsa("key-1024", include_bytes!("../fixtures/test-only-rsa-1024.pem"))
    }

    pub fn p256() -> Self {
        let pem = include_bytes!("../fixtures/test-only-ec-p256.pem");
        Self {
            kid: "key-ec",
            algorithm: Algorithm::ES256,
            encoding: EncodingKey::from_ec_pem(pem).expect("EC fixture"),
        }
    }

    /// The public half, as a JWK with this key's `kid`.
    pub fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.encoding, self.algorithm).expect("public JWK");
        jwk.common.key_id = Some(self.kid.to_owned());
        jwk
    }
}

/// A JWKS document listing `keys`.
pub fn jwks(keys: &[&TestKey]) -> String {
    serde_json::to_string(&JwkSet { keys: keys.iter().map(|k| k.jwk()).collect() }).expect("JWKS")
}

/// The current time, whole seconds, as a Timestamp and as a JWT NumericDate.
pub fn now() -> (Timestamp, i64) {
    let at = Timestamp::from_system_time(SystemTime::now());
    let at = Timestamp::from_unix_millis(at.unix_millis() / 1000 * 1000);
    (at, at.unix_millis() / 1000)
}

/// `at` plus `secs` seconds.
pub fn later(at: Timestamp, secs: u64) -> Timestamp {
    at.saturating_add(Duration::from_secs(secs))
}

/// The claims Entra's provisioning service sends (their sample, lifetime 65 minutes), at `now_secs`.
pub fn entra_claims(now_secs: i64) -> Value {
    json!({
        "aud": format!("api://{APP_ID}"),
        "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        "iat": now_secs - 5,
        "nbf": now_secs - 5,
        "exp": now_secs + 3895,
        "aio": "k2BgYDD2ZuL+fFv7ZS3N+e1m5gsZAA==",
        "appid": "7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b",
        "appidacr": "2",
        "idp": format!("https://sts.windows.net/{TENANT}/"),
        "oid": OBJECT_ID,
        "rh": "0.AXEAv4j5cvGGr0GRqy180BHbRw.",
        "sub": OBJECT_ID,
        "tid": TENANT,
        "uti": "q1w2e3r4t5y6u7i8o9p0aA",
        "ver": "2.0",
    })
}

/// `claims` signed by `key`, with its `kid` and algorithm in the header.
pub fn sign(key: &TestKey, claims: &Value) -> String {
    let mut header = Header::new(key.algorithm);
    header.kid = Some(key.kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key.encoding).expect("signed assertion")
}

/// The trust an admin would paste from Entra, pointing at `jwks_url`.
pub fn trust(jwks_url: &str) -> FederationTrust {
    FederationTrust {
        id: TokenId::new("trust00000000001").expect("trust id"),
        issuer: format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        jwks_url: jwks_url.to_owned(),
        subject: OBJECT_ID.to_owned(),
        audience: format!("api://{APP_ID}"),
        tenant_id: Some(TENANT.to_owned()),
        created_at: Timestamp::from_unix_millis(0),
        created_by: Actor::new("admin@example.com").expect("actor"),
    }
}

/// A builder for tests: plain HTTP to the loopback server, and an empty root store (no HTTPS is
/// fetched, and the machine's certificates do not matter).
pub fn test_builder() -> FederationVerifierBuilder {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    FederationVerifier::builder().allow_loopback_http(true).tls_config(tls)
}

pub fn verifier() -> FederationVerifier {
    test_builder().build().expect("verifier")
}

/// What the JWKS server answers.
#[derive(Clone)]
pub enum Reply {
    Jwks(String),
    Redirect(String),
}

/// A JWKS server on 127.0.0.1 that counts the requests it answers.
pub struct JwksServer {
    pub url: String,
    reply: Arc<Mutex<Reply>>,
    requests: watch::Receiver<usize>,
    accept: JoinHandle<()>,
}

impl JwksServer {
    pub async fn start(reply: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/discovery/v2.0/keys", listener.local_addr().expect("address"));
        let reply = Arc::new(Mutex::new(reply));
        let (count, requests) = watch::channel(0_usize);
        let count = Arc::new(count);
        let served = Arc::clone(&reply);
        let accept = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let (reply, count) = (Arc::clone(&served), Arc::clone(&count));
                let service = service_fn(move |_: Request<Incoming>| {
                    let answer = reply.lock().expect("reply").clone();
                    count.send_modify(|n| *n += 1);
                    async move { Ok::<_, Infallible>(respond(answer)) }
                });
                // No keep-alive: once the accept loop stops, the server is down for every client.
                tokio::spawn(
                    http1::Builder::new().keep_alive(false).serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        Self { url, reply, requests, accept }
    }

    pub fn set(&self, reply: Reply) {
        *self.reply.lock().expect("reply") = reply;
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        *self.requests.borrow()
    }

    /// Waits (bounded) until `n` requests have been answered.
    pub async fn wait_for_requests(&mut self, n: usize) {
        tokio::time::timeout(Duration::from_secs(10), self.requests.wait_for(|&seen| seen >= n))
            .await
            .expect("the expected JWKS request never came")
            .expect("server gone");
    }

    /// Stops accepting: every later fetch fails to connect.
    pub async fn stop(&mut self) {
        self.accept.abort();
        // Awaiting the aborted task means its listener has been dropped (the port is closed).
        let _ = (&mut self.accept).await;
    }
}

fn respond(reply: Reply) -> Response<Full<Bytes>> {
    let builder = Response::builder();
    match reply {
        Reply::Jwks(body) => {
            builder.header("content-type", "application/json").body(Full::new(Bytes::from(body)))
        }
        Reply::Redirect(to) => builder.status(302).header("location", to).body(Full::new(Bytes::new())),
    }
    .expect("response")
}
