"""Report kinds, workflow states and the code lists of each kind's fields."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ACTIVITY = "activity", _("Residents' activity")
    DEATH = "death", _("Death report")
    STAY_START = "stay_start", _("Non-permanent resident: arrival")
    STAY_END = "stay_end", _("Non-permanent resident: end of stay")
    GOTONG_ROYONG = "gotong_royong", _("Gotong royong / BBGRM")
    ISSUE = "issue", _("Problem, need or potential")
    NIHIL = "nihil", _("Nothing to report")


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    REVISION_REQUESTED = "revision_requested", _("revision requested")


# A decision is final: the report can no longer be edited, withdrawn or deleted.
DECIDED_STATES = frozenset({State.APPROVED, State.REJECTED})
# The Ketua RT may change the content in these states.
EDITABLE_STATES = frozenset({State.DRAFT, State.REVISION_REQUESTED})
# "Waiting for a decision": sent to the kelurahan and not decided yet. The one
# definition every count uses (queue, dashboard, compliance, calendar; see
# ``selectors.report_waiting``). A report sent back for revision is not in it:
# it waits for its Ketua RT, and is counted apart as "revision requested".
PENDING_STATES = frozenset({State.SUBMITTED})
WAITING_STATES = PENDING_STATES


class ActivityCategory(models.TextChoices):
    MEETING = "meeting", _("residents' meeting")
    POSYANDU = "posyandu", _("posyandu")
    RELIGIOUS = "religious", _("religious event")
    SPORT = "sport", _("sport")
    SOCIAL = "social", _("social event")
    EDUCATION = "education", _("education or training")
    HEALTH = "health", _("health (other than posyandu)")
    SECURITY = "security", _("neighbourhood watch (ronda)")
    CULTURE = "culture", _("arts and culture")
    OTHER = "other", _("other")


class DeathPlace(models.TextChoices):
    HOME = "home", _("at home")
    HOSPITAL = "hospital", _("hospital")
    HEALTH_CENTRE = "health_centre", _("puskesmas or clinic")
    ON_THE_WAY = "on_the_way", _("on the way")
    OTHER = "other", _("other place")


class DeathCause(models.IntegerChoices):
    """OpenSID's cause codes (``sebab``)."""

    ILLNESS_OR_AGE = 1, "Sakit biasa / tua"
    EPIDEMIC = 2, "Wabah penyakit"
    ACCIDENT = 3, "Kecelakaan"
    CRIME = 4, "Kriminalitas"
    SUICIDE = 5, "Bunuh diri"
    OTHER = 6, "Lainnya"


class DeathCertifier(models.IntegerChoices):
    """OpenSID's codes for who certified the death (``penolong_mati``)."""

    DOCTOR = 1, "Dokter"
    HEALTH_WORKER = 2, "Tenaga kesehatan"
    POLICE = 3, "Kepolisian"
    OTHER = 4, "Lainnya"


class ReporterRelationship(models.TextChoices):
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    SIBLING = "sibling", _("sibling")
    OTHER_FAMILY = "other_family", _("other family")
    KETUA_RT = "ketua_rt", _("Ketua RT")
    NEIGHBOUR = "neighbour", _("neighbour")
    OTHER = "other", _("other")


class StayPurpose(models.TextChoices):
    WORK = "work", _("work")
    STUDY = "study", _("study")
    FAMILY = "family", _("family")
    OTHER = "other", _("other")


class Housing(models.TextChoices):
    KOS = "kos", _("boarding room (kos)")
    KONTRAKAN = "kontrakan", _("rented house (kontrakan)")
    MESS = "mess", _("company mess")
    FAMILY = "family", _("with family")
    OTHER = "other", _("other")


class StayEndReason(models.TextChoices):
    RETURNED = "returned", _("returned to their home address")
    MOVED_ON = "moved_on", _("moved elsewhere")
    SETTLED = "settled", _("settled here (formal move needed)")
    DIED = "died", _("died")
    OTHER = "other", _("other")


class GotongRoyongType(models.TextChoices):
    CLEANING = "cleaning", _("cleaning roads and public places")
    DRAINS = "drains", _("cleaning drains and rivers")
    PLANTING = "planting", _("tree planting")
    REPAIR = "repair", _("repair of facilities")
    BUILDING = "building", _("building small infrastructure")
    WASTE_BANK = "waste_bank", _("waste bank")
    SOCIAL_AID = "social_aid", _("social aid")
    OTHER = "other", _("other")


class Institution(models.TextChoices):
    RT = "rt", _("RT")
    LPM = "lpm", _("LPM")
    PKK = "pkk", _("PKK")
    KARANG_TARUNA = "karang_taruna", _("Karang Taruna")
    POSYANDU = "posyandu", _("Posyandu")
    RELIGIOUS = "religious", _("religious group (majelis taklim, church)")
    SCHOOL = "school", _("school")
    COMPANY = "company", _("company")
    GOVERNMENT = "government", _("government office")
    OTHER = "other", _("other")


class IssueType(models.TextChoices):
    PROBLEM = "problem", _("problem")
    NEED = "need", _("need")
    POTENTIAL = "potential", _("potential")


class IssueCategory(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    HEALTH = "health", _("health")
    ENVIRONMENT = "environment", _("environment")
    SECURITY = "security", _("security")
    SOCIAL = "social", _("social")
    ECONOMY = "economy", _("economy")


class FollowUp(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
