//! OGC API – Processes Part 3 nested processes: an execute request whose inputs hold
//! `{"process": URI, "inputs": {...}}` becomes an `orchestrate` workflow, so the same DAG,
//! pushdown and federation run it.
//!
//! ```text
//!   {"inputs": {"collection": {"process": "subset", "inputs": {"collection": "ds", "time": "..."}},
//!               "freq": "year"}}                      POST /processes/average_time/execution
//!   → steps  s1 = subset(collection=ds, time=...)
//!            s0 = average_time(collection=s1/output, freq=year)      output: s0/output
//!   URIs: "subset", "processes/subset", "<this server>/processes/subset" run here;
//!         "<peer base URL>/processes/subset" runs at that configured peer (its collection must
//!         be dataset ids); any other server is refused (not a configured peer).
//! ```

use serde_json::{json, Map, Value};

/// Why a nested-process request was refused (the request's fault: 400 with these texts).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NestedError {
    /// An absolute process URI without `/processes/<id>`.
    #[error("process URI '{0}' does not name a process (…/processes/<id>)")]
    NotAProcess(String),
    /// A process on a server that is neither this one nor a configured peer.
    #[error("the process {0} is on a server that is not a configured peer of this node")]
    NotAPeer(String),
    /// `"process"` of input `.0` is not a string.
    #[error("input '{0}': \"process\" must be a URI")]
    ProcessNotUri(String),
    /// `"inputs"` of the nested process in input `.0` is not an object.
    #[error("input '{0}': \"inputs\" of a nested process must be an object")]
    InputsNotObject(String),
    /// Input `.0` is a list holding nested processes.
    #[error("input '{0}': a list of nested processes is not supported; use one process per input")]
    ListOfProcesses(String),
    /// More than 16 levels.
    #[error("nested processes deeper than 16 levels")]
    TooDeep,
}

/// Whether any input (at any depth of arrays) is a nested process.
#[must_use]
pub fn has_nested(inputs: &Map<String, Value>) -> bool {
    fn any(v: &Value) -> bool {
        match v {
            Value::Object(o) => o.contains_key("process"),
            Value::Array(a) => a.iter().any(any),
            _ => false,
        }
    }
    inputs.values().any(any)
}

/// `(process id, node)` of a process URI: `node` is the base URL when the process lives on
/// another server.
fn split_uri(uri: &str, base: &str, peers: &[String]) -> Result<(String, Option<String>), NestedError> {
    let uri = uri.trim().trim_end_matches('/');
    let id_of = |u: &str| u.rsplit('/').next().unwrap_or(u).trim_end_matches("/execution").to_string();
    if !(uri.starts_with("http://") || uri.starts_with("https://")) {
        return Ok((id_of(uri.trim_end_matches("/execution")), None));
    }
    let u = uri.trim_end_matches("/execution");
    let (root, id) = u.rsplit_once("/processes/").ok_or_else(|| NestedError::NotAProcess(uri.to_string()))?;
    if root.trim_end_matches('/') == base.trim_end_matches('/') {
        return Ok((id.to_string(), None));
    }
    let root = root.trim_end_matches('/').to_string();
    if peers.contains(&root) {
        Ok((id.to_string(), Some(root)))
    } else {
        Err(NestedError::NotAPeer(uri.to_string()))
    }
}

/// Translates a nested-process request for process `top` into a workflow document.
///
/// # Errors
/// [`NestedError`]: a nested process in a list, a bad process URI, a server that is not a
/// peer, too deep.
pub fn to_workflow(top: &str, inputs: &Map<String, Value>, base: &str, peers: &[String]) -> Result<Value, NestedError> {
    let mut steps = Map::new();
    let out = add(top, None, inputs, base, peers, &mut steps, 0)?;
    Ok(json!({
        "doc": format!("OGC API nested processes ({top})"),
        "inputs": {},
        "outputs": {"output": format!("{out}/output")},
        "steps": steps,
    }))
}

fn add(
    id: &str,
    node: Option<String>,
    inputs: &Map<String, Value>,
    base: &str,
    peers: &[String],
    steps: &mut Map<String, Value>,
    depth: usize,
) -> Result<String, NestedError> {
    if depth > 16 {
        return Err(NestedError::TooDeep);
    }
    let sid = format!("s{}_{}", steps.len(), id.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_"));
    // Reserve the id before the children take theirs.
    steps.insert(sid.clone(), Value::Null);
    let mut inn = Map::new();
    for (k, v) in inputs {
        let value = match v {
            Value::Object(o) if o.contains_key("process") => {
                let uri = o["process"].as_str().ok_or_else(|| NestedError::ProcessNotUri(k.clone()))?;
                let (pid, pnode) = split_uri(uri, base, peers)?;
                let sub_inputs = match o.get("inputs") {
                    Some(Value::Object(m)) => m.clone(),
                    None | Some(Value::Null) => Map::new(),
                    Some(_) => return Err(NestedError::InputsNotObject(k.clone())),
                };
                let child = add(&pid, pnode, &sub_inputs, base, peers, steps, depth + 1)?;
                Value::String(format!("{child}/output"))
            }
            Value::Object(o) if o.contains_key("value") => o["value"].clone(),
            Value::Object(o) if o.contains_key("href") => o["href"].clone(),
            Value::Array(a) if a.iter().any(|x| x.get("process").is_some()) => {
                return Err(NestedError::ListOfProcesses(k.clone()));
            }
            other => other.clone(),
        };
        inn.insert(k.clone(), value);
    }
    let mut step = json!({"run": id, "in": inn});
    if let Some(n) = node {
        step["node"] = Value::String(n);
    }
    steps.insert(sid.clone(), step);
    Ok(sid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_becomes_a_workflow() {
        let req: Value = serde_json::from_str(
            r#"{"collection": {"process": "http://me/processes/subset", "inputs": {"collection": "ds", "time": {"value": "2000/2001"}}}, "freq": "year"}"#,
        )
        .unwrap();
        let m = req.as_object().unwrap();
        assert!(has_nested(m));
        let wf = to_workflow("average_time", m, "http://me", &[]).unwrap();
        let w = crate::workflow::parse(&wf.to_string()).unwrap();
        assert_eq!(w.steps.len(), 2);
        let out = &w.steps[&w.output_step];
        assert_eq!(out.run, "average_time");
        assert!(matches!(&out.collection, crate::workflow::Source::Step(s) if w.steps[s].run == "subset"));
        // At a peer.
        let req: Value = serde_json::from_str(
            r#"{"collection": {"process": "http://peer:1/processes/subset", "inputs": {"collection": "ds"}}}"#,
        )
        .unwrap();
        let wf = to_workflow("average_time", req.as_object().unwrap(), "http://me", &["http://peer:1".into()]).unwrap();
        let w = crate::workflow::parse(&wf.to_string()).unwrap();
        assert!(w.steps.values().any(|s| s.node.as_deref() == Some("http://peer:1")));
        // Elsewhere: refused.
        let e = to_workflow("average_time", req.as_object().unwrap(), "http://me", &[]).unwrap_err();
        assert_eq!(e, NestedError::NotAPeer("http://peer:1/processes/subset".into()));
        assert!(e.to_string().contains("not a configured peer"), "{e}");
    }
}
