//! Mutations of an input: a few stacked edits drawn from a seeded generator.

/// xorshift64* — small, fast, reproducible.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a constant).
    #[must_use]
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

const MAGIC: &[u64] = &[
    0,
    1,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX,
    0x0010_0000,
];

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1e999",
    "-1e999",
    "NaN",
    "inf",
    "1e-320",
    "99999999999999999999",
    "-2147483649",
    "4294967296",
    "0.5",
    "360",
    "-180",
    "9999-12-31",
    "0000-00-00",
    "1.7976931348623157e308",
];

/// `base` with 1–4 random edits; `other` is spliced from, `dict` supplies tokens; the result
/// is at most `max_len` bytes.
#[must_use]
pub(crate) fn mutate(rng: &mut Rng, base: &[u8], other: &[u8], dict: &[&str], max_len: usize) -> Vec<u8> {
    let mut v = base.to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let len = v.len();
        match rng.below(11) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = (rng.next_u64() & 0xff) as u8;
            }
            2 if len > 0 => {
                // A magic number over 1, 2, 4 or 8 bytes, either byte order.
                let w = [1usize, 2, 4, 8][rng.below(4)].min(len);
                let i = rng.below(len - w + 1);
                let m = MAGIC[rng.below(MAGIC.len())];
                let bytes = if rng.below(2) == 0 { m.to_be_bytes() } else { m.to_le_bytes() };
                let src = if rng.below(2) == 0 { &bytes[8 - w..] } else { &bytes[..w] };
                v[i..i + w].copy_from_slice(src);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                v.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let chunk = v[i..i + n].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, chunk);
            }
            5 if len > 1 => {
                v.truncate(rng.below(len));
            }
            6 if !other.is_empty() => {
                let a = rng.below(other.len());
                let n = 1 + rng.below((other.len() - a).min(256));
                let at = rng.below(len + 1);
                let cut = rng.below((len - at).min(256) + 1);
                v.splice(at..at + cut, other[a..a + n].iter().copied());
            }
            7 | 8 if !dict.is_empty() => {
                let tok = dict[rng.below(dict.len())].as_bytes();
                let at = rng.below(len + 1);
                if rng.below(2) == 0 || at == len {
                    v.splice(at..at, tok.iter().copied());
                } else {
                    let cut = rng.below((len - at).min(tok.len() + 4) + 1);
                    v.splice(at..at + cut, tok.iter().copied());
                }
            }
            9 => {
                // Replace a run of digits (or insert) with an extreme number.
                let num = NUMBERS[rng.below(NUMBERS.len())].as_bytes();
                let starts: Vec<usize> =
                    (0..len).filter(|&i| v[i].is_ascii_digit() && (i == 0 || !v[i - 1].is_ascii_digit())).collect();
                if starts.is_empty() {
                    let at = rng.below(len + 1);
                    v.splice(at..at, num.iter().copied());
                } else {
                    let s = starts[rng.below(starts.len())];
                    let mut e = s;
                    while e < len && (v[e].is_ascii_digit() || v[e] == b'.') {
                        e += 1;
                    }
                    v.splice(s..e, num.iter().copied());
                }
            }
            _ => {
                // Repeat a slice many times (deep nesting, long values).
                if len > 0 {
                    let i = rng.below(len);
                    let n = 1 + rng.below((len - i).min(8));
                    let chunk = v[i..i + n].to_vec();
                    let times = 1 + rng.below(200);
                    let at = rng.below(len + 1);
                    let rep: Vec<u8> = chunk.iter().copied().cycle().take(n * times).collect();
                    v.splice(at..at, rep);
                }
            }
        }
        if v.len() > max_len {
            v.truncate(max_len);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_bounded() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..200 {
            let x = mutate(&mut a, b"{\"a\": [1, 2, 3]}", b"<x/>", &["null"], 64);
            let y = mutate(&mut b, b"{\"a\": [1, 2, 3]}", b"<x/>", &["null"], 64);
            assert_eq!(x, y);
            assert!(x.len() <= 64);
        }
    }
}
