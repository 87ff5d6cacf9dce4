//! One pathway: who it is for, what it works towards, its modules in order, the next step, and the
//! learner's record for it once every required module is complete.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::pathways::{
    ClaimPathwayRecord, PathwayDetail, PathwayRecordStanding, fetch_pathway,
};
use crate::components::error_view::ErrorView;
use crate::components::form::ErrorSummary;
use crate::pages::catalogue::ModuleCardView;
use crate::pages::hours;
use crate::pages::pathways::PathwayProgressView;

#[component]
pub fn PathwayPage() -> impl IntoView {
    let params = use_params_map();
    let detail = Resource::new(
        move || params.read().get("pathway").unwrap_or_default(),
        fetch_pathway,
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading pathway…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <PathwayBody detail=detail/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PathwayBody(detail: PathwayDetail) -> impl IntoView {
    let summary = detail.summary;
    let label = format!("Progress in the pathway {}", summary.title);
    let targets = (!detail.targets.is_empty()).then(|| {
        view! {
            <section aria-labelledby="targets-heading">
                <h2 id="targets-heading">"What it works towards"</h2>
                <ul class="alignments">
                    {detail.targets.into_iter().map(|a| view! {
                        <li><a href=a.framework_url>{a.framework}</a>{format!(": {} ({})", a.name, a.code)}</li>
                    }).collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        <Title text=summary.title.clone()/>
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol>
                <li><A href="/pathways">"Pathways"</A></li>
                <li aria-current="page">{summary.title.clone()}</li>
            </ol>
        </nav>
        <h1>{summary.title.clone()}</h1>
        <p class="lead">{summary.summary.clone()}</p>
        <dl class="facts">
            <div><dt>"For"</dt><dd>{summary.audience.clone()}</dd></div>
            <div><dt>"Required modules"</dt><dd>{summary.required_modules}</dd></div>
            <div><dt>"Time"</dt><dd>{format!("about {}", hours(summary.required_hours))}</dd></div>
        </dl>
        <PathwayRecordSection slug=summary.slug.clone() record=detail.record/>
        {summary.progress.map(|p| view! { <PathwayProgressView progress=p label=label/> })}
        {targets}
        <h2>"Modules, in order"</h2>
        <ol class="pathway-steps">
            {detail.steps.into_iter().map(|step| view! {
                <li class="pathway-steps__step">
                    <p class="pathway-steps__kind">
                        {if step.required { "Required" } else { "Optional" }}
                        {step.completed.then(|| view! { " " <span class="tag tag--done">"Complete"</span> })}
                    </p>
                    <ul class="card-list card-list--single">
                        <ModuleCardView card=step.card show_continue=true nested=true/>
                    </ul>
                </li>
            }).collect_view()}
        </ol>
    }
}

/// The learner's record for the pathway: a link once issued; while every required module is complete but
/// no record was issued (the modules were completed before the pathway listed them), a form to ask for it;
/// or which modules lack a valid record.
#[component]
fn PathwayRecordSection(slug: String, record: PathwayRecordStanding) -> impl IntoView {
    let claim = ServerAction::<ClaimPathwayRecord>::new();
    let error = Signal::derive(move || claim.value().get().and_then(|r| r.err()));
    match record {
        PathwayRecordStanding::Issued(record) => view! {
            <section class="pathway-record" aria-labelledby="pathway-record-heading">
                <h2 id="pathway-record-heading">"Your pathway record"</h2>
                <p>
                    <A href=format!("/records/{}", record.id)>"View, download or share your record for this pathway"</A>
                    {record.revoked.then_some(" (revoked)")}
                </p>
            </section>
        }
        .into_any(),
        PathwayRecordStanding::Ready => view! {
            <section class="pathway-record" aria-labelledby="pathway-record-heading">
                <h2 id="pathway-record-heading">"You have completed every required module"</h2>
                <ErrorSummary error=error/>
                <p>"Your record for the pathway names the module records it rests on, and anyone can check it. Whoever you share it with can open those records too, with their assessment scores."</p>
                <ActionForm action=claim attr:class="form">
                    <input type="hidden" name="pathway" value=slug/>
                    <button type="submit" class="button">"Get my pathway record"</button>
                </ActionForm>
            </section>
        }
        .into_any(),
        PathwayRecordStanding::Blocked { modules } => view! {
            <section class="pathway-record" aria-labelledby="pathway-record-heading">
                <h2 id="pathway-record-heading">"Your pathway record"</h2>
                <p>{format!(
                    "You have completed every required module, but a pathway record rests on a valid record for each, and these have none (a revoked record does not count): {}.",
                    modules.join("; ")
                )}</p>
            </section>
        }
        .into_any(),
        PathwayRecordStanding::NotYet => ().into_any(),
    }
}
