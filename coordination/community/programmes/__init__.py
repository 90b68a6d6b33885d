"""Community programmes: plan, approve, hold (attendance, photos), report; public listing and registration."""
