//! What a server must grant the bot when it adds it, worked out from the config, and the OAuth2
//! URL that asks for exactly that. `briefbot invite` prints it with the reason for each
//! permission; the bot logs the URL at start while it is in no server. Member answers are
//! interaction responses, which need no channel permission, so only digests and alerts ask.

use crate::config::Config;
use crate::digests::TargetKind;
use crate::permissions::Permissions;

/// The scopes the bot joins with: itself, and its slash commands.
pub const SCOPES: &str = "bot+applications.commands";

/// What an alert needs: alerts are plain text, so no Embed Links.
pub const ALERTS: Permissions =
    Permissions(Permissions::VIEW_CHANNEL.0 | Permissions::SEND_MESSAGES.0);

/// One permission asked for: why the bot needs it, and what in this config does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub permission: Permissions,
    pub why: &'static str,
    /// Config digests by name, `/digest add` with the offered targets that need it, alert
    /// channels.
    pub used_by: Vec<String>,
}

/// Everything the invite asks for, in Discord's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub permissions: Permissions,
    pub needs: Vec<Need>,
    /// Config digests with a `mention_role`: their ping may need a permission not asked for.
    pub mentioning: Vec<String>,
}

impl Invite {
    /// What `config` needs: every config digest's target, the targets `/digest add` offers
    /// (`[schedule] targets`), and the alert channels.
    pub fn for_config(config: &Config) -> Invite {
        let digests: Vec<(Permissions, String)> = config
            .digests
            .iter()
            .map(|d| {
                let kind = d.target.kind().as_str();
                (
                    d.target.permissions(),
                    format!("digest `{}` ({kind})", d.name),
                )
            })
            .collect();
        let offered = &config.schedule.targets;
        let alerts = config.guilds.iter().any(|g| g.alert_channel_id.is_some());
        let permissions = digests
            .iter()
            .map(|(p, _)| *p)
            .chain([runtime_digests(offered)])
            .chain(alerts.then_some(ALERTS))
            .fold(Permissions::empty(), |all, p| all | p);
        let needs = permissions
            .each()
            .into_iter()
            .map(|permission| {
                let mut used_by: Vec<String> = digests
                    .iter()
                    .filter(|(p, _)| p.contains(permission))
                    .map(|(_, user)| user.clone())
                    .collect();
                let kinds: Vec<&str> = offered
                    .iter()
                    .filter(|k| offered_permissions(**k).contains(permission))
                    .map(|k| k.as_str())
                    .collect();
                if !kinds.is_empty() {
                    used_by.push(format!("/digest add ({})", kinds.join(", ")));
                }
                if alerts && ALERTS.contains(permission) {
                    used_by.push("alert channels".to_string());
                }
                Need {
                    permission,
                    why: why(permission),
                    used_by,
                }
            })
            .collect();
        let mentioning = config
            .digests
            .iter()
            .filter(|d| d.mention_role.is_some())
            .map(|d| format!("digest `{}`", d.name))
            .collect();
        Invite {
            permissions,
            needs,
            mentioning,
        }
    }

    /// The OAuth2 URL a server admin opens to add the bot with these permissions.
    pub fn url(&self, application_id: u64) -> String {
        url(application_id, self.permissions)
    }
}

/// What digests a moderator adds with `/digest add` may need, choosing among `offered`.
pub fn runtime_digests(offered: &[TargetKind]) -> Permissions {
    offered.iter().fold(Permissions::empty(), |all, kind| {
        all | offered_permissions(*kind)
    })
}

/// A kind's permissions, as any of its options may need them: a moderator may give a forum
/// digest a `username`, which posts through a webhook.
fn offered_permissions(kind: TargetKind) -> Permissions {
    match kind {
        TargetKind::Forum => kind.permissions() | Permissions::MANAGE_WEBHOOKS,
        _ => kind.permissions(),
    }
}

/// Discord's authorize URL for the bot with `permissions`.
pub fn url(application_id: u64, permissions: Permissions) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}&scope={SCOPES}&permissions={}",
        permissions.bits()
    )
}

/// Why the bot needs a permission, in an admin's words.
fn why(permission: Permissions) -> &'static str {
    match permission {
        Permissions::VIEW_CHANNEL => "the bot must see a channel to post in it",
        Permissions::MANAGE_WEBHOOKS => {
            "digests with target = \"webhook\" (and forum digests with a username) post \
             through a webhook the bot creates in the channel, under the digest's name"
        }
        Permissions::SEND_MESSAGES => {
            "channel digests, forum posts and open_thread digests' messages are posted as \
             the bot itself; so are alerts"
        }
        Permissions::SEND_MESSAGES_IN_THREADS => {
            "thread digests, and a forum post's further messages, are posted in threads"
        }
        Permissions::CREATE_PUBLIC_THREADS => {
            "target = \"thread\" with open_thread = true opens a thread under each digest message"
        }
        Permissions::EMBED_LINKS => "digest messages show briefings as embeds",
        Permissions::READ_MESSAGE_HISTORY => {
            "forum, thread and webhook digests: after a crash or a lost answer the bot reads \
             recent messages to find what it may already have posted, instead of posting \
             it twice"
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digests::{Identity, Target, ThreadTarget};
    use std::path::Path;

    fn config(extra: &str) -> Config {
        crate::config::parse(extra, Path::new("config.toml")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn with_targets(targets: &[(&str, Target)]) -> Config {
        let mut text = String::new();
        for (name, _) in targets {
            text +=
                &format!("[[digest]]\nname = \"{name}\"\nchannel_id = 1\nschedule = \"@daily\"\n");
        }
        let mut c = config(&text);
        for (digest, (_, target)) in c.digests.iter_mut().zip(targets) {
            digest.target = target.clone();
        }
        c
    }

    fn need(invite: &Invite, p: Permissions) -> Option<&Need> {
        invite.needs.iter().find(|n| n.permission == p)
    }

    #[test]
    fn without_digests_the_bot_asks_what_digest_add_offers_and_nothing_for_answers() {
        let invite = Invite::for_config(&config(""));
        use Permissions as P;
        let expected = P::VIEW_CHANNEL
            | P::SEND_MESSAGES
            | P::SEND_MESSAGES_IN_THREADS
            | P::CREATE_PUBLIC_THREADS
            | P::EMBED_LINKS
            | P::READ_MESSAGE_HISTORY
            | P::MANAGE_WEBHOOKS;
        assert_eq!(invite.permissions, expected);
        assert_eq!(invite.permissions, runtime_digests(&TargetKind::ALL));
        // Never more: no administrator, no @everyone pings, no command permission.
        for never in [P::ADMINISTRATOR, P::MENTION_EVERYONE, P::MANAGE_CHANNELS] {
            assert!(!invite.permissions.contains(never), "{never}");
        }
        for n in &invite.needs {
            assert_eq!(n.used_by.len(), 1, "{}", n.permission);
            assert!(
                n.used_by[0].starts_with("/digest add ("),
                "{}",
                n.permission
            );
            assert!(!n.why.is_empty(), "{} has no reason", n.permission);
        }
        let users = |p| need(&invite, p).unwrap().used_by.clone();
        assert_eq!(
            users(P::VIEW_CHANNEL),
            ["/digest add (channel, forum, thread, webhook)"]
        );
        // A forum digest given a username posts through a webhook.
        assert_eq!(users(P::MANAGE_WEBHOOKS), ["/digest add (forum, webhook)"]);
        assert_eq!(users(P::CREATE_PUBLIC_THREADS), ["/digest add (thread)"]);
        assert!(invite.url(42).ends_with(&format!(
            "client_id=42&scope=bot+applications.commands&permissions={}",
            expected.bits()
        )));
    }

    #[test]
    fn each_config_digest_is_named_under_the_permissions_its_target_needs() {
        let invite = Invite::for_config(&with_targets(&[
            ("plain", Target::Channel),
            ("hook", Target::Webhook(Identity::default())),
            ("under", Target::Thread(ThreadTarget::OpenUnderEach)),
        ]));
        let users = |p| {
            need(&invite, p)
                .map(|n| n.used_by.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            users(Permissions::MANAGE_WEBHOOKS),
            ["digest `hook` (webhook)", "/digest add (forum, webhook)"]
        );
        assert_eq!(
            users(Permissions::CREATE_PUBLIC_THREADS),
            ["digest `under` (thread)", "/digest add (thread)"]
        );
        assert_eq!(
            users(Permissions::VIEW_CHANNEL),
            [
                "digest `plain` (channel)",
                "digest `hook` (webhook)",
                "digest `under` (thread)",
                "/digest add (channel, forum, thread, webhook)"
            ]
        );
        // Channel digests carry a nonce: no history lookups.
        assert!(
            !users(Permissions::READ_MESSAGE_HISTORY).contains(&"digest `plain` (channel)".into())
        );
    }

    #[test]
    fn alert_channels_need_to_see_and_send_only_and_mentions_are_noted() {
        let c = config(
            "[[guild]]\nid = 7\nalert_channel_id = 8\n\
             [[digest]]\nname = \"ping\"\nchannel_id = 1\nschedule = \"@daily\"\nmention_role = 5\n",
        );
        let invite = Invite::for_config(&c);
        let alerting: Vec<Permissions> = invite
            .needs
            .iter()
            .filter(|n| n.used_by.iter().any(|u| u == "alert channels"))
            .map(|n| n.permission)
            .collect();
        assert_eq!(
            alerting,
            [Permissions::VIEW_CHANNEL, Permissions::SEND_MESSAGES]
        );
        assert_eq!(invite.mentioning, ["digest `ping`"]);
        assert!(!invite.permissions.contains(Permissions::MENTION_EVERYONE));
    }

    #[test]
    fn channel_digests_and_only_channel_offered_ask_to_see_send_and_embed_only() {
        let c = config(
            "[schedule]\ntargets = [\"channel\"]\n\
             [[guild]]\nid = 7\nalert_channel_id = 8\n\
             [[digest]]\nname = \"morning\"\nchannel_id = 1\nschedule = \"@daily\"\n",
        );
        let invite = Invite::for_config(&c);
        use Permissions as P;
        let expected = P::VIEW_CHANNEL | P::SEND_MESSAGES | P::EMBED_LINKS;
        assert_eq!(invite.permissions, expected);
        assert_eq!(
            need(&invite, P::SEND_MESSAGES).unwrap().used_by,
            [
                "digest `morning` (channel)",
                "/digest add (channel)",
                "alert channels"
            ]
        );
        assert_eq!(
            need(&invite, P::EMBED_LINKS).unwrap().used_by,
            ["digest `morning` (channel)", "/digest add (channel)"]
        );
        assert!(invite
            .url(42)
            .ends_with(&format!("permissions={}", expected.bits())));
    }

    #[test]
    fn config_digests_keep_their_needs_when_digest_add_does_not_offer_their_target() {
        let mut c = with_targets(&[("hook", Target::Webhook(Identity::default()))]);
        c.schedule.targets = vec![TargetKind::Channel];
        let invite = Invite::for_config(&c);
        use Permissions as P;
        assert_eq!(
            need(&invite, P::MANAGE_WEBHOOKS).unwrap().used_by,
            ["digest `hook` (webhook)"]
        );
        assert!(need(&invite, P::CREATE_PUBLIC_THREADS).is_none());
        assert!(need(&invite, P::SEND_MESSAGES_IN_THREADS).is_none());
        // Offering threads adds what they need, named as `/digest add`'s.
        c.schedule.targets = vec![TargetKind::Channel, TargetKind::Thread];
        let invite = Invite::for_config(&c);
        assert_eq!(
            need(&invite, P::CREATE_PUBLIC_THREADS).unwrap().used_by,
            ["/digest add (thread)"]
        );
    }
}
