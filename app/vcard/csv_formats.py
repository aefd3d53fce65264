"""Address books as CSV: Outlook (desktop, Outlook.com, localised), Google Contacts (current
and older), LinkedIn, and any other CSV by its columns; and contacts written as CSV.

Each column is given a *field*, a short spec saying where its values go:

- a record field: ``full_name``, ``prefix``, ``given_name``, ``additional_names``,
  ``family_name``, ``suffix``, ``nickname``, ``organization``, ``department``, ``title``,
  ``industry``, ``note``, ``how_met``, ``tier``, ``birthday``, ``tags``
- ``email:LABEL``, ``phone:LABEL``, ``url:LABEL`` (LABEL may be empty: ``email``)
- ``address:LABEL:PART`` with PART one of street, city, region, postal_code, country,
  po_box, extended
- ``spouse``, ``manager``, ``assistant``, ``children``, ``anniversary``: kept as vCard lines
- ``other``: kept among the contact's other fields under the column's name
- ``ignore``: left out (said in the import preview)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from app.model.names import family_first, split_family, split_given, split_name
from app.model.pickling import ByFields
from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.vcard.mapping import TYPE_LABELS, MappedCard, birthday_from_text, unescape
from app.vcard.problems import Problem, Severity
from app.vcard.reader import decode_text, strip_bom
from app.vcard.writer import escape

RECORD_FIELDS = (
    "full_name",
    "prefix",
    "given_name",
    "additional_names",
    "family_name",
    "suffix",
    "nickname",
    "organization",
    "department",
    "title",
    "industry",
    "note",
    "how_met",
    "tier",
    "birthday",
    "tags",
)
ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country", "po_box", "extended")
RELATED = {
    # Where the rarer people of a contact go: the vCard lines other address books write.
    "spouse": "RELATED;TYPE=spouse;VALUE=text",
    "children": "RELATED;TYPE=child;VALUE=text",
    "manager": "X-MS-MANAGER",
    "assistant": "X-MS-ASSISTANT",
}
OTHER_FIELD = "X-SECONDACT-FIELD"
SEPARATOR = " ::: "  # Google's several values in one cell

# The fields offered in the window's mapping step, with their names there.
CHOICES: list[tuple[str, str]] = [
    ("ignore", "(leave out)"),
    ("other", "Keep as another field"),
    ("full_name", "Full name"),
    ("prefix", "Name prefix (Dr., Ms.)"),
    ("given_name", "First name"),
    ("additional_names", "Middle name"),
    ("family_name", "Last name"),
    ("suffix", "Name suffix (PhD, Jr.)"),
    ("nickname", "Nickname"),
    ("organization", "Organisation"),
    ("department", "Department"),
    ("title", "Job title"),
    ("industry", "Industry"),
    ("email", "Email"),
    ("email:work", "Email (work)"),
    ("email:home", "Email (home)"),
    ("phone", "Phone"),
    ("phone:mobile", "Phone (mobile)"),
    ("phone:work", "Phone (work)"),
    ("phone:home", "Phone (home)"),
    ("url", "Web page"),
    ("url:LinkedIn", "LinkedIn profile"),
    ("address::street", "Address: street"),
    ("address::city", "Address: city"),
    ("address::region", "Address: region/state"),
    ("address::postal_code", "Address: postal code"),
    ("address::country", "Address: country"),
    ("birthday", "Birthday"),
    ("anniversary", "Anniversary"),
    ("note", "Notes"),
    ("tags", "Tags / categories"),
    ("how_met", "How we met"),
    ("spouse", "Spouse"),
    ("manager", "Manager"),
    ("assistant", "Assistant"),
]


def valid_field(spec: str) -> bool:
    kind, _, rest = spec.partition(":")
    if spec in RECORD_FIELDS or spec in RELATED or spec in ("other", "ignore", "anniversary"):
        return True
    if kind in ("email", "phone", "url"):
        return True
    if kind == "address":
        return rest.partition(":")[2] in ADDRESS_PARTS
    return False


def _addr(label: str, prefix: str = "") -> dict[str, str]:
    return {
        f"{prefix}street": f"address:{label}:street",
        f"{prefix}street 2": f"address:{label}:street",
        f"{prefix}street 3": f"address:{label}:street",
        f"{prefix}city": f"address:{label}:city",
        f"{prefix}state": f"address:{label}:region",
        f"{prefix}postal code": f"address:{label}:postal_code",
        f"{prefix}country/region": f"address:{label}:country",
        f"{prefix}address po box": f"address:{label}:po_box",
    }


# Outlook's classic desktop export (92 columns), Outlook.com's and the new Outlook's.
OUTLOOK_EN: dict[str, str] = {
    "title": "prefix",
    "first name": "given_name",
    "middle name": "additional_names",
    "last name": "family_name",
    "suffix": "suffix",
    "nickname": "nickname",
    "company": "organization",
    "department": "department",
    "job title": "title",
    **_addr("work", "business "),
    **_addr("home", "home "),
    **_addr("other", "other "),
    "assistant's phone": "phone:assistant",
    "business fax": "phone:work fax",
    "business phone": "phone:work",
    "business phone 2": "phone:work",
    "callback": "phone:callback",
    "car phone": "phone:car",
    "company main phone": "phone:company main",
    "home fax": "phone:home fax",
    "home phone": "phone:home",
    "home phone 2": "phone:home",
    "isdn": "phone:ISDN",
    "mobile phone": "phone:mobile",
    "other fax": "phone:fax",
    "other phone": "phone:other",
    "pager": "phone:pager",
    "primary phone": "phone:main",
    "radio phone": "phone:radio",
    "tty/tdd phone": "phone:textphone",
    "telex": "phone:telex",
    "anniversary": "anniversary",
    "assistant's name": "assistant",
    "birthday": "birthday",
    "categories": "tags",
    "children": "children",
    "e-mail address": "email",
    "e-mail type": "email_type",
    "e-mail display name": "email_display",
    "e-mail 2 address": "email",
    "e-mail 2 type": "email_type",
    "e-mail 2 display name": "email_display",
    "e-mail 3 address": "email",
    "e-mail 3 type": "email_type",
    "e-mail 3 display name": "email_display",
    "manager's name": "manager",
    "notes": "note",
    "spouse": "spouse",
    "web page": "url",
    "personal web page": "url:home",
    "business web page": "url:work",
    **dict.fromkeys(
        (
            "account",
            "billing information",
            "directory server",
            "gender",
            "government id number",
            "hobby",
            "initials",
            "internet free busy",
            "keywords",
            "language",
            "location",
            "mileage",
            "office location",
            "organizational id number",
            "priority",
            "private",
            "profession",
            "referred by",
            "sensitivity",
            "user 1",
            "user 2",
            "user 3",
            "user 4",
            # Outlook.com and the new Outlook
            "given yomi",
            "surname yomi",
            "company yomi",
            "imaddress",
            "schools",
        ),
        "other",
    ),
}

OUTLOOK_DE: dict[str, str] = {
    "anrede": "prefix",
    "vorname": "given_name",
    "weitere vornamen": "additional_names",
    "nachname": "family_name",
    "suffix": "suffix",
    "firma": "organization",
    "abteilung": "department",
    "position": "title",
    "straße geschäftlich": "address:work:street",
    "straße geschäftlich 2": "address:work:street",
    "straße geschäftlich 3": "address:work:street",
    "ort geschäftlich": "address:work:city",
    "region geschäftlich": "address:work:region",
    "postleitzahl geschäftlich": "address:work:postal_code",
    "land/region geschäftlich": "address:work:country",
    "postfach geschäftlich": "address:work:po_box",
    "straße privat": "address:home:street",
    "straße privat 2": "address:home:street",
    "straße privat 3": "address:home:street",
    "ort privat": "address:home:city",
    "bundesland/kanton privat": "address:home:region",
    "region privat": "address:home:region",
    "postleitzahl privat": "address:home:postal_code",
    "land/region privat": "address:home:country",
    "postfach privat": "address:home:po_box",
    "weitere straße": "address:other:street",
    "weitere straße 2": "address:other:street",
    "weitere straße 3": "address:other:street",
    "weiterer ort": "address:other:city",
    "weiteres/r bundesland/kanton": "address:other:region",
    "weitere postleitzahl": "address:other:postal_code",
    "weiteres/e land/region": "address:other:country",
    "weiteres postfach": "address:other:po_box",
    "telefon assistent": "phone:assistant",
    "fax geschäftlich": "phone:work fax",
    "telefon geschäftlich": "phone:work",
    "telefon geschäftlich 2": "phone:work",
    "rückmeldung": "phone:callback",
    "autotelefon": "phone:car",
    "telefon firma": "phone:company main",
    "fax privat": "phone:home fax",
    "telefon privat": "phone:home",
    "telefon privat 2": "phone:home",
    "isdn": "phone:ISDN",
    "mobiltelefon": "phone:mobile",
    "weiteres fax": "phone:fax",
    "weiteres telefon": "phone:other",
    "pager": "phone:pager",
    "haupttelefon": "phone:main",
    "mobiltelefon 2": "phone:mobile",
    "telefon für hörbehinderte": "phone:textphone",
    "telex": "phone:telex",
    "e-mail-adresse": "email",
    "e-mail-typ": "email_type",
    "e-mail: angezeigter name": "email_display",
    "e-mail 2: adresse": "email",
    "e-mail 2: typ": "email_type",
    "e-mail 2: angezeigter name": "email_display",
    "e-mail 3: adresse": "email",
    "e-mail 3: typ": "email_type",
    "e-mail 3: angezeigter name": "email_display",
    "geburtstag": "birthday",
    "jahrestag": "anniversary",
    "kategorien": "tags",
    "kinder": "children",
    "name des assistenten": "assistant",
    "name des/der vorgesetzten": "manager",
    "notizen": "note",
    "partner": "spouse",
    "webseite": "url",
    **dict.fromkeys(
        (
            "abrechnungsinformation",
            "benutzer 1",
            "benutzer 2",
            "benutzer 3",
            "benutzer 4",
            "beruf",
            "büro",
            "empfohlen von",
            "geschlecht",
            "hobby",
            "initialen",
            "internet-frei/gebucht",
            "konto",
            "organisations-nr.",
            "ort",
            "priorität",
            "privat",
            "regierungs-nr.",
            "reisekilometer",
            "sprache",
            "stichwörter",
            "vertraulichkeit",
            "verzeichnisserver",
        ),
        "other",
    ),
}

OUTLOOK_FR: dict[str, str] = {
    "titre": "prefix",
    "prénom": "given_name",
    "deuxième prénom": "additional_names",
    "nom": "family_name",
    "suffixe": "suffix",
    "société": "organization",
    "service": "department",
    "fonction": "title",
    "rue (bureau)": "address:work:street",
    "rue (bureau) 2": "address:work:street",
    "rue (bureau) 3": "address:work:street",
    "ville (bureau)": "address:work:city",
    "dép/région (bureau)": "address:work:region",
    "code postal (bureau)": "address:work:postal_code",
    "pays/région (bureau)": "address:work:country",
    "b.p. professionnelle": "address:work:po_box",
    "rue (domicile)": "address:home:street",
    "rue (domicile) 2": "address:home:street",
    "rue (domicile) 3": "address:home:street",
    "ville (domicile)": "address:home:city",
    "dép/région (domicile)": "address:home:region",
    "code postal (domicile)": "address:home:postal_code",
    "pays/région (domicile)": "address:home:country",
    "b.p. domicile": "address:home:po_box",
    "rue (autre)": "address:other:street",
    "rue (autre) 2": "address:other:street",
    "rue (autre) 3": "address:other:street",
    "ville (autre)": "address:other:city",
    "dép/région (autre)": "address:other:region",
    "code postal (autre)": "address:other:postal_code",
    "pays/région (autre)": "address:other:country",
    "téléphone de l'assistant(e)": "phone:assistant",
    "télécopie (bureau)": "phone:work fax",
    "téléphone (bureau)": "phone:work",
    "téléphone 2 (bureau)": "phone:work",
    "rappel": "phone:callback",
    "téléphone (voiture)": "phone:car",
    "téléphone société": "phone:company main",
    "télécopie (domicile)": "phone:home fax",
    "téléphone (domicile)": "phone:home",
    "téléphone 2 (domicile)": "phone:home",
    "rnis": "phone:ISDN",
    "tél. mobile": "phone:mobile",
    "télécopie (autre)": "phone:fax",
    "téléphone (autre)": "phone:other",
    "récepteur de radiomessagerie": "phone:pager",
    "téléphone principal": "phone:main",
    "radiotéléphone": "phone:radio",
    "téléphone tdd/tty": "phone:textphone",
    "télex": "phone:telex",
    "adresse de messagerie": "email",
    "type de messagerie": "email_type",
    "nom complet de l'adresse de messagerie": "email_display",
    "adresse de messagerie 2": "email",
    "type de messagerie 2": "email_type",
    "nom complet de l'adresse de messagerie 2": "email_display",
    "adresse de messagerie 3": "email",
    "type de messagerie 3": "email_type",
    "nom complet de l'adresse de messagerie 3": "email_display",
    "anniversaire": "birthday",
    "anniversaire de mariage ou fête": "anniversary",
    "catégories": "tags",
    "enfants": "children",
    "nom de l'assistant(e)": "assistant",
    "nom du manager": "manager",
    "notes": "note",
    "conjoint(e)": "spouse",
    "page web": "url",
    **dict.fromkeys(
        (
            "compte",
            "informations facturation",
            "serveur d'annuaire",
            "sexe",
            "hobby",
            "initiales",
            "disponibilité internet",
            "mots clés",
            "langue",
            "emplacement",
            "kilométrage",
            "bureau",
            "code d'organisation",
            "priorité",
            "privé",
            "profession",
            "recommandé par",
            "critère de diffusion",
            "utilisateur 1",
            "utilisateur 2",
            "utilisateur 3",
            "utilisateur 4",
        ),
        "other",
    ),
}

OUTLOOK_ES: dict[str, str] = {
    "tratamiento": "prefix",
    "nombre": "given_name",
    "segundo nombre": "additional_names",
    "apellidos": "family_name",
    "sufijo": "suffix",
    "organización": "organization",
    "compañía": "organization",
    "departamento": "department",
    "puesto": "title",
    "calle del trabajo": "address:work:street",
    "calle del trabajo 2": "address:work:street",
    "calle del trabajo 3": "address:work:street",
    "ciudad de trabajo": "address:work:city",
    "provincia o estado de trabajo": "address:work:region",
    "código postal del trabajo": "address:work:postal_code",
    "país o región del trabajo": "address:work:country",
    "apartado postal del trabajo": "address:work:po_box",
    "calle del domicilio": "address:home:street",
    "calle del domicilio 2": "address:home:street",
    "calle del domicilio 3": "address:home:street",
    "ciudad de residencia": "address:home:city",
    "provincia o estado de residencia": "address:home:region",
    "código postal de residencia": "address:home:postal_code",
    "país o región de residencia": "address:home:country",
    "apartado postal del domicilio": "address:home:po_box",
    "otra calle": "address:other:street",
    "otra calle 2": "address:other:street",
    "otra calle 3": "address:other:street",
    "otra ciudad": "address:other:city",
    "otra provincia o estado": "address:other:region",
    "otro código postal": "address:other:postal_code",
    "otro país o región": "address:other:country",
    "teléfono del ayudante": "phone:assistant",
    "fax del trabajo": "phone:work fax",
    "teléfono del trabajo": "phone:work",
    "teléfono del trabajo 2": "phone:work",
    "devolución de llamada": "phone:callback",
    "teléfono del automóvil": "phone:car",
    "número de centralita de la organización": "phone:company main",
    "fax particular": "phone:home fax",
    "particular": "phone:home",
    "número de teléfono particular 2": "phone:home",
    "rdsi": "phone:ISDN",
    "móvil": "phone:mobile",
    "otro fax": "phone:fax",
    "otro teléfono": "phone:other",
    "localizador": "phone:pager",
    "teléfono principal": "phone:main",
    "radioteléfono": "phone:radio",
    "teléfono tty/tdd": "phone:textphone",
    "télex": "phone:telex",
    "dirección de correo electrónico": "email",
    "tipo de correo electrónico": "email_type",
    "nombre para mostrar del correo electrónico": "email_display",
    "dirección del correo electrónico 2": "email",
    "tipo de correo electrónico 2": "email_type",
    "nombre para mostrar del correo electrónico 2": "email_display",
    "dirección del correo electrónico 3": "email",
    "tipo de correo electrónico 3": "email_type",
    "nombre para mostrar del correo electrónico 3": "email_display",
    "cumpleaños": "birthday",
    "aniversario": "anniversary",
    "categorías": "tags",
    "hijos": "children",
    "nombre del ayudante": "assistant",
    "nombre del director": "manager",
    "notas": "note",
    "cónyuge": "spouse",
    "página web": "url",
    **dict.fromkeys(
        (
            "cuenta",
            "información de facturación",
            "servidor de directorio",
            "sexo",
            "aficiones",
            "iniciales",
            "disponibilidad de internet",
            "palabras clave",
            "idioma",
            "ubicación",
            "kilometraje",
            "ubicación de la oficina",
            "número de id. de la organización",
            "prioridad",
            "privado",
            "profesión",
            "remitido por",
            "confidencialidad",
            "usuario 1",
            "usuario 2",
            "usuario 3",
            "usuario 4",
        ),
        "other",
    ),
}

GOOGLE: dict[str, str] = {
    # Current export
    "first name": "given_name",
    "middle name": "additional_names",
    "last name": "family_name",
    "name prefix": "prefix",
    "name suffix": "suffix",
    "nickname": "nickname",
    "organization name": "organization",
    "organization title": "title",
    "organization department": "department",
    "birthday": "birthday",
    "notes": "note",
    "labels": "labels",
    **dict.fromkeys(
        (
            "phonetic first name",
            "phonetic middle name",
            "phonetic last name",
            "file as",
            "photo",
        ),
        "other",
    ),
    # Older export (and what Google's import still reads)
    "name": "full_name",
    "given name": "given_name",
    "additional name": "additional_names",
    "family name": "family_name",
    "group membership": "labels",
    **dict.fromkeys(
        (
            "yomi name",
            "given name yomi",
            "additional name yomi",
            "family name yomi",
            "initials",
            "short name",
            "maiden name",
            "gender",
            "location",
            "billing information",
            "directory server",
            "mileage",
            "occupation",
            "hobby",
            "sensitivity",
            "priority",
            "subject",
            "language",
        ),
        "other",
    ),
}
# "E-mail 1 - Value", "Organization 1 - Title", "Custom Field 2 - Label"
GOOGLE_NUMBERED = re.compile(
    r"(e-mail|phone|address|website|relation|event|custom field|im|organization|external id)"
    r" (\d+) - (.+)"
)

LINKEDIN: dict[str, str] = {
    "first name": "given_name",
    "last name": "family_name",
    "url": "url:LinkedIn",
    "email address": "email",
    "company": "organization",
    "position": "title",
    "connected on": "connected_on",
}

# Headers of a spreadsheet or a CRM's export, in the languages above.
GENERIC: dict[str, str] = {
    **dict.fromkeys(("full name", "name", "display name", "contact", "contact name"), "full_name"),
    **dict.fromkeys(("first name", "firstname", "given name", "forename"), "given_name"),
    **dict.fromkeys(("last name", "lastname", "surname", "family name"), "family_name"),
    **dict.fromkeys(("email", "e-mail", "email address", "e-mail address", "mail"), "email"),
    **dict.fromkeys(("work email", "business email"), "email:work"),
    **dict.fromkeys(("home email", "personal email", "private email"), "email:home"),
    **dict.fromkeys(("phone", "telephone", "phone number", "tel", "tel."), "phone"),
    **dict.fromkeys(("mobile", "cell", "cell phone", "mobile number"), "phone:mobile"),
    **dict.fromkeys(("work phone", "office phone"), "phone:work"),
    **dict.fromkeys(("company", "organization", "organisation", "employer"), "organization"),
    **dict.fromkeys(("job title", "title", "position", "role"), "title"),
    **dict.fromkeys(("website", "web site", "url", "homepage", "web"), "url"),
    **dict.fromkeys(("linkedin", "linkedin url", "linkedin profile"), "url:LinkedIn"),
    **dict.fromkeys(("notes", "note", "comments", "comment"), "note"),
    **dict.fromkeys(("tags", "tag", "groups", "group", "categories", "category"), "tags"),
    **dict.fromkeys(("birthday", "date of birth", "dob", "birth date"), "birthday"),
    **dict.fromkeys(("address", "street", "street address"), "address::street"),
    "city": "address::city",
    **dict.fromkeys(("state", "region", "province", "county"), "address::region"),
    **dict.fromkeys(("zip", "zip code", "postal code", "postcode"), "address::postal_code"),
    "country": "address::country",
    "industry": "industry",
    **dict.fromkeys(("how we met", "how met", "met at"), "how_met"),
    "department": "department",
    "nickname": "nickname",
    "middle name": "additional_names",
    "prefix": "prefix",
    "suffix": "suffix",
    # German
    "name": "full_name",
    "e-mail": "email",
    **dict.fromkeys(("telefon", "telefonnummer"), "phone"),
    **dict.fromkeys(("handy", "mobil", "mobilnummer"), "phone:mobile"),
    **dict.fromkeys(("unternehmen", "organisation"), "organization"),
    **dict.fromkeys(("straße", "strasse", "adresse", "anschrift"), "address::street"),
    **dict.fromkeys(("plz", "postleitzahl"), "address::postal_code"),
    **dict.fromkeys(("stadt", "ort"), "address::city"),
    "land": "address::country",
    **dict.fromkeys(("bemerkung", "bemerkungen", "notiz"), "note"),
    "branche": "industry",
    # French and Spanish
    **dict.fromkeys(("courriel", "e-mail", "correo", "correo electrónico"), "email"),
    **dict.fromkeys(("téléphone", "teléfono"), "phone"),
    **dict.fromkeys(("portable", "mobile", "celular"), "phone:mobile"),
    **dict.fromkeys(("entreprise", "empresa"), "organization"),
    **dict.fromkeys(("poste", "cargo"), "title"),
    **dict.fromkeys(("adresse", "dirección"), "address::street"),
    **dict.fromkeys(("ville", "ciudad"), "address::city"),
    **dict.fromkeys(("code postal", "código postal"), "address::postal_code"),
    **dict.fromkeys(("pays", "país"), "address::country"),
}

_FORMATS: list[tuple[str, dict[str, str], bool]] = [
    # name, headers, written with the day before the month
    ("LinkedIn", LINKEDIN, False),
    ("Google Contacts", GOOGLE, False),
    ("Outlook", OUTLOOK_EN, False),
    ("Outlook (German)", OUTLOOK_DE, True),
    ("Outlook (French)", OUTLOOK_FR, True),
    ("Outlook (Spanish)", OUTLOOK_ES, True),
]
# Values Outlook writes for "nothing": left out rather than kept.
_NOTHING = {"0/0/00", "0.0.00", "00.00.00", "unspecified", "normal", "false", "smtp"}


def norm_header(text: str) -> str:
    # lower(), not casefold(): casefold spells "Straße" "strasse".
    return " ".join(text.replace("\ufeff", "").strip().strip('"').lower().split())


@dataclass
class CsvLayout(ByFields):
    """A CSV file's columns as read: what the window shows in its mapping step."""

    header: list[str]
    rows: list[list[str]]  # the first rows, for the preview
    fields: list[str]  # a field per column; "" where none could be guessed
    format: str = "CSV"

    @property
    def unplaced(self) -> list[str]:
        return [h for h, f in zip(self.header, self.fields, strict=True) if not f]

    def key(self) -> str:
        """What recognises the next file with the same header (the remembered mapping)."""
        return "\x1f".join(norm_header(h) for h in self.header)


@dataclass
class CsvResult:
    cards: list[MappedCard] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    layout: CsvLayout | None = None  # set when columns remain to be placed


def decode_csv(data: bytes) -> str:
    """Text of a CSV as Outlook, Excel or Google wrote it: UTF-8 (with or without BOM),
    UTF-16 (Outlook's and Excel's "Unicode text"), or the Windows code page of the
    writer's language: Western (1252), Central European (1250) or Cyrillic (1251)."""
    data = strip_bom(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    texts = []
    for codec in WINDOWS_CODE_PAGES:
        try:
            texts.append(data.decode(codec))
        except UnicodeDecodeError:
            continue
    if not texts:
        return decode_text(data)
    return min(texts, key=_implausible)  # the first of equals: Western


WINDOWS_CODE_PAGES = ("cp1252", "cp1250", "cp1251")
_WORDS = re.compile(r"[^\s!-@\[-`{-~]+")  # runs without spaces and ASCII punctuation


def _implausible(text: str) -> int:
    """How many words of *text* look like another code page's letters: a symbol beside
    letters ("£ukasz", "Wa³êsa": Polish read as Western), Latin and Cyrillic letters in one
    word ("Mьller": German read as Cyrillic), or a word nearly all accented letters
    ("Èâàí": Russian read as Western). Central European text whose every letter is also a
    Western one ("Jiří" is "Jiøí" in 1252) is not told apart: it reads as Western."""
    bad = 0
    for word in _WORDS.findall(text[:65536]):
        if word.isascii():
            continue
        letters = [c for c in word if c.isalpha()]
        cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
        accented = sum(1 for c in letters if not c.isascii())
        if (
            (len(letters) < len(word) and letters)
            or 0 < cyrillic < len(letters)
            or (not cyrillic and len(letters) >= 3 and accented * 3 >= len(letters) * 2)
        ):
            bad += 1
    return bad


def sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: the most frequent of , ; tab | outside quotes."""
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {d: outside.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def guess_fields(header: list[str]) -> tuple[list[str], str, bool]:
    """A field per column ("" where unknown), the format's name, and whether dates put the
    day first."""
    names = [norm_header(h) for h in header]
    best: tuple[int, str, dict[str, str], bool] = (0, "CSV", GENERIC, False)
    for name, table, day_first in _FORMATS:
        if table is LINKEDIN and "connected on" not in names:
            continue
        score = sum(1 for n in names if n in table or (table is GOOGLE and _google(n)))
        need = 2 if table is not LINKEDIN else 3
        if score >= need and score > best[0]:
            best = (score, name, table, day_first)
    score, fmt, table, day_first = best
    if score < 6 and table is not LINKEDIN and not any(_google(n) for n in names):
        fmt = "CSV"  # a spreadsheet with a few of those headers, not that product's export
    fields = []
    for n in names:
        f = table.get(n) or (_google(n) if table is GOOGLE else "") or GENERIC.get(n, "")
        fields.append(f)
    # A lone "Nombre" (Spanish for name and first name) with no family name column is the
    # whole name.
    if fields.count("given_name") == 1 and not {"family_name", "full_name"} & set(fields):
        fields[fields.index("given_name")] = "full_name"
    # Outlook's "Title" is Mr. or Dr., beside its "Job Title"; alone, it is the job.
    for i, n in enumerate(names):
        if n in ("title", "titre"):
            job_elsewhere = any(f == "title" for j, f in enumerate(fields) if j != i)
            fields[i] = "prefix" if job_elsewhere else "title"
    return fields, fmt, day_first


def _google(n: str) -> str:
    m = GOOGLE_NUMBERED.fullmatch(n)
    if not m:
        return ""
    part = m[3].replace(" ", "_")
    if part == "type":
        part = "label"
    return f"g:{m[1]}:{m[2]}:{part}"


def read_csv(data: bytes, file: str, mapping: dict[str, str] | None = None) -> CsvResult:
    """Read a CSV address book. Columns the layout does not explain and *mapping* (column
    header → field) does not place make the file refused, naming them: a CSV is never
    reduced to names silently."""
    text = decode_csv(data)
    # Only line breaks end a line: str.splitlines also cuts at \x1c-\x1e, \x85 and \u2028,
    # which a cell may hold, and made one row two.
    lines = re.split(r"\r\n|\r|\n", text)
    result = CsvResult()
    header_at = None
    for i, line in enumerate(lines[:20]):
        delimiter = sniff_delimiter(line)
        cells = next(csv.reader([line], delimiter=delimiter), [])
        fields, _, _ = guess_fields(cells)
        if sum(1 for f in fields if f) >= min(2, len(cells)) and len(cells) > 1:
            header_at = i
            break
    if header_at is None:
        header_at = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        result.problems.append(Problem(file, 0, "the file is empty", Severity.ERROR))
        return result
    delimiter = sniff_delimiter(lines[header_at])
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [h.replace("\ufeff", "").strip() for h in next(reader)]
        for row in reader:
            if any(c.strip() for c in row):
                rows.append((header_at + reader.line_num, row))
    except csv.Error as exc:  # a cell over the csv module's limit (128 kB), say
        where = header_at + reader.line_num
        result.problems.append(
            Problem(
                file,
                0,
                f"line {where} cannot be read as CSV ({exc}); nothing imported",
                Severity.ERROR,
            )
        )
        return result
    fields, fmt, day_first = guess_fields(header)
    given = {norm_header(k): v for k, v in (mapping or {}).items()}
    absent = set(given) - {norm_header(h) for h in header}
    if absent:
        result.problems.append(
            Problem(
                file,
                0,
                "the file has no column "
                + ", ".join(
                    f"“{k}”" for k, v in (mapping or {}).items() if norm_header(k) in absent
                ),
            )
        )
    fields = [given.get(norm_header(h), f) for h, f in zip(header, fields, strict=True)]
    # A column that is empty in every row (or says Outlook's "nothing") needs no place.
    used = [
        any(i < len(r) and r[i].strip().lower() not in ("", *_NOTHING) for _, r in rows)
        for i in range(len(header))
    ]
    layout = CsvLayout(
        header,
        [r for _, r in rows[:5]],
        [f or ("" if used[i] else "ignore") for i, f in enumerate(fields)],
        fmt,
    )
    fields = layout.fields
    if layout.unplaced:
        result.layout = layout
        names = ", ".join(f"“{h}”" for h in layout.unplaced)
        result.problems.append(
            Problem(
                file,
                0,
                f"columns Second Act could not place: {names}; nothing is imported until "
                f'each has a field (--map "{layout.unplaced[0]}=FIELD", or =other to keep it, '
                "=ignore to leave it out; the fields are in 'second-act import --help')",
                Severity.ERROR,
            )
        )
        return result
    # What the preview says of the file: how many rows, and which columns went nowhere.
    day_first = _day_first(rows, [i for i, f in enumerate(fields) if f in _DATES], day_first)
    left_out = [h for h, f, u in zip(header, fields, used, strict=True) if f == "ignore" and u]
    kept = [h for h, f, u in zip(header, fields, used, strict=True) if f == "other" and u]
    said = f"{len(rows)} row{'s' if len(rows) != 1 else ''} read as {fmt}"
    if kept:
        said += "; kept as other fields: " + ", ".join(f"“{h}”" for h in kept)
    if left_out:
        said += "; columns not used: " + ", ".join(f"“{h}”" for h in left_out)
    result.problems.append(Problem(file, 0, said))
    for at, row in rows:
        if len(row) != len(header):
            result.problems.append(
                Problem(
                    file,
                    at,
                    f"expected {len(header)} columns, found {len(row)}; read what was there",
                )
            )
        card = _row_to_card(header, fields, row, file, at, day_first)
        result.cards.append(card)
    return result


def unformula(value: str) -> str:
    """A cell written by csv_cell: the apostrophe that kept it from being a formula goes."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _label(label: str) -> str:
    """Google's "* Work" (the starred one is the primary) or Outlook's "Mobile", as Second Act
    labels them: the vCard types lower case, any other label as written."""
    label = label.strip().removeprefix("* ").strip()
    return _KNOWN_LABELS.get(label.casefold(), label)


_KNOWN_LABELS = {v.casefold(): v for v in TYPE_LABELS.values()}


_DATES = ("birthday", "anniversary")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})")


def _day_first(rows: list[tuple[int, list[str]]], columns: list[int], default: bool) -> bool:
    """Whether the file's dates put the day first: a first number over 12 says so (an English
    Outlook in the UK writes 17/05/1980), a second one over 12 says not; else the language's
    custom."""
    for _, row in rows:
        for i in columns:
            m = _NUMERIC_DATE.fullmatch(row[i].strip()) if i < len(row) else None
            if m and int(m[1]) > 12:
                return True
            if m and int(m[3]) > 12:
                return False
    return default


def parse_date(text: str, day_first: bool) -> Birthday | None:
    """A date as Outlook (in the writer's locale), Google or a spreadsheet wrote it; None for
    Outlook's "no date" and for anything that is not a date."""
    text = text.strip()
    if not text or text in _NOTHING:
        return None
    known = birthday_from_text(text)
    if known is not None:
        return known
    m = _NUMERIC_DATE.fullmatch(text)
    if not m:
        return None
    a, b, year = int(m[1]), int(m[3]), int(m[4])
    if year < 100:
        this = dt.date.today().year % 100
        year += 1900 if year > this else 2000
    month, day = (b, a) if (day_first or m[2] == "." or a > 12) else (a, b)
    if year == 1604 or not (1 <= month <= 12):
        return None
    try:
        return Birthday(month, day, year)
    except ValueError:
        return None


def other_line(label: str, value: str) -> str:
    """A value kept among the other fields, under the column's name."""
    label = label.replace('"', "'").replace("\n", " ")
    return f'{OTHER_FIELD};X-LABEL="{label}":{escape(value)}'


def other_field(line: str) -> tuple[str, str] | None:
    """(label, value) of a line written by other_line; None for any other line."""
    m = re.fullmatch(rf'{OTHER_FIELD};X-LABEL="([^"]*)":(.*)', line, re.S)
    return (m[1], unescape(m[2])) if m else None


@dataclass
class _Row:
    r: ContactRecord
    full: str = ""
    addresses: dict[str, PostalAddress] = field(default_factory=dict)
    groups: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _row_to_card(
    header: list[str], fields: list[str], row: list[str], file: str, line: int, day_first: bool
) -> MappedCard:
    out = _Row(ContactRecord())
    r = out.r
    for i, (column, spec) in enumerate(zip(header, fields, strict=True)):
        value = unformula(row[i].strip()) if i < len(row) else ""
        if not value or spec == "ignore":
            continue
        _put(out, column, spec, value.replace("\r\n", "\n").replace("\r", "\n"), day_first)
    kinds = list(dict.fromkeys(kind for kind, _ in out.groups))
    # "Phone 2" after "Phone 1", whatever the columns' order; the kinds as they came.
    for (kind, _n), parts in sorted(
        out.groups.items(), key=lambda g: (kinds.index(g[0][0]), int(g[0][1]))
    ):
        _put_group(out, kind, parts, day_first)
    for label, a in out.addresses.items():
        a.label = a.label or label
        if not a.is_empty():
            r.addresses.append(a)
    _names(out, "given_name" in fields or "family_name" in fields)
    card = MappedCard(r, file, line, [Problem(file, line, p.message) for p in out.problems])
    if not r.display_name:
        card.problems.append(
            Problem(
                file,
                line,
                "the row has no name, organisation, email, phone or address; skipped",
                Severity.ERROR,
            )
        )
    return card


def _put(out: _Row, column: str, spec: str, value: str, day_first: bool) -> None:
    r = out.r
    kind, _, rest = spec.partition(":")
    if spec == "full_name":
        out.full = value
    elif spec == "given_name":
        prefix, r.given_name = split_given(value)
        r.prefix = r.prefix or prefix
    elif spec == "family_name":
        r.family_name, suffix = split_family(value)
        r.suffix = r.suffix or suffix
    elif spec in ("tags", "labels"):
        pieces = value.split(":::") if spec == "labels" else re.split(r"[;,]", value)
        for tag in (t.strip() for t in pieces):
            if tag.casefold() in ("* mycontacts", "* my contacts", "mycontacts"):
                continue
            tag = tag.removeprefix("* ")
            if tag and tag not in r.tags:
                r.tags.append(tag)
    elif spec == "note":
        r.note = f"{r.note}\n{value}" if r.note else value
    elif spec == "birthday":
        bday = parse_date(value, day_first)
        if bday is not None:
            r.birthday = bday
        elif value not in _NOTHING:
            out.problems.append(Problem("", 0, f"“{value}” is not a date; kept as {column}"))
            r.extra_lines.append(other_line(column, value))
    elif spec == "anniversary":
        date = parse_date(value, day_first)
        if date is not None:
            r.extra_lines.append(f"ANNIVERSARY:{date.iso()}")
        elif value not in _NOTHING:
            r.extra_lines.append(other_line(column, value))
    elif spec in RECORD_FIELDS:
        setattr(r, spec, value if not getattr(r, spec) else f"{getattr(r, spec)} {value}")
    elif kind == "email" and value.lower().startswith("/o="):
        # An Exchange address (Outlook's "E-mail Type" EX): a directory name, not an email.
        r.extra_lines.append(other_line(column or "Exchange address", value))
    elif kind in ("email", "phone", "url"):
        target = {"email": r.emails, "phone": r.phones, "url": r.urls}[kind]
        for v in (v.strip() for v in value.split(":::")):
            if v:
                target.append(Labeled(v, _label(rest)))
    elif kind == "address":
        label, _, part = rest.partition(":")
        a = out.addresses.setdefault(label, PostalAddress(label=_label(label)))
        before = getattr(a, part)
        setattr(a, part, f"{before}\n{value}" if before else value)
    elif kind == "g":
        gkind, n, part = rest.split(":", 2)
        out.groups.setdefault((gkind, n), {})[part] = value
    elif spec in RELATED:
        r.extra_lines.append(f"{RELATED[spec]}:{escape(value)}")
    elif spec == "email_type":
        if value.casefold() != "smtp":
            r.extra_lines.append(other_line(column, value))
    elif spec == "email_display":
        if "@" not in value:  # Outlook's "Name (address)" repeats the address
            r.extra_lines.append(other_line(column, value))
    elif spec == "connected_on":
        r.how_met = f"LinkedIn connection since {value}"
    elif value.casefold() not in _NOTHING:  # "other"
        r.extra_lines.append(other_line(column, value))


def _put_group(out: _Row, kind: str, parts: dict[str, str], day_first: bool) -> None:
    r = out.r
    label = parts.get("label", "")
    value = parts.get("value", "")
    if kind in ("e-mail", "phone", "website"):
        spec = {"e-mail": "email", "phone": "phone", "website": "url"}[kind]
        if value:
            _put(out, "", f"{spec}:{label}", value, day_first)
    elif kind == "address":
        a = PostalAddress(label=_label(label))
        for part in ADDRESS_PARTS:
            setattr(a, part, parts.get("extended_address" if part == "extended" else part, ""))
        if a.is_empty() and parts.get("formatted"):
            a.street = parts["formatted"]
        if not a.is_empty():
            r.addresses.append(a)
    elif kind == "organization":
        for part, attr in (("name", "organization"), ("title", "title")):
            if parts.get(part) and not getattr(r, attr):
                setattr(r, attr, parts[part])
        if parts.get("department"):
            r.department = r.department or parts["department"]
        for part, v in parts.items():
            if part not in ("name", "title", "department", "type", "label") and v:
                r.extra_lines.append(other_line(f"Organization {part.replace('_', ' ')}", v))
    elif kind == "relation" and value:
        spec = {"spouse": "spouse", "child": "children", "manager": "manager"}.get(
            label.casefold(), "assistant" if label.casefold() == "assistant" else ""
        )
        if spec:
            r.extra_lines.append(f"{RELATED[spec]}:{escape(value)}")
        else:
            r.extra_lines.append(other_line(f"Relation: {label}" if label else "Relation", value))
    elif kind == "event" and value:
        if label.casefold() == "anniversary":
            _put(out, "Anniversary", "anniversary", value, day_first)
        else:
            r.extra_lines.append(other_line(f"Event: {label}" if label else "Event", value))
    elif kind == "custom field" and value:
        own = _CUSTOM.get(label.casefold())
        if own == "vcard":
            r.extra_lines.append(value)
        elif own:
            setattr(r, own, value)
        else:
            r.extra_lines.append(other_line(label or "Custom field", value))
    elif kind == "im" and value:
        service = parts.get("service", "").strip().casefold()
        r.extra_lines.append(f"IMPP:{service}:{value}" if service else f"IMPP:{value}")
    elif value:
        r.extra_lines.append(other_line(f"{kind.title()}: {label}" if label else kind, value))


_CUSTOM = {"industry": "industry", "how met": "how_met", "tier": "tier", "vcard": "vcard"}


def _names(out: _Row, has_parts: bool) -> None:
    """The name cell split into its parts where the file has no columns for them, or where
    it is written family name first ("Richter, James": then the name is composed)."""
    r = out.r
    full = out.full
    if not full:
        return
    turned = family_first(full)
    parts = turned or split_name(full)
    if (
        r.given_name
        or r.family_name
        or (has_parts and not (turned or parts.prefix or parts.suffix))
    ):
        r.full_name = full
        return
    r.prefix = r.prefix or parts.prefix
    r.given_name, r.additional_names, r.family_name = parts.given, parts.middle, parts.family
    r.suffix = r.suffix or parts.suffix
    r.full_name = "" if turned else full
