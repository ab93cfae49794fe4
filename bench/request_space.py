"""Random but realistic requests over the whole vocabulary, for benchmarks and agreement checks.

Seeded, so every run (and every engine in a run) sees the same requests. The mix leans toward
the questions a sanctuary city actually gets: immigration agencies, detainers, release dates,
plate reads.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sanctuary.model import Request
from sanctuary.vocab import vocabulary

AGENCIES = [
    ("ICE-ERO", None), ("ICE-HSI", None), ("CBP", None), ("USBP", None), ("ICE", None),
    ("Homeland Security Investigations", None), ("FBI", None), ("DEA", None), ("USMS", None),
    ("LOCAL-LE", "CA"), ("LOCAL-LE", "TX"), ("LOCAL-LE", None), ("STATE-LE", "CA"),
    ("TASK-FORCE", "CA"), ("PRIVATE", None), ("LOCAL-GOV", "CA"), ("FOREIGN", None),
]  # fmt: skip
PURPOSES = [
    "ICE+ERO warrant service", "removal proceedings", "immigration status check", "ICE detainer",
    "Assist HSI", "8 USC 1326 re-entry investigation", "stolen vehicle", "homicide investigation",
    "narcotics trafficking, case 25-0415", "missing person", "U visa certification", "", "***",
    "public records request", "statistics for council", "investigation", "ICE Impersonation series",
]  # fmt: skip
FORMS = [None, None, "I-200", "I-205", "I-247A", "I-203", "AO-442", "AO-93", "I-138"]
TYPES = [
    None,
    None,
    "judicial_warrant",
    "court_order",
    "administrative_warrant",
    "detainer",
    "none",
]
CLASSES = list(vocabulary().conviction_classes)
DATA_ACTIONS = {"disclose_information", "system_access", "notify_release"}


def random_request(rng: random.Random, index: int) -> dict[str, Any]:
    vocab = vocabulary()
    action = rng.choice(sorted(vocab.actions))
    agency, state = rng.choice(AGENCIES)
    requester: dict[str, Any] = {"agency": agency}
    if state:
        requester["state"] = state
    if rng.random() < 0.15:
        requester["on_behalf_of"] = rng.choice(["ICE-HSI", "ICE-ERO", "FBI", "CBP"])
    if agency == "TASK-FORCE":
        requester["members"] = rng.sample(["FBI", "ICE-HSI", "DEA", "LOCAL-LE"], 2)
    if rng.random() < 0.05:
        requester["agreements"] = ["287g"]
    start = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
    time = start + dt.timedelta(seconds=rng.randrange(12 * 365 * 86400))
    body: dict[str, Any] = {
        "id": f"bench-{index}",
        "time": time.isoformat(),
        "jurisdiction": rng.choice(["us-ca/los-angeles"] * 8 + ["us-ca", "us"]),
        "responder": {"kind": rng.choice(sorted(vocab.responder_kinds))},
        "requester": requester,
        "action": action,
        "purpose": rng.choice(PURPOSES),
    }
    if rng.random() < 0.3:
        body["purpose_category"] = rng.choice(sorted(vocab.purpose_categories))
    if action in DATA_ACTIONS or rng.random() < 0.2:
        body["data"] = rng.sample(sorted(vocab.data_categories), rng.randint(1, 3))
    form, kind = rng.choice(FORMS), rng.choice(TYPES)
    if form or kind:
        process: dict[str, Any] = {"form": form, "type": kind}
        if rng.random() < 0.5:
            process["signed_by_judge"] = rng.random() < 0.5
        body["legal_process"] = {k: v for k, v in process.items() if v is not None}
    if rng.random() < 0.5:
        convictions = [
            {
                "class": rng.choice(CLASSES),
                "date": (time.date() - dt.timedelta(days=rng.randrange(25 * 365))).isoformat(),
            }
            for _ in range(rng.randint(0, 2))
        ]
        body["subject"] = {"in_custody": rng.random() < 0.6, "convictions": convictions}
    if rng.random() < 0.4:
        body["context"] = {
            "information_publicly_available": rng.random() < 0.2,
            "exigent_circumstances": rng.random() < 0.1,
            "recipient_attests_no_immigration_use": rng.random() < 0.3,
            "case_number": "25-0001" if rng.random() < 0.5 else None,
        }
    return body


def random_requests(n: int, seed: int = 20241209) -> list[Request]:
    rng = random.Random(seed)
    return [Request.model_validate(random_request(rng, i)) for i in range(n)]


def random_bodies(n: int, seed: int = 20241209) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [random_request(rng, i) for i in range(n)]
