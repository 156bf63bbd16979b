"""Ship the question sets for each audience, and give links made before them their audience."""

from django.db import migrations


def ship(apps, schema_editor):
    from feedback.questions import question_sets_install_shipped

    question_sets_install_shipped(apps=apps)
    request_model = apps.get_model("feedback", "FeedbackRequest")
    # Respondent values are audience values too (children and young people were one before).
    for respondent in ["parent_carer", "judge", "professional"]:
        request_model.objects.filter(respondent=respondent).update(audience=respondent)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_question_sets_complaints_themes")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
