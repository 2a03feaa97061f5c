//! The parser's answers to the rows of the token endpoint table it decides alone.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use super::*;

const CT: Option<&str> = Some("application/x-www-form-urlencoded");
const GRANT: &str = "grant_type=client_credentials";

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

fn code(result: Result<TokenRequest, OAuthError>) -> (OAuthErrorCode, u16) {
    let error = result.err().expect("refused");
    (error.code(), error.http_status())
}

fn secret_of(request: TokenRequest) -> (String, String) {
    match request.client {
        ClientAuth::Secret { client_id, secret } => (client_id, secret.to_string()),
        other @ ClientAuth::Assertion { .. } => panic!("not a secret: {other:?}"),
    }
}

#[test]
fn content_type_must_be_a_form_with_parameters_allowed() {
    let body = format!("{GRANT}&client_id=c&client_secret=s");
    for ok in ["application/x-www-form-urlencoded", "Application/X-WWW-Form-UrlEncoded; charset=UTF-8"] {
        assert!(parse(None, Some(ok), body.as_bytes()).is_ok(), "{ok}");
    }
    for bad in [None, Some("application/json"), Some("text/plain"), Some("")] {
        assert_eq!(code(parse(None, bad, body.as_bytes())), (OAuthErrorCode::InvalidRequest, 400));
    }
}

#[test]
fn oversized_non_utf8_and_bad_escapes_are_invalid_requests() {
    let big = format!("{GRANT}&client_id=c&client_secret=s&pad={}", "x".repeat(MAX_BODY_BYTES));
    for body in [
        big.as_bytes(),
        b"grant_type=client_credentials&x=\xff",
        b"grant_type=%zz",
        b"a=%C3%28&grant_type=client_credentials",
        b"grant_type=client_credentials&x=%4",
    ] {
        assert_eq!(code(parse(None, CT, body)), (OAuthErrorCode::InvalidRequest, 400));
    }
}

#[test]
fn a_repeated_parameter_is_refused_and_an_empty_one_is_omitted() {
    let twice = format!("{GRANT}&{GRANT}&client_id=c&client_secret=s");
    assert_eq!(code(parse(None, CT, twice.as_bytes())), (OAuthErrorCode::InvalidRequest, 400));
    let unknown_twice = format!("{GRANT}&client_id=c&client_secret=s&foo=1&foo=2");
    assert_eq!(code(parse(None, CT, unknown_twice.as_bytes())).0, OAuthErrorCode::InvalidRequest);
    let empty_then_set = format!("client_secret=&{GRANT}&client_id=c&client_secret=s&unknown=1");
    assert_eq!(secret_of(parse(None, CT, empty_then_set.as_bytes()).unwrap()).1, "s");
}

#[test]
fn grant_type_missing_or_other() {
    assert_eq!(code(parse(None, CT, b"client_id=c&client_secret=s")).0, OAuthErrorCode::InvalidRequest);
    assert_eq!(code(parse(None, CT, b"grant_type=&client_id=c")).0, OAuthErrorCode::InvalidRequest);
    for other in ["authorization_code", "password", "urn:ietf:params:oauth:grant-type:jwt-bearer"] {
        let body = format!("grant_type={}&client_id=c&client_secret=s", urlencode(other));
        assert_eq!(code(parse(None, CT, body.as_bytes())), (OAuthErrorCode::UnsupportedGrantType, 400));
    }
}

#[test]
fn two_methods_are_an_invalid_request() {
    let header = basic("c", "s");
    let assertion = format!("client_assertion_type={}&client_assertion=a.b.c", urlencode(JWT_BEARER));
    let cases = [
        (Some(header.as_str()), format!("{GRANT}&client_secret=s")),
        (Some(header.as_str()), format!("{GRANT}&client_id=c&{assertion}")),
        (None, format!("{GRANT}&client_id=c&client_secret=s&{assertion}")),
        (Some("Bearer x"), format!("{GRANT}&client_id=c&client_secret=s")),
    ];
    for (authorization, body) in cases {
        assert_eq!(code(parse(authorization, CT, body.as_bytes())), (OAuthErrorCode::InvalidRequest, 400));
    }
}

#[test]
fn basic_and_body_client_ids_must_agree() {
    let header = basic("c", "s");
    let same = format!("{GRANT}&client_id=c");
    assert_eq!(secret_of(parse(Some(&header), CT, same.as_bytes()).unwrap()).0, "c");
    let other = format!("{GRANT}&client_id=d");
    assert_eq!(code(parse(Some(&header), CT, other.as_bytes())), (OAuthErrorCode::InvalidRequest, 400));
}

#[test]
fn half_an_assertion_is_an_invalid_request_and_a_wrong_type_an_invalid_client() {
    let only_jwt = format!("{GRANT}&client_id=c&client_assertion=a.b.c");
    assert_eq!(code(parse(None, CT, only_jwt.as_bytes())).0, OAuthErrorCode::InvalidRequest);
    let only_type = format!("{GRANT}&client_id=c&client_assertion_type={}", urlencode(JWT_BEARER));
    assert_eq!(code(parse(None, CT, only_type.as_bytes())).0, OAuthErrorCode::InvalidRequest);
    let saml = format!("{GRANT}&client_id=c&client_assertion_type=urn%3Asaml&client_assertion=x");
    assert_eq!(code(parse(None, CT, saml.as_bytes())), (OAuthErrorCode::InvalidClient, 400));
    let no_id = format!("{GRANT}&client_assertion_type={}&client_assertion=a.b.c", urlencode(JWT_BEARER));
    assert_eq!(code(parse(None, CT, no_id.as_bytes())), (OAuthErrorCode::InvalidClient, 400));
    let big = format!(
        "{GRANT}&client_id=c&client_assertion_type={}&client_assertion={}",
        urlencode(JWT_BEARER),
        "a".repeat(MAX_ASSERTION_BYTES + 1)
    );
    assert_eq!(code(parse(None, CT, big.as_bytes())), (OAuthErrorCode::InvalidClient, 400));
    let good =
        format!("{GRANT}&client_id=c&client_assertion_type={}&client_assertion=a.b.c", urlencode(JWT_BEARER));
    assert!(matches!(parse(None, CT, good.as_bytes()).unwrap().client, ClientAuth::Assertion { .. }));
}

#[test]
fn no_authentication_is_a_challenged_invalid_client() {
    for body in [GRANT.to_owned(), format!("{GRANT}&client_id=c")] {
        let error = parse(None, CT, body.as_bytes()).err().unwrap();
        assert_eq!((error.code(), error.http_status()), (OAuthErrorCode::InvalidClient, 401));
        assert_eq!(error.www_authenticate(), Some(r#"Basic realm="scim-token", charset="UTF-8""#));
    }
    // A secret in the body without a client id: invalid_client, without a challenge.
    let body = format!("{GRANT}&client_secret=s");
    assert_eq!(code(parse(None, CT, body.as_bytes())), (OAuthErrorCode::InvalidClient, 400));
}

#[test]
fn a_malformed_or_foreign_authorization_header_is_a_challenged_invalid_client() {
    let no_colon = format!("Basic {}", STANDARD.encode("cs"));
    let not_utf8 = format!("Basic {}", STANDARD.encode(b"c:\xff"));
    let bad_percent = format!("Basic {}", STANDARD.encode("c:%zz"));
    let empty_secret = format!("Basic {}", STANDARD.encode("c:"));
    for header in ["Bearer abc", "Basic", "Basic !!!", "", &no_colon, &not_utf8, &bad_percent, &empty_secret]
    {
        let error = parse(Some(header), CT, GRANT.as_bytes()).err().unwrap();
        assert_eq!((error.code(), error.http_status()), (OAuthErrorCode::InvalidClient, 401), "{header:?}");
        assert!(error.basic_auth_used());
    }
}

#[test]
fn basic_credentials_are_form_urldecoded_after_base64() {
    let cases = [
        (basic("scimcl_Ab", "s3cr%5Ft"), ("scimcl_Ab", "s3cr_t")),
        (basic("scimcl%5FAb", "s"), ("scimcl_Ab", "s")),
        (basic("c", "a+b"), ("c", "a b")),
        (basic("c", "x:y:z"), ("c", "x:y:z")),
        (format!("basic  {}", STANDARD_NO_PAD.encode("c:s1")), ("c", "s1")),
    ];
    for (header, (id, secret)) in cases {
        let request = parse(Some(&header), CT, GRANT.as_bytes()).unwrap();
        assert!(request.challenge);
        assert_eq!(secret_of(request), (id.to_owned(), secret.to_owned()), "{header}");
    }
}

#[test]
fn post_credentials_are_read_from_the_body() {
    let body = format!("{GRANT}&client_id=scimcl_Ab&client_secret=scimcs_x%2By&scope=scim");
    let request = parse(None, CT, body.as_bytes()).unwrap();
    assert!(!request.challenge && request.scope_well_formed);
    assert_eq!(secret_of(request), ("scimcl_Ab".to_owned(), "scimcs_x+y".to_owned()));
}

#[test]
fn scope_syntax_is_nqchar_tokens_separated_by_single_spaces() {
    for ok in ["scim", "scim scim.readwrite", "api://x/.default", "!#[]~"] {
        assert!(scope_is_well_formed(ok), "{ok}");
    }
    for bad in ["scim  x", " scim", "scim ", "a\"b", "a\\b", "é", "a\tb"] {
        assert!(!scope_is_well_formed(bad), "{bad:?}");
    }
    let body = format!("{GRANT}&client_id=c&client_secret=s&scope=%22");
    assert!(!parse(None, CT, body.as_bytes()).unwrap().scope_well_formed);
}

#[test]
fn descriptions_keep_to_the_rfc_character_set() {
    let errors = [
        parse(None, None, b"").err().unwrap(),
        parse(None, CT, b"x=%zz").err().unwrap(),
        parse(None, CT, b"grant_type=password").err().unwrap(),
        parse(None, CT, GRANT.as_bytes()).err().unwrap(),
    ];
    for error in errors {
        assert!(error.description().bytes().all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)));
    }
}

#[test]
fn debug_never_shows_the_secret() {
    let body = format!("{GRANT}&client_id=c&client_secret=topsecretvalue");
    let request = parse(None, CT, body.as_bytes()).unwrap();
    assert!(!format!("{:?}", request.client).contains("topsecretvalue"));
}

fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn never_panics_on_any_input(
            authorization in proptest::option::of(any::<String>()),
            content_type in proptest::option::of("[ -~]{0,60}"),
            body in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let _ = parse(authorization.as_deref(), content_type.as_deref(), &body);
        }

        #[test]
        fn never_panics_on_near_requests(
            header in "(Basic|basic|Bearer)? ?[A-Za-z0-9+/=%:]{0,40}",
            body in "(grant_type|client_id|client_secret|client_assertion|client_assertion_type|scope|&|=|%[0-9A-Fa-z]{0,2}|[a-z_:.+]){0,30}",
        ) {
            let _ = parse(Some(&header), CT, body.as_bytes());
            let _ = parse(None, CT, body.as_bytes());
        }

        /// Any text but U+FFFD, which stands for bytes that were not UTF-8 and is refused.
        #[test]
        fn basic_round_trips_any_id_and_secret(id in "[^\u{FFFD}]{1,20}", secret in "[^\u{FFFD}]{1,40}") {
            let encode = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
            let header = basic(&encode(&id), &encode(&secret));
            let request = parse(Some(&header), CT, GRANT.as_bytes()).unwrap();
            prop_assert_eq!(secret_of(request), (id, secret));
        }
    }
}
