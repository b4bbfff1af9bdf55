//! Which URLs the process may fetch: the guard against server-side request forgery.
//!
//! ```text
//!   EgressPolicy::Open                       command line: the user reads what they like
//!   EgressPolicy::AllowList { prefixes, networks }    the service: every URL fetched on a
//!       client's behalf must
//!         1. be http(s) and start with a listed prefix (at a path boundary), and
//!         2. resolve only to public addresses — loopback, private, link-local, CGNAT,
//!            multicast, unspecified and the like are refused unless the URL's host is
//!            itself named in a listed prefix, or the address lies in a listed network.
//!   checked: before each request (clear error), at connect time by the HTTP client's
//!   resolver (no DNS-rebinding window), and on every redirect hop (redirects are followed
//!   by hand, each Location re-checked).
//! ```

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

/// Why a URL may not be fetched, or an allow-list entry does not parse; each renders as one
/// line naming the URL (host, network).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    /// Not a URL at all (no `scheme://`).
    #[error("{url} is not a URL")]
    NotAUrl {
        /// The text given.
        url: String,
    },
    /// A URL of a form that is never fetched (see [`UrlProblem`]).
    #[error("{url}: {problem}")]
    BadUrl {
        /// The URL.
        url: String,
        /// What is wrong with it.
        problem: UrlProblem,
    },
    /// A well-formed URL under no prefix of the allow-list.
    #[error("{url} is not a URL this server may read (see [rookery] allowed_urls)")]
    NotAllowed {
        /// The URL.
        url: String,
    },
    /// The host resolves to an internal address that is neither listed by host nor in a
    /// listed network.
    #[error(
        "{host} resolves to {ip}, a {kind} address this server does not fetch from (list it in [rookery] allowed_urls or allowed_networks)"
    )]
    InternalAddress {
        /// The host (lower case, no brackets).
        host: String,
        /// The address it resolved to.
        ip: IpAddr,
        /// What kind of internal address (see [`internal_kind`]).
        kind: &'static str,
    },
    /// The host does not resolve.
    #[error("{url}: cannot resolve {host}: {msg}")]
    Unresolved {
        /// The URL.
        url: String,
        /// Its host.
        host: String,
        /// The resolver's error.
        msg: String,
    },
    /// An entry of `allowed_networks` that is not an address or network.
    #[error("'{net}' is not an IP network (like 10.0.0.0/8)")]
    NotANetwork {
        /// The entry (trimmed).
        net: String,
    },
    /// An entry of `allowed_networks` whose prefix length is out of range.
    #[error("'{net}' has a bad prefix length")]
    BadPrefixLength {
        /// The entry (trimmed).
        net: String,
    },
}

impl EgressError {
    /// Whether the URL itself is malformed or of a form never fetched (a bad request), as
    /// opposed to a well-formed URL the policy does not allow or whose host is internal.
    #[must_use]
    pub fn is_bad_url(&self) -> bool {
        matches!(self, EgressError::NotAUrl { .. } | EgressError::BadUrl { .. })
    }
}

/// What is wrong with a URL that is never fetched ([`EgressError::BadUrl`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    /// A scheme other than http or https.
    #[error("only http and https URLs may be fetched")]
    Scheme,
    /// User information (`user@host`) in the authority.
    #[error("URLs with user information (user@host) are not fetched")]
    UserInfo,
    /// An empty host.
    #[error("no host")]
    NoHost,
    /// A host that is neither a DNS name, an IPv4 address nor a bracketed IPv6 address.
    #[error("bad host")]
    Host,
    /// A bracketed IPv6 host without its closing bracket.
    #[error("bad IPv6 host")]
    Ipv6Host,
    /// A port that is not a number below 65536.
    #[error("bad port '{0}'")]
    Port(String),
    /// A `%` not followed by two hex digits in the path.
    #[error("a malformed percent-encoding in the path")]
    PercentEncoding,
    /// `%2f`, `%5c` or an encoded control character in the path.
    #[error("an encoded slash, backslash or control character in the path")]
    EncodedSeparator,
    /// A backslash or control character in the path.
    #[error("a backslash or control character in the path")]
    Separator,
}

/// [`EgressError::BadUrl`] for `url`.
fn bad(url: &str, problem: UrlProblem) -> EgressError {
    EgressError::BadUrl { url: url.to_string(), problem }
}

/// An IP network (`10.0.0.0/8`, `fd00::/8`, or one address).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `a.b.c.d/n`, `x::y/n` or a bare address.
    ///
    /// # Errors
    /// Not an address or a prefix length out of range.
    pub fn parse(s: &str) -> Result<IpNet, EgressError> {
        let s = s.trim();
        let (a, p) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = a.trim().parse().map_err(|_| EgressError::NotANetwork { net: s.to_string() })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|&n| n <= max)
                .ok_or_else(|| EgressError::BadPrefixLength { net: s.to_string() })?,
        };
        Ok(IpNet { addr, prefix })
    }

    /// Whether `ip` lies in this network (IPv4-mapped IPv6 addresses count as IPv4).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) addresses as the IPv4
/// address they reach.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|&x| x == 0) {
                let o = v6.octets();
                return IpAddr::V4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            }
            IpAddr::V6(v6)
        }
        v4 => v4,
    }
}

/// Why `ip` is not a public address, or `None` when it is.
#[must_use]
pub fn internal_kind(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(a) => {
            let o = a.octets();
            if a.is_loopback() {
                Some("loopback")
            } else if a.is_unspecified() || o[0] == 0 {
                Some("unspecified")
            } else if a.is_private() {
                Some("private")
            } else if a.is_link_local() {
                Some("link-local")
            } else if o[0] == 100 && (64..128).contains(&o[1]) {
                Some("shared (CGNAT)")
            } else if a.is_multicast() || a.is_broadcast() || o[0] >= 240 {
                Some("multicast/reserved")
            } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
                Some("IETF protocol")
            } else if o[0] == 198 && (o[1] == 18 || o[1] == 19) {
                Some("benchmarking")
            } else {
                None
            }
        }
        IpAddr::V6(a) => {
            let s0 = a.segments()[0];
            if a.is_loopback() {
                Some("loopback")
            } else if a.is_unspecified() {
                Some("unspecified")
            } else if s0 & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if s0 & 0xffc0 == 0xfe80 || s0 & 0xffc0 == 0xfec0 {
                Some("link-local")
            } else if a.is_multicast() {
                Some("multicast/reserved")
            } else if a == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1) {
                Some("loopback")
            } else {
                None
            }
        }
    }
}

/// Scheme, host (lower case, no brackets) and port of an http(s) URL.
///
/// # Errors
/// Not an http(s) URL, or no host.
pub fn url_host(url: &str) -> Result<(String, String, u16), EgressError> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| EgressError::NotAUrl { url: url.to_string() })?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(bad(url, UrlProblem::Scheme)),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(|| bad(url, UrlProblem::Ipv6Host))?;
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    let port = match port.filter(|p| !p.is_empty()) {
        Some(p) => p.parse::<u16>().map_err(|_| bad(url, UrlProblem::Port(p.to_string())))?,
        None => default_port,
    };
    if host.is_empty() {
        return Err(bad(url, UrlProblem::NoHost));
    }
    Ok((scheme, host.to_ascii_lowercase(), port))
}

/// The normal form of an http(s) URL (RFC 3986 §6.2.2): scheme and host in lower case, the
/// default port dropped, percent-encodings of unreserved characters decoded (other encodings
/// upper-cased), dot segments (`.`, `..`, also spelled `%2e`) removed from the path. The
/// query and fragment are kept as they are.
///
/// # Errors
/// Not an http(s) URL, userinfo (`user@host`), a bad port, an encoded slash or backslash
/// (`%2f`, `%5c`, `\`) or a control character in the path: forms a server may resolve outside
/// the prefix it was matched against.
pub fn normalize_url(url: &str) -> Result<String, EgressError> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| EgressError::NotAUrl { url: url.to_string() })?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(bad(url, UrlProblem::Scheme)),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err(bad(url, UrlProblem::UserInfo));
    }
    let (_, host, port) = url_host(url)?;
    // A host is a DNS name or IPv4 address (letters, digits, '-', '.', '_') or a bracketed
    // IPv6 address; anything else could be read differently by another parser.
    let host = if host.contains(':') {
        let ip: std::net::Ipv6Addr = host.parse().map_err(|_| bad(url, UrlProblem::Host))?;
        if !authority.starts_with('[') {
            return Err(bad(url, UrlProblem::Host));
        }
        format!("[{ip}]")
    } else if host.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_')) {
        host
    } else {
        return Err(bad(url, UrlProblem::Host));
    };
    let authority = if port == default_port { host } else { format!("{host}:{port}") };
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let (path, after) = tail.split_at(path_end);
    let path = normalize_path(path).map_err(|p| bad(url, p))?;
    Ok(format!("{scheme}://{authority}{path}{after}"))
}

/// A URL path with unreserved percent-encodings decoded and dot segments removed.
fn normalize_path(path: &str) -> Result<String, UrlProblem> {
    let b = path.as_bytes();
    let mut dec = String::with_capacity(path.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let hex = path.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(v) = hex else { return Err(UrlProblem::PercentEncoding) };
            if v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~') {
                dec.push(char::from(v));
            } else if matches!(v, b'/' | b'\\') || v < 0x20 || v == 0x7f {
                return Err(UrlProblem::EncodedSeparator);
            } else {
                dec.push_str(&format!("%{v:02X}"));
            }
            i += 3;
            continue;
        }
        if c == b'\\' || c < 0x20 || c == 0x7f {
            return Err(UrlProblem::Separator);
        }
        // Multi-byte UTF-8 is copied byte by byte through the char boundary below.
        let ch_len = path[i..].chars().next().map_or(1, char::len_utf8);
        dec.push_str(&path[i..i + ch_len]);
        i += ch_len;
    }
    // RFC 3986 §5.2.4 remove_dot_segments.
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = dec.split('/').collect();
    let last = segs.len().saturating_sub(1);
    for (k, seg) in segs.iter().enumerate() {
        match *seg {
            "." => {
                if k == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if k == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    Ok(if joined.is_empty() || !joined.starts_with('/') {
        format!("/{}", joined.trim_start_matches('/'))
    } else {
        joined
    })
}

/// Whether `url` starts with `prefix` at a boundary (`http://a.org` does not cover
/// `http://a.org.evil.net/`, `http://a.org/data` does not cover `http://a.org/database`).
fn under_prefix(url: &str, prefix: &str) -> bool {
    if prefix.is_empty() || url.len() < prefix.len() || !url.is_char_boundary(prefix.len()) {
        return false;
    }
    let (head, tail) = url.split_at(prefix.len());
    if !head.eq_ignore_ascii_case(prefix) {
        return false;
    }
    prefix.ends_with('/') || tail.is_empty() || tail.starts_with(['/', '?', '#'])
}

/// What the process may fetch (see the module documentation).
#[derive(Clone, Debug, Default)]
pub enum EgressPolicy {
    /// Anything (the command line).
    #[default]
    Open,
    /// Only listed URL prefixes, public addresses unless listed.
    AllowList {
        /// URL prefixes.
        prefixes: Vec<String>,
        /// Networks whose (internal) addresses may be reached.
        networks: Vec<IpNet>,
        /// Hosts named in the prefixes: their addresses may be internal.
        listed_hosts: HashSet<String>,
    },
}

impl EgressPolicy {
    /// An allow-list policy from URL prefixes and networks (`[rookery] allowed_urls`,
    /// `allowed_networks`).
    ///
    /// # Errors
    /// A network that does not parse.
    pub fn allow_list(prefixes: &[String], networks: &[String]) -> Result<EgressPolicy, EgressError> {
        // Prefixes are matched in normal form (a prefix that is not a URL never matches).
        let prefixes: Vec<String> = prefixes
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| normalize_url(p).unwrap_or_else(|_| p.to_string()))
            .collect();
        let listed_hosts = prefixes.iter().filter_map(|p| url_host(p).ok()).map(|(_, h, _)| h).collect();
        let networks =
            networks.iter().filter(|n| !n.trim().is_empty()).map(|n| IpNet::parse(n)).collect::<Result<_, _>>()?;
        Ok(EgressPolicy::AllowList { prefixes, networks, listed_hosts })
    }

    /// Whether this policy restricts anything.
    #[must_use]
    pub fn is_open(&self) -> bool {
        matches!(self, EgressPolicy::Open)
    }

    /// Checks the URL text: scheme and listed prefix. The URL is matched in its normal form
    /// ([`normalize_url`]), which is what the client then sends, so dot segments and
    /// percent-encoded dots cannot climb out of a prefix.
    ///
    /// # Errors
    /// One line naming the URL and the reason.
    pub fn check_url(&self, url: &str) -> Result<(), EgressError> {
        self.admit(url).map(drop)
    }

    /// [`EgressPolicy::check_url`], returning the form to send: the normal form under an
    /// allow-list, `url` unchanged when the policy is open.
    ///
    /// # Errors
    /// As [`EgressPolicy::check_url`].
    pub fn admit(&self, url: &str) -> Result<String, EgressError> {
        let EgressPolicy::AllowList { prefixes, .. } = self else { return Ok(url.to_string()) };
        let norm = normalize_url(url)?;
        if prefixes.iter().any(|p| under_prefix(&norm, p)) {
            Ok(norm)
        } else {
            Err(EgressError::NotAllowed { url: url.to_string() })
        }
    }

    /// Checks one address `host` resolved to.
    ///
    /// # Errors
    /// An internal address that is neither listed by host nor in a listed network.
    pub fn check_addr(&self, host: &str, ip: IpAddr) -> Result<(), EgressError> {
        let EgressPolicy::AllowList { networks, listed_hosts, .. } = self else {
            return Ok(());
        };
        let Some(kind) = internal_kind(ip) else { return Ok(()) };
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if listed_hosts.contains(&host) || networks.iter().any(|n| n.contains(ip)) {
            return Ok(());
        }
        Err(EgressError::InternalAddress { host, ip, kind })
    }

    /// [`EgressPolicy::check_url`], then resolves the host and checks every address.
    ///
    /// # Errors
    /// As the two checks; a host that does not resolve.
    pub fn check(&self, url: &str) -> Result<(), EgressError> {
        if self.is_open() {
            return Ok(());
        }
        self.check_url(url)?;
        let (_, host, port) = url_host(url)?;
        let addrs = (host.as_str(), port).to_socket_addrs().map_err(|e| EgressError::Unresolved {
            url: url.to_string(),
            host: host.clone(),
            msg: e.to_string(),
        })?;
        for a in addrs {
            self.check_addr(&host, a.ip())?;
        }
        Ok(())
    }
}

/// Resolves `location` (a redirect's `Location`) against `base`.
#[must_use]
pub fn join_location(base: &str, location: &str) -> String {
    let location = location.trim();
    if location.contains("://") {
        return location.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some(net) = location.strip_prefix("//") {
        return format!("{scheme}://{net}");
    }
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}");
    }
    let path = &rest[authority.len()..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    format!("{scheme}://{authority}{dir}/{location}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(p: &[&str], n: &[&str]) -> EgressPolicy {
        EgressPolicy::allow_list(
            &p.iter().map(|s| (*s).to_string()).collect::<Vec<_>>(),
            &n.iter().map(|s| (*s).to_string()).collect::<Vec<_>>(),
        )
        .expect("policy")
    }

    #[test]
    fn prefixes_match_at_boundaries() {
        let p = policy(&["https://data.org", "http://127.0.0.1:8000/pub/"], &[]);
        assert!(p.check_url("https://data.org/a.nc").is_ok());
        assert!(p.check_url("HTTPS://DATA.ORG/a.nc").is_ok());
        assert!(p.check_url("https://data.org.evil.net/a.nc").is_err());
        assert!(p.check_url("https://data.org@evil.net/a.nc").is_err());
        assert!(p.check_url("http://127.0.0.1:8000/pub/x").is_ok());
        assert!(p.check_url("http://127.0.0.1:8000/public").is_err());
        assert!(p.check_url("file:///etc/passwd").is_err());
        assert!(p.check_url("ftp://data.org/a").is_err());
        assert!(EgressPolicy::Open.check_url("http://169.254.169.254/").is_ok());
    }

    #[test]
    fn internal_addresses() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(internal_kind(a.parse().expect("ip")).is_some(), "{a}");
        }
        for a in ["8.8.8.8", "130.246.0.1", "2001:4860:4860::8888"] {
            assert!(internal_kind(a.parse().expect("ip")).is_none(), "{a}");
        }
    }

    #[test]
    fn listed_hosts_and_networks() {
        let p = policy(&["http://127.0.0.1:9/", "https://node.example/"], &["10.0.0.0/8"]);
        assert!(p.check_addr("127.0.0.1", "127.0.0.1".parse().expect("ip")).is_ok());
        assert!(p.check_addr("node.example", "192.168.0.2".parse().expect("ip")).is_ok());
        assert!(p.check_addr("evil.example", "10.9.9.9".parse().expect("ip")).is_ok());
        let e = p.check_addr("evil.example", "169.254.169.254".parse().expect("ip")).expect_err("refused");
        assert!(matches!(e, EgressError::InternalAddress { kind: "link-local", .. }), "{e}");
        assert!(e.to_string().contains("link-local"), "{e}");
        assert!(p.check_addr("localhost", "::1".parse().expect("ip")).is_err());
        assert!(p.check_addr("x", "8.8.8.8".parse().expect("ip")).is_ok());
        assert!(p.check("http://127.0.0.1:9/x").is_ok());
        // A broad prefix lists no host: other spellings of loopback resolve and are refused.
        let broad = policy(&["http://"], &[]);
        for u in ["http://2130706433/a", "http://localhost/a", "http://[::1]/a", "http://0x7f.1/a"] {
            let e = broad.check(u).expect_err(u);
            assert!(
                matches!(e, EgressError::InternalAddress { kind: "loopback", .. } | EgressError::Unresolved { .. }),
                "{u}: {e}"
            );
        }
    }

    #[test]
    fn networks_parse() {
        assert!(IpNet::parse("10.0.0.0/8").expect("net").contains("10.200.1.1".parse().expect("ip")));
        assert!(!IpNet::parse("10.0.0.0/8").expect("net").contains("11.0.0.1".parse().expect("ip")));
        assert!(IpNet::parse("fd00::/8").expect("net").contains("fd12::1".parse().expect("ip")));
        assert!(IpNet::parse("10.0.0.0/33").is_err());
        assert!(IpNet::parse("nope").is_err());
    }

    #[test]
    fn locations() {
        assert_eq!(join_location("http://a/b/c.nc", "d.nc"), "http://a/b/d.nc");
        assert_eq!(join_location("http://a/b/c.nc", "/x"), "http://a/x");
        assert_eq!(join_location("https://a/b", "//c/d"), "https://c/d");
        assert_eq!(join_location("http://a/b", "http://z/"), "http://z/");
    }
}
