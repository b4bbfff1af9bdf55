//! Pre-flight estimates through the conductor: each dataset of a collection resolved (only
//! the files a time request needs), opened with its fixes, and estimated from metadata
//! (`rookery_ops::estimate`); no data are read.

use crate::{Daops, DaopsError};
use rookery_ops::estimate::Estimate;
use rookery_ops::params::{TimeComponents, TimeParam};
use rookery_ops::OpError;

/// An estimate over a collection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CollectionEstimate {
    /// The sum over the datasets.
    pub total: Estimate,
    /// Datasets.
    pub datasets: usize,
    /// Files opened.
    pub files: usize,
}

impl Daops {
    /// Estimates an operation over `collection`: `per_dataset` is called with each opened
    /// dataset (with its fixes); `time`/`tc` select the files as the operation would.
    ///
    /// # Errors
    /// Unknown datasets, invalid requests: what the operation itself would fail with.
    pub fn estimate(
        &self,
        collection: &[String],
        time: Option<&TimeParam>,
        tc: Option<&TimeComponents>,
        per_dataset: impl Fn(&dyn rookery_io::Source) -> Result<Estimate, OpError>,
    ) -> Result<CollectionEstimate, DaopsError> {
        let mut out = CollectionEstimate::default();
        for d in self.datasets(collection, time, tc)? {
            let src = self.open(&d, true)?;
            out.total += per_dataset(src.as_ref())?;
            out.datasets += 1;
            out.files += d.files.len();
        }
        Ok(out)
    }
}
