//! `kctl groups describe --watch`.
