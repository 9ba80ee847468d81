//! The little Markdown that lesson texts use, as HTML: paragraphs, `- `
//! lists, `**bold**`, `*emphasis*` and `` `code` ``. Text is never parsed as
//! HTML, so a lesson cannot inject markup.

use yew::prelude::*;

/// A block of Markdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    List(Vec<Vec<Inline>>),
}

/// A run of text with one style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(String),
    Emphasis(String),
    Code(String),
}

/// Splits Markdown into blocks: blank lines end paragraphs; lines starting
/// with `- ` are list items.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let flush_paragraph = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(inlines(&paragraph.join(" "))));
            paragraph.clear();
        }
    };
    let flush_list = |items: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if !items.is_empty() {
            blocks.push(Block::List(items.iter().map(|i| inlines(i)).collect()));
            items.clear();
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if let Some(item) = line.strip_prefix("- ") {
            flush_paragraph(&mut paragraph, &mut blocks);
            items.push(item.to_owned());
        } else if line.is_empty() {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut items, &mut blocks);
        } else if let Some(last) = items.last_mut().filter(|_| paragraph.is_empty()) {
            // A list item continued on the next line.
            last.push(' ');
            last.push_str(line);
        } else {
            paragraph.push(line);
        }
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    flush_list(&mut items, &mut blocks);
    blocks
}

/// Splits a line into styled runs. An unclosed marker is plain text.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let marker = if rest.starts_with("**") {
            Some("**")
        } else if c == '*' {
            Some("*")
        } else if c == '`' {
            Some("`")
        } else {
            None
        };
        if let Some(marker) = marker
            && let Some(end) = rest[marker.len()..].find(marker)
            && end > 0
        {
            let inner = rest[marker.len()..marker.len() + end].to_owned();
            if !plain.is_empty() {
                out.push(Inline::Text(std::mem::take(&mut plain)));
            }
            out.push(match marker {
                "**" => Inline::Strong(inner),
                "*" => Inline::Emphasis(inner),
                _ => Inline::Code(inner),
            });
            rest = &rest[2 * marker.len() + end..];
            continue;
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// Markdown as HTML.
pub fn render(text: &str) -> Html {
    parse(text)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(runs) => html! { <p>{ render_inlines(runs) }</p> },
            Block::List(items) => html! {
                <ul>{ for items.into_iter().map(|i| html! { <li>{ render_inlines(i) }</li> }) }</ul>
            },
        })
        .collect()
}

fn render_inlines(runs: Vec<Inline>) -> Html {
    runs.into_iter()
        .map(|run| match run {
            Inline::Text(t) => html! { { t } },
            Inline::Strong(t) => html! { <strong>{ t }</strong> },
            Inline::Emphasis(t) => html! { <em>{ t }</em> },
            Inline::Code(t) => html! { <code>{ t }</code> },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Inline::*;

    #[test]
    fn paragraphs_lists_and_styles() {
        let blocks = parse(
            "A **leader** renews\nevery `2s`.\n\n- one *item*\n  continued\n- two\n\nEnd <b>not html</b>",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    Text("A ".into()),
                    Strong("leader".into()),
                    Text(" renews every ".into()),
                    Code("2s".into()),
                    Text(".".into()),
                ]),
                Block::List(vec![
                    vec![
                        Text("one ".into()),
                        Emphasis("item".into()),
                        Text(" continued".into())
                    ],
                    vec![Text("two".into())],
                ]),
                Block::Paragraph(vec![Text("End <b>not html</b>".into())]),
            ]
        );
    }

    #[test]
    fn unclosed_markers_stay_text() {
        assert_eq!(
            inlines("2 * 3 = 6 and `x"),
            vec![Text("2 * 3 = 6 and `x".into())]
        );
        assert_eq!(inlines("**"), vec![Text("**".into())]);
    }
}
