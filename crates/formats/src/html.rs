//! Print view (HTML): one standalone page per form.
