//! First-order conservative weights: `w(d, s) = area(d ∩ s) / area(d)` on the unit sphere.
//!
//! * Rectilinear → rectilinear: cells are lat-lon boxes bounded by latitude circles (as in CDO
//!   and YAC); the overlap is exact and separable — latitude overlap in `sin(lat)`, longitude
//!   overlap in degrees with periodic wrap.
//! * Otherwise: cells are spherical polygons with great-circle edges (as in ESMF); each
//!   destination cell is intersected with the candidate source cells found through a lat-lon
//!   bucket index of source bounding caps, by Sutherland–Hodgman clipping in 3-D against the
//!   great-circle planes of the convex cell, areas by the Van Oosterom–Strackee formula.
//!
//! Masked source cells get no weight; masked destination cells no row. Degenerate cells (fewer
//! than 3 distinct corners) are skipped with `ignore_degenerate`, else reported as an error.
//! Pairs where both cells are concave (smashed) are skipped.

use rayon::prelude::*;

use crate::grid::{Grid, GridKind};
use crate::sphere::{self, CellShape, V3};
use crate::weights::{build_parallel, Weights};
use crate::RegridError;

fn with_bounds<'a>(g: &'a Grid, which: &str) -> Result<std::borrow::Cow<'a, Grid>, RegridError> {
    if g.has_bounds() {
        return Ok(std::borrow::Cow::Borrowed(g));
    }
    let mut c = g.clone();
    c.ensure_bounds().map_err(|e| RegridError::MissingBounds { grid: which.to_string(), reason: strip(e) })?;
    Ok(std::borrow::Cow::Owned(c))
}

fn strip(e: RegridError) -> String {
    match e {
        RegridError::Bounds(s) => s,
        other => other.to_string(),
    }
}

pub(crate) fn weights(src: &Grid, dst: &Grid, ignore_degenerate: bool) -> Result<Weights, RegridError> {
    let src = with_bounds(src, "source")?;
    let dst = with_bounds(dst, "target")?;
    if src.kind() == GridKind::Rectilinear && dst.kind() == GridKind::Rectilinear {
        rect_rect(&src, &dst, ignore_degenerate)
    } else {
        polygons(&src, &dst, ignore_degenerate)
    }
}

// ---------------------------------------------------------------------------------------------
// Rectilinear → rectilinear (exact, separable)

/// Sorted `(lo, hi)` of latitude bounds in sin(lat).
fn sin_band(b: [f64; 2]) -> (f64, f64) {
    let s0 = b[0].clamp(-90.0, 90.0).to_radians().sin();
    let s1 = b[1].clamp(-90.0, 90.0).to_radians().sin();
    (s0.min(s1), s0.max(s1))
}

fn lon_band(b: [f64; 2]) -> (f64, f64) {
    (b[0].min(b[1]), b[0].max(b[1]))
}

/// Overlap of [a0,a1] with the periodic copies of [b0,b1] (both widths ≤ 360).
fn lon_overlap(a: (f64, f64), b: (f64, f64)) -> f64 {
    let shift = ((a.0 - b.0) / 360.0).round() * 360.0;
    let mut s = 0.0;
    for k in -1..=1 {
        let off = shift + k as f64 * 360.0;
        let o = a.1.min(b.1 + off) - a.0.max(b.0 + off);
        if o > 0.0 {
            s += o;
        }
    }
    s.min(a.1 - a.0)
}

fn rect_rect(src: &Grid, dst: &Grid, ignore_degenerate: bool) -> Result<Weights, RegridError> {
    let slat: Vec<_> = src.lat_bounds().expect("bounds").iter().map(|&b| sin_band(b)).collect();
    let slon: Vec<_> = src.lon_bounds().expect("bounds").iter().map(|&b| lon_band(b)).collect();
    let dlat: Vec<_> = dst.lat_bounds().expect("bounds").iter().map(|&b| sin_band(b)).collect();
    let dlon: Vec<_> = dst.lon_bounds().expect("bounds").iter().map(|&b| lon_band(b)).collect();
    let degenerate = |g: &Grid, la: &[(f64, f64)], lo: &[(f64, f64)]| -> usize {
        let bad_y = la.iter().filter(|b| b.1 - b.0 <= 0.0).count();
        let bad_x = lo.iter().filter(|b| b.1 - b.0 <= 0.0).count();
        if bad_y + bad_x == 0 {
            return 0;
        }
        (0..g.ncells())
            .filter(|&i| {
                g.is_valid(i) && (la[i / lo.len()].1 <= la[i / lo.len()].0 || lo[i % lo.len()].1 <= lo[i % lo.len()].0)
            })
            .count()
    };
    if !ignore_degenerate {
        for (g, la, lo, which) in [(src, &slat, &slon, "source"), (dst, &dlat, &dlon, "target")] {
            let n = degenerate(g, la, lo);
            if n > 0 {
                return Err(RegridError::DegenerateCells { grid: which.into(), count: n });
            }
        }
    }
    // Latitude overlaps per destination row, as fractions of the destination row height.
    let lat_ov: Vec<Vec<(usize, f64)>> = dlat
        .par_iter()
        .map(|&(a0, a1)| {
            let h = a1 - a0;
            if h <= 0.0 {
                return Vec::new();
            }
            slat.iter()
                .enumerate()
                .filter_map(|(i, &(b0, b1))| {
                    let o = a1.min(b1) - a0.max(b0);
                    (o > 1e-12 * h).then_some((i, o / h))
                })
                .collect()
        })
        .collect();
    let lon_ov: Vec<Vec<(usize, f64)>> = dlon
        .par_iter()
        .map(|&a| {
            let w = a.1 - a.0;
            if w <= 0.0 {
                return Vec::new();
            }
            slon.iter()
                .enumerate()
                .filter_map(|(k, &b)| {
                    let o = lon_overlap(a, b);
                    (o > 1e-12 * w).then_some((k, o / w))
                })
                .collect()
        })
        .collect();
    let (nxs, nxd) = (src.nlon(), dst.nlon());
    let src_masked = src.mask().is_some();
    Ok(build_parallel(src.ncells(), dst.ncells(), 8192, |rows, out| {
        let mut e = Vec::with_capacity(16);
        for d in rows {
            e.clear();
            if dst.is_valid(d) {
                for &(i, fy) in &lat_ov[d / nxd] {
                    for &(k, fx) in &lon_ov[d % nxd] {
                        let s = i * nxs + k;
                        if !src_masked || src.is_valid(s) {
                            e.push((s as u32, fy * fx));
                        }
                    }
                }
            }
            out.push_row(&mut e);
        }
    }))
}

// ---------------------------------------------------------------------------------------------
// General case: spherical polygons with great-circle edges

/// Prepared cell polygons of a grid.
struct Polys {
    start: Vec<usize>,
    verts: Vec<V3>,
    shape: Vec<CellShape>,
    center: Vec<V3>,
    radius: Vec<f64>,
    area: Vec<f64>,
    bbox: Vec<BBox>,
}

/// Latitude/longitude bounding box of a cell polygon with great-circle edges (degrees);
/// `lon0 > lon1` never happens: `lon1` may exceed 180 for cells crossing the antimeridian.
#[derive(Clone, Copy, Debug)]
struct BBox {
    lat0: f64,
    lat1: f64,
    lon0: f64,
    lon1: f64,
    full_lon: bool,
}

fn bbox(poly: &[V3]) -> BBox {
    let n = poly.len();
    let (mut lat0, mut lat1) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut lo, mut hi, mut cur) = (0.0f64, 0.0f64, 0.0f64);
    let mut prev_lon: Option<f64> = None;
    let mut winding = 0.0;
    let mut first_lon = None;
    for i in 0..n {
        let a = poly[i];
        let b = poly[(i + 1) % n];
        let (la, xa) = sphere::latlon(a);
        lat0 = lat0.min(la);
        lat1 = lat1.max(la);
        // Extreme latitudes along the great-circle arc a→b.
        let nrm = sphere::normalize(sphere::cross(a, b));
        let top = sphere::normalize(sphere::sub([0.0, 0.0, 1.0], sphere::scale(nrm, nrm[2])));
        for p in [top, sphere::scale(top, -1.0)] {
            if sphere::dot(sphere::cross(a, p), nrm) >= 0.0 && sphere::dot(sphere::cross(p, b), nrm) >= 0.0 {
                let (lp, _) = sphere::latlon(p);
                lat0 = lat0.min(lp);
                lat1 = lat1.max(lp);
            }
        }
        if la.abs() > 90.0 - 1e-9 {
            continue; // a pole vertex has no longitude
        }
        match prev_lon {
            None => {
                first_lon = Some(xa);
                cur = xa;
                lo = xa;
                hi = xa;
            }
            Some(p) => {
                let d = crate::grid::dlon(p, xa);
                winding += d;
                cur += d;
                lo = lo.min(cur);
                hi = hi.max(cur);
            }
        }
        prev_lon = Some(xa);
    }
    if let (Some(p), Some(f)) = (prev_lon, first_lon) {
        winding += crate::grid::dlon(p, f);
    }
    let full_lon = winding.abs() > 180.0 || prev_lon.is_none() || hi - lo >= 180.0;
    if winding.abs() > 180.0 {
        // Encloses a pole.
        if winding > 0.0 {
            lat1 = 90.0;
        } else {
            lat0 = -90.0;
        }
    }
    let m = 1e-7;
    BBox { lat0: lat0 - m, lat1: lat1 + m, lon0: lo - m, lon1: hi + m, full_lon }
}

impl Polys {
    fn new(g: &Grid) -> Polys {
        let n = g.ncells();
        const CH: usize = 4096;
        let parts: Vec<Polys> = (0..n.div_ceil(CH))
            .into_par_iter()
            .map(|c| {
                let r = c * CH..((c + 1) * CH).min(n);
                let mut p = Polys {
                    start: Vec::with_capacity(r.len()),
                    verts: Vec::with_capacity(r.len() * 4),
                    shape: Vec::with_capacity(r.len()),
                    center: Vec::with_capacity(r.len()),
                    radius: Vec::with_capacity(r.len()),
                    area: Vec::with_capacity(r.len()),
                    bbox: Vec::with_capacity(r.len()),
                };
                let mut corners = Vec::new();
                let mut poly = Vec::new();
                for i in r {
                    g.cell_corners(i, &mut corners);
                    poly.clear();
                    poly.extend(corners.iter().map(|&(a, b)| sphere::xyz(a, b)));
                    let shape = sphere::prepare_polygon(&mut poly);
                    p.start.push(p.verts.len());
                    let (c, r, a) = if shape == CellShape::Degenerate {
                        poly.clear();
                        ([0.0; 3], 0.0, 0.0)
                    } else {
                        let c = sphere::normalize(poly.iter().fold([0.0; 3], |acc, &v| sphere::add(acc, v)));
                        let r = poly.iter().map(|&v| sphere::angle(c, v)).fold(0.0, f64::max) * (1.0 + 1e-9) + 1e-12;
                        (c, r, sphere::polygon_area_signed(&poly))
                    };
                    p.verts.extend_from_slice(&poly);
                    p.shape.push(shape);
                    p.center.push(c);
                    p.radius.push(r);
                    p.area.push(a);
                    p.bbox.push(if shape == CellShape::Degenerate {
                        BBox { lat0: 0.0, lat1: 0.0, lon0: 0.0, lon1: 0.0, full_lon: false }
                    } else {
                        bbox(&poly)
                    });
                }
                p
            })
            .collect();
        let mut out = Polys {
            start: Vec::with_capacity(n + 1),
            verts: Vec::new(),
            shape: Vec::with_capacity(n),
            center: Vec::with_capacity(n),
            radius: Vec::with_capacity(n),
            area: Vec::with_capacity(n),
            bbox: Vec::with_capacity(n),
        };
        for p in parts {
            let off = out.verts.len();
            out.start.extend(p.start.iter().map(|s| s + off));
            out.verts.extend_from_slice(&p.verts);
            out.shape.extend_from_slice(&p.shape);
            out.center.extend_from_slice(&p.center);
            out.radius.extend_from_slice(&p.radius);
            out.area.extend_from_slice(&p.area);
            out.bbox.extend_from_slice(&p.bbox);
        }
        out.start.push(out.verts.len());
        out
    }

    #[inline]
    fn poly(&self, i: usize) -> &[V3] {
        &self.verts[self.start[i]..self.start[i + 1]]
    }
}

/// Lat-lon bucket index of the bounding caps of the source cells.
struct Buckets {
    nlat: usize,
    nlon: usize,
    size: f64,
    ptr: Vec<usize>,
    ids: Vec<u32>,
}

impl Buckets {
    fn new(p: &Polys, usable: &[bool]) -> Buckets {
        let n = usable.iter().filter(|&&u| u).count().max(1);
        let nlat = ((n as f64 / 2.0).sqrt().round() as usize).clamp(1, 2048);
        let nlon = 2 * nlat;
        let size = 180.0 / nlat as f64;
        let mut b = Buckets { nlat, nlon, size, ptr: vec![0; nlat * nlon + 1], ids: Vec::new() };
        // Two passes: counts then fill.
        let mut counts = vec![0usize; nlat * nlon];
        for (i, _) in usable.iter().enumerate().filter(|x| *x.1) {
            visit(nlat, nlon, size, &p.bbox[i], |k| counts[k] += 1);
        }
        let mut acc = 0;
        for (p, c) in b.ptr.iter_mut().zip(&counts) {
            *p = acc;
            acc += c;
        }
        b.ptr[nlat * nlon] = acc;
        b.ids = vec![0; acc];
        let mut next: Vec<usize> = b.ptr[..nlat * nlon].to_vec();
        for (i, _) in usable.iter().enumerate().filter(|x| *x.1) {
            let ids = &mut b.ids;
            let (nl, nx, sz) = (b.nlat, b.nlon, b.size);
            visit(nl, nx, sz, &p.bbox[i], |k| {
                ids[next[k]] = i as u32;
                next[k] += 1;
            });
        }
        b
    }
}

/// Calls `f` for every bucket touched by the bounding box `b`.
fn visit(nlat: usize, nlon: usize, size: f64, b: &BBox, mut f: impl FnMut(usize)) {
    let j0 = (((b.lat0.max(-90.0) + 90.0) / size).floor().max(0.0) as usize).min(nlat - 1);
    let j1 = (((b.lat1.min(90.0) + 90.0) / size).floor().max(0.0) as usize).min(nlat - 1);
    let (k0, k1): (i64, i64) = if b.full_lon {
        (0, nlon as i64 - 1)
    } else {
        let a = ((b.lon0 + 180.0) / size).floor() as i64;
        let c = ((b.lon1 + 180.0) / size).floor() as i64;
        if c - a + 1 >= nlon as i64 {
            (0, nlon as i64 - 1)
        } else {
            (a, c)
        }
    };
    for j in j0..=j1 {
        for k in k0..=k1 {
            f(j * nlon + k.rem_euclid(nlon as i64) as usize);
        }
    }
}

fn polygons(src: &Grid, dst: &Grid, ignore_degenerate: bool) -> Result<Weights, RegridError> {
    let (sp, dp) = rayon::join(|| Polys::new(src), || Polys::new(dst));
    if !ignore_degenerate {
        for (g, p, which) in [(src, &sp, "source"), (dst, &dp, "target")] {
            let n = (0..g.ncells()).filter(|&i| g.is_valid(i) && p.shape[i] == CellShape::Degenerate).count();
            if n > 0 {
                return Err(RegridError::DegenerateCells { grid: which.into(), count: n });
            }
        }
    }
    let usable: Vec<bool> =
        (0..src.ncells()).map(|i| src.is_valid(i) && sp.shape[i] != CellShape::Degenerate).collect();
    let buckets = Buckets::new(&sp, &usable);
    let w = build_parallel(src.ncells(), dst.ncells(), 1024, |rows, out| {
        let mut e: Vec<(u32, f64)> = Vec::with_capacity(32);
        let mut cand: Vec<u32> = Vec::with_capacity(64);
        let mut planes = Vec::with_capacity(16);
        let mut splanes = Vec::with_capacity(16);
        let (mut clip, mut tmp) = (Vec::with_capacity(32), Vec::with_capacity(32));
        for d in rows {
            e.clear();
            let shape = dp.shape[d];
            if dst.is_valid(d) && shape != CellShape::Degenerate && dp.area[d] > 0.0 {
                let dpoly = dp.poly(d);
                let (cd, rd) = (dp.center[d], dp.radius[d]);
                cand.clear();
                visit(buckets.nlat, buckets.nlon, buckets.size, &dp.bbox[d], |k| {
                    cand.extend_from_slice(&buckets.ids[buckets.ptr[k]..buckets.ptr[k + 1]]);
                });
                cand.sort_unstable();
                cand.dedup();
                if shape == CellShape::Convex {
                    sphere::edge_planes(dpoly, &mut planes);
                }
                for &s in &cand {
                    let s = s as usize;
                    if sphere::angle(cd, sp.center[s]) > rd + sp.radius[s] {
                        continue;
                    }
                    let spoly = sp.poly(s);
                    if shape == CellShape::Convex {
                        sphere::clip_polygon(spoly, &planes, &mut clip, &mut tmp);
                    } else if sp.shape[s] == CellShape::Convex {
                        sphere::edge_planes(spoly, &mut splanes);
                        sphere::clip_polygon(dpoly, &splanes, &mut clip, &mut tmp);
                    } else {
                        continue;
                    }
                    let a = sphere::polygon_area_signed(&clip);
                    if a > 1e-11 * dp.area[d] {
                        e.push((s as u32, a / dp.area[d]));
                    }
                }
            }
            out.push_row(&mut e);
        }
    });
    Ok(w)
}
