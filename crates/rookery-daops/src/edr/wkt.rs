//! The WKT geometries EDR queries take: `POINT`, `MULTIPOINT`, `POLYGON`, `MULTIPOLYGON`
//! (2-D, longitude latitude; a `Z`/`M` tag or extra ordinates are refused), case-insensitive.

use super::EdrError;
use rookery_ops::average::geometry::{normalize, Polygon, Ring, Shape};

/// A parsed geometry.
#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    /// One or more points (lon, lat); `multi` when written as `MULTIPOINT`.
    Points {
        /// The points.
        points: Vec<(f64, f64)>,
        /// Written as `MULTIPOINT`.
        multi: bool,
    },
    /// Polygons (each an exterior ring and holes).
    Polygons(Vec<Polygon>),
}

fn bad(text: &str, why: &str) -> EdrError {
    let t: String = text.chars().take(80).collect();
    EdrError::BadRequest(format!("coords '{t}' is not WKT POINT, MULTIPOINT, POLYGON or MULTIPOLYGON: {why}"))
}

/// A parenthesised tree of coordinate lists.
#[derive(Debug)]
enum Node {
    List(Vec<Node>),
    Pos(f64, f64),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn blank(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.blank();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self) -> Result<Option<f64>, EdrError> {
        self.blank();
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || b"+-.".contains(&self.s[self.i])) {
            self.i += 1;
        }
        if start == self.i {
            return Ok(None);
        }
        let w = &self.text[start..self.i];
        match w.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(bad(self.text, &format!("'{w}' is not a number"))),
        }
    }

    /// `( item, item, ... )` where an item is a nested list or `x y`.
    fn list(&mut self) -> Result<Node, EdrError> {
        if !self.eat(b'(') {
            return Err(bad(self.text, "expected '('"));
        }
        let mut items = Vec::new();
        loop {
            self.blank();
            if self.s.get(self.i) == Some(&b'(') {
                items.push(self.list()?);
            } else {
                let x = self.number()?.ok_or_else(|| bad(self.text, "expected a coordinate"))?;
                let y = self.number()?.ok_or_else(|| bad(self.text, "a position needs two coordinates"))?;
                if self.number()?.is_some() {
                    return Err(bad(self.text, "only 2-D positions (lon lat) are taken"));
                }
                items.push(Node::Pos(x, y));
            }
            if self.eat(b',') {
                continue;
            }
            if self.eat(b')') {
                return Ok(Node::List(items));
            }
            return Err(bad(self.text, "expected ',' or ')'"));
        }
    }
}

fn positions(n: &Node, text: &str) -> Result<Vec<(f64, f64)>, EdrError> {
    match n {
        Node::List(v) => v
            .iter()
            .map(|x| match x {
                Node::Pos(a, b) => Ok((*a, *b)),
                // MULTIPOINT ((1 2), (3 4)).
                Node::List(inner) if inner.len() == 1 => match inner[0] {
                    Node::Pos(a, b) => Ok((a, b)),
                    Node::List(_) => Err(bad(text, "nested too deep")),
                },
                Node::List(_) => Err(bad(text, "expected positions")),
            })
            .collect(),
        Node::Pos(..) => Err(bad(text, "expected a list")),
    }
}

fn polygon(n: &Node, text: &str) -> Result<Polygon, EdrError> {
    let Node::List(rings) = n else { return Err(bad(text, "expected a polygon")) };
    let mut rs: Vec<Ring> = rings.iter().map(|r| positions(r, text)).collect::<Result<_, _>>()?;
    if rs.is_empty() {
        return Err(bad(text, "a polygon needs a ring"));
    }
    for r in &rs {
        if r.len() < 4 || r.first() != r.last() {
            return Err(bad(text, "a ring needs at least 4 positions, the last equal to the first"));
        }
    }
    let exterior = rs.remove(0);
    Ok(Polygon { exterior, holes: rs })
}

fn check_points(p: &[(f64, f64)], text: &str) -> Result<(), EdrError> {
    for &(x, y) in p {
        if !(-90.0..=90.0).contains(&y) {
            return Err(bad(text, &format!("latitude {y} is outside -90..90")));
        }
        if !(-360.0..=360.0).contains(&x) {
            return Err(bad(text, &format!("longitude {x} is outside -360..360")));
        }
    }
    Ok(())
}

/// Parses a WKT geometry.
///
/// # Errors
/// [`EdrError::BadRequest`] naming what is wrong.
pub fn parse(text: &str) -> Result<Geometry, EdrError> {
    let t = text.trim();
    let kw_end = t.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(t.len());
    let kw = t[..kw_end].to_ascii_uppercase();
    let mut p = Parser { s: t.as_bytes(), i: kw_end, text: t };
    p.blank();
    let tag_end = t[p.i..].find(|c: char| !c.is_ascii_alphabetic()).map_or(t.len(), |k| p.i + k);
    if tag_end > p.i {
        return Err(bad(t, &format!("'{}' geometries are not taken (2-D only)", &t[p.i..tag_end])));
    }
    let tree = p.list()?;
    p.blank();
    if p.i != p.s.len() {
        return Err(bad(t, "text after the geometry"));
    }
    let g = match kw.as_str() {
        "POINT" => {
            let v = positions(&tree, t)?;
            if v.len() != 1 {
                return Err(bad(t, "a POINT has one position"));
            }
            Geometry::Points { points: v, multi: false }
        }
        "MULTIPOINT" => Geometry::Points { points: positions(&tree, t)?, multi: true },
        "POLYGON" => Geometry::Polygons(vec![polygon(&tree, t)?]),
        "MULTIPOLYGON" => {
            let Node::List(ps) = &tree else { return Err(bad(t, "expected polygons")) };
            Geometry::Polygons(ps.iter().map(|n| polygon(n, t)).collect::<Result<_, _>>()?)
        }
        "" => return Err(bad(t, "no geometry type")),
        other => return Err(bad(t, &format!("{other} is not taken"))),
    };
    match &g {
        Geometry::Points { points, .. } if points.is_empty() => return Err(bad(t, "no position")),
        Geometry::Points { points, .. } => check_points(points, t)?,
        Geometry::Polygons(ps) => {
            for q in ps {
                check_points(&q.exterior, t)?;
            }
        }
    }
    Ok(g)
}

/// The polygons as shapes ready for a [`rookery_ops::ShapeMask`] (closed rings opened,
/// orientation and antimeridian normalised as for shape files).
///
/// # Errors
/// An invalid polygon.
pub fn shapes(polys: &[Polygon]) -> Result<Vec<Shape>, EdrError> {
    let s = Shape { parts: polys.to_vec() };
    normalize(&s, 0).map(|x| vec![x]).map_err(|e| EdrError::BadRequest(format!("coords: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wkt_forms() {
        assert_eq!(parse("POINT(10 50)").ok(), Some(Geometry::Points { points: vec![(10.0, 50.0)], multi: false }));
        assert_eq!(
            parse(" multipoint ((1 2), (3 4))").ok(),
            Some(Geometry::Points { points: vec![(1.0, 2.0), (3.0, 4.0)], multi: true })
        );
        assert_eq!(
            parse("MULTIPOINT(1 2, 3 4)").ok(),
            Some(Geometry::Points { points: vec![(1.0, 2.0), (3.0, 4.0)], multi: true })
        );
        let Ok(Geometry::Polygons(p)) = parse("POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 4))") else {
            panic!("polygon")
        };
        assert_eq!((p.len(), p[0].holes.len()), (1, 1));
        let Ok(Geometry::Polygons(p)) = parse("MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))") else {
            panic!("multipolygon")
        };
        assert_eq!(p.len(), 2);
        for b in [
            "POINT(1)",
            "POINT Z(1 2 3)",
            "POINT(1 2 3)",
            "LINESTRING(0 0, 1 1)",
            "POINT(1 2",
            "POINT(1 95)",
            "POLYGON((0 0, 1 0, 1 1))",
            "POINT(a b)",
            "POINT(1 2) x",
            "",
        ] {
            assert!(parse(b).is_err(), "{b}");
        }
    }
}
