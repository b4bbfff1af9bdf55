#![allow(dead_code)]
//! Shared helpers for the integration tests.

use rookery_regrid::{Grid, Weights};

/// A regular global grid with `dlat` x `dlon` cells, longitudes starting at `lon0` (cell edge).
pub(crate) fn regular(dlat: f64, dlon: f64, lon0: f64, bounds: bool) -> Grid {
    let ny = (180.0 / dlat).round() as usize;
    let nx = (360.0 / dlon).round() as usize;
    let lat: Vec<f64> = (0..ny).map(|j| -90.0 + (j as f64 + 0.5) * dlat).collect();
    let lon: Vec<f64> = (0..nx).map(|i| lon0 + (i as f64 + 0.5) * dlon).collect();
    let (lb, xb) = if bounds {
        (
            Some(lat.iter().map(|&y| [y - dlat / 2.0, y + dlat / 2.0]).collect()),
            Some(lon.iter().map(|&x| [x - dlon / 2.0, x + dlon / 2.0]).collect()),
        )
    } else {
        (None, None)
    };
    Grid::rectilinear(lat, lon, lb, xb).unwrap()
}

/// A regional regular grid covering [lat0, lat1] x [lon0, lon1] with steps d.
pub(crate) fn regional(lat0: f64, lat1: f64, lon0: f64, lon1: f64, d: f64) -> Grid {
    let ny = ((lat1 - lat0) / d).round() as usize;
    let nx = ((lon1 - lon0) / d).round() as usize;
    let lat: Vec<f64> = (0..ny).map(|j| lat0 + (j as f64 + 0.5) * d).collect();
    let lon: Vec<f64> = (0..nx).map(|i| lon0 + (i as f64 + 0.5) * d).collect();
    let lb = lat.iter().map(|&y| [y - d / 2.0, y + d / 2.0]).collect();
    let xb = lon.iter().map(|&x| [x - d / 2.0, x + d / 2.0]).collect();
    Grid::rectilinear(lat, lon, Some(lb), Some(xb)).unwrap()
}

/// The analytic field cos²(lat)·cos(2·lon) at a point (degrees).
pub(crate) fn field(lat: f64, lon: f64) -> f64 {
    let (y, x) = (lat.to_radians(), lon.to_radians());
    y.cos().powi(2) * (2.0 * x).cos()
}

/// Exact mean of `field` over a lat-lon box (bounded by latitude circles).
pub(crate) fn box_mean(y0: f64, y1: f64, x0: f64, x1: f64) -> f64 {
    let (a, b) = (y0.to_radians(), y1.to_radians());
    let prim = |p: f64| p.sin() - p.sin().powi(3) / 3.0;
    let my = (prim(b) - prim(a)) / (b.sin() - a.sin());
    let (c, d) = (x0.to_radians(), x1.to_radians());
    let mx = ((2.0 * d).sin() - (2.0 * c).sin()) / 2.0 / (d - c);
    my * mx
}

/// The field at every cell centre of `g`.
pub(crate) fn sample(g: &Grid) -> Vec<f64> {
    (0..g.ncells())
        .map(|i| {
            let (y, x) = g.center(i);
            field(y, x)
        })
        .collect()
}

/// Integral check: Σ_d A_d (W f)_d vs Σ_s A_s f_s for a field f (unmapped dst skipped).
pub(crate) fn conservation_error(w: &Weights, src_area: &[f64], dst_area: &[f64], f: &[f64]) -> f64 {
    let mut out = vec![0.0; w.n_dst];
    w.apply(f, &mut out, 1, false, 2.0);
    let lhs: f64 = out.iter().zip(dst_area).filter(|(v, _)| v.is_finite()).map(|(v, a)| v * a).sum();
    let rhs: f64 = f.iter().zip(src_area).map(|(v, a)| v * a).sum();
    ((lhs - rhs) / rhs).abs()
}

/// A rotated-pole style curvilinear grid: a regular (rlat, rlon) grid in a frame whose north
/// pole sits at (pole_lat, pole_lon), covering rlat in [-90+d/2, 90-d/2] (global when `global`).
pub(crate) fn rotated(d: f64, pole_lat: f64, pole_lon: f64, rlat0: f64, rlat1: f64, rlon0: f64, rlon1: f64) -> Grid {
    let ny = ((rlat1 - rlat0) / d).round() as usize;
    let nx = ((rlon1 - rlon0) / d).round() as usize;
    let rot = |rl: f64, rx: f64| -> (f64, f64) {
        // Rotate unit vector from the rotated frame into the geographic frame.
        let (y, x) = (rl.to_radians(), rx.to_radians());
        let v = [y.cos() * x.cos(), y.cos() * x.sin(), y.sin()];
        let th = (90.0 - pole_lat).to_radians();
        // rotate about y axis by th then about z by pole_lon + 180
        let v1 = [v[0] * th.cos() + v[2] * th.sin(), v[1], -v[0] * th.sin() + v[2] * th.cos()];
        let ph = (pole_lon + 180.0).to_radians();
        let v2 = [v1[0] * ph.cos() - v1[1] * ph.sin(), v1[0] * ph.sin() + v1[1] * ph.cos(), v1[2]];
        let lat = v2[2].clamp(-1.0, 1.0).asin().to_degrees();
        let lon = v2[1].atan2(v2[0]).to_degrees();
        (lat, lon)
    };
    let (mut lat, mut lon, mut clat, mut clon) = (vec![], vec![], vec![], vec![]);
    for j in 0..ny {
        for i in 0..nx {
            let (y, x) = (rlat0 + (j as f64 + 0.5) * d, rlon0 + (i as f64 + 0.5) * d);
            let (a, b) = rot(y, x);
            lat.push(a);
            lon.push(b);
            for (dy, dx) in [(-0.5, -0.5), (-0.5, 0.5), (0.5, 0.5), (0.5, -0.5)] {
                let (a, b) = rot(y + dy * d, x + dx * d);
                clat.push(a);
                clon.push(b);
            }
        }
    }
    Grid::curvilinear(ny, nx, lat, lon, Some((clat, clon))).unwrap()
}

/// A tripolar-like global grid: regular south of `fold_lat`, north of it a bipolar cap whose
/// two poles sit on land at (fold_lat.., lon 80 and 260); the seam in x is at lon = 80.
pub(crate) fn tripolar(nx: usize, ny_south: usize, ny_north: usize) -> Grid {
    let fold_lat = 60.0;
    let dy_s = (fold_lat + 80.0) / ny_south as f64;
    let node = |jn: f64, i: f64| -> (f64, f64) {
        // jn: node row index (0..=ny_south+ny_north), i: node column index (0..=nx)
        let lon = 80.0 + i * 360.0 / nx as f64;
        if jn <= ny_south as f64 {
            (-80.0 + jn * dy_s, lon)
        } else {
            // Bipolar cap: rows converge to the two poles at lon 80 and 260, lat 60..90 along the fold.
            let t = (jn - ny_south as f64) / ny_north as f64; // 0..1
            let phi = (i / nx as f64) * 2.0 * std::f64::consts::PI; // 0..2pi around
                                                                    // Ellipse shrinking in the direction across the fold.
            let r0 = (90.0 - fold_lat).to_radians();
            let a = r0; // along the fold, stays
            let b = r0 * (1.0 - t); // across the fold shrinks to 0 (the fold line)
            let x = a * phi.cos();
            let y = b * phi.sin();
            // Polar stereographic-like placement around the north pole.
            let rho = (x * x + y * y).sqrt();
            let lat = 90.0 - rho.to_degrees();
            let lon = 80.0 + y.atan2(x).to_degrees();
            (lat, lon)
        }
    };
    let ny = ny_south + ny_north;
    let (mut lat, mut lon, mut clat, mut clon) = (vec![], vec![], vec![], vec![]);
    for j in 0..ny {
        for i in 0..nx {
            let c = [
                node(j as f64, i as f64),
                node(j as f64, i as f64 + 1.0),
                node(j as f64 + 1.0, i as f64 + 1.0),
                node(j as f64 + 1.0, i as f64),
            ];
            // Centre: mean of corner unit vectors.
            let mut v = [0.0f64; 3];
            for &(a, b) in &c {
                let (a, b) = (a.to_radians(), b.to_radians());
                v[0] += a.cos() * b.cos();
                v[1] += a.cos() * b.sin();
                v[2] += a.sin();
            }
            let h = (v[0] * v[0] + v[1] * v[1]).sqrt();
            lat.push(v[2].atan2(h).to_degrees());
            lon.push(v[1].atan2(v[0]).to_degrees());
            for (a, b) in c {
                clat.push(a);
                clon.push(b);
            }
        }
    }
    Grid::curvilinear(ny, nx, lat, lon, Some((clat, clon))).unwrap()
}
