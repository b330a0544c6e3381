//! Open data: CSV, JSON Lines, Fiscal Data Package.
