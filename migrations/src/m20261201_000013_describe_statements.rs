//! Statements name their module and lesson in columns of their own, so reading them back (time on task,
//! exports by module) never parses activity IRIs. Earlier statements are filled in from their object ids.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000013_describe_statements"
    }
}

/// The module and lesson slugs an activity IRI names: `…/modules/<module>[/lessons/<lesson>]…`.
fn slugs_in(object_id: &str) -> Option<(&str, Option<&str>)> {
    let (_, after_modules) = object_id.split_once("/modules/")?;
    let module = after_modules.split('/').next().filter(|s| !s.is_empty())?;
    let lesson = after_modules
        .split_once("/lessons/")
        .and_then(|(_, rest)| rest.split('/').next())
        .filter(|s| !s.is_empty());
    Some((module, lesson))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            integer_null("module_id"),
            string_len_null("lesson_slug", 120),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("xapi_statement")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_xapi_statement_module_verb")
                    .table("xapi_statement")
                    .col("module_id")
                    .col("verb")
                    .to_owned(),
            )
            .await?;

        // Fill in the statements recorded before these columns existed.
        let db = manager.get_connection();
        let modules: Vec<(i32, String)> = db
            .query_all(
                &Query::select()
                    .columns(["id", "slug"])
                    .from("module")
                    .to_owned(),
            )
            .await?
            .iter()
            .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "slug")?)))
            .collect::<Result<_, DbErr>>()?;
        let statements = db
            .query_all(
                &Query::select()
                    .columns(["id", "object_id"])
                    .from("xapi_statement")
                    .to_owned(),
            )
            .await?;
        // One UPDATE per module and lesson (in chunks of ids), not one per statement.
        let mut groups: std::collections::BTreeMap<(i32, Option<String>), Vec<String>> =
            std::collections::BTreeMap::new();
        for row in statements {
            let id: String = row.try_get("", "id")?;
            let object_id: String = row.try_get("", "object_id")?;
            let Some((module_slug, lesson)) = slugs_in(&object_id) else {
                continue;
            };
            let Some((module_id, _)) = modules.iter().find(|(_, slug)| slug == module_slug) else {
                continue;
            };
            groups
                .entry((*module_id, lesson.map(str::to_owned)))
                .or_default()
                .push(id);
        }
        for ((module_id, lesson), ids) in groups {
            for chunk in ids.chunks(500) {
                db.execute(
                    &Query::update()
                        .table("xapi_statement")
                        .value("module_id", module_id)
                        .value("lesson_slug", lesson.clone())
                        .and_where(Expr::col("id").is_in(chunk.iter().cloned()))
                        .to_owned(),
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_xapi_statement_module_verb")
                    .table("xapi_statement")
                    .to_owned(),
            )
            .await?;
        for column in ["lesson_slug", "module_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("xapi_statement")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::slugs_in;

    #[test]
    fn reads_the_module_and_lesson_from_activity_ids() {
        assert_eq!(
            slugs_in("https://a.example/modules/itil/lessons/intro"),
            Some(("itil", Some("intro")))
        );
        assert_eq!(
            slugs_in("https://a.example/modules/itil/questions/q1"),
            Some(("itil", None))
        );
        assert_eq!(slugs_in("https://a.example/records/abc"), None);
    }
}
