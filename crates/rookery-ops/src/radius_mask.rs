//! Radius subset (EDR `radius`): the horizontal cells whose centre lies within a great-circle
//! distance of a point. The subset planner crops to the kept cells and masks the others, as
//! for polygons ([`crate::shape_mask`]).

use crate::plan::CellSelector;
use crate::OpError;
use rookery_cf::{CfInfo, GridType};
use rookery_io::Source;
use rookery_regrid::great_circle_km;

/// Cells within `km` of (`lon`, `lat`).
#[derive(Clone, Debug)]
pub struct RadiusMask {
    /// Centre longitude, degrees east.
    pub lon: f64,
    /// Centre latitude, degrees north.
    pub lat: f64,
    /// Distance in km (great circle on a sphere of the mean Earth radius).
    pub km: f64,
}

impl CellSelector for RadiusMask {
    fn describe(&self) -> String {
        format!("cells whose centre lies within {} km of ({}, {}) kept, others masked", self.km, self.lon, self.lat)
    }

    fn cells(&self, src: &dyn Source, info: &CfInfo) -> Result<Vec<bool>, OpError> {
        let no_grid = || OpError::Invalid("a radius query needs latitude and longitude coordinates".into());
        let (Some(lat), Some(lon)) = (info.lat.as_deref(), info.lon.as_deref()) else { return Err(no_grid()) };
        let latv: Vec<f64> = crate::average::weights::read_f64(src, lat)?.iter().copied().collect();
        let lonv: Vec<f64> = crate::average::weights::read_f64(src, lon)?.iter().copied().collect();
        let near =
            |x: f64, y: f64| x.is_finite() && y.is_finite() && great_circle_km(x, y, self.lon, self.lat) <= self.km;
        let keep: Vec<bool> = match info.grid {
            GridType::Rectilinear => {
                latv.iter().flat_map(|&y| lonv.iter().map(move |&x| (x, y))).map(|(x, y)| near(x, y)).collect()
            }
            GridType::Curvilinear | GridType::Unstructured => {
                if latv.len() != lonv.len() {
                    return Err(OpError::Data(format!("'{lat}' and '{lon}' differ in size")));
                }
                lonv.iter().zip(&latv).map(|(&x, &y)| near(x, y)).collect()
            }
            GridType::None => return Err(no_grid()),
        };
        if !keep.iter().any(|&k| k) {
            return Err(OpError::NoData(format!(
                "no grid cell has its centre within {} km of ({}, {})",
                self.km, self.lon, self.lat
            )));
        }
        Ok(keep)
    }
}
