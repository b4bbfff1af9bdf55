//! WMO WIS 2.0 documents: WCMP2 discovery records (OGC API – Records GeoJSON) for the
//! dataset collections and processes this node serves, and WIS2 Notification Messages for
//! products it publishes. Pure documents: no network, no MQTT (the caller publishes).
//!
//! ```text
//!   [wis2] (roocs.ini)  ──Wis2Config::from_config──►  centre id, base URL, policy, topic,
//!                                                     contact, licence, projects
//!   Daops::wis2_collections(cfg)  one summary per served project: dataset count, time and
//!                                 space extents, variables / CF standard names (from up to
//!                                 `scan` datasets)
//!   record::dataset_record / process_record        ──► WCMP2 record (serde_json::Value)
//!   notify::notification(cfg, Product)             ──► WIS2 Notification Message + topic
//! ```

pub mod notify;
pub mod record;

use crate::{Config, Daops, DaopsError};
use std::collections::BTreeSet;

/// The earth-system disciplines of the WIS2 topic hierarchy (level 7).
pub const DISCIPLINES: [&str; 7] =
    ["weather", "climate", "hydrology", "atmospheric-composition", "cryosphere", "ocean", "space-weather"];

/// A `[wis2]` value that is missing or not allowed.
#[derive(Debug, thiserror::Error)]
#[error("wis2: {0}")]
pub struct Wis2Error(pub String);

/// The `[wis2]` section of the configuration, as plain data.
#[derive(Clone, Debug)]
pub struct Wis2Config {
    /// WIS2 centre identifier (`centre_id`, or `ROOKERY_WIS2_CENTRE_ID`); lower-case letters,
    /// digits and `-` (a `-test` suffix marks a test centre).
    pub centre_id: String,
    /// The node's public base URL (`base_url`), prefix of every link.
    pub base_url: String,
    /// `core` or `recommended` (`data_policy`, default `recommended`).
    pub data_policy: String,
    /// Earth-system discipline (`discipline`, default `climate`).
    pub discipline: String,
    /// Topic levels below the discipline (`topic`, default `experimental`), '/'-separated.
    pub topic: String,
    /// Licence URL (`licence_url`); required for `recommended` data.
    pub licence_url: Option<String>,
    /// Contact organisation (`contact_organization`, default `rookery node <centre_id>`).
    pub organization: String,
    /// Contact e-mail (`contact_email`).
    pub email: Option<String>,
    /// MQTT broker URL advertised in records and used to publish (`broker`).
    pub broker: Option<String>,
    /// Directory of the outbox of notifications not yet acknowledged by the broker
    /// (`outbox`, default `rookery-data/wis2-outbox`: under the service's default data dir).
    pub outbox: std::path::PathBuf,
    /// Projects that get a record (`projects`, comma-separated; default all).
    pub projects: Vec<String>,
    /// Datasets opened per project to find its extents (`scan`, default 20).
    pub scan: usize,
    /// Extra keywords of every record (`keywords`, comma-separated).
    pub keywords: Vec<String>,
    /// MQTT topic filters `rookery serve` subscribes to (`subscribe`, separated by spaces or commas; `+`
    /// and `#` wildcards), besides those of the standing jobs.
    pub subscribe: Vec<String>,
    /// Served datasets whose files are announced as they appear, change or go
    /// (`[wis2] announce`, dataset id wildcard patterns); none by default.
    pub announce: Vec<String>,
    /// Seconds between two scans of the announced datasets (`[wis2] announce_every_secs`).
    pub announce_every_secs: u64,
}

fn valid_centre(c: &str) -> bool {
    !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Wis2Config {
    /// Reads `[wis2]` from `cfg`; `env_centre` (the value of `ROOKERY_WIS2_CENTRE_ID`, read by
    /// the entry point) overrides `centre_id`; `default_base` (the service's public URL) is
    /// the base URL when `base_url` is not set.
    ///
    /// # Errors
    /// No centre id, or a value outside what its key takes.
    pub fn from_config(
        cfg: &Config,
        env_centre: Option<String>,
        default_base: Option<&str>,
    ) -> Result<Wis2Config, Wis2Error> {
        let text = |k: &str| cfg.text("wis2", k).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let centre_id = env_centre.filter(|s| !s.is_empty()).or_else(|| text("centre_id")).ok_or_else(|| {
            Wis2Error("no centre id: set [wis2] centre_id or ROOKERY_WIS2_CENTRE_ID (e.g. xx-rookery-test)".into())
        })?;
        if !valid_centre(&centre_id) {
            return Err(Wis2Error(format!(
                "centre_id '{centre_id}' must be lower-case letters, digits and '-' (e.g. xx-rookery-test)"
            )));
        }
        let base_url = text("base_url")
            .or_else(|| default_base.map(str::to_string))
            .unwrap_or_else(|| "http://127.0.0.1:5000".into());
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Wis2Error(format!("base_url '{base_url}' must be an http:// or https:// URL")));
        }
        let data_policy = text("data_policy").unwrap_or_else(|| "recommended".into());
        if data_policy != "core" && data_policy != "recommended" {
            return Err(Wis2Error(format!("data_policy '{data_policy}' must be core or recommended")));
        }
        let discipline = text("discipline").unwrap_or_else(|| "climate".into());
        if !DISCIPLINES.contains(&discipline.as_str()) {
            return Err(Wis2Error(format!("discipline '{discipline}' must be one of {}", DISCIPLINES.join(", "))));
        }
        let topic = text("topic").unwrap_or_else(|| "experimental".into());
        if topic.split('/').any(|l| l.is_empty() || l.contains(['+', '#', ' '])) {
            return Err(Wis2Error(format!("topic '{topic}' must be '/'-separated levels without + # or spaces")));
        }
        let licence_url = text("licence_url");
        if data_policy == "recommended" && licence_url.is_none() {
            return Err(Wis2Error("data_policy recommended needs licence_url (WCMP2 requires a licence link)".into()));
        }
        let scan = match text("scan") {
            None => 20,
            Some(s) => s.parse::<usize>().map_err(|_| Wis2Error(format!("scan '{s}' must be a whole number")))?,
        };
        let announce_every_secs = match text("announce_every_secs") {
            None => 60,
            Some(s) => s
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| Wis2Error(format!("announce_every_secs '{s}' must be a whole number of seconds")))?,
        };
        Ok(Wis2Config {
            organization: text("contact_organization").unwrap_or_else(|| format!("rookery node {centre_id}")),
            centre_id,
            base_url: base_url.trim_end_matches('/').to_string(),
            data_policy,
            discipline,
            topic,
            licence_url,
            email: text("contact_email"),
            broker: text("broker"),
            outbox: cfg.path("wis2", "outbox").unwrap_or_else(|| "rookery-data/wis2-outbox".into()),
            projects: cfg.list("wis2", "projects"),
            scan,
            keywords: cfg.list("wis2", "keywords"),
            subscribe: cfg
                .list("wis2", "subscribe")
                .iter()
                .flat_map(|s| s.split(','))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            announce: cfg
                .list("wis2", "announce")
                .iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            announce_every_secs,
        })
    }

    /// `urn:wmo:md:<centre-id>:<local-id>` (characters outside `[A-Za-z0-9._-]` become `-`).
    #[must_use]
    pub fn metadata_id(&self, local: &str) -> String {
        let local: String =
            local.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect();
        format!("urn:wmo:md:{}:{local}", self.centre_id)
    }

    /// The data topic of `product` (a level below the configured topic, when given):
    /// `origin/a/wis2/<centre>/data/<policy>/<discipline>/<topic>[/<product>]`.
    #[must_use]
    pub fn data_topic(&self, product: Option<&str>) -> String {
        let mut t =
            format!("origin/a/wis2/{}/data/{}/{}/{}", self.centre_id, self.data_policy, self.discipline, self.topic);
        if let Some(p) = product {
            t.push('/');
            t.push_str(p);
        }
        t
    }
}

/// What a served dataset collection (a project) holds, for its discovery record.
#[derive(Clone, Debug, Default)]
pub struct CollectionSummary {
    /// The project.
    pub project: String,
    /// Datasets listed.
    pub datasets: usize,
    /// The first dataset ids (at most `scan`): the ones opened for the extents.
    pub scanned: Vec<String>,
    /// First and last time (ISO) over the scanned datasets.
    pub time: Option<(String, String)>,
    /// ISO 8601 durations of the scanned datasets' `frequency` attributes.
    pub resolutions: BTreeSet<String>,
    /// West, south, east, north (longitudes in -180..180).
    pub bbox: Option<[f64; 4]>,
    /// Main variables of the scanned datasets.
    pub variables: BTreeSet<String>,
    /// Their CF standard names.
    pub standard_names: BTreeSet<String>,
}

/// ISO 8601 duration of a CMIP `frequency` attribute.
fn resolution_of(freq: &str) -> Option<&'static str> {
    Some(match freq.trim_end_matches("Pt").trim_end_matches("C") {
        "yr" => "P1Y",
        "mon" => "P1M",
        "day" => "P1D",
        "6hr" => "PT6H",
        "3hr" => "PT3H",
        "1hr" => "PT1H",
        _ => return None,
    })
}

impl Daops {
    /// One summary per served project (those of `cfg.projects`, else all with datasets),
    /// extents from the first `cfg.scan` datasets of each; a dataset that cannot be opened is
    /// left out of the extents (and logged).
    ///
    /// # Errors
    /// A catalogue that cannot be read; a project in `cfg.projects` that is not configured.
    pub fn wis2_collections(&self, cfg: &Wis2Config) -> Result<Vec<CollectionSummary>, DaopsError> {
        for p in &cfg.projects {
            if self.resolver.project(p).is_none() {
                return Err(DaopsError::InvalidProject(format!("[wis2] projects names an unknown project: '{p}'")));
            }
        }
        let names: Vec<String> = if cfg.projects.is_empty() {
            self.resolver.projects().iter().map(|p| p.name.clone()).collect()
        } else {
            cfg.projects.clone()
        };
        let mut out: Vec<CollectionSummary> = Vec::new();
        for name in names {
            let ids = match self.list_datasets(Some(&name)) {
                Ok(ids) => ids,
                // A project not asked for by name whose catalogue cannot be read: no record.
                Err(e) if cfg.projects.is_empty() => {
                    tracing::warn!("wis2: project {name}: {e}");
                    continue;
                }
                Err(e) => return Err(e),
            };
            if ids.is_empty() {
                continue;
            }
            let mut s = CollectionSummary { project: name, datasets: ids.len(), ..Default::default() };
            for (_, id) in ids.into_iter().take(cfg.scan) {
                if let Err(e) = self.add_extents(&id, &mut s) {
                    tracing::warn!("wis2: extents of {id}: {e}");
                }
                s.scanned.push(id);
            }
            out.push(s);
        }
        Ok(out)
    }

    fn add_extents(&self, id: &str, s: &mut CollectionSummary) -> Result<(), DaopsError> {
        let d = self.datasets(&[id.to_string()], None, None)?.into_iter().next();
        let Some(d) = d else { return Ok(()) };
        let src = rookery_io::open_paths(self.io(), &d.files).map_err(rookery_ops::OpError::from)?;
        let ds = src.dataset().clone();
        let Ok(info) = rookery_cf::CfInfo::detect(&ds) else { return Ok(()) };
        s.variables.insert(info.main.clone());
        if let Some(sn) = ds.var(&info.main).and_then(|v| v.attrs.get_str("standard_name")) {
            s.standard_names.insert(sn.to_string());
        }
        if let Some(r) = ds.attrs.get_str("frequency").and_then(resolution_of) {
            s.resolutions.insert(r.to_string());
        }
        if let Some(t) = rookery_ops::subset::time_axis(src.as_ref(), &info)? {
            if let (Some(a), Some(b)) = (t.times.first(), t.times.last()) {
                let (a, b) = (a.iso(), b.iso());
                s.time = Some(match s.time.take() {
                    None => (a, b),
                    Some((x, y)) => (x.min(a), y.max(b)),
                });
            }
        }
        let range = |v: &Option<String>| -> Option<(f64, f64)> {
            let a = src.read_all(v.as_deref()?).ok()?.to_f64()?;
            let vals: Vec<f64> = a.iter().copied().filter(|x| x.is_finite() && x.abs() < 1e3).collect();
            let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo <= hi).then_some((lo, hi))
        };
        if let (Some((x0, x1)), Some((y0, y1))) = (range(&info.lon), range(&info.lat)) {
            // Longitudes 0..360 beyond 180 cover the globe's east side: -180..180 as WCMP2 wants.
            let (w, e) = if x1 > 180.0 {
                if x0 < 180.0 {
                    (-180.0, 180.0)
                } else {
                    (x0 - 360.0, x1 - 360.0)
                }
            } else {
                (x0, x1)
            };
            let b = [w.max(-180.0), y0.max(-90.0), e.min(180.0), y1.min(90.0)];
            s.bbox = Some(match s.bbox {
                None => b,
                Some(o) => [o[0].min(b[0]), o[1].min(b[1]), o[2].max(b[2]), o[3].max(b[3])],
            });
        }
        Ok(())
    }
}

impl Daops {
    /// First and last time step (ISO) of a NetCDF product, when it has a time axis.
    #[must_use]
    pub fn wis2_product_time(&self, path: &std::path::Path) -> Option<(String, String)> {
        let src = rookery_io::open_paths(self.io(), &[path.to_path_buf()]).ok()?;
        let info = rookery_cf::CfInfo::detect(src.dataset()).ok()?;
        let t = rookery_ops::subset::time_axis(src.as_ref(), &info).ok()??;
        Some((t.times.first()?.iso(), t.times.last()?.iso()))
    }
}
