"""Generate a deterministic synthetic vault of person notes for benchmarking vaultnet.

Usage::

    python bench/generate.py OUT_DIR --people N [--seed 1] [--daily-notes M]
    python bench/generate.py OUT_DIR --preset 10k

The vault holds:

* ``People/**/<Name>.md``: one note per person, nested in a few subfolders, with YAML front
  matter (see SPEC section 3) and a body made of a short paragraph, sometimes a ``## Notes``
  list, and a log section (``## Log``, sometimes ``## Interactions``) of 0-30 dated entries
  between 2023 and early 2027 (entries after 2026-11-26 are planned ones). The log section is
  always the last section of the note, so a line appended to the file lands in the log.
* ``Companies/<Company>.md``: one small non-person note per company that people link to.
* ``Daily/YYYY-MM-DD.md``: daily notes mentioning people with ``[[links]]`` (plus a few
  unchecked tasks and quotes, whose links do not count as contact). When more daily notes are
  asked for than there are days between 2023-01-01 and 2026-11-26, the rest are dated meeting
  notes ``Daily/YYYY-MM-DD <Topic>.md``.
* ``.obsidian/daily-notes.json`` naming the daily-notes folder and format.

About one person note in eight holds a value that starts with a letter outside ASCII (``name:
Øystein Berg``, ``company: Ōkami Labs``, ``location: Łódź, Poland``), as vaults of people
from many countries do.

Every person note has a lower-case ``tier`` and ``person`` in its ``tags``, so vaultnet, the
python-frontmatter baseline and the Hugo listing all count the same people. The front matter
is valid YAML for PyYAML and for Hugo, and avoids keys Hugo would act on (``url``, ``date``).

Only ``random.Random(seed)`` is used: the same arguments give byte-identical output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

PRESETS: dict[str, int] = {"1k": 1_000, "10k": 10_000, "50k": 50_000}
MARKER = ".vaultnet-bench"
TODAY = dt.date(2026, 11, 26)
FIRST_DAY = dt.date(2023, 1, 1)
LAST_PLANNED_DAY = dt.date(2027, 3, 31)

TIERS: tuple[str, ...] = ("champion", "advocate", "supporter", "acquaintance")
TIER_WEIGHTS: tuple[int, ...] = (4, 11, 27, 58)
RECENCY: dict[str, float] = {
    "champion": 1.8,
    "advocate": 1.6,
    "supporter": 1.3,
    "acquaintance": 1.0,
}
LOG_RANGE: dict[str, tuple[int, int]] = {
    "champion": (10, 30),
    "advocate": (5, 25),
    "supporter": (2, 18),
    "acquaintance": (0, 12),
}

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Ann", "Bob", "Carla", "Dan", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal",
    "Kira", "Liam", "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sam", "Tomás",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoë", "Aisha", "Ben", "Chloé", "David",
    "Emma", "Finn", "Gabriela", "Hannah", "Ivan", "Julia", "Kenji", "Lena", "Marco", "Nadia",
    "Omar", "Priya", "Rafael", "Sofia", "Theo", "Valentina", "William", "Yara", "Zach", "Amir",
    "Beatriz", "Camille", "Diego", "Erik", "Fatima", "Gustav", "Helena", "Isaac", "Jonas",
    "Katarzyna", "Lucas", "Mei", "Noah", "Oscar", "Paula", "Ravi", "Sara", "Tariq", "Ulla",
    "Vera", "Xavier", "Yuki", "Zara", "Adrian", "Bianca", "Connor", "Daria", "Eitan", "Freya",
    "George", "Hana", "Ingrid", "José", "Karim", "Leila", "Mateo", "Nora", "Olivia", "Pablo",
    "Rania", "Søren", "Tanvi", "Ugo", "Vikram", "Willa", "Yasmin", "Zeynep", "Aaron", "Bea",
    "Chen", "Dmitri", "Esther", "Felix", "Gemma", "Hugo", "Isla", "Jack", "Kai", "Lucía",
    "Matteo", "Nina", "Owen", "Petra", "Ruth", "Simon", "Tess", "Ulrich", "Violet", "Łukasz",
    "Øystein", "Åsa",
)
LAST_NAMES: tuple[str, ...] = (
    "Lee", "Stone", "Diaz", "Okafor", "Novak", "Haddad", "Kim", "Tanaka", "Costa", "Ruiz",
    "Müller", "Nguyen", "Patel", "Ivanova", "Santos", "Walsh", "Hughes", "Rossi", "Berg",
    "O'Brien", "García", "Schmidt", "Kowalski", "Chen", "Singh", "Andersen", "Moreau",
    "Fischer", "Silva", "Yamamoto", "Park", "Ahmed", "Dubois", "Kuznetsov", "Lopez", "Murphy",
    "Nakamura", "Olsen", "Pereira", "Quinlan", "Romano", "Sato", "Takahashi", "Ueda",
    "Vasquez", "Weber", "Xu", "Yilmaz", "Zimmermann", "Abbott", "Baker", "Carter", "Dawson",
    "Ellis", "Foster", "Gibson", "Harper", "Ingram", "Jensen", "Keller", "Larsen", "Mendes",
    "Nash", "Owens", "Price", "Reyes", "Shah", "Turner", "Usman", "Vogel", "Ward", "Young",
    "Zhou", "Alvarez", "Becker", "Cohen", "Dias", "Engel", "Ferreira", "Greco", "Hoffmann",
    "Iyer", "Jovanović", "Kaur", "Lindqvist", "Moreno", "Nilsen", "Ortiz", "Petrov", "Rahman",
    "Schulz", "Torres", "Uddin", "Varga", "Wong", "Yadav", "Zapata", "Adeyemi", "Brennan",
    "Castillo", "Duarte", "Eriksen", "Fontaine", "Gallagher", "Horvat", "Ishikawa", "Jaramillo",
    "Kovač", "Lambert", "Mahmoud", "Navarro", "Oyelaran", "Popescu", "Ramos", "Sokolova",
    "Tran", "Ulloa", "Valdez", "Whitaker", "Yoon", "Zhang", "Bauer", "Castro", "Delgado",
    "Evans", "Fraser", "Gomez", "Hale", "Ito", "Jansen", "Kerr", "Lund", "Marsh", "Noor",
    "Ochoa", "Pike", "Reid", "Sandoval", "Tate", "Vance", "Wolfe", "Yates", "Zeller", "Acosta",
    "Bishop", "Chavez", "Doyle", "Estrada", "Flynn", "Grant", "Holm", "Iqbal", "Joshi", "Koch",
)
NICKNAMES: dict[str, str] = {
    "William": "Bill", "Robert": "Rob", "Katarzyna": "Kasia", "Elena": "Lena", "Gabriela": "Gabi",
    "Valentina": "Vale", "Alexander": "Alex", "Benjamin": "Ben", "Dmitri": "Dima",
    "Nikhil": "Nik", "Theo": "Teddy", "Olivia": "Liv", "Isaac": "Ike", "Zachary": "Zach",
    "Jonas": "Jo", "Matteo": "Teo", "Samuel": "Sam", "Hannah": "Annie", "Victor": "Vic",
}
COMPANY_HEADS: tuple[str, ...] = (
    "Harbor", "Acme", "Northwind", "Bluepeak", "Cedar", "Lumen", "Orbit", "Granite", "Kite",
    "Meridian", "Nimbus", "Pioneer", "Quartz", "Redwood", "Summit", "Tidal", "Vertex", "Willow",
    "Atlas", "Beacon", "Cobalt", "Delta", "Ember", "Fjord", "Helix", "Ironclad", "Juniper",
    "Keystone", "Larch", "Mosaic", "Ōkami", "Øresund", "Étoile",
)
COMPANY_TAILS: tuple[str, ...] = (
    "Health", "Corp", "Labs", "Analytics", "Bank", "Logistics", "Robotics", "Media", "Energy",
    "Foods", "Insurance", "Systems", "Capital", "Studios", "Software", "Bio", "Data",
)
ROLES: tuple[str, ...] = (
    "VP Engineering", "Engineering Manager", "Staff Engineer", "Senior Software Engineer",
    "Product Manager", "Head of Data", "Data Scientist", "CTO", "CEO", "Founder",
    "Design Lead", "Recruiter", "Talent Partner", "Director of Product", "Principal Engineer",
    "Sales Director", "Account Executive", "Investor", "Partner", "Professor",
    "Research Scientist", "Platform Lead", "Security Engineer", "Head of People",
    "Chief of Staff", "Marketing Lead", "Consultant", "Freelance Designer", "SRE",
    "Solutions Architect",
)
LOCATIONS: tuple[str, ...] = (
    "London, UK", "Berlin, Germany", "Lisbon, Portugal", "New York, USA", "San Francisco, USA",
    "Toronto, Canada", "Amsterdam, Netherlands", "Paris, France", "Madrid, Spain",
    "Tokyo, Japan", "Singapore", "Sydney, Australia", "Oslo, Norway", "Stockholm, Sweden",
    "Warsaw, Poland", "Dublin, Ireland", "Bangalore, India", "São Paulo, Brazil",
    "Mexico City, Mexico", "Nairobi, Kenya", "Remote", "Århus, Denmark",
    "Łódź, Poland",
)
FOLDERS: tuple[tuple[str, int], ...] = (
    ("People", 30),
    ("People/Work", 25),
    ("People/Work/Former colleagues", 12),
    ("People/Community", 10),
    ("People/Friends", 6),
    ("People/Conferences/2024", 9),
    ("People/Conferences/2025", 8),
)
EXTRA_TAGS: tuple[str, ...] = (
    "work", "mentor", "recruiter", "investor", "community", "conference", "friend", "founder",
    "hiring", "alumni", "engineering", "data", "product",
)
KINDS: tuple[str, ...] = (
    "coffee", "call", "lunch", "email", "video", "dinner", "meetup", "conference", "message",
    "intro", "walk", "drinks",
)
TOPICS: tuple[str, ...] = (
    "talked about the data team reorg",
    "caught up on the new role",
    "shared notes on hiring senior engineers",
    "asked for feedback on my talk",
    "discussed the platform migration",
    "compared notes on remote teams",
    "she is thinking about leaving",
    "he wants to move into management",
    "they are raising a seed round",
    "quick check-in after the conference",
    "went through the roadmap for next year",
    "talked about kids and holidays",
    "walked through the incident review",
    "got advice on negotiating the offer",
    "discussed the open staff role",
    "brainstormed the meetup programme",
    "talked about burnout and boundaries",
    "reviewed the architecture doc together",
    "follow-up on the reference check",
    "chatted about the book club pick",
)
GAVE: tuple[str, ...] = (
    "introduced them to {person}",
    "sent a referral for the role at {company}",
    "reviewed their CV",
    "recommended them for the panel",
    "shared the job post at {company}",
)
GOT: tuple[str, ...] = (
    "offered to introduce me to {person} at {company}",
    "put in a good word at {company}",
    "sent me the salary benchmarks",
    "invited me to speak at the meetup",
    "reviewed my pitch deck",
)
PARAGRAPHS: tuple[str, ...] = (
    "Met through a mutual friend and kept in touch since.",
    "Sharp, generous with time, and always knows who is hiring.",
    "Prefers short calls to long emails; best reached in the morning.",
    "Has a wide network in the {city} tech scene.",
    "Worked together on the {company} integration project.",
    "We disagree about microservices, which makes for good conversations.",
    "Runs a small newsletter about engineering leadership.",
    "Loves climbing and board games; has two kids.",
    "Very direct. Appreciates specifics over small talk.",
    "Moved from consulting into product a few years ago.",
    "Speaks at conferences now and then, mostly about data quality.",
    "Good person to ask about fundraising and early-stage hiring.",
    "Introverted at first, warms up quickly over coffee.",
    "Keen to mentor people moving into management.",
)
NOTE_BULLETS: tuple[str, ...] = (
    "Partner works at {company}",
    "Interested in a move to {city}",
    "Ask about the marathon training",
    "Open to advising startups",
    "Reads a lot of science fiction",
    "Prefers Signal over email",
    "Hiring for a staff role in Q1",
    "Ask how the move went",
)
DAILY_LINES: tuple[str, ...] = (
    "Lunch with {link} — {topic}",
    "Call with {link}: {topic}",
    "Coffee with {link}, {topic}",
    "Bumped into {link} at the meetup",
    "1:1 with {link} about {topic2}",
    "{link} and {link2} joined the panel prep",
    "Email thread with {link} about {topic2}",
)
DAILY_FILLER: tuple[str, ...] = (
    "Deep work on the quarterly plan.",
    "Gym in the morning.",
    "Read two chapters of the leadership book.",
    "Fixed the flaky deployment job.",
    "Wrote up notes from the architecture review.",
    "Planned next week.",
)
SUBJECTS: tuple[str, ...] = (
    "the offsite agenda", "the referral", "the conference talk", "the hiring plan",
    "the advisory board", "the migration", "the newsletter", "the podcast invite",
)
DETAILS: tuple[str, ...] = (
    "; follow up in a month",
    "; next step: send the deck",
    "; they asked to keep it confidential",
    "; promised to share the article afterwards",
    "; mentioned a friend who is hiring",
    "; suggested we meet at the next meetup",
    " — good energy, worth a longer chat",
    "; remember to ask about the relocation",
)
SUB_BULLETS: tuple[str, ...] = (
    "  - they liked the idea of a joint workshop",
    "  - kids started school this year",
    "  - recommended the book on team topologies",
    "  - prefers async updates over meetings",
    "  - worth introducing to someone in platform engineering",
)
MEETING_TOPICS: tuple[str, ...] = (
    "Standup", "Planning", "Retro", "Hiring panel", "Roadmap review", "Coffee chat",
    "Interview", "Advisory call", "Board prep", "Offsite",
)
MONTHS_CADENCE: tuple[str, ...] = (
    "30d", "45d", "2w", "6w", "1m", "2m", "3m", "6m", "1y", "monthly", "quarterly", "weekly",
    "biweekly", "yearly", "60", "90",
)
# fmt: on


def _q(text: str) -> str:
    """Return ``text`` as a double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _link(target: str, label: str | None = None) -> str:
    """Return an Obsidian wikilink to ``target``, optionally with a display ``label``."""
    return f"[[{target}|{label}]]" if label else f"[[{target}]]"


_SLUG_TABLE = str.maketrans(
    {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ë": "e", "ü": "u", "ø": "o", "ã": "a",
     "ç": "c", "ł": "l", "ć": "c", "č": "c", "Ł": "l", "å": "a", "ō": "o", "'": "", " ": ""}
)  # fmt: skip


def _slug(text: str) -> str:
    """Return an ASCII-ish lower-case token usable in an e-mail address."""
    return text.lower().translate(_SLUG_TABLE)


@dataclass
class Person:
    """One generated person: identity and placement, decided before any note is written."""

    name: str
    first: str
    last: str
    folder: str
    tier: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class Generator:
    """Builds the vault; every random choice goes through ``rng`` in a fixed order."""

    rng: random.Random
    people: list[Person] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    day_strings: list[str] = field(default_factory=list)
    today_index: int = 0

    def __post_init__(self) -> None:
        span = (LAST_PLANNED_DAY - FIRST_DAY).days + 1
        self.day_strings = [(FIRST_DAY + dt.timedelta(days=i)).isoformat() for i in range(span)]
        self.today_index = (TODAY - FIRST_DAY).days

    def make_companies(self, count: int) -> None:
        """Pick ``count`` distinct company names (heads x tails), in a seeded order."""
        combos = [f"{h} {t}" for h in COMPANY_HEADS for t in COMPANY_TAILS]
        self.rng.shuffle(combos)
        self.companies = combos[: max(1, min(count, len(combos)))]

    def make_people(self, count: int) -> None:
        """Choose unique names (case-insensitively), folders, tiers and aliases."""
        rng = self.rng
        taken: set[str] = set()
        folders = [f for f, _ in FOLDERS]
        folder_weights = [w for _, w in FOLDERS]
        initials = "ABCDEFGHIJKLMNOPRSTVW"
        for _ in range(count):
            first = self.pick(FIRST_NAMES)
            last = self.pick(LAST_NAMES)
            name = f"{first} {last}"
            attempt = 0
            while name.lower() in taken:
                attempt += 1
                if attempt < 40:
                    name = f"{first} {self.pick(initials)}. {last}"
                else:
                    name = f"{first} {self.pick(initials)}{self.pick(initials)}. {last}"
                    if attempt > 400:
                        name = f"{first} {last} {attempt}"
            taken.add(name.lower())
            tier = rng.choices(TIERS, TIER_WEIGHTS)[0]
            folder = rng.choices(folders, folder_weights)[0]
            self.people.append(Person(name, first, last, folder, tier))
        for person in self.people:
            if rng.random() < 0.3:
                candidates = [
                    f"{NICKNAMES.get(person.first, person.first[:3])} {person.last}",
                    f"{person.first[0]}. {person.last}",
                    f"Dr. {person.last}, {person.first}",
                ]
                for alias in rng.sample(candidates, rng.randint(1, 2)):
                    if alias.lower() not in taken:
                        taken.add(alias.lower())
                        person.aliases.append(alias)

    def pick(self, seq: Sequence[T]) -> T:
        """Return a random item of ``seq`` (a cheaper ``random.choice``)."""
        return seq[int(self.rng.random() * len(seq))]

    def _day(self, lo: int, hi: int) -> str:
        """Return the ISO date of a random day index in ``[lo, hi]``."""
        return self.day_strings[self.rng.randint(lo, hi)]

    def _other(self, me: Person) -> Person:
        """Return a random person other than ``me`` (``me`` itself when alone)."""
        if len(self.people) == 1:
            return me
        while True:
            other = self.pick(self.people)
            if other is not me:
                return other

    def _company_value(self, company: str) -> str:
        """Return a company as it appears in front matter: a quoted link or plain text."""
        return _q(_link(company)) if self.rng.random() < 0.6 else company

    def front_matter(self, person: Person) -> tuple[list[str], str | None]:
        """Return the front matter lines of ``person`` and the company they work at."""
        rng = self.rng
        lines = ["---", f"name: {person.name}"]
        if person.aliases:
            lines.append("aliases:")
            lines.extend(f"  - {_q(a)}" for a in person.aliases)
        lines.append(f"tier: {person.tier}")
        tier_index = TIERS.index(person.tier)
        if tier_index > 0 and rng.random() < 0.12:
            lines.append(f"target_tier: {TIERS[rng.randint(0, tier_index - 1)]}")
        company: str | None = None
        if rng.random() < 0.75:
            company = self.pick(self.companies)
            key = "org" if rng.random() < 0.05 else "company"
            lines.append(f"{key}: {self._company_value(company)}")
        if rng.random() < 0.82:
            key = "title" if rng.random() < 0.05 else "role"
            lines.append(f"{key}: {self.pick(ROLES)}")
        if rng.random() < 0.2:
            lines.append("history:")
            start_year = rng.randint(2008, 2018)
            for _ in range(rng.randint(1, 3)):
                end_year = start_year + rng.randint(1, 4)
                lines.append(f"  - company: {self._company_value(self.pick(self.companies))}")
                lines.append(f"    role: {self.pick(ROLES)}")
                lines.append(f"    from: {start_year}-{rng.randint(1, 12):02d}-01")
                lines.append(f"    to: {end_year}-{rng.randint(1, 12):02d}-28")
                start_year = end_year
        if rng.random() < 0.85:
            domain = f"{_slug(company)}.example.com" if company else "example.com"
            mail = f"{_slug(person.first)}.{_slug(person.last)}@{domain}"
            if rng.random() < 0.1:
                lines.append("email:")
                lines.append(f"  - {mail}")
                lines.append(f"  - {_slug(person.first)}{rng.randint(1, 99)}@mail.example.org")
            else:
                lines.append(f"email: {mail}")
        if rng.random() < 0.5:
            digits = "".join(str(rng.randint(0, 9)) for _ in range(10))
            style = rng.random()
            if style < 0.4:
                lines.append(f"phone: {_q(f'+1 {digits[:3]} {digits[3:6]} {digits[6:]}')}")
            elif style < 0.8:
                lines.append(f"phone: +44{digits}")
            else:
                lines.append(f"phone: 0{digits[:4]} {digits[4:]}")
        if rng.random() < 0.7:
            lines.append(f"location: {self.pick(LOCATIONS)}")
        if rng.random() < 0.25:
            lines.append(f"linkedin: linkedin.com/in/{_slug(person.first)}-{_slug(person.last)}")
        tags = ["person", *rng.sample(EXTRA_TAGS, rng.randint(0, 3))]
        lines.append(f"tags: [{', '.join(tags)}]")
        if rng.random() < 0.8:
            lines.append(
                f"met: {rng.randint(2012, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            )
        if rng.random() < 0.35:
            introducer = self._other(person)
            if rng.random() < 0.85:
                lines.append(f"introduced_by: {_q(_link(introducer.name))}")
            else:
                lines.append(f"introduced_by: {introducer.name}")
        if rng.random() < 0.3:
            lines.append("knows:")
            for _ in range(rng.randint(1, 4)):
                if rng.random() < 0.8:
                    lines.append(f"  - {_q(_link(self._other(person).name))}")
                else:
                    lines.append(f"  - {self.pick(FIRST_NAMES)} at {self.pick(self.companies)}")
        if rng.random() < 0.03:
            lines.append(f"last_contact: {self._day(0, self.today_index)}")
        if rng.random() < 0.15:
            lines.append(f"cadence: {self.pick(MONTHS_CADENCE)}")
        if rng.random() < 0.03:
            due = self._day(self.today_index - 40, self.today_index + 60)
            lines.append(f"next_follow_up: {due}")
        if rng.random() < 0.02:
            lines.append(f"snooze_until: {self._day(self.today_index - 30, self.today_index + 90)}")
        if rng.random() < 0.03:
            lines.append("status: archived")
        if rng.random() < 0.25:
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            style = rng.random()
            if style < 0.6:
                lines.append(f"birthday: {rng.randint(1955, 2000)}-{month:02d}-{day:02d}")
            elif style < 0.85:
                lines.append(f"birthday: {_q(f'{month:02d}-{day:02d}')}")
            else:
                lines.append(f"birthday: {_q(f'--{month:02d}-{day:02d}')}")
        lines.append("---")
        return lines, company

    def log_entries(self, person: Person, company: str | None) -> list[str]:
        """Return the dated log lines of ``person``, oldest first."""
        rng = self.rng
        lo, hi = LOG_RANGE[person.tier]
        count = rng.randint(lo, hi)
        skew = RECENCY[person.tier]
        span = self.today_index
        days = sorted(span - int(span * rng.random() ** skew) for _ in range(count))
        if rng.random() < 0.12:
            last = len(self.day_strings) - 1
            days.extend(
                sorted(rng.randint(self.today_index + 1, last) for _ in range(rng.randint(1, 2)))
            )
        entries: list[str] = []
        for index in days:
            day = self.day_strings[index]
            date_text = f"[[{day}]]" if rng.random() < 0.1 else day
            roll = rng.random()
            other = self._other(person).name
            where = company or self.pick(self.companies)
            if roll < 0.12:
                text = self.pick(GAVE).format(person=_link(other), company=_link(where))
                text += " #gave"
            elif roll < 0.22:
                text = self.pick(GOT).format(person=_link(other), company=_link(where))
                text += " #got"
            else:
                text = self.pick(TOPICS)
            if rng.random() < 0.45:
                text += self.pick(DETAILS)
            if index > self.today_index:
                entries.append(f"- {date_text} {self.pick(KINDS)}: planned, {text}")
            elif rng.random() < 0.08:
                entries.append(f"- {date_text} {text[0].upper()}{text[1:]}")
            else:
                entries.append(f"- {date_text} {self.pick(KINDS)}: {text}")
            if rng.random() < 0.08:
                entries.append(self.pick(SUB_BULLETS))
        return entries

    def person_note(self, person: Person) -> str:
        """Return the full text of ``person``'s note."""
        rng = self.rng
        lines, company = self.front_matter(person)
        city = self.pick(LOCATIONS).split(",")[0]
        where = company or self.pick(self.companies)
        sentences = rng.sample(PARAGRAPHS, rng.randint(3, 6))
        paragraph = " ".join(s.format(city=city, company=_link(where)) for s in sentences)
        lines.append("")
        lines.append(paragraph)
        if rng.random() < 0.55:
            lines.append("")
            lines.append("## Notes")
            for bullet in rng.sample(NOTE_BULLETS, rng.randint(1, 4)):
                lines.append("- " + bullet.format(city=city, company=_link(where)))
        lines.append("")
        lines.append("## Interactions" if rng.random() < 0.05 else "## Log")
        lines.extend(self.log_entries(person, company))
        return "\n".join(lines) + "\n"

    def _mention(self, person: Person) -> str:
        """Return a link to ``person`` as a daily note would write it."""
        roll = self.rng.random()
        if roll < 0.15:
            return _link(person.name, person.first)
        if roll < 0.22 and person.aliases:
            return _link(person.aliases[0])
        return _link(person.name)

    def daily_note(self, day: str) -> str:
        """Return the text of a daily note for ``day`` mentioning a few people."""
        rng = self.rng
        date = dt.date.fromisoformat(day)
        lines = [f"# {date.strftime('%A')} {date.day} {date.strftime('%B %Y')}", ""]
        for _ in range(rng.randint(1, 5)):
            first, second = self.pick(self.people), self.pick(self.people)
            lines.append(
                "- "
                + self.pick(DAILY_LINES).format(
                    link=self._mention(first),
                    link2=self._mention(second),
                    topic=self.pick(TOPICS),
                    topic2=self.pick(SUBJECTS),
                )
            )
        if rng.random() < 0.3:
            lines.append(f"- [ ] send {self._mention(self.pick(self.people))} the slides")
        if rng.random() < 0.3:
            lines.append(f"- [x] thank {self._mention(self.pick(self.people))} for the intro")
        if rng.random() < 0.15:
            lines.append("")
            lines.append(f"> {self._mention(self.pick(self.people))} once said: ship it small.")
        lines.append("")
        lines.append("## Notes")
        lines.extend("- " + s for s in rng.sample(DAILY_FILLER, rng.randint(1, 3)))
        return "\n".join(lines) + "\n"

    def meeting_note(self, day: str, topic: str) -> str:
        """Return a dated meeting note with attendees in front matter and in the body."""
        rng = self.rng
        attendees = [self.pick(self.people) for _ in range(rng.randint(1, 4))]
        lines = ["---", "people:"]
        lines.extend(f"  - {_q(_link(p.name))}" for p in attendees)
        lines.append("tags: [meeting]")
        lines.append("---")
        lines.append(f"# {topic}")
        lines.append("")
        lines.append(f"Notes from {day}: {self.pick(TOPICS)}.")
        lines.append(f"- Follow up with {self._mention(attendees[0])}")
        return "\n".join(lines) + "\n"

    def company_note(self, company: str) -> str:
        """Return a small non-person note for ``company``."""
        return (
            "---\n"
            "tags: [company]\n"
            f"industry: {company.split()[-1]}\n"
            "---\n"
            f"# {company}\n\nPeople: see the Index.\n"
        )


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 with LF line endings."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _prepare(out: Path, force: bool) -> None:
    """Make ``out`` an empty folder; a non-empty one is replaced only with ``force``."""
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SystemExit(f"{out} is not empty (use --force to replace a generated vault)")
        if not (out / MARKER).exists():
            raise SystemExit(f"{out} was not made by this generator (no {MARKER}); not removed")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def generate(out: Path, people: int, seed: int = 1, daily_notes: int | None = None) -> int:
    """Write a vault of ``people`` person notes and ``daily_notes`` dated notes into ``out``.

    Returns the number of files written. ``out`` must exist and be empty.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    dailies = people // 5 if daily_notes is None else daily_notes
    gen = Generator(random.Random(seed))
    gen.make_companies(max(10, min(people // 20, 400)))
    gen.make_people(people)
    written = 0

    (out / ".obsidian").mkdir(parents=True, exist_ok=True)
    _write(
        out / ".obsidian" / "daily-notes.json",
        '{\n  "folder": "Daily",\n  "format": "YYYY-MM-DD"\n}\n',
    )
    _write(out / MARKER, f"people={people} seed={seed} daily_notes={dailies}\n")
    written += 2

    for folder, _ in FOLDERS:
        (out / folder).mkdir(parents=True, exist_ok=True)
    for person in gen.people:
        _write(out / person.folder / f"{person.name}.md", gen.person_note(person))
        written += 1

    (out / "Companies").mkdir(exist_ok=True)
    for company in gen.companies:
        _write(out / "Companies" / f"{company}.md", gen.company_note(company))
        written += 1

    (out / "Daily").mkdir(exist_ok=True)
    plain_days = min(dailies, gen.today_index + 1)
    day_indexes = sorted(gen.rng.sample(range(gen.today_index + 1), plain_days))
    for index in day_indexes:
        day = gen.day_strings[index]
        _write(out / "Daily" / f"{day}.md", gen.daily_note(day))
        written += 1
    used: set[str] = set()
    for _ in range(dailies - plain_days):
        day = gen.day_strings[gen.rng.randint(0, gen.today_index)]
        topic = gen.pick(MEETING_TOPICS)
        stem = f"{day} {topic}"
        suffix = 2
        while stem in used:
            stem = f"{day} {topic} {suffix}"
            suffix += 1
        used.add(stem)
        _write(out / "Daily" / f"{stem}.md", gen.meeting_note(day, topic))
        written += 1
    return written


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("out_dir", type=Path, help="folder to write the vault into")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--people", type=int, help="number of person notes")
    size.add_argument("--preset", choices=sorted(PRESETS), help="1k, 10k or 50k people")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--daily-notes", type=int, default=None, help="number of dated notes (default: people // 5)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace OUT_DIR if it holds a vault made by this script",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: generate the vault and print a one-line summary."""
    args = parse_args(argv)
    people = PRESETS[args.preset] if args.preset else int(args.people)
    start = time.perf_counter()
    out: Path = args.out_dir
    _prepare(out, args.force)
    files = generate(out, people, seed=args.seed, daily_notes=args.daily_notes)
    elapsed = time.perf_counter() - start
    print(f"generate seconds={elapsed:.2f} people={people} files={files} out={out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
