//! Progress through a module, shown as a bar with the same facts in words.

use leptos::prelude::*;

use crate::api::catalogue::ProgressSummary;

#[component]
pub fn ProgressBar(progress: ProgressSummary, #[prop(into)] label: String) -> impl IntoView {
    let text = format!(
        "{} of {} lessons complete",
        progress.completed, progress.total
    );
    view! {
        <div class="progress">
            <progress
                max=progress.total.max(1).to_string()
                value=progress.completed.to_string()
                aria-label=label
            >
                {format!("{}%", progress.percent())}
            </progress>
            <p class="progress__text">{text}</p>
        </div>
    }
}
