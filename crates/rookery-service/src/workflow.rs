//! rook's `orchestrate` workflow documents (roocs.md §4.4): JSON or YAML with `doc`, `inputs`,
//! `outputs` and `steps`; each step `run`s an operation with `in` parameters whose values may
//! be `inputs/<name>` (a list of dataset ids) or `<step>/output` (another step's files). The
//! steps form a DAG, executed depth-first from the first output; cycles and unknown references
//! are errors named in the message.

use crate::ops::{self, ProcError};
use crate::process::{self, Inputs, RawInput};
use crate::prov::Provenance;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Operations a workflow step may run (the data processes this server has).
pub const WORKFLOW_OPERATIONS: &[&str] = &["subset", "average_time", "average", "average_shape", "weighted_average", "concat", "regrid"];

/// One step.
#[derive(Clone, Debug)]
pub struct Step {
    pub id: String,
    pub run: String,
    /// Parameters other than the collection.
    pub params: Vec<(String, Vec<String>)>,
    pub collection: Source,
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
    pub doc: String,
    pub steps: BTreeMap<String, Step>,
    /// The step whose output is the workflow's result (the first `outputs` entry).
    pub output_step: String,
}

fn err(m: impl Into<String>) -> ProcError {
    ProcError(m.into())
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
        let run = sv.get("run").and_then(Value::as_str).ok_or_else(|| err(format!("Invalid workflow: step '{sid}' has no 'run'")))?;
        if !WORKFLOW_OPERATIONS.contains(&run) {
            return Err(err(format!(
                "Invalid workflow: step '{sid}' runs unknown operation '{run}'; operations: {}",
                WORKFLOW_OPERATIONS.join(", ")
            )));
        }
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
                        return Err(err(format!("Invalid workflow: step '{sid}' refers to unknown step '{target}' ('{r}')")));
                    }
                    Some(Source::Step(target.to_string()))
                }
                _ => None,
            };
            if k == "collection" {
                collection = Some(src.unwrap_or(Source::Ids(vals)));
            } else if src.is_some() {
                return Err(err(format!("Invalid workflow: step '{sid}': only 'collection' can refer to inputs or steps, not '{k}'")));
            } else {
                params.push((k.clone(), vals));
            }
        }
        let collection = collection.ok_or_else(|| err(format!("Invalid workflow: step '{sid}' has no 'collection'")))?;
        // Parameters are checked like the WPS inputs of the operation.
        let def = process::all().into_iter().find(|p| p.id == run).ok_or_else(|| err(format!("unknown operation {run}")))?;
        let mut raw = vec![RawInput { id: "collection".into(), data: "-".into(), mime: None }];
        for (k, vs) in &params {
            for v in vs {
                raw.push(RawInput { id: k.clone(), data: v.clone(), mime: None });
            }
        }
        process::validate(&def, &raw).map_err(|e| err(format!("Invalid workflow: step '{sid}': {}", e.text)))?;
        steps.insert(sid.clone(), Step { id: sid.clone(), run: run.to_string(), params, collection });
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
    fn visit<'a>(s: &'a str, steps: &'a BTreeMap<String, Step>, state: &mut HashMap<&'a str, u8>, path: &mut Vec<&'a str>) -> Result<(), ProcError> {
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
    Ok(Workflow { doc, steps, output_step })
}

/// Runs the workflow in `dir` (each step in `steps/<op>_<step>`); returns the output files of
/// the output step and records every step in `prov`.
///
/// # Errors
/// The first failing step's error, naming the step.
pub fn run(wf: &Workflow, dir: &Path, prov: &mut Provenance) -> Result<Vec<String>, ProcError> {
    let mut done: HashMap<String, (Vec<String>, std::path::PathBuf)> = HashMap::new();
    run_step(wf, &wf.output_step, dir, prov, &mut done)?;
    Ok(done.remove(&wf.output_step).map(|d| d.0).unwrap_or_default())
}

fn run_step(
    wf: &Workflow,
    id: &str,
    dir: &Path,
    prov: &mut Provenance,
    done: &mut HashMap<String, (Vec<String>, std::path::PathBuf)>,
) -> Result<(), ProcError> {
    if done.contains_key(id) {
        return Ok(());
    }
    let step = &wf.steps[id];
    let (items, prov_in): (Vec<String>, Vec<String>) = match &step.collection {
        Source::Ids(ids) => {
            let c = ops::collection_items(ids);
            (c.clone(), c)
        }
        Source::Step(up) => {
            run_step(wf, up, dir, prov, done)?;
            let (files, updir) = &done[up];
            // A step's files are one dataset (joined along time), as rook's FileMapper does:
            // pass the step's directory.
            (vec![updir.to_string_lossy().into_owned()], files.clone())
        }
    };
    let sdir = dir.join("steps").join(format!("{}_{}", step.run, step.id.replace(['/', '\\', '.'], "_")));
    let mut inputs = Inputs::new();
    for (k, v) in &step.params {
        inputs.insert(k.clone(), v.clone());
    }
    let outs = ops::run_operation(&step.run, &items, &inputs, &sdir)
        .map_err(|e| ProcError(format!("step '{}' ({}): {}", step.id, step.run, e.0)))?;
    if outs.is_empty() {
        return Err(ProcError(format!("step '{}' ({}) produced no output", step.id, step.run)));
    }
    let params: Vec<(String, String)> = step.params.iter().map(|(k, v)| (k.clone(), v.join(","))).collect();
    prov.add_operator(&step.id, &params, &prov_in, &outs);
    done.insert(id.to_string(), (outs, sdir));
    Ok(())
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
    fn errors_name_the_problem() {
        let e = |s: &str| parse(s).unwrap_err().0;
        assert!(e("{\"doc\": 1, \"inputs\": {}, \"outputs\": {}}").contains("steps missing"));
        assert!(e("{oops").contains("not valid JSON"));
        assert!(e(&WF.replace("s1/output", "s9/output")).contains("unknown step 's9'"));
        assert!(e(&WF.replace("inputs/tas", "inputs/pr")).contains("unknown input 'inputs/pr'"));
        assert!(e(&WF.replace("\"run\": \"subset\", \"in\": {\"collection\": \"inputs/tas\"", "\"run\": \"subset\", \"in\": {\"collection\": \"s2/output\"")).contains("cycle"));
        assert!(e(&WF.replace("\"time\": \"2001/2002\"", "\"colour\": \"red\"")).contains("Unknown input \"colour\""));
        assert!(e(&WF.replace("\"run\": \"subset\", \"in\": {\"collection\": \"s1", "\"run\": \"dashboard\", \"in\": {\"collection\": \"s1")).contains("unknown operation 'dashboard'"));
    }
}
