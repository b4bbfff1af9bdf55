//! WPS 1.0.0 documents as PyWPS 4 writes them (`pywps/templates/1.0.0/*`): capabilities,
//! process descriptions, execute responses / status documents, and Metalink 4.
//!
//! Clients parse these (OWSLib with lxml, birdy, rooki with BeautifulSoup), so element names,
//! namespaces, mime strings and output order follow PyWPS byte for byte where it matters.

use crate::config::ServiceInfo;
use crate::jobs::{Job, JobStatus};
use crate::process::{Fmt, InputKind, OutputKind, ProcessDef};
use rookery_io::text::{xml as esc, xml_text as esc_text};
use std::fmt::Write;

const NS: &str = "xmlns:wps=\"http://www.opengis.net/wps/1.0.0\" xmlns:ows=\"http://www.opengis.net/ows/1.1\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

fn metadata(x: &mut String, p: &ProcessDef, indent: &str) {
    for (title, href) in p.metadata {
        let _ = writeln!(
            x,
            "{indent}<ows:Metadata xlink:title=\"{}\" xlink:type=\"simple\" xlink:href=\"{}\"/>",
            esc(title),
            esc(href)
        );
    }
}

/// GetCapabilities response. `wps_url` is the service endpoint (`.../wps`).
#[must_use]
pub fn capabilities(info: &ServiceInfo, wps_url: &str, processes: &[ProcessDef]) -> String {
    let u = esc(wps_url);
    let mut x = String::new();
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<wps:Capabilities service=\"WPS\" version=\"1.0.0\" xml:lang=\"en-US\" {NS} xsi:schemaLocation=\"http://www.opengis.net/wps/1.0.0 ../wpsGetCapabilities_response.xsd\" updateSequence=\"1\">\n\
    <ows:ServiceIdentification>\n\
        <ows:Title>{}</ows:Title>\n\
        <ows:Abstract>{}</ows:Abstract>\n\
        <ows:Keywords>\n\
            <ows:Keyword>WPS</ows:Keyword>\n\
            <ows:Keyword>OGC</ows:Keyword>\n\
            <ows:Keyword>processing</ows:Keyword>\n\
            <ows:Keyword>roocs</ows:Keyword>\n\
            <ows:Keyword>copernicus</ows:Keyword>\n\
            <ows:Type codeSpace=\"ISOTC211/19115\">theme</ows:Type>\n\
        </ows:Keywords>\n\
        <ows:ServiceType>WPS</ows:ServiceType>\n\
        <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>\n\
        <ows:Fees>NONE</ows:Fees>\n\
        <ows:AccessConstraints>NONE</ows:AccessConstraints>\n\
    </ows:ServiceIdentification>\n\
    <ows:ServiceProvider>\n\
        <ows:ProviderName>{}</ows:ProviderName>\n\
        <ows:ProviderSite xlink:href=\"{}\"/>\n\
        <ows:ServiceContact>\n\
            <ows:IndividualName></ows:IndividualName>\n\
            <ows:PositionName></ows:PositionName>\n\
            <ows:ContactInfo>\n\
                <ows:Phone>\n\
                    <ows:Voice></ows:Voice>\n\
                    <ows:Facsimile></ows:Facsimile>\n\
                </ows:Phone>\n\
                <ows:Address>\n\
                    <ows:DeliveryPoint></ows:DeliveryPoint>\n\
                    <ows:City></ows:City>\n\
                    <ows:AdministrativeArea></ows:AdministrativeArea>\n\
                    <ows:PostalCode></ows:PostalCode>\n\
                    <ows:Country></ows:Country>\n\
                    <ows:ElectronicMailAddress></ows:ElectronicMailAddress>\n\
                </ows:Address>\n\
            </ows:ContactInfo>\n\
        </ows:ServiceContact>\n\
    </ows:ServiceProvider>\n\
    <ows:OperationsMetadata>\n\
        <ows:Operation name=\"GetCapabilities\">\n\
            <ows:DCP>\n\
                <ows:HTTP>\n\
                    <ows:Get xlink:href=\"{u}\"/>\n\
                </ows:HTTP>\n\
            </ows:DCP>\n\
        </ows:Operation>\n\
        <ows:Operation name=\"DescribeProcess\">\n\
            <ows:DCP>\n\
                <ows:HTTP>\n\
                    <ows:Get xlink:href=\"{u}\"/>\n\
                    <ows:Post xlink:href=\"{u}\"/>\n\
                </ows:HTTP>\n\
            </ows:DCP>\n\
        </ows:Operation>\n\
        <ows:Operation name=\"Execute\">\n\
            <ows:DCP>\n\
                <ows:HTTP>\n\
                    <ows:Get xlink:href=\"{u}\"/>\n\
                    <ows:Post xlink:href=\"{u}\"/>\n\
                </ows:HTTP>\n\
            </ows:DCP>\n\
        </ows:Operation>\n\
    </ows:OperationsMetadata>\n\
    <wps:ProcessOfferings>\n",
        esc(&info.title),
        esc(&info.abstract_),
        esc(&info.provider_name),
        esc(&info.provider_site),
    );
    for p in processes {
        let _ = writeln!(x, "        <wps:Process wps:processVersion=\"{}\">", esc(p.version));
        let _ = writeln!(x, "            <ows:Identifier>{}</ows:Identifier>", esc(p.id));
        let _ = writeln!(x, "            <ows:Title>{}</ows:Title>", esc(p.title));
        let _ = writeln!(x, "            <ows:Abstract>{}</ows:Abstract>", esc(p.abstract_));
        metadata(&mut x, p, "            ");
        x.push_str("        </wps:Process>\n");
    }
    x.push_str(
        "    </wps:ProcessOfferings>\n\
    <wps:Languages>\n\
        <wps:Default>\n\
            <ows:Language>en-US</ows:Language>\n\
        </wps:Default>\n\
        <wps:Supported>\n\
            <ows:Language>en-US</ows:Language>\n\
        </wps:Supported>\n\
    </wps:Languages>\n\
</wps:Capabilities>",
    );
    x
}

fn formats(x: &mut String, fmts: &[Fmt], indent: &str) {
    let one = |x: &mut String, f: &Fmt, ind: &str| {
        let _ = writeln!(x, "{ind}<Format>");
        let _ = writeln!(x, "{ind}    <MimeType>{}</MimeType>", esc(f.mime));
        if let Some(e) = f.encoding {
            let _ = writeln!(x, "{ind}    <Encoding>{}</Encoding>", esc(e));
        }
        if let Some(s) = f.schema {
            let _ = writeln!(x, "{ind}    <Schema>{}</Schema>", esc(s));
        }
        let _ = writeln!(x, "{ind}</Format>");
    };
    let _ = writeln!(x, "{indent}<Default>");
    if let Some(f) = fmts.first() {
        one(x, f, &format!("{indent}    "));
    }
    let _ = writeln!(x, "{indent}</Default>");
    let _ = writeln!(x, "{indent}<Supported>");
    for f in fmts {
        one(x, f, &format!("{indent}    "));
    }
    let _ = writeln!(x, "{indent}</Supported>");
}

/// DescribeProcess response for the given processes.
#[must_use]
pub fn describe(processes: &[&ProcessDef]) -> String {
    let mut x = String::new();
    let _ = writeln!(
        x,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<wps:ProcessDescriptions {NS} xsi:schemaLocation=\"http://www.opengis.net/wps/1.0.0 ../wpsDescribeProcess_response.xsd\" service=\"WPS\" version=\"1.0.0\" xml:lang=\"en-US\">"
    );
    for p in processes {
        let _ = writeln!(
            x,
            "    <ProcessDescription wps:processVersion=\"{}\" storeSupported=\"{}\" statusSupported=\"{}\">",
            esc(p.version),
            p.async_supported,
            p.async_supported
        );
        let _ = writeln!(x, "        <ows:Identifier>{}</ows:Identifier>", esc(p.id));
        let _ = writeln!(x, "        <ows:Title>{}</ows:Title>", esc(p.title));
        let _ = writeln!(x, "        <ows:Abstract>{}</ows:Abstract>", esc(p.abstract_));
        metadata(&mut x, p, "        ");
        if !p.inputs.is_empty() {
            x.push_str("        <DataInputs>\n");
            for i in &p.inputs {
                let _ = writeln!(x, "            <Input minOccurs=\"{}\" maxOccurs=\"{}\">", i.min, i.max);
                let _ = writeln!(x, "                <ows:Identifier>{}</ows:Identifier>", esc(i.id));
                let _ = writeln!(x, "                <ows:Title>{}</ows:Title>", esc(i.title));
                let _ = writeln!(x, "                <ows:Abstract>{}</ows:Abstract>", esc(i.abstract_));
                match &i.kind {
                    InputKind::Literal { data_type, allowed, default } => {
                        x.push_str("                <LiteralData>\n");
                        let _ = writeln!(
                            x,
                            "                    <ows:DataType ows:reference=\"http://www.w3.org/TR/xmlschema-2/#{0}\">{0}</ows:DataType>",
                            data_type
                        );
                        if allowed.is_empty() {
                            x.push_str("                    <ows:AnyValue/>\n");
                        } else {
                            x.push_str("                    <ows:AllowedValues>\n");
                            for v in *allowed {
                                let _ = writeln!(x, "                        <ows:Value>{}</ows:Value>", esc(v));
                            }
                            x.push_str("                    </ows:AllowedValues>\n");
                        }
                        if let Some(d) = default {
                            // pywps renders the typed default: booleans as True/False.
                            let d = match (*data_type, crate::text::parse_bool(d)) {
                                ("boolean", Some(true)) => "True",
                                ("boolean", Some(false)) => "False",
                                _ => d,
                            };
                            let _ = writeln!(x, "                    <DefaultValue>{}</DefaultValue>", esc(d));
                        }
                        x.push_str("                </LiteralData>\n");
                    }
                    InputKind::Complex { formats: f } => {
                        x.push_str("                <ComplexData maximumMegabytes=\"200\">\n");
                        formats(&mut x, f, "                    ");
                        x.push_str("                </ComplexData>\n");
                    }
                }
                x.push_str("            </Input>\n");
            }
            x.push_str("        </DataInputs>\n");
        }
        x.push_str("        <ProcessOutputs>\n");
        for o in &p.outputs {
            x.push_str("            <Output>\n");
            let _ = writeln!(x, "                <ows:Identifier>{}</ows:Identifier>", esc(o.id));
            let _ = writeln!(x, "                <ows:Title>{}</ows:Title>", esc(o.title));
            let _ = writeln!(x, "                <ows:Abstract>{}</ows:Abstract>", esc(o.abstract_));
            match &o.kind {
                OutputKind::Complex { formats: f } => {
                    x.push_str("                <ComplexOutput>\n");
                    formats(&mut x, f, "                    ");
                    x.push_str("                </ComplexOutput>\n");
                }
                OutputKind::Literal { data_type } => {
                    x.push_str("                <LiteralOutput>\n");
                    let _ = writeln!(
                        x,
                        "                    <ows:DataType ows:reference=\"http://www.w3.org/TR/xmlschema-2/#{0}\">{0}</ows:DataType>",
                        data_type
                    );
                    x.push_str("                </LiteralOutput>\n");
                }
            }
            x.push_str("            </Output>\n");
        }
        x.push_str("        </ProcessOutputs>\n    </ProcessDescription>\n");
    }
    x.push_str("</wps:ProcessDescriptions>");
    x
}

/// One output as it appears in an execute response.
#[derive(Clone, Debug)]
pub enum OutputValue {
    /// By reference: URL and format.
    Reference {
        /// URL the file is downloaded from.
        href: String,
        /// MIME type of the file.
        mime: String,
        /// Encoding of the format (e.g. `base64`); empty: none.
        encoding: String,
        /// XML schema of the format; empty: none.
        schema: String,
    },
    /// A literal value.
    Literal {
        /// The value as written in the response.
        value: String,
        /// XML schema type name (e.g. `string`).
        data_type: String,
    },
}

/// What an execute response / status document shows.
pub struct ExecuteDoc<'a> {
    /// The process the job runs (title, abstract, output definitions).
    pub process: &'a ProcessDef,
    /// The job whose status, progress, message and request the document shows.
    pub job: &'a Job,
    /// `GetCapabilities` URL of this service.
    pub service_instance: String,
    /// Where the status document is polled (async only).
    pub status_location: Option<String>,
    /// Outputs, when the job succeeded.
    pub outputs: Vec<(String, OutputValue)>,
}

/// An execute response (also the status document of an asynchronous job).
#[must_use]
pub fn execute_response(d: &ExecuteDoc<'_>) -> String {
    let p = d.process;
    let job = d.job;
    let mut x = String::new();
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<wps:ExecuteResponse {NS} xsi:schemaLocation=\"http://www.opengis.net/wps/1.0.0 ../wpsExecute_response.xsd\" service=\"WPS\" version=\"1.0.0\" xml:lang=\"en-US\" serviceInstance=\"{}\"",
        esc(&d.service_instance)
    );
    if let Some(s) = &d.status_location {
        let _ = write!(x, " statusLocation=\"{}\"", esc(s));
    }
    x.push_str(">\n");
    let _ = writeln!(x, "    <wps:Process wps:processVersion=\"{}\">", esc(p.version));
    let _ = writeln!(x, "        <ows:Identifier>{}</ows:Identifier>", esc(p.id));
    let _ = writeln!(x, "        <ows:Title>{}</ows:Title>", esc(p.title));
    let _ = writeln!(x, "        <ows:Abstract>{}</ows:Abstract>", esc(p.abstract_));
    x.push_str("    </wps:Process>\n");
    let t = crate::time::iso_seconds(job.finished.or(job.started).unwrap_or(job.created));
    let _ = writeln!(x, "    <wps:Status creationTime=\"{t}\">");
    match job.status {
        JobStatus::Accepted => {
            let _ = writeln!(
                x,
                "        <wps:ProcessAccepted percentCompleted=\"0\">PyWPS Process {} accepted</wps:ProcessAccepted>",
                esc(p.id)
            );
        }
        JobStatus::Running => {
            let _ = writeln!(
                x,
                "        <wps:ProcessStarted percentCompleted=\"{}\">{}</wps:ProcessStarted>",
                job.progress.min(99),
                esc(if job.message.is_empty() { "Process started" } else { &job.message })
            );
        }
        JobStatus::Successful => {
            let _ = writeln!(
                x,
                "        <wps:ProcessSucceeded>{}</wps:ProcessSucceeded>",
                esc(if job.message.is_empty() { "Process finished" } else { &job.message })
            );
        }
        JobStatus::Failed | JobStatus::Dismissed => {
            let msg = if job.status == JobStatus::Dismissed { "Job dismissed" } else { job.message.as_str() };
            let code = crate::error::OwsCode::of_failure(job.failure_kind());
            let _ = write!(
                x,
                "        <wps:ProcessFailed>\n\
            <wps:ExceptionReport>\n\
                    <ows:Exception exceptionCode=\"{}\" locator=\"None\">\n\
                            <ows:ExceptionText>{}</ows:ExceptionText>\n\
                    </ows:Exception>\n\
            </wps:ExceptionReport>\n\
        </wps:ProcessFailed>\n",
                code.as_str(),
                esc_text(msg)
            );
        }
    }
    x.push_str("    </wps:Status>\n");
    let finished = matches!(job.status, JobStatus::Successful | JobStatus::Failed);
    if job.request.lineage && finished {
        x.push_str("    <wps:DataInputs>\n");
        for (id, vals) in &job.request.inputs {
            let def = p.input(id);
            for v in vals {
                x.push_str("        <wps:Input>\n");
                let _ = writeln!(x, "            <ows:Identifier>{}</ows:Identifier>", esc(id));
                let _ = writeln!(x, "            <ows:Title>{}</ows:Title>", esc(def.map_or("", |d| d.title)));
                let _ =
                    writeln!(x, "            <ows:Abstract>{}</ows:Abstract>", esc(def.map_or("", |d| d.abstract_)));
                match def.map(|d| &d.kind) {
                    Some(InputKind::Complex { formats }) => {
                        let _ = writeln!(
                            x,
                            "            <wps:Data>\n                    <wps:ComplexData mimeType=\"{}\" encoding=\"\" schema=\"\">{}</wps:ComplexData>\n            </wps:Data>",
                            esc(formats.first().map_or("", |f| f.mime)),
                            esc(v)
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            x,
                            "            <wps:Data>\n                <wps:LiteralData >{}</wps:LiteralData>\n            </wps:Data>",
                            esc(v)
                        );
                    }
                }
                x.push_str("        </wps:Input>\n");
            }
        }
        x.push_str("    </wps:DataInputs>\n");
        x.push_str("    <wps:OutputDefinitions>\n");
        for o in &p.outputs {
            match &o.kind {
                OutputKind::Complex { formats } => {
                    let f = formats.first();
                    let _ = writeln!(
                        x,
                        "        <wps:Output mimeType=\"{}\" encoding=\"{}\" schema=\"{}\" asReference=\"true\">",
                        esc(f.map_or("", |f| f.mime)),
                        esc(f.and_then(|f| f.encoding).unwrap_or("")),
                        esc(f.and_then(|f| f.schema).unwrap_or(""))
                    );
                }
                OutputKind::Literal { .. } => x.push_str("        <wps:Output>\n"),
            }
            let _ = writeln!(x, "            <ows:Identifier>{}</ows:Identifier>", esc(o.id));
            let _ = writeln!(x, "            <ows:Title>{}</ows:Title>", esc(o.title));
            let _ = writeln!(x, "            <ows:Abstract>{}</ows:Abstract>", esc(o.abstract_));
            x.push_str("        </wps:Output>\n");
        }
        x.push_str("    </wps:OutputDefinitions>\n");
    }
    if job.status == JobStatus::Successful && !d.outputs.is_empty() {
        x.push_str("    <wps:ProcessOutputs>\n");
        for (id, v) in &d.outputs {
            let def = p.output(id);
            x.push_str("        <wps:Output>\n");
            let _ = writeln!(x, "            <ows:Identifier>{}</ows:Identifier>", esc(id));
            let _ = writeln!(x, "            <ows:Title>{}</ows:Title>", esc(def.map_or("", |d| d.title)));
            let _ = writeln!(x, "            <ows:Abstract>{}</ows:Abstract>", esc(def.map_or("", |d| d.abstract_)));
            match v {
                OutputValue::Reference { href, mime, encoding, schema } => {
                    let _ = writeln!(
                        x,
                        "            <wps:Reference href=\"{}\" mimeType=\"{}\" encoding=\"{}\" schema=\"{}\"/>",
                        esc(href),
                        esc(mime),
                        esc(encoding),
                        esc(schema)
                    );
                }
                OutputValue::Literal { value, data_type } => {
                    let _ = writeln!(
                        x,
                        "            <wps:Data>\n                <wps:LiteralData  dataType=\"{}\">{}</wps:LiteralData>\n            </wps:Data>",
                        esc(data_type),
                        esc(value)
                    );
                }
            }
            x.push_str("        </wps:Output>\n");
        }
        x.push_str("    </wps:ProcessOutputs>\n");
    }
    x.push_str("</wps:ExecuteResponse>");
    x
}

/// One file of a Metalink document.
#[derive(Clone, Debug)]
pub struct MetaFile {
    /// File name (`<file name>`): the last path segment of the file or URL.
    pub name: String,
    /// Size in bytes; 0 when unknown (remote URLs).
    pub size: u64,
    /// Where to fetch it (`<metaurl>`): the service's download URL or the original remote URL.
    pub url: String,
    /// SHA-256 (hex), written as `<hash type="sha-256">`.
    pub sha256: Option<String>,
}

/// A Metalink 4 document (pywps `MetaLink4`): one `<file>` per result with `<size>` and
/// `<metaurl>`.
#[must_use]
pub fn metalink(description: &str, published: &str, publisher_url: &str, files: &[MetaFile]) -> String {
    let mut x = String::new();
    let _ = writeln!(
        x,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">\n    <published>{}</published>\n    <generator>rookery/{}</generator>\n",
        esc(published),
        env!("CARGO_PKG_VERSION")
    );
    for f in files {
        let _ = writeln!(x, "    <file name=\"{}\">", esc(&f.name));
        let _ = writeln!(x, "        <identity>{}</identity>", esc(description));
        let _ = writeln!(x, "        <description>{}</description>", esc(description));
        let _ = writeln!(x, "        <size>{}</size>", f.size);
        if let Some(h) = &f.sha256 {
            let _ = writeln!(x, "        <hash type=\"sha-256\">{}</hash>", esc(h));
        }
        let _ = writeln!(x, "        <metaurl mediatype=\"application/x-netcdf\">{}</metaurl>", esc(&f.url));
        let _ = writeln!(x, "        <publisher name=\"rookery\" url=\"{}\"/>", esc(publisher_url));
        x.push_str("    </file>\n");
    }
    x.push_str("\n</metalink>");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn metalink_has_size_and_metaurl() {
        let m = metalink(
            "NetCDF file",
            "2024-01-01T00:00:00Z",
            "http://h/",
            &[MetaFile { name: "a.nc".into(), size: 12, url: "http://h/outputs/j/a.nc?t=x&y".into(), sha256: None }],
        );
        assert!(m.contains("<size>12</size>"));
        assert!(m.contains("<metaurl mediatype=\"application/x-netcdf\">http://h/outputs/j/a.nc?t=x&amp;y</metaurl>"));
        assert_eq!(m.matches("<file ").count(), 1);
    }
}
