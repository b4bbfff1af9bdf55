//! [`JobStore`] in one SQLite file.

use super::{now, Job, JobRequest, JobResult, JobStatus, JobStore, KeyRecord, NewJob, StoreError, UsageRecord};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

mod identity;

/// [`JobStore`] in one SQLite file (WAL, so `rookery worker` processes can share it).
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs(
  id TEXT PRIMARY KEY, process TEXT NOT NULL, owner TEXT NOT NULL, status TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '', progress INTEGER NOT NULL DEFAULT 0,
  request TEXT NOT NULL, result TEXT, created INTEGER NOT NULL, started INTEGER,
  finished INTEGER, attempts INTEGER NOT NULL DEFAULT 0, worker TEXT, lease_until INTEGER,
  last_worker TEXT);
CREATE INDEX IF NOT EXISTS jobs_status_created ON jobs(status, created);
CREATE INDEX IF NOT EXISTS jobs_owner_created ON jobs(owner, created);
CREATE TABLE IF NOT EXISTS api_keys(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL,
  created INTEGER NOT NULL, revoked INTEGER, last_used INTEGER);
CREATE TABLE IF NOT EXISTS usage(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, time_start INTEGER NOT NULL, time_end INTEGER NOT NULL,
  user TEXT NOT NULL, operation TEXT NOT NULL, process TEXT NOT NULL, job TEXT NOT NULL,
  inputs TEXT NOT NULL, http_status INTEGER NOT NULL, bytes_out INTEGER NOT NULL, remote TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS usage_start ON usage(time_start);
";

const JOB_COLS: &str =
    "id, process, owner, status, message, progress, request, result, created, started, finished, attempts, worker";

fn row_to_job(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Job, String, Option<String>)> {
    Ok((
        Job {
            id: r.get(0)?,
            process: r.get(1)?,
            owner: r.get(2)?,
            status: JobStatus::parse(&r.get::<_, String>(3)?),
            message: r.get(4)?,
            progress: u8::try_from(r.get::<_, i64>(5)?.clamp(0, 100)).unwrap_or(0),
            request: JobRequest::default(),
            result: None,
            created: r.get(8)?,
            started: r.get(9)?,
            finished: r.get(10)?,
            attempts: u32::try_from(r.get::<_, i64>(11)?).unwrap_or(0),
            worker: r.get(12)?,
        },
        r.get(6)?,
        r.get(7)?,
    ))
}

fn decode(t: (Job, String, Option<String>)) -> Result<Job, StoreError> {
    let (mut j, req, res) = t;
    j.request = serde_json::from_str(&req)?;
    j.result = res.map(|s| serde_json::from_str(&s)).transpose()?;
    Ok(j)
}

impl SqliteStore {
    /// Opens (creating) the store at `path`.
    ///
    /// # Errors
    /// The file cannot be opened or the schema created.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(identity::SCHEMA)?;
        // Stores made before `last_worker` existed (the worker a re-queued job ran under, whose
        // late end may still be recorded).
        let has_last_worker: bool =
            conn.query_row("SELECT count(*) FROM pragma_table_info('jobs') WHERE name='last_worker'", [], |r| {
                r.get::<_, i64>(0).map(|n| n > 0)
            })?;
        if !has_last_worker {
            conn.execute_batch("ALTER TABLE jobs ADD COLUMN last_worker TEXT")?;
        }
        Ok(SqliteStore { conn: Mutex::new(conn) })
    }

    fn c(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl JobStore for SqliteStore {
    fn submit(&self, job: &NewJob, max_queued: usize) -> Result<(), StoreError> {
        let mut c = self.c();
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let queued: i64 = tx.query_row("SELECT count(*) FROM jobs WHERE status='accepted'", [], |r| r.get(0))?;
        if usize::try_from(queued).unwrap_or(usize::MAX) >= max_queued {
            return Err(StoreError::Busy(format!(
                "Maximum number of queued jobs exceeded ({max_queued} waiting); try again later"
            )));
        }
        tx.execute(
            "INSERT INTO jobs(id, process, owner, status, request, created) VALUES (?1, ?2, ?3, 'accepted', ?4, ?5)",
            params![job.id, job.process, job.owner, serde_json::to_string(&job.request)?, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let c = self.c();
        let t = c.query_row(&format!("SELECT {JOB_COLS} FROM jobs WHERE id=?1"), [id], row_to_job).optional()?;
        t.map(decode).transpose()
    }

    fn claim(&self, worker: &str, lease_until: i64) -> Result<Option<Job>, StoreError> {
        let c = self.c();
        let t = c
            .query_row(
                &format!(
                    "UPDATE jobs SET status='running', worker=?1, started=?2, lease_until=?3, attempts=attempts+1, \
                     message='', progress=0 \
                     WHERE id=(SELECT id FROM jobs WHERE status='accepted' ORDER BY created, rowid LIMIT 1) \
                     AND status='accepted' RETURNING {JOB_COLS}"
                ),
                params![worker, now(), lease_until],
                row_to_job,
            )
            .optional()?;
        t.map(decode).transpose()
    }

    fn renew(&self, id: &str, worker: &str, lease_until: i64) -> Result<bool, StoreError> {
        let n = self.c().execute(
            "UPDATE jobs SET lease_until=?3 WHERE id=?1 AND worker=?2 AND status='running'",
            params![id, worker, lease_until],
        )?;
        Ok(n == 1)
    }

    fn set_progress(&self, id: &str, worker: &str, percent: u8) -> Result<bool, StoreError> {
        let n = self.c().execute(
            "UPDATE jobs SET progress=?3 WHERE id=?1 AND worker=?2 AND status='running'",
            params![id, worker, i64::from(percent.min(99))],
        )?;
        Ok(n == 1)
    }

    fn finish(
        &self,
        id: &str,
        worker: &str,
        outcome: Result<JobResult, crate::failure::JobFailure>,
    ) -> Result<bool, StoreError> {
        let (status, msg, res) = match outcome {
            Ok(r) => ("successful", "Process finished".to_string(), Some(serde_json::to_string(&r)?)),
            Err(f) => ("failed", f.message.clone(), JobResult::of_failure(&f)?),
        };
        let n = self.c().execute(
            "UPDATE jobs SET status=?3, message=?4, result=?5, finished=?6, progress=100, lease_until=NULL \
             WHERE id=?1 AND worker=?2 AND status='running'",
            params![id, worker, status, msg, res, now()],
        )?;
        Ok(n == 1)
    }

    fn finish_late(
        &self,
        id: &str,
        worker: &str,
        outcome: Result<JobResult, crate::failure::JobFailure>,
        at: i64,
    ) -> Result<bool, StoreError> {
        let (status, msg, res) = match outcome {
            Ok(r) => ("successful", "Process finished".to_string(), Some(serde_json::to_string(&r)?)),
            Err(f) => ("failed", f.message.clone(), JobResult::of_failure(&f)?),
        };
        let n = self.c().execute(
            "UPDATE jobs SET status=?3, message=?4, result=?5, finished=?6, progress=100, lease_until=NULL \
             WHERE id=?1 AND ((status='running' AND worker=?2) OR (status='accepted' AND worker IS NULL AND last_worker=?2))",
            params![id, worker, status, msg, res, at],
        )?;
        Ok(n == 1)
    }

    fn list(&self, owner: Option<&str>, limit: usize) -> Result<Vec<Job>, StoreError> {
        let c = self.c();
        let lim = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<_> = if let Some(o) = owner {
            let mut st = c.prepare(&format!(
                "SELECT {JOB_COLS} FROM jobs WHERE owner=?1 ORDER BY created DESC, rowid DESC LIMIT ?2"
            ))?;
            let v: Vec<_> = st.query_map(params![o, lim], row_to_job)?.collect::<Result<_, _>>()?;
            v
        } else {
            let mut st =
                c.prepare(&format!("SELECT {JOB_COLS} FROM jobs ORDER BY created DESC, rowid DESC LIMIT ?1"))?;
            let v: Vec<_> = st.query_map(params![lim], row_to_job)?.collect::<Result<_, _>>()?;
            v
        };
        rows.into_iter().map(decode).collect()
    }

    fn dismiss(&self, id: &str) -> Result<bool, StoreError> {
        let n = self.c().execute(
            "UPDATE jobs SET status='dismissed', message='Job dismissed', finished=?2, lease_until=NULL \
             WHERE id=?1 AND status<>'dismissed'",
            params![id, now()],
        )?;
        Ok(n == 1)
    }

    fn recover(&self, worker_like: Option<&str>, now_ms: i64, max_attempts: u32) -> Result<(usize, usize), StoreError> {
        let mut c = self.c();
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let cond = "status='running' AND ((?1 IS NOT NULL AND worker LIKE ?1) OR (lease_until IS NOT NULL AND lease_until < ?2))";
        let failed = tx.execute(
            &format!(
                "UPDATE jobs SET status='failed', finished=?2, lease_until=NULL, \
                 message='Process error: the job was interrupted (server restart or crash) ' || attempts || ' time(s) and was not retried' \
                 WHERE {cond} AND attempts >= ?3"
            ),
            params![worker_like, now_ms, max_attempts],
        )?;
        let requeued = tx.execute(
            &format!(
                "UPDATE jobs SET status='accepted', last_worker=worker, worker=NULL, started=NULL, lease_until=NULL, \
                 message='Re-queued after an interruption' WHERE {cond} AND attempts < ?3"
            ),
            params![worker_like, now_ms, max_attempts],
        )?;
        tx.commit()?;
        Ok((requeued, failed))
    }

    fn expired(&self, before: i64) -> Result<Vec<String>, StoreError> {
        let c = self.c();
        let mut st = c.prepare(
            "SELECT id FROM jobs WHERE status IN ('successful','failed','dismissed') AND coalesce(finished, created) < ?1",
        )?;
        let v = st.query_map([before], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(v)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.c().execute("DELETE FROM jobs WHERE id=?1", [id])?;
        Ok(())
    }

    fn count(&self, status: JobStatus) -> Result<usize, StoreError> {
        let n: i64 =
            self.c().query_row("SELECT count(*) FROM jobs WHERE status=?1", [status.as_str()], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn log_usage(&self, r: &UsageRecord) -> Result<(), StoreError> {
        self.c().execute(
            "INSERT INTO usage(time_start, time_end, user, operation, process, job, inputs, http_status, bytes_out, remote) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
            params![
                r.time_start,
                r.time_end,
                r.user,
                r.operation,
                r.process,
                r.job,
                r.inputs,
                r.http_status,
                i64::try_from(r.bytes_out).unwrap_or(i64::MAX),
                r.remote
            ],
        )?;
        Ok(())
    }

    fn usage(&self, from: Option<i64>, to: Option<i64>) -> Result<Vec<UsageRecord>, StoreError> {
        let c = self.c();
        let mut st = c.prepare(
            "SELECT time_start, time_end, user, operation, process, job, inputs, http_status, bytes_out, remote FROM usage \
             WHERE (?1 IS NULL OR time_start >= ?1) AND (?2 IS NULL OR time_end <= ?2) ORDER BY seq",
        )?;
        let v = st
            .query_map(params![from, to], |r| {
                Ok(UsageRecord {
                    time_start: r.get(0)?,
                    time_end: r.get(1)?,
                    user: r.get(2)?,
                    operation: r.get(3)?,
                    process: r.get(4)?,
                    job: r.get(5)?,
                    inputs: r.get(6)?,
                    http_status: r.get(7)?,
                    bytes_out: u64::try_from(r.get::<_, i64>(8)?).unwrap_or(0),
                    remote: r.get(9)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(v)
    }

    fn add_key(&self, k: &KeyRecord, hash: &str) -> Result<(), StoreError> {
        self.c().execute(
            "INSERT INTO api_keys(id, name, hash, scopes, created) VALUES (?1,?2,?3,?4,?5)",
            params![k.id, k.name, hash, k.scopes.join(" "), k.created],
        )?;
        Ok(())
    }

    fn key_by_hash(&self, hash: &str) -> Result<Option<KeyRecord>, StoreError> {
        let c = self.c();
        let k = c
            .query_row(
                "SELECT id, name, scopes, created, revoked, last_used FROM api_keys WHERE hash=?1 AND revoked IS NULL",
                [hash],
                key_row,
            )
            .optional()?;
        if let Some(k) = &k {
            // Coarse (one write a minute at most) to keep the hot path cheap.
            // Best effort: a store that cannot be written (a full disk) still lets keys in.
            if let Err(e) = c.execute(
                "UPDATE api_keys SET last_used=?2 WHERE id=?1 AND coalesce(last_used, 0) < ?2 - 60000",
                params![k.id, now()],
            ) {
                tracing::debug!("api key {}: last use not recorded: {e}", k.id);
            }
        }
        Ok(k)
    }

    fn keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let c = self.c();
        let mut st =
            c.prepare("SELECT id, name, scopes, created, revoked, last_used FROM api_keys ORDER BY created")?;
        let v = st.query_map([], key_row)?.collect::<Result<_, _>>()?;
        Ok(v)
    }

    fn revoke_key(&self, id_or_name: &str) -> Result<bool, StoreError> {
        let n = self.c().execute(
            "UPDATE api_keys SET revoked=?2 WHERE (id=?1 OR name=?1) AND revoked IS NULL",
            params![id_or_name, now()],
        )?;
        Ok(n > 0)
    }
}

fn key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRecord> {
    Ok(KeyRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        scopes: r.get::<_, String>(2)?.split_whitespace().map(String::from).collect(),
        created: r.get(3)?,
        revoked: r.get(4)?,
        last_used: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str) -> NewJob {
        NewJob { id: id.into(), process: "subset".into(), owner: "k1".into(), request: JobRequest::default() }
    }

    #[test]
    fn queue_claim_finish_recover() {
        let d = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&d.path().join("jobs.sqlite")).unwrap();
        s.submit(&job("a"), 2).unwrap();
        s.submit(&job("b"), 2).unwrap();
        assert!(matches!(s.submit(&job("c"), 2), Err(StoreError::Busy(_))));
        let a = s.claim("w1", i64::MAX).unwrap().unwrap();
        assert_eq!(a.id, "a");
        assert_eq!(a.status, JobStatus::Running);
        assert_eq!(a.attempts, 1);
        assert!(s.finish("a", "w1", Ok(JobResult::default())).unwrap());
        assert!(!s.finish("a", "w1", Err("x".into())).unwrap(), "a finished job stays finished");
        let b = s.claim("serve:1", i64::MAX).unwrap().unwrap();
        assert_eq!(b.id, "b");
        assert!(s.claim("w1", i64::MAX).unwrap().is_none());
        // A restart of the server re-queues its running job once, then fails it.
        assert_eq!(s.recover(Some("serve:%"), now(), 2).unwrap(), (1, 0));
        assert_eq!(s.get("b").unwrap().unwrap().status, JobStatus::Accepted);
        s.claim("serve:2", i64::MAX).unwrap().unwrap();
        assert_eq!(s.recover(Some("serve:%"), now(), 2).unwrap(), (0, 1));
        let b = s.get("b").unwrap().unwrap();
        assert_eq!(b.status, JobStatus::Failed);
        assert!(b.message.contains("interrupted"), "{}", b.message);
        assert_eq!(s.list(Some("k1"), 10).unwrap().len(), 2);
        assert_eq!(s.list(Some("other"), 10).unwrap().len(), 0);
    }

    #[test]
    fn a_late_end_is_taken_while_held_or_requeued_from_its_worker_only() {
        let d = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&d.path().join("jobs.sqlite")).unwrap();
        for id in ["a", "b", "c"] {
            s.submit(&job(id), 5).unwrap();
        }
        s.claim("w1", 1000).unwrap().unwrap();
        assert!(s.finish_late("a", "w1", Err("disk full".into()), 5).unwrap(), "still held");
        let a = s.get("a").unwrap().unwrap();
        assert_eq!((a.status, a.message.as_str(), a.finished), (JobStatus::Failed, "disk full", Some(5)));
        // Its lease ran out and it was re-queued: the late end is still its worker's.
        s.claim("w1", 1000).unwrap().unwrap();
        assert_eq!(s.recover(None, 2000, 3).unwrap(), (1, 0));
        assert!(!s.finish_late("b", "w2", Ok(JobResult::default()), 6).unwrap(), "not the worker's");
        assert!(s.finish_late("b", "w1", Ok(JobResult::default()), 6).unwrap());
        assert_eq!(s.get("b").unwrap().unwrap().status, JobStatus::Successful);
        assert!(s.claim("w2", 1000).unwrap().is_some_and(|j| j.id == "c"), "b is not run again");
        // Claimed again by another worker: too late.
        assert_eq!(s.recover(None, 2000, 3).unwrap(), (1, 0));
        s.claim("w3", i64::MAX).unwrap().unwrap();
        assert!(!s.finish_late("c", "w2", Err("x".into()), 7).unwrap());
        // A store made before `last_worker` gains the column.
        drop(s);
        let c = Connection::open(d.path().join("old.sqlite")).unwrap();
        c.execute_batch(&SCHEMA.replace(",\n  last_worker TEXT", "")).unwrap();
        drop(c);
        let old = SqliteStore::open(&d.path().join("old.sqlite")).unwrap();
        old.submit(&job("x"), 5).unwrap();
        old.claim("w", 0).unwrap().unwrap();
        assert_eq!(old.recover(None, 1, 3).unwrap(), (1, 0));
        assert!(old.finish_late("x", "w", Err("late".into()), 1).unwrap());
    }

    #[test]
    fn expired_leases_are_recovered() {
        let d = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&d.path().join("jobs.sqlite")).unwrap();
        s.submit(&job("a"), 5).unwrap();
        s.claim("remote", 1000).unwrap().unwrap();
        assert_eq!(s.recover(None, 500, 3).unwrap(), (0, 0));
        assert_eq!(s.recover(None, 2000, 3).unwrap(), (1, 0));
    }
}
