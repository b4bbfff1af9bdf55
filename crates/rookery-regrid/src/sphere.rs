//! Unit-sphere geometry: 3-D unit vectors, great-circle distances, spherical polygon areas and
//! clipping of convex spherical polygons against great-circle half-spaces.

/// A point (or vector) in 3-D.
pub(crate) type V3 = [f64; 3];

/// Unit vector of (lat, lon) in degrees.
#[inline]
pub(crate) fn xyz(lat_deg: f64, lon_deg: f64) -> V3 {
    let (sla, cla) = lat_deg.to_radians().sin_cos();
    let (slo, clo) = lon_deg.to_radians().sin_cos();
    [cla * clo, cla * slo, sla]
}

/// (lat, lon) in degrees of a (not necessarily unit) vector; lon in (-180, 180].
#[inline]
pub(crate) fn latlon(v: V3) -> (f64, f64) {
    let h = (v[0] * v[0] + v[1] * v[1]).sqrt();
    (v[2].atan2(h).to_degrees(), v[1].atan2(v[0]).to_degrees())
}

#[inline]
pub(crate) fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[inline]
pub(crate) fn cross(a: V3, b: V3) -> V3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

#[inline]
pub(crate) fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[inline]
pub(crate) fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

#[inline]
pub(crate) fn scale(a: V3, s: f64) -> V3 {
    [a[0] * s, a[1] * s, a[2] * s]
}

#[inline]
pub(crate) fn norm(a: V3) -> f64 {
    dot(a, a).sqrt()
}

/// `a / |a|`; the zero vector stays zero.
#[inline]
pub(crate) fn normalize(a: V3) -> V3 {
    let n = norm(a);
    if n > 0.0 {
        scale(a, 1.0 / n)
    } else {
        a
    }
}

/// Great-circle angle between two unit vectors (radians), accurate for small angles.
#[inline]
pub(crate) fn angle(a: V3, b: V3) -> f64 {
    norm(cross(a, b)).atan2(dot(a, b))
}

/// Signed area (steradians) of the spherical triangle a, b, c (positive when counter-clockwise
/// seen from outside), by the Van Oosterom–Strackee formula.
#[inline]
pub(crate) fn tri_area_signed(a: V3, b: V3, c: V3) -> f64 {
    // Triple product computed on differences for accuracy with small triangles.
    let det = dot(a, cross(sub(b, a), sub(c, a)));
    let den = 1.0 + dot(a, b) + dot(b, c) + dot(c, a);
    2.0 * det.atan2(den)
}

/// Signed area of a spherical polygon with great-circle edges (fan from the first vertex; exact
/// for convex polygons and for star-shaped ones seen from vertex 0).
pub(crate) fn polygon_area_signed(p: &[V3]) -> f64 {
    if p.len() < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    for i in 1..p.len() - 1 {
        s += tri_area_signed(p[0], p[i], p[i + 1]);
    }
    s
}

/// Clips the polygon `subject` (any orientation-consistent polygon) against the convex,
/// counter-clockwise polygon given by its edge plane normals `planes` (unit normals `a × b` of its
/// edges, pointing inside). The result is written to `out`; `tmp` is scratch space.
pub(crate) fn clip_polygon(subject: &[V3], planes: &[V3], out: &mut Vec<V3>, tmp: &mut Vec<V3>) {
    out.clear();
    out.extend_from_slice(subject);
    const EPS: f64 = 1e-15;
    for &n in planes {
        if out.len() < 3 {
            out.clear();
            return;
        }
        std::mem::swap(out, tmp);
        out.clear();
        let m = tmp.len();
        let mut prev = tmp[m - 1];
        let mut dprev = dot(n, prev);
        for &cur in tmp.iter() {
            let dcur = dot(n, cur);
            let cin = dcur >= -EPS;
            let pin = dprev >= -EPS;
            if cin {
                if !pin {
                    out.push(intersect(prev, cur, dprev, dcur));
                }
                out.push(cur);
            } else if pin {
                out.push(intersect(prev, cur, dprev, dcur));
            }
            prev = cur;
            dprev = dcur;
        }
    }
    if out.len() < 3 {
        out.clear();
    }
}

/// Point where the great-circle arc p→q crosses the plane with signed distances dp, dq.
#[inline]
fn intersect(p: V3, q: V3, dp: f64, dq: f64) -> V3 {
    let den = dp - dq;
    let t = if den != 0.0 { (dp / den).clamp(0.0, 1.0) } else { 0.5 };
    normalize(add(p, scale(sub(q, p), t)))
}

/// Result of preparing a cell polygon for clipping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellShape {
    /// Convex, counter-clockwise, at least 3 distinct vertices.
    Convex,
    /// Non-convex (or self-intersecting) but with a usable area; usable only as a clip subject.
    Concave,
    /// Fewer than 3 distinct vertices or zero area.
    Degenerate,
}

/// Removes repeated vertices (also first == last), orients counter-clockwise and classifies the
/// polygon. Vertices must be unit vectors.
pub(crate) fn prepare_polygon(p: &mut Vec<V3>) -> CellShape {
    const SAME: f64 = 1e-12;
    let mut k = 0;
    for i in 0..p.len() {
        let v = p[i];
        if !(v[0].is_finite() && v[1].is_finite() && v[2].is_finite()) {
            p.clear();
            return CellShape::Degenerate;
        }
        if k > 0 && norm(sub(v, p[k - 1])) < SAME {
            continue;
        }
        p[k] = v;
        k += 1;
    }
    p.truncate(k);
    while p.len() > 1 && norm(sub(p[0], p[p.len() - 1])) < SAME {
        p.pop();
    }
    if p.len() < 3 {
        return CellShape::Degenerate;
    }
    let a = polygon_area_signed(p);
    if a.abs() < 1e-20 || !a.is_finite() {
        return CellShape::Degenerate;
    }
    if a < 0.0 {
        p.reverse();
    }
    // Convexity: every consecutive triple turns left.
    let n = p.len();
    let mut convex = true;
    for i in 0..n {
        let a = p[i];
        let b = p[(i + 1) % n];
        let c = p[(i + 2) % n];
        let t = dot(cross(sub(b, a), sub(c, b)), b);
        let scale_ = norm(sub(b, a)) * norm(sub(c, b));
        if t < -1e-10 * scale_ {
            convex = false;
            break;
        }
        // Edges must be shorter than half a great circle.
        if dot(a, b) < -0.9 {
            return CellShape::Degenerate;
        }
    }
    if convex {
        CellShape::Convex
    } else {
        CellShape::Concave
    }
}

/// Inward unit normals of the edges of a convex counter-clockwise polygon.
pub(crate) fn edge_planes(p: &[V3], out: &mut Vec<V3>) {
    out.clear();
    let n = p.len();
    for i in 0..n {
        out.push(normalize(cross(p[i], p[(i + 1) % n])));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octant_area() {
        let p = vec![xyz(0.0, 0.0), xyz(0.0, 90.0), xyz(90.0, 0.0)];
        let a = polygon_area_signed(&p);
        assert!((a - std::f64::consts::PI / 2.0).abs() < 1e-12);
    }

    #[test]
    fn clip_square() {
        let mut a = vec![xyz(0.0, 0.0), xyz(0.0, 10.0), xyz(10.0, 10.0), xyz(10.0, 0.0)];
        let mut b = vec![xyz(5.0, 5.0), xyz(5.0, 15.0), xyz(15.0, 15.0), xyz(15.0, 5.0)];
        assert_eq!(prepare_polygon(&mut a), CellShape::Convex);
        assert_eq!(prepare_polygon(&mut b), CellShape::Convex);
        let mut planes = vec![];
        edge_planes(&b, &mut planes);
        let (mut out, mut tmp) = (vec![], vec![]);
        clip_polygon(&a, &planes, &mut out, &mut tmp);
        let area = polygon_area_signed(&out);
        let full = polygon_area_signed(&a);
        assert!(area > 0.2 * full && area < 0.3 * full, "{area} {full}");
    }
}
