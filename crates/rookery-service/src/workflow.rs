//! rook's `orchestrate` workflow documents (roocs.md §4.4): JSON or YAML with `doc`, `inputs`,
//! `outputs` and `steps`; each step `run`s an operation with `in` parameters whose values may
//! be `inputs/<name>` (a list of dataset ids) or `<step>/output` (another step's files). The
//! steps form a DAG, executed depth-first from the first output; cycles and unknown references
//! are errors named in the message.

use crate::federation::{PartResult, Peers, Place};
use crate::ops::{self, ProcError, ALIGNED};
use crate::process::{self, Inputs, RawInput};
use crate::prov::Provenance;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Operations a workflow step may run (the data processes this server has).
pub use crate::process::DATA_OPERATIONS as WORKFLOW_OPERATIONS;

/// One step.
#[derive(Clone, Debug)]
pub struct Step {
    /// The step's name (its key under `steps`), which `<id>/output` refers to.
    pub id: String,
    /// The operation it runs (one of [`WORKFLOW_OPERATIONS`]).
    pub run: String,
    /// Parameters other than the collection.
    pub params: Vec<(String, Vec<String>)>,
    /// Where its input datasets come from.
    pub collection: Source,
    /// Every selection of this subset was pushed into an upstream concat: the step passes the
    /// upstream files through (and is still recorded in the provenance).
    pub passthrough: bool,
    /// Base URL of the peer this step must run at (an OGC API Part 3 remote process).
    pub node: Option<String>,
}

/// Where a step's collection comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Dataset ids (from `inputs/<name>` or given inline).
    Ids(Vec<String>),
    /// The output of another step.
    Step(String),
}

/// A parsed, checked workflow.
#[derive(Clone, Debug)]
pub struct Workflow {
    /// The document's `doc` description (empty when it has none); parts sent to peers extend it.
    pub doc: String,
    /// The steps by id.
    pub steps: BTreeMap<String, Step>,
    /// The step whose output is the workflow's result (the first `outputs` entry).
    pub output_step: String,
}

fn err(m: impl Into<String>) -> ProcError {
    ProcError::invalid(m)
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Null => vec![],
        Value::Bool(b) => vec![if *b { "1".into() } else { "0".into() }],
        other => vec![other.to_string()],
    }
}

/// Parses a workflow document (JSON, else YAML) and checks it: required keys, known
/// operations and parameters, references to inputs and steps, no cycles.
///
/// # Errors
/// A message naming what is wrong.
pub fn parse(text: &str) -> Result<Workflow, ProcError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(err("Workflow document is empty"));
    }
    let v: Value = match serde_json::from_str(t) {
        Ok(v) => v,
        Err(je) => {
            let looks_json = t.starts_with('{') || t.starts_with('[');
            match serde_yaml::from_str::<Value>(t) {
                Ok(v) if v.is_object() => v,
                Ok(_) | Err(_) if looks_json => return Err(err(format!("Workflow document is not valid JSON: {je}"))),
                Ok(_) => return Err(err("Workflow document must be a JSON or YAML mapping")),
                Err(ye) => return Err(err(format!("Workflow document is neither JSON nor YAML: {ye}"))),
            }
        }
    };
    let Value::Object(m) = &v else {
        return Err(err("Workflow document must be a JSON or YAML mapping"));
    };
    for key in ["doc", "inputs", "outputs", "steps"] {
        if !m.contains_key(key) {
            return Err(err(format!("Invalid workflow: {key} missing")));
        }
    }
    let doc = m["doc"].as_str().unwrap_or_default().to_string();
    let Value::Object(inputs) = &m["inputs"] else {
        return Err(err("Invalid workflow: inputs must be a mapping of names to dataset ids"));
    };
    let Value::Object(steps_v) = &m["steps"] else {
        return Err(err("Invalid workflow: steps must be a mapping of step ids to steps"));
    };
    if steps_v.is_empty() {
        return Err(err("Invalid workflow: steps is empty"));
    }
    let mut steps = BTreeMap::new();
    for (sid, sv) in steps_v {
        let run = sv
            .get("run")
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("Invalid workflow: step '{sid}' has no 'run'")))?;
        if !WORKFLOW_OPERATIONS.contains(&run) {
            return Err(err(format!(
                "Invalid workflow: step '{sid}' runs unknown operation '{run}'; operations: {}",
                WORKFLOW_OPERATIONS.join(", ")
            )));
        }
        let node = match sv.get("node") {
            None | Some(Value::Null) => None,
            Some(Value::String(u)) => Some(u.trim_end_matches('/').to_string()),
            Some(_) => return Err(err(format!("Invalid workflow: 'node' of step '{sid}' must be a URL"))),
        };
        let ins = match sv.get("in") {
            Some(Value::Object(o)) => o.clone(),
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(_) => return Err(err(format!("Invalid workflow: 'in' of step '{sid}' must be a mapping"))),
        };
        let mut collection = None;
        let mut params = Vec::new();
        for (k, val) in &ins {
            let vals = strings(val);
            let reference = vals.first().filter(|_| vals.len() == 1).cloned();
            let src = match reference.as_deref() {
                Some(r) if r.starts_with("inputs/") => {
                    let name = &r["inputs/".len()..];
                    let ids = inputs
                        .get(name)
                        .ok_or_else(|| err(format!("Invalid workflow: step '{sid}' refers to unknown input '{r}'")))?;
                    Some(Source::Ids(strings(ids)))
                }
                Some(r) if r.ends_with("/output") => {
                    let target = &r[..r.len() - "/output".len()];
                    if !steps_v.contains_key(target) {
                        return Err(err(format!(
                            "Invalid workflow: step '{sid}' refers to unknown step '{target}' ('{r}')"
                        )));
                    }
                    Some(Source::Step(target.to_string()))
                }
                _ => None,
            };
            if k == "collection" {
                collection = Some(src.unwrap_or(Source::Ids(vals)));
            } else if src.is_some() {
                return Err(err(format!(
                    "Invalid workflow: step '{sid}': only 'collection' can refer to inputs or steps, not '{k}'"
                )));
            } else {
                params.push((k.clone(), vals));
            }
        }
        let collection =
            collection.ok_or_else(|| err(format!("Invalid workflow: step '{sid}' has no 'collection'")))?;
        // Parameters are checked like the WPS inputs of the operation.
        let def =
            process::all().into_iter().find(|p| p.id == run).ok_or_else(|| err(format!("unknown operation {run}")))?;
        let mut raw = vec![RawInput { id: "collection".into(), data: "-".into(), mime: None }];
        for (k, vs) in &params {
            if run == "subset" && k == ALIGNED {
                // Workflow-only (rook's internal switch; not a WPS input of subset).
                if vs.len() != 1 || crate::text::parse_bool(&vs[0]).is_none() {
                    return Err(err(format!("Invalid workflow: step '{sid}': {ALIGNED} must be one boolean")));
                }
                continue;
            }
            for v in vs {
                raw.push(RawInput { id: k.clone(), data: v.clone(), mime: None });
            }
        }
        process::validate(&def, &raw).map_err(|e| err(format!("Invalid workflow: step '{sid}': {}", e.text)))?;
        if node.is_some() && !matches!(collection, Source::Ids(_)) {
            return Err(err(format!(
                "Invalid workflow: step '{sid}' runs at another node, so its collection must be dataset ids (not this node's intermediate results)"
            )));
        }
        steps.insert(
            sid.clone(),
            Step { id: sid.clone(), run: run.to_string(), params, collection, passthrough: false, node },
        );
    }
    let out = match &m["outputs"] {
        Value::Object(o) => o.values().next().map(strings).and_then(|v| v.into_iter().next()),
        other => strings(other).into_iter().next(),
    }
    .ok_or_else(|| err("Invalid workflow: outputs is empty"))?;
    let output_step = out
        .strip_suffix("/output")
        .filter(|s| steps.contains_key(*s))
        .ok_or_else(|| err(format!("Invalid workflow: output '{out}' does not refer to a step ('<step>/output')")))?
        .to_string();
    // Cycles.
    let mut state: HashMap<&str, u8> = HashMap::new();
    fn visit<'a>(
        s: &'a str,
        steps: &'a BTreeMap<String, Step>,
        state: &mut HashMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Result<(), ProcError> {
        match state.get(s) {
            Some(2) => return Ok(()),
            Some(1) => {
                let start = path.iter().position(|p| *p == s).unwrap_or(0);
                let mut cyc: Vec<&str> = path[start..].to_vec();
                cyc.push(s);
                return Err(err(format!("Invalid workflow: the steps form a cycle: {}", cyc.join(" -> "))));
            }
            _ => {}
        }
        state.insert(s, 1);
        path.push(s);
        if let Some(Source::Step(up)) = steps.get(s).map(|st| &st.collection) {
            visit(up, steps, state, path)?;
        }
        path.pop();
        state.insert(s, 2);
        Ok(())
    }
    for s in steps.keys() {
        visit(s, &steps, &mut state, &mut Vec::new())?;
    }
    pushdown(&mut steps);
    Ok(Workflow { doc, steps, output_step })
}

/// Subset pushdown (rook 1.2+): a `subset`'s `time`, `time_components` and `area` move into an
/// upstream `concat` that did not set them, so the members are cut while they are read
/// instead of stacked whole. The path may pass through `average` steps that keep the
/// dimensions concerned (no `time` for time selections, no latitude/longitude for areas), and
/// every step on it must feed only the next one. A subset left without parameters passes the
/// concat's files through. `level`, `shape` and `min_fraction` stay at the subset (concat
/// selects neither levels nor polygons); the federated split of a concat pushes
/// [`SELECTIONS`] to its members, and a subset step on dataset ids runs with all its
/// parameters, `shape` (inline text) included, at the node of its data.
fn pushdown(steps: &mut BTreeMap<String, Step>) {
    const KEYS: [&str; 3] = ["time", "time_components", "area"];
    const IGNORED: [&str; 4] = ["pre_checked", "apply_fixes", "original_files", ALIGNED];
    let consumers = |steps: &BTreeMap<String, Step>, id: &str| -> usize {
        steps.values().filter(|s| matches!(&s.collection, Source::Step(u) if u == id)).count()
    };
    let ids: Vec<String> = steps.keys().cloned().collect();
    for sid in ids {
        let s = &steps[&sid];
        if s.run != "subset" {
            continue;
        }
        // Walk up through averages to a concat.
        let (mut time_ok, mut area_ok) = (true, true);
        let mut cur = match &s.collection {
            Source::Step(u) => u.clone(),
            Source::Ids(_) => continue,
        };
        let target = loop {
            if consumers(steps, &cur) != 1 {
                break None;
            }
            let st = &steps[&cur];
            match st.run.as_str() {
                "concat" => break Some(cur.clone()),
                "average" => {
                    let dims: Vec<&str> = st
                        .params
                        .iter()
                        .filter(|(k, _)| k == "dims")
                        .flat_map(|(_, v)| v.iter().map(String::as_str))
                        .collect();
                    time_ok &= !dims.contains(&"time");
                    area_ok &= !dims.iter().any(|d| *d == "latitude" || *d == "longitude");
                    match &st.collection {
                        Source::Step(u) => cur = u.clone(),
                        Source::Ids(_) => break None,
                    }
                }
                _ => break None,
            }
        };
        let Some(target) = target else { continue };
        let mut moved: Vec<(String, Vec<String>)> = Vec::new();
        for (k, v) in &steps[&sid].params {
            let allowed = if k == "area" { area_ok } else { time_ok };
            if KEYS.contains(&k.as_str()) && allowed && !steps[&target].params.iter().any(|(tk, _)| tk == k) {
                moved.push((k.clone(), v.clone()));
            }
        }
        if moved.is_empty() {
            continue;
        }
        if let Some(c) = steps.get_mut(&target) {
            c.params.extend(moved.iter().cloned());
        }
        if let Some(s) = steps.get_mut(&sid) {
            s.params.retain(|(k, _)| !moved.iter().any(|(m, _)| m == k));
            // rook keeps the step in the provenance with its original parameters.
            let left =
                s.params.iter().any(|(k, v)| !(IGNORED.contains(&k.as_str()) || k == "original_files" && v == &["0"]));
            s.passthrough = !left;
            if s.passthrough {
                s.params = moved;
            } else {
                s.params.extend(moved.into_iter().map(|(k, v)| (format!("pushed:{k}"), v)));
            }
        }
    }
}

/// Runs the workflow in `dir` (each step in `steps/<op>_<step>`); returns the output files of
/// the output step and records every step in `prov`.
///
/// # Errors
/// The first failing step's error, naming the step.
pub fn run(
    daops: &rookery_daops::Daops,
    wf: &Workflow,
    dir: &Path,
    prov: &mut Provenance,
    progress: &rookery_daops::Progress,
) -> Result<Vec<String>, ProcError> {
    run_federated(daops, wf, dir, prov, progress, &Peers::default(), "local")
}

/// [`run`] with peers: a step whose datasets a peer holds (and the reducing steps that follow
/// it alone) runs there as one job; a concat over datasets of several nodes gets each remote
/// member subset at its node (the concat's selections pushed there) and merges here.
///
/// # Errors
/// As [`run`]; a part no node could run, naming the nodes and reasons.
pub fn run_federated(
    daops: &rookery_daops::Daops,
    wf: &Workflow,
    dir: &Path,
    prov: &mut Provenance,
    progress: &rookery_daops::Progress,
    peers: &Peers,
    job_id: &str,
) -> Result<Vec<String>, ProcError> {
    // Later steps read earlier steps' outputs from this job's own directory.
    std::fs::create_dir_all(dir)?;
    let daops = daops.with_root(dir);
    let fed = Fed { peers, job_id, daops: &daops };
    run_steps(wf, dir, prov, progress, &fed)
}

/// Peers and the job, for the parts sent elsewhere.
struct Fed<'a> {
    peers: &'a Peers,
    job_id: &'a str,
    /// The data layer, with the job's directory readable.
    daops: &'a rookery_daops::Daops,
}

/// Operations that reduce one dataset (run where its data are).
const REDUCING: &[&str] = &[
    "subset",
    "average_time",
    "average",
    "average_shape",
    "weighted_average",
    "regrid",
    "subset_point",
    "climatology",
    "anomaly",
    "stat_time",
];
/// Selections a concat shares with subset (pushed to the members' nodes).
const SELECTIONS: &[&str] = &["time", "time_components", "area", "level"];

fn param_value(v: &[String]) -> Value {
    if v.len() == 1 {
        Value::String(v[0].clone())
    } else {
        Value::Array(v.iter().cloned().map(Value::String).collect())
    }
}

/// One step of a part sent to a peer: its operation and parameters.
type PartStep = (String, Vec<(String, Vec<String>)>);

/// A rook workflow running `chain` (first step on `items`, each next on the previous output).
fn part_document(doc: &str, items: &[String], chain: &[PartStep]) -> Value {
    let mut steps = serde_json::Map::new();
    let mut prev: Option<String> = None;
    for (i, (run, params)) in chain.iter().enumerate() {
        let mut inn = serde_json::Map::new();
        inn.insert(
            "collection".into(),
            Value::String(prev.as_ref().map_or_else(|| "inputs/data".to_string(), |p| format!("{p}/output"))),
        );
        for (k, v) in params {
            inn.insert(k.clone(), param_value(v));
        }
        let sid = format!("s{i}_{run}");
        steps.insert(sid.clone(), serde_json::json!({"run": run, "in": inn}));
        prev = Some(sid);
    }
    serde_json::json!({
        "doc": doc,
        "inputs": {"data": items},
        "outputs": {"output": format!("{}/output", prev.unwrap_or_default())},
        "steps": steps,
    })
}

fn run_steps(
    wf: &Workflow,
    dir: &Path,
    prov: &mut Provenance,
    progress: &rookery_daops::Progress,
    fed: &Fed<'_>,
) -> Result<Vec<String>, ProcError> {
    let mut done: HashMap<String, (Vec<String>, std::path::PathBuf)> = HashMap::new();
    // Progress: each step that runs is an equal part.
    let mut needed = 0usize;
    let mut cur = Some(wf.output_step.as_str());
    let mut seen = std::collections::HashSet::new();
    while let Some(c) = cur.filter(|c| seen.insert(*c)) {
        needed += 1;
        cur = match &wf.steps[c].collection {
            Source::Step(u) => Some(u.as_str()),
            Source::Ids(_) => None,
        };
    }
    let track = (progress.clone(), needed);
    run_step(wf, &wf.output_step, dir, prov, &mut done, &track, fed)?;
    Ok(done.remove(&wf.output_step).map(|d| d.0).unwrap_or_default())
}

fn run_step(
    wf: &Workflow,
    id: &str,
    dir: &Path,
    prov: &mut Provenance,
    done: &mut HashMap<String, (Vec<String>, std::path::PathBuf)>,
    track: &(rookery_daops::Progress, usize),
    fed: &Fed<'_>,
) -> Result<(), ProcError> {
    if done.contains_key(id) {
        return Ok(());
    }
    // A dismissed job stops between steps (and inside them, at the engine's next block).
    fed.daops.io().cancel().check().map_err(rookery_ops::OpError::from)?;
    let step = &wf.steps[id];
    let mut remote_outputs: Vec<String> = Vec::new();
    let (items, prov_in): (Vec<String>, Vec<String>) = match &step.collection {
        Source::Ids(ids) => {
            let c = ops::collection_items(ids);
            if fed.peers.is_empty() && step.node.is_none() {
                (c.clone(), c)
            } else {
                match federate(wf, step, &c, dir, prov, done, fed)? {
                    Federated::Done => return Ok(()),
                    Federated::Items { local, fetched } => {
                        if step.run == "concat" {
                            (local.into_iter().chain(fetched).collect(), c)
                        } else {
                            // The remote members already ran this step at their nodes.
                            remote_outputs = fetched;
                            if local.is_empty() {
                                let files = remote_outputs.clone();
                                let params: Vec<(String, String)> =
                                    step.params.iter().map(|(k, v)| (k.clone(), v.join(","))).collect();
                                prov.add_operator(&step.id, &params, &c, &files);
                                done.insert(id.to_string(), (files, dir.join("remote").join(&step.id)));
                                return Ok(());
                            }
                            (local, c)
                        }
                    }
                }
            }
        }
        Source::Step(up) => {
            run_step(wf, up, dir, prov, done, track, fed)?;
            if done.contains_key(id) {
                // It ran at a peer as part of its upstream's chain.
                return Ok(());
            }
            let (files, updir) = &done[up];
            if step.run == "ensemble_stats" {
                // Members: each upstream output is one (a step on several members writes one
                // dataset each); joined along time they would make a single member.
                (files.clone(), files.clone())
            } else {
                // A step's files are one dataset (joined along time), as rook's FileMapper does:
                // pass the step's directory.
                (vec![updir.to_string_lossy().into_owned()], files.clone())
            }
        }
    };
    if step.passthrough {
        // Every selection went into the upstream concat: its files are this step's output.
        let params: Vec<(String, String)> = step.params.iter().map(|(k, v)| (k.clone(), v.join(","))).collect();
        let up = match &step.collection {
            Source::Step(u) => done.get(u).cloned(),
            Source::Ids(_) => None,
        };
        if let Some((files, updir)) = up {
            prov.add_operator(&step.id, &params, &prov_in, &files);
            done.insert(id.to_string(), (files, updir));
            return Ok(());
        }
    }
    let sdir = dir.join("steps").join(format!("{}_{}", step.run, step.id.replace(['/', '\\', '.'], "_")));
    let mut inputs = Inputs::new();
    for (k, v) in step.params.iter().filter(|(k, _)| !k.starts_with("pushed:")) {
        inputs.insert(k.clone(), v.clone());
    }
    let part = track.0.part(done.len(), track.1);
    let mut outs = ops::run_operation(fed.daops, &step.run, &items, &inputs, &sdir, &part)
        .map_err(|e| e.context(&format!("step '{}' ({})", step.id, step.run)))?;
    outs.extend(remote_outputs);
    if outs.is_empty() {
        return Err(ProcError::server(format!("step '{}' ({}) produced no output", step.id, step.run)));
    }
    let params: Vec<(String, String)> =
        step.params.iter().map(|(k, v)| (k.strip_prefix("pushed:").unwrap_or(k).to_string(), v.join(","))).collect();
    prov.add_operator(&step.id, &params, &prov_in, &outs);
    done.insert(id.to_string(), (outs, sdir));
    Ok(())
}

/// What [`federate`] did with a step on dataset ids.
enum Federated {
    /// The step (and its chain) ran at one peer; its results are recorded.
    Done,
    /// Items this node reads, and directories of results fetched from peers (for a concat:
    /// every member subset with its selections, at its node or here, in the workflow's order,
    /// and no local items; otherwise: the step's own outputs there).
    Items { local: Vec<String>, fetched: Vec<String> },
}

/// Sends the parts of `step` whose data peers hold to those peers.
fn federate(
    wf: &Workflow,
    step: &Step,
    items: &[String],
    dir: &Path,
    prov: &mut Provenance,
    done: &mut HashMap<String, (Vec<String>, std::path::PathBuf)>,
    fed: &Fed<'_>,
) -> Result<Federated, ProcError> {
    let places: Vec<(String, Place)> = match &step.node {
        // A remote process: everything runs at that node.
        Some(url) => {
            let peer = fed.peers.peers.iter().find(|p| p.url == *url).cloned().ok_or_else(|| {
                ProcError::invalid(format!("step '{}' is a process at {url}, which is not a configured peer (see peer = ... in the configuration)", step.id))
            })?;
            items.iter().map(|i| (i.clone(), Place::Remote(vec![peer.clone()]))).collect()
        }
        None => items.iter().map(|i| (i.clone(), fed.peers.place(fed.daops, i))).collect(),
    };
    if places.iter().all(|(_, p)| *p == Place::Local) {
        return Ok(Federated::Items { local: items.to_vec(), fetched: Vec::new() });
    }
    let own = |p: &[(String, Vec<String>)]| -> Vec<(String, Vec<String>)> {
        p.iter().filter(|(k, _)| !k.starts_with("pushed:")).cloned().collect()
    };
    let record =
        |prov: &mut Provenance, label: &str, params: &[(String, Vec<String>)], input: &[String], r: &PartResult| {
            let outs: Vec<String> = r.files.iter().map(|f| f.to_string_lossy().into_owned()).collect();
            let ps: Vec<(String, String)> = params.iter().map(|(k, v)| (k.clone(), v.join(","))).collect();
            prov.add_remote(label, &ps, input, &outs, &r.peer.name, &r.peer.url, &r.job_url);
        };
    // One peer holds everything of a reducing step: run it there, with the reducing steps
    // that consume only its output.
    let first_holders = match &places[0].1 {
        Place::Remote(h) => Some(h.clone()),
        Place::Local => None,
    };
    let same_node = first_holders
        .as_ref()
        .is_some_and(|h| places.iter().all(|(_, p)| matches!(p, Place::Remote(x) if x[0] == h[0])));
    let pinned = step.node.is_some();
    if let (true, Some(holders), true) =
        (pinned || (REDUCING.contains(&step.run.as_str()) && !step.passthrough), first_holders, same_node)
    {
        let mut chain = vec![step.id.clone()];
        // A pinned step runs alone; otherwise with the reducing steps that consume only its output.
        let mut more = !pinned;
        while more {
            let cur = chain.last().cloned().unwrap_or_default();
            let consumers: Vec<&Step> =
                wf.steps.values().filter(|s| matches!(&s.collection, Source::Step(u) if *u == cur)).collect();
            match consumers.as_slice() {
                [c] if REDUCING.contains(&c.run.as_str()) && !c.passthrough && c.node.is_none() => {
                    chain.push(c.id.clone())
                }
                _ => more = false,
            }
        }
        let spec: Vec<PartStep> = chain.iter().map(|s| (wf.steps[s].run.clone(), own(&wf.steps[s].params))).collect();
        let doc = part_document(&format!("{} (part {} of job {})", wf.doc, step.id, fed.job_id), items, &spec);
        let pdir = dir.join("remote").join(step.id.replace(['/', '\\', '.'], "_"));
        let r = fed
            .peers
            .run(&holders, &doc, &format!("{}:{}", fed.job_id, step.id), &pdir, fed.daops.io())
            .map_err(|e| e.context(&format!("step '{}' ({})", step.id, step.run)))?;
        tracing::info!("steps {} ran at node {} ({} bytes fetched)", chain.join(" → "), r.peer.name, r.bytes);
        let mut input = items.to_vec();
        for (i, s) in chain.iter().enumerate() {
            let st = &wf.steps[s];
            let files: Vec<String> = if i + 1 == chain.len() {
                r.files.iter().map(|f| f.to_string_lossy().into_owned()).collect()
            } else {
                Vec::new()
            };
            record(prov, &format!("{}@{}", st.id, r.peer.name), &own(&st.params), &input, &r);
            input = files.clone();
            done.insert(s.clone(), (files, pdir.clone()));
        }
        return Ok(Federated::Done);
    }
    // Otherwise each remote dataset is reduced at its node: a concat's members get its
    // selections; any other step runs itself there. One job per dataset.
    let mut local = Vec::new();
    let mut fetched = Vec::new();
    // Parts run at peers so far: dismissed there when a later one fails.
    let mut ran: Vec<PartResult> = Vec::new();
    let safe_id = step.id.replace(['/', '\\', '.'], "_");
    for (n, (item, place)) in places.into_iter().enumerate() {
        let (run, params) = if step.run == "concat" {
            let mut p: Vec<(String, Vec<String>)> =
                step.params.iter().filter(|(k, _)| SELECTIONS.contains(&k.as_str())).cloned().collect();
            p.push((ALIGNED.to_string(), vec!["0".to_string()]));
            ("subset".to_string(), p)
        } else {
            (step.run.clone(), own(&step.params))
        };
        let Place::Remote(holders) = place else {
            if step.run == "concat" {
                // A member here gets the same selections as the remote ones, so that all
                // members come to the merge alike (same grid, fixed), in the workflow's order.
                let ldir = dir.join("local").join(format!("{safe_id}_{n}"));
                let mut inputs = Inputs::new();
                for (k, v) in &params {
                    inputs.insert(k.clone(), v.clone());
                }
                let outs = ops::run_operation(
                    fed.daops,
                    "subset",
                    std::slice::from_ref(&item),
                    &inputs,
                    &ldir,
                    &rookery_daops::Progress::new(|_| {}),
                )
                .map_err(|e| e.context(&format!("step '{}' ({}), {item}", step.id, step.run)))?;
                let ps: Vec<(String, String)> = params.iter().map(|(k, v)| (k.clone(), v.join(","))).collect();
                prov.add_operator(&format!("subset ({} member {n})", step.id), &ps, std::slice::from_ref(&item), &outs);
                fetched.push(ldir.to_string_lossy().into_owned());
            } else {
                local.push(item);
            }
            continue;
        };
        let doc = part_document(
            &format!("{} (member {n} of step {} of job {})", wf.doc, step.id, fed.job_id),
            std::slice::from_ref(&item),
            &[(run.clone(), params.clone())],
        );
        let pdir = dir.join("remote").join(format!("{safe_id}_{n}"));
        let r = match fed.peers.run(&holders, &doc, &format!("{}:{}:{n}", fed.job_id, step.id), &pdir, fed.daops.io()) {
            Ok(r) => r,
            Err(e) => {
                fed.peers.dismiss_parts(&ran);
                return Err(e.context(&format!("step '{}' ({}), {item}", step.id, step.run)));
            }
        };
        record(prov, &format!("{run}@{} ({})", r.peer.name, step.id), &params, std::slice::from_ref(&item), &r);
        if step.run == "concat" {
            fetched.push(pdir.to_string_lossy().into_owned());
        } else {
            fetched.extend(r.files.iter().map(|f| f.to_string_lossy().into_owned()));
        }
        ran.push(r);
    }
    Ok(Federated::Items { local, fetched })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WF: &str = r#"{
      "doc": "subset twice",
      "inputs": {"tas": ["a.nc"]},
      "outputs": {"output": "s2/output"},
      "steps": {
        "s1": {"run": "subset", "in": {"collection": "inputs/tas", "time": "2000/2010"}},
        "s2": {"run": "subset", "in": {"collection": "s1/output", "time": "2001/2002"}}
      }
    }"#;

    #[test]
    fn parses_json_and_yaml() {
        let w = parse(WF).unwrap();
        assert_eq!(w.output_step, "s2");
        assert!(matches!(&w.steps["s2"].collection, Source::Step(s) if s == "s1"));
        let y = "doc: d\ninputs:\n  tas: [a.nc]\noutputs:\n  output: s1/output\nsteps:\n  s1:\n    run: subset\n    in:\n      collection: inputs/tas\n      area: 0,0,10,10\n";
        let w = parse(y).unwrap();
        assert_eq!(w.steps["s1"].params, vec![("area".to_string(), vec!["0,0,10,10".to_string()])]);
    }

    #[test]
    fn subset_selections_are_pushed_into_concat() {
        let doc = |avg: &str, extra: &str| {
            format!(
                r#"{{"doc": "d", "inputs": {{"m": ["a", "b"]}}, "outputs": {{"output": "s/output"}},
                "steps": {{
                  "c": {{"run": "concat", "in": {{"collection": "inputs/m"}}}},
                  "a": {{"run": "average", "in": {{"collection": "c/output", "dims": "{avg}"}}}},
                  "s": {{"run": "subset", "in": {{"collection": "a/output", "time": "2000/2001", "area": "0,0,10,10"{extra}}}}}
                }}}}"#
            )
        };
        // Averaging over realization keeps time and space: both selections move, the subset passes through.
        let w = parse(&doc("realization", "")).unwrap();
        let mut c: Vec<&str> = w.steps["c"].params.iter().map(|(k, _)| k.as_str()).collect();
        c.sort_unstable();
        assert_eq!(c, vec!["area", "time"]);
        assert!(w.steps["s"].passthrough);
        // Averaging over time: only the area moves; the subset still runs its time selection.
        let w = parse(&doc("time", "")).unwrap();
        let c: Vec<&str> = w.steps["c"].params.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(c, vec!["area"]);
        assert!(!w.steps["s"].passthrough);
        assert!(w.steps["s"].params.iter().any(|(k, _)| k == "time"));
        // A level selection stays in the subset.
        let w = parse(&doc("realization", r#", "level": "1000/2000""#)).unwrap();
        assert!(!w.steps["s"].passthrough);
        assert!(w.steps["s"].params.iter().any(|(k, _)| k == "level"));
        // A polygon subset: its time selection moves, the shape and min_fraction stay (concat
        // has no polygon mask; the subset runs them on the concatenated members).
        let shape = r#", "shape": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [0, 10], [0, 0]]]}, "min_fraction": "0.5""#;
        let w = parse(&doc("realization", shape).replace(r#", "area": "0,0,10,10""#, "")).unwrap();
        assert_eq!(w.steps["c"].params, vec![("time".to_string(), vec!["2000/2001".to_string()])]);
        assert!(!w.steps["s"].passthrough);
        let mut k: Vec<&str> = w.steps["s"].params.iter().map(|(k, _)| k.as_str()).collect();
        k.sort_unstable();
        assert_eq!(k, vec!["min_fraction", "pushed:time", "shape"]);
        let shape_text = &w.steps["s"].params.iter().find(|(k, _)| k == "shape").unwrap().1;
        assert!(shape_text.len() == 1 && shape_text[0].contains("\"Polygon\""), "{shape_text:?}");
    }

    #[test]
    fn errors_name_the_problem() {
        let e = |s: &str| parse(s).unwrap_err().0;
        assert!(e("{\"doc\": 1, \"inputs\": {}, \"outputs\": {}}").contains("steps missing"));
        assert!(e("{oops").contains("not valid JSON"));
        assert!(e(&WF.replace("s1/output", "s9/output")).contains("unknown step 's9'"));
        assert!(e(&WF.replace("inputs/tas", "inputs/pr")).contains("unknown input 'inputs/pr'"));
        assert!(e(&WF.replace(
            "\"run\": \"subset\", \"in\": {\"collection\": \"inputs/tas\"",
            "\"run\": \"subset\", \"in\": {\"collection\": \"s2/output\""
        ))
        .contains("cycle"));
        assert!(e(&WF.replace("\"time\": \"2001/2002\"", "\"colour\": \"red\"")).contains("Unknown input \"colour\""));
        // The workflow-only switch of subset steps: a boolean.
        assert!(e(&WF.replace("\"time\": \"2001/2002\"", "\"allow_aligned_original_files\": \"maybe\""))
            .contains("must be one boolean"));
        assert!(parse(&WF.replace("\"time\": \"2001/2002\"", "\"allow_aligned_original_files\": false")).is_ok());
        assert!(e(&WF.replace(
            "\"run\": \"subset\", \"in\": {\"collection\": \"s1",
            "\"run\": \"dashboard\", \"in\": {\"collection\": \"s1"
        ))
        .contains("unknown operation 'dashboard'"));
    }
}
