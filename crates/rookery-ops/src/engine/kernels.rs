//! The accumulation kernels: one step (or four steps at once) of source values added into the
//! sums `Σ w·x` and weight sums `Σ w` of the output cells, skipping or propagating missing
//! values. The hot paths are branch-free selects the compiler vectorises; each is also built
//! for AVX-512 and AVX2, and the widest the CPU has is chosen at run time (the generic build is the
//! fallback). Every build computes bit-identical results (no reassociation, no FMA contraction).

use super::compile::{Compiled, Inner};
use super::job::NanMode;
use rayon::prelude::*;

/// Element types that can be averaged.
pub(super) trait Elem: Copy + Send + Sync {
    /// The value as `f64`.
    fn f(self) -> f64;
}
macro_rules! elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            #[inline(always)]
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn f(self) -> f64 { self as f64 }
        }
    )*};
}
elem!(i8, u8, i16, u16, i32, u32, i64, u64, f32, f64);

/// Sums and weight sums of one output field.
pub(super) struct Acc {
    /// Σ w·x per output cell.
    pub(super) s: Vec<f64>,
    /// Σ w per output cell.
    pub(super) w: Vec<f64>,
}

impl Acc {
    pub(super) fn new(n: usize) -> Acc {
        Acc { s: vec![0.0; n], w: vec![0.0; n] }
    }
    pub(super) fn merge(&mut self, o: &Acc) {
        for (a, b) in self.s.iter_mut().zip(&o.s) {
            *a += b;
        }
        for (a, b) in self.w.iter_mut().zip(&o.w) {
            *a += b;
        }
    }
    pub(super) fn mean(&self) -> impl Iterator<Item = f64> + '_ {
        self.s.iter().zip(&self.w).map(|(s, w)| if *w > 0.0 { s / w } else { f64::NAN })
    }
}

/// Adds one step (`x` = the inner values) into `acc`.
#[inline]
pub(super) fn add_step<T: Elem>(c: &Compiled, x: &[T], acc: &mut Acc) {
    add_step_into(c, x, &mut acc.s, &mut acc.w);
}

/// Whether the CPU has the AVX-512 subsets the kernels' AVX-512 builds use (wider vectors and
/// mask registers for the missing-value selects).
#[cfg(target_arch = "x86_64")]
fn avx512() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512bw")
}

/// Adds one step into sums `acc_s` and weight sums `acc_w` (built for AVX-512 or AVX2 when the
/// CPU has it).
pub(super) fn add_step_into<T: Elem>(c: &Compiled, x: &[T], acc_s: &mut [f64], acc_w: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx512() {
            // SAFETY: the CPU supports these AVX-512 subsets (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return add_step_avx512(c, x, acc_s, acc_w);
            }
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return add_step_avx2(c, x, acc_s, acc_w);
            }
        }
    }
    add_step_kernel(c, x, acc_s, acc_w);
}

/// [`add_step_kernel`] built for AVX2 (callers check the CPU first).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_step_avx2<T: Elem>(c: &Compiled, x: &[T], acc_s: &mut [f64], acc_w: &mut [f64]) {
    add_step_kernel(c, x, acc_s, acc_w);
}

/// [`add_step_kernel`] built for AVX-512 (callers check the CPU first).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw")]
fn add_step_avx512<T: Elem>(c: &Compiled, x: &[T], acc_s: &mut [f64], acc_w: &mut [f64]) {
    add_step_kernel(c, x, acc_s, acc_w);
}

#[inline(always)]
fn add_step_kernel<T: Elem>(c: &Compiled, x: &[T], acc_s: &mut [f64], acc_w: &mut [f64]) {
    let dec = &c.dec;
    let skip = c.nan == NanMode::Skip;
    if skip && !dec.packed && dec.more.is_empty() {
        // Fast kernels (no packing, at most two missing values): branch-free selects the
        // compiler can vectorise.
        let (m0, m1) = (dec.m0, dec.m1);
        let ok = |v: f64| !(v.is_nan() | (v == m0) | (v == m1));
        match &c.inner {
            Inner::Identity => {
                for ((v, s), w) in x.iter().zip(acc_s.iter_mut()).zip(acc_w.iter_mut()) {
                    let v = v.f();
                    let good = ok(v);
                    *s += if good { v } else { 0.0 };
                    *w += if good { 1.0 } else { 0.0 };
                }
                return;
            }
            Inner::Dense { out, w: Some(w) } if c.n_out == 1 && acc_s.len() == 1 => {
                // A whole field to one value (field means): sixteen independent lanes (four
                // vectors), so the additions do not wait on each other.
                const L: usize = 16;
                let mut sl = [0.0f64; L];
                let mut wl = [0.0f64; L];
                let xc = x.chunks_exact(L);
                let wc = w.chunks_exact(L);
                let (xr, wr) = (xc.remainder(), wc.remainder());
                for (xs, ws) in xc.zip(wc) {
                    for k in 0..L {
                        let v = xs[k].f();
                        let good = ok(v);
                        sl[k] += if good { ws[k] * v } else { 0.0 };
                        wl[k] += if good { ws[k] } else { 0.0 };
                    }
                }
                for (v, wi) in xr.iter().zip(wr) {
                    let v = v.f();
                    let good = ok(v);
                    sl[0] += if good { wi * v } else { 0.0 };
                    wl[0] += if good { *wi } else { 0.0 };
                }
                let _ = out;
                let sum = |a: &[f64; L]| a.chunks_exact(4).map(|q| (q[0] + q[1]) + (q[2] + q[3])).sum::<f64>();
                acc_s[0] += sum(&sl);
                acc_w[0] += sum(&wl);
                return;
            }
            _ => {}
        }
    }
    match &c.inner {
        Inner::Identity => {
            for ((v, s), w) in x.iter().zip(acc_s.iter_mut()).zip(acc_w.iter_mut()) {
                let v = dec.value(v.f());
                if v.is_nan() {
                    if !skip {
                        *s = f64::NAN;
                    }
                } else {
                    *s += v;
                    *w += 1.0;
                }
            }
        }
        Inner::Dense { out, w } => {
            for (i, v) in x.iter().enumerate() {
                let o = out[i] as usize;
                if o == u32::MAX as usize {
                    continue;
                }
                let wi = w.as_ref().map_or(1.0, |w| w[i]);
                if wi == 0.0 {
                    continue;
                }
                let v = dec.value(v.f());
                if v.is_nan() {
                    if !skip {
                        acc_s[o] = f64::NAN;
                    }
                } else {
                    acc_s[o] += wi * v;
                    acc_w[o] += wi;
                }
            }
        }
        Inner::Sparse { offs, tgt, w } => {
            for (i, v) in x.iter().enumerate() {
                let (a, b) = (offs[i] as usize, offs[i + 1] as usize);
                if a == b {
                    continue;
                }
                let v = dec.value(v.f());
                for k in a..b {
                    let o = tgt[k] as usize;
                    if v.is_nan() {
                        if !skip {
                            acc_s[o] = f64::NAN;
                            acc_w[o] += w[k];
                        }
                    } else {
                        acc_s[o] += w[k] * v;
                        acc_w[o] += w[k];
                    }
                }
            }
        }
    }
}

/// Adds four steps' values `x` (equal lengths) into sums `s` and counts `w`, skipping NaN and
/// the missing values `m`; built for AVX2 when the CPU has it.
pub(super) fn add_quad<T: Elem>(x: [&[T]; 4], m: (f64, f64), s: &mut [f64], w: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx512() {
            // SAFETY: the CPU supports these AVX-512 subsets (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return add_quad_avx512(x, m, s, w);
            }
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return add_quad_avx2(x, m, s, w);
            }
        }
    }
    add_quad_kernel(x, m, s, w);
}

/// [`add_quad_kernel`] built for AVX2 (callers check the CPU first).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_quad_avx2<T: Elem>(x: [&[T]; 4], m: (f64, f64), s: &mut [f64], w: &mut [f64]) {
    add_quad_kernel(x, m, s, w);
}

/// [`add_quad_kernel`] built for AVX-512 (callers check the CPU first).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw")]
fn add_quad_avx512<T: Elem>(x: [&[T]; 4], m: (f64, f64), s: &mut [f64], w: &mut [f64]) {
    add_quad_kernel(x, m, s, w);
}

#[inline(always)]
fn add_quad_kernel<T: Elem>(x: [&[T]; 4], (m0, m1): (f64, f64), s: &mut [f64], w: &mut [f64]) {
    let ok = |v: f64| !(v.is_nan() | (v == m0) | (v == m1));
    let len = s.len().min(w.len());
    let [a, b, cc, d] = x;
    let (a, b, cc, d) = (&a[..len], &b[..len], &cc[..len], &d[..len]);
    for i in 0..len {
        let (va, vb, vc, vd) = (a[i].f(), b[i].f(), cc[i].f(), d[i].f());
        let (ga, gb, gc, gd) = (ok(va), ok(vb), ok(vc), ok(vd));
        let sum = (if ga { va } else { 0.0 } + if gb { vb } else { 0.0 })
            + (if gc { vc } else { 0.0 } + if gd { vd } else { 0.0 });
        let cnt =
            (f64::from(u8::from(ga)) + f64::from(u8::from(gb))) + (f64::from(u8::from(gc)) + f64::from(u8::from(gd)));
        s[i] += sum;
        w[i] += cnt;
    }
}

/// Two [`add_quad`]s in one pass over the accumulators (eight steps; each sum and count is
/// updated exactly as by two passes: first the first four steps' sum, then the second's).
pub(super) fn add_oct<T: Elem>(x: [&[T]; 8], m: (f64, f64), s: &mut [f64], w: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx512() {
            // SAFETY: the CPU supports these AVX-512 subsets (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return add_oct_avx512(x, m, s, w);
            }
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return add_oct_avx2(x, m, s, w);
            }
        }
    }
    add_oct_kernel(x, m, s, w);
}

/// [`add_oct_kernel`] built for AVX2 (callers check the CPU first).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_oct_avx2<T: Elem>(x: [&[T]; 8], m: (f64, f64), s: &mut [f64], w: &mut [f64]) {
    add_oct_kernel(x, m, s, w);
}

/// [`add_oct_kernel`] built for AVX-512 (callers check the CPU first).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw")]
fn add_oct_avx512<T: Elem>(x: [&[T]; 8], m: (f64, f64), s: &mut [f64], w: &mut [f64]) {
    add_oct_kernel(x, m, s, w);
}

#[inline(always)]
fn add_oct_kernel<T: Elem>(x: [&[T]; 8], (m0, m1): (f64, f64), s: &mut [f64], w: &mut [f64]) {
    let ok = |v: f64| !(v.is_nan() | (v == m0) | (v == m1));
    let len = s.len().min(w.len());
    let (s, w) = (&mut s[..len], &mut w[..len]);
    let [a, b, cc, d, e, f, g, h] = x;
    let (a, b, cc, d) = (&a[..len], &b[..len], &cc[..len], &d[..len]);
    let (e, f, g, h) = (&e[..len], &f[..len], &g[..len], &h[..len]);
    for i in 0..len {
        let (va, vb, vc, vd) = (a[i].f(), b[i].f(), cc[i].f(), d[i].f());
        let (ga, gb, gc, gd) = (ok(va), ok(vb), ok(vc), ok(vd));
        let s1 = (if ga { va } else { 0.0 } + if gb { vb } else { 0.0 })
            + (if gc { vc } else { 0.0 } + if gd { vd } else { 0.0 });
        let c1 =
            (f64::from(u8::from(ga)) + f64::from(u8::from(gb))) + (f64::from(u8::from(gc)) + f64::from(u8::from(gd)));
        let (ve, vf, vg, vh) = (e[i].f(), f[i].f(), g[i].f(), h[i].f());
        let (ge, gf, gg, gh) = (ok(ve), ok(vf), ok(vg), ok(vh));
        let s2 = (if ge { ve } else { 0.0 } + if gf { vf } else { 0.0 })
            + (if gg { vg } else { 0.0 } + if gh { vh } else { 0.0 });
        let c2 =
            (f64::from(u8::from(ge)) + f64::from(u8::from(gf))) + (f64::from(u8::from(gg)) + f64::from(u8::from(gh)));
        s[i] = (s[i] + s1) + s2;
        w[i] = (w[i] + c1) + c2;
    }
}

/// Adds steps `steps` of a block (`x` = block values, `n_in` per step) into `acc`, in parallel.
pub(super) fn add_steps<T: Elem>(c: &Compiled, x: &[T], steps: &[usize], acc: &mut Acc) {
    const CH: usize = 8192;
    let n = c.n_in;
    if matches!(c.inner, Inner::Identity) {
        acc.s.par_chunks_mut(CH).zip(acc.w.par_chunks_mut(CH)).enumerate().for_each(|(k, (s, w))| {
            let len = s.len();
            let row = |t: usize| &x[t * n + k * CH..t * n + k * CH + len];
            let fast = c.nan == NanMode::Skip && !c.dec.packed && c.dec.more.is_empty();
            let mut octs = steps.chunks_exact(8);
            if fast {
                // Eight steps per pass over the accumulators: an eighth of the traffic.
                for o in octs.by_ref() {
                    let r: [&[T]; 8] = std::array::from_fn(|j| row(o[j]));
                    add_oct(r, (c.dec.m0, c.dec.m1), s, w);
                }
            }
            let mut quads = if fast { octs.remainder() } else { steps }.chunks_exact(4);
            if fast {
                for q in quads.by_ref() {
                    add_quad([row(q[0]), row(q[1]), row(q[2]), row(q[3])], (c.dec.m0, c.dec.m1), s, w);
                }
            }
            let rest: &[usize] = if fast { quads.remainder() } else { steps };
            for &t in rest {
                add_step_into(c, row(t), s, w);
            }
        });
        return;
    }
    let n_out = c.n_out;
    let total = steps
        .par_iter()
        .fold(
            || None::<Acc>,
            |a, &t| {
                let mut a = a.unwrap_or_else(|| Acc::new(n_out));
                add_step(c, &x[t * n..(t + 1) * n], &mut a);
                Some(a)
            },
        )
        .reduce(
            || None,
            |a, b| match (a, b) {
                (Some(mut a), Some(b)) => {
                    a.merge(&b);
                    Some(a)
                }
                (a, None) => a,
                (None, b) => b,
            },
        );
    if let Some(t) = total {
        acc.merge(&t);
    }
}

#[cfg(test)]
mod tests {
    //! Every kernel against a plain implementation written for clarity (one element at a time,
    //! weights and missing values applied as the definition says), on random inputs with
    //! missing values (NaN, one to three missing values, packing), lengths around the lane
    //! counts (1, 4, 15, 16, 17, ...) and empty inputs; and the AVX2 builds against the generic
    //! builds, bit for bit.
    //!
    //! "Exact" inputs (small integers, weights in eighths) make every summation order give the
    //! same result, so the kernels (which sum in lanes) must equal the plain sums exactly;
    //! "real" inputs check the builds against each other bit for bit and the plain sums within
    //! rounding.

    use super::*;
    use crate::engine::compile::Decode;

    /// xorshift64*: deterministic inputs without a dev-dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    const LENGTHS: [usize; 14] = [0, 1, 2, 3, 4, 5, 15, 16, 17, 31, 32, 33, 64, 1001];
    const A: f64 = -999.0;
    const B: f64 = 254.0;
    const C: f64 = 7.0;

    /// Missing values and packing variants (the first three take the fast paths under Skip).
    fn decodes() -> Vec<(&'static str, Decode)> {
        let d = |m0: f64, m1: f64, more: Vec<f64>, packed: bool| Decode {
            m0,
            m1,
            more,
            scale: if packed { 0.5 } else { 1.0 },
            offset: if packed { 2.0 } else { 0.0 },
            packed,
        };
        vec![
            ("no missing value", d(f64::NAN, f64::NAN, vec![], false)),
            ("one missing value", d(A, f64::NAN, vec![], false)),
            ("two missing values", d(A, B, vec![], false)),
            ("three missing values", d(A, B, vec![C], false)),
            ("packed", d(A, f64::NAN, vec![], true)),
        ]
    }

    /// Source values: integers in [-300, 250] (exact) or reals, with missing values and NaN
    /// sprinkled in (about one in six), converted to the element type by `conv`.
    fn values<T>(rng: &mut Rng, n: usize, exact: bool, conv: fn(f64) -> T, nan_ok: bool) -> Vec<T> {
        (0..n)
            .map(|_| {
                let v = match rng.below(12) {
                    0 => A,
                    1 => B,
                    2 => C,
                    3 if nan_ok => f64::NAN,
                    _ if exact => rng.below(551) as f64 - 300.0,
                    _ => (rng.unit() - 0.3) * 250.0,
                };
                conv(v)
            })
            .collect()
    }

    /// The weight map variants for `n` inputs: (name, inner map, number of outputs).
    fn inners(rng: &mut Rng, n: usize) -> Vec<(&'static str, Inner, usize)> {
        let n_out = (n / 3).max(1);
        let eighths = |rng: &mut Rng, lo: u64| (rng.below(17 - lo) + lo) as f64 / 8.0;
        let targets = |rng: &mut Rng, n_out: usize| -> Vec<u32> {
            (0..n).map(|_| if rng.below(7) == 0 { u32::MAX } else { rng.below(n_out as u64) as u32 }).collect()
        };
        let dense_out = targets(rng, n_out);
        let dense_w: Vec<f64> = dense_out.iter().map(|&o| if o == u32::MAX { 0.0 } else { eighths(rng, 0) }).collect();
        // A field mean: one output; unused cells carry weight 0 (as `compile` lays them).
        let field_out = targets(rng, 1);
        let field_w: Vec<f64> = field_out.iter().map(|&o| if o == u32::MAX { 0.0 } else { eighths(rng, 0) }).collect();
        let (mut offs, mut tgt, mut sw) = (vec![0u32], Vec::new(), Vec::new());
        for _ in 0..n {
            for _ in 0..rng.below(4) {
                tgt.push(rng.below(n_out as u64) as u32);
                sw.push(eighths(rng, 1));
            }
            offs.push(tgt.len() as u32);
        }
        vec![
            ("identity", Inner::Identity, n),
            ("dense without weights", Inner::Dense { out: dense_out.clone(), w: None }, n_out),
            ("dense with weights", Inner::Dense { out: dense_out, w: Some(dense_w) }, n_out),
            ("field mean", Inner::Dense { out: field_out, w: Some(field_w) }, 1),
            ("sparse", Inner::Sparse { offs, tgt, w: sw }, n_out),
        ]
    }

    /// The plain step: each input element's decoded value goes to each of its targets with
    /// its weight; missing values are skipped (Skip) or make the target missing (Propagate).
    fn plain_step(c: &Compiled, x: &[f64], s: &mut [f64], w: &mut [f64]) {
        for (i, &raw) in x.iter().enumerate() {
            let d = &c.dec;
            let missing = raw.is_nan() || raw == d.m0 || raw == d.m1 || d.more.contains(&raw);
            let v = if d.packed { raw * d.scale + d.offset } else { raw };
            let targets: Vec<(usize, f64)> = match &c.inner {
                Inner::Identity => vec![(i, 1.0)],
                Inner::Dense { out, w } if out[i] != u32::MAX => {
                    vec![(out[i] as usize, w.as_ref().map_or(1.0, |w| w[i]))]
                }
                Inner::Dense { .. } => vec![],
                Inner::Sparse { offs, tgt, w } => {
                    (offs[i] as usize..offs[i + 1] as usize).map(|k| (tgt[k] as usize, w[k])).collect()
                }
            };
            for (o, wi) in targets {
                if wi == 0.0 {
                    continue;
                }
                if missing {
                    if c.nan == NanMode::Propagate {
                        s[o] = f64::NAN;
                    }
                } else {
                    s[o] += wi * v;
                    w[o] += wi;
                }
            }
        }
    }

    fn mean(s: &[f64], w: &[f64]) -> Vec<f64> {
        s.iter().zip(w).map(|(s, w)| if *w > 0.0 { s / w } else { f64::NAN }).collect()
    }

    fn same(a: f64, b: f64) -> bool {
        a == b || (a.is_nan() && b.is_nan())
    }

    fn close(a: f64, b: f64, scale: f64) -> bool {
        same(a, b) || (a - b).abs() <= 1e-12 * scale.max(1.0)
    }

    fn same_bits(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    /// Each build of the one-step kernel on the same input and starting accumulators.
    fn step_builds<T: Elem>(c: &Compiled, x: &[T], s0: &[f64], w0: &[f64]) -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
        let run = |f: &dyn Fn(&mut [f64], &mut [f64])| {
            let (mut s, mut w) = (s0.to_vec(), w0.to_vec());
            f(&mut s, &mut w);
            (s, w)
        };
        let mut out = Vec::new();
        let (s, w) = run(&|s, w| add_step_kernel(c, x, s, w));
        out.push(("generic build", s, w));
        let (s, w) = run(&|s, w| add_step_into(c, x, s, w));
        out.push(("run-time choice", s, w));
        let mut acc = Acc { s: s0.to_vec(), w: w0.to_vec() };
        add_step(c, x, &mut acc);
        out.push(("add_step", acc.s, acc.w));
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            let (s, w) = run(&|s, w| unsafe { add_step_avx2(c, x, s, w) });
            out.push(("AVX2 build", s, w));
        }
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: the CPU supports these AVX-512 subsets (checked above).
            #[allow(unsafe_code)]
            let (s, w) = run(&|s, w| unsafe { add_step_avx512(c, x, s, w) });
            out.push(("AVX-512 build", s, w));
        }
        out
    }

    fn check_step<T: Elem>(conv: fn(f64) -> T, nan_ok: bool, seed: u64) {
        let mut rng = Rng(seed);
        let mut cases = 0;
        for exact in [true, false] {
            for n in LENGTHS {
                for (iname, inner, n_out) in inners(&mut rng, n) {
                    let x = values(&mut rng, n, exact, conv, nan_ok);
                    let xf: Vec<f64> = x.iter().map(|v| v.f()).collect();
                    // Accumulators already holding something (the kernels add to them).
                    let s0: Vec<f64> = (0..n_out).map(|_| rng.below(5) as f64).collect();
                    let w0: Vec<f64> = (0..n_out).map(|_| rng.below(3) as f64).collect();
                    let scale = s0.iter().sum::<f64>()
                        + xf.iter().filter(|v| v.is_finite()).map(|v| v.abs() * 4.0).sum::<f64>();
                    for (dname, dec) in decodes() {
                        for nan in [NanMode::Skip, NanMode::Propagate] {
                            let c = Compiled {
                                stream: None,
                                n_stream: 1,
                                inner: inner.clone(),
                                n_in: n,
                                n_out,
                                nan,
                                dec: dec.clone(),
                            };
                            let what = format!("{iname}, {dname}, {nan:?}, n={n}, exact={exact}");
                            let (mut ps, mut pw) = (s0.clone(), w0.clone());
                            plain_step(&c, &xf, &mut ps, &mut pw);
                            let builds = step_builds(&c, &x, &s0, &w0);
                            let (_, gs, gw) = &builds[0];
                            for (bname, s, w) in &builds {
                                // The builds agree bit for bit.
                                assert!(
                                    same_bits(s, gs) && same_bits(w, gw),
                                    "{bname} differs from the generic build: {what}"
                                );
                                // Means equal the plain ones (exactly for exact inputs).
                                let (got, want) = (mean(s, w), mean(&ps, &pw));
                                for (o, (g, p)) in got.iter().zip(&want).enumerate() {
                                    let ok = if exact { same(*g, *p) } else { close(*g, *p, scale) };
                                    assert!(ok, "{bname}: mean {o} is {g}, plain {p}: {what}");
                                }
                                // Skipping: the sums and weight sums themselves are the plain ones.
                                if nan == NanMode::Skip {
                                    for o in 0..n_out {
                                        let ok = if exact {
                                            same(s[o], ps[o]) && same(w[o], pw[o])
                                        } else {
                                            close(s[o], ps[o], scale) && close(w[o], pw[o], scale)
                                        };
                                        assert!(
                                            ok,
                                            "{bname}: sums {o} are ({}, {}), plain ({}, {}): {what}",
                                            s[o], w[o], ps[o], pw[o]
                                        );
                                    }
                                }
                            }
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 2 * LENGTHS.len() * 5 * 5 * 2);
    }

    #[test]
    fn step_kernel_f64() {
        check_step(|v| v, true, 1);
    }

    #[test]
    #[allow(clippy::cast_possible_truncation)]
    fn step_kernel_f32() {
        check_step(|v| v as f32, true, 2);
    }

    #[test]
    #[allow(clippy::cast_possible_truncation)]
    fn step_kernel_i16() {
        check_step(|v| v as i16, false, 3);
    }

    #[test]
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn step_kernel_u8() {
        // Negative values saturate to 0 (still a valid value); the missing values A and C are
        // -999 → 0 and 7, B is 254.
        check_step(|v| v as u8, false, 4);
    }

    /// Each build of the four-step kernel.
    fn quad_builds<T: Elem>(
        x: [&[T]; 4],
        m: (f64, f64),
        s0: &[f64],
        w0: &[f64],
    ) -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
        let mut out = Vec::new();
        let (mut s, mut w) = (s0.to_vec(), w0.to_vec());
        add_quad_kernel(x, m, &mut s, &mut w);
        out.push(("generic build", s, w));
        let (mut s, mut w) = (s0.to_vec(), w0.to_vec());
        add_quad(x, m, &mut s, &mut w);
        out.push(("run-time choice", s, w));
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            let (mut s, mut w) = (s0.to_vec(), w0.to_vec());
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                add_quad_avx2(x, m, &mut s, &mut w);
            }
            out.push(("AVX2 build", s, w));
        }
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            let (mut s, mut w) = (s0.to_vec(), w0.to_vec());
            // SAFETY: the CPU supports these AVX-512 subsets (checked above).
            #[allow(unsafe_code)]
            unsafe {
                add_quad_avx512(x, m, &mut s, &mut w);
            }
            out.push(("AVX-512 build", s, w));
        }
        out
    }

    fn check_quad<T: Elem>(conv: fn(f64) -> T, nan_ok: bool, seed: u64) {
        let mut rng = Rng(seed);
        for exact in [true, false] {
            for n in LENGTHS {
                for m in [(f64::NAN, f64::NAN), (A, f64::NAN), (A, B)] {
                    let xs: Vec<Vec<T>> = (0..4).map(|_| values(&mut rng, n, exact, conv, nan_ok)).collect();
                    let s0: Vec<f64> = (0..n).map(|_| rng.below(5) as f64).collect();
                    let w0: Vec<f64> = (0..n).map(|_| rng.below(3) as f64).collect();
                    // Plain: the four steps one after the other, one element at a time.
                    let (mut ps, mut pw) = (s0.clone(), w0.clone());
                    for x in &xs {
                        for (i, v) in x.iter().enumerate() {
                            let v = v.f();
                            if !(v.is_nan() || v == m.0 || v == m.1) {
                                ps[i] += v;
                                pw[i] += 1.0;
                            }
                        }
                    }
                    let builds = quad_builds([&xs[0], &xs[1], &xs[2], &xs[3]], m, &s0, &w0);
                    let (_, gs, gw) = &builds[0];
                    for (bname, s, w) in &builds {
                        let what = format!("{bname}, missing {m:?}, n={n}, exact={exact}");
                        assert!(same_bits(s, gs) && same_bits(w, gw), "differs from the generic build: {what}");
                        assert_eq!(w, &pw, "counts: {what}");
                        for i in 0..n {
                            let ok = if exact { same(s[i], ps[i]) } else { close(s[i], ps[i], 1e3) };
                            assert!(ok, "sum {i} is {}, plain {}: {what}", s[i], ps[i]);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn quad_kernel_f64() {
        check_quad(|v| v, true, 5);
    }

    #[test]
    #[allow(clippy::cast_possible_truncation)]
    fn quad_kernel_f32() {
        check_quad(|v| v as f32, true, 6);
    }

    #[test]
    #[allow(clippy::cast_possible_truncation)]
    fn quad_kernel_i16() {
        check_quad(|v| v as i16, false, 7);
    }

    /// The eight-step kernel (each build) equals two passes of the four-step kernel bit for
    /// bit, on real values with missing values: the same sums in the same order.
    #[test]
    #[allow(clippy::cast_possible_truncation)]
    fn oct_kernel_is_two_quads() {
        let mut rng = Rng(11);
        for n in LENGTHS {
            for m in [(f64::NAN, f64::NAN), (A, f64::NAN), (A, B)] {
                let xs: Vec<Vec<f32>> = (0..8).map(|_| values(&mut rng, n, false, |v| v as f32, true)).collect();
                let s0: Vec<f64> = (0..n).map(|_| rng.unit() * 1e3).collect();
                let w0: Vec<f64> = (0..n).map(|_| rng.below(3) as f64).collect();
                let (mut qs, mut qw) = (s0.clone(), w0.clone());
                add_quad_kernel([&xs[0], &xs[1], &xs[2], &xs[3]], m, &mut qs, &mut qw);
                add_quad_kernel([&xs[4], &xs[5], &xs[6], &xs[7]], m, &mut qs, &mut qw);
                let x: [&[f32]; 8] = std::array::from_fn(|k| xs[k].as_slice());
                let mut builds: Vec<(&str, Vec<f64>, Vec<f64>)> = Vec::new();
                let (mut s, mut w) = (s0.clone(), w0.clone());
                add_oct_kernel(x, m, &mut s, &mut w);
                builds.push(("generic build", s, w));
                let (mut s, mut w) = (s0.clone(), w0.clone());
                add_oct(x, m, &mut s, &mut w);
                builds.push(("run-time choice", s, w));
                #[cfg(target_arch = "x86_64")]
                #[allow(unsafe_code)]
                {
                    if std::is_x86_feature_detected!("avx2") {
                        let (mut s, mut w) = (s0.clone(), w0.clone());
                        // SAFETY: the CPU supports AVX2 (checked above).
                        unsafe { add_oct_avx2(x, m, &mut s, &mut w) };
                        builds.push(("AVX2 build", s, w));
                    }
                    if avx512() {
                        let (mut s, mut w) = (s0.clone(), w0.clone());
                        // SAFETY: the CPU supports these AVX-512 subsets (checked above).
                        unsafe { add_oct_avx512(x, m, &mut s, &mut w) };
                        builds.push(("AVX-512 build", s, w));
                    } else {
                        println!("not checked here: the AVX-512 build (the CPU lacks AVX-512)");
                    }
                }
                for (bname, s, w) in &builds {
                    let what = format!("{bname}, missing {m:?}, n={n}");
                    assert!(same_bits(s, &qs) && same_bits(w, &qw), "differs from two four-step passes: {what}");
                }
            }
        }
    }

    /// The parallel driver of the kernels over several steps of a block (four at a time,
    /// chunks of 8192 cells, per-thread accumulators merged) equals the plain steps one after
    /// the other, for every map, missing-value variant and number of steps.
    #[test]
    fn steps_of_a_block() {
        let mut rng = Rng(8);
        for n in [0, 5, 17, 8192 + 33] {
            for (iname, inner, n_out) in inners(&mut rng, n) {
                let nt = 9;
                let x = values(&mut rng, n * nt, true, |v| v, true);
                for (dname, dec) in decodes() {
                    for nan in [NanMode::Skip, NanMode::Propagate] {
                        let c = Compiled {
                            stream: None,
                            n_stream: nt,
                            inner: inner.clone(),
                            n_in: n,
                            n_out,
                            nan,
                            dec: dec.clone(),
                        };
                        for steps in [vec![], vec![3], vec![0, 1, 2, 3], vec![0, 2, 3, 5, 6, 7, 8], (0..nt).collect()] {
                            let what = format!("{iname}, {dname}, {nan:?}, n={n}, steps {steps:?}");
                            let mut acc = Acc::new(n_out);
                            add_steps(&c, &x, &steps, &mut acc);
                            let (mut ps, mut pw) = (vec![0.0; n_out], vec![0.0; n_out]);
                            for &t in &steps {
                                plain_step(&c, &x[t * n..(t + 1) * n], &mut ps, &mut pw);
                            }
                            let (got, want) = (mean(&acc.s, &acc.w), mean(&ps, &pw));
                            for (o, (g, p)) in got.iter().zip(&want).enumerate() {
                                assert!(same(*g, *p), "mean {o} is {g}, plain {p}: {what}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn accumulators_merge_and_mean() {
        let mut a = Acc { s: vec![1.0, 2.0, f64::NAN, 0.0], w: vec![1.0, 0.5, 1.0, 0.0] };
        a.merge(&Acc { s: vec![3.0, 0.0, 1.0, 0.0], w: vec![1.0, 0.0, 1.0, 0.0] });
        let m: Vec<f64> = a.mean().collect();
        assert_eq!(m[..2], [2.0, 4.0]);
        assert!(m[2].is_nan() && m[3].is_nan(), "{m:?}");
        let empty = Acc::new(0);
        assert_eq!(empty.mean().count(), 0);
    }
}
