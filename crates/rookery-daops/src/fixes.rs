//! Dataset fixes applied on open (roocs.md §3.2–§3.3): a catalogue of fix records (built-in
//! decadal and ATLAS fixes, plus JSON/YAML files in `[fixes] dir`) matched by dataset-id
//! patterns; each record is a list of steps of the dachar fix types, whose operands may be
//! *derived* (`"derive: get_reftime"`, `"derive: get_decadal_model_attr_from_dict: forcing_description"`).
//!
//! A fixed dataset is a [`FixedSource`]: the corrected metadata, small in-memory variables
//! for added coordinates, and reads of the underlying source for everything else.

use crate::config::Config;
use crate::DaopsError;
use ndarray::{ArrayD, Axis, IxDyn};
use rookery_cf::time::{Calendar, DateTime, PartialDateTime, TimeCoder, TimeError};
use rookery_cf::{map_array, Array, AttrValue, CfError, CfInfo, DType, Dataset, Variable};
use rookery_io::{IoError, Source};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const BUILTIN: &[(&str, &str)] = &[
    ("built-in decadal.json", include_str!("../fixes/decadal.json")),
    ("built-in atlas.json", include_str!("../fixes/atlas.json")),
];

/// One step of a fix record.
#[derive(Clone, Debug, PartialEq)]
pub struct FixStep {
    /// The dachar fix type (`SqueezeDimensionsFix`, `AddScalarCoordFix`, ...).
    pub fix_id: String,
    /// The fix's operands as given in the record; string values may be `"derive: ..."` rules.
    pub operands: serde_json::Map<String, Value>,
}

/// A fix record: which datasets, which steps.
#[derive(Clone, Debug, PartialEq)]
pub struct FixRecord {
    /// Record id (for a dachar record, the dataset id it fixes).
    pub id: String,
    /// Free text describing the fix (empty when the record has none).
    pub description: String,
    /// Dataset-id wildcard patterns (`*`, `?`) the record applies to.
    pub patterns: Vec<String>,
    /// The steps, applied in order.
    pub steps: Vec<FixStep>,
    /// The file it came from.
    pub origin: String,
}

/// All known fix records.
#[derive(Clone, Debug, Default)]
pub struct FixCatalog {
    /// Built-in records first, then those of the `[fixes] dir` files in path order.
    pub records: Vec<FixRecord>,
}

fn parse_records(text: &str, origin: &str) -> Result<Vec<FixRecord>, DaopsError> {
    let bad = |reason: String| DaopsError::FixFile { file: origin.to_string(), reason };
    let doc: Value = if origin.ends_with(".yaml") || origin.ends_with(".yml") {
        serde_yaml::from_str(text).map_err(|e| bad(e.to_string()))?
    } else {
        serde_json::from_str(text).map_err(|e| bad(e.to_string()))?
    };
    let steps_of = |v: &Value, rec: &str| -> Result<Vec<FixStep>, DaopsError> {
        let arr = v.as_array().ok_or_else(|| bad(format!("record {rec}: 'steps' must be a list")))?;
        arr.iter()
            .map(|s| {
                let fix_id = s
                    .get("fix_id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(format!("record {rec}: a step has no fix_id")))?;
                let operands = s.get("operands").and_then(Value::as_object).cloned().unwrap_or_default();
                Ok(FixStep { fix_id: fix_id.to_string(), operands })
            })
            .collect()
    };
    // dachar's published record: {"dataset_id": ..., "fixes": [{fix_id, operands, ...}]}.
    if let Some(id) = doc.get("dataset_id").and_then(Value::as_str) {
        let steps = steps_of(doc.get("fixes").unwrap_or(&Value::Null), id)?;
        return Ok(vec![FixRecord {
            id: id.to_string(),
            description: format!("fixes for {id}"),
            patterns: vec![id.to_string()],
            steps,
            origin: origin.to_string(),
        }]);
    }
    let list = doc
        .get("fixes")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("expected {\"fixes\": [...]} or a dachar record with dataset_id".into()))?;
    list.iter()
        .map(|r| {
            let id = r.get("id").and_then(Value::as_str).ok_or_else(|| bad("a record has no id".into()))?;
            let patterns: Vec<String> = r
                .pointer("/match/dataset_id_patterns")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            if patterns.is_empty() {
                return Err(bad(format!("record {id}: no match.dataset_id_patterns")));
            }
            Ok(FixRecord {
                id: id.to_string(),
                description: r.get("description").and_then(Value::as_str).unwrap_or("").to_string(),
                patterns,
                steps: steps_of(r.get("steps").unwrap_or(&Value::Null), id)?,
                origin: origin.to_string(),
            })
        })
        .collect()
}

impl FixCatalog {
    /// Built-in records plus the files of `[fixes] dir`.
    ///
    /// # Errors
    /// A fix file that cannot be read or parsed.
    pub fn load(cfg: &Config) -> Result<FixCatalog, DaopsError> {
        let mut records = Vec::new();
        for (origin, text) in BUILTIN {
            records.extend(parse_records(text, origin)?);
        }
        if let Some(dir) = cfg.path("fixes", "dir") {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| DaopsError::Config(format!("fixes dir {}: {e}", dir.display())))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")))
                .collect();
            files.sort();
            for f in files {
                records.extend(Self::read_file(&f)?);
            }
        }
        Ok(FixCatalog { records })
    }

    fn read_file(f: &Path) -> Result<Vec<FixRecord>, DaopsError> {
        let text = std::fs::read_to_string(f)
            .map_err(|e| DaopsError::FixFile { file: f.display().to_string(), reason: e.to_string() })?;
        parse_records(&text, &f.display().to_string())
    }

    /// Records whose patterns match `ds_id`, in catalogue order.
    #[must_use]
    pub fn matching(&self, ds_id: &str) -> Vec<&FixRecord> {
        self.records.iter().filter(|r| r.patterns.iter().any(|p| crate::wildcard::matches(p, ds_id))).collect()
    }

    /// Record `id`.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&FixRecord> {
        self.records.iter().find(|r| r.id == id)
    }

    /// Applies every matching record to `src` (unchanged when none matches). Returns the
    /// source and the ids of the records applied.
    ///
    /// # Errors
    /// A step with a missing or bad operand, or a variable it needs that does not exist.
    pub fn apply(&self, src: Box<dyn Source>, ds_id: &str) -> Result<(Box<dyn Source>, Vec<String>), DaopsError> {
        let recs = self.matching(ds_id);
        if recs.is_empty() {
            return Ok((src, Vec::new()));
        }
        let mut fixed = FixedSource::new(src);
        let mut applied = Vec::new();
        for r in recs {
            for s in &r.steps {
                fixed.apply_step(ds_id, s).map_err(|source| {
                    DaopsError::Fix(Box::new(FixFailure {
                        record: r.id.clone(),
                        origin: r.origin.clone(),
                        step: s.fix_id.clone(),
                        ds_id: ds_id.to_string(),
                        source,
                    }))
                })?;
            }
            applied.push(r.id.clone());
        }
        Ok((Box::new(fixed), applied))
    }
}

/// Why one step of a fix record cannot be applied to a dataset. The message is the step's
/// part of [`DaopsError::Fix`]'s.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// The step lacks an operand its fix type needs.
    #[error("missing operand '{0}'")]
    MissingOperand(String),
    /// An operand of the wrong type or value (the text says which and why).
    #[error("{0}")]
    BadOperand(String),
    /// A `dtype` operand that is not a supported type name.
    #[error("unsupported dtype '{0}'")]
    UnsupportedDtype(String),
    /// A step of a fix type that is not known.
    #[error("unknown fix type '{0}'")]
    UnknownFixType(String),
    /// A `derive:` operand naming a function that is not known.
    #[error("unknown derive function '{0}'")]
    UnknownDerive(String),
    /// The dataset id lacks the token a derive function reads (start date, model).
    #[error("{0}")]
    DatasetId(String),
    /// A derive function has no value for this dataset (an unknown model, a missing
    /// attribute).
    #[error("{0}")]
    Underivable(String),
    /// The dataset lacks what the step needs (a time coordinate, its units, numeric values).
    #[error("{0}")]
    Dataset(String),
    /// The step names a variable the dataset does not have.
    #[error("no variable '{0}'")]
    NoVariable(String),
    /// The step names a dimension the dataset does not have.
    #[error("no dimension '{0}'")]
    NoDimension(String),
    /// `SqueezeDimensionsFix` of a dimension longer than 1.
    #[error("dimension '{dim}' has length {len}; only length-1 dimensions can be squeezed")]
    NotSqueezable {
        /// The dimension.
        dim: String,
        /// Its length.
        len: usize,
    },
    /// The dataset's CF roles cannot be detected.
    #[error(transparent)]
    Cf(#[from] CfError),
    /// Time units, calendars or values that cannot be decoded or encoded.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// Reading the underlying source failed.
    #[error(transparent)]
    Io(#[from] IoError),
}

/// A fix step that failed on a dataset: which record, step and dataset, and why
/// ([`DaopsError::Fix`]).
#[derive(Debug, thiserror::Error)]
#[error("fix {record} ({origin}) step {step} for {ds_id}: {source}")]
pub struct FixFailure {
    /// The fix record's id.
    pub record: String,
    /// The file the record came from.
    pub origin: String,
    /// The step's fix type.
    pub step: String,
    /// The dataset being fixed.
    pub ds_id: String,
    /// What is wrong.
    #[source]
    pub source: FixError,
}

fn bad(msg: impl Into<String>) -> FixError {
    FixError::BadOperand(msg.into())
}

fn lacks(msg: impl Into<String>) -> FixError {
    FixError::Dataset(msg.into())
}

/// A source with fixes applied.
pub struct FixedSource {
    inner: Box<dyn Source>,
    ds: Dataset,
    virtuals: HashMap<String, Array>,
    /// Variable → inner axes removed by squeezing.
    squeezed: HashMap<String, Vec<usize>>,
}

fn json_to_attr(v: &Value) -> Option<AttrValue> {
    Some(match v {
        Value::String(s) => AttrValue::Text(s.clone()),
        Value::Bool(b) => AttrValue::I8(vec![i8::from(*b)]),
        Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => AttrValue::I32(vec![i]),
            None => AttrValue::F64(vec![n.as_f64()?]),
        },
        Value::Array(a) if a.iter().all(Value::is_number) => {
            AttrValue::F64(a.iter().filter_map(Value::as_f64).collect())
        }
        Value::Array(a) => {
            AttrValue::Strings(a.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string)).collect())
        }
        Value::Null | Value::Object(_) => return None,
    })
}

fn dtype_of(s: &str) -> Result<DType, FixError> {
    Ok(match s {
        "int8" | "byte" => DType::I8,
        "int16" | "short" => DType::I16,
        "int32" | "int" => DType::I32,
        "int64" => DType::I64,
        "float32" | "float" => DType::F32,
        "float64" | "double" => DType::F64,
        "str" | "string" => DType::Str,
        o => return Err(FixError::UnsupportedDtype(o.to_string())),
    })
}

fn model_attr(model: &str, attr: &str) -> Option<&'static str> {
    const F1: &str = "f1, CMIP6 historical forcings";
    const PHYS: &str =
        "physics from the standard model configuration, with no additional tuning or different parametrization";
    const INIT: &str = "hindcast initialized based on observations and using historical forcing";
    const EC_INIT: &str = "Atmosphere initialization based on full-fields from ERA-Interim (s1979-s2018) or ERA-40 (s1960-s1978); ocean/sea-ice initialization based on full-fields from NEMO/LIM assimilation run nudged towards ORA-S4 (s1960-s2018)";
    let (f, p, i) = match model {
        "CMCC-CM2-SR5" | "MPI-ESM1-2-HR" | "MPI-ESM1-2-LR" => (F1, PHYS, INIT),
        "EC-Earth3" => (F1, PHYS, EC_INIT),
        "HadGEM3-GC31-MM" => ("f2, CMIP6 v6.2.0 forcings; no ozone remapping", PHYS, INIT),
        _ => return None,
    };
    match attr {
        "forcing_description" => Some(f),
        "physics_description" => Some(p),
        "initialization_description" => Some(i),
        _ => None,
    }
}

impl FixedSource {
    fn new(inner: Box<dyn Source>) -> FixedSource {
        let ds = inner.dataset().clone();
        FixedSource { inner, ds, virtuals: HashMap::new(), squeezed: HashMap::new() }
    }

    fn time_axis(&self) -> Result<(Vec<DateTime>, TimeCoder, String), FixError> {
        let info = CfInfo::detect(&self.ds)?;
        let tv = info.time.ok_or_else(|| lacks("the dataset has no time coordinate"))?;
        let v = self.ds.var(&tv).ok_or_else(|| lacks("no time variable"))?;
        let coder = TimeCoder::new(
            v.attrs.get_str("units").ok_or_else(|| lacks("time has no units"))?,
            v.attrs.get_str("calendar"),
        )?;
        let vals = self.read_all(&tv)?.to_f64().ok_or_else(|| lacks("time is not numeric"))?;
        let times = vals.iter().map(|&x| coder.decode(x)).collect::<Result<Vec<_>, _>>()?;
        Ok((times, coder, tv))
    }

    /// `sYYYY` of token 5 of the dataset id → 1 November of that year (daops `get_start_date`).
    fn start_date(ds_id: &str) -> Result<DateTime, FixError> {
        let tok = ds_id
            .split('.')
            .nth(5)
            .ok_or_else(|| FixError::DatasetId("the dataset id has no start-date token (sYYYY-r...)".into()))?;
        let year: i64 = tok
            .split('-')
            .next()
            .and_then(|s| s.strip_prefix('s'))
            .and_then(|y| y.parse().ok())
            .ok_or_else(|| FixError::DatasetId(format!("'{tok}' does not start with sYYYY")))?;
        Ok(DateTime::new(year, 11, 1, 0, 0, 0))
    }

    fn derive(&self, ds_id: &str, spec: &str) -> Result<Value, FixError> {
        let mut parts = spec.splitn(2, ':');
        let func = parts.next().unwrap_or("").trim();
        let arg = parts.next().map(str::trim);
        let func = func.rsplit('.').next().unwrap_or(func);
        Ok(match func {
            "get_start_date" => Value::String(Self::start_date(ds_id)?.iso()),
            "get_sub_experiment_id" => {
                let d = Self::start_date(ds_id)?;
                Value::String(format!("s{}{}", d.year, d.month))
            }
            "get_reftime" => {
                let mut d = Self::start_date(ds_id)?;
                if let Some(sd) = self.ds.attrs.get_str("startdate") {
                    if let (Some(y), Some(m)) =
                        (sd.get(1..5).and_then(|y| y.parse().ok()), sd.get(5..7).and_then(|m| m.parse().ok()))
                    {
                        if sd.len() == 7 && sd.starts_with('s') && (1..=12).contains(&m) {
                            d = DateTime::new(y, m, d.day, 0, 0, 0);
                        }
                    }
                }
                Value::String(d.iso())
            }
            "get_time_calendar" => Value::String(self.time_axis()?.1.calendar.cf_name().to_string()),
            "get_lead_times" => {
                let (times, coder, _) = self.time_axis()?;
                let r = Self::start_date(ds_id)?;
                let cal = coder.calendar;
                let r0 = cal.to_microseconds(&r);
                Value::Array(
                    times
                        .iter()
                        .map(|t| {
                            let us = cal.to_microseconds(t) - r0;
                            // timedelta.days: floor of the day count.
                            Value::from(i64::try_from(us.div_euclid(86_400_000_000)).unwrap_or(0))
                        })
                        .collect(),
                )
            }
            "get_decadal_model_attr_from_dict" => {
                let attr = arg.ok_or_else(|| bad("get_decadal_model_attr_from_dict needs an attribute name"))?;
                let model = ds_id
                    .split('.')
                    .nth(3)
                    .ok_or_else(|| FixError::DatasetId("the dataset id has no model token".into()))?;
                Value::String(
                    model_attr(model, attr)
                        .ok_or_else(|| FixError::Underivable(format!("no {attr} known for model {model}")))?
                        .to_string(),
                )
            }
            "fix_further_info_url" => {
                let url = self
                    .ds
                    .attrs
                    .get_str("further_info_url")
                    .ok_or_else(|| FixError::Underivable("no further_info_url attribute".into()))?;
                let d = Self::start_date(ds_id)?;
                Value::String(url.replace("none", &format!("s{}", d.year)))
            }
            "get_realization_index" => {
                // Some files (DWD MPI-ESM1-2-LR decadal) store it as text ("1").
                let v = self
                    .ds
                    .attrs
                    .get_f64("realization_index")
                    .or_else(|| self.ds.attrs.get_str("realization_index").and_then(|s| s.trim().parse::<f64>().ok()))
                    .ok_or_else(|| FixError::Underivable("no numeric realization_index attribute".into()))?;
                Value::from(v)
            }
            "get_project_id" => Value::String(ds_id.split('.').next().unwrap_or(ds_id).to_string()),
            o => return Err(FixError::UnknownDerive(o.to_string())),
        })
    }

    fn eval(&self, ds_id: &str, v: &Value) -> Result<Value, FixError> {
        Ok(match v {
            Value::String(s) if s.trim_start().starts_with("derive:") => {
                self.derive(ds_id, s.trim_start().trim_start_matches("derive:").trim())?
            }
            Value::Object(m) => Value::Object(
                m.iter().map(|(k, x)| Ok((k.clone(), self.eval(ds_id, x)?))).collect::<Result<_, FixError>>()?,
            ),
            other => other.clone(),
        })
    }

    fn operand(&self, ds_id: &str, step: &FixStep, name: &str) -> Result<Value, FixError> {
        let v = step.operands.get(name).ok_or_else(|| FixError::MissingOperand(name.to_string()))?;
        self.eval(ds_id, v)
    }

    fn attrs_operand(&self, ds_id: &str, step: &FixStep) -> Result<Vec<(String, AttrValue)>, FixError> {
        let v = self.operand(ds_id, step, "attrs")?;
        let m = v.as_object().ok_or_else(|| bad("operand 'attrs' must be a mapping"))?;
        Ok(m.iter().filter_map(|(k, x)| json_to_attr(x).map(|a| (k.clone(), a))).collect())
    }

    fn var_mut(&mut self, name: &str) -> Result<&mut Variable, FixError> {
        self.ds.var_mut(name).ok_or_else(|| FixError::NoVariable(name.to_string()))
    }

    fn add_virtual(&mut self, var: Variable, data: Array) {
        self.ds.vars.retain(|v| v.name != var.name);
        self.virtuals.insert(var.name.clone(), data);
        self.ds.vars.push(var);
    }

    fn values_array(dtype: DType, vals: &Value, shape: &[usize]) -> Result<Array, FixError> {
        let flat: Vec<f64> = match vals {
            Value::Array(a) => {
                a.iter().map(|x| x.as_f64().ok_or_else(|| bad("non-numeric value"))).collect::<Result<_, _>>()?
            }
            Value::Number(n) => vec![n.as_f64().ok_or_else(|| bad("bad number"))?],
            Value::String(s) => vec![s.trim().parse::<f64>().map_err(|_| bad(format!("'{s}' is not a number")))?],
            _ => return Err(bad("value must be a number or a list of numbers")),
        };
        let n: usize = shape.iter().product();
        if flat.len() != n {
            return Err(bad(format!("value has {} elements where {n} are needed", flat.len())));
        }
        let a = ArrayD::from_shape_vec(IxDyn(shape), flat).map_err(|e| bad(e.to_string()))?;
        Ok(Array::from_f64(dtype, &a))
    }

    #[allow(clippy::too_many_lines)]
    fn apply_step(&mut self, ds_id: &str, step: &FixStep) -> Result<(), FixError> {
        let main = CfInfo::detect(&self.ds).map(|i| i.main).ok();
        match step.fix_id.as_str() {
            "GlobalAttrFix" => {
                for (k, v) in self.attrs_operand(ds_id, step)? {
                    self.ds.attrs.set(&k, v);
                }
            }
            "CheckAddGlobalAttrFix" => {
                for (k, v) in self.attrs_operand(ds_id, step)? {
                    if self.ds.attrs.get_str(&k).is_none_or(|s| s.trim().is_empty())
                        && self.ds.attrs.get_f64(&k).is_none()
                    {
                        self.ds.attrs.set(&k, v);
                    }
                }
            }
            "VarAttrFix" => {
                let var = self.operand(ds_id, step, "var_id")?;
                let var = var.as_str().ok_or_else(|| bad("var_id must be a string"))?.to_string();
                let attrs = self.attrs_operand(ds_id, step)?;
                let v = self.var_mut(&var)?;
                for (k, a) in attrs {
                    v.attrs.set(&k, a);
                }
            }
            "RemoveCoordAttrFix" => {
                let ids = self.operand(ds_id, step, "var_ids")?;
                let ids: Vec<String> = match ids {
                    Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                    Value::String(s) => vec![s],
                    _ => return Err(bad("var_ids must be a list of names")),
                };
                for id in ids {
                    if let Some(v) = self.ds.var_mut(&id) {
                        v.attrs.remove("coordinates");
                    }
                }
            }
            "SqueezeDimensionsFix" => {
                let dims = self.operand(ds_id, step, "dims")?;
                let dims: Vec<String> = dims
                    .as_array()
                    .ok_or_else(|| bad("dims must be a list"))?
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect();
                for d in dims {
                    let len = self.ds.dim(&d).map(|x| x.len).ok_or_else(|| FixError::NoDimension(d.clone()))?;
                    if len != 1 {
                        return Err(FixError::NotSqueezable { dim: d, len });
                    }
                    self.ds.dims.retain(|x| x.name != d);
                    for v in &mut self.ds.vars {
                        if let Some(ax) = v.axis_of(&d) {
                            let inner_ax = {
                                let orig =
                                    self.inner.dataset().var(&v.name).map(|o| o.dims.clone()).unwrap_or_default();
                                orig.iter().position(|x| *x == d).unwrap_or(ax)
                            };
                            self.squeezed.entry(v.name.clone()).or_default().push(inner_ax);
                            v.dims.remove(ax);
                            v.shape.remove(ax);
                        }
                    }
                }
            }
            "AddScalarCoordFix" | "AddDataVarFix" => {
                let var = self.operand(ds_id, step, "var_id")?;
                let var = var.as_str().ok_or_else(|| bad("var_id must be a string"))?.to_string();
                let value = self.operand(ds_id, step, "value")?;
                let dtype = self.operand(ds_id, step, "dtype")?;
                let dtype = dtype.as_str().ok_or_else(|| bad("dtype must be a string"))?.to_string();
                let mut attrs = rookery_cf::Attrs(self.attrs_operand(ds_id, step).unwrap_or_default());
                let (dt, data) = if dtype.starts_with("datetime64") {
                    let enc = self.operand(ds_id, step, "encoding")?;
                    let units = enc
                        .get("units")
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad("encoding.units is needed for a datetime value"))?;
                    let cal = enc.get("calendar").and_then(Value::as_str).unwrap_or("standard");
                    let coder = TimeCoder::new(units, Some(cal))?;
                    let when = value.as_str().ok_or_else(|| bad("a datetime value must be an ISO string"))?;
                    let p = PartialDateTime::parse(when)?;
                    let num = coder.encode(&p.first())?;
                    let edt = dtype_of(enc.get("dtype").and_then(Value::as_str).unwrap_or("float64"))?;
                    attrs.set("units", AttrValue::Text(units.to_string()));
                    attrs.set("calendar", AttrValue::Text(cal.to_string()));
                    (edt, Self::values_array(edt, &Value::from(num), &[])?)
                } else {
                    let dt = dtype_of(&dtype)?;
                    (dt, Self::values_array(dt, &value, &[])?)
                };
                self.add_virtual(Variable { name: var.clone(), dims: vec![], shape: vec![], dtype: dt, attrs }, data);
                if step.fix_id == "AddScalarCoordFix" {
                    if let Some(m) = main.as_deref().and_then(|m| self.ds.var_mut(m)) {
                        let c = m.attrs.get_str("coordinates").map_or_else(|| var.clone(), |c| format!("{c} {var}"));
                        m.attrs.set("coordinates", AttrValue::Text(c));
                    }
                }
            }
            "AddCoordFix" => {
                let var = self.operand(ds_id, step, "var_id")?;
                let var = var.as_str().ok_or_else(|| bad("var_id must be a string"))?.to_string();
                let value = self.operand(ds_id, step, "value")?;
                let dims = self.operand(ds_id, step, "dim")?;
                let dims: Vec<String> = match dims {
                    Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                    Value::String(s) => vec![s],
                    _ => return Err(bad("dim must be a name or a list of names")),
                };
                let shape = dims
                    .iter()
                    .map(|d| self.ds.dim(d).map(|x| x.len).ok_or_else(|| FixError::NoDimension(d.clone())))
                    .collect::<Result<Vec<_>, _>>()?;
                let dtype = self.operand(ds_id, step, "dtype")?;
                let dt = dtype_of(dtype.as_str().ok_or_else(|| bad("dtype must be a string"))?)?;
                let data = Self::values_array(dt, &value, &shape)?;
                let attrs = rookery_cf::Attrs(self.attrs_operand(ds_id, step).unwrap_or_default());
                self.add_virtual(Variable { name: var, dims, shape, dtype: dt, attrs }, data);
            }
            "CalendarFix" => {
                let from = self.operand(ds_id, step, "from")?;
                let to = self.operand(ds_id, step, "calendar")?;
                let units = self.operand(ds_id, step, "units")?;
                let (Some(from), Some(to), Some(units)) = (from.as_str(), to.as_str(), units.as_str()) else {
                    return Err(bad("from, calendar and units must be strings"));
                };
                let (times, coder, tv) = self.time_axis()?;
                if coder.calendar != Calendar::from_cf(from)? {
                    return Ok(());
                }
                let new = TimeCoder::new(units, Some(to))?;
                let mut targets = vec![tv.clone()];
                if let Some(b) = self.ds.var(&tv).and_then(|v| v.attrs.get_str("bounds")) {
                    targets.push(b.trim().to_string());
                }
                for name in targets {
                    let Some(v) = self.ds.var(&name).cloned() else { continue };
                    let vals = if name == tv {
                        ArrayD::from_shape_vec(
                            IxDyn(&v.shape),
                            times.iter().map(|t| new.encode(t)).collect::<Result<Vec<_>, _>>()?,
                        )
                        .map_err(|e| lacks(e.to_string()))?
                    } else {
                        let raw = self.read_all(&name)?.to_f64().ok_or_else(|| lacks("bounds are not numeric"))?;
                        let mut out = raw.clone();
                        for (o, x) in out.iter_mut().zip(raw.iter()) {
                            *o = new.encode(&coder.decode(*x)?)?;
                        }
                        out
                    };
                    let mut nv = v.clone();
                    nv.dtype = DType::F64;
                    if name == tv {
                        nv.attrs.set("units", AttrValue::Text(units.to_string()));
                        nv.attrs.set("calendar", AttrValue::Text(to.to_string()));
                    }
                    let pos = self.ds.vars.iter().position(|x| x.name == name);
                    self.virtuals.insert(name.clone(), Array::F64(vals));
                    if let Some(p) = pos {
                        self.ds.vars[p] = nv;
                    }
                }
            }
            o => return Err(FixError::UnknownFixType(o.to_string())),
        }
        Ok(())
    }
}

impl Source for FixedSource {
    fn dataset(&self) -> &Dataset {
        &self.ds
    }

    fn compressed(&self) -> Option<bool> {
        self.inner.compressed()
    }

    fn chunking(&self, var: &str) -> Option<Vec<usize>> {
        self.inner.chunking(var)
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        if let Some(a) = self.virtuals.get(var) {
            let mut out = a.clone();
            for (ax, (&s, &c)) in start.iter().zip(count).enumerate() {
                out = out.slice_axis(ax, s, s + c);
            }
            return Ok(out);
        }
        if let Some(axes) = self.squeezed.get(var) {
            let mut axes = axes.clone();
            axes.sort_unstable();
            let (mut st, mut ct) = (start.to_vec(), count.to_vec());
            for &ax in &axes {
                st.insert(ax, 0);
                ct.insert(ax, 1);
            }
            let a = self.inner.read(var, &st, &ct)?;
            return Ok(map_array!(a, x => {
                let mut y = x;
                for &ax in axes.iter().rev() {
                    y = y.index_axis_move(Axis(ax), 0);
                }
                y
            }));
        }
        self.inner.read(var, start, count)
    }

    fn read_reusing(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
        spare: Option<Array>,
    ) -> Result<Array, IoError> {
        if self.virtuals.contains_key(var) || self.squeezed.contains_key(var) {
            return self.read(var, start, count);
        }
        self.inner.read_reusing(var, start, count, spare)
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.inner.paths()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dataset with one dimension `lev` of length 2 and nothing to read.
    struct Empty(Dataset);

    impl Source for Empty {
        fn dataset(&self) -> &Dataset {
            &self.0
        }

        fn read(&self, var: &str, _: &[usize], _: &[usize]) -> Result<Array, IoError> {
            Err(IoError::NoVariable(var.to_string()))
        }

        fn paths(&self) -> Vec<PathBuf> {
            Vec::new()
        }
    }

    fn failure(steps: &str) -> DaopsError {
        let doc = format!(
            "{{\"fixes\": [{{\"id\": \"r\", \"match\": {{\"dataset_id_patterns\": [\"x.*\"]}}, \"steps\": {steps}}}]}}"
        );
        let cat = FixCatalog { records: parse_records(&doc, "t.json").unwrap() };
        let ds = Dataset {
            dims: vec![rookery_cf::Dim { name: "lev".into(), len: 2, unlimited: false }],
            ..Dataset::default()
        };
        match cat.apply(Box::new(Empty(ds)), "x.y") {
            Ok(_) => panic!("{steps} applied"),
            Err(e) => e,
        }
    }

    #[test]
    fn step_failures_are_typed() {
        let e = failure(r#"[{"fix_id": "NoSuchFix"}]"#);
        assert_eq!(e.to_string(), "fix r (t.json) step NoSuchFix for x.y: unknown fix type 'NoSuchFix'");
        assert!(!e.is_request_error() && !e.is_not_found());
        let DaopsError::Fix(f) = &e else { panic!("{e:?}") };
        assert!(matches!(&f.source, FixError::UnknownFixType(t) if t == "NoSuchFix"));
        assert_eq!((f.record.as_str(), f.step.as_str(), f.ds_id.as_str()), ("r", "NoSuchFix", "x.y"));

        let e = failure(r#"[{"fix_id": "SqueezeDimensionsFix", "operands": {"dims": ["lev"]}}]"#);
        assert_eq!(
            e.to_string(),
            "fix r (t.json) step SqueezeDimensionsFix for x.y: dimension 'lev' has length 2; only length-1 dimensions can be squeezed"
        );
        assert!(matches!(&e, DaopsError::Fix(f) if matches!(&f.source, FixError::NotSqueezable { len: 2, .. })));

        let e = failure(r#"[{"fix_id": "SqueezeDimensionsFix", "operands": {"dims": ["time"]}}]"#);
        assert!(matches!(&e, DaopsError::Fix(f) if matches!(&f.source, FixError::NoDimension(d) if d == "time")));

        let e = failure(r#"[{"fix_id": "VarAttrFix", "operands": {"attrs": {}}}]"#);
        assert!(e.to_string().ends_with(": missing operand 'var_id'"), "{e}");
        assert!(matches!(&e, DaopsError::Fix(f) if matches!(&f.source, FixError::MissingOperand(o) if o == "var_id")));

        let e = failure(r#"[{"fix_id": "VarAttrFix", "operands": {"var_id": "tas", "attrs": {}}}]"#);
        assert!(matches!(&e, DaopsError::Fix(f) if matches!(&f.source, FixError::NoVariable(v) if v == "tas")));

        let e = failure(r#"[{"fix_id": "GlobalAttrFix", "operands": {"attrs": {"a": "derive: get_start_date"}}}]"#);
        assert!(e.to_string().ends_with(": the dataset id has no start-date token (sYYYY-r...)"), "{e}");
        assert!(matches!(&e, DaopsError::Fix(f) if matches!(f.source, FixError::DatasetId(_))));

        let e = failure(r#"[{"fix_id": "GlobalAttrFix", "operands": {"attrs": {"a": "derive: nope"}}}]"#);
        assert!(matches!(&e, DaopsError::Fix(f) if matches!(&f.source, FixError::UnknownDerive(d) if d == "nope")));

        let e = failure(r#"[{"fix_id": "CalendarFix", "operands": {"from": "x", "calendar": "y", "units": "z"}}]"#);
        // No data variable: the CF roles cannot be detected.
        assert!(matches!(&e, DaopsError::Fix(f) if matches!(f.source, FixError::Cf(_))), "{e}");
    }

    #[test]
    fn builtin_records_parse() {
        let c = FixCatalog::load(&Config::defaults()).unwrap();
        assert!(c.get("c3s.cmip6_decadal").is_some());
        assert_eq!(
            c.matching(
                "c3s-cmip6-decadal.DCPP.MOHC.HadGEM3-GC31-MM.dcppA-hindcast.s1960-r2i1p1f2.day.tasmin.gn.v20200417"
            )
            .len(),
            1
        );
        assert!(parse_records("{\"fixes\": [{\"id\": \"x\", \"steps\": []}]}", "t.json").is_err());
        assert!(parse_records("not json", "t.json").is_err());
        let e = parse_records("{\"fixes\": [{\"steps\": []}]}", "t.json").unwrap_err();
        assert_eq!(e.to_string(), "fix file t.json: a record has no id");
        assert!(matches!(&e, DaopsError::FixFile { file, .. } if file == "t.json"));
        assert!(!e.is_request_error() && !e.is_not_found());
        let r = parse_records(
            "dataset_id: cmip5.a.b\nfixes:\n  - fix_id: SqueezeDimensionsFix\n    operands: {dims: [lev]}\n",
            "t.yaml",
        )
        .unwrap();
        assert_eq!(r[0].patterns, vec!["cmip5.a.b".to_string()]);
    }
}
