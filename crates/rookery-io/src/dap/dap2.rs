//! DAP2: the DDS and DAS documents, `.dods` data (the DDS, `Data:`, then XDR: big-endian,
//! arrays preceded by their length twice — strings once —, bytes padded to 4) and the ASCII
//! answer. Types as THREDDS maps NetCDF: signed bytes are widened to Int16 and 64-bit integers
//! to Float64 (DAP2 has neither), `char` arrays become Strings along their last dimension.

use super::{read_member, DapError, Member, Node, Plan};
use crate::Source;
use rookery_cf::{Array, AttrValue, Attrs, DType, Dataset};
use std::fmt::Write as _;

/// The DAP2 type a NetCDF type is answered as.
#[must_use]
pub fn type_name(d: DType) -> &'static str {
    match d {
        DType::U8 => "Byte",
        DType::I8 | DType::I16 => "Int16",
        DType::U16 => "UInt16",
        DType::I32 => "Int32",
        DType::U32 => "UInt32",
        DType::F32 => "Float32",
        DType::I64 | DType::U64 | DType::F64 => "Float64",
        DType::Char | DType::Str => "String",
    }
}

/// A name as DAP2 writes it: characters other than letters, digits and `_-+.` as `%XX`.
#[must_use]
pub fn name(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_-+.".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

/// A quoted DAP2 string (`"` and `\` escaped).
#[must_use]
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn decl(out: &mut String, indent: &str, m: &Member) {
    let _ = write!(out, "{indent}{} {}", type_name(m.var.dtype), name(&m.var.name));
    for (d, s) in m.var.dims.iter().zip(&m.slabs) {
        let _ = write!(out, "[{} = {}]", name(d), s.count);
    }
    out.push_str(";\n");
}

/// The DDS of a plan, naming the dataset `dataset`.
#[must_use]
pub fn dds(plan: &Plan, dataset: &str) -> String {
    let mut o = String::from("Dataset {\n");
    for n in &plan.nodes {
        match n {
            Node::Array(m) => decl(&mut o, "    ", m),
            Node::Grid(a, maps) => {
                o.push_str("    Grid {\n      ARRAY:\n");
                decl(&mut o, "        ", a);
                o.push_str("      MAPS:\n");
                for m in maps {
                    decl(&mut o, "        ", m);
                }
                let _ = writeln!(o, "    }} {};", name(&a.var.name));
            }
            Node::Structure(s, ms) => {
                o.push_str("    Structure {\n");
                for m in ms {
                    decl(&mut o, "        ", m);
                }
                let _ = writeln!(o, "    }} {};", name(s));
            }
        }
    }
    let _ = writeln!(o, "}} {};", name(dataset));
    o
}

fn num<T: std::fmt::Debug>(v: &[T]) -> String {
    v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ")
}

/// One attribute line (`None` for an empty numeric attribute, which DAP2 cannot write).
fn attr_line(n: &str, v: &AttrValue) -> Option<String> {
    let (t, vals) = match v {
        AttrValue::Text(s) => ("String", quote(s)),
        AttrValue::Strings(v) => ("String", v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")),
        AttrValue::I8(v) => ("Int16", num(v)),
        AttrValue::U8(v) => ("Byte", num(v)),
        AttrValue::I16(v) => ("Int16", num(v)),
        AttrValue::U16(v) => ("UInt16", num(v)),
        AttrValue::I32(v) => ("Int32", num(v)),
        AttrValue::U32(v) => ("UInt32", num(v)),
        AttrValue::I64(v) => ("Float64", num(&v.iter().map(|&x| x as f64).collect::<Vec<_>>())),
        AttrValue::U64(v) => ("Float64", num(&v.iter().map(|&x| x as f64).collect::<Vec<_>>())),
        AttrValue::F32(v) => ("Float32", num(v)),
        AttrValue::F64(v) => ("Float64", num(v)),
    };
    (!vals.is_empty()).then(|| format!("{t} {} {vals};", name(n)))
}

fn attr_block(o: &mut String, label: &str, attrs: &Attrs) {
    let _ = writeln!(o, "    {} {{", name(label));
    for (n, v) in &attrs.0 {
        if let Some(l) = attr_line(n, v) {
            let _ = writeln!(o, "        {l}");
        }
    }
    o.push_str("    }\n");
}

/// The DAS: every variable's attributes, `NC_GLOBAL`, and `DODS_EXTRA` naming the unlimited
/// dimension (as THREDDS writes it).
#[must_use]
pub fn das(ds: &Dataset) -> String {
    let mut o = String::from("Attributes {\n");
    for v in &ds.vars {
        attr_block(&mut o, &v.name, &v.attrs);
    }
    attr_block(&mut o, "NC_GLOBAL", &ds.attrs);
    if let Some(d) = ds.dims.iter().find(|d| d.unlimited) {
        let _ = writeln!(o, "    DODS_EXTRA {{\n        String Unlimited_Dimension {};\n    }}", quote(&d.name));
    }
    o.push_str("}\n");
    o
}

/// An error body: `Error { code = ...; message = "..."; };`.
#[must_use]
pub fn error(code: u16, message: &str) -> String {
    format!(
        "Error {{\n    code = {code};\n    message = {};\n}};\n",
        quote(&message.split_whitespace().collect::<Vec<_>>().join(" "))
    )
}

/// Encoded bytes of one value (strings: an estimate, 8 bytes of text).
fn value_bytes(m: &Member) -> u64 {
    match m.var.dtype {
        DType::U8 => 1,
        DType::F64 | DType::I64 | DType::U64 => 8,
        DType::Char => 4 + m.var.shape.last().map_or(1, |&n| n.div_ceil(4) * 4) as u64,
        DType::Str => 12,
        _ => 4,
    }
}

/// Encoded bytes of a member's data.
fn member_bytes(m: &Member) -> u64 {
    let n = m.count() as u64;
    let head = match (m.slabs.len(), m.var.dtype) {
        (0, _) => 0,
        (_, DType::Char | DType::Str) => 4,
        _ => 8,
    };
    let body = n * value_bytes(m);
    head + if m.var.dtype == DType::U8 { body.div_ceil(4) * 4 } else { body }
}

/// The size of the `.dods` answer (the DDS, `Data:` and the XDR data): exact unless
/// [`Plan::has_strings`].
#[must_use]
pub fn dods_size(plan: &Plan, dataset: &str) -> u64 {
    dds(plan, dataset).len() as u64 + 6 + plan.members().iter().map(|m| member_bytes(m)).sum::<u64>()
}

/// The strings of a `Char` piece (along its last axis, up to the first NUL) or a `Str` piece.
pub(crate) fn strings(a: &Array) -> Vec<String> {
    match a {
        Array::Char(x) => {
            let l = x.shape().last().copied().unwrap_or(1).max(1);
            let b: Vec<u8> = x.iter().copied().collect();
            b.chunks(l)
                .map(|c| String::from_utf8_lossy(c.split(|&x| x == 0).next().unwrap_or_default()).into_owned())
                .collect()
        }
        Array::Str(x) => x.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

fn xdr_string(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    out.resize(out.len() + (4 - s.len() % 4) % 4, 0);
}

/// Appends the XDR encoding of a piece's values (no length, no padding).
fn xdr_values(a: &Array, out: &mut Vec<u8>) {
    macro_rules! put {
        ($x:expr, $conv:expr) => {{
            for v in $x.iter() {
                out.extend_from_slice(&$conv(*v).to_be_bytes());
            }
        }};
    }
    match a {
        Array::I8(x) => put!(x, i32::from),
        Array::U8(x) => out.extend(x.iter().copied()),
        Array::I16(x) => put!(x, i32::from),
        Array::U16(x) => put!(x, u32::from),
        Array::I32(x) => put!(x, |v: i32| v),
        Array::U32(x) => put!(x, |v: u32| v),
        Array::I64(x) => put!(x, |v: i64| v as f64),
        Array::U64(x) => put!(x, |v: u64| v as f64),
        Array::F32(x) => put!(x, |v: f32| v),
        Array::F64(x) => put!(x, |v: f64| v),
        Array::Char(_) | Array::Str(_) => {
            for s in strings(a) {
                xdr_string(&s, out);
            }
        }
    }
}

/// Writes the `.dods` answer of `plan` to `sink`, one slab of data at a time.
///
/// # Errors
/// Read failures; [`DapError::Closed`] when the sink refuses.
pub fn write_dods(
    src: &dyn Source,
    plan: &Plan,
    dataset: &str,
    sink: &mut dyn FnMut(Vec<u8>) -> Result<(), DapError>,
) -> Result<(), DapError> {
    let mut head = dds(plan, dataset).into_bytes();
    head.extend_from_slice(b"Data:\n");
    sink(head)?;
    for m in plan.members() {
        let n = m.count();
        let mut buf = Vec::new();
        if !m.slabs.is_empty() {
            buf.extend_from_slice(&(n as u32).to_be_bytes());
            if !matches!(m.var.dtype, DType::Char | DType::Str) {
                buf.extend_from_slice(&(n as u32).to_be_bytes());
            }
        }
        read_member(src, m, &mut |a| {
            xdr_values(&a, &mut buf);
            sink(std::mem::take(&mut buf))
        })?;
        if m.var.dtype == DType::U8 {
            buf.resize((4 - n % 4) % 4, 0);
        }
        if !buf.is_empty() {
            sink(buf)?;
        }
    }
    Ok(())
}

fn text_values(a: &Array) -> Vec<String> {
    match a {
        Array::Char(_) | Array::Str(_) => strings(a).iter().map(|s| quote(s)).collect(),
        _ => rookery_cf::with_array!(a, x => x.iter().map(|v| format!("{v:?}")).collect()),
    }
}

/// The ASCII answer: the DDS, a rule, then each member's values, one line per innermost row
/// prefixed by its indices (`tas.tas[0][1], 271.5, 272.0, ...`).
///
/// # Errors
/// As [`write_dods`].
pub fn ascii(
    src: &dyn Source,
    plan: &Plan,
    dataset: &str,
    sink: &mut dyn FnMut(Vec<u8>) -> Result<(), DapError>,
) -> Result<(), DapError> {
    let mut head = dds(plan, dataset);
    head.push_str("---------------------------------------------\n");
    sink(head.into_bytes())?;
    for n in &plan.nodes {
        let prefix = match n {
            Node::Array(_) => String::new(),
            Node::Grid(a, _) => format!("{}.", name(&a.var.name)),
            Node::Structure(s, _) => format!("{}.", name(s)),
        };
        for m in n.members() {
            let counts: Vec<usize> = m.slabs.iter().map(|s| s.count).collect();
            let label = format!("{prefix}{}", name(&m.var.name));
            let row = counts.last().copied().unwrap_or(1).max(1);
            let mut out = String::new();
            if counts.len() <= 1 {
                out.push_str(&label);
                if let Some(c) = counts.first() {
                    let _ = write!(out, "[{c}]");
                }
                out.push('\n');
            }
            let mut line = 0usize;
            read_member(src, m, &mut |a| {
                let vals = text_values(&a);
                for chunk in vals.chunks(row) {
                    if counts.len() > 1 {
                        // Indices of this row: `line` in the outer dimensions' odometer.
                        let mut idx = Vec::with_capacity(counts.len() - 1);
                        let mut rest = line;
                        for &c in counts[..counts.len() - 1].iter().rev() {
                            idx.push(rest % c.max(1));
                            rest /= c.max(1);
                        }
                        idx.reverse();
                        out.push_str(&label);
                        for i in idx {
                            let _ = write!(out, "[{i}]");
                        }
                        out.push_str(", ");
                    }
                    out.push_str(&chunk.join(", "));
                    out.push('\n');
                    line += 1;
                }
                sink(std::mem::take(&mut out).into_bytes())
            })?;
            sink(b"\n".to_vec())?;
        }
    }
    Ok(())
}
