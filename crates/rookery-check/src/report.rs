//! The HTML report of merged results: pass rates per site, project, dataset and version, the
//! failures with their messages and reproducing commands, and what changed between versions
//! (requests that passed in the older version and fail in the newer, and the reverse).
//! Self-contained (inline CSS), every value HTML-escaped.

use crate::results::Row;
use std::collections::BTreeMap;
use std::fmt::Write;

pub use rookery_io::text::html as esc;

fn rate_table(out: &mut String, title: &str, rows: &[Row], key: impl Fn(&Row) -> String) {
    let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in rows {
        let e = m.entry(key(r)).or_default();
        e.0 += 1;
        if r.passed() {
            e.1 += 1;
        }
    }
    let _ = write!(
        out,
        "<h2>{}</h2>\n<table><tr><th>{}</th><th>requests</th><th>passed</th><th>failed</th><th>pass rate</th></tr>\n",
        esc(title),
        esc(title.trim_start_matches("By "))
    );
    for (k, (n, p)) in &m {
        #[allow(clippy::cast_precision_loss)]
        let rate = 100.0 * *p as f64 / (*n).max(1) as f64;
        let cls = if p == n { "ok" } else { "bad" };
        let _ = writeln!(
            out,
            "<tr class=\"{cls}\"><td>{}</td><td>{n}</td><td>{p}</td><td>{}</td><td>{rate:.1} %</td></tr>",
            esc(if k.is_empty() { "(none)" } else { k }),
            n - p
        );
    }
    out.push_str("</table>\n");
}

/// Versions in order of their first result.
fn versions(rows: &[Row]) -> Vec<String> {
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for r in rows {
        let v = r.version();
        let t = first.entry(v).or_insert_with(|| r.test_time.clone());
        if r.test_time < *t {
            t.clone_from(&r.test_time);
        }
    }
    let mut v: Vec<(String, String)> = first.into_iter().map(|(v, t)| (t, v)).collect();
    v.sort();
    v.into_iter().map(|(_, v)| v).collect()
}

/// A row of one run beside the same request's row of another.
pub type RowPair<'a> = (&'a Row, &'a Row);

/// Requests whose outcome differs between versions `old` and `new` (latest row of each
/// request in each version): (passed in old and failed in new, failed in old and passed in new).
#[must_use]
pub fn changes<'a>(rows: &'a [Row], old: &str, new: &str) -> (Vec<RowPair<'a>>, Vec<RowPair<'a>>) {
    let latest = |ver: &str| {
        let mut m: BTreeMap<_, &Row> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.version() == ver) {
            let e = m.entry(r.request_key()).or_insert(r);
            if r.test_time > e.test_time {
                *e = r;
            }
        }
        m
    };
    let (a, b) = (latest(old), latest(new));
    let mut broke = Vec::new();
    let mut fixed = Vec::new();
    for (k, ra) in &a {
        if let Some(rb) = b.get(k) {
            if ra.passed() && !rb.passed() {
                broke.push((*ra, *rb));
            } else if !ra.passed() && rb.passed() {
                fixed.push((*ra, *rb));
            }
        }
    }
    (broke, fixed)
}

fn failure_rows(out: &mut String, rows: &[&Row]) {
    out.push_str("<table><tr><th>site</th><th>dataset</th><th>version</th><th>operation</th><th>kind</th><th>message</th><th>command</th></tr>\n");
    for r in rows {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&r.test_location),
            esc(&r.collection),
            esc(&r.version()),
            esc(&r.operation),
            esc(&r.kind),
            esc(&r.message),
            esc(&r.command)
        );
    }
    out.push_str("</table>\n");
}

/// The report of `rows` as one HTML page.
#[must_use]
pub fn html(rows: &[Row]) -> String {
    let mut o = String::new();
    let passed = rows.iter().filter(|r| r.passed()).count();
    o.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rookery check report</title>\n<style>\
body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}\
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top;font-size:90%}\
tr.ok td:last-child{color:#060}tr.bad td:last-child{color:#a00}code{font-size:85%;word-break:break-all}\
</style></head><body>\n<h1>rookery check report</h1>\n",
    );
    let _ = writeln!(o, "<p>{} requests, {passed} passed, {} failed.</p>", rows.len(), rows.len() - passed);
    rate_table(&mut o, "By site", rows, |r| r.test_location.clone());
    rate_table(&mut o, "By project", rows, |r| r.project.clone());
    rate_table(&mut o, "By version", rows, Row::version);
    rate_table(&mut o, "By operation", rows, |r| format!("{} {}", r.operation, r.kind));
    rate_table(&mut o, "By dataset", rows, |r| r.collection.clone());
    let vs = versions(rows);
    o.push_str("<h2>Changes between versions</h2>\n");
    if vs.len() < 2 {
        o.push_str("<p>Only one version in the results.</p>\n");
    }
    for w in vs.windows(2) {
        let (broke, fixed) = changes(rows, &w[0], &w[1]);
        let _ = writeln!(o, "<h3>{} → {}</h3>", esc(&w[0]), esc(&w[1]));
        let _ = writeln!(
            o,
            "<p>{} passed before and fail now; {} failed before and pass now.</p>",
            broke.len(),
            fixed.len()
        );
        if !broke.is_empty() {
            o.push_str("<h4>Newly failing</h4>\n");
            failure_rows(&mut o, &broke.iter().map(|(_, b)| *b).collect::<Vec<_>>());
        }
        if !fixed.is_empty() {
            o.push_str("<h4>Newly passing</h4>\n");
            failure_rows(&mut o, &fixed.iter().map(|(a, _)| *a).collect::<Vec<_>>());
        }
    }
    o.push_str("<h2>Failures</h2>\n");
    let fails: Vec<&Row> = rows.iter().filter(|r| !r.passed()).collect();
    if fails.is_empty() {
        o.push_str("<p>None.</p>\n");
    } else {
        failure_rows(&mut o, &fails);
    }
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: &str, ok: bool, t: &str) -> Row {
        Row {
            test_location: "X".into(),
            collection: "ds<1>".into(),
            rookery_version: v.into(),
            git_commit: "c".into(),
            success: if ok { "True" } else { "False" }.into(),
            test_time: t.into(),
            operation: "subset".into(),
            seed: "1".into(),
            request_index: "0".into(),
            message: "bad & <worse>".into(),
            ..Row::default()
        }
    }

    #[test]
    fn report_escapes_and_finds_changes() {
        let rows = vec![row("0.1.0", true, "2024-01-01 00:00:00"), row("0.2.0", false, "2024-02-01 00:00:00")];
        let h = html(&rows);
        assert!(h.contains("ds&lt;1&gt;"));
        assert!(h.contains("bad &amp; &lt;worse&gt;"));
        assert!(!h.contains("<worse>"));
        let (broke, fixed) = changes(&rows, "0.1.0 (c)", "0.2.0 (c)");
        assert_eq!((broke.len(), fixed.len()), (1, 0));
        assert!(h.contains("1 passed before and fail now"));
    }
}
