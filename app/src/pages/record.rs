//! A completion record's public page: anyone can check it, no sign-in needed. Printed, it is an A4
//! certificate with the verification address and a QR code.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::records::{
    BasisView, RecordKind, RecordView, ReinstateRecord, RevokeRecord, fetch_record,
};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, FormField};
use crate::pages::hours;

#[component]
pub fn RecordPage() -> impl IntoView {
    let params = use_params_map();
    let revoke = ServerAction::<RevokeRecord>::new();
    let reinstate = ServerAction::<ReinstateRecord>::new();
    let record = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                revoke.version().get(),
                reinstate.version().get(),
            )
        },
        |(id, _, _)| fetch_record(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Checking the record…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => view! { <RecordBody record=record revoke=revoke reinstate=reinstate/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RecordBody(
    record: RecordView,
    revoke: ServerAction<RevokeRecord>,
    reinstate: ServerAction<ReinstateRecord>,
) -> impl IntoView {
    if let Some(on) = record.verification.withdrawn_on.clone() {
        return view! {
            <Title text="Withdrawn record"/>
            <h1>"Withdrawn record"</h1>
            <div class="verdict verdict--invalid" role="status">
                <p class="verdict__title">"This record was withdrawn by its holder"</p>
                <p>{format!("The person it was issued to withdrew it on {on}. It is no longer shown here or confirmed as valid.")}</p>
            </div>
        }
        .into_any();
    }
    let v = &record.verification;
    let verdict = if v.valid {
        view! {
            <div class="verdict verdict--valid" role="status">
                <p class="verdict__title">"Valid record"</p>
                <p>"The signature is genuine, the record is exactly as issued, and it has not been revoked."</p>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="verdict verdict--invalid" role="status">
                <p class="verdict__title">"This record is not valid"</p>
                <ul>{v.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
            </div>
        }
        .into_any()
    };
    let error = Signal::derive(move || revoke.value().get().and_then(|r| r.err()));
    let revoke_id = record.id.clone();
    let revoke_form = record.can_revoke.then(move || {
        view! {
            <section class="no-print" aria-labelledby="revoke-heading">
                <h2 id="revoke-heading">"Revoke this record"</h2>
                <ErrorSummary error=error/>
                <ActionForm action=revoke attr:class="form">
                    <input type="hidden" name="id" value=revoke_id/>
                    <FormField name="reason" label="Reason for revoking" hint="Shown to the learner, the module's owner (for a module record) and admins; anyone checking the record sees only that it was revoked, and when." error=error/>
                    <button type="submit" class="button button--warning">"Revoke record"</button>
                </ActionForm>
            </section>
        }
    });
    let reinstate_error = Signal::derive(move || reinstate.value().get().and_then(|r| r.err()));
    let reinstate_id = record.id.clone();
    let reinstate_form = record.can_reinstate.then(move || {
        view! {
            <section class="no-print" aria-labelledby="reinstate-heading">
                <h2 id="reinstate-heading">"Reverse the revocation"</h2>
                <ErrorSummary error=reinstate_error/>
                <p>"The record becomes valid again and leaves the public revocation list. Both steps stay in the audit log."</p>
                <ActionForm action=reinstate attr:class="form">
                    <input type="hidden" name="id" value=reinstate_id/>
                    <button type="submit" class="button">"Reinstate record"</button>
                </ActionForm>
            </section>
        }
    });
    let revoked_line = record.verification.revoked_at.clone().map(|on| {
        let text = match record.revoked_reason.clone() {
            Some(reason) => format!("{on}: {reason}"),
            None => on,
        };
        view! { <div><dt>"Revoked"</dt><dd>{text}</dd></div> }
    });
    let base = format!("/records/{}", record.id);
    let (heading, completed) = match record.kind {
        RecordKind::Module => ("Completion record", "completed the module"),
        RecordKind::Pathway => ("Pathway record", "completed the pathway"),
    };
    let basis =
        (!record.basis.is_empty()).then(|| view! { <BasisList basis=record.basis.clone()/> });
    view! {
        <Title text=format!("{heading}: {}", record.module_title)/>
        <article class="certificate">
            <p class="certificate__issuer">{record.issuer_name.clone()}</p>
            <h1>{heading}</h1>
            {verdict}
            <p class="certificate__lead">"This is to record that"</p>
            <p class="certificate__name">{record.learner_name.clone()}</p>
            <p class="certificate__lead">{completed}</p>
            <p class="certificate__module">{record.module_title.clone()}</p>
            <dl class="facts facts--stacked">
                {record.module_version.map(|v| view! { <div><dt>"Module version"</dt><dd>{v}</dd></div> })}
                <div><dt>"Issued on"</dt><dd>{record.issued_on.clone()}</dd></div>
                <div><dt>"What was required"</dt><dd>{record.criteria.clone()}</dd></div>
                {record.score.map(|s| view! { <div><dt>"Assessment score"</dt><dd>{format!("{s}%")}</dd></div> })}
                {record.cpd_hours.map(|cpd| view! { <div><dt>"CPD"</dt><dd>{hours(cpd)}</dd></div> })}
                {revoked_line}
            </dl>
            {basis}
            {(!record.alignments.is_empty()).then(|| view! {
                <section aria-labelledby="aligned-heading">
                    <h2 id="aligned-heading">"Aligned to"</h2>
                    <ul class="alignments">
                        {record.alignments.iter().map(|a| view! {
                            <li>{format!("{}: {} ({})", a.framework, a.name, a.code)}</li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            <div class="certificate__verify">
                <div class="certificate__qr" role="img" aria-label="QR code linking to this record's verification page" inner_html=record.qr_svg.clone()></div>
                <p>"Check this record at " <a href=record.record_url.clone()>{record.record_url.clone()}</a></p>
            </div>
        </article>
        <section class="no-print" aria-labelledby="downloads-heading">
            <h2 id="downloads-heading">"Download and verify"</h2>
            <ul>
                <li><a href=format!("{base}/credential.json") download="">"Open Badges 3.0 credential (JSON)"</a></li>
                <li><a href=format!("{base}/credential.jwt") download="">"Signed credential (VC-JWT)"</a></li>
                <li><a href=format!("{base}/verification") rel="external">"Verification result (JSON, for software)"</a></li>
                <li><a href="/.well-known/jwks.json" rel="external">"The issuer's public keys (JWK Set)"</a></li>
            </ul>
            <p>"To print a certificate, use your browser's print command: the page prints on one A4 sheet."</p>
            {record.is_owner.then(|| view! { <p><A href="/portfolio">"Back to my portfolio"</A></p> })}
        </section>
        {revoke_form}
        {reinstate_form}
    }
    .into_any()
}

/// A pathway record's module records: each one links to its own page, where it can be checked on its own.
#[component]
fn BasisList(basis: Vec<BasisView>) -> impl IntoView {
    view! {
        <section aria-labelledby="basis-heading">
            <h2 id="basis-heading">"The module records it rests on"</h2>
            <ul class="basis-list">
                {basis.into_iter().map(|b| {
                    let standing = match &b.revoked_on {
                        Some(on) => format!(" · revoked on {on}"),
                        None => String::new(),
                    };
                    view! {
                        <li>
                            <a href=format!("/records/{}", b.id)>{format!("{} (version {})", b.module_title, b.module_version)}</a>
                            {format!(" · issued {}{standing}", b.issued_on)}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
