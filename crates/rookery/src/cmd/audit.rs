//! `rookery audit [--since WHEN] [--limit N]`: the service's audit log (sign-in failures, job
//! submissions, key creation and revocation, admin actions, quota refusals) from the job store
//! (`--db`: the data directory's SQLite file, or PostgreSQL). It never holds credentials.

use super::serve::{config_with, ServeArgs};
use super::Failure;
use rookery_service::jobs;

/// Options of `rookery audit`.
#[derive(clap::Args, Clone, Debug)]
pub(crate) struct AuditArgs {
    /// Only events since this time: an ISO date/time (`2025-06-01`, `2025-06-01T12:00Z`, UTC)
    /// or an age (`30m`, `24h`, `7d`).
    #[arg(long)]
    pub(crate) since: Option<String>,
    /// At most this many (the newest) events.
    #[arg(long, default_value_t = 1000)]
    pub(crate) limit: usize,
}

/// `--since` as ms since the epoch (a request failure when it is neither form).
fn since_ms(s: &str, now: i64) -> Result<i64, Failure> {
    let t = s.trim();
    let unit = t.chars().last().unwrap_or(' ');
    if let (Some(mult), Ok(n)) = (
        match unit {
            's' => Some(1_000),
            'm' => Some(60_000),
            'h' => Some(3_600_000),
            'd' => Some(86_400_000),
            _ => None,
        },
        t[..t.len() - unit.len_utf8()].parse::<i64>(),
    ) {
        return Ok(now - n * mult);
    }
    rookery_service::time::parse_iso(t, false).ok_or_else(|| {
        Failure::request(format!(
            "--since '{s}': expected an ISO date/time (2025-06-01T12:00Z) or an age (30m, 24h, 7d)"
        ))
    })
}

pub(crate) fn run(args: &ServeArgs, a: &AuditArgs) -> Result<(), Failure> {
    let c = config_with(args, false)?;
    let since = a.since.as_deref().map(|s| since_ms(s, rookery_service::time::now_ms())).transpose()?;
    if c.db_url().is_none() && !c.db_path().exists() {
        return Err(Failure::io(format!("no job store at {} (use --data-dir or --db)", c.db_label())));
    }
    let store = jobs::open_store(&c).map_err(|e| Failure::io(e.to_string()))?;
    let rows = store.audit(since, a.limit).map_err(|e| Failure::io(e.to_string()))?;
    println!("time\tkind\tprincipal\taddress\tdetail");
    for r in rows {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            rookery_service::time::iso_seconds(r.time),
            r.kind,
            r.principal,
            r.address,
            r.detail.replace(['\t', '\n'], " ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::since_ms;

    #[test]
    fn since() {
        assert_eq!(since_ms("2h", 10_000_000).unwrap(), 10_000_000 - 7_200_000);
        assert_eq!(since_ms("1970-01-02", 0).unwrap(), 86_400_000);
        let e = since_ms("yesterday", 0).unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(e.msg.starts_with("--since 'yesterday': expected"), "{}", e.msg);
    }
}
