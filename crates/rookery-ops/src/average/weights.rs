//! Area-weighted horizontal means (rook `weighted_average`, roocs.md §4.2, done with correct
//! science): each cell is weighted by its area on the sphere, from the coordinate bounds when
//! they exist (exact area of a latitude-longitude cell, `Δλ·(sin φ₂ − sin φ₁)`; the spherical
//! polygon of the vertices for curvilinear and unstructured grids), from an
//! `areacella`/`areacello` file when given, and by `cos(lat)` otherwise (`WeightKind::CosLat`
//! is rook's plain `cos(lat)` even when bounds exist).
//!
//! Note on CDO: `cdo fldmean` takes cell areas of polygons with great-circle edges, which
//! differ from the exact latitude-longitude cell areas by up to ~5e-4 near the poles of a
//! 2.5° grid; field means agree to ~1e-5 relative on typical grids, better on finer ones. Missing values are
//! excluded and the weights of the remaining cells renormalised.

use super::{collapse_job, main_var, Job, NanMode};
use crate::OpError;
use ndarray::{ArrayD, IxDyn};
use rookery_cf::{CfInfo, GridType};
use rookery_io::Source;

/// Which horizontal weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightKind {
    /// Unweighted (clisops `average_over_dims`).
    None,
    /// Cell areas (bounds, area file, or cos(lat) without either).
    Area,
    /// `cos(lat)` (rook's `weighted_average`).
    CosLat,
}

impl WeightKind {
    /// Parses `none`, `area` or `cos-lat`.
    ///
    /// # Errors
    /// Any other name.
    pub fn parse(s: &str) -> Result<WeightKind, OpError> {
        match s.trim() {
            "none" => Ok(WeightKind::None),
            "area" => Ok(WeightKind::Area),
            "cos-lat" | "coslat" | "cos_lat" => Ok(WeightKind::CosLat),
            o => Err(OpError::Invalid(format!("unknown weights '{o}': must be one of none, area, cos-lat"))),
        }
    }
}

/// A `weighted_average` request.
#[derive(Clone, Debug)]
pub struct WeightedRequest {
    /// Weights (`Area` by default).
    pub weights: WeightKind,
    /// An `areacella`/`areacello` file (or files) with the cell areas.
    pub area_file: Option<Vec<String>>,
    /// What the area file is read through (and whether it may be read at all).
    pub io: rookery_io::IoContext,
}

/// File-name suffix of `weighted_average` (rook).
pub const SUFFIX: &str = "_w-avg";

/// A coordinate or weight variable as f64, its fill/missing values (and ±1e19 placeholders)
/// as NaN.
pub(crate) fn read_f64(src: &dyn Source, var: &str) -> Result<ArrayD<f64>, OpError> {
    let v = src.dataset().var(var).ok_or_else(|| OpError::Data(format!("no variable {var}")))?;
    let missing: Vec<f64> = ["_FillValue", "missing_value"].iter().filter_map(|n| v.attrs.get_f64(n)).collect();
    let mut a = src.read_all(var)?.to_f64().ok_or_else(|| OpError::Data(format!("variable '{var}' is not numeric")))?;
    a.mapv_inplace(|x| if missing.contains(&x) || x.abs() >= 1e19 { f64::NAN } else { x });
    Ok(a)
}

/// Exact area (unit sphere) of a latitude band between `a` and `b` degrees, per radian of
/// longitude.
fn band(a: f64, b: f64) -> f64 {
    let c = |x: f64| x.clamp(-90.0, 90.0).to_radians().sin();
    (c(b) - c(a)).abs()
}

/// Area (unit sphere) of the spherical polygon with great-circle edges through `pts`
/// (lon, lat in degrees): a fan of triangles, each by Van Oosterom & Strackee's formula.
#[must_use]
pub fn spherical_polygon_area(pts: &[(f64, f64)]) -> f64 {
    let v: Vec<[f64; 3]> = pts
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .map(|&(lo, la)| {
            let (lo, la) = (lo.to_radians(), la.to_radians());
            [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
        })
        .collect();
    if v.len() < 3 {
        return 0.0;
    }
    let dot = |a: &[f64; 3], b: &[f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let cross =
        |a: &[f64; 3], b: &[f64; 3]| [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
    let mut total = 0.0;
    for k in 1..v.len() - 1 {
        let (a, b, c) = (&v[0], &v[k], &v[k + 1]);
        let num = dot(a, &cross(b, c));
        let den = 1.0 + dot(a, b) + dot(b, c) + dot(c, a);
        total += 2.0 * num.atan2(den);
    }
    total.abs()
}

/// The horizontal dimensions of the grid (rectilinear: lat, lon; curvilinear: the 2-D
/// coordinates' dims; unstructured: the cell dim).
///
/// # Errors
/// No horizontal coordinates.
pub fn grid_dims(src: &dyn Source, info: &CfInfo) -> Result<Vec<String>, OpError> {
    let ds = src.dataset();
    let dims_of = |n: &Option<String>| n.as_deref().and_then(|n| ds.var(n)).map(|v| v.dims.clone());
    match info.grid {
        GridType::Rectilinear => {
            let (Some(la), Some(lo)) = (dims_of(&info.lat), dims_of(&info.lon)) else {
                return Err(no_grid());
            };
            Ok(vec![la[0].clone(), lo[0].clone()])
        }
        GridType::Curvilinear | GridType::Unstructured => dims_of(&info.lat).ok_or_else(no_grid),
        GridType::None => Err(no_grid()),
    }
}

fn no_grid() -> OpError {
    OpError::Invalid(
        "A horizontal average requires latitude and longitude coordinates, which this dataset does not have.".into(),
    )
}

/// Cell weights over the grid dims (see the module doc).
///
/// # Errors
/// No grid; unreadable coordinates or area file; an area file of another shape.
pub fn cell_weights(
    src: &dyn Source,
    info: &CfInfo,
    kind: WeightKind,
    area_file: Option<(&rookery_io::IoContext, &[String])>,
) -> Result<(Vec<String>, ArrayD<f64>), OpError> {
    let ds = src.dataset();
    let dims = grid_dims(src, info)?;
    let shape: Vec<usize> = dims.iter().map(|d| ds.dim(d).map_or(0, |d| d.len)).collect();
    let lat = info.lat.clone().ok_or_else(no_grid)?;
    let lon = info.lon.clone().ok_or_else(no_grid)?;
    let latv = read_f64(src, &lat)?;
    if kind == WeightKind::Area {
        if let Some((io, files)) = area_file {
            let asrc = rookery_io::open(io, files)?;
            let ads = asrc.dataset();
            let name = ["areacella", "areacello", "cell_area", "area"]
                .iter()
                .find(|n| ads.var(n).is_some())
                .map(|s| (*s).to_string())
                .or_else(|| rookery_cf::roles::main_variable(ads).ok())
                .ok_or_else(|| {
                    OpError::Invalid("the area file holds no cell area variable (areacella, areacello)".into())
                })?;
            let a = read_f64(asrc.as_ref(), &name)?;
            if a.shape() != shape.as_slice() {
                return Err(OpError::Invalid(format!(
                    "the cell areas '{name}' have shape {:?} but the grid has shape {shape:?}",
                    a.shape()
                )));
            }
            return Ok((dims, a.mapv(|x| if x.is_finite() && x > 0.0 { x } else { 0.0 })));
        }
    }
    let cosw = |y: f64| if y.is_finite() { y.to_radians().cos().max(0.0) } else { 0.0 };
    let bounds = |v: &str| rookery_cf::roles::bounds_of(ds, v).map(|b| b.name.clone());
    match info.grid {
        GridType::Rectilinear => {
            let (ny, nx) = (shape[0], shape[1]);
            let wy: Vec<f64> = match (kind, bounds(&lat)) {
                (WeightKind::Area, Some(b)) => {
                    let bv = read_f64(src, &b)?;
                    (0..ny).map(|j| band(bv[[j, 0]], bv[[j, 1]])).map(|x| if x.is_finite() { x } else { 0.0 }).collect()
                }
                _ => latv.iter().map(|&y| cosw(y)).collect(),
            };
            let wx: Vec<f64> = match (kind, bounds(&lon)) {
                (WeightKind::Area, Some(b)) if bounds(&lat).is_some() => {
                    let bv = read_f64(src, &b)?;
                    (0..nx)
                        .map(|i| {
                            let d = (bv[[i, 1]] - bv[[i, 0]]).abs();
                            if d.is_finite() {
                                d.min(360.0).to_radians()
                            } else {
                                0.0
                            }
                        })
                        .collect()
                }
                _ => vec![1.0; nx],
            };
            Ok((dims, ArrayD::from_shape_fn(IxDyn(&[ny, nx]), |ix| wy[ix[0]] * wx[ix[1]])))
        }
        GridType::Curvilinear | GridType::Unstructured => {
            let n: usize = shape.iter().product();
            let w: Vec<f64> = match (kind, bounds(&lat), bounds(&lon)) {
                (WeightKind::Area, Some(bla), Some(blo)) => {
                    let a = read_f64(src, &bla)?;
                    let o = read_f64(src, &blo)?;
                    let nv = *a.shape().last().unwrap_or(&0);
                    let af = a.as_standard_layout().into_owned().into_raw_vec_and_offset().0;
                    let of = o.as_standard_layout().into_owned().into_raw_vec_and_offset().0;
                    if af.len() != n * nv || of.len() != n * nv {
                        return Err(OpError::Data(format!("cell bounds '{bla}'/'{blo}' do not match the grid")));
                    }
                    (0..n)
                        .map(|c| {
                            let pts: Vec<(f64, f64)> = (0..nv).map(|k| (of[c * nv + k], af[c * nv + k])).collect();
                            spherical_polygon_area(&pts)
                        })
                        .collect()
                }
                _ => latv.iter().map(|&y| cosw(y)).collect(),
            };
            ArrayD::from_shape_vec(IxDyn(&shape), w)
                .map(|a| (dims, a))
                .map_err(|e| OpError::Data(format!("cell weights: {e}")))
        }
        GridType::None => Err(no_grid()),
    }
}

/// Plans `weighted_average`: the area-weighted mean over the horizontal grid of every data
/// variable on it.
///
/// # Errors
/// No grid; unreadable coordinates or area file.
pub fn plan_weighted(src: &dyn Source, req: &WeightedRequest) -> Result<Job, OpError> {
    let info = main_var(src.dataset())?;
    let kind = if req.weights == WeightKind::None { WeightKind::Area } else { req.weights };
    let (dims, w) = cell_weights(src, &info, kind, req.area_file.as_deref().map(|f| (&req.io, f)))?;
    let taxis = crate::subset::time_axis(src, &info)?;
    collapse_job(src, &info.main, &dims.clone(), Some((dims, w)), NanMode::Skip, &taxis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sphere_and_cells() {
        // The whole sphere in latitude bands sums to 4π.
        let total: f64 =
            (0..180).map(|j| band(-90.0 + f64::from(j), -89.0 + f64::from(j))).sum::<f64>() * std::f64::consts::TAU;
        assert!((total - 4.0 * std::f64::consts::PI).abs() < 1e-12);
        // An octant is a spherical triangle of area π/2.
        let oct = spherical_polygon_area(&[(0.0, 0.0), (90.0, 0.0), (0.0, 90.0)]);
        assert!((oct - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
        assert_eq!(WeightKind::parse("cos-lat").unwrap(), WeightKind::CosLat);
        assert!(WeightKind::parse("x").is_err());
    }
}
