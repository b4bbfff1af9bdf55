//! Projects (`[project:<name>]` sections, roocs.md §2.2) and the naming templates they carry.

use crate::config::Config;
use crate::DaopsError;
use rookery_ops::naming::ProjectTemplate;
use std::path::PathBuf;

/// One project.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// Project name, the `<name>` of its `[project:<name>]` section (`cmip6`, `c3s-cmip6`, ...).
    pub name: String,
    /// Root directory of the project's files; `None` when not configured.
    pub base_dir: Option<PathBuf>,
    /// Whether a bare file path below `base_dir` is attributed to this project.
    pub is_default_for_path: bool,
    /// Whether dataset ids are looked up in the intake catalogue (`catalog`) rather than mapped
    /// to directories below `base_dir`.
    pub use_catalog: bool,
    /// The standard namer's template (`{var}_{table_id}_...`); `None` when the project has none.
    pub file_name_template: Option<String>,
    /// Template field → value used when the dataset lacks that global attribute.
    pub attr_defaults: Vec<(String, String)>,
    /// Names of the dataset-id facets, in order (the catalogue's facet columns).
    pub facet_rule: Vec<String>,
    /// Concept → global attribute name (`project:mip_era`, `variable:variable_id`).
    pub mappings: Vec<(String, String)>,
    /// Download URL prefix standing for `base_dir` (`https://.../fileServer/...`); `None` when
    /// files have no download URL.
    pub data_node_root: Option<String>,
    /// Dataset id → glob relative to `base_dir` (after `fixed_path_modifiers` expansion).
    pub fixed_path_mappings: Vec<(String, String)>,
    /// Intake CSV catalogue (`[catalog] <name>`).
    pub catalog: Option<PathBuf>,
}

impl Project {
    /// The global attribute that names the project in a file (`mappings` `project:<attr>`).
    #[must_use]
    pub fn project_attr(&self) -> &str {
        self.mappings.iter().find(|(k, _)| k == "project").map_or("project_id", |(_, v)| v.as_str())
    }

    /// The naming template of this project for the standard file namer.
    #[must_use]
    pub fn template(&self) -> Option<ProjectTemplate> {
        Some(ProjectTemplate {
            name: self.name.clone(),
            attr: self.project_attr().to_string(),
            template: self.file_name_template.clone()?,
            defaults: self.attr_defaults.clone(),
        })
    }
}

/// Expands `{name}` placeholders of `fixed_path_mappings` with each value of
/// `fixed_path_modifiers` (clisops `config.py`).
fn expand_fixed(mappings: Vec<(String, String)>, modifiers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = mappings;
    for (name, values) in modifiers {
        let ph = format!("{{{name}}}");
        let mut next = Vec::new();
        for (k, v) in out {
            if k.contains(&ph) || v.contains(&ph) {
                for val in values.split_whitespace() {
                    next.push((k.replace(&ph, val), v.replace(&ph, val)));
                }
            } else {
                next.push((k, v));
            }
        }
        out = next;
    }
    out
}

/// All projects of `cfg`, in configuration order.
///
/// # Errors
/// Malformed typed values.
pub fn projects(cfg: &Config) -> Result<Vec<Project>, DaopsError> {
    let mut out = Vec::new();
    for s in cfg.sections() {
        let Some(name) = s.strip_prefix("project:") else { continue };
        let fixed = expand_fixed(cfg.dict(s, "fixed_path_mappings")?, &cfg.dict(s, "fixed_path_modifiers")?);
        out.push(Project {
            name: name.to_string(),
            base_dir: cfg.path(s, "base_dir"),
            is_default_for_path: cfg.boolean(s, "is_default_for_path")?.unwrap_or(false),
            use_catalog: cfg.boolean(s, "use_catalog")?.unwrap_or(false),
            file_name_template: cfg.text(s, "file_name_template").map(str::to_string),
            attr_defaults: cfg.dict(s, "attr_defaults")?,
            facet_rule: cfg.list(s, "facet_rule"),
            mappings: cfg.dict(s, "mappings")?,
            data_node_root: cfg.text(s, "data_node_root").map(str::to_string),
            fixed_path_mappings: fixed,
            catalog: cfg.path("catalog", name),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_projects() {
        let ps = projects(&Config::defaults()).unwrap();
        let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(&names[..3], ["cmip5", "cmip6", "cordex"]);
        let c6 = &ps[1];
        assert_eq!(c6.project_attr(), "mip_era");
        assert!(!c6.is_default_for_path);
        assert!(c6.template().unwrap().template.starts_with("{__derive__var_id}_{table_id}"));
    }

    #[test]
    fn fixed_path_modifiers_expand() {
        let m = expand_fixed(
            vec![("cru_ts.4.04.{variable}".into(), "cru_ts_4.04/data/{variable}/*.nc".into())],
            &[("variable".into(), "cld dtr frs".into())],
        );
        assert_eq!(m.len(), 3);
        assert_eq!(m[1], ("cru_ts.4.04.dtr".to_string(), "cru_ts_4.04/data/dtr/*.nc".to_string()));
    }
}
