//! The self-assessment: the learner rates themselves on the competencies the curriculum teaches, then sees
//! their plan (modules ordered by gap, with the lessons and time) and, after a retake, how they moved.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::self_assessment::{
    CompetencyRating, PlannedModule, RATINGS, SelfAssessmentView, TakeSelfAssessment,
    fetch_self_assessment,
};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, field_id};

#[component]
pub fn SelfAssessmentPage() -> impl IntoView {
    let take = ServerAction::<TakeSelfAssessment>::new();
    // Read again only after a save: a refused one keeps the learner's choices on the page.
    let saved = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if matches!(take.value().get(), Some(Ok(()))) {
            saved.update(|n| *n += 1);
            focus_the_plan();
        }
    });
    let assessment = Resource::new(move || saved.get(), |_| fetch_self_assessment());
    let error = Signal::derive(move || take.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Self-assessment"/>
        <h1>"Self-assessment"</h1>
        <p>"Rate yourself on the competencies this curriculum teaches, from the professional frameworks it is aligned to. You get a plan: the modules you have not completed, those with the largest gaps between your ratings and “Confident in practice” first, with the lessons still to do and the time they take. Your ratings are yours: nobody else sees them. Each assessment you take is kept, so taking it again later shows how you have moved."</p>
        <Transition fallback=|| view! { <p>"Loading your self-assessment…"</p> }>
            {move || Suspend::new(async move {
                match assessment.await {
                    Ok(found) => view! { <Assessment found=found take=take error=error/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Moves focus to the plan's heading once a save has updated it (the page stays the same address).
fn focus_the_plan() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        request_animation_frame(|| {
            if let Some(heading) = document()
                .get_element_by_id("plan")
                .and_then(|h| h.dyn_into::<leptos::web_sys::HtmlElement>().ok())
            {
                let _ = heading.focus();
            }
        });
    }
}

/// When an assessment was taken, for reading: the date and time in UTC.
fn when(at: &str) -> String {
    format!("{} UTC", at.replace('T', " ").trim_end_matches('Z'))
}

#[component]
fn Assessment(
    found: SelfAssessmentView,
    take: ServerAction<TakeSelfAssessment>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let taken = found.taken_at.clone();
    if found.frameworks.is_empty() {
        return view! { <p>"No module of this curriculum is aligned to a competency framework yet, so there is nothing to rate."</p> }.into_any();
    }
    let retake = found.previous_taken_at.is_some();
    view! {
        <section aria-labelledby="plan">
            <h2 id="plan" tabindex="-1">"Your plan"</h2>
            {match &taken {
                None => view! { <p>"Take the assessment below to get your plan."</p> }.into_any(),
                Some(at) => view! {
                    <p>{format!("From your assessment of {}", when(at))}{found.previous_taken_at.as_deref().map(|p| format!(" (the one before: {}).", when(p))).unwrap_or_else(|| ".".to_owned())}</p>
                    <Plan plan=found.plan.clone()/>
                }.into_any(),
            }}
        </section>
        <h2>{if taken.is_some() { "Take it again" } else { "Rate yourself" }}</h2>
        <p>"For each competency, choose how confident you are now. Leave one on “Not sure” to keep it out of your plan."</p>
        <ErrorSummary error=error/>
        <ActionForm action=take attr:class="form" attr:novalidate=true>
            <div id=field_id("ratings")>
                {move || error.get().and_then(|e| e.field_message("ratings")).map(|m| view! { <p class="field__error">{m}</p> })}
                {found.frameworks.into_iter().enumerate().map(|(fi, framework)| view! {
                    <h3>{framework.name}</h3>
                    {framework.competencies.into_iter().enumerate().map(|(ci, c)| view! {
                        <Rating competency=c id_base=format!("rating-{fi}-{ci}") retake=retake error=error/>
                    }).collect_view()}
                }).collect_view()}
            </div>
            <button type="submit" class="button">"Save my ratings and update my plan"</button>
        </ActionForm>
    }.into_any()
}

#[component]
fn Plan(plan: Vec<PlannedModule>) -> impl IntoView {
    if plan.is_empty() {
        return view! { <p>"No gaps left in the modules you have not completed: you rated yourself confident in everything they teach. Browse the catalogue for anything you want to deepen."</p> }.into_any();
    }
    view! {
        <ol class="lesson-list">
            {plan.into_iter().map(|m| view! {
                <li>
                    <A href=format!("/modules/{}", m.slug)>{m.title.clone()}</A>
                    <span class="lesson-list__meta">{if m.lessons.is_empty() { " its lessons on these are done: revisit them, or finish the module".to_owned() } else { format!(" about {} minutes", m.minutes) }}</span>
                    <p class="muted">{format!("Builds: {}", m.closes.join("; "))}</p>
                    <ul>
                        {m.lessons.into_iter().map(|(slug, title, minutes)| view! {
                            <li><A href=format!("/modules/{}/lessons/{slug}", m.slug)>{title}</A>{format!(" ({minutes} min)")}</li>
                        }).collect_view()}
                    </ul>
                </li>
            }).collect_view()}
        </ol>
    }.into_any()
}

#[component]
fn Rating(
    competency: CompetencyRating,
    /// Unique on the page: built from positions, as competency codes may hold any character.
    id_base: String,
    /// Whether an earlier assessment exists to compare with.
    retake: bool,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let name = format!("rating[{}]", competency.key);
    let field = format!("rating_{}", competency.key);
    let hint_id = format!("{id_base}-hint");
    let described_by = hint_id.clone();
    let id = move |value: &str| format!("{id_base}-{value}");
    let moved = match (competency.previous, competency.latest) {
        (Some(before), Some(now)) if before != now => Some(format!(
            "Last time you chose “{}”; now “{}”.",
            label(before),
            label(now)
        )),
        (Some(before), None) => Some(format!(
            "Last time you chose “{}”; now not sure.",
            label(before)
        )),
        (None, Some(now)) if retake => Some(format!("Not rated last time; now “{}”.", label(now))),
        _ => None,
    };
    // After a refused save without JavaScript, the choice sent; otherwise the latest rating.
    let echoed = error
        .get_untracked()
        .and_then(|e| e.echoed_value(&name))
        .and_then(|v| v.parse::<u8>().ok());
    let chosen = echoed.or(competency.latest);
    let field_for_message = field.clone();
    view! {
        <fieldset class="question" id=field_id(&field) aria-describedby=described_by>
            <legend class="question__prompt">{format!("{} {}", competency.code, competency.name)}</legend>
            <div id=hint_id>
                <p class="field__hint">{competency.description.clone()}</p>
                {moved.map(|m| view! { <p class="muted">{m}</p> })}
            </div>
            {move || error.get().and_then(|e| e.field_message(&field_for_message)).map(|m| view! { <p class="field__error">{m}</p> })}
            {RATINGS.iter().map(|(value, text)| {
                let value_id = id(&value.to_string());
                view! {
                    <div class="choice">
                        <input type="radio" id=value_id.clone() name=name.clone() value=value.to_string() checked=chosen == Some(*value)/>
                        <label for=value_id>{*text}</label>
                    </div>
                }
            }).collect_view()}
            <div class="choice">
                <input type="radio" id=id("unsure") name=name.clone() value="" checked=chosen.is_none()/>
                <label for=id("unsure")>"Not sure"</label>
            </div>
        </fieldset>
    }
}

/// The words for a rating.
fn label(value: u8) -> &'static str {
    RATINGS
        .iter()
        .find(|(n, _)| *n == value)
        .map_or("", |(_, text)| *text)
}
