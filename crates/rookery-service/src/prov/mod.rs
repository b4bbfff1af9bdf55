//! W3C PROV provenance of a job, as rook records it (`rook/provenance.py`, roocs.md §4.5),
//! serialised as PROV-JSON (the `prov` Python library's layout) and drawn as a PNG.
//!
//! Agents: the data store, the provider, the service (rook's role) and the operations engine
//! (clisops' role). Each operator is an activity with its parameters (`roocs:time`, ...);
//! its first input and first output are entities joined by `wasDerivedFrom`. In a workflow an
//! `orchestrate` activity carries the plan; single operators are `wasStartedBy` the engine.

pub mod png;

use serde_json::{json, Map, Value};

const PARAMS: &[&str] = &[
    "time",
    "time_components",
    "area",
    "level",
    "dims",
    "freq",
    "method",
    "grid",
    "adaptive_masking_threshold",
    "apply_average",
];

/// A record of the graph, for drawing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A `prov:Agent`: the software (rookery, rookery-ops); drawn as an orange box.
    Agent,
    /// A `prov:Activity`: an operation run, or the orchestration; drawn as a blue box.
    Activity,
    /// A `prov:Entity`: a dataset or file, or the workflow plan; drawn as a yellow ellipse.
    Entity,
}

/// A node of the drawing: (id, kind, label).
pub type Node = (String, NodeKind, String);
/// An edge of the drawing: (from, to, relation).
pub type Edge = (String, String, &'static str);

/// A provenance document under construction.
pub struct Provenance {
    id: String,
    agents: Map<String, Value>,
    activities: Map<String, Value>,
    entities: Map<String, Value>,
    relations: Vec<(&'static str, Map<String, Value>)>,
    service: String,
    engine: String,
    workflow: Option<String>,
    /// (from, to, label) edges for the drawing.
    edges: Vec<Edge>,
    order: Vec<Node>,
}

fn qn(s: &str) -> Value {
    json!({"$": s, "type": "prov:QUALIFIED_NAME"})
}

/// `roocs:` identifier of a name (qualified names cannot hold spaces or slashes).
fn rid(name: &str) -> String {
    let clean: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    format!("roocs:{clean}")
}

fn basename(s: &str) -> String {
    let s = s.split(['?', '#']).next().unwrap_or(s).trim_end_matches('/');
    s.rsplit('/').next().unwrap_or(s).to_string()
}

impl Provenance {
    /// Starts a document; `workflow` adds the `orchestrate` activity and the workflow plan.
    #[must_use]
    pub fn start(workflow: bool, started_iso: &str) -> Provenance {
        let ver = env!("CARGO_PKG_VERSION");
        let id = crate::ids::uuid4();
        let mut p = Provenance {
            id: id.clone(),
            agents: Map::new(),
            activities: Map::new(),
            entities: Map::new(),
            relations: Vec::new(),
            service: format!("roocs:rookery_v{ver}"),
            engine: format!("roocs:rookery-ops_v{ver}"),
            workflow: None,
            edges: Vec::new(),
            order: Vec::new(),
        };
        p.agent(
            "roocs:C3S_CDS",
            "prov:Organization",
            "Copernicus Climate Data Store",
            "https://cds.climate.copernicus.eu",
        );
        p.agent("roocs:Provider", "prov:Agent", "Provider", "Rookery");
        let svc = p.service.clone();
        let eng = p.engine.clone();
        p.agent(&svc, "prov:SoftwareAgent", "Rookery", &format!("urn:rookery:v{ver}"));
        p.relation("wasAttributedTo", &[("prov:entity", &svc), ("prov:agent", "roocs:C3S_CDS")], None);
        p.relation("wasAttributedTo", &[("prov:entity", &svc), ("prov:agent", "roocs:Provider")], None);
        p.agent(&eng, "prov:SoftwareAgent", "rookery-ops", &format!("urn:rookery-ops:v{ver}"));
        if workflow {
            let wf = format!("roocs:workflow_{id}");
            p.entities.insert(wf.clone(), json!({"prov:type": qn("provone:Workflow")}));
            p.order.push((wf.clone(), NodeKind::Entity, "workflow".into()));
            let orch = format!("roocs:orchestrate_{id}");
            p.activities.insert(
                orch.clone(),
                json!({"prov:type": qn("provone:Execution"), "prov:label": "orchestrate", "prov:startTime": started_iso}),
            );
            p.order.push((orch.clone(), NodeKind::Activity, "orchestrate".into()));
            p.relation(
                "wasAssociatedWith",
                &[("prov:activity", &orch), ("prov:agent", &svc), ("prov:plan", &wf)],
                Some("wasAssociatedWith"),
            );
            p.workflow = Some(wf);
        }
        p
    }

    fn agent(&mut self, id: &str, ty: &str, label: &str, source: &str) {
        self.agents.insert(id.to_string(), json!({"prov:type": qn(ty), "prov:label": label, "dcterms:source": source}));
        self.order.push((id.to_string(), NodeKind::Agent, label.to_string()));
    }

    fn relation(&mut self, kind: &'static str, fields: &[(&str, &str)], edge: Option<&'static str>) {
        let mut m = Map::new();
        for (k, v) in fields {
            m.insert((*k).to_string(), Value::String((*v).to_string()));
        }
        if let (Some(label), Some((_, a)), Some((_, b))) = (edge, fields.first(), fields.get(1)) {
            self.edges.push(((*a).to_string(), (*b).to_string(), label));
        } else if kind == "wasAttributedTo" {
            self.edges.push((fields[0].1.to_string(), fields[1].1.to_string(), "wasAttributedTo"));
        }
        self.relations.push((kind, m));
    }

    /// Records one operator: its parameters, first input (from `collection`) and first output.
    pub fn add_operator(
        &mut self,
        label: &str,
        params: &[(String, String)],
        collection: &[String],
        outputs: &[String],
    ) -> String {
        let act = format!("roocs:{}_{}", label.replace(' ', "_"), crate::ids::uuid4());
        let mut a = Map::new();
        a.insert("prov:type".into(), qn("provone:Execution"));
        a.insert("prov:label".into(), Value::String(label.to_string()));
        for (k, v) in params {
            if PARAMS.contains(&k.as_str()) {
                a.insert(format!("roocs:{k}"), Value::String(v.clone()));
            }
        }
        self.activities.insert(act.clone(), Value::Object(a));
        self.order.push((act.clone(), NodeKind::Activity, label.to_string()));
        let input = basename(collection.first().map_or("", String::as_str));
        let ein = self.data_entity(&input);
        let eng = self.engine.clone();
        if let Some(wf) = self.workflow.clone() {
            self.relation(
                "wasAssociatedWith",
                &[("prov:activity", &act), ("prov:agent", &eng), ("prov:plan", &wf)],
                Some("wasAssociatedWith"),
            );
        } else {
            let svc = self.service.clone();
            self.relation(
                "wasStartedBy",
                &[("prov:activity", &act), ("prov:trigger", &svc), ("prov:starter", &eng)],
                None,
            );
            self.edges.push((act.clone(), eng.clone(), "wasStartedBy"));
        }
        let output = basename(outputs.first().map_or("", String::as_str));
        let eout = self.data_entity(&output);
        self.relation(
            "wasDerivedFrom",
            &[("prov:generatedEntity", &eout), ("prov:usedEntity", &ein), ("prov:activity", &act)],
            None,
        );
        self.edges.push((eout.clone(), ein, "wasDerivedFrom"));
        self.edges.push((eout, act.clone(), "wasGeneratedBy"));
        act
    }

    /// Records an operator that ran as a job on another node: as [`Provenance::add_operator`],
    /// with the node's name and URL and the remote job's URL.
    #[allow(clippy::too_many_arguments)]
    pub fn add_remote(
        &mut self,
        label: &str,
        params: &[(String, String)],
        collection: &[String],
        outputs: &[String],
        node: &str,
        node_url: &str,
        job_url: &str,
    ) {
        let act = self.add_operator(label, params, collection, outputs);
        if let Some(Value::Object(a)) = self.activities.get_mut(&act) {
            a.insert("roocs:node".into(), Value::String(node.to_string()));
            a.insert("roocs:node_url".into(), Value::String(node_url.to_string()));
            a.insert("roocs:remote_job".into(), Value::String(job_url.to_string()));
        }
    }

    /// Marks activity `act` as answered from the result cache with the outputs of job `job`.
    pub fn mark_cached(&mut self, act: &str, job: &str) {
        if let Some(Value::Object(a)) = self.activities.get_mut(act) {
            a.insert("roocs:cached_from_job".into(), Value::String(job.to_string()));
        }
    }

    fn data_entity(&mut self, name: &str) -> String {
        let name = if name.is_empty() { "data" } else { name };
        let id = rid(name);
        if !self.entities.contains_key(&id) {
            self.entities.insert(id.clone(), json!({"prov:type": qn("provone:Data"), "prov:label": name}));
            self.order.push((id.clone(), NodeKind::Entity, name.to_string()));
        }
        id
    }

    /// Ends a workflow run (`prov:endTime` on `orchestrate`).
    pub fn stop(&mut self, ended_iso: &str) {
        if self.workflow.is_some() {
            if let Some(Value::Object(o)) = self.activities.get_mut(&format!("roocs:orchestrate_{}", self.id)) {
                o.insert("prov:endTime".into(), Value::String(ended_iso.to_string()));
            }
        }
    }

    /// The PROV-JSON document.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut doc = Map::new();
        doc.insert(
            "prefix".into(),
            json!({
                "roocs": "urn:roocs:",
                "provone": "https://purl.dataone.org/provone/2015/01/15/ontology#",
                "dcterms": "http://purl.org/dc/terms/"
            }),
        );
        doc.insert("agent".into(), Value::Object(self.agents.clone()));
        if !self.entities.is_empty() {
            doc.insert("entity".into(), Value::Object(self.entities.clone()));
        }
        if !self.activities.is_empty() {
            doc.insert("activity".into(), Value::Object(self.activities.clone()));
        }
        for (n, (kind, m)) in self.relations.iter().enumerate() {
            let e = doc.entry((*kind).to_string()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(o) = e {
                o.insert(format!("_:id{}", n + 1), Value::Object(m.clone()));
            }
        }
        Value::Object(doc)
    }

    /// The graph for drawing: nodes (id, kind, label) in creation order and edges.
    #[must_use]
    pub fn graph(&self) -> (&[Node], &[Edge]) {
        (&self.order, &self.edges)
    }

    /// Writes `provenance.json` and `provenance.png` into `dir`.
    ///
    /// # Errors
    /// Writing failed.
    pub fn write(&self, dir: &std::path::Path) -> std::io::Result<()> {
        let j = serde_json::to_string_pretty(&self.to_json()).map_err(std::io::Error::other)?;
        std::fs::write(dir.join("provenance.json"), j)?;
        std::fs::write(dir.join("provenance.png"), png::render_graph(self))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_document() {
        let mut p = Provenance::start(true, "2024-01-01T00:00:00");
        p.add_operator(
            "subset_rlds_1",
            &[("time".into(), "1985-01-01/2014-12-30".into()), ("pre_checked".into(), "0".into())],
            &["CMIP6.CMIP.IPSL.IPSL-CM6A-LR.historical.r1i1p1f1.Amon.rlds.gr.v20180803".into()],
            &["/x/rlds_Amon_IPSL_19850116-20141216.nc".into()],
        );
        p.add_operator(
            "average_time_rlds_1",
            &[("freq".into(), "year".into())],
            &["/x/rlds_Amon_IPSL_19850116-20141216.nc".into()],
            &["/y/rlds_avg.nc".into()],
        );
        p.stop("2024-01-01T00:00:05");
        let j = p.to_json();
        assert_eq!(j["wasDerivedFrom"].as_object().unwrap().len(), 2);
        let acts = j["activity"].as_object().unwrap();
        assert!(acts.values().any(|a| a["roocs:time"] == "1985-01-01/2014-12-30"));
        assert!(acts.values().any(|a| a["roocs:freq"] == "year"));
        assert!(acts.values().all(|a| a.get("roocs:pre_checked").is_none()));
        assert!(acts.values().any(|a| a["prov:endTime"] == "2024-01-01T00:00:05"));
        assert_eq!(j["prefix"]["roocs"], "urn:roocs:");
        assert!(j["entity"].as_object().unwrap().contains_key("roocs:rlds_Amon_IPSL_19850116-20141216.nc"));
    }
}
