//! The secret-scanner rules in `scanners/` find real credentials and nothing else: the gitleaks and
//! TruffleHog regexes match generated static tokens, OAuth client secrets and access tokens inside text,
//! refuse near-misses and the public ids (client ids, secret and token ids), and the checksum check
//! (`scanners/check_scim_token.py`, and `TokenFormat::parse` in Rust) drops the matches whose CRC32 is
//! wrong.

use std::io::Write;
use std::process::{Command, Stdio};

use regex::Regex;
use scim_token::{Actor, MemoryStore, ScimTokenService, Scope, TokenFormat};
use scim_token_test_support::fast_service;

const GITLEAKS: &str = include_str!("../../scanners/gitleaks.toml");
const TRUFFLEHOG: &str = include_str!("../../scanners/trufflehog.yaml");
const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scanners/check_scim_token.py");

/// The text between the first `open` after `key` and the next `close`.
fn quoted_after<'a>(text: &'a str, key: &str, open: &str, close: &str) -> &'a str {
    let rest = &text[text.find(key).unwrap_or_else(|| panic!("no {key} in the rule file"))..];
    let start = rest.find(open).expect("opening quote") + open.len();
    let len = rest[start..].find(close).expect("closing quote");
    &rest[start..start + len]
}

/// Both rule files' regexes, compiled (Rust's regex syntax agrees with Go's RE2 on these constructs).
fn rules() -> Vec<(&'static str, Regex)> {
    let gitleaks = quoted_after(GITLEAKS, "\nregex", "'''", "'''");
    let trufflehog = quoted_after(TRUFFLEHOG, "token:", "'", "'");
    assert_eq!(gitleaks, trufflehog, "the two rules must stay the same regex");
    vec![("gitleaks", Regex::new(gitleaks).unwrap()), ("trufflehog", Regex::new(trufflehog).unwrap())]
}

/// Real static tokens, made the way a host makes them.
async fn generated_tokens(count: usize) -> Vec<String> {
    let service = fast_service(MemoryStore::new());
    let (scope, admin) = (Scope::default_scope(), Actor::new("scanner-test").unwrap());
    let mut tokens = Vec::new();
    for _ in 0..count {
        tokens.push(service.generate(&scope, &admin).await.unwrap().expose_secret().to_owned());
    }
    tokens
}

/// OAuth credentials made the way a host makes them, in `count` scopes: a client secret each, and an
/// access token from the token endpoint with it; beside them, the public ids that must never match.
struct OAuthCredentials {
    secrets: Vec<String>,
    access_tokens: Vec<String>,
    /// Client ids (`scimcl_…`), secret ids and access-token ids.
    public_ids: Vec<String>,
}

async fn generated_oauth(count: usize) -> OAuthCredentials {
    let service: ScimTokenService = fast_service(MemoryStore::new());
    let admin = Actor::new("scanner-test").unwrap();
    let mut generated = OAuthCredentials { secrets: vec![], access_tokens: vec![], public_ids: vec![] };
    for n in 0..count {
        let scope = Scope::new(format!("tenant-{n}")).unwrap();
        service.set_enabled(&scope, true, &admin).await.unwrap();
        let secret = service.create_client_secret(&scope, None, &admin).await.unwrap();
        assert!(secret.client_id().as_str().starts_with("scimcl_"));
        let body = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            secret.client_id(),
            secret.expose_secret()
        );
        let token = service
            .token_endpoint(None, Some("application/x-www-form-urlencoded"), body.as_bytes())
            .await
            .unwrap();
        generated.secrets.push(secret.expose_secret().to_owned());
        generated.access_tokens.push(token.expose_secret().to_owned());
        generated.public_ids.extend([
            secret.client_id().to_string(),
            secret.id().to_string(),
            token.id().to_string(),
        ]);
    }
    generated
}

/// What a scanner reports in `text`: regex matches (capture group 1) that pass the checksum check of
/// the format their prefix names (static tokens, client secrets, access tokens).
fn scan(rule: &Regex, text: &str) -> Vec<String> {
    let formats = ["scim", "scimcs", "scimat"].map(|prefix| TokenFormat::new(prefix).unwrap());
    rule.captures_iter(text)
        .map(|c| c[1].to_owned())
        .filter(|candidate| formats.iter().any(|format| format.parse(candidate).is_ok()))
        .collect()
}

/// The places a credential gets pasted.
fn places(secret: &str) -> [String; 5] {
    [
        secret.to_owned(),
        format!("export SCIM_TOKEN={secret}\n"),
        format!("Authorization: Bearer {secret}"),
        format!("{{\"token\":\"{secret}\"}}"),
        format!("url = 'https://idp.example/scim?token={secret}&x=1'"),
    ]
}

/// A token with one character of its body changed: same shape, wrong checksum.
fn with_typo(token: &str, at: usize) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn the_rules_find_generated_tokens_wherever_they_are_pasted() {
    for token in generated_tokens(50).await {
        for (name, rule) in rules() {
            for text in &places(&token) {
                assert_eq!(
                    scan(&rule, text),
                    std::slice::from_ref(&token),
                    "{name} missed the token in {text:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_rules_refuse_near_misses() {
    let token = generated_tokens(1).await.remove(0);
    let body = &token["scim_".len()..];
    // Wrong checksum: the shape is right, so the regex matches and the checksum check must refuse.
    let wrong_checksums = [with_typo(&token, 10), with_typo(&token, token.len() - 1)];
    // Wrong length, other prefixes, the prefix glued to a word, not base62: the regex itself refuses.
    let wrong_shapes = [
        token[..token.len() - 1].to_owned(),
        format!("{token}A"),
        format!("scin_{body}"),
        format!("SCIM_{body}"),
        format!("xscim_{body}"),
        format!("ghp_{body}"),
        format!("scim_-{}", &body[1..]),
    ];
    for (name, rule) in rules() {
        for text in &wrong_checksums {
            assert!(rule.is_match(text), "{name}: the regex alone cannot see a checksum");
            assert!(scan(&rule, text).is_empty(), "{name} reported the wrong checksum {text:?}");
        }
        for text in &wrong_shapes {
            assert!(!rule.is_match(text), "{name} matched the near-miss {text:?}");
        }
    }
}

#[tokio::test]
async fn the_rules_find_client_secrets_and_access_tokens() {
    let oauth = generated_oauth(20).await;
    for secret in oauth.secrets.iter().chain(&oauth.access_tokens) {
        assert!(secret.starts_with("scimcs_") || secret.starts_with("scimat_"), "unexpected prefix");
        for (name, rule) in rules() {
            for text in &places(secret) {
                assert_eq!(scan(&rule, text), std::slice::from_ref(secret), "{name} missed {text:?}");
            }
            let typo = with_typo(secret, 12);
            assert!(rule.is_match(&typo), "{name}: the regex alone cannot see a checksum");
            assert!(scan(&rule, &typo).is_empty(), "{name} reported the wrong checksum {typo:?}");
        }
    }
}

#[tokio::test]
async fn the_rules_ignore_client_ids_and_public_ids() {
    let oauth = generated_oauth(10).await;
    let token = generated_tokens(1).await.remove(0);
    let body = &oauth.secrets[0]["scimcs_".len()..];
    let mut texts: Vec<String> = oauth
        .public_ids
        .iter()
        .flat_map(|id| {
            [
                id.clone(),
                format!("client_id={id}"),
                format!("{{\"clientId\":\"{id}\",\"secretId\":\"{id}\"}}"),
            ]
        })
        .collect();
    texts.push(token["scim_".len().."scim_".len() + 16].to_owned());
    // Other prefixes of the family, and a secret's shape behind the client-id prefix, are no credential.
    texts.extend([
        format!("scimcl_{body}"),
        format!("scimxx_{body}"),
        format!("SCIMCS_{body}"),
        format!("xscimat_{body}"),
    ]);
    for (name, rule) in rules() {
        for text in &texts {
            assert!(!rule.is_match(text), "{name} matched {text:?}");
        }
    }
}

#[tokio::test]
async fn the_python_checksum_check_agrees_with_the_library() {
    let python = Command::new("python3").arg("--version").output();
    if python.is_err() {
        println!("scanner checksum script not run: python3 is not installed");
        return;
    }
    let mut tokens = generated_tokens(20).await;
    let oauth = generated_oauth(5).await;
    tokens.extend(oauth.secrets.into_iter().chain(oauth.access_tokens));
    let mut input = String::new();
    for token in &tokens {
        input.push_str(&format!("found {token} in a file\n{}\n", with_typo(token, 20)));
    }
    let mut child = Command::new("python3")
        .arg(CHECKER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the checker");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the checker must exit 0 when a token passed");
    let printed: Vec<&str> = std::str::from_utf8(&output.stdout).unwrap().lines().collect();
    assert_eq!(printed, tokens.iter().map(String::as_str).collect::<Vec<_>>());

    let mut child =
        Command::new("python3").arg(CHECKER).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(with_typo(&tokens[0], 30).as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "no valid token: exit 1");
    assert!(output.stdout.is_empty());
}
