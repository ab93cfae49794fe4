"""A deterministic, seeded generator of labelled narratives and records for the redaction tests.

Four kinds of documents (police reports, jail bookings, utility accounts, benefits cases; some in
Spanish) carry planted identifiers and status phrases, each labelled with its character span and
data category, and traps that must NOT be redacted: phone numbers, booking, case and account
numbers, dates, ZIP codes, "ICE" inside "police" or "ice cream", "Visa" cards, "alien" costumes,
"born in 1985"...

Everything is synthetic: names, numbers and places are drawn from small lists and random digits.
`generate(seed, n)` always returns the same documents for the same arguments.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str
    kind: str


@dataclass
class Doc:
    kind: str
    parts: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    size: int = 0

    def add(self, text: str) -> Doc:
        self.parts.append(text)
        self.size += len(text)
        return self

    def plant(self, text: str, category: str, kind: str) -> Doc:
        self.spans.append(Span(self.size, self.size + len(text), category, kind))
        return self.add(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


FIRST = "Maria Jose Luis Ana Carlos Rosa Juan Elena Miguel Sofia David Laura Pedro Carmen"
FIRSTS = FIRST.split()
LAST_NAMES = "Lopez Garcia Hernandez Martinez Smith Nguyen Johnson Ramirez Flores Torres Chen Brown"
LASTS = LAST_NAMES.split()
STREETS = ["W Olympic Blvd", "S Main St", "E 14th St", "Cesar Chavez Ave", "Mission St", "Elm Ave"]
CITIES = [("Los Angeles", "CA", "900"), ("San Jose", "CA", "951"), ("Eugene", "OR", "974")]
PLACES = [
    "Guadalajara, Jalisco",
    "San Salvador",
    "Tegucigalpa",
    "Oaxaca",
    "Quetzaltenango",
    "Managua",
    "Puebla",
    "Mexico",
    "Guatemala",
    "Honduras",
    "El Salvador",
    "Port-au-Prince",
    "Caracas",
    "Michoacán",
    "San Pedro Sula",
    "Los Angeles",
]
COUNTRIES = ["Mexico", "Guatemala", "Honduras", "El Salvador", "Venezuela", "Haiti", "Nicaragua"]
DEMONYMS = ["Mexican", "Guatemalan", "Honduran", "Salvadoran", "Venezuelan", "Haitian", "Cuban"]
STATUS_EN = [
    "undocumented",
    "illegal alien",
    "overstayed his visa",
    "overstayed her tourist visa",
    "DACA recipient",
    "TPS holder",
    "asylum seeker",
    "green card holder",
    "ICE hold",
    "ICE detainer",
    "immigration hold",
    "removal proceedings",
    "no legal status",
    "out of status",
    "lawful permanent resident",
    "deported",
    "I-247A",
    "entered the country illegally",
    "pending asylum",
    "refugee status",
    "U visa",
    "Temporary Protected Status",
    "visa overstay",
    "illegal immigrant",
]
STATUS_ES = [
    "sin papeles",
    "indocumentado",
    "indocumentada",
    "deportado",
    "solicitante de asilo",
    "residente permanente",
    "tarjeta verde",
    "estatus migratorio",
    "visa vencida",
    "la migra",
    "orden de deportación",
    "sin documentos",
]


def _d(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


def _nz(r: random.Random, n: int) -> str:
    """n digits that are not all the same and do not start with 0."""
    while True:
        s = r.choice("123456789") + _d(r, n - 1)
        if len(set(s)) > 2:
            return s


def _ssn(r: random.Random) -> str:
    area = r.choice([x for x in range(1, 900) if x != 666])
    return f"{area:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"


def _itin(r: random.Random) -> str:
    group = r.choice([*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)])
    return f"9{_d(r, 2)}-{group:02d}-{_d(r, 4)}"


# Planters: each adds a lead-in (context) and plants the identifier. ("category", kind, fn)
Planter = Callable[[Doc, random.Random], None]
NID = "national_ids"


def p_anumber(doc: Doc, r: random.Random) -> None:
    n = _nz(r, r.choice([7, 8, 9, 9, 9]))
    form = r.randrange(7)
    lead = r.choice(
        ["A-number ", "his A-number is ", "Alien No. ", "USCIS# ", "A# ", "", "A-file "]
    )
    if form == 0 and len(n) == 9:
        doc.add(lead).plant(f"A{n[:3]}-{n[3:6]}-{n[6:]}", NID, "a_number")
    elif form == 1:
        doc.add(lead).plant(f"A{n}", NID, "a_number")
    elif form == 2:
        doc.add(lead).plant(f"A-{n}", NID, "a_number")
    elif form == 3:
        doc.plant(f"A# {n}", NID, "a_number")
    elif form == 4 and len(n) == 9:
        doc.add(r.choice(["USCIS# ", "USCIS #", "Alien Registration Number: "]))
        doc.plant(f"{n[:3]}-{n[3:6]}-{n[6:]}", NID, "a_number")
    else:
        doc.add(r.choice(["A-number: ", "alien registration number ", "Alien No. ", "A number "]))
        doc.plant(n, NID, "a_number")


def p_receipt(doc: Doc, r: random.Random) -> None:
    pre = r.choice(["EAC", "WAC", "LIN", "SRC", "MSC", "IOE", "NBC", "YSC"])
    yy, a, b = _d(r, 2), _d(r, 3), _d(r, 5)
    text = r.choice([f"{pre}{yy}{a}{b}", f"{pre}-{yy}-{a}-{b}", f"{pre} {yy} {a} {b}"])
    doc.add(r.choice(["USCIS receipt number ", "receipt ", "I-797 notice ", "case status for "]))
    doc.plant(text, NID, "uscis_receipt")


def p_card(doc: Doc, r: random.Random) -> None:
    pre = r.choice(["SRC", "LIN", "IOE", "MSC", "ABC", "RDF"])
    # Naming the card reveals the status: the lead-in is itself labelled.
    lead = r.choice(
        [
            ("green card", " number "),
            ("permanent resident", " card no. "),
            ("", "EAD card "),
            ("employment authorization", " card "),
            ("", "card # "),
        ]
    )
    if lead[0]:
        doc.plant(lead[0], "immigration_status", "status")
    doc.add(lead[1])
    doc.plant(f"{pre}{_d(r, 10)}", NID, "immigration_card")


def p_i94(doc: Doc, r: random.Random) -> None:
    if r.random() < 0.5:
        doc.add(r.choice(["I-94 ", "I-94 number ", "admission record ", "I94# ", ""]))
        doc.plant(f"{_nz(r, 9)}{r.choice('ABCDEFGHJKMNPRTXYZ')}{_d(r, 1)}", NID, "i94")
    else:
        doc.add(r.choice(["I-94 number ", "I-94 no. ", "admission number ", "I-94: "]))
        doc.plant(_nz(r, 11), NID, "i94")


def p_sevis(doc: Doc, r: random.Random) -> None:
    doc.add(r.choice(["SEVIS ID ", "SEVIS number ", "I-20 (SEVIS ", "student record "]))
    doc.plant("N" + _d(r, r.choice([9, 10])), NID, "sevis_id")


def p_visa(doc: Doc, r: random.Random) -> None:
    doc.add(
        r.choice(["visa foil number ", "visa number ", "visa no. ", "visa # ", "red visa number "])
    )
    value = _nz(r, 8) if r.random() < 0.7 else r.choice("ABCDEFGHJK") + _d(r, 7)
    while value.isdigit() and value[:2] in ("19", "20"):
        value = _nz(r, 8)
    doc.plant(value, NID, "visa_foil")


def p_list(doc: Doc, r: random.Random) -> None:
    """Two identifiers of one kind after one label, and a label on the line above."""
    if r.random() < 0.5:
        doc.add("A-numbers: ").plant(f"A{_nz(r, 9)}", NID, "a_number")
        doc.add(" and ").plant(f"A{_nz(r, 8)}", NID, "a_number")
    else:
        doc.add(r.choice(["Passport:\n", "PASSPORT NO.\n", "Passport number\n"]))
        doc.plant(_nz(r, 9), NID, "passport")


def p_passport(doc: Doc, r: random.Random) -> None:
    if r.random() < 0.6:
        doc.add(
            r.choice(
                [
                    "Mexican passport ",
                    "passport no. ",
                    "pasaporte ",
                    "passport ",
                    "travel document ",
                ]
            )
        )
        doc.plant(r.choice("GNEJKP") + _d(r, 8), NID, "passport")
    else:
        doc.add(
            r.choice(
                ["U.S. passport ", "passport number ", "Guatemalan passport no. ", "passport # "]
            )
        )
        doc.plant(_nz(r, 9), NID, "passport")


def p_ssn(doc: Doc, r: random.Random) -> None:
    value = _ssn(r)
    if r.random() < 0.7:
        doc.add(r.choice(["SSN ", "Social Security number ", "SS# ", "soc sec ", ""]))
        doc.plant(value, NID, "ssn")
    else:
        doc.add(r.choice(["SSN ", "Social Security number ", "SSN: "]))
        doc.plant(value.replace("-", ""), NID, "ssn")


def p_itin(doc: Doc, r: random.Random) -> None:
    value = _itin(r)
    if r.random() < 0.7:
        doc.add(r.choice(["ITIN ", "taxpayer ID ", "", "tax ID "]))
        doc.plant(value, NID, "itin")
    else:
        doc.add(r.choice(["ITIN ", "ITIN: ", "taxpayer identification number "]))
        doc.plant(value.replace("-", ""), NID, "itin")


def p_consular(doc: Doc, r: random.Random) -> None:
    doc.add(
        r.choice(
            ["matrícula consular ", "Matricula Consular No. ", "consular ID ", "matrícula número "]
        )
    )
    doc.plant(r.choice(["", "MX", "GT-"]) + _nz(r, r.choice([7, 8, 9, 10])), NID, "consular_id")


def p_fin(doc: Doc, r: random.Random) -> None:
    doc.add(r.choice(["FIN ", "IDENT FIN ", "EID subject ID ", "FIN: ", "EID "]))
    doc.plant(_nz(r, r.choice([7, 9, 10, 12])), NID, "dhs_fin")


def p_status(doc: Doc, r: random.Random, spanish: bool = False) -> None:
    doc.plant(r.choice(STATUS_ES if spanish else STATUS_EN), "immigration_status", "status")


def p_citizenship(doc: Doc, r: random.Random) -> None:
    form = r.randrange(4)
    if form == 0:
        doc.plant(
            f"{r.choice(DEMONYMS)} {r.choice(['national', 'citizen'])}",
            "citizenship",
            "citizenship",
        )
    elif form == 1:
        doc.add(r.choice(["citizen of ", "a national of ", "Citizenship: "]))
        doc.plant(r.choice(COUNTRIES), "citizenship", "citizenship")
    elif form == 2:
        doc.plant(
            r.choice(["not a U.S. citizen", "non-citizen", "naturalized citizen"]),
            "citizenship",
            "citizenship",
        )
    else:
        doc.add("Nationality: ").plant(r.choice(COUNTRIES), "citizenship", "citizenship")


def p_birth(doc: Doc, r: random.Random, spanish: bool = False) -> None:
    lead = (
        ["nacido en ", "lugar de nacimiento: ", "nacida en "]
        if spanish
        else ["born in ", "place of birth: ", "POB: ", "country of birth ", "a native of "]
    )
    doc.add(r.choice(lead)).plant(r.choice(PLACES), "place_of_birth", "place_of_birth")


ID_PLANTERS: list[Planter] = [
    p_anumber,
    p_receipt,
    p_card,
    p_i94,
    p_sevis,
    p_visa,
    p_passport,
    p_ssn,
    p_itin,
    p_consular,
    p_fin,
    p_list,
]


# Traps: benign text that looks like what we look for.
def trap(r: random.Random) -> str:
    options = [
        lambda: f"Contact phone ({_nz(r, 3)}) 555-{_d(r, 4)}.",
        lambda: f"Call back at {_nz(r, 3)}-555-{_d(r, 4)}.",
        lambda: f"Her cell is 1{_nz(r, 3)}555{_d(r, 4)}.",
        lambda: f"Booking #{r.randint(20, 25)}-{_d(r, 6)} was assigned.",
        lambda: f"Booking number {_nz(r, 9)} was assigned.",
        lambda: f"Booking No. B{_d(r, 8)}.",
        lambda: f"No passport was found; booking {_nz(r, 9)} was assigned.",
        lambda: f"Case No. {r.randint(19, 25)}-CR-{_d(r, 6)}.",
        lambda: f"Case #{_nz(r, 9)} remains open.",
        lambda: f"Docket {r.randint(1, 9)}:{r.randint(19, 25)}-cv-{_d(r, 5)}.",
        lambda: f"Incident {_nz(r, 8)} was closed.",
        lambda: f"Evidence item {r.randint(2019, 2025)}-{_d(r, 6)} was logged.",
        lambda: (
            f"Report dated {r.randint(1, 12):02d}/{r.randint(1, 28):02d}/{r.randint(2019, 2025)}."
        ),
        lambda: f"Filed {r.randint(2019, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}.",
        lambda: f"Scanned as {r.randint(2019, 2025)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}.",
        lambda: f"DOB {r.randint(1, 12):02d}/{r.randint(1, 28):02d}/{r.randint(1950, 2005)}.",
        lambda: f"The ZIP code is {_nz(r, 5)}-{_d(r, 4)}.",
        lambda: f"Account {_nz(r, 10)} is current.",
        lambda: f"Meter {_nz(r, 8)} was read.",
        lambda: f"Hospital admission {_nz(r, 11)} was noted.",
        lambda: "The police report was forwarded to records.",
        lambda: "POLICE units cleared the scene.",
        lambda: "He bought ice cream before the incident.",
        lambda: "Ice had formed on the steps.",
        lambda: "She paid with a Visa card ending in " + _d(r, 4) + ".",
        lambda: "He wore an alien costume to the party.",
        lambda: "An Alien movie poster was on the wall.",
        lambda: "The TPS report was missing.",
        lambda: f"He was born in {r.randint(1950, 2005)}.",
        lambda: (
            f"She was born in {r.choice(['January', 'May', 'October'])} {r.randint(1950, 2005)}."
        ),
        lambda: "A concerned citizen called it in.",
        lambda: "The senior citizens center was closed.",
        lambda: "They ate at a Mexican restaurant on National Ave.",
        lambda: f"Vehicle plate {r.randint(1, 9)}ABC{_d(r, 3)}, VIN 1HGCM826{_d(r, 9)}.",
        lambda: f"Officer badge {_d(r, 4)}, unit {r.randint(1, 99)}.",
        lambda: f"The fine was ${r.randint(10, 999)}.{_d(r, 2)}.",
        lambda: f"Inmate PFN {_nz(r, 7)} was moved.",
        lambda: "The LPR camera logged the plate.",
        lambda: f"Serial number {_nz(r, 9)} on the bicycle.",
        lambda: "A parking permit was displayed.",
        lambda: f"Confirmation {_nz(r, 8)} was emailed.",
        lambda: f"Client ID {_nz(r, 7)}.",
        lambda: f"Passport photos were taken; phone 1{_nz(r, 10)} on file.",
        lambda: f"The I-94 kiosk was closed. Booking {_nz(r, 11)} follows.",
        lambda: f"SSN was not provided. Case {_nz(r, 9)} was opened.",
        lambda: f"Visa application fee receipt {_nz(r, 8)} was attached.",
        lambda: f"Citation {_nz(r, 9)} issued for a parking violation.",
        lambda: f"Report number {r.choice('ABCDEFGH')}{_d(r, 8)} was filed.",
    ]
    return r.choice(options)()


NEUTRAL = [
    "Officers canvassed the area for witnesses and found none.",
    "The reporting party declined medical attention at the scene.",
    "A supervisor was notified and approved the report.",
    "Body-worn camera footage was uploaded to the evidence system.",
    "The applicant was advised of the review schedule.",
    "No further action is required at this time.",
    "The caseworker explained the documents that are required.",
    "Both parties were separated and interviewed.",
    "The deposit was waived under the hardship program.",
    "The interpreter assisted with the interview in Spanish.",
    "The vehicle was towed to the city yard.",
    "Photographs of the damage were taken.",
]


def _neutral(doc: Doc, r: random.Random, lo: int, hi: int) -> None:
    for sentence in r.sample(NEUTRAL, r.randint(lo, hi)):
        doc.add(sentence + " ")


def _person(r: random.Random) -> str:
    return f"{r.choice(FIRSTS)} {r.choice(LASTS)}"


def _address(r: random.Random) -> str:
    city, state, zip3 = r.choice(CITIES)
    return f"{r.randint(100, 9999)} {r.choice(STREETS)}, {city}, {state} {zip3}{_d(r, 2)}"


def _ids(doc: Doc, r: random.Random, lo: int, hi: int, glue: list[str]) -> None:
    for _ in range(r.randint(lo, hi)):
        doc.add(r.choice(glue))
        r.choice(ID_PLANTERS)(doc, r)
        doc.add(r.choice([". ", "; ", ", ", ". "]))


def _traps(doc: Doc, r: random.Random, lo: int, hi: int) -> None:
    for _ in range(r.randint(lo, hi)):
        doc.add(trap(r) + " ")


def police(r: random.Random) -> Doc:
    doc = Doc("police_report")
    doc.add(
        f"On {r.randint(1, 12):02d}/{r.randint(1, 28):02d}/{r.randint(2019, 2025)} at "
        f"{r.randint(0, 23):02d}{r.randint(0, 59):02d} hours, Officer {_person(r)} "
        f"(badge {_d(r, 4)}) responded to {_address(r)} regarding a disturbance. "
    )
    _neutral(doc, r, 1, 3)
    _traps(doc, r, 1, 3)
    doc.add(f"The subject, {_person(r)}, ")
    if r.random() < 0.5:
        doc.add("said he was ")
        p_status(doc, r)
        doc.add(". ")
    _ids(doc, r, 1, 3, ["provided ", "had ", "showed ", "records list "])
    if r.random() < 0.4:
        doc.add("Per his statement: ")
        p_citizenship(doc, r)
        doc.add("; ")
        p_birth(doc, r)
        doc.add(". ")
    _neutral(doc, r, 0, 2)
    _traps(doc, r, 1, 3)
    doc.add("The subject was cited and released at the scene.")
    return doc


def booking(r: random.Random) -> Doc:
    doc = Doc("jail_booking")
    doc.add(f"BOOKING RECORD. Name: {r.choice(LASTS).upper()}, {r.choice(FIRSTS).upper()}. ")
    doc.add(f"Booking No. {r.randint(20, 25)}-{_d(r, 6)}. Charge: PC {r.randint(100, 999)}. ")
    _ids(doc, r, 1, 3, ["ID on file: ", "Subject presented ", "Records show "])
    if r.random() < 0.5:
        doc.add("Remarks: ")
        p_status(doc, r)
        doc.add(" requested by agent. ")
    if r.random() < 0.4:
        p_birth(doc, r)
        doc.add(". ")
    _traps(doc, r, 2, 4)
    _neutral(doc, r, 1, 2)
    doc.add("Property bag sealed.")
    return doc


def utility(r: random.Random) -> Doc:
    doc = Doc("utility_account")
    doc.add(f"Utility account opened for {_person(r)} at {_address(r)}. ")
    _traps(doc, r, 2, 3)
    doc.add("Identification accepted: ")
    _ids(doc, r, 1, 2, ["", "applicant gave "])
    if r.random() < 0.3:
        doc.add("Applicant noted ")
        p_status(doc, r)
        doc.add(" on the deposit waiver form. ")
    _neutral(doc, r, 1, 3)
    _traps(doc, r, 1, 2)
    doc.add("Service start confirmed.")
    return doc


def benefits(r: random.Random) -> Doc:
    doc = Doc("benefits_case")
    doc.add(f"Benefits case for {_person(r)}, household of {r.randint(1, 7)}. ")
    _traps(doc, r, 1, 3)
    _ids(doc, r, 1, 3, ["Verification documents: ", "Applicant submitted ", "SAVE check on "])
    if r.random() < 0.5:
        doc.add("Eligibility note: applicant is ")
        p_status(doc, r)
        doc.add(". ")
    if r.random() < 0.4:
        p_citizenship(doc, r)
        doc.add(" per application. ")
    _neutral(doc, r, 1, 3)
    _traps(doc, r, 1, 2)
    doc.add("Next review in six months.")
    return doc


def spanish(r: random.Random) -> Doc:
    doc = Doc("reporte_es")
    doc.add(f"El {r.randint(1, 28)} de marzo, el agente {_person(r)} habló con {_person(r)}, ")
    doc.add("quien dijo que está ")
    p_status(doc, r, spanish=True)
    doc.add(" y fue ")
    p_birth(doc, r, spanish=True)
    doc.add(". ")
    _ids(doc, r, 0, 2, ["Presentó ", "Tiene "])
    _traps(doc, r, 1, 2)
    doc.add("El caso fue referido a la unidad de servicios. ")
    doc.add(f"Teléfono ({_nz(r, 3)}) 555-{_d(r, 4)}. Caso cerrado.")
    return doc


KINDS = [police, booking, utility, benefits, spanish]
WEIGHTS = [3, 2, 2, 2, 1]


def generate(seed: int, n: int = 2000) -> list[Doc]:
    r = random.Random(seed)
    return [r.choices(KINDS, WEIGHTS)[0](r) for _ in range(n)]


# Scoring lives in protect_scoring.py; re-exported for the tests and bench/redact.py.
from protect_scoring import CATEGORIES, Detection, Scores, score  # noqa: E402

__all__ = ["CATEGORIES", "Detection", "Doc", "Scores", "Span", "generate", "score"]
