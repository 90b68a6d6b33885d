"""The project's URLs plus `bench/bare/`: a bare DRF endpoint that does one INSERT, the floor.

It writes the same row into the same table as the real intake (incidents_citizenreport, with
its indexes), so the comparison measures what the portal adds: validation, rate limits, the
nearest-area guess, and its response; not a cheaper table.
"""

import secrets

from django.db import connection
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class BareInsert(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO incidents_citizenreport (tracking_code, category_id, description, latitude, longitude,"
                " area_path, contact, status, moderation_reason, created_at)"
                " VALUES (%s, (SELECT id FROM incidents_category WHERE code = %s), %s, %s, %s,"
                " '', '', 'new', '', now())"
                " RETURNING id",
                [
                    secrets.token_hex(5).upper(),
                    request.data.get("category"),
                    request.data.get("description", ""),
                    request.data.get("latitude"),
                    request.data.get("longitude"),
                ],
            )
            (pk,) = cursor.fetchone()
        return Response({"id": pk}, status=201)


urlpatterns = [path("bench/bare/", BareInsert.as_view()), path("", include("config.urls"))]
