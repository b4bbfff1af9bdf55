//! Remote reads fetch what a subset needs: a NetCDF-4 file (written with libnetcdf, one
//! deflated chunk per time step) on a loopback Range-counting server, read over http and
//! through Kerchunk references pointing at it. The values equal libnetcdf's on the local
//! file; the server sends at most the compressed bytes of the chunks the subset needs plus a
//! stated overhead (metadata reads at open, the small gaps between coalesced chunks), in
//! fewer requests than chunks (coalescing); a warm rerun sends no GET.

mod support;

use rookery_cf::Array;
use rookery_io::kerchunk::{self, Chunk, RefOptions};
use rookery_io::{CacheConfig, HttpOptions, IoContext, NcSource, Remote, Source, ZarrSource};
use std::path::Path;
use std::sync::Arc;
use support::server::Server;

const NT: usize = 60;
const NY: usize = 90;
const NX: usize = 180;
/// The subset: time steps 20..40, a box of lat 10..50, lon 30..130.
const START: [usize; 3] = [20, 10, 30];
const COUNT: [usize; 3] = [20, 40, 100];
/// Read granularity of metadata reads in these tests.
const GRANULE: usize = 16 << 10;

/// A deterministic, poorly compressible field (so chunks are over 10 KB).
fn value(i: usize) -> f32 {
    let x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
    250.0 + (x % 10_000) as f32 / 100.0
}

fn write_file(path: &Path) {
    let mut f = netcdf::create(path).expect("create");
    f.add_unlimited_dimension("time").expect("dim");
    f.add_dimension("lat", NY).expect("dim");
    f.add_dimension("lon", NX).expect("dim");
    {
        let mut t = f.add_variable::<f64>("time", &["time"]).expect("time");
        t.put_attribute("units", "days since 1850-01-01").expect("units");
        t.put_values(&(0..NT).map(|i| i as f64).collect::<Vec<_>>(), 0..NT).expect("put");
    }
    let mut v = f.add_variable::<f32>("tas", &["time", "lat", "lon"]).expect("var");
    v.set_chunking(&[1, NY, NX]).expect("chunking");
    v.set_compression(1, true).expect("deflate");
    // One step at a time, as models write (chunk index nodes end up between the chunks).
    for t in 0..NT {
        let vals: Vec<f32> = (t * NY * NX..(t + 1) * NY * NX).map(value).collect();
        v.put_values(&vals, [t..t + 1, 0..NY, 0..NX]).expect("put");
    }
}

fn remote(cache: &Path) -> Arc<Remote> {
    Remote::new(
        HttpOptions::default(),
        CacheConfig { dir: Some(cache.to_path_buf()), budget: 1 << 30, block_size: GRANULE, memory: 8 << 20 },
    )
}

/// The subset from libnetcdf on the local file.
fn expected(path: &Path) -> Vec<u32> {
    let nc = netcdf::open(path).expect("libnetcdf");
    let ext: Vec<std::ops::Range<usize>> = START.iter().zip(&COUNT).map(|(&s, &c)| s..s + c).collect();
    let v: Vec<f32> = nc.variable("tas").expect("tas").get_values::<f32, _>(ext.as_slice()).expect("values");
    v.iter().map(|x| x.to_bits()).collect()
}

fn bits(a: &Array) -> Vec<u32> {
    let Array::F32(a) = a else { panic!("tas is float") };
    a.iter().map(|x| x.to_bits()).collect()
}

/// The file, its references (targets: `url`), and the compressed bytes of the subset's
/// chunks (from the references: offset and size per chunk).
struct Fixture {
    dir: tempfile::TempDir,
    file: std::path::PathBuf,
    srv: Server,
    chunk_bytes: u64,
    chunks: u64,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let file = data.join("tas.nc");
    write_file(&file);
    let srv = Server::start(data);
    let refs = kerchunk::references(
        &IoContext::from_env(),
        &file,
        &RefOptions { inline_threshold: 0, url_prefix: Some(format!("http://127.0.0.1:{}", srv.port)) },
    )
    .expect("references");
    let tas = refs.vars.iter().find(|v| v.name == "tas").expect("tas refs");
    let mut chunk_bytes = 0;
    let mut chunks = 0;
    for (idx, c) in &tas.chunks {
        let t = usize::try_from(idx[0]).expect("index");
        if (START[0]..START[0] + COUNT[0]).contains(&t) {
            let Chunk::Range { size, path, .. } = c else { panic!("chunk {idx:?} inline") };
            assert!(path.starts_with("http://127.0.0.1:"), "{path}");
            chunk_bytes += size;
            chunks += 1;
        }
    }
    assert_eq!(chunks, COUNT[0] as u64);
    // Chunks of tens of KB (the bounds below are meaningful only then).
    assert!(chunk_bytes > 20 * 10_000, "{chunk_bytes} bytes of chunks");
    kerchunk::write(&refs, &dir.path().join("refs.json"), kerchunk::DEFAULT_RECORD_SIZE).expect("write refs");
    Fixture { dir, file, srv, chunk_bytes, chunks }
}

#[test]
fn a_netcdf4_subset_over_http_fetches_its_chunks_coalesced_and_a_warm_rerun_fetches_nothing() {
    let fx = fixture();
    let want = expected(&fx.file);
    let cache = fx.dir.path().join("cache");
    let url = fx.srv.url("tas.nc");

    let s = NcSource::open_url(&IoContext::new(remote(&cache)), &url).expect("open");
    let (open_gets, open_bytes) = (fx.srv.gets(), fx.srv.bytes());
    // Metadata at open: a few granules (superblock, object headers, chunk index nodes).
    assert!(open_bytes <= 6 * GRANULE as u64, "open fetched {open_bytes} bytes in {open_gets} GETs");
    assert_eq!(bits(&s.read("tas", &START, &COUNT).expect("read")), want);
    let (gets, bytes) = (fx.srv.gets() - open_gets, fx.srv.bytes() - open_bytes);
    eprintln!(
        "open: {open_bytes} bytes in {open_gets} GETs; subset: {bytes} bytes in {gets} GETs for {} bytes in {} chunks",
        fx.chunk_bytes, fx.chunks
    );
    // The chunks, plus what lies between them (index nodes written between steps), plus at
    // most one granule of chunk bytes already fetched as metadata neighbours.
    let overhead = 2 * GRANULE as u64;
    assert!(
        bytes <= fx.chunk_bytes + overhead,
        "{bytes} bytes sent for {} bytes of chunks (+{overhead} allowed)",
        fx.chunk_bytes
    );
    assert!(gets < fx.chunks, "{gets} GETs for {} chunks: not coalesced", fx.chunks);
    drop(s);

    // Warm: a new client over the same cache directory (a new process) sends no GET.
    let before = fx.srv.gets();
    let s = NcSource::open_url(&IoContext::new(remote(&cache)), &url).expect("open warm");
    assert_eq!(bits(&s.read("tas", &START, &COUNT).expect("read warm")), want);
    assert_eq!(fx.srv.gets(), before, "a warm rerun must not fetch");
}

#[test]
fn kerchunk_references_to_http_fetch_the_chunks_coalesced_and_a_warm_rerun_fetches_nothing() {
    let fx = fixture();
    let want = expected(&fx.file);
    let cache = fx.dir.path().join("cache");
    let refs = fx.dir.path().join("refs.json");
    let refs = refs.to_string_lossy();

    let z = ZarrSource::open(&IoContext::new(remote(&cache)), &refs).expect("open refs");
    let (open_gets, open_bytes) = (fx.srv.gets(), fx.srv.bytes());
    assert_eq!(bits(&z.read("tas", &START, &COUNT).expect("read")), want);
    let (gets, bytes) = (fx.srv.gets() - open_gets, fx.srv.bytes() - open_bytes);
    eprintln!(
        "open: {open_bytes} bytes in {open_gets} GETs; subset: {bytes} bytes in {gets} GETs for {} bytes in {} chunks",
        fx.chunk_bytes, fx.chunks
    );
    // Chunks and the index nodes between them (coalesced over gaps up to 64 kB); no metadata
    // read from the target at all.
    let overhead = 2 * GRANULE as u64;
    assert!(
        bytes <= fx.chunk_bytes + overhead,
        "{bytes} bytes sent for {} bytes of chunks (+{overhead} allowed)",
        fx.chunk_bytes
    );
    assert!(gets < fx.chunks, "{gets} GETs for {} chunks: not coalesced", fx.chunks);
    drop(z);

    let before = fx.srv.gets();
    let z = ZarrSource::open(&IoContext::new(remote(&cache)), &refs).expect("open warm");
    assert_eq!(bits(&z.read("tas", &START, &COUNT).expect("read warm")), want);
    assert_eq!(fx.srv.gets(), before, "a warm rerun must not fetch");
}
