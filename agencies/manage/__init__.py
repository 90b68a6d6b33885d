"""Running one's own agency: members and invitations, duty contact and declared capacity,
and the management pages of subscriptions (the test alert lives in `incidents.threats`,
which owns the senders)."""
