//! WCMP2 discovery records (WMO Core Metadata Profile 2: OGC API – Records GeoJSON features):
//! one per served dataset collection (`type: dataset`) and one per process (`type: process`).

use super::{CollectionSummary, Wis2Config};
use serde_json::{json, Value};

/// The scheme of WIS2 earth-system-discipline themes.
const DISCIPLINE_SCHEME: &str = "https://codes.wmo.int/wis/topic-hierarchy/earth-system-discipline";
/// The scheme of CF standard-name themes.
const CF_SCHEME: &str = "https://vocab.nerc.ac.uk/standard_name/";

/// A process the service offers, as its record describes it.
#[derive(Clone, Debug)]
pub struct ProcessInfo {
    /// Process identifier (`/processes/{id}`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
}

fn contacts(cfg: &Wis2Config) -> Value {
    let mut c = json!({"organization": cfg.organization, "roles": ["host"]});
    if let Some(e) = &cfg.email {
        c["emails"] = json!([{"value": e}]);
    }
    c["links"] = json!([{"rel": "about", "type": "text/html", "href": cfg.base_url}]);
    json!([c])
}

fn discipline_theme(cfg: &Wis2Config) -> Value {
    json!({"concepts": [{"id": cfg.discipline}], "scheme": DISCIPLINE_SCHEME})
}

/// `YYYY-MM-DD` of an ISO time (the part WCMP2's interval pattern takes).
fn date_of(iso: &str) -> Option<String> {
    let d = iso.get(..10)?;
    let ok = d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    ok.then(|| d.to_string())
}

/// The record of a served project.
#[must_use]
pub fn dataset_record(cfg: &Wis2Config, s: &CollectionSummary, created: &str) -> Value {
    let base = &cfg.base_url;
    let project = &s.project;
    let mut keywords: Vec<Value> = vec![json!(project), json!("climate model data")];
    keywords.extend(s.variables.iter().map(|v| json!(v)));
    keywords.extend(cfg.keywords.iter().map(|k| json!(k)));
    let mut themes = vec![discipline_theme(cfg)];
    if !s.standard_names.is_empty() {
        let concepts: Vec<Value> = s.standard_names.iter().map(|n| json!({"id": n, "title": n})).collect();
        themes.push(json!({"concepts": concepts, "scheme": CF_SCHEME}));
    }
    let time = s.time.as_ref().and_then(|(a, b)| {
        let mut t = json!({"interval": [date_of(a)?, date_of(b)?]});
        if s.resolutions.len() == 1 {
            t["resolution"] = json!(s.resolutions.iter().next());
        }
        Some(t)
    });
    let geometry = s
        .bbox
        .map(|[w, so, e, n]| json!({"type": "Polygon", "coordinates": [[[w, so], [w, n], [e, n], [e, so], [w, so]]]}));
    let listing = format!("{base}/datasets?project={project}");
    let mut links = vec![
        json!({"rel": "data", "type": "application/json", "title": format!("Datasets of {project} (data API)"), "href": listing}),
        json!({"rel": "items", "type": "text/html", "title": format!("Datasets of {project}"), "href": format!("{listing}&f=html")}),
        json!({"rel": "service", "type": "application/json", "title": "Processes of this node (OGC API – Processes)", "href": format!("{base}/processes")}),
    ];
    if let Some(first) = s.scanned.first() {
        links.push(json!({"rel": "describedby", "type": "application/json", "title": format!("Dataset {first}"), "href": format!("{base}/datasets/{first}")}));
    }
    if let Some(l) = &cfg.licence_url {
        links.push(json!({"rel": "license", "type": "text/html", "title": "Licence", "href": l}));
    }
    if let Some(b) = &cfg.broker {
        links.push(json!({"rel": "items", "type": "application/geo+json", "title": "WIS2 notifications of new products", "href": b, "channel": cfg.data_topic(None)}));
    }
    let title = format!("{project} climate model datasets served by {}", cfg.centre_id);
    let description = format!(
        "{} datasets of the {project} project, served by the rookery node {} as NetCDF files, Zarr and Kerchunk references, and processable (subset, average, regrid...) through OGC API – Processes and WPS.{}",
        s.datasets,
        cfg.centre_id,
        if s.variables.is_empty() { String::new() } else { format!(" Variables include {}.", s.variables.iter().cloned().collect::<Vec<_>>().join(", ")) }
    );
    let mut properties = json!({
        "type": "dataset",
        "title": title,
        "description": description,
        "keywords": keywords,
        "themes": themes,
        "contacts": contacts(cfg),
        "created": created,
        "updated": created,
        "wmo:dataPolicy": cfg.data_policy,
    });
    if cfg.licence_url.is_some() {
        properties["rights"] = json!("See the licence link.");
    }
    json!({
        "id": cfg.metadata_id(project),
        "conformsTo": ["http://wis.wmo.int/spec/wcmp/2/conf/core"],
        "type": "Feature",
        "time": time,
        "geometry": geometry,
        "properties": properties,
        "links": links,
    })
}

/// The record of a process (`urn:wmo:md:<centre>:process.<id>`).
#[must_use]
pub fn process_record(cfg: &Wis2Config, p: &ProcessInfo, created: &str) -> Value {
    let base = &cfg.base_url;
    let description = if p.description.trim().is_empty() { p.title.clone() } else { p.description.clone() };
    let mut links = vec![
        json!({"rel": "describedby", "type": "application/json", "title": format!("Description of process {}", p.id), "href": format!("{base}/processes/{}", p.id)}),
        json!({"rel": "service", "type": "application/json", "title": "Execute (OGC API – Processes)", "href": format!("{base}/processes/{}/execution", p.id)}),
    ];
    if let Some(l) = &cfg.licence_url {
        links.push(json!({"rel": "license", "type": "text/html", "title": "Licence", "href": l}));
    }
    json!({
        "id": cfg.metadata_id(&format!("process.{}", p.id)),
        "conformsTo": ["http://wis.wmo.int/spec/wcmp/2/conf/core"],
        "type": "Feature",
        "time": null,
        "geometry": null,
        "properties": {
            "type": "process",
            "title": p.title,
            "description": description,
            "keywords": ["process", "OGC API - Processes", p.id],
            "themes": [discipline_theme(cfg)],
            "contacts": contacts(cfg),
            "created": created,
            "updated": created,
        },
        "links": links,
    })
}

/// A minimal HTML page of records (title, id, description, links).
#[must_use]
pub fn html(records: &[Value], title: &str) -> String {
    let esc = rookery_io::text::xml;
    let mut out = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{0}</title></head><body><h1>{0}</h1>\n",
        esc(title)
    );
    for r in records {
        let id = r["id"].as_str().unwrap_or_default();
        let _ = std::fmt::Write::write_fmt(
            &mut out,
            format_args!(
                "<section><h2>{}</h2><p><code>{}</code> ({})</p><p>{}</p><ul>",
                esc(r["properties"]["title"].as_str().unwrap_or_default()),
                esc(id),
                esc(r["properties"]["type"].as_str().unwrap_or_default()),
                esc(r["properties"]["description"].as_str().unwrap_or_default())
            ),
        );
        for l in r["links"].as_array().into_iter().flatten() {
            let href = l["href"].as_str().unwrap_or_default();
            let _ = std::fmt::Write::write_fmt(
                &mut out,
                format_args!(
                    "<li>{}: <a href=\"{}\">{}</a></li>",
                    esc(l["rel"].as_str().unwrap_or_default()),
                    esc(href),
                    esc(l["title"].as_str().unwrap_or(href))
                ),
            );
        }
        out.push_str("</ul></section>\n");
    }
    out.push_str("</body></html>\n");
    out
}
