pub mod board_view;
pub mod not_found;
pub mod settings;
