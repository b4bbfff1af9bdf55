//! rook's `dashboard` process: an HTML page summarising the usage log of this node for a time
//! range — overview, operations, activity per day and per hour of day, durations, users and
//! recent failures. Self-contained (inline CSS and SVG, no scripts), so it opens anywhere; it
//! points to the browser UI's usage page (`/ui/#/usage`) for charts over time and per site.

use crate::jobs::UsageRecord;
use rookery_io::text::html as esc;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `q`-quantile of sorted values (nearest rank).
fn quantile(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let k = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[k]
}

fn human_bytes(b: u64) -> String {
    const U: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    #[allow(clippy::cast_precision_loss)]
    let mut x = b as f64;
    let mut u = 0;
    while x >= 1000.0 && u < U.len() - 1 {
        x /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{x:.1} {}", U[u])
    }
}

fn secs(ms: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let s = ms as f64 / 1000.0;
    format!("{s:.2} s")
}

/// A bar chart of labelled counts as inline SVG.
fn bars(title: &str, data: &[(String, u64)]) -> String {
    let max = data.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let (w, h, pad) = (760.0f64, 160.0f64, 24.0f64);
    #[allow(clippy::cast_precision_loss)]
    let bw = (w - 2.0 * pad) / data.len().max(1) as f64;
    let mut s = format!(
        "<h3>{}</h3><svg viewBox=\"0 0 {w} {}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        h + 30.0,
        esc(title)
    );
    let every = (data.len() / 12).max(1);
    for (i, (label, n)) in data.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let bh = (h - pad) * (*n as f64) / (max as f64);
        #[allow(clippy::cast_precision_loss)]
        let x = pad + i as f64 * bw;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#3a6ea5\"><title>{}: {n}</title></rect>",
            h - bh,
            (bw - 1.0).max(0.5),
            esc(label)
        );
        if i % every == 0 {
            let _ = write!(s, "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>", h + 14.0, esc(label));
        }
    }
    let _ = write!(s, "<text x=\"0\" y=\"12\" font-size=\"10\">{max}</text></svg>");
    s
}

/// Renders the dashboard of `rows` (the usage log between `from` and `to`, ms or open).
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn render(rows: &[UsageRecord], from: Option<i64>, to: Option<i64>, site: &str, now: i64) -> String {
    let executes: Vec<&UsageRecord> =
        rows.iter().filter(|r| r.operation == "Execute" || r.operation == "ogc:execute").collect();
    let downloads: Vec<&UsageRecord> = rows.iter().filter(|r| r.operation == "download").collect();
    let failed = executes.iter().filter(|r| r.http_status >= 400).count();
    let users: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.user.as_str()).collect();
    let mut durations: Vec<i64> = executes.iter().map(|r| (r.time_end - r.time_start).max(0)).collect();
    durations.sort_unstable();
    let period = format!(
        "{} – {}",
        from.map_or("beginning".to_string(), crate::time::iso_seconds),
        to.map_or("now".to_string(), crate::time::iso_seconds)
    );
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>rookery dashboard</title><style>\
         body{{font-family:sans-serif;margin:2em;max-width:60em}}table{{border-collapse:collapse;margin:.5em 0 1.5em}}\
         td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:left}}th{{background:#eef}}td.n{{text-align:right}}\
         </style></head><body><h1>rookery dashboard</h1><p>Site <b>{}</b>, period {}, generated {}.</p>\
         <p>Charts over time per process, user and site (all federation peers), and the coverage-check results: \
         the service's browser UI at <a href=\"/ui/#/usage\">/ui/#/usage</a> (with a key that has the usage scope).</p>",
        esc(site),
        esc(&period),
        crate::time::iso_seconds(now)
    );
    let _ = write!(
        h,
        "<h2>Overview</h2><table><tr><th>requests</th><td class=n>{}</td></tr><tr><th>executions</th><td class=n>{}</td></tr>\
         <tr><th>failed executions</th><td class=n>{}</td></tr><tr><th>downloads</th><td class=n>{}</td></tr>\
         <tr><th>bytes downloaded</th><td class=n>{}</td></tr><tr><th>users</th><td class=n>{}</td></tr>\
         <tr><th>execution time median / p95 / max</th><td class=n>{} / {} / {}</td></tr></table>",
        rows.len(),
        executes.len(),
        failed,
        downloads.len(),
        human_bytes(downloads.iter().map(|r| r.bytes_out).sum()),
        users.len(),
        secs(quantile(&durations, 0.5)),
        secs(quantile(&durations, 0.95)),
        secs(durations.last().copied().unwrap_or(0)),
    );
    // Per process.
    let mut per: BTreeMap<&str, (u64, u64, Vec<i64>)> = BTreeMap::new();
    for r in &executes {
        let e = per.entry(r.process.as_str()).or_default();
        e.0 += 1;
        if r.http_status >= 400 {
            e.1 += 1;
        }
        e.2.push((r.time_end - r.time_start).max(0));
    }
    h.push_str(
        "<h2>Operations</h2><table><tr><th>process</th><th>executions</th><th>failed</th><th>median time</th></tr>",
    );
    for (p, (n, f, mut d)) in per {
        d.sort_unstable();
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{n}</td><td class=n>{f}</td><td class=n>{}</td></tr>",
            esc(p),
            secs(quantile(&d, 0.5))
        );
    }
    h.push_str("</table><h2>Activity</h2>");
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_hour = [0u64; 24];
    for r in rows {
        let iso = crate::time::iso_seconds(r.time_start);
        *per_day.entry(iso.get(..10).unwrap_or("?").to_string()).or_default() += 1;
        if let Some(hh) = iso.get(11..13).and_then(|x| x.parse::<usize>().ok()) {
            per_hour[hh.min(23)] += 1;
        }
    }
    h.push_str(&bars("Requests per day", &per_day.into_iter().collect::<Vec<_>>()));
    h.push_str(&bars(
        "Requests per hour of day (UTC)",
        &per_hour.iter().enumerate().map(|(i, n)| (format!("{i:02}"), *n)).collect::<Vec<_>>(),
    ));
    // Users.
    let mut per_user: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for r in rows {
        let e = per_user.entry(r.user.as_str()).or_default();
        e.0 += 1;
        e.1 += r.bytes_out;
    }
    let mut top: Vec<(&str, (u64, u64))> = per_user.into_iter().collect();
    top.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    h.push_str("<h2>Users</h2><table><tr><th>user</th><th>requests</th><th>bytes out</th></tr>");
    for (u, (n, b)) in top.iter().take(20) {
        let _ = write!(h, "<tr><td>{}</td><td class=n>{n}</td><td class=n>{}</td></tr>", esc(u), human_bytes(*b));
    }
    h.push_str("</table><h2>Recent failures</h2><table><tr><th>time</th><th>process</th><th>user</th><th>status</th><th>inputs</th></tr>");
    let mut fails: Vec<&&UsageRecord> = executes.iter().filter(|r| r.http_status >= 400).collect();
    fails.sort_by_key(|r| std::cmp::Reverse(r.time_start));
    for r in fails.iter().take(20) {
        let inputs: String = r.inputs.chars().take(200).collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td><code>{}</code></td></tr>",
            crate::time::iso_seconds(r.time_start),
            esc(&r.process),
            esc(&r.user),
            r.http_status,
            esc(&inputs)
        );
    }
    h.push_str("</table></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(op: &str, process: &str, user: &str, t: i64, status: u16, bytes: u64) -> UsageRecord {
        UsageRecord {
            time_start: t,
            time_end: t + 1500,
            user: user.into(),
            operation: op.into(),
            process: process.into(),
            http_status: status,
            bytes_out: bytes,
            inputs: "{\"collection\":\"<x>\"}".into(),
            ..UsageRecord::default()
        }
    }

    #[test]
    fn summarises_and_escapes() {
        let day = 86_400_000;
        let rows = vec![
            rec("Execute", "subset", "alice", 0, 200, 0),
            rec("Execute", "subset", "bob", day, 400, 0),
            rec("download", "", "alice", day + 10, 200, 2_500_000),
            rec("GetCapabilities", "", "anonymous", 2 * day, 200, 100),
        ];
        let h = render(&rows, None, None, "local", 3 * day);
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(h.contains("<tr><th>executions</th><td class=n>2</td></tr>"));
        assert!(h.contains("<tr><th>failed executions</th><td class=n>1</td></tr>"));
        assert!(h.contains("2.5 MB"));
        assert!(h.contains("&lt;x&gt;") && !h.contains("<x>"), "inputs are escaped");
        assert_eq!(h.matches("<rect").count(), 3 + 24, "3 days and 24 hours");
        assert!(render(&[], None, None, "local", 0).contains("<td class=n>0</td>"));
    }
}
