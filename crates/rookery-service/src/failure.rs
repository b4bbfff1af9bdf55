//! Whose fault a failure is: the request's (malformed, unsatisfiable, naming something that
//! does not exist) or the server's. Chosen from the error variants of the layers below (never
//! from message texts), recorded with a failed job, and turned into the HTTP status and the
//! OGC API / OWS exception type by the HTTP layer.

use rookery_daops::DaopsError;
use rookery_ops::OpError;
use serde::{Deserialize, Serialize};

/// Whose fault a failed request or job is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The request is malformed or selects nothing: 400, `InvalidParameterValue`.
    InvalidRequest,
    /// The request names a dataset or file that does not exist: 404 (WPS:
    /// `InvalidParameterValue`).
    NotFound,
    /// The server's own fault (data it cannot read, disk, bugs): 500, `NoApplicableCode`.
    #[default]
    Server,
}

impl FailureKind {
    /// True for the client's mistakes (4xx).
    #[must_use]
    pub fn is_client(self) -> bool {
        !matches!(self, FailureKind::Server)
    }
}

/// How a job failed: the message clients see and whose fault it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    /// One-line message stored as the job's status message and shown to clients.
    pub message: String,
    /// Whose fault it was (decides the HTTP status and OWS code); absent in JSON: the server's.
    #[serde(default)]
    pub kind: FailureKind,
}

impl From<String> for JobFailure {
    /// A failure of the server (lease expiry, a refused Slurm submission, ...).
    fn from(message: String) -> Self {
        JobFailure { message, kind: FailureKind::Server }
    }
}

impl From<&str> for JobFailure {
    fn from(message: &str) -> Self {
        JobFailure::from(message.to_string())
    }
}

/// Errors that know whose fault they are.
pub trait Classify {
    /// Whose fault this error is.
    fn failure_kind(&self) -> FailureKind;
}

impl Classify for OpError {
    fn failure_kind(&self) -> FailureKind {
        if self.is_request_error() {
            FailureKind::InvalidRequest
        } else {
            FailureKind::Server
        }
    }
}

impl Classify for DaopsError {
    fn failure_kind(&self) -> FailureKind {
        if self.is_not_found() {
            FailureKind::NotFound
        } else if self.is_request_error() {
            FailureKind::InvalidRequest
        } else {
            FailureKind::Server
        }
    }
}

/// Failures of the server's own resources (files, job store, ...).
macro_rules! server_fault {
    ($($t:ty),*) => {$(
        impl Classify for $t {
            fn failure_kind(&self) -> FailureKind {
                FailureKind::Server
            }
        }
    )*};
}

server_fault!(std::io::Error);
