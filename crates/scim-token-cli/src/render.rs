//! What the commands print: text for people, or one JSON document with the HTTP routes' field names
//! (`enabled`, `hasToken`, `createdAt`, …; times in RFC 3339, UTC, absent ones `null`).

pub(crate) mod oauth;

use std::fmt::Write as _;

use scim_token_core::{ListedToken, Scope, ScopeStatus, Timestamp, TokenId, TokenInfo};
use serde::Serialize;

/// One token in JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenJson {
    id: String,
    role: &'static str,
    created_at: String,
    created_by: String,
    last_used_at: Option<String>,
    first_used_at: Option<String>,
    expires_at: Option<String>,
    valid_until: Option<String>,
}

/// `current` or `previous`, as the HTTP inventory names the roles.
fn role(token: &ListedToken<'_>) -> &'static str {
    if token.is_current { "current" } else { "previous" }
}

impl From<ListedToken<'_>> for TokenJson {
    fn from(token: ListedToken<'_>) -> Self {
        let info = token.info;
        Self {
            id: info.id.to_string(),
            role: role(&token),
            created_at: info.created_at.to_rfc3339(),
            created_by: info.created_by.to_string(),
            last_used_at: info.last_used_at.map(Timestamp::to_rfc3339),
            first_used_at: info.first_used_at.map(Timestamp::to_rfc3339),
            expires_at: info.expires_at.map(Timestamp::to_rfc3339),
            valid_until: token.valid_until.map(Timestamp::to_rfc3339),
        }
    }
}

fn json(value: &impl Serialize) -> String {
    // Serialising these plain structs cannot fail; an empty object would still be valid JSON.
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_owned()) + "\n"
}

fn tokens_json(status: &ScopeStatus) -> Vec<TokenJson> {
    status.tokens().map(TokenJson::from).collect()
}

/// `status --json`: `{"scope", "enabled", "hasToken", "tokens": [...]}`.
pub(crate) fn status_json(scope: &Scope, status: &ScopeStatus) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Status<'a> {
        scope: &'a str,
        enabled: bool,
        has_token: bool,
        tokens: Vec<TokenJson>,
    }
    json(&Status {
        scope: scope.as_str(),
        enabled: status.enabled,
        has_token: status.has_token,
        tokens: tokens_json(status),
    })
}

/// `tokens --json`: `{"scope", "tokens": [...]}`.
pub(crate) fn tokens_json_document(scope: &Scope, status: &ScopeStatus) -> String {
    #[derive(Serialize)]
    struct Tokens<'a> {
        scope: &'a str,
        tokens: Vec<TokenJson>,
    }
    json(&Tokens { scope: scope.as_str(), tokens: tokens_json(status) })
}

/// `enable --json` and `disable --json`: `{"scope", "enabled"}`.
pub(crate) fn settings_json(scope: &Scope, enabled: bool) -> String {
    #[derive(Serialize)]
    struct Settings<'a> {
        scope: &'a str,
        enabled: bool,
    }
    json(&Settings { scope: scope.as_str(), enabled })
}

/// `revoke --json`: `{"scope", "revoked": [ids]}`.
pub(crate) fn revoked_json(scope: &Scope, revoked: &[TokenId]) -> String {
    #[derive(Serialize)]
    struct Revoked<'a> {
        scope: &'a str,
        revoked: Vec<&'a str>,
    }
    json(&Revoked { scope: scope.as_str(), revoked: revoked.iter().map(TokenId::as_str).collect() })
}

/// `generate --json`: `{"scope", "token", "id", "createdAt", "createdBy", "expiresAt"}`, written straight
/// to `out` so that no extra copy of the token is made.
pub(crate) fn write_generated_json(
    out: &mut impl std::io::Write,
    scope: &Scope,
    token: &str,
    info: &TokenInfo,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Generated<'a> {
        scope: &'a str,
        token: &'a str,
        id: &'a str,
        created_at: String,
        created_by: &'a str,
        expires_at: Option<String>,
    }
    let generated = Generated {
        scope: scope.as_str(),
        token,
        id: info.id.as_str(),
        created_at: info.created_at.to_rfc3339(),
        created_by: info.created_by.as_str(),
        expires_at: info.expires_at.map(Timestamp::to_rfc3339),
    };
    serde_json::to_writer_pretty(&mut *out, &generated)?;
    writeln!(out)
}

/// `status` as text: the settings, the tokens, and what to do when SCIM calls cannot work.
pub(crate) fn status_text(scope: &Scope, status: &ScopeStatus) -> String {
    let yes_no = |flag: bool| if flag { "yes" } else { "no" };
    let mut text = format!(
        "scope      {scope}\nenabled    {}\nhas token  {}\n",
        yes_no(status.enabled),
        yes_no(status.has_token)
    );
    for token in status.tokens() {
        text.push('\n');
        text.push_str(&token_text(token));
    }
    if !status.enabled {
        text.push_str(
            "\nEvery token is refused while SCIM provisioning is disabled: run `scim-token enable`.\n",
        );
    }
    if !status.has_token {
        let why = if status.current.is_some() { "The current token expired" } else { "There is no token" };
        text.push_str(&format!(
            "\n{why}: run `scim-token generate` and paste the new token into your identity provider.\n"
        ));
    }
    text
}

/// `tokens` as text.
pub(crate) fn tokens_text(scope: &Scope, status: &ScopeStatus) -> String {
    if status.tokens().next().is_none() {
        return format!("Scope {:?} has no token.\n", scope.as_str());
    }
    status.tokens().map(token_text).collect::<Vec<_>>().join("\n")
}

/// One token as a few aligned lines.
pub(crate) fn token_text(token: ListedToken<'_>) -> String {
    let info = token.info;
    let or_never =
        |at: Option<Timestamp>| at.map_or_else(|| "never".to_owned(), Timestamp::to_rfc3339_seconds);
    let mut text = format!("{} token {}\n", role(&token), info.id);
    let _ = writeln!(text, "  created      {} by {}", info.created_at.to_rfc3339_seconds(), info.created_by);
    let _ = writeln!(text, "  last used    {}", or_never(info.last_used_at));
    // Unknown for a token used only before the store kept it: then the line is left out.
    if info.first_used_at.is_some() || info.last_used_at.is_none() {
        let _ = writeln!(text, "  first used   {}", or_never(info.first_used_at));
    }
    let _ = writeln!(text, "  expires      {}", or_never(info.expires_at));
    // A current token is accepted until it expires (the line above); a replaced one until its overlap
    // window ends or it expires, whichever is first.
    if let (false, Some(until)) = (token.is_current, token.valid_until) {
        let _ = writeln!(text, "  accepted to  {} (overlap window)", until.to_rfc3339_seconds());
    }
    text
}

/// A short description for confirmation questions: `AbCd… (created … by …)`.
pub(crate) fn token_summary(info: &TokenInfo) -> String {
    format!("{} (created {} by {})", info.id, info.created_at.to_rfc3339_seconds(), info.created_by)
}

#[cfg(test)]
mod tests {
    use scim_token_core::{Actor, PreviousTokenInfo};
    use serde_json::json;

    use super::*;

    fn info(id: &str, created: i64) -> TokenInfo {
        let mut info = TokenInfo::new(
            TokenId::new(id).unwrap(),
            Timestamp::from_unix_millis(created),
            Actor::new("alice").unwrap(),
        );
        info.last_used_at = Some(Timestamp::from_unix_millis(created + 1500));
        info.first_used_at = Some(Timestamp::from_unix_millis(created + 500));
        info
    }

    fn rotated() -> ScopeStatus {
        let mut status = ScopeStatus::default();
        status.enabled = true;
        status.has_token = true;
        status.current = Some(info("CCCCCCCCCCCCCCCC", 1_000));
        status.previous =
            Some(PreviousTokenInfo::new(info("PPPPPPPPPPPPPPPP", 0), Timestamp::from_unix_millis(60_000)));
        status
    }

    #[test]
    fn status_json_has_the_http_field_names() {
        let document: serde_json::Value =
            serde_json::from_str(&status_json(&Scope::default_scope(), &rotated())).unwrap();
        assert_eq!(
            document,
            json!({
                "scope": "default", "enabled": true, "hasToken": true,
                "tokens": [
                    { "id": "CCCCCCCCCCCCCCCC", "role": "current", "createdAt": "1970-01-01T00:00:01.000Z",
                      "createdBy": "alice", "lastUsedAt": "1970-01-01T00:00:02.500Z",
                      "firstUsedAt": "1970-01-01T00:00:01.500Z", "expiresAt": null, "validUntil": null },
                    { "id": "PPPPPPPPPPPPPPPP", "role": "previous", "createdAt": "1970-01-01T00:00:00.000Z",
                      "createdBy": "alice", "lastUsedAt": "1970-01-01T00:00:01.500Z",
                      "firstUsedAt": "1970-01-01T00:00:00.500Z", "expiresAt": null,
                      "validUntil": "1970-01-01T00:01:00.000Z" }
                ]
            })
        );
    }

    #[test]
    fn other_documents() {
        let scope = Scope::new("t1").unwrap();
        let parse = |text: String| serde_json::from_str::<serde_json::Value>(&text).unwrap();
        assert_eq!(parse(settings_json(&scope, false)), json!({ "scope": "t1", "enabled": false }));
        let ids = [TokenId::new("AAAAAAAAAAAAAAAA").unwrap()];
        assert_eq!(
            parse(revoked_json(&scope, &ids)),
            json!({ "scope": "t1", "revoked": ["AAAAAAAAAAAAAAAA"] })
        );
        let tokens = parse(tokens_json_document(&scope, &ScopeStatus::default()));
        assert_eq!(tokens, json!({ "scope": "t1", "tokens": [] }));

        let mut out = Vec::new();
        write_generated_json(&mut out, &scope, "scim_secret", &info("AAAAAAAAAAAAAAAA", 0)).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
            json!({ "scope": "t1", "token": "scim_secret", "id": "AAAAAAAAAAAAAAAA",
                    "createdAt": "1970-01-01T00:00:00.000Z", "createdBy": "alice", "expiresAt": null })
        );
    }

    #[test]
    fn status_text_tells_what_to_do() {
        let text = status_text(&Scope::default_scope(), &rotated());
        assert!(text.starts_with(
            "scope      default\nenabled    yes\nhas token  yes\n\ncurrent token CCCCCCCCCCCCCCCC\n"
        ));
        assert!(text.contains("previous token PPPPPPPPPPPPPPPP\n"));
        assert!(text.contains("  accepted to  1970-01-01T00:01:00Z (overlap window)\n"));
        assert!(text.contains("  last used    1970-01-01T00:00:02Z\n  first used   1970-01-01T00:00:01Z\n"));
        assert!(!text.contains("scim-token"), "no hint when all is well");

        let empty = ScopeStatus::default();
        let text = status_text(&Scope::default_scope(), &empty);
        assert!(text.contains("run `scim-token enable`"));
        assert!(text.contains("There is no token: run `scim-token generate`"));
    }
}
