//! A stock OAuth 2.0 client (the `oauth2` crate) gets an access token from the token endpoint over a
//! loopback port, by `client_secret_basic` and by `client_secret_post`, calls a guarded route with it,
//! and is refused once the secret is deleted through the admin API.

use std::net::SocketAddr;

use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};
use scim_token_axum::paths::{OAUTH_SECRET_PATH, TOKEN_ENDPOINT_PATH};

use crate::common::http_client::send_auth;
use crate::common::oauth::{admin_json, create_secret, loopback_client, oauth_app};
use crate::common::*;

async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Gets an access token with the `oauth2` crate, sending the secret as `auth_type` says.
async fn token(addr: SocketAddr, client_id: &str, secret: &str, auth_type: AuthType) -> String {
    let client = BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_client_secret(ClientSecret::new(secret.to_owned()))
        .set_token_uri(TokenUrl::new(format!("http://{addr}{TOKEN_ENDPOINT_PATH}")).unwrap())
        .set_auth_type(auth_type);
    let response = client
        .exchange_client_credentials()
        .add_scope(Scope::new("scim".to_owned()))
        .request_async(&loopback_client(addr))
        .await
        .unwrap_or_else(|error| panic!("the token request failed: {error:?}"));
    assert_eq!(response.expires_in().map(|lifetime| lifetime.as_secs()), Some(3600));
    assert_eq!(
        response.scopes().map(|s| s.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        Some(vec!["scim".into()])
    );
    assert!(response.refresh_token().is_none());
    response.access_token().secret().clone()
}

#[tokio::test]
async fn a_stock_client_gets_tokens_by_basic_and_by_post_and_loses_them_with_the_secret() {
    let app = oauth_app(enabled_service().await);
    let (client_id, secret, secret_id) = create_secret(&app).await;
    let addr = serve(app.clone()).await;

    for auth_type in [AuthType::BasicAuth, AuthType::RequestBody] {
        let access = token(addr, &client_id, &secret, auth_type).await;
        assert!(access.starts_with("scimat_"), "an access token, not a static one");
        let answer = send_auth(addr, "GET", SCIM_PATH, &format!("Bearer {access}")).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        let caller = answer.json();
        assert_eq!(caller["scope"], "default");
        assert_eq!(
            caller["credential"],
            serde_json::json!({ "kind": "secret", "clientId": client_id, "secretId": secret_id })
        );
        assert_ne!(caller["tokenId"], secret_id.as_str(), "the access token's own id");
    }

    let basic = token(addr, &client_id, &secret, AuthType::BasicAuth).await;
    let path = OAUTH_SECRET_PATH.replace("{id}", &secret_id);
    let deleted = call(&app, admin_json("DELETE", &path, None)).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    let refused = send_auth(addr, "GET", SCIM_PATH, &format!("Bearer {basic}")).await;
    assert_eq!(refused.status, 401, "the secret's access tokens end with it");
    assert_eq!(refused.header("www-authenticate"), Some(r#"Bearer realm="SCIM""#));

    // And the secret itself no longer gets a token.
    let client = BasicClient::new(ClientId::new(client_id))
        .set_client_secret(ClientSecret::new(secret))
        .set_token_uri(TokenUrl::new(format!("http://{addr}{TOKEN_ENDPOINT_PATH}")).unwrap());
    let error = client.exchange_client_credentials().request_async(&loopback_client(addr)).await.unwrap_err();
    match error {
        oauth2::RequestTokenError::ServerResponse(response) => {
            assert_eq!(response.error(), &oauth2::basic::BasicErrorResponseType::InvalidClient);
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }
}
