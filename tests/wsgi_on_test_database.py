"""The site's WSGI application on the test database named by TEST_DATABASE (the JSON of Django's
`connection.settings_dict`), for tests that run real gunicorn workers against the data they set up."""

import json
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
settings.DATABASES["default"] = json.loads(os.environ["TEST_DATABASE"])
application = get_wsgi_application()
