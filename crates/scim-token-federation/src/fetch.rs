//! Fetching a JWKS over HTTPS with hyper-util's client and hyper-rustls (ring provider): no redirect
//! followed (hyper does not follow them), one timeout over the whole exchange, and a size cap on the
//! body read.

use std::time::Duration;

use http_body_util::{BodyExt, Empty, LengthLimitError, Limited};
use hyper::body::Bytes;
use hyper::header::{ACCEPT, CONTENT_LENGTH, USER_AGENT};
use hyper::{Request, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::FetchError;
use crate::keys::{KeySet, parse_jwks};
use crate::url_policy::checked_uri;

/// The limits of one fetch.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FetchLimits {
    pub(crate) timeout: Duration,
    pub(crate) max_bytes: usize,
    pub(crate) max_keys: usize,
    pub(crate) allow_loopback_http: bool,
}

/// Fetches and reads JWKS documents.
pub(crate) struct JwksFetcher {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    limits: FetchLimits,
}

impl JwksFetcher {
    pub(crate) fn new(tls: rustls::ClientConfig, limits: FetchLimits) -> Self {
        let mut http = HttpConnector::new();
        // The https connector below runs TLS itself; which schemes are allowed is `checked_uri`'s call.
        http.enforce_http(false);
        http.set_connect_timeout(Some(limits.timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Self { client, limits }
    }

    /// The usable keys at `url`.
    pub(crate) async fn fetch(&self, url: &str) -> Result<KeySet, FetchError> {
        let uri = checked_uri(url, self.limits.allow_loopback_http).ok_or(FetchError::InvalidUrl)?;
        let request = Request::get(uri)
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, concat!("scim-token-federation/", env!("CARGO_PKG_VERSION")))
            .body(Empty::new())
            .map_err(|_| FetchError::InvalidUrl)?;
        let body = tokio::time::timeout(self.limits.timeout, self.exchange(request))
            .await
            .map_err(|_| FetchError::Timeout)??;
        parse_jwks(&body, self.limits.max_keys)
    }

    async fn exchange(&self, request: Request<Empty<Bytes>>) -> Result<Bytes, FetchError> {
        let max_bytes = self.limits.max_bytes;
        let response = self.client.request(request).await.map_err(|e| FetchError::Request(Box::new(e)))?;
        if response.status() != StatusCode::OK {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let declared =
            response.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > u64::try_from(max_bytes).unwrap_or(u64::MAX)) {
            return Err(FetchError::TooLarge { limit: max_bytes });
        }
        let collected = Limited::new(response.into_body(), max_bytes).collect().await.map_err(|e| {
            if e.is::<LengthLimitError>() {
                FetchError::TooLarge { limit: max_bytes }
            } else {
                FetchError::Request(e)
            }
        })?;
        Ok(collected.to_bytes())
    }
}
