//! A small SVG writer: the few elements the report draws (lines, rectangles, circles, paths,
//! text, hover titles), every text escaped, coordinates rounded to 0.1 px. Our own rather
//! than a plotting crate: the charts need a dozen element kinds, the output must be inline
//! markup with no script, font file or external reference, and the page's stylesheet
//! (colours, print, dark text on light) must style it through classes; a crate would add
//! dependencies for less control over exactly that.

use std::fmt::Write;

/// Text escaped for XML and HTML (element content and attribute values).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate, rounded to a tenth of a pixel, without a trailing `.0`.
pub fn num(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// One SVG element being written: `<svg>` with a view box, a class and an accessible label.
pub struct Svg {
    body: String,
    width: f64,
    height: f64,
    class: &'static str,
    label: String,
}

impl Svg {
    pub fn new(width: f64, height: f64, class: &'static str, label: &str) -> Svg {
        Svg {
            body: String::new(),
            width,
            height,
            class,
            label: label.to_string(),
        }
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = write!(
            self.body,
            r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// A rectangle, with a hover title when `title` is not empty.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str, title: &str) {
        let _ = write!(
            self.body,
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}""#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
        self.close(title, "rect");
    }

    pub fn circle(&mut self, x: f64, y: f64, r: f64, class: &str, title: &str) {
        let _ = write!(
            self.body,
            r#"<circle class="{class}" cx="{}" cy="{}" r="{}""#,
            num(x),
            num(y),
            num(r)
        );
        self.close(title, "circle");
    }

    /// A polyline through runs of points: each run is one stroke, so a missing value
    /// between two runs is a gap, never a line to zero.
    pub fn runs(&mut self, runs: &[Vec<(f64, f64)>], class: &str) {
        let mut d = String::new();
        for run in runs.iter().filter(|r| !r.is_empty()) {
            for (i, (x, y)) in run.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{},{}",
                    if i == 0 { "M" } else { "L" },
                    num(*x),
                    num(*y)
                );
            }
        }
        if !d.is_empty() {
            let _ = write!(self.body, r#"<path class="{class}" d="{d}"/>"#);
        }
    }

    /// Text at (x, y); `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, anchor: &str, class: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text class="{class}" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
            num(x),
            num(y),
            escape(text)
        );
    }

    fn close(&mut self, title: &str, tag: &str) {
        if title.is_empty() {
            self.body.push_str("/>");
        } else {
            let _ = write!(self.body, "><title>{}</title></{tag}>", escape(title));
        }
    }

    /// The element: it scales to its container's width and keeps its proportions. Inline SVG in
    /// HTML needs no namespace attribute, so the page holds no address at all.
    pub fn finish(self) -> String {
        format!(
            r#"<svg class="{}" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>{}</svg>"#,
            self.class,
            num(self.width),
            num(self.height),
            escape(&self.label),
            escape(&self.label),
            self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_escaped_and_runs_leave_gaps() {
        let mut s = Svg::new(100.0, 50.0, "chart", "a <b> & \"c\"");
        s.text(1.0, 2.0, "start", "t", "x < y & z");
        s.runs(
            &[vec![(0.0, 1.0), (2.0, 3.25)], vec![], vec![(5.0, 6.0)]],
            "line",
        );
        let out = s.finish();
        assert!(out.contains("a &lt;b&gt; &amp; &quot;c&quot;"), "{out}");
        assert!(out.contains(">x &lt; y &amp; z</text>"), "{out}");
        assert!(out.contains(r#"d="M0,1L2,3.3M5,6""#), "{out}");
    }
}
