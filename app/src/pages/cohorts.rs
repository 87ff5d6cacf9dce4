//! Course leads: their cohorts, and a form to create one; a VLE course's teachers: their courses, whose
//! rosters they sync into cohorts.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::accounts::{Role, current_account};
use crate::api::catalogue::list_modules;
use crate::api::cohorts::{CreateCohort, list_cohorts};
use crate::api::vle_courses::{SyncVleRoster, VleCourseView, list_vle_courses};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, FormField};

#[component]
pub fn CohortsPage() -> impl IntoView {
    let create = ServerAction::<CreateCohort>::new();
    let sync = ServerAction::<SyncVleRoster>::new();
    let cohorts = Resource::new(|| (), |_| list_cohorts());
    let courses = Resource::new(move || sync.version().get(), |_| list_vle_courses());
    let account = Resource::new(|| (), |_| current_account());
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let sync_error = Signal::derive(move || sync.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Cohorts"/>
        <h1>"Cohorts"</h1>
        <Suspense fallback=|| view! { <p>"Loading cohorts…"</p> }>
            {move || Suspend::new(async move {
                match cohorts.await {
                    Ok(list) if list.is_empty() => view! { <p>"You have no cohorts yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="evidence">
                            <caption class="visually-hidden">"Your cohorts"</caption>
                            <thead><tr><th scope="col">"Cohort"</th><th scope="col">"Learners"</th><th scope="col">"Join code"</th><th scope="col">"Modules"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|c| view! {
                                    <tr>
                                        <td><A href=format!("/cohorts/{}", c.id)>{c.name}</A></td>
                                        <td>{c.member_count}</td>
                                        <td><code>{c.join_code}</code></td>
                                        <td>{c.modules.into_iter().map(|m| m.title).collect::<Vec<_>>().join(", ")}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                courses.await.ok().filter(|list| !list.is_empty()).map(|list| view! {
                    <VleCourses courses=list sync=sync error=sync_error/>
                })
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let leads = account.await.ok().flatten().is_some_and(|who| matches!(who.role, Role::CourseLead | Role::Admin));
                leads.then(|| view! { <CreateCohortForm create=create error=error/> })
            })}
        </Suspense>
    }
}

/// A course lead's form for a cohort learners join by code.
#[component]
fn CreateCohortForm(
    create: ServerAction<CreateCohort>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let modules = Resource::new(|| (), |_| list_modules());
    view! {
        <h2>"Create a cohort"</h2>
        <ErrorSummary error=error/>
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            <FormField name="name" label="Cohort name" hint="For example: CCIO programme, spring 2027." error=error/>
            <fieldset class="question" id="field-modules">
                <legend class="question__prompt">"Modules and due dates"</legend>
                {move || error.get().and_then(|e| e.field_message("modules")).map(|m| view! { <p class="field__error">{m}</p> })}
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        modules.await.map(|cards| cards.into_iter().map(|m| {
                            let check_id = format!("module-{}", m.slug);
                            let due_id = format!("field-due-{}", m.slug);
                            view! {
                                <div class="cohort-module">
                                    <div class="choice">
                                        <input type="checkbox" id=check_id.clone() name=format!("modules[{}]", m.slug) value=m.slug.clone()/>
                                        <label for=check_id>{m.title.clone()}</label>
                                    </div>
                                    <label class="field__label" for=due_id.clone()>{format!("Due date for {} (optional)", m.title)}</label>
                                    <input class="field__input field__input--date" type="date" id=due_id name=format!("due[{}]", m.slug)/>
                                </div>
                            }
                        }).collect_view())
                    })}
                </Suspense>
            </fieldset>
            <button type="submit" class="button">"Create cohort"</button>
        </ActionForm>
    }
}

/// The VLE courses the teacher launched the academy from, each with a button that syncs its roster into
/// its cohort (a plain form: it works without JavaScript, and lands on the cohort).
#[component]
fn VleCourses(
    courses: Vec<VleCourseView>,
    sync: ServerAction<SyncVleRoster>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <h2>"Your VLE courses"</h2>
        <p>"Sync a course's roster from your VLE: its learners become the cohort's members and its instructors its leads. Syncing again adds those who have joined the course and removes those who have left it (their progress stays theirs)."</p>
        <ErrorSummary error=error/>
        <table class="evidence">
            <caption class="visually-hidden">"VLE courses you teach"</caption>
            <thead><tr><th scope="col">"Course"</th><th scope="col">"Modules placed"</th><th scope="col">"Cohort"</th><th scope="col">"Roster"</th></tr></thead>
            <tbody>
                {courses.into_iter().map(|course| {
                    let of_course = format!(" of {}", course.title);
                    view! {
                        <tr>
                            <td>{course.title.clone()}<br/><span class="muted">{course.vle.clone()}</span></td>
                            <td>{if course.modules.is_empty() { "None yet".to_owned() } else { course.modules.join(", ") }}</td>
                            <td>{match course.cohort.clone() {
                                Some(cohort) => view! { <A href=format!("/cohorts/{}", cohort.id)>{cohort.name}</A>{format!(" ({} {})", cohort.members, if cohort.members == 1 { "learner" } else { "learners" })} }.into_any(),
                                None => view! { "Not synced yet" }.into_any(),
                            }}</td>
                            <td>
                                {if course.roster_offered {
                                    view! {
                                        <ActionForm action=sync attr:class="inline-form">
                                            <input type="hidden" name="course" value=course.id.to_string()/>
                                            <button type="submit" class="button" disabled=move || sync.pending().get()>{if course.cohort.is_some() { "Sync again" } else { "Sync roster" }}<span class="visually-hidden">{of_course.clone()}</span></button>
                                        </ActionForm>
                                        {course.last_synced_at.clone().map(|at| view! { <p class="muted">"Last synced " <time datetime=at.clone()>{at.replace('T', " ").trim_end_matches('Z').to_owned()}" UTC"</time></p> })}
                                    }.into_any()
                                } else {
                                    view! { <p>"Your VLE has not offered this course's roster. Ask its administrator to allow the tool's Names and Role Provisioning service."</p> }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
