//! The assessment editor: pass mark, attempts and cooldown, and the quiz editor, with problems by their fields.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::authoring::{
    AssessmentEditor, AssessmentForm, SaveAssessment, fetch_assessment_editor,
};
use crate::components::editor::{EditorField, ProblemSummary, QuizEditor};
use crate::components::error_view::ErrorView;
use crate::components::form::ErrorSummary;

#[component]
pub fn AssessmentEditorPage() -> impl IntoView {
    let params = use_params_map();
    let save = ServerAction::<SaveAssessment>::new();
    let editor = Resource::new(
        move || {
            (
                params.read().get("module").unwrap_or_default(),
                save.version().get(),
            )
        },
        |(module, _)| fetch_assessment_editor(module),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading assessment…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(editor) => view! { <AssessmentEditorBody editor=editor save=save/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AssessmentEditorBody(
    editor: AssessmentEditor,
    save: ServerAction<SaveAssessment>,
) -> impl IntoView {
    let save_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let module = editor.module_slug.clone();
    let errors = editor.field_errors.clone();
    let form = editor.form.clone().map(|form| {
        if form.pass_mark.is_empty() && form.questions.is_empty() {
            AssessmentForm {
                pass_mark: "70".to_owned(),
                ..form
            }
        } else {
            form
        }
    });
    let module_title = editor.module_title.clone();
    let other_problems = (!editor.other_problems.is_empty()).then(|| {
        let items = editor
            .other_problems
            .iter()
            .map(|p| p.describe(&module))
            .collect::<Vec<_>>();
        view! {
            <div class="error-summary" role="region" aria-labelledby="other-problems-title">
                <h2 id="other-problems-title" class="error-summary__title">"Problems in this file"</h2>
                <ul class="error-summary__list">
                    {items.into_iter().map(|p| view! { <li><code>{p}</code></li> }).collect_view()}
                </ul>
            </div>
        }
    });
    let form_module = module.clone();
    let crumb = module_title.clone();
    view! {
        <Title text=format!("Assessment: {module_title}")/>
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <ol>
                <li><A href="/author">"Authoring"</A></li>
                <li><A href=format!("/author/{module}")>{crumb}</A></li>
                <li aria-current="page">"Assessment"</li>
            </ol>
        </nav>
        <h1>{format!("Assessment: {module_title}")}</h1>
        <p>"Answers are marked on the server and never sent to learners before they submit. "
            <A href=format!("/author/{module}/source/assessment.toml")>"Edit the file’s source instead"</A></p>
        {other_problems}
        <ProblemSummary errors=errors.clone() title="Problems to fix before publishing"/>
        <ErrorSummary error=save_error/>
        {form.map(|form| view! {
            <ActionForm action=save attr:class="form form--wide editor" attr:novalidate=true>
                <input type="hidden" name="module" value=form_module.clone()/>
                <EditorField name="pass_mark" label="Pass mark (per cent)" value=form.pass_mark errors=errors.clone()/>
                <EditorField name="max_attempts" label="Most attempts (optional)" hint="Leave empty for unlimited attempts." value=form.max_attempts errors=errors.clone()/>
                <EditorField name="cooldown_hours" label="Hours to wait after a failed attempt (optional)" hint="Needs a limit on attempts." value=form.cooldown_hours errors=errors.clone()/>
                <EditorField name="reveal_answers" label="When learners see the correct answers (optional)" hint="after-final-attempt (the default: once passed or out of attempts), after-pass, or never. Until then a failed attempt shows which questions were wrong and their explanations." value=form.reveal_answers errors=errors.clone()/>
                <h2>"Questions"</h2>
                <QuizEditor questions=form.questions errors=errors.clone()/>
                <button type="submit" class="button">"Save assessment"</button>
            </ActionForm>
        })}
    }
}
