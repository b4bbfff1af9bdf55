//! Reading polygons for `average_shape`: GeoJSON (RFC 7946, and the old `crs` member), ESRI
//! Shapefiles (`.shp` with `.shx`/`.dbf` beside it, or all in a `.zip`; the `.prj` is
//! honoured) and GML (simple features: `Polygon`/`MultiPolygon`/`MultiSurface` with `posList`,
//! `pos` or `coordinates`; the XML is read with quick-xml). Coordinates end up as
//! longitude/latitude degrees: geographic reference systems are read as they are, Web Mercator
//! (EPSG:3857) is converted, any other projection is refused with a clear message.

use super::geometry::{Polygon, Ring, Shape};
use crate::OpError;
use serde_json::Value;
use std::io::{Cursor, Read};
use std::path::Path;

/// One attribute column of the polygons (a `geom` coordinate in the output).
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Integers (missing → `None`).
    Int(Vec<Option<i64>>),
    /// Floating-point numbers (missing → NaN).
    Float(Vec<f64>),
    /// Text (missing → empty).
    Text(Vec<String>),
}

/// Polygons with their attribute table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shapes {
    /// One (multi)polygon per feature, in file order.
    pub shapes: Vec<Shape>,
    /// Attribute columns (name, values per feature), in first-seen order.
    pub columns: Vec<(String, Column)>,
}

/// A coordinate reference system the reader can convert from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Crs {
    /// Longitude/latitude degrees.
    Geographic,
    /// Latitude/longitude degrees (GML with an EPSG URN).
    GeographicLatLon,
    /// EPSG:3857 metres.
    WebMercator,
}

fn convert(crs: Crs, x: f64, y: f64) -> (f64, f64) {
    match crs {
        Crs::Geographic => (x, y),
        Crs::GeographicLatLon => (y, x),
        Crs::WebMercator => {
            const R: f64 = 6_378_137.0;
            ((x / R).to_degrees(), (2.0 * (y / R).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees())
        }
    }
}

/// Why a shape file cannot be used: the part of [`OpError::Shape`]'s message after the file
/// name.
#[derive(Debug, thiserror::Error)]
pub enum ShapeError {
    /// The file (or a member of its zip archive) cannot be read.
    #[error("{0}")]
    Read(#[source] std::io::Error),
    /// Not a format that is read here.
    #[error("not GeoJSON, GML, a zipped ESRI Shapefile or a .shp")]
    UnknownFormat,
    /// A `.shp` whose `.shx` or `.dbf` (the extension, without the dot) is not beside it.
    #[error("the .{0} file beside it is missing (an ESRI Shapefile needs .shp, .shx and .dbf)")]
    MissingBeside(String),
    /// A zip without a complete ESRI Shapefile (the extensions missing, `.shp, .dbf`).
    #[error("the zip does not hold an ESRI Shapefile: missing {0} (it must contain the .shp, .shx and .dbf)")]
    IncompleteZip(String),
    /// Content that does not parse (invalid zip, JSON or XML, broken Shapefile records, a
    /// feature without geometry, ...; the text says what and where).
    #[error("{0}")]
    Malformed(String),
    /// A geometry or record that is not a polygon (the text says which).
    #[error("{0}")]
    NotPolygon(String),
    /// A coordinate reference system name that is not understood.
    #[error("unknown coordinate reference system '{0}'")]
    UnknownCrs(String),
    /// An EPSG coordinate reference system other than geographic or Web Mercator.
    #[error(
        "the coordinate reference system EPSG:{0} is not supported: give the polygons in longitude/latitude (EPSG:4326) or Web Mercator (EPSG:3857)"
    )]
    UnsupportedCrs(u32),
    /// A projection in the `.prj` other than Web Mercator (its name).
    #[error(
        "the projection '{0}' of its .prj is not supported: reproject the polygons to longitude/latitude (EPSG:4326)"
    )]
    UnsupportedProjection(String),
    /// A `.prj` that is not WKT (its first 60 characters).
    #[error("cannot read the projection in its .prj: '{0}'")]
    UnreadableProjection(String),
    /// A problem of one feature (0-based) of a GeoJSON feature collection.
    #[error("feature {index}: {source}")]
    Feature {
        /// The feature's index.
        index: usize,
        /// What is wrong with it.
        source: Box<ShapeError>,
    },
    /// The file holds no polygon.
    #[error("it holds no polygon")]
    NoPolygon,
}

fn err(path: &Path, source: ShapeError) -> OpError {
    OpError::Shape { path: path.to_path_buf(), source }
}

/// A [`ShapeError::Malformed`] of `path`.
fn bad(path: &Path, msg: impl std::fmt::Display) -> OpError {
    err(path, ShapeError::Malformed(msg.to_string()))
}

/// A CRS from a name such as `EPSG:4326`, `urn:ogc:def:crs:OGC:1.3:CRS84`,
/// `urn:ogc:def:crs:EPSG::3857`, `http://www.opengis.net/def/crs/EPSG/0/4326`.
fn crs_from_name(name: &str, gml: bool) -> Result<Crs, ShapeError> {
    let n = name.trim();
    let lower = n.to_ascii_lowercase();
    if lower.contains("crs84") || lower.contains("crs:84") {
        return Ok(Crs::Geographic);
    }
    let digits: String =
        n.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    let code: u32 = digits.parse().map_err(|_| ShapeError::UnknownCrs(n.to_string()))?;
    let urn_order = gml && (lower.starts_with("urn:") || lower.starts_with("http"));
    match code {
        4326 | 4269 | 4258 | 4283 | 4167 | 4019 | 4030 | 4047 => {
            Ok(if urn_order { Crs::GeographicLatLon } else { Crs::Geographic })
        }
        3857 | 900_913 | 3785 | 102_100 => Ok(Crs::WebMercator),
        _ => Err(ShapeError::UnsupportedCrs(code)),
    }
}

/// The CRS of a `.prj` (WKT).
fn crs_from_wkt(wkt: &str) -> Result<Crs, ShapeError> {
    let w = wkt.trim();
    let head: String = w.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_uppercase();
    match head.as_str() {
        "GEOGCS" | "GEOGCRS" | "GEODCRS" | "GEOGRAPHICCRS" => Ok(Crs::Geographic),
        "PROJCS" | "PROJCRS" | "PROJECTEDCRS" => {
            let l = w.to_ascii_lowercase();
            if l.contains("mercator_auxiliary_sphere")
                || l.contains("pseudo-mercator")
                || l.contains("pseudo_mercator")
                || l.contains("web_mercator")
                || l.contains("popular visualisation")
            {
                Ok(Crs::WebMercator)
            } else {
                let name: String = w.split('"').nth(1).unwrap_or("?").to_string();
                Err(ShapeError::UnsupportedProjection(name))
            }
        }
        _ => Err(ShapeError::UnreadableProjection(w.chars().take(60).collect())),
    }
}

/// Reads polygons from `path` (by extension, or by content when the extension says nothing).
///
/// # Errors
/// An unreadable or unparsable file, geometries that are not polygons, an unsupported
/// projection, a zip without `.shp`/`.shx`/`.dbf`, no polygon at all.
pub fn read_shapes(path: &Path) -> Result<Shapes, OpError> {
    let bytes = std::fs::read(path).map_err(|e| err(path, ShapeError::Read(e)))?;
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let s = match ext.as_str() {
        "json" | "geojson" => read_geojson(path, &bytes)?,
        "zip" => read_zip(path, &bytes)?,
        "shp" => {
            let side = |e: &str| -> Result<Vec<u8>, OpError> {
                let p = path.with_extension(e);
                let up = path.with_extension(e.to_ascii_uppercase());
                std::fs::read(&p)
                    .or_else(|_| std::fs::read(&up))
                    .map_err(|_| err(path, ShapeError::MissingBeside(e.to_string())))
            };
            let prj = std::fs::read(path.with_extension("prj")).ok();
            read_shapefile(path, bytes, side("shx")?, side("dbf")?, prj)?
        }
        "gml" | "xml" => read_gml(path, &bytes)?,
        _ => match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => read_geojson(path, &bytes)?,
            Some(b'<') => read_gml(path, &bytes)?,
            Some(b'P') if bytes.starts_with(b"PK") => read_zip(path, &bytes)?,
            _ => return Err(err(path, ShapeError::UnknownFormat)),
        },
    };
    if s.shapes.is_empty() {
        return Err(err(path, ShapeError::NoPolygon));
    }
    Ok(s)
}

fn read_zip(path: &Path, bytes: &[u8]) -> Result<Shapes, OpError> {
    let mut z =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(path, format!("not a valid zip file ({e})")))?;
    let mut found: [Option<Vec<u8>>; 4] = [None, None, None, None];
    let exts = ["shp", "shx", "dbf", "prj"];
    for i in 0..z.len() {
        let mut f = z.by_index(i).map_err(|e| bad(path, e))?;
        let name = f.name().map(std::borrow::Cow::into_owned).map_err(|e| bad(path, e))?;
        if name.starts_with("__MACOSX") || name.contains("/._") || f.is_dir() {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        for (k, e) in exts.iter().enumerate() {
            if found[k].is_none() && lower.ends_with(&format!(".{e}")) {
                let mut buf = Vec::new();
                f.read_to_end(&mut buf).map_err(|e| err(path, ShapeError::Read(e)))?;
                found[k] = Some(buf);
                break;
            }
        }
    }
    let [shp, shx, dbf, prj] = found;
    let missing: Vec<&str> =
        [(&shp, ".shp"), (&shx, ".shx"), (&dbf, ".dbf")].iter().filter(|(f, _)| f.is_none()).map(|(_, e)| *e).collect();
    match (shp, shx, dbf) {
        (Some(a), Some(b), Some(c)) => read_shapefile(path, a, b, c, prj),
        _ => Err(err(path, ShapeError::IncompleteZip(missing.join(", ")))),
    }
}

/// Which outer ring contains point `p` (even-odd rule).
fn contains(r: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut inside = false;
    let n = r.len();
    for k in 0..n {
        let (a, b) = (r[k], r[(k + n - 1) % n]);
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) + a.0 {
            inside = !inside;
        }
    }
    inside
}

/// Groups rings into polygons: each inner ring goes to the outer ring that contains it
/// (the previous outer ring if none does).
fn assemble(rings: Vec<(bool, Ring)>) -> Shape {
    let mut parts: Vec<Polygon> = Vec::new();
    let mut inner: Vec<Ring> = Vec::new();
    for (outer, r) in rings {
        if outer {
            parts.push(Polygon { exterior: r, holes: Vec::new() });
        } else {
            inner.push(r);
        }
    }
    for h in inner {
        let Some(&p) = h.first() else { continue };
        let k = parts.iter().position(|q| contains(&q.exterior, p)).or(parts.len().checked_sub(1));
        if let Some(k) = k {
            parts[k].holes.push(h);
        }
    }
    Shape { parts }
}

fn read_shapefile(
    path: &Path,
    shp: Vec<u8>,
    shx: Vec<u8>,
    dbf: Vec<u8>,
    prj: Option<Vec<u8>>,
) -> Result<Shapes, OpError> {
    use shapefile::dbase::FieldValue;
    let crs = match prj {
        Some(p) => crs_from_wkt(&String::from_utf8_lossy(&p)).map_err(|e| err(path, e))?,
        None => Crs::Geographic,
    };
    let sr = shapefile::ShapeReader::with_shx(Cursor::new(shp), Cursor::new(shx)).map_err(|e| bad(path, e))?;
    let dr = shapefile::dbase::Reader::new(Cursor::new(dbf)).map_err(|e| bad(path, e))?;
    let names: Vec<String> = dr.fields().iter().map(|f| f.name().to_string()).filter(|n| n != "DeletionFlag").collect();
    let mut reader = shapefile::Reader::new(sr, dr);
    let mut shapes = Vec::new();
    let mut records = Vec::new();
    for (k, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, rec) = item.map_err(|e| bad(path, e))?;
        macro_rules! rings {
            ($p:expr) => {
                $p.rings()
                    .iter()
                    .map(|r| {
                        let outer = matches!(r, shapefile::PolygonRing::Outer(_));
                        (outer, r.points().iter().map(|q| convert(crs, q.x, q.y)).collect::<Ring>())
                    })
                    .collect::<Vec<_>>()
            };
        }
        let rings = match shape {
            shapefile::Shape::Polygon(p) => rings!(p),
            shapefile::Shape::PolygonM(p) => rings!(p),
            shapefile::Shape::PolygonZ(p) => rings!(p),
            shapefile::Shape::NullShape => Vec::new(),
            _ => {
                return Err(err(
                    path,
                    ShapeError::NotPolygon(format!("record {k} is not a polygon: only polygons can be averaged over")),
                ))
            }
        };
        shapes.push(assemble(rings));
        records.push(rec);
    }
    let mut columns = Vec::new();
    for n in names {
        let vals: Vec<Option<&FieldValue>> = records.iter().map(|r| r.get(&n)).collect();
        let numeric = vals.iter().all(|v| {
            matches!(
                v,
                None | Some(
                    FieldValue::Numeric(_)
                        | FieldValue::Float(_)
                        | FieldValue::Integer(_)
                        | FieldValue::Double(_)
                        | FieldValue::Currency(_)
                )
            )
        });
        let as_f = |v: &Option<&FieldValue>| -> Option<f64> {
            match v {
                Some(FieldValue::Numeric(x)) => *x,
                Some(FieldValue::Float(x)) => x.map(f64::from),
                Some(FieldValue::Integer(x)) => Some(f64::from(*x)),
                Some(FieldValue::Double(x) | FieldValue::Currency(x)) => Some(*x),
                _ => None,
            }
        };
        let col = if numeric {
            let f: Vec<Option<f64>> = vals.iter().map(as_f).collect();
            if f.iter().flatten().all(|x| x.fract() == 0.0 && x.abs() < 9e15) {
                #[allow(clippy::cast_possible_truncation)]
                Column::Int(f.iter().map(|x| x.map(|x| x as i64)).collect())
            } else {
                Column::Float(f.iter().map(|x| x.unwrap_or(f64::NAN)).collect())
            }
        } else {
            Column::Text(
                vals.iter()
                    .map(|v| match v {
                        Some(FieldValue::Character(Some(s))) => s.trim().to_string(),
                        Some(FieldValue::Logical(Some(b))) => b.to_string(),
                        Some(FieldValue::Date(Some(d))) => d.to_string(),
                        Some(FieldValue::Memo(s)) => s.clone(),
                        _ => as_f(v).map(|x| x.to_string()).unwrap_or_default(),
                    })
                    .collect(),
            )
        };
        columns.push((n, col));
    }
    Ok(Shapes { shapes, columns })
}

fn json_ring(v: &Value, crs: Crs) -> Option<Ring> {
    v.as_array()?
        .iter()
        .map(|p| {
            let a = p.as_array()?;
            Some(convert(crs, a.first()?.as_f64()?, a.get(1)?.as_f64()?))
        })
        .collect()
}

fn json_polygon(v: &Value, crs: Crs) -> Option<Polygon> {
    let rings: Vec<Ring> = v.as_array()?.iter().map(|r| json_ring(r, crs)).collect::<Option<_>>()?;
    let mut it = rings.into_iter();
    Some(Polygon { exterior: it.next()?, holes: it.collect() })
}

fn json_geometry(g: &Value, crs: Crs) -> Result<Shape, ShapeError> {
    let ty = g.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = g.get("coordinates");
    let bad = || ShapeError::Malformed(format!("a {ty} geometry has malformed coordinates"));
    match ty {
        "Polygon" => Ok(Shape { parts: vec![coords.and_then(|c| json_polygon(c, crs)).ok_or_else(bad)?] }),
        "MultiPolygon" => {
            let parts = coords
                .and_then(Value::as_array)
                .ok_or_else(bad)?
                .iter()
                .map(|p| json_polygon(p, crs).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Shape { parts })
        }
        "GeometryCollection" => {
            let mut parts = Vec::new();
            for sub in g.get("geometries").and_then(Value::as_array).ok_or_else(bad)? {
                parts.extend(json_geometry(sub, crs)?.parts);
            }
            Ok(Shape { parts })
        }
        "" => Err(ShapeError::Malformed("a geometry has no type".into())),
        o => Err(ShapeError::NotPolygon(format!(
            "a {o} geometry is not a polygon: only Polygon and MultiPolygon can be averaged over"
        ))),
    }
}

fn read_geojson(path: &Path, bytes: &[u8]) -> Result<Shapes, OpError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| bad(path, format!("invalid JSON ({e})")))?;
    let crs = match v.pointer("/crs/properties/name").and_then(Value::as_str) {
        Some(n) => crs_from_name(n, false).map_err(|e| err(path, e))?,
        None => Crs::Geographic,
    };
    let features: Vec<&Value> = match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => v
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(path, "a FeatureCollection without a features array"))?
            .iter()
            .collect(),
        Some("Feature") => vec![&v],
        Some(_) => {
            let s = json_geometry(&v, crs).map_err(|e| err(path, e))?;
            return Ok(Shapes { shapes: vec![s], columns: Vec::new() });
        }
        None => return Err(bad(path, "not GeoJSON (no \"type\" member)")),
    };
    let mut shapes = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (k, f) in features.iter().enumerate() {
        let g = f
            .get("geometry")
            .filter(|g| !g.is_null())
            .ok_or_else(|| bad(path, format!("feature {k} has no geometry")))?;
        shapes
            .push(json_geometry(g, crs).map_err(|e| err(path, ShapeError::Feature { index: k, source: Box::new(e) }))?);
        if let Some(p) = f.get("properties").and_then(Value::as_object) {
            for key in p.keys() {
                if !names.contains(key) {
                    names.push(key.clone());
                }
            }
        }
    }
    let mut columns = Vec::new();
    for n in names {
        let vals: Vec<Option<&Value>> =
            features.iter().map(|f| f.get("properties").and_then(|p| p.get(&n)).filter(|x| !x.is_null())).collect();
        let col = if vals.iter().flatten().all(|x| x.is_i64() || x.is_u64()) {
            Column::Int(vals.iter().map(|x| x.and_then(Value::as_i64)).collect())
        } else if vals.iter().flatten().all(|x| x.is_number()) {
            Column::Float(vals.iter().map(|x| x.and_then(Value::as_f64).unwrap_or(f64::NAN)).collect())
        } else {
            Column::Text(
                vals.iter()
                    .map(|x| match x {
                        Some(Value::String(s)) => s.clone(),
                        Some(o) => o.to_string(),
                        None => String::new(),
                    })
                    .collect(),
            )
        };
        columns.push((n, col));
    }
    Ok(Shapes { shapes, columns })
}

// ---------------------------------------------------------------- GML

/// An XML element tree (enough for GML simple features).
#[derive(Debug, Default)]
struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Elem>,
}

impl Elem {
    fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }
    fn attr(&self, n: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k.rsplit(':').next() == Some(n)).map(|(_, v)| v.as_str())
    }
    fn find_all<'a>(&'a self, local: &str, out: &mut Vec<&'a Elem>) {
        for c in &self.children {
            if c.local() == local {
                out.push(c);
            } else {
                c.find_all(local, out);
            }
        }
    }
}

/// Reads an XML document into an element tree (quick-xml). Text, CDATA and resolved entity
/// and character references accumulate on the enclosing element; comments, declarations,
/// processing instructions and the DOCTYPE are skipped. Errors name what is wrong and where.
fn parse_xml(s: &str) -> Result<Elem, String> {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::XmlVersion;
    let v = XmlVersion::Implicit1_0;
    let element = |e: &BytesStart<'_>| -> Result<Elem, String> {
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let tag = || e.name().as_ref().to_string();
            let a = a.map_err(|err| format!("bad attribute in <{}> ({err})", tag()))?;
            // A value with a lone `&` stays as written (like text).
            let value = a.normalized_value(v).map_or_else(|_| a.value.to_string(), std::borrow::Cow::into_owned);
            attrs.push((a.key.as_ref().to_string(), value));
        }
        Ok(Elem { name: e.name().as_ref().to_string(), attrs, ..Elem::default() })
    };
    let mut rd = quick_xml::Reader::from_str(s);
    let config = rd.config_mut();
    // End tags are matched below, so that the message names both tags.
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    // A lone `&` (as in "AT&T" written by hand) stays text, as before quick-xml.
    config.allow_dangling_amp = true;
    let mut stack: Vec<Elem> = vec![Elem::default()];
    loop {
        let event = rd.read_event().map_err(|e| format!("{e}, at byte {}", rd.error_position()))?;
        let top = stack.last_mut().ok_or("unbalanced tags")?;
        match event {
            Event::Start(e) => stack.push(element(&e)?),
            Event::Empty(e) => top.children.push(element(&e)?),
            Event::End(e) => {
                let name = e.name().as_ref().trim().to_string();
                if stack.len() < 2 {
                    return Err(format!("</{name}> closes no open element"));
                }
                let done = stack.pop().ok_or("unbalanced tags")?;
                if done.name != name {
                    return Err(format!("</{name}> closes <{}>", done.name));
                }
                stack.last_mut().ok_or("unbalanced tags")?.children.push(done);
            }
            Event::Text(t) => top.text.push_str(&t.xml_content(v)),
            Event::CData(t) => top.text.push_str(&t.xml_content(v)),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => top.text.push(c),
                _ => {
                    let name = r.xml_content(v);
                    match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(x) => top.text.push_str(x),
                        // An undeclared entity stays as written.
                        None => top.text.push_str(&format!("&{name};")),
                    }
                }
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if let [_, .., open] = stack.as_slice() {
        return Err(format!("unclosed element <{}>", open.name));
    }
    stack.pop().ok_or_else(|| "empty document".into())
}

fn gml_ring(e: &Elem, crs: Crs, dim: usize) -> Option<Ring> {
    let mut lists = Vec::new();
    e.find_all("posList", &mut lists);
    let nums: Vec<f64> = if let Some(pl) = lists.first() {
        let d = pl.attr("srsDimension").and_then(|x| x.parse().ok()).unwrap_or(dim);
        let v: Vec<f64> = pl.text.split_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
        return Some(v.chunks(d.max(2)).filter(|c| c.len() >= 2).map(|c| convert(crs, c[0], c[1])).collect());
    } else {
        let mut pos = Vec::new();
        e.find_all("pos", &mut pos);
        if pos.is_empty() {
            let mut cs = Vec::new();
            e.find_all("coordinates", &mut cs);
            let c = cs.first()?;
            return c
                .text
                .split_whitespace()
                .map(|t| {
                    let mut xy = t.split(',').map(str::parse::<f64>);
                    match (xy.next(), xy.next()) {
                        (Some(Ok(x)), Some(Ok(y))) => Some(convert(crs, x, y)),
                        _ => None,
                    }
                })
                .collect();
        }
        pos.iter().flat_map(|p| p.text.split_whitespace().take(2).map(|t| t.parse().unwrap_or(f64::NAN))).collect()
    };
    Some(nums.chunks(2).filter(|c| c.len() == 2).map(|c| convert(crs, c[0], c[1])).collect())
}

fn gml_polygon(p: &Elem, crs: Crs) -> Option<Polygon> {
    let mut ext = Vec::new();
    p.find_all("exterior", &mut ext);
    p.find_all("outerBoundaryIs", &mut ext);
    let mut int = Vec::new();
    p.find_all("interior", &mut int);
    p.find_all("innerBoundaryIs", &mut int);
    let exterior = gml_ring(ext.first()?, crs, 2)?;
    let holes = int.iter().filter_map(|h| gml_ring(h, crs, 2)).collect();
    Some(Polygon { exterior, holes })
}

fn read_gml(path: &Path, bytes: &[u8]) -> Result<Shapes, OpError> {
    let text = String::from_utf8_lossy(bytes);
    let root = parse_xml(&text).map_err(|m| bad(path, format!("invalid XML ({m})")))?;
    let mut members = Vec::new();
    root.find_all("featureMember", &mut members);
    root.find_all("member", &mut members);
    let features: Vec<&Elem> =
        if members.is_empty() { vec![&root] } else { members.iter().filter_map(|m| m.children.first()).collect() };
    let mut shapes = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<(String, String)>> = Vec::new();
    for f in &features {
        let mut polys = Vec::new();
        f.find_all("Polygon", &mut polys);
        if polys.is_empty() {
            continue;
        }
        let srs = polys
            .first()
            .and_then(|p| p.attr("srsName"))
            .or_else(|| {
                let mut env = Vec::new();
                f.find_all("Envelope", &mut env);
                env.first().and_then(|e| e.attr("srsName"))
            })
            .or_else(|| {
                let mut env = Vec::new();
                root.find_all("Envelope", &mut env);
                env.first().and_then(|e| e.attr("srsName"))
            });
        let crs = match srs {
            Some(n) => crs_from_name(n, true).map_err(|e| err(path, e))?,
            None => Crs::Geographic,
        };
        let parts = polys
            .iter()
            .map(|p| gml_polygon(p, crs).ok_or_else(|| bad(path, "a Polygon without a readable exterior ring")))
            .collect::<Result<Vec<_>, _>>()?;
        shapes.push(Shape { parts });
        let row: Vec<(String, String)> = f
            .children
            .iter()
            .filter(|c| c.children.is_empty() && c.local() != "boundedBy")
            .map(|c| (c.local().to_string(), c.text.trim().to_string()))
            .collect();
        for (n, _) in &row {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        rows.push(row);
    }
    let mut columns = Vec::new();
    for n in names {
        let vals: Vec<Option<&str>> =
            rows.iter().map(|r| r.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str())).collect();
        let col = if vals.iter().flatten().all(|v| v.parse::<i64>().is_ok()) {
            Column::Int(vals.iter().map(|v| v.and_then(|v| v.parse().ok())).collect())
        } else if vals.iter().flatten().all(|v| v.parse::<f64>().is_ok()) {
            Column::Float(vals.iter().map(|v| v.and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)).collect())
        } else {
            Column::Text(vals.iter().map(|v| v.unwrap_or("").to_string()).collect())
        };
        columns.push((n, col));
    }
    Ok(Shapes { shapes, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crs_names() {
        assert_eq!(crs_from_name("urn:ogc:def:crs:OGC:1.3:CRS84", false).unwrap(), Crs::Geographic);
        assert_eq!(crs_from_name("EPSG:3857", false).unwrap(), Crs::WebMercator);
        assert_eq!(crs_from_name("urn:ogc:def:crs:EPSG::4326", true).unwrap(), Crs::GeographicLatLon);
        assert!(crs_from_name("EPSG:32633", false).unwrap_err().to_string().contains("EPSG:32633"));
        assert!(matches!(crs_from_name("EPSG:32633", false), Err(ShapeError::UnsupportedCrs(32633))));
        assert!(crs_from_wkt("PROJCS[\"WGS 84 / UTM zone 33N\",GEOGCS[...]]").unwrap_err().to_string().contains("UTM"));
        assert_eq!(crs_from_wkt("GEOGCS[\"GCS_WGS_1984\"]").unwrap(), Crs::Geographic);
        let (x, y) = convert(Crs::WebMercator, 1_113_194.907_932_735_7, 0.0);
        assert!((x - 10.0).abs() < 1e-9 && y.abs() < 1e-12);
    }

    #[test]
    fn gml_polygons() {
        let doc = r#"<?xml version="1.0"?>
<ogr:FeatureCollection xmlns:ogr="x" xmlns:gml="http://www.opengis.net/gml">
  <gml:featureMember><ogr:f><ogr:geometryProperty>
    <gml:Polygon srsName="EPSG:4326"><gml:exterior><gml:LinearRing>
      <gml:posList>0 0 2 0 2 2 0 2 0 0</gml:posList></gml:LinearRing></gml:exterior>
    <gml:interior><gml:LinearRing><gml:coordinates>0.5,0.5 1,0.5 1,1 0.5,0.5</gml:coordinates></gml:LinearRing></gml:interior>
    </gml:Polygon></ogr:geometryProperty><ogr:name>box &amp; hole</ogr:name><ogr:code>7</ogr:code></ogr:f></gml:featureMember>
</ogr:FeatureCollection>"#;
        let s = read_gml(Path::new("x.gml"), doc.as_bytes()).unwrap();
        assert_eq!(s.shapes.len(), 1);
        assert_eq!(s.shapes[0].parts[0].exterior.len(), 5);
        assert_eq!(s.shapes[0].parts[0].holes.len(), 1);
        assert_eq!(s.columns[0], ("name".to_string(), Column::Text(vec!["box & hole".into()])));
        assert_eq!(s.columns[1], ("code".to_string(), Column::Int(vec![Some(7)])));
    }

    /// What quick-xml brings over the old hand-written reader, on GML 3.2 as GDAL and QGIS
    /// write it: comments, a DOCTYPE, CDATA, character references, single quotes, `>` in an
    /// attribute value; `MultiSurface` of `pos` and 3-D `posList` rings; an EPSG URN on the first
    /// polygon (latitude first); a lone `&` in text stays text.
    #[test]
    fn gml_documents() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE wfs [ <!ELEMENT x ANY> ]>
<!-- written by hand -->
<wfs:FeatureCollection xmlns:wfs='http://www.opengis.net/wfs/2.0' xmlns:gml="http://www.opengis.net/gml/3.2">
  <wfs:member>
    <app:region gml:id='r.1' note="a > b">
      <app:name><![CDATA[Île <de> France]]></app:name>
      <app:label>Caf&#233; &amp; bar &#x263A;</app:label>
      <app:owner>AT&T</app:owner>
      <app:geom>
        <gml:MultiSurface>
          <gml:surfaceMember><gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing>
            <gml:pos>10 20</gml:pos><gml:pos>10 21</gml:pos><gml:pos>11 21</gml:pos><gml:pos>10 20</gml:pos>
          </gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
          <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>
            <gml:posList srsDimension="3">-5 30 0 -5 31 0 -4 31 0 -5 30 0</gml:posList>
          </gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
        </gml:MultiSurface>
      </app:geom>
      <app:code>12</app:code>
    </app:region>
  </wfs:member>
</wfs:FeatureCollection>"#;
        let s = read_gml(Path::new("x.gml"), doc.as_bytes()).unwrap();
        assert_eq!(s.shapes.len(), 1);
        let parts = &s.shapes[0].parts;
        assert_eq!(parts.len(), 2);
        // Latitude first in the URN: (lat, lon) pairs become (lon, lat).
        assert_eq!(parts[0].exterior, vec![(20.0, 10.0), (21.0, 10.0), (21.0, 11.0), (20.0, 10.0)]);
        assert_eq!(parts[1].exterior, vec![(30.0, -5.0), (31.0, -5.0), (31.0, -4.0), (30.0, -5.0)]);
        let col = |n: &str| s.columns.iter().find(|(k, _)| k == n).map(|(_, c)| c.clone());
        assert_eq!(col("name"), Some(Column::Text(vec!["Île <de> France".into()])));
        assert_eq!(col("label"), Some(Column::Text(vec!["Café & bar ☺".into()])));
        assert_eq!(col("owner"), Some(Column::Text(vec!["AT&T".into()])));
        assert_eq!(col("code"), Some(Column::Int(vec![Some(12)])));
    }

    /// Broken XML is refused with one line saying what is wrong (and, from the XML reader,
    /// where).
    #[test]
    fn gml_errors() {
        let ring = "<gml:posList>0 0 1 0 1 1 0 0</gml:posList>";
        for (doc, want) in [
            (format!("<a><gml:Polygon>{ring}</gml:Polygons></a>"), "</gml:Polygons> closes <gml:Polygon>"),
            (format!("<a><gml:Polygon>{ring}</gml:Polygon>"), "unclosed element <a>"),
            (format!("<a>{ring}</a></b>"), "</b> closes no open element"),
            (format!("<a><gml:Polygon srsName=EPSG:4326>{ring}</gml:Polygon></a>"), "bad attribute in <gml:Polygon>"),
            (format!("<a><gml:Polygon srsName=\"EPSG:4326>{ring}</gml:Polygon></a>"), "attribute value not closed"),
            ("<a><gml:Polygon".to_string(), "at byte"),
            ("<a><!-- never closed".to_string(), "comment not closed"),
        ] {
            let e = read_gml(Path::new("x.gml"), doc.as_bytes()).unwrap_err().to_string();
            assert!(e.starts_with("cannot read the shape file x.gml: invalid XML ("), "{doc}: {e}");
            assert!(e.contains(want), "{doc}: {e}");
            assert!(!e.contains('\n'), "{doc}: {e}");
        }
        // Well-formed XML without polygons reads as no shapes (read_shapes then says so).
        let s = read_gml(Path::new("x.gml"), b"<a><b>text</b></a>").unwrap();
        assert!(s.shapes.is_empty());
    }

    /// A shapefile written by the `shapefile` crate (outer ring clockwise with a hole), read
    /// from a zip (with a geographic .prj) and from a bare .shp: same polygons and attributes;
    /// a zip without the .dbf is refused.
    #[test]
    fn zipped_shapefile_round_trip() {
        use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("regions.shp");
        let builder = TableWriterBuilder::new()
            .add_character_field(FieldName::try_from("NAME").unwrap(), 20)
            .add_numeric_field(FieldName::try_from("CODE").unwrap(), 10, 0);
        let mut w = shapefile::Writer::from_path(&shp, builder).unwrap();
        let p = |v: &[(f64, f64)]| v.iter().map(|&(x, y)| shapefile::Point::new(x, y)).collect::<Vec<_>>();
        let poly = shapefile::Polygon::with_rings(vec![
            shapefile::PolygonRing::Outer(p(&[(0.0, 0.0), (0.0, 4.0), (4.0, 4.0), (4.0, 0.0), (0.0, 0.0)])),
            shapefile::PolygonRing::Inner(p(&[(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 2.0), (1.0, 1.0)])),
        ]);
        let mut rec = Record::default();
        rec.insert("NAME".into(), FieldValue::Character(Some("box".into())));
        rec.insert("CODE".into(), FieldValue::Numeric(Some(42.0)));
        w.write_shape_and_record(&poly, &rec).unwrap();
        drop(w);
        let bare = read_shapes(&shp).unwrap();
        assert_eq!(bare.shapes.len(), 1);
        assert_eq!(bare.shapes[0].parts.len(), 1);
        assert_eq!(bare.shapes[0].parts[0].holes.len(), 1);
        assert_eq!(bare.columns[0], ("NAME".to_string(), Column::Text(vec!["box".into()])));
        assert_eq!(bare.columns[1], ("CODE".to_string(), Column::Int(vec![Some(42)])));
        let zip_path = dir.path().join("regions.zip");
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for e in ["shp", "shx", "dbf"] {
            z.start_file(format!("data/regions.{e}"), opts).unwrap();
            z.write_all(&std::fs::read(shp.with_extension(e)).unwrap()).unwrap();
        }
        z.start_file("data/regions.prj", opts).unwrap();
        z.write_all(br#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]"#).unwrap();
        z.finish().unwrap();
        assert_eq!(read_shapes(&zip_path).unwrap(), bare);
        let partial = dir.path().join("partial.zip");
        let mut z = zip::ZipWriter::new(std::fs::File::create(&partial).unwrap());
        for e in ["shp", "shx"] {
            z.start_file(format!("regions.{e}"), opts).unwrap();
            z.write_all(&std::fs::read(shp.with_extension(e)).unwrap()).unwrap();
        }
        z.finish().unwrap();
        let e = read_shapes(&partial).unwrap_err().to_string();
        assert!(e.contains("missing .dbf"), "{e}");
        // A projected .prj is refused by name.
        std::fs::write(shp.with_extension("prj"), r#"PROJCS["WGS 84 / UTM zone 33N",GEOGCS["WGS 84"]]"#).unwrap();
        let e = read_shapes(&shp).unwrap_err().to_string();
        assert!(e.contains("UTM zone 33N"), "{e}");
    }
}
