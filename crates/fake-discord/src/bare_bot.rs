//! The smallest serenity + poise bot: one slash command answering a fixed string, registered in
//! the fake's guilds. The fake's own tests prove the fake against it, and briefbot's load
//! benchmark uses it as the floor of the stack (what serenity + poise cost with no bot logic at
//! all).
//!
//! [`spawn_bare_bot`] runs it in the test's runtime. A benchmark that wants it in a process of its
//! own passes a [`BareTarget`] (plain strings and numbers) to the child and calls [`spawn`] there.

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use tokio::task::JoinHandle;

use super::FakeDiscord;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Ctx<'a> = poise::Context<'a, BareData, Error>;

/// The bot's data: the fixed answer.
struct BareData {
    reply: String,
}

/// Answers with the configured fixed string.
#[poise::command(slash_command)]
async fn ping(ctx: Ctx<'_>) -> Result<(), Error> {
    ctx.say(ctx.data().reply.clone()).await?;
    Ok(())
}

/// What a bare bot needs to know of a fake Discord to connect to it: what [`BareTarget::of`]
/// reads from a [`FakeDiscord`], in a form that can be handed to another process.
#[derive(Clone, Debug)]
pub struct BareTarget {
    /// The REST base, [`FakeDiscord::base_url`]; serenity learns the gateway from it.
    pub base_url: String,
    /// The bot token the fake accepts.
    pub token: String,
    /// The application id, [`crate::FakeConfig::application_id`].
    pub application_id: u64,
    /// The guilds the command is registered in when READY arrives.
    pub guild_ids: Vec<u64>,
}

impl BareTarget {
    /// `fake`'s URL, token and application, and every guild of its config.
    pub fn of(fake: &FakeDiscord) -> Self {
        Self {
            base_url: fake.base_url(),
            token: fake.token().to_owned(),
            application_id: fake.config().application_id,
            guild_ids: fake.config().guilds.iter().map(|g| g.id).collect(),
        }
    }

    /// A serenity HTTP client aimed at the fake the way briefbot's is with `discord.api_base`
    /// (serenity ignores the proxy while its own ratelimiter is on, hence `ratelimiter_disabled`).
    pub fn http(&self) -> serenity::Http {
        serenity::HttpBuilder::new(&self.token)
            .proxy(&self.base_url)
            .ratelimiter_disabled(true)
            .application_id(serenity::ApplicationId::new(self.application_id))
            .build()
    }
}

/// A running bare bot; [`BareBot::stop`] shuts its shards down and waits for the client to
/// return.
pub struct BareBot {
    shard_manager: Arc<serenity::ShardManager>,
    task: JoinHandle<Result<(), serenity::Error>>,
}

impl BareBot {
    /// Shuts the shards down and returns what the client returned.
    pub async fn stop(self) -> Result<(), serenity::Error> {
        self.shard_manager.shutdown_all().await;
        self.finished().await
    }

    /// Waits until the client returns by itself, which it only does on a fatal error (a refused
    /// token, a gateway close code that forbids reconnecting): until then this never returns.
    pub async fn finished(self) -> Result<(), serenity::Error> {
        self.task.await.expect("bare bot task panicked")
    }
}

/// A serenity HTTP client aimed at `fake`: [`BareTarget::http`] of [`BareTarget::of`].
pub fn http_for(fake: &FakeDiscord) -> serenity::Http {
    BareTarget::of(fake).http()
}

/// Starts a bot answering `/{command}` with `reply`, pointed at `fake` exactly as briefbot is with
/// `discord.api_base` (proxy + ratelimiter off), registering the command in every guild of the
/// fake's config when READY arrives.
pub async fn spawn_bare_bot(fake: &FakeDiscord, command: &str, reply: &str) -> BareBot {
    spawn(BareTarget::of(fake), command, reply)
        .await
        .expect("serenity client builds")
}

/// Starts a bot answering `/{command}` with `reply` against `target`, on the current tokio
/// runtime; see [`spawn_bare_bot`].
pub async fn spawn(
    target: BareTarget,
    command: &str,
    reply: &str,
) -> Result<BareBot, serenity::Error> {
    let mut cmd = ping();
    // The macro fixes the name at compile time; the benchmark needs the same name as briefbot's
    // command, and poise derives qualified names from `name` at start. `into` because the field
    // is a `String` in poise 0.6 and a `Cow` in 0.7; this file compiles with either.
    #[allow(clippy::useless_conversion)]
    {
        cmd.name = command.to_owned().into();
    }
    let http = target.http();
    let guild_ids = target.guild_ids;
    let reply = reply.to_owned();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![cmd],
            ..Default::default()
        })
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                for guild in guild_ids {
                    let commands = &framework.options().commands;
                    poise::builtins::register_in_guild(
                        ctx,
                        commands,
                        serenity::GuildId::new(guild),
                    )
                    .await?;
                }
                Ok(BareData { reply })
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await?;
    let shard_manager = Arc::clone(&client.shard_manager);
    let task = tokio::spawn(async move { client.start().await });
    Ok(BareBot {
        shard_manager,
        task,
    })
}
