def test_signup_smoke(client, make_event, smtp):
    event = make_event(capacity=1)
    r = client.post(f"/events/{event.slug}/register", data={"name": "Anna", "email": "anna@example.org",
                    "affiliation": "volunteer", "consent": "y"})
    assert r.status_code == 302
    from app.mailing.sender import deliver_due
    report = deliver_due()
    assert report.sent == 1
    assert smtp.received[0].rcpt_tos == ["anna@example.org"]
