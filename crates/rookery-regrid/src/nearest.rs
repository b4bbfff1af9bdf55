//! `nearest_s2d`: every destination cell takes the value of the nearest valid source cell centre.

use crate::grid::{Grid, GridKind};
use crate::kdtree::KdTree;
use crate::sphere::{self, V3};
use crate::weights::{build_parallel, Weights};
use crate::RegridError;

/// Builds a k-d tree over the valid source cell centres.
pub(crate) fn source_tree(src: &Grid, only_valid: bool) -> KdTree {
    let items: Vec<(V3, u32)> = (0..src.ncells())
        .filter(|&i| if only_valid { src.is_valid(i) } else { src.center_xyz(i)[0].is_finite() })
        .map(|i| (src.center_xyz(i), i as u32))
        .collect();
    KdTree::new(items)
}

pub(crate) fn weights(src: &Grid, dst: &Grid, periodic: bool, domain_edge: bool) -> Result<Weights, RegridError> {
    if domain_edge && src.kind() == GridKind::Unstructured {
        return Err(RegridError::Unsupported(
            "post_mask_source=domain_edge needs a structured (rectilinear or curvilinear) source grid".into(),
        ));
    }
    let tree = source_tree(src, true);
    let (ny, nx) = (src.nlat(), src.nlon());
    Ok(build_parallel(src.ncells(), dst.ncells(), 16384, |rows, out| {
        let mut e = Vec::with_capacity(1);
        for d in rows {
            e.clear();
            if dst.is_valid(d) {
                let p = dst.center_xyz(d);
                if let Some((s, _)) = tree.nearest(p) {
                    let s = s as usize;
                    if !(domain_edge && outside_domain(src, ny, nx, periodic, s, p)) {
                        e.push((s as u32, 1.0));
                    }
                }
            }
            out.push_row(&mut e);
        }
    }))
}

/// Whether `p` lies beyond the outer half of edge cell `s` of a structured source grid.
fn outside_domain(src: &Grid, ny: usize, nx: usize, periodic: bool, s: usize, p: V3) -> bool {
    let (j, k) = (s / nx, s % nx);
    let c = src.center_xyz(s);
    let mut sides: Vec<usize> = Vec::with_capacity(2);
    if j == 0 && ny > 1 {
        sides.push(s + nx);
    }
    if j + 1 == ny && ny > 1 {
        sides.push(s - nx);
    }
    if !periodic && nx > 1 {
        if k == 0 {
            sides.push(s + 1);
        }
        if k + 1 == nx {
            sides.push(s - 1);
        }
    }
    let v = sphere::sub(p, c);
    for inner in sides {
        let o = sphere::sub(c, src.center_xyz(inner));
        let oo = sphere::dot(o, o);
        if oo > 0.0 && sphere::dot(v, o) / oo > 0.5 + 1e-9 {
            return true;
        }
    }
    false
}
