//! Pathways as learners see them: each pathway's modules as they are published now, with the learner's
//! progress through the required ones, the next thing to do, and the record once earned. Pathways are content, loaded at start-up
//! and kept in memory (a few small files); modules and progress come from the database, in a fixed number of
//! queries whatever the number of pathways.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};

use super::catalogue::{cards, lesson_outlines, resolve_codes};
use super::progress::{completed_lessons, enrolled_module_ids};
use crate::error::AppError;
use crate::model::catalogue::ModuleCard;
use crate::model::pathways::{
    NextStep, PathwayDetail, PathwayProgress, PathwayRecordStanding, PathwayStepView,
    PathwaySummary,
};
use crate::ssr::content::{Framework, Pathway};
use crate::ssr::entities::{module, module_completion};

/// What the pathways need from the database: their listed modules as catalogue cards (with the learner's
/// lesson progress), each module's estimated hours, and which modules the learner has completed.
struct Published {
    cards: HashMap<String, ModuleCard>,
    hours: HashMap<String, f64>,
    /// Modules whose completion rule includes passing the assessment.
    assessed: HashSet<String>,
    completed: Option<HashSet<String>>,
}

async fn published(
    db: &DatabaseConnection,
    pathways: &[&Pathway],
    account_id: Option<i32>,
) -> Result<Published, AppError> {
    let slugs: HashSet<&str> = pathways
        .iter()
        .flat_map(|p| p.steps.iter().map(|s| s.module.as_str()))
        .collect();
    let modules = module::Entity::find()
        .filter(module::Column::Listed.eq(true))
        .filter(module::Column::Slug.is_in(slugs))
        .all(db)
        .await?;
    let ids: Vec<i32> = modules.iter().map(|m| m.id).collect();
    let slug_of: HashMap<i32, String> = modules.iter().map(|m| (m.id, m.slug.clone())).collect();
    let hours = modules
        .iter()
        .map(|m| (m.slug.clone(), m.estimated_hours))
        .collect();
    let assessed = modules
        .iter()
        .filter(|m| m.completion.needs_assessment())
        .map(|m| m.slug.clone())
        .collect();
    let outlines = lesson_outlines(db, Some(ids.clone())).await?;
    let (enrolled, lessons_done, completed) = match account_id {
        Some(account_id) => {
            let done: Vec<i32> = module_completion::Entity::find()
                .select_only()
                .column(module_completion::Column::ModuleId)
                .filter(module_completion::Column::AccountId.eq(account_id))
                .filter(module_completion::Column::ModuleId.is_in(ids))
                .into_tuple()
                .all(db)
                .await?;
            (
                enrolled_module_ids(db, account_id).await?,
                completed_lessons(db, account_id, None).await?,
                Some(
                    done.iter()
                        .filter_map(|id| slug_of.get(id).cloned())
                        .collect(),
                ),
            )
        }
        None => (HashSet::new(), HashMap::new(), None),
    };
    Ok(Published {
        cards: cards(modules, &outlines, &enrolled, &lessons_done)
            .into_iter()
            .map(|card| (card.slug.clone(), card))
            .collect(),
        hours,
        assessed,
        completed,
    })
}

/// The next required module not yet complete: the lesson to continue when started, else the module.
fn next_step(
    pathway: &Pathway,
    published: &Published,
    completed: &HashSet<String>,
) -> Option<NextStep> {
    let card = pathway
        .steps
        .iter()
        .filter(|step| step.required && !completed.contains(&step.module))
        .find_map(|step| published.cards.get(&step.module))?;
    Some(match &card.progress {
        None => NextStep {
            href: format!("/modules/{}", card.slug),
            label: format!("Start {}", card.title),
        },
        Some(progress) => match &progress.next_lesson {
            Some(lesson) => NextStep {
                href: format!("/modules/{}/lessons/{}", card.slug, lesson.slug),
                label: format!("Continue {}: {}", card.title, lesson.title),
            },
            // Every lesson read, yet not complete: the assessment remains, or (with no assessment to pass)
            // the learner's email address, which must be confirmed before a module completes.
            None if published.assessed.contains(&card.slug) => NextStep {
                href: format!("/modules/{}/assessment", card.slug),
                label: format!("Finish {}: take the assessment", card.title),
            },
            None => NextStep {
                href: "/account".to_owned(),
                label: format!("Confirm your email address to complete {}", card.title),
            },
        },
    })
}

fn summarise(pathway: &Pathway, published: &Published) -> PathwaySummary {
    let listed = |required: bool| {
        pathway
            .steps
            .iter()
            .filter(move |s| s.required == required && published.cards.contains_key(&s.module))
    };
    let required_modules = u32::try_from(listed(true).count()).unwrap_or(u32::MAX);
    PathwaySummary {
        slug: pathway.slug.clone(),
        title: pathway.title.clone(),
        summary: pathway.summary.clone(),
        audience: pathway.audience.clone(),
        required_modules,
        optional_modules: u32::try_from(listed(false).count()).unwrap_or(u32::MAX),
        required_hours: listed(true)
            .filter_map(|s| published.hours.get(&s.module))
            .sum(),
        progress: published
            .completed
            .as_ref()
            .map(|completed| PathwayProgress {
                completed: u32::try_from(
                    listed(true)
                        .filter(|s| completed.contains(&s.module))
                        .count(),
                )
                .unwrap_or(u32::MAX),
                total: required_modules,
                next: next_step(pathway, published, completed),
            }),
    }
}

/// Every pathway in order, with the account's progress when signed in. Five queries at most.
pub async fn list(
    db: &DatabaseConnection,
    pathways: &[Pathway],
    account_id: Option<i32>,
) -> Result<Vec<PathwaySummary>, AppError> {
    let all: Vec<&Pathway> = pathways.iter().collect();
    let published = published(db, &all, account_id).await?;
    Ok(pathways.iter().map(|p| summarise(p, &published)).collect())
}

/// One pathway: its summary, targets and modules in order, each with the account's progress.
pub async fn detail(
    db: &DatabaseConnection,
    pathways: &[Pathway],
    frameworks: &[Framework],
    slug: &str,
    account_id: Option<i32>,
) -> Result<PathwayDetail, AppError> {
    let pathway = pathways
        .iter()
        .find(|p| p.slug == slug)
        .ok_or_else(|| AppError::NotFound(format!("The pathway “{slug}”")))?;
    let mut published = published(db, &[pathway], account_id).await?;
    let summary = summarise(pathway, &published);
    let completed = published.completed.take().unwrap_or_default();
    let steps = pathway
        .steps
        .iter()
        .filter_map(|step| {
            let card = published.cards.remove(&step.module)?;
            Some(PathwayStepView {
                completed: completed.contains(&card.slug),
                card,
                required: step.required,
            })
        })
        .collect();
    let record = match (account_id, &summary.progress) {
        (Some(account_id), Some(progress)) => {
            let complete = progress.total > 0 && progress.completed == progress.total;
            super::pathway_records::record_standing(db, pathway, account_id, complete).await?
        }
        _ => PathwayRecordStanding::NotYet,
    };
    Ok(PathwayDetail {
        summary,
        targets: resolve_codes(&pathway.targets, frameworks),
        steps,
        record,
    })
}
