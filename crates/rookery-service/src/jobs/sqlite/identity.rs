//! [`IdentityStore`] for [`SqliteStore`].

use super::super::identity::{AuditRecord, IdentityStore};
use super::super::StoreError;
use super::SqliteStore;
use rusqlite::params;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, kind TEXT NOT NULL,
  principal TEXT NOT NULL, address TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
CREATE TABLE IF NOT EXISTS quota_usage(
  owner TEXT NOT NULL, day INTEGER NOT NULL, bytes_written INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(owner, day));
";

impl IdentityStore for SqliteStore {
    fn log_audit(&self, r: &AuditRecord) -> Result<(), StoreError> {
        self.c().execute(
            "INSERT INTO audit(time, kind, principal, address, detail) VALUES (?1,?2,?3,?4,?5)",
            params![r.time, r.kind, r.principal, r.address, r.detail],
        )?;
        Ok(())
    }

    fn audit(&self, since: Option<i64>, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let c = self.c();
        let mut st = c.prepare(
            "SELECT time, kind, principal, address, detail FROM \
             (SELECT * FROM audit WHERE (?1 IS NULL OR time >= ?1) ORDER BY seq DESC LIMIT ?2) ORDER BY seq",
        )?;
        let v = st
            .query_map(params![since, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(AuditRecord {
                    time: r.get(0)?,
                    kind: r.get(1)?,
                    principal: r.get(2)?,
                    address: r.get(3)?,
                    detail: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(v)
    }

    fn active_jobs(&self, owner: &str) -> Result<usize, StoreError> {
        let n: i64 = self.c().query_row(
            "SELECT count(*) FROM jobs WHERE owner=?1 AND status IN ('accepted','running')",
            [owner],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn add_bytes_written(&self, owner: &str, day: i64, bytes: u64) -> Result<(), StoreError> {
        self.c().execute(
            "INSERT INTO quota_usage(owner, day, bytes_written) VALUES (?1,?2,?3) \
             ON CONFLICT(owner, day) DO UPDATE SET bytes_written = bytes_written + excluded.bytes_written",
            params![owner, day, i64::try_from(bytes).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    fn bytes_written(&self, owner: &str, day: i64) -> Result<u64, StoreError> {
        let n: Option<i64> = self
            .c()
            .query_row("SELECT bytes_written FROM quota_usage WHERE owner=?1 AND day=?2", params![owner, day], |r| {
                r.get(0)
            })
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
        Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }
}
