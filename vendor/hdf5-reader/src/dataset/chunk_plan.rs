//! rookery: where the chunks of a hyperslab are stored and how they are encoded, without
//! reading any chunk data, so that a caller can read and decode the chunks itself (its own
//! I/O, reused buffers, decoding fused with extraction).

use super::{
    checked_usize, decoded_chunk_expected_len, normalize_selection,
    validate_chunk_grid_coverage, validate_chunk_shape, ChunkEntrySelection, Dataset, SliceInfo,
};
use crate::error::{ByteOrder, Error, Result};
use crate::io::Cursor;
use crate::messages::datatype::Datatype;
use crate::messages::filter_pipeline::FilterDescription;
use crate::chunk_index::ChunkSet;
use crate::messages::layout::{ChunkIndexing, DataLayout};

/// One stored chunk that intersects a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkLocation {
    /// Byte offset of the encoded chunk in the underlying storage (the file), with the
    /// superblock base address already added.
    pub storage_offset: u64,
    /// Number of encoded bytes to read at `storage_offset` (the on-disk size; for an
    /// unfiltered chunk index without sizes, the decoded chunk size).
    pub size: usize,
    /// Filter mask: bit `i` set means filter `i` of the pipeline was not applied.
    pub filter_mask: u32,
    /// Dataset coordinates of the chunk's first element.
    pub offsets: Vec<u64>,
}

/// The chunks of a chunked dataset that intersect a selection, and how to decode them.
///
/// Decoding a chunk: read `size` bytes at `storage_offset`, undo the pipeline's filters not
/// masked by `filter_mask` in reverse order (see [`crate::filters::apply_pipeline`]), which
/// must give exactly [`ChunkReadPlan::decoded_chunk_bytes`] bytes laid out in row-major
/// `chunk_shape` order, elements of `element_size` bytes in `byte_order`. Elements of the
/// selection not covered by any listed chunk take the fill value.
#[derive(Debug, Clone)]
pub struct ChunkReadPlan {
    /// Dataset extent.
    pub dataset_shape: Vec<u64>,
    /// Chunk extent (logical; edge chunks are stored at full size).
    pub chunk_shape: Vec<u64>,
    /// Bytes of one element.
    pub element_size: usize,
    /// Byte order of fixed- and floating-point element types; `None` for other types.
    pub byte_order: Option<ByteOrder>,
    /// Filters in the order they were applied when writing (empty when unfiltered).
    pub filters: Vec<FilterDescription>,
    /// Raw fill value bytes (in the file's byte order), if the dataset defines one; otherwise
    /// missing chunks read as zero bytes.
    pub fill_value: Option<Vec<u8>>,
    /// The stored chunks intersecting the selection, sorted by `offsets`, without duplicates.
    pub chunks: Vec<ChunkLocation>,
    /// Whether every chunk of the selection's chunk grid is stored (no fill value needed).
    pub complete: bool,
}

impl ChunkReadPlan {
    /// Decoded bytes of one chunk (`chunk_shape` elements times `element_size`).
    ///
    /// # Errors
    /// Overflow of `usize`.
    pub fn decoded_chunk_bytes(&self) -> Result<usize> {
        decoded_chunk_expected_len(&self.chunk_shape, self.element_size)
    }
}

impl Dataset {
    /// rookery: the chunks intersecting `selection` and their encoding, without reading chunk
    /// data. `Ok(None)` when the dataset is not chunked or exposes a padded shape (see
    /// [`Dataset::with_padded_shape`]); such datasets are read with the `read_*` methods.
    ///
    /// Applies the same checks as the slice readers: the selection must fit the dataset,
    /// the result must fit the read limit, decoded chunks the chunk limit, and chunk index
    /// entries must lie on the chunk grid without duplicates.
    ///
    /// # Errors
    /// An invalid selection, a resource limit, or a corrupt chunk index.
    pub fn chunk_read_plan(&self, selection: &SliceInfo) -> Result<Option<ChunkReadPlan>> {
        let DataLayout::Chunked {
            address,
            dims,
            chunk_indexing,
            ..
        } = &self.layout
        else {
            return Ok(None);
        };
        if self.storage_dims.is_some() {
            return Ok(None);
        }
        let resolved = normalize_selection(selection, &self.dataspace.dims)?;
        self.check_read_budget(resolved.result_elements as u64)?;

        let shape = &self.dataspace.dims;
        let ndim = self.ndim();
        let elem_size = self.raw_element_size()?;
        let chunk_shape: Vec<u64> = dims.iter().map(|&d| u64::from(d)).collect();
        validate_chunk_shape(shape, &chunk_shape)?;
        let expected_len = decoded_chunk_expected_len(&chunk_shape, elem_size)?;
        if expected_len > self.context.max_chunk_bytes {
            return Err(Error::ResourceLimit(format!(
                "decoded chunk of {expected_len} bytes exceeds the {} byte chunk limit",
                self.context.max_chunk_bytes
            )));
        }
        let byte_order = match &self.datatype {
            Datatype::FixedPoint { byte_order, .. } | Datatype::FloatingPoint { byte_order, .. } => {
                Some(*byte_order)
            }
            _ => None,
        };
        let mut plan = ChunkReadPlan {
            dataset_shape: shape.clone(),
            chunk_shape: chunk_shape.clone(),
            element_size: elem_size,
            byte_order,
            filters: self
                .filters
                .as_ref()
                .map(|p| p.filters.clone())
                .unwrap_or_default(),
            fill_value: self
                .fill_value
                .as_ref()
                .and_then(|fv| fv.value.clone())
                .filter(|v| !v.is_empty()),
            chunks: Vec::new(),
            complete: resolved.result_elements == 0,
        };
        if resolved.result_elements == 0 || Cursor::is_undefined_offset(*address, self.offset_size())
        {
            return Ok(Some(plan));
        }

        let mut first_chunk = vec![0u64; ndim];
        let mut last_chunk = vec![0u64; ndim];
        for d in 0..ndim {
            let (first, last) = resolved.dims[d]
                .chunk_index_range(chunk_shape[d])
                .ok_or_else(|| Error::InvalidData("empty selection dimension".into()))?;
            first_chunk[d] = first;
            last_chunk[d] = last;
        }
        // rookery: B-trees are walked through the selected chunks' nodes only (a bounded walk
        // visits every node, so reading a long file block by block was quadratic).
        let mut entries = if matches!(chunk_indexing, None | Some(ChunkIndexing::BTreeV2)) {
            let set = ChunkSet::new(
                first_chunk.iter().zip(&last_chunk).map(|(&a, &b)| (a..=b).collect()).collect(),
            );
            self.collect_chunk_entries_in_set(
                *address,
                dims,
                chunk_indexing.as_ref(),
                shape,
                elem_size,
                &set,
            )?
        } else {
            self.collect_chunk_entries(
                *address,
                dims,
                chunk_indexing.as_ref(),
                ChunkEntrySelection {
                    shape,
                    ndim,
                    elem_size,
                    chunk_bounds: Some((&first_chunk, &last_chunk)),
                },
            )?
        };
        plan.complete =
            validate_chunk_grid_coverage(&mut entries, shape, &chunk_shape, &first_chunk, &last_chunk)?;
        let base = self.context.superblock.base_address;
        plan.chunks = entries
            .into_iter()
            .map(|e| {
                let size = if e.size > 0 {
                    checked_usize(e.size, "encoded chunk size")?
                } else {
                    expected_len
                };
                let storage_offset = base.checked_add(e.address).ok_or_else(|| {
                    Error::InvalidData(format!("chunk address {:#x} overflows", e.address))
                })?;
                Ok(ChunkLocation {
                    storage_offset,
                    size,
                    filter_mask: e.filter_mask,
                    offsets: e.offsets,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(plan))
    }
}
