//! Stage one: the file as the admin typed it. Every table denies unknown keys and every key is
//! optional; defaults and checks live in `validate.rs`, so that one run reports every problem
//! rather than serde's first. Values that need checking stay `Spanned` so a problem can point
//! at them, and the few hand-written deserializers exist to name what was expected in words an
//! admin knows ("a list of ids", not "a sequence").

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use toml::Spanned;

pub(super) type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub discord: RawDiscord,
    #[serde(default)]
    pub briefings: RawBriefings,
    #[serde(default)]
    pub storage: RawStorage,
    #[serde(default)]
    pub permissions: RawPermissions,
    #[serde(default)]
    pub schedule: RawSchedule,
    #[serde(default)]
    pub sections: RawSections,
    #[serde(default)]
    pub guild: Tables<RawGuild>,
    #[serde(default)]
    pub digest: Tables<RawDigest>,
    pub ops: Option<RawOps>,
    #[serde(default)]
    pub limits: RawLimits,
    pub locales: Option<RawLocales>,
    pub feeds: Option<RawFeeds>,
    #[serde(default)]
    pub feed: Tables<RawFeed>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDiscord {
    pub token_env: Option<Text>,
    pub guild_ids: Option<IdList>,
    pub api_base: Option<Text>,
    pub shards: Option<Spanned<RawShards>>,
    pub application_id: Option<Spanned<RawId>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBriefings {
    pub dir: Option<Text>,
    pub watch: Option<bool>,
    pub default_lang: Option<Text>,
    pub follow_symlinks: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStorage {
    pub path: Option<Text>,
    pub url: Option<Text>,
    pub url_env: Option<Text>,
    pub claim_lease: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPermissions {
    pub moderator_role_ids: Option<IdList>,
    pub admin_user_ids: Option<IdList>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSchedule {
    pub default_timezone: Option<Text>,
    pub catch_up: Option<Text>,
    pub grace: Option<Text>,
    pub edit_window: Option<Text>,
    /// The targets `/digest add` and `/digest edit` offer.
    pub targets: Option<Spanned<Vec<Text>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSections {
    /// Section key -> extra headings that name it.
    pub aliases: Option<BTreeMap<Text, Vec<Text>>>,
    pub custom: Option<Tables<RawCustomSection>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCustomSection {
    pub key: Option<Text>,
    pub title: Option<Text>,
    pub aliases: Option<Vec<Text>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGuild {
    pub id: Option<Spanned<RawId>>,
    pub alert_channel_id: Option<Spanned<RawId>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDigest {
    pub name: Option<Text>,
    pub channel_id: Option<Spanned<RawId>>,
    pub guild_id: Option<Spanned<RawId>>,
    pub schedule: Option<Text>,
    pub timezone: Option<Text>,
    pub sections: Option<Vec<Text>>,
    pub tags: Option<Vec<Text>>,
    pub max_briefings: Option<Spanned<i64>>,
    pub only_new: Option<bool>,
    pub when_empty: Option<Text>,
    pub silent: Option<bool>,
    pub mention_role: Option<Spanned<RawId>>,
    pub catch_up: Option<Text>,
    pub grace: Option<Text>,
    pub lang: Option<Text>,
    /// Where its messages go; checked together by `config/target.rs`.
    pub target: Option<Text>,
    pub thread_id: Option<Spanned<RawId>>,
    pub open_thread: Option<Spanned<bool>>,
    pub forum_post: Option<Text>,
    pub forum_tags: Option<Spanned<bool>>,
    pub username: Option<Text>,
    pub avatar_url: Option<Text>,
}

/// `[feeds]`: what every `[[feed]]` shares.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeeds {
    pub timeout: Option<Text>,
    pub max_bytes: Option<Spanned<i64>>,
    pub max_age: Option<Text>,
    pub alert_after: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeed {
    pub name: Option<Text>,
    pub url: Option<Text>,
    pub poll: Option<Text>,
    pub tags: Option<Vec<Text>>,
    pub lang: Option<Text>,
    pub max_items: Option<Spanned<i64>>,
    pub section: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOps {
    pub listen: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLocales {
    pub dir: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    pub cooldown: Option<Text>,
    pub max_query_len: Option<Spanned<i64>>,
    pub search_results: Option<Spanned<i64>>,
    pub page_size: Option<Spanned<i64>>,
}

/// A TOML integer or string, kept as typed: whether it is a valid id or shard count is decided
/// in stage two, so `0`, `-1` and `"abc"` are reported together with everything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum IntOrStr {
    Int(i64),
    Str(String),
}

/// A Discord snowflake as written: an integer, or a string of digits (JSON habits).
#[derive(Debug)]
pub(super) struct RawId(pub IntOrStr);

/// `discord.shards`: `"auto"`, a count, or a range of a total (`"0-3/8"`).
#[derive(Debug)]
pub(super) struct RawShards(pub IntOrStr);

struct IntOrStrVisitor(&'static str);

impl Visitor<'_> for IntOrStrVisitor {
    type Value = IntOrStr;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrStr, E> {
        Ok(IntOrStr::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrStr, E> {
        // Out of i64 range is out of snowflake range too; keep it for the range check.
        Ok(IntOrStr::Str(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrStr, E> {
        Ok(IntOrStr::Str(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for RawId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntOrStrVisitor("an id")).map(RawId)
    }
}

impl<'de> Deserialize<'de> for RawShards {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntOrStrVisitor(
            "\"auto\", a number of shards or a range such as \"0-3/8\"",
        ))
        .map(RawShards)
    }
}

/// A list of ids (`guild_ids = [1, "2"]`).
#[derive(Debug, Default)]
pub(super) struct IdList(pub Vec<Spanned<RawId>>);

impl<'de> Deserialize<'de> for IdList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(ListVisitor("a list of ids", PhantomData))
            .map(IdList)
    }
}

/// An array of tables (`[[digest]]`); the message for `[digest]` says which brackets to use.
#[derive(Debug)]
pub(super) struct Tables<T>(pub Vec<Spanned<T>>);

impl<T> Default for Tables<T> {
    fn default() -> Self {
        Tables(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tables<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let what = "an array of tables (`[[...]]`, with double brackets)";
        d.deserialize_seq(ListVisitor(what, PhantomData))
            .map(Tables)
    }
}

struct ListVisitor<T>(&'static str, PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<Spanned<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }
}
