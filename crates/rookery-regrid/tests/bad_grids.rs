//! Bad grids give one-line errors, never panics.

mod common;
use common::*;
use rookery_regrid::{compute_weights, Grid, Method, WeightOptions};

const METHODS: [Method; 3] = [Method::NearestS2d, Method::Bilinear, Method::Conservative];

#[test]
fn constructors_reject_bad_input() {
    let cases = vec![
        Grid::rectilinear(vec![], vec![1.0], None, None),
        Grid::rectilinear(vec![f64::NAN], vec![1.0], None, None),
        Grid::rectilinear(vec![95.0], vec![1.0], None, None),
        Grid::rectilinear(vec![0.0], vec![f64::INFINITY], None, None),
        Grid::rectilinear(vec![0.0, 1.0], vec![1.0], Some(vec![[0.0, 1.0]]), None),
        Grid::curvilinear(2, 2, vec![0.0; 3], vec![0.0; 4], None),
        Grid::curvilinear(0, 5, vec![], vec![], None),
        Grid::curvilinear(1, 1, vec![0.0], vec![0.0], Some((vec![0.0; 3], vec![0.0; 4]))),
        Grid::curvilinear(1, 1, vec![-91.0], vec![0.0], None),
        Grid::unstructured(vec![], vec![], None),
        Grid::unstructured(vec![0.0], vec![0.0, 1.0], None),
        Grid::unstructured(vec![0.0], vec![0.0], Some((vec![0.0; 2], vec![0.0; 2], 2))),
    ];
    for (i, c) in cases.into_iter().enumerate() {
        let e = c.expect_err(&format!("case {i} must fail")).to_string();
        assert!(!e.contains('\n') && !e.is_empty(), "{e}");
    }
    assert!(Method::parse("patch").unwrap_err().to_string().contains("patch"));
    for m in METHODS {
        assert_eq!(Method::parse(m.as_str()).unwrap(), m);
    }
}

#[test]
fn odd_grids_do_not_panic() {
    let global = regular(10.0, 10.0, 0.0, true);
    let odd = vec![
        Grid::rectilinear(vec![0.0], vec![0.0], None, None).unwrap(),
        Grid::rectilinear(vec![90.0, -90.0], vec![0.0, 0.0], None, None).unwrap(),
        Grid::rectilinear(vec![0.0], vec![0.0], Some(vec![[0.0, 0.0]]), Some(vec![[0.0, 0.0]])).unwrap(),
        Grid::curvilinear(1, 1, vec![f64::NAN], vec![f64::NAN], None).unwrap(),
        Grid::curvilinear(2, 2, vec![0.0, f64::NAN, 1.0, 1.0], vec![0.0, 1.0, f64::NAN, 1.0], None).unwrap(),
        Grid::curvilinear(3, 3, vec![10.0; 9], vec![20.0; 9], None).unwrap(),
        Grid::curvilinear(1, 1, vec![0.0], vec![0.0], Some((vec![f64::NAN; 4], vec![0.0; 4]))).unwrap(),
        Grid::unstructured(vec![0.0, 0.0], vec![5.0, 5.0], Some((vec![0.0; 8], vec![0.0; 8], 4))).unwrap(),
        Grid::unstructured(vec![90.0], vec![0.0], Some((vec![90.0, 80.0, 80.0], vec![0.0, 0.0, 180.0], 3))).unwrap(),
        global.clone().with_mask(vec![false; global.ncells()]),
        global.clone().with_mask(vec![true; 3]),
    ];
    for (i, g) in odd.iter().enumerate() {
        for m in METHODS {
            for (s, d) in [(g, &global), (&global, g)] {
                match compute_weights(s, d, m, &WeightOptions::default()) {
                    Ok(w) => {
                        assert!(w.values().iter().all(|v| v.is_finite()), "case {i} {m}");
                        let mut out = vec![0.0; w.n_dst];
                        w.apply(&vec![1.0; w.n_src], &mut out, 1, true, 0.5);
                    }
                    Err(e) => assert!(!e.to_string().contains('\n'), "case {i}: {e}"),
                }
            }
        }
        let _ = g.is_global_lon();
        let _ = g.hash();
        let mut h = g.clone();
        let _ = h.ensure_bounds();
    }
}

#[test]
fn periodic_detection() {
    assert!(regular(1.0, 1.0, 0.0, false).is_global_lon());
    assert!(regular(2.0, 2.5, -180.0, false).is_global_lon());
    assert!(!regional(-10.0, 10.0, 0.0, 300.0, 1.0).is_global_lon());
    assert!(!regional(-10.0, 10.0, 170.0, 190.0, 1.0).is_global_lon());
    assert!(!Grid::rectilinear(vec![0.0], vec![0.0], None, None).unwrap().is_global_lon());
    assert!(rotated(2.0, 39.25, -162.0, -90.0, 90.0, -180.0, 180.0).is_global_lon());
    assert!(!rotated(0.44, 39.25, -162.0, -20.0, 20.0, -30.0, 30.0).is_global_lon());
    assert!(tripolar(90, 35, 15).is_global_lon());
}

#[test]
fn ensure_bounds_rectilinear() {
    let mut g = Grid::rectilinear(vec![-89.0, -87.0, 89.0], vec![350.0, 0.0, 10.0], None, None).unwrap();
    g.ensure_bounds().unwrap();
    assert_eq!(g.lat_bounds().unwrap()[0], [-90.0, -88.0]);
    assert_eq!(g.lat_bounds().unwrap()[2][1], 90.0);
    let xb = g.lon_bounds().unwrap();
    assert_eq!(xb[0], [345.0, 355.0]);
    assert_eq!(xb[1], [-5.0, 5.0]);
    assert!(g.has_bounds());
    assert_eq!(g.shape(), vec![3, 3]);
    let u = Grid::unstructured(vec![0.0; 5], vec![0.0; 5], None).unwrap();
    assert_eq!((u.nlat(), u.nlon(), u.ncells(), u.shape()), (5, 1, 5, vec![5]));
}
