//! Assessment item analysis for course leads, from classical test theory.
//!
//! For each question: its **facility** (the share of learners who got it right), its **discrimination**
//! (how much better the top 27% of learners by total score did on it than the bottom 27%: near zero or
//! negative flags a confusing question), and the wrong option chosen most often. Each learner's *first*
//! attempt is used, because later attempts follow the feedback given on earlier ones.

use std::collections::HashMap;

use super::quizzes::{Answers, mark};
use crate::model::cohorts::ItemStats;
use crate::ssr::content::QuestionSpec;

/// Analyses one first attempt per learner against the questions they answered.
pub fn analyse(questions: &[QuestionSpec], first_attempts: &[Answers]) -> Vec<ItemStats> {
    let marked: Vec<(Vec<bool>, usize)> = first_attempts
        .iter()
        .map(|answers| {
            let (results, correct) = mark(questions, answers);
            (
                results.iter().map(|r| r.correct).collect(),
                correct as usize,
            )
        })
        .collect();
    let n = marked.len();
    // Upper and lower groups by total score: 27% of learners each, at least one.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(marked[i].1));
    let group = ((n as f64) * 0.27).round().max(1.0) as usize;
    let (upper, lower): (&[usize], &[usize]) = if n >= 2 {
        (&order[..group.min(n / 2)], &order[n - group.min(n / 2)..])
    } else {
        (&[], &[])
    };
    let share = |members: &[usize], q: usize| {
        members.iter().filter(|&&i| marked[i].0[q]).count() as f64 / members.len() as f64
    };
    questions
        .iter()
        .enumerate()
        .map(|(q, question)| {
            let right = marked.iter().filter(|(r, _)| r[q]).count();
            let mut wrong_choices: HashMap<usize, u32> = HashMap::new();
            for (answers, (results, _)) in first_attempts.iter().zip(&marked) {
                if !results[q] {
                    for &chosen in answers.get(&question.id).into_iter().flatten() {
                        let is_correct_option = match question.kind {
                            crate::model::quizzes::QuestionKind::TrueFalse => {
                                (chosen == 0) == (question.answer == Some(true))
                            }
                            _ => question.options.get(chosen).is_some_and(|o| o.correct),
                        };
                        if !is_correct_option {
                            *wrong_choices.entry(chosen).or_default() += 1;
                        }
                    }
                }
            }
            let most_chosen_wrong = wrong_choices
                .into_iter()
                .max_by_key(|&(option, count)| (count, std::cmp::Reverse(option)))
                .map(|(option, count)| {
                    let text = match question.kind {
                        crate::model::quizzes::QuestionKind::TrueFalse => {
                            if option == 0 {
                                "True".to_owned()
                            } else {
                                "False".to_owned()
                            }
                        }
                        _ => question
                            .options
                            .get(option)
                            .map(|o| o.text.clone())
                            .unwrap_or_default(),
                    };
                    (text, count)
                });
            ItemStats {
                id: question.id.clone(),
                prompt: question.prompt.clone(),
                facility: if n == 0 {
                    None
                } else {
                    Some(right as f64 / n as f64)
                },
                discrimination: (!upper.is_empty()).then(|| share(upper, q) - share(lower, q)),
                most_chosen_wrong,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::quizzes::QuestionKind;
    use crate::ssr::content::OptionSpec;
    use std::collections::BTreeSet;

    fn single(id: &str, correct: usize, options: usize) -> QuestionSpec {
        QuestionSpec {
            id: id.into(),
            kind: QuestionKind::Single,
            prompt: format!("{id}?"),
            explanation: "x".into(),
            options: (0..options)
                .map(|i| OptionSpec {
                    text: format!("{id}-{i}"),
                    correct: i == correct,
                    feedback: None,
                })
                .collect(),
            answer: None,
        }
    }

    fn attempt(choices: &[(&str, usize)]) -> Answers {
        choices
            .iter()
            .map(|(q, c)| ((*q).to_owned(), BTreeSet::from([*c])))
            .collect()
    }

    #[test]
    fn facility_discrimination_and_distractors_match_a_hand_computed_example() {
        let questions = [single("q1", 0, 3), single("q2", 1, 3)];
        // Scores: A 2, B 2, C 1 (q1 right), D 0. Upper group (27% of 4, rounded = 1): A; lower: D.
        let attempts = [
            attempt(&[("q1", 0), ("q2", 1)]),
            attempt(&[("q1", 0), ("q2", 1)]),
            attempt(&[("q1", 0), ("q2", 2)]),
            attempt(&[("q1", 2), ("q2", 2)]),
        ];
        let stats = analyse(&questions, &attempts);
        assert_eq!(stats[0].facility, Some(0.75));
        assert_eq!(stats[1].facility, Some(0.5));
        assert_eq!(stats[0].discrimination, Some(1.0));
        assert_eq!(stats[1].discrimination, Some(1.0));
        assert_eq!(stats[0].most_chosen_wrong, Some(("q1-2".to_owned(), 1)));
        assert_eq!(stats[1].most_chosen_wrong, Some(("q2-2".to_owned(), 2)));
    }

    #[test]
    fn a_question_the_weaker_learners_get_right_has_negative_discrimination() {
        let questions = [single("easy", 0, 2), single("odd", 0, 2)];
        let attempts = [
            attempt(&[("easy", 0), ("odd", 1)]),
            attempt(&[("easy", 1), ("odd", 0)]),
        ];
        // Totals tie at 1: the stable order keeps the first as "upper".
        let stats = analyse(&questions, &attempts);
        assert_eq!(stats[0].discrimination, Some(1.0));
        assert_eq!(stats[1].discrimination, Some(-1.0));
    }

    #[test]
    fn no_attempts_gives_no_figures() {
        let stats = analyse(&[single("q", 0, 2)], &[]);
        assert_eq!(
            (
                stats[0].facility,
                stats[0].discrimination,
                stats[0].most_chosen_wrong.clone()
            ),
            (None, None, None)
        );
    }
}
