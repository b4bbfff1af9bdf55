//! Nearest grid points to given locations on the sphere: a [`SphereIndex`] over (lon, lat)
//! points in degrees, answering nearest-neighbour queries by great-circle distance (the k-d tree
//! of `nearest_s2d` on 3-D unit vectors; chord length is monotone in great-circle distance).

use crate::kdtree::KdTree;
use crate::sphere::xyz;

/// Mean Earth radius (km), as used for reported distances (IUGG mean radius).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in km between two (lon, lat) points in degrees (haversine).
#[must_use]
pub fn great_circle_km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// Great-circle distance in km from a squared chord length on the unit sphere.
fn chord2_km(d2: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (d2.max(0.0).sqrt() / 2.0).min(1.0).asin()
}

/// A static index of points on the sphere for nearest-neighbour queries.
pub struct SphereIndex {
    tree: KdTree,
}

impl std::fmt::Debug for SphereIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SphereIndex").finish_non_exhaustive()
    }
}

impl SphereIndex {
    /// Builds the index over `(lon, lat, id)` points in degrees; points with a non-finite
    /// coordinate are left out.
    #[must_use]
    pub fn new(points: impl IntoIterator<Item = (f64, f64, u32)>) -> SphereIndex {
        let items = points
            .into_iter()
            .filter(|(lo, la, _)| lo.is_finite() && la.is_finite())
            .map(|(lo, la, id)| (xyz(la, lo), id))
            .collect();
        SphereIndex { tree: KdTree::new(items) }
    }

    /// The id of the point nearest to (`lon`, `lat`) and its great-circle distance in km
    /// (ties: the smaller id); `None` when the index is empty.
    #[must_use]
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<(u32, f64)> {
        self.tree.nearest(xyz(lat, lon)).map(|(id, d2)| (id, chord2_km(d2)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_is_great_circle_nearest() {
        let pts: Vec<(f64, f64, u32)> = vec![(0.0, 0.0, 0), (179.0, 10.0, 1), (-179.5, 10.0, 2), (90.0, 89.0, 3)];
        let idx = SphereIndex::new(pts);
        // Across the date line: -179.5 is nearer to 179.9 than 179.0 is.
        assert_eq!(idx.nearest(179.9, 10.0).map(|x| x.0), Some(2));
        // Near the pole, longitude barely matters.
        assert_eq!(idx.nearest(-90.0, 88.5).map(|x| x.0), Some(3));
        let (_, d) = idx.nearest(1.0, 0.0).unwrap_or_default();
        assert!((d - great_circle_km(0.0, 0.0, 1.0, 0.0)).abs() < 1e-6 && (d - 111.195).abs() < 0.01, "{d}");
    }
}
