//! Discord's documented limits, enforced the way Discord enforces them (400, code 50035
//! "Invalid Form Body"), so a bot that would be refused in production is refused in tests too.
//! Lengths count characters, not bytes, as Discord does.

use serde_json::{json, Value};

use super::rest::Reply;

pub const CONTENT_MAX: usize = 2000;
pub const EMBEDS_MAX: usize = 10;
pub const EMBED_TITLE_MAX: usize = 256;
pub const EMBED_DESCRIPTION_MAX: usize = 4096;
pub const EMBED_FIELDS_MAX: usize = 25;
pub const EMBED_FIELD_NAME_MAX: usize = 256;
pub const EMBED_FIELD_VALUE_MAX: usize = 1024;
pub const EMBED_FOOTER_MAX: usize = 2048;
pub const EMBED_AUTHOR_MAX: usize = 256;
/// All embeds of one message together.
pub const EMBED_TOTAL_MAX: usize = 6000;
pub const ACTION_ROWS_MAX: usize = 5;
pub const ROW_COMPONENTS_MAX: usize = 5;
pub const CUSTOM_ID_MAX: usize = 100;
pub const BUTTON_LABEL_MAX: usize = 80;
pub const CHOICES_MAX: usize = 25;
pub const CHOICE_NAME_MAX: usize = 100;
pub const CHOICE_VALUE_MAX: usize = 100;
pub const COMMAND_NAME_MAX: usize = 32;
pub const COMMAND_DESCRIPTION_MAX: usize = 100;
pub const COMMAND_OPTIONS_MAX: usize = 25;
/// Locales Discord accepts as keys of `name_localizations` / `description_localizations`.
pub const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

/// A rejected field: where it is (dotted, `embeds.0.title`) and what Discord would say.
pub struct Invalid {
    pub field: String,
    /// Discord's error code for the field, e.g. `BASE_TYPE_BAD_LENGTH`.
    pub code: &'static str,
    pub message: String,
}

pub type Check = Result<(), Invalid>;

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Invalid {
    coded(field, "INVALID", message)
}

/// A rejected field with Discord's own error code for it.
pub fn coded(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        code,
        message: message.into(),
    }
}

impl Invalid {
    /// Discord's 400: the field's path nested one object per segment
    /// (`{"embeds": {"0": {"title": {"_errors": [...]}}}}`).
    pub(crate) fn reply(&self) -> Reply {
        let mut errors = json!({"_errors": [{"code": self.code, "message": self.message}]});
        for segment in self.field.rsplit('.') {
            errors = json!({ segment: errors });
        }
        Reply::json(
            400,
            json!({"code": 50035, "message": "Invalid Form Body", "errors": errors}),
        )
    }
}

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn at_most(v: &Value, field: &str, max: usize) -> Check {
    let n = chars(v);
    if n > max {
        return Err(invalid(
            field,
            format!("Must be {max} or fewer in length (got {n})."),
        ));
    }
    Ok(())
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A message body as sent to create or edit a message. `create` also refuses an empty message.
pub fn message(body: &Value, create: bool) -> Check {
    let content = body.get("content").unwrap_or(&Value::Null);
    at_most(content, "content", CONTENT_MAX)?;
    let embeds = list(body.get("embeds"));
    let components = list(body.get("components"));
    let has_other = ["attachments", "sticker_ids", "poll"]
        .iter()
        .any(|k| !list(body.get(*k)).is_empty())
        || body.get("poll").is_some_and(Value::is_object);
    if create && chars(content) == 0 && embeds.is_empty() && components.is_empty() && !has_other {
        return Err(invalid(
            "content",
            "Cannot send an empty message (code 50006).",
        ));
    }
    if embeds.len() > EMBEDS_MAX {
        return Err(invalid(
            "embeds",
            format!("Must be {EMBEDS_MAX} or fewer in length."),
        ));
    }
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        total += embed(e, &format!("embeds.{i}"))?;
    }
    if total > EMBED_TOTAL_MAX {
        return Err(invalid(
            "embeds",
            format!("Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"),
        ));
    }
    action_rows(components)
}

/// Checks one embed and returns the characters it counts towards the 6000 total.
fn embed(e: &Value, at: &str) -> Result<usize, Invalid> {
    let null = Value::Null;
    let get = |k: &str| e.get(k).unwrap_or(&null);
    let nested = |k: &str, inner: &str| e.get(k).and_then(|o| o.get(inner)).unwrap_or(&null);
    at_most(get("title"), &format!("{at}.title"), EMBED_TITLE_MAX)?;
    at_most(
        get("description"),
        &format!("{at}.description"),
        EMBED_DESCRIPTION_MAX,
    )?;
    at_most(
        nested("footer", "text"),
        &format!("{at}.footer.text"),
        EMBED_FOOTER_MAX,
    )?;
    at_most(
        nested("author", "name"),
        &format!("{at}.author.name"),
        EMBED_AUTHOR_MAX,
    )?;
    let fields = list(e.get("fields"));
    if fields.len() > EMBED_FIELDS_MAX {
        return Err(invalid(
            format!("{at}.fields"),
            format!("Must be {EMBED_FIELDS_MAX} or fewer in length."),
        ));
    }
    let mut total = chars(get("title")) + chars(get("description"));
    total += chars(nested("footer", "text")) + chars(nested("author", "name"));
    for (i, f) in fields.iter().enumerate() {
        let (name, value) = (
            f.get("name").unwrap_or(&null),
            f.get("value").unwrap_or(&null),
        );
        at_most(name, &format!("{at}.fields.{i}.name"), EMBED_FIELD_NAME_MAX)?;
        at_most(
            value,
            &format!("{at}.fields.{i}.value"),
            EMBED_FIELD_VALUE_MAX,
        )?;
        if chars(name) == 0 || chars(value) == 0 {
            return Err(invalid(
                format!("{at}.fields.{i}"),
                "Field name and value are required.",
            ));
        }
        total += chars(name) + chars(value);
    }
    Ok(total)
}

fn action_rows(rows: &[Value]) -> Check {
    if rows.len() > ACTION_ROWS_MAX {
        return Err(invalid(
            "components",
            format!("Must be {ACTION_ROWS_MAX} or fewer in length."),
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let items = list(row.get("components"));
        if items.is_empty() || items.len() > ROW_COMPONENTS_MAX {
            return Err(invalid(
                format!("components.{i}.components"),
                "An action row holds 1 to 5 components.",
            ));
        }
        for (j, c) in items.iter().enumerate() {
            let at = format!("components.{i}.components.{j}");
            at_most(
                c.get("custom_id").unwrap_or(&Value::Null),
                &format!("{at}.custom_id"),
                CUSTOM_ID_MAX,
            )?;
            at_most(
                c.get("label").unwrap_or(&Value::Null),
                &format!("{at}.label"),
                BUTTON_LABEL_MAX,
            )?;
            let is_link = c.get("style").and_then(Value::as_u64) == Some(5);
            if c.get("type").and_then(Value::as_u64) == Some(2)
                && !is_link
                && c.get("custom_id").is_none()
            {
                return Err(invalid(
                    format!("{at}.custom_id"),
                    "A non-link button needs a custom_id.",
                ));
            }
        }
    }
    Ok(())
}

/// An autocomplete answer (callback type 8): at most 25 choices with bounded names and values.
pub fn choices(data: &Value) -> Check {
    let choices = list(data.get("choices"));
    if choices.len() > CHOICES_MAX {
        return Err(invalid(
            "data.choices",
            format!("Must be {CHOICES_MAX} or fewer in length."),
        ));
    }
    for (i, c) in choices.iter().enumerate() {
        let name = c.get("name").unwrap_or(&Value::Null);
        if chars(name) == 0 {
            return Err(invalid(
                format!("data.choices.{i}.name"),
                "This field is required",
            ));
        }
        at_most(name, &format!("data.choices.{i}.name"), CHOICE_NAME_MAX)?;
        at_most(
            c.get("value").unwrap_or(&Value::Null),
            &format!("data.choices.{i}.value"),
            CHOICE_VALUE_MAX,
        )?;
    }
    Ok(())
}

/// A command create payload: names, descriptions, localizations, options and their order.
pub fn command(cmd: &Value, at: &str) -> Check {
    let chat_input = cmd.get("type").and_then(Value::as_u64).unwrap_or(1) == 1;
    name_and_description(cmd, at, chat_input)?;
    options(list(cmd.get("options")), &format!("{at}.options"))
}

fn options(opts: &[Value], at: &str) -> Check {
    if opts.len() > COMMAND_OPTIONS_MAX {
        return Err(invalid(
            at,
            format!("Must be {COMMAND_OPTIONS_MAX} or fewer in length."),
        ));
    }
    let mut seen_optional = false;
    for (i, o) in opts.iter().enumerate() {
        let at = format!("{at}.{i}");
        name_and_description(o, &at, true)?;
        let required = o.get("required").and_then(Value::as_bool).unwrap_or(false);
        if required && seen_optional {
            return Err(invalid(
                at,
                "Required options must be placed before non-required options",
            ));
        }
        seen_optional |= !required;
        let choices = list(o.get("choices"));
        if choices.len() > CHOICES_MAX {
            return Err(invalid(
                format!("{at}.choices"),
                format!("Must be {CHOICES_MAX} or fewer in length."),
            ));
        }
        if !choices.is_empty() && o.get("autocomplete").and_then(Value::as_bool) == Some(true) {
            return Err(invalid(at, "Autocomplete options may not have choices."));
        }
        options(list(o.get("options")), &format!("{at}.options"))?;
    }
    Ok(())
}

fn name_and_description(v: &Value, at: &str, chat_input: bool) -> Check {
    let name = v.get("name").and_then(Value::as_str).unwrap_or("");
    valid_name(name, chat_input).map_err(|m| invalid(format!("{at}.name"), m))?;
    let description = v.get("description").unwrap_or(&Value::Null);
    if chat_input && !(1..=COMMAND_DESCRIPTION_MAX).contains(&chars(description)) {
        return Err(invalid(
            format!("{at}.description"),
            "Must be between 1 and 100 in length.",
        ));
    }
    for (key, is_name) in [
        ("name_localizations", true),
        ("description_localizations", false),
    ] {
        let Some(map) = v.get(key).and_then(Value::as_object) else {
            continue;
        };
        for (locale, text) in map {
            if !LOCALES.contains(&locale.as_str()) {
                return Err(invalid(format!("{at}.{key}.{locale}"), "Invalid locale"));
            }
            let text = text.as_str().unwrap_or("");
            if is_name {
                valid_name(text, chat_input)
                    .map_err(|m| invalid(format!("{at}.{key}.{locale}"), m))?;
            } else if !(1..=COMMAND_DESCRIPTION_MAX).contains(&text.chars().count()) {
                return Err(invalid(
                    format!("{at}.{key}.{locale}"),
                    "Must be between 1 and 100 in length.",
                ));
            }
        }
    }
    Ok(())
}

/// Discord's `^[-_\p{L}\p{N}]{1,32}$`, lowercase where the letter has a lowercase form.
fn valid_name(name: &str, chat_input: bool) -> Result<(), String> {
    let n = name.chars().count();
    if !(1..=COMMAND_NAME_MAX).contains(&n) {
        return Err(format!(
            "Must be between 1 and {COMMAND_NAME_MAX} in length (got {n})."
        ));
    }
    if chat_input {
        let ok = |c: char| c == '-' || c == '_' || (c.is_alphanumeric() && !c.is_uppercase());
        if !name.chars().all(ok) {
            return Err(format!(
                "Command name {name:?} is invalid: lowercase letters, digits, - and _ only."
            ));
        }
    }
    Ok(())
}
