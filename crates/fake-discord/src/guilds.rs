//! The `GET /guilds/{id}/...` routes: the guild with its roles (the bot's "briefbot" role
//! among them), one member (the bot too), and the active threads.

use super::config::FakeConfig;
use super::rest::Reply;
use super::state::Inner;
use super::{payloads, target_payloads, threads};

pub(crate) fn route(cfg: &FakeConfig, inner: &Inner, guild: &str, rest: &[&str]) -> Reply {
    let Some(guild) = guild.parse().ok().and_then(|g| cfg.guild(g)) else {
        return Reply::error(404, 10004, "Unknown Guild");
    };
    match rest {
        [] => Reply::ok(target_payloads::partial_guild(cfg, guild)),
        ["threads", "active"] => threads::active(cfg, inner, guild),
        ["members", user] => {
            let user: u64 = user.parse().unwrap_or(0);
            if user == cfg.bot_user_id {
                return Reply::ok(payloads::bot_member(cfg, guild));
            }
            match guild.member(user) {
                Some(m) => Reply::ok(payloads::member(guild, m)),
                None => Reply::error(404, 10007, "Unknown Member"),
            }
        }
        _ => Reply::not_found(),
    }
}
