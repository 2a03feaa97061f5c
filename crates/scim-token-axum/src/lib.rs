//! [axum](https://docs.rs/axum) adapter for **scim-token**: the admin API an administrator uses to manage
//! the SCIM token (the routes of Unleash's `scim-settings` API), and the guard in front of the host's
//! SCIM routes that verifies the token an identity provider sends.
//!
//! - [`AdminRoutes`]: `POST /api/admin/scim-settings/generate-new-token`, `GET`/`POST
//!   /api/admin/scim-settings`, the token inventory (`GET`/`DELETE /api/admin/scim-settings/tokens`,
//!   `DELETE /api/admin/scim-settings/tokens/{id}`) and, opt-in, `GET /api/openapi.json` ([`openapi`])
//!   and the admin page at `GET /admin/scim` ([`AdminRoutes::with_admin_page`], which also turns on
//!   [cross-site protection](AdminRoutes::with_cross_site_protection)); a `Router<S>` for any host
//!   state, to merge.
//! - [`AdminAuthenticator`]: the host decides who is an admin (401/403/404/503).
//!   [`StaticAdminTokens`] is a ready-made one; [`credential_from_headers`] reads a credential sent raw
//!   or as `Bearer …`.
//! - [`ScimGuardLayer`] + [`ScimCaller`]: verify `Authorization: Bearer <token>` on SCIM routes and hand
//!   the verified scope to handlers, for any tenant or, with [`ScimGuardLayer::per_tenant`], only the
//!   tenant named in the path; refusals are RFC 7644 error bodies ([`ScimError`], whose constructors a
//!   host's own middleware can use).
//! - [`OAuthRoutes`]: the OAuth 2.0 token endpoint `POST /oauth2/token` (client credentials, RFC 6749
//!   §4.4) and its RFC 8414 metadata, where an identity provider such as Microsoft Entra exchanges a
//!   client secret (or a client assertion) for an access token that the guard accepts.
//! - [`guarded_scim_api`]: a whole SCIM API under a prefix, every answer behind the guard, with RFC 7644
//!   404/405 fallbacks ([`scim_not_found`], [`scim_method_not_allowed`]).
//!
//! ```
//! use axum::body::{Body, to_bytes};
//! use axum::http::Request;
//! use axum::{Router, routing::get};
//! use scim_token_axum::{AdminAccess, AdminRoutes, ScimCaller, ScimGuardLayer, StaticAdminTokens};
//! use scim_token_core::{Actor, Scope, ScimTokenService};
//! use tower::ServiceExt; // oneshot, to call the app without a server
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let store = scim_token_memory::MemoryStore::new();
//! # let service = ScimTokenService::builder(store)
//! #     .argon2_params(scim_token_core::Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 })
//! #     .danger_accept_weak_argon2_for_tests(true)
//! #     .build()?;
//! // let service = ScimTokenService::builder(store).build()?;
//! let admin = Actor::new("admin")?;
//! service.set_enabled(&Scope::default_scope(), true, &admin).await?;
//! let admins = StaticAdminTokens::new().with_token("*:*.replace-me", admin, AdminAccess::ReadWrite)?;
//!
//! async fn users(ScimCaller(caller): ScimCaller) -> String {
//!     format!("provisioning for {}", caller.scope)
//! }
//!
//! let app: Router = Router::new()
//!     .merge(AdminRoutes::new(service.clone(), admins).with_openapi_route().into_router())
//!     .nest(
//!         "/scim/v2",
//!         Router::new().route("/Users", get(users)).route_layer(ScimGuardLayer::new(service)),
//!     );
//!
//! // An administrator generates the token…
//! let generate = Request::post("/api/admin/scim-settings/generate-new-token")
//!     .header("authorization", "*:*.replace-me")
//!     .body(Body::empty())?;
//! let response = app.clone().oneshot(generate).await?;
//! let json: serde_json::Value = serde_json::from_slice(&to_bytes(response.into_body(), 1024).await?)?;
//! let token = json["token"].as_str().unwrap();
//!
//! // …and the identity provider calls the SCIM API with it.
//! let users = Request::get("/scim/v2/Users")
//!     .header("authorization", format!("Bearer {token}"))
//!     .body(Body::empty())?;
//! let response = app.oneshot(users).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(()) }
//! ```
//!
//! Error answers never hold a token or an internal detail: causes are logged with `tracing` under an
//! error id that a 500 answer repeats.
//!
//! Every path the routes serve is in [`paths`], every bound on what they read in [`limits`]. Inside, the
//! code is arranged by audience: the administrators' routes in `admin/`, the identity providers' guard in
//! `scim/`, each with its own error answer; the OAuth token endpoint and its metadata, for the same
//! identity providers, in `oauth/` with RFC 6749's error answer.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod admin;
mod answer;
mod credentials;
pub mod limits;
mod oauth;
pub mod paths;
mod public_url;
mod scim;
mod warn_limit;

pub use async_trait::async_trait;

pub use admin::auth::{
    AdminAction, AdminAuthenticator, AdminGrant, AdminRejection, DEFAULT_UNAUTHENTICATED_MESSAGE,
};
pub use admin::openapi::{ADMIN_SECURITY_SCHEME, SCIM_SECURITY_SCHEME, openapi};
pub use admin::router::AdminRoutes;
pub use admin::static_tokens::{AdminAccess, StaticAdminTokens};
pub use credentials::{CredentialError, credential_from_headers};
pub use oauth::routes::OAuthRoutes;
pub use scim::error::{SCIM_CONTENT_TYPE, ScimError};
pub use scim::fallback::{guarded_scim_api, scim_method_not_allowed, scim_not_found};
pub use scim::guard::{ScimCaller, ScimGuard, ScimGuardLayer};
