//! Peers as configured: `peer = "<name> <url> holds=… [protocol=…] [credentials…]"` parsed into
//! plain data. Talking to them (tokens, jobs, downloads) is `federation`'s.

use super::ConfigError;

/// One configured peer.
#[derive(Clone, PartialEq, Eq)]
pub struct PeerConfig {
    /// Short name (used in provenance and errors).
    pub name: String,
    /// Base URL of its OGC API (no trailing slash).
    pub url: String,
    /// Dataset-id patterns it holds (`*` matches any run of characters).
    pub holds: Vec<String>,
    /// STAC indexes that list what it holds (`holds=stac:<STAC API URL>#<collection>`); they
    /// decide when they answer, the patterns when they cannot be asked.
    pub stac: Vec<StacIndex>,
    /// Bearer token sent to it (from `token_env=VAR`, or inline `token=`).
    pub token: Option<String>,
    /// OAuth2 client credentials this node uses to get tokens for the peer (`token_url=`
    /// `client_id=` `client_secret_env=`/`client_secret=` [`scope=`] [`resource=`]
    /// [`audience=`]).
    pub client: Option<ClientCredentials>,
    /// `token_exchange=on`: parts run at the peer as the submitting user, with a token got by
    /// exchanging the user's token (RFC 8693) using [`client`](Self::client) as this node's
    /// credentials; the client's own token is used only for usage collection.
    pub exchange: bool,
    /// How to talk to it.
    pub protocol: Protocol,
}

/// A STAC API listing a peer's datasets as items (ids = dataset ids).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StacIndex {
    /// The API's root (no trailing slash), e.g. `https://node.example/stac`.
    pub url: String,
    /// The collection searched (`None`: all).
    pub collection: Option<String>,
}

/// A peer's protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Protocol {
    /// OGC API – Processes (a rookery): jobs with idempotency keys.
    #[default]
    Ogc,
    /// WPS 1.0.0 with rook's processes (a rook, or a rookery's `/wps`).
    Wps,
}

/// An OAuth2 client-credentials grant (RFC 6749 §4.4) at the peer's identity provider.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The token endpoint.
    pub token_url: String,
    /// This node's client id there.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// Scopes asked for (space-separated), if any.
    pub scope: Option<String>,
    /// RFC 8707 resource indicator, if any.
    pub resource: Option<String>,
    /// Audience asked for (RFC 8693 `audience`, also sent with client credentials, as
    /// Keycloak and Auth0 take it), if any.
    pub audience: Option<String>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"(set)")
            .field("scope", &self.scope)
            .field("resource", &self.resource)
            .field("audience", &self.audience)
            .finish()
    }
}

impl std::fmt::Debug for PeerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerConfig")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("holds", &self.holds)
            .field("stac", &self.stac)
            .field("token", &self.token.as_ref().map(|_| "(set)"))
            .field("client", &self.client)
            .field("protocol", &self.protocol)
            .finish()
    }
}

/// Parses `peer = "<name> <url> holds=a,b [token_env=VAR] [token=T] [protocol=ogc|wps]"`.
///
/// # Errors
/// [`ConfigError::Invalid`]: a missing name, URL or `holds`, an unsupported protocol or
/// option, an unset token variable, incomplete client credentials.
pub fn parse_peer(s: &str) -> Result<PeerConfig, ConfigError> {
    parse_peer_with(s, true)
}

/// [`parse_peer`]; with `read_secrets` false the `token_env=`/`client_secret_env=` variables
/// are not read (left unset): for commands that never talk to peers (`rookery keys`,
/// `rookery audit`), which must not need the peers' secrets.
///
/// # Errors
/// See [`parse_peer`].
pub fn parse_peer_with(s: &str, read_secrets: bool) -> Result<PeerConfig, ConfigError> {
    let mut it = s.split_whitespace();
    let name = it.next().ok_or_else(|| ConfigError::Invalid("config: peer needs a name".into()))?.to_string();
    let url = it
        .next()
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .ok_or_else(|| ConfigError::Invalid(format!("config: peer '{name}' needs an http(s) base URL after its name")))?
        .trim_end_matches('/')
        .to_string();
    let mut p = PeerConfig {
        name,
        url,
        holds: Vec::new(),
        stac: Vec::new(),
        token: None,
        client: None,
        exchange: false,
        protocol: Protocol::Ogc,
    };
    let (mut token_url, mut client_id, mut client_secret, mut scope, mut resource, mut audience) =
        (None, None, None, None, None, None);
    for kv in it {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| ConfigError::Invalid(format!("config: peer '{}': '{kv}' is not key=value", p.name)))?;
        match k {
            "holds" => {
                for h in v.split(',').map(str::trim).filter(|x| !x.is_empty()) {
                    match h.strip_prefix("stac:") {
                        Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                            let (url, c) = u.split_once('#').map_or((u, None), |(a, b)| (a, Some(b)));
                            p.stac.push(StacIndex {
                                url: url.trim_end_matches('/').to_string(),
                                collection: c.filter(|c| !c.is_empty()).map(String::from),
                            });
                        }
                        Some(u) => {
                            return Err(ConfigError::Invalid(format!(
                                "config: peer '{}': holds=stac:{u} needs an http(s) STAC API URL (stac:https://node/stac#collection)",
                                p.name
                            )))
                        }
                        None => p.holds.push(h.to_string()),
                    }
                }
            }
            "token" => p.token = Some(v.to_string()),
            "token_env" if !read_secrets => {}
            "token_env" => {
                p.token = Some(std::env::var(v).map_err(|_| ConfigError::Invalid(format!("config: peer '{}': environment variable {v} is not set", p.name)))?);
            }
            "token_url" => token_url = Some(v.to_string()),
            "client_id" => client_id = Some(v.to_string()),
            "client_secret" => client_secret = Some(v.to_string()),
            "client_secret_env" if !read_secrets => client_secret = Some(String::new()),
            "client_secret_env" => {
                client_secret = Some(std::env::var(v).map_err(|_| ConfigError::Invalid(format!("config: peer '{}': environment variable {v} is not set", p.name)))?);
            }
            "scope" => scope = Some(v.replace(',', " ")),
            "resource" => resource = Some(v.to_string()),
            "audience" => audience = Some(v.to_string()),
            "token_exchange" => {
                p.exchange = crate::text::parse_bool(v)
                    .ok_or_else(|| ConfigError::Invalid(format!("config: peer '{}': token_exchange must be on or off, not '{v}'", p.name)))?;
            }
            "protocol" if v == "ogc" => p.protocol = Protocol::Ogc,
            "protocol" if v == "wps" => p.protocol = Protocol::Wps,
            "protocol" => {
                return Err(ConfigError::Invalid(format!(
                    "config: peer '{}': protocol '{v}' is not supported (protocol=ogc for a rookery's OGC API, protocol=wps for a rook's WPS endpoint)",
                    p.name
                )))
            }
            other => return Err(ConfigError::Invalid(format!("config: peer '{}': unknown option '{other}'", p.name))),
        }
    }
    if p.holds.is_empty() && p.stac.is_empty() {
        return Err(ConfigError::Invalid(format!("config: peer '{}' needs holds=<dataset-id patterns>", p.name)));
    }
    match (token_url, client_id, client_secret) {
        (Some(token_url), Some(client_id), Some(client_secret)) => {
            p.client = Some(ClientCredentials { token_url, client_id, client_secret, scope, resource, audience });
        }
        (None, None, None) if !p.exchange => {}
        _ => {
            return Err(ConfigError::Invalid(format!(
                "config: peer '{}': {} need token_url, client_id and client_secret(_env)",
                p.name,
                if p.exchange { "token_exchange=on and client credentials" } else { "client credentials" }
            )))
        }
    }
    if p.exchange && p.token.is_some() {
        return Err(ConfigError::Invalid(format!(
            "config: peer '{}': token_exchange=on and a static token= / token_env= exclude each other",
            p.name
        )));
    }
    Ok(p)
}

/// `scheme://host[:port]` of a URL.
#[must_use]
pub fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{}://{}", scheme.to_ascii_lowercase(), host.to_ascii_lowercase())
}

impl PeerConfig {
    /// Where the peer serves its results, as a URL prefix: an OGC API peer under its base
    /// URL, a WPS peer (rook) under its server's origin, beside the WPS endpoint.
    #[must_use]
    pub fn results_prefix(&self) -> String {
        match self.protocol {
            Protocol::Ogc => format!("{}/", self.url),
            Protocol::Wps => format!("{}/", origin(&self.url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_parse() {
        let p = parse_peer("ceda https://ceda.example/ holds=cmip6.*,c3s-cmip6.* token=abc").expect("peer");
        assert_eq!(p.url, "https://ceda.example");
        assert_eq!(p.holds.len(), 2);
        assert_eq!(p.token.as_deref(), Some("abc"));
        assert!(parse_peer("x").is_err());
        assert!(parse_peer("x ftp://a holds=*").is_err());
        let s = parse_peer("x http://a holds=stac:http://a/stac/#cmip6,cmip6.*").unwrap();
        assert_eq!(s.stac, vec![StacIndex { url: "http://a/stac".into(), collection: Some("cmip6".into()) }]);
        assert_eq!(s.holds, vec!["cmip6.*".to_string()]);
        assert!(parse_peer("x http://a holds=stac:http://a/stac").unwrap().holds.is_empty());
        assert!(parse_peer("x http://a holds=stac:ftp://a").is_err());
        assert!(parse_peer("x http://a").is_err());
        assert_eq!(parse_peer("x http://a/wps holds=* protocol=wps").unwrap().protocol, Protocol::Wps);
        assert!(parse_peer("x http://a holds=* protocol=soap").is_err());
        assert!(parse_peer("x http://a holds=* token_env=ROOKERY_NO_SUCH_VAR_42").is_err());
    }
}
