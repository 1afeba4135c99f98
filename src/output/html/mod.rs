//! The human-readable documents: a small document model rendered to Markdown and to one
//! self-contained HTML file (`document`), a run's `report.html` and pictures (`run_html`), a
//! finished sweep's (`sweep_html`) and a national run's report (`national_html`).

pub mod document;
pub mod national_html;
pub mod run_html;
pub mod sweep_html;
