//! The SCIM guard over HTTP: a guarded route beside the same route unguarded, in-process and over a
//! loopback keep-alive connection (target: ≥ 0.8 × the unguarded throughput), and beside a naive guard
//! that runs Argon2 on every request (the speed-up is reported).

mod common;

use std::hint::black_box;
use std::time::Duration;

use argon2::password_hash::PasswordVerifier;
use argon2::password_hash::phc::PasswordHash;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use scim_token::axum_adapter::ScimGuardLayer;
use scim_token::{MemoryStore, ScimTokenService};
use tower::ServiceExt;

const PATH: &str = "/scim/v2/ServiceProviderConfig";

/// The example server's SCIM route, without the logging.
async fn service_provider_config() -> Response {
    let document = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": { "supported": false },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": false, "maxResults": 0 },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{ "type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": PATH }
    });
    ([(header::CONTENT_TYPE, "application/scim+json")], Json(document)).into_response()
}

fn unguarded() -> Router {
    Router::new().route(PATH, get(service_provider_config))
}

fn guarded(service: ScimTokenService) -> Router {
    unguarded().route_layer(ScimGuardLayer::new(service))
}

/// What a guard without the verified-token cache does: Argon2id on every request.
fn naive(phc: String) -> Router {
    unguarded().route_layer(middleware::from_fn(move |request: Request, next: Next| {
        let phc = phc.clone();
        async move {
            let bearer = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
            let token = bearer.and_then(|v| v.strip_prefix("Bearer ")).unwrap_or_default().to_owned();
            let ok = tokio::task::spawn_blocking(move || {
                let hash = PasswordHash::new(&phc).unwrap();
                argon2::Argon2::default().verify_password(token.as_bytes(), &hash).is_ok()
            })
            .await
            .unwrap();
            if ok { next.run(request).await } else { StatusCode::UNAUTHORIZED.into_response() }
        }
    }))
}

fn request(bearer: &str) -> Request {
    Request::get(PATH).header(header::AUTHORIZATION, bearer).body(Body::empty()).unwrap()
}

fn in_process(c: &mut Criterion) {
    let rt = common::current_thread();
    let service = common::service(MemoryStore::new());
    let token = rt.block_on(common::enabled_token(&service));
    let bearer = format!("Bearer {}", token.expose_secret());
    let (plain, protected) = (unguarded(), guarded(service));
    let call = |app: &Router| {
        let app = app.clone();
        let request = request(&bearer);
        async move {
            let response = app.oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.into_body().collect().await.unwrap()
        }
    };
    let mut group = c.benchmark_group("http_in_process");
    group.throughput(Throughput::Elements(1));
    let cost = common::bench_pair(
        &mut group,
        &rt,
        (31, 2_000),
        ("unguarded (baseline)", || call(&plain)),
        ("guarded", || call(&protected)),
    );
    group.finish();
    println!("paired: http_in_process guarded / unguarded throughput = {:.3}", 1.0 / cost);
}

fn naive_guard(c: &mut Criterion) {
    let rt = common::current_thread();
    let service = common::service(MemoryStore::new());
    let token = rt.block_on(common::enabled_token(&service));
    let bearer = format!("Bearer {}", token.expose_secret());
    let phc = common::bare_argon2_hash(token.expose_secret());
    let apps = [("naive: Argon2 on every request", naive(phc)), ("guarded", guarded(service))];

    let mut group = c.benchmark_group("http_naive_guard");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    for (name, app) in apps {
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                let response = app.clone().oneshot(request(&bearer)).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            })
        });
    }
    group.finish();
}

fn loopback(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let service = common::service(MemoryStore::new());
    let token = rt.block_on(common::enabled_token(&service));
    let bearer = format!("Bearer {}", token.expose_secret());

    let mut group = c.benchmark_group("http_loopback");
    group.throughput(Throughput::Elements(1));
    for (name, app) in [("unguarded (baseline)", unguarded()), ("guarded", guarded(service))] {
        let (mut sender, server) = rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
            tokio::spawn(connection);
            (sender, server)
        });
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let started = std::time::Instant::now();
                    for _ in 0..iters {
                        sender.ready().await.unwrap();
                        let response = sender.send_request(request(&bearer)).await.unwrap();
                        assert_eq!(response.status(), StatusCode::OK);
                        black_box(response.into_body().collect().await.unwrap());
                    }
                    started.elapsed()
                })
            })
        });
        server.abort();
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4));
    targets = in_process, loopback, naive_guard
}
criterion_main!(benches);
