//! The coverage-check results (`rookery check`, merged by `rookery check merge` into one CSV,
//! `check_results` in the configuration) as the JSON the UI's usage page renders: what
//! `rookery check report` puts in its HTML page — pass rates per site, project, version,
//! operation and dataset, the failures with their reproducing commands, and what changed
//! between consecutive versions — with every value as data (the page shows it as text).

use rookery_check::report::changes;
use rookery_check::Row;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Failures listed at most (the counts cover all).
pub const MAX_FAILURES: usize = 500;

/// Why the results cannot be shown (one line).
#[derive(Debug, thiserror::Error)]
pub enum CheckReportError {
    /// No `check_results` configured.
    #[error("no coverage-check results are configured (set check_results to the CSV of 'rookery check merge')")]
    NotConfigured,
    /// The file cannot be read or is not a check CSV.
    #[error("{0}")]
    Unreadable(String),
}

fn rates(rows: &[Row], key: impl Fn(&Row) -> String) -> Value {
    let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in rows {
        let e = m.entry(key(r)).or_default();
        e.0 += 1;
        e.1 += usize::from(r.passed());
    }
    m.into_iter().map(|(k, (n, p))| json!([if k.is_empty() { "(none)".into() } else { k }, n, p])).collect()
}

fn brief(r: &Row) -> Value {
    json!({"site": r.test_location, "time": r.test_time, "dataset": r.collection, "version": r.version(),
           "operation": r.operation, "kind": r.kind, "message": r.message, "command": r.command})
}

/// The report of the results at `path`.
///
/// # Errors
/// [`CheckReportError`]: not configured, or the file is unreadable or not a check CSV.
pub fn report(path: Option<&Path>) -> Result<Value, CheckReportError> {
    let path = path.ok_or(CheckReportError::NotConfigured)?;
    let rows = rookery_check::csv::read_csv(path).map_err(|e| CheckReportError::Unreadable(e.to_string()))?;
    Ok(summarise(&rows, &path.display().to_string()))
}

/// The JSON report of `rows` (`source` names where they came from).
#[must_use]
pub fn summarise(rows: &[Row], source: &str) -> Value {
    let passed = rows.iter().filter(|r| r.passed()).count();
    let failures: Vec<Value> = rows.iter().filter(|r| !r.passed()).take(MAX_FAILURES).map(brief).collect();
    let mut versions: Vec<(String, String)> = Vec::new();
    for r in rows {
        let v = r.version();
        match versions.iter_mut().find(|x| x.1 == v) {
            Some(x) if r.test_time < x.0 => x.0.clone_from(&r.test_time),
            Some(_) => {}
            None => versions.push((r.test_time.clone(), v)),
        }
    }
    versions.sort();
    let steps: Vec<Value> = versions
        .windows(2)
        .map(|w| {
            let (broke, fixed) = changes(rows, &w[0].1, &w[1].1);
            json!({"from": w[0].1, "to": w[1].1,
                   "broke": broke.iter().map(|(_, b)| brief(b)).collect::<Vec<_>>(),
                   "fixed": fixed.iter().map(|(_, b)| brief(b)).collect::<Vec<_>>()})
        })
        .collect();
    json!({
        "source": source, "requests": rows.len(), "passed": passed, "failed": rows.len() - passed,
        "rate_fields": ["key", "requests", "passed"],
        "by": {
            "site": rates(rows, |r| r.test_location.clone()),
            "project": rates(rows, |r| r.project.clone()),
            "version": rates(rows, Row::version),
            "operation": rates(rows, |r| format!("{} {}", r.operation, r.kind)),
            "dataset": rates(rows, |r| r.collection.clone()),
        },
        "failures": failures, "failures_listed_max": MAX_FAILURES, "changes": steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(site: &str, ok: bool, ver: &str, t: &str) -> Row {
        Row {
            test_location: site.into(),
            test_time: t.into(),
            collection: "<b>ds</b>".into(),
            success: if ok { "True" } else { "False" }.into(),
            operation: "subset".into(),
            kind: "area-time".into(),
            rookery_version: ver.into(),
            request_index: "0".into(),
            seed: "1".into(),
            ..Row::default()
        }
    }

    #[test]
    fn rates_failures_changes() {
        let rows = vec![row("a", true, "0.1", "2026-01-01 00:00:00"), row("b", false, "0.2", "2026-02-01 00:00:00")];
        let v = summarise(&rows, "x.csv");
        assert_eq!((v["requests"].as_u64(), v["passed"].as_u64(), v["failed"].as_u64()), (Some(2), Some(1), Some(1)));
        assert_eq!(v["by"]["site"], json!([["a", 1, 1], ["b", 1, 0]]));
        assert_eq!(v["failures"][0]["dataset"], "<b>ds</b>");
        assert_eq!(v["changes"].as_array().unwrap().len(), 1, "{v}");
        assert!(matches!(report(None), Err(CheckReportError::NotConfigured)));
        let e = report(Some(Path::new("/no/such.csv"))).unwrap_err().to_string();
        assert!(e.contains("/no/such.csv"), "{e}");
    }
}
