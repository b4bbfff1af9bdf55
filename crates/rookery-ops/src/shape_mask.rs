//! Polygon subset (`subset --shape`): which horizontal cells of a grid lie inside the polygons
//! of a shape file. The subset planner crops to the kept cells and masks the others (see
//! [`crate::subset::plan_subset`]).
//!
//! Two rules:
//! - centre (default): a cell is kept when its centre lies inside a polygon or on its boundary
//!   (a polygon is closed; a centre on the boundary of a hole is kept, one strictly inside a
//!   hole is not). Polygons are taken as straight edges in the longitude/latitude plane, as
//!   shapely sees them, and are tried at ±360° so a grid on 0..360 meets polygons on
//!   −180..180 (and polygons across the antimeridian are unwrapped, e.g. 170..190);
//! - `min_fraction` F: a cell is kept when the fraction of its area (on the sphere) covered by
//!   the polygons is at least F, the exact overlaps `average_shape` computes
//!   ([`crate::average::shape::polygon_overlaps`], summed over polygons, capped at 1); polygons
//!   that overlap no cell keep nothing, the others their cells.

use crate::average::geometry::{normalize, Ring, Shape};
use crate::average::read_shapes;
use crate::average::shape::{polygon_overlaps, PolygonCache};
use crate::plan::CellSelector;
use crate::OpError;
use rookery_cf::{CfInfo, GridType};
use rookery_io::Source;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// When no cell is kept.
pub const NO_CELL: &str =
    "There were no valid data points found in the requested polygons. Verify objects overlap the grid.";

/// Relative tolerance of the overlap fraction against `min_fraction` (a cell the polygons cover
/// whole has a fraction of 1 up to rounding).
const FRACTION_TOL: f64 = 1e-9;

/// A polygon mask for a subset.
#[derive(Clone, Debug)]
pub struct ShapeMask {
    /// The shape file (for messages and the record of what was done).
    pub path: PathBuf,
    /// The polygons, in longitude/latitude degrees.
    pub shapes: Arc<Vec<Shape>>,
    /// Keep cells whose covered fraction is at least this (0 < F ≤ 1); `None`: cell centres.
    pub min_fraction: Option<f64>,
    /// Polygon weights already computed (the data-aware layer's); a fresh one when `None`.
    pub cache: Option<Arc<PolygonCache>>,
}

/// Parses a `min_fraction` value: a number with 0 < F ≤ 1.
///
/// # Errors
/// Anything else, in one line.
pub fn parse_min_fraction(s: &str) -> Result<f64, OpError> {
    let t = s.trim();
    match t.parse::<f64>() {
        Ok(f) if f > 0.0 && f <= 1.0 => Ok(f),
        _ => Err(OpError::Invalid(format!("min_fraction must be a number greater than 0 and at most 1, not '{t}'"))),
    }
}

impl ShapeMask {
    /// Reads the polygons of `path` (GeoJSON, zipped Shapefile, `.shp`, GML, as
    /// `average_shape` takes them) and checks `min_fraction`.
    ///
    /// # Errors
    /// An unreadable shape file, an invalid polygon, `min_fraction` out of range.
    pub fn read(path: &Path, min_fraction: Option<f64>) -> Result<ShapeMask, OpError> {
        if let Some(f) = min_fraction {
            if !(f > 0.0 && f <= 1.0) {
                return Err(OpError::Invalid(format!(
                    "min_fraction must be a number greater than 0 and at most 1, not '{f}'"
                )));
            }
        }
        let s = read_shapes(path)?;
        let shapes: Vec<Shape> = s.shapes.iter().enumerate().map(|(k, p)| normalize(p, k)).collect::<Result<_, _>>()?;
        Ok(ShapeMask { path: path.to_path_buf(), shapes: Arc::new(shapes), min_fraction, cache: None })
    }

    /// With the polygon weights cache of its owner (`min_fraction` reuses the weights
    /// `average_shape` computed).
    #[must_use]
    pub fn with_cache(mut self, cache: Arc<PolygonCache>) -> ShapeMask {
        self.cache = Some(cache);
        self
    }
}

impl CellSelector for ShapeMask {
    fn describe(&self) -> String {
        let name =
            self.path.file_name().map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into());
        match self.min_fraction {
            Some(f) => format!("cells covered at least {f} by the polygons of {name} kept, others masked"),
            None => format!("cells whose centre lies in a polygon of {name} kept, others masked"),
        }
    }

    fn cells(&self, src: &dyn Source, info: &CfInfo) -> Result<Vec<bool>, OpError> {
        let no_grid = || {
            OpError::Invalid(
                "subset with a shape requires input data with \"lon\" and \"lat\" dimensions, coordinates, or variables."
                    .into(),
            )
        };
        let (Some(lat), Some(lon)) = (info.lat.as_deref(), info.lon.as_deref()) else { return Err(no_grid()) };
        let keep: Vec<bool> = if let Some(f) = self.min_fraction {
            let fresh;
            let cache = if let Some(c) = &self.cache {
                c.as_ref()
            } else {
                fresh = PolygonCache::default();
                &fresh
            };
            let w = polygon_overlaps(src, info, &self.shapes, cache)?;
            w.covered.iter().map(|&c| c >= f * (1.0 - FRACTION_TOL)).collect()
        } else {
            let latv = crate::average::weights::read_f64(src, lat)?;
            let lonv = crate::average::weights::read_f64(src, lon)?;
            let latv: Vec<f64> = latv.as_standard_layout().iter().copied().collect();
            let lonv: Vec<f64> = lonv.as_standard_layout().iter().copied().collect();
            match info.grid {
                GridType::Rectilinear => {
                    let mut k = Vec::with_capacity(latv.len() * lonv.len());
                    for &y in &latv {
                        for &x in &lonv {
                            k.push(self.contains(x, y));
                        }
                    }
                    k
                }
                GridType::Curvilinear | GridType::Unstructured => {
                    if latv.len() != lonv.len() {
                        return Err(OpError::Data(format!("'{lat}' and '{lon}' differ in size")));
                    }
                    lonv.iter().zip(&latv).map(|(&x, &y)| self.contains(x, y)).collect()
                }
                GridType::None => return Err(no_grid()),
            }
        };
        if !keep.iter().any(|&k| k) {
            let what = if self.min_fraction.is_some() { "covered enough by" } else { "with its centre in" };
            return Err(OpError::NoData(format!("no grid cell {what} the polygons of the shape file: {NO_CELL}")));
        }
        Ok(keep)
    }
}

impl ShapeMask {
    /// True when (`x`, `y`) (degrees; any longitude frame) lies in a polygon or on its
    /// boundary.
    #[must_use]
    pub fn contains(&self, x: f64, y: f64) -> bool {
        if !x.is_finite() || !y.is_finite() {
            return false;
        }
        self.shapes.iter().flat_map(|s| &s.parts).any(|p| {
            (-2i32..=2).any(|k| {
                let xs = x + 360.0 * f64::from(k);
                ring_side(&p.exterior, xs, y) >= 0 && p.holes.iter().all(|h| ring_side(h, xs, y) < 1)
            })
        })
    }
}

/// 1 strictly inside `r`, 0 on its boundary, -1 outside (even–odd rule).
fn ring_side(r: &Ring, x: f64, y: f64) -> i8 {
    let n = r.len();
    if n < 3 {
        return -1;
    }
    let mut inside = false;
    for k in 0..n {
        let (x1, y1) = r[k];
        let (x2, y2) = r[(k + 1) % n];
        // On the segment (collinear within rounding, inside its box)?
        let cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1);
        let len = (x2 - x1).hypot(y2 - y1);
        if cross.abs() <= 1e-9 * len.max(1e-12)
            && x >= x1.min(x2) - 1e-12
            && x <= x1.max(x2) + 1e-12
            && y >= y1.min(y2) - 1e-12
            && y <= y1.max(y2) + 1e-12
        {
            return 0;
        }
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    if inside {
        1
    } else {
        -1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::average::geometry::Polygon;

    fn mask(parts: Vec<Polygon>) -> ShapeMask {
        let s = normalize(&Shape { parts }, 0).expect("valid");
        ShapeMask { path: "t.geojson".into(), shapes: Arc::new(vec![s]), min_fraction: None, cache: None }
    }

    #[test]
    fn centres_boundaries_holes_and_frames() {
        let sq = |a: f64, b: f64, c: f64, d: f64| vec![(a, b), (c, b), (c, d), (a, d)];
        let m = mask(vec![Polygon { exterior: sq(0.0, 0.0, 10.0, 10.0), holes: vec![sq(4.0, 4.0, 6.0, 6.0)] }]);
        assert!(m.contains(1.0, 1.0));
        assert!(m.contains(0.0, 5.0) && m.contains(10.0, 10.0), "boundary counts as inside");
        assert!(!m.contains(5.0, 5.0), "inside the hole");
        assert!(m.contains(4.0, 5.0), "hole boundary is kept");
        assert!(!m.contains(10.5, 5.0) && !m.contains(f64::NAN, 5.0));
        assert!(m.contains(361.0, 1.0), "another longitude frame");
        // Across the antimeridian: 170..-170.
        let a = mask(vec![Polygon {
            exterior: vec![(170.0, -5.0), (-170.0, -5.0), (-170.0, 5.0), (170.0, 5.0)],
            holes: vec![],
        }]);
        assert!(a.contains(175.0, 0.0) && a.contains(-175.0, 0.0) && a.contains(185.0, 0.0));
        assert!(!a.contains(0.0, 0.0) && !a.contains(160.0, 0.0));
    }

    #[test]
    fn fraction_bounds() {
        assert!(parse_min_fraction("0").is_err());
        assert!(parse_min_fraction("1.5").is_err());
        assert!(parse_min_fraction("x").is_err());
        assert_eq!(parse_min_fraction(" 1 ").ok(), Some(1.0));
        assert_eq!(parse_min_fraction("0.25").ok(), Some(0.25));
    }
}
