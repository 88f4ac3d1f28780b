//! Pieces shared by the pages: the alert banner ([`Problem`]), a video tile ([`VideoTile`]), and the log
//! ([`LogPanel`]), one file each.

mod log_panel;
mod problem;
mod video_tile;

pub use self::{log_panel::LogPanel, problem::Problem, video_tile::VideoTile};
