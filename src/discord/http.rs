//! The typed edge of Discord's REST API as briefbot uses it: every route it calls is a
//! [`Route`] that knows its path, its label for logs (no ids, no tokens) and its rate-limit
//! class; the few replies it reads are small serde structs; Discord's numbers have names.

use serde::Deserialize;

/// Interaction callback types.
pub mod callback {
    pub const CHANNEL_MESSAGE: u8 = 4;
    pub const DEFERRED_CHANNEL_MESSAGE: u8 = 5;
    pub const UPDATE_MESSAGE: u8 = 7;
    pub const AUTOCOMPLETE_RESULT: u8 = 8;
}

/// Every REST route briefbot calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// `GET /oauth2/applications/@me`: checks the token, gives the application id.
    CurrentApplication,
    /// `GET /users/@me`: the bot's own user, whose permissions `permissions.rs` computes.
    CurrentUser,
    /// `GET /gateway`: where to connect.
    Gateway,
    /// `GET /gateway/bot`: the recommended shard count and the identify budget.
    GatewayBot,
    /// `GET /channels/{id}`.
    Channel(u64),
    /// `GET /guilds/{id}`: its owner and roles.
    Guild(u64),
    /// `GET /guilds/{id}/members/{id}`: a member's roles.
    GuildMember { guild: u64, user: u64 },
    /// `POST /channels/{id}/messages`.
    ChannelMessages(u64),
    /// `PATCH /channels/{id}/messages/{id}`: a posted digest message corrected.
    ChannelMessage { channel: u64, message: u64 },
    /// `GET|PUT /applications/{id}/commands`.
    GlobalCommands { application: u64 },
    /// `GET|PUT /applications/{id}/guilds/{id}/commands`.
    GuildCommands { application: u64, guild: u64 },
    /// `POST /interactions/{id}/{token}/callback`.
    InteractionCallback { interaction: u64, token: &'a str },
    /// `PATCH /webhooks/{application}/{token}/messages/@original`.
    OriginalResponse { application: u64, token: &'a str },
    /// `POST /webhooks/{application}/{token}`: a follow-up message.
    FollowUp { application: u64, token: &'a str },
}

impl Route<'_> {
    /// The path under `/api/v10`.
    pub fn path(&self) -> String {
        match *self {
            Route::CurrentApplication => "/oauth2/applications/@me".into(),
            Route::CurrentUser => "/users/@me".into(),
            Route::Gateway => "/gateway".into(),
            Route::GatewayBot => "/gateway/bot".into(),
            Route::Channel(id) => format!("/channels/{id}"),
            Route::Guild(id) => format!("/guilds/{id}"),
            Route::GuildMember { guild, user } => format!("/guilds/{guild}/members/{user}"),
            Route::ChannelMessages(id) => format!("/channels/{id}/messages"),
            Route::ChannelMessage { channel, message } => {
                format!("/channels/{channel}/messages/{message}")
            }
            Route::GlobalCommands { application } => {
                format!("/applications/{application}/commands")
            }
            Route::GuildCommands { application, guild } => {
                format!("/applications/{application}/guilds/{guild}/commands")
            }
            Route::InteractionCallback { interaction, token } => {
                format!("/interactions/{interaction}/{token}/callback")
            }
            Route::OriginalResponse { application, token } => {
                format!("/webhooks/{application}/{token}/messages/@original")
            }
            Route::FollowUp { application, token } => format!("/webhooks/{application}/{token}"),
        }
    }

    /// What logs and metrics show: the route without ids, and never an interaction token.
    pub fn label(&self) -> &'static str {
        match self {
            Route::CurrentApplication => "/oauth2/applications/@me",
            Route::CurrentUser => "/users/@me",
            Route::Gateway => "/gateway",
            Route::GatewayBot => "/gateway/bot",
            Route::Channel(_) => "/channels/{id}",
            Route::Guild(_) => "/guilds/{id}",
            Route::GuildMember { .. } => "/guilds/{id}/members/{id}",
            Route::ChannelMessages(_) => "/channels/{id}/messages",
            Route::ChannelMessage { .. } => "/channels/{id}/messages/{id}",
            Route::GlobalCommands { .. } => "/applications/{id}/commands",
            Route::GuildCommands { .. } => "/applications/{id}/guilds/{id}/commands",
            Route::InteractionCallback { .. } => "/interactions/{id}/{token}/callback",
            Route::OriginalResponse { .. } => "/webhooks/{id}/{token}/messages/@original",
            Route::FollowUp { .. } => "/webhooks/{id}/{token}",
        }
    }

    /// Whether the request counts against the bot's global 50 requests a second. Discord
    /// exempts interaction answers, which are authorised by their token, not the bot's.
    pub fn counts_globally(&self) -> bool {
        !matches!(
            self,
            Route::InteractionCallback { .. }
                | Route::OriginalResponse { .. }
                | Route::FollowUp { .. }
        )
    }
}

/// The part of `GET /oauth2/applications/@me` briefbot reads.
#[derive(Debug, Deserialize)]
pub struct ApplicationReply {
    pub id: String,
}

/// The part of `GET /gateway` briefbot reads: where the websocket is.
#[derive(Debug, Deserialize)]
pub struct GatewayReply {
    pub url: String,
}

/// The part of `GET /gateway/bot` briefbot reads.
#[derive(Debug, Deserialize)]
pub struct GatewayBotReply {
    pub session_start_limit: SessionStartLimit,
}

/// How many identifies are left today and how many may run at once.
#[derive(Debug, Deserialize)]
pub struct SessionStartLimit {
    pub remaining: u32,
    /// Milliseconds until `remaining` is back to its daily total.
    pub reset_after: u64,
    pub max_concurrency: u32,
}

/// The part of a channel briefbot reads.
#[derive(Debug, Deserialize)]
pub struct ChannelReply {
    pub guild_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: u8,
    /// A thread's channel, or a channel's category.
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub permission_overwrites: Vec<OverwriteReply>,
}

/// A channel's permission overwrite for a role (`type` 0) or a member (1); bits as strings.
#[derive(Debug, Deserialize)]
pub struct OverwriteReply {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: u8,
    pub allow: String,
    pub deny: String,
}

/// The part of `GET /guilds/{id}` briefbot reads.
#[derive(Debug, Deserialize)]
pub struct GuildReply {
    pub owner_id: String,
    #[serde(default)]
    pub roles: Vec<RoleReply>,
}

/// A role's id and guild-wide permissions (bits as a string).
#[derive(Debug, Deserialize)]
pub struct RoleReply {
    pub id: String,
    pub permissions: String,
}

/// The part of `GET /guilds/{id}/members/{id}` briefbot reads: the member's role ids.
#[derive(Debug, Deserialize)]
pub struct MemberReply {
    #[serde(default)]
    pub roles: Vec<String>,
}

/// The part of `GET /users/@me` briefbot reads.
#[derive(Debug, Deserialize)]
pub struct UserReply {
    pub id: String,
}

/// The part of a created message briefbot reads.
#[derive(Debug, Deserialize)]
pub struct MessageReply {
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_hide_tokens_and_ids() {
        let token = "aW50ZXJhY3Rpb24";
        let routes = [
            Route::InteractionCallback {
                interaction: 123,
                token,
            },
            Route::OriginalResponse {
                application: 42,
                token,
            },
            Route::FollowUp {
                application: 42,
                token,
            },
            Route::ChannelMessages(987),
        ];
        for route in routes {
            assert!(route.path().contains(['1', '4', '9']), "{route:?}");
            let label = route.label();
            assert!(
                !label.contains(token) && !label.contains(char::is_numeric),
                "{label}"
            );
        }
        assert_eq!(
            Route::InteractionCallback {
                interaction: 123,
                token
            }
            .path(),
            "/interactions/123/aW50ZXJhY3Rpb24/callback"
        );
    }

    #[test]
    fn interaction_answers_are_exempt_from_the_global_limit() {
        assert!(Route::ChannelMessages(1).counts_globally());
        assert!(Route::GuildCommands {
            application: 1,
            guild: 2
        }
        .counts_globally());
        assert!(!Route::FollowUp {
            application: 1,
            token: "t"
        }
        .counts_globally());
    }

    #[test]
    fn replies_read_what_discord_sends() {
        let channel: ChannelReply =
            serde_json::from_str(r#"{"id":"5","type":0,"guild_id":"7","name":"news"}"#).unwrap();
        assert_eq!((channel.guild_id.as_deref(), channel.kind), (Some("7"), 0));
        let dm: ChannelReply = serde_json::from_str(r#"{"id":"5","type":1}"#).unwrap();
        assert_eq!(dm.guild_id, None);
    }
}
