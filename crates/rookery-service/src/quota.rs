//! Quotas per principal: request rate (token bucket, [`RateLimiter`]), jobs accepted or running
//! at once, and output bytes written per UTC day. Defaults come from `rate_limit`,
//! `quota_concurrent_jobs` and `quota_daily_bytes`; `quota = "<principal> rate=.. jobs=.. bytes=.."`
//! overrides them for one principal (an API key id, `anonymous`, or `<iss>#<sub>`).
//!
//! Over quota, OGC API answers 429 with `Retry-After`, WPS a `ServerBusy` ExceptionReport (also
//! with HTTP 429 and `Retry-After`).

use crate::auth::{Principal, RateLimiter};
use crate::config::Config;
use crate::jobs::JobStore;
use std::collections::HashMap;

/// The limits of one principal (0: unlimited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Requests per minute (bursts up to as many).
    pub rate_limit: u32,
    /// Jobs accepted or running at once.
    pub concurrent_jobs: usize,
    /// Output bytes written per UTC day.
    pub daily_bytes: u64,
    /// Estimated bytes one request may read (`max_read_bytes`, `read=`).
    pub max_read_bytes: u64,
    /// Estimated bytes one request may write (`max_output_bytes`, `output=`).
    pub max_output_bytes: u64,
}

/// Over quota: what to tell the client, and when to come back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaError {
    /// Message for the client naming the quota exceeded.
    pub text: String,
    /// Seconds until a retry may succeed (sent as `Retry-After`).
    pub retry_after: u64,
}

/// Quota defaults and overrides of a configuration.
#[derive(Debug)]
pub struct Quotas {
    defaults: Limits,
    overrides: HashMap<String, crate::config::QuotaOverride>,
}

/// Days since the epoch (UTC) of a time in ms.
#[must_use]
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

fn human(b: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let f = b as f64;
    if b >= 1_000_000_000 {
        format!("{:.1} GB", f / 1e9)
    } else if b >= 1_000_000 {
        format!("{:.1} MB", f / 1e6)
    } else {
        format!("{b} bytes")
    }
}

impl Quotas {
    /// The defaults (`rate_limit`, `quota_concurrent_jobs`, `quota_daily_bytes`) and the
    /// per-principal `quota` overrides of `cfg`.
    #[must_use]
    pub fn new(cfg: &Config) -> Quotas {
        Quotas {
            defaults: Limits {
                rate_limit: cfg.rate_limit,
                concurrent_jobs: cfg.identity.concurrent_jobs,
                daily_bytes: cfg.identity.daily_bytes,
                max_read_bytes: cfg.max_read_bytes,
                max_output_bytes: cfg.max_output_bytes,
            },
            overrides: cfg.identity.overrides.iter().map(|o| (o.principal.clone(), o.clone())).collect(),
        }
    }

    /// The limits of principal `id`.
    #[must_use]
    pub fn limits(&self, id: &str) -> Limits {
        let d = self.defaults;
        match self.overrides.get(id) {
            Some(o) => Limits {
                rate_limit: o.rate_limit.unwrap_or(d.rate_limit),
                concurrent_jobs: o.concurrent_jobs.unwrap_or(d.concurrent_jobs),
                daily_bytes: o.daily_bytes.unwrap_or(d.daily_bytes),
                max_read_bytes: o.max_read_bytes.unwrap_or(d.max_read_bytes),
                max_output_bytes: o.max_output_bytes.unwrap_or(d.max_output_bytes),
            },
            None => d,
        }
    }

    /// Takes a request token of `p`'s bucket.
    ///
    /// # Errors
    /// The bucket is empty.
    pub fn check_rate(&self, limiter: &RateLimiter, p: &Principal) -> Result<(), QuotaError> {
        limiter.check_with(&p.id, self.limits(&p.id).rate_limit).map_err(|wait| QuotaError {
            text: format!("Rate limit exceeded for this {}; retry in {wait} s", p.credential_kind()),
            retry_after: wait,
        })
    }

    /// May `p` submit one more job (jobs at once, bytes written today)?
    ///
    /// # Errors
    /// Over a quota; a store failure is logged and lets the job through.
    pub fn check_submit(&self, store: &dyn JobStore, p: &Principal) -> Result<(), QuotaError> {
        let l = self.limits(&p.id);
        if l.concurrent_jobs > 0 {
            match store.active_jobs(&p.id) {
                Ok(n) if n >= l.concurrent_jobs => {
                    return Err(QuotaError {
                        text: format!(
                            "Quota exceeded: {n} jobs of yours are accepted or running and at most {} may be at once; retry when one has finished",
                            l.concurrent_jobs
                        ),
                        retry_after: 10,
                    })
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("quota: counting jobs of {} failed: {e}", p.id),
            }
        }
        if l.daily_bytes > 0 {
            let now = crate::time::now_ms();
            match store.bytes_written(&p.id, day_of(now)) {
                Ok(b) if b >= l.daily_bytes => {
                    let next_day = (day_of(now) + 1) * 86_400_000;
                    return Err(QuotaError {
                        text: format!(
                            "Quota exceeded: your jobs wrote {} today (UTC) and the daily limit is {}; retry tomorrow",
                            human(b),
                            human(l.daily_bytes)
                        ),
                        retry_after: u64::try_from((next_day - now) / 1000).unwrap_or(3600).max(1),
                    });
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("quota: reading bytes written by {} failed: {e}", p.id),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Via;
    use crate::jobs::{IdentityStore, JobRequest, JobStore, NewJob, SqliteStore};

    #[test]
    fn limits_and_checks() {
        let mut cfg = Config::default();
        cfg.set("quota_concurrent_jobs", "1").unwrap();
        cfg.set("quota_daily_bytes", "1000").unwrap();
        cfg.set("max_read_bytes", "1G").unwrap();
        cfg.set("quota", "vip jobs=0 bytes=0 rate=2 read=0 output=5G").unwrap();
        let q = Quotas::new(&cfg);
        let x = Limits {
            rate_limit: 600,
            concurrent_jobs: 1,
            daily_bytes: 1000,
            max_read_bytes: 1_000_000_000,
            max_output_bytes: 0,
        };
        assert_eq!(q.limits("x"), x);
        let vip = Limits {
            rate_limit: 2,
            concurrent_jobs: 0,
            daily_bytes: 0,
            max_read_bytes: 0,
            max_output_bytes: 5_000_000_000,
        };
        assert_eq!(q.limits("vip"), vip);
        let d = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&d.path().join("db")).unwrap();
        let p = Principal { id: "x".into(), name: "x".into(), scopes: vec![], via: Via::Jwt };
        assert!(q.check_submit(&s, &p).is_ok());
        let nj = NewJob { id: "j".into(), process: "subset".into(), owner: "x".into(), request: JobRequest::default() };
        s.submit(&nj, 10).unwrap();
        let e = q.check_submit(&s, &p).unwrap_err();
        assert!(e.text.contains("at most 1"), "{}", e.text);
        s.dismiss("j").unwrap();
        assert!(q.check_submit(&s, &p).is_ok());
        s.add_bytes_written("x", day_of(crate::time::now_ms()), 1500).unwrap();
        let e = q.check_submit(&s, &p).unwrap_err();
        assert!(e.text.contains("daily limit") && e.retry_after > 0 && e.retry_after <= 86_400, "{e:?}");
        let vip = Principal { id: "vip".into(), ..p };
        let lim = RateLimiter::new(600);
        assert!(q.check_rate(&lim, &vip).is_ok() && q.check_rate(&lim, &vip).is_ok());
        assert!(q.check_rate(&lim, &vip).unwrap_err().text.contains("Rate limit exceeded for this token"));
    }
}
