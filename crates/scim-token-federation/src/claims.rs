//! The claims of a client assertion (RFC 7523 §3) and their checks against a [`FederationTrust`] at a
//! given time. Times are checked here against the caller's `now`, not by jsonwebtoken (which reads the
//! system clock), so the service's injectable clock decides.

use scim_token_core::oauth::FederationTrust;
use serde::Deserialize;

/// How claims are judged: clock skew allowed and the longest lifetime accepted, in seconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClaimRules {
    pub(crate) leeway_secs: i64,
    pub(crate) max_lifetime_secs: i64,
}

/// The registered claims the checks read; any other claim (Entra's `oid`, `appid`, `idp`...) is ignored.
#[derive(Deserialize)]
pub(crate) struct Claims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Audience>,
    tid: Option<String>,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
}

/// RFC 7519 §4.1.3: one string or an array of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, expected: &str) -> bool {
        match self {
            Self::One(aud) => aud == expected,
            Self::Many(auds) => auds.iter().any(|aud| aud == expected),
        }
    }
}

/// `Ok(())` if `claims` are for `trust` and valid at `now_secs`; otherwise what is wrong, in a few words.
pub(crate) fn check(
    claims: &Claims,
    trust: &FederationTrust,
    now_secs: i64,
    rules: ClaimRules,
) -> Result<(), &'static str> {
    // RFC 7523 §3 (1): `iss`, by simple string comparison.
    if claims.iss.as_deref() != Some(trust.issuer.as_str()) {
        return Err("wrong or missing iss");
    }
    // §3 (2): `sub`; for Entra it is the trust's configured subject, not the client id.
    if claims.sub.as_deref() != Some(trust.subject.as_str()) {
        return Err("wrong or missing sub");
    }
    // §3 (3): `aud` must contain our audience.
    if !claims.aud.as_ref().is_some_and(|aud| aud.contains(&trust.audience)) {
        return Err("wrong or missing aud");
    }
    // Tenant isolation: an assertion from another tenant of the same issuer family is refused.
    if let Some(tenant) = &trust.tenant_id
        && claims.tid.as_deref() != Some(tenant.as_str())
    {
        return Err("wrong or missing tid");
    }
    check_times(claims, now_secs, rules)
}

fn check_times(claims: &Claims, now: i64, rules: ClaimRules) -> Result<(), &'static str> {
    let leeway = rules.leeway_secs;
    // §3 (4): `exp` is required and must not be past.
    let exp = claims.exp.ok_or("missing exp")?;
    if exp.saturating_add(leeway) <= now {
        return Err("expired");
    }
    // §3 (4) again: a far-future `exp` is refused, whether or not `iat` says when it was made.
    if exp.saturating_sub(now) > rules.max_lifetime_secs.saturating_add(leeway) {
        return Err("exp too far in the future");
    }
    // §3 (5): not before `nbf`.
    if claims.nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err("not yet valid (nbf)");
    }
    // §3 (6): `iat` is optional; when present it may not be in the future, and bounds the lifetime.
    if let Some(iat) = claims.iat {
        if iat > now.saturating_add(leeway) {
            return Err("issued in the future (iat)");
        }
        if exp <= iat {
            return Err("exp not after iat");
        }
        if exp.saturating_sub(iat) > rules.max_lifetime_secs {
            return Err("lifetime too long");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use scim_token_core::oauth::FederationTrust;
    use scim_token_core::{Actor, Timestamp, TokenId};
    use serde_json::json;

    use super::{ClaimRules, Claims, check};

    const NOW: i64 = 1_800_000_000;
    const RULES: ClaimRules = ClaimRules { leeway_secs: 60, max_lifetime_secs: 7200 };

    fn trust(tenant: Option<&str>) -> FederationTrust {
        FederationTrust {
            id: TokenId::new("abcdefghij012345").expect("id"),
            issuer: "https://issuer.example/t/v2.0".to_owned(),
            jwks_url: "https://issuer.example/keys".to_owned(),
            subject: "sub-1".to_owned(),
            audience: "api://app".to_owned(),
            tenant_id: tenant.map(str::to_owned),
            created_at: Timestamp::from_unix_millis(0),
            created_by: Actor::new("test").expect("actor"),
        }
    }

    fn claims(edit: impl FnOnce(&mut serde_json::Value)) -> Claims {
        let mut value = json!({
            "iss": "https://issuer.example/t/v2.0", "sub": "sub-1", "aud": "api://app", "tid": "t",
            "iat": NOW - 10, "nbf": NOW - 10, "exp": NOW + 3890,
        });
        edit(&mut value);
        serde_json::from_value(value).expect("claims")
    }

    #[test]
    fn a_valid_set_passes_with_and_without_tenant() {
        assert_eq!(check(&claims(|_| {}), &trust(Some("t")), NOW, RULES), Ok(()));
        assert_eq!(
            check(&claims(|c| c["aud"] = json!(["x", "api://app"])), &trust(None), NOW, RULES),
            Ok(())
        );
    }

    #[test]
    fn leeway_is_sixty_seconds_each_way() {
        let expired_within_leeway = claims(|c| {
            c["iat"] = json!(NOW - 3600);
            c["exp"] = json!(NOW - 59);
        });
        assert_eq!(check(&expired_within_leeway, &trust(None), NOW, RULES), Ok(()));
        let expired = claims(|c| {
            c["iat"] = json!(NOW - 3600);
            c["exp"] = json!(NOW - 60);
        });
        assert_eq!(check(&expired, &trust(None), NOW, RULES), Err("expired"));
        let nbf_soon = claims(|c| c["nbf"] = json!(NOW + 60));
        assert_eq!(check(&nbf_soon, &trust(None), NOW, RULES), Ok(()));
        let nbf_later = claims(|c| c["nbf"] = json!(NOW + 61));
        assert_eq!(check(&nbf_later, &trust(None), NOW, RULES), Err("not yet valid (nbf)"));
    }

    #[test]
    fn each_wrong_claim_is_named() {
        let t = trust(Some("t"));
        let cases: [(fn(&mut serde_json::Value), &str); 11] = [
            (|c| c["iss"] = json!("https://other/v2.0"), "wrong or missing iss"),
            (|c| c["sub"] = json!("sub-2"), "wrong or missing sub"),
            (|c| c["aud"] = json!("api://app/.default"), "wrong or missing aud"),
            (|c| c["aud"] = json!([]), "wrong or missing aud"),
            (|c| c["tid"] = json!("other"), "wrong or missing tid"),
            (|c| c.as_object_mut().map(|o| o.remove("tid")).map_or((), drop), "wrong or missing tid"),
            (|c| c.as_object_mut().map(|o| o.remove("exp")).map_or((), drop), "missing exp"),
            (|c| c["iat"] = json!(NOW + 61), "issued in the future (iat)"),
            (|c| c["exp"] = json!(NOW + 7261), "exp too far in the future"),
            (
                |c| {
                    c["iat"] = json!(NOW - 3600);
                    c["exp"] = json!(NOW + 3601);
                },
                "lifetime too long",
            ),
            (|c| c["exp"] = json!(NOW - 10), "exp not after iat"),
        ];
        for (edit, reason) in cases {
            assert_eq!(check(&claims(edit), &t, NOW, RULES), Err(reason));
        }
    }
}
