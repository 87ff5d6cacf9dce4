//! Markdown to safe HTML: one configured renderer for lessons, previews and anything else authored.
//!
//! Rendering happens on the server only, once per content hash. Internal links are rewritten from the
//! authoring scheme (`lesson:slug`, `lesson:module/slug`, `#anchor`) to site addresses and reported back so
//! the loader can check them; headings get stable anchors.
//!
//! Safe by construction, and sanitised when it cannot be: every construct that could carry markup or a
//! script (raw HTML, a link or image address outside the allowed schemes) is a problem the author must fix,
//! and the attributes Markdown extensions add (heading classes and attributes, table cell alignment) are
//! dropped, so a body with no problem is made only of pulldown-cmark's escaped output of allowed tags.
//! Only a body with problems (seen in the editor's preview before it can be published) goes through
//! ammonia's sanitiser as well. Sanitising every lesson took about a quarter of the time `check` spent on
//! a large library (BENCHMARKS.md); the property test in `tests/suite/properties.rs` holds both paths to the same allow-list.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;
use std::sync::LazyLock;

use super::slug::{heading_anchor, is_valid_slug};

/// The single place pulldown-cmark's extensions are chosen, so every renderer agrees.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// For bodies with problems only (see the module's doc): exactly the tags and attributes the renderer itself
/// produces, and nothing else.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags([
            "p",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "ul",
            "ol",
            "li",
            "blockquote",
            "pre",
            "code",
            "em",
            "strong",
            "del",
            "a",
            "img",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "sup",
            "div",
            "br",
            "hr",
        ])
        .generic_attributes(std::collections::HashSet::new())
        .tag_attributes(std::collections::HashMap::new())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(None);
    for heading in ["h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(heading, ["id"]);
    }
    builder
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("img", ["src", "alt", "title"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("sup", ["class"])
        .add_tag_attributes("div", ["class", "id"]);
    builder
});

/// A link to another lesson or heading, to be checked once every lesson is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    /// Byte offset of the link in the Markdown source.
    pub offset: usize,
    /// The destination as the author wrote it, for messages.
    pub written: String,
    pub module: String,
    pub lesson: String,
    pub anchor: Option<String>,
}

/// The result of rendering one Markdown body.
#[derive(Debug, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    /// Anchors of the body's headings, for checking `#anchor` links.
    pub anchors: HashSet<String>,
    /// Links to lessons (in this module or another), not yet checked.
    pub lesson_links: Vec<InternalLink>,
    /// `#anchor` links within this body, not yet checked.
    pub anchor_links: Vec<(usize, String)>,
    /// Problems found while rendering: byte offset in the source and message.
    pub problems: Vec<(usize, String)>,
    /// Words of prose (code blocks excluded).
    pub word_count: usize,
    /// The body's words as plain text (code included, markup gone), for the catalogue's full-text search.
    pub text: String,
}

enum Destination {
    Web,
    Lesson {
        module: String,
        lesson: String,
        anchor: Option<String>,
    },
    Anchor(String),
    Invalid(String),
}

fn classify(dest: &str, this_module: &str) -> Destination {
    if dest.starts_with("https://") || dest.starts_with("http://") || dest.starts_with("mailto:") {
        return Destination::Web;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Destination::Anchor(anchor.to_owned());
    }
    if let Some(target) = dest.strip_prefix("lesson:") {
        let (path, anchor) = match target.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor.to_owned())),
            None => (target, None),
        };
        let (module, lesson) = match path.split_once('/') {
            Some((module, lesson)) => (module, lesson),
            None => (this_module, path),
        };
        if !is_valid_slug(module) || !is_valid_slug(lesson) {
            return Destination::Invalid(format!(
                "malformed lesson link `{dest}`: write `lesson:slug` or `lesson:module/slug`, optionally followed by `#anchor`"
            ));
        }
        return Destination::Lesson {
            module: module.to_owned(),
            lesson: lesson.to_owned(),
            anchor,
        };
    }
    Destination::Invalid(format!(
        "link `{dest}` would break: use `lesson:slug` for another lesson, `#anchor` for a heading, or a full https:// address"
    ))
}

/// The largest Markdown body rendered, the same as the largest file a module may hold: a lesson is a few
/// thousand words, and every byte of Markdown costs parsing and sanitising time.
pub const MAX_MARKDOWN_BYTES: usize = 1024 * 1024;

/// The deepest nesting of block quotes and lists rendered. Parsing and sanitising deeply nested blocks takes
/// time that grows with the square of the depth (10,000 nested quotes took seconds, 50,000 half a minute),
/// and no lesson needs more than a handful of levels.
pub const MAX_NESTING: usize = 32;

/// Why a body will not be rendered at all: too large, or blocks nested too deeply. The offset points at the
/// first byte over the limit, so the message can name its line and column.
pub fn refuse_unbounded(source: &str) -> Option<(usize, String)> {
    if source.len() > MAX_MARKDOWN_BYTES {
        return Some((
            MAX_MARKDOWN_BYTES,
            format!(
                "this text is {} KiB; the limit is {} KiB: split it into several lessons",
                source.len() / 1024,
                MAX_MARKDOWN_BYTES / 1024
            ),
        ));
    }
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        if let Some(column) = over_deep_prefix(line) {
            return Some((line_start + column, too_deep()));
        }
        line_start += line.len();
    }
    None
}

fn too_deep() -> String {
    format!(
        "block quotes and lists are nested more than {MAX_NESTING} levels deep here: flatten them"
    )
}

/// The byte offset, within one line, of the container marker (`>`, `-`, `*`, `+`, `1.`, `1)`) that takes
/// the line's nesting past [`MAX_NESTING`], if any. Deep nesting written on one line costs little input, so
/// it is caught before parsing; nesting by indentation needs input that grows with the square of the depth,
/// and is caught after parsing instead.
fn over_deep_prefix(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut at = 0;
    let mut depth = 0;
    loop {
        while at < bytes.len() && (bytes[at] == b' ' || bytes[at] == b'\t') {
            at += 1;
        }
        let marker_end = match bytes.get(at) {
            Some(b'>') => at + 1,
            Some(b'-' | b'*' | b'+')
                if matches!(bytes.get(at + 1), Some(b' ' | b'\t' | b'\n' | b'\r') | None) =>
            {
                at + 1
            }
            Some(b'0'..=b'9') => {
                let digits = bytes[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                match bytes.get(at + digits) {
                    Some(b'.' | b')') if digits <= 9 => at + digits + 1,
                    _ => return None,
                }
            }
            _ => return None,
        };
        depth += 1;
        if depth > MAX_NESTING {
            return Some(at);
        }
        at = marker_end;
    }
}

/// Renders a Markdown body belonging to `module_slug` (used to resolve `lesson:slug` links).
///
/// A body over [`MAX_MARKDOWN_BYTES`] or nested past [`MAX_NESTING`] is not rendered: the result holds only
/// the problem, so rendering always takes bounded time whatever a course lead pastes into the editor.
pub fn render_markdown(source: &str, module_slug: &str) -> RenderedMarkdown {
    let mut out = RenderedMarkdown::default();
    if let Some(problem) = refuse_unbounded(source) {
        out.problems.push(problem);
        return out;
    }
    let mut depth = 0usize;
    let mut events: Vec<Event<'_>> = Vec::new();
    // A heading's events are held back until its text is known, so its anchor can go on its opening tag.
    let mut heading: Option<(Tag<'_>, Vec<Event<'_>>, String)> = None;
    let mut in_code_block = false;

    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        let block_boundary = matches!(
            &event,
            Event::End(
                TagEnd::Paragraph
                    | TagEnd::Heading(_)
                    | TagEnd::Item
                    | TagEnd::BlockQuote(_)
                    | TagEnd::CodeBlock
                    | TagEnd::TableCell
                    | TagEnd::FootnoteDefinition
            ) | Event::SoftBreak
                | Event::HardBreak
                | Event::Rule
        );
        if block_boundary && !out.text.ends_with(char::is_whitespace) {
            out.text.push(' ');
        }
        match &event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return RenderedMarkdown {
                        problems: vec![(range.start, too_deep())],
                        ..RenderedMarkdown::default()
                    };
                }
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => depth = depth.saturating_sub(1),
            _ => {}
        }
        let event = match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => {
                out.problems.push((
                    range.start,
                    "use `##` for sections: the lesson title is the page's only level-1 heading"
                        .to_owned(),
                ));
                continue;
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => continue,
            Event::Start(tag @ Tag::Heading { .. }) => {
                heading = Some((tag, Vec::new(), String::new()));
                continue;
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((Tag::Heading { id, .. }, inner, text)) = heading.take() {
                    let mut anchor = id.map_or_else(|| heading_anchor(&text), |id| id.to_string());
                    if out.anchors.contains(&anchor) {
                        let mut n = 1;
                        while out.anchors.contains(&format!("{anchor}-{n}")) {
                            n += 1;
                        }
                        anchor = format!("{anchor}-{n}");
                    }
                    out.anchors.insert(anchor.clone());
                    // Classes and attributes (`{.class key=value}`) are not for authors to set.
                    events.push(Event::Start(Tag::Heading {
                        level,
                        id: Some(CowStr::from(anchor)),
                        classes: Vec::new(),
                        attrs: Vec::new(),
                    }));
                    events.extend(inner);
                    events.push(Event::End(TagEnd::Heading(level)));
                }
                continue;
            }
            // Column alignment would be an inline `style`, which the site's CSP does not allow.
            Event::Start(Tag::Table(columns)) => Event::Start(Tag::Table(vec![
                    pulldown_cmark::Alignment::None;
                    columns.len()
                ])),
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                Event::Start(Tag::CodeBlock(kind))
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                Event::End(TagEnd::CodeBlock)
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                out.problems.push((
                    range.start,
                    "raw HTML is not allowed in lessons: write Markdown instead".to_owned(),
                ));
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match classify(&dest_url, module_slug) {
                    Destination::Web => dest_url,
                    Destination::Anchor(anchor) => {
                        out.anchor_links.push((range.start, anchor));
                        dest_url
                    }
                    Destination::Lesson {
                        module,
                        lesson,
                        anchor,
                    } => {
                        let href = match &anchor {
                            Some(anchor) => format!("/modules/{module}/lessons/{lesson}#{anchor}"),
                            None => format!("/modules/{module}/lessons/{lesson}"),
                        };
                        out.lesson_links.push(InternalLink {
                            offset: range.start,
                            written: dest_url.to_string(),
                            module,
                            lesson,
                            anchor,
                        });
                        CowStr::from(href)
                    }
                    Destination::Invalid(message) => {
                        out.problems.push((range.start, message));
                        dest_url
                    }
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if !dest_url.starts_with("https://") {
                    out.problems.push((
                        range.start,
                        format!("image `{dest_url}` must be a full https:// address"),
                    ));
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            other => other,
        };
        if let Event::Text(text) | Event::Code(text) = &event {
            if !in_code_block {
                out.word_count += text.split_whitespace().count();
            }
            out.text.push_str(text);
            if let Some((_, _, heading_text)) = heading.as_mut() {
                heading_text.push_str(text);
            }
        }
        match heading.as_mut() {
            Some((_, inner, _)) => inner.push(event),
            None => events.push(event),
        }
    }

    let mut html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut html, events.into_iter());
    if !out.problems.is_empty() {
        html = SANITISER.clean(&html).to_string();
    }
    // A code block wider than the page scrolls sideways; `tabindex` lets keyboard users scroll it too
    // (WCAG 2.1.1). Any `<pre>` in the text itself is escaped, so this finds only real code blocks.
    out.html = html.replace("<pre>", "<pre tabindex=\"0\">");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_anchors_and_the_html_is_sanitised() {
        let rendered = render_markdown("## The hazard log\n\nText [x](javascript:alert(1))\n", "m");
        assert!(
            rendered
                .html
                .contains(r#"<h2 id="the-hazard-log">The hazard log</h2>"#),
            "{}",
            rendered.html
        );
        assert!(!rendered.html.contains("javascript:"), "{}", rendered.html);
        assert!(rendered.anchors.contains("the-hazard-log"));
    }

    /// Each extension adds markup to lessons that are not sanitised: turning one on needs the allow-list
    /// (here, in the sanitiser and in `tests/suite/properties.rs`) looked at again.
    #[test]
    fn the_markdown_extensions_are_exactly_those_the_allow_list_was_made_for() {
        assert_eq!(
            options(),
            Options::ENABLE_TABLES
                | Options::ENABLE_FOOTNOTES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_SMART_PUNCTUATION
                | Options::ENABLE_HEADING_ATTRIBUTES
        );
    }

    #[test]
    fn a_clean_body_keeps_no_attribute_an_author_added() {
        let rendered = render_markdown(
            "## Risks {#risks .big onclick=alert(1) style=color:red}\n\n| a | b |\n|:-|-:|\n| c | d |\n",
            "m",
        );
        assert!(rendered.problems.is_empty(), "{:?}", rendered.problems);
        assert!(
            rendered.html.starts_with(r#"<h2 id="risks">Risks</h2>"#),
            "{}",
            rendered.html
        );
        assert!(!rendered.html.contains("style"), "{}", rendered.html);
        assert!(!rendered.html.contains("onclick"), "{}", rendered.html);
        assert!(rendered.html.contains("<th>a</th>"), "{}", rendered.html);
    }

    #[test]
    fn lesson_links_are_rewritten_to_site_addresses_and_reported() {
        let rendered = render_markdown(
            "See [a](lesson:stages#tolerance) and [b](lesson:msp/tranches).",
            "prince2",
        );
        assert!(
            rendered
                .html
                .contains(r#"href="/modules/prince2/lessons/stages#tolerance""#),
            "{}",
            rendered.html
        );
        assert!(
            rendered
                .html
                .contains(r#"href="/modules/msp/lessons/tranches""#),
            "{}",
            rendered.html
        );
        assert_eq!(rendered.lesson_links.len(), 2);
        assert_eq!(
            rendered.lesson_links[0].anchor.as_deref(),
            Some("tolerance")
        );
        assert_eq!(rendered.lesson_links[1].module, "msp");
    }

    #[test]
    fn relative_links_raw_html_and_level_one_headings_are_problems() {
        let rendered = render_markdown("# Title\n\n[x](other.md)\n\n<div>hi</div>\n", "m");
        let messages: Vec<_> = rendered.problems.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("use `##` for sections"));
        assert!(messages[1].starts_with("link `other.md` would break"));
        assert!(messages[2].starts_with("raw HTML is not allowed"));
    }

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_markup() {
        let rendered = render_markdown(
            "## Hazard log\n\nA *clinical* [safety](https://example.org) case.\nNext line `code`.\n\n- one\n- two\n",
            "m",
        );
        assert_eq!(
            rendered.text.trim_end(),
            "Hazard log A clinical safety case. Next line code. one two"
        );
    }

    #[test]
    fn duplicate_headings_get_distinct_anchors() {
        let rendered = render_markdown("## Notes\n\n## Notes\n", "m");
        assert!(rendered.anchors.contains("notes") && rendered.anchors.contains("notes-1"));
    }

    #[test]
    fn code_blocks_can_be_scrolled_from_the_keyboard() {
        let rendered = render_markdown(
            "```python\nprint('hello')\n```\n\nText with `<pre>` in it.",
            "m",
        );
        assert!(
            rendered.html.contains("<pre tabindex=\"0\"><code"),
            "{}",
            rendered.html
        );
        assert!(rendered.html.contains("&lt;pre&gt;"), "{}", rendered.html);
    }

    #[test]
    fn deep_nesting_is_refused_at_the_marker_that_goes_too_deep() {
        let quotes = format!("Intro\n\n{}deep\n", ">".repeat(50_000));
        let rendered = render_markdown(&quotes, "m");
        assert!(rendered.html.is_empty());
        assert_eq!(rendered.problems.len(), 1);
        // Line 3, at the 33rd `>`: offset of the line plus 32 markers.
        assert_eq!(rendered.problems[0].0, "Intro\n\n".len() + MAX_NESTING);
        assert!(
            rendered.problems[0]
                .1
                .contains("nested more than 32 levels")
        );

        let lists = format!("{}item\n", "- ".repeat(40));
        assert_eq!(render_markdown(&lists, "m").problems[0].0, 2 * MAX_NESTING);

        let mut indented = String::new();
        for level in 0..40 {
            indented.push_str(&format!("{}- level {level}\n", "  ".repeat(level)));
        }
        let rendered = render_markdown(&indented, "m");
        assert!(rendered.html.is_empty());
        assert!(rendered.problems[0].1.contains("nested more than"));
    }

    #[test]
    fn ordinary_nesting_and_look_alikes_render() {
        let source = "> quote\n> > reply\n\n- a\n  - b\n    1. c\n\n-5 degrees and 2024. A year.\n";
        let rendered = render_markdown(source, "m");
        assert!(rendered.problems.is_empty(), "{:?}", rendered.problems);
        assert!(rendered.html.contains("<blockquote>"));
        assert!(rendered.html.contains("-5 degrees"));
        let at_the_limit = format!("{}deep\n", "> ".repeat(MAX_NESTING));
        assert!(render_markdown(&at_the_limit, "m").problems.is_empty());
    }

    #[test]
    fn oversized_text_is_refused_without_rendering() {
        let huge = "word ".repeat(MAX_MARKDOWN_BYTES / 5 + 1);
        let rendered = render_markdown(&huge, "m");
        assert!(rendered.html.is_empty());
        assert!(rendered.problems[0].1.contains("the limit is 1024 KiB"));
    }

    #[test]
    fn word_count_excludes_code_blocks() {
        let rendered = render_markdown("One two three.\n\n```python\nx = 1 + 2 + 3\n```\n", "m");
        assert_eq!(rendered.word_count, 3);
    }
}
