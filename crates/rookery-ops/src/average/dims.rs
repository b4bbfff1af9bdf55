//! `average_over_dims` (clisops `ops.average.average_over_dims`, roocs.md §1.5): the
//! unweighted, NaN-skipping mean over any of time, level, latitude, longitude, realization.
//! Variables that do not use the averaged dimensions pass through untouched. With
//! `weights` (a rookery extension) horizontal means use cell areas instead.

use super::weights::{cell_weights, WeightKind};
use super::{collapse_job, found_dims, main_var, Job, NanMode, KNOWN_DIMS};
use crate::OpError;
use rookery_cf::Role;
use rookery_io::Source;

/// clisops's message when no dimension is given.
pub const NO_DIMS: &str = "At least one dimension for averaging must be provided";

/// An `average_over_dims` request.
#[derive(Clone, Debug)]
pub struct DimsRequest {
    /// Roles to average over, as requested (clisops names).
    pub dims: Vec<Role>,
    /// Drop requested roles the dataset does not have instead of failing.
    pub ignore_undetected_dims: bool,
    /// Horizontal weights (`None` = clisops's unweighted mean).
    pub weights: WeightKind,
    /// An `areacella`/`areacello` file for [`WeightKind::Area`].
    pub area_file: Option<Vec<String>>,
    /// What the area file is read through (and whether it may be read at all).
    pub io: rookery_io::IoContext,
}

/// Parses clisops's `dims` parameter: `"time,latitude"` (comma-separated, spaces ignored).
///
/// # Errors
/// No dimension, or one clisops does not know (its messages).
pub fn parse_dims(s: &str) -> Result<Vec<Role>, OpError> {
    let items: Vec<&str> = s.split(',').map(str::trim).filter(|x| !x.is_empty()).collect();
    if items.is_empty() {
        return Err(OpError::Invalid(NO_DIMS.into()));
    }
    let mut out = Vec::new();
    for it in items {
        let role = Role::from_name(it).ok_or_else(|| {
            OpError::Invalid(format!("Dimensions for averaging must be one of ['{}']", KNOWN_DIMS.join("', '")))
        })?;
        if !out.contains(&role) {
            out.push(role);
        }
    }
    Ok(out)
}

/// The file-name suffix `_avg-<sorted axis letters>` of the requested roles.
#[must_use]
pub fn suffix(dims: &[Role]) -> String {
    let mut letters: Vec<char> = dims
        .iter()
        .map(|r| match r {
            Role::Time => 't',
            Role::Level => 'z',
            Role::Latitude => 'y',
            Role::Longitude => 'x',
            Role::Realization => 'r',
        })
        .collect();
    letters.sort_unstable();
    format!("_avg-{}", letters.into_iter().collect::<String>())
}

/// Plans `average_over_dims`.
///
/// # Errors
/// clisops's errors for dimensions the data do not have; unreadable coordinates.
pub fn plan_dims(src: &dyn Source, req: &DimsRequest) -> Result<Job, OpError> {
    if req.dims.is_empty() {
        return Err(OpError::Invalid(NO_DIMS.into()));
    }
    let ds = src.dataset();
    let info = main_var(ds)?;
    let found = found_dims(ds);
    let missing: Vec<&str> =
        req.dims.iter().filter(|r| !found.iter().any(|(f, _)| f == *r)).map(|r| r.name()).collect();
    if !missing.is_empty() && !req.ignore_undetected_dims {
        let set: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        return Err(OpError::Invalid(format!(
            "Requested dimensions were not found in input dataset: {{{}}}.",
            set.join(", ")
        )));
    }
    let collapse: Vec<String> =
        req.dims.iter().filter_map(|r| found.iter().find(|(f, _)| f == r).map(|(_, n)| n.clone())).collect();
    let taxis = crate::subset::time_axis(src, &info)?;
    let horizontal = req.dims.iter().any(|r| matches!(r, Role::Latitude | Role::Longitude));
    let weights = if horizontal && req.weights != WeightKind::None {
        Some(cell_weights(src, &info, req.weights, req.area_file.as_deref().map(|f| (&req.io, f)))?)
    } else {
        None
    };
    collapse_job(src, &info.main, &collapse, weights, NanMode::Skip, &taxis)
}
