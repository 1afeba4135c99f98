//! The human-readable documents: a small document model rendered to Markdown and to one
//! self-contained HTML file (`document`), a run's `report.html` and pictures (`run_html`), and a
//! finished sweep's (`sweep_html`).

pub mod document;
pub mod run_html;
pub mod sweep_html;
