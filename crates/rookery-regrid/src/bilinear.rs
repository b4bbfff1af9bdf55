//! ESMF-style bilinear weights.
//!
//! * Rectilinear source: separable bilinear interpolation in (lon, lat) coordinate space between
//!   the four surrounding centres, periodic in longitude when the source is global; destinations
//!   outside the source extent (e.g. polar caps beyond the outermost latitude rows) are unmapped.
//! * Curvilinear source: the source quad (four neighbouring centres) containing the destination
//!   is found with a k-d tree and the bilinear map is inverted (Newton) in the gnomonic tangent
//!   plane at the destination point, where great-circle quad edges are straight lines.
//!
//! A destination whose surrounding source quad has a masked (or missing) corner is unmapped.

use crate::grid::{Grid, GridKind};
use crate::nearest::source_tree;
use crate::sphere::{self, V3};
use crate::weights::{build_parallel, Weights};
use crate::RegridError;

const EPS: f64 = 1e-9;

/// A 1-D latitude axis sorted ascending, with the original indices.
struct LatAxis {
    v: Vec<f64>,
    idx: Vec<usize>,
}

impl LatAxis {
    fn new(lat: &[f64]) -> LatAxis {
        let mut p: Vec<(f64, usize)> = lat.iter().copied().zip(0..).collect();
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        LatAxis { v: p.iter().map(|x| x.0).collect(), idx: p.iter().map(|x| x.1).collect() }
    }

    /// `(i0, i1, t)`: value = (1-t) v[i0] + t v[i1].
    fn find(&self, y: f64) -> Option<(usize, usize, f64)> {
        let n = self.v.len();
        if !y.is_finite() || y < self.v[0] - EPS || y > self.v[n - 1] + EPS {
            return None;
        }
        if n == 1 {
            return Some((self.idx[0], self.idx[0], 0.0));
        }
        let p = self.v.partition_point(|&a| a <= y).clamp(1, n - 1);
        let (a, b) = (self.v[p - 1], self.v[p]);
        let t = if b > a { ((y - a) / (b - a)).clamp(0.0, 1.0) } else { 0.0 };
        Some((self.idx[p - 1], self.idx[p], t))
    }
}

/// A 1-D longitude axis unwrapped into an ascending sequence starting after its largest gap.
struct LonAxis {
    u: Vec<f64>,
    idx: Vec<usize>,
    start: f64,
    periodic: bool,
}

impl LonAxis {
    fn new(lon: &[f64], periodic: bool) -> LonAxis {
        let mut m: Vec<(f64, usize)> = lon.iter().map(|&x| x.rem_euclid(360.0)).zip(0..).collect();
        m.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = m.len();
        // Largest circular gap: the domain starts just after it.
        let mut best = (m[0].0 + 360.0 - m[n - 1].0, 0usize);
        for i in 1..n {
            let g = m[i].0 - m[i - 1].0;
            if g > best.0 {
                best = (g, i);
            }
        }
        let start = m[best.1].0;
        let mut p: Vec<(f64, usize)> = m.iter().map(|&(x, i)| (start + (x - start).rem_euclid(360.0), i)).collect();
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        LonAxis { u: p.iter().map(|x| x.0).collect(), idx: p.iter().map(|x| x.1).collect(), start, periodic }
    }

    fn find(&self, x: f64) -> Option<(usize, usize, f64)> {
        if !x.is_finite() {
            return None;
        }
        let n = self.u.len();
        let mut ux = self.start + (x - self.start).rem_euclid(360.0);
        let (first, last) = (self.u[0], self.u[n - 1]);
        if ux > last + EPS && ux - 360.0 >= first - EPS {
            ux = (ux - 360.0).max(first);
        }
        if ux <= last + EPS {
            if n == 1 {
                return Some((self.idx[0], self.idx[0], 0.0));
            }
            let p = self.u.partition_point(|&a| a <= ux).clamp(1, n - 1);
            let (a, b) = (self.u[p - 1], self.u[p]);
            let t = if b > a { ((ux - a) / (b - a)).clamp(0.0, 1.0) } else { 0.0 };
            return Some((self.idx[p - 1], self.idx[p], t));
        }
        if self.periodic {
            let w = first + 360.0 - last;
            let t = if w > 0.0 { ((ux - last) / w).clamp(0.0, 1.0) } else { 0.0 };
            return Some((self.idx[n - 1], self.idx[0], t));
        }
        None
    }
}

pub(crate) fn weights(src: &Grid, dst: &Grid, periodic: bool) -> Result<Weights, RegridError> {
    match src.kind() {
        GridKind::Rectilinear => Ok(rectilinear(src, dst, periodic)),
        GridKind::Curvilinear => Ok(curvilinear(src, dst, periodic)),
        GridKind::Unstructured => Err(RegridError::Unsupported(
            "bilinear regridding needs a structured (rectilinear or curvilinear) source grid; use nearest_s2d or conservative for unstructured sources".into(),
        )),
    }
}

fn push_masked(src: &Grid, corners: &[(usize, f64)], e: &mut Vec<(u32, f64)>) {
    for &(s, w) in corners {
        if w > 1e-12 && !src.is_valid(s) {
            e.clear();
            return;
        }
        if w > 1e-15 {
            e.push((s as u32, w));
        }
    }
}

fn rectilinear(src: &Grid, dst: &Grid, periodic: bool) -> Weights {
    let la = LatAxis::new(src.lat());
    let lo = LonAxis::new(src.lon(), periodic);
    let nxs = src.nlon();
    let rect_dst = dst.kind() == GridKind::Rectilinear;
    let (yf, xf): (Vec<_>, Vec<_>) = if rect_dst {
        (dst.lat().iter().map(|&y| la.find(y)).collect(), dst.lon().iter().map(|&x| lo.find(x)).collect())
    } else {
        (Vec::new(), Vec::new())
    };
    let nxd = dst.nlon();
    build_parallel(src.ncells(), dst.ncells(), 16384, |rows, out| {
        let mut e = Vec::with_capacity(4);
        for d in rows {
            e.clear();
            if dst.is_valid(d) {
                let (fy, fx) = if rect_dst {
                    (yf[d / nxd], xf[d % nxd])
                } else {
                    let (y, x) = dst.center(d);
                    (la.find(y), lo.find(x))
                };
                if let (Some((j0, j1, t)), Some((k0, k1, u))) = (fy, fx) {
                    let c = [
                        (j0 * nxs + k0, (1.0 - t) * (1.0 - u)),
                        (j0 * nxs + k1, (1.0 - t) * u),
                        (j1 * nxs + k1, t * u),
                        (j1 * nxs + k0, t * (1.0 - u)),
                    ];
                    push_masked(src, &c, &mut e);
                }
            }
            out.push_row(&mut e);
        }
    })
}

/// Tangent-plane basis at unit vector `p`.
fn basis(p: V3) -> (V3, V3) {
    let a = if p[2].abs() < 0.9 { [0.0, 0.0, 1.0] } else { [1.0, 0.0, 0.0] };
    let e1 = sphere::normalize(sphere::cross(a, p));
    let e2 = sphere::cross(p, e1);
    (e1, e2)
}

/// Inverse bilinear map of the quad (a, b, c, d) at point `p` (gnomonic projection at p):
/// returns `(s, t)` in [0,1]² when p lies inside.
fn invert(p: V3, q: [V3; 4]) -> Option<(f64, f64)> {
    let (e1, e2) = basis(p);
    let mut v = [[0.0f64; 2]; 4];
    for (i, x) in q.iter().enumerate() {
        let h = sphere::dot(*x, p);
        if h.is_nan() || h <= 1e-6 {
            return None;
        }
        v[i] = [sphere::dot(*x, e1) / h, sphere::dot(*x, e2) / h];
    }
    let [a, b, c, d] = v;
    let ab = [b[0] - a[0], b[1] - a[1]];
    let ad = [d[0] - a[0], d[1] - a[1]];
    let k = [a[0] - b[0] + c[0] - d[0], a[1] - b[1] + c[1] - d[1]];
    // Quick reject: the origin must be inside the quad polygon (same side of all edges).
    let mut pos = 0;
    let mut neg = 0;
    for i in 0..4 {
        let (u, w) = (v[i], v[(i + 1) % 4]);
        let cr = u[0] * w[1] - u[1] * w[0];
        let len = ((w[0] - u[0]).powi(2) + (w[1] - u[1]).powi(2)).sqrt();
        if cr > 1e-12 * len {
            pos += 1;
        } else if cr < -1e-12 * len {
            neg += 1;
        }
    }
    if pos > 0 && neg > 0 {
        return None;
    }
    let (mut s, mut t) = (0.5, 0.5);
    for _ in 0..40 {
        let fx = a[0] + s * ab[0] + t * ad[0] + s * t * k[0];
        let fy = a[1] + s * ab[1] + t * ad[1] + s * t * k[1];
        let j00 = ab[0] + t * k[0];
        let j01 = ad[0] + s * k[0];
        let j10 = ab[1] + t * k[1];
        let j11 = ad[1] + s * k[1];
        let det = j00 * j11 - j01 * j10;
        if det.abs() < 1e-300 || !det.is_finite() {
            return None;
        }
        let ds = (fx * j11 - fy * j01) / det;
        let dt = (fy * j00 - fx * j10) / det;
        s -= ds;
        t -= dt;
        if ds.abs() < 1e-14 && dt.abs() < 1e-14 {
            break;
        }
    }
    let tol = 1e-7;
    if s.is_finite() && t.is_finite() && s >= -tol && s <= 1.0 + tol && t >= -tol && t <= 1.0 + tol {
        Some((s.clamp(0.0, 1.0), t.clamp(0.0, 1.0)))
    } else {
        None
    }
}

fn curvilinear(src: &Grid, dst: &Grid, periodic: bool) -> Weights {
    let (ny, nx) = (src.nlat(), src.nlon());
    let tree = source_tree(src, false);
    let quad = |j: usize, k: usize| -> Option<[usize; 4]> {
        if j + 1 >= ny {
            return None;
        }
        let k1 = if k + 1 < nx {
            k + 1
        } else if periodic && nx > 2 {
            0
        } else {
            return None;
        };
        Some([j * nx + k, j * nx + k1, (j + 1) * nx + k1, (j + 1) * nx + k])
    };
    build_parallel(src.ncells(), dst.ncells(), 4096, |rows, out| {
        let mut e = Vec::with_capacity(4);
        let mut near = Vec::with_capacity(8);
        let mut tried: Vec<usize> = Vec::with_capacity(32);
        for d in rows {
            e.clear();
            if dst.is_valid(d) {
                let p = dst.center_xyz(d);
                tried.clear();
                let mut found: Option<([usize; 4], f64, f64)> = None;
                'outer: for kq in [1usize, 8] {
                    tree.k_nearest(p, kq, &mut near);
                    for &(_, id) in near.iter() {
                        let (j, k) = (id as usize / nx, id as usize % nx);
                        for dj in [0usize, 1] {
                            for dk in [0usize, 1] {
                                if j < dj {
                                    continue;
                                }
                                let jj = j - dj;
                                let kk = if k >= dk {
                                    k - dk
                                } else if periodic {
                                    nx - 1
                                } else {
                                    continue;
                                };
                                let key = jj * nx + kk;
                                if tried.contains(&key) {
                                    continue;
                                }
                                tried.push(key);
                                if let Some(qi) = quad(jj, kk) {
                                    let q = qi.map(|i| src.center_xyz(i));
                                    if q.iter().any(|v| !v[0].is_finite()) {
                                        continue;
                                    }
                                    if let Some((s, t)) = invert(p, q) {
                                        found = Some((qi, s, t));
                                        break 'outer;
                                    }
                                }
                            }
                        }
                    }
                }
                if let Some((qi, s, t)) = found {
                    let c = [
                        (qi[0], (1.0 - s) * (1.0 - t)),
                        (qi[1], s * (1.0 - t)),
                        (qi[2], s * t),
                        (qi[3], (1.0 - s) * t),
                    ];
                    push_masked(src, &c, &mut e);
                }
            }
            out.push_row(&mut e);
        }
    })
}
