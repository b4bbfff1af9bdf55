//! Zarr metadata: finding the metadata documents of a store, and converting Zarr attributes
//! to the CF data model.
//!
//! ```text
//!   documents (key → JSON text), from the first that applies:
//!     reference store   its inline .zgroup/.zattrs/.zarray/zarr.json values
//!     .zmetadata        consolidated v2 {"metadata": {key: doc}} (also Kerchunk Parquet's)
//!     zarr.json         v3 root with "consolidated_metadata"
//!     a local directory listed: <name>/.zarray|.zattrs|zarr.json for each sub-directory
//!   attributes: JSON → AttrValue (text, numbers, lists); _FillValue/missing_value/valid_*
//!   take the variable's type ("NaN", "Infinity" and xarray's base64 fill values decoded)
//! ```

use super::error::ZarrError;
use super::store::{Fetcher, Loc};
use base64::Engine;
use rookery_cf::{AttrValue, Attrs, DType};
use serde_json::Value;
use std::collections::HashMap;

/// Metadata documents of a plain Zarr store (directory or URL).
pub(crate) fn store_docs(root: &Loc, fetch: &Fetcher) -> Result<HashMap<String, Vec<u8>>, ZarrError> {
    let mut docs = HashMap::new();
    if let Some(z) = fetch.read(&root.join(".zmetadata"), None)? {
        let v: Value =
            serde_json::from_slice(&z).map_err(|e| ZarrError::InvalidJson(e).at(root.join(".zmetadata").display()))?;
        if let Some(Value::Object(md)) = v.get("metadata") {
            for (k, d) in md {
                docs.insert(k.clone(), doc_text(d));
            }
            return Ok(docs);
        }
    }
    if let Some(z) = fetch.read(&root.join("zarr.json"), None)? {
        let v: Value =
            serde_json::from_slice(&z).map_err(|e| ZarrError::InvalidJson(e).at(root.join("zarr.json").display()))?;
        docs.insert("zarr.json".to_string(), z);
        if let Some(Value::Object(md)) = v.get("consolidated_metadata").and_then(|c| c.get("metadata")) {
            for (k, d) in md {
                docs.insert(format!("{k}/zarr.json"), doc_text(d));
            }
            return Ok(docs);
        }
    }
    let Loc::Path(dir) = root else {
        return Err(ZarrError::NotConsolidated { root: root.display() });
    };
    for name in [".zgroup", ".zattrs"] {
        if let Some(d) = fetch.read(&root.join(name), None)? {
            docs.insert(name.to_string(), d);
        }
    }
    let real = fetch.local(dir)?;
    let rd = std::fs::read_dir(&real).map_err(|source| ZarrError::Io { what: dir.display().to_string(), source })?;
    for entry in rd.filter_map(Result::ok) {
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        for doc in [".zarray", ".zattrs", "zarr.json"] {
            let key = format!("{name}/{doc}");
            if let Some(d) = fetch.read(&root.join(&key), None)? {
                docs.insert(key, d);
            }
        }
    }
    Ok(docs)
}

/// The text of a metadata document given inline as JSON (object, or string holding JSON).
pub(crate) fn doc_text(d: &Value) -> Vec<u8> {
    match d {
        Value::String(s) => s.as_bytes().to_vec(),
        other => serde_json::to_vec(other).unwrap_or_default(),
    }
}

/// Root-level array names, in sorted order, and whether nested groups were seen.
pub(crate) fn array_names(docs: &HashMap<String, Vec<u8>>) -> (Vec<String>, bool) {
    let mut names = Vec::new();
    let mut nested = false;
    for (k, d) in docs {
        let name = if let Some(n) = k.strip_suffix("/.zarray") {
            n
        } else if let Some(n) = k.strip_suffix("/zarr.json") {
            let is_array = serde_json::from_slice::<Value>(d)
                .ok()
                .and_then(|v| v.get("node_type").and_then(Value::as_str).map(|t| t == "array"))
                .unwrap_or(false);
            if !is_array {
                continue;
            }
            n
        } else {
            continue;
        };
        if name.contains('/') {
            nested = true;
        } else if !names.iter().any(|x| x == name) {
            names.push(name.to_string());
        }
    }
    names.sort();
    (names, nested)
}

/// Global attributes: the root `.zattrs` (v2) or the root `zarr.json`'s attributes (v3).
pub(crate) fn global_attrs(docs: &HashMap<String, Vec<u8>>) -> Attrs {
    let obj = docs.get(".zattrs").and_then(|d| serde_json::from_slice::<Value>(d).ok()).or_else(|| {
        docs.get("zarr.json")
            .and_then(|d| serde_json::from_slice::<Value>(d).ok())
            .and_then(|v| v.get("attributes").cloned())
    });
    match obj {
        Some(Value::Object(m)) => convert_attrs(&m, None),
        _ => Attrs::default(),
    }
}

/// Attributes whose values have the variable's type.
fn typed_like_data(name: &str) -> bool {
    matches!(name, "_FillValue" | "missing_value" | "valid_min" | "valid_max" | "valid_range")
}

/// Converts a JSON attribute object (`dtype`: the variable's type, for fill-like attributes).
pub(crate) fn convert_attrs(m: &serde_json::Map<String, Value>, dtype: Option<DType>) -> Attrs {
    let mut out = Attrs::default();
    for (k, v) in m {
        if k == "_ARRAY_DIMENSIONS" {
            continue;
        }
        let typed = dtype.filter(|d| d.is_numeric() && typed_like_data(k));
        let value = match typed {
            Some(dt) => typed_value(v, dt),
            None => convert_value(v),
        };
        match value {
            Some(a) => out.set(k, a),
            None => tracing::debug!("attribute {k} = {v} has no NetCDF equivalent; skipped"),
        }
    }
    out
}

fn special_float(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// A value (or list) of type `dt`: numbers, "NaN"/"Infinity" text, or base64 of the
/// little-endian bytes (xarray's encoding of Zarr v3 fill values).
pub(crate) fn typed_value(v: &Value, dt: DType) -> Option<AttrValue> {
    let vals: Vec<f64> = match v {
        Value::Number(n) => vec![n.as_f64()?],
        Value::Array(a) => {
            a.iter().map(|x| x.as_f64().or_else(|| x.as_str().and_then(special_float))).collect::<Option<_>>()?
        }
        Value::String(s) => match special_float(s) {
            Some(f) => vec![f],
            None => {
                let b = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
                // xarray writes float fill values as the 8 bytes of a double.
                if matches!(dt, DType::F32 | DType::F64) && b.len() == 8 {
                    let x = f64::from_le_bytes(b.as_slice().try_into().ok()?);
                    return Some(AttrValue::scalar_of(dt, x));
                }
                return from_le_bytes(&b, dt);
            }
        },
        Value::Bool(b) => vec![f64::from(u8::from(*b))],
        _ => return None,
    };
    // Integers keep their exact value (no round trip through f64 for 64-bit types).
    if let Value::Number(n) = v {
        match dt {
            DType::I64 => return n.as_i64().map(|x| AttrValue::I64(vec![x])),
            DType::U64 => return n.as_u64().map(|x| AttrValue::U64(vec![x])),
            _ => {}
        }
    }
    let mut out = AttrValue::scalar_of(dt, vals[0]);
    if vals.len() > 1 {
        out = list_of(dt, &vals);
    }
    Some(out)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn list_of(dt: DType, v: &[f64]) -> AttrValue {
    match dt {
        DType::I8 => AttrValue::I8(v.iter().map(|&x| x as i8).collect()),
        DType::U8 | DType::Char => AttrValue::U8(v.iter().map(|&x| x as u8).collect()),
        DType::I16 => AttrValue::I16(v.iter().map(|&x| x as i16).collect()),
        DType::U16 => AttrValue::U16(v.iter().map(|&x| x as u16).collect()),
        DType::I32 => AttrValue::I32(v.iter().map(|&x| x as i32).collect()),
        DType::U32 => AttrValue::U32(v.iter().map(|&x| x as u32).collect()),
        DType::I64 => AttrValue::I64(v.iter().map(|&x| x as i64).collect()),
        DType::U64 => AttrValue::U64(v.iter().map(|&x| x as u64).collect()),
        DType::F32 => AttrValue::F32(v.iter().map(|&x| x as f32).collect()),
        DType::F64 | DType::Str => AttrValue::F64(v.to_vec()),
    }
}

/// One value of type `dt` from its little-endian bytes.
pub(crate) fn from_le_bytes(b: &[u8], dt: DType) -> Option<AttrValue> {
    macro_rules! one {
        ($t:ty, $var:ident) => {
            AttrValue::$var(vec![<$t>::from_le_bytes(b.get(..std::mem::size_of::<$t>())?.try_into().ok()?)])
        };
    }
    Some(match dt {
        DType::I8 => one!(i8, I8),
        DType::U8 | DType::Char => one!(u8, U8),
        DType::I16 => one!(i16, I16),
        DType::U16 => one!(u16, U16),
        DType::I32 => one!(i32, I32),
        DType::U32 => one!(u32, U32),
        DType::I64 => one!(i64, I64),
        DType::U64 => one!(u64, U64),
        DType::F32 => one!(f32, F32),
        DType::F64 => one!(f64, F64),
        DType::Str => return None,
    })
}

/// A JSON value as an attribute of its own type (integers as int, else int64; others double).
fn convert_value(v: &Value) -> Option<AttrValue> {
    Some(match v {
        Value::String(s) => AttrValue::Text(s.clone()),
        Value::Bool(b) => AttrValue::I8(vec![i8::from(*b)]),
        Value::Number(_) => numbers(std::slice::from_ref(v))?,
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_string) => {
            AttrValue::Strings(a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        }
        Value::Array(a) if !a.is_empty() => numbers(a)?,
        _ => return None,
    })
}

fn numbers(a: &[Value]) -> Option<AttrValue> {
    if a.iter().all(|x| x.is_i64() || x.is_u64()) {
        let ints: Vec<i64> = a.iter().map(Value::as_i64).collect::<Option<_>>()?;
        if ints.iter().all(|&x| i32::try_from(x).is_ok()) {
            return Some(AttrValue::I32(ints.iter().map(|&x| i32::try_from(x).unwrap_or(0)).collect()));
        }
        return Some(AttrValue::I64(ints));
    }
    Some(AttrValue::F64(
        a.iter().map(|x| x.as_f64().or_else(|| x.as_str().and_then(special_float))).collect::<Option<_>>()?,
    ))
}
