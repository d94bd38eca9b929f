"""Surveys: the actors' survey staff build and send to contacts, and the short feedback form
after an event (a survey of kind `feedback`, sent to those who came).

A survey has sections, each with questions; everyone asked gets an invitation with a personal
link (/s/<token>), and their answers are one response. In an anonymous survey the response does
not name the invitation: it is found again through a hash of the link's key (`link_hash`), so
that the person can resume and change it, and that hash is cut when the survey closes.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import EnumText, LabelledEnum, UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from ..links import new_link_token


class SurveyKind(LabelledEnum):
    survey = "survey", _lp("survey kind", "Survey")
    feedback = "feedback", _lp("survey kind", "Feedback after an event")


class SurveyStatus(LabelledEnum):
    draft = "draft", _lp("survey status", "draft")
    open = "open", _lp("survey status", "open")
    closed = "closed", _lp("survey status", "closed")


class QuestionKind(LabelledEnum):
    single = "single", _l("Single choice")
    multiple = "multiple", _l("Multiple choice")
    scale = "scale", _l("Scale 1 to 5")
    short_text = "short-text", _l("Short text")
    long_text = "long-text", _l("Long text")
    number = "number", _l("Number")


class InvitationStatus(LabelledEnum):
    invited = "invited", _lp("survey invitation", "invited")
    started = "started", _lp("survey invitation", "started")
    completed = "completed", _lp("survey invitation", "completed")


class Survey(db.Model):
    """A survey or an event's feedback form, with its audience and its state."""

    __tablename__ = "surveys"
    not_found = _l("There is no such survey.")

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SurveyKind] = mapped_column(EnumText(SurveyKind, 20), default=SurveyKind.survey)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    # Feedback: the event it asks about (one form per event).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    # Answers stored without the link to the person; only whether they answered is kept.
    anonymous: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SurveyStatus] = mapped_column(EnumText(SurveyStatus, 20), default=SurveyStatus.draft)
    # The contacts asked (survey): {"all": bool, "tags": [...], "kinds": [...], "group_id": int | None}.
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When answers stop being taken (None: until staff close it).
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Feedback: how long after the event ends the request goes out, and the one reminder after it.
    send_after_hours: Mapped[int] = mapped_column(default=2)
    remind_after_days: Mapped[int] = mapped_column(default=4)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event | None] = relationship()

    @property
    def is_feedback(self) -> bool:
        """The feedback form of one event."""
        return self.kind == SurveyKind.feedback

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.kind} {self.status}>"


class SurveySection(db.Model):
    """A part of a survey: on a phone, one section per screen."""

    __tablename__ = "survey_sections"
    __table_args__ = (Index("ix_survey_sections_survey", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class SurveyQuestion(db.Model):
    """One question. Choices are `options`: [{"id": "o1", "label": "..."}]; answers name the ids,
    so that staff may reword or reorder a choice without changing what was answered."""

    __tablename__ = "survey_questions"
    __table_args__ = (Index("ix_survey_questions_section", "section_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_sections.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(EnumText(QuestionKind, 20))
    text: Mapped[str] = mapped_column(String(500))
    help: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list] = mapped_column(JSON, default=list)
    # Choice questions: an "Other" box whose text is kept beside the choices.
    allow_other: Mapped[bool] = mapped_column(default=False)
    # Number questions: the range allowed (None: unbounded on that side).
    min_number: Mapped[float | None] = mapped_column(Float)
    max_number: Mapped[float | None] = mapped_column(Float)
    # Scale questions: what 1 and 5 mean ("not at all", "very").
    low_label: Mapped[str] = mapped_column(String(100), default="")
    high_label: Mapped[str] = mapped_column(String(100), default="")


class SurveyInvitation(db.Model):
    """One person asked, with the key of their personal link. For feedback the person is a
    registration (a guest who came); for a survey, a contact."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "contact_id", name="uq_survey_invitations_contact"),
                      UniqueConstraint("survey_id", "registration_id", name="uq_survey_invitations_registration"),
                      Index("ix_survey_invitations_survey_status", "survey_id", "status"))
    not_found = _l("This survey link is not valid.")

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"),
                                                       index=True)
    locale: Mapped[str] = mapped_column(String(10), default="de")
    status: Mapped[InvitationStatus] = mapped_column(EnumText(InvitationStatus, 20),
                                                     default=InvitationStatus.invited)
    # When the first mail was queued, and the reminders (how many, the last one).
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person started and completed their answers; an anonymous survey keeps only the
    # status (surveys.responding), as the times would pair the invitation with its response.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship()


class SurveyResponse(db.Model):
    """The answers of one person to one survey, saved part-way or complete."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_survey", "survey_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # Named surveys: the invitation answered. Anonymous: None, and the response is found through
    # link_hash (surveys.responding) until the survey closes.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitations.id", ondelete="SET NULL"),
                                                     unique=True)
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # For the breakdowns of the results, as they were when the person answered.
    institution_kind: Mapped[str | None] = mapped_column(String(30))
    affiliation: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Complete: every required question answered and the person pressed "send".
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyAnswer(db.Model):
    """One question's answer: `value` is an option id (single), a list of them (multiple), an
    int 1-5 (scale), a number, or the text; `other_text` the "Other" box of a choice."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="uq_survey_answers_question"),
                      Index("ix_survey_answers_question", "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    value: Mapped[object] = mapped_column(JSON, nullable=True)
    other_text: Mapped[str] = mapped_column(Text, default="")
