//! WPS 1.0.0 over real HTTP on loopback: the documents rooki/birdy/OWSLib read, sync and async
//! execution, outputs, Range downloads, exceptions for bad input, API keys.

mod common;
use common::*;

const EXEC: &str = "/wps?service=WPS&version=1.0.0&request=Execute";

fn subset_kvp(extra: &str) -> String {
    format!(
        "{EXEC}&identifier=subset&datainputs=collection={};time=2001-01-01/2002-12-30;area=20,10,250,90{extra}",
        enc(&rlds())
    )
}

#[test]
fn capabilities_and_descriptions() {
    let s = start(false);
    // Public without a key.
    let r = get(&s.url("/wps?service=WPS&request=GetCapabilities"));
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains("<wps:Capabilities service=\"WPS\" version=\"1.0.0\""));
    assert!(t.contains("<ows:Identifier>subset</ows:Identifier>"));
    assert!(t.contains("<ows:Identifier>health</ows:Identifier>"));
    assert!(t.contains(&format!("xlink:href=\"http://{}/wps\"", s.addr)));

    let r = get(&s.url("/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier=all"));
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains("storeSupported=\"true\" statusSupported=\"true\""));
    assert!(t.contains("storeSupported=\"false\" statusSupported=\"false\""), "health is sync only");
    for id in [
        "collection",
        "time",
        "time_components",
        "area",
        "level",
        "pre_checked",
        "apply_fixes",
        "original_files",
        "output",
        "prov",
        "prov_plot",
    ] {
        assert!(t.contains(&format!("<ows:Identifier>{id}</ows:Identifier>")), "{id}");
    }
    assert!(t.contains("<MimeType>application/metalink+xml; version=4.0</MimeType>"));
    assert!(t.contains("<DefaultValue>True</DefaultValue>"), "apply_fixes defaults to true (rendered as pywps does)");
    // Outputs in rook's order (rooki reads them by position).
    let (o, p, pp) = (t.find(">output<").unwrap(), t.find(">prov<").unwrap(), t.find(">prov_plot<").unwrap());
    assert!(o < p && p < pp);

    let r = get(&s.url("/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier=subset"));
    assert_eq!(r.text().matches("<ProcessDescription ").count(), 1);
    let r = get(&s.url("/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier=nope"));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("exceptionCode=\"InvalidParameterValue\""));
    assert!(r.text().contains("Unknown process nope"));
}

#[test]
fn health_is_public_and_raw() {
    let s = start(false);
    let r = get(&s.url(&format!("{EXEC}&identifier=health&RawDataOutput=status")));
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "ROOK_HEALTH_OK");
    let r = get(&s.url(&format!("{EXEC}&identifier=health")));
    assert!(
        r.text().contains("<wps:LiteralData  dataType=\"string\">ROOK_HEALTH_OK</wps:LiteralData>"),
        "{}",
        r.text()
    );
}

#[test]
fn subset_sync_kvp_with_outputs_and_range() {
    let s = start(true);
    let r = get(&s.url(&subset_kvp("&lineage=true")));
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.text();
    assert!(t.contains("<wps:ProcessSucceeded>"), "{t}");
    assert!(t.contains("<wps:LiteralData >2001-01-01/2002-12-30</wps:LiteralData>"), "lineage echoes inputs");
    let meta = output_href(&t, "output").unwrap();
    let m = get(&meta);
    assert_eq!(m.status, 200);
    assert!(m.header("content-type").unwrap().starts_with("application/metalink+xml"));
    let mt = m.text();
    assert_eq!(mt.matches("<file ").count(), 1);
    assert!(mt.contains("name=\"rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_20010116-20021216.nc\""), "{mt}");
    let size: u64 = between(&mt, "<size>", "</size>").unwrap().parse().unwrap();
    let url = unescape(between(&mt, "<metaurl mediatype=\"application/x-netcdf\">", "</metaurl>").unwrap());
    let f = get(&url);
    assert_eq!(f.status, 200);
    assert_eq!(f.body.len() as u64, size);
    assert_eq!(&f.body[..4], b"\x89HDF");
    let part = get_h(&url, &[("Range", "bytes=1-3")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, b"HDF");
    assert_eq!(part.header("content-range"), Some(format!("bytes 1-3/{size}").as_str()));

    let prov = get(&output_href(&t, "prov").unwrap());
    let pj = prov.text();
    assert!(pj.contains("\"roocs:time\": \"2001-01-01/2002-12-30\""), "{pj}");
    assert!(pj.contains("\"wasDerivedFrom\""));
    let png = get(&output_href(&t, "prov_plot").unwrap());
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(&png.body[..8], b"\x89PNG\r\n\x1a\n");

    // RawDataOutput=output returns the Metalink itself.
    let r = get(&s.url(&subset_kvp("&RawDataOutput=output")));
    assert!(r.text().contains("<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">"));
}

#[test]
fn subset_async_xml_post_with_status_polling() {
    let s = start(false);
    let key = s.key("alice", "execute,jobs");
    let auth = format!("Bearer {key}");
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<wps:Execute xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1" service="WPS" version="1.0.0">
  <ows:Identifier>subset</ows:Identifier>
  <wps:DataInputs>
    <wps:Input><ows:Identifier>collection</ows:Identifier><wps:Data><wps:LiteralData>{}</wps:LiteralData></wps:Data></wps:Input>
    <wps:Input><ows:Identifier>time</ows:Identifier><wps:Data><wps:LiteralData>2001-01-01/2002-12-30</wps:LiteralData></wps:Data></wps:Input>
  </wps:DataInputs>
  <wps:ResponseForm>
    <wps:ResponseDocument storeExecuteResponse="true" status="true" lineage="true">
      <wps:Output asReference="true"><ows:Identifier>output</ows:Identifier></wps:Output>
      <wps:Output asReference="true"><ows:Identifier>prov</ows:Identifier></wps:Output>
      <wps:Output asReference="true"><ows:Identifier>prov_plot</ows:Identifier></wps:Output>
    </wps:ResponseDocument>
  </wps:ResponseForm>
</wps:Execute>"#,
        rlds()
    );
    let r = request("POST", &s.url("/wps"), &[("Authorization", &auth), ("Content-Type", "text/xml")], body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.text();
    assert!(t.contains("ProcessAccepted") || t.contains("ProcessStarted") || t.contains("ProcessSucceeded"), "{t}");
    let loc = unescape(between(&t, "statusLocation=\"", "\"").unwrap());
    let done = poll(&loc, &[]);
    assert!(done.contains("ProcessSucceeded"), "{done}");
    let meta = get(&output_href(&done, "output").unwrap()).text();
    assert_eq!(meta.matches("<file ").count(), 1);

    // Without the signed token, the status needs the owner's key.
    let bare = loc.split('?').next().unwrap().to_string();
    assert_eq!(get(&bare).status, 401);
    assert_eq!(get_h(&bare, &[("X-API-Key", &key)]).status, 200);
    let bob = s.key("bob", "execute,jobs");
    let r = get_h(&bare, &[("X-API-Key", &bob)]);
    assert_eq!(r.status, 404, "another user's job is not visible");
    assert!(r.text().contains("does not exist or belongs to another user"));
    let forged = format!("{bare}?t=0123456789abcdef0123456789abcdef");
    assert_eq!(get(&forged).status, 401);
}

#[test]
fn process_errors_are_process_failed_with_rook_text() {
    let s = start(true);
    let r = get(
        &s.url(&format!("{EXEC}&identifier=subset&datainputs=collection={};time=2050-12-31/2021-01-01", enc(&rlds())))
    );
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains("<wps:ProcessFailed>"), "{t}");
    assert!(t.contains("<ows:ExceptionText>Process error: Start date"), "{t}");
    // Selects nothing: clisops's message.
    let r =
        get(&s.url(&format!("{EXEC}&identifier=subset&datainputs=collection={};area=8.37,-90,8.56,90", enc(&rlds()))));
    assert!(
        r.text().contains("Process error: There were no valid data points found in the requested subset"),
        "{}",
        r.text()
    );
    // A collection that does not exist.
    let r = get(&s.url(&format!("{EXEC}&identifier=subset&datainputs=collection=/no/such/file.nc")));
    assert!(r.text().contains("<wps:ProcessFailed>"), "{}", r.text());
    // RawDataOutput of a failed job: an exception report.
    let r =
        get(&s.url(&format!("{EXEC}&identifier=subset&datainputs=collection=/no/such/file.nc&RawDataOutput=output")));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("Process error: "));
}

#[test]
fn bad_requests_get_ogc_exceptions_and_the_server_stays_up() {
    let s = start(true);
    let cases: Vec<(String, &str, &str)> = vec![
        (format!("{EXEC}&identifier=nope"), "InvalidParameterValue", "Unknown process 'nope'"),
        (
            format!("{EXEC}&identifier=subset&datainputs=time=2000/2001"),
            "MissingParameterValue",
            "Required input \"collection\" must be provided.",
        ),
        (
            format!("{EXEC}&identifier=subset&datainputs=collection=x;colour=red"),
            "InvalidParameterValue",
            "Unknown input \"colour\"",
        ),
        (
            format!("{EXEC}&identifier=subset&datainputs=collection=x;original_files=perhaps"),
            "InvalidParameterValue",
            "expected a boolean",
        ),
        (
            format!("{EXEC}&identifier=subset&datainputs=collection=x;time=a;time=b"),
            "InvalidParameterValue",
            "at most 1",
        ),
        (
            format!("{EXEC}&identifier=subset&datainputs=collection=x&RawDataOutput=nope"),
            "InvalidParameterValue",
            "Unknown output \"nope\"",
        ),
        ("/wps?service=WPS&request=Dance".to_string(), "OperationNotSupported", "Unknown request"),
        ("/wps?request=GetCapabilities".to_string(), "MissingParameterValue", "service"),
        (
            "/wps?service=WPS&version=2.0.0&request=DescribeProcess&identifier=all".to_string(),
            "VersionNegotiationFailed",
            "not supported",
        ),
    ];
    for (q, code, text) in cases {
        let r = get(&s.url(&q));
        assert_eq!(r.status, 400, "{q}: {}", r.text());
        let t = r.text();
        assert!(t.contains(&format!("exceptionCode=\"{code}\"")), "{q}: {t}");
        assert!(t.contains(text), "{q}: {t}");
    }
    for body in ["<wps:Execute", "not xml", "<wps:Execute xmlns:wps=\"x\"><a></b></wps:Execute>", ""] {
        let r = request("POST", &s.url("/wps"), &[], body.as_bytes());
        assert_eq!(r.status, 400, "{body}");
        assert!(r.text().contains("exceptionCode="), "{}", r.text());
    }
    // Still serving.
    assert_eq!(get(&s.url(&format!("{EXEC}&identifier=health&RawDataOutput=status"))).text(), "ROOK_HEALTH_OK");
    assert_eq!(get(&s.url("/nowhere")).status, 404);
}

#[test]
fn api_keys_scopes_and_rate_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = config(tmp.path(), false);
    cfg.rate_limit = 5;
    let s = start_with(cfg);
    let q = s.url(&format!("{EXEC}&identifier=subset&datainputs=collection=x;colour=red"));
    let r = get(&q);
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    assert!(r.text().contains("AccessForbidden") && r.text().contains("An API key is required"));
    let r = get_h(&q, &[("Authorization", "Bearer rk_deadbeef_0000")]);
    assert_eq!(r.status, 401);
    assert!(r.text().contains("Invalid API key"));
    let reader = s.key("reader", "jobs");
    let r = get_h(&q, &[("X-API-Key", &reader)]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("lacks the 'execute' scope"));
    let k = s.key("runner", "execute");
    // Validation happens after auth: this key gets the parameter error, 5 times, then 429.
    for _ in 0..5 {
        assert_eq!(get_h(&q, &[("X-API-Key", &k)]).status, 400);
    }
    let r = get_h(&q, &[("X-API-Key", &k)]);
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.text().contains("Rate limit exceeded"));
    // Public operations are not limited.
    assert_eq!(get(&s.url("/wps?service=WPS&request=GetCapabilities")).status, 200);
}

#[test]
fn concat_members_along_realization() {
    let s = start(true);
    let m1 = data(
        "badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r2i1p1f1/Amon/tas/gr/v20201215",
    );
    let m2 = data(
        "badc/cmip6/data/CMIP6/DCPP/EC-Earth-Consortium/EC-Earth3/dcppA-hindcast/s1960-r6i2p1f1/Amon/tas/gr/v20200508",
    );
    let url = s.url(&format!(
        "{EXEC}&identifier=concat&datainputs=collection={};collection={};dims=realization;time=1961-01-01/1961-12-31",
        enc(&m1),
        enc(&m2)
    ));
    let r = get(&url);
    let t = r.text();
    assert!(t.contains("<wps:ProcessSucceeded>"), "{t}");
    let mt = get(&output_href(&t, "output").unwrap()).text();
    assert_eq!(mt.matches("<file ").count(), 1, "{mt}");
    // A dimension other than realization is refused with the allowed values.
    let bad = get(&s.url(&format!("{EXEC}&identifier=concat&datainputs=collection={};dims=time", enc(&m1))));
    assert!(bad.text().contains("InvalidParameterValue"), "{}", bad.text());
}
