//! Threads: forum posts (`POST /channels/{forum}/threads`, the thread and its starter message in
//! one call), threads opened under a message (`POST /channels/{id}/messages/{id}/threads`) or
//! alone in a text channel, the guild's active threads, and threads configured up front.
//!
//! As on Discord, a forum post's id is its starter message's id, and a thread opened from a
//! message takes that message's id; the bot (or, through a webhook, the webhook) owns what it
//! opens. A forum post takes no `nonce`: one in its `message` is neither honoured nor echoed,
//! so a retried post is a second post, which is what a bot must guard against.
//!
//! Not imitated: archiving (by time, or by anyone), locking, private and announcement threads,
//! per-thread member lists (`member_count` is 1 for the bot's threads, and no THREAD_MEMBERS
//! events), THREAD_CREATE/UPDATE events, forum guidelines, default reactions and sort orders,
//! the rate limit on thread creation, and media channels.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::channel_spec::{channel_kind, ChannelSpec};
use super::channels::Place;
use super::config::{perms, FakeConfig, GuildSpec};
use super::ids::{now_timestamp, snowflake};
use super::rest::Reply;
use super::rest_payloads::{self, MessageOrigin};
use super::state::Inner;
use super::target_checks::{self as checks, THREAD_NAME_MAX};
use super::{messages, permissions, target_payloads, validate, FakeDiscord};

/// `MessageFlags::HAS_THREAD`: a thread was opened from this message.
const HAS_THREAD: u64 = 1 << 5;

/// A thread as the fake keeps it.
#[derive(Clone, Debug)]
pub(crate) struct Thread {
    pub id: u64,
    pub guild_id: u64,
    pub parent_id: u64,
    pub name: String,
    /// The bot, a webhook (a post made through it) or, for a configured thread, the guild owner.
    pub owner_id: u64,
    pub applied_tags: Vec<u64>,
    pub auto_archive_duration: u64,
    pub created: String,
    /// Messages sent in it after the first; Discord does not count a starter message.
    pub message_count: u64,
    pub member_count: u64,
    pub last_message_id: Option<u64>,
    /// A forum post's first message (in the thread) or the message it was opened from (in the
    /// parent).
    pub starter: Option<u64>,
}

/// Every thread by id: configured ones from the start, created ones as they come.
#[derive(Default)]
pub(crate) struct Threads(pub BTreeMap<u64, Thread>);

impl Threads {
    /// The threads the config names, as if opened before the fake started.
    pub fn from_config(cfg: &FakeConfig) -> Self {
        let mut threads = BTreeMap::new();
        for guild in &cfg.guilds {
            for spec in guild.channels.iter().filter(|c| c.is_thread()) {
                threads.insert(spec.id, configured(guild, spec));
            }
        }
        Self(threads)
    }

    /// A message was sent in the thread (and was not a nonce's replay).
    pub fn count_message(&mut self, thread_id: u64, message_id: u64) {
        if let Some(t) = self.0.get_mut(&thread_id) {
            t.message_count += 1;
            t.last_message_id = Some(message_id);
        }
    }
}

pub(crate) fn configured(guild: &GuildSpec, spec: &ChannelSpec) -> Thread {
    Thread {
        id: spec.id,
        guild_id: guild.id,
        parent_id: spec.parent_id.unwrap_or(0),
        name: spec.name.clone(),
        owner_id: guild.owner_id,
        applied_tags: Vec::new(),
        auto_archive_duration: checks::DEFAULT_ARCHIVE,
        created: "2024-01-01T00:00:00.000000+00:00".to_owned(),
        message_count: 0,
        member_count: 1,
        last_message_id: None,
        starter: None,
    }
}

/// What a new thread is called and carries, checked.
pub(crate) struct Opening {
    pub name: String,
    pub auto_archive_duration: u64,
    pub applied_tags: Vec<u64>,
}

/// Checks `name_field` (1 to 100 characters), `auto_archive_duration` and, in a forum,
/// `applied_tags`.
pub(crate) fn opening(
    parent: &ChannelSpec,
    body: &Value,
    name_field: &str,
) -> Result<Opening, Reply> {
    let name = body.get(name_field);
    checks::length(name, name_field, 1, THREAD_NAME_MAX).map_err(|e| e.reply())?;
    let auto_archive_duration = checks::archive_duration(body.get("auto_archive_duration"))?;
    let applied_tags = if parent.kind == channel_kind::FORUM {
        checks::applied_tags(parent, body.get("applied_tags"))?
    } else {
        Vec::new()
    };
    Ok(Opening {
        name: name.and_then(Value::as_str).unwrap_or("").to_owned(),
        auto_archive_duration,
        applied_tags,
    })
}

/// Stores a new thread under `place` (its parent) and returns it.
pub(crate) fn open(
    inner: &mut Inner,
    place: &Place<'_>,
    id: u64,
    owner_id: u64,
    o: Opening,
) -> Thread {
    let thread = Thread {
        id,
        guild_id: place.guild.id,
        parent_id: place.id,
        name: o.name,
        owner_id,
        applied_tags: o.applied_tags,
        auto_archive_duration: o.auto_archive_duration,
        created: now_timestamp(),
        message_count: 0,
        member_count: 1,
        last_message_id: None,
        starter: None,
    };
    inner.threads.0.insert(id, thread.clone());
    thread
}

/// `POST /channels/{id}/threads`: a forum post with its first message, or in a text channel a
/// thread without one.
pub(crate) fn create(
    cfg: &FakeConfig,
    inner: &mut Inner,
    place: &Place<'_>,
    body: &Value,
) -> Reply {
    let forum = place.kind == channel_kind::FORUM;
    if !forum && !matches!(place.kind, channel_kind::TEXT | channel_kind::ANNOUNCEMENT) {
        return Reply::error(400, 50024, "Cannot execute action on this channel type");
    }
    // A forum post is a message; a thread in a text channel is a new thread.
    let needed = if forum {
        perms::SEND_MESSAGES
    } else {
        perms::CREATE_PUBLIC_THREADS
    };
    if let Err(refused) = permissions::require(
        cfg,
        &inner.overwrites,
        place.guild,
        place.perm_channel,
        needed,
    ) {
        return refused;
    }
    let opening = match opening(place.perm_channel, body, "name") {
        Ok(o) => o,
        Err(refused) => return refused,
    };
    if !forum {
        let thread = open(inner, place, snowflake(), cfg.bot_user_id, opening);
        return Reply::json(201, target_payloads::thread(&thread));
    }
    let Some(first) = body.get("message").filter(|m| m.is_object()) else {
        return validate::coded("message", "BASE_TYPE_REQUIRED", "This field is required").reply();
    };
    if let Err(e) = validate::message(first, true) {
        // Discord reports the starter message's fields under `message`.
        return validate::coded(format!("message.{}", e.field), e.code, e.message).reply();
    }
    let id = snowflake();
    let mut starter = without_nonce(first);
    starter = rest_payloads::message(
        cfg,
        id,
        id,
        Some(place.guild.id),
        MessageOrigin::Channel,
        &starter,
    );
    let thread = open(inner, place, id, cfg.bot_user_id, opening);
    let answer = post_answer(inner, thread, starter);
    Reply::json(201, answer)
}

/// Stores a post's starter message (its id is the thread's) and answers the thread object with
/// the message under `message`, as Discord does.
pub(crate) fn post_answer(inner: &mut Inner, thread: Thread, starter: Value) -> Value {
    let id = messages::store(inner, thread.id, starter.clone());
    if let Some(t) = inner.threads.0.get_mut(&thread.id) {
        t.starter = Some(id);
        t.last_message_id = Some(id);
    }
    let mut answer = target_payloads::thread(&inner.threads.0[&thread.id]);
    answer["message"] = starter;
    answer
}

/// The message body without `nonce`/`enforce_nonce`, which forum posts and webhooks ignore.
pub(crate) fn without_nonce(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove("nonce");
        map.remove("enforce_nonce");
    }
    body
}

/// `POST /channels/{id}/messages/{message}/threads`: a thread under an existing message,
/// whose id it takes.
pub(crate) fn from_message(
    cfg: &FakeConfig,
    inner: &mut Inner,
    place: &Place<'_>,
    message_id: &str,
    body: &Value,
) -> Reply {
    if !matches!(place.kind, channel_kind::TEXT | channel_kind::ANNOUNCEMENT) {
        return Reply::error(400, 50024, "Cannot execute action on this channel type");
    }
    if let Err(refused) = permissions::require(
        cfg,
        &inner.overwrites,
        place.guild,
        place.perm_channel,
        perms::CREATE_PUBLIC_THREADS,
    ) {
        return refused;
    }
    let id: u64 = message_id.parse().unwrap_or(0);
    if inner
        .messages
        .get(&id)
        .is_none_or(|m| m.channel_id != place.id)
    {
        return Reply::error(404, 10008, "Unknown Message");
    }
    if inner.threads.0.contains_key(&id) {
        return Reply::error(
            400,
            160004,
            "A thread has already been created for this message",
        );
    }
    let opening = match opening(place.perm_channel, body, "name") {
        Ok(o) => o,
        Err(refused) => return refused,
    };
    let mut thread = open(inner, place, id, cfg.bot_user_id, opening);
    thread.starter = Some(id);
    inner.threads.0.insert(id, thread.clone());
    let answer = target_payloads::thread(&thread);
    let message = &mut inner.messages.get_mut(&id).expect("checked above").value;
    let flags = message["flags"].as_u64().unwrap_or(0);
    message["flags"] = (flags | HAS_THREAD).into();
    message["thread"] = answer.clone();
    Reply::json(201, answer)
}

/// `GET /guilds/{id}/threads/active`: the guild's threads whose parent the bot can see.
pub(crate) fn active(cfg: &FakeConfig, inner: &Inner, guild: &GuildSpec) -> Reply {
    let visible = |t: &&Thread| {
        guild.channel(t.parent_id).is_some_and(|parent| {
            permissions::bot_in(cfg, &inner.overwrites, guild, parent) & perms::VIEW_CHANNEL != 0
        })
    };
    let threads: Vec<Value> = inner
        .threads
        .0
        .values()
        .filter(|t| t.guild_id == guild.id)
        .filter(visible)
        .map(target_payloads::thread)
        .collect();
    Reply::ok(json!({"threads": threads, "members": []}))
}

impl FakeDiscord {
    /// The id of the tag called `name` on forum `forum_id` ([`GuildSpec::with_forum`]).
    pub fn forum_tag_id(&self, forum_id: u64, name: &str) -> Option<u64> {
        self.config().forum_tag_id(forum_id, name)
    }

    /// The threads under `parent` (configured and created), oldest first, each as Discord's
    /// channel object with its starter message, if any, under `message` (as it is now).
    pub fn threads(&self, parent: u64) -> Vec<Value> {
        self.shared.read(|s| {
            s.threads
                .0
                .values()
                .filter(|t| t.parent_id == parent)
                .map(|t| {
                    let mut v = target_payloads::thread(t);
                    if let Some(m) = t.starter.and_then(|id| s.message(id)) {
                        v["message"] = m.clone();
                    }
                    v
                })
                .collect()
        })
    }
}
