//! An item's HTML as the Markdown a briefing holds: scripts, styles, embeds and tracking
//! pixels dropped, links kept only to http(s) and mail, and mention syntax broken so that no
//! text from a feed can ever ping, whatever a message's `allowed_mentions` says.

use htmd::element_handler::Handlers;
use htmd::{Element, HtmlToMarkdown};

/// Tags whose content is never text for a reader.
const DROPPED: [&str; 12] = [
    "script", "style", "noscript", "iframe", "object", "embed", "form", "template", "svg", "head",
    "button", "video",
];

fn converter() -> HtmlToMarkdown {
    HtmlToMarkdown::builder()
        .skip_tags(DROPPED.to_vec())
        .add_handler(vec!["img"], image)
        .add_handler(vec!["a"], link)
        .build()
}

thread_local! {
    // Building the converter registers every handler; one per thread is plenty.
    static CONVERTER: HtmlToMarkdown = converter();
}

/// Markdown for `html`, with mentions neutralised.
pub fn to_markdown(html: &str) -> String {
    let markdown = CONVERTER.with(|c| c.convert(html)).unwrap_or_default();
    neutralize_mentions(&markdown)
}

/// Plain text (a title, a summary given as text): only mentions need breaking.
pub fn plain(text: &str) -> String {
    neutralize_mentions(text.trim())
}

fn attr<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

/// Discord shows no inline images in message text: an image becomes a link named by its alt
/// text, and a pixel-sized one (a tracker) or one without an http(s) source disappears.
fn image(_: &dyn Handlers, element: Element) -> Option<htmd::element_handler::HandlerResult> {
    let tiny =
        |name| attr(&element, name).is_some_and(|v| v.trim().parse::<u32>().is_ok_and(|n| n <= 1));
    let src = attr(&element, "src").filter(|s| is_safe_url(s))?;
    if tiny("width") || tiny("height") {
        return None;
    }
    let alt = attr(&element, "alt")
        .map(str::trim)
        .filter(|a| !a.is_empty())?;
    Some(format!("[{}]({src})", alt.replace(['[', ']'], "")).into())
}

/// A link to anything but http(s) or mail (`javascript:`, `data:`) keeps only its text.
fn link(handlers: &dyn Handlers, element: Element) -> Option<htmd::element_handler::HandlerResult> {
    match attr(&element, "href") {
        Some(href) if is_safe_url(href) || href.trim().starts_with("mailto:") => {
            handlers.fallback(element)
        }
        _ => Some(handlers.walk_children(element.node).content.into()),
    }
}

fn is_safe_url(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.starts_with("https://") || url.starts_with("http://")
}

/// `@everyone`, `@here` and `<@…>`/`<@&…>`/`<#…>` lose their meaning with a zero-width space.
fn neutralize_mentions(text: &str) -> String {
    const ZWSP: &str = "\u{200B}";
    text.replace("@everyone", &format!("@{ZWSP}everyone"))
        .replace("@here", &format!("@{ZWSP}here"))
        .replace("<@", &format!("<{ZWSP}@"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_scripts_styles_and_tracking_pixels() {
        let md = to_markdown(
            "<p>Hello <b>world</b></p><script>alert(1)</script><style>p{}</style>\
             <img src=\"https://t.example/p.gif\" width=\"1\" height=\"1\" alt=\"x\">\
             <img src=\"https://example.org/map.png\" alt=\"Map\">",
        );
        assert!(md.contains("Hello **world**"), "{md}");
        assert!(!md.contains("alert") && !md.contains("p{}"), "{md}");
        assert!(!md.contains("t.example"), "{md}");
        assert!(md.contains("[Map](https://example.org/map.png)"), "{md}");
    }

    #[test]
    fn javascript_links_keep_only_their_text() {
        let md = to_markdown(
            "<p><a href=\"javascript:alert(1)\">click</a> and \
             <a href=\"https://example.org/a\">real</a></p>",
        );
        assert!(!md.contains("javascript"), "{md}");
        assert!(md.contains("click"), "{md}");
        assert!(md.contains("[real](https://example.org/a)"), "{md}");
    }

    #[test]
    fn mentions_cannot_ping() {
        let md = to_markdown("<p>@everyone @here &lt;@&amp;123&gt; &lt;@456&gt;</p>");
        assert!(!md.contains("@everyone") && !md.contains("@here"), "{md}");
        assert!(!md.contains("<@&123>") && !md.contains("<@456>"), "{md}");
        assert!(md.contains("everyone"), "{md}");
    }

    #[test]
    fn headings_stay_headings() {
        let md = to_markdown("<h2>What's Next?</h2><p>Talks.</p>");
        assert!(md.starts_with("## What's Next?"), "{md}");
    }
}
