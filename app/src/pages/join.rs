//! Joining a cohort with the code a course lead gave out.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::cohorts::JoinCohort;
use crate::components::form::ErrorSummary;

#[component]
pub fn JoinPage() -> impl IntoView {
    let join = ServerAction::<JoinCohort>::new();
    let query = use_query_map();
    let error = Signal::derive(move || join.value().get().and_then(|r| r.err()));
    let code = move || {
        error
            .get()
            .and_then(|e| e.echoed_value("code"))
            .or_else(|| query.read().get("code"))
            .unwrap_or_default()
    };
    view! {
        <Title text="Join a cohort"/>
        <h1>"Join a cohort"</h1>
        <p>"Your course lead will have given you a code of eight letters and numbers."</p>
        <ErrorSummary error=error/>
        <ActionForm action=join attr:class="form" attr:novalidate=true>
            <div class="field" class:field--error=move || error.get().and_then(|e| e.field_message("code")).is_some()>
                <label class="field__label" for="field-code">"Cohort code"</label>
                {move || error.get().and_then(|e| e.field_message("code")).map(|m| view! {
                    <p class="field__error" id="field-code-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                })}
                <input class="field__input" id="field-code" name="code" autocomplete="off" value=code
                    aria-describedby=move || error.get().and_then(|e| e.field_message("code")).map(|_| "field-code-error")/>
            </div>
            <button type="submit" class="button">"Join cohort"</button>
        </ActionForm>
        <p>"You need to be signed in to join. " <A href="/sign-in?next=/join">"Sign in"</A></p>
    }
}
