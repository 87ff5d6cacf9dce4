//! A lesson: its outcomes, its body, and marking it complete (with or without JavaScript).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::catalogue::{LessonContent, fetch_lesson};
use crate::api::progress::CompleteLesson;
use crate::components::{error_view::ErrorView, progress_bar::ProgressBar, quiz::Quiz};

#[component]
pub fn LessonPage() -> impl IntoView {
    let params = use_params_map();
    let complete = ServerAction::<CompleteLesson>::new();
    let lesson = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("module").unwrap_or_default(),
                p.get("lesson").unwrap_or_default(),
                complete.version().get(),
            )
        },
        |(module, lesson, _)| fetch_lesson(module, lesson),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading lesson…"</p> }>
            {move || Suspend::new(async move {
                match lesson.await {
                    Ok(content) => view! { <LessonBody content=content complete=complete/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LessonBody(content: LessonContent, complete: ServerAction<CompleteLesson>) -> impl IntoView {
    let module_href = format!("/modules/{}", content.module_slug);
    let lesson_href = {
        let module = content.module_slug.clone();
        move |slug: &str| format!("/modules/{module}/lessons/{slug}")
    };
    let failed = move || complete.value().get().and_then(|r| r.err());
    let (form_module, form_lesson) = (content.module_slug.clone(), content.slug.clone());
    let changed_notice = content.changed_since_completed.then(|| view! {
        <p class="notice notice--changed" role="status">"This lesson has been updated since you completed it. Please read it again and mark it complete."</p>
    });
    let status = if content.completed {
        view! { <p class="notice notice--done" role="status">"You have completed this lesson."</p> }
            .into_any()
    } else if content.signed_in {
        view! {
            <ActionForm action=complete attr:class="inline-form">
                <input type="hidden" name="module" value=form_module/>
                <input type="hidden" name="lesson" value=form_lesson/>
                <button type="submit" class="button">"Mark lesson complete"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        let next = format!("/sign-in?next={}", lesson_href(&content.slug));
        view! { <p><A href=next>"Sign in to mark lessons complete and track your progress"</A></p> }
            .into_any()
    };
    let label = format!("Progress in {}", content.module_title);
    view! {
        <Title text=content.title.clone()/>
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol>
                <li><A href="/">"Catalogue"</A></li>
                <li><A href=module_href.clone()>{content.module_title.clone()}</A></li>
                <li aria-current="page">{content.title.clone()}</li>
            </ol>
        </nav>
        // Opening the lesson is recorded by the browser fetching this pixel (JavaScript or not); rendering
        // the page writes nothing.
        {content.signed_in.then(|| view! {
            <img class="beacon" alt="" width="1" height="1"
                src=format!("/modules/{}/lessons/{}/opened.gif", content.module_slug, content.slug)/>
        })}
        <article class="lesson">
            <p class="lesson__position">{format!("Lesson {} of {} · {} min", content.position, content.total, content.minutes)}</p>
            <h1>{content.title.clone()}</h1>
            <section class="outcomes" aria-labelledby="outcomes-heading">
                <h2 id="outcomes-heading">"By the end of this lesson you will be able to"</h2>
                <ul>{content.outcomes.iter().map(|o| view! { <li>{o.clone()}</li> }).collect_view()}</ul>
            </section>
            <div class="lesson__body" inner_html=content.html.as_str().to_owned()></div>
            {content.checked.clone().map(|checked| view! {
                <p class="lesson__checked">
                    "Facts in this lesson checked against their sources on "
                    <time datetime=checked.iso>{checked.shown}</time>"."
                </p>
            })}
        </article>
        {content.has_questions.then(|| view! {
            <Quiz module=content.module_slug.clone() scope=content.slug.clone() heading="Check your understanding"/>
        })}
        <section class="lesson-progress" aria-labelledby="progress-heading">
            <h2 id="progress-heading">"Your progress"</h2>
            {move || failed().map(|e| view! { <p class="field__error" role="alert">{e.to_string()}</p> })}
            {changed_notice}
            {status}
            {content.progress.clone().map(|p| view! { <ProgressBar progress=p label=label.clone()/> })}
        </section>
        <nav class="pager" aria-label="Lessons">
            {content.previous.clone().map(|p| view! {
                <A href=lesson_href(&p.slug) attr:class="pager__previous" attr:rel="prev">{format!("Previous: {}", p.title)}</A>
            })}
            {content.next.clone().map(|n| view! {
                <A href=lesson_href(&n.slug) attr:class="pager__next" attr:rel="next">{format!("Next: {}", n.title)}</A>
            })}
            {content.next.is_none().then(|| view! {
                <A href=module_href.clone() attr:class="pager__next">"Back to the module"</A>
            })}
        </nav>
    }
}
