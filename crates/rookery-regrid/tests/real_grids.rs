//! Real grids from /work/shared/data (skipped when absent): SCRIP target grids with real corner
//! ordering, and a CMIP6 tripolar ocean `tos` file as curvilinear source.

mod common;
use common::*;
use rookery_regrid::{compute_weights, Grid, Method, WeightOptions};
use std::path::Path;

const GRIDS: &str = "/work/shared/data/grids";

fn scrip(path: &Path) -> (Grid, Vec<usize>) {
    let nc = netcdf::open(path).unwrap();
    let get = |n: &str| nc.variable(n).unwrap().get_values::<f64, _>(..).unwrap();
    let dims: Vec<usize> =
        nc.variable("grid_dims").unwrap().get_values::<i32, _>(..).unwrap().iter().map(|&d| d as usize).collect();
    let (nx, ny) = (dims[0], dims[1]);
    let g = Grid::curvilinear(
        ny,
        nx,
        get("grid_center_lat"),
        get("grid_center_lon"),
        Some((get("grid_corner_lat"), get("grid_corner_lon"))),
    )
    .unwrap();
    (g, dims)
}

#[test]
fn scrip_grids_as_curvilinear_targets() {
    let p = Path::new(GRIDS).join("cmip6_72x144_scrip.20181001.nc");
    if !p.exists() {
        println!("{} not found: skipping", p.display());
        return;
    }
    let (dst, _) = scrip(&p);
    // The SCRIP cells tile the sphere.
    let a: f64 = dst.cell_areas_great_circle().unwrap().iter().sum();
    assert!((a - 4.0 * std::f64::consts::PI).abs() < 1e-9, "{a}");
    assert!(dst.is_global_lon());
    let src = regular(1.0, 1.0, -180.0, true);
    let w = compute_weights(&src, &dst, Method::Conservative, &WeightOptions::default()).unwrap();
    for (d, s) in w.row_sums().iter().enumerate() {
        assert!((s - 1.0).abs() < 1e-9, "row {d}: {s}");
    }
    let e = conservation_error(
        &w,
        &src.cell_areas_great_circle().unwrap(),
        &dst.cell_areas_great_circle().unwrap(),
        &sample(&src).iter().map(|v| v + 2.0).collect::<Vec<_>>(),
    );
    assert!(e < 1e-6, "{e}");
    // Same cells as an unstructured grid.
    let (clat, clon, k) = dst.corners().unwrap();
    let u =
        Grid::unstructured(dst.lat().to_vec(), dst.lon().to_vec(), Some((clat.to_vec(), clon.to_vec(), k))).unwrap();
    let wu = compute_weights(&src, &u, Method::Conservative, &WeightOptions::default()).unwrap();
    assert_eq!(wu.cols(), w.cols());
    // A finer one through the general polygon path.
    let p = Path::new(GRIDS).join("cmip6_180x360_scrip.20181001.nc");
    if p.exists() {
        let (big, _) = scrip(&p);
        let src = regular(0.5, 0.5, 0.0, true);
        let w = compute_weights(&src, &big, Method::Conservative, &WeightOptions::default()).unwrap();
        let bad = w.row_sums().iter().filter(|s| (*s - 1.0).abs() > 1e-9).count();
        assert_eq!(bad, 0);
    }
}

#[test]
fn tripolar_tos_source() {
    let root = Path::new("/work/shared/data/mini-esgf/badc/cmip6/data/CMIP6/CMIP/CCCR-IITM/IITM-ESM/1pctCO2/r1i1p1f1/Omon/tos/gn/v20191204/tos_Omon_IITM-ESM_1pctCO2_r1i1p1f1_gn_193001.nc");
    if !root.exists() {
        println!("{} not found: skipping", root.display());
        return;
    }
    let nc = netcdf::open(root).unwrap();
    let get = |n: &str| -> Vec<f64> {
        nc.variable(n)
            .unwrap()
            .get_values::<f32, _>(..)
            .unwrap()
            .iter()
            .map(|&v| if v.abs() > 1e19 { f64::NAN } else { v as f64 })
            .collect()
    };
    let (lat, lon, tos) = (get("latitude"), get("longitude"), get("tos"));
    let (ny, nx) = (200, 360);
    let mask: Vec<bool> = tos.iter().map(|v| v.is_finite()).collect();
    let src = Grid::curvilinear(ny, nx, lat, lon, None).unwrap().with_mask(mask);
    assert!(src.is_global_lon());
    let dst = regular(2.0, 2.0, 0.0, true);
    let (tmin, tmax) =
        tos.iter().filter(|v| v.is_finite()).fold((f64::MAX, f64::MIN), |a, &v| (a.0.min(v), a.1.max(v)));
    for m in [Method::NearestS2d, Method::Bilinear, Method::Conservative] {
        let w = compute_weights(&src, &dst, m, &WeightOptions::default()).unwrap();
        let mut out = vec![0.0; dst.ncells()];
        w.apply(&tos, &mut out, 1, m == Method::Conservative, 0.5);
        let valid: Vec<f64> = out.iter().copied().filter(|v| v.is_finite()).collect();
        println!("{m}: {} of {} target cells valid", valid.len(), out.len());
        assert!(valid.len() > dst.ncells() / 2, "{m}");
        assert!(valid.iter().all(|&v| v >= tmin - 1e-3 && v <= tmax + 1e-3), "{m}: values outside the source range");
    }
    // Ocean fraction sanity: about 70% of the sphere is ocean.
    let w = compute_weights(&src, &dst, Method::Conservative, &WeightOptions::default()).unwrap();
    let area = dst.cell_areas_great_circle().unwrap();
    let frac: f64 = w.row_sums().iter().zip(&area).map(|(s, a)| s * a).sum::<f64>() / (4.0 * std::f64::consts::PI);
    assert!(frac > 0.6 && frac < 0.75, "ocean fraction {frac}");
}
