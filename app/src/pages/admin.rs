//! The admin page: the learning record store outbox and the mail outbox (backlog and last error).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::outbox_status;
use crate::components::error_view::ErrorView;

#[component]
pub fn AdminPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| outbox_status());
    view! {
        <Title text="Administration"/>
        <h1>"Administration"</h1>
        <h2>"Learning record store"</h2>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) => view! {
                        <dl class="facts facts--stacked">
                            <div><dt>"Waiting to be sent"</dt><dd>{s.pending}</dd></div>
                            <div><dt>"Sent"</dt><dd>{s.sent}</dd></div>
                            <div><dt>"Last sent"</dt><dd>{s.last_sent_at.unwrap_or_else(|| "never".to_owned())}</dd></div>
                            <div><dt>"Last error"</dt><dd>{match (s.last_error, s.last_error_at) {
                                (Some(e), Some(at)) => format!("{at}: {e}"),
                                (Some(e), None) => e,
                                _ => "none".to_owned(),
                            }}</dd></div>
                        </dl>
                        <p><a href="/xapi/statements">"Export all statements (JSON)"</a></p>
                        <h2>"Email"</h2>
                        <dl class="facts facts--stacked">
                            <div><dt>"Sent to"</dt><dd>{s.email_transport}</dd></div>
                            <div><dt>"Waiting to be sent"</dt><dd>{s.emails_waiting}</dd></div>
                            <div><dt>"Last error"</dt><dd>{s.email_last_error.unwrap_or_else(|| "none".to_owned())}</dd></div>
                        </dl>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
