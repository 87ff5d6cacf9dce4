//! Opening a change-of-address link: a button confirms the move.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::ConfirmEmailChange;
use crate::components::form::ErrorSummary;

#[component]
pub fn ConfirmEmailChangePage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmEmailChange>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = Signal::derive(move || confirm.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Use this email address"/>
        <h1>"Use this email address"</h1>
        <ErrorSummary error=error/>
        <p>"Press the button to move your Informatics Academy account to this address. You will sign in with it from now on."</p>
        <ActionForm action=confirm attr:class="form">
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="button">"Use this email address"</button>
        </ActionForm>
    }
}
