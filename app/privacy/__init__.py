"""Privacy: what Podium keeps about people, for how long, and a person's right to see and erase it.

- registry: every column of every table, classified (personal, kept for the figures, staff,
  nothing personal); a test fails when a column is added without a class.
- anonymise: blanking the personal columns of registrations and of what refers to them.
- retention: the purge that anonymises each event's registrations when its retention period
  ends (run by the mail worker and by `flask privacy purge`).
- person: everything held under one email address, its export, and erasing it in one step.
- access_links: the mailed link with which a guest opens their own data.
"""
