//! A set of questions: a form to answer them, then the marked results with explanations.
//!
//! Works without JavaScript (the form posts and the page comes back with the stored result) and hydrated
//! (the result appears in place). Each question is a fieldset whose legend is the prompt, so screen readers
//! announce the question with each option.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::quizzes::{
    AttemptView, QuestionKind, QuestionView, QuizView, SubmitQuiz, fetch_quiz,
};

/// Questions for `scope` (a lesson slug, or `assessment`) of `module`.
#[component]
pub fn Quiz(
    #[prop(into)] module: String,
    #[prop(into)] scope: String,
    #[prop(into)] heading: String,
) -> impl IntoView {
    let submit = ServerAction::<SubmitQuiz>::new();
    let quiz = {
        let (module, scope) = (module.clone(), scope.clone());
        Resource::new(
            move || submit.version().get(),
            move |_| fetch_quiz(module.clone(), scope.clone()),
        )
    };
    let failed = move || submit.value().get().and_then(|r| r.err());
    let heading_id = format!("quiz-{scope}-heading");
    let labelled_by = heading_id.clone();
    view! {
        <section class="quiz" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            {move || failed().map(|e| view! { <p class="field__error" role="alert">{e.to_string()}</p> })}
            <Transition fallback=|| view! { <p>"Loading questions…"</p> }>
                {move || Suspend::new(async move {
                    match quiz.await {
                        Ok(quiz) => view! { <QuizBody quiz=quiz submit=submit/> }.into_any(),
                        Err(e) => view! { <p class="field__error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn QuizBody(quiz: QuizView, submit: ServerAction<SubmitQuiz>) -> impl IntoView {
    let is_assessment = quiz.pass_mark.is_some();
    let policy = quiz.pass_mark.map(|mark| {
        let attempts = match quiz.max_attempts {
            Some(max) => format!("You have used {} of {max} attempts.", quiz.attempts_used),
            None => "You can try as many times as you like.".to_owned(),
        };
        view! { <p class="quiz__policy">{format!("Pass mark: {mark}%. {attempts}")}</p> }
    });
    let result = quiz
        .last_attempt
        .clone()
        .map(|attempt| view! { <AttemptResult attempt=attempt questions=quiz.questions.clone() is_assessment=is_assessment/> });
    let waiting = quiz.next_attempt_at.clone().map(|at| {
        let shown = at.get(..16).unwrap_or(&at).replace('T', " at ");
        view! { <p class="notice">{format!("You can try again from {shown} (UTC).")}</p> }
    });
    let form = if !quiz.signed_in {
        let next = if is_assessment {
            format!("/sign-in?next=/modules/{}/assessment", quiz.module_slug)
        } else {
            format!(
                "/sign-in?next=/modules/{}/lessons/{}",
                quiz.module_slug, quiz.scope
            )
        };
        Some(view! { <p><A href=next>"Sign in to answer these questions"</A></p> }.into_any())
    } else if quiz.passed && is_assessment {
        Some(
            view! { <p class="notice notice--done">"You have passed this assessment."</p> }
                .into_any(),
        )
    } else if quiz.can_attempt {
        let retry = quiz.last_attempt.is_some();
        Some(view! { <QuizForm quiz=quiz.clone() submit=submit retry=retry/> }.into_any())
    } else {
        None
    };
    view! { {policy} {result} {waiting} {form} }
}

#[component]
fn QuizForm(quiz: QuizView, submit: ServerAction<SubmitQuiz>, retry: bool) -> impl IntoView {
    let button = match (quiz.pass_mark.is_some(), retry) {
        (true, _) => "Submit assessment",
        (false, false) => "Check my answers",
        (false, true) => "Check my answers again",
    };
    view! {
        <ActionForm action=submit attr:class="quiz__form">
            <input type="hidden" name="module" value=quiz.module_slug.clone()/>
            <input type="hidden" name="scope" value=quiz.scope.clone()/>
            {quiz.questions.iter().enumerate().map(|(n, q)| view! { <QuestionFieldset number=n + 1 question=q.clone()/> }).collect_view()}
            <button type="submit" class="button">{button}</button>
        </ActionForm>
    }
}

#[component]
fn QuestionFieldset(number: usize, question: QuestionView) -> impl IntoView {
    let (input_type, hint) = match question.kind {
        QuestionKind::Multiple => ("checkbox", "Select all that apply."),
        QuestionKind::Single => ("radio", "Select one answer."),
        QuestionKind::TrueFalse => ("radio", "True or false?"),
    };
    let hint_id = format!("q-{}-hint", question.id);
    let described_by = hint_id.clone();
    view! {
        <fieldset class="question" aria-describedby=described_by>
            <legend class="question__prompt">{format!("{number}. {}", question.prompt)}</legend>
            <p class="field__hint" id=hint_id>{hint}</p>
            {question.options.iter().enumerate().map(|(i, text)| {
                let id = format!("q-{}-{i}", question.id);
                let name = if input_type == "radio" {
                    format!("answers[{}][choice]", question.id)
                } else {
                    format!("answers[{}][o{i}]", question.id)
                };
                view! {
                    <div class="choice">
                        <input type=input_type id=id.clone() name=name value=i.to_string()/>
                        <label for=id>{text.clone()}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn AttemptResult(
    attempt: AttemptView,
    questions: Vec<QuestionView>,
    is_assessment: bool,
) -> impl IntoView {
    let mut summary = format!(
        "You answered {} of {} questions correctly ({}%).",
        attempt.correct, attempt.total, attempt.score
    );
    if is_assessment {
        summary.push_str(if attempt.passed {
            " You passed."
        } else {
            " You did not reach the pass mark this time."
        });
    }
    let withheld = (!attempt.answers_revealed).then(|| view! {
        <p class="quiz__withheld">"The correct answers are not shown yet, so the next attempt tests what you know. Read the explanations and the lessons they point to, then try again."</p>
    });
    view! {
        <div class="quiz__result" role="status">
            <p class="quiz__score">{summary}</p>
            {withheld}
            <ol class="quiz__answers">
                {attempt.results.into_iter().map(|r| {
                    let question = questions.iter().find(|q| q.id == r.id).cloned();
                    let prompt = question.as_ref().map(|q| q.prompt.clone()).unwrap_or_default();
                    let option = |i: &usize| question.as_ref().and_then(|q| q.options.get(*i).cloned()).unwrap_or_default();
                    let chosen: Vec<String> = r.chosen.iter().map(option).collect();
                    let right: Option<Vec<String>> = r.correct_options.as_ref().map(|o| o.iter().map(option).collect());
                    view! {
                        <li class="quiz__answer" class:quiz__answer--right=r.correct>
                            <p class="quiz__prompt">{prompt}</p>
                            <p class="quiz__verdict">{if r.correct { "Correct." } else { "Not quite." }}</p>
                            <p>{format!("Your answer: {}", if chosen.is_empty() { "none".to_owned() } else { chosen.join("; ") })}</p>
                            {right.filter(|_| !r.correct).map(|right| view! { <p>{format!("Correct answer: {}", right.join("; "))}</p> })}
                            {r.feedback.into_iter().map(|f| view! { <p class="quiz__feedback">{f}</p> }).collect_view()}
                            <p class="quiz__explanation">{r.explanation}</p>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </div>
    }
}
