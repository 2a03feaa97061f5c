//! A PostgreSQL URL in libpq's URI form, checked before any connection is tried:
//! `postgres[ql]://[USER[:PASSWORD]@][HOST[:PORT][,…]][/DATABASE][?NAME=VALUE&…]`.
//!
//! The URL may hold a password (in the user part or as `?password=`), so it is shown redacted and no
//! error repeats it. Option names are left to the driver, which knows which ones it supports.

use std::fmt;
use std::net::Ipv6Addr;

use super::{DatabaseUrlError, is_postgres};

/// A checked PostgreSQL URL. `Display` and `Debug` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PostgresUrl {
    url: String,
    redacted: String,
}

type Check<T = ()> = Result<T, &'static str>;

impl PostgresUrl {
    /// Checks `value` the way libpq reads a connection URI.
    pub(crate) fn parse(value: &str) -> Result<Self, DatabaseUrlError> {
        let redacted = check(value).map_err(DatabaseUrlError::Postgres)?;
        Ok(Self { url: value.to_owned(), redacted })
    }

    /// The URL as given, password included: for the driver only, never for output.
    // Read once the PostgreSQL backend is wired into `store::open`.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn as_str(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({:?})", self.redacted)
    }
}

/// Checks every part and returns the URL with its passwords replaced by `***`.
fn check(value: &str) -> Check<String> {
    let (scheme, rest) = value.split_once("://").ok_or("the scheme must be followed by ://")?;
    if !is_postgres(scheme) {
        return Err("the scheme must be postgres:// or postgresql://");
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains a space or a control character; percent-encode it (a space is %20)");
    }
    if rest.contains('#') {
        return Err("it contains #; percent-encode it as %23");
    }
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let (path, query) = tail.split_once('?').map_or((tail, None), |(path, query)| (path, Some(query)));

    let mut redacted = format!("{}://", scheme.to_ascii_lowercase());
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let (user, password) = userinfo.split_once(':').unzip();
            let user = user.unwrap_or(userinfo);
            check_encoding(user).map_err(|()| "the user name has a % not followed by two hex digits")?;
            redacted.push_str(user);
            if let Some(password) = password {
                check_encoding(password)
                    .map_err(|()| "the password has a % not followed by two hex digits")?;
                redacted.push_str(":***");
            }
            redacted.push('@');
            hosts
        }
        None => authority,
    };
    check_hosts(hosts)?;
    redacted.push_str(hosts);

    if let Some(database) = path.strip_prefix('/') {
        if database.contains('/') {
            return Err("the database name contains /; percent-encode it as %2F");
        }
        check_encoding(database).map_err(|()| "the database name has a % not followed by two hex digits")?;
    }
    redacted.push_str(path);
    if let Some(query) = query {
        redacted.push('?');
        redacted.push_str(&check_options(query)?);
    }
    Ok(redacted)
}

/// `HOST[:PORT]`, comma-separated; a host is a name, a percent-encoded socket directory, or `[IPv6]`.
/// An empty host list means libpq's defaults.
fn check_hosts(hosts: &str) -> Check {
    if hosts.is_empty() {
        return Ok(());
    }
    for host in hosts.split(',') {
        let (name, port) = match host.strip_prefix('[') {
            Some(bracketed) => {
                let (address, after) =
                    bracketed.split_once(']').ok_or("an IPv6 address lacks its closing ]")?;
                address.parse::<Ipv6Addr>().map_err(|_| "the address in [ ] is not an IPv6 address")?;
                let port = match after {
                    "" => None,
                    after => Some(after.strip_prefix(':').ok_or("[IPv6] may only be followed by :PORT")?),
                };
                (None, port)
            }
            None => host.split_once(':').map_or((Some(host), None), |(name, port)| (Some(name), Some(port))),
        };
        if let Some(name) = name {
            if name.is_empty() && port.is_none() {
                return Err("the host list has an empty entry");
            }
            let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~%".contains(c);
            if !name.chars().all(allowed) || check_encoding(name).is_err() {
                return Err("a host name may hold only letters, digits, - . _ ~ and %-escapes");
            }
        }
        if let Some(port) = port {
            let valid = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
            if !valid || !matches!(port.parse::<u32>(), Ok(1..=65535)) {
                return Err("the port must be a number from 1 to 65535");
            }
        }
    }
    Ok(())
}

/// `NAME=VALUE&…`, returned with the value of any `password` option replaced by `***`.
fn check_options(query: &str) -> Check<String> {
    let mut redacted = Vec::new();
    for option in query.split('&').filter(|option| !option.is_empty()) {
        let (name, value) = option.split_once('=').ok_or("every option after ? must be NAME=VALUE")?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err("an option name after ? may hold only letters, digits and _");
        }
        check_encoding(value).map_err(|()| "an option value has a % not followed by two hex digits")?;
        redacted.push(if name == "password" { "password=***".to_owned() } else { option.to_owned() });
    }
    Ok(redacted.join("&"))
}

/// Every `%` starts a two-hex-digit escape.
fn check_encoding(text: &str) -> Result<(), ()> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'%') {
        let escape = bytes.get(at + offset + 1..at + offset + 3).ok_or(())?;
        if !escape.iter().all(u8::is_ascii_hexdigit) {
            return Err(());
        }
        at += offset + 3;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_documented_forms_are_accepted() {
        // The examples of libpq's documentation (§ 34.1.1.2), with postgres:// as well.
        for url in [
            "postgresql://",
            "postgresql://localhost",
            "postgresql://localhost:5433",
            "postgresql://localhost/mydb",
            "postgresql://user@localhost",
            "postgresql://user:secret@localhost",
            "postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp",
            "postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp",
            "postgresql:///mydb?host=localhost&port=5433",
            "postgresql://[2001:db8::1234]/database",
            "postgresql://[::1]:5432/database",
            "postgresql:///dbname?host=/var/lib/postgresql",
            "postgresql://%2Fvar%2Flib%2Fpostgresql/dbname",
            "postgres://postgres@127.0.0.1:5432/test",
            "postgres://:5433/db",
            "postgres://us%40er:p%3Ass@h/d%20b?sslmode=require",
            "postgres://h/db?",
        ] {
            assert!(PostgresUrl::parse(url).is_ok(), "{url}: {:?}", PostgresUrl::parse(url));
        }
    }

    #[test]
    fn malformed_urls_are_refused_with_the_reason() {
        for (url, reason) in [
            ("postgres:localhost", "the scheme must be followed by ://"),
            ("mysql://h/db", "the scheme must be postgres:// or postgresql://"),
            ("postgres://h:0/db", "the port must be a number from 1 to 65535"),
            ("postgres://h:65536/db", "the port must be a number from 1 to 65535"),
            ("postgres://h:/db", "the port must be a number from 1 to 65535"),
            ("postgres://h:+5/db", "the port must be a number from 1 to 65535"),
            ("postgres://h:54x/db", "the port must be a number from 1 to 65535"),
            ("postgres://h1,,h2/db", "the host list has an empty entry"),
            ("postgres://[::1/db", "an IPv6 address lacks its closing ]"),
            ("postgres://[not-v6]/db", "the address in [ ] is not an IPv6 address"),
            ("postgres://[::1]x/db", "[IPv6] may only be followed by :PORT"),
            ("postgres://ho$t/db", "a host name may hold only letters, digits, - . _ ~ and %-escapes"),
            ("postgres://h%zz/db", "a host name may hold only letters, digits, - . _ ~ and %-escapes"),
            ("postgres://u%4@h/db", "the user name has a % not followed by two hex digits"),
            ("postgres://u:p%@h/db", "the password has a % not followed by two hex digits"),
            ("postgres://h/a/b", "the database name contains /; percent-encode it as %2F"),
            ("postgres://h/d%g0", "the database name has a % not followed by two hex digits"),
            ("postgres://h/db?sslmode", "every option after ? must be NAME=VALUE"),
            ("postgres://h/db?=x", "an option name after ? may hold only letters, digits and _"),
            ("postgres://h/db?a-b=x", "an option name after ? may hold only letters, digits and _"),
            ("postgres://h/db?a=%", "an option value has a % not followed by two hex digits"),
            (
                "postgres://h/d b",
                "it contains a space or a control character; percent-encode it (a space is %20)",
            ),
            (
                "postgres://h/db\n",
                "it contains a space or a control character; percent-encode it (a space is %20)",
            ),
            ("postgres://h/db#frag", "it contains #; percent-encode it as %23"),
        ] {
            assert_eq!(PostgresUrl::parse(url), Err(DatabaseUrlError::Postgres(reason)), "{url}");
        }
    }

    #[test]
    fn passwords_are_redacted_and_the_rest_kept() {
        for (url, shown) in [
            ("postgres://alice:s3cret@db:5432/app", "postgres://alice:***@db:5432/app"),
            ("POSTGRESQL://alice@db/app", "postgresql://alice@db/app"),
            ("postgres://:pw@db/app", "postgres://:***@db/app"),
            (
                "postgres://db/app?user=u&password=pw&sslmode=require",
                "postgres://db/app?user=u&password=***&sslmode=require",
            ),
            ("postgres://a:b:c@d@h/app", "postgres://a:***@h/app"),
        ] {
            let parsed = PostgresUrl::parse(url).unwrap();
            assert_eq!(parsed.to_string(), shown);
            assert_eq!(format!("{parsed:?}"), format!("PostgresUrl({shown:?})"));
            assert_eq!(parsed.as_str(), url, "the driver gets the URL unchanged");
        }
    }
}
