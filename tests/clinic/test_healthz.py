from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.urls import reverse


class HealthzTests(TestCase):
    def test_answers_ok_when_the_database_answers(self) -> None:
        response = self.client.get(reverse("healthz"))

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


class HealthzDatabaseDownTests(TransactionTestCase):
    def test_answers_unavailable_when_the_database_connection_is_gone(self) -> None:
        settings_dict = connection.settings_dict
        real_name = settings_dict["NAME"]
        connection.close()
        settings_dict["NAME"] = "no_such_database"
        try:
            response = self.client.get(reverse("healthz"))
        finally:
            connection.close()
            settings_dict["NAME"] = real_name

        assert response.status_code == 503
        assert response.json() == {"status": "unavailable"}
        assert self.client.get(reverse("healthz")).status_code == 200
