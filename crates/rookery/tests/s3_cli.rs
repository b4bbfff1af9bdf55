//! NetCDF files and Kerchunk references on S3, read with AWS Signature Version 4 credentials
//! from an S3 server that verifies signatures (moto, which checks them with botocore; in the
//! venv of scripts/setup-pyzarr.sh, set up when `CI` is set, otherwise the test is skipped
//! without it): the subsets equal those of the local file; anonymous requests and a wrong
//! secret are refused with a one-line error naming the URL.

mod common;
use common::{python, values, workspace};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const TA: &str = "mini-esgf/badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";

struct Server {
    child: Child,
    port: u16,
    access_key: String,
    secret_key: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto on a free port with `objects` (key, file) in bucket `cmip6`, authentication on.
fn moto(objects: &[(&str, &Path)]) -> Option<Server> {
    let ws = workspace();
    let py = python()?;
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let mut cmd = Command::new(py);
    cmd.arg(ws.join("crates/rookery/tests/py/s3_server.py")).arg(port.to_string()).arg("cmip6");
    for (k, f) in objects {
        cmd.arg(format!("{k}={}", f.display()));
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("start moto");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("READY ") {
                let _ = tx.send(line);
            }
        }
    });
    let mut server = Server { child, port, access_key: String::new(), secret_key: String::new() };
    let line = rx.recv_timeout(Duration::from_secs(120)).expect("moto did not start");
    let parts: Vec<&str> = line.split_whitespace().collect();
    server.access_key = parts[1].to_string();
    server.secret_key = parts[2].to_string();
    Some(server)
}

fn rookery(args: &[&str], env: &[(&str, String)]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rookery"));
    c.args(args)
        .env("ROOCS_CONFIG", workspace().join("config/mini-esgf.ini"))
        .env("ROOKERY_CACHE_SIZE", "0")
        .env("ROOKERY_HTTP_RETRIES", "0");
    for v in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "ROOKERY_S3_ANON"]
    {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run rookery")
}

fn subset(input: &str, out: &Path, env: &[(&str, String)]) -> std::process::Output {
    rookery(
        &[
            "subset",
            input,
            "--time",
            "2016-03-01/2019-02-28",
            "--area",
            "0,-90,200,90",
            "--level",
            "100000/50000",
            "--file-namer",
            "simple",
            "--output-dir",
            &out.to_string_lossy(),
        ],
        env,
    )
}

#[test]
fn netcdf_and_references_on_s3_with_signed_requests() {
    let nc = workspace().join("../shared/data").join(TA);
    let tmp = tempfile::tempdir().expect("tempdir");
    // References whose targets are s3:// URLs, themselves stored on S3.
    let refs = tmp.path().join("ta.json");
    let o = rookery(
        &[
            "kerchunk",
            &nc.to_string_lossy(),
            "--output",
            &refs.to_string_lossy(),
            "--url-prefix",
            "s3://cmip6/ssp119",
            "--inline-threshold",
            "0",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(&refs).expect("refs").contains("s3://cmip6/ssp119/"));
    let name = format!("ssp119/{}", nc.file_name().expect("name").to_string_lossy());
    let Some(server) = moto(&[("ssp119/ta.nc", &nc), (&name, &nc), ("refs/ta.json", &refs)]) else { return };
    let port = server.port;
    let local = tmp.path().join("local");
    let o = subset(&nc.to_string_lossy(), &local, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = values(&local.join("output_001.nc"), "ta");

    let endpoint = format!("http://127.0.0.1:{port}");
    let good = [
        ("ROOKERY_S3_ENDPOINT", endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", server.access_key.clone()),
        ("AWS_SECRET_ACCESS_KEY", server.secret_key.clone()),
    ];
    for (i, input) in ["s3://cmip6/ssp119/ta.nc", "s3://cmip6/refs/ta.json"].iter().enumerate() {
        let out = tmp.path().join(format!("s3_{i}"));
        let o = subset(input, &out, &good);
        assert!(o.status.success(), "{input}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(values(&out.join("output_001.nc"), "ta"), want, "{input}");
    }
    // A wrong secret: the server rejects the signature; one line naming the URL, no output.
    let bad = [
        ("ROOKERY_S3_ENDPOINT", endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", server.access_key.clone()),
        ("AWS_SECRET_ACCESS_KEY", "not-the-secret".to_string()),
    ];
    let out = tmp.path().join("bad");
    let o = subset("s3://cmip6/ssp119/ta.nc", &out, &bad);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("/cmip6/ssp119/ta.nc") && err.contains("403"), "{err}");
    assert!(!err.contains("not-the-secret"), "the secret leaked: {err}");
    assert!(!out.exists() || std::fs::read_dir(&out).expect("dir").count() == 0);
    // Anonymous requests are refused by this server: the reads above were signed.
    let anon = [("ROOKERY_S3_ENDPOINT", endpoint.clone())];
    let o = subset("s3://cmip6/ssp119/ta.nc", &tmp.path().join("anon"), &anon);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("403"), "{err}");
    // A missing object: 404 named.
    let o = subset("s3://cmip6/ssp119/missing.nc", &tmp.path().join("m"), &good);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("missing.nc") && err.contains("404"), "{err}");
}
