//! One module's authoring page: what learners see now, and the draft: its settings, lessons, assessment,
//! the problems `check` would report, what publishing would change, and the publish button.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::authoring::{
    AddLesson, DeleteDraftFile, DiscardDraft, DraftOverview, ModuleAuthoring, PublishDraft,
    SaveModuleSettings, SetModuleOwner, StartDraft, fetch_module_authoring,
};
use crate::components::editor::{AlignmentPicker, EditorField, EditorSelect, ProblemSummary};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, FormField};
use crate::model::authoring::ModuleSource;

/// The actions of this page, so a resource can reload after any of them.
#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartDraft>,
    settings: ServerAction<SaveModuleSettings>,
    add_lesson: ServerAction<AddLesson>,
    delete: ServerAction<DeleteDraftFile>,
    publish: ServerAction<PublishDraft>,
    discard: ServerAction<DiscardDraft>,
    owner: ServerAction<SetModuleOwner>,
}

#[component]
pub fn AuthoringModulePage() -> impl IntoView {
    let params = use_params_map();
    let actions = Actions {
        start: ServerAction::new(),
        settings: ServerAction::new(),
        add_lesson: ServerAction::new(),
        delete: ServerAction::new(),
        publish: ServerAction::new(),
        discard: ServerAction::new(),
        owner: ServerAction::new(),
    };
    let page = Resource::new(
        move || {
            (
                params.read().get("module").unwrap_or_default(),
                actions.start.version().get()
                    + actions.settings.version().get()
                    + actions.add_lesson.version().get()
                    + actions.delete.version().get()
                    + actions.publish.version().get()
                    + actions.discard.version().get()
                    + actions.owner.version().get(),
            )
        },
        |(slug, _)| fetch_module_authoring(slug),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading module…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <ModuleAuthoringBody page=page actions=actions/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ModuleAuthoringBody(page: ModuleAuthoring, actions: Actions) -> impl IntoView {
    let query = use_query_map();
    let published_now = move || {
        query
            .read()
            .get("published")
            .and_then(|v| v.parse::<u32>().ok())
    };
    let slug = page.slug.clone();
    let start_error = Signal::derive(move || actions.start.value().get().and_then(|r| r.err()));
    let owner_error = Signal::derive(move || actions.owner.value().get().and_then(|r| r.err()));
    let source = if page.source == ModuleSource::Files {
        "the content/ folder (a change to the folder is published at the next start, unless a browser version is newer)"
    } else {
        "the browser (the content/ folder does not overwrite it; see the README)"
    };
    let start_slug = slug.clone();
    let draft_slug = slug.clone();
    let owner_slug = slug.clone();
    let links = page.published_version.map(|_| {
        let slug = slug.clone();
        view! {
            <p>
                <A href=format!("/modules/{slug}")>"View as a learner"</A>" · "
                <a href=format!("/author/{slug}/export.zip") download="">"Export the published version (zip)"</a>
            </p>
        }
    });
    view! {
        <Title text=format!("Authoring: {}", page.title)/>
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <ol><li><A href="/author">"Authoring"</A></li><li aria-current="page">{page.title.clone()}</li></ol>
        </nav>
        <h1>{page.title.clone()}</h1>
        {move || published_now().map(|v| view! {
            <p class="notice notice--done" role="status">{format!("Published as version {v}. Learners see it now.")}</p>
        })}
        <dl class="facts">
            <div><dt>"Learners see"</dt><dd>{page.published_version.map_or_else(|| "Nothing yet (never published)".to_owned(), |v| format!("Version {v}"))}</dd></div>
            <div><dt>"Current version comes from"</dt><dd>{source}</dd></div>
            <div><dt>"Owner"</dt><dd>{page.owner.clone().unwrap_or_else(|| "None: admins only".to_owned())}</dd></div>
        </dl>
        {links}
        {match page.draft.clone() {
            None => view! {
                <h2>"No draft open"</h2>
                <p>"Editing starts a draft from the published version. Learners keep seeing the published version until you publish the draft."</p>
                <ErrorSummary error=start_error/>
                <ActionForm action=actions.start>
                    <input type="hidden" name="module" value=start_slug/>
                    <button type="submit" class="button">"Start editing"</button>
                </ActionForm>
            }.into_any(),
            Some(draft) => view! { <DraftSection slug=draft_slug draft=draft actions=actions/> }.into_any(),
        }}
        {page.is_admin.then(|| view! {
            <h2 id="owner">"Owner"</h2>
            <p>"The owner (a course lead) may edit and publish this module; admins always may."</p>
            <ErrorSummary error=owner_error/>
            <ActionForm action=actions.owner attr:class="form" attr:novalidate=true>
                <input type="hidden" name="module" value=owner_slug/>
                <FormField name="owner_email" label="Owner’s email" input_type="email" error=owner_error/>
                <button type="submit" class="button">"Set owner"</button>
            </ActionForm>
        })}
    }
}

const COMPLETION: [(&str, &str); 4] = [
    ("completed", "Every lesson completed"),
    ("passed", "Assessment passed"),
    (
        "completed-and-passed",
        "Every lesson completed and the assessment passed",
    ),
    (
        "completed-or-passed",
        "Every lesson completed, or the assessment passed",
    ),
];

#[component]
fn DraftSection(slug: String, draft: DraftOverview, actions: Actions) -> impl IntoView {
    let publish_error = Signal::derive(move || actions.publish.value().get().and_then(|r| r.err()));
    let lesson_error =
        Signal::derive(move || actions.add_lesson.value().get().and_then(|r| r.err()));
    let settings = draft.settings.clone();
    let errors = draft.settings_errors.clone();
    let changes = draft.changes.clone();
    let problems = draft.problems.clone();
    let ok = problems.is_empty();
    let slug_for_problems = slug.clone();
    let (settings_slug, add_slug, assessment_slug, publish_slug, discard_slug) = (
        slug.clone(),
        slug.clone(),
        slug.clone(),
        slug.clone(),
        slug.clone(),
    );
    view! {
        <h2>"Draft"</h2>
        <p>{format!("Started by {}{}; last saved {}.", draft.started_by,
            draft.base_version.map(|v| format!(" from version {v}")).unwrap_or_default(), draft.updated_at)}</p>
        {draft.stale.then(|| view! {
            <p class="notice notice--changed">"A newer version was published after this draft was started. Publishing replaces it: check the changes below first."</p>
        })}

        <h3 id="problems">"Checks"</h3>
        {if ok {
            view! { <p class="notice notice--done">"No problems: the draft passes the same checks as the check command."</p> }.into_any()
        } else {
            view! {
                <p>{format!("{} problem{} to fix before publishing (the same checks as the check command):", problems.len(), if problems.len() == 1 { "" } else { "s" })}</p>
                <ul class="problem-list">
                    {problems.into_iter().map(|p| {
                        let href = if p.file.ends_with(".md") {
                            format!("/author/{slug_for_problems}/lessons/{}", p.file)
                        } else if p.file == "assessment.toml" {
                            format!("/author/{slug_for_problems}/assessment")
                        } else {
                            format!("/author/{slug_for_problems}#settings")
                        };
                        view! { <li><a href=href><code>{p.describe(&slug_for_problems)}</code></a></li> }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}

        <h3 id="settings">"Settings"</h3>
        <ProblemSummary errors=errors.clone() title="Problems in the settings"/>
        {match settings {
            Some(settings) => view! {
            <ActionForm action=actions.settings attr:class="form form--wide" attr:novalidate=true>
                <input type="hidden" name="module" value=settings_slug/>
                <EditorField name="title" label="Title" value=settings.title errors=errors.clone()/>
                <EditorField name="summary" label="Summary" value=settings.summary rows=3 hint="One or two sentences for the catalogue." errors=errors.clone()/>
                <EditorField name="audience" label="Audience" value=settings.audience errors=errors.clone()/>
                <EditorField name="estimated_hours" label="Estimated hours" value=settings.estimated_hours input_type="text" errors=errors.clone()/>
                <EditorField name="cpd_hours" label="CPD hours" value=settings.cpd_hours errors=errors.clone()/>
                <EditorField name="order" label="Position in the catalogue" value=settings.order hint="Lower numbers come first." errors=errors.clone()/>
                <EditorSelect name="completion" label="Completion rule" value=settings.completion choices=COMPLETION.to_vec() errors=errors.clone()/>
                <AlignmentPicker frameworks=draft.frameworks.clone() selected=settings.alignments errors=errors.clone() legend="Framework competencies the module aligns to"/>
                <button type="submit" class="button">"Save settings"</button>
            </ActionForm>
            }.into_any(),
            None => view! {
                <p class="notice notice--changed">"module.toml cannot be shown as form fields (see the problems above). "
                    <A href=format!("/author/{settings_slug}/source/module.toml")>"Edit module.toml as source"</A></p>
            }.into_any(),
        }}

        <h3 id="lessons">"Lessons"</h3>
        <table class="evidence">
            <caption class="visually-hidden">"Lessons in this draft"</caption>
            <thead><tr><th scope="col">"File"</th><th scope="col">"Title"</th><th scope="col">"Problems"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>
                {draft.lessons.into_iter().map(|lesson| {
                    let slug = slug.clone();
                    let form_slug = slug.clone();
                    view! {
                        <tr>
                            <td><code>{lesson.file.clone()}</code></td>
                            <td>{lesson.title.clone()}</td>
                            <td>{lesson.problems}</td>
                            <td>
                                <A href=format!("/author/{slug}/lessons/{}", lesson.file)>{format!("Edit {}", lesson.title)}</A>" · "
                                <A href=format!("/author/{slug}/source/{}", lesson.file)>"Source"</A>
                                <ActionForm action=actions.delete attr:class="inline-form">
                                    <input type="hidden" name="module" value=form_slug/>
                                    <input type="hidden" name="file" value=lesson.file.clone()/>
                                    <button type="submit" class="button-link button-link--danger">{format!("Delete {}", lesson.title)}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <ErrorSummary error=lesson_error/>
        <ActionForm action=actions.add_lesson attr:class="form" attr:novalidate=true>
            <input type="hidden" name="module" value=add_slug/>
            <FormField name="lesson_title" label="New lesson title" error=lesson_error/>
            <button type="submit" class="button">"Add lesson"</button>
        </ActionForm>

        <h3 id="assessment">"Assessment"</h3>
        {if draft.has_assessment {
            view! {
                <p>
                    <A href=format!("/author/{slug}/assessment")>"Edit the assessment"</A>" · "
                    <A href=format!("/author/{slug}/source/assessment.toml")>"Source"</A>
                </p>
                <ActionForm action=actions.delete attr:class="inline-form">
                    <input type="hidden" name="module" value=assessment_slug/>
                    <input type="hidden" name="file" value="assessment.toml"/>
                    <button type="submit" class="button-link button-link--danger">"Delete the assessment"</button>
                </ActionForm>
            }.into_any()
        } else {
            view! { <p>"No assessment. " <A href=format!("/author/{slug}/assessment")>"Add an assessment"</A></p> }.into_any()
        }}

        <h3 id="publish">"Publish"</h3>
        {if !ok {
            view! { <p>"Once the problems above are fixed, this lists what publishing will change."</p> }.into_any()
        } else if changes.is_empty() {
            view! { <p>"Nothing differs from the published version."</p> }.into_any()
        } else {
            view! {
                <p>"Publishing makes a new version. Learners keep their progress on lessons that did not change; changed lessons are marked for them to read again."</p>
                <ul class="change-list">
                    {changes.added.into_iter().map(|l| view! { <li>"Added: " {l}</li> }).collect_view()}
                    {changes.changed.into_iter().map(|l| view! { <li>"Changed: " {l}</li> }).collect_view()}
                    {changes.removed.into_iter().map(|l| view! { <li>"Removed: " {l}</li> }).collect_view()}
                    {changes.settings_changed.then(|| view! { <li>"Settings changed"</li> })}
                    {changes.assessment_changed.then(|| view! { <li>"Assessment changed"</li> })}
                </ul>
            }.into_any()
        }}
        <ErrorSummary error=publish_error/>
        <ActionForm action=actions.publish attr:class="form">
            <input type="hidden" name="module" value=publish_slug/>
            {draft.stale.then(|| view! {
                <div class="choice">
                    <input type="checkbox" id="field-confirm-over-newer" name="confirm_over_newer" value="yes"/>
                    <label for="field-confirm-over-newer">"Publish over the newer version"</label>
                </div>
            })}
            <button type="submit" class="button" disabled=!ok>"Publish"</button>
        </ActionForm>
        <p><a href=format!("/author/{slug}/draft.zip") download="">"Export the draft (zip)"</a></p>
        <ActionForm action=actions.discard attr:class="inline-form">
            <input type="hidden" name="module" value=discard_slug/>
            <button type="submit" class="button button--warning">"Discard the draft"</button>
        </ActionForm>
    }
}
