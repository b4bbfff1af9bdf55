//! Why a Zarr store or Kerchunk reference cannot be read: one line naming the key, location
//! and range. Callers decide on the variant (not found, refused, upstream status), never on
//! the text; the text reaches users inside [`crate::IoError::Read`].

use crate::remote::RemoteError;

/// A failure of a key/value store, a reference target or a metadata document.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ZarrError {
    /// The access context refused the location (its message reads the same whether or not
    /// the file exists).
    #[error("{0}")]
    Refused(String),
    /// A read of a [`crate::RangeSource`] failed: an HTTP(S) failure (`source.status` tells
    /// the server's answer), a short block, a local read error.
    #[error("{what}: {}", source.msg)]
    Remote {
        /// The location and range.
        what: String,
        /// The failure, naming the URL.
        source: RemoteError,
    },
    /// A local file could not be read.
    #[error("{what}: {source}")]
    Io {
        /// The location (and range).
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A range that cannot be read (see [`RangeProblem`]).
    #[error("{what}: {problem}")]
    Range {
        /// The location and range.
        what: String,
        /// What is wrong with the range.
        problem: RangeProblem,
    },
    /// A referenced location (target, reference row file, `.zmetadata`) does not exist.
    #[error("{what}: not found")]
    NotFound {
        /// The location.
        what: String,
    },
    /// A reference file at a URL does not exist.
    #[error("HTTP 404 Not Found")]
    DocNotFoundHttp,
    /// A local reference file does not exist.
    #[error("No such file or directory (os error 2)")]
    DocNotFoundFile,
    /// A zstd-compressed reference file that does not decompress.
    #[error("cannot decompress (zstd): {0}")]
    Decompress(std::io::Error),
    /// A document that is not JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(serde_json::Error),
    /// A JSON value that cannot be (de)serialised as needed.
    #[error("{0}")]
    Json(serde_json::Error),
    /// A reference row file that is not Parquet.
    #[error("not a Parquet file: {0}")]
    NotParquet(parquet::errors::ParquetError),
    /// A reference row file whose rows cannot be read.
    #[error("{0}")]
    Parquet(parquet::errors::ParquetError),
    /// A Zarr store over HTTP without consolidated metadata (it cannot be listed).
    #[error(
        "{root}: a Zarr store read over HTTP needs consolidated metadata (.zmetadata, or zarr.json with consolidated_metadata)"
    )]
    NotConsolidated {
        /// The store's URL.
        root: String,
    },
    /// An invalid reference or metadata document: what is wrong, naming the key or entry.
    #[error("{0}")]
    Invalid(String),
    /// A failure reading one key of a store.
    #[error("key {key}: {source}")]
    Key {
        /// The key.
        key: String,
        /// The failure.
        source: Box<ZarrError>,
    },
    /// A failure reading one chunk's reference.
    #[error("chunk {key}: {source}")]
    Chunk {
        /// The chunk's key.
        key: String,
        /// The failure.
        source: Box<ZarrError>,
    },
    /// A failure in one document or entry.
    #[error("{at}: {source}")]
    At {
        /// The document (and entry).
        at: String,
        /// The failure.
        source: Box<ZarrError>,
    },
}

/// What is wrong with a requested range ([`ZarrError::Range`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RangeProblem {
    /// Longer than memory can address.
    #[error("range too large")]
    TooLarge,
    /// Past the end of the local file.
    #[error("beyond the end of the file")]
    BeyondEnd,
}

impl ZarrError {
    /// `self` in document or entry `at`.
    pub(crate) fn at(self, at: impl Into<String>) -> ZarrError {
        ZarrError::At { at: at.into(), source: Box::new(self) }
    }

    /// The error a store of ours returned, inside a zarrs array error (see `ZStore`).
    pub(crate) fn find(e: &zarrs::array::ArrayError) -> Option<&ZarrError> {
        use zarrs::array::{ArrayError, CodecError};
        use zarrs::storage::StorageError;
        let s = match e {
            ArrayError::StorageError(s) | ArrayError::CodecError(CodecError::StorageError(s)) => s,
            _ => return None,
        };
        match s {
            StorageError::IOError(io) => io.get_ref()?.downcast_ref::<ZarrError>(),
            _ => None,
        }
    }

    /// An invalid reference or metadata document.
    pub(crate) fn invalid(msg: impl Into<String>) -> ZarrError {
        ZarrError::Invalid(msg.into())
    }
}
