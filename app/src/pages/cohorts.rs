//! Course leads: their cohorts, and a form to create one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::catalogue::list_modules;
use crate::api::cohorts::{CreateCohort, list_cohorts};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, FormField};

#[component]
pub fn CohortsPage() -> impl IntoView {
    let create = ServerAction::<CreateCohort>::new();
    let cohorts = Resource::new(|| (), |_| list_cohorts());
    let modules = Resource::new(|| (), |_| list_modules());
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Cohorts"/>
        <h1>"Cohorts"</h1>
        <Suspense fallback=|| view! { <p>"Loading cohorts…"</p> }>
            {move || Suspend::new(async move {
                match cohorts.await {
                    Ok(list) if list.is_empty() => view! { <p>"You have no cohorts yet. Create one below."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="evidence">
                            <caption class="visually-hidden">"Your cohorts"</caption>
                            <thead><tr><th scope="col">"Cohort"</th><th scope="col">"Learners"</th><th scope="col">"Join code"</th><th scope="col">"Modules"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|c| view! {
                                    <tr>
                                        <td><A href=format!("/cohorts/{}", c.id)>{c.name}</A></td>
                                        <td>{c.member_count}</td>
                                        <td><code>{c.join_code}</code></td>
                                        <td>{c.modules.into_iter().map(|m| m.title).collect::<Vec<_>>().join(", ")}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Create a cohort"</h2>
        <ErrorSummary error=error/>
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            <FormField name="name" label="Cohort name" hint="For example: CCIO programme, spring 2027." error=error/>
            <fieldset class="question" id="field-modules">
                <legend class="question__prompt">"Modules and due dates"</legend>
                {move || error.get().and_then(|e| e.field_message("modules")).map(|m| view! { <p class="field__error">{m}</p> })}
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        modules.await.map(|cards| cards.into_iter().map(|m| {
                            let check_id = format!("module-{}", m.slug);
                            let due_id = format!("field-due-{}", m.slug);
                            view! {
                                <div class="cohort-module">
                                    <div class="choice">
                                        <input type="checkbox" id=check_id.clone() name=format!("modules[{}]", m.slug) value=m.slug.clone()/>
                                        <label for=check_id>{m.title.clone()}</label>
                                    </div>
                                    <label class="field__label" for=due_id.clone()>{format!("Due date for {} (optional)", m.title)}</label>
                                    <input class="field__input field__input--date" type="date" id=due_id name=format!("due[{}]", m.slug)/>
                                </div>
                            }
                        }).collect_view())
                    })}
                </Suspense>
            </fieldset>
            <button type="submit" class="button">"Create cohort"</button>
        </ActionForm>
    }
}
