//! A small self-drawn PNG of a provenance graph (rook renders it with graphviz; here: agents on
//! top as orange boxes, activities in the middle as blue boxes, entities at the bottom as
//! yellow ellipses, PROV relations as arrows, labels in a 5x7 bitmap font), encoded by the
//! `png` crate.

use super::{NodeKind, Provenance};
use std::collections::HashMap;

/// 5x7 glyphs for ' ' (0x20) ..= '_' (0x5F), one row per byte, bit 4 = leftmost column.
/// Lowercase letters are drawn as capitals.
const FONT: [[u8; 7]; 64] = [
    [0, 0, 0, 0, 0, 0, 0],
    [0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04],
    [0x0A, 0x0A, 0x0A, 0, 0, 0, 0],
    [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A],
    [0x04, 0x0F, 0x14, 0x0E, 0x05, 0x1E, 0x04],
    [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
    [0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D],
    [0x0C, 0x04, 0x08, 0, 0, 0, 0],
    [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
    [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
    [0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00],
    [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
    [0, 0, 0, 0, 0x0C, 0x04, 0x08],
    [0, 0, 0, 0x1F, 0, 0, 0],
    [0, 0, 0, 0, 0, 0x0C, 0x0C],
    [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
    [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
    [0, 0x0C, 0x0C, 0, 0x0C, 0x04, 0x08],
    [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02],
    [0, 0, 0x1F, 0, 0x1F, 0, 0],
    [0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08],
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04],
    [0x0E, 0x11, 0x01, 0x0D, 0x15, 0x15, 0x0E],
    [0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11],
    [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
    [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
    [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
    [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
    [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
    [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
    [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
    [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
    [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
    [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
    [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
    [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
    [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
    [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
    [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
    [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
    [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
    [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
    [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
    [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
    [0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E],
    [0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00],
    [0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E],
    [0x04, 0x0A, 0x11, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0x1F],
];

type Rgb = [u8; 3];

/// An RGB canvas.
pub struct Canvas {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Canvas {
    /// A white canvas.
    #[must_use]
    pub fn new(w: usize, h: usize) -> Canvas {
        Canvas { w, h, px: vec![255; w * h * 3] }
    }

    fn set(&mut self, x: i64, y: i64, c: Rgb) {
        if x >= 0 && y >= 0 && (x as usize) < self.w && (y as usize) < self.h {
            let i = (y as usize * self.w + x as usize) * 3;
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }

    fn fill_rect(&mut self, x0: i64, y0: i64, w: i64, h: i64, c: Rgb) {
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                self.set(x, y, c);
            }
        }
    }

    fn rect(&mut self, x0: i64, y0: i64, w: i64, h: i64, c: Rgb) {
        for x in x0..x0 + w {
            self.set(x, y0, c);
            self.set(x, y0 + h - 1, c);
        }
        for y in y0..y0 + h {
            self.set(x0, y, c);
            self.set(x0 + w - 1, y, c);
        }
    }

    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    fn ellipse(&mut self, x0: i64, y0: i64, w: i64, h: i64, fill: Rgb, edge: Rgb) {
        let (cx, cy) = (x0 as f64 + w as f64 / 2.0, y0 as f64 + h as f64 / 2.0);
        let (rx, ry) = (w as f64 / 2.0, h as f64 / 2.0);
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                let dx = (x as f64 + 0.5 - cx) / rx;
                let dy = (y as f64 + 0.5 - cy) / ry;
                let d = dx * dx + dy * dy;
                if d <= 1.0 {
                    let inner_dx = (x as f64 + 0.5 - cx) / (rx - 1.5);
                    let inner_dy = (y as f64 + 0.5 - cy) / (ry - 1.5);
                    let edge_px = inner_dx * inner_dx + inner_dy * inner_dy > 1.0;
                    self.set(x, y, if edge_px { edge } else { fill });
                }
            }
        }
    }

    fn line(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            self.set(x, y, c);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    fn arrow(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb) {
        self.line(x0, y0, x1, y1, c);
        let (dx, dy) = ((x1 - x0) as f64, (y1 - y0) as f64);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        for s in [-1.0, 1.0] {
            let hx = x1 as f64 - 9.0 * ux + s * 4.0 * -uy;
            let hy = y1 as f64 - 9.0 * uy + s * 4.0 * ux;
            self.line(x1, y1, hx.round() as i64, hy.round() as i64, c);
        }
    }

    /// Draws text with its top-left corner at (x, y).
    pub fn text(&mut self, x: i64, y: i64, s: &str, c: Rgb) {
        for (i, ch) in s.chars().enumerate() {
            let ch = ch.to_ascii_uppercase();
            let code = ch as u32;
            let g = if (0x20..=0x5F).contains(&code) {
                FONT[(code - 0x20) as usize]
            } else {
                FONT[('?' as u32 - 0x20) as usize]
            };
            let ox = x + i64::try_from(i).unwrap_or(0) * 6;
            for (row, bits) in g.iter().enumerate() {
                for col in 0..5 {
                    if bits & (0x10 >> col) != 0 {
                        self.set(ox + col, y + i64::try_from(row).unwrap_or(0), c);
                    }
                }
            }
        }
    }

    /// PNG bytes (8-bit RGB), encoded by the `png` crate.
    #[must_use]
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let (w, h) = (u32::try_from(self.w).unwrap_or(1), u32::try_from(self.h).unwrap_or(1));
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Writing into memory fails only on a canvas whose size does not match its pixels,
        // which `new` rules out; an empty file is then the answer rather than a panic.
        let written = enc.write_header().and_then(|mut wr| wr.write_image_data(&self.px).and_then(|()| wr.finish()));
        if written.is_err() {
            out.clear();
        }
        out
    }
}

const BOX_W: i64 = 230;
const BOX_H: i64 = 40;
const GAP: i64 = 24;
const ROW_GAP: i64 = 90;
const MARGIN: i64 = 20;
const CHARS: usize = 36;

fn lines(label: &str) -> Vec<String> {
    let c: Vec<char> = label.chars().collect();
    if c.len() <= CHARS {
        return vec![label.to_string()];
    }
    let first: String = c[..CHARS].iter().collect();
    let rest = &c[CHARS..];
    let second: String = if rest.len() <= CHARS {
        rest.iter().collect()
    } else {
        let mut s: String = rest[..CHARS - 2].iter().collect();
        s.push_str("..");
        s
    };
    vec![first, second]
}

/// Draws a provenance graph.
#[must_use]
pub fn render_graph(p: &Provenance) -> Vec<u8> {
    let (nodes, edges) = p.graph();
    let row = |k: &NodeKind| match k {
        NodeKind::Agent => 0,
        NodeKind::Activity => 1,
        NodeKind::Entity => 2,
    };
    let mut counts = [0i64; 3];
    let mut pos: HashMap<&str, (i64, i64, &NodeKind)> = HashMap::new();
    for (id, kind, _) in nodes {
        let r = row(kind);
        let x = MARGIN + counts[r] * (BOX_W + GAP);
        let y = MARGIN + 16 + i64::try_from(r).unwrap_or(0) * (BOX_H + ROW_GAP);
        counts[r] += 1;
        pos.insert(id.as_str(), (x, y, kind));
    }
    let cols = counts.iter().copied().max().unwrap_or(1).max(1);
    let w = usize::try_from(2 * MARGIN + cols * (BOX_W + GAP) - GAP).unwrap_or(400);
    let h = usize::try_from(2 * MARGIN + 16 + 3 * BOX_H + 2 * ROW_GAP + 40).unwrap_or(300);
    let mut c = Canvas::new(w, h);
    let edge_c = [60, 60, 60];
    c.text(MARGIN, MARGIN - 8, "PROVENANCE", [0, 0, 0]);
    for (n, (from, to, label)) in edges.iter().enumerate() {
        let (Some(&(fx, fy, _)), Some(&(tx, ty, _))) = (pos.get(from.as_str()), pos.get(to.as_str())) else {
            continue;
        };
        let (fcx, tcx) = (fx + BOX_W / 2, tx + BOX_W / 2);
        let lbl: String = label.chars().take(18).collect();
        if fy == ty {
            // Same row: route below the boxes.
            let drop = 14 + 8 * (i64::try_from(n).unwrap_or(0) % 3);
            let yb = fy + BOX_H + drop;
            c.line(fcx, fy + BOX_H, fcx, yb, edge_c);
            c.line(fcx, yb, tcx, yb, edge_c);
            c.arrow(tcx, yb, tcx, ty + BOX_H, edge_c);
            c.text(fcx.min(tcx) + 6, yb + 3, &lbl, [90, 90, 160]);
        } else {
            let (sy, ey) = if fy < ty { (fy + BOX_H, ty) } else { (fy, ty + BOX_H) };
            let (sx, ex) = (fcx - 30 + (i64::try_from(n).unwrap_or(0) % 5) * 15, tcx);
            c.arrow(sx, sy, ex, ey, edge_c);
            let (mx, my) = ((sx + ex) / 2, (sy + ey) / 2);
            c.text(mx + 4, my - 3, &lbl, [90, 90, 160]);
        }
    }
    for (id, kind, label) in nodes {
        let Some(&(x, y, _)) = pos.get(id.as_str()) else { continue };
        match kind {
            NodeKind::Agent => {
                c.fill_rect(x, y, BOX_W, BOX_H, [254, 211, 127]);
                c.rect(x, y, BOX_W, BOX_H, [120, 80, 0]);
            }
            NodeKind::Activity => {
                c.fill_rect(x, y, BOX_W, BOX_H, [159, 177, 252]);
                c.rect(x, y, BOX_W, BOX_H, [30, 40, 120]);
            }
            NodeKind::Entity => c.ellipse(x, y, BOX_W, BOX_H, [255, 252, 135], [120, 110, 0]),
        }
        let ls = lines(label);
        let th = i64::try_from(ls.len()).unwrap_or(1) * 9;
        for (i, l) in ls.iter().enumerate() {
            let tw = i64::try_from(l.chars().count()).unwrap_or(0) * 6;
            c.text(x + (BOX_W - tw) / 2, y + (BOX_H - th) / 2 + i64::try_from(i).unwrap_or(0) * 9 + 1, l, [0, 0, 0]);
        }
    }
    c.to_png()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_is_well_formed() {
        let mut p = Provenance::start(false, "2024-01-01T00:00:00");
        p.add_operator("subset", &[("time".into(), "2000/2001".into())], &["a.b.c".into()], &["/o/x.nc".into()]);
        let png = render_graph(&p);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(&png[png.len() - 8..png.len() - 4], b"IEND");
        // Decode it back with the png crate's decoder and check the size.
        let mut r = png::Decoder::new(std::io::Cursor::new(&png)).read_info().unwrap();
        let mut raw = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut raw).unwrap();
        assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Rgb, png::BitDepth::Eight));
        assert_eq!(raw.len(), info.width as usize * 3 * info.height as usize);
        assert!(raw.iter().any(|&b| b != 255 && b != 0), "something was drawn");
    }
}
