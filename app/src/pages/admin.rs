//! The admin page: the learning record store outbox (backlog, last error, statements the LRS refused) and the
//! mail outbox.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::admin::{ParkedStatementView, SendParkedAgain, outbox_status};
use crate::components::error_view::ErrorView;
use crate::components::form::ErrorSummary;

#[component]
pub fn AdminPage() -> impl IntoView {
    let send_again = ServerAction::<SendParkedAgain>::new();
    let status = Resource::new(move || send_again.version().get(), |_| outbox_status());
    view! {
        <Title text="Administration"/>
        <h1>"Administration"</h1>
        <p><A href="/admin/identity-providers">"Sign-in with organisations"</A>": register an organisation's identity provider so its staff sign in with their own account."</p>
        <p><A href="/admin/lti-platforms">"VLEs (LTI 1.3)"</A>": register a university's VLE so its courses can launch the academy's modules."</p>
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
                        <ParkedStatements count=s.parked shown=s.parked_statements send_again=send_again/>
                        <p><a href="/xapi/statements" rel="external">"Export all statements (JSON)"</a></p>
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

/// Statements the LRS refused for good, with its answer, and the way to queue them again once fixed.
#[component]
fn ParkedStatements(
    count: u64,
    shown: Vec<ParkedStatementView>,
    send_again: ServerAction<SendParkedAgain>,
) -> impl IntoView {
    let error = Signal::derive(move || send_again.value().get().and_then(|r| r.err()));
    let queued = move || {
        send_again
            .value()
            .get()
            .and_then(Result::ok)
            .map(|n| view! { <p class="notice" role="status">{format!("{n} statements are back in the queue.")}</p> })
    };
    view! {
        <h3>"Refused by the learning record store"</h3>
        {queued}
        {if count == 0 {
            view! { <p>"None: every statement sent so far was accepted."</p> }.into_any()
        } else {
            let listed = shown.len();
            view! {
                <p>{format!(
                    "{count} statements were refused for good and are not being retried. The answer of the learning record store says why; once that is fixed, send them again."
                )}</p>
                <table class="evidence">
                    <caption class="visually-hidden">{format!("The {listed} most recently refused statements")}</caption>
                    <thead><tr><th scope="col">"Statement"</th><th scope="col">"Refused (UTC)"</th><th scope="col">"Answer"</th></tr></thead>
                    <tbody>
                        {shown.into_iter().map(|p| view! {
                            <tr><td><code>{p.statement_id}</code></td><td>{p.parked_at}</td><td>{p.reason}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <ErrorSummary error=error/>
                <ActionForm action=send_again attr:class="form">
                    <button type="submit" class="button">"Send refused statements again"</button>
                </ActionForm>
            }.into_any()
        }}
    }
}
