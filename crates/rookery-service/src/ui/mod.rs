//! HTTP floor: the browser UI under `/ui/` — one page, a small vanilla script and a style
//! sheet, all embedded in the binary (no build step, nothing fetched from elsewhere), and the
//! few JSON endpoints the page needs beyond the OGC API and the data API:
//!
//! ```text
//!   GET /ui/, /ui/app.js, /ui/style.css   the page and its assets
//!   GET /ui/config.json                   the OIDC sign-in settings (issuer endpoints, client id)
//!   GET /ui/api/jobs/{id}                 a job with its inputs, outputs (signed links), times
//!   GET /ui/api/usage?sites=all           jobs and usage-log rows (every peer's too) for the charts ('usage' scope)
//!   GET /ui/api/check                     the coverage-check results (`check_results`; admins)
//!   GET /datasets/{id}/quicklook          a decimated time step, or a point's time series
//! ```
//!
//! Every answer carries a strict `Content-Security-Policy` (scripts and styles from this
//! origin only, no inline script), `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//! no-referrer` and `X-Frame-Options: DENY`. The page keeps the credential in
//! `sessionStorage` and sends it as `Authorization: Bearer`; no cookie is set or read, so
//! cross-site requests carry no credential and need no CSRF token. With `oidc_ui_client_id`
//! the page also signs in at the first issuer (authorization code + PKCE, run by the page;
//! `redirect_uri` is this server's `/ui/`), and the page's `connect-src` then adds the
//! issuer's token endpoint.

mod api;

pub use api::{check, job_detail, quicklook, usage};

use crate::state::St;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/style.css");

/// The Content-Security-Policy of every UI answer.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the UI's security headers to `r`.
#[must_use]
pub fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

/// The page (the same for every route: the script reads the address and draws the view).
#[must_use]
pub fn shell() -> Response {
    secured(
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], INDEX)
            .into_response(),
    )
}

/// `GET /ui/`: the page, whose `connect-src` also names the issuer's token endpoint when the
/// OIDC sign-in is configured (the page exchanges the code there).
pub async fn page(State(st): State<St>) -> Response {
    let origin = match login(&st).await {
        Some(Ok(i)) => i.token_origin(),
        _ => None,
    };
    let mut r = shell();
    if let Some(o) = origin {
        let csp = CSP.replace("connect-src 'self'", &format!("connect-src 'self' {o}"));
        if let Ok(v) = HeaderValue::from_str(&csp) {
            r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    r
}

async fn login(st: &St) -> Option<Result<crate::auth::login::LoginInfo, String>> {
    st.cfg.identity.ui.client_id.as_ref()?;
    let st2 = st.clone();
    tokio::task::spawn_blocking(move || st2.ui_login.info(&st2.cfg.identity, &st2.oidc)).await.ok().flatten()
}

/// `GET /ui/config.json`: `{"oidc": {issuer, authorization_endpoint, token_endpoint,
/// client_id, scope, resource}}`, `{"oidc": null}` without the OIDC sign-in, or
/// `{"oidc": null, "oidc_error": "..."}` when the issuer's discovery failed.
pub async fn config(State(st): State<St>) -> Response {
    let v = match login(&st).await {
        Some(Ok(i)) => serde_json::json!({ "oidc": i }),
        Some(Err(e)) => serde_json::json!({ "oidc": null, "oidc_error": e }),
        None => serde_json::json!({ "oidc": null }),
    };
    secured(
        ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-cache")], v.to_string())
            .into_response(),
    )
}

/// `GET /ui/{file}`: an embedded asset.
pub async fn asset(Path(name): Path<String>) -> Response {
    let (ty, body) = match name.as_str() {
        "app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "style.css" => ("text/css; charset=utf-8", STYLE),
        "index.html" => return shell(),
        _ => {
            return secured(
                (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain")], "No such UI file").into_response(),
            )
        }
    };
    secured(([(header::CONTENT_TYPE, ty), (header::CACHE_CONTROL, "no-cache")], body).into_response())
}

/// Whether a request asks for a page: `f=html` in the query, or an `Accept` that names
/// `text/html` before any JSON type (as browsers send; JSON clients are unchanged).
#[must_use]
pub fn wants_html(h: &axum::http::HeaderMap, query: Option<&str>) -> bool {
    let f = query.and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "f").map(|(_, v)| v));
    crate::text::wants_html(h, f.as_deref())
}

/// The page's byte count (page, script and style sheet), for the README's page weight.
#[must_use]
pub fn weight() -> usize {
    INDEX.len() + APP_JS.len() + STYLE.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        let mut h = axum::http::HeaderMap::new();
        assert!(!wants_html(&h, None));
        assert!(wants_html(&h, Some("f=html")));
        h.insert(header::ACCEPT, HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"));
        assert!(wants_html(&h, None));
        assert!(!wants_html(&h, Some("f=json")));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json, text/html"));
        assert!(!wants_html(&h, None));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!wants_html(&h, None));
    }

    #[test]
    fn no_inline_script_and_small() {
        assert!(!INDEX.contains("<script>") && INDEX.contains("<script src="));
        assert!(!APP_JS.contains("innerHTML"), "data must be rendered with textContent");
        assert!(weight() < 100_000, "{}", weight());
    }
}
