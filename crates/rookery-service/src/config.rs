//! Service configuration: built-in defaults < a config file (`key = value` lines, `#`
//! comments, TOML-compatible for these keys) < `ROOKERY_*` environment variables < command
//! line flags. Zero configuration starts a server on 127.0.0.1:5000 with `./rookery-data`.

use std::path::{Path, PathBuf};

/// Settings of `rookery serve` and `rookery worker`.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (`host:port`; port 0 picks a free one).
    pub bind: String,
    /// Jobs, outputs, the SQLite job store and the server secret live here.
    pub data_dir: PathBuf,
    /// The job store: a SQLite file, or a `postgres://` / `postgresql://` URL shared by servers
    /// and workers on several machines (default: `rookery.sqlite` in the data directory).
    pub db: Option<String>,
    /// Serve without API keys (every caller is `anonymous`).
    pub open: bool,
    /// Jobs running at once in this process (pywps `parallelprocesses`).
    pub workers: usize,
    /// Jobs waiting at most (pywps `maxprocesses`); beyond that, `ServerBusy`.
    pub max_queued: usize,
    /// Finished jobs and their outputs are removed after this many hours.
    pub retention_hours: f64,
    /// Requests per minute per API key (0: unlimited).
    pub rate_limit: u32,
    /// URL clients reach this server at (default: from the request's `Host`).
    pub public_url: Option<String>,
    /// Runs of a job before an interruption marks it failed instead of re-queueing it.
    pub max_attempts: u32,
    /// Lease of a running job, renewed while it runs; an expired lease means the worker died.
    pub lease_secs: u64,
    /// Longest a synchronous execute waits before answering with an error (the job goes on).
    pub sync_timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:5000".into(),
            data_dir: PathBuf::from("rookery-data"),
            db: None,
            open: false,
            workers: 2,
            max_queued: 100,
            retention_hours: 72.0,
            rate_limit: 600,
            public_url: None,
            max_attempts: 2,
            lease_secs: 60,
            sync_timeout_secs: 3600,
        }
    }
}

/// Keys accepted in files and (upper-cased, `ROOKERY_` prefixed) in the environment.
pub const KEYS: &[&str] = &[
    "bind",
    "data_dir",
    "db",
    "open",
    "workers",
    "max_queued",
    "retention_hours",
    "rate_limit",
    "public_url",
    "max_attempts",
    "lease_secs",
    "sync_timeout_secs",
];

fn num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("config: '{key}' must be a number, not '{v}'"))
}

impl Config {
    /// Sets one key.
    ///
    /// # Errors
    /// Unknown key or a value of the wrong type.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let v = value.trim().trim_matches('"');
        match key.trim() {
            "bind" => self.bind = v.to_string(),
            "data_dir" => self.data_dir = PathBuf::from(v),
            "db" => self.db = (!v.is_empty()).then(|| v.to_string()),
            "open" => {
                self.open = crate::process::parse_bool(v)
                    .ok_or_else(|| format!("config: 'open' must be true or false, not '{v}'"))?;
            }
            "workers" => self.workers = num::<usize>(key, v)?.max(1),
            "max_queued" => self.max_queued = num(key, v)?,
            "retention_hours" => self.retention_hours = num(key, v)?,
            "rate_limit" => self.rate_limit = num(key, v)?,
            "public_url" => self.public_url = (!v.is_empty()).then(|| v.trim_end_matches('/').to_string()),
            "max_attempts" => self.max_attempts = num::<u32>(key, v)?.max(1),
            "lease_secs" => self.lease_secs = num::<u64>(key, v)?.max(2),
            "sync_timeout_secs" => self.sync_timeout_secs = num(key, v)?,
            other => return Err(format!("config: unknown key '{other}' (known: {})", KEYS.join(", "))),
        }
        Ok(())
    }

    /// Reads `key = value` lines (a `[section]` header line is ignored).
    ///
    /// # Errors
    /// The file cannot be read, or a line is malformed.
    pub fn load_file(&mut self, path: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("config: cannot read {}: {e}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('[') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(format!("config: {}:{}: expected 'key = value'", path.display(), n + 1));
            };
            self.set(k, v).map_err(|e| format!("{e} ({}:{})", path.display(), n + 1))?;
        }
        Ok(())
    }

    /// Applies `ROOKERY_<KEY>` environment variables.
    ///
    /// # Errors
    /// A value of the wrong type.
    pub fn load_env(&mut self) -> Result<(), String> {
        for k in KEYS {
            if let Ok(v) = std::env::var(format!("ROOKERY_{}", k.to_ascii_uppercase())) {
                self.set(k, &v)?;
            }
        }
        Ok(())
    }

    /// Directory of one job.
    #[must_use]
    pub fn job_dir(&self, id: &str) -> PathBuf {
        self.data_dir.join("jobs").join(id)
    }

    /// The SQLite job store: `db` when it is a path, else `rookery.sqlite` in the data directory.
    #[must_use]
    pub fn db_path(&self) -> PathBuf {
        match &self.db {
            Some(d) if !crate::jobs::is_postgres_url(d) => PathBuf::from(d),
            _ => self.data_dir.join("rookery.sqlite"),
        }
    }

    /// The PostgreSQL job store's URL, when `db` is one.
    #[must_use]
    pub fn db_url(&self) -> Option<&str> {
        self.db.as_deref().filter(|d| crate::jobs::is_postgres_url(d))
    }

    /// The job store for messages: the PostgreSQL URL without its password, or the SQLite file.
    #[must_use]
    pub fn db_label(&self) -> String {
        self.db_url()
            .map_or_else(|| self.db_path().display().to_string(), crate::jobs::redact_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_values() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("rookery.toml");
        std::fs::write(&f, "# comment\n[server]\nbind = \"0.0.0.0:8080\"\nworkers = 4\nopen = true\n").unwrap();
        let mut c = Config::default();
        c.load_file(&f).unwrap();
        assert_eq!(c.bind, "0.0.0.0:8080");
        assert_eq!(c.workers, 4);
        assert!(c.open);
        assert!(c.set("colour", "red").unwrap_err().contains("unknown key"));
        assert!(c.set("workers", "many").is_err());
        assert_eq!(c.db_path(), c.data_dir.join("rookery.sqlite"));
        assert!(c.db_url().is_none());
        c.set("db", "jobs.sqlite").unwrap();
        assert_eq!(c.db_path(), PathBuf::from("jobs.sqlite"));
        c.set("db", "postgresql://u:secret@db.example:5432/rookery?password=x&sslmode=disable").unwrap();
        assert!(c.db_url().is_some());
        assert_eq!(c.db_label(), "postgresql://u@db.example:5432/rookery?sslmode=disable");
    }
}
