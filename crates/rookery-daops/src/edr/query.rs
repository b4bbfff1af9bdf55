//! Planning and running an EDR query on a served dataset: the horizontal selection becomes
//! rookery's point-extraction plan (`position`) or a subset plan (`cube`: a box; `area`: a
//! polygon mask; `radius`: a distance mask), the size of the answer is known from the plan
//! (coordinates only are read) and checked against the limit, then the answer is written by
//! rookery's NetCDF writers and, unless NetCDF was asked for, read back and encoded.

use super::encode::{self, Table};
use super::{meta, wkt, EdrError, EdrQuery, Format, Selection};
use crate::serve::ServedDataset;
use crate::Daops;
use rookery_ops::plan::CellSelector;
use rookery_ops::point::{plan_points, write_points, PointRequest, Station};
use rookery_ops::radius_mask::RadiusMask;
use rookery_ops::{plan_subset, write_plan, FileNamer, NamerKind, OutputSpec, ShapeMask, SubsetRequest};
use std::path::PathBuf;
use std::sync::Arc;

/// Bytes counted per value of a text answer (CoverageJSON, CSV, GeoJSON) when estimating its
/// size: a number printed with its separator, and a share of the row or coordinate text.
const TEXT_BYTES_PER_VALUE: u64 = 16;

/// Limits and scratch space of EDR queries.
#[derive(Clone, Debug)]
pub struct EdrLimits {
    /// Largest answer, in bytes (estimated before any data is read).
    pub max_answer_bytes: u64,
    /// Where the NetCDF of an answer is written (a temporary directory in it, removed after).
    pub tmp_dir: PathBuf,
}

/// An encoded answer.
#[derive(Debug)]
pub struct EdrAnswer {
    /// The bytes.
    pub body: Vec<u8>,
    /// Their media type.
    pub media_type: &'static str,
    /// A file name for `Content-Disposition`.
    pub file_name: String,
}

fn kind_of(s: &Selection) -> &'static str {
    match s {
        Selection::Position { .. } => "position",
        Selection::Area(_) => "area",
        Selection::Cube(_) => "cube",
        Selection::Radius { .. } => "radius",
    }
}

impl Daops {
    /// Answers EDR query `q` on dataset `d` (see the module documentation).
    ///
    /// # Errors
    /// [`EdrError::BadRequest`] for an unknown parameter or an unusable selection,
    /// [`EdrError::NoData`] when nothing is selected, [`EdrError::TooLarge`] before reading
    /// any data, [`EdrError::Failed`] for read/write failures.
    #[allow(clippy::too_many_lines)]
    pub fn edr_query(&self, d: &ServedDataset, q: &EdrQuery, lim: &EdrLimits) -> Result<EdrAnswer, EdrError> {
        let src = d.source.as_ref();
        let ds = src.dataset();
        let info = d
            .info
            .as_ref()
            .filter(|i| i.lat.is_some() && i.lon.is_some())
            .ok_or_else(|| EdrError::BadRequest(format!("dataset {} has no latitude/longitude grid", d.id)))?;
        let all = meta::parameter_names(ds, info);
        let params: Vec<String> = match &q.params {
            Some(p) => {
                if let Some(u) = p.iter().find(|n| !all.contains(n)) {
                    return Err(EdrError::BadRequest(format!(
                        "parameter-name '{u}' is not a parameter of {} (parameters: {})",
                        d.id,
                        all.join(", ")
                    )));
                }
                p.clone()
            }
            None => all.clone(),
        };
        if params.is_empty() {
            return Err(EdrError::NoData(format!("dataset {} has no parameter on its grid", d.id)));
        }
        let drop: Vec<String> = all.iter().filter(|n| !params.contains(n)).cloned().collect();
        let shape: Option<Arc<dyn CellSelector>> = match &q.selection {
            Selection::Area(polys) => Some(Arc::new(ShapeMask {
                path: "coords".into(),
                shapes: Arc::new(wkt::shapes(polys)?),
                min_fraction: None,
                cache: None,
            })),
            Selection::Radius { lon, lat, km } => Some(Arc::new(RadiusMask { lon: *lon, lat: *lat, km: *km })),
            _ => None,
        };
        let area = if let Selection::Cube(a) = &q.selection { Some(*a) } else { None };
        let sreq = SubsetRequest { time: q.time.clone(), level: q.level.clone(), area, time_components: None, shape };
        // Coordinates only are read here (the masks read latitude and longitude).
        let mut plan = plan_subset(src, &sreq)?;
        plan.out.vars.retain(|v| !drop.contains(&v.name));
        let hdims = meta::horizontal_dims(ds, info);
        let points: Vec<(f64, f64)> = match &q.selection {
            Selection::Position { points, .. } => points.clone(),
            _ => Vec::new(),
        };
        let (mut values, mut bytes) = (0u64, 0u64);
        for name in &params {
            let Some(v) = plan.out.var(name) else { continue };
            let n: u64 = if points.is_empty() {
                v.shape.iter().map(|&x| x as u64).product()
            } else {
                let lead: u64 =
                    v.dims.iter().zip(&v.shape).filter(|(d, _)| !hdims.contains(d)).map(|(_, &x)| x as u64).product();
                lead * points.len() as u64
            };
            let all_n: u64 = v.shape.iter().map(|&x| x as u64).product::<u64>().max(1);
            let elem = (v.nbytes() as u64 / all_n).max(1);
            values += n;
            bytes += n * if q.format == Format::NetCdf { elem } else { TEXT_BYTES_PER_VALUE };
        }
        if bytes > lim.max_answer_bytes {
            return Err(EdrError::TooLarge { bytes, values, limit: lim.max_answer_bytes });
        }
        let kind = kind_of(&q.selection);
        std::fs::create_dir_all(&lim.tmp_dir)
            .map_err(|e| EdrError::Failed(format!("cannot create {}: {e}", lim.tmp_dir.display())))?;
        let tmp = tempfile::Builder::new()
            .prefix(".edr-")
            .tempdir_in(&lim.tmp_dir)
            .map_err(|e| EdrError::Failed(format!("cannot create a directory in {}: {e}", lim.tmp_dir.display())))?;
        let spec = OutputSpec {
            dir: tmp.path().to_path_buf(),
            format: rookery_io::OutputFormat::Nc4,
            size_limit: 1 << 62,
            extra: String::new(),
            history: format!("OGC API - EDR {kind} query of {} (rookery)", d.id),
            cancel: self.io().cancel().clone(),
        };
        let mut namer = FileNamer::new(NamerKind::Simple, Vec::new());
        let progress = |_: u64, _: u64| {};
        let ids: Vec<String> = (1..=points.len()).map(|k| format!("P{k}")).collect();
        let written = if points.is_empty() {
            write_plan(src, &plan, &spec, &mut namer, &progress)?
        } else {
            let stations = points
                .iter()
                .zip(&ids)
                .map(|(&(lon, lat), id)| Station { id: id.clone(), name: id.clone(), lon, lat })
                .collect();
            let preq =
                PointRequest { stations, time: q.time.clone(), level: q.level.clone(), ..PointRequest::default() };
            let mut pp = plan_points(src, &preq)?;
            pp.out.vars.retain(|v| !drop.contains(&v.name));
            write_points(src, &pp, &spec, false, &mut namer, &progress)?
        };
        let [path] = written.as_slice() else {
            return Err(EdrError::Failed(format!("expected one output file, the writer made {}", written.len())));
        };
        let stem = format!("{}_{kind}", d.id);
        if q.format == Format::NetCdf {
            let body = std::fs::read(path).map_err(|e| EdrError::Failed(format!("reading the answer: {e}")))?;
            return Ok(EdrAnswer { body, media_type: q.format.media_type(), file_name: format!("{stem}.nc") });
        }
        let out = rookery_io::open_paths(&self.io().with_root(tmp.path()), std::slice::from_ref(path))
            .map_err(|e| EdrError::Failed(format!("reading the answer back: {e}")))?;
        let position = match &q.selection {
            Selection::Position { multi, .. } => Some((ids, *multi)),
            _ => None,
        };
        let calendar = meta::calendar(ds, info);
        let t = Table::read(out.as_ref(), ds, info, &params, &plan.times, position, calendar)?;
        let (body, ext) = match q.format {
            Format::Csv => (encode::csv(&t), "csv"),
            Format::GeoJson => (encode::geojson(&t).to_string(), "geojson"),
            _ => (encode::covjson(&t).to_string(), "covjson"),
        };
        Ok(EdrAnswer { body: body.into_bytes(), media_type: q.format.media_type(), file_name: format!("{stem}.{ext}") })
    }
}
