"""Column layouts of contact CSV files: Google, Outlook and generic headers.

Each column of a header gets a `Target` saying where its values go. Targets
are written as short texts in mappings and in the tables below (see
`parse_target` for the forms).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, cast

from crm_desktop.integrations.records import CustomType

TargetKind = Literal[
    "field", "email", "phone", "url", "address", "custom", "event", "label",
    "protocol", "ignore",
]  # fmt: skip

TEXT_FIELDS = frozenset(
    {
        "display_name", "prefix", "given_name", "middle_name", "family_name",
        "suffix", "nickname", "organization", "department", "job_title", "notes",
    }
)  # fmt: skip
DATE_FIELDS = frozenset({"birthday", "anniversary"})
RECORD_FIELDS = TEXT_FIELDS | DATE_FIELDS | {"groups"}
ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")
CUSTOM_TYPES = ("text", "number", "date")
# A value whose column does not say which kind it is: in a CRM, mostly work.
DEFAULT_LABEL = "work"

_STANDARD_LABELS = {
    "mobile": "mobile", "cell": "mobile", "cellular": "mobile", "portable": "mobile",
    "handy": "mobile", "movil": "mobile", "celular": "mobile", "gsm": "mobile",
    "home": "home", "personal": "home", "private": "home", "privat": "home",
    "domicile": "home", "perso": "home", "personnel": "home", "casa": "home",
    "work": "work", "business": "work", "office": "work", "bureau": "work",
    "travail": "work", "pro": "work", "professionnel": "work",
    "geschaftlich": "work", "dienstlich": "work", "trabajo": "work",
    "main": "main", "companymain": "main", "principal": "main",
    "fax": "fax", "homefax": "fax", "workfax": "fax", "businessfax": "fax",
    "otherfax": "fax", "telecopie": "fax",
    "other": "other", "autre": "other", "andere": "other", "otro": "other",
    "homepage": "homepage",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Target:
    """Where the values of one column go.

    Attributes:
        kind: What the column holds. "label" columns give the label of the
            values of their slot; "protocol" columns give Outlook's e-mail
            type (SMTP or EX) of their slot.
        name: The record field, address part or custom field name; for "label"
            columns, the kind of value they label.
        label: The fixed label of the values; "" when a label column gives it.
        slot: Ties values to their label column and address parts together.
        custom_type: The type of a custom field.
        primary: Values of this column are the primary ones.
    """

    kind: TargetKind
    name: str = ""
    label: str = ""
    slot: str = ""
    custom_type: CustomType = "text"
    primary: bool = False


IGNORE = Target("ignore")


def fold_header(text: str) -> str:
    """Return a header's matching key: lower case, no accents, letters/digits only.

    Args:
        text: A column header or label.

    Returns:
        The key, such as 'codepostal' for 'Code postal'.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


def standard_label(text: str) -> str:
    """Return the standard name of a label, or the label as typed.

    Args:
        text: A label such as 'Work', '* Mobile' (Google primary marker
            removed first) or 'Kiln room'.

    Returns:
        One of mobile, home, work, main, fax, other, homepage, or the text
        itself, trimmed; 'other' for an empty label.
    """
    cleaned = text.strip().removeprefix("* ").strip()
    if not cleaned:
        return "other"
    return _STANDARD_LABELS.get(fold_header(cleaned), cleaned)


def parse_target(text: str, slot: str = "") -> Target:
    """Read a mapping target.

    The forms are: a record field name (`given_name`, `birthday`, `groups`,
    ...), `email`, `email:LABEL`, `phone`, `phone:LABEL`, `url`, `url:LABEL`,
    `address:LABEL:PART`, `address:PART` or `address.PART` (label work),
    `custom:NAME:TYPE` (TYPE text, number or date; text when left out) and
    `ignore`. PART is street, city, region, postcode or country. A value
    without a label is taken as a work one.

    Args:
        text: The target.
        slot: The slot for emails, phones and urls (addresses use the label).

    Returns:
        The target.

    Raises:
        ValueError: The text is not a target.
    """
    cleaned = text.strip()
    kind, _, rest = cleaned.partition(":")
    if cleaned == "ignore":
        return IGNORE
    if cleaned in RECORD_FIELDS:
        return Target("field", cleaned)
    if kind in ("email", "phone", "url"):
        label = standard_label(rest) if rest.strip() else DEFAULT_LABEL
        return Target(cast(TargetKind, kind), label=label, slot=slot)
    if cleaned.startswith("address.") or kind == "address":
        return _address_target(cleaned)
    if kind == "custom":
        return _custom_target(rest)
    raise ValueError(f"'{text}' is not a mapping target")


def _address_target(text: str) -> Target:
    parts = re.split(r"[.:]", text)[1:]
    label = standard_label(parts[0]) if len(parts) == 2 else DEFAULT_LABEL
    part = parts[-1].strip().casefold() if parts else ""
    if len(parts) not in (1, 2) or part not in ADDRESS_PARTS:
        raise ValueError(
            f"'{text}' is not an address target: write address:LABEL:PART "
            f"with PART one of {', '.join(ADDRESS_PARTS)}"
        )
    return Target("address", part, label=label, slot=label)


def _custom_target(rest: str) -> Target:
    name, _, custom_type = rest.partition(":")
    custom_type = custom_type.strip().casefold() or "text"
    if not name.strip() or custom_type not in CUSTOM_TYPES:
        raise ValueError(
            f"'custom:{rest}' is not a custom field target: write "
            "custom:NAME:TYPE with TYPE text, number or date"
        )
    return Target("custom", name.strip(), custom_type=cast(CustomType, custom_type))


def detect_layout(headers: list[str]) -> str:
    """Tell which program wrote a header.

    Args:
        headers: The column headers.

    Returns:
        "google", "outlook" or "generic".
    """
    if any(_GOOGLE_NUMBERED.match(header.strip()) for header in headers):
        return "google"
    keys = {fold_header(header) for header in headers}
    if len(keys & _OUTLOOK_MARKERS) >= 3:
        return "outlook"
    return "generic"


def automatic_target(layout: str, header: str) -> Target | None:
    """Return where a column goes in a layout, or None when it maps to nothing.

    Args:
        layout: "google", "outlook" or "generic".
        header: The column header.

    Returns:
        The target, or None for a column the layout does not know.
    """
    if layout == "google":
        return _google_target(header.strip())
    if layout == "outlook":
        return _outlook_target(fold_header(header))
    return _generic_target(fold_header(header))


_GOOGLE_NUMBERED = re.compile(
    r"^(E-mail|Phone|Website|Address|Organization|Event) (\d+) - (.+)$", re.I
)
_GOOGLE_PLAIN = {
    "name": "display_name", "givenname": "given_name", "firstname": "given_name",
    "additionalname": "middle_name", "middlename": "middle_name",
    "familyname": "family_name", "lastname": "family_name",
    "nameprefix": "prefix", "namesuffix": "suffix", "nickname": "nickname",
    "birthday": "birthday", "notes": "notes", "groupmembership": "groups",
    "labels": "groups", "organizationname": "organization",
    "organizationtitle": "job_title", "organizationdepartment": "department",
}  # fmt: skip
_GOOGLE_VALUE_KINDS = {"email": "email", "phone": "phone", "website": "url"}
_GOOGLE_ADDRESS_PARTS = {
    "street": "street", "pobox": "street", "extendedaddress": "street",
    "city": "city", "region": "region", "postalcode": "postcode",
    "country": "country",
}  # fmt: skip
_GOOGLE_ORGANIZATION = {
    "name": "organization",
    "title": "job_title",
    "department": "department",
}


def _google_target(header: str) -> Target | None:
    match = _GOOGLE_NUMBERED.match(header)
    if match is None:
        name = _GOOGLE_PLAIN.get(fold_header(header))
        return Target("field", name) if name else None
    group, number, part = fold_header(match[1]), match[2], fold_header(match[3])
    slot = f"{group}{number}"
    if group == "organization":
        name = _GOOGLE_ORGANIZATION.get(part)
        return Target("field", name) if name else None
    kind = _GOOGLE_VALUE_KINDS.get(group, group)
    if part in ("type", "label"):
        return Target("label", kind, slot=slot)
    if group == "address":
        address_part = _GOOGLE_ADDRESS_PARTS.get(part)
        return Target("address", address_part, slot=slot) if address_part else None
    return Target(cast(TargetKind, kind), slot=slot) if part == "value" else None


_OUTLOOK_MARKERS = frozenset(
    {
        "emailaddress", "emailtype", "email2address", "businessphone",
        "homephone", "mobilephone", "businessstreet", "homestreet",
    }
)  # fmt: skip
_OUTLOOK_FIELDS = {
    "title": "prefix", "firstname": "given_name", "middlename": "middle_name",
    "lastname": "family_name", "suffix": "suffix", "nickname": "nickname",
    "company": "organization", "department": "department",
    "jobtitle": "job_title", "notes": "notes", "birthday": "birthday",
    "anniversary": "anniversary", "categories": "groups", "webpage": "url",
}  # fmt: skip
_OUTLOOK_PHONES = {
    "assistantsphone": "Assistant", "businessfax": "fax", "businessphone": "work",
    "businessphone2": "work", "callback": "Callback", "carphone": "Car",
    "companymainphone": "main", "homefax": "fax", "homephone": "home",
    "homephone2": "home", "isdn": "ISDN", "mobilephone": "mobile",
    "otherfax": "fax", "otherphone": "other", "pager": "Pager",
    "primaryphone": "main", "radiophone": "Radio", "ttytddphone": "TTY/TDD",
    "telex": "Telex",
}  # fmt: skip
_OUTLOOK_ADDRESS_GROUPS = {"business": "work", "home": "home", "other": "other"}
_OUTLOOK_ADDRESS_PARTS = {
    "street": "street", "street2": "street", "street3": "street",
    "addresspobox": "street", "city": "city", "state": "region",
    "postalcode": "postcode", "countryregion": "country",
}  # fmt: skip
_OUTLOOK_EMAIL = re.compile(r"^email(\d?)(address|type)$")
# Values Outlook writes into every record; they carry no information.
OUTLOOK_FILLERS = {
    "gender": "unspecified",
    "priority": "normal",
    "private": "false",
    "sensitivity": "normal",
}


def _outlook_target(key: str) -> Target | None:
    if key in _OUTLOOK_FIELDS:
        return parse_target(_OUTLOOK_FIELDS[key], slot=key)
    if key in _OUTLOOK_PHONES:
        primary = key == "primaryphone"
        return Target("phone", label=_OUTLOOK_PHONES[key], slot=key, primary=primary)
    email = _OUTLOOK_EMAIL.match(key)
    if email:
        slot = email[1] or "1"
        kind: TargetKind = "email" if email[2] == "address" else "protocol"
        # Outlook does not say whether an address is a work or a home one.
        return Target(kind, label="other", slot=slot)
    for group, label in _OUTLOOK_ADDRESS_GROUPS.items():
        part = _OUTLOOK_ADDRESS_PARTS.get(key.removeprefix(group))
        if key.startswith(group) and part:
            return Target("address", part, label=label, slot=label)
    return None


# Generic headers in English, French, German and Spanish.
_GENERIC = {
    "name": "display_name", "fullname": "display_name",
    "displayname": "display_name", "nomcomplet": "display_name",
    "vollstandigername": "display_name", "nombrecompleto": "display_name",
    "firstname": "given_name", "givenname": "given_name", "forename": "given_name",
    "prenom": "given_name", "vorname": "given_name", "nombre": "given_name",
    "lastname": "family_name", "surname": "family_name",
    "familyname": "family_name", "nom": "family_name",
    "nomdefamille": "family_name", "nachname": "family_name",
    "familienname": "family_name", "apellido": "family_name",
    "apellidos": "family_name",
    "middlename": "middle_name", "additionalname": "middle_name",
    "title": "prefix", "prefix": "prefix", "civilite": "prefix",
    "salutation": "prefix", "anrede": "prefix", "tratamiento": "prefix",
    "suffix": "suffix", "namesuffix": "suffix",
    "nickname": "nickname", "surnom": "nickname", "spitzname": "nickname",
    "apodo": "nickname",
    "company": "organization", "companyname": "organization",
    "organization": "organization", "organisation": "organization",
    "employer": "organization", "societe": "organization",
    "entreprise": "organization", "raisonsociale": "organization",
    "firma": "organization", "unternehmen": "organization",
    "empresa": "organization", "compania": "organization",
    "department": "department", "abteilung": "department",
    "departamento": "department",
    "jobtitle": "job_title", "position": "job_title", "role": "job_title",
    "fonction": "job_title", "poste": "job_title", "beruf": "job_title",
    "cargo": "job_title", "puesto": "job_title",
    "birthday": "birthday", "birthdate": "birthday", "dateofbirth": "birthday",
    "dob": "birthday", "datedenaissance": "birthday", "naissance": "birthday",
    "anniversaire": "birthday", "geburtstag": "birthday",
    "geburtsdatum": "birthday", "fechadenacimiento": "birthday",
    "cumpleanos": "birthday", "anniversary": "anniversary",
    "notes": "notes", "note": "notes", "comments": "notes", "comment": "notes",
    "remarks": "notes", "memo": "notes", "remarques": "notes",
    "commentaire": "notes", "commentaires": "notes", "observations": "notes",
    "bemerkungen": "notes", "notizen": "notes", "notas": "notes",
    "observaciones": "notes", "comentarios": "notes",
    "groups": "groups", "group": "groups", "categories": "groups",
    "category": "groups", "tags": "groups", "labels": "groups",
    "groupes": "groups", "groupe": "groups", "kategorien": "groups",
    "gruppen": "groups", "grupos": "groups", "etiquetas": "groups",
    "mobile": "phone:mobile", "mobil": "phone:mobile", "cell": "phone:mobile",
    "cellphone": "phone:mobile", "portable": "phone:mobile",
    "handy": "phone:mobile", "movil": "phone:mobile", "celular": "phone:mobile",
    "gsm": "phone:mobile",
    "fax": "phone:fax", "telefax": "phone:fax", "telecopie": "phone:fax",
    "website": "url", "web": "url", "url": "url", "homepage": "url:homepage",
    "siteweb": "url", "siteinternet": "url", "webseite": "url",
    "sitioweb": "url", "paginaweb": "url",
}  # fmt: skip
# Kinds of value whose header may carry a label word: 'Home phone', 'E-mail
# (travail)', 'Business City', 'Téléphone domicile'.
_LABELLED = {
    "email": "email", "mail": "email", "emailaddress": "email",
    "emailadresse": "email", "courriel": "email", "adressecourriel": "email",
    "adresseemail": "email", "adressemail": "email", "correo": "email",
    "correoelectronico": "email",
    "phone": "phone", "phonenumber": "phone", "telephone": "phone",
    "tel": "phone", "telefon": "phone", "telefonnummer": "phone",
    "telefono": "phone", "numerodetelephone": "phone",
    "address": "address:street", "street": "address:street",
    "streetaddress": "address:street", "addressline": "address:street",
    "adresse": "address:street",
    "rue": "address:street", "strasse": "address:street",
    "anschrift": "address:street", "direccion": "address:street",
    "calle": "address:street",
    "city": "address:city", "town": "address:city", "ville": "address:city",
    "stadt": "address:city", "ort": "address:city", "ciudad": "address:city",
    "localidad": "address:city",
    "state": "address:region", "region": "address:region",
    "county": "address:region", "province": "address:region",
    "provincia": "address:region", "bundesland": "address:region",
    "postcode": "address:postcode", "postalcode": "address:postcode",
    "zip": "address:postcode", "zipcode": "address:postcode",
    "codepostal": "address:postcode", "cp": "address:postcode",
    "plz": "address:postcode", "postleitzahl": "address:postcode",
    "codigopostal": "address:postcode",
    "country": "address:country", "countryregion": "address:country",
    "pays": "address:country", "land": "address:country",
    "pais": "address:country",
}  # fmt: skip


def _generic_target(key: str) -> Target | None:
    spec = _generic_spec(key) or _generic_spec(key.rstrip("0123456789"))
    return parse_target(spec, slot=key) if spec else None


def _generic_spec(key: str) -> str | None:
    if not key:
        return None
    if key in _GENERIC:
        return _GENERIC[key]
    if key in _LABELLED:
        return _with_label(_LABELLED[key], DEFAULT_LABEL)
    for word, label in _STANDARD_LABELS.items():
        for rest in (key.removeprefix(word), key.removesuffix(word)):
            if rest != key and rest in _LABELLED:
                return _with_label(_LABELLED[rest], label)
    return None


def _with_label(spec: str, label: str) -> str:
    kind, _, part = spec.partition(":")
    return f"{kind}:{label}:{part}" if part else f"{kind}:{label}"
