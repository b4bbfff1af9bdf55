//! Conservative remapping: conservation of the area integral and accuracy on smooth fields.

mod common;
use common::*;
use rookery_regrid::{compute_weights, Grid, Method, RegridError, WeightOptions};

fn opts() -> WeightOptions {
    WeightOptions::default()
}

fn check_conservation(src: &Grid, dst: &Grid, great_circle: bool) -> f64 {
    let w = compute_weights(src, dst, Method::Conservative, &opts()).unwrap();
    let (sa, da) = if great_circle {
        (src.cell_areas_great_circle().unwrap(), dst.cell_areas_great_circle().unwrap())
    } else {
        (src.cell_areas().unwrap(), dst.cell_areas().unwrap())
    };
    let f: Vec<f64> = sample(src).iter().map(|v| v + 2.0).collect();
    conservation_error(&w, &sa, &da, &f)
}

#[test]
fn rectilinear_conservation() {
    let cases = [
        (regular(2.0, 2.0, 0.0, true), regular(1.0, 1.0, -180.0, true)),
        (regular(1.0, 1.0, 0.0, true), regular(2.5, 2.5, 0.0, true)),
        (regular(1.0, 1.0, 0.0, true), regular(3.0, 3.0, 0.37, true)),
        (regular(0.5, 0.5, -180.0, false), regular(1.0, 1.0, 0.0, false)),
    ];
    for (s, d) in &cases {
        let e = check_conservation(s, d, false);
        assert!(e < 1e-9, "conservation error {e}");
    }
    // Sphere area.
    let a: f64 = regular(2.0, 2.0, 0.0, true).cell_areas().unwrap().iter().sum();
    assert!((a - 4.0 * std::f64::consts::PI).abs() < 1e-10);
}

#[test]
fn regional_targets_conserve_what_they_cover() {
    // Source covers the target region exactly → Σ over target = Σ over the region of the source.
    let src = regular(1.0, 1.0, 0.0, true);
    let dst = regional(-30.0, 30.0, 10.0, 70.0, 2.5);
    let w = compute_weights(&src, &dst, Method::Conservative, &opts()).unwrap();
    for s in w.row_sums() {
        assert!((s - 1.0).abs() < 1e-12);
    }
    // Antimeridian-crossing regional target in a -180..180 source frame.
    let src = regular(1.0, 1.0, -180.0, true);
    let dst = regional(-10.0, 10.0, 170.0, 190.0, 2.0);
    let w = compute_weights(&src, &dst, Method::Conservative, &opts()).unwrap();
    let f = sample(&src);
    let mut out = vec![0.0; w.n_dst];
    w.apply(&f, &mut out, 1, false, -1.0);
    let lb = dst.lat_bounds().unwrap();
    let xb = dst.lon_bounds().unwrap();
    for d in 0..dst.ncells() {
        assert!((w.row(d).1.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let [y0, y1] = lb[d / dst.nlon()];
        let [x0, x1] = xb[d % dst.nlon()];
        // Source is 1° so its cell means are exact; target cells are unions of source cells.
        assert!((out[d] - box_mean(y0, y1, x0, x1)).abs() < 1e-3, "cell {d}");
    }
}

#[test]
fn frames_0_360_and_minus180_180_agree() {
    let s1 = regular(2.0, 2.0, 0.0, true);
    let s2 = regular(2.0, 2.0, -180.0, true);
    let dst = regular(3.0, 3.0, 0.3, true);
    let f1 = sample(&s1);
    let f2 = sample(&s2);
    for m in [Method::Conservative, Method::Bilinear, Method::NearestS2d] {
        let w1 = compute_weights(&s1, &dst, m, &opts()).unwrap();
        let w2 = compute_weights(&s2, &dst, m, &opts()).unwrap();
        let (mut o1, mut o2) = (vec![0.0; w1.n_dst], vec![0.0; w2.n_dst]);
        w1.apply(&f1, &mut o1, 1, false, -1.0);
        w2.apply(&f2, &mut o2, 1, false, -1.0);
        for d in 0..o1.len() {
            assert!(
                o1[d].is_nan() && o2[d].is_nan() || (o1[d] - o2[d]).abs() < 1e-12,
                "{m} cell {d}: {} {}",
                o1[d],
                o2[d]
            );
        }
    }
}

#[test]
fn analytic_field_rectilinear() {
    let src = regular(0.5, 0.5, 0.0, true);
    let dst = regular(2.0, 2.5, 0.0, true);
    let w = compute_weights(&src, &dst, Method::Conservative, &opts()).unwrap();
    let mut out = vec![0.0; w.n_dst];
    w.apply(&sample(&src), &mut out, 1, false, -1.0);
    let lb = dst.lat_bounds().unwrap();
    let xb = dst.lon_bounds().unwrap();
    let mut worst: f64 = 0.0;
    for d in 0..dst.ncells() {
        let [y0, y1] = lb[d / dst.nlon()];
        let [x0, x1] = xb[d % dst.nlon()];
        worst = worst.max((out[d] - box_mean(y0, y1, x0, x1)).abs());
    }
    assert!(worst < 1e-3, "max error {worst}");
}

#[test]
fn curvilinear_rotated_pole_to_regular() {
    // Global rotated grid (pole at 39.25N, 162W) → 2° regular: conserves the integral.
    let src = rotated(2.0, 39.25, -162.0, -90.0, 90.0, -180.0, 180.0);
    let dst = regular(2.0, 2.0, 0.0, true);
    let e = check_conservation(&src, &dst, true);
    assert!(e < 1e-6, "conservation error {e}");
    // Regional rotated grid (CORDEX-like) → regular: target covers it, conserves.
    let src = rotated(0.44, 39.25, -162.0, -20.0, 20.0, -30.0, 30.0);
    let dst = regular(1.0, 1.0, -180.0, true);
    let e = check_conservation(&src, &dst, true);
    assert!(e < 1e-6, "conservation error {e}");
    // Accuracy: fine rotated source → coarse regular target, inside the source domain.
    let src = rotated(0.25, 39.25, -162.0, -20.0, 20.0, -30.0, 30.0);
    let dst = regular(2.0, 2.0, -180.0, true);
    let w = compute_weights(&src, &dst, Method::Conservative, &opts()).unwrap();
    let mut out = vec![0.0; w.n_dst];
    w.apply(&sample(&src), &mut out, 1, true, 0.0);
    let sums = w.row_sums();
    let lb = dst.lat_bounds().unwrap();
    let xb = dst.lon_bounds().unwrap();
    let mut n = 0;
    for d in 0..dst.ncells() {
        if sums[d] > 1.0 - 1e-9 {
            n += 1;
            let [y0, y1] = lb[d / dst.nlon()];
            let [x0, x1] = xb[d % dst.nlon()];
            assert!(
                (out[d] - box_mean(y0, y1, x0, x1)).abs() < 1e-3,
                "cell {d}: {} vs {}",
                out[d],
                box_mean(y0, y1, x0, x1)
            );
        } else if sums[d] < 1.0 - 1e-6 {
            assert!(out[d].is_nan(), "partially covered cell {d} must be NaN with na_thres=0");
        }
    }
    assert!(n > 50, "{n} fully covered cells");
}

#[test]
fn tripolar_with_seam_to_regular() {
    let src = tripolar(90, 35, 15);
    // Cells tile: total area = cap north of -80.
    let a: f64 = src.cell_areas_great_circle().unwrap().iter().sum();
    let expect = 2.0 * std::f64::consts::PI * (1.0 - (-80f64).to_radians().sin());
    assert!((a - expect).abs() / expect < 2e-3, "{a} vs {expect}");
    let dst = regular(1.0, 1.0, 0.0, true);
    let e = check_conservation(&src, &dst, true);
    assert!(e < 1e-6, "conservation error {e}");
    let dst = regular(5.0, 5.0, -180.0, true);
    let e = check_conservation(&src, &dst, true);
    assert!(e < 1e-6, "conservation error {e}");
}

#[test]
fn regular_to_curvilinear_and_unstructured() {
    let src = regular(1.0, 1.0, 0.0, true);
    let dst = rotated(3.0, 30.0, 20.0, -90.0, 90.0, -180.0, 180.0);
    let w = compute_weights(&src, &dst, Method::Conservative, &opts()).unwrap();
    for (d, s) in w.row_sums().iter().enumerate() {
        assert!((s - 1.0).abs() < 1e-9, "row {d} sums to {s}");
    }
    // The same cells as an unstructured grid give the same weights.
    let (clat, clon, k) = dst.corners().unwrap();
    let u =
        Grid::unstructured(dst.lat().to_vec(), dst.lon().to_vec(), Some((clat.to_vec(), clon.to_vec(), k))).unwrap();
    let wu = compute_weights(&src, &u, Method::Conservative, &opts()).unwrap();
    assert_eq!(w.row_ptr(), wu.row_ptr());
    assert_eq!(w.cols(), wu.cols());
}

#[test]
fn masked_sources_and_na_thres() {
    let src = regular(2.0, 2.0, 0.0, true);
    let dst = regular(4.0, 4.0, 0.0, true);
    // Mask every source cell with an even column → each target cell is half covered.
    let mask: Vec<bool> = (0..src.ncells()).map(|i| (i % src.nlon()) % 2 == 1).collect();
    let srcm = src.clone().with_mask(mask);
    let w = compute_weights(&srcm, &dst, Method::Conservative, &opts()).unwrap();
    let f = vec![3.0; src.ncells()];
    let mut out = vec![0.0; dst.ncells()];
    for s in w.row_sums() {
        assert!((s - 0.5).abs() < 1e-12);
    }
    // Missing fraction 0.5: renormalised when na_thres >= 0.5, NaN below.
    w.apply(&f, &mut out, 1, true, 0.6);
    assert!(out.iter().all(|v| (v - 3.0).abs() < 1e-12));
    w.apply(&f, &mut out, 1, true, 0.4);
    assert!(out.iter().all(|v| v.is_nan()));
    // Plain sum without adaptive masking.
    w.apply(&f, &mut out, 1, true, 2.0);
    assert!(out.iter().all(|v| (v - 1.5).abs() < 1e-12));
    // NaN data: skipna renormalises, plain propagates.
    let w = compute_weights(&src, &dst, Method::Conservative, &opts()).unwrap();
    let mut g = vec![1.0; src.ncells()];
    g[0] = f64::NAN;
    w.apply(&g, &mut out, 1, false, 1.0);
    assert!(out[0].is_nan() && out[1] == 1.0);
    w.apply(&g, &mut out, 1, true, 1.0);
    assert!((out[0] - 1.0).abs() < 1e-12);
    w.apply(&g, &mut out, 1, true, 0.1);
    assert!(out[0].is_nan());
    // f32 path and several steps.
    let g32: Vec<f32> = (0..3 * src.ncells()).map(|i| (i / src.ncells()) as f32).collect();
    let mut o32 = vec![0f32; 3 * dst.ncells()];
    w.apply_f32(&g32, &mut o32, 3, true, 0.5);
    for t in 0..3 {
        assert!(o32[t * dst.ncells()..(t + 1) * dst.ncells()].iter().all(|&v| (v - t as f32).abs() < 1e-6));
    }
    // Masked target cells are unmapped.
    let dmask: Vec<bool> = (0..dst.ncells()).map(|i| i != 5).collect();
    let w = compute_weights(&src, &dst.clone().with_mask(dmask), Method::Conservative, &opts()).unwrap();
    w.apply(&vec![1.0; src.ncells()], &mut out, 1, false, 1.0);
    assert!(out[5].is_nan() && out[4] == 1.0);
}

#[test]
fn degenerate_cells() {
    // A curvilinear grid whose cell 0 collapses to a line, cell 1 to a point.
    let src = rotated(10.0, 90.0, 0.0, -30.0, 30.0, 0.0, 60.0);
    let (clat, clon, _) = src.corners().unwrap();
    let (mut clat, mut clon) = (clat.to_vec(), clon.to_vec());
    clat[2] = clat[1];
    clon[2] = clon[1];
    clat[3] = clat[0];
    clon[3] = clon[0];
    for c in 4..8 {
        clat[c] = clat[4];
        clon[c] = clon[4];
    }
    let bad =
        Grid::curvilinear(src.nlat(), src.nlon(), src.lat().to_vec(), src.lon().to_vec(), Some((clat, clon))).unwrap();
    let dst = regular(5.0, 5.0, 0.0, true);
    let o = WeightOptions { ignore_degenerate: false, ..opts() };
    match compute_weights(&bad, &dst, Method::Conservative, &o) {
        Err(RegridError::DegenerateCells { count, .. }) => assert_eq!(count, 2),
        other => panic!("expected a degenerate-cell error, got {other:?}"),
    }
    let w = compute_weights(&bad, &dst, Method::Conservative, &opts()).unwrap();
    assert!(w.cols().iter().all(|&c| c >= 2));
    // A smashed (bow-tie) cell does not produce garbage weights.
    let (clat, clon, _) = src.corners().unwrap();
    let (mut clat, mut clon) = (clat.to_vec(), clon.to_vec());
    clat.swap(0, 1);
    clon.swap(0, 1);
    let smashed =
        Grid::curvilinear(src.nlat(), src.nlon(), src.lat().to_vec(), src.lon().to_vec(), Some((clat, clon))).unwrap();
    let w = compute_weights(&smashed, &dst, Method::Conservative, &opts()).unwrap();
    assert!(w.values().iter().all(|&v| v.is_finite() && (0.0..=1.0 + 1e-9).contains(&v)));
}

#[test]
fn missing_bounds_are_generated_or_reported() {
    let src = regular(2.0, 2.0, 0.0, false);
    let dst = regular(4.0, 4.0, 0.0, false);
    let w = compute_weights(&src, &dst, Method::Conservative, &opts()).unwrap();
    for s in w.row_sums() {
        assert!((s - 1.0).abs() < 1e-12);
    }
    // Curvilinear without corners: generated from neighbours (rotated grid, drop its corners).
    let r = rotated(2.0, 40.0, -160.0, -90.0, 90.0, -180.0, 180.0);
    let nocorner = Grid::curvilinear(r.nlat(), r.nlon(), r.lat().to_vec(), r.lon().to_vec(), None).unwrap();
    let w = compute_weights(&nocorner, &dst, Method::Conservative, &opts()).unwrap();
    let sums = w.row_sums();
    let good = sums.iter().filter(|s| (*s - 1.0).abs() < 1e-6).count();
    assert!(good as f64 > 0.9 * sums.len() as f64, "{good} of {}", sums.len());
    // Unstructured without corners, 2x2 curvilinear: a one-line error naming the problem.
    let u = Grid::unstructured(vec![0.0, 1.0, 2.0], vec![0.0, 1.0, 2.0], None).unwrap();
    let e = compute_weights(&u, &dst, Method::Conservative, &opts()).unwrap_err().to_string();
    assert!(e.contains("conservative regridding needs cell bounds on the source grid"), "{e}");
    let small = Grid::curvilinear(2, 2, vec![0.0, 0.0, 1.0, 1.0], vec![0.0, 1.0, 0.0, 1.0], None).unwrap();
    let e = compute_weights(&dst, &small, Method::Conservative, &opts()).unwrap_err().to_string();
    assert!(e.contains("target grid") && e.contains("at least 3"), "{e}");
    assert!(!e.contains('\n'));
}
