//! DAP4: the DMR (XML) and the `.dap` data answer: chunks, each after a 4-byte header (byte 0
//! flags — 1 last chunk, 2 error, 4 little-endian data —, bytes 1-3 the length, big-endian);
//! the first chunk holds the DMR and `\r\n`, the next ones the data: each top-level
//! variable's values in little-endian order (fixed-size arrays without a count; strings an
//! 8-byte length and their bytes), followed, when the client asked `dap4.checksum=true`, by
//! the CRC32 of those bytes (4 bytes, little-endian) — as netCDF-C's libdap4 and pydap read it.

use super::{read_member, DapError, Member, Plan};
use crate::text::xml;
use crate::Source;
use rookery_cf::{Array, AttrValue, Attrs, DType, Dataset};
use std::fmt::Write as _;

const LAST: u8 = 1;
const ERROR: u8 = 2;
const LITTLE_ENDIAN: u8 = 4;
/// Data bytes gathered before a chunk is sent; no chunk exceeds [`MAX_CHUNK`].
const CHUNK: usize = 1 << 20;
const MAX_CHUNK: usize = (1 << 24) - 1;

/// The DAP4 type of a NetCDF type.
#[must_use]
pub fn type_name(d: DType) -> &'static str {
    match d {
        DType::I8 => "Int8",
        DType::U8 => "UInt8",
        DType::I16 => "Int16",
        DType::U16 => "UInt16",
        DType::I32 => "Int32",
        DType::U32 => "UInt32",
        DType::I64 => "Int64",
        DType::U64 => "UInt64",
        DType::F32 => "Float32",
        DType::F64 => "Float64",
        DType::Char => "Char",
        DType::Str => "String",
    }
}

fn attr_type(v: &AttrValue) -> (&'static str, Vec<String>) {
    fn n<T: std::fmt::Debug>(v: &[T]) -> Vec<String> {
        v.iter().map(|x| format!("{x:?}")).collect()
    }
    match v {
        AttrValue::Text(s) => ("String", vec![s.clone()]),
        AttrValue::Strings(v) => ("String", v.clone()),
        AttrValue::I8(v) => ("Int8", n(v)),
        AttrValue::U8(v) => ("UInt8", n(v)),
        AttrValue::I16(v) => ("Int16", n(v)),
        AttrValue::U16(v) => ("UInt16", n(v)),
        AttrValue::I32(v) => ("Int32", n(v)),
        AttrValue::U32(v) => ("UInt32", n(v)),
        AttrValue::I64(v) => ("Int64", n(v)),
        AttrValue::U64(v) => ("UInt64", n(v)),
        AttrValue::F32(v) => ("Float32", n(v)),
        AttrValue::F64(v) => ("Float64", n(v)),
    }
}

fn attrs(o: &mut String, indent: &str, a: &Attrs) {
    for (name, v) in &a.0 {
        let (t, vals) = attr_type(v);
        let _ = write!(o, "{indent}<Attribute name=\"{}\" type=\"{t}\">", xml(name));
        for s in vals {
            let _ = write!(o, "<Value>{}</Value>", xml(&s));
        }
        o.push_str("</Attribute>\n");
    }
}

/// The dimensions a plan declares: each used dimension with the first selection made of it.
fn dims(plan: &Plan) -> Vec<(String, super::Slab)> {
    let mut out: Vec<(String, super::Slab)> = Vec::new();
    for m in plan.members() {
        for (d, s) in m.var.dims.iter().zip(&m.slabs) {
            if !out.iter().any(|(n, _)| n == d) {
                out.push((d.clone(), *s));
            }
        }
    }
    out
}

/// The DMR of a plan: the dimensions it uses (with the selected sizes; a variable cut
/// differently from the first one of a dimension gets an anonymous `<Dim size=..>`), each
/// variable with its attributes and the maps (coordinate variables answered alike).
#[must_use]
pub fn dmr(ds: &Dataset, plan: &Plan, dataset: &str) -> String {
    let decl = dims(plan);
    let mut o = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Dataset name=\"{}\" dapVersion=\"4.0\" dmrVersion=\"1.0\" xmlns=\"http://xml.opendap.org/ns/DAP/4.0#\">\n",
        xml(dataset)
    );
    for (d, s) in &decl {
        let _ = writeln!(o, "  <Dimension name=\"{}\" size=\"{}\"/>", xml(d), s.count);
    }
    let members = plan.members();
    let shared = |d: &str, s: &super::Slab| decl.iter().any(|(n, x)| n == d && x == s);
    for m in &members {
        let t = type_name(m.var.dtype);
        let _ = writeln!(o, "  <{t} name=\"{}\">", xml(&m.var.name));
        for (d, s) in m.var.dims.iter().zip(&m.slabs) {
            if shared(d, s) {
                let _ = writeln!(o, "    <Dim name=\"/{}\"/>", xml(d));
            } else {
                let _ = writeln!(o, "    <Dim size=\"{}\"/>", s.count);
            }
        }
        attrs(&mut o, "    ", &m.var.attrs);
        for (d, s) in m.var.dims.iter().zip(&m.slabs) {
            let is_map = *d != m.var.name
                && shared(d, s)
                && members.iter().any(|c| c.var.name == *d && c.var.dims.len() == 1 && c.slabs[0] == *s);
            if is_map {
                let _ = writeln!(o, "    <Map name=\"/{}\"/>", xml(d));
            }
        }
        let _ = writeln!(o, "  </{t}>");
    }
    attrs(&mut o, "  ", &ds.attrs);
    o.push_str("</Dataset>\n");
    o
}

/// A DAP4 error document.
#[must_use]
pub fn error(code: u16, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error httpcode=\"{code}\"><Message>{}</Message></Error>\n",
        xml(message)
    )
}

fn member_bytes(m: &Member) -> u64 {
    let per = match m.var.dtype {
        DType::Str => 16,
        d => d.size() as u64,
    };
    m.count() as u64 * per
}

/// The size of the `.dap` answer: exact unless [`Plan::has_strings`].
#[must_use]
pub fn dap_size(plan: &Plan, dmr: &str, checksums: bool) -> u64 {
    let data: u64 = plan.members().iter().map(|m| member_bytes(m) + if checksums { 4 } else { 0 }).sum();
    let headers = 4 * (2 + data / CHUNK as u64);
    dmr.len() as u64 + 2 + data + headers
}

/// Frames data into chunks; the last one is sent by [`Chunker::finish`].
struct Chunker<'a> {
    sink: &'a mut dyn FnMut(Vec<u8>) -> Result<(), DapError>,
    pending: Vec<u8>,
}

fn frame(flags: u8, data: &[u8]) -> Vec<u8> {
    let n = data.len() as u32;
    let mut v = Vec::with_capacity(data.len() + 4);
    v.push(flags);
    v.extend_from_slice(&n.to_be_bytes()[1..]);
    v.extend_from_slice(data);
    v
}

impl Chunker<'_> {
    fn emit(&mut self, last: bool) -> Result<(), DapError> {
        let data = std::mem::take(&mut self.pending);
        let mut pieces = data.chunks(MAX_CHUNK).peekable();
        if pieces.peek().is_none() {
            return (self.sink)(frame(LITTLE_ENDIAN | if last { LAST } else { 0 }, &[]));
        }
        while let Some(p) = pieces.next() {
            let flags = LITTLE_ENDIAN | if last && pieces.peek().is_none() { LAST } else { 0 };
            (self.sink)(frame(flags, p))?;
        }
        Ok(())
    }

    fn write(&mut self, b: &[u8]) -> Result<(), DapError> {
        if self.pending.len() >= CHUNK {
            self.emit(false)?;
        }
        self.pending.extend_from_slice(b);
        Ok(())
    }

    fn finish(mut self) -> Result<(), DapError> {
        self.emit(true)
    }
}

fn le_values(a: &Array, out: &mut Vec<u8>) {
    match a {
        Array::Char(x) | Array::U8(x) => out.extend(x.iter().copied()),
        Array::Str(x) => {
            for s in x.iter() {
                out.extend_from_slice(&(s.len() as u64).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
        Array::I8(x) => out.extend(x.iter().map(|&v| v as u8)),
        Array::I16(x) => x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Array::U16(x) => x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Array::I32(x) => x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Array::U32(x) => x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Array::I64(x) => x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Array::U64(x) => x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Array::F32(x) => x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        Array::F64(x) => x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
    }
}

/// Writes the `.dap` answer of `plan` (its DMR `dmr`) to `sink`, one slab at a time. A read
/// failure after the DMR was sent ends the answer with an error chunk.
///
/// # Errors
/// Read failures; [`DapError::Closed`] when the sink refuses.
pub fn write_dap(
    src: &dyn Source,
    plan: &Plan,
    dmr: &str,
    checksums: bool,
    sink: &mut dyn FnMut(Vec<u8>) -> Result<(), DapError>,
) -> Result<(), DapError> {
    let mut head = dmr.as_bytes().to_vec();
    head.extend_from_slice(b"\r\n");
    sink(frame(LITTLE_ENDIAN, &head))?;
    let mut ch = Chunker { sink, pending: Vec::new() };
    let mut body = || -> Result<(), DapError> {
        for m in plan.members() {
            let mut crc = crc32fast::Hasher::new();
            let mut buf = Vec::new();
            read_member(src, m, &mut |a| {
                buf.clear();
                le_values(&a, &mut buf);
                crc.update(&buf);
                ch.write(&buf)
            })?;
            if checksums {
                ch.write(&crc.clone().finalize().to_le_bytes())?;
            }
        }
        Ok(())
    };
    match body() {
        Ok(()) => ch.finish(),
        Err(DapError::Closed) => Err(DapError::Closed),
        Err(e) => {
            (ch.sink)(frame(ERROR | LAST, error(500, &e.to_string()).as_bytes()))?;
            Err(e)
        }
    }
}
