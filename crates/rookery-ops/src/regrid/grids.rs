//! Horizontal grids as clisops's `Grid` builds them (roocs.md §1.10, §2.7): from a dataset's
//! coordinates, from a roocs-grids id (SCRIP or CF file), from a NetCDF file, from grid
//! instructions (`xesmf.util.grid_global` / `grid_2d`), or adapted to the source ("auto").

use crate::average::weights::read_f64;
use crate::OpError;
use rookery_cf::{CfInfo, Dataset, GridType};
use rookery_io::Source;
use std::path::{Path, PathBuf};

/// The roocs-grids ids: (id, file, annotation) as in `roocs_grids` 0.1.2.
pub const GRIDS: &[(&str, &str, &str)] = &[
    ("0pt25deg", "cmip6_720x1440_scrip.20181001.nc", "Global 0.25 degree grid with one cell centered at 0.125E,0.125N "),
    ("World_Ocean_Atlas", "cmip6_180x360_scrip.20181001.nc", "Global 1.0 degree grid with one cell centered at 0.5E,0.5N. As used by the World Ocean Atlas."),
    ("1deg", "cmip6_180x360_scrip.20181001.nc", "Global 1.0 degree grid with one cell centered at 0.5E,0.5N. As used by the World Ocean Atlas."),
    ("2pt5deg", "cmip6_72x144_scrip.20181001.nc", "Global 2.5 degree grid with one cell centered at 1.25E,1.25N."),
    ("MERRA-2", "cmip6_361x576_scrip.20181001.nc", "Global 0.65x0.5 (latxlon) degree grid with one cell centered at 0E,0N. As used by MERRA-2."),
    ("0pt625x0pt5deg", "cmip6_361x576_scrip.20181001.nc", "Global 0.65x0.5 (latxlon) degree grid with one cell centered at 0E,0N. As used by MERRA-2."),
    ("ERA-Interim", "cmip6_241x480_scrip.20181001.nc", "Global 0.75 degree grid with one cell centered at 0E,0N. As used by ERA-Interim."),
    ("0pt75deg", "cmip6_241x480_scrip.20181001.nc", "Global 0.75 degree grid with one cell centered at 0E,0N. As used by ERA-Interim."),
    ("ERA-40", "cmip6_145x288_scrip.20181001.nc", "Global 1.25 degree grid with one cell centered at 0E,0N. As used by ERA-40."),
    ("1pt25deg", "cmip6_145x288_scrip.20181001.nc", "Global 1.25 degree grid with one cell centered at 0E,0N. As used by ERA-40."),
    ("ERA5", "cmip6_721x1440_scrip.20181001.nc", "Global 0.25 degree grid with one cell centered at 0E,0N. As used by ERA-5."),
    ("0pt25deg_era5", "cmip6_721x1440_scrip.20181001.nc", "Global 0.25 degree grid with one cell centered at 0E,0N. As used by ERA-5."),
    ("0pt25deg_era5_lsm", "land_sea_mask_025degree_ERA5.nc", "Global 0.25 degree grid with one cell centered at 0E,0N. As used by ERA-5. Includes a fractional land-sea mask."),
    ("0pt5deg_lsm", "land_sea_mask_05degree.nc4", "Global 0.5 degree grid with one cell centered at 0.25E,0.25N. Includes a fractional land-sea mask."),
    ("1deg_lsm", "land_sea_mask_1degree.nc4", "Global 1.0 degree grid with one cell centered at 0.5E,0.5N. As used by the World Ocean Atlas. Includes a fractional land-sea mask."),
    ("2deg_lsm", "land_sea_mask_2degree.nc4", "Global 2.0 degree grid with one cell centered at 1.0E,1.0N."),
    ("0pt25deg_era5_lsm_binary", "land_sea_mask_025degree_binary.nc4", "Global 0.25 degree grid with one cell centered at 0E,0N. As used by ERA-5. Includes a binary land-sea mask with land/sea fraction cut at >=0.5."),
    ("1deg_lsm_binary", "land_sea_mask_1degree_binary.nc4", "Global 1.0 degree grid with one cell centered at 0.5E,0.5N. As used by the World Ocean Atlas. Includes a binary land-sea mask with land/sea fraction cut at >=0.5."),
    ("2deg_lsm_binary", "land_sea_mask_2degree_binary.nc4", "Global 2.0 degree grid with one cell centered at 1.0E,1.0N. Includes a binary land-sea mask with land/sea fraction cut at >=0.5. "),
    ("T31", "grid_T31.nc", "Gaussian global grid of approx. 3.8 degree resolution, 48x96 nlatxnlon. Associated to a T31 spectral grid representation."),
    ("T42", "grid_T42.nc", "Gaussian global grid of approx. 2.8 degree resolution, 64x128 nlatxnlon. Associated to a T42 spectral grid representation."),
    ("T63_lsm_binary", "grid_T63_lsm_binary.nc", "Gaussian global grid of approx. 1.9 degree resolution, 96x192 nlatxnlon. Associated to a T63 spectral grid representation.  Includes a binary land-sea mask."),
    ("T127_lsm_binary", "grid_T127_lsm_binary.nc", "Gaussian global grid of approx. 1.0 degree resolution, 192x384 nlatxnlon. Associated to a T127 spectral grid representation. Includes a binary land-sea mask."),
    ("T255", "grid_T255.nc", "Gaussian global grid of approx. 0.5 degree resolution, 384x768 nlatxnlon. Associated to a T255 spectral grid representation."),
];

/// How the target grid is given (clisops `grid`).
#[derive(Clone, Debug, PartialEq)]
pub enum GridSpec {
    /// `auto` / `adaptive`: a regular grid approximating the source.
    Adaptive,
    /// A roocs-grids id.
    Id(String),
    /// Grid instructions: 1, 2, 3 or 6 numbers.
    Instructor(Vec<f64>),
    /// The horizontal grid of a NetCDF file.
    File(PathBuf),
}

impl GridSpec {
    /// Parses `auto`, `adaptive`, numbers separated by commas or spaces, a path to an existing
    /// NetCDF file, or a grid id.
    ///
    /// # Errors
    /// An empty value (clisops's text).
    pub fn parse(s: &str) -> Result<GridSpec, OpError> {
        let t = s.trim().trim_matches(|c| c == '(' || c == ')' || c == '[' || c == ']');
        if t.is_empty() || t.eq_ignore_ascii_case("none") {
            return Err(OpError::Invalid(
                "xarray.Dataset, grid_id or grid_instructor have to be specified as input.".into(),
            ));
        }
        if t == "auto" || t == "adaptive" {
            return Ok(GridSpec::Adaptive);
        }
        let parts: Vec<&str> = t.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()).collect();
        let nums: Result<Vec<f64>, _> = parts.iter().map(|p| p.parse::<f64>()).collect();
        if let Ok(n) = nums {
            if n.iter().any(|x| !x.is_finite()) {
                return Err(OpError::Invalid(format!("grid instructions must be finite numbers, not '{t}'")));
            }
            return Ok(GridSpec::Instructor(n));
        }
        let p = Path::new(t);
        if p.is_file() || t.ends_with(".nc") || t.ends_with(".nc4") || t.contains('/') {
            return Ok(GridSpec::File(p.to_path_buf()));
        }
        Ok(GridSpec::Id(t.to_string()))
    }
}

/// Cells of a horizontal grid (coordinates in degrees, cells row-major in data order).
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// 1-D latitude and longitude axes.
    Rect {
        /// Latitudes of the rows, degrees north.
        lat: Vec<f64>,
        /// Longitudes of the columns, degrees east.
        lon: Vec<f64>,
        /// `[lo, hi]` latitude bounds per row; `None` when the grid has none (the regridder derives
        /// them from the centres when a method needs bounds).
        lat_bnds: Option<Vec<[f64; 2]>>,
        /// `[lo, hi]` longitude bounds per column; `None` when the grid has none.
        lon_bnds: Option<Vec<[f64; 2]>>,
    },
    /// 2-D centres (`ny × nx`), optional 4 corners per cell.
    Curv {
        /// Number of rows.
        ny: usize,
        /// Number of columns.
        nx: usize,
        /// Centre latitudes, `ny * nx` row-major, degrees north.
        lat: Vec<f64>,
        /// Centre longitudes, `ny * nx` row-major, degrees east.
        lon: Vec<f64>,
        /// Corner (latitudes, longitudes), 4 per cell (`ny * nx * 4` each); `None` without bounds.
        corners: Option<(Vec<f64>, Vec<f64>)>,
    },
    /// Cells in a list, optional `k` corners per cell.
    Unstr {
        /// Centre latitude of each cell, degrees north.
        lat: Vec<f64>,
        /// Centre longitude of each cell, degrees east.
        lon: Vec<f64>,
        /// Corner (latitudes, longitudes, `k`): `k` corners per cell, `n * k` values each, NaN
        /// padding for cells with fewer; `None` without bounds.
        corners: Option<(Vec<f64>, Vec<f64>, usize)>,
    },
}

/// A horizontal grid with what the operation needs around it.
#[derive(Clone, Debug)]
pub struct HGrid {
    /// The cells.
    pub layout: Layout,
    /// Land fraction (0..1) of each cell, from the grid's `sftlf`/`lsm`.
    pub land: Option<Vec<f64>>,
    /// `grid` attribute of the output (roocs-grids annotation or a generated description).
    pub title: String,
    /// The grid file's `nominal_resolution`.
    pub nominal_resolution: Option<String>,
    /// Horizontal dimensions in the source dataset (empty for targets).
    pub dims: Vec<String>,
    /// Names of the source's horizontal coordinate and bounds variables (empty for targets).
    pub coord_vars: Vec<String>,
}

/// Extent of a grid as clisops detects it (`Grid.detect_extent`).
#[derive(Clone, Copy, Debug)]
pub struct Extent {
    /// Smallest finite centre longitude, degrees (wrapped to -180..180 first when the values fit
    /// neither the -180..180 nor the 0..360 convention).
    pub lon_min: f64,
    /// Largest finite centre longitude, degrees.
    pub lon_max: f64,
    /// Smallest finite centre latitude, degrees.
    pub lat_min: f64,
    /// Largest finite centre latitude, degrees.
    pub lat_max: f64,
    /// Mean longitude increment between neighbouring centres, degrees (estimated for curvilinear
    /// and unstructured grids).
    pub xinc: f64,
    /// Mean latitude increment between neighbouring centres, degrees (estimated likewise).
    pub yinc: f64,
    /// True when the centres cover every longitude bin of twice `xinc` (a global grid in x).
    pub global_lon: bool,
    /// True when the centres cover every latitude bin of twice `yinc` from 75°S to 90°N (global in y).
    pub global_lat: bool,
}

impl HGrid {
    /// (nlat, nlon) as clisops reports them (unstructured: (ncells, ncells)).
    #[must_use]
    pub fn shape2(&self) -> (usize, usize) {
        match &self.layout {
            Layout::Rect { lat, lon, .. } => (lat.len(), lon.len()),
            Layout::Curv { ny, nx, .. } => (*ny, *nx),
            Layout::Unstr { lat, .. } => (lat.len(), lat.len()),
        }
    }

    /// Number of cells.
    #[must_use]
    pub fn ncells(&self) -> usize {
        match &self.layout {
            Layout::Rect { lat, lon, .. } => lat.len() * lon.len(),
            Layout::Curv { ny, nx, .. } => ny * nx,
            Layout::Unstr { lat, .. } => lat.len(),
        }
    }

    /// clisops's grid type name.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self.layout {
            Layout::Rect { .. } => "regular_lat_lon",
            Layout::Curv { .. } => "curvilinear",
            Layout::Unstr { .. } => "unstructured",
        }
    }

    /// `"{nlat}x{nlon}_cells_grid"` or `"{ncells}_cells_grid"` (clisops `str(Grid)`).
    #[must_use]
    pub fn label(&self) -> String {
        match self.layout {
            Layout::Unstr { .. } => format!("{}_cells_grid", self.ncells()),
            _ => {
                let (a, b) = self.shape2();
                format!("{a}x{b}_cells_grid")
            }
        }
    }

    /// Centre coordinates of every cell (lat, lon), flattened.
    fn centres(&self) -> (Vec<f64>, Vec<f64>) {
        match &self.layout {
            Layout::Rect { lat, lon, .. } => {
                let mut la = Vec::with_capacity(lat.len() * lon.len());
                let mut lo = Vec::with_capacity(lat.len() * lon.len());
                for &y in lat {
                    for &x in lon {
                        la.push(y);
                        lo.push(x);
                    }
                }
                (la, lo)
            }
            Layout::Curv { lat, lon, .. } | Layout::Unstr { lat, lon, .. } => (lat.clone(), lon.clone()),
        }
    }

    /// clisops `detect_extent`: global in longitude/latitude when a histogram of the centre
    /// coordinates with bins of twice the mean increment has no empty bin.
    #[must_use]
    pub fn extent(&self) -> Extent {
        let (lat, mut lon): (Vec<f64>, Vec<f64>) = match &self.layout {
            Layout::Rect { lat, lon, .. } => (lat.clone(), lon.clone()),
            _ => self.centres(),
        };
        let finite = |v: &[f64]| -> (f64, f64) {
            v.iter()
                .filter(|x| x.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)))
        };
        let (mut x0, mut x1) = finite(&lon);
        if x1 > 360.0 || x0 < -180.0 || (x1 - x0) > 360.0 || (x1 > 180.0 && x0 < 0.0) {
            for x in &mut lon {
                *x = (*x + 180.0).rem_euclid(360.0) - 180.0;
            }
            (x0, x1) = finite(&lon);
        }
        let (y0, y1) = finite(&lat);
        let mean_step = |v: &[f64]| -> f64 {
            let d: Vec<f64> = v.windows(2).map(|w| (w[1] - w[0]).abs()).filter(|x| x.is_finite()).collect();
            if d.is_empty() {
                0.0
            } else {
                d.iter().sum::<f64>() / d.len() as f64
            }
        };
        #[allow(clippy::cast_precision_loss)]
        let (xinc, yinc) = match &self.layout {
            Layout::Rect { lat, .. } => (mean_step(&lon), mean_step(lat)),
            Layout::Curv { ny, nx, .. } => {
                ((x1 - x0) / (*nx as f64 - 1.0).max(1.0), (y1 - y0) / (*ny as f64 - 1.0).max(1.0))
            }
            Layout::Unstr { .. } => {
                let n = self.ncells() as f64;
                let (dx, dy) = ((x1 - x0).abs().max(1e-9), (y1 - y0).abs().max(1e-9));
                let xs = ((dx / dy * n).sqrt().floor()).max(2.0);
                let ys = ((dy / dx * n).sqrt().floor()).max(2.0);
                ((x1 - x0) / (xs - 1.0), (y1 - y0) / (ys - 1.0))
            }
        };
        let res = (xinc + yinc) / 2.0;
        let atol = 2.0 * res;
        let range = if -atol > x0 && x0 > -180.0 - atol && x1 < 180.0 + atol {
            Some((-180.0, 180.0))
        } else if x0 > -atol && x1 < 360.0 + atol {
            Some((0.0, 360.0))
        } else {
            None
        };
        let global_lon = match range {
            Some((a, b)) if xinc > 0.0 => histogram_full(&lon, &arange(a - res, b + res, 2.0 * xinc), false),
            _ => false,
        };
        let global_lat = if yinc > 0.0 {
            let mut bins = arange(-75.0, 90.0, 2.0 * yinc);
            if let Some(l) = bins.last_mut() {
                *l = 90.1;
            }
            histogram_full(&lat, &bins, false)
        } else {
            false
        };
        Extent { lon_min: x0, lon_max: x1, lat_min: y0, lat_max: y1, xinc, yinc, global_lon, global_lat }
    }

    /// The numerical grid.
    ///
    /// # Errors
    /// Grids the regridder cannot represent.
    pub fn to_grid(&self) -> Result<rookery_regrid::Grid, OpError> {
        let bad = |e: rookery_regrid::RegridError| OpError::Data(e.to_string());
        match &self.layout {
            Layout::Rect { lat, lon, lat_bnds, lon_bnds } => {
                rookery_regrid::Grid::rectilinear(lat.clone(), lon.clone(), lat_bnds.clone(), lon_bnds.clone())
                    .map_err(bad)
            }
            Layout::Curv { ny, nx, lat, lon, corners } => {
                rookery_regrid::Grid::curvilinear(*ny, *nx, lat.clone(), lon.clone(), corners.clone()).map_err(bad)
            }
            Layout::Unstr { lat, lon, corners } => {
                rookery_regrid::Grid::unstructured(lat.clone(), lon.clone(), corners.clone()).map_err(bad)
            }
        }
    }
}

/// `numpy.arange(a, b, step)`.
#[must_use]
pub fn arange(a: f64, b: f64, step: f64) -> Vec<f64> {
    if step <= 0.0 || !(b - a).is_finite() {
        return Vec::new();
    }
    let n = ((b - a) / step).ceil();
    if n <= 0.0 || n > 1e8 {
        return Vec::new();
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    (0..n as usize).map(|i| a + i as f64 * step).collect()
}

/// True when every bin of `numpy.histogram(values, bins)` holds a value.
fn histogram_full(values: &[f64], bins: &[f64], _: bool) -> bool {
    if bins.len() < 2 {
        return false;
    }
    let nb = bins.len() - 1;
    let mut seen = vec![false; nb];
    let (lo, hi) = (bins[0], bins[nb]);
    for &v in values {
        if !v.is_finite() || v < lo || v > hi {
            continue;
        }
        // Bins are [b_i, b_i+1), the last one closed.
        let k = match bins.binary_search_by(|b| b.partial_cmp(&v).unwrap_or(std::cmp::Ordering::Less)) {
            Ok(i) => i.min(nb - 1),
            Err(i) => i.saturating_sub(1).min(nb - 1),
        };
        seen[k] = true;
    }
    seen.iter().all(|s| *s)
}

/// `xesmf.util.grid_2d` edges and centres along one axis: `arange(start, end + step, step)`.
fn axis_2d(start: f64, end: f64, step: f64) -> (Vec<f64>, Vec<[f64; 2]>) {
    let edges = arange(start, end + step, step);
    let centres: Vec<f64> = edges.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
    let bnds: Vec<[f64; 2]> = edges.windows(2).map(|w| [w[0], w[1]]).collect();
    (centres, bnds)
}

/// A regular grid from grid instructions (clisops `_grid_from_instructor`): 1 or 2 numbers →
/// `grid_global(dlon, dlat)`; 3 → `grid_2d(a, b, d, a, b, d)`; 6 → `grid_2d(lon0, lon1, dlon,
/// lat0, lat1, dlat)`.
///
/// # Errors
/// Other lengths (clisops's text), non-positive steps, empty grids.
pub fn from_instructor(g: &[f64]) -> Result<HGrid, OpError> {
    instructor_grid(g, false)
}

/// [`from_instructor`]; `clamp_poles` cuts latitude edges at ±90 (the adaptive grid, whose
/// padded extent and rounded step can overshoot the poles) instead of refusing them.
fn instructor_grid(g: &[f64], clamp_poles: bool) -> Result<HGrid, OpError> {
    let (lon0, lon1, dlon, lat0, lat1, dlat) = match g.len() {
        1 | 2 => (-180.0, 180.0, g[0], -90.0, 90.0, g[g.len() - 1]),
        3 => (g[0], g[1], g[2], g[0], g[1], g[2]),
        6 => (g[0], g[1], g[2], g[3], g[4], g[5]),
        _ => return Err(OpError::Invalid("The grid_instructor has to be a tuple of length 1, 2, 3 or 6.".into())),
    };
    if dlon <= 0.0 || dlat <= 0.0 {
        return Err(OpError::Invalid(format!("grid increments must be positive, not {dlon} and {dlat}")));
    }
    if (lon1 - lon0) / dlon > 1e5 || (lat1 - lat0) / dlat > 1e5 {
        return Err(OpError::Invalid(format!("grid instructions {g:?} give more than 100000 cells along an axis")));
    }
    let (lon, lon_b) = axis_2d(lon0, lon1, dlon);
    let (mut lat, mut lat_b) = axis_2d(lat0, lat1, dlat);
    // Edges within a rounding error (or, for adaptive grids, anywhere) beyond a pole are cut
    // at the pole; cells left without height go.
    let tol = if clamp_poles { f64::INFINITY } else { 1e-6 * dlat.max(1.0) };
    if lat_b.iter().any(|b| b[0] < -90.0 - tol || b[1] > 90.0 + tol) {
        return Err(OpError::Invalid(format!("grid instructions {g:?} reach beyond the poles")));
    }
    let mut keep = Vec::with_capacity(lat.len());
    for (c, b) in lat.iter().zip(&lat_b) {
        let nb = [b[0].clamp(-90.0, 90.0), b[1].clamp(-90.0, 90.0)];
        if nb[1] > nb[0] {
            let nc = if nb == *b { *c } else { (nb[0] + nb[1]) / 2.0 };
            keep.push((nc, nb));
        }
    }
    lat = keep.iter().map(|k| k.0).collect();
    lat_b = keep.into_iter().map(|k| k.1).collect();
    if lon.is_empty() || lat.is_empty() {
        return Err(OpError::Invalid(format!("grid instructions {g:?} give an empty grid")));
    }
    Ok(target(Layout::Rect { lat, lon, lat_bnds: Some(lat_b), lon_bnds: Some(lon_b) }, None, None, None))
}

fn target(layout: Layout, land: Option<Vec<f64>>, title: Option<String>, nominal: Option<String>) -> HGrid {
    let mut g = HGrid {
        layout,
        land,
        title: String::new(),
        nominal_resolution: nominal,
        dims: Vec::new(),
        coord_vars: Vec::new(),
    };
    g.title = title.unwrap_or_else(|| {
        let e = g.extent();
        let extent = if e.global_lon && e.global_lat { "global" } else { "regional" };
        match g.layout {
            Layout::Unstr { .. } => format!("{extent} {} {} cells grid.", g.type_name(), g.ncells()),
            _ => {
                let (a, b) = g.shape2();
                format!("{extent} {} {a}x{b} ({} cells) grid.", g.type_name(), g.ncells())
            }
        }
    });
    g
}

/// The regular grid approximating `src` (clisops `_grid_from_ds_adaptive`).
///
/// # Errors
/// Degenerate sources (one row or column).
pub fn adaptive(src: &HGrid) -> Result<HGrid, OpError> {
    let e = src.extent();
    let (mut x0, mut x1) = (e.lon_min, e.lon_max);
    if !e.global_lon && x0 < 2.0 * e.xinc && x1 > 360.0 - 2.0 * e.xinc {
        // Regional grid wrapping around Greenwich: in -180..180.
        let (lat, lon) = src.centres();
        let _ = lat;
        let l: Vec<f64> = lon.iter().map(|x| if *x > 180.0 { x - 360.0 } else { *x }).collect();
        x0 = l.iter().copied().fold(f64::INFINITY, f64::min);
        x1 = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    } else if !e.global_lon && x0 < -180.0 + 2.0 * e.xinc && x1 > 180.0 - 2.0 * e.xinc {
        let (_, lon) = src.centres();
        let l: Vec<f64> = lon.iter().map(|x| if *x < 0.0 { x + 360.0 } else { *x }).collect();
        x0 = l.iter().copied().fold(f64::INFINITY, f64::min);
        x1 = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    }
    let (y0, y1) = (e.lat_min, e.lat_max);
    #[allow(clippy::cast_precision_loss)]
    let (xsize, ysize) = match src.layout {
        Layout::Unstr { .. } => {
            let n = src.ncells() as f64;
            (
                ((x1 - x0).abs() / (y1 - y0).abs() * n).sqrt().floor(),
                ((y1 - y0).abs() / (x1 - x0).abs() * n).sqrt().floor(),
            )
        }
        _ => {
            let (a, b) = src.shape2();
            (b as f64, a as f64)
        }
    };
    if xsize < 2.0
        || ysize < 2.0
        || x1.partial_cmp(&x0) != Some(std::cmp::Ordering::Greater)
        || y1.partial_cmp(&y0) != Some(std::cmp::Ordering::Greater)
    {
        return Err(OpError::Invalid(
            "an adaptive grid needs a source grid with at least two distinct latitudes and longitudes".into(),
        ));
    }
    let dx = (x1 - x0) / (xsize - 1.0);
    let dy = (y1 - y0) / (ysize - 1.0);
    let (xa, xb) = if x1 > 180.0 { (0.0, 360.0) } else { (-180.0, 180.0) };
    let (lon0, lon1, xinc) =
        if e.global_lon { (xa, xb, 360.0 / (360.0 / dx).round()) } else { (x0 - dx / 2.0, x1 + dx / 2.0 + 1.0e-7, dx) };
    let (lat0, lat1, yinc) = if e.global_lat {
        (-90.0, 90.0, 180.0 / (180.0 / dy).round())
    } else {
        ((y0 - dy / 2.0).max(-90.0), (y1 + dy / 2.0 + 1.0e-7).min(90.0), dy)
    };
    instructor_grid(&[lon0, lon1, xinc, lat0, lat1, yinc], true)
}

/// The file of a roocs-grids id and its annotation.
///
/// # Errors
/// Unknown id (clisops's `KeyError` text).
pub fn id_file(id: &str) -> Result<(&'static str, &'static str), OpError> {
    GRIDS
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, f, n)| (*f, *n))
        .ok_or_else(|| OpError::Invalid(format!("The grid_id '{id}' you specified does not exist.")))
}

/// The grid of a roocs-grids id, with the annotation as title (land-sea mask sentences
/// removed, as clisops does): read from `dir` when a roocs-grids directory is configured,
/// else the copy built into the binary.
///
/// # Errors
/// Unknown id, a configured directory without the file, see [`from_file`].
pub fn from_id(io: &rookery_io::IoContext, id: &str, dir: Option<&Path>) -> Result<HGrid, OpError> {
    let (file, note) = id_file(id)?;
    let mut g = match dir {
        Some(dir) => {
            let p = dir.join(file);
            if !p.is_file() {
                return Err(OpError::Data(format!(
                    "the file of grid '{id}' is missing: {} (the roocs-grids directory set by [regrid] grids_dir \
                     in roocs.ini or ROOKERY_GRIDS_DIR; unset both to use the built-in grids)",
                    p.display()
                )));
            }
            from_file(io, &p)?
        }
        None => super::builtin::grid(file)?,
    };
    g.title = note.split('.').filter(|s| !s.contains("land-sea mask")).collect::<Vec<_>>().join(".");
    Ok(g)
}

/// The horizontal grid of a NetCDF file: SCRIP (`grid_center_lat`, ...) or CF coordinates;
/// `sftlf`/`lsm` become the land fraction.
///
/// # Errors
/// Unreadable files, files without a horizontal grid.
pub fn from_file(io: &rookery_io::IoContext, path: &Path) -> Result<HGrid, OpError> {
    let (layout, land, nominal) = file_record(io, path)?;
    let land = land.map(|(mut v, div)| {
        if div != 1.0 {
            for x in &mut v {
                *x /= div;
            }
        }
        v
    });
    Ok(built(layout, land, nominal))
}

/// A target grid from its parts (title generated).
pub(crate) fn built(layout: Layout, land: Option<Vec<f64>>, nominal: Option<String>) -> HGrid {
    target(layout, land, None, nominal)
}

/// The layout, land values as stored with their divisor (100 for percent), and
/// `nominal_resolution` of a grid file.
pub(crate) type FileRecord = (Layout, Option<(Vec<f64>, f64)>, Option<String>);

/// What [`from_file`] reads from a grid file, before the land values are scaled.
pub(crate) fn file_record(io: &rookery_io::IoContext, path: &Path) -> Result<FileRecord, OpError> {
    let src = rookery_io::open_paths(io, &[path.to_path_buf()])
        .map_err(|e| OpError::Invalid(format!("cannot read grid file {}: {e}", path.display())))?;
    let ds = src.dataset();
    let nominal = ds.attrs.get_str("nominal_resolution").map(str::to_string);
    if ds.var("grid_center_lat").is_some() {
        return Ok((from_scrip(src.as_ref())?.layout, None, nominal));
    }
    let not_grid = |e: String| OpError::Invalid(format!("{} is not a grid: {e}", path.display()));
    let (lat, lon, grid) = match CfInfo::detect(ds) {
        Ok(i) if i.lat.is_some() && i.lon.is_some() => {
            (i.lat.clone().unwrap_or_default(), i.lon.clone().unwrap_or_default(), i.grid)
        }
        _ => coords_without_data(ds).ok_or_else(|| not_grid("no latitude/longitude coordinates".into()))?,
    };
    let g = from_coords(src.as_ref(), &lat, &lon, grid, None).map_err(|e| not_grid(e.to_string()))?;
    let land = land_raw(src.as_ref(), &g)?;
    Ok((g.layout, land, nominal))
}

/// Land values from `sftlf` or `lsm` over the grid's dimensions (extra length-1 dimensions
/// squeezed) and their divisor: 100 for percent (`%` units or values above 1), else 1.
fn land_raw(src: &dyn Source, g: &HGrid) -> Result<Option<(Vec<f64>, f64)>, OpError> {
    let ds = src.dataset();
    let Some(v) = ["sftlf", "lsm"].iter().find_map(|n| ds.var(n)) else { return Ok(None) };
    let n: usize = v.shape.iter().product();
    if n != g.ncells() {
        tracing::warn!("Cannot apply a mask with more than 2 dimensions (lat, lon).");
        return Ok(None);
    }
    let a = read_f64(src, &v.name)?;
    let x: Vec<f64> = a.iter().copied().collect();
    let percent =
        v.attrs.get_str("units").is_some_and(|u| u.trim() == "%") || x.iter().any(|y| y.is_finite() && *y > 1.0 + 1e-6);
    Ok(Some((x, if percent { 100.0 } else { 1.0 })))
}

/// A SCRIP grid description: regular when the centres repeat along rows and columns (as
/// clisops's reformatter requires), curvilinear otherwise.
fn from_scrip(src: &dyn Source) -> Result<HGrid, OpError> {
    let ds = src.dataset();
    let get = |n: &str| -> Result<Vec<f64>, OpError> {
        let v = ds.var(n).ok_or_else(|| OpError::Invalid(format!("SCRIP grid without {n}")))?;
        let radians = v.attrs.get_str("units").is_some_and(|u| u.trim().starts_with("rad"));
        let mut x: Vec<f64> = read_f64(src, n)?.iter().copied().collect();
        if radians {
            for y in &mut x {
                *y = y.to_degrees();
            }
        }
        Ok(x)
    };
    let lat = get("grid_center_lat")?;
    let lon = get("grid_center_lon")?;
    let dims: Vec<usize> = match ds.var("grid_dims") {
        Some(_) => read_f64(src, "grid_dims")?
            .iter()
            .map(|x| if x.is_finite() && *x > 0.0 { *x as usize } else { 0 })
            .collect(),
        None => vec![lat.len()],
    };
    let corners = match (ds.var("grid_corner_lat"), ds.var("grid_corner_lon")) {
        (Some(_), Some(_)) => Some((get("grid_corner_lat")?, get("grid_corner_lon")?)),
        _ => None,
    };
    let nc = ds.var("grid_corner_lat").and_then(|v| v.shape.get(1).copied()).unwrap_or(4);
    // grid_imask is ignored, as clisops's SCRIP reformatter does.
    let land = None;
    if dims.len() == 2 && dims[0] * dims[1] == lat.len() && lat.len() == lon.len() {
        let (nx, ny) = (dims[0], dims[1]);
        let regular = (0..ny).all(|j| (0..nx).all(|i| lat[j * nx + i] == lat[j * nx]))
            && (0..ny).all(|j| (0..nx).all(|i| lon[j * nx + i] == lon[i]));
        if regular {
            let lat1: Vec<f64> = (0..ny).map(|j| lat[j * nx]).collect();
            let lon1: Vec<f64> = lon[..nx].to_vec();
            let (lat_bnds, lon_bnds) = match &corners {
                Some((clat, clon)) if nc >= 2 => {
                    let mm = |s: &[f64]| {
                        (
                            s.iter().copied().fold(f64::INFINITY, f64::min),
                            s.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        )
                    };
                    let lb: Vec<[f64; 2]> = (0..ny)
                        .map(|j| {
                            let (a, b) = mm(&clat[j * nx * nc..j * nx * nc + nc]);
                            [a, b]
                        })
                        .collect();
                    let ob: Vec<[f64; 2]> = (0..nx)
                        .map(|i| {
                            let (a, b) = mm(&clon[i * nc..i * nc + nc]);
                            [a, b]
                        })
                        .collect();
                    (Some(lb), Some(ob))
                }
                _ => (None, None),
            };
            return Ok(target(Layout::Rect { lat: lat1, lon: lon1, lat_bnds, lon_bnds }, land, None, None));
        }
        let corners = corners.filter(|_| nc == 4);
        return Ok(target(Layout::Curv { ny, nx, lat, lon, corners }, land, None, None));
    }
    let corners = corners.map(|(a, b)| (a, b, nc));
    Ok(target(Layout::Unstr { lat, lon, corners }, land, None, None))
}

/// Latitude and longitude of a file without data variables (grid files): coordinate
/// variables by their CF attributes, 1-D axes preferred.
fn coords_without_data(ds: &Dataset) -> Option<(String, String, GridType)> {
    use rookery_cf::roles::{coord_role, Role};
    let find = |role: Role| -> Option<&rookery_cf::Variable> {
        let mut c: Vec<&rookery_cf::Variable> = ds.vars.iter().filter(|v| coord_role(v) == Some(role)).collect();
        c.sort_by_key(|v| (v.dims.len() != 1 || v.dims[0] != v.name, v.dims.len()));
        c.first().copied()
    };
    let (la, lo) = (find(Role::Latitude)?, find(Role::Longitude)?);
    let grid = if la.dims.len() == 2 {
        GridType::Curvilinear
    } else if la.dims.len() == 1 && lo.dims.len() == 1 && la.dims[0] == lo.dims[0] {
        GridType::Unstructured
    } else {
        GridType::Rectilinear
    };
    Some((la.name.clone(), lo.name.clone(), grid))
}

/// The horizontal grid of a dataset's main variable (clisops `Grid(ds=...)`).
///
/// # Errors
/// No latitude/longitude, or coordinates of unexpected shapes.
pub fn from_dataset(src: &dyn Source, info: &CfInfo) -> Result<HGrid, OpError> {
    let (Some(latn), Some(lonn)) = (info.lat.clone(), info.lon.clone()) else {
        return Err(OpError::Data(format!("no latitude/longitude coordinates found for {}", info.main)));
    };
    from_coords(src, &latn, &lonn, info.grid, Some(&info.main))
}

/// The grid of coordinates `latn`/`lonn`; `main` fixes the data order of the dimensions.
fn from_coords(src: &dyn Source, latn: &str, lonn: &str, grid: GridType, main: Option<&str>) -> Result<HGrid, OpError> {
    let ds = src.dataset();
    let (latn, lonn) = (latn.to_string(), lonn.to_string());
    let latv = ds.var(&latn).ok_or_else(|| OpError::Data(format!("no variable {latn}")))?;
    let lonv = ds.var(&lonn).ok_or_else(|| OpError::Data(format!("no variable {lonn}")))?;
    let lat: Vec<f64> = read_f64(src, &latn)?.iter().copied().collect();
    let lon: Vec<f64> = read_f64(src, &lonn)?.iter().copied().collect();
    let bounds = |v: &str| -> Result<Option<(String, Vec<f64>)>, OpError> {
        match rookery_cf::roles::bounds_of(ds, v) {
            Some(b) => Ok(Some((b.name.clone(), read_f64(src, &b.name)?.iter().copied().collect()))),
            None => Ok(None),
        }
    };
    let lb = bounds(&latn)?;
    let ob = bounds(&lonn)?;
    let mut coord_vars = vec![latn.clone(), lonn.clone()];
    coord_vars.extend(lb.iter().map(|b| b.0.clone()));
    coord_vars.extend(ob.iter().map(|b| b.0.clone()));
    let pairs = |b: Option<(String, Vec<f64>)>, n: usize| -> Option<Vec<[f64; 2]>> {
        b.filter(|(_, x)| x.len() == 2 * n).map(|(_, x)| x.chunks_exact(2).map(|c| [c[0], c[1]]).collect())
    };
    let layout = match grid {
        GridType::Rectilinear => {
            if latv.dims.len() != 1 || lonv.dims.len() != 1 {
                return Err(OpError::Data(format!("{latn}/{lonn} are not 1-D axes")));
            }
            let (nl, no) = (lat.len(), lon.len());
            Layout::Rect { lat, lon, lat_bnds: pairs(lb, nl), lon_bnds: pairs(ob, no) }
        }
        GridType::Curvilinear => {
            if latv.dims.len() != 2 || latv.shape != lonv.shape {
                return Err(OpError::Data(format!("{latn}/{lonn} are not 2-D coordinates of one shape")));
            }
            let (ny, nx) = (latv.shape[0], latv.shape[1]);
            let corners = match (lb, ob) {
                (Some((_, a)), Some((_, b))) if a.len() == 4 * ny * nx && b.len() == a.len() => Some((a, b)),
                _ => None,
            };
            Layout::Curv { ny, nx, lat, lon, corners }
        }
        GridType::Unstructured => {
            let n = lat.len();
            let corners = match (lb, ob) {
                (Some((_, a)), Some((_, b))) if n > 0 && a.len() % n == 0 && a.len() == b.len() && a.len() / n >= 3 => {
                    let k = a.len() / n;
                    Some((a, b, k))
                }
                _ => None,
            };
            Layout::Unstr { lat, lon, corners }
        }
        GridType::None => return Err(OpError::Data(format!("{latn}/{lonn} do not form a horizontal grid"))),
    };
    let mut dims: Vec<String> = Vec::new();
    for d in latv.dims.iter().chain(lonv.dims.iter()) {
        if !dims.contains(d) {
            dims.push(d.clone());
        }
    }
    // Data order: the main variable's order of the horizontal dimensions.
    if let Some(m) = main.and_then(|m| ds.var(m)) {
        dims.sort_by_key(|d| m.axis_of(d).unwrap_or(usize::MAX));
        if let Layout::Rect { .. } = layout {
            if m.axis_of(&latv.dims[0]).zip(m.axis_of(&lonv.dims[0])).is_some_and(|(a, b)| a > b) {
                return Err(OpError::Data(format!(
                    "{} has longitude before latitude; regridding needs (…, lat, lon) order",
                    m.name
                )));
            }
        }
        if let Layout::Curv { .. } = layout {
            let order: Vec<usize> = latv.dims.iter().filter_map(|d| m.axis_of(d)).collect();
            if order.len() != 2 || order[0] > order[1] || order[1] != m.dims.len() - 1 || order[0] + 1 != order[1] {
                return Err(OpError::Data(format!(
                    "{} does not end with the dimensions of its 2-D coordinates ({})",
                    m.name,
                    latv.dims.join(", ")
                )));
            }
        }
    }
    let mut g = target(layout, None, None, None);
    g.dims = dims;
    g.coord_vars = coord_vars;
    Ok(g)
}
