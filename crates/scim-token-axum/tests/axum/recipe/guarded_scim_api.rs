use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use scim_token::ScimTokenService;
use scim_token::axum_adapter::{AdminAuthenticator, AdminRoutes, ScimCaller, guarded_scim_api};
use serde_json::{Value, json};

/// The admin routes, and a SCIM API in which every answer needs a valid SCIM token.
pub fn app(service: ScimTokenService, admins: impl AdminAuthenticator) -> Router {
    let scim = Router::new() // your SCIM routes, relative to the prefix
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/{id}", get(get_user).delete(delete_user));
    Router::new()
        .merge(AdminRoutes::new(service.clone(), admins).into_router())
        .merge(guarded_scim_api("/scim/v2", scim, service))
}

async fn list_users(ScimCaller(caller): ScimCaller) -> Json<Value> {
    // caller.scope is the tenant the token belongs to: list its users only.
    Json(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "Resources": [],
        "tenant": caller.scope.as_str(),
    }))
}

async fn create_user(_: ScimCaller, Json(user): Json<Value>) -> (StatusCode, Json<Value>) {
    (StatusCode::CREATED, Json(user))
}

async fn get_user(_: ScimCaller, Path(id): Path<String>) -> Json<Value> {
    Json(json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": id }))
}

async fn delete_user(_: ScimCaller, Path(_id): Path<String>) -> StatusCode {
    StatusCode::NO_CONTENT
}
