//! The host's authenticator decides what an admin 401 tells the caller to send, so a host whose admins
//! sign in another way than with `Authorization` can name what it expects.

use std::borrow::Cow;
use std::sync::Arc;

use crate::common::{ADMIN, admins, app, assert_unleash_error, call, enabled_service, request};
use axum::http::request::Parts;
use scim_token_axum::{
    AdminAction, AdminAuthenticator, AdminGrant, AdminRejection, DEFAULT_UNAUTHENTICATED_MESSAGE, async_trait,
};
use scim_token_core::{Actor, Scope};

const API_KEY_MESSAGE: &str = "Send your API key in the `X-Api-Key` header.";

/// A host whose admins authenticate with `X-Api-Key`, not `Authorization`.
struct ApiKeyAdmins;

#[async_trait]
impl AdminAuthenticator for ApiKeyAdmins {
    async fn authenticate(&self, parts: &Parts, _: AdminAction) -> Result<AdminGrant, AdminRejection> {
        match parts.headers.get("x-api-key") {
            Some(key) if key == "right-key" => {
                Ok(AdminGrant::new(Actor::new("key-admin").unwrap(), Scope::default_scope()))
            }
            _ => Err(AdminRejection::Unauthenticated),
        }
    }

    fn unauthenticated_message(&self) -> Cow<'static, str> {
        Cow::Borrowed(API_KEY_MESSAGE)
    }
}

#[tokio::test]
async fn a_custom_authenticator_s_401_names_its_own_header() {
    // Through an Arc too: the forwarding impl must not fall back to the default text.
    for app in
        [app(enabled_service().await, ApiKeyAdmins), app(enabled_service().await, Arc::new(ApiKeyAdmins))]
    {
        for (method, path) in [
            ("GET", "/api/admin/scim-settings"),
            ("POST", "/api/admin/scim-settings/generate-new-token"),
            ("DELETE", "/api/admin/scim-settings/tokens"),
        ] {
            let answer = call(&app, request(method, path, Some("Bearer wrong"))).await;
            assert_eq!(assert_unleash_error(&answer, 401), "AuthenticationRequired");
            assert_eq!(answer.json()["message"], API_KEY_MESSAGE, "{method} {path}");
            assert!(!answer.text().contains("Authorization"), "{}", answer.text());
        }
        let mut accepted = request("GET", "/api/admin/scim-settings", None);
        accepted.headers_mut().insert("x-api-key", "right-key".parse().unwrap());
        assert_eq!(call(&app, accepted).await.status, 200);
    }
}

#[tokio::test]
async fn the_default_401_asks_for_the_authorization_header() {
    let app = app(enabled_service().await, admins());
    let answer = call(&app, request("GET", "/api/admin/scim-settings", Some("*:*.not-an-admin"))).await;
    assert_eq!(assert_unleash_error(&answer, 401), "AuthenticationRequired");
    assert_eq!(answer.json()["message"], DEFAULT_UNAUTHENTICATED_MESSAGE);
    assert!(DEFAULT_UNAUTHENTICATED_MESSAGE.contains("`Authorization`"));
    assert_eq!(call(&app, request("GET", "/api/admin/scim-settings", Some(ADMIN))).await.status, 200);
}
