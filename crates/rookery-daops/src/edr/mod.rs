//! OGC API – Environmental Data Retrieval (EDR 1.1) for served datasets, below the HTTP
//! floor: query parameters parsed, queries planned on rookery's subset and point-extraction
//! planners, answers encoded.
//!
//! ```text
//!   EdrQuery::parse(kind, params, accept)     position | area | cube | radius; coords (WKT),
//!                                             bbox, within(+units), datetime, z,
//!                                             parameter-name, crs (CRS84 only), f / Accept
//!   Daops::edr_query(dataset, query, limits)  plan (point.rs nearest cell; shape_mask.rs
//!        │                                    centres in polygons; a radius cell selector;
//!        │                                    subset bbox) → size → 413 before reading data
//!        ▼
//!   NetCDF through rookery's writers (write_points / write_plan) in a temporary directory
//!        │      answered as is for f=netcdf, else read back and encoded (encode.rs):
//!        ▼
//!   CoverageJSON (PointSeries / CoverageCollection / Grid / MultiPointSeries), CSV, GeoJSON
//! ```
//!
//! [`meta`] builds the landing page, conformance, OpenAPI and collection documents.

mod encode;
pub mod meta;
mod query;
pub mod wkt;

pub use query::{EdrAnswer, EdrLimits};

use rookery_ops::{AreaParam, LevelParam, OpError, TimeParam};
use std::collections::BTreeMap;

/// An EDR failure, each answered with its own status.
#[derive(Debug, thiserror::Error)]
pub enum EdrError {
    /// A client mistake (bad WKT, datetime, parameter ...): 400.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing selected: 404.
    #[error("{0}")]
    NoData(String),
    /// The answer would exceed the configured size: 413.
    #[error("the answer would be about {bytes} bytes ({values} values), more than the limit of {limit} bytes (max_answer_bytes); ask for fewer points, a shorter time interval or fewer parameters")]
    TooLarge {
        /// Estimated answer size.
        bytes: u64,
        /// Values in it.
        values: u64,
        /// The limit.
        limit: u64,
    },
    /// A read or write failure: 500.
    #[error("{0}")]
    Failed(String),
}

impl From<OpError> for EdrError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::Invalid(m) => EdrError::BadRequest(m),
            OpError::NoData(m) => EdrError::NoData(m),
            other => EdrError::Failed(other.to_string()),
        }
    }
}

/// Answer formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CoverageJSON (default).
    CovJson,
    /// CSV, a row per time step, level and cell.
    Csv,
    /// GeoJSON, a feature per cell.
    GeoJson,
    /// NetCDF-4, rookery's writer.
    NetCdf,
}

impl Format {
    /// The name listed in `output_formats`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::CovJson => "CoverageJSON",
            Format::Csv => "CSV",
            Format::GeoJson => "GeoJSON",
            Format::NetCdf => "NetCDF",
        }
    }

    /// Every format, default first.
    pub const ALL: [Format; 4] = [Format::CovJson, Format::Csv, Format::GeoJson, Format::NetCdf];

    /// Media type of the answer.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Format::CovJson => "application/prs.coverage+json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::GeoJson => "application/geo+json",
            Format::NetCdf => "application/x-netcdf",
        }
    }

    fn from_f(f: &str) -> Result<Format, EdrError> {
        match f.trim().to_ascii_lowercase().as_str() {
            "covjson" | "coveragejson" | "json" => Ok(Format::CovJson),
            "csv" => Ok(Format::Csv),
            "geojson" => Ok(Format::GeoJson),
            "netcdf" | "nc" | "netcdf4" => Ok(Format::NetCdf),
            other => {
                Err(EdrError::BadRequest(format!("f must be one of covjson, csv, geojson, netcdf, not '{other}'")))
            }
        }
    }

    fn from_accept(a: &str) -> Option<Format> {
        a.split(',').find_map(|m| match m.split(';').next().unwrap_or_default().trim() {
            "application/prs.coverage+json" | "application/vnd.cov+json" => Some(Format::CovJson),
            "text/csv" => Some(Format::Csv),
            "application/geo+json" => Some(Format::GeoJson),
            "application/x-netcdf" | "application/netcdf" => Some(Format::NetCdf),
            _ => None,
        })
    }
}

/// What a query selects horizontally.
#[derive(Clone, Debug)]
pub enum Selection {
    /// `position`: the nearest cell of each point; `multi` for a MULTIPOINT.
    Position {
        /// (lon, lat) of each point.
        points: Vec<(f64, f64)>,
        /// Written as MULTIPOINT (a CoverageCollection answers).
        multi: bool,
    },
    /// `area`: cells whose centres fall inside the polygons.
    Area(Vec<rookery_ops::average::geometry::Polygon>),
    /// `cube`: a longitude/latitude box.
    Cube(AreaParam),
    /// `radius`: cells within `km` of a point (great-circle distance).
    Radius {
        /// Centre longitude.
        lon: f64,
        /// Centre latitude.
        lat: f64,
        /// Distance in km.
        km: f64,
    },
}

/// A parsed EDR query.
#[derive(Clone, Debug)]
pub struct EdrQuery {
    /// The horizontal selection.
    pub selection: Selection,
    /// `datetime`.
    pub time: Option<TimeParam>,
    /// `z`.
    pub level: Option<LevelParam>,
    /// `parameter-name`; `None`: every parameter.
    pub params: Option<Vec<String>>,
    /// The answer format.
    pub format: Format,
}

/// The query types answered.
pub const QUERIES: [&str; 4] = ["position", "area", "cube", "radius"];

/// Query parameters each query type takes.
#[must_use]
pub fn parameters_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "position" | "area" => &["coords", "datetime", "z", "parameter-name", "crs", "f"],
        "cube" => &["bbox", "datetime", "z", "parameter-name", "crs", "f"],
        "radius" => &["coords", "within", "within-units", "datetime", "z", "parameter-name", "crs", "f"],
        _ => &[],
    }
}

fn bad(m: impl Into<String>) -> EdrError {
    EdrError::BadRequest(m.into())
}

/// `datetime`: an instant, or an interval `a/b` with `..` (or nothing) for an open side. A
/// date without a time of day as an instant is that whole day.
///
/// # Errors
/// Not a date or an interval.
pub fn parse_datetime(s: &str) -> Result<Option<TimeParam>, EdrError> {
    let s = s.trim();
    let open = |x: &str| if x.trim() == ".." { String::new() } else { x.trim().to_string() };
    let text = if let Some((a, b)) = s.split_once('/') {
        if b.contains('/') {
            return Err(bad(format!("datetime '{s}' is not an instant or an interval a/b")));
        }
        format!("{}/{}", open(a), open(b))
    } else if s.contains(',') {
        return Err(bad(format!("datetime '{s}': lists are not taken, give an instant or an interval a/b")));
    } else if !s.contains('T') && !s.contains(' ') {
        format!("{s}/{s}")
    } else {
        s.to_string()
    };
    TimeParam::parse(&text).map_err(|e| bad(format!("datetime '{s}': {e}")))
}

/// `z`: a level, `a/b`, `a,b,c` or `R<n>/<first>/<step>`.
///
/// # Errors
/// Not numbers.
pub fn parse_z(s: &str) -> Result<Option<LevelParam>, EdrError> {
    let s = s.trim();
    let num = |x: &str| x.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let err = || bad(format!("z '{s}' is not a level, a/b, a,b,c or R<n>/<first>/<step>"));
    if let Some(r) = s.strip_prefix('R') {
        let p: Vec<&str> = r.split('/').collect();
        let n = p.first().and_then(|x| x.trim().parse::<usize>().ok()).filter(|&n| (1..=10_000).contains(&n));
        let (Some(n), Some(a), Some(d)) = (n, p.get(1).and_then(|x| num(x)), p.get(2).and_then(|x| num(x))) else {
            return Err(err());
        };
        if p.len() != 3 {
            return Err(err());
        }
        #[allow(clippy::cast_precision_loss)]
        return Ok(Some(LevelParam::Series((0..n).map(|k| a + d * k as f64).collect())));
    }
    if let Some(v) = num(s) {
        return Ok(Some(LevelParam::Series(vec![v])));
    }
    LevelParam::parse(s).map_err(|_| err())
}

/// `crs`: only CRS84 (longitude, latitude on WGS 84).
///
/// # Errors
/// Any other CRS.
pub fn check_crs(s: &str) -> Result<(), EdrError> {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    match t {
        ""
        | "CRS84"
        | "OGC:CRS84"
        | "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        | "https://www.opengis.net/def/crs/OGC/1.3/CRS84" => Ok(()),
        _ => Err(bad(format!("crs '{s}' is not supported: only CRS84 (http://www.opengis.net/def/crs/OGC/1.3/CRS84)"))),
    }
}

fn number(s: &str, what: &str) -> Result<f64, EdrError> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| bad(format!("{what}: '{}' is not a number", s.trim())))
}

impl EdrQuery {
    /// Parses query `kind` from its query-string parameters (`accept`: the request's Accept
    /// header, used when `f` is absent).
    ///
    /// # Errors
    /// An unknown query type or parameter, a missing or malformed value.
    pub fn parse(kind: &str, q: &BTreeMap<String, String>, accept: Option<&str>) -> Result<EdrQuery, EdrError> {
        let known = parameters_of(kind);
        if known.is_empty() {
            return Err(EdrError::NoData(format!("no query type '{kind}' (answered: {})", QUERIES.join(", "))));
        }
        if let Some(k) = q.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(bad(format!("{kind} takes no parameter '{k}' (it takes: {})", known.join(", "))));
        }
        let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.trim().is_empty());
        if let Some(c) = get("crs") {
            check_crs(c)?;
        }
        let coords = || get("coords").ok_or_else(|| bad(format!("{kind} needs coords (WKT)")));
        let selection = match kind {
            "position" => match wkt::parse(coords()?)? {
                wkt::Geometry::Points { points, multi } => Selection::Position { points, multi },
                wkt::Geometry::Polygons(_) => return Err(bad("position needs coords as WKT POINT or MULTIPOINT")),
            },
            "area" => match wkt::parse(coords()?)? {
                wkt::Geometry::Polygons(p) => Selection::Area(p),
                wkt::Geometry::Points { .. } => return Err(bad("area needs coords as WKT POLYGON or MULTIPOLYGON")),
            },
            "radius" => {
                let (lon, lat) = match wkt::parse(coords()?)? {
                    wkt::Geometry::Points { points, multi: false } => points[0],
                    _ => return Err(bad("radius needs coords as one WKT POINT")),
                };
                let w = number(get("within").ok_or_else(|| bad("radius needs within (a distance)"))?, "within")?;
                let unit = get("within-units").ok_or_else(|| bad("radius needs within-units (km, m or mi)"))?;
                let km = match unit.trim().to_ascii_lowercase().as_str() {
                    "km" => w,
                    "m" => w / 1000.0,
                    "mi" => w * 1.609_344,
                    u => return Err(bad(format!("within-units must be km, m or mi, not '{u}'"))),
                };
                if km <= 0.0 {
                    return Err(bad(format!("within must be greater than 0, not {w}")));
                }
                Selection::Radius { lon, lat, km }
            }
            _ => {
                let b = get("bbox").ok_or_else(|| bad("cube needs bbox=minx,miny,maxx,maxy"))?;
                let v: Vec<f64> = b.split(',').map(|x| number(x, "bbox")).collect::<Result<_, _>>()?;
                let (w, s, e, n) = match v.as_slice() {
                    [w, s, e, n] | [w, s, _, e, n, _] => (*w, *s, *e, *n),
                    _ => return Err(bad(format!("bbox '{b}' must be minx,miny,maxx,maxy (4 numbers)"))),
                };
                if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) || s > n || w > e {
                    return Err(bad(format!("bbox '{b}': need minx <= maxx, -90 <= miny <= maxy <= 90")));
                }
                Selection::Cube(AreaParam { west: w, south: s, east: e, north: n })
            }
        };
        let mut level = get("z").map(parse_z).transpose()?.flatten();
        if level.is_none() && kind == "cube" {
            let b = get("bbox").unwrap_or_default();
            let v: Vec<f64> = b.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            if v.len() == 6 {
                level = Some(LevelParam::Interval(Some(v[2].min(v[5])), Some(v[2].max(v[5]))));
            }
        }
        let time = get("datetime").map(parse_datetime).transpose()?.flatten();
        let params = get("parameter-name")
            .map(|p| p.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect::<Vec<_>>());
        if params.as_ref().is_some_and(Vec::is_empty) {
            return Err(bad("parameter-name lists no parameter"));
        }
        let format = match get("f") {
            Some(f) => Format::from_f(f)?,
            None => accept.and_then(Format::from_accept).unwrap_or(Format::CovJson),
        };
        Ok(EdrQuery { selection, time, level, params, format })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: &str, pairs: &[(&str, &str)]) -> Result<EdrQuery, EdrError> {
        let m = pairs.iter().map(|(a, b)| ((*a).to_string(), (*b).to_string())).collect();
        EdrQuery::parse(kind, &m, None)
    }

    #[test]
    fn query_parameters() {
        let p = q("position", &[("coords", "POINT(10 50)"), ("datetime", "2000-01-01/..")]).expect("ok");
        assert!(matches!(p.selection, Selection::Position { multi: false, .. }));
        assert!(matches!(p.time, Some(TimeParam::Interval(Some(_), None))));
        assert_eq!(p.format, Format::CovJson);
        assert!(q("position", &[("coords", "POLYGON((0 0,1 0,1 1,0 0))")]).is_err());
        assert!(q("position", &[("coords", "POINT(1 2)"), ("crs", "EPSG:3857")]).is_err());
        assert!(q("position", &[("coords", "POINT(1 2)"), ("crs", "CRS84")]).is_ok());
        assert!(q("position", &[("coords", "POINT(1 2)"), ("bogus", "1")]).is_err());
        assert!(q("position", &[("coords", "POINT(1 2)"), ("datetime", "yesterday")]).is_err());
        assert!(q("position", &[("coords", "POINT(1 2)"), ("f", "xml")]).is_err());
        let r = q("radius", &[("coords", "POINT(1 2)"), ("within", "1500"), ("within-units", "m")]).expect("ok");
        assert!(matches!(r.selection, Selection::Radius { km, .. } if (km - 1.5).abs() < 1e-12));
        assert!(q("radius", &[("coords", "POINT(1 2)"), ("within", "1")]).is_err());
        let c = q("cube", &[("bbox", "0,40,10,50"), ("z", "R3/100/50"), ("f", "csv")]).expect("ok");
        assert!(matches!(c.level, Some(LevelParam::Series(ref v)) if v == &[100.0, 150.0, 200.0]));
        assert_eq!(c.format, Format::Csv);
        assert!(q("cube", &[("bbox", "0,40,10")]).is_err());
        assert!(matches!(q("items", &[]), Err(EdrError::NoData(_))));
        assert!(matches!(parse_datetime("2001-02-03"), Ok(Some(TimeParam::Interval(Some(_), Some(_))))));
        assert!(matches!(parse_datetime("2001-02-03T12:00:00Z"), Ok(Some(TimeParam::Series(_)))));
        assert_eq!(Format::from_accept("text/csv;q=0.9, */*"), Some(Format::Csv));
    }
}
