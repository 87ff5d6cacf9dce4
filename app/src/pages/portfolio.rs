//! The learner's portfolio: records, evidence against each framework's competencies, CPD hours; with
//! exports for an appraisal or a FEDIP application.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::records::{Portfolio, RecordKind, RecordSummary, fetch_portfolio};
use crate::components::error_view::ErrorView;
use crate::pages::hours;

#[component]
pub fn PortfolioPage() -> impl IntoView {
    let portfolio = Resource::new(|| (), |_| fetch_portfolio());
    view! {
        <Title text="My portfolio"/>
        <h1>"My portfolio"</h1>
        <Suspense fallback=|| view! { <p>"Loading your portfolio…"</p> }>
            {move || Suspend::new(async move {
                match portfolio.await {
                    Ok(portfolio) => view! { <PortfolioBody portfolio=portfolio/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// How a record is named in the list: a module with its version, a pathway as such.
fn record_label(record: &RecordSummary) -> String {
    match (record.kind, record.module_version) {
        (RecordKind::Pathway, _) => format!("Pathway: {}", record.module_title),
        (RecordKind::Module, Some(version)) => {
            format!("{} (version {version})", record.module_title)
        }
        (RecordKind::Module, None) => record.module_title.clone(),
    }
}

#[component]
fn PortfolioBody(portfolio: Portfolio) -> impl IntoView {
    let records = if portfolio.records.is_empty() {
        view! { <p>"You have no completion records yet. Complete a module to earn one."</p> }
            .into_any()
    } else {
        view! {
            <ul class="record-list">
                {portfolio.records.into_iter().map(|r| {
                    let label = record_label(&r);
                    let facts = match r.cpd_hours {
                        Some(cpd) => format!(" · issued {} · {} CPD", r.issued_on, hours(cpd)),
                        None => format!(" · issued {}", r.issued_on),
                    };
                    view! {
                        <li>
                            <A href=format!("/records/{}", r.id)>{label}</A>
                            {facts}
                            {r.revoked.then(|| view! { <span class="tag tag--revoked">"Revoked"</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <p class="lead">{format!("Total CPD from valid records: {}", hours(portfolio.total_cpd_hours))}</p>
        <p>
            "Export for an appraisal or a registration application: "
            <a href="/portfolio.json" download="">"JSON"</a>" · "<a href="/portfolio.csv" download="">"CSV (spreadsheet)"</a>
        </p>
        <h2>"Records"</h2>
        {records}
        {portfolio.frameworks.into_iter().map(|f| {
            let heading_id = format!("framework-{}", f.id);
            let labelled_by = heading_id.clone();
            let evidenced = f.competencies.iter().filter(|c| !c.records.is_empty()).count();
            view! {
                <section aria-labelledby=labelled_by>
                    <h2 id=heading_id>{f.name.clone()}</h2>
                    <p>{format!("Evidence for {evidenced} of {} competencies. ", f.competencies.len())}<a href=f.url.clone()>"About this framework"</a></p>
                    <table class="evidence">
                        <caption class="visually-hidden">{format!("Evidence against {}", f.name)}</caption>
                        <thead><tr><th scope="col">"Code"</th><th scope="col">"Competency"</th><th scope="col">"Evidence"</th></tr></thead>
                        <tbody>
                            {f.competencies.into_iter().map(|c| view! {
                                <tr>
                                    <td>{c.code.clone()}</td>
                                    <td>{c.name.clone()}</td>
                                    <td>{if c.records.is_empty() {
                                        view! { "None yet" }.into_any()
                                    } else {
                                        c.records.into_iter().map(|r| view! {
                                            <A href=format!("/records/{}", r.id)>{r.module_title}</A>" "
                                        }).collect_view().into_any()
                                    }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        }).collect_view()}
    }
}
