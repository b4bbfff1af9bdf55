//! Verifying a grid's cell bounds before regridding, as clisops's `Grid._verify_bounds` and
//! `fix_unmasked_missing_values_lon_lat` do (roocs.md §1.10): bounds that cannot describe the
//! cells (fill-like values such as −4355 in CMIP6 `vertices_latitude`, latitudes far beyond the
//! poles, non-finite longitudes) are dropped — nearest and bilinear do not need them, and
//! conservative remapping computes them from the cell centres — while polar bounds that
//! overshoot ±90 by less than one cell (ERA5's `-90.125` edge of a 0.25° grid) are clipped.
//! Every change is reported as one sentence for the output's `history`.

use super::grids::{HGrid, Layout};

/// Latitude overshoot beyond ±90 that is a rounding error, clipped without a note.
const ROUNDING: f64 = 1e-6;

/// Longitudes beyond this magnitude are not longitudes (fill values, garbage).
const LON_LIMIT: f64 = 1e5;

/// What is wrong with a set of latitude bounds.
enum LatCheck {
    /// All within ±90 (after clipping rounding errors).
    Fine,
    /// Some overshoot the poles by less than one cell: clipped (count, largest overshoot).
    Clip(usize, f64),
    /// Some are unusable (the first bad value and its index).
    Bad(f64, usize),
}

/// Checks (and when only clipping is needed, clips) latitude bounds; NaN is allowed when
/// `nan_ok` (padding of cells with fewer corners).
fn check_lat(v: &mut [f64], cell: f64, nan_ok: bool) -> LatCheck {
    let mut bad = None;
    let (mut clipped, mut worst) = (0usize, 0.0f64);
    for (i, &x) in v.iter().enumerate() {
        if x.is_nan() && nan_ok {
            continue;
        }
        let over = x.abs() - 90.0;
        if !x.is_finite() || (over > ROUNDING && over >= cell) {
            bad = Some((x, i));
            break;
        }
        if over > ROUNDING {
            clipped += 1;
            worst = worst.max(over);
        }
    }
    if let Some((x, i)) = bad {
        return LatCheck::Bad(x, i);
    }
    for x in v.iter_mut().filter(|x| x.abs() > 90.0) {
        *x = x.clamp(-90.0, 90.0);
    }
    if clipped > 0 {
        LatCheck::Clip(clipped, worst)
    } else {
        LatCheck::Fine
    }
}

/// The first unusable longitude bound (value, index).
fn bad_lon(v: &[f64], nan_ok: bool) -> Option<(f64, usize)> {
    let usable = |x: f64| (x.is_nan() && nan_ok) || (x.is_finite() && x.abs() <= LON_LIMIT);
    v.iter().enumerate().find(|(_, x)| !usable(**x)).map(|(i, x)| (*x, i))
}

/// Verifies `g`'s bounds in place (`which`: "source" or "target", for the notes): drops
/// both latitude and longitude bounds when either cannot be used (as clisops drops both bound
/// variables), clips polar overshoot of less than one cell. Returns what was done, one
/// sentence per change, each also logged as a warning.
pub fn verify(g: &mut HGrid, which: &str) -> Vec<String> {
    // "One cell": the grid's mean latitude step between neighbouring centres.
    let cell = g.extent().yinc.abs();
    let cell = if cell.is_finite() && cell > 0.0 { cell } else { 1.0 };
    let mut notes = Vec::new();
    let mut drop_reason = None;
    match &mut g.layout {
        Layout::Rect { lat_bnds, lon_bnds, .. } => {
            if let Some(b) = lat_bnds {
                let flat: &mut [f64] = b.as_flattened_mut();
                match check_lat(flat, cell, false) {
                    LatCheck::Bad(x, i) => {
                        drop_reason = Some(format!("latitude bounds value {x} at index {i} is outside [-90, 90]"));
                    }
                    LatCheck::Clip(n, w) => notes.push(format!(
                        "{which} grid: {n} latitude bounds beyond the poles (by up to {w} degrees) clipped to [-90, 90]"
                    )),
                    LatCheck::Fine => {}
                }
            }
            if drop_reason.is_none() {
                if let Some(b) = lon_bnds {
                    if let Some((x, i)) = bad_lon(b.as_flattened(), false) {
                        drop_reason = Some(format!("longitude bounds value {x} at index {i} is not a longitude"));
                    } else if let Some(i) = b.iter().position(|p| (p[1] - p[0]).abs() > 360.0 + 1e-9) {
                        drop_reason = Some(format!("longitude bounds of cell {i} span more than 360 degrees"));
                    }
                }
            }
            if drop_reason.is_some() {
                *lat_bnds = None;
                *lon_bnds = None;
            }
        }
        Layout::Curv { corners, .. } => drop_reason = verify_corners(corners, cell, which, &mut notes),
        Layout::Unstr { corners, .. } => {
            let k = corners.as_ref().map(|c| c.2);
            let mut pair = corners.take().map(|(a, b, _)| (a, b));
            drop_reason = verify_corners(&mut pair, cell, which, &mut notes);
            *corners = pair.zip(k).map(|((a, b), k)| (a, b, k));
        }
    }
    if let Some(r) = drop_reason {
        notes.push(format!(
            "{which} grid: cell bounds dropped ({r}); methods that need them compute them from the cell centres"
        ));
    }
    for n in &notes {
        tracing::warn!("{n}");
    }
    notes
}

/// [`verify`] for 2-D or per-cell corners (NaN padding allowed); `None` left when dropped.
fn verify_corners(
    corners: &mut Option<(Vec<f64>, Vec<f64>)>,
    cell: f64,
    which: &str,
    notes: &mut Vec<String>,
) -> Option<String> {
    let (clat, clon) = corners.as_mut()?;
    let reason = match check_lat(clat, cell, true) {
        LatCheck::Bad(x, i) => Some(format!("corner latitude value {x} at index {i} is outside [-90, 90]")),
        LatCheck::Clip(n, w) => {
            notes.push(format!(
                "{which} grid: {n} corner latitudes beyond the poles (by up to {w} degrees) clipped to [-90, 90]"
            ));
            None
        }
        LatCheck::Fine => None,
    }
    .or_else(|| {
        bad_lon(clon, true).map(|(x, i)| format!("corner longitude value {x} at index {i} is not a longitude"))
    });
    if reason.is_some() {
        *corners = None;
    }
    reason
}
