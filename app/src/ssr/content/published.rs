//! What the database already serves from `content/`, so that start-up renders only the modules whose files
//! changed.
//!
//! A module whose files hash to the content hash of its published version was checked and rendered when that
//! version was published: reading and hashing its files takes milliseconds, rendering it again takes
//! seconds for a large library and holds every lesson's HTML in memory at once. What else is kept here is
//! what checking the changed modules needs from the unchanged ones, exactly as `check` would judge them:
//! the heading anchors their links may point at, the alignments a framework edited since could break, and
//! the dates their facts were checked, for the start-up review warning.

use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

use super::ReviewPolicy;

/// One module as its current version was published from its folder.
#[derive(Debug, Clone, Default)]
pub struct PublishedModule {
    pub version: i32,
    pub content_hash: String,
    /// Every `framework:code` the module and its lessons align to.
    pub alignments: Vec<String>,
    pub lessons: Vec<PublishedLesson>,
}

/// One lesson of a published module: what links to it and review warnings need.
#[derive(Debug, Clone, Default)]
pub struct PublishedLesson {
    pub slug: String,
    pub anchors: HashSet<String>,
    pub checked: Option<NaiveDate>,
}

/// Modules published from their folders, by slug. Empty for `check`, which loads and renders everything.
#[derive(Debug, Clone, Default)]
pub struct PublishedModules {
    pub modules: HashMap<String, PublishedModule>,
    /// Every listed module, wherever its version came from: one whose folder is gone may be linked to.
    pub listed: HashSet<String>,
}

impl PublishedModules {
    /// The published module `slug`, when its folder's files hash to exactly what was published.
    pub(super) fn unchanged(&self, slug: &str, content_hash: &str) -> Option<&PublishedModule> {
        self.modules
            .get(slug)
            .filter(|published| published.content_hash == content_hash)
    }

    /// Whether publishing a module with these lessons (slug and heading anchors) would take away a lesson or
    /// a heading its published version has: a link from a module that did not change may point at it, so
    /// every module has to be checked again.
    pub(super) fn loses_a_link_target(
        &self,
        slug: &str,
        lessons: &[(String, HashSet<String>)],
    ) -> bool {
        let Some(published) = self.modules.get(slug) else {
            return false;
        };
        published.lessons.iter().any(|before| {
            lessons
                .iter()
                .find(|(lesson, _)| *lesson == before.slug)
                .is_none_or(|(_, anchors)| !before.anchors.is_subset(anchors))
        })
    }

    /// How many lessons of the named modules are due for review (or dated in the future) on `today`.
    pub fn due_for_review<'s>(
        &self,
        slugs: impl IntoIterator<Item = &'s String>,
        today: NaiveDate,
        policy: ReviewPolicy,
    ) -> usize {
        slugs
            .into_iter()
            .filter_map(|slug| self.modules.get(slug))
            .flat_map(|module| &module.lessons)
            .filter(|lesson| policy.flags(lesson.checked, today))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published(lessons: &[(&str, &[&str])]) -> PublishedModules {
        let module = PublishedModule {
            version: 1,
            content_hash: "abc".to_owned(),
            alignments: Vec::new(),
            lessons: lessons
                .iter()
                .map(|(slug, anchors)| PublishedLesson {
                    slug: (*slug).to_owned(),
                    anchors: anchors.iter().map(|a| (*a).to_owned()).collect(),
                    checked: None,
                })
                .collect(),
        };
        PublishedModules {
            modules: HashMap::from([("alpha".to_owned(), module)]),
            listed: HashSet::from(["alpha".to_owned()]),
        }
    }

    fn lessons(lessons: &[(&str, &[&str])]) -> Vec<(String, HashSet<String>)> {
        lessons
            .iter()
            .map(|(slug, anchors)| {
                (
                    (*slug).to_owned(),
                    anchors.iter().map(|a| (*a).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn adding_lessons_or_headings_breaks_no_link_but_taking_one_away_may() {
        let before = published(&[("first", &["intro", "details"]), ("second", &[])]);
        let grown = lessons(&[
            ("first", &["intro", "details", "more"]),
            ("second", &["new"]),
            ("third", &[]),
        ]);
        assert!(!before.loses_a_link_target("alpha", &grown));
        let heading_gone = lessons(&[("first", &["intro"]), ("second", &[])]);
        assert!(before.loses_a_link_target("alpha", &heading_gone));
        let lesson_gone = lessons(&[("first", &["intro", "details"])]);
        assert!(before.loses_a_link_target("alpha", &lesson_gone));
        assert!(!before.loses_a_link_target("a-new-module", &lesson_gone));
    }

    #[test]
    fn only_the_same_hash_counts_as_unchanged() {
        let before = published(&[("first", &[])]);
        assert!(before.unchanged("alpha", "abc").is_some());
        assert!(before.unchanged("alpha", "abd").is_none());
        assert!(before.unchanged("beta", "abc").is_none());
    }
}
