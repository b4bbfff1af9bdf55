//! OPeNDAP answers of a [`Source`]: DAP2 (DDS, DAS, `.dods` XDR data, ASCII) and DAP4 (DMR,
//! chunked `.dap` data with CRC32 checksums), with projection/hyperslab constraints.
//!
//! ```text
//!   ce::parse_dap2 / parse_dap4    constraint text → clauses (names + hyperslabs)
//!   Plan::dap2 / Plan::dap4        clauses resolved against the dataset: what is answered,
//!                                  as THREDDS shapes it (a variable whose dimensions all have
//!                                  coordinate variables is a Grid; `grid.member` projects a
//!                                  member, answered as a Structure as libdap does)
//!   Plan::size_dap2 / size_dap4    the answer's size, computed before anything is read
//!   dap2::{dds, das, write_dods, ascii}   dap4::{dmr, write_dap}
//!                                  values read one slab at a time ([`SLAB_BYTES`]) and handed
//!                                  to a sink: memory stays bounded whatever the answer's size
//! ```

pub mod ce;
pub mod dap2;
pub mod dap4;

use crate::{IoError, Source};
use ce::{Clause, RawSlab};
use rookery_cf::{Array, DType, Dataset, Variable};

/// Bytes of source data read at once while answering.
pub const SLAB_BYTES: usize = 4 << 20;

/// Why an OPeNDAP request cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum DapError {
    /// A malformed or unsupported constraint, or one naming what does not exist.
    #[error("bad constraint expression: {0}")]
    Constraint(String),
    /// The answer would exceed the configured size.
    #[error("the answer would be {size} bytes, more than the {limit} bytes this server answers at once; ask for less (fewer variables, a smaller hyperslab)")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The receiver of the answer went away.
    #[error("the client went away")]
    Closed,
}

/// The selection of one dimension: `count` indices from `start`, every `stride`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slab {
    /// First index.
    pub start: usize,
    /// Step.
    pub stride: usize,
    /// Number of indices.
    pub count: usize,
}

impl Slab {
    /// The whole of a dimension of length `n`.
    #[must_use]
    pub fn all(n: usize) -> Slab {
        Slab { start: 0, stride: 1, count: n }
    }

    fn resolve(raw: RawSlab, n: usize, var: &str, dim: &str) -> Result<Slab, DapError> {
        match raw {
            RawSlab::All => Ok(Slab::all(n)),
            RawSlab::Range(a, s, b) => {
                if b < a {
                    return Err(DapError::Constraint(format!(
                        "{var}: hyperslab [{a}:{s}:{b}] of {dim} ends before it starts"
                    )));
                }
                if b >= n as u64 {
                    return Err(DapError::Constraint(format!(
                        "{var}: hyperslab [{a}:{s}:{b}] is outside dimension {dim} (length {n}, last index {})",
                        n.saturating_sub(1)
                    )));
                }
                let (a, s, b) = (a as usize, s as usize, b as usize);
                Ok(Slab { start: a, stride: s, count: (b - a) / s + 1 })
            }
        }
    }
}

/// A variable of the answer with its selection (one slab per answered dimension).
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The variable.
    pub var: Variable,
    /// Its selection; for a DAP2 `Char` variable the string dimension (last) is left out.
    pub slabs: Vec<Slab>,
}

impl Member {
    /// Number of values answered.
    #[must_use]
    pub fn count(&self) -> usize {
        self.slabs.iter().map(|s| s.count).product()
    }
}

/// One top-level node of a DAP2 answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A plain array (or scalar).
    Array(Member),
    /// A Grid: its array and every map, the maps cut as the array's dimensions are.
    Grid(Member, Vec<Member>),
    /// Some members of a Grid (`grid.member` projections), answered as a Structure named for it.
    Structure(String, Vec<Member>),
}

impl Node {
    /// The members in answer order.
    #[must_use]
    pub fn members(&self) -> Vec<&Member> {
        match self {
            Node::Array(m) => vec![m],
            Node::Grid(a, maps) => std::iter::once(a).chain(maps).collect(),
            Node::Structure(_, ms) => ms.iter().collect(),
        }
    }
}

/// What a request answers, in dataset order.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// DAP2 nodes (for DAP4 each is an [`Node::Array`]).
    pub nodes: Vec<Node>,
}

/// The coordinate variable of dimension `dim` (1-D, named as it), if any.
fn coord<'a>(ds: &'a Dataset, dim: &str) -> Option<&'a Variable> {
    ds.var(dim).filter(|v| v.dims.len() == 1 && v.dims[0] == dim && v.dtype != DType::Char)
}

/// The maps of `v` when it is a Grid: every dimension has a coordinate variable and `v` is
/// not one itself.
fn grid_maps<'a>(ds: &'a Dataset, v: &Variable) -> Option<Vec<&'a Variable>> {
    if v.dims.is_empty()
        || v.dtype == DType::Char
        || v.dtype == DType::Str
        || (v.dims.len() == 1 && v.dims[0] == v.name)
    {
        return None;
    }
    v.dims.iter().map(|d| coord(ds, d)).collect()
}

/// The answered rank of `v`: a DAP2 `Char` variable's last dimension becomes its strings.
fn rank(v: &Variable, dap4: bool) -> usize {
    if !dap4 && v.dtype == DType::Char {
        v.shape.len().saturating_sub(1)
    } else {
        v.shape.len()
    }
}

fn member(v: &Variable, raw: &[RawSlab], dap4: bool) -> Result<Member, DapError> {
    let r = rank(v, dap4);
    let slabs = if raw.is_empty() {
        v.shape[..r].iter().map(|&n| Slab::all(n)).collect()
    } else if raw.len() != r {
        return Err(DapError::Constraint(format!(
            "{} has {r} dimension{}, the constraint gives {} hyperslab{}",
            v.name,
            if r == 1 { "" } else { "s" },
            raw.len(),
            if raw.len() == 1 { "" } else { "s" }
        )));
    } else {
        raw.iter()
            .zip(&v.shape)
            .zip(&v.dims)
            .map(|((s, &n), d)| Slab::resolve(*s, n, &v.name, d))
            .collect::<Result<_, _>>()?
    };
    Ok(Member { var: v.clone(), slabs })
}

fn unknown(name: &str) -> DapError {
    DapError::Constraint(format!("no variable '{name}' in this dataset"))
}

impl Plan {
    /// A DAP2 plan: no clause answers everything.
    ///
    /// # Errors
    /// Unknown names, wrong numbers of hyperslabs, hyperslabs outside the dimensions.
    pub fn dap2(ds: &Dataset, clauses: &[Clause]) -> Result<Plan, DapError> {
        let mut nodes: Vec<(usize, Node)> = Vec::new();
        let all: Vec<Clause> = ds.vars.iter().map(|v| Clause { parts: vec![(v.name.clone(), Vec::new())] }).collect();
        let clauses = if clauses.is_empty() { &all[..] } else { clauses };
        for c in clauses {
            let (name, raw) = &c.parts[0];
            let pos = ds.vars.iter().position(|v| &v.name == name).ok_or_else(|| unknown(name))?;
            let v = &ds.vars[pos];
            let node = match c.parts.as_slice() {
                [_] => match grid_maps(ds, v) {
                    Some(maps) => {
                        let a = member(v, raw, false)?;
                        let ms = maps
                            .iter()
                            .zip(&a.slabs)
                            .map(|(m, s)| Member { var: (*m).clone(), slabs: vec![*s] })
                            .collect();
                        Node::Grid(a, ms)
                    }
                    None => Node::Array(member(v, raw, false)?),
                },
                [_, (field, fraw)] => {
                    let maps = grid_maps(ds, v).ok_or_else(|| {
                        DapError::Constraint(format!("{name} is not a Grid: '{name}.{field}' names nothing"))
                    })?;
                    if !raw.is_empty() {
                        return Err(DapError::Constraint(format!("{name}.{field}: hyperslabs go after the member")));
                    }
                    let m = if field == name {
                        v
                    } else {
                        maps.into_iter()
                            .find(|m| &m.name == field)
                            .ok_or_else(|| unknown(&format!("{name}.{field}")))?
                    };
                    Node::Structure(name.clone(), vec![member(m, fraw, false)?])
                }
                _ => return Err(unknown(&c.parts.iter().map(|p| p.0.as_str()).collect::<Vec<_>>().join("."))),
            };
            match nodes.iter().position(|(p, _)| *p == pos) {
                None => nodes.push((pos, node)),
                Some(i) => {
                    let slot = &mut nodes[i].1;
                    if let (Node::Structure(_, ms), Node::Structure(_, new)) = (&mut *slot, &node) {
                        for m in new {
                            if !ms.iter().any(|x| x.var.name == m.var.name) {
                                ms.push(m.clone());
                            }
                        }
                    } else if matches!(slot, Node::Structure(..)) {
                        // A whole Grid answers more than some of its members.
                        *slot = node;
                    }
                }
            }
        }
        nodes.sort_by_key(|(p, _)| *p);
        // Members of a Structure in grid order: the array first, then the maps in dimension order.
        for (_, n) in &mut nodes {
            if let Node::Structure(name, ms) = n {
                if let Some(v) = ds.var(name) {
                    ms.sort_by_key(|m| {
                        if &m.var.name == name {
                            0
                        } else {
                            1 + v.dims.iter().position(|d| *d == m.var.name).unwrap_or(0)
                        }
                    });
                }
            }
        }
        Ok(Plan { nodes: nodes.into_iter().map(|(_, n)| n).collect() })
    }

    /// A DAP4 plan (each node an [`Node::Array`]): no clause answers everything.
    ///
    /// # Errors
    /// As [`Plan::dap2`].
    pub fn dap4(ds: &Dataset, clauses: &[Clause]) -> Result<Plan, DapError> {
        let mut nodes: Vec<(usize, Node)> = Vec::new();
        if clauses.is_empty() {
            for (i, v) in ds.vars.iter().enumerate() {
                nodes.push((i, Node::Array(member(v, &[], true)?)));
            }
        }
        for c in clauses {
            let (name, raw) = &c.parts[0];
            let pos = ds.vars.iter().position(|v| &v.name == name).ok_or_else(|| unknown(name))?;
            let m = member(&ds.vars[pos], raw, true)?;
            if !nodes.iter().any(|(p, _)| *p == pos) {
                nodes.push((pos, Node::Array(m)));
            }
        }
        nodes.sort_by_key(|(p, _)| *p);
        Ok(Plan { nodes: nodes.into_iter().map(|(_, n)| n).collect() })
    }

    /// Every member, in answer order.
    #[must_use]
    pub fn members(&self) -> Vec<&Member> {
        self.nodes.iter().flat_map(Node::members).collect()
    }

    /// Whether any answered value is a string (their encoded size is only estimated).
    #[must_use]
    pub fn has_strings(&self) -> bool {
        self.members().iter().any(|m| matches!(m.var.dtype, DType::Str | DType::Char))
    }

    /// Refuses a plan whose data would exceed `limit` bytes (`size` is its data size).
    ///
    /// # Errors
    /// [`DapError::TooLarge`].
    pub fn check(size: u64, limit: u64) -> Result<(), DapError> {
        if size > limit {
            return Err(DapError::TooLarge { size, limit });
        }
        Ok(())
    }
}

/// Reads the selection of `m` slab by slab (along its first dimension, [`SLAB_BYTES`] of
/// source data at a time), handing each piece, in order, to `f`. A DAP2 string (`Char`)
/// variable's pieces hold the whole last dimension.
///
/// # Errors
/// Read failures; whatever `f` returns.
pub fn read_member(
    src: &dyn Source,
    m: &Member,
    f: &mut dyn FnMut(Array) -> Result<(), DapError>,
) -> Result<(), DapError> {
    let v = &m.var;
    let mut slabs = m.slabs.clone();
    while slabs.len() < v.shape.len() {
        slabs.push(Slab::all(v.shape[slabs.len()]));
    }
    if slabs.iter().any(|s| s.count == 0) {
        return Ok(());
    }
    if slabs.is_empty() {
        return f(src.read(&v.name, &[], &[])?);
    }
    let span = |s: &Slab| (s.count - 1) * s.stride + 1;
    let row: usize = slabs[1..].iter().map(span).product::<usize>() * v.dtype.size().max(1);
    let s0 = slabs[0];
    // Rows of the first dimension per read: as many selected rows as fit in SLAB_BYTES.
    let per = (SLAB_BYTES / (row * s0.stride).max(1)).clamp(1, s0.count);
    let mut done = 0;
    while done < s0.count {
        let k = per.min(s0.count - done);
        let mut start: Vec<usize> = slabs.iter().map(|s| s.start).collect();
        let mut count: Vec<usize> = slabs.iter().map(span).collect();
        start[0] = s0.start + done * s0.stride;
        count[0] = (k - 1) * s0.stride + 1;
        let a = src.read(&v.name, &start, &count)?;
        let strided = slabs.iter().any(|s| s.stride > 1);
        let a = if strided {
            rookery_cf::map_array!(&a, x => x
                .slice_each_axis(|ax| ndarray::Slice::new(0, None, slabs[ax.axis.index()].stride as isize))
                .to_owned())
        } else {
            a
        };
        f(a)?;
        done += k;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
