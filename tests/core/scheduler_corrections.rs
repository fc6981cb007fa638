//! Corrections on the scheduler with an in-memory Discord and a library the test swaps: what a
//! changed, withdrawn or grown briefing does to the posted messages, once, within the window.

use crate::scheduler_support::*;
use briefbot::briefings::{Briefing, Library, Section};
use briefbot::digests::scheduler::{
    Clock, LibrarySnapshot, LibrarySource, SchedulerDeps, SchedulerHandle, TokioClock,
};
use briefbot::store::{AsyncStore, Lease, SqliteStorage, Storage, DEFAULT_CLAIM_LEASE};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 3600);

struct Setup {
    handle: SchedulerHandle,
    discord: MemoryPoster,
    library: Arc<Mutex<Library>>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    setup_with("").await
}

/// `target`: the digest's target keys, empty for a plain channel.
async fn setup_with(target: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("briefbot.db");
    let config = parse_config(&format!(
        "[[digest]]\nname = \"d\"\nchannel_id = 1\nschedule = \"0 8 * * *\"\ntags = [\"sahel\"]\n{target}"
    ));
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(at("2025-01-03T09:00:00Z")));
    let discord = MemoryPoster::new().with_clock(Arc::clone(&clock));
    let library = Arc::new(Mutex::new(library()));
    let shared = Arc::clone(&library);
    let source: LibrarySource = Arc::new(move || {
        let snapshot: Arc<dyn LibrarySnapshot> = Arc::new(shared.lock().unwrap().clone());
        snapshot
    });
    let store = AsyncStore::open(&db).await.unwrap();
    let store = Arc::new(SqliteStorage::new(store, db.display().to_string()));
    let deps = SchedulerDeps {
        store: Arc::clone(&store) as Arc<dyn Storage>,
        claims: Lease::new("test", DEFAULT_CLAIM_LEASE),
        poster: Arc::new(discord.clone()),
        library: source,
        clock,
    };
    let handle = SchedulerHandle::new(deps, &config, options());
    handle.start().await.unwrap();
    handle.send_now("cfg:d").await.unwrap();
    // What the delivery shows is recorded beside it, not before `send_now` returns.
    let epoch = at("2025-01-01T00:00:00Z");
    while store.shown_since(epoch).await.unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Setup {
        handle,
        discord,
        library,
        _dir: dir,
    }
}

impl Setup {
    /// Applies `change` to the briefing `id`, or removes it when `change` is `None`.
    fn change(&self, id: &str, change: Option<&dyn Fn(&mut Briefing)>) {
        let mut library = self.library.lock().unwrap();
        let mut all: Vec<Briefing> = library.newest_first().map(|b| (**b).clone()).collect();
        match change {
            Some(f) => all.iter_mut().filter(|b| b.id == id).for_each(f),
            None => all.retain(|b| b.id != id),
        }
        *library = Library::from_briefings(all);
    }
}

fn body(text: String) -> impl Fn(&mut Briefing) {
    move |b: &mut Briefing| {
        b.sections[0] = Section {
            body: text.clone(),
            ..b.sections[0].clone()
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_changed_briefing_edits_each_posted_message_once() {
    let s = setup().await;
    let posted = s.discord.messages();
    assert!(!posted.is_empty());
    // Nothing changed: nothing to do.
    let done = s.handle.correct(&s.discord, DAY).await.unwrap();
    assert_eq!(done.deliveries, 0);

    s.change("b", Some(&body("Corrected: whats_happening of b.".into())));
    let done = s.handle.correct(&s.discord, DAY).await.unwrap();
    assert_eq!((done.deliveries, done.messages), (1, posted.len()));
    let edits = s.discord.edits();
    assert_eq!(edits.len(), posted.len());
    let first = &edits[0].1;
    assert!(
        first.content.starts_with("**d** · <t:"),
        "{}",
        first.content
    );
    assert!(
        first.content.contains("\n-# Updated <t:"),
        "{}",
        first.content
    );
    assert!(first.allowed_mentions.parse.is_empty() && first.nonce.is_none());
    let json = format!("{:?}", s.discord.messages());
    assert!(json.contains("Corrected: whats_happening of b."), "{json}");

    // Done is done: the next pass edits nothing.
    let again = s.handle.correct(&s.discord, DAY).await.unwrap();
    assert_eq!(again.deliveries, 0);
    assert_eq!(s.discord.edits().len(), posted.len());
}

#[tokio::test(start_paused = true)]
async fn corrections_reach_messages_in_a_forum_post_a_thread_and_through_a_webhook() {
    for target in [
        "target = \"forum\"\n",
        "target = \"thread\"\nthread_id = 5\n",
        "target = \"webhook\"\nusername = \"Sahel Brief\"\n",
        "target = \"forum\"\nusername = \"Sahel Brief\"\n",
    ] {
        let s = setup_with(target).await;
        let posted = s.discord.messages();
        assert!(!posted.is_empty(), "{target}");
        s.change("b", Some(&body("Corrected: whats_happening of b.".into())));
        // The memory Discord edits a message only where it lives and through the sender that
        // posted it, as Discord does: a wrong channel or sender answers 404.
        let done = s.handle.correct(&s.discord, DAY).await.unwrap();
        assert_eq!(
            (done.deliveries, done.messages),
            (1, posted.len()),
            "{target}"
        );
        let json = format!("{:?}", s.discord.messages());
        assert!(
            json.contains("Corrected: whats_happening of b."),
            "{target}: {json}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_withdrawn_briefing_is_named_and_the_rest_stays() {
    let s = setup().await;
    s.change("a", None);
    s.handle.correct(&s.discord, DAY).await.unwrap();
    let content = &s.discord.edits()[0].1.content;
    assert!(content.contains("\n-# Withdrawn: Briefing a"), "{content}");
    let json = format!("{:?}", s.discord.messages());
    assert!(json.contains("whats_happening of b."), "{json}");
    assert!(!json.contains("whats_happening of a."), "{json}");
}

#[tokio::test(start_paused = true)]
async fn a_correction_too_long_for_the_posted_messages_keeps_within_them() {
    let s = setup().await;
    let posted = s.discord.messages().len();
    let long = "A much longer account of what happened. ".repeat(400);
    s.change("b", Some(&body(long)));
    let done = s.handle.correct(&s.discord, DAY).await.unwrap();
    assert_eq!(done.messages, posted, "edits only the messages that exist");
    let last = s.discord.edits().last().unwrap().1.clone();
    assert!(
        last.content.contains("`/brief` shows the whole briefing"),
        "{}",
        last.content
    );
    for (_, payload) in s.discord.edits() {
        briefbot::render::limits::check(&payload).unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn past_the_window_or_with_it_off_nothing_is_edited() {
    let s = setup().await;
    s.change("b", Some(&body("Corrected.".into())));
    let off = s.handle.correct(&s.discord, Duration::ZERO).await.unwrap();
    assert_eq!(off.deliveries, 0);
    tokio::time::advance(DAY + Duration::from_secs(60)).await;
    let late = s.handle.correct(&s.discord, DAY).await.unwrap();
    assert_eq!(late.deliveries, 0);
    assert!(s.discord.edits().is_empty());
}
