//! The admin page for VLEs: the academy's addresses to give a VLE administrator, the platforms registered
//! (turning one off or on), and registering a new one from the details the VLE shows.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::lti_platforms::{
    ChangeLtiPlatform, LtiPlatformView, RegisterLtiPlatform, SendParkedScoresAgain, ToolAddresses,
    lti_platforms,
};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, FormField};

#[component]
pub fn LtiPlatformsPage() -> impl IntoView {
    let register = ServerAction::<RegisterLtiPlatform>::new();
    let change = ServerAction::<ChangeLtiPlatform>::new();
    let resend = ServerAction::<SendParkedScoresAgain>::new();
    let listed = Resource::new(
        move || {
            (
                register.version().get(),
                change.version().get(),
                resend.version().get(),
            )
        },
        |_| lti_platforms(),
    );
    let register_error = Signal::derive(move || register.value().get().and_then(|r| r.err()));
    let change_error = Signal::derive(move || {
        change
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| resend.value().get().and_then(|r| r.err()))
    });
    let registered = move || matches!(register.value().get(), Some(Ok(())));
    view! {
        <Title text="VLEs (LTI 1.3)"/>
        <p><A href="/admin">"Administration"</A></p>
        <h1>"VLEs (LTI 1.3)"</h1>
        <p>"A university's VLE (Moodle, Canvas, Blackboard, Brightspace) registered here can place the academy's modules in its courses; its learners open them signed in. The README's \"Launching from a VLE\" says what the VLE administrator enters."</p>
        <ErrorSummary error=change_error/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match listed.await {
                    Ok(view) => view! {
                        <Tool tool=view.tool/>
                        <h2>"Registered VLEs"</h2>
                        {if view.platforms.is_empty() {
                            view! { <p>"None yet."</p> }.into_any()
                        } else {
                            view.platforms.into_iter().map(|platform| view! {
                                <Platform platform=platform change=change resend=resend/>
                            }).collect_view().into_any()
                        }}
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="register-heading">
            <h2 id="register-heading">"Register a VLE"</h2>
            {move || registered().then(|| view! {
                <p class="notice notice--done" role="status">"Registered. Its launches are accepted from now on."</p>
            })}
            <ErrorSummary error=register_error/>
            <ActionForm action=register attr:class="form" attr:novalidate=true>
                <FormField name="name" label="VLE's name" hint="As course leads know it, such as \"University of Leeds Minerva\"." error=register_error/>
                <FormField name="issuer" label="Platform ID (issuer)" input_type="url" error=register_error/>
                <FormField name="client_id" label="Client ID" error=register_error/>
                <FormField name="deployment_ids" label="Deployment IDs" hint="Separated by commas." error=register_error/>
                <FormField name="auth_login_url" label="Authentication request URL" input_type="url" error=register_error/>
                <FormField name="token_url" label="Access token URL" input_type="url" error=register_error/>
                <FormField name="jwks_url" label="Public keyset URL" input_type="url" error=register_error/>
                <button type="submit" class="button">"Register"</button>
            </ActionForm>
        </section>
    }
}

/// The academy's own addresses, for the VLE administrator to copy.
#[component]
fn Tool(tool: ToolAddresses) -> impl IntoView {
    view! {
        <h2>"The academy's addresses, for the VLE"</h2>
        <dl class="facts facts--stacked">
            <div><dt>"Initiate login URL"</dt><dd><code>{tool.login_initiation_url}</code></dd></div>
            <div><dt>"Redirection URI"</dt><dd><code>{tool.redirect_uris.join(" ")}</code></dd></div>
            <div><dt>"Public keyset URL"</dt><dd><code>{tool.keyset_url}</code></dd></div>
            <div><dt>"Deep linking (content selection) URL"</dt><dd><code>{tool.deep_linking_url}</code></dd></div>
            <div><dt>"Configuration to import (Canvas)"</dt><dd><a href=tool.configuration_url.clone() rel="external">{tool.configuration_url.clone()}</a></dd></div>
            <div><dt>"Tool URL / target link URI"</dt><dd>"The academy page to open: a module, such as "<code>"/modules/prince2"</code>", or the catalogue, "<code>"/"</code></dd></div>
        </dl>
    }
}

/// One registered platform and the switch to turn its launches off or on.
#[component]
fn Platform(
    platform: LtiPlatformView,
    change: ServerAction<ChangeLtiPlatform>,
    resend: ServerAction<SendParkedScoresAgain>,
) -> impl IntoView {
    let parked = platform.scores_parked;
    let id = platform.id;
    let heading = format!("platform-{}", platform.id);
    let labelled_by = heading.clone();
    let toggle = if platform.enabled {
        "Turn off its launches"
    } else {
        "Turn its launches on again"
    };
    view! {
        <section aria-labelledby=labelled_by>
            <h3 id=heading>{platform.name.clone()}</h3>
            <dl class="facts facts--stacked">
                <div><dt>"Status"</dt><dd>{if platform.enabled { "Launches accepted" } else { "Turned off" }}</dd></div>
                <div><dt>"Issuer"</dt><dd><code>{platform.issuer}</code></dd></div>
                <div><dt>"Client ID"</dt><dd><code>{platform.client_id}</code></dd></div>
                <div><dt>"Deployment IDs"</dt><dd>{platform.deployment_ids.join(", ")}</dd></div>
                <div><dt>"Authentication request URL"</dt><dd><code>{platform.auth_login_url}</code></dd></div>
                <div><dt>"Access token URL"</dt><dd><code>{platform.token_url}</code></dd></div>
                <div><dt>"Public keyset URL"</dt><dd><code>{platform.jwks_url}</code></dd></div>
                <div><dt>"Accounts from its launches"</dt><dd>{platform.linked_accounts}</dd></div>
                <div><dt>"Scores waiting for its gradebooks"</dt><dd>{platform.scores_waiting}</dd></div>
                <div><dt>"Scores it refused (not retried)"</dt><dd>{platform.scores_parked}</dd></div>
                {platform.last_score_error.map(|error| view! {
                    <div><dt>"Last reason a score was not delivered"</dt><dd>{error}</dd></div>
                })}
            </dl>
            <ActionForm action=change attr:class="inline-form">
                <input type="hidden" name="platform" value=platform.id.to_string()/>
                {(!platform.enabled).then(|| view! { <input type="hidden" name="enabled" value="yes"/> })}
                <button type="submit" class="button button--secondary">{toggle}</button>
            </ActionForm>
            {(parked > 0).then(|| view! {
                <ActionForm action=resend attr:class="inline-form">
                    <input type="hidden" name="platform" value=id.to_string()/>
                    <button type="submit" class="button button--secondary">"Send its refused scores again"</button>
                </ActionForm>
            })}
        </section>
    }
}
