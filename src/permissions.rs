//! Discord's permission bits that briefbot needs, with the names Discord's own settings show,
//! so the invite link, `briefbot check` and `/digest add` all say the same thing. Plain bits:
//! no Discord types, so the core can say what a digest needs.

use std::fmt;
use std::ops::{BitOr, Sub};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions(pub u64);

impl Permissions {
    pub const CREATE_INSTANT_INVITE: Permissions = Permissions(1 << 0);
    pub const ADMINISTRATOR: Permissions = Permissions(1 << 3);
    pub const MANAGE_CHANNELS: Permissions = Permissions(1 << 4);
    pub const VIEW_CHANNEL: Permissions = Permissions(1 << 10);
    pub const SEND_MESSAGES: Permissions = Permissions(1 << 11);
    pub const EMBED_LINKS: Permissions = Permissions(1 << 14);
    pub const READ_MESSAGE_HISTORY: Permissions = Permissions(1 << 16);
    pub const MENTION_EVERYONE: Permissions = Permissions(1 << 17);
    pub const MANAGE_WEBHOOKS: Permissions = Permissions(1 << 29);
    pub const CREATE_PUBLIC_THREADS: Permissions = Permissions(1 << 35);
    pub const SEND_MESSAGES_IN_THREADS: Permissions = Permissions(1 << 38);

    /// Every bit briefbot may ask for, with the name Discord shows for it, in Discord's order.
    const NAMED: [(Permissions, &'static str); 8] = [
        (Permissions::VIEW_CHANNEL, "View Channels"),
        (Permissions::MANAGE_WEBHOOKS, "Manage Webhooks"),
        (Permissions::SEND_MESSAGES, "Send Messages"),
        (
            Permissions::SEND_MESSAGES_IN_THREADS,
            "Send Messages in Threads",
        ),
        (Permissions::CREATE_PUBLIC_THREADS, "Create Public Threads"),
        (Permissions::EMBED_LINKS, "Embed Links"),
        (Permissions::READ_MESSAGE_HISTORY, "Read Message History"),
        (
            Permissions::MENTION_EVERYONE,
            "Mention @everyone, @here, and All Roles",
        ),
    ];

    pub const fn bits(self) -> u64 {
        self.0
    }

    pub const fn empty() -> Permissions {
        Permissions(0)
    }

    pub fn contains(self, other: Permissions) -> bool {
        self.0 & other.0 == other.0
    }

    /// What `self` asks for that `held` does not grant. Administrators hold everything.
    pub fn missing_from(self, held: Permissions) -> Permissions {
        if held.contains(Permissions::ADMINISTRATOR) {
            return Permissions::empty();
        }
        self - held
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Each named bit set, one by one, in Discord's order (unnamed bits are left out).
    pub fn each(self) -> Vec<Permissions> {
        Self::NAMED
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| self.contains(*p))
            .collect()
    }

    /// The names of the bits set, in Discord's order; an unnamed bit shows as its number.
    pub fn names(self) -> Vec<String> {
        let mut names: Vec<String> = Self::NAMED
            .iter()
            .filter(|(p, _)| self.contains(*p))
            .map(|(_, n)| (*n).to_string())
            .collect();
        let named = Self::NAMED.iter().fold(0, |acc, (p, _)| acc | p.0);
        let mut rest = self.0 & !named;
        while rest != 0 {
            let bit = rest.trailing_zeros();
            names.push(format!("permission bit {bit}"));
            rest &= rest - 1;
        }
        names
    }
}

impl BitOr for Permissions {
    type Output = Permissions;
    fn bitor(self, rhs: Permissions) -> Permissions {
        Permissions(self.0 | rhs.0)
    }
}

impl Sub for Permissions {
    type Output = Permissions;
    fn sub(self, rhs: Permissions) -> Permissions {
        Permissions(self.0 & !rhs.0)
    }
}

impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_discords_order_and_show_unknown_bits() {
        let p = Permissions::EMBED_LINKS | Permissions::VIEW_CHANNEL | Permissions(1 << 40);
        assert_eq!(
            p.names(),
            ["View Channels", "Embed Links", "permission bit 40"]
        );
    }

    #[test]
    fn administrators_miss_nothing() {
        let need = Permissions::MANAGE_WEBHOOKS | Permissions::SEND_MESSAGES;
        assert!(need.missing_from(Permissions::ADMINISTRATOR).is_empty());
        assert_eq!(
            need.missing_from(Permissions::SEND_MESSAGES),
            Permissions::MANAGE_WEBHOOKS
        );
    }
}
