"""The team's side of pitchbot: who is staff, the pitch desk, cards, and notifications."""
