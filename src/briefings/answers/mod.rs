//! Answers to members' questions, as plain values: which briefing or section a command means,
//! the `/briefings` pages and their buttons, `/search` results and autocomplete choices.
//! The Discord layer only maps options in and payloads out, so all of this is tested here.

use super::content::AnswerCache;
use super::search::SearchIndex;
use super::{Briefing, Library, SectionCatalog};
use crate::answer::{clip, sanitize, Choice, Tag, UserError, CHOICE_LEN, MAX_CHOICES};
use crate::locales::Words;
use crate::render::{
    self, ActionRow, Button, Embed, EmbedField, EmbedFooter, MessagePayload, Prepared,
};
use std::sync::Arc;

/// Prefix of the `/briefings` paging buttons' `custom_id`.
const LIST_BUTTON: &str = "brf:list:";

/// The briefing a command option names; no option (or an empty one) means the newest.
pub fn find_briefing<'a>(
    words: &Words,
    lib: &'a Library,
    id: Option<&str>,
) -> Result<&'a Arc<Briefing>, UserError> {
    let wanted = id.map(str::trim).filter(|s| !s.is_empty());
    lookup(lib, wanted).ok_or_else(|| match wanted {
        _ if lib.is_empty() => UserError::new(words.text("no-briefings")),
        None => UserError::new(words.text("no-briefings")),
        Some(id) => UserError::new(words.t(
            "briefing-not-found",
            &[
                ("id", clip(&sanitize(id), 80).into()),
                ("recent", recent_ids(lib).into()),
            ],
        )),
    })
}

fn lookup<'a>(lib: &'a Library, wanted: Option<&str>) -> Option<&'a Arc<Briefing>> {
    match wanted {
        None => lib.latest(),
        Some(id) => lib.get(id),
    }
}

/// `/brief`: every section of the briefing, rendered once per library snapshot (`cache`).
pub fn brief(
    words: &Words,
    lib: &Library,
    cache: &AnswerCache,
    id: Option<&str>,
) -> Result<Prepared, UserError> {
    Ok(cache.briefing(find_briefing(words, lib, id)?))
}

/// One section of a briefing, named by key (`whats_next`, `whats-next`) or any heading alias,
/// rendered once per library snapshot (`cache`).
pub fn section(
    words: &Words,
    lib: &Library,
    cache: &AnswerCache,
    catalog: &SectionCatalog,
    id: Option<&str>,
    name: &str,
) -> Result<Prepared, UserError> {
    let b = find_briefing(words, lib, id)?;
    let key = catalog.key_for_name(name);
    match b.sections.iter().position(|s| s.key == key) {
        Some(index) => Ok(cache.section(b, index)),
        None => {
            let shown = catalog
                .get(key.as_str())
                .map_or_else(|| sanitize(name), |d| d.title.clone());
            let has: Vec<String> = b.sections.iter().map(|s| clip(&s.heading, 80)).collect();
            Err(UserError::new(words.t(
                "section-missing",
                &[
                    ("title", clip(&b.title, 120).into()),
                    ("section", clip(&shown, 80).into()),
                    ("sections", has.join(", ").into()),
                ],
            )))
        }
    }
}

/// A page of `/briefings`, newest first, with Previous/Next buttons carrying the state.
pub fn list_page(
    words: &Words,
    lib: &Library,
    tag: Option<&str>,
    page: usize,
    page_size: usize,
) -> Result<MessagePayload, UserError> {
    let tag = tag.and_then(Tag::new);
    let matching: Vec<&Arc<Briefing>> = match &tag {
        Some(t) => lib.with_tag(t).collect(),
        None => lib.newest_first().collect(),
    };
    if matching.is_empty() {
        return Err(UserError::new(match &tag {
            Some(t) => words.t(
                "tag-not-found",
                &[
                    ("tag", clip(&sanitize(t.as_str()), 50).into()),
                    ("tags", tag_list(words, lib).into()),
                ],
            ),
            None => words.text("no-briefings"),
        }));
    }
    let pages = matching.len().div_ceil(page_size.max(1));
    // A button from before a reload may point past the end: show the last page instead.
    let page = page.clamp(1, pages);
    // Each line gets an equal share of the description, so a page always fits.
    let share = render::limits::EMBED_DESCRIPTION / page_size.max(1) - 2;
    let lines: Vec<String> = matching
        .iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|b| {
            let date = b.date_label();
            let id = clip(&b.id, (share / 2).min(100));
            let room = share.saturating_sub(id.chars().count() + date.chars().count() + 10);
            format!("**{}** · {date}\n`{id}`", clip(&b.title, room.min(150)))
        })
        .collect();
    let title = match &tag {
        Some(t) => words.t(
            "list-title-tagged",
            &[("tag", clip(t.as_str(), 100).into())],
        ),
        None => words.text("list-title"),
    };
    // The words may come from an admin's file: keep them within Discord's limits too.
    let title = clip(&title, render::limits::EMBED_TITLE);
    let tag_part = tag.as_ref().map_or("", Tag::as_str);
    let mut payload = MessagePayload::with_embeds(vec![Embed {
        title: Some(title),
        description: Some(lines.join("\n\n")),
        footer: Some(EmbedFooter {
            text: clip(
                &words.t(
                    "list-footer",
                    &[
                        ("page", page.into()),
                        ("pages", pages.into()),
                        ("count", matching.len().into()),
                    ],
                ),
                render::limits::FOOTER_TEXT,
            ),
        }),
        ..Embed::default()
    }]);
    if pages > 1 {
        payload.components = vec![ActionRow::buttons(vec![
            Button::secondary(
                clip(&words.text("button-previous"), render::limits::BUTTON_LABEL),
                list_button_id(page.saturating_sub(1).max(1), tag_part),
                page == 1,
            ),
            Button::secondary(
                clip(&words.text("button-next"), render::limits::BUTTON_LABEL),
                list_button_id((page + 1).min(pages), tag_part),
                page == pages,
            ),
        ])];
    }
    Ok(payload)
}

/// `custom_id` of a paging button: the page and the tag, so it works after a restart.
fn list_button_id(page: usize, tag: &str) -> String {
    // Tags are short slugs in practice; cut a pathological one so the id stays within 100.
    let id = format!("{LIST_BUTTON}{page}:");
    let room = render::limits::CUSTOM_ID - id.chars().count();
    format!("{id}{}", tag.chars().take(room).collect::<String>())
}

/// Reads a paging button's `custom_id`; `None` for anything briefbot did not make.
pub fn parse_list_button(custom_id: &str) -> Option<(usize, Option<String>)> {
    let rest = custom_id.strip_prefix(LIST_BUTTON)?;
    let (page, tag) = rest.split_once(':')?;
    let page: usize = page.parse().ok().filter(|p| (1..=100_000).contains(p))?;
    Some((page, (!tag.is_empty()).then(|| tag.to_string())))
}

/// `/search`: the best matches with the match in bold; finding nothing is a refusal, shown to
/// the caller only like the others, so nobody can make the bot repeat text to the channel.
pub fn search(
    words: &Words,
    index: &SearchIndex,
    query: &str,
    tag: Option<&str>,
    limit: usize,
    max_len: usize,
) -> Result<MessagePayload, UserError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(UserError::new(words.text("search-empty")));
    }
    if query.chars().count() > max_len {
        return Err(UserError(
            words.t("search-too-long", &[("max", max_len.into())]),
        ));
    }
    let tag = tag.and_then(Tag::new);
    let hits = index
        .search(query, tag.as_ref(), limit)
        .map_err(|_| UserError::new(words.text("search-unavailable")))?;
    // Cut before escaping, so a cut never leaves half an escape.
    let shown_query = render::escape_markdown(&clip(query, 100));
    if hits.is_empty() {
        // Shown only to the caller, like every refusal: no one makes the bot repeat text.
        return Err(UserError::new(
            words.t("search-no-match", &[("query", shown_query.into())]),
        ));
    }
    let fields = hits
        .iter()
        .map(|h| EmbedField {
            name: clip(
                &format!("{} — {}", h.title, h.heading),
                render::limits::FIELD_NAME,
            ),
            value: clip(
                &format!(
                    "{}\n`/section briefing:{} name:{}`",
                    h.snippet, h.briefing_id, h.section_key
                ),
                render::limits::FIELD_VALUE,
            ),
            inline: false,
        })
        .collect::<Vec<_>>();
    let mut embed = Embed {
        title: Some(clip(
            &words.t("search-title", &[("query", shown_query.into())]),
            render::limits::EMBED_TITLE,
        )),
        ..Embed::default()
    };
    // Many long hits could pass the 6,000 characters of a message: keep the best that fit.
    for field in fields {
        embed.fields.push(field);
        if render::limits::embed_chars(&embed) > render::limits::EMBED_TOTAL {
            embed.fields.pop();
            break;
        }
    }
    Ok(MessagePayload::with_embeds(vec![embed]))
}

/// Briefing ids for an autocomplete, best match first: id prefix, then a word of the title,
/// then anywhere; newest first within each rank.
pub fn complete_briefings(lib: &Library, partial: &str) -> Vec<Choice> {
    let needle = partial.trim().to_lowercase();
    let mut ranked: Vec<(u8, usize, &Arc<Briefing>)> = lib
        .newest_first()
        .enumerate()
        .filter(|(_, b)| b.id.chars().count() <= CHOICE_LEN)
        .filter_map(|(age, b)| rank(&needle, &b.id, &b.title).map(|r| (r, age, b)))
        .collect();
    ranked.sort_by_key(|(r, age, _)| (*r, *age));
    ranked
        .into_iter()
        .take(MAX_CHOICES)
        .map(|(_, _, b)| Choice {
            name: clip(
                &format!("{} ({})", b.title, b.date.format("%Y-%m-%d")),
                CHOICE_LEN,
            ),
            value: b.id.clone(),
        })
        .collect()
}

/// Tags for an autocomplete, most used first among equally good matches.
pub fn complete_tags(lib: &Library, partial: &str) -> Vec<Choice> {
    let needle = Tag::new(partial).map_or_else(String::new, |t| t.as_str().to_owned());
    let mut ranked: Vec<(u8, usize, &str)> = lib
        .tags()
        .filter(|(t, _)| t.chars().count() <= CHOICE_LEN)
        .filter_map(|(t, n)| rank(&needle, t, "").map(|r| (r, usize::MAX - n, t)))
        .collect();
    ranked.sort();
    ranked
        .into_iter()
        .take(MAX_CHOICES)
        .map(|(_, _, t)| Choice {
            name: t.to_string(),
            value: t.to_string(),
        })
        .collect()
}

/// Sections of the chosen (or newest) briefing for `/section name`; without a briefing that
/// exists, every known section.
pub fn complete_sections(
    lib: &Library,
    catalog: &SectionCatalog,
    id: Option<&str>,
    partial: &str,
) -> Vec<Choice> {
    let needle = partial.trim().to_lowercase();
    let wanted = id.map(str::trim).filter(|s| !s.is_empty());
    let options: Vec<(String, String)> = match lookup(lib, wanted) {
        Some(b) => b
            .sections
            .iter()
            .map(|s| (s.heading.clone(), s.key.to_string()))
            .collect(),
        None => catalog
            .defs()
            .iter()
            .map(|d| (d.title.clone(), d.key.to_string()))
            .collect(),
    };
    let mut ranked: Vec<(u8, usize, Choice)> = options
        .into_iter()
        .enumerate()
        // Discord refuses the whole answer if one value is empty or over 100 characters.
        .filter(|(_, (_, key))| (1..=CHOICE_LEN).contains(&key.chars().count()))
        .filter_map(|(i, (heading, key))| {
            rank(&needle, &key, &heading).map(|r| {
                (
                    r,
                    i,
                    Choice {
                        name: clip(&heading, CHOICE_LEN),
                        value: key,
                    },
                )
            })
        })
        .collect();
    ranked.sort_by_key(|(r, i, _)| (*r, *i));
    ranked
        .into_iter()
        .take(MAX_CHOICES)
        .map(|(_, _, c)| c)
        .collect()
}

/// How well `needle` matches an id and a title: 0 exact, 1 id prefix, 2 word prefix, 3 anywhere.
fn rank(needle: &str, id: &str, title: &str) -> Option<u8> {
    if needle.is_empty() {
        return Some(3);
    }
    let id = id.to_lowercase();
    let title = title.to_lowercase();
    if id == needle {
        Some(0)
    } else if id.starts_with(needle)
        || id
            .rsplit('/')
            .next()
            .is_some_and(|last| last.starts_with(needle))
    {
        Some(1)
    } else if title.starts_with(needle) || title.split_whitespace().any(|w| w.starts_with(needle)) {
        Some(2)
    } else if id.contains(needle) || title.contains(needle) {
        Some(3)
    } else {
        None
    }
}

fn recent_ids(lib: &Library) -> String {
    lib.newest_first()
        .take(5)
        .map(|b| format!("`{}`", clip(&b.id, 100)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn tag_list(words: &Words, lib: &Library) -> String {
    let tags: Vec<String> = lib
        .tags()
        .take(15)
        .map(|(t, _)| format!("`{}`", clip(t, 50)))
        .collect();
    if tags.is_empty() {
        words.text("tags-none")
    } else {
        tags.join(", ")
    }
}

#[cfg(test)]
mod tests;
