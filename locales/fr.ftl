# Les mots de briefbot en français. Chaque clé de en.ftl a sa traduction ici ; une clé absente
# serait dite en anglais. Gardez les `{ $variables }` telles quelles.

## Commandes : la valeur est la description affichée par Discord, `.name` le nom que les membres
## tapent. `cmd-X-opt-Y` est l'option Y de la commande X.

cmd-brief = Lire le dernier briefing, ou celui de votre choix
    .name = briefing
cmd-brief-opt-briefing = Quel briefing (par défaut : le plus récent)
    .name = briefing
cmd-whats-happening = La section « Ce qui se passe » d'un briefing
    .name = ce-qui-se-passe
cmd-whats-happening-opt-briefing = Quel briefing (par défaut : le plus récent)
    .name = briefing
cmd-why-it-matters = La section « Pourquoi c'est important » d'un briefing
    .name = pourquoi-c-est-important
cmd-why-it-matters-opt-briefing = Quel briefing (par défaut : le plus récent)
    .name = briefing
cmd-whats-next = La section « Et après » d'un briefing
    .name = et-apres
cmd-whats-next-opt-briefing = Quel briefing (par défaut : le plus récent)
    .name = briefing
cmd-beyond-the-headlines = La section « Au-delà des gros titres » d'un briefing
    .name = au-dela-des-titres
cmd-beyond-the-headlines-opt-briefing = Quel briefing (par défaut : le plus récent)
    .name = briefing
cmd-section = N'importe quelle section d'un briefing
    .name = section
cmd-section-opt-name = Le nom de la section
    .name = nom
cmd-section-opt-briefing = Quel briefing (par défaut : le plus récent)
    .name = briefing
cmd-briefings = La liste des briefings, du plus récent au plus ancien
    .name = briefings
cmd-briefings-opt-tag = Seulement les briefings avec ce mot-clé
    .name = mot-cle
cmd-briefings-opt-page = Numéro de page
    .name = page
cmd-search = Chercher dans les briefings
    .name = recherche
cmd-search-opt-query = Les mots à chercher
    .name = mots
cmd-search-opt-tag = Seulement les briefings avec ce mot-clé
    .name = mot-cle
cmd-briefbot = Administration de briefbot
    .name = briefbot
cmd-briefbot-status = Version, disponibilité, briefings et latence de la passerelle
    .name = statut
cmd-briefbot-reload = Relire la configuration et les briefings maintenant
    .name = recharger
cmd-digest = Programmer des briefings dans les salons de ce serveur
    .name = digest
cmd-digest-add = Créer un digest qui publie des briefings dans un salon selon un horaire
    .name = ajouter
cmd-digest-add-opt-name = Un nom court : lettres, chiffres, - et _
    .name = nom
cmd-digest-add-opt-channel = Où publier : un salon textuel, un forum ou un fil
    .name = salon
cmd-digest-add-opt-schedule = Quand, en cron : 0 8 * * MON-FRI, */30 * * * *, @daily
    .name = horaire
cmd-digest-add-opt-timezone = Fuseau horaire IANA, p. ex. Europe/Paris (par défaut : celui du bot)
    .name = fuseau
cmd-digest-add-opt-sections = Sections à inclure, séparées par des virgules (par défaut : toutes)
    .name = sections
cmd-digest-add-opt-tag = Seulement les briefings avec ce mot-clé
    .name = mot-cle
cmd-digest-add-opt-mention_role = Un rôle à mentionner à chaque publication
    .name = role
cmd-digest-add-opt-silent = Publier sans notification
    .name = silencieux
cmd-digest-add-opt-lang = Langue de ses publications (par défaut : celle du serveur)
    .name = langue
cmd-digest-add-opt-max_briefings = Nombre maximal de briefings par publication (1 à 10, 3 par défaut)
    .name = max_briefings
cmd-digest-add-opt-only_new = Sauter les briefings déjà publiés dans le salon (par défaut : oui)
    .name = seulement_nouveaux
cmd-digest-add-opt-when_empty = Sans nouveauté : ne rien publier (par défaut), ou un court avis
    .name = si_vide
cmd-digest-add-opt-target = Comment il publie : messages, posts de forum, dans un fil, ou par un webhook
    .name = cible
    .choice-channel = salon
    .choice-forum = forum
    .choice-thread = fil
    .choice-webhook = webhook
cmd-digest-add-opt-open_thread = Ouvrir un fil sous chaque message (cible : fil)
    .name = ouvrir_fil
cmd-digest-add-opt-forum_post = Un post de forum par envoi ou par briefing (cible : forum)
    .name = post_forum
    .choice-digest = un par envoi
    .choice-briefing = un par briefing
cmd-digest-add-opt-forum_tags = Appliquer les étiquettes du forum qui correspondent aux mots-clés (cible : forum)
    .name = etiquettes_forum
cmd-digest-add-opt-username = Le nom affiché par ses publications (cible : webhook ou forum)
    .name = nom_affiche
cmd-digest-add-opt-avatar_url = L'avatar affiché par ses publications, un lien https (cible : webhook ou forum)
    .name = avatar
cmd-digest-list = Les digests de ce serveur : horaire, prochaine publication, pauses, erreurs
    .name = liste
cmd-digest-edit = Modifier un digest de ce serveur : horaire, sections, mot-clé, mention, contenu, cible
    .name = modifier
cmd-digest-edit-opt-name = Quel digest
    .name = nom
cmd-digest-edit-opt-schedule = Nouvel horaire, en cron : 0 8 * * MON-FRI, */30 * * * *, @daily
    .name = horaire
cmd-digest-edit-opt-timezone = Nouveau fuseau horaire IANA, p. ex. Europe/Paris
    .name = fuseau
cmd-digest-edit-opt-sections = Sections à inclure, séparées par des virgules, ou all
    .name = sections
cmd-digest-edit-opt-tag = Seulement les briefings avec ce mot-clé
    .name = mot-cle
cmd-digest-edit-opt-mention_role = Un rôle à mentionner à chaque publication
    .name = role
cmd-digest-edit-opt-silent = Publier sans notification
    .name = silencieux
cmd-digest-edit-opt-max_briefings = Nombre maximal de briefings par publication (1 à 10)
    .name = max_briefings
cmd-digest-edit-opt-only_new = Sauter les briefings déjà publiés dans le salon
    .name = seulement_nouveaux
cmd-digest-edit-opt-when_empty = Sans nouveauté : ne rien publier, ou un court avis
    .name = si_vide
cmd-digest-edit-opt-clear = Remettre un réglage à sa valeur par défaut
    .name = effacer
cmd-digest-edit-opt-target = Comment il publie : messages, posts de forum, dans un fil, ou par un webhook
    .name = cible
    .choice-channel = salon
    .choice-forum = forum
    .choice-thread = fil
    .choice-webhook = webhook
cmd-digest-edit-opt-open_thread = Ouvrir un fil sous chaque message (cible : fil)
    .name = ouvrir_fil
cmd-digest-edit-opt-forum_post = Un post de forum par envoi ou par briefing (cible : forum)
    .name = post_forum
    .choice-digest = un par envoi
    .choice-briefing = un par briefing
cmd-digest-edit-opt-forum_tags = Appliquer les étiquettes du forum qui correspondent aux mots-clés (cible : forum)
    .name = etiquettes_forum
cmd-digest-edit-opt-username = Le nom affiché par ses publications (cible : webhook ou forum)
    .name = nom_affiche
cmd-digest-edit-opt-avatar_url = L'avatar affiché par ses publications, un lien https (cible : webhook ou forum)
    .name = avatar
cmd-digest-remove = Supprimer un digest de ce serveur
    .name = supprimer
cmd-digest-remove-opt-name = Quel digest
    .name = nom
cmd-digest-pause = Suspendre un digest jusqu'à sa reprise
    .name = pause
cmd-digest-pause-opt-name = Quel digest
    .name = nom
cmd-digest-resume = Relancer un digest suspendu, à partir de sa prochaine heure
    .name = reprendre
cmd-digest-resume-opt-name = Quel digest
    .name = nom
cmd-digest-preview = Voir ce qu'un digest publierait maintenant (visible par vous seul)
    .name = apercu
cmd-digest-preview-opt-name = Quel digest
    .name = nom
cmd-digest-send-now = Publier un digest maintenant dans son salon
    .name = envoyer
cmd-digest-send-now-opt-name = Quel digest
    .name = nom

## Ce que toute commande peut répondre

# Le nom de la langue dans sa langue, pour les choix de `/digest add lang`.
language = Français

sorry = Quelque chose s'est mal passé de mon côté. Réessayez dans un instant.
bad-option = Je n'ai pas pu lire l'une des options. Choisissez une valeur parmi les suggestions, ou vérifiez son type.
command-changed = Cette commande a changé depuis que Discord l'a reçue. Réessayez dans une minute.
servers-only = Cette commande ne fonctionne que dans les serveurs.
unknown-command = Je ne connais pas cette commande. Elle a peut-être été retirée ; réessayez dans une minute.
pick-subcommand = Choisissez l'une des sous-commandes.
pick-one-of = Choisissez l'une des sous-commandes : { $subcommands }.
nothing-to-show = Rien à afficher.
cooldown = Vous allez un peu vite. Réessayez dans { $seconds } s.

## Briefings : /brief, les commandes de section, /briefings, /search

no-briefings = Aucun briefing n'est encore publié.
briefing-not-found = Je ne trouve pas de briefing nommé `{ $id }`. Briefings récents : { $recent }. Commencez à taper dans l'option `briefing` pour en choisir un.
section-missing = « { $title } » n'a pas de section { $section }. Ses sections : { $sections }.
tag-not-found = Aucun briefing n'a le mot-clé `{ $tag }`. Mots-clés : { $tags }.
tags-none = aucun pour l'instant
list-title = Briefings
list-title-tagged = Briefings avec le mot-clé #{ $tag }
list-footer = Page { $page } sur { $pages } · { $count ->
        [one] { $count } briefing
       *[other] { $count } briefings
    }
button-previous = Précédent
button-next = Suivant
button-expired = Ce bouton ne fonctionne plus. Relancez /briefings.
search-empty = Tapez un mot ou deux à chercher.
search-too-long = Une recherche est limitée à { $max } caractères.
search-unavailable = La recherche est indisponible pour le moment ; réessayez.
search-no-match = Aucun briefing ne correspond à « { $query } ».
search-title = Recherche : { $query }

## /briefbot, pour les administrateurs

admin-only = Seuls les administrateurs de briefbot peuvent utiliser cette commande.
status = **briefbot { $version }**
    Disponible depuis : { $uptime }
    Briefings : { $loaded } chargés, { $skipped } ignorés
    Digests : { $digests } (dont { $config_digests } du fichier de configuration)
    Shards de la passerelle ici (sur { $total }) : { $shards }
    Dernière panne de la passerelle : { $gateway_fault }
    Dernier envoi échoué : { $failed_delivery }
    Flux : { $feeds }
status-shard = { $id } ({ $latency })
status-latency = { $ms } ms
status-not-measured = pas encore mesurée
status-none = aucun
status-incident = <t:{ $at }:R> : { $what }
status-replicas = Réplicas ({ $count }) :
status-replica = `{ $id }` sur { $host } : shards { $shards }, { $buckets } paquets de digests, signe de vie il y a { $age } s{ $this }
status-replica-this = {" "}(celui-ci)
status-replicas-unknown = Réplicas : inconnus ({ $error })
status-feed-ok = `{ $name }` { $items } articles, dernier succès <t:{ $at }:R>, prochaine lecture <t:{ $next }:R>
status-feed-failing = `{ $name }` ⚠️ en échec depuis <t:{ $since }:R> ({ $error }), { $items } articles, prochain essai <t:{ $next }:R>
status-feed-new = `{ $name }` pas encore lu
reloaded = Rechargé. { $summary }

## /digest, pour les modérateurs

not-moderator = Seuls les modérateurs (permission Gérer le serveur ou rôle de modérateur) peuvent gérer les digests.
digest-bad-name = `{ $name }` ne peut pas être un nom de digest : utilisez jusqu'à { $max } lettres, chiffres, `-` ou `_`, comme `infos-du-matin`.
digest-never-fires = `{ $schedule }` ne se déclenche jamais : aucune date ne correspond. Essayez par exemple `0 8 * * MON-FRI`.
digest-bad-schedule = Je ne comprends pas l'horaire `{ $schedule }` : { $reason }. Exemples : `0 8 * * MON-FRI` (8 h 00 en semaine), `*/30 * * * *` (toutes les 30 minutes), `@daily`.
digest-zone-did-you-mean = Fuseau horaire inconnu : `{ $zone }`. Vouliez-vous dire `{ $suggestion }` ?
digest-zone-unknown = Fuseau horaire inconnu : `{ $zone }`. Utilisez un nom IANA comme `Europe/Paris`, `America/New_York` ou `UTC` ; l'option en propose pendant la saisie.
digest-unknown-section = Section inconnue : `{ $section }`. Les sections sont { $known } ; séparez-en plusieurs par des virgules.
digest-unknown-lang = Je ne parle pas `{ $lang }`. Langues : { $known }.
digest-channel-unseen = Je ne vois pas <#{ $channel }>. Vérifiez que je peux y lire et y publier, ou choisissez un autre salon.
digest-channel-elsewhere = <#{ $channel }> n'est pas un salon de ce serveur. Choisissez l'un des salons textuels de ce serveur.
digest-bot-lacks = Je ne peux pas publier un résumé { $target } dans <#{ $channel }> : il me manque la permission { $permissions }. Accordez-la à mon rôle dans ce salon (ou relancez `briefbot invite`), puis ajoutez le résumé.
digest-channel-not-text = <#{ $channel }> n'est pas un salon où un digest peut publier. Choisissez un salon textuel, d'annonces ou un forum, ou un fil.
digest-no-everyone = Un digest ne peut pas mentionner @everyone. Choisissez un rôle que les membres peuvent rejoindre.
digest-added =
    Digest `{ $name }` créé : il publie dans <#{ $channel }> selon `{ $schedule }` ({ $zone }).
    Prochaines publications :
    { $fires }
digest-added-unknown-tag = Aucun briefing n'a encore le mot-clé `{ $tag }` : rien ne sera publié tant qu'il n'y en a pas.
digest-list-empty = Ce serveur n'a pas encore de digest. Créez-en un avec `/digest add`.
digest-list-where = `{ $schedule }` ({ $zone }) → { $target }
digest-list-title = Digests de ce serveur
digest-list-footer = { $count ->
        [one] { $count } digest
       *[other] { $count } digests
    }
digest-list-footer-hidden = { $count } digests ; { $hidden } de plus non affichés (utilisez /digest preview avec un nom)
digest-marker-config = configuration
digest-marker-paused = en pause
digest-list-paused = En pause : { $reason }
digest-list-no-reason = sans raison donnée
digest-list-next = Prochain : <t:{ $at }:F>
digest-list-next-never = Prochain : jamais
digest-list-last-delivery = Dernier envoi : <t:{ $at }:F>
digest-list-no-delivery = Dernier envoi : aucun pour l'instant
digest-list-retrying = Nouvel essai de la publication de <t:{ $fire }:f> ({ $error }) : prochain essai <t:{ $next }:R>, jusqu'à <t:{ $until }:f>
digest-list-last-error = Dernière erreur : { $error }
digest-list-last-error-at = Dernière erreur : { $error } (<t:{ $at }:R>)
digest-not-found = Il n'y a pas de digest nommé `{ $name }` dans ce serveur.
digest-not-found-none = Il n'y a pas de digest nommé `{ $name }` : ce serveur n'en a pas encore. Créez-en un avec `/digest add`.
digest-not-found-listed = Il n'y a pas de digest nommé `{ $name }` dans ce serveur. Digests ici : { $names }.
digest-in-config = `{ $name }` est défini dans le fichier de configuration du bot : on ne peut ni le modifier ni le supprimer depuis Discord. Demandez à l'administrateur du bot de le faire ; en attendant, vous pouvez le suspendre avec `/digest pause`.
digest-duplicate = Un digest nommé `{ $name }` existe déjà dans ce serveur. Choisissez un autre nom, ou supprimez d'abord l'ancien.
digest-retrying = `{ $name }` a une publication en cours de nouvel essai (celle de <t:{ $fire }:f>, qui a échoué : { $error }). Elle sera réessayée <t:{ $next }:R>, jusqu'à <t:{ $until }:f> ; un nouvel envoi attendrait derrière elle.
digest-restarting = Le bot redémarre ; réessayez dans une minute.
digest-removed = `{ $name }` supprimé. Il ne publiera plus.
digest-already-paused = `{ $name }` est déjà en pause. `/digest resume` le relance.
digest-paused = `{ $name }` est en pause. Il ne publiera plus avant `/digest resume`.
digest-next-post = prochaine publication <t:{ $at }:F>
digest-no-next-post = son horaire n'a plus de date à venir
digest-not-paused = `{ $name }` n'est pas en pause ; { $next }.
digest-resumed = `{ $name }` reprend ; { $next }. { $skipped }
resume-skipped-unknown = Les publications manquées pendant la pause sont sautées.
resume-skipped = { $count ->
        [0] Aucune publication n'était prévue pendant la pause.
        [one] 1 publication était prévue pendant la pause ; elle est sautée, pas envoyée maintenant.
       *[other] { $atleast ->
            [yes] Au moins { $count }
           *[no] { $count }
        } publications étaient prévues pendant la pause ; elles sont sautées, pas envoyées maintenant.
    }
digest-preview = Aperçu (visible par vous seul) · { $content }
digest-sent = `{ $name }` envoyé dans <#{ $channel }> ({ $count ->
        [one] { $count } message
       *[other] { $count } messages
    }).
digest-sent-nothing-new = Rien de nouveau à publier pour `{ $name }` : chaque briefing correspondant a déjà été publié, donc rien n'a été envoyé.
digest-sent-already = `{ $name }` vient d'être envoyé pour cette seconde ; rien de plus n'a été envoyé.
digest-sent-too-late = `{ $name }` est arrivé trop tard pour être envoyé ; rien n'a été envoyé.
digest-sent-retrying = L'envoi de `{ $name }` dans <#{ $channel }> a échoué ({ $error }). Il sera réessayé <t:{ $next }:R>, jusqu'à <t:{ $until }:f> ; `/digest list` montre où il en est.
digest-sent-removed = `{ $name }` a été supprimé entre-temps ; rien n'a été envoyé.
digest-sent-channel-gone = Je n'ai pas pu publier `{ $name }` dans <#{ $channel }> : le salon n'existe plus ou je n'ai pas le droit d'y publier. Le digest est en pause ; réparez le salon, puis relancez-le avec `/digest resume`.
digest-sent-failed = L'envoi de `{ $name }` a échoué ({ $error }). Voyez `/digest list` pour sa dernière erreur.
digest-sent-interrupted = Le bot s'arrête ; `{ $name }` sera envoyé à son retour.

## Ce qu'un digest publie dans son salon, et les alertes dans le salon d'alerte du serveur

digest-nothing-new = Rien de nouveau à publier.
# The title of a forum post a digest makes for one fire: its name and the date.
digest-post-title = { $name } du { $date }
alert-paused = ⚠️ Le digest `{ $name }` est en pause : { $error }. Donnez au bot l'accès au salon (ou choisissez-en un autre), puis relancez-le avec `/digest resume`.
alert-failed = ⚠️ Le digest `{ $name }` n'a pas pu être envoyé pour <t:{ $fire }:f> : { $error }.
digest-updated = Mis à jour <t:{ $at }:R>
digest-withdrawn = Retiré : { $titles }
digest-correction-cut = Une partie de cette correction ne tenait pas dans les messages publiés ; `/brief` montre le briefing entier.
alert-feed-failing = ⚠️ Le flux `{ $name }` est en échec depuis <t:{ $since }:f> : { $error }. Ses articles déjà lus restent servis.
alert-feed-recovered = ✅ Le flux `{ $name }` fonctionne de nouveau.
alert-failed-retried = ⚠️ Le digest `{ $name }` n'a pas pu être envoyé pour <t:{ $fire }:f> : { $error }. Il a été réessayé pendant { $retried }, son délai de rattrapage.

## /digest edit, et les réglages de chaque digest dans /digest list
option-refusal = `{ $option }` : { $reason }
digest-max-briefings-range = `max_briefings` doit aller de { $min } à { $max } ; vous avez donné { $given }.
digest-tag-empty = `tag` demande un mot, comme `sahel` (ou utilisez `clear: tag` pour le retirer).
digest-edit-nothing = Rien à changer : donnez au moins l'une des options `schedule`, `timezone`, `sections`, `tag`, `mention_role`, `silent`, `max_briefings`, `only_new`, `when_empty`, `clear` ou une option de cible (`target`, `open_thread`, `forum_post`, `forum_tags`, `username`, `avatar_url`).
digest-edit-contradiction = `clear: { $option }` et `{ $option }` se contredisent ; donnez l'un ou l'autre.
digest-edited =
    Digest `{ $name }` modifié : il publie vers { $target } selon `{ $schedule }` ({ $zone }).
    { $settings }.
    { $next }
digest-edited-paused = Il est en pause ; `/digest resume` le relance.
digest-edited-next = Prochaine publication : <t:{ $at }:F>.
digest-edited-no-next = Son horaire n'a plus de prochaine échéance.
settings-count = { $count ->
        [one] Jusqu'à 1 briefing
       *[other] Jusqu'à { $count } briefings
    }{ $tagged }, { $new }
settings-tagged = {" "}avec le mot-clé { $tags }
settings-or = ou
settings-only-new = seulement les nouveaux
settings-any = nouveaux ou déjà publiés
settings-every-section = toutes les sections
settings-sections = sections { $keys }
settings-empty-skip = rien de nouveau : rien n'est publié
settings-empty-notice = rien de nouveau : un court avis
settings-silent = sans notification
settings-mentions = mentionne <@&{ $role }>

# Où un digest publie : options de cible de `/digest add|edit` et `/digest list`.
target-unknown = `{ $given }` n'est pas une cible : choisissez channel, forum, thread ou webhook.
target-not-allowed = les digests de ce serveur n'utilisent pas `{ $given }` : choisissez { $allowed }.
target-default-not-allowed = sans elle, ce salon signifie `{ $given }`, que les digests de ce serveur n'utilisent pas : donnez à `target` la valeur { $allowed }.
target-only-with = ne s'applique qu'avec `target` { $with }.
target-thread-and-open = ne va pas avec un fil existant : publiez dans ce fil, ou ouvrez un nouveau fil sous chaque message.
target-thread-missing = `target: thread` demande un fil comme `channel`, ou `open_thread: True` pour en ouvrir un sous chaque message.
target-forum-post-unknown = `{ $given }` n'est pas un choix : `digest` (un post par envoi) ou `briefing` (un post par briefing).
target-username-length = doit compter de 1 à { $max } caractères (celui-ci en a { $len }).
target-username-word = Discord refuse les noms de webhook contenant « { $word } ». Choisissez un autre nom.
target-avatar-not-url = `{ $given }` n'est pas un lien http(s) vers une image.
target-avatar-too-long = dépasse { $max } caractères.
target-channel-needs-forum = <#{ $channel }> n'est pas un forum, et `target: forum` publie dans un forum. Choisissez un forum, ou une autre cible.
target-channel-webhook-forum = <#{ $channel }> est un forum. Pour y publier sous un nom à vous, utilisez `target: forum` avec `username`.
target-channel-needs-thread = <#{ $channel }> n'est pas un fil. Choisissez un fil où publier, ou mettez `open_thread: True` pour en ouvrir un sous chaque message.
target-channel-no-parent = Discord n'a pas dit à quel salon appartient <#{ $channel }>. Réessayez dans un instant.
target-channel-needs-text = <#{ $channel }> n'est pas un salon textuel ou d'annonces, et cette cible publie dans l'un d'eux. Choisissez-en un, ou `target: forum` ou `thread`.
target-text-channel = <#{ $channel }>
target-text-forum = { $per ->
        [briefing] un post de forum par briefing
       *[digest] un post de forum par envoi
    } dans <#{ $channel }>{ $tags ->
        [yes] {" "}(avec les étiquettes correspondantes)
       *[no] {""}
    }
target-text-as = {" "}sous le nom « { $username } »
target-text-thread = le fil <#{ $thread }>
target-text-open-thread = un fil sous chaque message dans <#{ $channel }>
target-text-webhook = webhook dans <#{ $channel }>
target-text-webhook-as = webhook sous le nom « { $username } » dans <#{ $channel }>
digest-added-target = Publication : { $target }.
target-edit-needs-add = `/digest edit` garde le salon du digest, et cette cible demande un autre type de salon. Supprimez le digest et ajoutez-le à nouveau avec le salon qui convient.
