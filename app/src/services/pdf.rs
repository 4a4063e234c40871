//! PDF letters: A4 pages of text in Helvetica (regular and bold), wrapped to the page, one letter after
//! another, each beginning on a page of its own. Nothing is embedded: the two fonts are among the 14
//! every PDF reader has, and their metrics (below, from Adobe's AFM files as groff ships them, in
//! thousandths of the font size) lay the text out; `/Widths` carries them so a reader's substitute font
//! keeps the layout.
//!
//! Text goes through one 8-bit encoding: Windows-1252 (Latin-1 and the Western extras, Š Ž š ž among
//! them) with the six Serbian letters it lacks (Č č Ć ć Đ đ) in slots it leaves unused. Cyrillic is
//! written in Latin script first; what the encoding cannot show becomes "?".

use crate::domain::normalize::cyrillic_to_latin;

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 70.0;
const RIGHT: f32 = 60.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = 70.0;
const SIZE: f32 = 11.0;
const LEADING: f32 = 15.0;

/// The letters of the encoding beyond Windows-1252: (byte, glyph, char).
const EXTRA: [(u8, &str, char); 6] = [
    (0x81, "Ccaron", 'Č'),
    (0x8D, "ccaron", 'č'),
    (0x8F, "Cacute", 'Ć'),
    (0x90, "cacute", 'ć'),
    (0x9D, "Dcroat", 'Đ'),
    (0x88, "dcroat", 'đ'),
];

/// Windows-1252's bytes 0x80–0x9F that are letters or punctuation.
const CP1252: [(u8, char); 21] = [
    (0x80, '€'),
    (0x82, '‚'),
    (0x84, '„'),
    (0x85, '…'),
    (0x8A, 'Š'),
    (0x8B, '‹'),
    (0x8C, 'Œ'),
    (0x8E, 'Ž'),
    (0x91, '‘'),
    (0x92, '’'),
    (0x93, '“'),
    (0x94, '”'),
    (0x95, '•'),
    (0x96, '–'),
    (0x97, '—'),
    (0x99, '™'),
    (0x9A, 'š'),
    (0x9B, '›'),
    (0x9C, 'œ'),
    (0x9E, 'ž'),
    (0x9F, 'Ÿ'),
];

/// Widths of bytes 32–255 in Helvetica.
#[rustfmt::skip]
const REGULAR: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
    278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,
    611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, 556, 722, 222, 0, 333, 1000, 0, 0, 556, 0,
    667, 333, 1000, 500, 611, 722, 500, 222, 222, 333, 333, 350, 556, 1000, 0, 1000, 500, 333, 944, 722, 500, 667, 278, 333, 556, 556,
    556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 578, 537, 278, 333, 333, 365, 556, 834, 834,
    834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584,
    778, 722, 722, 722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Widths of bytes 32–255 in Helvetica-Bold.
#[rustfmt::skip]
const BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
    333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667,
    611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889,
    611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, 556, 722, 278, 0, 500, 1000, 0, 0, 611, 0,
    667, 333, 1000, 556, 611, 722, 556, 278, 278, 500, 500, 350, 556, 1000, 0, 1000, 556, 333, 944, 722, 500, 667, 278, 333, 556, 556,
    556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834,
    834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584,
    778, 722, 722, 722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611,
    611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

/// Text in the letters' encoding.
pub fn encode(text: &str) -> Vec<u8> {
    cyrillic_to_latin(text)
        .chars()
        .map(|c| match c {
            '\t' => b' ',
            ' '..='~' => c as u8,
            '\u{A0}'..='\u{FF}' => c as u32 as u8,
            _ => EXTRA.iter().find(|e| e.2 == c).map(|e| e.0).or_else(|| CP1252.iter().find(|e| e.1 == c).map(|e| e.0)).unwrap_or(b'?'),
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Font {
    Regular,
    Bold,
}

fn width(font: Font, text: &[u8], size: f32) -> f32 {
    let table = if font == Font::Bold { &BOLD } else { &REGULAR };
    text.iter().map(|b| if *b >= 32 { table[(*b - 32) as usize] as f32 } else { 0.0 }).sum::<f32>() * size / 1000.0
}

/// Breaks encoded text into lines no wider than `max` (words longer than a line are cut).
fn wrap(font: Font, text: &[u8], size: f32, max: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in text.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() { word.to_vec() } else { [line.as_slice(), b" ", word].concat() };
        if width(font, &candidate, size) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for b in word {
            line.push(*b);
            if width(font, &line, size) > max && line.len() > 1 {
                let last = line.pop().unwrap_or(b'?');
                lines.push(std::mem::replace(&mut line, vec![last]));
            }
        }
    }
    lines.push(line);
    lines
}

/// Writes encoded text as a PDF string: parentheses and backslashes escaped, bytes beyond ASCII in octal
/// (so the file stays ASCII after its header).
fn string(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'(');
    for b in text {
        match b {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', *b]),
            32..=126 => out.push(*b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b')');
}

/// One letter: who writes, to whom, when, about what, the text and the closing lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Letter {
    pub sender: Vec<String>,
    pub recipient: Vec<String>,
    pub date: String,
    pub subject: String,
    pub body: String,
    pub closing: Vec<String>,
}

/// The pages' content streams, a page at a time.
struct Pages {
    pages: Vec<Vec<u8>>,
    y: f32,
}

impl Pages {
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - TOP;
    }

    fn text_at(&mut self, font: Font, x: f32, text: &[u8]) {
        if self.y < BOTTOM {
            self.new_page();
        }
        let name = if font == Font::Bold { "F2" } else { "F1" };
        let page = self.pages.last_mut().expect("a page");
        page.extend_from_slice(format!("BT /{name} {SIZE} Tf {x:.2} {:.2} Td ", self.y).as_bytes());
        string(page, text);
        page.extend_from_slice(b" Tj ET\n");
        self.y -= LEADING;
    }

    fn paragraph(&mut self, font: Font, text: &str) {
        let max = PAGE_W - LEFT - RIGHT;
        for line in text.lines() {
            for part in wrap(font, &encode(line), SIZE, max) {
                self.text_at(font, LEFT, &part);
            }
        }
    }

    fn gap(&mut self, lines: f32) {
        self.y -= LEADING * lines;
    }
}

/// One PDF of `letters`, each from a new page; `title` names the document.
pub fn letters(title: &str, letters: &[Letter]) -> Vec<u8> {
    let mut p = Pages { pages: Vec::new(), y: 0.0 };
    for l in letters {
        p.new_page();
        for s in &l.sender {
            p.paragraph(Font::Regular, s);
        }
        // The address where a window envelope shows it (DIN 5008: 45 mm from the top).
        p.y = p.y.min(PAGE_H - 127.0);
        for (i, r) in l.recipient.iter().filter(|r| !r.trim().is_empty()).enumerate() {
            p.paragraph(if i == 0 { Font::Bold } else { Font::Regular }, r);
        }
        p.y = p.y.min(PAGE_H - 270.0);
        let date = encode(&l.date);
        let x = PAGE_W - RIGHT - width(Font::Regular, &date, SIZE);
        p.text_at(Font::Regular, x, &date);
        p.gap(1.0);
        p.paragraph(Font::Bold, &l.subject);
        p.gap(1.0);
        p.paragraph(Font::Regular, &l.body);
        p.gap(1.0);
        for c in &l.closing {
            p.paragraph(Font::Regular, c);
        }
    }
    if p.pages.is_empty() {
        p.new_page();
    }
    document(title, &p.pages)
}

/// The PDF file of the pages' content streams.
fn document(title: &str, pages: &[Vec<u8>]) -> Vec<u8> {
    // Objects: 1 catalog, 2 pages, 3–4 fonts, 5 encoding, 6 info, then per page its page and content.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", 7 + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes());
    for (name, widths) in [("Helvetica", &REGULAR), ("Helvetica-Bold", &BOLD)] {
        let w: Vec<String> = widths.iter().map(|w| w.to_string()).collect();
        objects.push(
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding 5 0 R /FirstChar 32 /LastChar 255 /Widths [{}] >>",
                w.join(" ")
            )
            .into_bytes(),
        );
    }
    let differences: Vec<String> = EXTRA.iter().map(|(b, glyph, _)| format!("{b} /{glyph}")).collect();
    objects.push(format!("<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [{}] >>", differences.join(" ")).into_bytes());
    let mut info = b"<< /Producer (Veza) /Title ".to_vec();
    string(&mut info, &encode(title));
    info.extend_from_slice(b" >>");
    objects.push(info);
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                8 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serbian_letters_have_their_own_bytes() {
        assert_eq!(encode("Čačak Ćuprija Đorđe Šabac Žabalj"), b"\x81a\x8Dak \x8Fuprija \x9Dor\x88e \x8Aabac \x8Eabalj".to_vec());
        assert_eq!(encode("Љубица"), b"Ljubica".to_vec());
        assert_eq!(encode("日本"), b"??".to_vec());
        // Č is as wide as C, đ as d.
        assert_eq!(width(Font::Regular, &encode("Čđ"), 1000.0), width(Font::Regular, b"Cd", 1000.0));
    }

    #[test]
    fn lines_fit_the_width() {
        let text = encode("Poštovani, zahvaljujemo se na dugogodišnjoj saradnji i šaljemo vam novi cenovnik za 2027. godinu.");
        let lines = wrap(Font::Regular, &text, SIZE, 150.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| width(Font::Regular, l, SIZE) <= 150.0));
        assert_eq!(lines.join(&b' '), text);
        // A word longer than the line is cut rather than overflowing it.
        let long = wrap(Font::Regular, &[b'W'; 40], SIZE, 100.0);
        assert!(long.len() > 1 && long.iter().all(|l| width(Font::Regular, l, SIZE) <= 100.0));
    }

    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let letter = Letter {
            sender: vec!["Veza d.o.o.".into()],
            recipient: vec!["Đorđe Perić".into(), "Mlekara (Šabac)".into()],
            date: "7. 12. 2026.".into(),
            subject: "Novi cenovnik".into(),
            body: "Poštovani,\n\n".to_string() + &"tekst pisma ".repeat(400),
            closing: vec!["Srdačno,".into(), "Ana".into()],
        };
        let pdf = letters("Pisma", &[letter.clone(), letter]);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"));
        let xref: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        // After the binary comment of the header everything is ASCII (other bytes are escaped).
        let tail = std::str::from_utf8(&pdf[xref..]).expect("ASCII");
        assert!(tail.starts_with("xref"));
        let entries: Vec<usize> = tail.lines().skip(3).take_while(|l| l.ends_with(" n ")).map(|l| l[..10].parse().unwrap()).collect();
        assert_eq!(entries.len(), 6 + 2 * 4);
        for (i, offset) in entries.iter().enumerate() {
            assert!(pdf[*offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
        // A long letter runs over to a second page; each letter starts on a new one.
        let count: usize = text.split("/Count ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(count >= 4, "{count} pages");
        assert!(text.contains("(\\235or\\210e Peri\\220)"), "the recipient, in the letters' encoding");
        assert!(text.contains("(Mlekara \\(\\212abac\\))"));
    }
}
