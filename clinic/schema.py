"""schema.org data about a surgeon, for search engines reading the profile page."""

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
