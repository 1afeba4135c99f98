//! Plain-language reports as a small document model, rendered twice: to Markdown (`report.md`)
//! and to one self-contained HTML file (`report.html`) whose pictures are inline base64 PNGs and
//! whose styles are inline, so it opens from disk with no network.
//!
//! Text may mark strong words with `**...**`; everything else is escaped.

/// One block of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading; level 2 or 3 (the title is level 1).
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    /// A paragraph set apart to be seen: a boxed warning in HTML, a quotation in Markdown.
    Notice(String),
    List(Vec<String>),
    /// A table; `numeric[i]` right-aligns column `i`.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric: Vec<bool>,
    },
    /// A picture: Markdown links to `path` (relative to the report), HTML inlines the PNG.
    Image {
        alt: String,
        path: &'static str,
        png: Vec<u8>,
    },
}

/// A report: a title and its blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn new(title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading {
            level,
            text: text.into(),
        });
    }

    pub fn paragraph(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph(text.into()));
    }

    pub fn notice(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Notice(text.into()));
    }

    pub fn list(&mut self, items: Vec<String>) {
        if !items.is_empty() {
            self.blocks.push(Block::List(items));
        }
    }

    pub fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>, numeric: &[bool]) {
        self.blocks.push(Block::Table {
            header: header.iter().map(|cell| cell.to_string()).collect(),
            rows,
            numeric: numeric.to_vec(),
        });
    }

    pub fn image(&mut self, alt: impl Into<String>, path: &'static str, png: Vec<u8>) {
        self.blocks.push(Block::Image {
            alt: alt.into(),
            path,
            png,
        });
    }

    /// The document as Markdown (GitHub flavour: pipe tables).
    pub fn to_markdown(&self) -> String {
        let mut text = format!("# {}\n", self.title);
        for block in &self.blocks {
            text.push('\n');
            match block {
                Block::Heading {
                    level,
                    text: heading,
                } => {
                    text.push_str(&format!("{} {heading}\n", "#".repeat(usize::from(*level))));
                }
                Block::Paragraph(paragraph) => {
                    text.push_str(paragraph);
                    text.push('\n');
                }
                Block::Notice(notice) => {
                    text.push_str(&format!("> {notice}\n"));
                }
                Block::List(items) => {
                    for item in items {
                        text.push_str(&format!("- {item}\n"));
                    }
                }
                Block::Table {
                    header,
                    rows,
                    numeric,
                } => {
                    let cells = |row: &[String]| {
                        let escaped: Vec<String> =
                            row.iter().map(|cell| cell.replace('|', "\\|")).collect();
                        format!("| {} |\n", escaped.join(" | "))
                    };
                    text.push_str(&cells(header));
                    let rule: Vec<&str> = (0..header.len())
                        .map(|column| {
                            if numeric.get(column).copied().unwrap_or(false) {
                                "---:"
                            } else {
                                "---"
                            }
                        })
                        .collect();
                    text.push_str(&format!("| {} |\n", rule.join(" | ")));
                    for row in rows {
                        text.push_str(&cells(row));
                    }
                }
                Block::Image { alt, path, .. } => {
                    text.push_str(&format!("![{alt}]({path})\n"));
                }
            }
        }
        text
    }

    /// The document as one self-contained HTML page.
    pub fn to_html(&self) -> String {
        let mut body = String::new();
        for block in &self.blocks {
            match block {
                Block::Heading { level, text } => {
                    body.push_str(&format!("<h{level}>{}</h{level}>\n", inline(text)));
                }
                Block::Paragraph(paragraph) => {
                    body.push_str(&format!("<p>{}</p>\n", inline(paragraph)));
                }
                Block::Notice(notice) => {
                    body.push_str(&format!(
                        "<p class=\"notice\" role=\"alert\">{}</p>\n",
                        inline(notice)
                    ));
                }
                Block::List(items) => {
                    body.push_str("<ul>\n");
                    for item in items {
                        body.push_str(&format!("<li>{}</li>\n", inline(item)));
                    }
                    body.push_str("</ul>\n");
                }
                Block::Table {
                    header,
                    rows,
                    numeric,
                } => {
                    let class = |column: usize| {
                        if numeric.get(column).copied().unwrap_or(false) {
                            " class=\"num\""
                        } else {
                            ""
                        }
                    };
                    body.push_str("<table>\n<thead><tr>");
                    for (column, cell) in header.iter().enumerate() {
                        body.push_str(&format!("<th{}>{}</th>", class(column), inline(cell)));
                    }
                    body.push_str("</tr></thead>\n<tbody>\n");
                    for row in rows {
                        body.push_str("<tr>");
                        for (column, cell) in row.iter().enumerate() {
                            body.push_str(&format!("<td{}>{}</td>", class(column), inline(cell)));
                        }
                        body.push_str("</tr>\n");
                    }
                    body.push_str("</tbody>\n</table>\n");
                }
                Block::Image { alt, png, .. } => {
                    // Shrunk to fit the window by at most a fifth (type stays readable), and
                    // scrolled sideways beyond that.
                    let least = png_width(png)
                        .map(|width| format!(" style=\"min-width: {}px\"", width * 4 / 5))
                        .unwrap_or_default();
                    body.push_str(&format!(
                        "<figure><img alt=\"{}\"{least} src=\"data:image/png;base64,{}\"><figcaption>{}</figcaption></figure>\n",
                        escape(alt),
                        base64(png),
                        escape(alt)
                    ));
                }
            }
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n\
             <h1>{title}</h1>\n{body}</main>\n</body>\n</html>\n",
            title = escape(&self.title),
        )
    }
}

/// A PNG's width in pixels, from its header (`IHDR`, bytes 16 to 19); `None` if it is not a PNG.
fn png_width(png: &[u8]) -> Option<u32> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return None;
    }
    Some(u32::from_be_bytes([png[16], png[17], png[18], png[19]]))
}

/// The page's styles: readable type, tables with rules, and pictures at their full size (scaled
/// down to fit a narrower window by at most a fifth, never to the few-pixel tick labels of a
/// picture squeezed into the text column): a picture wider than the text column stands out of
/// it, centred on the window, and scrolls sideways in a window narrower still.
const STYLE: &str = "body { margin: 0; background: #ffffff; color: #1a1a1a; \
font-family: 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif; line-height: 1.5; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.8em; margin: 0.4em 0 0.6em; color: #0b3c5d; }
h2 { font-size: 1.35em; margin-top: 1.8em; border-bottom: 2px solid #0072b2; padding-bottom: 4px; }
h3 { font-size: 1.1em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 12px 0 20px; font-size: 0.92em; }
th, td { border: 1px solid #c8c8c8; padding: 5px 9px; vertical-align: top; }
th { background: #e8f1f8; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #f6f6f6; }
figure { margin: 16px 0 28px; width: max-content; max-width: calc(100vw - 32px); position: relative; \
left: 50%; transform: translateX(-50%); overflow-x: auto; }
figure img { display: block; max-width: calc(100vw - 34px); height: auto; border: 1px solid #dddddd; }
figcaption { color: #555555; font-size: 0.9em; margin-top: 4px; }
li { margin: 4px 0; }
.notice { border-left: 6px solid #d55e00; background: #fdf0e6; padding: 10px 14px; margin: 12px 0 20px; }
";

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// Escaped text with `**strong**` spans.
fn inline(text: &str) -> String {
    let mut html = String::new();
    for (index, part) in escape(text).split("**").enumerate() {
        if index % 2 == 1 {
            html.push_str(&format!("<strong>{part}</strong>"));
        } else {
            html.push_str(part);
        }
    }
    html
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let triple = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for position in 0..4 {
            if position <= chunk.len() {
                let index = (triple >> (18 - 6 * position)) & 0x3F;
                encoded.push(char::from(ALPHABET[index as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xFF, 0xFE, 0xFD]), "//79");
    }

    fn sample() -> Document {
        let mut document = Document::new("A <vs> B");
        document.heading(2, "Headline");
        document.paragraph("B is **faster** by 2.5 weeks & cheaper");
        document.notice("Not **settled**");
        document.list(vec!["one".to_string(), "two | three".to_string()]);
        document.table(
            &["measure", "A"],
            vec![vec!["weeks | to help".to_string(), "11.0".to_string()]],
            &[false, true],
        );
        document.image("Time to help", "plots/survival.png", vec![1, 2, 3]);
        document
    }

    #[test]
    fn markdown_has_headings_lists_tables_and_image_links() {
        let markdown = sample().to_markdown();
        assert_eq!(
            markdown,
            "# A <vs> B\n\n## Headline\n\nB is **faster** by 2.5 weeks & cheaper\n\n> Not **settled**\n\n- one\n- two | three\n\n\
             | measure | A |\n| --- | ---: |\n| weeks \\| to help | 11.0 |\n\n\
             ![Time to help](plots/survival.png)\n"
        );
    }

    #[test]
    fn html_is_escaped_self_contained_and_inlines_images() {
        let html = sample().to_html();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>A &lt;vs&gt; B</title>"));
        assert!(html.contains("<p>B is <strong>faster</strong> by 2.5 weeks &amp; cheaper</p>"));
        assert!(html.contains("<td class=\"num\">11.0</td>"));
        assert!(
            html.contains("<p class=\"notice\" role=\"alert\">Not <strong>settled</strong></p>")
        );
        assert!(html.contains("src=\"data:image/png;base64,AQID\""));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(!html.contains("plots/survival.png"), "no file links");
    }
}
