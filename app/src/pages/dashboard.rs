//! "My learning": the learner's modules, progress and where to continue.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::cohorts::{LeaveCohort, my_cohorts};
use crate::api::pathways::list_pathways;
use crate::api::progress::my_learning;
use crate::components::error_view::ErrorView;
use crate::pages::catalogue::ModuleCardView;
use crate::pages::pathways::PathwayCard;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let modules = Resource::new(|| (), |_| my_learning());
    let pathways = Resource::new(|| (), |_| list_pathways());
    let leave = ServerAction::<LeaveCohort>::new();
    let cohorts = Resource::new(move || leave.version().get(), |_| my_cohorts());
    view! {
        <Title text="My learning"/>
        <h1>"My learning"</h1>
        <p>"Not sure where to start? " <A href="/self-assessment">"Rate yourself against the frameworks"</A> " and get a plan ordered by your gaps."</p>
        <Suspense fallback=|| view! { <p>"Loading pathways…"</p> }>
            {move || Suspend::new(async move {
                match pathways.await {
                    Ok(list) if list.is_empty() => ().into_any(),
                    Ok(list) => view! {
                        <h2>"Pathways"</h2>
                        <ul class="card-list">
                            {list.into_iter().map(|p| view! { <PathwayCard pathway=p nested=true/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Modules"</h2>
        <Suspense fallback=|| view! { <p>"Loading your modules…"</p> }>
            {move || Suspend::new(async move {
                match modules.await {
                    Ok(cards) if cards.is_empty() => view! {
                        <p>"You have not enrolled in a module yet."</p>
                        <p><A href="/">"Browse the catalogue"</A></p>
                    }.into_any(),
                    Ok(cards) => view! {
                        <ul class="card-list">
                            {cards.into_iter().map(|card| view! { <ModuleCardView card=card show_continue=true nested=true/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                cohorts.await.ok().filter(|c| !c.is_empty()).map(|list| view! {
                    <h2>"My cohorts"</h2>
                    {list.into_iter().map(|c| view! {
                        <section class="card">
                            <h3 class="card__title">{c.name.clone()}</h3>
                            <ul>
                                {c.modules.into_iter().map(|(m, cell)| view! {
                                    <li>
                                        <A href=format!("/modules/{}", m.slug)>{m.title}</A>
                                        {m.due_on.map(|d| format!(" · due {d}"))}
                                        {format!(" · {}", cell.status.label())}
                                        {cell.overdue.then(|| view! { <strong class="field__error">" · overdue"</strong> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                            <ActionForm action=leave attr:class="inline-form">
                                <input type="hidden" name="cohort_id" value=c.id.to_string()/>
                                <button type="submit" class="button-link" aria-label=format!("Leave the cohort {}", c.name)>"Leave this cohort"</button>
                            </ActionForm>
                        </section>
                    }).collect_view()}
                })
            })}
        </Suspense>
        <p><A href="/join">"Join a cohort with a code"</A></p>
    }
}
