"""The mail with the link to a guest's own data (access_links); create_app registers its composer."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..database import is_valid_id
from ..errors import NotFound
from ..events.display import event_title_text
from ..extensions import db
from ..links import mail_link
from ..mailing.messages import render_pair
from ..mailing.mime import MailContent
from ..outbox import OutgoingMail
from ..registrations.models import Registration
from .access_links import ACCESS_LINK_VALID, ACCESS_MAIL


def access_link(mail: OutgoingMail) -> MailContent:
    """To the guest's address: the link to everything held under it, and what it allows."""
    registration = db.session.get(Registration, mail.registration_id) if is_valid_id(mail.registration_id) else None
    if registration is None:
        raise NotFound(_l("The registration of this mail no longer exists."))
    text, html = render_pair("privacy_access_to_guest", registration=registration, event=registration.event,
                             data_url=mail_link("privacy.your_data", key=mail.params["key"]),
                             hours=int(ACCESS_LINK_VALID.total_seconds() // 3600), params=mail.params)
    return MailContent(subject=_("Your data at Podium: %(title)s", title=event_title_text(registration.event)),
                       text=text, html=html)


COMPOSERS = {ACCESS_MAIL: access_link}
