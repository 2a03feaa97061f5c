//! A small SCIM host: the admin API to generate the SCIM token, and one SCIM route guarded by it.
//!
//! ```text
//! cargo run --example server
//! ```
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SCIM_TOKEN_ADDR` | `127.0.0.1:4242` | where to listen |
//! | `SCIM_TOKEN_DB` | `scim-token.db` | the SQLite file (created if missing) |
//! | `SCIM_TOKEN_DATABASE_URL` | none | a `postgres://` URL: use PostgreSQL instead of the SQLite file |
//! | `SCIM_TOKEN_OVERLAP_UNTIL_FIRST_USE` | none (no overlap) | seconds: after a rotation, the old token works until the new one is first used, or for this long at most |
//! | `SCIM_TOKEN_ADMIN_TOKEN` | random, printed once | admin API credential (read and write) |
//! | `SCIM_TOKEN_VIEWER_TOKEN` | none | read-only admin credential: 403 on every `POST` and `DELETE` |
//! | `SCIM_TOKEN_LOG` | `info` | log level: `error`, `warn`, `info`, `debug` or `trace` |
//! | `SCIM_TOKEN_MAX_CONNECTIONS` | 10 000, less if the file-handle limit is lower | connections open at once |
//! | `SCIM_TOKEN_PUBLIC_URL` | `http://` and the listening address | the URL identity providers reach this server at: the admin page shows the token endpoint and SCIM base URL under it, and the OAuth metadata names it as issuer |
//!
//! Routes: `POST /api/admin/scim-settings/generate-new-token`, `GET`/`POST /api/admin/scim-settings`,
//! `GET`/`DELETE /api/admin/scim-settings/tokens`, `DELETE /api/admin/scim-settings/tokens/{id}`,
//! `GET /api/openapi.json`, the admin page at `GET /admin/scim`, and `GET /scim/v2/ServiceProviderConfig`
//! and `GET /scim/v2/{tenant}/ServiceProviderConfig` (both need the SCIM token; the second only that
//! tenant's, here `default`).
//! `GET /metrics` (Prometheus text format, no credential: see `monitoring.rs`).
//!
//! OAuth 2.0 for Microsoft Entra: `POST /oauth2/token` (client credentials with a client secret from
//! `POST /api/admin/scim-settings/oauth/secrets` or the admin page, or an Entra-signed client assertion
//! once a federation trust is set), `GET /.well-known/oauth-authorization-server`, and the admin routes
//! under `/api/admin/scim-settings/oauth`. The access tokens it mints are accepted on the SCIM routes
//! like the static token.
//!
//! SCIM provisioning is enabled on the first start, so generate-then-call works at once. Logs never hold
//! a token or a database password; the admin credential is printed to stdout once, only when it was
//! generated for this run. Several servers given the same `SCIM_TOKEN_DATABASE_URL` share one token: a
//! rotation on one is in force on all of them at once.
//!
//! Served under limits (see `serve.rs`): 10 s to send a request's headers (and at most 10 s idle
//! between keep-alive requests), 30 s per request, and a cap on open connections. A request is logged
//! at INFO when it succeeds and at DEBUG when it is refused, so a flood cannot fill the disk.

pub mod serve;

use std::error::Error;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rand::TryRng;
use rand::rngs::SysRng;
use scim_token::axum_adapter::paths::ADMIN_PAGE_PATH;
use scim_token::axum_adapter::{
    AdminAccess, AdminRoutes, OAuthRoutes, SCIM_CONTENT_TYPE, ScimCaller, ScimGuardLayer, StaticAdminTokens,
};
use scim_token::federation::FederationVerifier;
use scim_token::postgres::{PostgresStore, redact_url};
use scim_token::sqlite::SqliteStore;
use scim_token::{Actor, ScimTokenService, Scope, TokenStore};
use serde_json::json;
use tokio::net::TcpListener;

pub mod monitoring;

const DEFAULT_ADDR: &str = "127.0.0.1:4242";
const DEFAULT_DB: &str = "scim-token.db";
/// The SCIM route this example serves, for a token of any tenant.
pub const SERVICE_PROVIDER_CONFIG_PATH: &str = "/scim/v2/ServiceProviderConfig";
/// The same route under a per-tenant URL: only a token of the tenant in the path is accepted. This
/// example's admins manage the `default` tenant, so `/scim/v2/default/ServiceProviderConfig` is theirs.
pub const TENANT_SERVICE_PROVIDER_CONFIG_PATH: &str = "/scim/v2/{tenant}/ServiceProviderConfig";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_max_level(log_level()).with_target(false).init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the server stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let addr: SocketAddr = env_or("SCIM_TOKEN_ADDR", DEFAULT_ADDR)?
        .parse()
        .map_err(|e| format!("SCIM_TOKEN_ADDR must be an address like {DEFAULT_ADDR}: {e}"))?;
    let (store, db) = open_store().await?;
    let metrics = monitoring::install()?; // before the service is built: it registers its metrics then
    let mut service = ScimTokenService::builder(store);
    if let Some(max) = optional_env("SCIM_TOKEN_OVERLAP_UNTIL_FIRST_USE")? {
        let seconds: u64 = max.parse().ok().filter(|&s| s > 0).ok_or(
            "SCIM_TOKEN_OVERLAP_UNTIL_FIRST_USE must be a whole number of seconds, at least 1 (e.g. 86400)",
        )?;
        service = service.overlap_until_first_use(std::time::Duration::from_secs(seconds));
    }
    // Workload identity federation needs the issuer's keys over HTTPS, checked against the system's
    // root certificates; without them the server still serves client secrets.
    match FederationVerifier::builder().build() {
        Ok(verifier) => service = service.assertion_verifier(Arc::new(verifier)),
        Err(error) => tracing::warn!(%error, "federation is off: client assertions will be refused"),
    }
    let service = service.build()?;
    if enable_on_first_start(&service).await? {
        tracing::info!("first start: SCIM provisioning enabled for the default scope");
    }

    let admin_token = if let Some(token) = optional_env("SCIM_TOKEN_ADMIN_TOKEN")? {
        token
    } else {
        let token = random_admin_token()?;
        // Printed once, on purpose: without it nobody could call the admin API.
        println!(
            "\nAdmin API token for this run (set SCIM_TOKEN_ADMIN_TOKEN to choose a lasting one):\n\n    \
             {token}\n"
        );
        token
    };
    let viewer_token = optional_env("SCIM_TOKEN_VIEWER_TOKEN")?;
    let admins = admin_tokens(&admin_token, viewer_token.as_deref())?;

    let mut limits = serve::Limits::default();
    if let Some(max) = optional_env("SCIM_TOKEN_MAX_CONNECTIONS")? {
        limits.max_connections = max
            .parse()
            .ok()
            .filter(|&max: &usize| max > 0)
            .ok_or("SCIM_TOKEN_MAX_CONNECTIONS must be a whole number of connections, at least 1")?;
    }

    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}; set SCIM_TOKEN_ADDR to a free address"))?;
    let local = listener.local_addr()?;
    let public_url = env_or("SCIM_TOKEN_PUBLIC_URL", &format!("http://{local}"))?;
    tracing::info!(addr = %local, db, max_connections = limits.max_connections, "listening");
    println!("Admin page: http://{local}{ADMIN_PAGE_PATH}\n");
    let connections = Arc::new(serve::ConnectionCount::default());
    let app = app_at(service.clone(), admins, &public_url)?.merge(monitoring::routes(metrics));
    serve::serve(listener, app, limits, connections.clone(), shutdown_signal()).await;
    // Let the last `last_used_at` writes land, without letting a stuck database hold the exit.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), service.wait_for_use_records()).await;
    tracing::info!(still_open = connections.open(), peak_connections = connections.peak(), "stopped");
    Ok(())
}

/// The token store: PostgreSQL when `SCIM_TOKEN_DATABASE_URL` is a `postgres://` URL, else the SQLite
/// file `SCIM_TOKEN_DB`. Also returns a description of it for the log, never with a password.
async fn open_store() -> Result<(Arc<dyn TokenStore>, String), Box<dyn Error>> {
    if let Some(url) = optional_env("SCIM_TOKEN_DATABASE_URL")? {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(format!(
                "SCIM_TOKEN_DATABASE_URL must be a postgres:// URL, not {}; unset it to use the SQLite file \
                 SCIM_TOKEN_DB",
                redact_url(&url)
            )
            .into());
        }
        // The error names the server without the password and says what to fix.
        let store = PostgresStore::open(&url).await?;
        let db = format!("{} (schema {})", store.target(), store.schema());
        return Ok((Arc::new(store), db));
    }
    let db = env_or("SCIM_TOKEN_DB", DEFAULT_DB)?;
    let store = SqliteStore::open(&db).await.map_err(|e| {
        format!("cannot open the SQLite database {db:?}: {e}; set SCIM_TOKEN_DB to a writable path")
    })?;
    Ok((Arc::new(store), db))
}

/// The whole application: the admin routes and page, the OpenAPI document, the OAuth token endpoint,
/// and the SCIM routes behind the guard (each router gets its own guard, so the admin and OAuth routes
/// never ask for a SCIM token). Without a public URL, the page leaves out the URLs an identity provider
/// needs and no OAuth metadata is served: what the tests use.
pub fn app(service: ScimTokenService, admins: StaticAdminTokens) -> Router {
    let admin = AdminRoutes::new(service.clone(), admins);
    let oauth = OAuthRoutes::new(service.clone());
    routes(service, admin, oauth)
}

/// [`app`], reachable at `public_url` (e.g. `https://scim.example.com`): the admin page shows the token
/// endpoint and the SCIM base URL under it, and the OAuth metadata names it as the issuer.
pub fn app_at(
    service: ScimTokenService,
    admins: StaticAdminTokens,
    public_url: &str,
) -> Result<Router, Box<dyn Error>> {
    let bad_url = |e| format!("SCIM_TOKEN_PUBLIC_URL is not usable: {e}");
    let admin = AdminRoutes::new(service.clone(), admins)
        .with_public_urls(public_url, "/scim/v2")
        .map_err(bad_url)?;
    let oauth = OAuthRoutes::new(service.clone()).with_issuer(public_url).map_err(bad_url)?;
    Ok(routes(service, admin, oauth))
}

fn routes(service: ScimTokenService, admin: AdminRoutes, oauth: OAuthRoutes) -> Router {
    let scim = Router::new()
        .route(SERVICE_PROVIDER_CONFIG_PATH, get(service_provider_config))
        // route_layer: an unknown path stays a 404 instead of becoming a 401.
        .route_layer(ScimGuardLayer::new(service.clone()));
    let per_tenant_scim = Router::new()
        .route(TENANT_SERVICE_PROVIDER_CONFIG_PATH, get(service_provider_config))
        .route_layer(ScimGuardLayer::per_tenant(service, "tenant"));
    Router::new()
        .merge(admin.with_openapi_route().with_admin_page().into_router())
        .merge(oauth.into_router())
        .merge(scim)
        .merge(per_tenant_scim)
        .layer(middleware::from_fn(log_request))
}

/// The admin credentials: `admin` may do everything, `viewer` (if any) may only read the settings and
/// list the tokens.
pub fn admin_tokens(admin: &str, viewer: Option<&str>) -> Result<StaticAdminTokens, Box<dyn Error>> {
    let admins = StaticAdminTokens::new()
        .with_token(admin, Actor::new("admin")?, AdminAccess::ReadWrite)
        .map_err(|e| format!("SCIM_TOKEN_ADMIN_TOKEN is not usable: {e}"))?;
    match viewer {
        None => Ok(admins),
        Some(viewer) => Ok(admins
            .with_token(viewer, Actor::new("viewer")?, AdminAccess::ReadOnly)
            .map_err(|e| format!("SCIM_TOKEN_VIEWER_TOKEN is not usable: {e}"))?),
    }
}

/// Enables SCIM provisioning for the default scope if it was never configured (disabled and no token),
/// and tells whether it did. A scope an administrator disabled after generating a token stays disabled.
pub async fn enable_on_first_start(service: &ScimTokenService) -> scim_token::Result<bool> {
    let scope = Scope::default_scope();
    let status = service.status(&scope).await?;
    if status.enabled || status.current.is_some() || status.previous.is_some() {
        return Ok(false);
    }
    service.set_enabled(&scope, true, &Actor::new("server first start")?).await?;
    Ok(true)
}

/// RFC 7643 §5: what this SCIM service supports, and that it authenticates with a bearer token.
async fn service_provider_config(ScimCaller(caller): ScimCaller) -> Response {
    tracing::debug!(scope = %caller.scope, token_id = %caller.token_id, "ServiceProviderConfig served");
    let document = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": { "supported": false },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": false, "maxResults": 0 },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Send the token generated with POST /api/admin/scim-settings/generate-new-token, \
                            or an access token from POST /oauth2/token (OAuth 2.0 client credentials), as \
                            `Authorization: Bearer <token>`.",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": SERVICE_PROVIDER_CONFIG_PATH }
    });
    ([(header::CONTENT_TYPE, SCIM_CONTENT_TYPE)], Json(document)).into_response()
}

/// One line per request: method, path, status and duration. Never headers (they hold credentials) nor
/// the query string. Refusals (4xx, 503) are logged at DEBUG only: anyone can send them by the million,
/// and the adapter already logs each failure that needs attention (500s; 503s, rate-limited).
async fn log_request(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let (status, elapsed_ms) = (response.status(), started.elapsed().as_millis());
    if status.is_client_error() || status.is_server_error() {
        tracing::debug!(%method, path, status = status.as_u16(), elapsed_ms, "request refused");
    } else {
        tracing::info!(%method, path, status = status.as_u16(), elapsed_ms, "request");
    }
    response
}

/// An Unleash-style admin token, `*:*.` and 64 hex digits from the OS generator.
fn random_admin_token() -> Result<String, Box<dyn Error>> {
    let mut bytes = [0u8; 32];
    SysRng.try_fill_bytes(&mut bytes).map_err(|e| format!("the OS random generator failed: {e}"))?;
    Ok(format!("*:*.{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// Resolves on Ctrl-C or SIGTERM; the server then finishes the requests in flight and stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

fn log_level() -> tracing::Level {
    std::env::var("SCIM_TOKEN_LOG").ok().and_then(|level| level.parse().ok()).unwrap_or(tracing::Level::INFO)
}

fn env_or(name: &str, default: &str) -> Result<String, Box<dyn Error>> {
    Ok(optional_env(name)?.unwrap_or_else(|| default.to_owned()))
}

/// The variable's value; unset is `None`, and a value that is not UTF-8 is an error, not a silent default.
fn optional_env(name: &str) -> Result<Option<String>, Box<dyn Error>> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not valid UTF-8").into()),
    }
}
