//! Discord's message limits, each a named constant, and `check`, which tells whether a payload
//! respects them. Discord counts characters (Unicode scalar values), not bytes, so do we.

use super::payload::{Embed, MessagePayload};
use thiserror::Error;

/// Message `content`.
pub const CONTENT: usize = 2000;
pub const EMBED_TITLE: usize = 256;
pub const EMBED_DESCRIPTION: usize = 4096;
/// Fields per embed.
pub const EMBED_FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER_TEXT: usize = 2048;
pub const AUTHOR_NAME: usize = 256;
/// All embeds of one message together: titles, descriptions, field names and values,
/// footer texts and author names.
pub const EMBED_TOTAL: usize = 6000;
pub const EMBEDS_PER_MESSAGE: usize = 10;
/// A message `nonce` given as a string.
pub const NONCE: usize = 25;
/// A component's `custom_id` (paging buttons keep their state in it).
pub const CUSTOM_ID: usize = 100;
/// A button's label.
pub const BUTTON_LABEL: usize = 80;

/// The limit a payload breaks. `embed` and `field` are 0-based indexes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LimitError {
    #[error("message has neither content nor embeds")]
    Empty,
    #[error("content is {len} characters, the limit is {max}")]
    Content { len: usize, max: usize },
    #[error("message has {count} embeds, the limit is {max}")]
    EmbedsPerMessage { count: usize, max: usize },
    #[error("embeds total {len} characters, the limit is {max}")]
    EmbedTotal { len: usize, max: usize },
    #[error("embed {embed}: title is {len} characters, the limit is {max}")]
    EmbedTitle {
        embed: usize,
        len: usize,
        max: usize,
    },
    #[error("embed {embed}: description is {len} characters, the limit is {max}")]
    EmbedDescription {
        embed: usize,
        len: usize,
        max: usize,
    },
    #[error("embed {embed}: author name is {len} characters, the limit is {max}")]
    AuthorName {
        embed: usize,
        len: usize,
        max: usize,
    },
    #[error("embed {embed}: footer text is {len} characters, the limit is {max}")]
    FooterText {
        embed: usize,
        len: usize,
        max: usize,
    },
    #[error("embed {embed} has {count} fields, the limit is {max}")]
    EmbedFields {
        embed: usize,
        count: usize,
        max: usize,
    },
    #[error("embed {embed}, field {field}: name is {len} characters, the limit is 1..={max}")]
    FieldName {
        embed: usize,
        field: usize,
        len: usize,
        max: usize,
    },
    #[error("embed {embed}, field {field}: value is {len} characters, the limit is 1..={max}")]
    FieldValue {
        embed: usize,
        field: usize,
        len: usize,
        max: usize,
    },
    #[error("nonce is {len} characters, the limit is {max}")]
    Nonce { len: usize, max: usize },
    #[error("custom_id is {len} characters, the limit is {max}")]
    CustomId { len: usize, max: usize },
}

/// Characters as Discord counts them.
pub fn chars(s: &str) -> usize {
    s.chars().count()
}

fn opt_chars(s: &Option<String>) -> usize {
    s.as_deref().map_or(0, chars)
}

/// The characters `embed` contributes to [`EMBED_TOTAL`].
pub fn embed_chars(embed: &Embed) -> usize {
    opt_chars(&embed.title)
        + opt_chars(&embed.description)
        + embed.author.as_ref().map_or(0, |a| chars(&a.name))
        + embed.footer.as_ref().map_or(0, |f| chars(&f.text))
        + embed
            .fields
            .iter()
            .map(|f| chars(&f.name) + chars(&f.value))
            .sum::<usize>()
}

/// Checks every limit of one message; the first broken one is returned.
pub fn check(p: &MessagePayload) -> Result<(), LimitError> {
    if p.content.is_empty() && p.embeds.is_empty() {
        return Err(LimitError::Empty);
    }
    let (len, max) = (chars(&p.content), CONTENT);
    if len > max {
        return Err(LimitError::Content { len, max });
    }
    let (len, max) = (p.nonce.as_deref().map_or(0, chars), NONCE);
    if len > max {
        return Err(LimitError::Nonce { len, max });
    }
    let (count, max) = (p.embeds.len(), EMBEDS_PER_MESSAGE);
    if count > max {
        return Err(LimitError::EmbedsPerMessage { count, max });
    }
    for (embed, e) in p.embeds.iter().enumerate() {
        check_embed(embed, e)?;
    }
    let (len, max) = (p.embeds.iter().map(embed_chars).sum(), EMBED_TOTAL);
    if len > max {
        return Err(LimitError::EmbedTotal { len, max });
    }
    p.components
        .iter()
        .flat_map(|row| &row.components)
        .try_for_each(|button| check_custom_id(&button.custom_id))
}

fn check_embed(embed: usize, e: &Embed) -> Result<(), LimitError> {
    let (len, max) = (opt_chars(&e.title), EMBED_TITLE);
    if len > max {
        return Err(LimitError::EmbedTitle { embed, len, max });
    }
    let (len, max) = (opt_chars(&e.description), EMBED_DESCRIPTION);
    if len > max {
        return Err(LimitError::EmbedDescription { embed, len, max });
    }
    let (len, max) = (e.author.as_ref().map_or(0, |a| chars(&a.name)), AUTHOR_NAME);
    if len > max {
        return Err(LimitError::AuthorName { embed, len, max });
    }
    let (len, max) = (e.footer.as_ref().map_or(0, |f| chars(&f.text)), FOOTER_TEXT);
    if len > max {
        return Err(LimitError::FooterText { embed, len, max });
    }
    let (count, max) = (e.fields.len(), EMBED_FIELDS);
    if count > max {
        return Err(LimitError::EmbedFields { embed, count, max });
    }
    for (field, f) in e.fields.iter().enumerate() {
        // Discord rejects empty field names and values as well as long ones.
        let (len, max) = (chars(&f.name), FIELD_NAME);
        if len == 0 || len > max {
            return Err(LimitError::FieldName {
                embed,
                field,
                len,
                max,
            });
        }
        let (len, max) = (chars(&f.value), FIELD_VALUE);
        if len == 0 || len > max {
            return Err(LimitError::FieldValue {
                embed,
                field,
                len,
                max,
            });
        }
    }
    Ok(())
}

/// Checks a component `custom_id`.
pub fn check_custom_id(id: &str) -> Result<(), LimitError> {
    let (len, max) = (chars(id), CUSTOM_ID);
    if len > max {
        return Err(LimitError::CustomId { len, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::payload::{EmbedAuthor, EmbedField, EmbedFooter};

    /// `n` characters of 2- and 3-byte chars, so counting bytes would be visibly wrong.
    fn s(n: usize) -> String {
        "é€".chars().cycle().take(n).collect()
    }

    /// A message with one embed, set up by `f`.
    fn one(f: impl FnOnce(&mut Embed)) -> MessagePayload {
        let mut e = Embed::default();
        f(&mut e);
        MessagePayload::with_embeds(vec![e])
    }

    fn field(name: usize, value: usize) -> EmbedField {
        EmbedField {
            name: s(name),
            value: s(value),
            inline: false,
        }
    }

    /// `at(n)` builds a payload with `n` of something: `at(max)` passes, `at(max + 1)` fails.
    fn boundary(max: usize, at: impl Fn(usize) -> MessagePayload) {
        assert_eq!(check(&at(max)), Ok(()), "exactly {max} must pass");
        assert!(check(&at(max + 1)).is_err(), "{} must fail", max + 1);
    }

    #[test]
    fn multibyte_chars_count_once() {
        assert_eq!(chars(&s(10)), 10);
        assert_eq!(chars("👍🏽"), 2); // the skin tone modifier is a char of its own
    }

    #[test]
    fn content_and_nonce() {
        boundary(CONTENT, |n| MessagePayload::with_content(s(n)));
        let err = check(&MessagePayload::with_content(s(CONTENT + 1))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "content is 2001 characters, the limit is 2000"
        );
        boundary(NONCE, |n| {
            MessagePayload::with_content("x").with_nonce(s(n))
        });
        assert_eq!(
            check(&MessagePayload::with_content("")),
            Err(LimitError::Empty)
        );
    }

    #[test]
    fn embed_texts() {
        boundary(EMBED_TITLE, |n| one(|e| e.title = Some(s(n))));
        boundary(EMBED_DESCRIPTION, |n| one(|e| e.description = Some(s(n))));
        boundary(AUTHOR_NAME, |n| {
            one(|e| {
                e.author = Some(EmbedAuthor {
                    name: s(n),
                    url: None,
                })
            })
        });
        boundary(FOOTER_TEXT, |n| {
            one(|e| e.footer = Some(EmbedFooter { text: s(n) }))
        });
        let err = check(&one(|e| e.title = Some(s(300)))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "embed 0: title is 300 characters, the limit is 256"
        );
    }

    #[test]
    fn fields() {
        boundary(FIELD_NAME, |n| one(|e| e.fields = vec![field(n, 1)]));
        boundary(FIELD_VALUE, |n| one(|e| e.fields = vec![field(1, n)]));
        boundary(EMBED_FIELDS, |n| one(|e| e.fields = vec![field(1, 1); n]));
        let err = check(&one(|e| e.fields = vec![field(1, 1), field(1, 0)]));
        assert!(matches!(
            err,
            Err(LimitError::FieldValue {
                field: 1,
                len: 0,
                ..
            })
        ));
    }

    #[test]
    fn embeds_per_message() {
        let titled = Embed {
            title: Some("t".into()),
            ..Embed::default()
        };
        boundary(EMBEDS_PER_MESSAGE, |n| {
            MessagePayload::with_embeds(vec![titled.clone(); n])
        });
    }

    #[test]
    fn embed_total_spans_every_counted_text_of_every_embed() {
        // 4000 chars in the first embed (URLs and timestamps do not count), the rest in a second.
        let at = |n: usize| {
            let mut p = one(|e| {
                e.title = Some(s(100));
                e.description = Some(s(2000));
                e.author = Some(EmbedAuthor {
                    name: s(100),
                    url: None,
                });
                e.footer = Some(EmbedFooter { text: s(800) });
                e.fields = vec![field(100, 900)];
                e.url = Some("https://example.org/".repeat(10));
                e.timestamp = Some("2026-11-27T00:00:00Z".into());
            });
            p.embeds.push(Embed {
                description: Some(s(n - 4000)),
                ..Embed::default()
            });
            p
        };
        boundary(EMBED_TOTAL, at);
        let err = check(&at(EMBED_TOTAL + 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "embeds total 6001 characters, the limit is 6000"
        );
    }

    #[test]
    fn custom_id() {
        assert_eq!(check_custom_id(&s(CUSTOM_ID)), Ok(()));
        let err = check_custom_id(&s(CUSTOM_ID + 1)).unwrap_err();
        assert_eq!(err, LimitError::CustomId { len: 101, max: 100 });
    }
}
