//! The catalogue: every module, with the learner's progress where enrolled.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::catalogue::{ModuleCard, list_modules};
use crate::components::{error_view::ErrorView, progress_bar::ProgressBar};
use crate::pages::hours;

/// One module in a list, linking to its page; shared with "My learning".
#[component]
pub fn ModuleCardView(card: ModuleCard, #[prop(optional)] show_continue: bool) -> impl IntoView {
    let href = format!("/modules/{}", card.slug);
    let label = format!("Progress in {}", card.title);
    let continue_link = card
        .progress
        .as_ref()
        .and_then(|p| p.next_lesson.clone())
        .filter(|_| show_continue)
        .map(|next| {
            let href = format!("/modules/{}/lessons/{}", card.slug, next.slug);
            view! {
                <p class="card__continue">
                    <A href=href>{format!("Continue where you left off: {}", next.title)}</A>
                </p>
            }
        });
    let finished = card
        .progress
        .as_ref()
        .is_some_and(|p| p.total > 0 && p.completed == p.total);
    view! {
        <li class="card">
            <h2 class="card__title"><A href=href>{card.title.clone()}</A></h2>
            <p class="card__summary">{card.summary.clone()}</p>
            <p class="card__meta">
                {format!("{} lessons · about {} · {} CPD", card.lesson_count, hours(card.estimated_hours), hours(card.cpd_hours))}
            </p>
            {card.progress.clone().map(|p| view! { <ProgressBar progress=p label=label/> })}
            {finished.then(|| view! { <p class="card__done">"All lessons complete"</p> })}
            {continue_link}
        </li>
    }
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    let modules = Resource::new(|| (), |_| list_modules());
    view! {
        <Title text="Catalogue"/>
        <h1>"Catalogue"</h1>
        <p class="lead">
            "Modules for clinicians stepping into digital and informatics leadership: methods, service management, "
            "how the NHS works, coding basics and leading change."
        </p>
        <Suspense fallback=|| view! { <p>"Loading modules…"</p> }>
            {move || Suspend::new(async move {
                match modules.await {
                    Ok(cards) if cards.is_empty() => view! {
                        <p>"No modules are published yet."</p>
                    }.into_any(),
                    Ok(cards) => view! {
                        <ul class="card-list">
                            {cards.into_iter().map(|card| view! { <ModuleCardView card=card/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
