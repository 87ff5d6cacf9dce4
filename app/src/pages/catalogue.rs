//! The catalogue: every module, with the learner's progress where enrolled.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use leptos_router::hooks::use_query_map;

use crate::api::catalogue::{CatalogueResults, ModuleCard, browse_catalogue};
use crate::components::{error_view::ErrorView, progress_bar::ProgressBar};
use crate::pages::hours;

/// One module in a list, linking to its page; shared with "My learning".
#[component]
pub fn ModuleCardView(
    card: ModuleCard,
    #[prop(optional)] show_continue: bool,
    /// Under a section heading of its own: the card's title is then a level-3 heading.
    #[prop(optional)]
    nested: bool,
) -> impl IntoView {
    let href = format!("/modules/{}", card.slug);
    let label = format!("Progress in {}", card.title);
    let continue_link = card
        .progress
        .as_ref()
        .and_then(|p| p.next_lesson.clone())
        .filter(|_| show_continue)
        .map(|next| {
            let href = format!("/modules/{}/lessons/{}", card.slug, next.slug);
            view! {
                <p class="card__continue">
                    <A href=href>{format!("Continue where you left off: {}", next.title)}</A>
                </p>
            }
        });
    let finished = card
        .progress
        .as_ref()
        .is_some_and(|p| p.total > 0 && p.completed == p.total);
    view! {
        <li class="card">
            {if nested {
                view! { <h3 class="card__title"><A href=href>{card.title.clone()}</A></h3> }.into_any()
            } else {
                view! { <h2 class="card__title"><A href=href>{card.title.clone()}</A></h2> }.into_any()
            }}
            <p class="card__summary">{card.summary.clone()}</p>
            <p class="card__meta">
                {format!("{} lessons · about {} · {} CPD", card.lesson_count, hours(card.estimated_hours), hours(card.cpd_hours))}
            </p>
            {card.progress.clone().map(|p| view! { <ProgressBar progress=p label=label/> })}
            {finished.then(|| view! { <p class="card__done">"All lessons complete"</p> })}
            {continue_link}
        </li>
    }
}

/// A count for people: 1711 → "1,711".
fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the results are, read out to screen readers when a search or a page changes them.
fn results_summary(results: &CatalogueResults) -> String {
    let (first, last) = results.shown_range();
    let noun = if results.total == 1 {
        "module"
    } else {
        "modules"
    };
    let range = if results.pages > 1 {
        format!(", showing {}–{}", grouped(first), grouped(last))
    } else {
        String::new()
    };
    if results.query.is_empty() {
        format!("{} {noun}{range}", grouped(results.total))
    } else if results.total == 0 {
        format!("No modules match “{}”", results.query)
    } else {
        let verb = if results.total == 1 {
            "matches"
        } else {
            "match"
        };
        format!(
            "{} {noun} {verb} “{}”{range}",
            grouped(results.total),
            results.query
        )
    }
}

/// Previous and next links between pages of results; plain links, so they work without JavaScript.
#[component]
fn Pager(results: CatalogueResults) -> impl IntoView {
    (results.pages > 1).then(|| {
        let previous = (results.page > 1).then(|| {
            view! { <A href=results.page_href(results.page - 1) attr:rel="prev">"Previous page"</A> }
        });
        let next = (results.page < results.pages).then(|| {
            view! { <A href=results.page_href(results.page + 1) attr:rel="next">"Next page"</A> }
        });
        view! {
            <nav class="pager" aria-label="Catalogue pages">
                {previous}
                <span class="pager__position">{format!("Page {} of {}", results.page, results.pages)}</span>
                {next}
            </nav>
        }
    })
}

/// The catalogue, a page at a time, with a search over module titles, summaries and lesson text. The search
/// is a plain GET form and the pages are plain links, so both work with JavaScript off.
#[component]
pub fn CataloguePage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.with(|q| q.get("q").unwrap_or_default());
    let page = move || {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(1)
        })
    };
    let results = Resource::new(
        move || (search(), page()),
        |(q, page)| browse_catalogue(q, page),
    );
    view! {
        <Title text="Catalogue"/>
        <h1>"Catalogue"</h1>
        <p class="lead">
            "Modules for clinicians stepping into digital and informatics leadership: methods, service management, "
            "how the NHS works, coding basics and leading change."
        </p>
        <form method="get" action="/" role="search" class="search">
            <label for="catalogue-search" class="search__label">"Search modules and lessons"</label>
            <div class="search__row">
                <input type="search" id="catalogue-search" name="q" class="search__input" maxlength="200"
                    value=search/>
                <button type="submit" class="button">"Search"</button>
            </div>
        </form>
        <Suspense fallback=|| view! { <p>"Loading modules…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(results) if results.total == 0 && results.query.is_empty() => view! {
                        <p>"No modules are published yet."</p>
                    }.into_any(),
                    Ok(results) => view! {
                        <p class="results-summary" role="status">{results_summary(&results)}</p>
                        <ul class="card-list">
                            {results.cards.clone().into_iter().map(|card| view! { <ModuleCardView card=card/> }).collect_view()}
                        </ul>
                        <Pager results=results/>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1711), "1,711");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }
}
