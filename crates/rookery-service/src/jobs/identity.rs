//! What the identity layer keeps in the job store: the audit log and per-principal quota
//! counters. [`IdentityStore`] is a supertrait of [`JobStore`](super::JobStore), implemented
//! for SQLite (`sqlite/identity.rs`) and PostgreSQL (`postgres/identity.rs`) alike.

use super::StoreError;
use serde::{Deserialize, Serialize};

/// One audit event. Never holds a credential: tokens and keys appear at most as a short
/// fingerprint (see [`crate::ids::fingerprint`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// ms since the epoch.
    pub time: i64,
    /// `signin-failed`, `job-submitted`, `key-created`, `key-revoked`, `admin`, `quota-exceeded`.
    pub kind: String,
    /// Principal id (`anonymous`, an API key id, `<issuer>#<sub>`), or what is known of it.
    pub principal: String,
    /// Remote address of the request (`local` for the command line).
    pub address: String,
    /// One line: what happened and why.
    pub detail: String,
}

/// Audit log and quota counters.
pub trait IdentityStore {
    /// Appends an audit event.
    ///
    /// # Errors
    /// Database failure.
    fn log_audit(&self, r: &AuditRecord) -> Result<(), StoreError>;
    /// Audit events at or after `since` (ms), oldest first, at most `limit` (the newest ones).
    ///
    /// # Errors
    /// Database failure.
    fn audit(&self, since: Option<i64>, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;
    /// Jobs of `owner` that are accepted or running.
    ///
    /// # Errors
    /// Database failure.
    fn active_jobs(&self, owner: &str) -> Result<usize, StoreError>;
    /// Adds output bytes written for `owner` on UTC day `day` (days since the epoch).
    ///
    /// # Errors
    /// Database failure.
    fn add_bytes_written(&self, owner: &str, day: i64, bytes: u64) -> Result<(), StoreError>;
    /// Output bytes written for `owner` on UTC day `day`.
    ///
    /// # Errors
    /// Database failure.
    fn bytes_written(&self, owner: &str, day: i64) -> Result<u64, StoreError>;
}
