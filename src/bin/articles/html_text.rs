//! A feed item's HTML as paragraphs of plain text, for the article format (one paragraph a
//! line): parsed by html5ever (through scraper) as a browser would parse it, so entities are
//! decoded and broken markup is repaired the standard way; then the tree is walked, each block
//! element ending a paragraph. Scripts, styles, embedded documents and every tag or attribute
//! are dropped: only text reaches the article.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// Elements whose content is not text a reader sees: scripts, styles, templates, embedded
/// objects and drawings, form controls' option lists.
const SKIPPED: [&str; 14] = [
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
    "canvas", "select", "head", "title", "textarea",
];

/// Elements that start and end a paragraph of their own (HTML's block elements and the
/// ones that break a line).
const BLOCKS: [&str; 38] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
];

/// The paragraphs of `html`, in order: each trimmed, its runs of HTML white space (space, tab,
/// line feeds) one space, and none empty. Inside `<pre>` each line is a paragraph. Table cells
/// of a row are joined by a space.
pub fn paragraphs(html: &str) -> Vec<String> {
    let document = Html::parse_fragment(html);
    let mut out = Paragraphs::default();
    // Depth inside skipped elements, and inside <pre>: the walk is an iterator, not a
    // recursion, so deeply nested markup cannot exhaust the stack.
    let mut skipping = 0usize;
    let mut pre = 0usize;
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(element) => {
                    let name = element.name();
                    if skipping > 0 || SKIPPED.contains(&name) {
                        skipping += 1;
                    } else if BLOCKS.contains(&name) {
                        out.end();
                        pre += usize::from(name == "pre");
                    } else if name == "td" || name == "th" {
                        out.space();
                    }
                }
                Node::Text(text) if skipping == 0 => {
                    if pre > 0 {
                        let mut lines = text.split('\n');
                        if let Some(first) = lines.next() {
                            out.push(first);
                        }
                        for line in lines {
                            out.end();
                            out.push(line);
                        }
                    } else {
                        out.push(text);
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(element) = node.value() {
                    let name = element.name();
                    if skipping > 0 {
                        skipping -= 1;
                    } else if BLOCKS.contains(&name) {
                        out.end();
                        pre -= usize::from(name == "pre");
                    }
                }
            }
        }
    }
    out.end();
    out.done
}

/// Plain text (a feed's `type="text"`) as paragraphs: one per non-blank line, white space
/// collapsed as in [`paragraphs`].
pub fn text_paragraphs(text: &str) -> Vec<String> {
    let mut out = Paragraphs::default();
    for line in text.lines() {
        out.push(line);
        out.end();
    }
    out.done
}

/// Paragraphs being collected.
#[derive(Default)]
struct Paragraphs {
    done: Vec<String>,
    current: String,
}

impl Paragraphs {
    /// Adds text to the current paragraph, each run of white space (and control character)
    /// one space. A no-break space is kept: it is part of the text, not its layout.
    fn push(&mut self, text: &str) {
        for c in text.chars() {
            if c.is_ascii_whitespace() || c.is_control() {
                self.space();
            } else {
                self.current.push(c);
            }
        }
    }

    fn space(&mut self) {
        if !self.current.is_empty() && !self.current.ends_with(' ') {
            self.current.push(' ');
        }
    }

    /// Ends the current paragraph, if it has any text.
    fn end(&mut self) {
        let paragraph = self.current.trim();
        if !paragraph.is_empty() {
            self.done.push(paragraph.to_owned());
        }
        self.current.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_paragraphs_of_text() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&str])] = &[
            ("<p>One.</p><p>Two.</p>", &["One.", "Two."]),
            ("Loose text<p>then a paragraph</p>after", &["Loose text", "then a paragraph", "after"]),
            ("<p>A <b>bold</b> <i>and <em>nested</em></i> word.</p>", &["A bold and nested word."]),
            ("<div><div><p>Deep</p></div>Tail</div>", &["Deep", "Tail"]),
            ("Fish &amp; chips &lt;b&gt; &#8220;quoted&#8221; &eacute;t&eacute;", &["Fish & chips <b> “quoted” été"]),
            ("&amp;lt;script&amp;gt;", &["&lt;script&gt;"]),
            ("<p>Before<script>alert(1)</script> after</p>", &["Before after"]),
            ("<style>p { color: red }</style><p>Styled</p>", &["Styled"]),
            ("<p>x<iframe src=\"javascript:alert(1)\">inside</iframe>y</p>", &["xy"]),
            ("<p>Image <img src=x onerror=\"alert(1)\" alt=\"alt\"> here</p>", &["Image here"]),
            ("<a href=\"javascript:alert(1)\">A link</a> stays text", &["A link stays text"]),
            ("Line one<br>line two<br/><br>line three", &["Line one", "line two", "line three"]),
            ("<ul><li>First</li><li>Second <b>item</b></li></ul>", &["First", "Second item"]),
            ("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>", &["a b", "c"]),
            ("<pre>code  line\n  second</pre>", &["code line", "second"]),
            ("  spaced \n\t out\u{a0}here  ", &["spaced out\u{a0}here"]),
            ("<p></p><p>   </p><div><br></div>", &[]),
            ("<p>Unclosed <b>bold<p>next", &["Unclosed bold", "next"]),
            ("</p><p>Broken out?", &["Broken out?"]),
            ("<!-- a comment --><p>After</p>", &["After"]),
            ("<![CDATA[not cdata in html]]>text", &["text"]),
            ("<h2>Heading</h2>Body", &["Heading", "Body"]),
            ("<svg><text>drawn</text></svg>shown", &["shown"]),
            ("<noscript><img src=x></noscript>ok", &["ok"]),
            ("a\u{0}b\u{7}c", &["ab c"]),
        ];
        for (html, want) in cases {
            assert_eq!(paragraphs(html), *want, "{html:?}");
        }
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        let html = "<div>".repeat(5_000) + "deep" + &"</div>".repeat(5_000);
        assert_eq!(paragraphs(&html), ["deep"]);
    }

    #[test]
    fn plain_text_keeps_its_lines() {
        assert_eq!(
            text_paragraphs("One\n\n  two  words \r\nthree"),
            ["One", "two words", "three"]
        );
    }
}
