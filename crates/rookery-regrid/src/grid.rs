//! Horizontal grids: rectilinear (1-D lat/lon axes), curvilinear (2-D centres) and unstructured
//! (cell lists), with optional cell bounds and a validity mask.

use crate::error::invalid;
use crate::md5::{md5_hex, python_bytes_repr};
use crate::sphere::{self, V3};
use crate::RegridError;

/// The structure of a [`Grid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GridKind {
    /// 1-D latitude and longitude axes; cells are lat-major `(y, x)`.
    Rectilinear,
    /// 2-D latitude/longitude of shape `(ny, nx)`, row-major.
    Curvilinear,
    /// A list of cells.
    Unstructured,
}

/// A horizontal grid. Cells are flattened row-major in data order; all coordinates in degrees.
///
/// Curvilinear and unstructured centres may contain NaN (such cells are treated as masked);
/// rectilinear axes must be finite. Latitudes must lie within ±90.
#[derive(Debug, Clone)]
pub struct Grid {
    kind: GridKind,
    ny: usize,
    nx: usize,
    lat: Vec<f64>,
    lon: Vec<f64>,
    lat_bnds: Option<Vec<[f64; 2]>>,
    lon_bnds: Option<Vec<[f64; 2]>>,
    corners: Option<(Vec<f64>, Vec<f64>, usize)>,
    mask: Option<Vec<bool>>,
}

const LAT_TOL: f64 = 1e-6;

fn check_lat(v: &[f64], what: &str, allow_nan: bool) -> Result<(), RegridError> {
    for (i, &x) in v.iter().enumerate() {
        if x.is_nan() {
            if !allow_nan {
                return Err(invalid("input", format!("{what} contains NaN at index {i}")));
            }
        } else if !(-90.0 - LAT_TOL..=90.0 + LAT_TOL).contains(&x) {
            return Err(invalid("input", format!("{what} value {x} at index {i} is outside [-90, 90]")));
        }
    }
    Ok(())
}

fn check_lon(v: &[f64], what: &str, allow_nan: bool) -> Result<(), RegridError> {
    for (i, &x) in v.iter().enumerate() {
        if x.is_nan() {
            if !allow_nan {
                return Err(invalid("input", format!("{what} contains NaN at index {i}")));
            }
        } else if !x.is_finite() || x.abs() > 1e5 {
            return Err(invalid("input", format!("{what} value {x} at index {i} is not a longitude")));
        }
    }
    Ok(())
}

/// Shortest signed longitude difference `b - a` in (-180, 180].
#[inline]
pub(crate) fn dlon(a: f64, b: f64) -> f64 {
    let d = (b - a).rem_euclid(360.0);
    if d > 180.0 {
        d - 360.0
    } else {
        d
    }
}

impl Grid {
    /// A rectilinear grid from 1-D latitude (`ny`) and longitude (`nx`) axes, with optional
    /// `[lo, hi]` bounds per axis entry. Cell order is lat-major `(y, x)`.
    pub fn rectilinear(
        lat: Vec<f64>,
        lon: Vec<f64>,
        lat_bnds: Option<Vec<[f64; 2]>>,
        lon_bnds: Option<Vec<[f64; 2]>>,
    ) -> Result<Grid, RegridError> {
        if lat.is_empty() || lon.is_empty() {
            return Err(invalid("input", format!("empty axis (nlat={}, nlon={})", lat.len(), lon.len())));
        }
        check_lat(&lat, "latitude", false)?;
        check_lon(&lon, "longitude", false)?;
        if let Some(b) = &lat_bnds {
            if b.len() != lat.len() {
                return Err(invalid("input", format!("{} latitude bounds for {} latitudes", b.len(), lat.len())));
            }
            check_lat(&b.iter().flatten().copied().collect::<Vec<_>>(), "latitude bounds", false)?;
        }
        if let Some(b) = &lon_bnds {
            if b.len() != lon.len() {
                return Err(invalid("input", format!("{} longitude bounds for {} longitudes", b.len(), lon.len())));
            }
            check_lon(&b.iter().flatten().copied().collect::<Vec<_>>(), "longitude bounds", false)?;
            if let Some(i) = b.iter().position(|p| (p[1] - p[0]).abs() > 360.0 + 1e-9) {
                return Err(invalid("input", format!("longitude bounds of cell {i} span more than 360 degrees")));
            }
        }
        let (ny, nx) = (lat.len(), lon.len());
        Ok(Grid { kind: GridKind::Rectilinear, ny, nx, lat, lon, lat_bnds, lon_bnds, corners: None, mask: None })
    }

    /// A curvilinear grid of `ny × nx` cells from 2-D centres (row-major) and optional corners
    /// (4 per cell, `ny*nx*4` values each, in any consistent order, like CF
    /// `vertices_latitude/longitude` or SCRIP `grid_corner_lat/lon`).
    pub fn curvilinear(
        ny: usize,
        nx: usize,
        lat: Vec<f64>,
        lon: Vec<f64>,
        corners: Option<(Vec<f64>, Vec<f64>)>,
    ) -> Result<Grid, RegridError> {
        let n = ny.checked_mul(nx).ok_or_else(|| invalid("input", "grid size overflows"))?;
        if n == 0 {
            return Err(invalid("input", format!("empty grid ({ny}x{nx})")));
        }
        if lat.len() != n || lon.len() != n {
            return Err(invalid(
                "input",
                format!("{ny}x{nx} grid needs {n} centres, got {} latitudes and {} longitudes", lat.len(), lon.len()),
            ));
        }
        check_lat(&lat, "latitude", true)?;
        check_lon(&lon, "longitude", true)?;
        let corners = match corners {
            Some((clat, clon)) => {
                if clat.len() != 4 * n || clon.len() != 4 * n {
                    return Err(invalid(
                        "input",
                        format!("{ny}x{nx} grid needs {} corner values, got {} and {}", 4 * n, clat.len(), clon.len()),
                    ));
                }
                check_lat(&clat, "corner latitude", true)?;
                check_lon(&clon, "corner longitude", true)?;
                Some((clat, clon, 4))
            }
            None => None,
        };
        Ok(Grid { kind: GridKind::Curvilinear, ny, nx, lat, lon, lat_bnds: None, lon_bnds: None, corners, mask: None })
    }

    /// An unstructured grid of `lat.len()` cells with optional corners (`k` per cell, `n*k` values
    /// each; NaN corners are ignored, so shorter cells can be padded with NaN).
    pub fn unstructured(
        lat: Vec<f64>,
        lon: Vec<f64>,
        corners: Option<(Vec<f64>, Vec<f64>, usize)>,
    ) -> Result<Grid, RegridError> {
        let n = lat.len();
        if n == 0 {
            return Err(invalid("input", "empty grid (0 cells)"));
        }
        if lon.len() != n {
            return Err(invalid("input", format!("{n} latitudes but {} longitudes", lon.len())));
        }
        check_lat(&lat, "latitude", true)?;
        check_lon(&lon, "longitude", true)?;
        if let Some((clat, clon, k)) = &corners {
            if *k < 3 || clat.len() != k * n || clon.len() != k * n {
                return Err(invalid(
                    "input",
                    format!(
                        "{n} cells with {k} corners need {} corner values, got {} and {}",
                        k * n,
                        clat.len(),
                        clon.len()
                    ),
                ));
            }
            check_lat(clat, "corner latitude", true)?;
            check_lon(clon, "corner longitude", true)?;
        }
        Ok(Grid {
            kind: GridKind::Unstructured,
            ny: n,
            nx: 1,
            lat,
            lon,
            lat_bnds: None,
            lon_bnds: None,
            corners,
            mask: None,
        })
    }

    /// Attaches a validity mask (`false` = masked cell, e.g. land for an ocean variable), one
    /// entry per cell. A mask of the wrong length is reported by [`crate::compute_weights`].
    pub fn with_mask(mut self, valid: Vec<bool>) -> Grid {
        self.mask = Some(valid);
        self
    }

    /// The kind of grid.
    pub fn kind(&self) -> GridKind {
        self.kind
    }

    /// Data shape: `[ny, nx]` for rectilinear and curvilinear grids, `[n]` for unstructured.
    pub fn shape(&self) -> Vec<usize> {
        match self.kind {
            GridKind::Unstructured => vec![self.ny],
            _ => vec![self.ny, self.nx],
        }
    }

    /// Number of cells.
    pub fn ncells(&self) -> usize {
        self.ny * self.nx
    }

    /// Number of latitudes as clisops reports it (`ny`; unstructured: number of cells).
    pub fn nlat(&self) -> usize {
        self.ny
    }

    /// Number of longitudes as clisops reports it (`nx`; unstructured: 1).
    pub fn nlon(&self) -> usize {
        self.nx
    }

    /// Latitudes as given: the 1-D axis for rectilinear grids, one per cell otherwise.
    pub fn lat(&self) -> &[f64] {
        &self.lat
    }

    /// Longitudes as given: the 1-D axis for rectilinear grids, one per cell otherwise.
    pub fn lon(&self) -> &[f64] {
        &self.lon
    }

    /// Rectilinear latitude bounds, if any.
    pub fn lat_bounds(&self) -> Option<&[[f64; 2]]> {
        self.lat_bnds.as_deref()
    }

    /// Rectilinear longitude bounds, if any.
    pub fn lon_bounds(&self) -> Option<&[[f64; 2]]> {
        self.lon_bnds.as_deref()
    }

    /// Curvilinear/unstructured corners `(lat, lon, corners_per_cell)`, if any.
    pub fn corners(&self) -> Option<(&[f64], &[f64], usize)> {
        self.corners.as_ref().map(|(a, b, k)| (a.as_slice(), b.as_slice(), *k))
    }

    /// The validity mask, if any (`false` = masked).
    pub fn mask(&self) -> Option<&[bool]> {
        self.mask.as_deref()
    }

    /// Centre `(lat, lon)` of cell `i` (flattened index).
    #[inline]
    pub fn center(&self, i: usize) -> (f64, f64) {
        match self.kind {
            GridKind::Rectilinear => (self.lat[i / self.nx], self.lon[i % self.nx]),
            _ => (self.lat[i], self.lon[i]),
        }
    }

    /// Whether cell `i` takes part in regridding: not masked and with finite centre.
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        if let Some(m) = &self.mask {
            if !m.get(i).copied().unwrap_or(false) {
                return false;
            }
        }
        let (a, b) = self.center(i);
        a.is_finite() && b.is_finite()
    }

    /// Unit vector of the centre of cell `i` (NaN for invalid centres).
    #[inline]
    pub(crate) fn center_xyz(&self, i: usize) -> V3 {
        let (a, b) = self.center(i);
        sphere::xyz(a, b)
    }

    /// Checks the grid before use in weight computation; `which` names it in errors.
    pub(crate) fn validate(&self, which: &str) -> Result<(), RegridError> {
        if self.ncells() == 0 {
            return Err(invalid(which, "no cells"));
        }
        if let Some(m) = &self.mask {
            if m.len() != self.ncells() {
                return Err(invalid(which, format!("mask has {} entries for {} cells", m.len(), self.ncells())));
            }
        }
        if !(0..self.ncells()).any(|i| self.is_valid(i)) {
            return Err(invalid(which, "no valid (unmasked, finite) cell"));
        }
        Ok(())
    }

    /// Whether cell bounds are present.
    pub fn has_bounds(&self) -> bool {
        match self.kind {
            GridKind::Rectilinear => self.lat_bnds.is_some() && self.lon_bnds.is_some(),
            _ => self.corners.is_some(),
        }
    }

    /// Writes the corners `(lat, lon)` of cell `i` to `out` (skipping NaN corners); nothing
    /// when the grid has no bounds.
    pub(crate) fn cell_corners(&self, i: usize, out: &mut Vec<(f64, f64)>) {
        out.clear();
        match self.kind {
            GridKind::Rectilinear => {
                if let (Some(lb), Some(xb)) = (&self.lat_bnds, &self.lon_bnds) {
                    let [y0, y1] = lb[i / self.nx];
                    let [x0, x1] = xb[i % self.nx];
                    out.extend_from_slice(&[(y0, x0), (y0, x1), (y1, x1), (y1, x0)]);
                }
            }
            _ => {
                if let Some((clat, clon, k)) = &self.corners {
                    for c in i * k..(i + 1) * k {
                        if clat[c].is_finite() && clon[c].is_finite() {
                            out.push((clat[c], clon[c]));
                        }
                    }
                }
            }
        }
    }

    /// A typical longitude increment (degrees) as clisops estimates it.
    fn lon_increment(&self) -> f64 {
        match self.kind {
            GridKind::Rectilinear => {
                if self.nx < 2 {
                    return f64::NAN;
                }
                let s: f64 = self.lon.windows(2).map(|w| dlon(w[0], w[1]).abs()).sum();
                s / (self.nx - 1) as f64
            }
            GridKind::Curvilinear | GridKind::Unstructured => {
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                let (mut ylo, mut yhi) = (f64::INFINITY, f64::NEG_INFINITY);
                for i in 0..self.ncells() {
                    let (y, x) = self.center(i);
                    if x.is_finite() && y.is_finite() {
                        let x = x.rem_euclid(360.0);
                        lo = lo.min(x);
                        hi = hi.max(x);
                        ylo = ylo.min(y);
                        yhi = yhi.max(y);
                    }
                }
                if self.kind == GridKind::Curvilinear {
                    if self.nx < 2 {
                        return f64::NAN;
                    }
                    (hi - lo) / (self.nx - 1) as f64
                } else {
                    let dx = (hi - lo).abs();
                    let dy = (yhi - ylo).abs().max(1e-9);
                    let n = self.ncells() as f64;
                    let xsize = ((dx / dy * n).sqrt().floor()).max(2.0);
                    dx / (xsize - 1.0)
                }
            }
        }
    }

    /// Whether the grid is global (periodic) in longitude, as clisops detects it: a histogram of
    /// the centre longitudes (mod 360) with bins of at least twice the typical longitude
    /// increment has no empty bin.
    pub fn is_global_lon(&self) -> bool {
        let xinc = self.lon_increment();
        if !xinc.is_finite() || xinc <= 0.0 {
            return false;
        }
        let nb = (360.0 / (2.0 * xinc)).floor();
        if nb < 2.0 || self.nx < 3 && self.kind != GridKind::Unstructured {
            return false;
        }
        let nb = nb.min(1e6) as usize;
        let width = 360.0 / nb as f64;
        let mut seen = vec![false; nb];
        let mut mark = |x: f64| {
            if x.is_finite() {
                let b = ((x.rem_euclid(360.0) / width) as usize).min(nb - 1);
                seen[b] = true;
            }
        };
        match self.kind {
            GridKind::Rectilinear => self.lon.iter().for_each(|&x| mark(x)),
            _ => (0..self.ncells()).for_each(|i| {
                if self.lat[i].is_finite() {
                    mark(self.lon[i])
                }
            }),
        }
        seen.iter().all(|&s| s)
    }

    /// Generates cell bounds when they are missing: rectilinear grids get midpoints between
    /// neighbouring centres (ends extrapolated, latitudes clipped to ±90); curvilinear grids get
    /// corners from the mean of the four neighbouring centres (on the sphere, wrapping at the
    /// periodic seam; edges extrapolated, clipped at the poles). Needs at least 3x3 cells (as clisops);
    /// unstructured grids cannot get bounds.
    pub fn ensure_bounds(&mut self) -> Result<(), RegridError> {
        if self.has_bounds() {
            return Ok(());
        }
        match self.kind {
            GridKind::Rectilinear => {
                if self.ny < 2 || self.nx < 2 {
                    return Err(RegridError::Bounds(format!(
                        "the latitude and longitude axes need at least 2 entries each (got {}x{})",
                        self.ny, self.nx
                    )));
                }
                if self.lat_bnds.is_none() {
                    self.lat_bnds = Some(axis_bounds(&self.lat, false));
                }
                if self.lon_bnds.is_none() {
                    self.lon_bnds = Some(axis_bounds(&self.lon, true));
                }
                Ok(())
            }
            GridKind::Curvilinear => {
                if self.ny < 3 || self.nx < 3 {
                    return Err(RegridError::Bounds(format!(
                        "the latitude and longitude axes need at least 3 entries each (got {}x{})",
                        self.ny, self.nx
                    )));
                }
                if self.lat.iter().any(|v| v.is_nan()) || self.lon.iter().any(|v| v.is_nan()) {
                    return Err(RegridError::Bounds("the grid has cells with missing (NaN) centres".into()));
                }
                let periodic = self.is_global_lon();
                self.corners = Some(curvilinear_corners(self.ny, self.nx, &self.lat, &self.lon, periodic));
                Ok(())
            }
            GridKind::Unstructured => {
                Err(RegridError::Bounds("bounds cannot be generated for unstructured grids".into()))
            }
        }
    }

    /// Cell areas on the unit sphere (steradians) as used by conservative remapping between two
    /// rectilinear grids: lat-lon boxes bounded by latitude circles. For curvilinear/unstructured
    /// grids this equals [`Grid::cell_areas_great_circle`]. Missing bounds are generated.
    pub fn cell_areas(&self) -> Result<Vec<f64>, RegridError> {
        let mut g = self.clone();
        g.ensure_bounds()?;
        if g.kind != GridKind::Rectilinear {
            return g.cell_areas_great_circle();
        }
        let lb = g.lat_bnds.as_ref().expect("bounds");
        let xb = g.lon_bnds.as_ref().expect("bounds");
        let mut out = Vec::with_capacity(g.ncells());
        for b in lb {
            let dy = (b[1].clamp(-90.0, 90.0).to_radians().sin() - b[0].clamp(-90.0, 90.0).to_radians().sin()).abs();
            for x in xb {
                out.push(dy * (x[1] - x[0]).abs().min(360.0).to_radians());
            }
        }
        Ok(out)
    }

    /// Cell areas on the unit sphere (steradians) of the cells as polygons with great-circle
    /// edges, as used by conservative remapping whenever a curvilinear or unstructured grid is
    /// involved (degenerate cells have area 0). Missing bounds are generated.
    pub fn cell_areas_great_circle(&self) -> Result<Vec<f64>, RegridError> {
        let mut g = self.clone();
        g.ensure_bounds()?;
        let mut c = Vec::new();
        let mut p = Vec::new();
        Ok((0..g.ncells())
            .map(|i| {
                g.cell_corners(i, &mut c);
                p.clear();
                p.extend(c.iter().map(|&(a, b)| sphere::xyz(a, b)));
                match sphere::prepare_polygon(&mut p) {
                    sphere::CellShape::Degenerate => 0.0,
                    _ => sphere::polygon_area_signed(&p).abs(),
                }
            })
            .collect())
    }

    /// A stable hex digest of the grid (lat, lon, bounds, mask), computed exactly as clisops
    /// `Grid._compute_hash` does: coordinates rounded to 6 decimals (numpy `around`), the md5 of
    /// Python's `str()` of the float64 bytes of each of lat, lon, lat_bnds, lon_bnds and the
    /// int32 mask (or of `b"undefined"` when absent), then the md5 of the concatenated hex digests.
    /// Rectilinear grids hash their 1-D axes and `(n, 2)` bounds; curvilinear and unstructured
    /// grids their per-cell centres and `(cells, corners)` vertices.
    pub fn hash(&self) -> String {
        let part = |v: &mut dyn Iterator<Item = f64>| -> String {
            let mut bytes = Vec::new();
            for x in v {
                let r = (x * 1e6).round_ties_even() / 1e6;
                bytes.extend_from_slice(&r.to_le_bytes());
            }
            md5_hex(python_bytes_repr(&bytes).as_bytes())
        };
        let undefined = || md5_hex(b"undefined");
        let mut parts = vec![part(&mut self.lat.iter().copied()), part(&mut self.lon.iter().copied())];
        match self.kind {
            GridKind::Rectilinear => {
                parts.push(match &self.lat_bnds {
                    Some(b) => part(&mut b.iter().flatten().copied()),
                    None => undefined(),
                });
                parts.push(match &self.lon_bnds {
                    Some(b) => part(&mut b.iter().flatten().copied()),
                    None => undefined(),
                });
            }
            _ => match &self.corners {
                Some((a, b, _)) => {
                    parts.push(part(&mut a.iter().copied()));
                    parts.push(part(&mut b.iter().copied()));
                }
                None => {
                    parts.push(undefined());
                    parts.push(undefined());
                }
            },
        }
        parts.push(match &self.mask {
            Some(m) => {
                let bytes: Vec<u8> = m.iter().flat_map(|&v| (v as i32).to_le_bytes()).collect();
                md5_hex(python_bytes_repr(&bytes).as_bytes())
            }
            None => undefined(),
        });
        md5_hex(parts.concat().as_bytes())
    }
}

/// Bounds of a 1-D axis from midpoints; `lon` = unwrap differences modulo 360, else clip to ±90.
fn axis_bounds(v: &[f64], lon: bool) -> Vec<[f64; 2]> {
    let n = v.len();
    let d = |a: f64, b: f64| if lon { dlon(a, b) } else { b - a };
    let mut edges = Vec::with_capacity(n + 1);
    edges.push(v[0] - d(v[0], v[1]) / 2.0);
    for i in 0..n - 1 {
        edges.push(v[i] + d(v[i], v[i + 1]) / 2.0);
    }
    edges.push(v[n - 1] + d(v[n - 2], v[n - 1]) / 2.0);
    (0..n)
        .map(|i| {
            let (mut lo, mut hi) = (edges[i], edges[i + 1]);
            if lon {
                // Keep each cell's bounds contiguous with its centre.
                lo = v[i] - dlon(lo, v[i]).abs();
                hi = v[i] + dlon(v[i], hi).abs();
                [lo, hi]
            } else {
                lo = lo.clamp(-90.0, 90.0);
                hi = hi.clamp(-90.0, 90.0);
                [lo, hi]
            }
        })
        .collect()
}

/// Corners of a curvilinear grid, 4 per cell in the order (j,k), (j,k+1), (j+1,k+1), (j+1,k).
fn curvilinear_corners(ny: usize, nx: usize, lat: &[f64], lon: &[f64], periodic: bool) -> (Vec<f64>, Vec<f64>, usize) {
    let c = |j: usize, k: usize| sphere::xyz(lat[j * nx + k], lon[j * nx + k]);
    let (cy, cx) = (ny + 1, nx + 1);
    let mut cr: Vec<V3> = vec![[0.0; 3]; cy * cx];
    let mean4 = |a: V3, b: V3, cc: V3, d: V3| sphere::normalize(sphere::add(sphere::add(a, b), sphere::add(cc, d)));
    for j in 1..ny {
        for k in 1..nx {
            cr[j * cx + k] = mean4(c(j - 1, k - 1), c(j - 1, k), c(j, k - 1), c(j, k));
        }
        if periodic {
            let w = mean4(c(j - 1, nx - 1), c(j - 1, 0), c(j, nx - 1), c(j, 0));
            cr[j * cx] = w;
            cr[j * cx + nx] = w;
        }
    }
    let extrap = |a: V3, b: V3| -> V3 {
        // 2a - b on the sphere; clip at the poles like clisops clips latitudes.
        let e = sphere::normalize(sphere::sub(sphere::scale(a, 2.0), b));
        let (la, _) = sphere::latlon(a);
        let (lb, _) = sphere::latlon(b);
        let lat_e = 2.0 * la - lb;
        if lat_e.abs() >= 90.0 {
            let (_, lo) = sphere::latlon(a);
            sphere::xyz(90f64.copysign(lat_e), lo)
        } else {
            e
        }
    };
    if !periodic {
        for j in 1..ny {
            cr[j * cx] = extrap(cr[j * cx + 1], cr[j * cx + 2]);
            cr[j * cx + nx] = extrap(cr[j * cx + nx - 1], cr[j * cx + nx - 2]);
        }
    }
    for k in 0..cx {
        cr[k] = extrap(cr[cx + k], cr[2 * cx + k]);
        cr[ny * cx + k] = extrap(cr[(ny - 1) * cx + k], cr[(ny - 2) * cx + k]);
    }
    let n = ny * nx;
    let (mut clat, mut clon) = (Vec::with_capacity(4 * n), Vec::with_capacity(4 * n));
    for j in 0..ny {
        for k in 0..nx {
            let (_, lon_c) = (lat[j * nx + k], lon[j * nx + k]);
            for (jj, kk) in [(j, k), (j, k + 1), (j + 1, k + 1), (j + 1, k)] {
                let (a, b) = sphere::latlon(cr[jj * cx + kk]);
                clat.push(a.clamp(-90.0, 90.0));
                // Express corner longitudes near the centre longitude.
                clon.push(lon_c + dlon(lon_c, b));
            }
        }
    }
    (clat, clon, 4)
}
