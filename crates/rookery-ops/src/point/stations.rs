//! The requested locations: parsed from `lon,lat` text, CSV (`id,lon,lat[,name]`) or GeoJSON
//! points, each checked.

use super::*;

/// One requested location.
#[derive(Clone, Debug, PartialEq)]
pub struct Station {
    /// Identifier (`station_id`).
    pub id: String,
    /// Name (`station_name`; the id when none was given).
    pub name: String,
    /// Longitude in degrees east.
    pub lon: f64,
    /// Latitude in degrees north.
    pub lat: f64,
}

fn check_location(lon: f64, lat: f64, what: &str) -> Result<(), OpError> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(OpError::Invalid(format!("{what}: latitude {lat} is outside -90..90")));
    }
    if !lon.is_finite() || !(-360.0..=360.0).contains(&lon) {
        return Err(OpError::Invalid(format!("{what}: longitude {lon} is outside -360..360")));
    }
    Ok(())
}

fn number(s: &str, what: &str) -> Result<f64, OpError> {
    s.trim().parse::<f64>().map_err(|_| OpError::Invalid(format!("{what}: '{}' is not a number", s.trim())))
}

/// Parses a `lon,lat` point (the `k`-th, from 1, of a request; its id is `P<k>`).
///
/// # Errors
/// Not two numbers; a latitude outside -90..90 or a longitude outside -360..360.
pub fn parse_point(text: &str, k: usize) -> Result<Station, OpError> {
    let what = format!("point '{}'", text.trim());
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 2 {
        return Err(OpError::Invalid(format!("{what}: expected lon,lat")));
    }
    let (lon, lat) = (number(parts[0], &what)?, number(parts[1], &what)?);
    check_location(lon, lat, &what)?;
    let id = format!("P{k}");
    Ok(Station { name: id.clone(), id, lon, lat })
}

/// Splits one CSV line (fields may be double-quoted, `""` inside quotes is a quote).
pub(super) fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if cur.trim().is_empty() && !was_quoted => {
                cur.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                out.push(if was_quoted {
                    std::mem::take(&mut cur)
                } else {
                    std::mem::take(&mut cur).trim().to_string()
                });
                was_quoted = false;
            }
            // Blanks between a closing quote and the comma.
            (false, c) if was_quoted && c.is_whitespace() => {}
            (_, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    out.push(if was_quoted { cur } else { cur.trim().to_string() });
    Ok(out)
}

/// Stations from CSV text: `id,lon,lat[,name]` rows, with an optional header naming the
/// columns (`id`/`station_id`, `lon`/`longitude`, `lat`/`latitude`, `name`/`station_name`, in
/// any order); `#` lines and blank lines are skipped.
///
/// # Errors
/// A row with the wrong number of fields, a coordinate that is not a number or out of range,
/// an empty or duplicate id, no rows.
pub fn parse_points_csv(text: &str) -> Result<Vec<Station>, OpError> {
    let mut cols: Option<(usize, usize, usize, Option<usize>, usize)> = None;
    let mut out: Vec<Station> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start_matches('\u{feff}');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let what = format!("points CSV line {}", n + 1);
        let f = csv_fields(line).map_err(|e| OpError::Invalid(format!("{what}: {e}")))?;
        if cols.is_none() {
            let low: Vec<String> = f.iter().map(|s| s.to_ascii_lowercase()).collect();
            let find = |names: &[&str]| low.iter().position(|c| names.contains(&c.as_str()));
            if let (Some(lo), Some(la)) = (find(&["lon", "longitude", "x"]), find(&["lat", "latitude", "y"])) {
                let Some(id) = find(&["id", "station_id", "station"]) else {
                    return Err(OpError::Invalid(format!("{what}: the header has no id column")));
                };
                cols = Some((id, lo, la, find(&["name", "station_name"]), f.len()));
                continue;
            }
            if !(3..=4).contains(&f.len()) {
                return Err(OpError::Invalid(format!(
                    "{what}: expected id,lon,lat[,name] (3 or 4 fields), found {}",
                    f.len()
                )));
            }
            cols = Some((0, 1, 2, (f.len() > 3).then_some(3), f.len()));
        }
        let Some((ci, clo, cla, cname, width)) = cols else { continue };
        if f.len() != width {
            return Err(OpError::Invalid(format!(
                "{what}: expected {width} fields (id,lon,lat[,name]), found {}",
                f.len()
            )));
        }
        let (lon, lat) = (number(&f[clo], &what)?, number(&f[cla], &what)?);
        check_location(lon, lat, &what)?;
        let id = f[ci].clone();
        if id.is_empty() {
            return Err(OpError::Invalid(format!("{what}: empty station id")));
        }
        let name = cname.map(|c| f[c].clone()).filter(|s| !s.is_empty()).unwrap_or_else(|| id.clone());
        out.push(Station { id, name, lon, lat });
    }
    finish(out, "the points CSV")
}

fn finish(out: Vec<Station>, what: &str) -> Result<Vec<Station>, OpError> {
    if out.is_empty() {
        return Err(OpError::Invalid(format!("{what} lists no points")));
    }
    let mut ids: Vec<&str> = out.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(OpError::Invalid(format!("{what} lists station id '{}' twice", w[0])));
    }
    Ok(out)
}

/// Stations from GeoJSON: a FeatureCollection of Point (or MultiPoint) features, a Feature,
/// or a bare Point/MultiPoint; the id is the feature's `id`, else its `id`/`station_id`
/// property, else `P<k>`; the name its `name`/`station_name` property.
///
/// # Errors
/// Not JSON, a geometry that is not a point, coordinates out of range, no points.
pub fn parse_points_geojson(text: &str) -> Result<Vec<Station>, OpError> {
    use serde_json::Value;
    let bad = |m: String| OpError::Invalid(format!("points GeoJSON: {m}"));
    let v: Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let features: Vec<Value> = match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => v.get("features").and_then(Value::as_array).cloned().unwrap_or_default(),
        Some("Feature") => vec![v.clone()],
        Some("Point" | "MultiPoint") => vec![serde_json::json!({"type": "Feature", "geometry": v})],
        other => return Err(bad(format!("expected a FeatureCollection of points, found type {other:?}"))),
    };
    let text_of = |x: &Value| match x {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut out = Vec::new();
    for (k, f) in features.iter().enumerate() {
        let props = f.get("properties");
        let prop = |names: &[&str]| names.iter().find_map(|n| props.and_then(|p| p.get(*n)).and_then(text_of));
        let base_id = f.get("id").and_then(text_of).or_else(|| prop(&["id", "station_id"]));
        let name = prop(&["name", "station_name"]);
        let g = f.get("geometry").ok_or_else(|| bad(format!("feature {k} has no geometry")))?;
        let coords: Vec<Value> = match g.get("type").and_then(Value::as_str) {
            Some("Point") => vec![g.get("coordinates").cloned().unwrap_or(Value::Null)],
            Some("MultiPoint") => g.get("coordinates").and_then(Value::as_array).cloned().unwrap_or_default(),
            other => return Err(bad(format!("feature {k}: geometry {other:?} is not a point"))),
        };
        let multi = coords.len() > 1;
        for (m, c) in coords.iter().enumerate() {
            let pair = c.as_array().filter(|a| a.len() >= 2).and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)));
            let (lon, lat) = pair.ok_or_else(|| bad(format!("feature {k}: coordinates are not [lon, lat]")))?;
            check_location(lon, lat, &format!("points GeoJSON feature {k}"))?;
            let id = match (&base_id, multi) {
                (Some(i), false) => i.clone(),
                (Some(i), true) => format!("{i}_{}", m + 1),
                (None, _) => format!("P{}", out.len() + 1),
            };
            let name = name.clone().map_or_else(|| id.clone(), |n| if multi { format!("{n} {}", m + 1) } else { n });
            out.push(Station { id, name, lon, lat });
        }
    }
    finish(out, "the points GeoJSON")
}

/// Stations from text: GeoJSON when it starts with `{`, else CSV.
///
/// # Errors
/// See [`parse_points_geojson`] and [`parse_points_csv`].
pub fn parse_points_text(text: &str) -> Result<Vec<Station>, OpError> {
    if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') {
        parse_points_geojson(text)
    } else {
        parse_points_csv(text)
    }
}

/// Stations from a CSV or GeoJSON file.
///
/// # Errors
/// An unreadable file; see [`parse_points_text`].
pub fn read_points(path: &Path) -> Result<Vec<Station>, OpError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| OpError::Invalid(format!("cannot read the points file {}: {e}", path.display())))?;
    parse_points_text(&text).map_err(|e| OpError::Invalid(format!("{}: {e}", path.display())))
}
