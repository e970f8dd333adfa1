"""Open data: a department's public dossier as JSON (published versions only; officers by name,
post and certificate number only), with the same conditional GET as the pages.

Not wired into any URLconf yet; the lead adds, e.g. in config/urls.py before the API router:

    path("api/public/departments/<str:code>/dossier/", portal.api.department_dossier, name="public-dossier")
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.urls import reverse

from . import selectors
from .views import _department, public_page


@public_page(_department)
def department_dossier(request, code: str):
    state = _department(request, code)
    if state is None:
        raise Http404
    data = selectors.department_dossier(state)
    data["documents"] = [
        {
            **document,
            "url": request.build_absolute_uri(reverse("portal:department_document", args=[code, document["kind"]])),
        }
        for document in data["documents"]
    ]
    data["page"] = request.build_absolute_uri(reverse("portal:department", args=[code]))
    return JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})
