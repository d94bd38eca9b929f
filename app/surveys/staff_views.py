"""Building a survey: its sections and questions, their order, and the preview.

Each change is one builder service (building.py, building_questions.py) run on the locked survey
in write_transaction, which commits; a refusal rolls it back and the page shows it next to its
field, with everything typed kept.
"""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.access import current_actor, staff_required
from ..database import write_transaction
from ..errors import DomainError
from ..forms import ButtonForm, show_refusal
from . import building, building_questions
from .builder_forms import MoveForm, QuestionForm, SectionForm, SurveyForm
from .models import QuestionKind, Survey, SurveyKind
from .progress import counts_of

bp = Blueprint("surveys_staff", __name__, url_prefix="/staff/surveys")


def _change(survey_id: int, service, *args, **kwargs):
    """Run one builder service on the locked survey, as the logged-in staff member, and commit."""
    with write_transaction(lock=(Survey, survey_id)) as tx:
        return service(tx.row, *args, **kwargs, by=current_actor(), now=tx.now)


def _to_builder(survey_id: int, anchor: str | None = None):
    return redirect(url_for("surveys_staff.edit", survey_id=survey_id, _anchor=anchor))


def _writable_or_back(survey):
    """None if the survey may change; else the way back to its (read-only) page, with the reason."""
    if not building.is_read_only(survey):
        return None
    flash(str(building.SurveyReadOnly.message))
    return _to_builder(survey.id)


# --- the list, and a new survey -----------------------------------------------------------------

@bp.get("/")
@staff_required
def index():
    """The surveys (or, with ?kind=feedback, the events' feedback forms), with their live counts."""
    kind = SurveyKind.feedback if request.args.get("kind") == "feedback" else SurveyKind.survey
    surveys = building.list_surveys(kind)
    return render_template("surveys/staff/index.html", surveys=surveys, kind=kind,
                           counts=counts_of([survey.id for survey in surveys]))


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """A new survey: its title, introduction, anonymity and closing date; then its questions."""
    form = SurveyForm()
    if request.method == "GET":
        return render_template("surveys/staff/new.html", form=form)
    if not form.validate_on_submit():
        return render_template("surveys/staff/new.html", form=form), 422
    try:
        with write_transaction() as tx:
            survey = building.create_survey(**form.survey_fields(), by=current_actor(), now=tx.now)
    except DomainError as exc:
        show_refusal(form, _survey_field(exc))
        return render_template("surveys/staff/new.html", form=form), exc.status_code
    flash(_("The survey is saved as a draft. Add its questions."))
    return _to_builder(survey.id)


def _survey_field(exc: DomainError) -> DomainError:
    """The services name the closing moment; the form asks for the last day."""
    if exc.field == "closes_at":
        exc.field = "closes_on"
    return exc


# --- the builder --------------------------------------------------------------------------------

def _builder_page(survey, form: SurveyForm | None = None, status: int = 200):
    return render_template("surveys/staff/edit.html", survey=survey,
                           form=form or SurveyForm.for_survey(survey),
                           sections=building.sections_of(survey.id),
                           questions=building.questions_by_section(survey.id),
                           answered=building.answer_counts(survey.id), kinds=list(QuestionKind),
                           read_only=building.is_read_only(survey), fixed=building.is_fixed(survey),
                           counts=counts_of([survey.id])[survey.id],
                           button=ButtonForm()), status


@bp.route("/<int:survey_id>/", methods=["GET", "POST"])
@staff_required
def edit(survey_id):
    """The builder: the survey's own fields, and its sections and questions in order."""
    survey = building.get_survey(survey_id)
    if request.method == "GET":
        return _builder_page(survey)
    form = SurveyForm()
    if not form.validate_on_submit():
        return _builder_page(survey, form, 422)
    fields = form.survey_fields()
    if survey.is_feedback:  # its anonymity and closing time are the event's feedback settings
        fields |= {"anonymous": survey.anonymous, "closes_at": survey.closes_at}
    try:
        _change(survey.id, building.update_survey, **fields)
    except DomainError as exc:
        show_refusal(form, _survey_field(exc))
        return _builder_page(building.get_survey(survey_id), form, exc.status_code)
    flash(_("Saved."))
    return _to_builder(survey_id)


@bp.post("/<int:survey_id>/order")
@staff_required
def order(survey_id):
    """The order dragging left (JSON: {"sections": [ids], "questions": {section id: [ids]}}); answers
    JSON, 422 with the reason if it does not name exactly the survey's sections and questions."""
    survey = building.get_survey(survey_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        message = _("The order could not be read. Please reload the page.")
        return jsonify(error=message, code="invalid_input"), 400
    try:
        _change(survey.id, building.reorder, body.get("sections"), body.get("questions"))
    except DomainError as exc:
        return jsonify(error=str(exc), code=exc.code), exc.status_code
    return jsonify(saved=True, message=_("The new order is saved."))


@bp.get("/<int:survey_id>/preview")
@staff_required
def preview(survey_id):
    """The survey exactly as a respondent sees it (every section, one after another), not answerable."""
    survey = building.get_survey(survey_id)
    return render_template("surveys/staff/preview.html", survey=survey,
                           sections=building.sections_of(survey.id),
                           questions_of=building.questions_by_section(survey.id), answers={}, others={},
                           errors={}, disabled=True)


# --- sections -----------------------------------------------------------------------------------

@bp.post("/<int:survey_id>/sections")
@staff_required
def add_section(survey_id):
    """Add a section at the end of the survey, and go to its form."""
    survey = building.get_survey(survey_id)
    if not ButtonForm().validate_on_submit():
        return _to_builder(survey.id)
    try:
        section = _change(survey.id, building.add_section)
    except DomainError as exc:
        flash(str(exc))
        return _to_builder(survey.id)
    return redirect(url_for("surveys_staff.edit_section", survey_id=survey.id, section_id=section.id))


def _section_page(survey, section, form, status: int = 200):
    return render_template("surveys/staff/section.html", survey=survey, section=section, form=form), status


@bp.route("/<int:survey_id>/sections/<int:section_id>", methods=["GET", "POST"])
@staff_required
def edit_section(survey_id, section_id):
    """A section's title and introduction."""
    survey = building.get_survey(survey_id)
    section = building.get_section(survey, section_id)
    if (back := _writable_or_back(survey)) is not None:
        return back
    if request.method == "GET":
        return _section_page(survey, section, SectionForm(obj=section))
    form = SectionForm()
    if not form.validate_on_submit():
        return _section_page(survey, section, form, 422)
    try:
        _change(survey.id, building.update_section, section.id, title=form.title.data, intro=form.intro.data)
    except DomainError as exc:
        show_refusal(form, exc)
        survey = building.get_survey(survey_id)
        return _section_page(survey, building.get_section(survey, section_id), form, exc.status_code)
    flash(_("Saved."))
    return _to_builder(survey_id, f"section-{section_id}")


@bp.post("/<int:survey_id>/sections/<int:section_id>/delete")
@staff_required
def delete_section(survey_id, section_id):
    """Delete a section and its questions (refused where one has answers)."""
    return _step(survey_id, building.delete_section, section_id, done=_("The section is deleted."))


@bp.post("/<int:survey_id>/sections/<int:section_id>/move")
@staff_required
def move_section(survey_id, section_id):
    """Move a section one place up or down (the buttons beside it)."""
    return _move(survey_id, building.move_section, section_id, f"section-{section_id}")


# --- questions ----------------------------------------------------------------------------------

def _question_page(survey, section, form, question=None, status: int = 200):
    return render_template("surveys/staff/question.html", survey=survey, section=section, form=form,
                           question=question, fixed=building.is_fixed(survey),
                           answered=building.answer_counts(survey.id).get(question.id, 0) if question else 0,
                           choice_kinds=[kind.value for kind in building_questions.CHOICE_KINDS]), status


@bp.route("/<int:survey_id>/sections/<int:section_id>/questions/new", methods=["GET", "POST"])
@staff_required
def new_question(survey_id, section_id):
    """A new question at the end of a section (?kind= picks its type)."""
    survey = building.get_survey(survey_id)
    section = building.get_section(survey, section_id)
    if (back := _writable_or_back(survey)) is not None:
        return back
    if request.method == "GET":
        kind = request.args.get("kind")
        form = QuestionForm(data={"kind": kind if kind in {k.value for k in QuestionKind} else "single"})
        form.add_option_boxes(4)
        return _question_page(survey, section, form)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _question_page(survey, section, form, status=422)
    try:
        question = _change(survey.id, building_questions.add_question, section.id, form.question_fields())
    except DomainError as exc:
        show_refusal(form, exc)
        survey = building.get_survey(survey_id)
        return _question_page(survey, building.get_section(survey, section_id), form, status=exc.status_code)
    flash(_("The question is added."))
    return _to_builder(survey_id, f"question-{question.id}")


@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@staff_required
def edit_question(survey_id, question_id):
    """A question's wording, help, choices and limits (its type only before anybody was invited)."""
    survey = building.get_survey(survey_id)
    question = building.get_question(survey, question_id)
    section = building.get_section(survey, question.section_id)
    if (back := _writable_or_back(survey)) is not None:
        return back
    if request.method == "GET":
        return _question_page(survey, section, QuestionForm.for_question(question), question)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _question_page(survey, section, form, question, 422)
    try:
        _change(survey.id, building_questions.update_question, question.id, form.question_fields())
    except DomainError as exc:
        show_refusal(form, exc)
        survey = building.get_survey(survey_id)
        question = building.get_question(survey, question_id)
        return _question_page(survey, building.get_section(survey, question.section_id), form, question,
                              exc.status_code)
    flash(_("Saved."))
    return _to_builder(survey_id, f"question-{question_id}")


@bp.post("/<int:survey_id>/questions/<int:question_id>/delete")
@staff_required
def delete_question(survey_id, question_id):
    """Delete a question nobody has answered."""
    return _step(survey_id, building_questions.delete_question, question_id,
                 done=_("The question is deleted."))


@bp.post("/<int:survey_id>/questions/<int:question_id>/move")
@staff_required
def move_question(survey_id, question_id):
    """Move a question one place up or down in its section (the buttons beside it)."""
    return _move(survey_id, building.move_question, question_id, f"question-{question_id}")


# --- the buttons ----------------------------------------------------------------------------------

def _step(survey_id: int, service, row_id: int, *, done: str):
    """A button that runs one service (delete a section or a question), then back to the builder."""
    survey = building.get_survey(survey_id)
    if not ButtonForm().validate_on_submit():
        return _to_builder(survey.id)
    try:
        _change(survey.id, service, row_id)
    except DomainError as exc:
        flash(str(exc))
        return _to_builder(survey.id)
    flash(done)
    return _to_builder(survey.id)


def _move(survey_id: int, service, row_id: int, anchor: str):
    """An up or down button: move the row one place, and back to it on the builder."""
    survey = building.get_survey(survey_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _to_builder(survey.id, anchor)
    try:
        _change(survey.id, service, row_id, form.step)
    except DomainError as exc:
        flash(str(exc))
    return _to_builder(survey.id, anchor)
