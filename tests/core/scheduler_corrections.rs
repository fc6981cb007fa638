//! Corrections on the scheduler with an in-memory Discord and a library the test swaps: what a
//! changed, withdrawn or grown briefing does to the posted messages, once, within the window.

use crate::scheduler_support::*;
use briefbot::briefings::{Briefing, Library, Section};
use briefbot::digests::scheduler::{
    Clock, LibrarySnapshot, LibrarySource, PostedMessage, SchedulerDeps, SchedulerHandle,
    TokioClock,
};
use briefbot::digests::steps::Place;
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
    setup_from(target, library()).await
}

/// As `setup_with`, the digest sent from `first`.
async fn setup_from(target: &str, first: Library) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("briefbot.db");
    let config = parse_config(&format!(
        "[[digest]]\nname = \"d\"\nchannel_id = 1\nschedule = \"0 8 * * *\"\ntags = [\"sahel\"]\n{target}"
    ));
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(at("2025-01-03T09:00:00Z")));
    let discord = MemoryPoster::new().with_clock(Arc::clone(&clock));
    let library = Arc::new(Mutex::new(first));
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
    /// The posted messages living in the forum post titled `title` (its thread).
    fn post(&self, title: &str) -> Vec<PostedMessage> {
        let all = self.discord.messages();
        let starter = all
            .iter()
            .find(|m| matches!(&m.place, Place::NewForumPost { title: t, .. } if t == title))
            .unwrap_or_else(|| panic!("no post titled {title}: {all:?}"));
        let thread = starter.id;
        all.into_iter().filter(|m| m.channel_id == thread).collect()
    }

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

const PER_BRIEFING: &str = "target = \"forum\"\nforum_post = \"briefing\"\n";

#[tokio::test(start_paused = true)]
async fn a_changed_briefing_is_corrected_in_its_own_forum_post_only() {
    for target in [
        PER_BRIEFING.to_string(),
        format!("{PER_BRIEFING}username = \"Sahel Brief\"\n"),
    ] {
        let s = setup_with(&target).await;
        let (a, b) = (s.post("Briefing a"), s.post("Briefing b"));
        assert_ne!(a[0].channel_id, b[0].channel_id, "{target}");
        s.change("a", Some(&body("Corrected: whats_happening of a.".into())));
        // The memory Discord answers 404 for a message edited outside its post's thread or
        // through another sender than the one that posted it.
        let done = s.handle.correct(&s.discord, DAY).await.unwrap();
        assert_eq!((done.deliveries, done.messages), (1, a.len()), "{target}");
        let edited: Vec<u64> = s.discord.edits().iter().map(|e| e.0).collect();
        assert_eq!(
            edited,
            a.iter().map(|m| m.id).collect::<Vec<_>>(),
            "{target}"
        );
        let first = &s.post("Briefing a")[0].payload;
        let shows = format!("{first:?}");
        assert!(
            shows.contains("Corrected: whats_happening of a."),
            "{target}: {shows}"
        );
        assert!(
            first.content.contains("\n-# Updated <t:"),
            "{target}: {shows}"
        );
        // The other briefing's post is left as it was: nothing of it changed.
        let b_now: Vec<_> = s
            .post("Briefing b")
            .into_iter()
            .map(|m| m.payload)
            .collect();
        assert_eq!(b_now, b.into_iter().map(|m| m.payload).collect::<Vec<_>>());
        let again = s.handle.correct(&s.discord, DAY).await.unwrap();
        assert_eq!(again.deliveries, 0, "{target}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_long_forum_post_does_not_shift_where_the_next_ones_messages_are() {
    // Each briefing's post holds as many messages as it was sent with, whatever it renders to
    // now: the first post here had several, and its correction has one.
    let mut first = library();
    let mut all: Vec<Briefing> = first.newest_first().map(|b| (**b).clone()).collect();
    let long = "A much longer account of what happened. ".repeat(400);
    let newest = all[0].id.clone();
    all.iter_mut()
        .filter(|b| b.id == newest)
        .for_each(body(long));
    first = Library::from_briefings(all);
    let s = setup_from(PER_BRIEFING, first).await;
    let (newest_title, other) = if newest == "a" {
        ("a", "b")
    } else {
        ("b", "a")
    };
    let long_post = s.post(&format!("Briefing {newest_title}"));
    assert!(long_post.len() > 1, "{long_post:?}");
    let other_post = s.post(&format!("Briefing {other}"));

    s.change(newest_title, Some(&body("Short now.".into())));
    s.change(other, Some(&body("Corrected: the other one.".into())));
    let done = s.handle.correct(&s.discord, DAY).await.unwrap();
    assert_eq!(
        (done.deliveries, done.messages),
        (1, long_post.len() + other_post.len())
    );
    let long_now = s.post(&format!("Briefing {newest_title}"));
    let shows = format!("{:?}", long_now[0].payload);
    assert!(shows.contains("Short now."), "{shows}");
    for m in &long_now[1..] {
        assert!(m.payload.content.starts_with("-# Updated <t:"), "{m:?}");
    }
    let other_now = format!("{:?}", s.post(&format!("Briefing {other}"))[0].payload);
    assert!(
        other_now.contains("Corrected: the other one."),
        "{other_now}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_withdrawn_briefings_forum_post_says_so_and_the_others_stay() {
    let s = setup_with(PER_BRIEFING).await;
    let b = s.post("Briefing b");
    s.change("a", None);
    let done = s.handle.correct(&s.discord, DAY).await.unwrap();
    assert_eq!(done.deliveries, 1);
    let a_now = s.post("Briefing a");
    let content = &a_now[0].payload.content;
    assert!(content.contains("\n-# Withdrawn: Briefing a"), "{content}");
    let shows = format!("{:?}", a_now[0].payload);
    assert!(!shows.contains("whats_happening of a."), "{shows}");
    let b_now: Vec<_> = s
        .post("Briefing b")
        .into_iter()
        .map(|m| m.payload)
        .collect();
    assert_eq!(b_now, b.into_iter().map(|m| m.payload).collect::<Vec<_>>());
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
