//! File namers (clisops `file_namers.py`, roocs.md §1.3): `standard` fills the project's
//! `file_name_template` from the dataset's global attributes (project defaults underneath);
//! `simple` counts `output_001.nc`, `output_002.nc`, ... Every value filled in is cleaned
//! ([`crate::naming_clean`]): no NUL or other control characters, no path separators.

use rookery_cf::time::DateTime;
use rookery_cf::{AttrValue, Attrs};

/// Which namer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamerKind {
    /// The project's `file_name_template` filled from the dataset's global attributes.
    Standard,
    /// Sequential names `output_001.nc`, `output_002.nc`, ...
    Simple,
}

impl NamerKind {
    /// Parses `standard` or `simple` (clisops maps unknown names to standard; we refuse them).
    ///
    /// # Errors
    /// Unknown name.
    pub fn parse(s: &str) -> Result<NamerKind, crate::OpError> {
        match s.trim() {
            "standard" => Ok(NamerKind::Standard),
            "simple" => Ok(NamerKind::Simple),
            o => Err(crate::OpError::Invalid(format!("unknown file namer '{o}': must be one of standard, simple"))),
        }
    }
}

/// A project's naming rule (the `[project:*]` template and attribute defaults of roocs.ini,
/// supplied by the data-aware layer's configuration).
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectTemplate {
    /// Project name (`cmip6`, `c3s-cordex`, ...).
    pub name: String,
    /// Global attribute holding the project name (its `mappings` entry `project:<attr>`).
    pub attr: String,
    /// `file_name_template`.
    pub template: String,
    /// `attr_defaults`.
    pub defaults: Vec<(String, String)>,
}

/// The project of a dataset from its global attributes (clisops `get_project_name`): the
/// first project whose attribute, lower-cased, equals its name.
#[must_use]
pub fn project_of<'a>(projects: &'a [ProjectTemplate], attrs: &Attrs) -> Option<&'a ProjectTemplate> {
    projects.iter().find(|p| attrs.get_str(&p.attr).is_some_and(|v| v.trim().to_ascii_lowercase() == p.name))
}

/// Renders an attribute as Python's `str()` would inside a format string.
fn py_str(v: &AttrValue) -> String {
    if let Some(s) = v.as_str() {
        return s.to_string();
    }
    let render_f = |x: f64| {
        if x.fract() == 0.0 && x.abs() < 1e16 {
            format!("{x:.1}")
        } else {
            format!("{x}")
        }
    };
    match v {
        AttrValue::F32(x) if x.len() == 1 => render_f(f64::from(x[0])),
        AttrValue::F64(x) if x.len() == 1 => render_f(x[0]),
        other => {
            let r = other.render();
            r.trim_matches('"').to_string()
        }
    }
}

/// Names the output files of one request.
#[derive(Debug)]
pub struct FileNamer {
    kind: NamerKind,
    count: usize,
    projects: Vec<ProjectTemplate>,
    /// The variable names are made from, when not the output's main variable.
    var: Option<String>,
}

impl FileNamer {
    /// A namer of `kind` that knows `projects` (without them, standard naming falls back to
    /// simple names, as clisops does for an unknown project).
    #[must_use]
    pub fn new(kind: NamerKind, projects: Vec<ProjectTemplate>) -> FileNamer {
        FileNamer { kind, count: 0, projects, var: None }
    }

    /// Names outputs after `var` instead of their main variable (ensemble statistics: `tas`
    /// for an output holding `tas_mean`, `tas_std`, ...); `None` restores the default.
    pub fn set_var(&mut self, var: Option<String>) {
        self.var = var;
    }

    /// The next file name for an output with global attributes `attrs`, main variable `var`,
    /// first/last time `range`, operation suffix `extra` and extension `ext`.
    pub fn name(
        &mut self,
        attrs: &Attrs,
        var: &str,
        range: Option<(DateTime, DateTime)>,
        extra: &str,
        ext: &str,
    ) -> String {
        let project = match self.kind {
            NamerKind::Standard => project_of(&self.projects, attrs),
            NamerKind::Simple => None,
        };
        let Some(p) = project else {
            // Simple naming, also the standard namer's fallback for unknown projects.
            self.count += 1;
            return format!("output_{:03}.{ext}", self.count);
        };
        let time_range = range.map_or(String::new(), |(a, b)| format!("_{}-{}", a.compact_date(), b.compact_date()));
        let mut out = String::new();
        let mut rest = p.template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let key = &rest[open + 1..open + close];
            let val = match key {
                "__derive__var_id" => self.var.as_deref().unwrap_or(var).to_string(),
                "__derive__time_range" => time_range.clone(),
                "__derive__extension" => ext.to_string(),
                "extra" => extra.to_string(),
                k => attrs.get(k).map(py_str).unwrap_or_else(|| {
                    p.defaults.iter().find(|(n, _)| n == k).map_or_else(|| format!("no-{k}"), |(_, d)| d.clone())
                }),
            };
            // A file name is one path component without control characters.
            out.push_str(&crate::naming_clean::clean_component(&val));
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(list: &[(&str, AttrValue)]) -> Attrs {
        Attrs(list.iter().map(|(n, v)| ((*n).to_string(), v.clone())).collect())
    }

    #[test]
    fn cmip6_and_defaults() {
        let mut a = attrs(&[
            ("mip_era", AttrValue::Text("CMIP6".into())),
            ("table_id", AttrValue::Text("SImon".into())),
            ("source_id", AttrValue::Text("CanESM5".into())),
            ("experiment_id", AttrValue::Text("historical".into())),
            ("realization_index", AttrValue::I32(vec![1])),
            ("initialization_index", AttrValue::I32(vec![1])),
            ("physics_index", AttrValue::I32(vec![1])),
            ("forcing_index", AttrValue::I32(vec![1])),
            ("grid_label", AttrValue::Text("gn".into())),
        ]);
        let r = Some((DateTime::new(1850, 1, 16, 12, 0, 0), DateTime::new(2014, 12, 16, 12, 0, 0)));
        let cmip6 = ProjectTemplate {
            name: "cmip6".into(),
            attr: "mip_era".into(),
            template: "{__derive__var_id}_{table_id}_{source_id}_{experiment_id}_r{realization_index}i{initialization_index}p{physics_index}f{forcing_index}_{grid_label}{__derive__time_range}{extra}.{__derive__extension}".into(),
            defaults: vec![("source_id".into(), "no-model".into()), ("grid_label".into(), "no-grid".into())],
        };
        let mut n = FileNamer::new(NamerKind::Standard, vec![cmip6]);
        assert_eq!(
            n.name(&a, "siconc", r, "", "nc"),
            "siconc_SImon_CanESM5_historical_r1i1p1f1_gn_18500116-20141216.nc"
        );
        a.remove("source_id");
        a.remove("grid_label");
        assert_eq!(
            n.name(&a, "siconc", r, "", "nc"),
            "siconc_SImon_no-model_historical_r1i1p1f1_no-grid_18500116-20141216.nc"
        );
        let mut s = FileNamer::new(NamerKind::Simple, Vec::new());
        assert_eq!(s.name(&a, "siconc", r, "", "nc"), "output_001.nc");
        assert_eq!(s.name(&a, "siconc", r, "", "nc"), "output_002.nc");
    }
}
