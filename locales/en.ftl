# briefbot's words in English: the reference every other locale is checked against, and the
# fallback for any key another locale leaves out. Keep `{ $variables }` as they are; Discord
# markup (`code`, **bold**, <#channel>, <t:time:F>) is part of the text.

## Commands: the value is the description Discord shows; `.name` (other languages only) is the
## name members type there. `cmd-X-opt-Y` is option Y of command X. Changes take effect at the
## next start, when the commands are registered.

cmd-brief = Read the newest briefing, or the one you pick
cmd-brief-opt-briefing = Which briefing (default: the newest)
cmd-whats-happening = What's happening: the news itself
cmd-whats-happening-opt-briefing = Which briefing (default: the newest)
cmd-why-it-matters = Why it matters
cmd-why-it-matters-opt-briefing = Which briefing (default: the newest)
cmd-whats-next = What comes next
cmd-whats-next-opt-briefing = Which briefing (default: the newest)
cmd-beyond-the-headlines = Beyond the headlines: the wider picture
cmd-beyond-the-headlines-opt-briefing = Which briefing (default: the newest)
cmd-section = Any section of a briefing, custom ones too
cmd-section-opt-name = The section's name
cmd-section-opt-briefing = Which briefing (default: the newest)
cmd-briefings = The briefings, newest first
cmd-briefings-opt-tag = Only briefings with this tag
cmd-briefings-opt-page = Page number
cmd-search = Search the briefings
cmd-search-opt-query = Words to look for
cmd-search-opt-tag = Only briefings with this tag
cmd-briefbot = Administration of briefbot
cmd-briefbot-status = Version, uptime, briefings and gateway latency
cmd-briefbot-reload = Reload the config and the briefings now
cmd-digest = Schedule briefings to be posted in this server's channels
cmd-digest-add = Create a digest that posts briefings to a channel on a schedule
cmd-digest-add-opt-name = A short name: letters, digits, - and _
cmd-digest-add-opt-channel = Where to post: a text channel, a forum, or a thread
cmd-digest-add-opt-schedule = When, as cron: 0 8 * * MON-FRI, */30 * * * *, @daily (6 fields: seconds first)
cmd-digest-add-opt-timezone = IANA time zone, e.g. Europe/Paris (default: the bot's)
cmd-digest-add-opt-sections = Sections to show, comma separated (default: all)
cmd-digest-add-opt-tag = Only briefings with this tag
cmd-digest-add-opt-mention_role = A role to mention in each post
cmd-digest-add-opt-silent = Post without notifications
cmd-digest-add-opt-lang = Language of its posts (default: this server's)
cmd-digest-add-opt-max_briefings = Most briefings in one post (1-10, default 3)
cmd-digest-add-opt-only_new = Skip briefings it already posted to the channel (default: yes)
cmd-digest-add-opt-when_empty = With nothing new: post nothing (default), or a short notice
cmd-digest-add-opt-target = How it posts: messages, forum posts, in a thread, or through a webhook
cmd-digest-add-opt-open_thread = Open a thread under each message (target: thread)
cmd-digest-add-opt-forum_post = One forum post per fire or per briefing (target: forum)
cmd-digest-add-opt-forum_tags = Apply the forum's tags that match the briefings' tags (target: forum)
cmd-digest-add-opt-username = The name its posts show (target: webhook or forum)
cmd-digest-add-opt-avatar_url = The avatar its posts show, an https link (target: webhook or forum)
cmd-digest-list = This server's digests: schedule, next post, pauses, last delivery and errors
cmd-digest-edit = Change a digest of this server: schedule, sections, tag, mention, content, target
cmd-digest-edit-opt-name = Which digest
cmd-digest-edit-opt-schedule = New schedule, as cron: 0 8 * * MON-FRI, */30 * * * *, @daily
cmd-digest-edit-opt-timezone = New IANA time zone, e.g. Europe/Paris
cmd-digest-edit-opt-sections = Sections to show, comma separated, or all
cmd-digest-edit-opt-tag = Only briefings with this tag
cmd-digest-edit-opt-mention_role = A role to mention in each post
cmd-digest-edit-opt-silent = Post without notifications
cmd-digest-edit-opt-max_briefings = Most briefings in one post (1-10)
cmd-digest-edit-opt-only_new = Skip briefings it already posted to the channel
cmd-digest-edit-opt-when_empty = With nothing new: post nothing, or a short notice
cmd-digest-edit-opt-clear = Set one setting back to its default
cmd-digest-edit-opt-target = How it posts: messages, forum posts, in a thread, or through a webhook
cmd-digest-edit-opt-open_thread = Open a thread under each message (target: thread)
cmd-digest-edit-opt-forum_post = One forum post per fire or per briefing (target: forum)
cmd-digest-edit-opt-forum_tags = Apply the forum's tags that match the briefings' tags (target: forum)
cmd-digest-edit-opt-username = The name its posts show (target: webhook or forum)
cmd-digest-edit-opt-avatar_url = The avatar its posts show, an https link (target: webhook or forum)
cmd-digest-remove = Remove a digest of this server
cmd-digest-remove-opt-name = Which digest
cmd-digest-pause = Stop a digest from posting until it is resumed
cmd-digest-pause-opt-name = Which digest
cmd-digest-resume = Start a paused digest again, from its next fire time
cmd-digest-resume-opt-name = Which digest
cmd-digest-preview = See what a digest would post now (only you see it)
cmd-digest-preview-opt-name = Which digest
cmd-digest-send-now = Post a digest to its channel now
cmd-digest-send-now-opt-name = Which digest

## What any command may answer

# The language's name for itself, in `/digest add lang` choices.
language = English

sorry = Something went wrong on my side. Please try again in a moment.
bad-option = I couldn't read one of the options. Pick a value from the suggestions, or check its type.
command-changed = This command has changed since Discord last heard of it. Try again in a minute.
servers-only = This command works in servers only.
unknown-command = I don't know this command. It may have been removed; try again in a minute.
pick-subcommand = Pick one of the subcommands.
pick-one-of = Pick one of the subcommands: { $subcommands }.
nothing-to-show = Nothing to show.
cooldown = You're going a bit fast. Try again in { $seconds } s.

## Briefings: /brief, the section commands, /briefings, /search

no-briefings = No briefings are published yet.
briefing-not-found = I couldn't find a briefing called `{ $id }`. Recent briefings: { $recent }. Start typing in the `briefing` option to pick one.
section-missing = “{ $title }” has no { $section } section. It has: { $sections }.
tag-not-found = No briefing is tagged `{ $tag }`. Tags: { $tags }.
tags-none = none yet
list-title = Briefings
list-title-tagged = Briefings tagged #{ $tag }
list-footer = Page { $page } of { $pages } · { $count } briefing(s)
button-previous = Previous
button-next = Next
button-expired = This button no longer works. Run /briefings again.
search-empty = Type a word or two to search for.
search-too-long = Search queries are limited to { $max } characters.
search-unavailable = Search is unavailable right now; please try again.
search-no-match = No briefing matches “{ $query }”.
search-title = Search: { $query }

## /briefbot, for admins

admin-only = Only briefbot's admins can use this command.
status = **briefbot { $version }**
    Uptime: { $uptime }
    Briefings: { $loaded } loaded, { $skipped } skipped
    Digests: { $digests } ({ $config_digests } from the config file)
    Gateway shards here (of { $total }): { $shards }
    Last gateway fault: { $gateway_fault }
    Last failed delivery: { $failed_delivery }
    Feeds: { $feeds }
status-shard = { $id } ({ $latency })
status-latency = { $ms } ms
status-not-measured = not measured yet
status-none = none
status-incident = <t:{ $at }:R>: { $what }
status-replicas = Replicas ({ $count }):
status-replica = `{ $id }` on { $host }: shards { $shards }, { $buckets } digest buckets, heartbeat { $age } s ago{ $this }
status-replica-this = {" "}(this one)
status-replicas-unknown = Replicas: unknown ({ $error })
status-feed-ok = `{ $name }` { $items } items, last success <t:{ $at }:R>, next poll <t:{ $next }:R>
status-feed-failing = `{ $name }` ⚠️ failing since <t:{ $since }:R> ({ $error }), { $items } items, next try <t:{ $next }:R>
status-feed-new = `{ $name }` not polled yet
reloaded = Reloaded. { $summary }

## /digest, for moderators

not-moderator = Only moderators (Manage Server permission or a moderator role) can manage digests.
digest-bad-name = `{ $name }` can't be a digest name: use up to { $max } letters, digits, `-` or `_`, like `morning-news`.
digest-never-fires = `{ $schedule }` never fires: no date matches it. Try something like `0 8 * * MON-FRI`.
digest-bad-schedule = `{ $schedule }` is not a schedule I understand: { $reason }. Examples: `0 8 * * MON-FRI` (8:00 on weekdays), `*/30 * * * *` (every 30 minutes), `@daily`.
digest-zone-did-you-mean = Unknown time zone `{ $zone }`. Did you mean `{ $suggestion }`?
digest-zone-unknown = Unknown time zone `{ $zone }`. Use an IANA name such as `Europe/Paris`, `America/New_York` or `UTC`; the option suggests names as you type.
digest-unknown-section = Unknown section `{ $section }`. Sections are { $known }; separate several with commas.
digest-unknown-lang = I have no words in `{ $lang }`. Languages: { $known }.
digest-channel-unseen = I can't see <#{ $channel }>. Make sure I can view and post in it, or pick another channel.
digest-channel-elsewhere = <#{ $channel }> is not a channel of this server. Pick one of this server's text channels.
digest-bot-lacks = I may not deliver a { $target } digest in <#{ $channel }>: I lack { $permissions } there. Grant it to my role in that channel (or run `briefbot invite` again), then add the digest.
digest-channel-not-text = <#{ $channel }> is not a channel a digest can post in. Pick a text, announcement or forum channel, or a thread.
digest-no-everyone = A digest can't mention @everyone. Pick a role members can opt into.
digest-added =
    Digest `{ $name }` created: it posts to <#{ $channel }> on `{ $schedule }` ({ $zone }).
    Next fire times:
    { $fires }
digest-added-unknown-tag = No briefing is tagged `{ $tag }` yet, so it posts nothing until one is.
digest-list-empty = This server has no digests yet. Create one with `/digest add`.
digest-list-where = `{ $schedule }` ({ $zone }) → { $target }
digest-list-title = Digests in this server
digest-list-footer = { $count } digest(s)
digest-list-footer-hidden = { $count } digest(s); { $hidden } more not shown (use /digest preview with a name)
digest-marker-config = config
digest-marker-paused = paused
digest-list-paused = Paused: { $reason }
digest-list-no-reason = no reason given
digest-list-next = Next: <t:{ $at }:F>
digest-list-next-never = Next: never
digest-list-last-delivery = Last delivery: <t:{ $at }:F>
digest-list-no-delivery = Last delivery: none yet
digest-list-retrying = Retrying the post for <t:{ $fire }:f> ({ $error }): next try <t:{ $next }:R>, until <t:{ $until }:f>
digest-list-last-error = Last error: { $error }
digest-list-last-error-at = Last error: { $error } (<t:{ $at }:R>)
digest-not-found = There's no digest called `{ $name }` in this server.
digest-not-found-none = There's no digest called `{ $name }`: this server has no digests yet. Create one with `/digest add`.
digest-not-found-listed = There's no digest called `{ $name }` in this server. Digests here: { $names }.
digest-in-config = `{ $name }` is defined in the bot's config file, so it can't be changed or removed from Discord. Ask the bot's admin to do it there; meanwhile you can `/digest pause` it.
digest-duplicate = A digest called `{ $name }` already exists in this server. Pick another name, or remove the old one first.
digest-restarting = The bot is restarting; please try again in a minute.
digest-retrying = `{ $name }` has a post being retried (the one for <t:{ $fire }:f>, which failed: { $error }). It is tried again <t:{ $next }:R>, until <t:{ $until }:f>; a new send would only wait behind it.
digest-removed = Removed `{ $name }`. It won't post again.
digest-already-paused = `{ $name }` is already paused. `/digest resume` starts it again.
digest-paused = Paused `{ $name }`. It won't post until you `/digest resume` it.
digest-next-post = next post <t:{ $at }:F>
digest-no-next-post = its schedule has no further fire time
digest-not-paused = `{ $name }` isn't paused; { $next }.
digest-resumed = Resumed `{ $name }`; { $next }. { $skipped }
resume-skipped-unknown = Posts missed while paused are skipped.
resume-skipped = { $count ->
        [0] No post was due while it was paused.
        [one] 1 post was due while it was paused; it is skipped, not sent now.
       *[other] { $atleast ->
            [yes] At least { $count }
           *[no] { $count }
        } posts were due while it was paused; they are skipped, not sent now.
    }
digest-preview = Preview (only you see this) · { $content }
digest-sent = Sent `{ $name }` to <#{ $channel }> ({ $count } message(s)).
digest-sent-nothing-new = Nothing new to post for `{ $name }`: every matching briefing was posted already, so nothing was sent.
digest-sent-already = `{ $name }` was just delivered for this second; nothing more was sent.
digest-sent-removed = `{ $name }` was removed meanwhile; nothing was sent.
digest-sent-too-late = `{ $name }` came too late to be sent; nothing was sent.
digest-sent-retrying = Sending `{ $name }` to <#{ $channel }> failed ({ $error }). It is tried again <t:{ $next }:R>, until <t:{ $until }:f>; `/digest list` shows how it goes.
digest-sent-channel-gone = I couldn't post `{ $name }` in <#{ $channel }>: the channel is gone or I may not post there. The digest is paused; fix the channel, then `/digest resume` it.
digest-sent-failed = Sending `{ $name }` failed ({ $error }). See `/digest list` for its last error.
digest-sent-interrupted = The bot is shutting down; `{ $name }` will be sent when it is back.

## What a digest posts in its channel, and alerts in the server's alert channel

digest-nothing-new = Nothing new to post.
# The title of a forum post a digest makes for one fire: its name and the date.
digest-post-title = { $name } · { $date }
alert-paused = ⚠️ Digest `{ $name }` is paused: { $error }. Give the bot access to the channel (or choose another), then resume it with `/digest resume`.
alert-failed = ⚠️ Digest `{ $name }` could not be delivered for <t:{ $fire }:f>: { $error }.
digest-updated = Updated <t:{ $at }:R>
digest-withdrawn = Withdrawn: { $titles }
digest-correction-cut = Part of this correction did not fit in the posted messages; `/brief` shows the whole briefing.
alert-feed-failing = ⚠️ Feed `{ $name }` has been failing since <t:{ $since }:f>: { $error }. Its items already read are still served.
alert-feed-recovered = ✅ Feed `{ $name }` works again.
alert-failed-retried = ⚠️ Digest `{ $name }` could not be delivered for <t:{ $fire }:f>: { $error }. It was retried for { $retried }, its catch-up grace.

## /digest edit, and each digest's settings in /digest list
option-refusal = `{ $option }`: { $reason }
digest-max-briefings-range = `max_briefings` must be from { $min } to { $max }; you gave { $given }.
digest-tag-empty = `tag` needs a word, like `sahel` (or use `clear: tag` to drop it).
digest-edit-nothing = Nothing to change: give at least one of `schedule`, `timezone`, `sections`, `tag`, `mention_role`, `silent`, `max_briefings`, `only_new`, `when_empty`, `clear` or a target option (`target`, `open_thread`, `forum_post`, `forum_tags`, `username`, `avatar_url`).
digest-edit-contradiction = `clear: { $option }` and `{ $option }` contradict each other; give one of them.
digest-edited =
    Digest `{ $name }` updated: it posts to { $target } on `{ $schedule }` ({ $zone }).
    { $settings }.
    { $next }
digest-edited-paused = It is paused; `/digest resume` starts it again.
digest-edited-next = Next post: <t:{ $at }:F>.
digest-edited-no-next = Its schedule has no further fire time.
settings-count = { $count ->
        [one] Up to 1 briefing
       *[other] Up to { $count } briefings
    }{ $tagged }, { $new }
settings-tagged = {" "}tagged { $tags }
settings-or = or
settings-only-new = only new ones
settings-any = new or already posted
settings-every-section = every section
settings-sections = sections { $keys }
settings-empty-skip = nothing new: skipped
settings-empty-notice = nothing new: a notice
settings-silent = silent
settings-mentions = mentions <@&{ $role }>

# Where a digest posts: `/digest add|edit` target options and `/digest list`.
target-unknown = `{ $given }` is not a target: choose channel, forum, thread or webhook.
target-not-allowed = this server's digests do not use `{ $given }`: choose { $allowed }.
target-default-not-allowed = without it, this channel means `{ $given }`, which this server's digests do not use: set `target` to { $allowed }.
target-only-with = only applies with `target` { $with }.
target-thread-and-open = cannot be used with an existing thread: post into that thread, or open a new thread under each message.
target-thread-missing = `target: thread` needs a thread as `channel`, or `open_thread: True` to open one under each message.
target-forum-post-unknown = `{ $given }` is not a choice: `digest` (one post per fire) or `briefing` (one post per briefing).
target-username-length = must be 1 to { $max } characters (this one has { $len }).
target-username-word = Discord refuses webhook names containing "{ $word }". Pick another name.
target-avatar-not-url = `{ $given }` is not an http(s) link to an image.
target-avatar-too-long = is longer than { $max } characters.
target-channel-needs-forum = <#{ $channel }> is not a forum channel, and `target: forum` posts in one. Pick a forum, or another target.
target-channel-webhook-forum = <#{ $channel }> is a forum. To post there under a name of your own, use `target: forum` with `username`.
target-channel-needs-thread = <#{ $channel }> is not a thread. Pick a thread to post into, or set `open_thread: True` to open one under each message.
target-channel-no-parent = Discord did not say which channel <#{ $channel }> belongs to. Try again in a moment.
target-channel-needs-text = <#{ $channel }> is not a text or announcement channel, and this target posts in one. Pick one, or `target: forum` or `thread`.
target-text-channel = <#{ $channel }>
target-text-forum = { $per ->
        [briefing] a forum post per briefing
       *[digest] a forum post per fire
    } in <#{ $channel }>{ $tags ->
        [yes] {" "}(with matching tags)
       *[no] {""}
    }
target-text-as = {" "}as “{ $username }”
target-text-thread = thread <#{ $thread }>
target-text-open-thread = threads under each message in <#{ $channel }>
target-text-webhook = webhook in <#{ $channel }>
target-text-webhook-as = webhook as “{ $username }” in <#{ $channel }>
digest-added-target = Delivery: { $target }.
target-edit-needs-add = `/digest edit` keeps the digest's channel, and this target needs another kind of channel. Remove the digest and add it again with the channel for it.
