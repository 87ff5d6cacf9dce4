//! Reusable pieces of the interface.

pub mod editor;
pub mod error_view;
pub mod form;
pub mod layout;
pub mod progress_bar;
pub mod quiz;
