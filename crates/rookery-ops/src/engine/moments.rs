//! Accumulators of the streamed time statistics (min, max, sum, mean, var, std) of one group,
//! fed the source's raw values (decoded on the fly: missing values skipped, packing applied).
//!
//! Variance and standard deviation use shifted sums: each cell's first valid value `k` is
//! kept, and `n`, `Σ(x − k)` and `Σ(x − k)²` accumulated in `f64`; at the end
//! `M2 = Σ(x − k)² − (Σ(x − k))² / n`. With `k` a value of the series the two sums stay of the
//! order of the spread, so the subtraction loses nothing that matters (unlike raw `Σx²`), and
//! the loop has no division (Welford's has one per value): it vectorizes, four steps a pass.

use super::compile::Decode;
use super::job::StatKind;
use super::kernels::Elem;
use rayon::prelude::*;

/// Cells per parallel task.
const CELLS: usize = 4096;

/// Accumulators of one group: count, and sum / minimum / maximum / shifted sum, and for
/// var/std the shifted sum of squares and the shift.
pub(super) struct Mom {
    pub(super) n: Vec<f64>,
    pub(super) a: Vec<f64>,
    pub(super) m2: Vec<f64>,
    pub(super) k: Vec<f64>,
}

impl Mom {
    pub(super) fn new(kind: &StatKind, n: usize) -> Mom {
        let a0 = match kind {
            StatKind::Min => f64::INFINITY,
            StatKind::Max => f64::NEG_INFINITY,
            _ => 0.0,
        };
        let var = matches!(kind, StatKind::Var { .. } | StatKind::Std { .. });
        let extra = |v: f64| if var { vec![v; n] } else { Vec::new() };
        Mom { n: vec![0.0; n], a: vec![a0; n], m2: extra(0.0), k: extra(f64::NAN) }
    }

    /// Adds steps `steps` of `x` (each `n_in` raw values, steps one after the other), in
    /// parallel over cells.
    pub(super) fn add<T: Elem>(&mut self, kind: &StatKind, dec: &Decode, x: &[T], n_in: usize, steps: &[usize]) {
        let Mom { n, a, m2, k } = self;
        if m2.is_empty() {
            n.par_chunks_mut(CELLS).zip(a.par_chunks_mut(CELLS)).enumerate().for_each(|(j, (n, a))| {
                for &t in steps {
                    let xs = &x[t * n_in + j * CELLS..][..n.len()];
                    add_simple(kind, dec, xs, n, a);
                }
            });
        } else {
            let chunks = n.par_chunks_mut(CELLS).zip(a.par_chunks_mut(CELLS));
            chunks.zip(m2.par_chunks_mut(CELLS).zip(k.par_chunks_mut(CELLS))).enumerate().for_each(
                |(j, ((n, a), (m, k)))| {
                    let (c0, len) = (j * CELLS, n.len());
                    let row = |t: usize| &x[t * n_in + c0..][..len];
                    // Shifts of cells still without one: their first valid value.
                    for (i, ki) in k.iter_mut().enumerate() {
                        if ki.is_nan() {
                            *ki = steps
                                .iter()
                                .map(|&t| dec.value(row(t)[i].f()))
                                .find(|v| !v.is_nan())
                                .unwrap_or(f64::NAN);
                        }
                    }
                    let fast = !dec.packed && dec.more.is_empty();
                    let mut quads = steps.chunks_exact(4);
                    if fast {
                        for q in quads.by_ref() {
                            add_var_quad([row(q[0]), row(q[1]), row(q[2]), row(q[3])], (dec.m0, dec.m1), (n, a, m, k));
                        }
                    }
                    let rest: &[usize] = if fast { quads.remainder() } else { steps };
                    for &t in rest {
                        for (i, v) in row(t).iter().enumerate() {
                            let v = dec.value(v.f());
                            if !v.is_nan() {
                                let d = v - k[i];
                                n[i] += 1.0;
                                a[i] += d;
                                m[i] += d * d;
                            }
                        }
                    }
                },
            );
        }
    }

    /// The statistic of each cell (NaN where no value was valid).
    pub(super) fn finish(&self, kind: &StatKind) -> Vec<f64> {
        (0..self.n.len())
            .map(|i| {
                let (n, a) = (self.n[i], self.a[i]);
                if n == 0.0 {
                    return f64::NAN;
                }
                match kind {
                    StatKind::Mean => a / n,
                    StatKind::Var { ddof } | StatKind::Std { ddof } => {
                        let d = n - f64::from(*ddof);
                        if d <= 0.0 {
                            return f64::NAN;
                        }
                        let var = (self.m2[i] - a * a / n).max(0.0) / d;
                        if matches!(kind, StatKind::Std { .. }) {
                            var.sqrt()
                        } else {
                            var
                        }
                    }
                    _ => a,
                }
            })
            .collect()
    }
}

/// One step into counts and minima, maxima or sums.
fn add_simple<T: Elem>(kind: &StatKind, dec: &Decode, xs: &[T], n: &mut [f64], a: &mut [f64]) {
    let cells = xs.iter().zip(n.iter_mut()).zip(a.iter_mut());
    match kind {
        StatKind::Min => cells.for_each(|((v, n), a)| {
            let v = dec.value(v.f());
            if !v.is_nan() {
                *n += 1.0;
                if v < *a {
                    *a = v;
                }
            }
        }),
        StatKind::Max => cells.for_each(|((v, n), a)| {
            let v = dec.value(v.f());
            if !v.is_nan() {
                *n += 1.0;
                if v > *a {
                    *a = v;
                }
            }
        }),
        _ => cells.for_each(|((v, n), a)| {
            let v = dec.value(v.f());
            if !v.is_nan() {
                *n += 1.0;
                *a += v;
            }
        }),
    }
}

/// Four steps' values `x` (unpacked, missing values `m`) into counts, shifted sums and sums
/// of squares; built for AVX2 when the CPU has it.
fn add_var_quad<T: Elem>(x: [&[T]; 4], m: (f64, f64), acc: (&mut [f64], &mut [f64], &mut [f64], &mut [f64])) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return add_var_quad_avx2(x, m, acc);
            }
        }
    }
    add_var_quad_kernel(x, m, acc);
}

/// [`add_var_quad_kernel`] built for AVX2 (callers check the CPU first).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_var_quad_avx2<T: Elem>(x: [&[T]; 4], m: (f64, f64), acc: (&mut [f64], &mut [f64], &mut [f64], &mut [f64])) {
    add_var_quad_kernel(x, m, acc);
}

#[inline(always)]
fn add_var_quad_kernel<T: Elem>(
    x: [&[T]; 4],
    (m0, m1): (f64, f64),
    (n, a, m, k): (&mut [f64], &mut [f64], &mut [f64], &mut [f64]),
) {
    let len = n.len().min(a.len()).min(m.len()).min(k.len());
    let [x0, x1, x2, x3] = x;
    let (x0, x1, x2, x3) = (&x0[..len], &x1[..len], &x2[..len], &x3[..len]);
    let (n, a, m, k) = (&mut n[..len], &mut a[..len], &mut m[..len], &k[..len]);
    let dev = |v: f64, k: f64| -> (f64, f64) {
        let ok = !(v.is_nan() | (v == m0) | (v == m1));
        (if ok { v - k } else { 0.0 }, f64::from(u8::from(ok)))
    };
    for i in 0..len {
        let ki = k[i];
        let (d0, c0) = dev(x0[i].f(), ki);
        let (d1, c1) = dev(x1[i].f(), ki);
        let (d2, c2) = dev(x2[i].f(), ki);
        let (d3, c3) = dev(x3[i].f(), ki);
        n[i] += (c0 + c1) + (c2 + c3);
        a[i] += (d0 + d1) + (d2 + d3);
        m[i] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_sums() {
        let kind = StatKind::Var { ddof: 0 };
        let dec = Decode { m0: f64::from(1e20f32), m1: f64::NAN, ..Decode::default() };
        let mut m = Mom::new(&kind, 2);
        // Cell 0: 1, 2, 4 (a missing value, then two more steps in a quad); cell 1: one value.
        let x: [f32; 12] = [1.0, f32::NAN, 2.0, 5.0, 4.0, f32::NAN, 1e20, f32::NAN, f32::NAN, f32::NAN, f32::NAN, 1e20];
        m.add(&kind, &dec, &x, 2, &[0]);
        m.add(&kind, &dec, &x, 2, &[1, 2, 3, 4, 5]);
        let v = m.finish(&kind);
        // Cell 0: mean 7/3, variance (16/9 + 1/9 + 25/9)/3 = 14/9.
        assert!((v[0] - 14.0 / 9.0).abs() < 1e-12, "{v:?}");
        assert_eq!(v[1], 0.0);
        let v1 = m.finish(&StatKind::Std { ddof: 1 });
        assert!((v1[0] - (14.0f64 / 6.0).sqrt()).abs() < 1e-12 && v1[1].is_nan(), "{v1:?}");
        // Large values, small spread: no cancellation.
        let mut m = Mom::new(&kind, 1);
        let x: Vec<f64> = (0..9).map(|i| 1e9 + f64::from(i)).collect();
        m.add(&kind, &Decode { m0: f64::NAN, m1: f64::NAN, ..Decode::default() }, &x, 1, &(0..9).collect::<Vec<_>>());
        assert!((m.finish(&kind)[0] - 60.0 / 9.0).abs() < 1e-9);
    }
}
