//! Bilinear and nearest-neighbour remapping.

mod common;
use common::*;
use rookery_regrid::{compute_weights, Grid, Method, WeightOptions};

fn opts() -> WeightOptions {
    WeightOptions::default()
}

fn regrid(src: &Grid, dst: &Grid, m: Method, f: &[f64]) -> Vec<f64> {
    let w = compute_weights(src, dst, m, &opts()).unwrap();
    let mut out = vec![0.0; w.n_dst];
    w.apply(f, &mut out, 1, false, -1.0);
    out
}

#[test]
#[allow(clippy::needless_range_loop)] // cell indices name the cells in the messages
fn bilinear_analytic_rectilinear() {
    let src = regular(0.5, 0.5, 0.0, false);
    let dst = regular(1.0 / 3.0, 0.7, -180.0, false);
    let out = regrid(&src, &dst, Method::Bilinear, &sample(&src));
    let mut mapped = 0;
    for d in 0..dst.ncells() {
        let (y, x) = dst.center(d);
        if y.abs() > 89.75 {
            // Beyond the outermost source rows: unmapped.
            assert!(out[d].is_nan(), "polar cap cell {d} at {y}");
        } else {
            mapped += 1;
            assert!((out[d] - field(y, x)).abs() < 1e-3, "cell {d} ({y},{x}): {} vs {}", out[d], field(y, x));
        }
    }
    assert!(mapped > 0);
    // Periodic wrap: the seam between the last and first source longitude is interpolated.
    let s = Grid::rectilinear(vec![-1.0, 1.0], vec![0.0, 120.0, 240.0], None, None).unwrap();
    let d = Grid::rectilinear(vec![0.0], vec![300.0], None, None).unwrap();
    let o = WeightOptions { periodic: Some(true), ..opts() };
    let w = compute_weights(&s, &d, Method::Bilinear, &o).unwrap();
    let mut v = [0.0];
    w.apply(&[1.0, 2.0, 3.0, 1.0, 2.0, 3.0], &mut v, 1, false, -1.0);
    assert!((v[0] - 2.0).abs() < 1e-12, "{}", v[0]);
    let o = WeightOptions { periodic: Some(false), ..opts() };
    let w = compute_weights(&s, &d, Method::Bilinear, &o).unwrap();
    assert_eq!(w.nnz(), 0);
}

#[test]
#[allow(clippy::needless_range_loop)] // cell indices name the cells in the messages
fn bilinear_analytic_curvilinear() {
    let src = rotated(0.5, 39.25, -162.0, -90.0, 90.0, -180.0, 180.0);
    let dst = regular(2.0, 2.0, 0.0, false);
    let w = compute_weights(&src, &dst, Method::Bilinear, &opts()).unwrap();
    let mut out = vec![0.0; w.n_dst];
    w.apply(&sample(&src), &mut out, 1, false, -1.0);
    let mut mapped = 0;
    for d in 0..dst.ncells() {
        let (y, x) = dst.center(d);
        if out[d].is_finite() {
            mapped += 1;
            assert!((out[d] - field(y, x)).abs() < 1e-3, "cell {d} ({y},{x}): {} vs {}", out[d], field(y, x));
        }
    }
    // Global source, periodic seam: everything but the neighbourhood of the rotated poles maps.
    assert!(mapped as f64 > 0.99 * dst.ncells() as f64, "{mapped} of {}", dst.ncells());
    // Regional curvilinear source → destinations outside are unmapped.
    let src = rotated(0.5, 39.25, -162.0, -10.0, 10.0, -10.0, 10.0);
    let w = compute_weights(&src, &dst, Method::Bilinear, &opts()).unwrap();
    let mapped = w.row_sums().iter().filter(|&&s| s > 0.0).count();
    assert!(mapped > 10 && mapped < 200, "{mapped}");
}

#[test]
fn nearest_returns_source_values() {
    let src = rotated(1.0, 39.25, -162.0, -90.0, 90.0, -180.0, 180.0);
    let dst = regular(0.7, 0.9, 0.0, false);
    let f: Vec<f64> = (0..src.ncells()).map(|i| i as f64).collect();
    let out = regrid(&src, &dst, Method::NearestS2d, &f);
    // Brute force check of a sample of cells.
    let xyz = |y: f64, x: f64| {
        let (y, x) = (y.to_radians(), x.to_radians());
        [y.cos() * x.cos(), y.cos() * x.sin(), y.sin()]
    };
    let sx: Vec<[f64; 3]> = (0..src.ncells())
        .map(|i| {
            let (a, b) = src.center(i);
            xyz(a, b)
        })
        .collect();
    for d in (0..dst.ncells()).step_by(997) {
        let (y, x) = dst.center(d);
        let p = xyz(y, x);
        let best = (0..src.ncells())
            .map(|i| (sx[i][0] - p[0]).powi(2) + (sx[i][1] - p[1]).powi(2) + (sx[i][2] - p[2]).powi(2))
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        let got = out[d] as usize;
        let dg = (sx[got][0] - p[0]).powi(2) + (sx[got][1] - p[1]).powi(2) + (sx[got][2] - p[2]).powi(2);
        assert!((dg - best.1).abs() < 1e-15, "cell {d}: got {got}, nearest {}", best.0);
    }
    // Masked sources are never chosen.
    let mask: Vec<bool> = (0..src.ncells()).map(|i| i % 3 != 0).collect();
    let out = regrid(&src.clone().with_mask(mask), &dst, Method::NearestS2d, &f);
    assert!(out.iter().all(|&v| !(v as usize).is_multiple_of(3)));
}

#[test]
#[allow(clippy::needless_range_loop)] // cell indices name the cells in the messages
fn nearest_domain_edge() {
    let src = regional(40.0, 50.0, 0.0, 10.0, 0.5);
    let dst = regular(1.0, 1.0, -180.0, false);
    let f = vec![1.0; src.ncells()];
    let o = WeightOptions { post_mask_source_domain_edge: true, ..opts() };
    let w = compute_weights(&src, &dst, Method::NearestS2d, &o).unwrap();
    let mut out = vec![0.0; w.n_dst];
    w.apply(&f, &mut out, 1, false, -1.0);
    for d in 0..dst.ncells() {
        let (y, x) = dst.center(d);
        let inside = y > 40.0 && y < 50.0 && x > 0.0 && x < 10.0;
        assert_eq!(out[d].is_finite(), inside, "cell {d} at ({y},{x})");
    }
    // Without the option every destination is mapped.
    let w = compute_weights(&src, &dst, Method::NearestS2d, &opts()).unwrap();
    assert_eq!(w.nnz(), dst.ncells());
}

#[test]
fn bilinear_masked_and_nan_sources() {
    let src = regular(2.0, 2.0, 0.0, false);
    let dst = regular(2.0, 2.0, 1.0, false);
    let mut mask = vec![true; src.ncells()];
    mask[45 * 180 + 10] = false;
    let w = compute_weights(&src.clone().with_mask(mask), &dst, Method::Bilinear, &opts()).unwrap();
    let mut out = vec![0.0; dst.ncells()];
    w.apply(&vec![1.0; src.ncells()], &mut out, 1, false, -1.0);
    // Destinations lie on the source rows, so the two whose quads use the masked source (with
    // non-zero weight) are unmapped.
    assert_eq!(out.iter().filter(|v| v.is_nan()).count(), 2);
    // NaN data propagates with skipna = false.
    let w = compute_weights(&src, &dst, Method::Bilinear, &opts()).unwrap();
    let mut f = vec![1.0; src.ncells()];
    f[45 * 180 + 10] = f64::NAN;
    w.apply(&f, &mut out, 1, false, -1.0);
    assert_eq!(out.iter().filter(|v| v.is_nan()).count(), 2);
}
