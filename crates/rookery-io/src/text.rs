//! Escaping for the documents rookery writes: XML (WPS responses, metalinks) and HTML (the
//! dashboard, the check report). One place, so every page escapes alike.

/// Escapes text for XML content and attribute values: `& < > "`; control characters other
/// than newline, carriage return and tab are dropped (XML 1.0 cannot carry them).
#[must_use]
pub fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => o.push(c),
        }
    }
    o
}

/// Escapes XML text content: like [`xml`], but double quotes stay as they are.
#[must_use]
pub fn xml_text(s: &str) -> String {
    xml(s).replace("&quot;", "\"")
}

/// Escapes text for HTML content and attribute values (single- or double-quoted): `& < > " '`.
#[must_use]
pub fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::xml("a<b & \"c\"\u{1}\n"), "a&lt;b &amp; &quot;c&quot;\n");
        assert_eq!(super::xml_text("\"x\" < y"), "\"x\" &lt; y");
        assert_eq!(super::html("<a href='x'>\"&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
    }
}
