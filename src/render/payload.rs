//! The message payloads the renderer produces, shaped exactly like Discord's JSON for
//! "create message" and interaction response data, so `briefbot preview --format json` prints
//! what is sent and the Discord layer only has to forward it.

use serde::{Deserialize, Serialize};

/// Message flag: deliver without a push or desktop notification (`silent = true` digests).
pub const SUPPRESS_NOTIFICATIONS: u64 = 1 << 12;
/// Interaction response flag: only the caller sees the message.
pub const EPHEMERAL: u64 = 1 << 6;

/// One message to send. Fields Discord treats as optional are left out of the JSON when unset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessagePayload {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<Embed>,
    /// Always present: without it Discord would apply its default and ping whatever the text names.
    pub allowed_mentions: AllowedMentions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_nonce: Option<bool>,
    /// Buttons, in action rows; empty for every message but paged lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ActionRow>,
}

impl MessagePayload {
    /// A message carrying `embeds`, allowing no mentions.
    pub fn with_embeds(embeds: Vec<Embed>) -> Self {
        MessagePayload {
            content: String::new(),
            embeds,
            allowed_mentions: AllowedMentions::none(),
            flags: None,
            nonce: None,
            enforce_nonce: None,
            components: Vec::new(),
        }
    }

    /// A text-only message, allowing no mentions.
    pub fn with_content(content: impl Into<String>) -> Self {
        MessagePayload {
            content: content.into(),
            ..Self::with_embeds(Vec::new())
        }
    }

    /// Adds `flag` to the message flags.
    pub fn add_flag(&mut self, flag: u64) {
        self.flags = Some(self.flags.unwrap_or(0) | flag);
    }

    /// Sets a nonce and asks Discord to enforce it, so a retried send cannot post twice.
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self.enforce_nonce = Some(true);
        self
    }
}

/// A row of buttons (Discord component type 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    #[serde(rename = "type")]
    pub kind: u8,
    pub components: Vec<Button>,
}

impl ActionRow {
    pub fn buttons(buttons: Vec<Button>) -> Self {
        ActionRow {
            kind: 1,
            components: buttons,
        }
    }
}

/// A button (component type 2) whose click comes back with its `custom_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Button {
    #[serde(rename = "type")]
    pub kind: u8,
    /// 1 primary, 2 secondary.
    pub style: u8,
    pub label: String,
    pub custom_id: String,
    #[serde(default)]
    pub disabled: bool,
}

impl Button {
    /// A secondary (grey) button.
    pub fn secondary(
        label: impl Into<String>,
        custom_id: impl Into<String>,
        disabled: bool,
    ) -> Self {
        Button {
            kind: 2,
            style: 2,
            label: label.into(),
            custom_id: custom_id.into(),
            disabled,
        }
    }
}

/// A rich embed. Every text field is optional in Discord's API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Embed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// RFC 3339, e.g. `2026-11-27T00:00:00Z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<EmbedAuthor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<EmbedFooter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<EmbedField>,
}

/// The line above an embed's title; its `url` makes the name a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbedAuthor {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbedFooter {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbedField {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub inline: bool,
}

/// Which mentions in the message may ping. Role ids are strings, as Discord sends snowflakes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedMentions {
    /// Serialized even when empty: an empty `parse` is what disables `@everyone` and friends.
    #[serde(default)]
    pub parse: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl AllowedMentions {
    /// Nothing pings: `{"parse": []}`.
    pub fn none() -> Self {
        AllowedMentions::default()
    }

    /// Only the given role may be pinged: `{"parse": [], "roles": ["ID"]}`.
    pub fn only_role(id: u64) -> Self {
        AllowedMentions {
            parse: Vec::new(),
            roles: vec![id.to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minimal_message_has_only_content_and_allowed_mentions() {
        let p = MessagePayload::with_content("hi");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            json!({"content": "hi", "allowed_mentions": {"parse": []}})
        );
    }

    #[test]
    fn optional_fields_serialize_when_set() {
        let mut p = MessagePayload::with_embeds(vec![Embed {
            title: Some("T".into()),
            fields: vec![EmbedField {
                name: "n".into(),
                value: "v".into(),
                inline: true,
            }],
            ..Embed::default()
        }])
        .with_nonce("d1:1764230400");
        p.allowed_mentions = AllowedMentions::only_role(42);
        p.add_flag(SUPPRESS_NOTIFICATIONS);
        p.add_flag(EPHEMERAL);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            json!({
                "embeds": [{"title": "T", "fields": [{"name": "n", "value": "v", "inline": true}]}],
                "allowed_mentions": {"parse": [], "roles": ["42"]},
                "flags": 4160,
                "nonce": "d1:1764230400",
                "enforce_nonce": true
            })
        );
        let back: MessagePayload = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
    }
}
