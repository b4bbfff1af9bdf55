//! Usage-log rows of this node and, for `sites=all`, of every configured peer (their `usage`
//! process, as rook's dashboard merges sites), as compact rows tagged with their site, for the
//! UI's usage charts. A peer that cannot be asked is reported beside the rows, not fatal.

use crate::auth::TokenCache;
use crate::config::PeerConfig;
use crate::jobs::{JobStore, StoreError};

/// One request of some site's usage log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteRow {
    /// When it arrived (ms since the epoch).
    pub time: i64,
    /// How long it took (ms).
    pub duration_ms: i64,
    /// Who asked (empty: anonymous).
    pub user: String,
    /// `Execute`, `download`, `ogc:execute`, ...
    pub operation: String,
    /// The process concerned, if any.
    pub process: String,
    /// The HTTP status answered.
    pub http_status: u16,
    /// Bytes sent.
    pub bytes_out: u64,
    /// `local` or the peer's name.
    pub site: String,
}

/// How asking one site went: `None` when its rows are in, else why not.
pub type SiteStatus = (String, Option<String>);

/// This node's rows since `from` (ms), and with `all_sites` every peer's.
///
/// # Errors
/// Reading this node's usage log failed (a peer's failure is a [`SiteStatus`]).
pub fn rows(
    store: &dyn JobStore,
    peers: &[PeerConfig],
    tokens: &TokenCache,
    from: i64,
    all_sites: bool,
) -> Result<(Vec<SiteRow>, Vec<SiteStatus>), StoreError> {
    let mut out: Vec<SiteRow> = store
        .usage(Some(from), None)?
        .into_iter()
        .map(|r| SiteRow {
            time: r.time_start,
            duration_ms: r.time_end - r.time_start,
            user: r.user,
            operation: r.operation,
            process: r.process,
            http_status: r.http_status,
            bytes_out: r.bytes_out,
            site: "local".into(),
        })
        .collect();
    let mut sites = vec![("local".to_string(), None)];
    if all_sites {
        let time = format!("{}/", crate::time::iso_seconds(from));
        for p in peers {
            match crate::federation::peer_usage(p, &time, tokens) {
                Ok((requests, downloads)) => {
                    out.extend(parse(&requests, &p.name));
                    out.extend(parse(&downloads, &p.name));
                    sites.push((p.name.clone(), None));
                }
                Err(e) => {
                    tracing::warn!("usage of site '{}' ({}) left out: {e}", p.name, p.url);
                    sites.push((p.name.clone(), Some(format!("{}: {e}", p.url))));
                }
            }
        }
    }
    Ok((out, sites))
}

/// Rows of a usage CSV (rookery's columns, or rook's: found by name; `duration_ms` from
/// `time_end` when absent). Records without a readable `time_start` are skipped.
#[must_use]
pub fn parse(csv_text: &str, site: &str) -> Vec<SiteRow> {
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(csv_text.as_bytes());
    let Ok(header) = rd.headers().cloned() else { return Vec::new() };
    let col = |n: &str| header.iter().position(|h| h.trim() == n);
    let (op, ident, user, start, end, dur, status, bytes) = (
        col("operation"),
        col("identifier"),
        col("user"),
        col("time_start"),
        col("time_end"),
        col("duration_ms"),
        col("http_status"),
        col("bytes_out"),
    );
    let mut out = Vec::new();
    for rec in rd.records().flatten() {
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim().to_string();
        let Some(time) = crate::time::parse_iso(&get(start), false) else { continue };
        let duration_ms =
            get(dur).parse().ok().or_else(|| crate::time::parse_iso(&get(end), false).map(|e| e - time)).unwrap_or(0);
        out.push(SiteRow {
            time,
            duration_ms,
            user: get(user),
            operation: get(op),
            process: get(ident),
            http_status: get(status).parse().unwrap_or(200),
            bytes_out: get(bytes).parse().unwrap_or(0),
            site: site.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rookery_and_rook_columns() {
        let ours = "uuid,operation,identifier,user,time_start,time_end,duration_ms,http_status,bytes_out,remote,inputs,site\n\
                    j1,Execute,subset,alice,2026-01-02T03:04:05Z,2026-01-02T03:04:06Z,1000,200,42,::1,\"{\"\"a\"\"\n:1}\",local\n\
                    ,download,,bob,bad time,,,404,0,,,local\n";
        let r = parse(ours, "north");
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].operation, "Execute");
        assert_eq!(r[0].process, "subset");
        assert_eq!((r[0].duration_ms, r[0].http_status, r[0].bytes_out), (1000, 200, 42));
        assert_eq!(r[0].site, "north");
        assert_eq!(r[0].time, crate::time::parse_iso("2026-01-02T03:04:05Z", false).unwrap());
        let rook = "remote_host_ip,ip_address,user,time_start,time_end,operation,identifier,message\n\
                    h,1.2.3.4,anon,2026-01-02 03:04:05,2026-01-02 03:04:09,execute,orchestrate,done\n";
        let r = parse(rook, "rook");
        assert_eq!(
            (r[0].duration_ms, r[0].operation.as_str(), r[0].process.as_str()),
            (4000, "execute", "orchestrate")
        );
        assert!(parse("", "x").is_empty());
    }
}
