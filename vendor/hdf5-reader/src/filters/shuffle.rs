/// Unshuffle bytes — reverses the HDF5 shuffle filter.
///
/// The shuffle filter rearranges bytes so that byte 0 of all elements comes first,
/// then byte 1 of all elements, etc. This improves compression of numeric arrays
/// where adjacent elements often have similar high bytes.
///
/// On read, we need to unshuffle: given the shuffled bytes, reconstruct the
/// original element order.
pub fn unshuffle(data: &[u8], element_size: usize) -> Vec<u8> {
    if element_size <= 1 || data.is_empty() {
        return data.to_vec();
    }

    let n_elements = data.len() / element_size;
    if n_elements == 0 {
        return data.to_vec();
    }

    // rookery: write the output sequentially, one element at a time, reading one byte from
    // each of the `element_size` planes (a specialised loop for 4- and 8-byte elements; the
    // original wrote with a stride and bounds checks and was a third of a chunk read).
    let complete = n_elements * element_size;
    let mut output = Vec::with_capacity(data.len());
    match element_size {
        4 => {
            let (p0, rest) = data.split_at(n_elements);
            let (p1, rest) = rest.split_at(n_elements);
            let (p2, rest) = rest.split_at(n_elements);
            let p3 = &rest[..n_elements];
            let blocks = n_elements / 16;
            output.resize(blocks * 64, 0);
            unshuffle4_blocks(p0, p1, p2, p3, &mut output);
            for i in blocks * 16..n_elements {
                output.extend_from_slice(&[p0[i], p1[i], p2[i], p3[i]]);
            }
        }
        8 => {
            let planes: Vec<&[u8]> = (0..8).map(|b| &data[b * n_elements..(b + 1) * n_elements]).collect();
            for i in 0..n_elements {
                output.extend_from_slice(&[
                    planes[0][i], planes[1][i], planes[2][i], planes[3][i],
                    planes[4][i], planes[5][i], planes[6][i], planes[7][i],
                ]);
            }
        }
        _ => {
            output.resize(complete, 0);
            for byte_idx in 0..element_size {
                let plane = &data[byte_idx * n_elements..(byte_idx + 1) * n_elements];
                for (elem, &b) in plane.iter().enumerate() {
                    output[elem * element_size + byte_idx] = b;
                }
            }
        }
    }

    // Copy any trailing bytes that don't form a complete element
    if complete < data.len() {
        output.extend_from_slice(&data[complete..]);
    }

    output
}

/// Interleaves 16-element blocks of four byte planes into `out` (64 bytes per block).
#[cfg(target_arch = "x86_64")]
fn unshuffle4_blocks(p0: &[u8], p1: &[u8], p2: &[u8], p3: &[u8], out: &mut [u8]) {
    use std::arch::x86_64::{
        __m128i, _mm_loadu_si128, _mm_storeu_si128, _mm_unpackhi_epi16, _mm_unpackhi_epi8,
        _mm_unpacklo_epi16, _mm_unpacklo_epi8,
    };
    for (blk, o) in out.chunks_exact_mut(64).enumerate() {
        let base = blk * 16;
        let (a, b, c, d) = (
            &p0[base..base + 16],
            &p1[base..base + 16],
            &p2[base..base + 16],
            &p3[base..base + 16],
        );
        // SAFETY: SSE2 is part of the x86_64 baseline; every load reads exactly the 16 bytes
        // of a slice checked above to hold 16 bytes, every store writes 16 bytes inside the
        // 64-byte chunk `o`; unaligned load/store intrinsics have no alignment requirement.
        unsafe {
            let va = _mm_loadu_si128(a.as_ptr().cast::<__m128i>());
            let vb = _mm_loadu_si128(b.as_ptr().cast::<__m128i>());
            let vc = _mm_loadu_si128(c.as_ptr().cast::<__m128i>());
            let vd = _mm_loadu_si128(d.as_ptr().cast::<__m128i>());
            let ab_lo = _mm_unpacklo_epi8(va, vb);
            let ab_hi = _mm_unpackhi_epi8(va, vb);
            let cd_lo = _mm_unpacklo_epi8(vc, vd);
            let cd_hi = _mm_unpackhi_epi8(vc, vd);
            let ptr = o.as_mut_ptr().cast::<__m128i>();
            _mm_storeu_si128(ptr, _mm_unpacklo_epi16(ab_lo, cd_lo));
            _mm_storeu_si128(ptr.add(1), _mm_unpackhi_epi16(ab_lo, cd_lo));
            _mm_storeu_si128(ptr.add(2), _mm_unpacklo_epi16(ab_hi, cd_hi));
            _mm_storeu_si128(ptr.add(3), _mm_unpackhi_epi16(ab_hi, cd_hi));
        }
    }
}

/// Interleaves 16-element blocks of four byte planes into `out` (64 bytes per block).
#[cfg(not(target_arch = "x86_64"))]
fn unshuffle4_blocks(p0: &[u8], p1: &[u8], p2: &[u8], p3: &[u8], out: &mut [u8]) {
    for (blk, o) in out.chunks_exact_mut(64).enumerate() {
        let base = blk * 16;
        for j in 0..16 {
            o[4 * j] = p0[base + j];
            o[4 * j + 1] = p1[base + j];
            o[4 * j + 2] = p2[base + j];
            o[4 * j + 3] = p3[base + j];
        }
    }
}

/// Shuffle bytes — for testing purposes.
#[cfg(test)]
fn shuffle(data: &[u8], element_size: usize) -> Vec<u8> {
    if element_size <= 1 || data.is_empty() {
        return data.to_vec();
    }

    let n_elements = data.len() / element_size;
    let mut output = vec![0u8; data.len()];

    for byte_idx in 0..element_size {
        let dst_start = byte_idx * n_elements;
        for elem in 0..n_elements {
            output[dst_start + elem] = data[elem * element_size + byte_idx];
        }
    }

    let complete = n_elements * element_size;
    if complete < data.len() {
        output[complete..].copy_from_slice(&data[complete..]);
    }

    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_4byte() {
        let original: Vec<u8> = vec![
            0x01, 0x02, 0x03, 0x04, // element 0
            0x05, 0x06, 0x07, 0x08, // element 1
            0x09, 0x0A, 0x0B, 0x0C, // element 2
        ];
        let shuffled = shuffle(&original, 4);
        // After shuffle: [0x01,0x05,0x09, 0x02,0x06,0x0A, 0x03,0x07,0x0B, 0x04,0x08,0x0C]
        assert_eq!(
            shuffled,
            vec![0x01, 0x05, 0x09, 0x02, 0x06, 0x0A, 0x03, 0x07, 0x0B, 0x04, 0x08, 0x0C]
        );

        let unshuffled = unshuffle(&shuffled, 4);
        assert_eq!(unshuffled, original);
    }

    #[test]
    fn single_element() {
        let data = vec![0x01, 0x02, 0x03, 0x04];
        let result = unshuffle(&data, 4);
        assert_eq!(result, data);
    }

    #[test]
    fn element_size_1() {
        let data = vec![0x01, 0x02, 0x03];
        let result = unshuffle(&data, 1);
        assert_eq!(result, data);
    }
}
