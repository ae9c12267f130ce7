from django.conf import settings
from django.http import HttpRequest


def practice(request: HttpRequest) -> dict[str, str]:
    return {"PRACTICE_NAME": settings.PRACTICE_NAME}
