//! Creating a learner account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::accounts::Register;
use crate::components::form::{ErrorSummary, FormField};

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let error = Signal::derive(move || register.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Create an account"/>
        <h1>"Create an account"</h1>
        <ErrorSummary error=error/>
        <ActionForm action=register attr:novalidate=true attr:class="form">
            <FormField name="email" label="Email address" input_type="email" autocomplete="email"
                hint="We send a link to this address to check it is yours. It is never shown to other learners." error=error/>
            <FormField name="display_name" label="Your name" autocomplete="name"
                hint="As it should appear on your completion records." error=error/>
            <FormField name="password" label="Password" input_type="password" autocomplete="new-password"
                hint="At least 10 characters. A few unrelated words make a strong, memorable password." error=error/>
            <button type="submit" class="button">"Create account"</button>
        </ActionForm>
        <p>"Already have an account? " <A href="/sign-in">"Sign in"</A></p>
    }
}
