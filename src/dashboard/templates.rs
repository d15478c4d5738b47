//! The handlebars registry: every template of `templates/`, embedded in the binary at build
//! time and registered once at start, in strict mode (a name the view does not have is an
//! error, not an empty string). Templates hold layout; the views they get are computed in Rust.
//! Everything is written with `{{ }}`, which escapes HTML: a charger may put `<script>` in its
//! model name.

use handlebars::Handlebars;
use serde::Serialize;
use std::sync::LazyLock;

/// `(name, source)` of every template; pages use the layout and partials by name.
macro_rules! embedded {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name, ".hbs")))),+]
    };
}

const TEMPLATES: &[(&str, &str)] = embedded![
    "layout",
    "when",
    "pager",
    "bar_chart",
    "line_chart",
    "notice",
    "login",
    "error",
    "overview",
    "chargers",
    "charger",
    "transactions",
    "transaction",
    "id_tags",
    "reservations",
    "profiles",
    "audit",
    "users",
];

/// The registry, built once.
static REGISTRY: LazyLock<Result<Handlebars<'static>, String>> = LazyLock::new(build);

fn build() -> Result<Handlebars<'static>, String> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.set_prevent_indent(true);
    for (name, source) in TEMPLATES {
        hb.register_template_string(name, source)
            .map_err(|e| format!("template {name}: {e}"))?;
    }
    Ok(hb)
}

/// Checks at start that every template parses (a broken template stops the start, not a page).
pub fn check() -> Result<(), String> {
    REGISTRY.as_ref().map(|_| ()).map_err(Clone::clone)
}

/// Renders template `name` with `view`.
pub fn render<T: Serialize>(name: &str, view: &T) -> Result<String, String> {
    let hb = REGISTRY.as_ref().map_err(Clone::clone)?;
    hb.render(name, view)
        .map_err(|e| format!("template {name}: {e}"))
}

/// Text with HTML's special characters escaped, for the few answers built without a template.
pub fn escape(text: &str) -> String {
    handlebars::html_escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        check().unwrap();
    }

    #[test]
    fn escape_covers_what_html_treats_specially() {
        assert_eq!(
            escape(r#"<script>alert("x")</script>&'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;"
        );
    }
}
