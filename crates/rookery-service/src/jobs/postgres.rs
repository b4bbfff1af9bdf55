//! [`JobStore`] in a PostgreSQL database, shared by `rookery serve` and `rookery worker`
//! processes on any number of machines.
//!
//! The synchronous `postgres` client runs its own small tokio runtime, which must never be
//! started on a thread of the service's runtime. So each store owns one plain thread with one
//! connection, and every call is a closure sent to that thread; the caller blocks on the answer
//! (as it would on SQLite's mutex), which is safe from any thread, async handlers included.
//!
//! A lost connection (database restart, network cut, idle kill) is re-opened and the call run
//! again, once per call; the claim is atomic across processes:
//! `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING …`.

use super::{now, Job, JobRequest, JobResult, JobStatus, JobStore, KeyRecord, NewJob, StoreError, UsageRecord};
use postgres::{Client, NoTls, Row};
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

mod identity;

/// [`JobStore`] in PostgreSQL (`postgres://user:password@host:port/database`). The tables are
/// created in the first schema of the connection's `search_path`; another schema can be chosen
/// with `?options=-csearch_path%3Dmyschema`.
pub struct PgStore {
    tx: Mutex<mpsc::Sender<Task>>,
    name: String,
}

type Task = Box<dyn FnOnce(&mut Session) + Send>;

/// First key of this store's advisory locks (the second is the schema's hash).
const LOCK_CLASS: i32 = 0x726b_7279; // "rkry"
const LOCK_SCHEMA: &str = "SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs(
  seq BIGSERIAL NOT NULL, id TEXT PRIMARY KEY, process TEXT NOT NULL, owner TEXT NOT NULL,
  status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', progress BIGINT NOT NULL DEFAULT 0,
  request TEXT NOT NULL, result TEXT, created BIGINT NOT NULL, started BIGINT,
  finished BIGINT, attempts BIGINT NOT NULL DEFAULT 0, worker TEXT, lease_until BIGINT);
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS last_worker TEXT;
CREATE INDEX IF NOT EXISTS jobs_status_created ON jobs(status, created, seq);
CREATE INDEX IF NOT EXISTS jobs_owner_created ON jobs(owner, created);
CREATE TABLE IF NOT EXISTS api_keys(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL,
  created BIGINT NOT NULL, revoked BIGINT, last_used BIGINT);
CREATE TABLE IF NOT EXISTS usage(
  seq BIGSERIAL PRIMARY KEY, time_start BIGINT NOT NULL, time_end BIGINT NOT NULL,
  \"user\" TEXT NOT NULL, operation TEXT NOT NULL, process TEXT NOT NULL, job TEXT NOT NULL,
  inputs TEXT NOT NULL, http_status BIGINT NOT NULL, bytes_out BIGINT NOT NULL, remote TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS usage_start ON usage(time_start);
";

const JOB_COLS: &str =
    "id, process, owner, status, message, progress, request, result, created, started, finished, attempts, worker";

/// A failure inside a call: the database's (maybe a lost connection) or the store's.
enum Fail {
    Pg(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Self {
        Fail::Pg(e)
    }
}

impl From<serde_json::Error> for Fail {
    fn from(e: serde_json::Error) -> Self {
        Fail::Store(StoreError::Json(e))
    }
}

type R<T> = Result<T, Fail>;

/// One line: the error and its causes (a server error's DETAIL and HINT included).
fn pg_message(e: &postgres::Error) -> String {
    let mut s = match e.as_db_error() {
        Some(db) => db.to_string(),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(c) = src {
                s.push_str(": ");
                s.push_str(&c.to_string());
                src = c.source();
            }
            s
        }
    };
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s
}

/// The connection is gone (rather than the statement being wrong).
fn connection_lost(e: &postgres::Error, c: &Client) -> bool {
    if e.is_closed() || c.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        // Class 08: connection exception; 57P01..03: admin/crash shutdown, cannot connect now.
        let c = code.code();
        return c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03");
    }
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        if s.is::<std::io::Error>() {
            return true;
        }
        src = s.source();
    }
    false
}

/// The connection thread's state.
struct Session {
    config: postgres::Config,
    client: Option<Client>,
    name: String,
}

impl Session {
    fn error(&self, e: &postgres::Error) -> StoreError {
        StoreError::Backend(format!("job store {}: {}", self.name, pg_message(e)))
    }

    fn connect(&mut self) -> Result<(), StoreError> {
        if self.client.as_ref().is_some_and(|c| !c.is_closed()) {
            return Ok(());
        }
        self.client = None;
        let c = self.config.connect(NoTls).map_err(|e| self.error(&e))?;
        self.client = Some(c);
        Ok(())
    }

    /// Runs `f`, re-opening the connection and running it once more when it was lost.
    fn run<T>(&mut self, f: &mut dyn FnMut(&mut Client) -> R<T>) -> Result<T, StoreError> {
        let mut retried = false;
        loop {
            self.connect()?;
            let Some(client) = self.client.as_mut() else {
                return Err(StoreError::Backend(format!("job store {}: not connected", self.name)));
            };
            match f(client) {
                Ok(v) => return Ok(v),
                Err(Fail::Store(e)) => return Err(e),
                Err(Fail::Pg(e)) => {
                    let lost = connection_lost(&e, client);
                    if lost {
                        self.client = None;
                    }
                    if lost && !retried {
                        tracing::warn!("job store {}: connection lost ({}); reconnecting", self.name, pg_message(&e));
                        retried = true;
                        continue;
                    }
                    return Err(self.error(&e));
                }
            }
        }
    }
}

fn row_to_job(r: &Row) -> R<Job> {
    let req: String = r.try_get(6)?;
    let res: Option<String> = r.try_get(7)?;
    Ok(Job {
        id: r.try_get(0)?,
        process: r.try_get(1)?,
        owner: r.try_get(2)?,
        status: JobStatus::parse(r.try_get(3)?),
        message: r.try_get(4)?,
        progress: u8::try_from(r.try_get::<_, i64>(5)?.clamp(0, 100)).unwrap_or(0),
        request: serde_json::from_str::<JobRequest>(&req)?,
        result: res.map(|s| serde_json::from_str::<JobResult>(&s)).transpose()?,
        created: r.try_get(8)?,
        started: r.try_get(9)?,
        finished: r.try_get(10)?,
        attempts: u32::try_from(r.try_get::<_, i64>(11)?).unwrap_or(0),
        worker: r.try_get(12)?,
    })
}

fn key_row(r: &Row) -> R<KeyRecord> {
    Ok(KeyRecord {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        scopes: r.try_get::<_, String>(2)?.split_whitespace().map(String::from).collect(),
        created: r.try_get(3)?,
        revoked: r.try_get(4)?,
        last_used: r.try_get(5)?,
    })
}

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl PgStore {
    /// Connects to `url` (`postgres://` or `postgresql://`) and creates the tables if needed
    /// (under an advisory lock, so processes opening the store at once do not collide).
    ///
    /// # Errors
    /// A malformed URL, an unreachable database, or the schema cannot be created; the message
    /// names the database (without its password).
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let name = crate::config::redact_url(url);
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::Backend(format!("job store {name}: {}", pg_message(&e))))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("rookery");
        }
        let (tx, rx) = mpsc::channel::<Task>();
        let mut session = Session { config, client: None, name: name.clone() };
        std::thread::Builder::new()
            .name("rookery-pg".into())
            .spawn(move || {
                for task in rx {
                    // A panic inside one call must not take the store down with it.
                    if std::panic::catch_unwind(AssertUnwindSafe(|| task(&mut session))).is_err() {
                        session.client = None;
                    }
                }
            })
            .map_err(|e| StoreError::Backend(format!("job store {name}: cannot start its thread: {e}")))?;
        let store = PgStore { tx: Mutex::new(tx), name };
        store.call(|c| {
            let mut t = c.transaction()?;
            t.execute(LOCK_SCHEMA, &[&LOCK_CLASS])?;
            t.batch_execute(SCHEMA)?;
            t.batch_execute(identity::SCHEMA)?;
            t.commit()?;
            Ok(())
        })?;
        Ok(store)
    }

    /// Runs `f` with the connection on the store's thread and waits for its answer.
    fn call<T: Send + 'static>(
        &self,
        mut f: impl FnMut(&mut Client) -> R<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (rtx, rrx) = mpsc::sync_channel(1);
        let task: Task = Box::new(move |s: &mut Session| {
            let _ = rtx.send(s.run(&mut f));
        });
        let stopped = || StoreError::Backend(format!("job store {}: its connection thread has stopped", self.name));
        self.tx.lock().unwrap_or_else(std::sync::PoisonError::into_inner).send(task).map_err(|_| stopped())?;
        rrx.recv().map_err(|_| stopped())?
    }
}

impl JobStore for PgStore {
    fn submit(&self, job: &NewJob, max_queued: usize) -> Result<(), StoreError> {
        let job = job.clone();
        let request = serde_json::to_string(&job.request)?;
        self.call(move |c| {
            let mut t = c.transaction()?;
            // Serialises submissions (of every process) so the limit holds exactly.
            t.execute(LOCK_SCHEMA, &[&(LOCK_CLASS + 1)])?;
            let queued: i64 = t.query_one("SELECT count(*) FROM jobs WHERE status='accepted'", &[])?.try_get(0)?;
            if usize::try_from(queued).unwrap_or(usize::MAX) >= max_queued {
                return Err(Fail::Store(StoreError::Busy(format!(
                    "Maximum number of queued jobs exceeded ({max_queued} waiting); try again later"
                ))));
            }
            t.execute(
                "INSERT INTO jobs(id, process, owner, status, request, created) VALUES ($1, $2, $3, 'accepted', $4, $5)",
                &[&job.id, &job.process, &job.owner, &request, &now()],
            )?;
            t.commit()?;
            Ok(())
        })
    }

    fn get(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let id = id.to_string();
        self.call(move |c| {
            c.query_opt(&format!("SELECT {JOB_COLS} FROM jobs WHERE id=$1"), &[&id])?
                .map(|r| row_to_job(&r))
                .transpose()
        })
    }

    fn claim(&self, worker: &str, lease_until: i64) -> Result<Option<Job>, StoreError> {
        let worker = worker.to_string();
        self.call(move |c| {
            c.query_opt(
                &format!(
                    "UPDATE jobs SET status='running', worker=$1, started=$2, lease_until=$3, attempts=attempts+1, \
                     message='', progress=0 \
                     WHERE id=(SELECT id FROM jobs WHERE status='accepted' ORDER BY created, seq \
                     LIMIT 1 FOR UPDATE SKIP LOCKED) \
                     AND status='accepted' RETURNING {JOB_COLS}"
                ),
                &[&worker, &now(), &lease_until],
            )?
            .map(|r| row_to_job(&r))
            .transpose()
        })
    }

    fn renew(&self, id: &str, worker: &str, lease_until: i64) -> Result<bool, StoreError> {
        let (id, worker) = (id.to_string(), worker.to_string());
        self.call(move |c| {
            let n = c.execute(
                "UPDATE jobs SET lease_until=$3 WHERE id=$1 AND worker=$2 AND status='running'",
                &[&id, &worker, &lease_until],
            )?;
            Ok(n == 1)
        })
    }

    fn set_progress(&self, id: &str, worker: &str, percent: u8) -> Result<bool, StoreError> {
        let (id, worker, p) = (id.to_string(), worker.to_string(), i64::from(percent.min(99)));
        self.call(move |c| {
            let n = c.execute(
                "UPDATE jobs SET progress=$3 WHERE id=$1 AND worker=$2 AND status='running'",
                &[&id, &worker, &p],
            )?;
            Ok(n == 1)
        })
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
        let (id, worker) = (id.to_string(), worker.to_string());
        self.call(move |c| {
            let n = c.execute(
                "UPDATE jobs SET status=$3, message=$4, result=$5, finished=$6, progress=100, lease_until=NULL \
                 WHERE id=$1 AND worker=$2 AND status='running'",
                &[&id, &worker, &status, &msg, &res, &now()],
            )?;
            Ok(n == 1)
        })
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
        let (id, worker) = (id.to_string(), worker.to_string());
        self.call(move |c| {
            let n = c.execute(
                "UPDATE jobs SET status=$3, message=$4, result=$5, finished=$6, progress=100, lease_until=NULL \
                 WHERE id=$1 AND ((status='running' AND worker=$2) OR (status='accepted' AND worker IS NULL AND last_worker=$2))",
                &[&id, &worker, &status, &msg, &res, &at],
            )?;
            Ok(n == 1)
        })
    }

    fn list(&self, owner: Option<&str>, limit: usize) -> Result<Vec<Job>, StoreError> {
        let owner = owner.map(String::from);
        let lim = i64::try_from(limit).unwrap_or(i64::MAX);
        self.call(move |c| {
            let rows = c.query(
                &format!(
                    "SELECT {JOB_COLS} FROM jobs WHERE ($1::text IS NULL OR owner=$1) \
                     ORDER BY created DESC, seq DESC LIMIT $2"
                ),
                &[&owner, &lim],
            )?;
            rows.iter().map(row_to_job).collect()
        })
    }

    fn dismiss(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_string();
        self.call(move |c| {
            let n = c.execute(
                "UPDATE jobs SET status='dismissed', message='Job dismissed', finished=$2, lease_until=NULL \
                 WHERE id=$1 AND status<>'dismissed'",
                &[&id, &now()],
            )?;
            Ok(n == 1)
        })
    }

    fn recover(&self, worker_like: Option<&str>, now_ms: i64, max_attempts: u32) -> Result<(usize, usize), StoreError> {
        let worker_like = worker_like.map(String::from);
        let max = i64::from(max_attempts);
        self.call(move |c| {
            let mut t = c.transaction()?;
            let cond = "status='running' AND (($1::text IS NOT NULL AND worker LIKE $1) \
                        OR (lease_until IS NOT NULL AND lease_until < $2))";
            let failed = t.execute(
                &format!(
                    "UPDATE jobs SET status='failed', finished=$2, lease_until=NULL, \
                     message='Process error: the job was interrupted (server restart or crash) ' || attempts || ' time(s) and was not retried' \
                     WHERE {cond} AND attempts >= $3"
                ),
                &[&worker_like, &now_ms, &max],
            )?;
            let requeued = t.execute(
                &format!(
                    "UPDATE jobs SET status='accepted', last_worker=worker, worker=NULL, started=NULL, lease_until=NULL, \
                     message='Re-queued after an interruption' WHERE {cond} AND attempts < $3"
                ),
                &[&worker_like, &now_ms, &max],
            )?;
            t.commit()?;
            Ok((usize::try_from(requeued).unwrap_or(usize::MAX), usize::try_from(failed).unwrap_or(usize::MAX)))
        })
    }

    fn expired(&self, before: i64) -> Result<Vec<String>, StoreError> {
        self.call(move |c| {
            let rows = c.query(
                "SELECT id FROM jobs WHERE status IN ('successful','failed','dismissed') AND coalesce(finished, created) < $1",
                &[&before],
            )?;
            rows.iter().map(|r| r.try_get(0).map_err(Fail::Pg)).collect()
        })
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.call(move |c| {
            c.execute("DELETE FROM jobs WHERE id=$1", &[&id])?;
            Ok(())
        })
    }

    fn count(&self, status: JobStatus) -> Result<usize, StoreError> {
        self.call(move |c| {
            let n: i64 = c.query_one("SELECT count(*) FROM jobs WHERE status=$1", &[&status.as_str()])?.try_get(0)?;
            Ok(count(n))
        })
    }

    fn log_usage(&self, r: &UsageRecord) -> Result<(), StoreError> {
        let r = r.clone();
        self.call(move |c| {
            c.execute(
                "INSERT INTO usage(time_start, time_end, \"user\", operation, process, job, inputs, http_status, bytes_out, remote) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
                &[
                    &r.time_start,
                    &r.time_end,
                    &r.user,
                    &r.operation,
                    &r.process,
                    &r.job,
                    &r.inputs,
                    &i64::from(r.http_status),
                    &i64::try_from(r.bytes_out).unwrap_or(i64::MAX),
                    &r.remote,
                ],
            )?;
            Ok(())
        })
    }

    fn usage(&self, from: Option<i64>, to: Option<i64>) -> Result<Vec<UsageRecord>, StoreError> {
        self.call(move |c| {
            let rows = c.query(
                "SELECT time_start, time_end, \"user\", operation, process, job, inputs, http_status, bytes_out, remote FROM usage \
                 WHERE ($1::bigint IS NULL OR time_start >= $1) AND ($2::bigint IS NULL OR time_end <= $2) ORDER BY seq",
                &[&from, &to],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(UsageRecord {
                        time_start: r.try_get(0)?,
                        time_end: r.try_get(1)?,
                        user: r.try_get(2)?,
                        operation: r.try_get(3)?,
                        process: r.try_get(4)?,
                        job: r.try_get(5)?,
                        inputs: r.try_get(6)?,
                        http_status: u16::try_from(r.try_get::<_, i64>(7)?).unwrap_or(0),
                        bytes_out: u64::try_from(r.try_get::<_, i64>(8)?).unwrap_or(0),
                        remote: r.try_get(9)?,
                    })
                })
                .collect()
        })
    }

    fn add_key(&self, k: &KeyRecord, hash: &str) -> Result<(), StoreError> {
        let (k, hash) = (k.clone(), hash.to_string());
        self.call(move |c| {
            c.execute(
                "INSERT INTO api_keys(id, name, hash, scopes, created) VALUES ($1,$2,$3,$4,$5)",
                &[&k.id, &k.name, &hash, &k.scopes.join(" "), &k.created],
            )?;
            Ok(())
        })
    }

    fn key_by_hash(&self, hash: &str) -> Result<Option<KeyRecord>, StoreError> {
        let hash = hash.to_string();
        self.call(move |c| {
            let k = c
                .query_opt(
                    "SELECT id, name, scopes, created, revoked, last_used FROM api_keys WHERE hash=$1 AND revoked IS NULL",
                    &[&hash],
                )?
                .map(|r| key_row(&r))
                .transpose()?;
            if let Some(k) = &k {
                // Coarse (one write a minute at most) to keep the hot path cheap.
                c.execute(
                    "UPDATE api_keys SET last_used=$2 WHERE id=$1 AND coalesce(last_used, 0) < $2::bigint - 60000",
                    &[&k.id, &now()],
                )?;
            }
            Ok(k)
        })
    }

    fn keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        self.call(|c| {
            let rows =
                c.query("SELECT id, name, scopes, created, revoked, last_used FROM api_keys ORDER BY created", &[])?;
            rows.iter().map(key_row).collect()
        })
    }

    fn revoke_key(&self, id_or_name: &str) -> Result<bool, StoreError> {
        let key = id_or_name.to_string();
        self.call(move |c| {
            let n = c.execute(
                "UPDATE api_keys SET revoked=$2 WHERE (id=$1 OR name=$1) AND revoked IS NULL",
                &[&key, &now()],
            )?;
            Ok(n > 0)
        })
    }
}
