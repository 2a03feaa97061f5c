//! The adapter with a service that verifies client assertions (a stand-in verifier: the JOSE checks are
//! the federation crate's): the metadata offers `private_key_jwt`, the admin API says federation is
//! supported, an accepted assertion gets an access token the guard reports as a federation credential,
//! and an issuer whose keys cannot be fetched is a 503, not a 500.

use std::sync::Arc;

use axum::http::StatusCode;
use scim_token_axum::paths::{OAUTH_FEDERATION_PATH, OAUTH_METADATA_PATH, OAUTH_SETTINGS_PATH};
use scim_token_core::oauth::{AssertionError, AssertionVerifier, FederationTrust};
use scim_token_core::{ScimTokenService, Timestamp, async_trait};
use scim_token_memory::MemoryStore;
use scim_token_test_support::fast;

use crate::common::oauth::*;
use crate::common::*;

const JWT_BEARER: &str = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";

/// Accepts the assertion `good`, cannot reach the keys for `down`, refuses anything else.
struct StandInVerifier;

#[async_trait]
impl AssertionVerifier for StandInVerifier {
    async fn verify(&self, _: &FederationTrust, assertion: &str, _: Timestamp) -> Result<(), AssertionError> {
        match assertion {
            "good.assertion.sig" => Ok(()),
            "down.assertion.sig" => {
                Err(AssertionError::Unavailable(Box::new(std::io::Error::other("no route"))))
            }
            _ => Err(AssertionError::Rejected { reason: "bad signature" }),
        }
    }
}

async fn service() -> ScimTokenService {
    let service = fast(MemoryStore::new()).assertion_verifier(Arc::new(StandInVerifier)).build().unwrap();
    enable(&service).await;
    service
}

const TRUST: &str = r#"{"issuer": "https://login.microsoftonline.com/tid-1/v2.0",
    "jwksUrl": "https://login.microsoftonline.com/tid-1/discovery/v2.0/keys",
    "subject": "5c0e2f41-7a8b-4c3d-9e1f-0a2b3c4d5e6f", "audience": "api://app-id", "tenantId": "tid-1"}"#;

#[tokio::test]
async fn with_a_verifier_the_metadata_and_settings_offer_federation() {
    let app = oauth_app(service().await);
    let metadata = call(&app, request("GET", OAUTH_METADATA_PATH, None)).await.json();
    assert_eq!(
        metadata["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post", "private_key_jwt"])
    );
    assert_eq!(
        metadata["token_endpoint_auth_signing_alg_values_supported"],
        serde_json::json!(["RS256", "ES256"])
    );
    let settings = call(&app, admin_json("GET", OAUTH_SETTINGS_PATH, None)).await.json();
    assert_eq!(settings["federationSupported"], true);
}

#[tokio::test]
async fn an_accepted_assertion_gets_a_federation_access_token() {
    let app = oauth_app(service().await);
    let saved = call(&app, admin_json("PUT", OAUTH_FEDERATION_PATH, Some(TRUST))).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let client_id = call(&app, admin_json("GET", OAUTH_SETTINGS_PATH, None)).await.json()["clientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let assertion_request = |assertion: &str| {
        format!(
            "grant_type=client_credentials&client_id={client_id}&client_assertion_type={JWT_BEARER}\
             &client_assertion={assertion}&scope=scim"
        )
    };

    let answer = call(&app, token_request(&[FORM], &assertion_request("good.assertion.sig"))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_no_store(&answer);
    let access = answer.json()["access_token"].as_str().unwrap().to_owned();
    let caller = call(&app, request("GET", SCIM_PATH, Some(&format!("Bearer {access}")))).await.json();
    assert_eq!(caller["credential"]["kind"], "federation");
    assert_eq!(caller["credential"]["clientId"], client_id.as_str());

    let answer = call(&app, token_request(&[FORM], &assertion_request("bad.assertion.sig"))).await;
    assert_eq!(assert_oauth_error(&answer, 400), "invalid_client");
    let answer = call(&app, token_request(&[FORM], &assertion_request("down.assertion.sig"))).await;
    assert_eq!(assert_oauth_error(&answer, 503), "temporarily_unavailable");
    assert_eq!(answer.header("retry-after"), Some("1"));

    // Deleting the trust ends its access tokens.
    let deleted = call(&app, admin_json("DELETE", OAUTH_FEDERATION_PATH, None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_scim_error(&call(&app, request("GET", SCIM_PATH, Some(&format!("Bearer {access}")))).await, 401);
}
