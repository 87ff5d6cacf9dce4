//! One cohort's dashboard for its course lead: who is where, the funnel, who is overdue.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::cohorts::{CohortDashboard, RemoveMember, fetch_cohort};
use crate::components::error_view::ErrorView;

#[component]
pub fn CohortPage() -> impl IntoView {
    let params = use_params_map();
    let remove = ServerAction::<RemoveMember>::new();
    let dashboard = Resource::new(
        move || {
            (
                params
                    .read()
                    .get("id")
                    .and_then(|id| id.parse::<i32>().ok())
                    .unwrap_or(0),
                remove.version().get(),
            )
        },
        |(id, _)| fetch_cohort(id),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading the cohort…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(d) => view! { <CohortBody dashboard=d remove=remove/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CohortBody(dashboard: CohortDashboard, remove: ServerAction<RemoveMember>) -> impl IntoView {
    let id = dashboard.id;
    // A roster sync from a VLE course lands here saying what it did.
    let query = use_query_map();
    let synced = move || {
        let query = query.read();
        let number = |name: &str| query.get(name).and_then(|v| v.parse::<u32>().ok());
        Some((number("synced")?, number("added")?, number("removed")?))
    };
    view! {
        <Title text=dashboard.name.clone()/>
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol><li><A href="/cohorts">"Cohorts"</A></li><li aria-current="page">{dashboard.name.clone()}</li></ol>
        </nav>
        <h1>{dashboard.name.clone()}</h1>
        {move || synced().map(|(learners, added, removed)| view! {
            <p class="notice notice--done" role="status">{format!(
                "Roster synced from the VLE: {learners} {} in the course; {added} added, {removed} removed.",
                if learners == 1 { "learner" } else { "learners" }
            )}</p>
        })}
        <p>"Learners join with the code " <strong><code>{dashboard.join_code.clone()}</code></strong>
            " at " <A href=format!("/join?code={}", dashboard.join_code)>"the join page"</A>"."</p>
        <p><a href=format!("/cohorts/{id}/progress.csv") download="">"Download the progress matrix (CSV)"</a></p>

        <h2>"Progress"</h2>
        {if dashboard.rows.is_empty() {
            view! { <p>"No learners have joined yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll" role="region" aria-label="Progress matrix" tabindex="0">
                    <table class="evidence matrix">
                        <caption class="visually-hidden">"Each learner's progress in each module"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Learner"</th>
                                {dashboard.modules.clone().into_iter().map(|m| view! {
                                    <th scope="col">{m.title}{m.due_on.map(|d| view! { <br/><span class="lesson-list__meta">{format!("due {d}")}</span> })}</th>
                                }).collect_view()}
                                <th scope="col">"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {dashboard.rows.clone().into_iter().map(|r| view! {
                                <tr>
                                    <th scope="row">{r.name.clone()}{(!r.email.is_empty()).then(|| view! { <br/><span class="lesson-list__meta">{r.email.clone()}</span> })}</th>
                                    {r.cells.clone().into_iter().map(|c| view! {
                                        <td class:matrix--overdue=c.overdue>
                                            {format!("{} ({}/{})", c.status.label(), c.lessons_completed, c.lessons_total)}
                                            {c.overdue.then(|| view! { <strong>" Overdue"</strong> })}
                                        </td>
                                    }).collect_view()}
                                    <td>
                                        <ActionForm action=remove attr:class="inline-form">
                                            <input type="hidden" name="cohort" value=id.to_string()/>
                                            <input type="hidden" name="account" value=r.account_id.to_string()/>
                                            <button type="submit" class="button-link" aria-label=format!("Remove {} from the cohort", r.name)>"Remove"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}

        <h2>"Completion funnel"</h2>
        <p><a href=format!("/cohorts/{id}/funnel.csv") download="">"Download the funnel (CSV)"</a></p>
        <table class="evidence">
            <caption class="visually-hidden">"How many learners reached each stage of each module"</caption>
            <thead><tr><th scope="col">"Module"</th><th scope="col">"Learners"</th><th scope="col">"Started"</th><th scope="col">"All lessons done"</th><th scope="col">"Completed"</th></tr></thead>
            <tbody>
                {dashboard.funnel.clone().into_iter().map(|f| view! {
                    <tr><th scope="row">{f.module_title}</th><td>{f.members}</td><td>{f.started}</td><td>{f.all_lessons}</td><td>{f.completed}</td></tr>
                }).collect_view()}
            </tbody>
        </table>

        <h2>"Assessment item analysis"</h2>
        <p><a href=format!("/cohorts/{id}/items.csv") download="">"Download the item analysis (CSV)"</a></p>
        {if dashboard.item_analysis.is_empty() {
            view! { <p>"None of this cohort's modules has an assessment."</p> }.into_any()
        } else {
            dashboard.item_analysis.clone().into_iter().map(|analysis| view! {
                <h3>{analysis.module_title.clone()}</h3>
                <p>{format!("From the first attempts of {} learners. Facility is the share who answered correctly; discrimination compares the top and bottom 27% by total score (below 0.2 suggests a question worth reviewing).", analysis.learners)}</p>
                <table class="evidence">
                    <caption class="visually-hidden">{format!("Item analysis for {}", analysis.module_title)}</caption>
                    <thead><tr><th scope="col">"Question"</th><th scope="col">"Facility"</th><th scope="col">"Discrimination"</th><th scope="col">"Most-chosen wrong answer"</th></tr></thead>
                    <tbody>
                        {analysis.items.into_iter().map(|item| view! {
                            <tr>
                                <th scope="row">{item.prompt}</th>
                                <td>{item.facility.map_or("–".to_owned(), |f| format!("{:.0}%", f * 100.0))}</td>
                                <td>{item.discrimination.map_or("–".to_owned(), |d| format!("{d:.2}"))}</td>
                                <td>{item.most_chosen_wrong.map_or("–".to_owned(), |(text, n)| format!("{text} ({n})"))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }).collect_view().into_any()
        }}

        <h2>"Time on task"</h2>
        <p>"Measured from a learner first opening a lesson to marking it complete. A gap of more than two hours means they left and came back, so it is not counted; nor are lessons completed without being opened here. "
            <a href=format!("/cohorts/{id}/time-on-task.csv") download="">"Download time on task (CSV)"</a></p>
        <table class="evidence">
            <caption class="visually-hidden">"Measured time on task per module"</caption>
            <thead><tr><th scope="col">"Module"</th><th scope="col">"Lessons measured"</th><th scope="col">"Not measured"</th><th scope="col">"Median minutes per lesson"</th><th scope="col">"Estimated minutes per lesson"</th><th scope="col">"Total hours measured"</th></tr></thead>
            <tbody>
                {dashboard.time_on_task.clone().into_iter().map(|t| view! {
                    <tr>
                        <th scope="row">{t.module_title}</th>
                        <td>{t.measured}</td>
                        <td>{t.unmeasured}</td>
                        <td>{t.median_minutes.map_or("–".to_owned(), |m| format!("{m:.1}"))}</td>
                        <td>{t.estimated_minutes.map_or("–".to_owned(), |m| format!("{m:.0}"))}</td>
                        <td>{format!("{:.1}", t.total_hours)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>

        <h2>"Overdue"</h2>
        <p><a href=format!("/cohorts/{id}/overdue.csv") download="">"Download overdue learners (CSV)"</a></p>
        {if dashboard.overdue.is_empty() {
            view! { <p>"Nobody is overdue."</p> }.into_any()
        } else {
            view! {
                <ul>{dashboard.overdue.clone().into_iter().map(|(who, module, due)| view! { <li>{format!("{who}: {module} (due {due})")}</li> }).collect_view()}</ul>
            }.into_any()
        }}
    }
}
