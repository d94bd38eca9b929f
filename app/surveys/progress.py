"""How far a survey has come: invited, started, completed, counted from the invitations (which
keep only whether someone answered, also for an anonymous survey)."""
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from .models import InvitationStatus, SurveyInvitation


@dataclass(frozen=True)
class Counts:
    """The live counts of one survey: every started one was invited, every completed one started."""

    invited: int = 0
    started: int = 0
    completed: int = 0

    @property
    def rate(self) -> float | None:
        """Completed / invited; None where nobody was asked."""
        return self.completed / self.invited if self.invited else None


def counts_of(survey_ids: list[int]) -> dict[int, Counts]:
    """The counts of each survey named, in one query; a survey nobody was asked to has zeros."""
    rows = db.session.execute(
        select(SurveyInvitation.survey_id, SurveyInvitation.status, func.count())
        .where(SurveyInvitation.survey_id.in_(survey_ids))
        .group_by(SurveyInvitation.survey_id, SurveyInvitation.status)).all()
    by_survey: dict[int, dict[InvitationStatus, int]] = {survey_id: {} for survey_id in survey_ids}
    for survey_id, status, number in rows:
        by_survey[survey_id][status] = number
    return {survey_id: _counts(statuses) for survey_id, statuses in by_survey.items()}


def _counts(statuses: dict[InvitationStatus, int]) -> Counts:
    completed = statuses.get(InvitationStatus.completed, 0)
    started = statuses.get(InvitationStatus.started, 0) + completed
    return Counts(invited=started + statuses.get(InvitationStatus.invited, 0), started=started,
                  completed=completed)
