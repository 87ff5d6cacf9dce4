//! The admin page for organisations' sign-in: the identity providers registered, the redirect URI to give
//! each organisation, turning one off or on, replacing a client secret, and registering a new one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::identity_providers::{
    ChangeIdentityProvider, RegisterIdentityProvider, identity_providers,
};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, FormField};
use crate::model::single_sign_on::IdentityProviderView;

#[component]
pub fn IdentityProvidersPage() -> impl IntoView {
    let register = ServerAction::<RegisterIdentityProvider>::new();
    let change = ServerAction::<ChangeIdentityProvider>::new();
    let listed = Resource::new(
        move || (register.version().get(), change.version().get()),
        |_| identity_providers(),
    );
    let register_error = Signal::derive(move || register.value().get().and_then(|r| r.err()));
    let change_error = Signal::derive(move || change.value().get().and_then(|r| r.err()));
    let registered = move || matches!(register.value().get(), Some(Ok(())));
    view! {
        <Title text="Sign-in with organisations"/>
        <p><A href="/admin">"Administration"</A></p>
        <h1>"Sign-in with organisations"</h1>
        <p>"Staff of an organisation registered here sign in with their own organisation's account (OpenID Connect). The README's \"Signing in with your organisation\" says what the organisation's identity team registers on their side."</p>
        <ErrorSummary error=change_error/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match listed.await {
                    Ok(providers) if providers.is_empty() => view! {
                        <p>"No organisation is registered yet."</p>
                    }.into_any(),
                    Ok(providers) => providers.into_iter().map(|provider| view! {
                        <Provider provider=provider change=change/>
                    }).collect_view().into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="register-heading">
            <h2 id="register-heading">"Register an organisation"</h2>
            {move || registered().then(|| view! {
                <p class="notice notice--done" role="status">"Registered. Give the organisation the redirect URI shown above."</p>
            })}
            <ErrorSummary error=register_error/>
            <ActionForm action=register attr:class="form" attr:novalidate=true>
                <FormField name="display_name" label="Organisation's name" hint="As its staff know it: the button reads \"Sign in with\" this name." error=register_error/>
                <FormField name="slug" label="Short name" hint="Lower-case letters, digits and hyphens; it appears in the sign-in address." error=register_error/>
                <FormField name="issuer" label="Issuer" input_type="url" hint="From the organisation, for example https://login.microsoftonline.com/<tenant id>/v2.0." error=register_error/>
                <FormField name="client_id" label="Client id" error=register_error/>
                <FormField name="client_secret" label="Client secret" input_type="password" autocomplete="off" hint="Kept on the server and never shown again." error=register_error/>
                <FormField name="email_domains" label="Email domains" hint="The domains this organisation signs people in for, separated by commas, such as north.nhs.uk. A domain shared by many organisations (such as nhs.net) belongs to its national provider only." error=register_error/>
                <FormField name="lead_claim" label="Course-lead claim (optional)" hint="A claim such as groups or roles; with the value below, it makes someone a course lead." error=register_error/>
                <FormField name="lead_claim_value" label="Course-lead claim value (optional)" error=register_error/>
                <div class="choice">
                    <input type="checkbox" id="field-trusts-domain-addresses" name="trusts_domain_addresses" value="yes"/>
                    <label for="field-trusts-domain-addresses">"The organisation controls these domains: count their addresses as verified (needed for Microsoft Entra ID, which sends no email_verified claim)"</label>
                </div>
                <div class="choice">
                    <input type="checkbox" id="field-passwords-off" name="passwords_off" value="yes"/>
                    <label for="field-passwords-off">"Turn password sign-in off for these domains (the organisation's sign-in becomes the only way in)"</label>
                </div>
                <button type="submit" class="button">"Register"</button>
            </ActionForm>
        </section>
    }
}

/// One registered provider: what it is, the redirect URI to copy, and what can be changed.
#[component]
fn Provider(
    provider: IdentityProviderView,
    change: ServerAction<ChangeIdentityProvider>,
) -> impl IntoView {
    let heading = format!("provider-{}", provider.slug);
    let labelled_by = heading.clone();
    let (toggle_slug, secret_slug) = (provider.slug.clone(), provider.slug.clone());
    let status = if provider.enabled {
        "Offered on the sign-in page"
    } else {
        "Turned off"
    };
    let toggle = if provider.enabled {
        "Turn off"
    } else {
        "Turn on again"
    };
    let secret_id = format!("field-secret-{}", provider.slug);
    view! {
        <section class="provider" aria-labelledby=labelled_by>
            <h2 id=heading>{provider.display_name.clone()}</h2>
            <dl class="facts facts--stacked">
                <div><dt>"Status"</dt><dd>{status}</dd></div>
                <div><dt>"Redirect URI"</dt><dd><code>{provider.redirect_uri}</code></dd></div>
                <div><dt>"Issuer"</dt><dd><code>{provider.issuer}</code></dd></div>
                <div><dt>"Client id"</dt><dd><code>{provider.client_id}</code></dd></div>
                <div><dt>"Email domains"</dt><dd>{provider.email_domains.join(", ")}</dd></div>
                <div><dt>"Course leads"</dt><dd>{provider.lead_mapping.unwrap_or_else(|| "not mapped from a claim".to_owned())}</dd></div>
                <div><dt>"Addresses in these domains"</dt><dd>{if provider.trusts_domain_addresses { "count as verified" } else { "verified only when the provider says so" }}</dd></div>
                <div><dt>"Password sign-in"</dt><dd>{if provider.passwords_off { "off for these domains" } else { "allowed" }}</dd></div>
                <div><dt>"Linked accounts"</dt><dd>{provider.linked_accounts}</dd></div>
            </dl>
            <ActionForm action=change attr:class="inline-form">
                <input type="hidden" name="slug" value=toggle_slug/>
                {(!provider.enabled).then(|| view! { <input type="hidden" name="enabled" value="yes"/> })}
                <button type="submit" class="button button--secondary">{toggle}</button>
            </ActionForm>
            <ActionForm action=change attr:class="form">
                <input type="hidden" name="slug" value=secret_slug/>
                {provider.enabled.then(|| view! { <input type="hidden" name="enabled" value="yes"/> })}
                <div class="field">
                    <label class="field__label" for=secret_id.clone()>"New client secret"</label>
                    <input class="field__input" id=secret_id type="password" name="client_secret" autocomplete="off"/>
                </div>
                <button type="submit" class="button">"Replace the client secret"</button>
            </ActionForm>
        </section>
    }
}
