//! A module's page: what it covers, its framework alignments, its lessons, and enrol or continue.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::catalogue::{ModuleDetail, fetch_module};
use crate::api::progress::Enrol;
use crate::components::{error_view::ErrorView, progress_bar::ProgressBar};
use crate::pages::hours;

#[component]
pub fn ModulePage() -> impl IntoView {
    let params = use_params_map();
    let enrol = ServerAction::<Enrol>::new();
    let detail = Resource::new(
        move || {
            (
                params.read().get("module").unwrap_or_default(),
                enrol.version().get(),
            )
        },
        |(slug, _)| fetch_module(slug),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading module…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <ModuleBody detail=detail enrol=enrol/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ModuleBody(detail: ModuleDetail, enrol: ServerAction<Enrol>) -> impl IntoView {
    let first = detail.lessons.first().map(|l| l.slug.clone());
    let lesson_href = {
        let slug = detail.slug.clone();
        move |lesson: &str| format!("/modules/{slug}/lessons/{lesson}")
    };
    let enrol_slug = detail.slug.clone();
    let call_to_action = match (&detail.progress, detail.signed_in) {
        (Some(progress), _) => match &progress.next_lesson {
            Some(next) => view! {
                <p><A href=lesson_href(&next.slug) attr:class="button">{format!("Continue where you left off: {}", next.title)}</A></p>
            }
            .into_any(),
            None => view! { <p class="notice">"You have completed every lesson in this module."</p> }.into_any(),
        },
        (None, true) => view! {
            <ActionForm action=enrol attr:class="inline-form">
                <input type="hidden" name="module" value=enrol_slug/>
                <button type="submit" class="button">"Enrol in this module"</button>
            </ActionForm>
        }
        .into_any(),
        (None, false) => {
            let next = format!("/sign-in?next=/modules/{}", detail.slug);
            view! {
                <p>
                    {first.clone().map(|slug| view! { <A href=lesson_href(&slug) attr:class="button">"Start reading"</A> " "})}
                    <A href=next>"Sign in to track your progress"</A>
                </p>
            }
            .into_any()
        }
    };
    let label = format!("Progress in {}", detail.title);
    let alignments = (!detail.alignments.is_empty()).then(|| {
        view! {
            <section aria-labelledby="alignments-heading">
                <h2 id="alignments-heading">"Professional framework alignment"</h2>
                <ul class="alignments">
                    {detail.alignments.clone().into_iter().map(|a| view! {
                        <li>
                            <a href=a.framework_url>{a.framework}</a>
                            {format!(": {} ({})", a.name, a.code)}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        <Title text=detail.title.clone()/>
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol><li><A href="/">"Catalogue"</A></li><li aria-current="page">{detail.title.clone()}</li></ol>
        </nav>
        <h1>{detail.title.clone()}</h1>
        <p class="lead">{detail.summary.clone()}</p>
        <dl class="facts">
            <div><dt>"Who it is for"</dt><dd>{detail.audience.clone()}</dd></div>
            <div><dt>"Time"</dt><dd>{format!("About {}", hours(detail.estimated_hours))}</dd></div>
            <div><dt>"CPD"</dt><dd>{hours(detail.cpd_hours)}</dd></div>
            <div><dt>"Version"</dt><dd>{detail.version}</dd></div>
        </dl>
        {detail.progress.clone().map(|p| view! { <ProgressBar progress=p label=label/> })}
        {(!detail.changed_lessons.is_empty()).then({
            let changed = detail.changed_lessons.clone();
            let lesson_href = lesson_href.clone();
            move || view! {
            <div class="notice notice--changed" role="status">
                <p>"This module has been updated since you started it. These lessons changed after you completed them, so please read them again:"</p>
                <ul>{changed.into_iter().map(|l| view! { <li><A href=lesson_href(&l.slug)>{l.title}</A></li> }).collect_view()}</ul>
            </div>
        }})}
        {call_to_action}
        {detail.record_id.clone().map(|id| view! {
            <p class="notice notice--done">"You have completed this module. "<A href=format!("/records/{id}")>"View your completion record"</A></p>
        })}
        <p><strong>"To complete this module: "</strong>{detail.completion.clone()}</p>
        {detail.has_assessment.then(|| view! {
            <p><A href=format!("/modules/{}/assessment", detail.slug)>"Take the module assessment"</A></p>
        })}
        <section aria-labelledby="lessons-heading">
            <h2 id="lessons-heading">"Lessons"</h2>
            <ol class="lesson-list">
                {detail.lessons.clone().into_iter().map(|l| view! {
                    <li class="lesson-list__item">
                        <A href=lesson_href(&l.slug)>{l.title}</A>
                        <span class="lesson-list__meta">{format!(" · {} min", l.minutes)}</span>
                        {l.completed.then(|| view! { <span class="tag tag--done">"Completed"</span> })}
                        {l.changed.then(|| view! { <span class="tag tag--changed">"Updated since you completed it"</span> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
        {alignments}
    }
}
