//! Plots of an output directory, as PNG and SVG, drawn with plotters from the directory's CSV
//! files (`data`), never from a run in memory, so that `patchwork plot DIR` redraws exactly what
//! `run` or `compare` drew.
//!
//! Each figure is drawn once per backend by the same code (`Figure`): into an RGB buffer encoded as
//! PNG (`png`), and into an SVG string. Text comes from DejaVu Sans embedded in the binary (`font`).
//! Colours are the Okabe–Ito palette, distinguishable by readers with any common colour-vision
//! deficiency; every axis names its unit and every title says what the picture shows.
//!
//! - `plots/survival.{png,svg}`: time to help as Kaplan–Meier curves with a 95% band, one line
//!   per arm (`survival`);
//! - `plots/weekly.{png,svg}`: waiting for help, open cases, mean tie strength and staff in post,
//!   week by week (mean across replicates), with the timeline's events marked (`weekly`);
//! - `plots/network.{png,svg}`: the first patch's professional network in replicate 0 at the
//!   chosen weeks, a panel per week and arm: posts by agency (colour) and role (shape), vacant
//!   posts hollow, the minder marked, ties wider and darker as they strengthen (`network`, from
//!   `network_posts.csv` and `network_ties.csv`).
//!
//! A sweep has its own plots (`sweep`, from its `points.csv`) and no network: a sweep keeps no
//! run's output beyond its measures. The demo's animated network (`animation`) shares the
//! network's layout and colours. `patchwork warmup`'s picture (`warmup`, Welch's method) is drawn
//! from the analysis in memory: it has no CSV-only redraw, and writes a PNG only. So are
//! `patchwork calibrate`'s posterior and target-fit histograms (`calibration`) and `patchwork
//! sensitivity`'s Morris and Sobol' panels (`sensitivity`).

pub mod animation;
pub mod calibration;
mod data;
mod font;
pub mod network;
mod png;
pub mod sensitivity;
mod survival;
pub mod sweep;
mod warmup;
mod weekly;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use data::{
    EVENTS_CSV, NETWORK_POSTS_CSV, NETWORK_TIES_CSV, NetworkPanel, NetworkPost, NetworkTie,
    PlotData, PlotDataError, PlotInputs, SURVIVAL_CSV, SurvivalLine, TimelineEvent, WEEKLY_CSV,
    WeeklyLine,
};

use crate::output::{RenderedFile, ReportError};

/// The directory plots go to, inside an output directory.
pub const PLOTS_DIR: &str = "plots";
pub use crate::output::files::NETWORK_PNG;
pub use crate::output::files::NETWORK_SVG;
pub use crate::output::files::SURVIVAL_PNG;
pub use crate::output::files::SURVIVAL_SVG;
pub use crate::output::files::WEEKLY_PNG;
pub use crate::output::files::WEEKLY_SVG;

/// The Okabe–Ito palette, in the order arms take it: blue, vermillion, bluish green, reddish
/// purple, orange, sky blue, yellow, black.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x00, 0x00),
];

/// The colour of the `index`-th arm.
pub(crate) fn arm_colour(index: usize) -> RGBColor {
    OKABE_ITO[index % OKABE_ITO.len()]
}

/// Grey for annotations (events, the warm-up, reference lines).
pub(crate) const ANNOTATION_GREY: RGBColor = RGBColor(0x60, 0x60, 0x60);

/// One picture, drawable on any plotters backend.
trait Figure {
    /// Width and height in pixels (the SVG uses the same user units).
    fn size(&self) -> (u32, u32);

    /// Draws the picture on `root`; an error is a message for the user.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// A plotters error as text.
pub(crate) fn drawing_error<E: std::error::Error + Send + Sync>(
    error: DrawingAreaErrorKind<E>,
) -> String {
    error.to_string()
}

/// `text` cut (with an ellipsis) to fit `width` pixels in `style`.
pub(crate) fn fitted<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    width: u32,
) -> Result<String, String> {
    let mut fitted = text.to_string();
    let mut chars: Vec<char> = text.chars().collect();
    while area
        .estimate_text_size(&fitted, style)
        .map_err(drawing_error)?
        .0
        > width
        && !chars.is_empty()
    {
        chars.pop();
        fitted = format!("{}…", chars.iter().collect::<String>().trim_end());
    }
    Ok(fitted)
}

/// A plotters text style in the embedded font.
pub(crate) fn text_style(size: f64) -> TextStyle<'static> {
    (font::FAMILY, size).into_font().color(&BLACK)
}

fn render_png(figure: &impl Figure) -> Result<Vec<u8>, String> {
    let (width, height) = figure.size();
    let mut rgb = vec![255u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(drawing_error)?;
    }
    png::encode_rgb(&rgb, width, height)
}

fn render_svg(figure: &impl Figure) -> Result<Vec<u8>, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, figure.size()).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(drawing_error)?;
    }
    Ok(svg.into_bytes())
}

/// One file of a figure still to be drawn: its name and the work that draws it.
struct FileJob<'a> {
    file_name: &'static str,
    draw: Box<dyn Fn() -> Result<Vec<u8>, String> + Send + Sync + 'a>,
}

/// The two files of one figure, PNG then SVG, as separate jobs (so that two threads can draw one
/// figure's PNG and SVG at once).
fn figure_jobs<'a>(
    figure: impl Figure + Send + Sync + 'a,
    png_name: &'static str,
    svg_name: &'static str,
) -> [FileJob<'a>; 2] {
    let figure = std::sync::Arc::new(figure);
    let for_svg = std::sync::Arc::clone(&figure);
    [
        FileJob {
            file_name: png_name,
            draw: Box::new(move || render_png(&*figure)),
        },
        FileJob {
            file_name: svg_name,
            draw: Box::new(move || render_svg(&*for_svg)),
        },
    ]
}

/// Draws every job on the current rayon pool (the command's `--threads`) and returns the files in
/// the jobs' order. Each file is drawn by one thread from its own buffer, so its bytes do not
/// depend on how the jobs were scheduled; when several fail, the first in order is reported.
fn draw_in_parallel(jobs: Vec<FileJob<'_>>) -> Result<Vec<RenderedFile>, ReportError> {
    use rayon::prelude::*;
    let drawn: Vec<Result<RenderedFile, ReportError>> = jobs
        .into_par_iter()
        .with_max_len(1)
        .map(|job| {
            (job.draw)()
                .map(|bytes| RenderedFile {
                    file_name: job.file_name,
                    bytes,
                })
                .map_err(|reason| ReportError::Render {
                    file_name: job.file_name,
                    reason,
                })
        })
        .collect();
    drawn.into_iter().collect()
}

/// Renders every plot the data allows (a figure without data is left out), PNG then SVG of each,
/// named `plots/<figure>.<ext>`; the figures are drawn in parallel on the current rayon pool.
pub fn render_plots(data: &PlotData) -> Result<Vec<RenderedFile>, ReportError> {
    font::register().map_err(|reason| ReportError::Render {
        file_name: SURVIVAL_PNG,
        reason,
    })?;
    let mut jobs = Vec::new();
    if data.survival.iter().any(|line| !line.time.is_empty()) {
        jobs.extend(figure_jobs(
            survival::SurvivalFigure { data },
            SURVIVAL_PNG,
            SURVIVAL_SVG,
        ));
    }
    if data.weekly.iter().any(|line| !line.week.is_empty()) {
        jobs.extend(figure_jobs(
            weekly::WeeklyFigure { data },
            WEEKLY_PNG,
            WEEKLY_SVG,
        ));
    }
    if data.network.iter().any(|panel| !panel.posts.is_empty()) {
        jobs.extend(figure_jobs(
            network::NetworkFigure { data },
            NETWORK_PNG,
            NETWORK_SVG,
        ));
    }
    draw_in_parallel(jobs)
}

/// Files of the per-axis sweep plots, for up to eight axes (PNG, SVG).
pub const SWEEP_AXIS_PLOTS: [(&str, &str); 8] = [
    ("plots/sweep-axis-1.png", "plots/sweep-axis-1.svg"),
    ("plots/sweep-axis-2.png", "plots/sweep-axis-2.svg"),
    ("plots/sweep-axis-3.png", "plots/sweep-axis-3.svg"),
    ("plots/sweep-axis-4.png", "plots/sweep-axis-4.svg"),
    ("plots/sweep-axis-5.png", "plots/sweep-axis-5.svg"),
    ("plots/sweep-axis-6.png", "plots/sweep-axis-6.svg"),
    ("plots/sweep-axis-7.png", "plots/sweep-axis-7.svg"),
    ("plots/sweep-axis-8.png", "plots/sweep-axis-8.svg"),
];
pub const SWEEP_HEATMAP_PNG: &str = "plots/sweep-heatmap.png";
pub const SWEEP_HEATMAP_SVG: &str = "plots/sweep-heatmap.svg";

/// Levels an axis may have to be drawn on a heatmap.
const MAX_HEATMAP_LEVELS: usize = 12;

/// What a sweep plot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepFigureKind {
    /// The headline measures against this axis (an index into `SweepData::axes`).
    AgainstAxis(usize),
    /// The headline measures over these two axes, as heatmaps.
    Heatmap(usize, usize),
}

/// One sweep plot: its files and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPlot {
    pub png: &'static str,
    pub svg: &'static str,
    pub caption: String,
    pub kind: SweepFigureKind,
}

/// The sweep plots the data allows: one per varying axis (the first eight, in `points.csv`
/// order, numbered by position among them) and a heatmap over the first two varying axes with
/// few enough levels.
pub fn sweep_plot_list(data: &sweep::SweepData) -> Vec<SweepPlot> {
    let varying = data.varying_axes();
    let mut list: Vec<SweepPlot> = varying
        .iter()
        .zip(SWEEP_AXIS_PLOTS)
        .map(|(axis, (png, svg))| SweepPlot {
            png,
            svg,
            caption: format!(
                "Headline measures against {}",
                sweep::axis_label(&data.axes[*axis].key)
            ),
            kind: SweepFigureKind::AgainstAxis(*axis),
        })
        .collect();
    let mapped: Vec<usize> = varying
        .iter()
        .copied()
        .filter(|axis| data.axes[*axis].levels.len() <= MAX_HEATMAP_LEVELS)
        .collect();
    if let [x, y, ..] = mapped[..] {
        list.push(SweepPlot {
            png: SWEEP_HEATMAP_PNG,
            svg: SWEEP_HEATMAP_SVG,
            caption: format!(
                "Headline measures over {} and {}",
                sweep::axis_label(&data.axes[x].key),
                sweep::axis_label(&data.axes[y].key)
            ),
            kind: SweepFigureKind::Heatmap(x, y),
        });
    }
    list
}

pub use crate::output::files::WARMUP_PNG;

/// `warmup.png`: every series of a Welch analysis of `replicates` replicates, smoothed with
/// half-width `window`.
pub fn render_warmup_png(
    series: &[crate::metrics::welch::WelchSeries],
    replicates: u32,
    window: usize,
) -> Result<RenderedFile, ReportError> {
    let figure = warmup::WarmupFigure {
        series,
        replicates,
        window,
    };
    render_png_file(WARMUP_PNG, &figure)
}

/// One figure as a PNG named `file_name` (the embedded font registered first).
fn render_png_file(
    file_name: &'static str,
    figure: &impl Figure,
) -> Result<RenderedFile, ReportError> {
    let render_error = |reason: String| ReportError::Render { file_name, reason };
    font::register().map_err(render_error)?;
    Ok(RenderedFile {
        file_name,
        bytes: render_png(figure).map_err(render_error)?,
    })
}

pub use crate::output::files::CALIBRATION_POSTERIOR_PNG;
pub use crate::output::files::CALIBRATION_TARGETS_PNG;

/// A grid of histogram panels (`calibration`) as a PNG named `file_name`.
pub fn render_histogram_grid_png(
    file_name: &'static str,
    title: String,
    panels: &[calibration::HistogramPanel],
) -> Result<RenderedFile, ReportError> {
    render_png_file(file_name, &calibration::HistogramGrid { title, panels })
}

pub use crate::output::files::SENSITIVITY_MORRIS_PNG;
pub use crate::output::files::SENSITIVITY_SOBOL_PNG;

/// Morris's μ*–σ scatter, a panel per output, as `plots/morris.png`.
pub fn render_morris_png(
    title: String,
    panels: &[sensitivity::Panel<sensitivity::MorrisPoint>],
) -> Result<RenderedFile, ReportError> {
    let figure = sensitivity::SensitivityFigure { title, panels };
    render_png_file(SENSITIVITY_MORRIS_PNG, &figure)
}

/// Sobol' S1 and ST bars, a panel per output, as `plots/sobol.png`.
pub fn render_sobol_png(
    title: String,
    panels: &[sensitivity::Panel<sensitivity::SobolBars>],
) -> Result<RenderedFile, ReportError> {
    let figure = sensitivity::SensitivityFigure { title, panels };
    render_png_file(SENSITIVITY_SOBOL_PNG, &figure)
}

/// Renders every sweep plot, PNG then SVG of each, in parallel on the current rayon pool.
pub fn render_sweep_plots(data: &sweep::SweepData) -> Result<Vec<RenderedFile>, ReportError> {
    font::register().map_err(|reason| ReportError::Render {
        file_name: SWEEP_HEATMAP_PNG,
        reason,
    })?;
    let mut jobs = Vec::new();
    for plot in sweep_plot_list(data) {
        jobs.extend(match plot.kind {
            SweepFigureKind::AgainstAxis(x) => {
                figure_jobs(sweep::SweepAxisFigure { data, x }, plot.png, plot.svg)
            }
            SweepFigureKind::Heatmap(x, y) => {
                figure_jobs(sweep::HeatmapFigure { data, x, y }, plot.png, plot.svg)
            }
        });
    }
    draw_in_parallel(jobs)
}

/// Reads the plot input files of an output directory (`survival.csv`, `weekly.csv`, `events.csv`,
/// `network_posts.csv`, `network_ties.csv` and, for the arm name and the warm-up,
/// `metadata.json`), each optional.
#[derive(Debug, Clone, Default)]
pub struct DirectoryInputs {
    pub survival_csv: Option<Vec<u8>>,
    pub weekly_csv: Option<Vec<u8>>,
    pub events_csv: Option<Vec<u8>>,
    pub network_posts_csv: Option<Vec<u8>>,
    pub network_ties_csv: Option<Vec<u8>>,
    pub single_arm: String,
    pub warmup_weeks: Option<u32>,
}

/// Something went wrong reading an output directory to redraw its plots.
#[derive(Debug, thiserror::Error)]
pub enum PlotDirError {
    #[error("cannot read {}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{} has neither survival.csv nor weekly.csv: patchwork plot redraws the output directory of `run` or `compare`",
        path.display()
    )]
    NothingToPlot { path: std::path::PathBuf },

    #[error("cannot read the plot data in {}", path.display())]
    Data {
        path: std::path::PathBuf,
        #[source]
        source: PlotDataError,
    },
}

impl DirectoryInputs {
    /// Reads the files of `directory`; a missing file is `None`, any other error is returned.
    pub fn read(directory: &Path) -> Result<DirectoryInputs, PlotDirError> {
        let read_optional = |name: &str| -> Result<Option<Vec<u8>>, PlotDirError> {
            let path = directory.join(name);
            match std::fs::read(&path) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(PlotDirError::Read { path, source }),
            }
        };
        let survival_csv = read_optional(SURVIVAL_CSV)?;
        let weekly_csv = read_optional(WEEKLY_CSV)?;
        if survival_csv.is_none() && weekly_csv.is_none() {
            return Err(PlotDirError::NothingToPlot {
                path: directory.to_path_buf(),
            });
        }
        let metadata: Option<serde_json::Value> =
            read_optional(crate::output::files::METADATA_JSON)?
                .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let (single_arm, warmup_weeks) = match &metadata {
            Some(metadata) => (
                metadata["scenario"].as_str().unwrap_or("run").to_string(),
                warmup_from_metadata(metadata),
            ),
            None => ("run".to_string(), None),
        };
        Ok(DirectoryInputs {
            survival_csv,
            weekly_csv,
            events_csv: read_optional(EVENTS_CSV)?,
            network_posts_csv: read_optional(NETWORK_POSTS_CSV)?,
            network_ties_csv: read_optional(NETWORK_TIES_CSV)?,
            single_arm,
            warmup_weeks,
        })
    }

    /// The plot data, reading errors naming `directory`.
    pub fn plot_data(&self, directory: &Path) -> Result<PlotData, PlotDirError> {
        PlotData::from_csv(&PlotInputs {
            survival_csv: self.survival_csv.as_deref(),
            weekly_csv: self.weekly_csv.as_deref(),
            events_csv: self.events_csv.as_deref(),
            network_posts_csv: self.network_posts_csv.as_deref(),
            network_ties_csv: self.network_ties_csv.as_deref(),
            single_arm: &self.single_arm,
            warmup_weeks: self.warmup_weeks,
        })
        .map_err(|source| PlotDirError::Data {
            path: directory.to_path_buf(),
            source,
        })
    }
}

/// The warm-up weeks recorded in a run's or a comparison's `metadata.json`.
pub fn warmup_from_metadata(metadata: &serde_json::Value) -> Option<u32> {
    [
        "/resolved_scenario/run/warmup_weeks",
        "/a/resolved_scenario/run/warmup_weeks",
    ]
    .iter()
    .find_map(|pointer| {
        metadata
            .pointer(pointer)
            .and_then(serde_json::Value::as_u64)
    })
    .and_then(|weeks| u32::try_from(weeks).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    fn data() -> PlotData {
        let survival = SurvivalLine {
            arm: "a".to_string(),
            time: vec![0.0, 2.0, 5.0, 9.0],
            survival: vec![1.0, 0.7, 0.4, 0.1],
            lower_95: vec![1.0, 0.6, 0.3, 0.05],
            upper_95: vec![1.0, 0.8, 0.5, 0.15],
        };
        let weekly = WeeklyLine {
            arm: "a".to_string(),
            week: (0..20).collect(),
            waiting_for_help: (0..20).map(f64::from).collect(),
            open_cases: (0..20).map(|week| f64::from(week) * 2.0).collect(),
            mean_tie_strength: vec![0.3; 20],
            staff_in_post: vec![40.0; 20],
            replicates: 3,
        };
        PlotData {
            survival: vec![
                survival.clone(),
                SurvivalLine {
                    arm: "b".to_string(),
                    ..survival
                },
            ],
            weekly: vec![weekly],
            events: vec![TimelineEvent {
                arm: None,
                week: 8,
                locality: 0,
                label: "restructure".to_string(),
            }],
            network: [4, 7]
                .into_iter()
                .map(|week| NetworkPanel {
                    arm: "a".to_string(),
                    week,
                    posts: [
                        (Role::Senco, true, false),
                        (Role::Head, false, false),
                        (Role::SocialWorker, true, false),
                        (Role::SpeechTherapist, true, false),
                        (Role::EarlyHelp, true, true),
                    ]
                    .into_iter()
                    .enumerate()
                    .map(|(post, (role, in_post, minder))| NetworkPost {
                        post: post as u32,
                        role,
                        agency: role.agency(),
                        school: (role.agency() == crate::model::Agency::School)
                            .then_some(crate::model::SchoolId::primary(1)),
                        in_post,
                        minder,
                    })
                    .collect(),
                    ties: vec![
                        NetworkTie {
                            post_a: 0,
                            post_b: 2,
                            strength: 0.8,
                        },
                        NetworkTie {
                            post_a: 2,
                            post_b: 4,
                            strength: f64::from(week) / 10.0,
                        },
                    ],
                })
                .collect(),
            warmup_weeks: Some(4),
        }
    }

    #[test]
    fn every_figure_is_a_png_and_an_svg() {
        let files = render_plots(&data()).unwrap();
        let names: Vec<&str> = files.iter().map(|file| file.file_name).collect();
        assert_eq!(
            names,
            vec![
                SURVIVAL_PNG,
                SURVIVAL_SVG,
                WEEKLY_PNG,
                WEEKLY_SVG,
                NETWORK_PNG,
                NETWORK_SVG
            ]
        );
        for file in &files {
            if file.file_name.ends_with(".png") {
                assert_eq!(&file.bytes[..8], b"\x89PNG\r\n\x1a\n");
            } else {
                let text = std::str::from_utf8(&file.bytes).unwrap();
                assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
                assert!(text.contains("week"), "axes name their unit");
            }
            assert!(
                file.bytes.len() > 5_000,
                "{} is not trivial",
                file.file_name
            );
        }
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(
            render_plots(&data()).unwrap(),
            render_plots(&data()).unwrap()
        );
    }

    #[test]
    fn figures_without_data_are_left_out() {
        assert!(render_plots(&PlotData::default()).unwrap().is_empty());
        let only_weekly = PlotData {
            survival: Vec::new(),
            network: Vec::new(),
            ..data()
        };
        let names: Vec<&str> = render_plots(&only_weekly)
            .unwrap()
            .iter()
            .map(|file| file.file_name)
            .collect();
        assert_eq!(names, vec![WEEKLY_PNG, WEEKLY_SVG]);
    }

    #[test]
    fn warmup_is_read_from_run_or_comparison_metadata() {
        let run = serde_json::json!({"resolved_scenario": {"run": {"warmup_weeks": 52}}});
        let comparison =
            serde_json::json!({"a": {"resolved_scenario": {"run": {"warmup_weeks": 26}}}});
        assert_eq!(warmup_from_metadata(&run), Some(52));
        assert_eq!(warmup_from_metadata(&comparison), Some(26));
        assert_eq!(warmup_from_metadata(&serde_json::json!({})), None);
    }
}
