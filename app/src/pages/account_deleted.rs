//! After a learner has erased their account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn AccountDeletedPage() -> impl IntoView {
    view! {
        <Title text="Your account has been deleted"/>
        <h1>"Your account has been deleted"</h1>
        <p class="notice notice--done" role="status">"Your account and learning history have been deleted, and your completion records withdrawn. You have been signed out."</p>
        <p>"Learning statements already passed to another organisation's learning record store (if your academy uses one) are held by that organisation: ask them to delete them too."</p>
        <p><A href="/">"Go to the catalogue"</A></p>
    }
}
