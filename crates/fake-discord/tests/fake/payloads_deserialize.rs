//! Every payload the fake can send, read back with serenity 0.12.5's own model types.
//!
//! serenity drops what it cannot deserialize with only a WARN log, so a field the fake forgot would
//! surface elsewhere as "the bot never answered". This test goes through the fake's real paths
//! (websocket frames, REST answers) and fails with serenity's own error message instead.

use std::time::Duration;

use fake_discord::bare_bot::http_for as http;
use fake_discord::raw_client::{heartbeat_frame, resume_frame, Frame, RawGateway};
use fake_discord::*;
use serde_json::{json, Value};
use serenity::all::{
    Channel, ChannelId, CommandDataOptionValue, Event, GatewayEvent, GuildId, Interaction,
    MessageId, UserId,
};

const WAIT: Duration = Duration::from_secs(5);

/// Parses a frame from its text, as serenity's websocket client does.
fn gateway_event(frame: &Value) -> GatewayEvent {
    serde_json::from_str(&frame.to_string())
        .unwrap_or_else(|e| panic!("serenity rejects {frame}\n{e}"))
}

/// The event of a dispatch frame. serenity turns a known event it cannot parse into
/// `Event::Unknown` (and a bot ignores it), so that case re-parses the payload with the model
/// type to surface serde's reason.
fn dispatched(frame: &Value) -> Event {
    let event = match gateway_event(frame) {
        GatewayEvent::Dispatch(_, event) => event,
        other => panic!("expected a dispatch, got {other:?}"),
    };
    if let Event::Unknown(unknown) = &event {
        let d = unknown.value.to_string();
        let reason = match unknown.kind.as_str() {
            "READY" => serde_json::from_str::<serenity::all::Ready>(&d).err(),
            "GUILD_CREATE" => serde_json::from_str::<serenity::all::Guild>(&d).err(),
            "INTERACTION_CREATE" => serde_json::from_str::<Interaction>(&d).err(),
            _ => None,
        };
        panic!("serenity could not read {}: {reason:?}", unknown.kind);
    }
    event
}

fn interaction(frame: &Value) -> Interaction {
    match dispatched(frame) {
        Event::InteractionCreate(e) => e.interaction,
        other => panic!("expected INTERACTION_CREATE, got {other:?}"),
    }
}

/// Command definitions shaped like poise's: autocomplete, subcommands, typed options, French.
fn command_bodies() -> Value {
    json!([
        {"name": "brief", "description": "Show a briefing", "type": 1,
         "name_localizations": {"fr": "resume"}, "description_localizations": {"fr": "Afficher un briefing"},
         "options": [{"type": 3, "name": "briefing", "description": "Which briefing", "autocomplete": true}]},
        {"name": "digest", "description": "Manage digests", "type": 1, "default_member_permissions": "32",
         "options": [{"type": 1, "name": "add", "description": "Create a digest", "options": [
            {"type": 3, "name": "name", "description": "Digest name", "required": true},
            {"type": 7, "name": "channel", "description": "Where to post", "required": true},
            {"type": 8, "name": "mention_role", "description": "Role to mention"},
            {"type": 6, "name": "owner", "description": "Who owns it"},
            {"type": 4, "name": "count", "description": "How many", "min_value": 1, "max_value": 10}]}]}
    ])
}

#[tokio::test]
async fn payloads_deserialize_with_serenity() {
    let mut cfg = FakeConfig::default();
    cfg.guilds.push(
        GuildSpec::new(911_000_000_000_000_001, "Second Guild")
            .with_channel(921_000_000_000_000_001, "news"),
    );
    let fake = FakeDiscord::start_with(cfg).await;
    let http = http(&fake);

    // REST objects serenity parses itself.
    let registered = http
        .create_guild_commands(GuildId::new(GUILD_ID), &command_bodies())
        .await
        .expect("guild commands");
    assert_eq!(registered.len(), 2);
    http.create_global_commands(&json!([{"name": "ping", "description": "Ping", "type": 1}]))
        .await
        .expect("global");
    assert_eq!(
        http.get_global_commands().await.expect("list global")[0].name,
        "ping"
    );
    let listed = http
        .get_guild_commands_with_localizations(GuildId::new(GUILD_ID))
        .await
        .expect("list guild");
    assert_eq!(
        listed[0]
            .name_localizations
            .as_ref()
            .and_then(|l| l.get("fr"))
            .map(String::as_str),
        Some("resume")
    );
    assert_eq!(
        http.get_current_user().await.expect("users/@me").id,
        UserId::new(BOT_USER_ID)
    );
    let app = http
        .get_current_application_info()
        .await
        .expect("oauth2/applications/@me");
    assert_eq!(app.owner.expect("owner").id, UserId::new(ADMIN_USER_ID));
    assert_eq!(
        http.get_gateway().await.expect("gateway").url,
        fake.gateway_url()
    );
    assert_eq!(http.get_bot_gateway().await.expect("gateway/bot").shards, 1);
    let member = http
        .get_member(GuildId::new(GUILD_ID), UserId::new(MODERATOR_USER_ID))
        .await
        .expect("member");
    assert_eq!(member.roles.len(), 1);
    match http
        .get_channel(ChannelId::new(CHANNEL_ID))
        .await
        .expect("channel")
    {
        Channel::Guild(c) => assert_eq!(c.name, "general"),
        other => panic!("expected a guild channel, got {other:?}"),
    }
    let body = json!({"content": "hello", "embeds": [{"title": "T", "description": "D", "fields": [{"name": "n", "value": "v"}]}],
        "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Next", "custom_id": "page:2"}]}]});
    let sent = http
        .send_message(ChannelId::new(CHANNEL_ID), vec![], &body)
        .await
        .expect("channel message");
    assert_eq!(sent.embeds.len(), 1);
    assert_eq!(sent.components.len(), 1);
    let fetched = http
        .get_message(ChannelId::new(CHANNEL_ID), sent.id)
        .await
        .expect("get message");
    assert_eq!(fetched.content, "hello");

    // Gateway: Hello, READY, GUILD_CREATE, heartbeat ACK.
    let mut gw = RawGateway::connect(&fake).await;
    let hello = gw.recv_json().await;
    assert!(matches!(gateway_event(&hello), GatewayEvent::Hello(1000)));
    gw.send(fake_discord::raw_client::identify_frame(fake.token(), 1))
        .await;
    let ready = match dispatched(&gw.recv_dispatch("READY").await) {
        Event::Ready(r) => r.ready,
        other => panic!("expected READY, got {other:?}"),
    };
    assert_eq!(
        (
            ready.user.id,
            ready.application.id.get(),
            ready.guilds.len()
        ),
        (UserId::new(BOT_USER_ID), APPLICATION_ID, 2)
    );
    for _ in 0..2 {
        match dispatched(&gw.recv_dispatch("GUILD_CREATE").await) {
            Event::GuildCreate(g) => {
                assert!(!g.guild.channels.is_empty() && !g.guild.roles.is_empty())
            }
            other => panic!("expected GUILD_CREATE, got {other:?}"),
        }
    }
    gw.send(heartbeat_frame(Some(3))).await;
    assert!(matches!(
        gateway_event(&gw.recv_json().await),
        GatewayEvent::HeartbeatAck
    ));

    // INTERACTION_CREATE of each kind.
    let ix = fake
        .command("digest add")
        .user(MODERATOR_USER_ID)
        .options(json!({"name": "daily", "channel": SECOND_CHANNEL_ID, "mention_role": MODERATOR_ROLE_ID, "owner": ADMIN_USER_ID, "count": 3}))
        .send()
        .await;
    let Interaction::Command(cmd) = interaction(&gw.recv_dispatch("INTERACTION_CREATE").await)
    else {
        panic!("not a command")
    };
    assert_eq!((cmd.id.get(), cmd.data.name.as_str()), (ix.id, "digest"));
    let CommandDataOptionValue::SubCommand(sub) = &cmd.data.options[0].value else {
        panic!("no subcommand")
    };
    assert_eq!(sub.len(), 5);
    assert!(cmd
        .data
        .resolved
        .channels
        .contains_key(&ChannelId::new(SECOND_CHANNEL_ID)));
    assert!(cmd
        .data
        .resolved
        .roles
        .values()
        .all(|r| r.guild_id == GuildId::new(GUILD_ID)));
    assert!(cmd
        .data
        .resolved
        .members
        .contains_key(&UserId::new(ADMIN_USER_ID)));
    assert_eq!(
        cmd.member.as_ref().expect("member").user.id,
        UserId::new(MODERATOR_USER_ID)
    );

    fake.autocomplete("brief", "briefing")
        .option("briefing", "lat")
        .locale("fr")
        .send()
        .await;
    let Interaction::Autocomplete(ac) = interaction(&gw.recv_dispatch("INTERACTION_CREATE").await)
    else {
        panic!("not autocomplete")
    };
    assert_eq!(ac.data.autocomplete().expect("focused option").value, "lat");
    assert_eq!(ac.locale, "fr");

    fake.command("brief").dm().send().await;
    let Interaction::Command(dm) = interaction(&gw.recv_dispatch("INTERACTION_CREATE").await)
    else {
        panic!("not a command")
    };
    assert!(dm.guild_id.is_none() && dm.member.is_none());

    // A reply with a button, then a click on it: the component carries the bot's message.
    let brief = fake.command("brief").send().await;
    interaction(&gw.recv_dispatch("INTERACTION_CREATE").await);
    let reply = json!({"type": 4, "data": {"content": "page 1", "components": [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "Next", "custom_id": "briefings:2"}]}]}});
    http.create_interaction_response(brief.id.into(), &brief.token, &reply, vec![])
        .await
        .expect("callback");
    let original = http
        .get_original_interaction_response(&brief.token)
        .await
        .expect("@original");
    assert_eq!(original.content, "page 1");
    let followup = http
        .create_followup_message(
            &brief.token,
            &json!({"content": "more", "flags": 64}),
            vec![],
        )
        .await
        .expect("follow-up");
    assert_eq!(followup.flags.map(|f| f.bits()), Some(64));
    let edited = http
        .edit_original_interaction_response(&brief.token, &json!({"content": "page 1!"}), vec![])
        .await
        .expect("edit");
    assert!(edited.edited_timestamp.is_some());
    fake.component("briefings:2").send().await;
    let Interaction::Component(click) = interaction(&gw.recv_dispatch("INTERACTION_CREATE").await)
    else {
        panic!("not a component")
    };
    assert_eq!(
        (click.data.custom_id.as_str(), click.message.id),
        ("briefings:2", original.id)
    );
    fake.component("pick").select(3, &["a", "b"]).send().await;
    let Interaction::Component(select) = interaction(&gw.recv_dispatch("INTERACTION_CREATE").await)
    else {
        panic!("not a component")
    };
    assert!(
        matches!(select.data.kind, serenity::all::ComponentInteractionDataKind::StringSelect { ref values } if values.len() == 2)
    );

    // A deferred response's "thinking" message is a Message too.
    let deferred = fake.command("brief").send().await;
    interaction(&gw.recv_dispatch("INTERACTION_CREATE").await);
    http.create_interaction_response(
        deferred.id.into(),
        &deferred.token,
        &json!({"type": 5}),
        vec![],
    )
    .await
    .expect("defer");
    let thinking = http
        .get_original_interaction_response(&deferred.token)
        .await
        .expect("thinking @original");
    assert_eq!(thinking.flags.map(|f| f.bits()), Some(128));

    // Errors come back in the shape serenity reads into `DiscordJsonError`.
    let err = http
        .get_message(ChannelId::new(CHANNEL_ID), MessageId::new(1))
        .await
        .expect_err("unknown message");
    assert!(format!("{err:?}").contains("10008"), "{err:?}");

    // Control frames, then a resume that replays what was missed, then RESUMED.
    assert!(fake.request_heartbeat());
    assert!(matches!(
        gateway_event(&gw.recv_json().await),
        GatewayEvent::Heartbeat(..)
    ));
    assert!(fake.send_reconnect());
    assert!(matches!(
        gateway_event(&gw.recv_json().await),
        GatewayEvent::Reconnect
    ));
    assert!(fake.invalidate_session(true));
    assert!(matches!(
        gateway_event(&gw.recv_json().await),
        GatewayEvent::InvalidateSession(true)
    ));
    let seen = fake.gateway_log().identifies.len() as u64; // any seq below the missed one works
    let missed = fake.command("brief").send().await;
    assert!(fake.drop_connection());
    assert!(matches!(
        gw.recv_within(WAIT).await,
        Some(Frame::Json(_)) | Some(Frame::Ended) | None
    ));
    let mut again = RawGateway::connect(&fake).await;
    assert_eq!(again.recv_json().await["op"], 10);
    again
        .send(resume_frame(fake.token(), &ready.session_id, seen))
        .await;
    let mut replayed = Vec::new();
    loop {
        let frame = again.recv_json().await;
        match dispatched(&frame) {
            Event::Resumed(_) => break,
            Event::InteractionCreate(e) => replayed.push(e.interaction.id().get()),
            _ => {}
        }
    }
    assert!(
        replayed.contains(&missed.id),
        "the missed interaction is replayed before RESUMED"
    );
}
