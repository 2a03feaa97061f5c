//! The admin routes in process: every status, every bad input, error shapes, the OpenAPI document.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use scim_token_axum::paths::{GENERATE_TOKEN_PATH, OPENAPI_PATH, SETTINGS_PATH};
use scim_token_memory::MemoryStore;
use scim_token_test_support::fast_service;

fn settings_post(
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::builder().method("POST").uri(SETTINGS_PATH);
    if let Some(value) = authorization {
        builder = builder.header("authorization", value);
    }
    if let Some(value) = content_type {
        builder = builder.header("content-type", value);
    }
    builder.body(body.into()).unwrap()
}

#[tokio::test]
async fn generate_answers_a_token_that_must_not_be_cached() {
    let app = app(enabled_service().await, admins());
    let answer = call(&app, request("POST", GENERATE_TOKEN_PATH, Some(ADMIN))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.header("pragma"), Some("no-cache"));
    let body = answer.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("scim_"), "{token}");
    assert_eq!(scim_status(&app, token).await, StatusCode::OK);
}

#[tokio::test]
async fn generating_again_invalidates_the_previous_token() {
    let app = app(enabled_service().await, admins());
    let first = generate(&app).await;
    let second = generate(&app).await;
    assert_ne!(first, second);
    assert_eq!(scim_status(&app, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(scim_status(&app, &second).await, StatusCode::OK);
}

#[tokio::test]
async fn admin_credentials_are_accepted_raw_or_as_bearer() {
    let app = app(enabled_service().await, admins());
    for authorization in [ADMIN.to_owned(), format!("Bearer {ADMIN}"), format!("bearer  {ADMIN}")] {
        let answer = call(&app, request("GET", SETTINGS_PATH, Some(&authorization))).await;
        assert_eq!(answer.status, StatusCode::OK, "{authorization}");
    }
}

#[tokio::test]
async fn settings_round_trip() {
    let app = app(fast_service(MemoryStore::new()), admins());
    let read = |auth| call(&app, request("GET", SETTINGS_PATH, Some(auth)));
    assert_eq!(read(ADMIN).await.json(), serde_json::json!({ "enabled": false, "hasToken": false }));

    let token = generate(&app).await;
    // Disabled: the token exists but is refused.
    assert_eq!(read(VIEWER).await.json(), serde_json::json!({ "enabled": false, "hasToken": true }));
    assert_eq!(scim_status(&app, &token).await, StatusCode::UNAUTHORIZED);

    let enable =
        call(&app, settings_post(Some(ADMIN), Some("application/json"), r#"{"enabled":true}"#)).await;
    assert_eq!(enable.status, StatusCode::OK);
    assert!(enable.body.is_empty(), "{}", enable.text());
    assert_eq!(read(ADMIN).await.json(), serde_json::json!({ "enabled": true, "hasToken": true }));
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK);

    // Unknown fields are ignored; charset parameters and +json types are JSON too.
    let disable =
        settings_post(Some(ADMIN), Some("application/json; charset=utf-8"), r#"{"enabled":false,"x":1}"#);
    assert_eq!(call(&app, disable).await.status, StatusCode::OK);
    assert_eq!(read(ADMIN).await.json()["enabled"], false);
    assert_eq!(scim_status(&app, &token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unauthenticated_requests_get_401_before_any_input_is_read() {
    let app = app(enabled_service().await, admins());
    let long = "a".repeat(5000);
    let refused: [Option<&str>; 7] = [
        None,
        Some(""),
        Some("*:*.wrong"),
        Some("Bearer"),
        Some("Bearer "),
        Some("Basic YWRtaW4="),
        Some(&long),
    ];
    for authorization in refused {
        for (method, path) in [("POST", GENERATE_TOKEN_PATH), ("GET", SETTINGS_PATH), ("POST", SETTINGS_PATH)]
        {
            let answer = call(&app, request(method, path, authorization)).await;
            assert_eq!(assert_unleash_error(&answer, 401), "AuthenticationRequired", "{method} {path}");
        }
        // Even a malformed body, with the wrong content type, is not looked at.
        let answer = call(&app, settings_post(authorization, Some("text/plain"), "not json")).await;
        assert_unleash_error(&answer, 401);
    }
}

#[tokio::test]
async fn repeated_and_non_ascii_authorization_headers_get_401() {
    let app = app(enabled_service().await, admins());
    let repeated = Request::builder()
        .method("POST")
        .uri(GENERATE_TOKEN_PATH)
        .header("authorization", ADMIN)
        .header("authorization", ADMIN)
        .body(Body::empty())
        .unwrap();
    assert_unleash_error(&call(&app, repeated).await, 401);
    for raw in [&b"*:*.admin-0123456789abcdef\xff"[..], b"\xc3\xa9", b"Bearer \x80\x81"] {
        let request = Request::builder()
            .method("POST")
            .uri(GENERATE_TOKEN_PATH)
            .header("authorization", axum::http::HeaderValue::from_bytes(raw).unwrap())
            .body(Body::empty())
            .unwrap();
        assert_unleash_error(&call(&app, request).await, 401);
    }
}

#[tokio::test]
async fn read_only_credentials_get_403_on_writes() {
    let app = app(enabled_service().await, admins());
    assert_eq!(call(&app, request("GET", SETTINGS_PATH, Some(VIEWER))).await.status, StatusCode::OK);
    let answer = call(&app, request("POST", GENERATE_TOKEN_PATH, Some(VIEWER))).await;
    assert_eq!(assert_unleash_error(&answer, 403), "NoAccessError");
    let answer =
        call(&app, settings_post(Some(VIEWER), Some("application/json"), r#"{"enabled":false}"#)).await;
    assert_eq!(assert_unleash_error(&answer, 403), "NoAccessError");
    // Nothing changed.
    let settings = call(&app, request("GET", SETTINGS_PATH, Some(VIEWER))).await.json();
    assert_eq!(settings, serde_json::json!({ "enabled": true, "hasToken": false }));
}

#[tokio::test]
async fn host_rejections_map_to_404_403_and_503() {
    let app = app(enabled_service().await, ScriptedAuth);
    let with = |verdict: &str| {
        Request::builder()
            .method("POST")
            .uri(GENERATE_TOKEN_PATH)
            .header("x-test-auth", verdict)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(call(&app, with("ok")).await.status, StatusCode::OK);
    assert_eq!(assert_unleash_error(&call(&app, with("not-found")).await, 404), "NotFoundError");
    assert_eq!(assert_unleash_error(&call(&app, with("forbidden")).await, 403), "NoAccessError");
    assert_eq!(assert_unleash_error(&call(&app, with("nobody")).await, 401), "AuthenticationRequired");
    let unavailable = call(&app, with("unavailable")).await;
    assert_eq!(assert_unleash_error(&unavailable, 503), "ServiceUnavailable");
    assert_eq!(unavailable.header("retry-after"), Some("1"), "every 503 says when to retry");
}

#[tokio::test]
async fn malformed_settings_bodies_get_400() {
    let app = app(enabled_service().await, admins());
    let bad = [
        "",
        "not json",
        "{",
        "{}",
        "[]",
        "null",
        r#"{"enabled": "true"}"#,
        r#"{"enabled": 1}"#,
        r#"{"enabled": null}"#,
        r#"{"Enabled": true}"#,
        r#"{"enabled": true} trailing"#,
    ];
    for body in bad {
        let answer = call(&app, settings_post(Some(ADMIN), Some("application/json"), body)).await;
        assert_eq!(assert_unleash_error(&answer, 400), "BadDataError", "{body:?}");
        assert!(!answer.text().contains("trailing"), "the body is not echoed: {}", answer.text());
    }
    let settings = call(&app, request("GET", SETTINGS_PATH, Some(ADMIN))).await.json();
    assert_eq!(settings["enabled"], true, "nothing changed");
}

#[tokio::test]
async fn settings_without_a_json_content_type_get_415() {
    let app = app(enabled_service().await, admins());
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("json")] {
        let answer = call(&app, settings_post(Some(ADMIN), content_type, r#"{"enabled":false}"#)).await;
        assert_eq!(assert_unleash_error(&answer, 415), "ContentTypeError", "{content_type:?}");
    }
}

#[tokio::test]
async fn oversized_settings_bodies_get_413() {
    let app = app(enabled_service().await, admins());
    let body = format!(
        r#"{{"enabled": false, "padding": "{}"}}"#,
        "x".repeat(scim_token_axum::limits::SETTINGS_BODY_LIMIT)
    );
    let answer = call(&app, settings_post(Some(ADMIN), Some("application/json"), body)).await;
    assert_eq!(assert_unleash_error(&answer, 413), "ContentTooLarge");
    assert_eq!(call(&app, request("GET", SETTINGS_PATH, Some(ADMIN))).await.json()["enabled"], true);
}

#[tokio::test]
async fn a_body_sent_to_generate_is_ignored() {
    let app = app(enabled_service().await, admins());
    let request = Request::builder()
        .method("POST")
        .uri(GENERATE_TOKEN_PATH)
        .header("authorization", ADMIN)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"token": "chosen-by-the-client"}"#))
        .unwrap();
    let answer = call(&app, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_ne!(answer.json()["token"], "chosen-by-the-client");
}

#[tokio::test]
async fn wrong_methods_get_405_and_unknown_paths_reach_the_host_fallback() {
    let app = app(enabled_service().await, admins());
    for (method, path) in [
        ("GET", GENERATE_TOKEN_PATH),
        ("PUT", GENERATE_TOKEN_PATH),
        ("DELETE", SETTINGS_PATH),
        ("PATCH", SETTINGS_PATH),
        ("POST", OPENAPI_PATH),
    ] {
        let answer = call(&app, request(method, path, Some(ADMIN))).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(answer.header("allow").is_some(), "{method} {path}");
    }
    for path in ["/api/admin/scim-settings/token", "/api/admin/scim-settings/", "/api/openapi.yaml", "/"] {
        let answer = call(&app, request("GET", path, Some(ADMIN))).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.text(), HOST_FALLBACK_BODY, "{path}");
    }
}

#[tokio::test]
async fn a_failing_store_gives_a_generic_500_and_keeps_the_previous_token() {
    let (store, app, token) = flaky_app().await;

    store.fail_replace.store(true, std::sync::atomic::Ordering::SeqCst);
    let answer = call(&app, request("POST", GENERATE_TOKEN_PATH, Some(ADMIN))).await;
    assert_eq!(assert_unleash_error(&answer, 500), "InternalError");
    let text = answer.text();
    assert!(!text.contains("LEAKED") && !text.contains("secret.db") && !text.contains(&token), "{text}");
    let id = answer.json()["id"].as_str().unwrap().to_owned();
    assert!(answer.json()["message"].as_str().unwrap().contains(&id), "the message names the error id");
    assert_eq!(scim_status(&app, &token).await, StatusCode::OK, "the previous token still works");

    store.fail_load.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_unleash_error(&call(&app, request("GET", SETTINGS_PATH, Some(ADMIN))).await, 500);
    store.fail_set_enabled.store(true, std::sync::atomic::Ordering::SeqCst);
    let answer =
        call(&app, settings_post(Some(ADMIN), Some("application/json"), r#"{"enabled":false}"#)).await;
    assert_unleash_error(&answer, 500);
    assert!(!answer.text().contains("LEAKED"));

    store.fail_replace.store(false, std::sync::atomic::Ordering::SeqCst);
    let next = generate(&app).await;
    assert_eq!(scim_status(&app, &next).await, StatusCode::OK);
    assert_eq!(scim_status(&app, &token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn error_ids_differ_between_answers() {
    let app = app(enabled_service().await, admins());
    let first = call(&app, request("POST", GENERATE_TOKEN_PATH, None)).await.json();
    let second = call(&app, request("POST", GENERATE_TOKEN_PATH, None)).await.json();
    assert_ne!(first["id"], second["id"]);
}

#[tokio::test]
async fn the_served_openapi_document_describes_the_seed_operation() {
    let app = app(enabled_service().await, admins());
    let answer = call(&app, request("GET", OPENAPI_PATH, None)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let doc = answer.json();
    assert_eq!(doc, serde_json::to_value(scim_token_axum::openapi()).unwrap());
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."), "{}", doc["openapi"]);

    let operation = &doc["paths"][GENERATE_TOKEN_PATH]["post"];
    assert_eq!(operation["operationId"], "generate-new-token");
    assert_eq!(operation["summary"], "Generates a new SCIM API token.");
    assert!(
        operation["description"]
            .as_str()
            .unwrap()
            .contains("Previously generated tokens will be invalidated.")
    );
    assert!(operation.get("requestBody").is_none(), "no request body");
    assert!(operation.get("parameters").is_none(), "the credential is a security scheme, not a parameter");
    assert_eq!(operation["security"], serde_json::json!([{ "adminToken": [] }]));
    let responses = operation["responses"].as_object().unwrap();
    for code in ["200", "401", "403", "404", "405", "500", "503"] {
        assert!(responses.contains_key(code), "{code}");
    }
    assert!(responses["401"]["description"].as_str().unwrap().contains("`authorization:*:*.my-admin-token`"));
    assert!(responses["503"]["headers"].get("Retry-After").is_some());
    assert!(responses["405"]["headers"].get("Allow").is_some());
    assert_eq!(
        responses["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/scimTokenSchema"
    );
    assert!(
        responses["401"]["description"]
            .as_str()
            .unwrap()
            .starts_with("Authorization information is missing or invalid.")
    );
    assert!(
        responses["403"]["description"]
            .as_str()
            .unwrap()
            .starts_with("The provided user credentials are valid")
    );
    assert_eq!(responses["404"]["description"], "The requested resource was not found.");

    let schemas = &doc["components"]["schemas"];
    let token_schema = &schemas["scimTokenSchema"];
    assert_eq!(token_schema["type"], "object");
    assert_eq!(token_schema["required"], serde_json::json!(["token"]));
    assert_eq!(token_schema["properties"]["token"]["type"], "string");
    assert_eq!(
        token_schema["properties"]["token"]["description"],
        "The token used for SCIM API authentication. Can be revoked at a later stage by generating a new one."
    );

    let settings = &doc["paths"][SETTINGS_PATH];
    assert_eq!(
        settings["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/scimSettingsSchema"
    );
    assert_eq!(schemas["scimSettingsSchema"]["required"], serde_json::json!(["enabled", "hasToken"]));
    assert_eq!(schemas["scimSettingsSchema"]["properties"]["hasToken"]["type"], "boolean");
    assert_eq!(
        settings["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/updateScimSettingsSchema"
    );
    assert_eq!(schemas["updateScimSettingsSchema"]["required"], serde_json::json!(["enabled"]));
    for code in ["200", "400", "401", "403", "405", "413", "415", "500", "503"] {
        assert!(settings["post"]["responses"].get(code).is_some(), "{code}");
    }

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(
        schemes["adminToken"],
        serde_json::json!({
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": schemes["adminToken"]["description"],
        })
    );
    assert_eq!(
        (&schemes["scimBearer"]["type"], &schemes["scimBearer"]["scheme"]),
        (&"http".into(), &"bearer".into())
    );
}

#[tokio::test]
async fn every_admin_route_is_in_the_openapi_document_with_its_answers() {
    let doc = serde_json::to_value(scim_token_axum::openapi()).unwrap();
    let expected = [
        (
            GENERATE_TOKEN_PATH,
            "post",
            "generate-new-token",
            &["200", "401", "403", "404", "405", "500", "503"][..],
        ),
        (SETTINGS_PATH, "get", "get-scim-settings", &["200", "401", "403", "404", "405", "500", "503"]),
        (
            SETTINGS_PATH,
            "post",
            "update-scim-settings",
            &["200", "400", "401", "403", "404", "405", "413", "415", "500", "503"],
        ),
        (
            scim_token_axum::paths::TOKENS_PATH,
            "get",
            "list-scim-tokens",
            &["200", "401", "403", "404", "405", "500", "503"],
        ),
        (
            scim_token_axum::paths::TOKENS_PATH,
            "delete",
            "revoke-all-scim-tokens",
            &["204", "401", "403", "404", "405", "500", "503"],
        ),
        (
            scim_token_axum::paths::TOKEN_PATH,
            "delete",
            "revoke-scim-token",
            &["204", "401", "403", "404", "405", "500", "503"],
        ),
        (
            scim_token_axum::paths::OAUTH_SETTINGS_PATH,
            "get",
            "get-scim-oauth-settings",
            &["200", "401", "403", "404", "405", "500", "503"],
        ),
        (
            scim_token_axum::paths::OAUTH_SECRETS_PATH,
            "post",
            "create-scim-oauth-client-secret",
            &["201", "400", "401", "403", "404", "405", "409", "413", "415", "500", "503"],
        ),
        (
            scim_token_axum::paths::OAUTH_SECRET_PATH,
            "delete",
            "delete-scim-oauth-client-secret",
            &["204", "401", "403", "404", "405", "500", "503"],
        ),
        (
            scim_token_axum::paths::OAUTH_FEDERATION_PATH,
            "put",
            "set-scim-oauth-federation-trust",
            &["200", "400", "401", "403", "404", "405", "413", "415", "500", "503"],
        ),
        (
            scim_token_axum::paths::OAUTH_FEDERATION_PATH,
            "delete",
            "delete-scim-oauth-federation-trust",
            &["204", "401", "403", "404", "405", "500", "503"],
        ),
        (
            scim_token_axum::paths::OAUTH_MODE_PATH,
            "put",
            "set-scim-auth-mode",
            &["204", "400", "401", "403", "404", "405", "413", "415", "500", "503"],
        ),
    ];
    // The OAuth routes (OAuthRoutes, for identity providers) are in the document too, with their own
    // security and RFC 6749 answers.
    let oauth = [
        (
            scim_token_axum::paths::TOKEN_ENDPOINT_PATH,
            "post",
            "oauth-token",
            &["200", "400", "401", "405", "413", "500", "503"][..],
            serde_json::json!([{}, { "oauthClient": [] }]),
        ),
        (
            scim_token_axum::paths::OAUTH_METADATA_PATH,
            "get",
            "oauth-authorization-server-metadata",
            &["200"][..],
            serde_json::json!([{}]),
        ),
    ];
    for (path, method, id, codes, security) in &oauth {
        let operation = &doc["paths"][path][method];
        assert_eq!(operation["operationId"], *id, "{method} {path}");
        assert_eq!(&operation["security"], security, "{id}");
        let mut documented: Vec<_> = operation["responses"].as_object().unwrap().keys().cloned().collect();
        documented.sort();
        assert_eq!(documented, *codes, "{id}");
    }
    let token_error = &doc["paths"][scim_token_axum::paths::TOKEN_ENDPOINT_PATH]["post"]["responses"]["401"];
    assert_eq!(
        token_error["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/oauthErrorSchema"
    );
    let mut operations = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        operations += item.as_object().unwrap().len();
    }
    assert_eq!(operations, expected.len() + oauth.len(), "no undocumented or extra operation");
    for (path, method, id, codes) in expected {
        let operation = &doc["paths"][path][method];
        assert_eq!(operation["operationId"], id, "{method} {path}");
        assert_eq!(operation["security"], serde_json::json!([{ "adminToken": [] }]), "{id}");
        let mut documented: Vec<_> = operation["responses"].as_object().unwrap().keys().cloned().collect();
        documented.sort();
        assert_eq!(documented, codes, "{id}");
    }
    let list = &doc["paths"][scim_token_axum::paths::TOKENS_PATH]["get"]["responses"]["200"];
    assert_eq!(
        list["content"]["application/json"]["schema"]["items"]["$ref"],
        "#/components/schemas/scimTokenInfoSchema"
    );
    let info = &doc["components"]["schemas"]["scimTokenInfoSchema"];
    assert_eq!(
        info["required"],
        serde_json::json!([
            "id",
            "role",
            "createdAt",
            "createdBy",
            "lastUsedAt",
            "firstUsedAt",
            "expiresAt",
            "validUntil"
        ])
    );
    assert_eq!(info["properties"]["validUntil"]["format"], "date-time");
    assert_eq!(
        doc["components"]["schemas"]["scimTokenRoleSchema"]["enum"],
        serde_json::json!(["current", "previous"])
    );
}

#[tokio::test]
async fn the_openapi_route_is_opt_in() {
    let service = enabled_service().await;
    let app: axum::Router = axum::Router::new()
        .merge(scim_token_axum::AdminRoutes::new(service, admins()).into_router())
        .fallback(|| async { (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY) });
    let answer = call(&app, request("GET", OPENAPI_PATH, None)).await;
    assert_eq!((answer.status, answer.text().as_str()), (StatusCode::NOT_FOUND, HOST_FALLBACK_BODY));
}
