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
//! | `SCIM_TOKEN_ADMIN_TOKEN` | random, printed once | admin API credential (read and write) |
//! | `SCIM_TOKEN_VIEWER_TOKEN` | none | read-only admin credential: 403 on both `POST` routes |
//! | `SCIM_TOKEN_LOG` | `info` | log level: `error`, `warn`, `info`, `debug` or `trace` |
//!
//! Routes: `POST /api/admin/scim-settings/generate-new-token`, `GET`/`POST /api/admin/scim-settings`,
//! `GET /api/openapi.json`, `GET /scim/v2/ServiceProviderConfig` (needs the SCIM token), and
//! `GET /metrics` (Prometheus text format, no credential: see `server/monitoring.rs`).
//!
//! SCIM provisioning is enabled on the first start, so generate-then-call works at once. Logs never hold
//! a token; the admin credential is printed to stdout once, only when it was generated for this run.

use std::error::Error;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

use axum::extract::Request;
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rand::TryRng;
use rand::rngs::SysRng;
use scim_token::axum::{
    AdminAccess, AdminRoutes, SCIM_CONTENT_TYPE, ScimCaller, ScimGuardLayer, StaticAdminTokens,
};
use scim_token::sqlite::SqliteStore;
use scim_token::{Actor, ScimTokenService, Scope};
use serde_json::json;
use tokio::net::TcpListener;

#[path = "server/monitoring.rs"]
pub mod monitoring;

const DEFAULT_ADDR: &str = "127.0.0.1:4242";
const DEFAULT_DB: &str = "scim-token.db";
/// The one SCIM route this example serves.
pub const SERVICE_PROVIDER_CONFIG_PATH: &str = "/scim/v2/ServiceProviderConfig";

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
    let db = env_or("SCIM_TOKEN_DB", DEFAULT_DB)?;
    let store = SqliteStore::open(&db).await.map_err(|e| {
        format!("cannot open the SQLite database {db:?}: {e}; set SCIM_TOKEN_DB to a writable path")
    })?;
    let metrics = monitoring::install()?; // before the service is built: it registers its metrics then
    let service = ScimTokenService::builder(store).build()?;
    if enable_on_first_start(&service).await? {
        tracing::info!("first start: SCIM provisioning enabled for the default scope");
    }

    let admin_token = match optional_env("SCIM_TOKEN_ADMIN_TOKEN")? {
        Some(token) => token,
        None => {
            let token = random_admin_token()?;
            // Printed once, on purpose: without it nobody could call the admin API.
            println!(
                "\nAdmin API token for this run (set SCIM_TOKEN_ADMIN_TOKEN to choose a lasting one):\n\n    \
                 {token}\n"
            );
            token
        }
    };
    let viewer_token = optional_env("SCIM_TOKEN_VIEWER_TOKEN")?;
    let admins = admin_tokens(&admin_token, viewer_token.as_deref())?;

    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}; set SCIM_TOKEN_ADDR to a free address"))?;
    tracing::info!(addr = %listener.local_addr()?, db, "listening");
    let app = app(service, admins).merge(monitoring::routes(metrics));
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The whole application: the admin routes, the OpenAPI document, and the SCIM route behind the guard.
pub fn app(service: ScimTokenService, admins: StaticAdminTokens) -> Router {
    let scim = Router::new()
        .route(SERVICE_PROVIDER_CONFIG_PATH, get(service_provider_config))
        // route_layer: an unknown path stays a 404 instead of becoming a 401.
        .route_layer(ScimGuardLayer::new(service.clone()));
    Router::new()
        .merge(AdminRoutes::new(service, admins).with_openapi_route().into_router())
        .merge(scim)
        .layer(middleware::from_fn(log_request))
}

/// The admin credentials: `admin` may do everything, `viewer` (if any) may only read the settings.
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
    tracing::info!(scope = %caller.scope, token_id = %caller.token_id, "ServiceProviderConfig served");
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
            "description": "Send the token generated with POST /api/admin/scim-settings/generate-new-token \
                            as `Authorization: Bearer <token>`.",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": SERVICE_PROVIDER_CONFIG_PATH }
    });
    ([(header::CONTENT_TYPE, SCIM_CONTENT_TYPE)], Json(document)).into_response()
}

/// One line per request: method, path, status and duration. Never headers (they hold credentials) nor
/// the query string.
async fn log_request(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let (status, elapsed_ms) = (response.status().as_u16(), started.elapsed().as_millis());
    tracing::info!(%method, path, status, elapsed_ms, "request");
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
