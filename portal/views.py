"""The public portal: read without logging in. It shows only what is published."""

from django.shortcuts import render

from organisations.models import Organisation, OrganisationKind


def portal_home(request):
    governments = Organisation.objects.filter(
        kind__in=[OrganisationKind.CITY, OrganisationKind.COUNTY], is_active=True
    ).order_by("path")
    return render(request, "portal/home.html", {"governments": governments})
