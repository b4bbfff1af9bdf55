//! Numerical core of horizontal regridding for rookery (the Rust re-implementation of the
//! roocs stack: clisops / daops / rook).
//!
//! The crate computes sparse regridding weights between two horizontal grids and applies them:
//!
//! * [`Method::NearestS2d`]: nearest source cell centre (great-circle distance, k-d tree on unit vectors);
//! * [`Method::Bilinear`]: ESMF-style bilinear (index-space for rectilinear sources, inverse bilinear
//!   map in a gnomonic tangent plane for curvilinear sources);
//! * [`Method::Conservative`]: first-order conservative, `w(d,s) = area(d ∩ s) / area(d)` on the unit
//!   sphere: exact and separable for lat-lon boxes (rectilinear → rectilinear), spherical polygon
//!   clipping with great-circle edges otherwise.
//!
//! Weights are stored CSR by destination row ([`Weights`]), can be written/read in the xESMF
//! `Regridder.to_netcdf` layout and cached on disk ([`WeightsCache`], clisops naming).
//! There is no file reading of data and no CF logic here.

mod bilinear;
mod cache;
mod conservative;
mod error;
mod grid;
mod kdtree;
mod md5;
mod nearest;
mod points;
mod sphere;
mod weights;
mod xesmf;

pub use cache::{CacheOutcome, WeightsCache};
pub use error::RegridError;
pub use grid::{Grid, GridKind};
pub use points::{great_circle_km, SphereIndex, EARTH_RADIUS_KM};
pub use weights::{TripletError, Weights};

/// A regridding method, named as in clisops/xESMF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Nearest source cell centre to each destination cell centre (`nearest_s2d`).
    NearestS2d,
    /// Bilinear interpolation between the four surrounding source cell centres (`bilinear`).
    Bilinear,
    /// First-order conservative remapping (`conservative`), needs cell bounds.
    Conservative,
}

impl Method {
    /// Parses the clisops/xESMF name: `nearest_s2d`, `bilinear` or `conservative`.
    pub fn parse(s: &str) -> Result<Method, RegridError> {
        match s.trim() {
            "nearest_s2d" => Ok(Method::NearestS2d),
            "bilinear" => Ok(Method::Bilinear),
            "conservative" => Ok(Method::Conservative),
            other => Err(RegridError::UnknownMethod(other.to_string())),
        }
    }

    /// The clisops/xESMF name of the method.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::NearestS2d => "nearest_s2d",
            Method::Bilinear => "bilinear",
            Method::Conservative => "conservative",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Method {
    type Err = RegridError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::parse(s)
    }
}

/// Options of the weight computation (the xESMF `Regridder` arguments clisops sets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightOptions {
    /// Whether the source grid is periodic in longitude; `None` = detect with
    /// [`Grid::is_global_lon`] on the source grid (as clisops does).
    pub periodic: Option<bool>,
    /// Skip degenerate cells (fewer than 3 distinct corners) in conservative remapping instead of
    /// failing (clisops always sets this).
    pub ignore_degenerate: bool,
    /// `post_mask_source="domain_edge"`: for nearest-neighbour remapping from a regional source,
    /// destination cells that lie outside the source domain are left unmapped (NaN).
    pub post_mask_source_domain_edge: bool,
}

impl Default for WeightOptions {
    fn default() -> Self {
        WeightOptions { periodic: None, ignore_degenerate: true, post_mask_source_domain_edge: false }
    }
}

impl WeightOptions {
    /// The periodicity used for `src`: the explicit setting, else [`Grid::is_global_lon`].
    pub fn periodic_for(&self, src: &Grid) -> bool {
        self.periodic.unwrap_or_else(|| src.is_global_lon())
    }
}

/// Computes the regridding weights from `src` to `dst` with `method`.
///
/// Conservative remapping generates missing bounds on (copies of) the grids with
/// [`Grid::ensure_bounds`] and fails with [`RegridError::MissingBounds`] when that is impossible.
pub fn compute_weights(src: &Grid, dst: &Grid, method: Method, opts: &WeightOptions) -> Result<Weights, RegridError> {
    src.validate("source")?;
    dst.validate("target")?;
    let periodic = opts.periodic_for(src);
    match method {
        Method::NearestS2d => nearest::weights(src, dst, periodic, opts.post_mask_source_domain_edge),
        Method::Bilinear => bilinear::weights(src, dst, periodic),
        Method::Conservative => conservative::weights(src, dst, opts.ignore_degenerate),
    }
}
