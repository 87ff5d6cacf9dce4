//! Progress through a module, shown as a bar with the same facts in words.

use leptos::prelude::*;

use crate::api::catalogue::ProgressSummary;

#[component]
pub fn ProgressBar(progress: ProgressSummary, #[prop(into)] label: String) -> impl IntoView {
    let text = format!(
        "{} of {} lessons complete",
        progress.completed, progress.total
    );
    view! { <ProgressMeter completed=progress.completed total=progress.total label=label text=text/> }
}

/// `completed` of `total` as a bar (named by `label` for screen readers) with `text` saying the same in
/// words: the one look of progress, for a module's lessons or a pathway's modules.
#[component]
pub fn ProgressMeter(
    completed: u32,
    total: u32,
    #[prop(into)] label: String,
    #[prop(into)] text: String,
) -> impl IntoView {
    let percent = (completed * 100).checked_div(total).unwrap_or(0);
    view! {
        <div class="progress">
            <progress max=total.max(1).to_string() value=completed.to_string() aria-label=label>
                {format!("{percent}%")}
            </progress>
            <p class="progress__text">{text}</p>
        </div>
    }
}
