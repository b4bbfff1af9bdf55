//! What the browser UI needs for its OpenID Connect sign-in (authorization code + PKCE, RFC
//! 7636): the first issuer's authorization and token endpoints (from its discovery document),
//! the UI's public client id, the scopes and the resource indicator. The page runs the flow
//! itself and keeps the access token like a pasted one; the server only tells it where to go
//! and lets it reach the token endpoint (the page's `connect-src`).
//!
//! Discovery is fetched on first need and kept; a failure is kept for a minute (a page load
//! does not wait for an issuer that is down more than once a minute).

use super::oidc::{is_loopback, FetchError, Oidc};
use crate::config::Identity;
use serde_json::Value;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The sign-in settings the page reads (`GET /ui/config.json`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LoginInfo {
    /// The issuer (shown on the button).
    pub issuer: String,
    /// Where the page sends the browser.
    pub authorization_endpoint: String,
    /// Where the page exchanges the code (a CORS `fetch`).
    pub token_endpoint: String,
    /// The UI's public client id.
    pub client_id: String,
    /// Scopes asked for.
    pub scope: String,
    /// RFC 8707 resource indicator, if configured.
    pub resource: Option<String>,
}

impl LoginInfo {
    /// The token endpoint's origin (`scheme://host[:port]`) for the page's `connect-src`, or
    /// `None` when it is not a plain http(s) origin (nothing unusual goes into the header).
    #[must_use]
    pub fn token_origin(&self) -> Option<String> {
        let (scheme, rest) = self.token_endpoint.split_once("://")?;
        if scheme != "https" && scheme != "http" {
            return None;
        }
        let host = rest.split(['/', '?', '#']).next()?;
        let ok = !host.is_empty()
            && !host.contains('@')
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
        ok.then(|| format!("{scheme}://{host}"))
    }
}

/// The cached discovery answer of the UI's issuer.
#[derive(Default)]
pub struct UiLogin {
    cached: Mutex<Option<(Instant, Result<LoginInfo, String>)>>,
}

const RETRY: Duration = Duration::from_secs(60);

impl UiLogin {
    /// The sign-in settings: `None` without `oidc_ui_client_id` or an issuer; `Some(Err)`
    /// (a one-line reason) when discovery failed. Blocking (run it off the async threads).
    #[must_use]
    pub fn info(&self, id: &Identity, oidc: &Oidc) -> Option<Result<LoginInfo, String>> {
        let client_id = id.ui.client_id.clone()?;
        let issuer = id.issuers.first()?;
        {
            let c = self.cached.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match &*c {
                Some((_, Ok(i))) => return Some(Ok(i.clone())),
                Some((when, Err(e))) if when.elapsed() < RETRY => return Some(Err(e.clone())),
                _ => {}
            }
        }
        let r = discover(oidc, &issuer.url, id.allow_insecure_http)
            .map(|(authorization_endpoint, token_endpoint)| LoginInfo {
                issuer: issuer.url.clone(),
                authorization_endpoint,
                token_endpoint,
                client_id,
                scope: id.ui.scopes.clone(),
                resource: id.ui.resource.clone(),
            })
            .map_err(|e| format!("sign-in with {} is unavailable: {e}", issuer.url));
        if let Err(e) = &r {
            tracing::warn!("oidc: {e}");
        }
        *self.cached.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((Instant::now(), r.clone()));
        Some(r)
    }
}

/// The authorization and token endpoints from `<issuer>/.well-known/openid-configuration`.
fn discover(oidc: &Oidc, issuer: &str, insecure: bool) -> Result<(String, String), FetchError> {
    let d = oidc.get_json(&format!("{issuer}/.well-known/openid-configuration"))?;
    let named = d.get("issuer").and_then(Value::as_str).unwrap_or("");
    if named.trim_end_matches('/') != issuer {
        return Err(FetchError::WrongIssuer {
            named: named.chars().take(120).collect(),
            expected: Some(issuer.into()),
        });
    }
    let get = |k: &'static str| -> Result<String, FetchError> {
        let u = d.get(k).and_then(Value::as_str).ok_or(FetchError::Missing(k))?;
        if u.starts_with("http://") && !is_loopback(u) && !insecure {
            return Err(FetchError::PlainHttp(u.into()));
        }
        if !u.starts_with("http://") && !u.starts_with("https://") {
            return Err(FetchError::Missing(k));
        }
        Ok(u.to_string())
    };
    Ok((get("authorization_endpoint")?, get("token_endpoint")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(token: &str) -> LoginInfo {
        LoginInfo {
            issuer: "https://i".into(),
            authorization_endpoint: "https://i/auth".into(),
            token_endpoint: token.into(),
            client_id: "ui".into(),
            scope: "openid".into(),
            resource: None,
        }
    }

    #[test]
    fn origins() {
        assert_eq!(info("https://kc.example/realms/x/token").token_origin().as_deref(), Some("https://kc.example"));
        assert_eq!(info("http://127.0.0.1:4000/token").token_origin().as_deref(), Some("http://127.0.0.1:4000"));
        assert_eq!(info("https://[::1]:8443").token_origin().as_deref(), Some("https://[::1]:8443"));
        for bad in ["ftp://x/token", "https://a b/", "https://x;script-src *", "https://u@x/", "nope"] {
            assert_eq!(info(bad).token_origin(), None, "{bad}");
        }
    }
}
