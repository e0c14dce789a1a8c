pub mod calendar;
pub mod clocks;
