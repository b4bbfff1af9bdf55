//! Exact spherical areas of polygon ∩ grid-cell pieces.
//!
//! A polygon given in longitude/latitude degrees (EPSG:4326, straight edges in that plane, as
//! shapely and geopandas see it) is cut by each grid cell with Sutherland–Hodgman clipping
//! (each ring on its own: the signed area of a clipped ring is exact even for concave rings,
//! the spurious edges along the cell border cancel), and the area on the unit sphere of each
//! piece is integrated in closed form by Green's theorem,
//! `A = −∮ sin φ dλ`, which for a straight edge in the (λ, φ) plane is
//! `Δλ · sin φ̄ · sinc(Δφ/2)`. A whole latitude-longitude cell gets exactly
//! `Δλ·(sin φ₂ − sin φ₁)`; holes are rings of opposite orientation; pieces of every cell add
//! up to the polygon's area. Rectilinear grids are cut column by column, then row by row, so
//! the work is about (vertices × columns + strip vertices × rows) per polygon.
//!
//! Longitude frames: rings are unwrapped (no edge longer than 180° in longitude, so a polygon
//! crossing the antimeridian becomes e.g. 170..190), and each grid column is tried at its
//! longitude ±360°, ±720°: data on 0..360 and polygons on −180..180 (or the reverse) meet.

use crate::OpError;
use std::collections::BTreeMap;

/// A ring of (longitude, latitude) in degrees, not closed (the last point is not the first).
pub type Ring = Vec<(f64, f64)>;

/// A polygon with holes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Polygon {
    /// Outer ring.
    pub exterior: Ring,
    /// Holes.
    pub holes: Vec<Ring>,
}

/// A (multi)polygon: the union of its parts (assumed not to overlap).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shape {
    /// Parts.
    pub parts: Vec<Polygon>,
}

/// Removes a closing point equal to the first, and consecutive duplicates.
#[must_use]
pub fn open_ring(mut r: Ring) -> Ring {
    r.dedup();
    while r.len() > 1 && r.first() == r.last() {
        r.pop();
    }
    r
}

fn sinc(h: f64) -> f64 {
    if h.abs() < 1e-8 {
        1.0 - h * h / 6.0
    } else {
        h.sin() / h
    }
}

/// Signed area on the unit sphere of the region bounded by `r` (straight edges in the
/// lon/lat plane); positive for counter-clockwise rings (longitude east, latitude north).
#[must_use]
pub fn signed_area(r: &[(f64, f64)]) -> f64 {
    let n = r.len();
    if n < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    for k in 0..n {
        let (x1, y1) = r[k];
        let (x2, y2) = r[(k + 1) % n];
        let (p1, p2) = (y1.to_radians(), y2.to_radians());
        let m = 0.5 * (p1 + p2);
        let h = 0.5 * (p2 - p1);
        s += (x2 - x1).to_radians() * m.sin() * sinc(h);
    }
    -s
}

/// Planar signed area (shoelace) in degrees².
#[must_use]
pub fn planar_area(r: &[(f64, f64)]) -> f64 {
    let n = r.len();
    let mut s = 0.0;
    for k in 0..n {
        let (x1, y1) = r[k];
        let (x2, y2) = r[(k + 1) % n];
        s += x1 * y2 - x2 * y1;
    }
    0.5 * s
}

/// Clips `r` to the half-plane `coord(axis) >= v` (`ge`) or `<= v`.
fn clip_half(r: &[(f64, f64)], axis: usize, v: f64, ge: bool) -> Ring {
    let n = r.len();
    let mut out = Vec::with_capacity(n + 4);
    if n == 0 {
        return out;
    }
    let c = |p: &(f64, f64)| if axis == 0 { p.0 } else { p.1 };
    let inside = |p: &(f64, f64)| if ge { c(p) >= v } else { c(p) <= v };
    let cut = |a: &(f64, f64), b: &(f64, f64)| {
        let t = (v - c(a)) / (c(b) - c(a));
        if axis == 0 {
            (v, a.1 + t * (b.1 - a.1))
        } else {
            (a.0 + t * (b.0 - a.0), v)
        }
    };
    for k in 0..n {
        let cur = &r[k];
        let prev = &r[(k + n - 1) % n];
        match (inside(prev), inside(cur)) {
            (true, true) => out.push(*cur),
            (true, false) => out.push(cut(prev, cur)),
            (false, true) => {
                out.push(cut(prev, cur));
                out.push(*cur);
            }
            (false, false) => {}
        }
    }
    out
}

/// Clips `r` to `lo <= coord(axis) <= hi`.
#[must_use]
pub fn clip_band(r: &[(f64, f64)], axis: usize, lo: f64, hi: f64) -> Ring {
    let a = clip_half(r, axis, lo, true);
    clip_half(&a, axis, hi, false)
}

/// Clips `r` to the convex polygon `clip` (counter-clockwise in the plane).
#[must_use]
pub fn clip_convex(r: &[(f64, f64)], clip: &[(f64, f64)]) -> Ring {
    let mut out: Ring = r.to_vec();
    let n = clip.len();
    for k in 0..n {
        if out.is_empty() {
            break;
        }
        let a = clip[k];
        let b = clip[(k + 1) % n];
        let side = |p: &(f64, f64)| (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
        let m = out.len();
        let mut next = Vec::with_capacity(m + 2);
        for i in 0..m {
            let cur = out[i];
            let prev = out[(i + m - 1) % m];
            let (sp, sc) = (side(&prev), side(&cur));
            let cross = |p: (f64, f64), q: (f64, f64), sp: f64, sq: f64| {
                let t = sp / (sp - sq);
                (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1))
            };
            match (sp >= 0.0, sc >= 0.0) {
                (true, true) => next.push(cur),
                (true, false) => next.push(cross(prev, cur, sp, sc)),
                (false, true) => {
                    next.push(cross(prev, cur, sp, sc));
                    next.push(cur);
                }
                (false, false) => {}
            }
        }
        out = next;
    }
    out
}

fn unwrap(r: &mut Ring) {
    for k in 1..r.len() {
        let prev = r[k - 1].0;
        while r[k].0 - prev > 180.0 {
            r[k].0 -= 360.0;
        }
        while r[k].0 - prev < -180.0 {
            r[k].0 += 360.0;
        }
    }
}

fn mean_lon(r: &[(f64, f64)]) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = r.len().max(1) as f64;
    r.iter().map(|p| p.0).sum::<f64>() / n
}

/// Prepares a shape for area integration: opens rings, unwraps longitudes, moves holes next
/// to their exterior, orients exteriors counter-clockwise and holes clockwise.
///
/// # Errors
/// A ring with fewer than 3 points, non-finite coordinates, latitudes outside ±90, or a ring
/// that goes around a pole.
pub fn normalize(shape: &Shape, index: usize) -> Result<Shape, OpError> {
    let bad = |what: &str| OpError::Invalid(format!("polygon {index} of the shape file: {what}"));
    let mut parts = Vec::new();
    for p in &shape.parts {
        let mut rings: Vec<Ring> = std::iter::once(&p.exterior).chain(&p.holes).map(|r| open_ring(r.clone())).collect();
        for r in &mut rings {
            if r.iter().any(|q| !q.0.is_finite() || !q.1.is_finite()) {
                return Err(bad("a coordinate is not a finite number"));
            }
            if r.iter().any(|q| q.1.abs() > 90.0 + 1e-9) {
                return Err(bad(
                    "a latitude lies outside -90..90 (are the coordinates projected, or in latitude/longitude order?)",
                ));
            }
            unwrap(r);
            if let (Some(a), Some(b)) = (r.first(), r.last()) {
                if (a.0 - b.0).abs() > 180.0 {
                    return Err(bad("a ring goes around a pole, which cannot be averaged over; split it at the antimeridian into parts that do not"));
                }
            }
        }
        if rings[0].len() < 3 {
            if rings[0].is_empty() {
                continue;
            }
            return Err(bad("a ring has fewer than 3 distinct points"));
        }
        let ext_mean = mean_lon(&rings[0]);
        for (k, r) in rings.iter_mut().enumerate() {
            if k > 0 {
                let shift = ((ext_mean - mean_lon(r)) / 360.0).round() * 360.0;
                for q in r.iter_mut() {
                    q.0 += shift;
                }
            }
            let a = planar_area(r);
            if (k == 0 && a < 0.0) || (k > 0 && a > 0.0) {
                r.reverse();
            }
        }
        let mut it = rings.into_iter();
        let exterior = it.next().unwrap_or_default();
        parts.push(Polygon { exterior, holes: it.filter(|r| r.len() >= 3).collect() });
    }
    Ok(Shape { parts })
}

fn bbox(r: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    r.iter().fold((f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY), |(a, b, c, d), p| {
        (a.min(p.0), b.min(p.1), c.max(p.0), d.max(p.1))
    })
}

/// A rectilinear grid by cell edges: (low, high) per column in longitude and per row in
/// latitude (each pair ascending).
#[derive(Clone, Debug)]
pub struct RectGrid {
    /// Longitude edges of each column.
    pub cols: Vec<(f64, f64)>,
    /// Latitude edges of each row.
    pub rows: Vec<(f64, f64)>,
}

impl RectGrid {
    /// Edges from bounds (`[n][2]`) or, without bounds, halfway between centres (ends
    /// extrapolated; latitudes clamped to ±90).
    #[must_use]
    pub fn edges(centres: &[f64], bounds: Option<&[[f64; 2]]>, lat: bool) -> Vec<(f64, f64)> {
        let n = centres.len();
        let mut out: Vec<(f64, f64)> = match bounds {
            Some(b) if b.len() == n => b.iter().map(|p| (p[0].min(p[1]), p[0].max(p[1]))).collect(),
            _ => (0..n)
                .map(|k| {
                    let c = centres[k];
                    let lo = if k > 0 {
                        0.5 * (centres[k - 1] + c)
                    } else if n > 1 {
                        c - 0.5 * (centres[1] - c)
                    } else {
                        c - 0.5
                    };
                    let hi = if k + 1 < n {
                        0.5 * (centres[k + 1] + c)
                    } else if n > 1 {
                        c + 0.5 * (c - centres[n - 2])
                    } else {
                        c + 0.5
                    };
                    (lo.min(hi), lo.max(hi))
                })
                .collect(),
        };
        if lat {
            for e in &mut out {
                e.0 = e.0.clamp(-90.0, 90.0);
                e.1 = e.1.clamp(-90.0, 90.0);
            }
        }
        out
    }
}

/// Area of the overlap of `shape` (normalised) with each cell of `grid`: (row, column) →
/// area on the unit sphere (only cells with a positive overlap).
#[must_use]
pub fn rect_overlaps(shape: &Shape, grid: &RectGrid) -> BTreeMap<(usize, usize), f64> {
    let mut out: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for p in &shape.parts {
        let (x0, y0, x1, y1) = bbox(&p.exterior);
        let rings: Vec<&Ring> = std::iter::once(&p.exterior).chain(&p.holes).collect();
        for (i, &(a0, b0)) in grid.cols.iter().enumerate() {
            for k in -2i32..=2 {
                let (a, b) = (a0 + 360.0 * f64::from(k), b0 + 360.0 * f64::from(k));
                if b <= x0 || a >= x1 || b <= a {
                    continue;
                }
                let strips: Vec<Ring> = rings.iter().map(|r| clip_band(r, 0, a, b)).collect();
                if strips[0].len() < 3 {
                    continue;
                }
                let (_, sy0, _, sy1) = bbox(&strips[0]);
                for (j, &(c, d)) in grid.rows.iter().enumerate() {
                    if d <= sy0.max(y0) || c >= sy1.min(y1) || d <= c {
                        continue;
                    }
                    let area: f64 =
                        strips.iter().filter(|s| s.len() >= 3).map(|s| signed_area(&clip_band(s, 1, c, d))).sum();
                    if area > 0.0 {
                        *out.entry((j, i)).or_insert(0.0) += area;
                    }
                }
            }
        }
    }
    out.retain(|_, a| *a > 1e-15);
    out
}

/// Area of the overlap of `shape` (normalised) with each cell given by its vertices
/// (curvilinear or unstructured grids): cell index → area on the unit sphere.
#[must_use]
pub fn cell_overlaps(shape: &Shape, cells: &[Ring]) -> BTreeMap<usize, f64> {
    let mut out: BTreeMap<usize, f64> = BTreeMap::new();
    for p in &shape.parts {
        let (x0, y0, x1, y1) = bbox(&p.exterior);
        let rings: Vec<&Ring> = std::iter::once(&p.exterior).chain(&p.holes).collect();
        for (c, cell) in cells.iter().enumerate() {
            if cell.len() < 3 {
                continue;
            }
            let (cx0, cy0, cx1, cy1) = bbox(cell);
            if cy1 <= y0 || cy0 >= y1 {
                continue;
            }
            for k in -2i32..=2 {
                let s = 360.0 * f64::from(k);
                if cx1 + s <= x0 || cx0 + s >= x1 {
                    continue;
                }
                let clip: Ring = cell.iter().map(|q| (q.0 + s, q.1)).collect();
                let area: f64 = rings.iter().map(|r| signed_area(&clip_convex(r, &clip))).sum();
                if area > 0.0 {
                    *out.entry(c).or_insert(0.0) += area;
                }
            }
        }
    }
    out.retain(|_, a| *a > 1e-15);
    out
}

/// A cell ring from its vertices: finite points, longitudes unwrapped around the first,
/// counter-clockwise.
#[must_use]
pub fn cell_ring(vertices: &[(f64, f64)]) -> Ring {
    let mut r: Ring = vertices.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
    r = open_ring(r);
    unwrap(&mut r);
    if planar_area(&r) < 0.0 {
        r.reverse();
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sq(x0: f64, y0: f64, x1: f64, y1: f64) -> Ring {
        vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    }

    #[test]
    fn cell_area_is_exact() {
        let a = signed_area(&sq(10.0, 20.0, 11.0, 21.0));
        let exact = 1f64.to_radians() * (21f64.to_radians().sin() - 20f64.to_radians().sin());
        assert!((a - exact).abs() < 1e-15);
        // Clockwise → negative.
        let mut r = sq(10.0, 20.0, 11.0, 21.0);
        r.reverse();
        assert!((signed_area(&r) + exact).abs() < 1e-15);
    }

    #[test]
    fn whole_and_half_cells_and_holes() {
        // 1° grid over 0..4 x 0..4; polygon covers x 0.5..3, y 1..3 with a hole 1..2 x 1..2.
        let grid = RectGrid {
            cols: (0..4).map(|i| (f64::from(i), f64::from(i + 1))).collect(),
            rows: (0..4).map(|j| (f64::from(j), f64::from(j + 1))).collect(),
        };
        let shape =
            Shape { parts: vec![Polygon { exterior: sq(0.5, 1.0, 3.0, 3.0), holes: vec![sq(1.0, 1.0, 2.0, 2.0)] }] };
        let s = normalize(&shape, 0).unwrap();
        let ov = rect_overlaps(&s, &grid);
        let cell = |j: usize| signed_area(&sq(0.0, j as f64, 1.0, j as f64 + 1.0));
        assert!((ov[&(1, 0)] - 0.5 * cell(1)).abs() < 1e-15);
        assert!(!ov.contains_key(&(1, 1)));
        assert!((ov[&(2, 2)] - cell(2)).abs() < 1e-15);
        assert!(!ov.contains_key(&(0, 0)));
        let total: f64 = ov.values().sum();
        let expect = signed_area(&sq(0.5, 1.0, 3.0, 3.0)) - signed_area(&sq(1.0, 1.0, 2.0, 2.0));
        assert!((total - expect).abs() < 1e-14);
    }

    #[test]
    fn frames_and_antimeridian() {
        // Grid on 0..360, polygon crossing 0° given in -180..180 and one crossing 180°.
        let grid = RectGrid {
            cols: (0..360).map(|i| (f64::from(i), f64::from(i + 1))).collect(),
            rows: (0..180).map(|j| (f64::from(j) - 90.0, f64::from(j) - 89.0)).collect(),
        };
        let p = Shape { parts: vec![Polygon { exterior: sq(-10.0, 0.0, 10.0, 10.0), holes: vec![] }] };
        let ov = rect_overlaps(&normalize(&p, 0).unwrap(), &grid);
        let total: f64 = ov.values().sum();
        assert!((total - signed_area(&sq(-10.0, 0.0, 10.0, 10.0))).abs() < 1e-13);
        assert!(ov.keys().any(|&(_, i)| i == 355) && ov.keys().any(|&(_, i)| i == 5));
        let q = Shape {
            parts: vec![Polygon {
                exterior: vec![(170.0, 0.0), (-170.0, 0.0), (-170.0, 10.0), (170.0, 10.0)],
                holes: vec![],
            }],
        };
        let ov = rect_overlaps(&normalize(&q, 0).unwrap(), &grid);
        let total: f64 = ov.values().sum();
        assert!((total - signed_area(&sq(170.0, 0.0, 190.0, 10.0))).abs() < 1e-13);
    }

    #[test]
    fn convex_cells_match_rect() {
        let shape = normalize(
            &Shape { parts: vec![Polygon { exterior: vec![(0.3, 0.2), (2.7, 0.9), (1.4, 2.6)], holes: vec![] }] },
            0,
        )
        .unwrap();
        let grid = RectGrid {
            cols: (0..3).map(|i| (f64::from(i), f64::from(i + 1))).collect(),
            rows: (0..3).map(|j| (f64::from(j), f64::from(j + 1))).collect(),
        };
        let a = rect_overlaps(&shape, &grid);
        let cells: Vec<Ring> = (0..3)
            .flat_map(|j| {
                (0..3).map(move |i| cell_ring(&sq(f64::from(i), f64::from(j), f64::from(i + 1), f64::from(j + 1))))
            })
            .collect();
        let b = cell_overlaps(&shape, &cells);
        for ((j, i), v) in &a {
            assert!((b[&(j * 3 + i)] - v).abs() < 1e-15);
        }
        assert!(normalize(
            &Shape { parts: vec![Polygon { exterior: vec![(0.0, 95.0), (1.0, 0.0), (2.0, 0.0)], holes: vec![] }] },
            3
        )
        .is_err());
    }
}
