from io import StringIO

from django.core.management import call_command

from accountability.models import Case, CaseStatus, Commendation, Suggestion


def test_demo_step_builds_cases_once(db):
    call_command("load_demo", stdout=StringIO())
    assert sorted(Case.objects.values_list("status", flat=True)) == [CaseStatus.INVESTIGATING, CaseStatus.NOTIFIED]
    assert Commendation.objects.filter(status="published").count() == 1
    assert Suggestion.objects.filter(status="proposed").count() == 1
    call_command("load_demo", stdout=StringIO())
    assert Case.objects.count() == 2 and Commendation.objects.count() == 1 and Suggestion.objects.count() == 1
