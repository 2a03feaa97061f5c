//! The admin page of the example server, driven in headless Chromium as an administrator would: enter
//! the credential, enable SCIM, generate, confirm, copy, call the SCIM API with the token, rotate,
//! reload, revoke one, revoke all; and, for a host with cookie sessions, without any credential on the
//! page. Screenshots go to `target/browser-test/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says so in one line and
//! passes, unless `CI` is set: then it fails.

use crate::{browser, http_client, server};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::routing::get;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use scim_token::axum_adapter::{
    AdminAction, AdminAuthenticator, AdminGrant, AdminRejection, AdminRoutes, ScimGuardLayer, async_trait,
};
use scim_token::sqlite::SqliteStore;
use scim_token::{Actor, ScimTokenService, Scope};
use scim_token_test_support::{fast, fast_service};

pub(crate) const ADMIN: &str = "*:*.browser-test-admin";
/// A bound on how long the page may take to show the outcome of one action. Waiting on the browser, an
/// external process: polled, never slept on blindly.
const STEP_LIMIT: Duration = Duration::from_secs(20);
const POLL_EVERY: Duration = Duration::from_millis(25);

pub(crate) fn output_dir() -> PathBuf {
    // target/tmp → target/browser-test
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).with_file_name("browser-test");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn serve(service: ScimTokenService) -> SocketAddr {
    let app = server::app(service, server::admin_tokens(ADMIN, None).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn scim_status(addr: SocketAddr, token: &str) -> u16 {
    let path = server::SERVICE_PROVIDER_CONFIG_PATH;
    http_client::send_auth(addr, "GET", path, &format!("Bearer {token}")).await.status
}

pub(crate) fn by_id(test_id: &str) -> String {
    format!(r#"[data-testid="{test_id}"]"#)
}

/// Polls `probe` until it yields a value, failing the test with `what` after [`STEP_LIMIT`].
pub(crate) async fn until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + STEP_LIMIT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "the page did not show this in time: {what}");
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// The element with this test id, once it is displayed.
pub(crate) async fn displayed(c: &Client, test_id: &str) -> Element {
    let selector = by_id(test_id);
    until(&format!("{test_id} displayed"), || async {
        let element = c.find(Locator::Css(&selector)).await.ok()?;
        element.is_displayed().await.ok()?.then_some(element)
    })
    .await
}

pub(crate) async fn click(c: &Client, test_id: &str) {
    displayed(c, test_id).await.click().await.unwrap();
}

/// Waits until the status banner says exactly `expected`.
pub(crate) async fn status_is(c: &Client, expected: &str) {
    until(&format!("status {expected:?}"), || async {
        let text = displayed(c, "status").await.text().await.ok()?;
        (text == expected).then_some(())
    })
    .await;
}

/// Confirms the open dialog, checking that it warns with `warning`.
pub(crate) async fn confirm(c: &Client, warning: &str) {
    let dialog = displayed(c, "confirm-dialog").await;
    let text = dialog.text().await.unwrap();
    assert!(text.contains(warning), "the confirmation says {text:?}");
    click(c, "confirm").await;
}

/// The token shown in `new-token`, once it is a token other than `previous`.
async fn new_token(c: &Client, previous: Option<&str>) -> String {
    until("a new token", || async {
        let text = displayed(c, "new-token").await.text().await.ok()?;
        (text.starts_with("scim_") && Some(text.as_str()) != previous).then_some(text)
    })
    .await
}

pub(crate) async fn connect(c: &Client) {
    displayed(c, "credential").await.send_keys(ADMIN).await.unwrap();
    click(c, "connect").await;
    status_is(c, "Connected.").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_manages_the_token_in_a_real_browser() {
    let Some((chromium, driver)) = browser::binaries_or_skip() else { return };
    let _one = browser::ONE_AT_A_TIME.lock().await;
    let service = fast_service(SqliteStore::open_in_memory().await.unwrap());
    let addr = serve(service.clone()).await;
    let browser = browser::Browser::start(&chromium, &driver, 1024, 1320).await;
    let outcome =
        tokio::time::timeout(Duration::from_secs(180), walk_through(&browser.client, addr, &service)).await;
    browser.close().await;
    outcome.expect("the browser walkthrough did not finish in 3 minutes");
}

async fn walk_through(c: &Client, addr: SocketAddr, service: &ScimTokenService) {
    let page = format!("http://{addr}/admin/scim");
    c.goto(&page).await.unwrap();
    assert_eq!(c.title().await.unwrap(), "SCIM provisioning");

    // 1. The credential: a wrong one is refused on the page; the right one is kept in memory only
    //    (not in storage, cookies or the URL).
    displayed(c, "credential").await.send_keys("*:*.not-the-admin").await.unwrap();
    click(c, "connect").await;
    status_is(c, "That admin token was not accepted. Check it and try again.").await;
    assert!(!displayed(c, "generate").await.is_enabled().await.unwrap(), "no write without access");
    connect(c).await;
    let kept = c
        .execute(
            "return [localStorage.length, sessionStorage.length, document.cookie, location.href];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, serde_json::json!([0, 0, "", page]));

    // 2. Enable SCIM provisioning (the scope starts disabled).
    let toggle = displayed(c, "enabled-toggle").await;
    assert!(!toggle.is_selected().await.unwrap());
    toggle.click().await.unwrap();
    status_is(c, "SCIM provisioning is enabled.").await;
    assert!(displayed(c, "enabled-toggle").await.is_selected().await.unwrap());
    assert!(service.status(&Scope::default_scope()).await.unwrap().enabled);

    // 3. Generate, confirm, read the token once; it works on the SCIM API.
    click(c, "generate").await;
    confirm(c, "shown once").await;
    let first = new_token(c, None).await;
    status_is(c, "Token generated.").await;
    let has_token = displayed(c, "has-token").await.text().await.unwrap();
    assert_eq!(has_token, "Active token");
    let rows = c.find_all(Locator::Css(&by_id("token-row"))).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text().await.unwrap().contains(&first["scim_".len().."scim_".len() + 16]));
    let screenshot = output_dir().join("admin-page-after-generate.png");
    std::fs::write(&screenshot, c.screenshot().await.unwrap()).unwrap();
    println!("screenshot: {}", screenshot.display());
    assert_eq!(scim_status(addr, &first).await, 200);

    // The copy button reacts (clipboard, or a selection when the clipboard is not allowed).
    click(c, "copy").await;
    until("copy feedback", || async {
        let label = displayed(c, "copy").await.text().await.ok()?;
        (label != "Copy").then_some(())
    })
    .await;

    // 4. Generate again: the confirmation warns, and the first token stops working at once.
    click(c, "generate").await;
    displayed(c, "confirm").await;
    std::fs::write(output_dir().join("admin-page-confirm.png"), c.screenshot().await.unwrap()).unwrap();
    confirm(c, "The current token stops working at once").await;
    let second = new_token(c, Some(&first)).await;
    status_is(c, "New token generated. The previous token no longer works.").await;
    assert_eq!(scim_status(addr, &first).await, 401);
    assert_eq!(scim_status(addr, &second).await, 200);

    // 5. Reload: neither the token nor the credential survives.
    c.refresh().await.unwrap();
    displayed(c, "credential").await;
    let shown = c.find(Locator::Css(&by_id("new-token"))).await.unwrap();
    assert!(!shown.is_displayed().await.unwrap());
    assert_eq!(shown.prop("textContent").await.unwrap().as_deref(), Some(""));
    assert!(!c.source().await.unwrap().contains(&second));

    // 6. Revoke the listed token: it stops working at once.
    connect(c).await;
    click(c, "revoke").await;
    confirm(c, "It stops working at once").await;
    status_is(c, &format!("Token {} was revoked.", &second["scim_".len().."scim_".len() + 16])).await;
    assert_eq!(scim_status(addr, &second).await, 401);
    // The status line shows before the page has re-read the settings: wait for the summary to follow.
    until("the summary says there is no token", || async {
        (displayed(c, "has-token").await.text().await.ok()? == "No token").then_some(())
    })
    .await;

    // 7. Generate a third token and revoke every token: it stops working too.
    click(c, "generate").await;
    confirm(c, "shown once").await;
    let third = new_token(c, Some(&second)).await;
    assert_eq!(scim_status(addr, &third).await, 200);
    click(c, "revoke-all").await;
    confirm(c, "Every SCIM token stops working at once").await;
    status_is(c, "Every token was revoked.").await;
    assert_eq!(scim_status(addr, &third).await, 401);
    assert!(!displayed(c, "no-tokens").await.text().await.unwrap().is_empty());
    assert!(c.find_all(Locator::Css(&by_id("token-row"))).await.unwrap().is_empty());
    let panel = c.find(Locator::Css(&by_id("new-token"))).await.unwrap();
    assert!(!panel.is_displayed().await.unwrap(), "a revoked token is not left on display");
}

/// A host whose admins sign in with a session cookie (here: one fixed cookie) instead of a header.
struct CookieSessions;

#[async_trait]
impl AdminAuthenticator for CookieSessions {
    async fn authenticate(&self, parts: &Parts, _: AdminAction) -> Result<AdminGrant, AdminRejection> {
        let cookies = parts.headers.get_all(COOKIE).iter().filter_map(|value| value.to_str().ok());
        if cookies.flat_map(|value| value.split(';')).any(|cookie| cookie.trim() == SESSION_COOKIE) {
            let actor = Actor::new("session admin").unwrap();
            Ok(AdminGrant::new(actor, Scope::default_scope()))
        } else {
            Err(AdminRejection::Unauthenticated)
        }
    }
}

const SESSION_COOKIE: &str = "session=admin-session";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_cookie_sessions_the_page_needs_no_credential() {
    let Some((chromium, driver)) = browser::binaries_or_skip() else {
        return;
    };
    let _one = browser::ONE_AT_A_TIME.lock().await;
    let service = fast_service(SqliteStore::open_in_memory().await.unwrap());
    service.set_enabled(&Scope::default_scope(), true, &Actor::new("setup").unwrap()).await.unwrap();
    let scim = Router::new()
        .route(server::SERVICE_PROVIDER_CONFIG_PATH, get(|| async { "ok" }))
        .route_layer(ScimGuardLayer::new(service.clone()));
    let app = Router::new()
        .merge(AdminRoutes::new(service.clone(), CookieSessions).with_admin_page().into_router())
        .merge(scim);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let browser = browser::Browser::start(&chromium, &driver, 1024, 1320).await;
    let c = &browser.client;
    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        // Without the session the page asks for a credential; once the host's cookie is set, it does not.
        c.goto(&format!("http://{addr}/admin/scim")).await.unwrap();
        displayed(c, "credential").await;
        c.execute(&format!("document.cookie = '{SESSION_COOKIE}; path=/; SameSite=Strict';"), vec![])
            .await
            .unwrap();
        c.refresh().await.unwrap();
        let signed_in = until("signed in with the session", || async {
            let text = c.find(Locator::Id("connected-text")).await.ok()?.text().await.ok()?;
            (!text.is_empty()).then_some(text)
        })
        .await;
        assert_eq!(signed_in, "Signed in with your browser session.");
        assert!(!c.find(Locator::Css(&by_id("credential"))).await.unwrap().is_displayed().await.unwrap());

        click(c, "generate").await;
        confirm(c, "shown once").await;
        let token = new_token(c, None).await;
        status_is(c, "Token generated.").await;
        assert_eq!(scim_status(addr, &token).await, 200);
        let listed = service.status(&Scope::default_scope()).await.unwrap();
        assert_eq!(listed.current.unwrap().created_by.as_str(), "session admin");
    })
    .await;
    browser.close().await;
    outcome.expect("the cookie-session walkthrough did not finish in 2 minutes");
}

/// The text of the overlap state on the page, once it is displayed and starts with `prefix`.
async fn overlap_says(c: &Client, prefix: &str) -> String {
    until(&format!("overlap {prefix:?}"), || async {
        let text = displayed(c, "overlap").await.text().await.ok()?;
        text.starts_with(prefix).then_some(text)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlap_until_first_use_shows_waiting_then_switched() {
    let Some((chromium, driver)) = browser::binaries_or_skip() else { return };
    let _one = browser::ONE_AT_A_TIME.lock().await;
    let service = fast(SqliteStore::open_in_memory().await.unwrap())
        .overlap_until_first_use(Duration::from_secs(3600))
        .build()
        .unwrap();
    service.set_enabled(&Scope::default_scope(), true, &Actor::new("setup").unwrap()).await.unwrap();
    let addr = serve(service.clone()).await;
    let browser = browser::Browser::start(&chromium, &driver, 1024, 1320).await;
    let c = &browser.client;
    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        c.goto(&format!("http://{addr}/admin/scim")).await.unwrap();
        connect(c).await;
        let first = service.generate(&Scope::default_scope(), &Actor::new("setup").unwrap()).await.unwrap();
        let first = first.expose_secret();
        assert_eq!(scim_status(addr, first).await, 200);
        service.wait_for_use_records().await;

        // Rotate on the page: the old token keeps working while the page waits for the switch.
        c.refresh().await.unwrap();
        connect(c).await;
        click(c, "generate").await;
        confirm(c, "keeps working until your identity provider uses the new one").await;
        let second = new_token(c, None).await;
        let waiting = overlap_says(c, "Waiting for the identity provider to use the new token").await;
        assert_eq!(waiting, "Waiting for the identity provider to use the new token");
        // The banner follows the re-read that showed the state.
        until("the generate banner", || async {
            let text = displayed(c, "status").await.text().await.ok()?;
            text.starts_with("New token generated. The previous token keeps working until your identity provider uses the new one")
                .then_some(())
        })
        .await;
        assert_eq!(scim_status(addr, first).await, 200);
        let screenshot = output_dir().join("admin-page-overlap-waiting.png");
        std::fs::write(&screenshot, c.screenshot().await.unwrap()).unwrap();
        println!("screenshot: {}", screenshot.display());

        // The identity provider switches: the page shows it without a reload, and the old token is done.
        assert_eq!(scim_status(addr, &second).await, 200);
        assert_eq!(scim_status(addr, first).await, 401);
        let switched = overlap_says(c, "Switched at ").await;
        let first_use = service.status(&Scope::default_scope()).await.unwrap().current.unwrap().first_used_at;
        assert!(first_use.is_some(), "the switch time is stored");
        assert!(switched.len() > "Switched at ".len(), "{switched}");
        let rows = c.find_all(Locator::Css(&by_id("token-row"))).await.unwrap();
        assert_eq!(rows.len(), 1, "the previous token is no longer listed");
        let screenshot = output_dir().join("admin-page-overlap-switched.png");
        std::fs::write(&screenshot, c.screenshot().await.unwrap()).unwrap();
        println!("screenshot: {}", screenshot.display());
    })
    .await;
    browser.close().await;
    outcome.expect("the overlap walkthrough did not finish in 2 minutes");
}
