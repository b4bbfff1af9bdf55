//! `orchestrate` (rook workflow documents, JSON and YAML) and the `usage` process.

mod common;
use common::*;

fn execute_xml(process: &str, inputs: &[(&str, &str, bool)], raw: Option<&str>) -> String {
    let mut x = format!(
        "<wps:Execute xmlns:wps=\"http://www.opengis.net/wps/1.0.0\" xmlns:ows=\"http://www.opengis.net/ows/1.1\" service=\"WPS\" version=\"1.0.0\"><ows:Identifier>{process}</ows:Identifier><wps:DataInputs>"
    );
    for (id, v, complex) in inputs {
        let v = v.replace('&', "&amp;").replace('<', "&lt;");
        if *complex {
            x.push_str(&format!("<wps:Input><ows:Identifier>{id}</ows:Identifier><wps:Data><wps:ComplexData mimeType=\"application/json\">{v}</wps:ComplexData></wps:Data></wps:Input>"));
        } else {
            x.push_str(&format!("<wps:Input><ows:Identifier>{id}</ows:Identifier><wps:Data><wps:LiteralData>{v}</wps:LiteralData></wps:Data></wps:Input>"));
        }
    }
    x.push_str("</wps:DataInputs>");
    if let Some(r) = raw {
        x.push_str(&format!("<wps:ResponseForm><wps:RawDataOutput><ows:Identifier>{r}</ows:Identifier></wps:RawDataOutput></wps:ResponseForm>"));
    }
    x.push_str("</wps:Execute>");
    x
}

fn workflow(second_collection: &str) -> String {
    format!(
        r#"{{"doc": "subset then subset",
            "inputs": {{"rlds": ["{}"]}},
            "outputs": {{"output": "subset_rlds_2/output"}},
            "steps": {{
              "subset_rlds_1": {{"run": "subset", "in": {{"collection": "inputs/rlds", "time": "1985-01-01/2014-12-30"}}}},
              "subset_rlds_2": {{"run": "subset", "in": {{"collection": "{second_collection}", "time": "2000-01-01/2000-12-30", "area": "20,10,250,90"}}}}
            }}}}"#,
        rlds()
    )
}

#[test]
fn orchestrate_runs_a_dag_and_records_provenance() {
    let s = start(true);
    let body = execute_xml("orchestrate", &[("workflow", &workflow("subset_rlds_1/output"), true)], None);
    let r = request("POST", &s.url("/wps"), &[], body.as_bytes());
    let t = r.text();
    assert!(t.contains("ProcessSucceeded"), "{t}");
    let meta = get(&output_href(&t, "output").unwrap()).text();
    assert_eq!(meta.matches("<file ").count(), 1, "{meta}");
    assert!(meta.contains("_20000116-20001216.nc"), "{meta}");
    let url = unescape(between(&meta, "<metaurl mediatype=\"application/x-netcdf\">", "</metaurl>").unwrap());
    assert_eq!(&get(&url).body[..4], b"\x89HDF");
    let prov = get(&output_href(&t, "prov").unwrap()).text();
    assert!(prov.contains("\"roocs:time\": \"1985-01-01/2014-12-30\""), "{prov}");
    assert!(prov.contains("provone:Workflow"));
    let v: serde_json::Value = serde_json::from_str(&prov).unwrap();
    assert_eq!(v["wasDerivedFrom"].as_object().unwrap().len(), 2);

    // The same as YAML.
    let yaml = format!(
        "doc: yaml\ninputs:\n  rlds:\n    - {}\noutputs:\n  output: s/output\nsteps:\n  s:\n    run: subset\n    in:\n      collection: inputs/rlds\n      time: 2001-01-01/2001-12-30\n",
        rlds()
    );
    let body = execute_xml("orchestrate", &[("workflow", &yaml, true)], Some("output"));
    let r = request("POST", &s.url("/wps"), &[], body.as_bytes());
    assert!(r.text().contains("_20010116-20011216.nc"), "{}", r.text());
}

#[test]
fn bad_workflows_are_refused_with_the_reason() {
    let s = start(true);
    let cases = [
        (workflow("subset_rlds_9/output"), "unknown step 'subset_rlds_9'"),
        (workflow("inputs/tas"), "unknown input 'inputs/tas'"),
        (workflow("subset_rlds_2/output").replace("\"inputs/rlds\"", "\"subset_rlds_2/output\""), "cycle"),
        ("{\"doc\": \"d\", \"inputs\": {}, \"steps\": {}}".to_string(), "outputs missing"),
        ("{\"doc\": ".to_string(), "not valid JSON"),
    ];
    for (wf, msg) in cases {
        let r = request(
            "POST",
            &s.url("/wps"),
            &[],
            execute_xml("orchestrate", &[("workflow", &wf, true)], None).as_bytes(),
        );
        assert_eq!(r.status, 400, "{wf}: {}", r.text());
        assert!(
            r.text().contains("exceptionCode=\"InvalidParameterValue\"") && r.text().contains(msg),
            "{msg}: {}",
            r.text()
        );
    }
}

#[test]
fn usage_returns_the_request_log_as_csv() {
    let s = start(false);
    let runner = s.key("runner", "execute,jobs");
    let auditor = s.key("auditor", "usage");
    assert_eq!(get(&s.url("/wps?service=WPS&request=GetCapabilities")).status, 200);
    let r = get_h(
        &s.url(&format!(
            "/wps?service=WPS&version=1.0.0&request=Execute&identifier=subset&datainputs=collection={};time=2001-01-01/2001-12-30",
            enc(&rlds())
        )),
        &[("X-API-Key", &runner)],
    );
    let meta = output_href(&r.text(), "output").unwrap();
    assert_eq!(get(&meta).status, 200);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let body = execute_xml("usage", &[("time", "2000-01-01/", false)], Some("wpsusage"));
    let denied = request("POST", &s.url("/wps"), &[("X-API-Key", &runner)], body.as_bytes());
    assert_eq!(denied.status, 403, "{}", denied.text());
    let r = request("POST", &s.url("/wps"), &[("X-API-Key", &auditor)], body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let csv = r.text();
    assert!(
        csv.starts_with(
            "uuid,operation,identifier,user,time_start,time_end,duration_ms,http_status,bytes_out,remote,inputs\n"
        ),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.contains(",GetCapabilities,")), "{csv}");
    assert!(csv.lines().any(|l| l.contains(",Execute,subset,runner,") && l.contains(",200,")), "{csv}");
    let body = execute_xml("usage", &[], Some("downloads"));
    let dl = request("POST", &s.url("/wps"), &[("X-API-Key", &auditor)], body.as_bytes()).text();
    assert!(dl.lines().any(|l| l.contains(",download,subset,")), "{dl}");
    let body = execute_xml("usage", &[("time", "yesterday", false)], Some("wpsusage"));
    let bad = request("POST", &s.url("/wps"), &[("X-API-Key", &auditor)], body.as_bytes());
    assert!(bad.text().contains("Invalid time range"), "{}", bad.text());
    // rook's dashboard: the same log as a page.
    let body = execute_xml("dashboard", &[("site", "local", false), ("time", "2000-01-01/", false)], Some("dashboard"));
    let denied = request("POST", &s.url("/wps"), &[("X-API-Key", &runner)], body.as_bytes());
    assert_eq!(denied.status, 403, "{}", denied.text());
    let r = request("POST", &s.url("/wps"), &[("X-API-Key", &auditor)], body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("content-type").unwrap_or_default().starts_with("text/html"), "{:?}", r.header("content-type"));
    let page = r.text();
    assert!(page.contains("<h1>rookery dashboard</h1>") && page.contains("<td>subset</td>"), "{page}");
    let body = execute_xml("dashboard", &[("site", "ipsl", false)], Some("dashboard"));
    let other = request("POST", &s.url("/wps"), &[("X-API-Key", &auditor)], body.as_bytes());
    assert!(other.text().contains("ipsl"), "{}", other.text());
}

// roocs.md §7 #26 (rook test_wps_orchestrate_prov): subset 1985-2014, then yearly means.
#[test]
fn orchestrate_subset_then_average_time() {
    let s = start(true);
    let wf = format!(
        r#"{{"doc": "subset+average", "inputs": {{"rlds": ["{}"]}}, "outputs": {{"output": "average_rlds/output"}},
            "steps": {{
              "subset_rlds": {{"run": "subset", "in": {{"collection": "inputs/rlds", "time": "1985-01-01/2014-12-30"}}}},
              "average_rlds": {{"run": "average_time", "in": {{"collection": "subset_rlds/output", "freq": "year"}}}}
            }}}}"#,
        rlds()
    );
    let r =
        request("POST", &s.url("/wps"), &[], execute_xml("orchestrate", &[("workflow", &wf, true)], None).as_bytes());
    let t = r.text();
    assert!(t.contains("ProcessSucceeded"), "{t}");
    let meta = get(&output_href(&t, "output").unwrap()).text();
    assert!(meta.contains("_avg-year.nc"), "{meta}");
    let prov = get(&output_href(&t, "prov").unwrap()).text();
    assert!(prov.contains("\"roocs:time\": \"1985-01-01/2014-12-30\""), "{prov}");
    assert!(prov.contains("\"roocs:freq\": \"year\""), "{prov}");
    let v: serde_json::Value = serde_json::from_str(&prov).unwrap();
    assert_eq!(v["wasDerivedFrom"].as_object().unwrap().len(), 2);
    // The averaging processes run directly too; a bad frequency is refused by its allowed values.
    let r = request(
        "POST",
        &s.url("/wps"),
        &[],
        execute_xml("weighted_average", &[("collection", &rlds(), false)], None).as_bytes(),
    );
    assert!(r.text().contains("ProcessSucceeded"), "{}", r.text());
    let r = request(
        "POST",
        &s.url("/wps"),
        &[],
        execute_xml("average_time", &[("collection", &rlds(), false), ("freq", "week", false)], None).as_bytes(),
    );
    assert!(r.text().contains("InvalidParameterValue"), "{}", r.text());
}
