//! A deliberately small markdown subset for annotations: paragraphs, `- ` list items,
//! `**bold**`, `*italic*` and `` `code` ``. The output is text runs, never HTML; the view renders
//! each run as a text node, so `<script>` in a note stays the eleven characters it is.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Inline {
    Text(String),
    Strong(String),
    Emphasis(String),
    Code(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Block {
    Paragraph(Vec<Inline>),
    List(Vec<Vec<Inline>>),
}

/// Parses `text` into blocks. Unclosed markers are kept as literal characters.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut items: Vec<Vec<Inline>> = Vec::new();
    let flush_paragraph = |p: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !p.is_empty() {
            blocks.push(Block::Paragraph(inline(&p.join(" "))));
            p.clear();
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            flush_paragraph(&mut paragraph, &mut blocks);
            items.push(inline(item.trim()));
        } else if trimmed.is_empty() {
            flush_paragraph(&mut paragraph, &mut blocks);
            if !items.is_empty() {
                blocks.push(Block::List(std::mem::take(&mut items)));
            }
        } else {
            if !items.is_empty() {
                blocks.push(Block::List(std::mem::take(&mut items)));
            }
            paragraph.push(trimmed);
        }
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    if !items.is_empty() {
        blocks.push(Block::List(items));
    }
    blocks
}

/// Inline runs of one line or paragraph.
pub fn inline(s: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        let marker = [("**", 0u8), ("`", 1), ("*", 2)]
            .into_iter()
            .find(|(m, _)| rest.starts_with(m));
        if let Some((m, kind)) = marker {
            let body = &rest[m.len()..];
            if let Some(end) = body.find(m).filter(|&e| e > 0) {
                if !text.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut text)));
                }
                let inner = body[..end].to_string();
                out.push(match kind {
                    0 => Inline::Strong(inner),
                    1 => Inline::Code(inner),
                    _ => Inline::Emphasis(inner),
                });
                rest = &body[end + m.len()..];
                continue;
            }
        }
        let ch = rest.chars().next().unwrap_or(' ');
        text.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    if !text.is_empty() {
        out.push(Inline::Text(text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Inline::*;

    #[test]
    fn emphasis_code_and_lists() {
        let blocks = parse(
            "Energised **16 MW** for the *tenant* (`PDU-4`)\n\n- cooling done\n- network next",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    Text("Energised ".into()),
                    Strong("16 MW".into()),
                    Text(" for the ".into()),
                    Emphasis("tenant".into()),
                    Text(" (".into()),
                    Code("PDU-4".into()),
                    Text(")".into()),
                ]),
                Block::List(vec![
                    vec![Text("cooling done".into())],
                    vec![Text("network next".into())]
                ]),
            ]
        );
    }

    #[test]
    fn markup_stays_text_and_unclosed_markers_are_literal() {
        assert_eq!(
            parse("<script>alert('x')</script> 2*3"),
            vec![Block::Paragraph(vec![Text(
                "<script>alert('x')</script> 2*3".into()
            )])]
        );
        assert_eq!(inline("a ** b"), vec![Text("a ** b".into())]);
        assert_eq!(inline("ü*é*"), vec![Text("ü".into()), Emphasis("é".into())]);
    }
}
