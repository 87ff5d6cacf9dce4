//! The self-assessment: a learner rates themselves on the competencies the curriculum teaches (the
//! frameworks in `content/frameworks/`, as modules and lessons align to them) and gets a personal plan:
//! the modules they have not completed, ordered by how far below "confident in practice" they rated the
//! competencies each teaches, with the lessons that teach them and the time they take. Each assessment is
//! kept, so a retake shows the change; only its learner sees it (it is in their data download).

use chrono::{SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::error::{AppError, FieldError};
use crate::model::self_assessment::{
    CompetencyRating, FrameworkRatings, PlannedModule, RATINGS, SelfAssessmentView, TARGET_RATING,
};
use crate::ssr::content::Framework;
use crate::ssr::entities::{
    account, lesson, lesson_progress, module, module_completion, self_assessment,
};

/// Ratings by `framework:code`.
type Ratings = BTreeMap<String, u8>;

fn aligned(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// What the plan needs of a lesson (never its body: the page reads every lesson of the curriculum).
struct LessonBrief {
    slug: String,
    title: String,
    minutes: i32,
    alignments: String,
}

/// What the curriculum teaches: the listed modules with their lessons, and the competencies either aligns to.
struct Curriculum {
    modules: Vec<(module::Model, Vec<LessonBrief>)>,
    taught: HashSet<String>,
}

async fn curriculum(db: &DatabaseConnection) -> Result<Curriculum, AppError> {
    let modules = module::Entity::find()
        .filter(module::Column::Listed.eq(true))
        .order_by_asc(module::Column::Position)
        .order_by_asc(module::Column::Slug)
        .all(db)
        .await?;
    let mut lessons: HashMap<i32, Vec<LessonBrief>> = HashMap::new();
    let rows: Vec<(i32, String, String, i32, String)> = lesson::Entity::find()
        .select_only()
        .columns([
            lesson::Column::ModuleId,
            lesson::Column::Slug,
            lesson::Column::Title,
            lesson::Column::Minutes,
            lesson::Column::Alignments,
        ])
        .filter(lesson::Column::ModuleId.is_in(modules.iter().map(|m| m.id)))
        .order_by_asc(lesson::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    for (module_id, slug, title, minutes, alignments) in rows {
        lessons.entry(module_id).or_default().push(LessonBrief {
            slug,
            title,
            minutes,
            alignments,
        });
    }
    let mut taught = HashSet::new();
    let modules: Vec<(module::Model, Vec<LessonBrief>)> = modules
        .into_iter()
        .map(|m| {
            let own = lessons.remove(&m.id).unwrap_or_default();
            taught.extend(aligned(&m.alignments));
            for l in &own {
                taught.extend(aligned(&l.alignments));
            }
            (m, own)
        })
        .collect();
    Ok(Curriculum { modules, taught })
}

fn stored(row: &self_assessment::Model) -> Ratings {
    serde_json::from_str(&row.ratings).unwrap_or_default()
}

fn at(time: chrono::DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The learner's latest two assessments, newest first.
async fn latest_two(
    db: &DatabaseConnection,
    learner: &account::Model,
) -> Result<Vec<self_assessment::Model>, AppError> {
    Ok(self_assessment::Entity::find()
        .filter(self_assessment::Column::AccountId.eq(learner.id))
        .order_by_desc(self_assessment::Column::TakenAt)
        .order_by_desc(self_assessment::Column::Id)
        .limit(2)
        .all(db)
        .await?)
}

/// The learner's page: the competencies to rate (with their latest and previous ratings) and the plan.
pub async fn view(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    learner: &account::Model,
) -> Result<SelfAssessmentView, AppError> {
    let curriculum = curriculum(db).await?;
    let assessments = latest_two(db, learner).await?;
    let latest = assessments.first().map(stored).unwrap_or_default();
    let previous = assessments.get(1).map(stored).unwrap_or_default();
    let frameworks_view: Vec<FrameworkRatings> = frameworks
        .iter()
        .map(|f| FrameworkRatings {
            id: f.id.clone(),
            name: f.name.clone(),
            competencies: f
                .competencies
                .iter()
                .map(|c| (format!("{}:{}", f.id, c.code), c))
                .filter(|(key, _)| curriculum.taught.contains(key))
                .map(|(key, c)| CompetencyRating {
                    latest: latest.get(&key).copied(),
                    previous: previous.get(&key).copied(),
                    key,
                    code: c.code.clone(),
                    name: c.name.clone(),
                    description: c.description.clone(),
                })
                .collect(),
        })
        .filter(|f| !f.competencies.is_empty())
        .collect();
    let names: HashMap<&str, String> = frameworks_view
        .iter()
        .flat_map(|f| f.competencies.iter())
        .map(|c| (c.key.as_str(), format!("{} {}", c.code, c.name)))
        .collect();
    let completed: HashSet<i32> = module_completion::Entity::find()
        .select_only()
        .column(module_completion::Column::ModuleId)
        .filter(module_completion::Column::AccountId.eq(learner.id))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let lessons_done: HashSet<(i32, String)> = lesson_progress::Entity::find()
        .select_only()
        .column(lesson_progress::Column::ModuleId)
        .column(lesson_progress::Column::LessonSlug)
        .filter(lesson_progress::Column::AccountId.eq(learner.id))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let plan = plan(
        &curriculum,
        &latest,
        &Done {
            modules: &completed,
            lessons: &lessons_done,
        },
        &names,
    );
    Ok(SelfAssessmentView {
        frameworks: frameworks_view,
        taken_at: assessments.first().map(|a| at(a.taken_at)),
        previous_taken_at: assessments.get(1).map(|a| at(a.taken_at)),
        plan,
    })
}

/// How far below the target a rating is (an unrated competency has no known gap).
fn gap(ratings: &Ratings, key: &str) -> u32 {
    ratings
        .get(key)
        .map_or(0, |r| u32::from(TARGET_RATING.saturating_sub(*r)))
}

/// What the learner has done already: completed modules, and lessons by module and slug.
struct Done<'a> {
    modules: &'a HashSet<i32>,
    lessons: &'a HashSet<(i32, String)>,
}

/// The modules not yet completed that teach a competency with a gap, largest total gap first (then in
/// catalogue order), each with the lessons still to do that teach those competencies, and their minutes.
fn plan(
    curriculum: &Curriculum,
    ratings: &Ratings,
    done: &Done<'_>,
    names: &HashMap<&str, String>,
) -> Vec<PlannedModule> {
    let mut planned: Vec<(usize, PlannedModule)> = Vec::new();
    for (position, (m, lessons)) in curriculum.modules.iter().enumerate() {
        if done.modules.contains(&m.id) {
            continue;
        }
        let mut module_level = aligned(&m.alignments);
        module_level.sort();
        module_level.dedup();
        let mut keys: Vec<String> = module_level.clone();
        for l in lessons {
            for key in aligned(&l.alignments) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        let gapped: Vec<&String> = keys.iter().filter(|k| gap(ratings, k) > 0).collect();
        if gapped.is_empty() {
            continue;
        }
        let total: u32 = gapped.iter().map(|k| gap(ratings, k)).sum();
        // The module as a whole teaches it: every lesson; otherwise the lessons that do.
        let whole = module_level.iter().any(|k| gap(ratings, k) > 0);
        let chosen: Vec<(String, String, u32)> = lessons
            .iter()
            .filter(|l| !done.lessons.contains(&(m.id, l.slug.clone())))
            .filter(|l| whole || aligned(&l.alignments).iter().any(|k| gap(ratings, k) > 0))
            .map(|l| {
                (
                    l.slug.clone(),
                    l.title.clone(),
                    u32::try_from(l.minutes).unwrap_or(0),
                )
            })
            .collect();
        planned.push((
            position,
            PlannedModule {
                slug: m.slug.clone(),
                title: m.title.clone(),
                gap: total,
                closes: gapped
                    .iter()
                    .filter_map(|k| names.get(k.as_str()).cloned())
                    .collect(),
                minutes: chosen.iter().map(|(_, _, minutes)| minutes).sum(),
                lessons: chosen,
            },
        ));
    }
    planned.sort_by(|(pa, a), (pb, b)| b.gap.cmp(&a.gap).then(pa.cmp(pb)));
    planned.into_iter().map(|(_, m)| m).collect()
}

/// Keeps a new self-assessment: `ratings` by `framework:code`, each one of the four ratings; competencies
/// left unrated are kept out (the learner was unsure), but at least one must be rated.
pub async fn submit(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    learner: &account::Model,
    ratings: &HashMap<String, String>,
) -> Result<(), AppError> {
    let curriculum = curriculum(db).await?;
    let named = |key: &str| {
        frameworks
            .iter()
            .flat_map(|f| f.competencies.iter().map(move |c| (f, c)))
            .find(|(f, c)| key.split_once(':') == Some((f.id.as_str(), c.code.as_str())))
            .map_or_else(|| key.to_owned(), |(_, c)| format!("{} {}", c.code, c.name))
    };
    let mut kept = Ratings::new();
    let mut errors = Vec::new();
    for (key, value) in ratings {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if !curriculum.taught.contains(key) {
            errors.push(FieldError::new(
                &format!("rating_{key}"),
                format!("“{key}” is not a competency the curriculum teaches."),
            ));
            continue;
        }
        match value.parse::<u8>() {
            Ok(r) if RATINGS.iter().any(|(n, _)| *n == r) => {
                kept.insert(key.clone(), r);
            }
            _ => errors.push(FieldError::new(
                &format!("rating_{key}"),
                format!("Choose one of the four ratings for {}.", named(key)),
            )),
        }
    }
    if errors.is_empty() && kept.is_empty() {
        errors.push(FieldError::new(
            "ratings",
            "Rate yourself on at least one competency.",
        ));
    }
    if !errors.is_empty() {
        // Echoed, so a form sent without JavaScript comes back with the learner's choices.
        return Err(AppError::Invalid {
            errors,
            values: ratings
                .iter()
                .map(|(key, value)| (format!("rating[{key}]"), value.clone()))
                .collect(),
        });
    }
    self_assessment::ActiveModel {
        account_id: Set(learner.id),
        taken_at: Set(Utc::now()),
        ratings: Set(serde_json::to_string(&kept)
            .map_err(|e| crate::ssr::error::internal("keeping a self-assessment", e))?),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
