//! Renders an annotation's text: the markdown subset of `model::timeline::markdown`, every run a text
//! node. Nothing here sets inner HTML, so markup in a note is shown, never executed.

use leptos::prelude::*;

use crate::model::timeline::markdown::{parse, Block, Inline};

fn inline_view(runs: Vec<Inline>) -> impl IntoView {
    runs.into_iter()
        .map(|run| match run {
            Inline::Text(t) => view! { <span>{t}</span> }.into_any(),
            Inline::Strong(t) => view! { <strong>{t}</strong> }.into_any(),
            Inline::Emphasis(t) => view! { <em>{t}</em> }.into_any(),
            Inline::Code(t) => view! { <code>{t}</code> }.into_any(),
        })
        .collect_view()
}

#[component]
pub fn NoteText(text: String) -> impl IntoView {
    view! {
        <div class="note-text">
            {parse(&text)
                .into_iter()
                .map(|block| match block {
                    Block::Paragraph(runs) => view! { <p>{inline_view(runs)}</p> }.into_any(),
                    Block::List(items) => view! {
                        <ul>{items.into_iter().map(|i| view! { <li>{inline_view(i)}</li> }).collect_view()}</ul>
                    }
                    .into_any(),
                })
                .collect_view()}
        </div>
    }
}
