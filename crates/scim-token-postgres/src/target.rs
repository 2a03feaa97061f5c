//! Where a store connects, said without the password: every error message and log line names the server
//! through a [`Target`], never through the URL it was given.

use std::fmt;
use std::sync::Arc;

use tokio_postgres::config::{Config, Host};

/// The server, port, user and database a store talks to, as `postgres://user@host:port/database`.
/// It never holds a password or any other connection option, so it is safe to log.
#[derive(Clone, PartialEq, Eq)]
pub struct Target(Arc<str>);

impl Target {
    /// Describes `config` without its password or options.
    pub(crate) fn of(config: &Config) -> Self {
        let user = config.get_user().unwrap_or("(default user)");
        let ports = config.get_ports();
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(n, host)| {
                let port = ports.get(n).or(ports.first()).copied().unwrap_or(5432);
                match host {
                    Host::Tcp(name) => format!("{name}:{port}"),
                    #[cfg(unix)]
                    Host::Unix(path) => format!("[{}]:{port}", path.display()),
                }
            })
            .collect();
        let hosts = if hosts.is_empty() { "(default host)".to_owned() } else { hosts.join(",") };
        let database = config.get_dbname().unwrap_or(user);
        Self(format!("postgres://{user}@{hosts}/{database}").into())
    }

    /// A target for a pool the host built, whose configuration the store cannot see.
    pub(crate) fn host_pool() -> Self {
        Self(Arc::from("the host's connection pool"))
    }

    /// The description, e.g. `postgres://app@db.internal:5432/app`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Target({:?})", &*self.0)
    }
}

/// `url` with any password replaced by `***`: the user-info password of a `postgres://` URL and every
/// `password=` value (a URL query parameter or a `key=value` connection string). For messages about a
/// URL that could not be parsed, so nothing else can be trusted about its shape.
pub fn redact_url(url: &str) -> String {
    let mut out = redact_userinfo(url);
    let mut from = 0;
    while let Some(found) = find_ignore_case(&out[from..], "password") {
        let key_start = from + found;
        let mut at = key_start + "password".len();
        // The key must stand alone (start of text, or after a separator) and be followed by `=`.
        let standalone = out[..key_start].chars().next_back().is_none_or(|c| "?&; \t\n".contains(c));
        let rest = &out[at..];
        let spaces = rest.len() - rest.trim_start().len();
        if !standalone || !rest[spaces..].starts_with('=') {
            from = at;
            continue;
        }
        at += spaces + 1;
        let value = &out[at..];
        let value = &value[value.len() - value.trim_start().len()..];
        let value_start = out.len() - value.len();
        let value_len = match value.strip_prefix('\'') {
            // A quoted value of a key=value string: up to the closing unescaped quote.
            Some(quoted) => {
                let mut escaped = false;
                let end = quoted
                    .char_indices()
                    .find(|&(_, c)| {
                        let closes = c == '\'' && !escaped;
                        escaped = c == '\\' && !escaped;
                        closes
                    })
                    .map_or(quoted.len(), |(n, _)| n + 1);
                end + 1
            }
            None => value.find(['&', ' ', '\t', '\n', '#']).unwrap_or(value.len()),
        };
        out.replace_range(value_start..value_start + value_len, "***");
        from = value_start + 3;
    }
    out
}

/// Replaces the password in `scheme://user:password@host…`.
fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_owned() };
    let authority_start = scheme_end + 3;
    let authority_len = url[authority_start..].find(['/', '?', '#']).unwrap_or(url.len() - authority_start);
    let authority = &url[authority_start..authority_start + authority_len];
    let Some(at) = authority.rfind('@') else { return url.to_owned() };
    let Some(colon) = authority[..at].find(':') else { return url.to_owned() };
    let mut out = url.to_owned();
    out.replace_range(authority_start + colon + 1..authority_start + at, "***");
    out
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_every_url_form() {
        let cases = [
            ("postgres://app:s3cret@db:5432/app", "postgres://app:***@db:5432/app"),
            (
                "postgresql://app:s3:cr@et@db/app?sslmode=require",
                "postgresql://app:***@db/app?sslmode=require",
            ),
            (
                "postgres://app@db/app?password=s3cret&sslmode=disable",
                "postgres://app@db/app?password=***&sslmode=disable",
            ),
            (
                "postgres://app@db/app?sslmode=disable&PASSWORD=s3cret",
                "postgres://app@db/app?sslmode=disable&PASSWORD=***",
            ),
            ("host=db user=app password=s3cret dbname=app", "host=db user=app password=*** dbname=app"),
            ("host=db password = 's3 \\' cret' dbname=app", "host=db password = *** dbname=app"),
            ("postgres://app@db/app", "postgres://app@db/app"),
            ("postgres://db/app?passwordless=1", "postgres://db/app?passwordless=1"),
            ("not a url", "not a url"),
        ];
        for (url, redacted) in cases {
            assert_eq!(redact_url(url), redacted, "{url}");
            assert!(!redact_url(url).contains("s3"), "{url}");
        }
    }

    #[test]
    fn a_target_never_shows_the_password_or_options() {
        let config: Config =
            "postgres://app:s3cret@db.internal:6543/tokens?options=-c%20search_path%3Dx".parse().unwrap();
        assert_eq!(Target::of(&config).as_str(), "postgres://app@db.internal:6543/tokens");
        let socket: Config = "host=/var/run/postgresql user=app password=s3cret".parse().unwrap();
        assert_eq!(Target::of(&socket).as_str(), "postgres://app@[/var/run/postgresql]:5432/app");
    }
}
