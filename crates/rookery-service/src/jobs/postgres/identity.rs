//! [`IdentityStore`] for [`PgStore`].

use super::super::identity::{AuditRecord, IdentityStore};
use super::super::StoreError;
use super::{count, PgStore};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit(
  seq BIGSERIAL PRIMARY KEY, time BIGINT NOT NULL, kind TEXT NOT NULL,
  principal TEXT NOT NULL, address TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
CREATE TABLE IF NOT EXISTS quota_usage(
  owner TEXT NOT NULL, day BIGINT NOT NULL, bytes_written BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY(owner, day));
";

impl IdentityStore for PgStore {
    fn log_audit(&self, r: &AuditRecord) -> Result<(), StoreError> {
        let r = r.clone();
        self.call(move |c| {
            c.execute(
                "INSERT INTO audit(time, kind, principal, address, detail) VALUES ($1,$2,$3,$4,$5)",
                &[&r.time, &r.kind, &r.principal, &r.address, &r.detail],
            )?;
            Ok(())
        })
    }

    fn audit(&self, since: Option<i64>, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.call(move |c| {
            let rows = c.query(
                "SELECT time, kind, principal, address, detail FROM \
                 (SELECT * FROM audit WHERE ($1::bigint IS NULL OR time >= $1) ORDER BY seq DESC LIMIT $2) a ORDER BY seq",
                &[&since, &limit],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(AuditRecord {
                        time: r.try_get(0)?,
                        kind: r.try_get(1)?,
                        principal: r.try_get(2)?,
                        address: r.try_get(3)?,
                        detail: r.try_get(4)?,
                    })
                })
                .collect()
        })
    }

    fn active_jobs(&self, owner: &str) -> Result<usize, StoreError> {
        let owner = owner.to_string();
        self.call(move |c| {
            let n: i64 = c
                .query_one("SELECT count(*) FROM jobs WHERE owner=$1 AND status IN ('accepted','running')", &[&owner])?
                .try_get(0)?;
            Ok(count(n))
        })
    }

    fn add_bytes_written(&self, owner: &str, day: i64, bytes: u64) -> Result<(), StoreError> {
        let owner = owner.to_string();
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        self.call(move |c| {
            c.execute(
                "INSERT INTO quota_usage(owner, day, bytes_written) VALUES ($1,$2,$3) \
                 ON CONFLICT(owner, day) DO UPDATE SET bytes_written = quota_usage.bytes_written + excluded.bytes_written",
                &[&owner, &day, &bytes],
            )?;
            Ok(())
        })
    }

    fn bytes_written(&self, owner: &str, day: i64) -> Result<u64, StoreError> {
        let owner = owner.to_string();
        self.call(move |c| {
            let r = c.query_opt("SELECT bytes_written FROM quota_usage WHERE owner=$1 AND day=$2", &[&owner, &day])?;
            Ok(match r {
                Some(r) => u64::try_from(r.try_get::<_, i64>(0)?).unwrap_or(0),
                None => 0,
            })
        })
    }
}
