//! Browser-only code: bindings to monday's SDK and to ECharts.

pub mod echarts;
pub mod monday;
