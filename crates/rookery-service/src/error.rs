//! OGC exceptions (OWS 1.1 `ExceptionReport`, as PyWPS writes them) and their HTTP statuses.

use crate::failure::FailureKind;
use axum::http::StatusCode;
use rookery_io::text::{xml as esc, xml_text as esc_text};

/// The OWS exception codes this service reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwsCode {
    /// No more specific code: the server's own failures (500) and other statuses.
    NoApplicableCode,
    /// A required parameter or input is missing (400).
    MissingParameterValue,
    /// A parameter or input has a bad value, or a process failed through the request's fault (400).
    InvalidParameterValue,
    /// The WPS `request` is not GetCapabilities, DescribeProcess or Execute (400).
    OperationNotSupported,
    /// The requested WPS version is not 1.0.0 (400).
    VersionNegotiationFailed,
    /// Too many jobs queued or a resource (disk, job store) short for now (503), or over a
    /// quota (429).
    ServerBusy,
    /// No or bad credentials (401), or not allowed (403).
    AccessForbidden,
    /// No such job (or not the caller's), output or endpoint (404).
    NotFound,
    /// The request is larger than the server accepts (PyWPS: HTTP 413).
    FileSizeExceeded,
}

impl OwsCode {
    /// The code as written in `exceptionCode`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            OwsCode::NoApplicableCode => "NoApplicableCode",
            OwsCode::MissingParameterValue => "MissingParameterValue",
            OwsCode::InvalidParameterValue => "InvalidParameterValue",
            OwsCode::OperationNotSupported => "OperationNotSupported",
            OwsCode::VersionNegotiationFailed => "VersionNegotiationFailed",
            OwsCode::ServerBusy => "ServerBusy",
            OwsCode::AccessForbidden => "AccessForbidden",
            OwsCode::NotFound => "NotFound",
            OwsCode::FileSizeExceeded => "FileSizeExceeded",
        }
    }

    /// The code of a failed process: `InvalidParameterValue` for the request's fault,
    /// `NoApplicableCode` for the server's.
    #[must_use]
    pub fn of_failure(kind: FailureKind) -> OwsCode {
        if kind.is_client() {
            OwsCode::InvalidParameterValue
        } else {
            OwsCode::NoApplicableCode
        }
    }
}

/// One OGC exception: code, locator, text and the HTTP status it is sent with.
#[derive(Clone, Debug)]
pub struct OwsError {
    /// The `exceptionCode`.
    pub code: OwsCode,
    /// The `locator`: the parameter or input at fault; empty: none (written as `None`).
    pub locator: String,
    /// The `ExceptionText`: one message for the client.
    pub text: String,
    /// The HTTP status the report is sent with (401 also adds `WWW-Authenticate`).
    pub status: StatusCode,
}

impl OwsError {
    /// `InvalidParameterValue` (400).
    pub fn invalid(locator: &str, text: impl Into<String>) -> OwsError {
        OwsError {
            code: OwsCode::InvalidParameterValue,
            locator: locator.into(),
            text: text.into(),
            status: StatusCode::BAD_REQUEST,
        }
    }
    /// `MissingParameterValue` (400).
    pub fn missing(locator: &str, text: impl Into<String>) -> OwsError {
        OwsError {
            code: OwsCode::MissingParameterValue,
            locator: locator.into(),
            text: text.into(),
            status: StatusCode::BAD_REQUEST,
        }
    }
    /// `NoApplicableCode` with the given status.
    pub fn other(status: StatusCode, text: impl Into<String>) -> OwsError {
        OwsError { code: OwsCode::NoApplicableCode, locator: String::new(), text: text.into(), status }
    }
    /// `ServerBusy` (503).
    pub fn busy(text: impl Into<String>) -> OwsError {
        OwsError {
            code: OwsCode::ServerBusy,
            locator: String::new(),
            text: text.into(),
            status: StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    /// `AccessForbidden` with 401 (no or bad credentials) or 403 (not allowed).
    pub fn forbidden(status: StatusCode, text: impl Into<String>) -> OwsError {
        OwsError { code: OwsCode::AccessForbidden, locator: String::new(), text: text.into(), status }
    }
    /// 404.
    pub fn not_found(text: impl Into<String>) -> OwsError {
        OwsError { code: OwsCode::NotFound, locator: String::new(), text: text.into(), status: StatusCode::NOT_FOUND }
    }

    /// A failed process: `InvalidParameterValue` (400) for the request's fault (the locator
    /// `collection` for a dataset that does not exist), `NoApplicableCode` (500) for the
    /// server's.
    pub fn failed(kind: FailureKind, text: impl Into<String>) -> OwsError {
        match kind {
            FailureKind::InvalidRequest => OwsError::invalid("", text),
            FailureKind::NotFound => OwsError::invalid("collection", text),
            FailureKind::Server => OwsError::other(StatusCode::INTERNAL_SERVER_ERROR, text),
        }
    }

    /// The request body is larger than the endpoint accepts (413, `FileSizeExceeded`).
    pub fn too_large(text: impl Into<String>) -> OwsError {
        OwsError {
            code: OwsCode::FileSizeExceeded,
            locator: String::new(),
            text: text.into(),
            status: StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// The `ows:ExceptionReport` document.
    #[must_use]
    pub fn to_xml(&self) -> String {
        exception_report(self.code.as_str(), &self.locator, &self.text)
    }
}

/// An `ows:ExceptionReport` document, byte-compatible with PyWPS's.
#[must_use]
pub fn exception_report(code: &str, locator: &str, text: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<ows:ExceptionReport xmlns:ows=\"http://www.opengis.net/ows/1.1\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://www.opengis.net/ows/1.1 http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd\" version=\"1.0.0\">\n\
  <ows:Exception exceptionCode=\"{}\" locator=\"{}\" >\n\
      <ows:ExceptionText>{}</ows:ExceptionText>\n\
  </ows:Exception>\n\
</ows:ExceptionReport>",
        esc(code),
        esc(if locator.is_empty() { "None" } else { locator }),
        esc_text(text)
    )
}

impl axum::response::IntoResponse for OwsError {
    fn into_response(self) -> axum::response::Response {
        let mut r = (self.status, [(axum::http::header::CONTENT_TYPE, "text/xml; charset=utf-8")], self.to_xml())
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"rookery\""),
            );
        }
        r
    }
}
