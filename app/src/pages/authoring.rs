//! Course leads' authoring home: the modules they may edit, a new module, and importing a module folder.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::authoring::{CreateModule, authored_modules};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, FormField};
use crate::model::authoring::{AuthoredModule, ModuleSource};

/// Lessons whose facts have not been checked against their sources within the review period, module by
/// module, each linked to its editor; nothing at all when every lesson is current.
#[component]
fn DueForReview(modules: Vec<AuthoredModule>) -> impl IntoView {
    let due: Vec<AuthoredModule> = modules
        .into_iter()
        .filter(|m| !m.due_for_review.is_empty())
        .collect();
    (!due.is_empty()).then(|| {
        let count: usize = due.iter().map(|m| m.due_for_review.len()).sum();
        view! {
            <section class="due-for-review" aria-labelledby="due-heading">
                <h2 id="due-heading">{format!("Due for review ({count})")}</h2>
                <p>"These lessons have not had their facts checked against their sources recently, or never say when. Check each, then set " <code>"checked"</code> " in its front matter to the day you did."</p>
                {due.into_iter().map(|m| view! {
                    <h3>{m.title.clone()}</h3>
                    <ul>
                        {m.due_for_review.into_iter().map(|lesson| {
                            let when = lesson.checked.map_or_else(
                                || "never dated".to_owned(),
                                |c| format!("last checked {}", c.shown),
                            );
                            view! {
                                <li>
                                    <A href=format!("/modules/{}/lessons/{}", m.slug, lesson.slug)>{lesson.title}</A>
                                    {format!(" ({when})")}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }).collect_view()}
            </section>
        }
    })
}

#[component]
pub fn AuthoringPage() -> impl IntoView {
    let create = ServerAction::<CreateModule>::new();
    let modules = Resource::new(|| (), |_| authored_modules());
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let query = use_query_map();
    let import_error = move || query.read().get("import_error");
    view! {
        <Title text="Authoring"/>
        <h1>"Authoring"</h1>
        <p class="lead">"Write modules in the browser, or import a module folder. Drafts are never shown to learners until you publish them."</p>
        <Suspense fallback=|| view! { <p>"Loading your modules…"</p> }>
            {move || Suspend::new(async move {
                match modules.await {
                    Ok(list) if list.is_empty() => view! { <p>"You have no modules yet. Start one below."</p> }.into_any(),
                    Ok(list) => view! {
                        <DueForReview modules=list.clone()/>
                        <table class="evidence">
                            <caption class="visually-hidden">"Modules you can edit"</caption>
                            <thead><tr><th scope="col">"Module"</th><th scope="col">"Published"</th><th scope="col">"Draft"</th><th scope="col">"Comes from"</th><th scope="col">"Owner"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|m| view! {
                                    <tr>
                                        <td><A href=format!("/author/{}", m.slug)>{m.title}</A></td>
                                        <td>{m.version.map_or_else(|| "Not yet".to_owned(), |v| format!("Version {v}"))}</td>
                                        <td>{if m.has_draft { "Draft open" } else { "" }}</td>
                                        <td>{if m.source == ModuleSource::Files { "content/ folder" } else { "Browser" }}</td>
                                        <td>{m.owner.unwrap_or_else(|| "Admins only".to_owned())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>

        <h2 id="new-module">"Start a new module"</h2>
        <ErrorSummary error=error/>
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            <FormField name="title" label="Title" hint="For example: Clinical safety in health IT." error=error/>
            <FormField name="slug" label="Address (optional)"
                hint="Lower-case letters, digits and hyphens; made from the title if left empty. It cannot change once learners start."
                error=error/>
            <button type="submit" class="button">"Create draft"</button>
        </ActionForm>

        <h2 id="import">"Import a module folder"</h2>
        <p>"A zip (at most 4 MiB) holding one module folder, as exported from here or zipped from " <code>"content/modules/"</code> ". It opens as a draft, so you see what changes before publishing."</p>
        {move || import_error().map(|message| view! {
            <div class="error-summary" role="alert" aria-labelledby="import-error-title" tabindex="-1">
                <h2 id="import-error-title" class="error-summary__title">"The module could not be imported"</h2>
                <ul class="error-summary__list"><li><a href="#field-archive">{message}</a></li></ul>
            </div>
        })}
        <form class="form" method="post" action="/author/import" enctype="multipart/form-data">
            <div class="field">
                <label class="field__label" for="field-archive">"Module zip"</label>
                <input class="field__input" id="field-archive" name="archive" type="file" accept=".zip,application/zip" required=true/>
            </div>
            <button type="submit" class="button">"Import as draft"</button>
        </form>
    }
}
