pub mod group_comparison;
pub mod insights_panel;
pub mod productivity_chart;
pub mod tiles;
