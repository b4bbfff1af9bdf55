//! The processes this service offers (rook's identifiers, inputs, defaults and allowed values,
//! roocs.md §4.1), and validation of a request's inputs against them.
//!
//! A process is listed here only when it really runs (see `ops.rs`).

mod defs;

use crate::error::OwsError;
use defs::*;
use std::collections::BTreeMap;

/// A format of a complex input or output.
#[derive(Clone, Copy, Debug)]
pub struct Fmt {
    /// MIME type, as listed in DescribeProcess and matched (ignoring parameters) against a
    /// request's `mimeType`.
    pub mime: &'static str,
    /// Encoding advertised with it (e.g. `base64`); `None`: not listed.
    pub encoding: Option<&'static str>,
    /// XML schema advertised with it; `None`: not listed.
    pub schema: Option<&'static str>,
}

const fn fmt(mime: &'static str) -> Fmt {
    Fmt { mime, encoding: None, schema: None }
}

/// pywps `FORMATS.META4`.
pub const META4: Fmt =
    Fmt { mime: "application/metalink+xml; version=4.0", encoding: None, schema: Some("metalink/4.0/metalink4.xsd") };
/// pywps `FORMATS.JSON`.
pub const JSON: Fmt = fmt("application/json");
/// rook's `prov_plot` format.
pub const PNG: Fmt = Fmt { mime: "image/png", encoding: Some("base64"), schema: None };
/// pywps `FORMATS.TEXT`... rook's usage CSV.
pub const CSV: Fmt = fmt("text/csv");
/// rook's dashboard page.
pub const HTML: Fmt = fmt("text/html");
/// YAML workflow documents (accepted besides JSON).
pub const YAML: Fmt = fmt("application/x-yaml");
/// GeoJSON polygons (`average_shape`).
pub const GEOJSON: Fmt = fmt("application/geo+json");
/// GML polygons (`average_shape`).
pub const GML: Fmt = fmt("application/gml+xml");
/// A zipped ESRI Shapefile (`average_shape`, by reference).
pub const ZIP: Fmt = fmt("application/zip");

/// What kind of value an input takes.
#[derive(Clone, Debug)]
pub enum InputKind {
    /// `LiteralData` of an XML schema type (`string`, `boolean`, `integer`, `float`).
    Literal {
        /// XML schema type name; `boolean`, `integer` and `float` values are checked.
        data_type: &'static str,
        /// The only values accepted (compared after trimming); empty: any value.
        allowed: &'static [&'static str],
        /// Value used when the input is not given; `None`: no default.
        default: Option<&'static str>,
    },
    /// `ComplexData` in one of these formats (the first is the default).
    Complex {
        /// Accepted formats; a request naming another `mimeType` is refused.
        formats: &'static [Fmt],
    },
}

/// One input of a process.
#[derive(Clone, Debug)]
pub struct InputDef {
    /// Identifier of the input in requests (rook's name).
    pub id: &'static str,
    /// Short human-readable title (`ows:Title`).
    pub title: &'static str,
    /// Description for clients (`ows:Abstract`).
    pub abstract_: &'static str,
    /// Fewest occurrences (`minOccurs`); 0: optional, above 0: required unless defaulted.
    pub min: u32,
    /// Most occurrences accepted (`maxOccurs`).
    pub max: u32,
    /// What values it takes.
    pub kind: InputKind,
}

/// What kind of value an output is.
#[derive(Clone, Debug)]
pub enum OutputKind {
    /// A file, served by reference.
    Complex {
        /// Formats it may come in (the first is the default).
        formats: &'static [Fmt],
    },
    /// A literal value of an XML schema type.
    Literal {
        /// XML schema type name (e.g. `string`).
        data_type: &'static str,
    },
}

/// One output of a process.
#[derive(Clone, Debug)]
pub struct OutputDef {
    /// Identifier of the output (what `RawDataOutput` and response documents name).
    pub id: &'static str,
    /// Short human-readable title (`ows:Title`).
    pub title: &'static str,
    /// Description for clients (`ows:Abstract`).
    pub abstract_: &'static str,
    /// A file or a literal value.
    pub kind: OutputKind,
}

/// A process: identification, inputs, outputs, execution modes.
#[derive(Clone, Debug)]
pub struct ProcessDef {
    /// Identifier of the process (rook's, e.g. `subset`, `orchestrate`).
    pub id: &'static str,
    /// Short human-readable title (`ows:Title`).
    pub title: &'static str,
    /// Description for clients (`ows:Abstract`).
    pub abstract_: &'static str,
    /// Version advertised as `processVersion`.
    pub version: &'static str,
    /// Links shown as `ows:Metadata`: (title, href).
    pub metadata: &'static [(&'static str, &'static str)],
    /// Inputs it takes, in the order they are described.
    pub inputs: Vec<InputDef>,
    /// Outputs it produces, in the order they are described.
    pub outputs: Vec<OutputDef>,
    /// Asynchronous execution allowed (`storeSupported`/`statusSupported`).
    pub async_supported: bool,
}

impl ProcessDef {
    /// The input named `id`.
    #[must_use]
    pub fn input(&self, id: &str) -> Option<&InputDef> {
        self.inputs.iter().find(|i| i.id == id)
    }
    /// The output named `id`.
    #[must_use]
    pub fn output(&self, id: &str) -> Option<&OutputDef> {
        self.outputs.iter().find(|o| o.id == id)
    }
}

/// The data operations: processes that read datasets (estimated before they run; the
/// `estimate` process takes their inputs).
pub const DATA_OPERATIONS: &[&str] = &[
    "subset",
    "concat",
    "average",
    "average_time",
    "weighted_average",
    "average_shape",
    "regrid",
    "subset_point",
    "ensemble_stats",
    "climatology",
    "anomaly",
    "stat_time",
];

/// `estimate`: the pre-flight estimate of a data operation named by `process`, taking the
/// inputs of every data operation (all optional here, any value: the operation's own checks
/// apply when it is estimated). Built from `defs`.
fn estimate(defs: &[ProcessDef]) -> ProcessDef {
    let mut inputs = vec![InputDef {
        id: "process",
        title: "Process",
        abstract_: "The data operation to estimate (subset, average, average_time, regrid, ...).",
        min: 1,
        max: 1,
        kind: InputKind::Literal { data_type: "string", allowed: DATA_OPERATIONS, default: None },
    }];
    for d in defs.iter().filter(|d| DATA_OPERATIONS.contains(&d.id)) {
        for i in &d.inputs {
            if inputs.iter().any(|x| x.id == i.id) {
                continue;
            }
            let mut i = i.clone();
            i.min = u32::from(i.id == "collection");
            if let InputKind::Literal { allowed, default, .. } = &mut i.kind {
                *allowed = &[];
                *default = None;
            }
            inputs.push(i);
        }
    }
    ProcessDef {
        id: "estimate",
        title: "Estimate",
        abstract_: "Pre-flight estimate of a data operation from metadata alone: bytes read (decoded and stored), chunks, output bytes, files. Nothing is read or queued.",
        version: "1.0",
        metadata: defs.iter().find(|d| d.id == "usage").map_or(&[], |d| d.metadata),
        inputs,
        outputs: vec![OutputDef {
            id: "estimate",
            title: "Estimate",
            abstract_: "The estimate as JSON (readBytes, readStoredBytes, chunks, outputBytes, outputStoredBytes, files, datasets).",
            kind: OutputKind::Literal { data_type: "string" },
        }],
        async_supported: false,
    }
}

/// Every process, in rook's registration order (rookery's `estimate` last).
#[must_use]
pub fn all() -> Vec<ProcessDef> {
    let mut v = rook_processes();
    v.push(estimate(&v));
    v
}

fn rook_processes() -> Vec<ProcessDef> {
    vec![
        health(),
        usage(),
        dashboard(),
        subset(),
        average_time(),
        average_dims(),
        average_shape(),
        weighted_average(),
        concat(),
        regrid(),
        subset_point(),
        ensemble_stats(),
        orchestrate(),
        climatology(),
        anomaly(),
        stat_time(),
    ]
}

/// Validated inputs: each identifier with its values (one per occurrence), defaults applied.
pub type Inputs = BTreeMap<String, Vec<String>>;

/// One raw input of a request.
#[derive(Clone, Debug, Default)]
pub struct RawInput {
    /// Input identifier as the client wrote it (checked by [`validate`]).
    pub id: String,
    /// The value: a literal, inline complex content, or the http(s) URL of a reference.
    pub data: String,
    /// `mimeType` given by the client; `None` (or empty): not given, any accepted format.
    pub mime: Option<String>,
}

/// Checks a request's inputs against the process: unknown identifiers, occurrences, data
/// types, allowed values, formats; applies defaults; reports missing required inputs.
///
/// # Errors
/// `InvalidParameterValue` or `MissingParameterValue` naming the input.
pub fn validate(p: &ProcessDef, raw: &[RawInput]) -> Result<Inputs, OwsError> {
    let mut out = Inputs::new();
    for r in raw {
        let Some(def) = p.input(&r.id) else {
            let known: Vec<&str> = p.inputs.iter().map(|i| i.id).collect();
            return Err(OwsError::invalid(
                &r.id,
                format!(
                    "Unknown input \"{}\" for process \"{}\"; its inputs are: {}",
                    r.id,
                    p.id,
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ),
            ));
        };
        match &def.kind {
            InputKind::Literal { data_type, allowed, .. } => {
                let v = r.data.trim();
                match *data_type {
                    "boolean" if crate::text::parse_bool(v).is_none() => {
                        return Err(OwsError::invalid(
                            def.id,
                            format!(
                                "Invalid value \"{v}\" for input \"{}\": expected a boolean (true/false, 1/0)",
                                def.id
                            ),
                        ));
                    }
                    "integer" if v.parse::<i64>().is_err() => {
                        return Err(OwsError::invalid(
                            def.id,
                            format!("Invalid value \"{v}\" for input \"{}\": expected an integer", def.id),
                        ));
                    }
                    "float" if v.parse::<f64>().is_err() => {
                        return Err(OwsError::invalid(
                            def.id,
                            format!("Invalid value \"{v}\" for input \"{}\": expected a number", def.id),
                        ));
                    }
                    _ => {}
                }
                if !allowed.is_empty() && !allowed.contains(&v) {
                    return Err(OwsError::invalid(
                        def.id,
                        format!(
                            "Invalid value \"{v}\" for input \"{}\": must be one of {}",
                            def.id,
                            allowed.join(", ")
                        ),
                    ));
                }
                out.entry(def.id.to_string()).or_default().push(v.to_string());
            }
            InputKind::Complex { formats } => {
                if let Some(m) = r.mime.as_deref().filter(|m| !m.is_empty()) {
                    if !formats.iter().any(|f| mime_eq(f.mime, m)) {
                        return Err(OwsError::invalid(
                            "mimeType",
                            format!(
                                "Invalid mimeType value {m} for input {}: must be one of {}",
                                def.id,
                                formats.iter().map(|f| f.mime).collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
                out.entry(def.id.to_string()).or_default().push(r.data.clone());
            }
        }
    }
    for def in &p.inputs {
        let n = out.get(def.id).map_or(0, Vec::len);
        if n > def.max as usize {
            return Err(OwsError::invalid(
                def.id,
                format!("Input \"{}\" takes at most {} value(s); {n} were given", def.id, def.max),
            ));
        }
        if n == 0 {
            if let InputKind::Literal { default: Some(d), .. } = def.kind {
                out.insert(def.id.to_string(), vec![d.to_string()]);
            } else if def.min > 0 {
                return Err(OwsError::missing(def.id, format!("Required input \"{}\" must be provided.", def.id)));
            }
        }
        if def.min > 0 && out.get(def.id).is_some_and(|v| v.iter().all(|s| s.trim().is_empty())) {
            return Err(OwsError::missing(def.id, format!("Required input \"{}\" must be provided.", def.id)));
        }
    }
    Ok(out)
}

fn mime_eq(a: &str, b: &str) -> bool {
    let base = |s: &str| s.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    base(a) == base(b)
        || (base(a) == "application/json" && base(b) == "text/plain")
        || (base(a) == "application/x-yaml" && matches!(base(b).as_str(), "text/yaml" | "application/yaml"))
}

/// First value of an input.
#[must_use]
pub fn first<'a>(inputs: &'a Inputs, id: &str) -> Option<&'a str> {
    inputs.get(id).and_then(|v| v.first()).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(id: &str, v: &str) -> RawInput {
        RawInput { id: id.into(), data: v.into(), mime: None }
    }

    #[test]
    fn defaults_and_missing() {
        let p = subset();
        let e = validate(&p, &[]).unwrap_err();
        assert_eq!(e.code.as_str(), "MissingParameterValue");
        assert_eq!(e.text, "Required input \"collection\" must be provided.");
        let i = validate(&p, &[raw("collection", "x")]).unwrap();
        assert_eq!(first(&i, "apply_fixes"), Some("1"));
        assert_eq!(first(&i, "original_files"), Some("0"));
        assert_eq!(first(&i, "time"), None);
    }

    #[test]
    fn unknown_input_and_bad_boolean() {
        let p = subset();
        let e = validate(&p, &[raw("collection", "x"), raw("colour", "red")]).unwrap_err();
        assert_eq!(e.code.as_str(), "InvalidParameterValue");
        assert!(e.text.contains("Unknown input \"colour\""), "{}", e.text);
        let e = validate(&p, &[raw("collection", "x"), raw("original_files", "maybe")]).unwrap_err();
        assert!(e.text.contains("expected a boolean"));
        let e = validate(&p, &[raw("collection", "x"), raw("time", "a/b"), raw("time", "c/d")]).unwrap_err();
        assert!(e.text.contains("at most 1"));
    }
}
