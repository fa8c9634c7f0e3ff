//! A PDF content-stream interpreter that places glyphs and writes them out as lines.
//!
//! lopdf decodes the font encodings (simple encodings, Differences, ToUnicode CMaps); this
//! module adds what its own `extract_text` lacks: the text and graphics matrices (Tm, Td, TD,
//! T*, TL, Tc, Tw, Tz, Ts, cm, q/Q), glyph widths from /Widths and /W, and Form XObjects. A
//! word space is written where the gap between glyphs exceeds a fraction of the font size, a
//! line break where the baseline moves, and a blank line where it moves by more than a
//! paragraph gap. Glyphs keep content-stream order, which follows the authoring order (and so
//! columns) better than re-sorting by position.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::Encoding;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Gap (in font sizes) between glyphs above which a space is written.
const SPACE_GAP: f32 = 0.15;
/// Baseline move (in font sizes) above which a new line starts.
const LINE_MOVE: f32 = 0.5;
/// Baseline drop (in font sizes) above which a blank line (paragraph break) is written.
const PARAGRAPH_GAP: f32 = 1.55;
/// Deepest nesting of Form XObjects followed.
const MAX_FORM_DEPTH: usize = 8;

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn translate(tx: f32, ty: f32) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, tx, ty]
}

/// One placed glyph (or the text of one code).
#[derive(Debug, Clone)]
struct Glyph {
    x: f32,
    y: f32,
    x_end: f32,
    size: f32,
    text: String,
}

/// A font's decoding and metrics.
struct Font<'a> {
    encoding: Option<Encoding<'a>>,
    two_byte: bool,
    widths: HashMap<u32, f32>,
    default_width: f32,
    /// Glyph-space units per text-space unit (1000 except Type3).
    scale: f32,
}

impl Font<'_> {
    fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
            / self.scale
    }

    fn decode(&self, code_bytes: &[u8]) -> String {
        match &self.encoding {
            Some(enc) => enc.bytes_to_string(code_bytes).unwrap_or_default(),
            None => String::new(),
        }
    }
}

/// One line of a page with the largest font size on it (0 for a blank line).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub size: f32,
}

/// The lines of one page.
pub fn page_lines(
    doc: &Document,
    page_id: ObjectId,
    max_stream: usize,
) -> Result<Vec<Line>, lopdf::Error> {
    let data = doc.get_page_content_with_limit(page_id, max_stream)?;
    let content = Content::decode(&data)?;
    let resources = page_resources(doc, page_id);
    let mut interp = Interp {
        doc,
        max_stream,
        glyphs: Vec::new(),
        font_cache: HashMap::new(),
    };
    interp.run(&content, &resources, IDENTITY, 0);
    Ok(render(&interp.glyphs))
}

/// The page's resource dictionaries, nearest first.
fn page_resources(doc: &Document, page_id: ObjectId) -> Vec<&Dictionary> {
    let Ok((own, inherited)) = doc.get_page_resources(page_id) else {
        return Vec::new();
    };
    own.into_iter()
        .chain(
            inherited
                .into_iter()
                .filter_map(|id| doc.get_dictionary(id).ok()),
        )
        .collect()
}

/// Graphics and text state.
#[derive(Clone)]
struct State {
    ctm: Matrix,
    tm: Matrix,
    tlm: Matrix,
    font: Option<Vec<u8>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    hscale: f32,
    leading: f32,
    rise: f32,
}

impl State {
    fn new(ctm: Matrix) -> Self {
        State {
            ctm,
            tm: IDENTITY,
            tlm: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }

    fn next_line(&mut self, tx: f32, ty: f32) {
        self.tlm = mul(&translate(tx, ty), &self.tlm);
        self.tm = self.tlm;
    }
}

struct Interp<'a> {
    doc: &'a Document,
    max_stream: usize,
    glyphs: Vec<Glyph>,
    /// Fonts by the id (or address) of their dictionary.
    font_cache: HashMap<usize, std::rc::Rc<Font<'a>>>,
}

/// Six operands (or array items) as a matrix.
fn matrix(ops: &[Object]) -> Matrix {
    [
        num(ops, 0),
        num(ops, 1),
        num(ops, 2),
        num(ops, 3),
        num(ops, 4),
        num(ops, 5),
    ]
}

fn num(ops: &[Object], i: usize) -> f32 {
    ops.get(i).and_then(|o| o.as_float().ok()).unwrap_or(0.0)
}

impl<'a> Interp<'a> {
    fn run(&mut self, content: &Content, resources: &[&'a Dictionary], ctm: Matrix, depth: usize) {
        let mut st = State::new(ctm);
        let mut stack: Vec<State> = Vec::new();
        for op in &content.operations {
            let o = &op.operands;
            match op.operator.as_str() {
                "q" => stack.push(st.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        st = s;
                    }
                }
                "cm" => {
                    let m = matrix(o);
                    st.ctm = mul(&m, &st.ctm);
                }
                "BT" => {
                    st.tm = IDENTITY;
                    st.tlm = IDENTITY;
                }
                "Tf" => {
                    st.font = o.first().and_then(|n| n.as_name().ok()).map(<[u8]>::to_vec);
                    st.size = num(o, 1);
                }
                "Tc" => st.char_spacing = num(o, 0),
                "Tw" => st.word_spacing = num(o, 0),
                "Tz" => st.hscale = num(o, 0) / 100.0,
                "TL" => st.leading = num(o, 0),
                "Ts" => st.rise = num(o, 0),
                "Td" => st.next_line(num(o, 0), num(o, 1)),
                "TD" => {
                    st.leading = -num(o, 1);
                    st.next_line(num(o, 0), num(o, 1));
                }
                "Tm" => {
                    st.tm = matrix(o);
                    st.tlm = st.tm;
                }
                "T*" => st.next_line(0.0, -st.leading),
                "Tj" => self.show(&mut st, o, resources),
                "TJ" => {
                    if let Some(Object::Array(items)) = o.first() {
                        self.show(&mut st, items, resources);
                    }
                }
                "'" => {
                    st.next_line(0.0, -st.leading);
                    self.show(&mut st, o, resources);
                }
                "\"" => {
                    st.word_spacing = num(o, 0);
                    st.char_spacing = num(o, 1);
                    st.next_line(0.0, -st.leading);
                    self.show(&mut st, &o[o.len().min(2)..], resources);
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    if let Some(name) = o.first().and_then(|n| n.as_name().ok()) {
                        self.form(name, resources, st.ctm, depth);
                    }
                }
                _ => {}
            }
        }
    }

    /// Runs a Form XObject.
    fn form(&mut self, name: &[u8], resources: &[&'a Dictionary], ctm: Matrix, depth: usize) {
        let doc = self.doc;
        let stream = resources.iter().find_map(|r| {
            let xobjects = r.get_deref(b"XObject", doc).ok()?.as_dict().ok()?;
            xobjects.get_deref(name, doc).ok()?.as_stream().ok()
        });
        let Some(stream) = stream else { return };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return;
        }
        let Ok(data) = stream.get_plain_content_with_limit(self.max_stream) else {
            return;
        };
        let Ok(content) = Content::decode(&data) else {
            return;
        };
        let matrix = match stream.dict.get(b"Matrix").and_then(Object::as_array) {
            Ok(a) if a.len() == 6 => matrix(a),
            _ => IDENTITY,
        };
        let mut res: Vec<&'a Dictionary> = Vec::new();
        if let Ok(own) = stream
            .dict
            .get_deref(b"Resources", doc)
            .and_then(Object::as_dict)
        {
            res.push(own);
        }
        res.extend_from_slice(resources);
        self.run(&content, &res, mul(&matrix, &ctm), depth + 1);
    }

    fn font(&mut self, name: &[u8], resources: &[&'a Dictionary]) -> Option<std::rc::Rc<Font<'a>>> {
        let doc = self.doc;
        let dict = resources.iter().find_map(|r| {
            let fonts = r.get_deref(b"Font", doc).ok()?.as_dict().ok()?;
            fonts.get_deref(name, doc).ok()?.as_dict().ok()
        })?;
        let key = dict as *const Dictionary as usize;
        if let Some(f) = self.font_cache.get(&key) {
            return Some(f.clone());
        }
        let font = std::rc::Rc::new(load_font(doc, dict, self.max_stream));
        self.font_cache.insert(key, font.clone());
        Some(font)
    }

    /// Shows strings (Tj/TJ operands): places each code and advances the text matrix.
    fn show(&mut self, st: &mut State, items: &[Object], resources: &[&'a Dictionary]) {
        let Some(font) = st.font.clone().and_then(|n| self.font(&n, resources)) else {
            return;
        };
        for item in items {
            match item {
                Object::String(bytes, _) => self.show_string(st, &font, bytes),
                Object::Integer(_) | Object::Real(_) => {
                    let adjust = item.as_float().unwrap_or(0.0);
                    let tx = -adjust / 1000.0 * st.size * st.hscale;
                    st.tm = mul(&translate(tx, 0.0), &st.tm);
                }
                _ => {}
            }
        }
    }

    fn show_string(&mut self, st: &mut State, font: &Font, bytes: &[u8]) {
        let step = if font.two_byte { 2 } else { 1 };
        for code_bytes in bytes.chunks(step) {
            let code = code_bytes.iter().fold(0u32, |acc, b| acc * 256 + *b as u32);
            let trm = mul(
                &mul(
                    &[st.size * st.hscale, 0.0, 0.0, st.size, 0.0, st.rise],
                    &st.tm,
                ),
                &st.ctm,
            );
            let w0 = font.width(code);
            let space = if !font.two_byte && code == 32 {
                st.word_spacing
            } else {
                0.0
            };
            let tx = (w0 * st.size + st.char_spacing + space) * st.hscale;
            st.tm = mul(&translate(tx, 0.0), &st.tm);
            let end = mul(
                &mul(
                    &[st.size * st.hscale, 0.0, 0.0, st.size, 0.0, st.rise],
                    &st.tm,
                ),
                &st.ctm,
            );
            let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
            let text = font.decode(code_bytes);
            if text.is_empty() || size <= 0.0 {
                continue;
            }
            self.glyphs.push(Glyph {
                x: trm[4],
                y: trm[5],
                x_end: end[4],
                size,
                text,
            });
        }
    }
}

/// Encoding, code width and metrics of a font dictionary.
fn load_font<'a>(doc: &'a Document, dict: &'a Dictionary, max_stream: usize) -> Font<'a> {
    let subtype = dict
        .get(b"Subtype")
        .and_then(Object::as_name)
        .unwrap_or(b"");
    let encoding = dict.get_font_encoding_with_limit(doc, max_stream).ok();
    let scale = match dict.get(b"FontMatrix").and_then(Object::as_array) {
        Ok(m) if subtype == b"Type3" && !m.is_empty() => 1.0 / (num(m, 0) * 1000.0).max(1e-6) * 1.0,
        _ => 1.0,
    } * 1000.0;
    if subtype == b"Type0" {
        let (widths, default_width) = cid_widths(doc, dict);
        return Font {
            encoding,
            two_byte: true,
            widths,
            default_width,
            scale,
        };
    }
    let first = dict
        .get(b"FirstChar")
        .and_then(Object::as_i64)
        .unwrap_or(0)
        .max(0) as u32;
    let widths: HashMap<u32, f32> = dict
        .get_deref(b"Widths", doc)
        .and_then(Object::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, w)| (first + i as u32, deref_num(doc, w)))
                .collect()
        })
        .unwrap_or_default();
    let missing = dict
        .get_deref(b"FontDescriptor", doc)
        .and_then(Object::as_dict)
        .and_then(|d| d.get(b"MissingWidth"))
        .and_then(Object::as_float)
        .unwrap_or(0.0);
    let default_width = if missing > 0.0 { missing } else { 500.0 };
    Font {
        encoding,
        two_byte: false,
        widths,
        default_width,
        scale,
    }
}

fn deref_num(doc: &Document, o: &Object) -> f32 {
    doc.dereference(o)
        .ok()
        .and_then(|(_, o)| o.as_float().ok())
        .unwrap_or(0.0)
}

/// /W and /DW of a Type0 font's descendant.
fn cid_widths(doc: &Document, dict: &Dictionary) -> (HashMap<u32, f32>, f32) {
    let descendant = dict
        .get_deref(b"DescendantFonts", doc)
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| a.first())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    let Some(d) = descendant else {
        return (HashMap::new(), 1000.0);
    };
    let dw = d.get(b"DW").and_then(Object::as_float).unwrap_or(1000.0);
    let mut widths = HashMap::new();
    if let Ok(w) = d.get_deref(b"W", doc).and_then(Object::as_array) {
        parse_w(doc, w, &mut widths);
    }
    (widths, dw)
}

/// Parses a /W array: `c [w1 w2 …]` and `c_first c_last w` entries.
fn parse_w(doc: &Document, w: &[Object], widths: &mut HashMap<u32, f32>) {
    let mut i = 0;
    while i < w.len() {
        let start = deref_num(doc, &w[i]) as u32;
        let next = w
            .get(i + 1)
            .and_then(|o| doc.dereference(o).ok())
            .map(|(_, o)| o);
        match next {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate() {
                    widths.insert(start + k as u32, deref_num(doc, v));
                }
                i += 2;
            }
            Some(_) if i + 2 < w.len() => {
                let end = (deref_num(doc, &w[i + 1]) as u32).min(start.saturating_add(65_536));
                let width = deref_num(doc, &w[i + 2]);
                for c in start..=end {
                    widths.insert(c, width);
                }
                i += 3;
            }
            _ => break,
        }
    }
}

/// Writes glyphs in stream order with spaces, line breaks and paragraph breaks from their
/// positions. A glyph drawn twice at the same place (fake bold) is written once.
fn render(glyphs: &[Glyph]) -> Vec<Line> {
    let mut lines = vec![Line {
        text: String::new(),
        size: 0.0,
    }];
    let mut prev: Option<&Glyph> = None;
    for g in glyphs {
        if let Some(p) = prev {
            let size = p.size.max(g.size).max(1.0);
            let dy = p.y - g.y;
            if g.text == p.text && (g.x - p.x).abs() < 0.05 * size && dy.abs() < 0.05 * size {
                continue;
            }
            if dy.abs() > LINE_MOVE * size.min(p.size.min(g.size).max(1.0) * 2.0) {
                if dy > PARAGRAPH_GAP * size || dy < -2.0 * size {
                    lines.push(Line {
                        text: String::new(),
                        size: 0.0,
                    });
                }
                lines.push(Line {
                    text: String::new(),
                    size: 0.0,
                });
            } else {
                let gap = g.x - p.x_end;
                let last = &lines[lines.len() - 1].text;
                let spaced = last.ends_with(' ') || g.text.starts_with(' ');
                if !spaced && (gap > SPACE_GAP * size || gap < -2.0 * size) {
                    if let Some(l) = lines.last_mut() {
                        l.text.push(' ');
                    }
                }
            }
        }
        if let Some(line) = lines.last_mut() {
            line.text.push_str(&g.text);
            if !g.text.trim().is_empty() {
                line.size = line.size.max(g.size);
            }
        }
        prev = Some(g);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(x: f32, y: f32, w: f32, text: &str) -> Glyph {
        Glyph {
            x,
            y,
            x_end: x + w,
            size: 10.0,
            text: text.to_string(),
        }
    }

    #[test]
    fn spaces_and_lines_come_from_positions() {
        let glyphs = [
            g(0.0, 700.0, 5.0, "V"),
            g(5.0, 700.0, 5.0, "å"),
            g(10.0, 700.0, 5.0, "ld"),
            g(18.0, 700.0, 5.0, "mot"),
            g(0.0, 688.0, 5.0, "kvinnor"),
            g(0.0, 650.0, 5.0, "Nytt"),
            g(0.0, 650.0, 5.0, "Nytt"),
        ];
        let text: Vec<String> = render(&glyphs).into_iter().map(|l| l.text).collect();
        assert_eq!(text, ["Våld mot", "kvinnor", "", "Nytt"]);
    }
}
