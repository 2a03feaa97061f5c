//! The administrators' audience: the admin API (Unleash's `scim-settings` routes and the token
//! inventory), its authentication and cross-site protection, its OpenAPI document, the admin page and
//! its error answers. The OAuth client's routes (secrets, federation trust, mode) are the same audience.
//!
//! Arrows run one way: [`router`] wires the route modules to [`paths`](crate::paths) and [`state`]; the
//! route modules depend only on the state, the paths and [`error`]; [`openapi`] names the handlers.

pub(crate) mod auth;
pub(crate) mod cross_site;
pub(crate) mod error;
pub(crate) mod oauth_bodies;
pub(crate) mod oauth_routes;
pub(crate) mod openapi;
pub(crate) mod overlap_body;
pub(crate) mod page;
pub(crate) mod router;
pub(crate) mod settings_routes;
pub(crate) mod state;
pub(crate) mod static_tokens;
pub(crate) mod token_routes;
