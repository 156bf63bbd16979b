"""The six roles of DESIGN.md, each a Django Group; a person may hold several."""

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    AUDITOR = "auditor", "Auditor"
    SERVICE_MANAGER = "service_manager", "Service manager"
    ASSISTANT_DIRECTOR = "assistant_director", "Assistant director"
    BOARD_MEMBER = "board_member", "Board member"
    QUALITY_ADMIN = "quality_admin", "Quality admin"
    # Volunteer and external moderators: open only the audits and calibration files given to them.
    EXTERNAL_MODERATOR = "external_moderator", "External or volunteer moderator"
