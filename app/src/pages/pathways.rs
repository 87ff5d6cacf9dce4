//! Pathways: the curriculum's routes through several modules, each with the learner's progress.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::pathways::{PathwayProgress, PathwaySummary, list_pathways};
use crate::components::error_view::ErrorView;
use crate::components::progress_bar::ProgressMeter;
use crate::pages::hours;

/// Progress through a pathway's required modules, as a bar with the same facts in words.
#[component]
pub fn PathwayProgressView(
    progress: PathwayProgress,
    #[prop(into)] label: String,
) -> impl IntoView {
    let done = progress.total > 0 && progress.completed == progress.total;
    view! {
        <ProgressMeter
            completed=progress.completed
            total=progress.total
            label=label
            text=format!("{} of {} required modules complete", progress.completed, progress.total)
        />
        {done.then(|| view! { <p class="card__done">"Pathway complete"</p> })}
        {progress.next.map(|next| view! {
            <p class="card__continue"><A href=next.href>{format!("Next: {}", next.label)}</A></p>
        })}
    }
}

/// One pathway in a list, linking to its page; shared with "My learning".
#[component]
pub fn PathwayCard(
    pathway: PathwaySummary,
    /// Under a section heading of its own: the card's title is then a level-3 heading.
    #[prop(optional)]
    nested: bool,
) -> impl IntoView {
    let label = format!("Progress in the pathway {}", pathway.title);
    let optional = match pathway.optional_modules {
        0 => String::new(),
        n => format!(" (and {n} optional)"),
    };
    view! {
        <li class="card card--pathway">
            {
                let href = format!("/pathways/{}", pathway.slug);
                if nested {
                    view! { <h3 class="card__title"><A href=href>{pathway.title.clone()}</A></h3> }.into_any()
                } else {
                    view! { <h2 class="card__title"><A href=href>{pathway.title.clone()}</A></h2> }.into_any()
                }
            }
            <p class="card__summary">{pathway.summary.clone()}</p>
            <p class="card__meta">
                {format!(
                    "{} {}{optional} · about {}",
                    pathway.required_modules,
                    if pathway.required_modules == 1 { "module" } else { "modules" },
                    hours(pathway.required_hours)
                )}
            </p>
            {pathway.progress.map(|p| view! { <PathwayProgressView progress=p label=label/> })}
        </li>
    }
}

#[component]
pub fn PathwaysPage() -> impl IntoView {
    let pathways = Resource::new(|| (), |_| list_pathways());
    view! {
        <Title text="Pathways"/>
        <h1>"Pathways"</h1>
        <p class="lead">
            "A pathway is a route through several modules in the order to take them, with what the whole adds up to. "
            "Start with the one that fits your role."
        </p>
        <Suspense fallback=|| view! { <p>"Loading pathways…"</p> }>
            {move || Suspend::new(async move {
                match pathways.await {
                    Ok(list) if list.is_empty() => view! { <p>"No pathways are published yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="card-list">
                            {list.into_iter().map(|p| view! { <PathwayCard pathway=p/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
