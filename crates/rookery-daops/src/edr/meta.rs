//! EDR documents: landing page, conformance, OpenAPI, and a collection's metadata (extents,
//! parameter names, data queries) for a served dataset.

use super::{parameters_of, Format, QUERIES};
use crate::serve::ServedDataset;
use rookery_cf::{CfInfo, Dataset, GridType};
use serde_json::{json, Map, Value};

/// The conformance classes claimed (each backed by routes; see the README's EDR section).
pub const CONFORMANCE: [&str; 11] = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/core",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/collections",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/json",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/covjson",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/oas30",
];

/// The CRS every answer is in.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

const CRS84_WKT: &str = "GEOGCRS[\"WGS 84 (CRS84)\",DATUM[\"World Geodetic System 1984\",ELLIPSOID[\"WGS 84\",6378137,298.257223563]],CS[ellipsoidal,2],AXIS[\"longitude\",east],AXIS[\"latitude\",north],ANGLEUNIT[\"degree\",0.0174532925199433]]";

/// The horizontal dimensions of the grid (rectilinear: latitude's and longitude's; else the
/// latitude variable's).
#[must_use]
pub fn horizontal_dims(ds: &Dataset, info: &CfInfo) -> Vec<String> {
    let dims = |n: &Option<String>| n.as_deref().and_then(|n| ds.var(n)).map(|v| v.dims.clone()).unwrap_or_default();
    match info.grid {
        GridType::Rectilinear => [dims(&info.lat), dims(&info.lon)].concat(),
        _ => dims(&info.lat),
    }
}

/// The parameters of a dataset: numeric variables on the horizontal grid that are not
/// coordinates or bounds, in file order.
#[must_use]
pub fn parameter_names(ds: &Dataset, info: &CfInfo) -> Vec<String> {
    let h = horizontal_dims(ds, info);
    if h.is_empty() {
        return Vec::new();
    }
    let mut referenced: Vec<String> = Vec::new();
    for v in &ds.vars {
        for key in ["coordinates", "bounds", "grid_mapping", "cell_measures", "ancillary_variables"] {
            if let Some(s) = v.attrs.get_str(key) {
                referenced.extend(s.split_whitespace().map(|w| w.trim_end_matches(':').to_string()));
            }
        }
    }
    ds.vars
        .iter()
        .filter(|v| v.dtype.is_numeric() && v.dims.len() >= h.len() && v.dims[v.dims.len() - h.len()..] == h[..])
        .filter(|v| {
            !referenced.contains(&v.name) && Some(&v.name) != info.lat.as_ref() && Some(&v.name) != info.lon.as_ref()
        })
        .filter(|v| {
            let coordinate = v.dims.len() == 1 && v.dims[0] == v.name;
            !(coordinate || v.name.contains("bnds") || v.name.contains("vertices"))
        })
        .map(|v| v.name.clone())
        .collect()
}

/// The dataset's CF calendar name (`standard` when none is given).
#[must_use]
pub fn calendar(ds: &Dataset, info: &CfInfo) -> String {
    info.time
        .as_deref()
        .and_then(|t| ds.var(t))
        .and_then(|v| v.attrs.get_str("calendar"))
        .map_or_else(|| "standard".to_string(), str::to_ascii_lowercase)
}

/// A CoverageJSON/EDR parameter description of variable `name`.
#[must_use]
pub fn parameter(ds: &Dataset, name: &str) -> Value {
    let v = ds.var(name);
    let attr = |k: &str| v.and_then(|v| v.attrs.get_str(k)).map(str::to_string);
    let label = attr("long_name").unwrap_or_else(|| name.to_string());
    let mut op = json!({"label": {"en": attr("standard_name").unwrap_or_else(|| label.clone())}});
    if let Some(s) = attr("standard_name") {
        op["id"] = json!(format!("http://vocab.nerc.ac.uk/standard_name/{s}/"));
    }
    let mut p = json!({"type": "Parameter", "description": {"en": label}, "observedProperty": op});
    if let Some(u) = attr("units") {
        p["unit"] = json!({"symbol": u});
    }
    p
}

/// The landing page of `/edr` (`base`: the server's URL).
#[must_use]
pub fn landing(base: &str) -> Value {
    json!({
        "title": "rookery OGC API - Environmental Data Retrieval",
        "description": "EDR 1.1 queries (position, area, cube, radius) on the datasets this server serves",
        "links": [
            {"rel": "self", "type": "application/json", "href": format!("{base}/edr")},
            {"rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "href": format!("{base}/edr/api")},
            {"rel": "conformance", "type": "application/json", "href": format!("{base}/edr/conformance")},
            {"rel": "data", "type": "application/json", "href": format!("{base}/edr/collections")},
        ],
    })
}

/// The conformance declaration.
#[must_use]
pub fn conformance() -> Value {
    json!({"conformsTo": CONFORMANCE})
}

fn data_queries(href: &str) -> Value {
    let formats: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    let mut m = Map::new();
    for q in QUERIES {
        let mut vars = json!({
            "query_type": q,
            "output_formats": formats,
            "default_output_format": Format::CovJson.name(),
            "crs_details": [{"crs": "CRS84", "wkt": CRS84_WKT}],
        });
        if q == "radius" {
            vars["within_units"] = json!(["km", "m", "mi"]);
        }
        m.insert(
            q.to_string(),
            json!({"link": {"href": format!("{href}/{q}"), "rel": "data", "title": format!("{q} query"), "variables": vars}}),
        );
    }
    Value::Object(m)
}

/// An entry of `/edr/collections` (without extents: those need the dataset opened).
#[must_use]
pub fn collection_stub(base: &str, id: &str) -> Value {
    let href = format!("{base}/edr/collections/{id}");
    json!({"id": id, "title": id, "links": [{"rel": "self", "href": href, "type": "application/json"}], "data_queries": data_queries(&href)})
}

fn wrap180(x: f64) -> f64 {
    (x + 180.0).rem_euclid(360.0) - 180.0
}

/// The metadata of collection `d`.
#[must_use]
pub fn collection(base: &str, d: &ServedDataset) -> Value {
    let ds = d.source.dataset();
    let href = format!("{base}/edr/collections/{}", d.id);
    let mut extent = Map::new();
    let read = |n: &Option<String>| -> Vec<f64> {
        n.as_deref()
            .and_then(|n| d.source.read_all(n).ok())
            .and_then(|a| a.to_f64())
            .map(|a| a.iter().copied().filter(|x| x.is_finite()).collect())
            .unwrap_or_default()
    };
    let mut params = Map::new();
    if let Some(info) = &d.info {
        let (lat, lon) = (read(&info.lat), read(&info.lon));
        let fold = |v: &[f64], f: fn(f64, f64) -> f64, init: f64| v.iter().copied().fold(init, f);
        if !lat.is_empty() && !lon.is_empty() {
            let lon: Vec<f64> = lon.iter().map(|&x| wrap180(x)).collect();
            let bbox = [
                fold(&lon, f64::min, 180.0),
                fold(&lat, f64::min, 90.0),
                fold(&lon, f64::max, -180.0),
                fold(&lat, f64::max, -90.0),
            ];
            extent.insert("spatial".into(), json!({"bbox": [bbox], "crs": CRS84}));
        }
        if let Some((a, b, n)) = &d.time_range {
            let cal = calendar(ds, info);
            let trs = if matches!(cal.as_str(), "standard" | "gregorian" | "proleptic_gregorian") {
                "TIMECRS[\"DateTime\",TDATUM[\"Gregorian Calendar\"],CS[TemporalDateTime,1],AXIS[\"Time (T)\",future]]"
                    .to_string()
            } else {
                format!("TIMECRS[\"DateTime\",TDATUM[\"{cal} calendar (CF)\"],CS[TemporalDateTime,1],AXIS[\"Time (T)\",future]]")
            };
            extent.insert(
                "temporal".into(),
                json!({"interval": [[format!("{a}Z"), format!("{b}Z")]], "trs": trs, "calendar": cal, "steps": n}),
            );
        }
        if let Some(l) = info.level.as_ref().filter(|l| ds.var(l).is_some()) {
            let v = read(&info.level);
            let units = ds.var(l).and_then(|x| x.attrs.get_str("units")).unwrap_or_default().to_string();
            let vals: Vec<String> = v.iter().map(f64::to_string).collect();
            extent.insert(
                "vertical".into(),
                json!({"interval": [[fold(&v, f64::min, f64::INFINITY).to_string(), fold(&v, f64::max, f64::NEG_INFINITY).to_string()]],
                       "values": vals, "vrs": format!("{l} ({units})"), "name": l}),
            );
        }
        for p in parameter_names(ds, info) {
            let mut desc = parameter(ds, &p);
            desc["id"] = json!(p);
            params.insert(p, desc);
        }
    }
    let formats: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    json!({
        "id": d.id,
        "title": ds.attrs.get_str("title").unwrap_or(&d.id),
        "description": format!("dataset {} ({}) served by rookery", d.id, d.project),
        "links": [
            {"rel": "self", "href": href, "type": "application/json"},
            {"rel": "describedby", "href": format!("{base}/datasets/{}", d.id), "type": "application/json", "title": "dataset description"},
        ],
        "extent": extent,
        "data_queries": data_queries(&href),
        "crs": ["CRS84"],
        "output_formats": formats,
        "parameter_names": params,
    })
}

fn param_doc(name: &str) -> Value {
    let (desc, schema) = match name {
        "coords" => (
            "WKT geometry in CRS84 (POINT, MULTIPOINT, POLYGON, MULTIPOLYGON as the query takes)",
            json!({"type": "string"}),
        ),
        "bbox" => ("minx,miny,maxx,maxy in CRS84", json!({"type": "string"})),
        "within" => ("distance of the radius query", json!({"type": "number"})),
        "within-units" => ("unit of within", json!({"type": "string", "enum": ["km", "m", "mi"]})),
        "datetime" => ("instant or interval a/b, '..' for an open side", json!({"type": "string"})),
        "z" => ("level, a/b, a,b,c or R<n>/<first>/<step>", json!({"type": "string"})),
        "parameter-name" => ("comma-separated parameter names", json!({"type": "string"})),
        "crs" => ("CRS84 only", json!({"type": "string", "enum": ["CRS84"]})),
        _ => ("answer format", json!({"type": "string", "enum": ["covjson", "csv", "geojson", "netcdf"]})),
    };
    json!({"name": name, "in": "query", "required": matches!(name, "coords" | "bbox" | "within" | "within-units"), "description": desc, "schema": schema})
}

/// The OpenAPI 3.0 document: exactly the routes and parameters implemented.
#[must_use]
pub fn openapi(base: &str) -> Value {
    let ok = |d: &str| json!({"200": {"description": d}});
    let id_param = json!({"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string"}});
    let mut paths = Map::new();
    paths.insert("/edr".into(), json!({"get": {"operationId": "getLandingPage", "responses": ok("landing page")}}));
    paths.insert(
        "/edr/conformance".into(),
        json!({"get": {"operationId": "getConformance", "responses": ok("conformance classes")}}),
    );
    paths.insert("/edr/api".into(), json!({"get": {"operationId": "getApi", "responses": ok("this document")}}));
    paths.insert(
        "/edr/collections".into(),
        json!({"get": {"operationId": "listCollections", "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            {"name": "offset", "in": "query", "schema": {"type": "integer"}}], "responses": ok("collections")}}),
    );
    paths.insert(
        "/edr/collections/{collectionId}".into(),
        json!({"get": {"operationId": "describeCollection", "parameters": [id_param], "responses": ok("collection metadata")}}),
    );
    for q in QUERIES {
        let mut ps = vec![id_param.clone()];
        ps.extend(parameters_of(q).iter().map(|p| param_doc(p)));
        let answers = json!({
            "200": {"description": format!("{q} answer"), "content": {
                "application/prs.coverage+json": {}, "text/csv": {}, "application/geo+json": {}, "application/x-netcdf": {}}},
            "400": {"description": "bad query parameter"},
            "404": {"description": "no such collection, or no data selected"},
            "413": {"description": "the answer would exceed max_answer_bytes"}});
        paths.insert(
            format!("/edr/collections/{{collectionId}}/{q}"),
            json!({"get": {"operationId": format!("query_{q}"), "parameters": ps, "responses": answers}}),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "rookery OGC API - EDR", "version": env!("CARGO_PKG_VERSION")},
        "servers": [{"url": base}],
        "paths": paths,
    })
}
