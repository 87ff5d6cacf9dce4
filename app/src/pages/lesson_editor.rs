//! The lesson editor: front matter as form fields, the Markdown body with a preview rendered by the renderer
//! learners see (live as you type with JavaScript; "Save and preview" without), the quiz editor, and each
//! problem `check` finds placed next to its field.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use std::time::Duration;

use crate::api::authoring::{LessonEditor, SaveLesson, fetch_lesson_editor, preview_markdown};
use crate::components::editor::{AlignmentPicker, EditorField, ProblemSummary, QuizEditor};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, field_id};

#[component]
pub fn LessonEditorPage() -> impl IntoView {
    let params = use_params_map();
    let save = ServerAction::<SaveLesson>::new();
    let editor = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("module").unwrap_or_default(),
                p.get("file").unwrap_or_default(),
                save.version().get(),
            )
        },
        |(module, file, _)| fetch_lesson_editor(module, file),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading lesson…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(editor) => view! { <LessonEditorBody editor=editor save=save/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LessonEditorBody(editor: LessonEditor, save: ServerAction<SaveLesson>) -> impl IntoView {
    let save_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let module = editor.module_slug.clone();
    let errors = editor.field_errors.clone();
    let title = editor
        .form
        .as_ref()
        .map(|f| f.title.clone())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| editor.file.clone());

    // Live preview: after a pause in typing, the body is rendered on the server by the learners' renderer.
    let live_html = RwSignal::new(None::<String>);
    let preview_problem = RwSignal::new(None::<String>);
    let typed = RwSignal::new(String::new());
    let render = Action::new(|(module, body): &(String, String)| {
        let (module, body) = (module.clone(), body.clone());
        async move { preview_markdown(module, body).await }
    });
    Effect::new(move |_| match render.value().get() {
        Some(Ok(html)) => {
            preview_problem.set(None);
            live_html.set(Some(html));
        }
        Some(Err(error)) => preview_problem.set(Some(error.to_string())),
        None => {}
    });
    let on_body_input = {
        let module = module.clone();
        move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            typed.set(text.clone());
            let module = module.clone();
            set_timeout(
                move || {
                    if typed.get_untracked() == text {
                        render.dispatch((module, text));
                    }
                },
                Duration::from_millis(400),
            );
        }
    };
    let initial_html = editor.preview_html.clone();

    view! {
        <Title text=format!("Edit lesson: {title}")/>
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <ol>
                <li><A href="/author">"Authoring"</A></li>
                <li><A href=format!("/author/{module}")>{editor.module_title.clone()}</A></li>
                <li aria-current="page">{title.clone()}</li>
            </ol>
        </nav>
        <h1>{format!("Edit lesson: {title}")}</h1>
        <p>"Saving keeps your work in the draft, even with problems; learners see nothing until the module is published. "
            <A href=format!("/author/{module}/source/{}", editor.file)>"Edit the file’s source instead"</A></p>
        {(!editor.other_problems.is_empty()).then(|| view! {
            <div class="error-summary" role="region" aria-labelledby="other-problems-title">
                <h2 id="other-problems-title" class="error-summary__title">"Problems in this file"</h2>
                <ul class="error-summary__list">
                    {editor.other_problems.iter().map(|p| view! { <li><code>{p.describe(&module)}</code></li> }).collect_view()}
                </ul>
            </div>
        })}
        <ProblemSummary errors=errors.clone() title="Problems to fix before publishing"/>
        <ErrorSummary error=save_error/>
        {editor.form.clone().map(|form| view! {
            <ActionForm action=save attr:class="form form--wide editor" attr:novalidate=true>
                <input type="hidden" name="module" value=module.clone()/>
                <input type="hidden" name="file" value=editor.file.clone()/>
                <EditorField name="title" label="Title" value=form.title errors=errors.clone()/>
                <EditorField name="slug" label="Lesson address"
                    hint="Lower-case letters, digits and hyphens. Learners’ progress is stored against it: do not change it once they have started."
                    value=form.slug errors=errors.clone()/>
                <EditorField name="minutes" label="Minutes to read" value=form.minutes errors=errors.clone()/>
                <EditorField name="checked" label="Facts last checked on (optional)"
                    hint="The day you last checked this lesson's facts against their sources, as YYYY-MM-DD. Learners see it, and the lesson is listed for review a year later."
                    value=form.checked errors=errors.clone()/>
                <EditorField name="outcomes" label="Learning outcomes" rows=4
                    hint="One per line, 1 to 6, each starting with an observable verb (Explain, Describe, Distinguish…)."
                    value=form.outcomes errors=errors.clone()/>
                <AlignmentPicker frameworks=editor.frameworks.clone() selected=form.alignments errors=errors.clone() legend="Competencies this lesson gives evidence for"/>
                <div class="field" class:field--error=errors.iter().any(|e| e.field == "body")>
                    <label class="field__label" for=field_id("body")>"Lesson text (Markdown)"</label>
                    <p class="field__hint" id="field-body-hint">"Start sections at ## . Link to lessons with lesson:slug, to headings with #anchor, to the web with https:// addresses. Raw HTML is not allowed."</p>
                    {errors.iter().filter(|e| e.field == "body").map(|e| view! {
                        <p class="field__error"><span class="visually-hidden">"Error: "</span>{e.message.clone()}</p>
                    }).collect_view()}
                    <textarea class="field__input field__input--text field__input--body" id=field_id("body") name="fields[body]" rows=24
                        aria-describedby="field-body-hint" on:input=on_body_input.clone()>{form.body}</textarea>
                </div>
                <h2>"Check your understanding"</h2>
                <QuizEditor questions=form.questions errors=errors.clone()/>
                <button type="submit" class="button">"Save and preview"</button>
            </ActionForm>
        })}
        <section id="preview" class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">"Preview"</h2>
            <p class="field__hint">"As learners will see it. With JavaScript on, it follows your typing; otherwise it shows the last save."</p>
            <p class="field__error" role="status">{move || preview_problem.get()}</p>
            <div class="lesson__body preview__body" inner_html=move || live_html.get().unwrap_or_else(|| initial_html.clone())></div>
        </section>
    }
}
