//! What sent messages show, for corrections: recorded at the send, updated by an edit, read
//! back for the deliveries sent within the edit window only.

use super::*;
use briefbot::store::ShownBriefing;
use std::collections::BTreeMap;

fn shown(pairs: &[(&str, &str, &str)]) -> BTreeMap<String, ShownBriefing> {
    pairs
        .iter()
        .map(|(id, revision, title)| {
            let b = ShownBriefing {
                revision: revision.to_string(),
                title: title.to_string(),
                messages: Some(1),
            };
            (id.to_string(), b)
        })
        .collect()
}

pub async fn what_a_sent_delivery_shows_is_kept_corrected_and_read_within_a_window(
    s: &dyn Storage,
) {
    let (key, now) = ("cfg:morning", at(NOW));
    let old_fire = at("2025-06-02T08:00:00Z");
    let fire = at("2025-06-04T08:00:00Z");
    for (f, sent) in [(old_fire, at("2025-06-02T08:00:05Z")), (fire, now)] {
        claim(s, key, f, sent).await;
        s.record_sent(key, f, 42, &[111, 222], 1, sent)
            .await
            .unwrap();
        let first = shown(&[("a", "r1", "A"), ("b", "r1", "B")]);
        s.record_shown(key, f, 42, &first, sent).await.unwrap();
    }
    // A delivery still pending is not shown yet, whatever says otherwise.
    let pending = at("2025-06-04T09:00:00Z");
    claim(s, key, pending, now).await;
    s.record_shown(key, pending, 42, &shown(&[("a", "r1", "A")]), now)
        .await
        .unwrap();

    let within = s.shown_since(at("2025-06-03T10:00:00Z")).await.unwrap();
    assert_eq!(within.len(), 1, "{within:?}");
    let row = &within[0];
    assert_eq!(
        (
            row.digest_key.as_str(),
            row.fire_time,
            row.channel_id,
            row.sent_at
        ),
        (key, fire, 42, now)
    );
    assert_eq!(row.message_ids, [111, 222]);
    assert_eq!(row.briefings, shown(&[("a", "r1", "A"), ("b", "r1", "B")]));
    assert_eq!(row.edited_at, None);

    let later = at("2025-06-04T11:00:00Z");
    let corrected = shown(&[("a", "r2", "A"), ("b", "", "B")]);
    s.record_corrected(key, fire, &corrected, later)
        .await
        .unwrap();
    let row = &s.shown_since(at("2025-06-03T10:00:00Z")).await.unwrap()[0];
    assert_eq!(row.briefings, corrected);
    assert_eq!(row.edited_at, Some(later));
    assert_eq!(row.sent_at, now, "a correction does not move the window");
    assert_eq!(
        s.shown_since(at("2025-06-01T00:00:00Z"))
            .await
            .unwrap()
            .len(),
        2
    );
}
