//! CF coordinate roles, the main variable and the grid type, detected as clisops does
//! (`clisops/utils/dataset_utils.py`, roocs.md §1.9) but without its `positive` bug: a
//! coordinate is vertical only when `positive` is `up` or `down`, not whenever the
//! attribute exists.

use crate::model::{Dataset, Variable};
use crate::CfError;

/// The role a coordinate plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Time coordinate (`standard_name = time`, `axis = T`, or numeric `<unit> since <date>` units).
    Time,
    /// Latitude coordinate (`latitude` standard or long name, or `degrees_north`-like units).
    Latitude,
    /// Longitude coordinate (`longitude` standard or long name, or `degrees_east`-like units).
    Longitude,
    /// Vertical coordinate (a vertical standard name, `positive` up/down, or `axis = Z`).
    Level,
    /// Ensemble member coordinate (`standard_name = realization`).
    Realization,
}

impl Role {
    /// clisops's name for the role (`time`, `level`, `latitude`, `longitude`, `realization`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Role::Time => "time",
            Role::Latitude => "latitude",
            Role::Longitude => "longitude",
            Role::Level => "level",
            Role::Realization => "realization",
        }
    }
    /// Parses clisops's name of a role.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Role> {
        Some(match s {
            "time" => Role::Time,
            "latitude" => Role::Latitude,
            "longitude" => Role::Longitude,
            "level" => Role::Level,
            "realization" => Role::Realization,
            _ => return None,
        })
    }
}

const LON_UNITS: &[&str] = &["degrees_east", "degree_east", "degree_e", "degrees_e", "degreee", "degreese"];
const LAT_UNITS: &[&str] = &["degrees_north", "degree_north", "degree_n", "degrees_n", "degreen", "degreesn"];
const VERTICAL_STANDARD_NAMES: &[&str] = &[
    "air_pressure",
    "height",
    "depth",
    "altitude",
    "geopotential_height",
    "height_above_geopotential_datum",
    "height_above_mean_sea_level",
    "height_above_reference_ellipsoid",
    "model_level_number",
    "atmosphere_ln_pressure_coordinate",
    "atmosphere_sigma_coordinate",
    "atmosphere_hybrid_sigma_pressure_coordinate",
    "atmosphere_hybrid_height_coordinate",
    "atmosphere_sleve_coordinate",
    "ocean_sigma_coordinate",
    "ocean_s_coordinate",
    "ocean_s_coordinate_g1",
    "ocean_s_coordinate_g2",
    "ocean_sigma_z_coordinate",
    "ocean_double_sigma_coordinate",
];

fn attr_lower(v: &Variable, name: &str) -> Option<String> {
    v.attrs.get_str(name).map(|s| s.trim().to_ascii_lowercase())
}

/// The role of variable `v` as a coordinate, if any (clisops `get_coord_type` order:
/// longitude, latitude, level, time, realization).
#[must_use]
pub fn coord_role(v: &Variable) -> Option<Role> {
    let sn = attr_lower(v, "standard_name");
    let ln = attr_lower(v, "long_name");
    let units = attr_lower(v, "units");
    let axis = attr_lower(v, "axis");
    let ctype = attr_lower(v, "_CoordinateAxisType");
    let is = |o: &Option<String>, s: &str| o.as_deref() == Some(s);
    let units_in = |list: &[&str]| units.as_deref().is_some_and(|u| list.contains(&u));

    if is(&sn, "longitude") || is(&ln, "longitude") || units_in(LON_UNITS) || is(&ctype, "lon") {
        return Some(Role::Longitude);
    }
    if is(&sn, "latitude") || is(&ln, "latitude") || units_in(LAT_UNITS) || is(&ctype, "lat") {
        return Some(Role::Latitude);
    }
    let positive = attr_lower(v, "positive");
    if sn.as_deref().is_some_and(|s| VERTICAL_STANDARD_NAMES.contains(&s))
        || matches!(positive.as_deref(), Some("up" | "down"))
        || is(&axis, "z")
        || matches!(ctype.as_deref(), Some("geoz" | "height" | "pressure"))
    {
        return Some(Role::Level);
    }
    if is(&sn, "time")
        || is(&axis, "t")
        || is(&ctype, "time")
        || units.as_deref().is_some_and(|u| u.contains(" since ") && v.dtype.is_numeric())
    {
        return Some(Role::Time);
    }
    if is(&sn, "realization") {
        return Some(Role::Realization);
    }
    None
}

/// Horizontal grid type (clisops `detect_gridtype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GridType {
    /// 1-D latitude and longitude on different dimensions.
    Rectilinear,
    /// 2-D latitude and longitude of the same shape.
    Curvilinear,
    /// 1-D latitude and longitude sharing one dimension (cells).
    Unstructured,
    /// No horizontal coordinates.
    None,
}

impl GridType {
    /// Lower-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            GridType::Rectilinear => "rectilinear",
            GridType::Curvilinear => "curvilinear",
            GridType::Unstructured => "unstructured",
            GridType::None => "none",
        }
    }
}

/// The CF view of a dataset: the main variable and the coordinates of each role.
#[derive(Clone, Debug, PartialEq)]
pub struct CfInfo {
    /// The main (data) variable.
    pub main: String,
    /// Time coordinate variable (a dimension of the main variable).
    pub time: Option<String>,
    /// Latitude variable (1-D or 2-D).
    pub lat: Option<String>,
    /// Longitude variable (1-D or 2-D).
    pub lon: Option<String>,
    /// Vertical coordinate (a dimension).
    pub level: Option<String>,
    /// Realization coordinate (a dimension).
    pub realization: Option<String>,
    /// Horizontal grid type.
    pub grid: GridType,
}

impl CfInfo {
    /// Detects roles in `ds`.
    ///
    /// # Errors
    /// When no main variable can be found.
    pub fn detect(ds: &Dataset) -> Result<CfInfo, CfError> {
        let main = main_variable(ds)?;
        let main_var = ds.var(&main).ok_or(CfError::NoMainVariable)?;
        let time = coord_by_role(ds, main_var, Role::Time, true);
        let level = coord_by_role(ds, main_var, Role::Level, true);
        let realization = coord_by_role(ds, main_var, Role::Realization, true);
        let lat = coord_by_role(ds, main_var, Role::Latitude, false);
        let lon = coord_by_role(ds, main_var, Role::Longitude, false);
        let grid = match (lat.as_deref().and_then(|n| ds.var(n)), lon.as_deref().and_then(|n| ds.var(n))) {
            (Some(la), Some(lo)) => match (la.dims.len(), lo.dims.len()) {
                (1, 1) if la.dims == lo.dims => GridType::Unstructured,
                (1, 1) => GridType::Rectilinear,
                (2, 2) if la.dims == lo.dims => GridType::Curvilinear,
                _ => GridType::None,
            },
            _ => GridType::None,
        };
        Ok(CfInfo { main, time, lat, lon, level, realization, grid })
    }

    /// The name of the time dimension (the time coordinate is 1-D).
    #[must_use]
    pub fn time_dim<'a>(&self, ds: &'a Dataset) -> Option<&'a str> {
        let t = ds.var(self.time.as_deref()?)?;
        t.dims.first().map(String::as_str)
    }

    /// The coordinate variable name for `role`.
    #[must_use]
    pub fn coord(&self, role: Role) -> Option<&str> {
        match role {
            Role::Time => self.time.as_deref(),
            Role::Latitude => self.lat.as_deref(),
            Role::Longitude => self.lon.as_deref(),
            Role::Level => self.level.as_deref(),
            Role::Realization => self.realization.as_deref(),
        }
    }
}

/// clisops `get_main_variable`: among variables that are not dimension names and whose name
/// contains none of `bnd, bound, lat, lon, time, level, realization`, the one with most
/// dimensions (first on ties).
///
/// # Errors
/// When no variable qualifies.
pub fn main_variable(ds: &Dataset) -> Result<String, CfError> {
    const COMMON: &[&str] = &["bnd", "bound", "lat", "lon", "time", "level", "realization"];
    let mut best: Option<&Variable> = None;
    for v in &ds.vars {
        if ds.vars.iter().any(|o| o.dims.contains(&v.name)) || ds.dim(&v.name).is_some() {
            continue;
        }
        if COMMON.iter().any(|c| v.name.contains(c)) {
            continue;
        }
        if best.is_none_or(|b| v.dims.len() > b.dims.len()) {
            best = Some(v);
        }
    }
    best.map(|v| v.name.clone()).ok_or(CfError::NoMainVariable)
}

/// clisops `get_coord_by_type`: candidates with the role (dimension coordinates only when
/// `dims_only`); one → it; several → the one with most dimensions all used by the main
/// variable.
#[must_use]
pub fn coord_by_role(ds: &Dataset, main: &Variable, role: Role, dims_only: bool) -> Option<String> {
    let mut cands: Vec<&Variable> = ds
        .vars
        .iter()
        .filter(|v| v.name != main.name)
        .filter(|v| !dims_only || (v.dims.len() == 1 && v.dims[0] == v.name))
        .filter(|v| coord_role(v) == Some(role))
        .collect();
    if cands.len() > 1 {
        // Prefer variables laid on the main variable's dimensions, then dimension coordinates.
        cands.retain(|v| !v.dims.is_empty() && v.dims.iter().all(|d| main.dims.contains(d)));
        cands.sort_by_key(|v| {
            let is_dim_coord = v.dims.len() == 1 && v.dims[0] == v.name;
            (std::cmp::Reverse(v.dims.len()), !is_dim_coord)
        });
    }
    cands.first().map(|v| v.name.clone())
}

/// The bounds variable of coordinate `var` (its `bounds` attribute), if present in `ds`.
#[must_use]
pub fn bounds_of<'a>(ds: &'a Dataset, var: &str) -> Option<&'a Variable> {
    let name = ds.var(var)?.attrs.get_str("bounds")?;
    ds.var(name.trim())
}
