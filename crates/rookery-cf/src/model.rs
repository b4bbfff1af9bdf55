//! The data model: a dataset is dimensions, variables and attributes (NetCDF's classic model
//! plus strings); array values are typed n-dimensional arrays.

use ndarray::{ArrayD, Axis, IxDyn};

/// Element type of a variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// Signed 8-bit integer (NetCDF `byte`).
    I8,
    /// Unsigned 8-bit integer (NetCDF-4 `ubyte`).
    U8,
    /// Signed 16-bit integer (NetCDF `short`).
    I16,
    /// Unsigned 16-bit integer (NetCDF-4 `ushort`).
    U16,
    /// Signed 32-bit integer (NetCDF `int`).
    I32,
    /// Unsigned 32-bit integer (NetCDF-4 `uint`).
    U32,
    /// Signed 64-bit integer (NetCDF-4 `int64`).
    I64,
    /// Unsigned 64-bit integer (NetCDF-4 `uint64`).
    U64,
    /// 32-bit IEEE float (NetCDF `float`).
    F32,
    /// 64-bit IEEE float (NetCDF `double`).
    F64,
    /// NetCDF `char` (one byte per element).
    Char,
    /// NetCDF-4 variable-length string.
    Str,
}

impl DType {
    /// Bytes per element in memory (strings counted as 8, a pointer).
    #[must_use]
    pub fn size(self) -> usize {
        match self {
            DType::I8 | DType::U8 | DType::Char => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::Str => 8,
        }
    }

    /// True for numeric types (not char/string).
    #[must_use]
    pub fn is_numeric(self) -> bool {
        !matches!(self, DType::Char | DType::Str)
    }

    /// CDL name (`float`, `int`, ...).
    #[must_use]
    pub fn cdl_name(self) -> &'static str {
        match self {
            DType::I8 => "byte",
            DType::U8 => "ubyte",
            DType::I16 => "short",
            DType::U16 => "ushort",
            DType::I32 => "int",
            DType::U32 => "uint",
            DType::I64 => "int64",
            DType::U64 => "uint64",
            DType::F32 => "float",
            DType::F64 => "double",
            DType::Char => "char",
            DType::Str => "string",
        }
    }
}

/// An attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    /// A text attribute (NetCDF `char` array, or a single NetCDF-4 string).
    Text(String),
    /// A NetCDF-4 `string` array attribute.
    Strings(Vec<String>),
    /// `byte` values.
    I8(Vec<i8>),
    /// `ubyte` values.
    U8(Vec<u8>),
    /// `short` values.
    I16(Vec<i16>),
    /// `ushort` values.
    U16(Vec<u16>),
    /// `int` values.
    I32(Vec<i32>),
    /// `uint` values.
    U32(Vec<u32>),
    /// `int64` values.
    I64(Vec<i64>),
    /// `uint64` values.
    U64(Vec<u64>),
    /// `float` values.
    F32(Vec<f32>),
    /// `double` values.
    F64(Vec<f64>),
}

impl AttrValue {
    /// The text of a text attribute (or a one-element string array).
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Text(s) => Some(s),
            AttrValue::Strings(v) if v.len() == 1 => Some(&v[0]),
            _ => None,
        }
    }

    /// Numeric values as f64.
    #[must_use]
    pub fn as_f64s(&self) -> Option<Vec<f64>> {
        #[allow(clippy::cast_precision_loss)]
        Some(match self {
            AttrValue::I8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            AttrValue::U8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            AttrValue::I16(v) => v.iter().map(|&x| f64::from(x)).collect(),
            AttrValue::U16(v) => v.iter().map(|&x| f64::from(x)).collect(),
            AttrValue::I32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            AttrValue::U32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            AttrValue::I64(v) => v.iter().map(|&x| x as f64).collect(),
            AttrValue::U64(v) => v.iter().map(|&x| x as f64).collect(),
            AttrValue::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            AttrValue::F64(v) => v.clone(),
            AttrValue::Text(_) | AttrValue::Strings(_) => return None,
        })
    }

    /// First numeric value as f64.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        self.as_f64s().and_then(|v| v.first().copied())
    }

    /// A one-element numeric attribute of type `dtype` holding `v` (for `_FillValue`).
    #[must_use]
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub fn scalar_of(dtype: DType, v: f64) -> AttrValue {
        match dtype {
            DType::I8 => AttrValue::I8(vec![v as i8]),
            DType::U8 | DType::Char => AttrValue::U8(vec![v as u8]),
            DType::I16 => AttrValue::I16(vec![v as i16]),
            DType::U16 => AttrValue::U16(vec![v as u16]),
            DType::I32 => AttrValue::I32(vec![v as i32]),
            DType::U32 => AttrValue::U32(vec![v as u32]),
            DType::I64 => AttrValue::I64(vec![v as i64]),
            DType::U64 => AttrValue::U64(vec![v as u64]),
            DType::F32 => AttrValue::F32(vec![v as f32]),
            DType::F64 | DType::Str => AttrValue::F64(vec![v]),
        }
    }

    /// Short human-readable rendering (for `rookery info`).
    #[must_use]
    pub fn render(&self) -> String {
        fn join<T: std::fmt::Display>(v: &[T]) -> String {
            v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        }
        match self {
            AttrValue::Text(s) => format!("{s:?}"),
            AttrValue::Strings(v) => format!("{v:?}"),
            AttrValue::I8(v) => join(v),
            AttrValue::U8(v) => join(v),
            AttrValue::I16(v) => join(v),
            AttrValue::U16(v) => join(v),
            AttrValue::I32(v) => join(v),
            AttrValue::U32(v) => join(v),
            AttrValue::I64(v) => join(v),
            AttrValue::U64(v) => join(v),
            AttrValue::F32(v) => join(v),
            AttrValue::F64(v) => join(v),
        }
    }
}

/// An ordered list of named attributes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attrs(pub Vec<(String, AttrValue)>);

impl Attrs {
    /// The value of attribute `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
    /// Text attribute `name`.
    #[must_use]
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(AttrValue::as_str)
    }
    /// First numeric value of attribute `name`.
    #[must_use]
    pub fn get_f64(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(AttrValue::as_f64)
    }
    /// Sets (replacing in place, or appending) attribute `name`.
    pub fn set(&mut self, name: &str, value: AttrValue) {
        if let Some(slot) = self.0.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value;
        } else {
            self.0.push((name.to_string(), value));
        }
    }
    /// Removes attribute `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<AttrValue> {
        let i = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(i).1)
    }
    /// Iterates over (name, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }
}

/// A dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dim {
    /// Dimension name, unique in the dataset.
    pub name: String,
    /// Current length (for an unlimited dimension, the number of records written so far).
    pub len: usize,
    /// True for an unlimited (record) dimension that can grow.
    pub unlimited: bool,
}

/// A variable's metadata (its values are read through a source).
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    /// Variable name, unique in the dataset.
    pub name: String,
    /// Names of its dimensions, outermost first (empty for a scalar).
    pub dims: Vec<String>,
    /// Length along each of `dims`, in the same order.
    pub shape: Vec<usize>,
    /// Element type of its values.
    pub dtype: DType,
    /// Variable attributes (`units`, `_FillValue`, `standard_name`, ...).
    pub attrs: Attrs,
}

impl Variable {
    /// Number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }
    /// True when the variable holds no element.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// In-memory size in bytes.
    #[must_use]
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype.size()
    }
    /// Position of dimension `dim` in this variable.
    #[must_use]
    pub fn axis_of(&self, dim: &str) -> Option<usize> {
        self.dims.iter().position(|d| d == dim)
    }
}

/// A dataset: dimensions, variables, global attributes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// Dimensions, in file order.
    pub dims: Vec<Dim>,
    /// Variables (coordinates, bounds and data alike), in file order.
    pub vars: Vec<Variable>,
    /// Global attributes.
    pub attrs: Attrs,
}

impl Dataset {
    /// Variable `name`.
    #[must_use]
    pub fn var(&self, name: &str) -> Option<&Variable> {
        self.vars.iter().find(|v| v.name == name)
    }
    /// Mutable variable `name`.
    pub fn var_mut(&mut self, name: &str) -> Option<&mut Variable> {
        self.vars.iter_mut().find(|v| v.name == name)
    }
    /// Dimension `name`.
    #[must_use]
    pub fn dim(&self, name: &str) -> Option<&Dim> {
        self.dims.iter().find(|d| d.name == name)
    }
    /// Sets the length of dimension `name` everywhere (dimension and variable shapes).
    pub fn resize_dim(&mut self, name: &str, len: usize) {
        for d in &mut self.dims {
            if d.name == name {
                d.len = len;
            }
        }
        for v in &mut self.vars {
            for (i, d) in v.dims.iter().enumerate() {
                if d == name {
                    v.shape[i] = len;
                }
            }
        }
    }
}

/// Typed n-dimensional values of one variable (or a hyperslab of it).
#[derive(Clone, Debug, PartialEq)]
pub enum Array {
    /// Values of a [`DType::I8`] variable.
    I8(ArrayD<i8>),
    /// Values of a [`DType::U8`] variable.
    U8(ArrayD<u8>),
    /// Values of a [`DType::I16`] variable.
    I16(ArrayD<i16>),
    /// Values of a [`DType::U16`] variable.
    U16(ArrayD<u16>),
    /// Values of a [`DType::I32`] variable.
    I32(ArrayD<i32>),
    /// Values of a [`DType::U32`] variable.
    U32(ArrayD<u32>),
    /// Values of a [`DType::I64`] variable.
    I64(ArrayD<i64>),
    /// Values of a [`DType::U64`] variable.
    U64(ArrayD<u64>),
    /// Values of a [`DType::F32`] variable.
    F32(ArrayD<f32>),
    /// Values of a [`DType::F64`] variable.
    F64(ArrayD<f64>),
    /// Bytes of a [`DType::Char`] variable, one per element (fixed-length strings run along the last axis).
    Char(ArrayD<u8>),
    /// Values of a [`DType::Str`] (variable-length string) variable.
    Str(ArrayD<String>),
}

/// Applies `$body` to the inner array of any variant, rebuilding the same variant.
#[macro_export]
macro_rules! map_array {
    ($arr:expr, $a:ident => $body:expr) => {
        match $arr {
            $crate::Array::I8($a) => $crate::Array::I8($body),
            $crate::Array::U8($a) => $crate::Array::U8($body),
            $crate::Array::I16($a) => $crate::Array::I16($body),
            $crate::Array::U16($a) => $crate::Array::U16($body),
            $crate::Array::I32($a) => $crate::Array::I32($body),
            $crate::Array::U32($a) => $crate::Array::U32($body),
            $crate::Array::I64($a) => $crate::Array::I64($body),
            $crate::Array::U64($a) => $crate::Array::U64($body),
            $crate::Array::F32($a) => $crate::Array::F32($body),
            $crate::Array::F64($a) => $crate::Array::F64($body),
            $crate::Array::Char($a) => $crate::Array::Char($body),
            $crate::Array::Str($a) => $crate::Array::Str($body),
        }
    };
}

/// Evaluates `$body` with the inner array of any variant bound to `$a`.
#[macro_export]
macro_rules! with_array {
    ($arr:expr, $a:ident => $body:expr) => {
        match $arr {
            $crate::Array::I8($a) => $body,
            $crate::Array::U8($a) => $body,
            $crate::Array::I16($a) => $body,
            $crate::Array::U16($a) => $body,
            $crate::Array::I32($a) => $body,
            $crate::Array::U32($a) => $body,
            $crate::Array::I64($a) => $body,
            $crate::Array::U64($a) => $body,
            $crate::Array::F32($a) => $body,
            $crate::Array::F64($a) => $body,
            $crate::Array::Char($a) => $body,
            $crate::Array::Str($a) => $body,
        }
    };
}

/// [`Array::select`] for one element type.
fn select_rows<T: Clone>(a: &ArrayD<T>, axis: usize, idx: &[usize]) -> ArrayD<T> {
    let shape = a.shape();
    let (Some(flat), Some(&n)) = (a.as_slice(), shape.get(axis)) else {
        return a.select(Axis(axis), idx).as_standard_layout().into_owned();
    };
    if idx.iter().any(|&i| i >= n) {
        // Out of range: ndarray's select reports it.
        return a.select(Axis(axis), idx);
    }
    let inner: usize = shape[axis + 1..].iter().product();
    let outer: usize = shape[..axis].iter().product();
    // Runs of consecutive indices: (first index, length).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &i in idx {
        match runs.last_mut() {
            Some((s, l)) if *s + *l == i => *l += 1,
            _ => runs.push((i, 1)),
        }
    }
    let mut out: Vec<T> = Vec::with_capacity(outer * idx.len() * inner);
    for o in 0..outer {
        let row = &flat[o * n * inner..(o + 1) * n * inner];
        for &(s, l) in &runs {
            out.extend_from_slice(&row[s * inner..(s + l) * inner]);
        }
    }
    let mut new_shape = shape.to_vec();
    new_shape[axis] = idx.len();
    ArrayD::from_shape_vec(IxDyn(&new_shape), out).unwrap_or_else(|_| a.select(Axis(axis), idx))
}

impl Array {
    /// Element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        match self {
            Array::I8(_) => DType::I8,
            Array::U8(_) => DType::U8,
            Array::I16(_) => DType::I16,
            Array::U16(_) => DType::U16,
            Array::I32(_) => DType::I32,
            Array::U32(_) => DType::U32,
            Array::I64(_) => DType::I64,
            Array::U64(_) => DType::U64,
            Array::F32(_) => DType::F32,
            Array::F64(_) => DType::F64,
            Array::Char(_) => DType::Char,
            Array::Str(_) => DType::Str,
        }
    }

    /// Shape.
    #[must_use]
    pub fn shape(&self) -> Vec<usize> {
        with_array!(self, a => a.shape().to_vec())
    }

    /// Selects indices `idx` along `axis` (any order, repeats allowed).
    #[must_use]
    ///
    /// The result is in standard (row-major) layout. A standard-layout input is copied run by
    /// run (consecutive indices are one `memcpy` per outer row); ndarray's own `select`
    /// assembles the result one index at a time into a layout that a later copy must fix.
    pub fn select(&self, axis: usize, idx: &[usize]) -> Array {
        map_array!(self, a => select_rows(a, axis, idx))
    }

    /// Copies this array's elements (in row-major order) into `out`'s storage from flat
    /// element `at` on; `false` (nothing copied) when the types differ, `out` is not in
    /// standard layout or the elements do not fit.
    pub fn copy_into(&self, out: &mut Array, at: usize) -> bool {
        macro_rules! copy {
            ($($v:ident),*) => {
                match (self, out) {
                    $((Array::$v(a), Array::$v(o)) => {
                        let Some(dst) = o.as_slice_mut().and_then(|d| d.get_mut(at..at + a.len())) else {
                            return false;
                        };
                        match a.as_slice() {
                            Some(src) => dst.clone_from_slice(src),
                            None => dst.iter_mut().zip(a.iter()).for_each(|(d, x)| d.clone_from(x)),
                        }
                        true
                    })*
                    _ => false,
                }
            };
        }
        copy!(I8, U8, I16, U16, I32, U32, I64, U64, F32, F64, Char, Str)
    }

    /// An array of this type and shape `shape` in this array's storage (no new allocation when
    /// it is large enough); its elements are this array's first ones, then zeros: for buffers
    /// about to be overwritten.
    #[must_use]
    pub fn into_shape_reusing(self, shape: &[usize]) -> Option<Array> {
        let n: usize = shape.iter().product();
        macro_rules! reshape {
            ($($v:ident),*) => {
                match self {
                    $(Array::$v(a) => {
                        let mut v = a.into_raw_vec_and_offset().0;
                        v.truncate(n);
                        v.resize(n, Default::default());
                        ArrayD::from_shape_vec(IxDyn(shape), v).ok().map(Array::$v)
                    })*
                }
            };
        }
        reshape!(I8, U8, I16, U16, I32, U32, I64, U64, F32, F64, Char, Str)
    }

    /// Contiguous slice `start..end` along `axis`.
    #[must_use]
    pub fn slice_axis(&self, axis: usize, start: usize, end: usize) -> Array {
        map_array!(self, a => a.slice_axis(Axis(axis), ndarray::Slice::from(start..end)).to_owned())
    }

    /// Concatenates arrays of the same type along `axis`; `None` if types differ or the list is empty.
    #[must_use]
    pub fn concat(axis: usize, parts: &[Array]) -> Option<Array> {
        macro_rules! cat {
            ($v:ident) => {{
                let mut views = Vec::with_capacity(parts.len());
                for p in parts {
                    if let Array::$v(a) = p {
                        views.push(a.view());
                    } else {
                        return None;
                    }
                }
                ndarray::concatenate(Axis(axis), &views).ok().map(Array::$v)
            }};
        }
        match parts.first()? {
            Array::I8(_) => cat!(I8),
            Array::U8(_) => cat!(U8),
            Array::I16(_) => cat!(I16),
            Array::U16(_) => cat!(U16),
            Array::I32(_) => cat!(I32),
            Array::U32(_) => cat!(U32),
            Array::I64(_) => cat!(I64),
            Array::U64(_) => cat!(U64),
            Array::F32(_) => cat!(F32),
            Array::F64(_) => cat!(F64),
            Array::Char(_) => cat!(Char),
            Array::Str(_) => cat!(Str),
        }
    }

    /// Values converted to f64 (strings and chars give `None`).
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn to_f64(&self) -> Option<ArrayD<f64>> {
        Some(match self {
            Array::I8(a) => a.mapv(f64::from),
            Array::U8(a) => a.mapv(f64::from),
            Array::I16(a) => a.mapv(f64::from),
            Array::U16(a) => a.mapv(f64::from),
            Array::I32(a) => a.mapv(f64::from),
            Array::U32(a) => a.mapv(f64::from),
            Array::I64(a) => a.mapv(|x| x as f64),
            Array::U64(a) => a.mapv(|x| x as f64),
            Array::F32(a) => a.mapv(f64::from),
            Array::F64(a) => a.clone(),
            Array::Char(_) | Array::Str(_) => return None,
        })
    }

    /// An f64 array converted to `dtype` (rounding for integer types); used to write back
    /// values computed in f64 (e.g. shifted longitudes).
    #[must_use]
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub fn from_f64(dtype: DType, a: &ArrayD<f64>) -> Array {
        match dtype {
            DType::I8 => Array::I8(a.mapv(|x| x.round() as i8)),
            DType::U8 => Array::U8(a.mapv(|x| x.round() as u8)),
            DType::I16 => Array::I16(a.mapv(|x| x.round() as i16)),
            DType::U16 => Array::U16(a.mapv(|x| x.round() as u16)),
            DType::I32 => Array::I32(a.mapv(|x| x.round() as i32)),
            DType::U32 => Array::U32(a.mapv(|x| x.round() as u32)),
            DType::I64 => Array::I64(a.mapv(|x| x.round() as i64)),
            DType::U64 => Array::U64(a.mapv(|x| x.round() as u64)),
            DType::F32 => Array::F32(a.mapv(|x| x as f32)),
            DType::F64 | DType::Char | DType::Str => Array::F64(a.clone()),
        }
    }

    /// Sets every element where `mask` (broadcast over the trailing axes) is false to `fill`.
    /// `mask` must have the shape of the last `mask.ndim()` axes of `self`. Non-numeric
    /// arrays are left unchanged.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub fn mask_trailing(&mut self, mask: &ArrayD<bool>, fill: f64) {
        macro_rules! apply {
            ($a:ident, $fv:expr) => {{
                let fv = $fv;
                let inner = mask.len();
                if inner == 0 {
                    return;
                }
                let flat_mask: Vec<bool> = mask.iter().copied().collect();
                if let Some(slice) = $a.as_slice_mut() {
                    for (i, v) in slice.iter_mut().enumerate() {
                        if !flat_mask[i % inner] {
                            *v = fv;
                        }
                    }
                }
            }};
        }
        match self {
            Array::I8(a) => apply!(a, fill as i8),
            Array::U8(a) => apply!(a, fill as u8),
            Array::I16(a) => apply!(a, fill as i16),
            Array::U16(a) => apply!(a, fill as u16),
            Array::I32(a) => apply!(a, fill as i32),
            Array::U32(a) => apply!(a, fill as u32),
            Array::I64(a) => apply!(a, fill as i64),
            Array::U64(a) => apply!(a, fill as u64),
            Array::F32(a) => apply!(a, fill as f32),
            Array::F64(a) => apply!(a, fill),
            Array::Char(_) | Array::Str(_) => {}
        }
    }

    /// An empty (zero-size) array of `dtype` with `shape`.
    #[must_use]
    pub fn zeros(dtype: DType, shape: &[usize]) -> Array {
        let s = IxDyn(shape);
        match dtype {
            DType::I8 => Array::I8(ArrayD::default(s)),
            DType::U8 => Array::U8(ArrayD::default(s)),
            DType::I16 => Array::I16(ArrayD::default(s)),
            DType::U16 => Array::U16(ArrayD::default(s)),
            DType::I32 => Array::I32(ArrayD::default(s)),
            DType::U32 => Array::U32(ArrayD::default(s)),
            DType::I64 => Array::I64(ArrayD::default(s)),
            DType::U64 => Array::U64(ArrayD::default(s)),
            DType::F32 => Array::F32(ArrayD::default(s)),
            DType::F64 => Array::F64(ArrayD::default(s)),
            DType::Char => Array::Char(ArrayD::default(s)),
            DType::Str => Array::Str(ArrayD::default(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The run-by-run select equals ndarray's element by element, for every axis, in- and
    /// out-of-order indices with repeats, and inputs not in standard layout.
    #[test]
    fn select_equals_ndarray_select() {
        let a = ArrayD::from_shape_vec(IxDyn(&[3, 4, 5]), (0..60).map(|x| x as f32 * 0.5).collect()).unwrap();
        let picks: [&[usize]; 5] = [&[0], &[2, 3, 0, 1], &[1, 1, 0], &[], &[0, 1, 2]];
        for src in [a.clone(), a.t().to_owned(), a.permuted_axes(IxDyn(&[1, 0, 2])).to_owned()] {
            for axis in 0..3 {
                for idx in picks {
                    let idx: Vec<usize> = idx.iter().copied().filter(|&i| i < src.shape()[axis]).collect();
                    let want = src.select(Axis(axis), &idx);
                    let got = Array::F32(src.clone()).select(axis, &idx);
                    let Array::F32(got) = got else { panic!("type changed") };
                    assert_eq!(got, want, "axis {axis}, {idx:?}");
                    assert!(got.is_standard_layout());
                }
            }
        }
    }
}
