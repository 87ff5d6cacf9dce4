//! Shared types for catalogue: what server functions return and pages show, in both builds.

use serde::{Deserialize, Serialize};

/// A lesson named by its stable slug, with its title for links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonRef {
    pub slug: String,
    pub title: String,
}

/// How far a learner is through a module and where to continue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressSummary {
    pub completed: u32,
    pub total: u32,
    /// The first lesson not yet completed; `None` when all are done.
    pub next_lesson: Option<LessonRef>,
}

/// A module as listed in the catalogue and on "My learning".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub estimated_hours: f64,
    pub cpd_hours: f64,
    pub lesson_count: u32,
    /// Present when the signed-in learner is enrolled.
    pub progress: Option<ProgressSummary>,
}

/// A framework competency a module is aligned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlignmentView {
    pub framework: String,
    pub framework_url: String,
    pub code: String,
    pub name: String,
}

/// A lesson in a module's contents list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonListItem {
    pub slug: String,
    pub title: String,
    pub minutes: u32,
    pub completed: bool,
    /// Completed before, but the lesson has changed since: to be read again.
    pub changed: bool,
}

/// Everything the module page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleDetail {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub estimated_hours: f64,
    pub cpd_hours: f64,
    pub version: i32,
    pub alignments: Vec<AlignmentView>,
    pub lessons: Vec<LessonListItem>,
    pub enrolled: bool,
    pub signed_in: bool,
    pub progress: Option<ProgressSummary>,
    /// What completing the module requires, in words.
    pub completion: String,
    pub has_assessment: bool,
    /// The signed-in learner's completion record for this module, once earned.
    pub record_id: Option<String>,
    /// Lessons the learner completed that a newer version has changed.
    pub changed_lessons: Vec<LessonRef>,
}

/// Everything the lesson page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonContent {
    pub module_slug: String,
    pub module_title: String,
    pub slug: String,
    pub title: String,
    pub minutes: u32,
    pub outcomes: Vec<String>,
    /// Sanitised when the content was loaded.
    pub html: PageHtml,
    /// 1-based position in the module.
    pub position: u32,
    pub total: u32,
    pub previous: Option<LessonRef>,
    pub next: Option<LessonRef>,
    pub completed: bool,
    /// The learner completed an earlier version of this lesson, which has since changed.
    pub changed_since_completed: bool,
    pub enrolled: bool,
    pub signed_in: bool,
    pub progress: Option<ProgressSummary>,
    /// Whether the lesson has check-your-understanding questions.
    pub has_questions: bool,
    /// When the lesson's facts were last checked against their sources, if it says.
    pub checked: Option<ShownDate>,
}

/// A date as a page shows it ("1 December 2026") and as `<time datetime>` gives it to machines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownDate {
    pub iso: String,
    pub shown: String,
}

#[cfg(feature = "ssr")]
impl From<chrono::NaiveDate> for ShownDate {
    fn from(date: chrono::NaiveDate) -> Self {
        ShownDate {
            iso: date.format("%Y-%m-%d").to_string(),
            shown: date.format("%-d %B %Y").to_string(),
        }
    }
}

/// HTML the server renders into a page's markup (a lesson's body, sanitised when it was loaded).
///
/// When this data travels inside a server-rendered page for hydration, the HTML is left out of the copy: it
/// is already in the markup, where the browser shows it at once (it is the page's largest paint), and
/// Leptos keeps server-rendered `inner_html` as it is while hydrating, so the copy would only double the
/// page's size. Fetched later, for navigation in the browser, it travels in full.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageHtml {
    html: String,
    already_in_markup: bool,
}

impl PageHtml {
    /// HTML that travels in full wherever this value goes.
    pub fn new(html: String) -> Self {
        PageHtml {
            html,
            already_in_markup: false,
        }
    }

    /// Leaves the HTML out when this value is serialised, because the page being rendered holds it.
    pub fn mark_in_markup(&mut self) {
        self.already_in_markup = true;
    }

    pub fn as_str(&self) -> &str {
        &self.html
    }
}

impl std::ops::Deref for PageHtml {
    type Target = str;

    fn deref(&self) -> &str {
        &self.html
    }
}

impl Serialize for PageHtml {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if self.already_in_markup {
            ""
        } else {
            &self.html
        })
    }
}

impl<'de> Deserialize<'de> for PageHtml {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(PageHtml::new)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::PageHtml;

    #[test]
    fn html_in_the_markup_is_not_copied_into_the_page_data() {
        let mut html = PageHtml::new("<p>Hazard log</p>".to_owned());
        assert_eq!(
            serde_json::to_string(&html).ok().as_deref(),
            Some("\"<p>Hazard log</p>\"")
        );
        html.mark_in_markup();
        assert_eq!(serde_json::to_string(&html).ok().as_deref(), Some("\"\""));
        assert_eq!(&*html, "<p>Hazard log</p>", "the server still renders it");
    }
}

/// How many module cards one catalogue page holds.
pub const CATALOGUE_PAGE_SIZE: u32 = 20;

/// One page of the catalogue, whole or filtered by a search, with what the page needs to offer the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueResults {
    pub cards: Vec<ModuleCard>,
    /// The search as understood (its words, space-separated); empty when browsing the whole catalogue.
    pub query: String,
    /// Modules matching (all listed modules when not searching).
    pub total: u32,
    /// 1-based; never past the last page.
    pub page: u32,
    pub pages: u32,
}

impl CatalogueResults {
    /// The address of another page of these results, for links that also work without JavaScript.
    pub fn page_href(&self, page: u32) -> String {
        use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
        let mut pairs = Vec::new();
        if !self.query.is_empty() {
            pairs.push(format!(
                "q={}",
                utf8_percent_encode(&self.query, NON_ALPHANUMERIC)
            ));
        }
        if page > 1 {
            pairs.push(format!("page={page}"));
        }
        if pairs.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{}", pairs.join("&"))
        }
    }

    /// 1-based positions of the first and last card shown, for "Showing 21–40 of 1,711".
    pub fn shown_range(&self) -> (u32, u32) {
        let first = (self.page - 1) * CATALOGUE_PAGE_SIZE + 1;
        let count = u32::try_from(self.cards.len()).unwrap_or(CATALOGUE_PAGE_SIZE);
        (first, first + count.saturating_sub(1))
    }
}
