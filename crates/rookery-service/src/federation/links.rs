//! Results of parts at peers: Metalinks fetched and checked, a peer's own result links
//! recognised, jobs dismissed.

use super::{agent, PeerError};
use crate::config::peer::origin;
use crate::config::PeerConfig;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The text of `<tag>` elements of a Metalink `<file>` block.
pub(super) fn tag<'a>(block: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let i = block.find(open)? + open.len();
    let j = block[i..].find(close)? + i;
    Some(&block[i..j])
}

pub(super) fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// One file of a Metalink: name, size, URL, SHA-256.
pub(super) fn metalink_files(doc: &str) -> Vec<(String, u64, String, Option<String>)> {
    doc.split("<file ")
        .skip(1)
        .filter_map(|b| {
            let name = tag(b, "name=\"", "\"")?;
            let size = tag(b, "<size>", "</size>").and_then(|s| s.trim().parse().ok()).unwrap_or(0);
            let url = tag(b.split("<metaurl").nth(1)?, ">", "</metaurl>")?;
            let sha = tag(b, "<hash type=\"sha-256\">", "</hash>").map(|h| h.trim().to_ascii_lowercase());
            Some((unescape(name), size, unescape(url.trim()), sha))
        })
        .collect()
}

/// A file name safe to create in the part directory.
pub(super) fn safe_name(name: &str) -> String {
    let n: String = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' })
        .collect();
    if n.is_empty() || n.starts_with('.') {
        format!("file{n}")
    } else {
        n
    }
}

/// `DELETE` of an OGC API job (best effort: a failure is logged).
pub(super) fn dismiss(job_url: &str, auth: Option<&str>) {
    let mut rb = agent(Duration::from_secs(10)).delete(job_url);
    if let Some(a) = auth {
        rb = rb.header("Authorization", a);
    }
    match rb.call() {
        Ok(r) if r.status().is_success() || r.status().as_u16() == 404 => tracing::info!("dismissed {job_url}"),
        Ok(r) => tracing::warn!("could not dismiss {job_url}: HTTP {}", r.status().as_u16()),
        Err(e) => tracing::warn!("could not dismiss {job_url}: {e}"),
    }
}

/// The files of the Metalink at `href` (the output of `job_url`) fetched into `dir` through
/// the remote-data cache, sizes and SHA-256 checked; returns them and the bytes fetched.
pub(super) fn fetch_metalink(
    io: &rookery_io::IoContext,
    peer: &PeerConfig,
    href: &str,
    job_url: &str,
    dir: &Path,
) -> Result<(Vec<PathBuf>, u64), PeerError> {
    // The service's I/O context: its egress policy allows the peers' result URLs.
    let remote = io.remote();
    let href = own_link(peer, href);
    let meta = remote.http().fetch_all(&href, 16 << 20).map_err(PeerError::Metalink)?;
    let files = metalink_files(&String::from_utf8_lossy(&meta));
    if files.is_empty() {
        return Err(PeerError::InvalidAnswer(format!("the output of {job_url} lists no file")));
    }
    std::fs::create_dir_all(dir).map_err(PeerError::io(format!("cannot create {}", dir.display())))?;
    let mut out = Vec::new();
    let mut bytes = 0u64;
    for (name, size, url, sha) in files {
        let dest = dir.join(safe_name(&name));
        let url = own_link(peer, &url);
        let got = fetch_file(remote, &url, &dest)?;
        if size > 0 && got != size {
            let _ = std::fs::remove_file(&dest);
            return Err(PeerError::SizeMismatch { url, got, want: size });
        }
        if let Some(want) = sha {
            let have = crate::ops::sha256_file(&dest).map_err(PeerError::io(String::new()))?;
            if have != want {
                let _ = std::fs::remove_file(&dest);
                return Err(PeerError::ChecksumMismatch { url, have, want });
            }
        }
        bytes += got;
        out.push(dest);
    }
    Ok((out, bytes))
}

/// A result link of `peer` as this node reaches it: a peer names its results by its own
/// `public_url`, which may differ from the URL it is configured by here (`localhost` for
/// `127.0.0.1`, a name for its address). A link with the configured URL's scheme and port
/// whose host resolves to one of the configured host's addresses is the same server: it is
/// read through the configured URL (which the egress policy allows). Any other link is left
/// as it is (and read only if the policy allows it).
pub(super) fn own_link(peer: &PeerConfig, link: &str) -> String {
    let base = origin(&peer.url);
    let lo = origin(link);
    if lo == base {
        return link.to_string();
    }
    let split = |o: &str| -> Option<(String, String, u16)> {
        let (scheme, hostport) = o.split_once("://")?;
        let default = if scheme == "https" { 443 } else { 80 };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => (h.to_string(), p.parse().ok()?),
            _ => (hostport.to_string(), default),
        };
        Some((scheme.to_string(), host, port))
    };
    let (Some((s1, h1, p1)), Some((s2, h2, p2))) = (split(&base), split(&lo)) else { return link.to_string() };
    if s1 != s2 || p1 != p2 {
        return link.to_string();
    }
    use std::net::ToSocketAddrs;
    let addrs = |h: &str| -> Vec<std::net::IpAddr> {
        (h.trim_matches(|c| c == '[' || c == ']'), p1)
            .to_socket_addrs()
            .map(|a| a.map(|x| x.ip()).collect())
            .unwrap_or_default()
    };
    let known = addrs(&h1);
    if !known.is_empty() && addrs(&h2).iter().any(|a| known.contains(a)) {
        format!("{base}{}", &link[lo.len()..])
    } else {
        link.to_string()
    }
}

/// Copies `url` to `dest` through the remote-data cache ([`rookery_io::Remote::download`]:
/// range reads of cached blocks); the file appears under its name only when complete.
pub(super) fn fetch_file(remote: &rookery_io::Remote, url: &str, dest: &Path) -> Result<u64, PeerError> {
    remote.download(url, dest).map_err(PeerError::Download)
}
