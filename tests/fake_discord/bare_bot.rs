//! The smallest serenity + poise bot: one slash command answering a fixed string, registered in
//! the fake's guilds. The smoke test proves the fake against it, and the load benchmark uses it as
//! the floor of the stack (what serenity + poise cost with no bot logic at all).

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use tokio::task::JoinHandle;

use super::FakeDiscord;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Ctx<'a> = poise::Context<'a, BareData, Error>;

pub struct BareData {
    reply: String,
}

/// Answers with the configured fixed string.
#[poise::command(slash_command)]
async fn ping(ctx: Ctx<'_>) -> Result<(), Error> {
    ctx.say(ctx.data().reply.clone()).await?;
    Ok(())
}

/// A running bare bot; `stop` shuts its shards down and waits for the client to return.
pub struct BareBot {
    pub shard_manager: Arc<serenity::ShardManager>,
    task: JoinHandle<Result<(), serenity::Error>>,
}

impl BareBot {
    pub async fn stop(self) -> Result<(), serenity::Error> {
        self.shard_manager.shutdown_all().await;
        self.task.await.expect("bare bot task panicked")
    }

    /// Whether the client has already returned (for example after a fatal gateway close).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

/// A serenity HTTP client aimed at the fake the way briefbot's is with `discord.api_base`
/// (serenity ignores the proxy while its own ratelimiter is on, hence `ratelimiter_disabled`).
pub fn http_for(fake: &FakeDiscord) -> serenity::Http {
    serenity::HttpBuilder::new(fake.token())
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .application_id(serenity::ApplicationId::new(fake.config().application_id))
        .build()
}

/// Starts a bot answering `/{command}` with `reply`, pointed at `fake` exactly as briefbot is
/// with `discord.api_base` (proxy + ratelimiter off), registering the command in every guild of
/// the fake's config when READY arrives.
pub async fn spawn_bare_bot(fake: &FakeDiscord, command: &str, reply: &str) -> BareBot {
    let mut cmd = ping();
    // The macro fixes the name at compile time; the benchmark needs the same name as briefbot's
    // command, and poise derives qualified names from `name` at start. `into` because the field
    // is a `String` in poise 0.6 and a `Cow` in 0.7; this file compiles with either.
    #[allow(clippy::useless_conversion)]
    {
        cmd.name = command.to_owned().into();
    }
    let guild_ids: Vec<u64> = fake.config().guilds.iter().map(|g| g.id).collect();
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
    let mut client =
        serenity::ClientBuilder::new_with_http(http_for(fake), serenity::GatewayIntents::GUILDS)
            .framework(framework)
            .await
            .expect("serenity client builds");
    let shard_manager = Arc::clone(&client.shard_manager);
    let task = tokio::spawn(async move { client.start().await });
    BareBot {
        shard_manager,
        task,
    }
}
