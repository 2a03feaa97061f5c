//! `GET /metrics`: the service's metrics in the Prometheus text format, for a scraper. It is not behind
//! the SCIM guard nor the admin credentials: it holds counts and durations only, never a token, a token
//! id or a scope. In production, expose it only where your Prometheus can reach it.

use std::error::Error;
use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// Where the metrics are served.
pub const METRICS_PATH: &str = "/metrics";

/// How often recorded histogram samples are folded into their buckets, so memory stays bounded between
/// scrapes (the exporter's own HTTP listener would do this; here axum serves the page).
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// A Prometheus recorder whose two `_seconds` histograms have buckets, so they can be summed across
/// instances and alerted on.
pub fn recorder() -> Result<PrometheusRecorder, Box<dyn Error>> {
    let buckets = scim_token::metrics::DURATION_BUCKETS_SECONDS;
    let builder =
        PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".into()), buckets)?;
    Ok(builder.build_recorder())
}

/// Installs the recorder for the whole process. Call it before building the service: the service
/// registers its metrics with the recorder in place when it is built.
pub fn install() -> Result<PrometheusHandle, Box<dyn Error>> {
    let recorder = recorder()?;
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(UPKEEP_INTERVAL);
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

/// The `GET /metrics` route.
pub fn routes(handle: PrometheusHandle) -> Router {
    Router::new().route(
        METRICS_PATH,
        get(move || {
            let page = handle.render();
            async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], page) }
        }),
    )
}
