//! The host's public base URL, checked once: the admin page and the RFC 8414 metadata build the URLs an
//! identity provider is given (token endpoint, SCIM base URL) by appending paths to it.

/// `url` as a public base URL: `https://` (or `http://`, for a local trial) with a host, no query, no
/// fragment, no whitespace, and no trailing `/` (removed), so that paths can be appended to it.
pub(crate) fn base_url(what: &'static str, url: &str) -> Result<String, scim_token_core::Error> {
    let invalid = |reason| scim_token_core::Error::InvalidInput { what, reason };
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| invalid("it must start with https:// (or http:// for a local trial)"))?;
    if url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err(invalid("it contains whitespace"));
    }
    if url.contains(['?', '#']) {
        return Err(invalid("it must not have a query or a fragment"));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(invalid("it must name a host, without user information"));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_lose_their_trailing_slash_and_bad_ones_are_refused() {
        assert_eq!(base_url("issuer", " https://app.example/ ").unwrap(), "https://app.example");
        assert_eq!(base_url("issuer", "http://127.0.0.1:3000/base").unwrap(), "http://127.0.0.1:3000/base");
        for bad in
            ["app.example", "ftp://x", "https://", "https://a b", "https://x?y", "https://x#y", "https://u@x"]
        {
            assert!(base_url("issuer", bad).is_err(), "{bad}");
        }
    }
}
