"""The project's URLs plus `bench/bare/`: a bare DRF endpoint that does one INSERT, the floor."""

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
                "INSERT INTO bench_bare (description, latitude, longitude) VALUES (%s, %s, %s) RETURNING id",
                [request.data.get("description", ""), request.data.get("latitude"), request.data.get("longitude")],
            )
            (pk,) = cursor.fetchone()
        return Response({"id": pk}, status=201)


urlpatterns = [path("bench/bare/", BareInsert.as_view()), path("", include("config.urls"))]
