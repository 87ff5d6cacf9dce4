//! Opening a verification link: a button confirms it, so a mail filter that opens links for a safety check
//! does not use up the single-use link.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::VerifyEmail;
use crate::components::form::ErrorSummary;

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let verify = ServerAction::<VerifyEmail>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = Signal::derive(move || verify.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Verify your email address"/>
        <h1>"Verify your email address"</h1>
        <ErrorSummary error=error/>
        <p>"Press the button to confirm that this email address is yours. Then you can join cohorts and receive completion records."</p>
        <ActionForm action=verify attr:class="form">
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="button">"Verify my email address"</button>
        </ActionForm>
    }
}
