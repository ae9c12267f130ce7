"""schema.org data for search engines, and the one safe way to put it in a page."""

import json

from django.utils.safestring import SafeString, mark_safe

from clinic.models import Surgeon

SPECIALTY = {Surgeon.Specialty.ORTHOPAEDIC: "Musculoskeletal", Surgeon.Specialty.NEUROSURGERY: "Neurologic"}


def physician_json_ld(surgeon: Surgeon, url: str) -> dict[str, object]:
    """A schema.org `Physician`; expects locations and credentials prefetched."""
    return {
        "@context": "https://schema.org",
        "@type": "Physician",
        "name": surgeon.display_name,
        "url": url,
        "description": surgeon.title,
        "medicalSpecialty": SPECIALTY[surgeon.specialty],
        "identifier": {"@type": "PropertyValue", "propertyID": "NPI", "value": surgeon.npi},
        "knowsLanguage": surgeon.languages,
        "isAcceptingNewPatients": surgeon.accepts_new_patients,
        "location": [
            {
                "@type": "MedicalClinic",
                "name": location.name,
                "telephone": location.phone,
                "address": {"@type": "PostalAddress", "streetAddress": location.address},
            }
            for location in surgeon.locations.all()
        ],
        "hasCredential": [
            {
                "@type": "EducationalOccupationalCredential",
                "credentialCategory": credential.get_kind_display(),
                "name": credential.title,
                "recognizedBy": {"@type": "Organization", "name": credential.issuer},
            }
            for credential in surgeon.credentials.all()
            if credential.is_verified
        ],
    }


def json_for_script(data: object) -> SafeString:
    """JSON safe to place inside a <script> element: no character can close the element early."""
    text = json.dumps(data, ensure_ascii=False)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
