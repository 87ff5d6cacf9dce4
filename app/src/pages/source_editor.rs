//! The source editor: one draft file as text, for anything the forms cannot express, with its problems.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::authoring::{SaveDraftSource, draft_source};
use crate::components::error_view::ErrorView;
use crate::components::form::ErrorSummary;

#[component]
pub fn SourceEditorPage() -> impl IntoView {
    let params = use_params_map();
    let save = ServerAction::<SaveDraftSource>::new();
    let save_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let source = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("module").unwrap_or_default(),
                p.get("file").unwrap_or_default(),
                save.version().get(),
            )
        },
        |(module, file, _)| draft_source(module, file),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading file…"</p> }>
            {move || Suspend::new(async move {
                match source.await {
                    Ok(source) => {
                        let module = source.module_slug.clone();
                        let problems = (!source.problems.is_empty()).then(|| {
                            let items = source.problems.iter().map(|p| p.describe(&module)).collect::<Vec<_>>();
                            view! {
                                <div class="error-summary" role="region" aria-labelledby="source-problems-title">
                                    <h2 id="source-problems-title" class="error-summary__title">"Problems in this file"</h2>
                                    <ul class="error-summary__list">
                                        {items.into_iter().map(|p| view! { <li><code>{p}</code></li> }).collect_view()}
                                    </ul>
                                </div>
                            }
                        });
                        let file = source.file.clone();
                        let crumb = module.clone();
                        let form_module = module.clone();
                        view! {
                            <Title text=format!("Source: {}", source.file)/>
                            <nav class="breadcrumb" aria-label="Breadcrumb">
                                <ol>
                                    <li><A href="/author">"Authoring"</A></li>
                                    <li><A href=format!("/author/{module}")>{crumb}</A></li>
                                    <li aria-current="page">{source.file.clone()}</li>
                                </ol>
                            </nav>
                            <h1>{format!("Source of {}", source.file)}</h1>
                            <p>"The file exactly as it will be exported to content/. The format is described in content/README.md."</p>
                            {problems}
                            <ErrorSummary error=save_error/>
                            <ActionForm action=save attr:class="form form--wide">
                                <input type="hidden" name="module" value=form_module/>
                                <input type="hidden" name="file" value=file.clone()/>
                                <div class="field">
                                    <label class="field__label" for="field-text">{format!("Contents of {file}")}</label>
                                    <textarea class="field__input field__input--text field__input--body" id="field-text" name="text" rows=30 spellcheck="false">{source.text}</textarea>
                                </div>
                                <button type="submit" class="button">"Save"</button>
                            </ActionForm>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
