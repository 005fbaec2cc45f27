#!/usr/bin/env python3
"""Deterministic example data for the `kpi` reference catalogue.

Writes one CSV per source of the reference data model (shared design brief
`data-model.md`) into `examples/data/NAME.csv`, plus `examples/data/surveys.jsonl`
holding the same records as `surveys.csv`, plus the calls as a French call-centre tool
exports them: `appels.csv` (`;`, Windows-1252, CRLF, French conventions) and
`appels.xlsx` (typed cells, written by `sheets.py`), read by
`examples/catalogues/appels.yaml`.

The story: "Bureau Direct", a mid-size distributor of office supplies, runs a
customer-service centre (10 agents, phone / email / chat), an order desk
(5 order handlers), a small outbound team (4 agents) and its marketing.
The data covers one year of activity, 2025, extracted at the end of
2025-12-31: anything that would have happened later has not happened yet
(open tickets, pending orders, undelivered orders, open disputes).

Python 3.11 standard library only. Every random draw comes from a
`random.Random(seed)` instance with a fixed integer seed, one per source, and
nothing depends on dict order or hash randomisation, so two runs write
byte-identical files.

Usage:  python3 examples/generate_data.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sheets import write_xlsx

SEED = 2025
YEAR_START = datetime(2025, 1, 1)
NOW = datetime(2026, 1, 1)  # extraction time: the end of 2025-12-31
DAYS = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]

# French public holidays 2025: the centre is closed.
HOLIDAYS = {
    date(2025, 1, 1), date(2025, 4, 21), date(2025, 5, 1), date(2025, 5, 8),
    date(2025, 5, 29), date(2025, 6, 9), date(2025, 7, 14), date(2025, 8, 15),
    date(2025, 11, 1), date(2025, 11, 11), date(2025, 12, 25),
}

# Seasonality of customer contacts: January returns, August lull, year-end rush.
MONTH_FACTOR = {1: 1.15, 2: 1.0, 3: 1.05, 4: 0.95, 5: 0.9, 6: 0.95,
                7: 0.85, 8: 0.65, 9: 1.05, 10: 1.0, 11: 1.15, 12: 1.1}
# Monday is the busiest day; Saturday mornings are open for phone and chat.
WEEKDAY_FACTOR = {0: 1.3, 1: 1.1, 2: 1.0, 3: 0.95, 4: 0.9, 5: 0.35, 6: 0.0}
# Opening hours 08:00-19:00 on weekdays, 09:00-13:00 on Saturdays.
HOURS_WEEKDAY = {8: 5, 9: 10, 10: 12, 11: 11, 12: 6, 13: 7, 14: 11, 15: 10,
                 16: 9, 17: 7, 18: 4}
HOURS_SATURDAY = {9: 6, 10: 8, 11: 7, 12: 4}
# Emails and web-portal orders arrive at any hour, mostly in office hours.
HOURS_ANY = {h: w for h, w in zip(range(24), [
    1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 7, 7, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1])}


# --------------------------------------------------------------------------
# formatting helpers: the exact cell shapes of data-model.md


def f_dt(x: datetime | None) -> str:
    return "" if x is None else x.strftime("%Y-%m-%dT%H:%M:%S")


def f_date(x: date | None) -> str:
    return "" if x is None else x.isoformat()


def f_bool(x: bool | None) -> str:
    return "" if x is None else ("true" if x else "false")


def f_int(x: int | None) -> str:
    return "" if x is None else str(int(x))


def f_cents(x: int | None) -> str:
    """An amount held as integer cents, written with exactly 2 decimals."""
    if x is None:
        return ""
    sign = "-" if x < 0 else ""
    x = abs(x)
    return f"{sign}{x // 100}.{x % 100:02d}"


def f_tenths(x: int) -> str:
    """A number held as integer tenths, written plainly (4.5, 3)."""
    return str(x // 10) if x % 10 == 0 else f"{x // 10}.{x % 10}"


def write_csv(out: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# --------------------------------------------------------------------------
# the French export of the calls (issue 8): what a call-centre tool and Excel write

FR_HEADER = ["N° appel", "Date d'appel", "Client", "Demande", "Décroché", "Agent",
             "Attente (s)", "Conversation", "Mise en attente", "Post-appel"]
FR_TITLE = "Export des appels — Bureau Direct — 2025"


def fr_clock(x: int | None) -> str:
    return "" if x is None else f"{x // 3600:02d}:{x // 60 % 60:02d}:{x % 60:02d}"


def write_french_calls(out: Path, calls: list) -> None:
    """appels.csv: a title line, a blank line, then the header (row 3); `;`, Windows-1252,
    CRLF; datetimes `02/01/2025 08:19:03`, `Oui`/`Non`, durations `HH:MM:SS`, `N/A` for no
    agent. appels.xlsx: the same rows with typed cells (datetimes, booleans, `[h]:mm:ss`
    durations, integers), sheet "Appels" after a "Notes" sheet, header on row 3."""
    rows, cells = [], []
    for i, c in enumerate(calls, 1):
        rows.append([f"K{i:06d}", c.started_at.strftime("%d/%m/%Y %H:%M:%S"), c.customer or "",
                     "" if c.ticket_id is None else c.ticket_id, "Oui" if c.answered else "Non",
                     c.agent or "N/A", f_int(c.wait), fr_clock(c.talk), fr_clock(c.hold),
                     fr_clock(c.wrap)])
        dur = lambda x: None if x is None else timedelta(seconds=x)  # noqa: E731
        cells.append([f"K{i:06d}", c.started_at, c.customer, c.ticket_id, c.answered,
                      c.agent or "N/A", c.wait, dur(c.talk), dur(c.hold), dur(c.wrap)])
    with open(out / "appels.csv", "w", newline="", encoding="cp1252") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow([FR_TITLE])
        w.writerow([])
        w.writerow(FR_HEADER)
        w.writerows(rows)
    notes = [["Export des appels entrants, un appel par ligne, sur la feuille Appels."]]
    write_xlsx(out / "appels.xlsx",
               [("Notes", notes), ("Appels", [[FR_TITLE], [], FR_HEADER] + cells)])


# --------------------------------------------------------------------------
# calendar helpers


def is_open(d: date) -> bool:
    return d not in HOLIDAYS and d.weekday() <= 5


def is_workday(d: date) -> bool:
    return d not in HOLIDAYS and d.weekday() <= 4


def hours_of(d: date) -> dict[int, int]:
    return HOURS_SATURDAY if d.weekday() == 5 else HOURS_WEEKDAY


def pick(rng: random.Random, weights: dict) -> object:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def time_on(rng: random.Random, d: date, hours: dict[int, int]) -> datetime:
    h = pick(rng, hours)
    return datetime.combine(d, time(h, rng.randrange(60), rng.randrange(60)))


def next_open_time(t: datetime) -> datetime:
    """t itself if the centre is open then, else the next opening time."""
    while True:
        d = t.date()
        if is_open(d):
            hrs = hours_of(d)
            first, last = min(hrs), max(hrs) + 1
            if t.hour < first:
                return datetime.combine(d, time(first, 0, 0))
            if t.hour < last:
                return t
        t = datetime.combine(d + timedelta(days=1), time(0, 0, 0))


def open_jitter(rng: random.Random, t: datetime) -> datetime:
    """Like next_open_time, but work pushed to the next opening starts a little after it."""
    nt = next_open_time(t)
    return nt if nt == t else nt + timedelta(seconds=rng.randint(60, 5400))


def later_open_day(rng: random.Random, d: date, lo: int, hi: int) -> date:
    """An open day between lo and hi open days after d."""
    n = rng.randint(lo, hi)
    while n > 0:
        d += timedelta(days=1)
        if is_open(d):
            n -= 1
    return d


def later_workday(d: date, n: int) -> date:
    while n > 0:
        d += timedelta(days=1)
        if is_workday(d):
            n -= 1
    return d


def lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    """A log-normal draw with the given mean."""
    mu = math.log(mean) - sigma * sigma / 2
    return rng.lognormvariate(mu, sigma)


# --------------------------------------------------------------------------
# people


@dataclass
class Agent:
    name: str
    speed: float      # multiplies handling times (1.0 = team average)
    skill: float      # added to the chance of resolving at first contact
    charm: float      # added to the survey mood of the customers served
    start: date = date(2025, 1, 1)
    end: date = date(2025, 12, 31)
    off: set = field(default_factory=set)

    def works(self, d: date) -> bool:
        return self.start <= d <= self.end and d not in self.off


AGENTS = [
    Agent("camille", 0.95, 0.06, 0.3),
    Agent("hugo", 1.05, 0.00, 0.0),
    Agent("lea", 0.90, 0.08, 0.5),
    Agent("nathan", 1.15, -0.06, -0.4),
    Agent("ines", 1.00, 0.03, 0.2),
    Agent("lucas", 0.85, -0.02, -0.1),
    Agent("manon", 1.00, 0.05, 0.4),
    Agent("theo", 1.25, -0.10, -0.2, start=date(2025, 4, 7)),   # newcomer
    Agent("sarah", 0.95, 0.02, 0.1),
    Agent("julien", 1.10, -0.03, -0.3, end=date(2025, 9, 30)),  # left in autumn
    Agent("chloe", 1.05, 0.00, 0.1, start=date(2025, 10, 6)),   # his successor
]
HANDLERS = ["nadia", "olivier", "pauline", "romain", "sophie"]
OUTBOUND_AGENTS = ["karim", "lina", "maxime", "yasmine"]


def plan_leave(rng: random.Random) -> None:
    """Three summer weeks and one other week off per agent."""
    for a in AGENTS:
        summer = date(2025, 7, 7) + timedelta(weeks=rng.randrange(7))
        a.off.update(summer + timedelta(days=i) for i in range(21))
        other = date(2025, 2, 3) + timedelta(weeks=rng.choice([0, 2, 8, 11, 14, 38, 46]))
        a.off.update(other + timedelta(days=i) for i in range(7))


def on_duty(d: date) -> list[Agent]:
    return [a for a in AGENTS if a.works(d)]


# --------------------------------------------------------------------------
# customers


@dataclass
class Customer:
    cid: str
    segment: str
    active_at_start: bool
    active_at_end: bool
    acquired: bool
    value_cents: int
    lifetime_tenths: int


def gen_customers(rng: random.Random) -> list[Customer]:
    out = []
    n_existing, n_new = 2400, 460
    for i in range(n_existing + n_new):
        seg = pick(rng, {"smb": 70, "mid": 24, "enterprise": 6})
        acquired = i >= n_existing
        churn = {"smb": 0.11, "mid": 0.06, "enterprise": 0.03}[seg]
        if acquired:
            churn *= 0.5  # some new customers already left within the year
        lo, hi = {"smb": (400, 6000), "mid": (6000, 45000), "enterprise": (45000, 320000)}[seg]
        value = int(math.exp(rng.uniform(math.log(lo), math.log(hi))) * 100)
        life = {"smb": (10, 80), "mid": (20, 110), "enterprise": (40, 150)}[seg]
        out.append(Customer(
            cid="",
            segment=seg,
            active_at_start=not acquired,
            active_at_end=rng.random() >= churn,
            acquired=acquired,
            value_cents=value,
            lifetime_tenths=rng.randint(*life),
        ))
    rng.shuffle(out)
    for i, c in enumerate(out, 1):
        c.cid = f"C{i:05d}"
    return out


# --------------------------------------------------------------------------
# tickets, calls, surveys


@dataclass
class Call:
    started_at: datetime
    customer: str | None
    ticket: int | None  # internal ticket index, None for a call that never became one
    answered: bool
    agent: str | None
    wait: int
    talk: int | None = None
    hold: int | None = None
    wrap: int | None = None


@dataclass
class Ticket:
    channel: str
    opened_at: datetime
    agent: Agent
    customer: str
    first_response_at: datetime | None = None
    closed_at: datetime | None = None
    contacts: int = 0
    resolved_first_contact: bool | None = None
    smileys: int | None = None
    mood: float = 0.0
    tid: str = ""


def load_at(t: datetime) -> float:
    """How busy the phone queue is at t (1.0 = an ordinary hour)."""
    hrs = hours_of(t.date())
    return MONTH_FACTOR[t.month] * WEEKDAY_FACTOR[t.weekday()] * hrs.get(t.hour, 5) / 9


def phone_contact(rng: random.Random, t: datetime, customer: str | None, ticket: int | None,
                  agent: Agent, calls: list[Call], talk_mean: float = 250
                  ) -> tuple[datetime, datetime, int]:
    """One phone contact: abandoned attempts, then the answered call.

    Returns (first attempt time, pickup time, seconds from pickup to the end of wrap-up)."""
    load = load_at(t)
    if t.date().month == 8 or len(on_duty(t.date())) < 8:
        load *= 1.3  # holidays: fewer agents on the phones
    p_abandon = min(0.4, 0.06 * load ** 1.6)
    closing = datetime.combine(t.date(), time(max(hours_of(t.date())), 59, 0))
    first = t
    tries = 0
    while tries < 3 and rng.random() < p_abandon:  # the caller hangs up, calls again later
        tries += 1
        calls.append(Call(t, customer, ticket, False, None,
                          int(min(600, 12 + rng.expovariate(1 / (40 * load))))))
        nxt = t + timedelta(seconds=rng.randint(90, 1500))
        t = nxt if nxt <= closing else min(closing, t + timedelta(seconds=rng.randint(20, 60)))
    wait = int(rng.expovariate(1 / max(4.0, 4 + 7.5 * load ** 1.8)))
    if rng.random() < 0.015:
        wait += rng.randint(60, 400)  # the odd very long wait
    talk = int(max(25, lognormal(rng, talk_mean * agent.speed, 0.55)))
    hold = 0 if rng.random() < 0.58 else int(rng.uniform(10, 200) * agent.speed)
    wrap = int(max(5, lognormal(rng, 55 * agent.speed, 0.5)))
    calls.append(Call(t, customer, ticket, True, agent.name, wait, talk, hold, wrap))
    pickup = t + timedelta(seconds=wait)
    return first, pickup, talk + hold + wrap


def gen_contact_centre(rng: random.Random, customers: list[Customer]):
    plan_leave(rng)
    callers = list(customers)
    caller_w = [{"smb": 1, "mid": 3, "enterprise": 8}[c.segment] for c in callers]
    tickets: list[Ticket] = []
    calls: list[Call] = []
    # 1. when requests arrive
    arrivals: list[tuple[datetime, str]] = []
    for d in DAYS:
        season = MONTH_FACTOR[d.month]
        if is_open(d):
            wd = WEEKDAY_FACTOR[d.weekday()]
            for channel, base in (("phone", 31.0), ("chat", 5.5)):
                n = round(base * season * wd * rng.uniform(0.85, 1.15))
                arrivals += [(time_on(rng, d, hours_of(d)), channel) for _ in range(n)]
        wd_mail = 0.25 if d.weekday() >= 5 or d in HOLIDAYS else 1.0
        n = round(8.5 * season * wd_mail * rng.uniform(0.8, 1.2))
        arrivals += [(time_on(rng, d, HOURS_ANY), "email") for _ in range(n)]
    arrivals.sort()

    # 2. each request, from opening to closing
    for t0, channel in arrivals:
        d0 = next_open_time(t0).date()
        duty = on_duty(d0) or AGENTS
        agent = rng.choice(duty)
        cust = rng.choices(callers, weights=caller_w)[0].cid
        tk = Ticket(channel, t0, agent, cust)
        idx = len(tickets)
        tickets.append(tk)
        p_fcr = {"phone": 0.76, "chat": 0.68, "email": 0.55}[channel] + agent.skill
        if t0.month in (1, 11, 12):
            p_fcr -= 0.04
        resolved_first = rng.random() < p_fcr
        n_contacts = 1 if resolved_first else pick(rng, {2: 55, 3: 27, 4: 12, 5: 6})
        mood = rng.gauss(0, 1) + agent.charm
        events = []  # (kind, time)
        t = t0
        for k in range(n_contacts):
            if k == 0:
                kind = channel
            else:
                kind = pick(rng, {"phone": {"phone": 75, "email": 25},
                                  "email": {"email": 75, "phone": 25},
                                  "chat": {"chat": 45, "email": 35, "phone": 20}}[channel])
                day = later_open_day(rng, t.date(), 0 if rng.random() < 0.3 else 1, 6)
                if kind == "email":
                    t = time_on(rng, day, HOURS_ANY)
                else:
                    t = time_on(rng, day, hours_of(day))
                if t <= events[-1][2]:
                    t = events[-1][2] + timedelta(minutes=rng.randint(20, 240))
                    if kind != "email":
                        t = open_jitter(rng, t)
            if t >= NOW:
                break
            if kind == "phone":
                who = agent if (k == 0 or rng.random() < 0.6) else rng.choice(on_duty(t.date()) or AGENTS)
                first, pickup, busy = phone_contact(rng, t, cust, idx, who, calls)
                if k == 0:
                    tk.opened_at = first
                    tk.first_response_at = pickup
                    mood -= max(0, (pickup - first).total_seconds() - 60) / 300
                end = pickup + timedelta(seconds=busy)
            elif kind == "chat":
                if k == 0:
                    tk.first_response_at = t + timedelta(seconds=rng.randint(8, 150))
                end = t + timedelta(seconds=int(lognormal(rng, 540, 0.5)))
            else:  # email: a reply within office hours
                if k == 0:
                    delay = timedelta(seconds=int(lognormal(rng, 5 * 3600, 1.0)))
                    reply = open_jitter(rng, t + delay)
                    if reply >= NOW:
                        break
                    tk.first_response_at = reply
                    end = reply
                else:
                    end = open_jitter(rng, t + timedelta(seconds=int(lognormal(rng, 3 * 3600, 0.8))))
            events.append((kind, t, end))
            t = end
        # an email not yet answered still counts as one exchange
        tk.contacts = max(1, len(events))
        finished = len(events) == n_contacts
        closing = None
        if finished and events:
            closing = events[-1][2]
            if not (resolved_first and channel == "phone"):
                closing = open_jitter(rng, closing + timedelta(seconds=int(rng.uniform(0, 4 * 3600))))
        stuck = rng.random() < 0.012  # waiting on a supplier or on the customer
        if closing is not None and closing < NOW and not stuck:
            tk.closed_at = closing
            declared = len(events) == 1
            if len(events) == 2 and rng.random() < 0.05:
                declared = True  # 2nd contact was a mere thank-you: agent ticked FCR
            tk.resolved_first_contact = declared
        if channel == "chat":
            tk.smileys = max(0, min(9, int(round(1.2 + 0.9 * mood + rng.gauss(0, 0.9)))))
        mood -= 0.45 * (len(events) - 1)
        tk.mood = mood

    # calls that are not logged as a request (blank ticket_id): quick questions
    # (opening hours, an invoice copy, order status), and callers who hung up
    # and never came back
    for d in DAYS:
        if not is_open(d):
            continue
        n = round(24.0 * MONTH_FACTOR[d.month] * WEEKDAY_FACTOR[d.weekday()] * rng.uniform(0.85, 1.15))
        for _ in range(n):
            t = time_on(rng, d, hours_of(d))
            cust = rng.choices(callers, weights=caller_w)[0].cid if rng.random() < 0.85 else None
            phone_contact(rng, t, cust, None, rng.choice(on_duty(d) or AGENTS), calls, talk_mean=110)
        n = round(1.6 * MONTH_FACTOR[d.month] * WEEKDAY_FACTOR[d.weekday()] * rng.uniform(0.5, 1.5))
        for _ in range(n):
            t = time_on(rng, d, hours_of(d))
            cust = rng.choices(callers, weights=caller_w)[0].cid if rng.random() < 0.75 else None
            calls.append(Call(t, cust, None, False, None, int(8 + rng.expovariate(1 / 50))))

    # ids in opening order
    order = sorted(range(len(tickets)), key=lambda i: (tickets[i].opened_at, i))
    for n, i in enumerate(order, 1):
        tickets[i].tid = f"T{n:06d}"
    calls.sort(key=lambda c: (c.started_at, c.answered, c.wait))
    tickets_sorted = [tickets[i] for i in order]
    return tickets_sorted, tickets, calls


def gen_surveys(rng: random.Random, tickets: list[Ticket]) -> list[list]:
    rows = []
    for tk in tickets:
        if tk.closed_at is None or rng.random() >= 0.45:
            continue
        at = tk.closed_at + timedelta(seconds=int(lognormal(rng, 14 * 3600, 1.1)))
        if at >= NOW:
            continue
        m = tk.mood + (0.25 if tk.resolved_first_contact else -0.2)
        rec = max(0, min(10, round(8.75 + 1.6 * m + rng.gauss(0, 0.9))))
        sat = max(1, min(5, round(4.5 + 0.75 * m + rng.gauss(0, 0.5))))
        eff = max(1, min(7, round(5.8 + 1.1 * m - 0.3 * (tk.contacts - 1) + rng.gauss(0, 0.9))))
        exp_ = max(1, min(7, round(5.7 + rng.gauss(0, 0.8))))
        per = max(1, min(7, round(5.7 + 1.0 * m + rng.gauss(0, 0.8))))
        skip = lambda p: rng.random() < p  # noqa: E731
        rows.append({
            "answered_at": at,
            "channel": tk.channel,
            "agent": tk.agent.name,
            "recommend": None if skip(0.04) else rec,
            "satisfaction": None if skip(0.03) else sat,
            "effort": None if skip(0.09) else eff,
            "quality_perceived": None if skip(0.13) else per,
            "quality_expected": None if skip(0.15) else exp_,
        })
    rows.sort(key=lambda r: (r["answered_at"], r["agent"]))
    for i, r in enumerate(rows, 1):
        r["response_id"] = f"S{i:05d}"
    return rows


# --------------------------------------------------------------------------
# marketing: costs, leads, emails, investments


def gen_costs(rng: random.Random) -> list[list[str]]:
    entries = []
    for m in range(1, 13):
        first = date(2025, m, 1)
        last = (date(2025, m + 1, 1) if m < 12 else date(2026, 1, 1)) - timedelta(days=1)
        workdays = [d for d in DAYS if first <= d <= last and is_workday(d)]
        agents = sum(1 for a in AGENTS if a.start <= last and a.end >= first)
        entries.append((last, "support", agents * 3_950_00 + rng.randint(-500_00, 500_00)))  # payroll
        entries.append((workdays[2], "support", 2_480_00 + rng.randint(0, 400_00)))  # telephony, CCaaS
        entries.append((workdays[0], "support", 1_150_00))  # help-desk software
        if m in (3, 9):
            entries.append((workdays[8], "support", 4_800_00))  # training
        entries.append((last, "sales", 4 * 4_600_00 + rng.randint(-300_00, 900_00)))  # sales payroll
        entries.append((last, "sales", rng.randint(2_000_00, 9_500_00)))  # commissions
        for _ in range(rng.randint(4, 9)):
            entries.append((rng.choice(workdays), "marketing", rng.randint(400_00, 6_800_00)))
        for _ in range(rng.randint(5, 10)):
            entries.append((rng.choice(workdays), "lead_generation", rng.randint(300_00, 2_900_00)))
        if m in (3, 6, 10):  # trade fairs
            entries.append((rng.choice(workdays), "lead_generation", rng.randint(9_000_00, 16_000_00)))
        for _ in range(rng.randint(3, 6)):
            entries.append((rng.choice(workdays), "other", rng.randint(50_00, 1_500_00)))
    entries.sort()
    return [[f"E{i:04d}", f_date(d), cat, f_cents(c)] for i, (d, cat, c) in enumerate(entries, 1)]


def gen_leads(rng: random.Random) -> list[list[str]]:
    out = []
    for d in DAYS:
        base = 7.0 if is_workday(d) else 2.0
        for _ in range(round(base * rng.uniform(0.5, 1.5))):
            origin = pick(rng, {"web": 68, "event": 17, "partner": 15})
            if origin == "event" and d.month not in (3, 6, 10):
                origin = "web"
            conv = time_on(rng, d, HOURS_ANY if origin == "web" else HOURS_WEEKDAY)
            qual = None
            if rng.random() < {"web": 0.66, "event": 0.82, "partner": 0.9}[origin]:
                q = conv + timedelta(seconds=int(lognormal(rng, 3.2 * 86400, 1.2)))
                q = open_jitter(rng, q)
                if q.weekday() == 5:
                    q = next_open_time(datetime.combine(q.date() + timedelta(days=2), time(8)))
                qual = q if q < NOW else None
            out.append((conv, origin, qual))
    out.sort()
    return [[f"L{i:05d}", o, f_dt(c), f_dt(q)] for i, (c, o, q) in enumerate(out, 1)]


CAMPAIGNS = [  # (name, send date, audience, open rate, conversion among opened)
    ("newsletter-2025-01", date(2025, 1, 14), 1900, 0.27, 0.05),
    ("soldes-hiver", date(2025, 1, 22), 2400, 0.31, 0.12),
    ("newsletter-2025-03", date(2025, 3, 11), 1950, 0.25, 0.05),
    ("rentree-bureau", date(2025, 8, 26), 2600, 0.22, 0.10),
    ("newsletter-2025-06", date(2025, 6, 10), 2000, 0.24, 0.04),
    ("mobilier-ergonomique", date(2025, 5, 20), 1700, 0.35, 0.09),
    ("newsletter-2025-09", date(2025, 9, 16), 2050, 0.23, 0.05),
    ("black-friday", date(2025, 11, 25), 3100, 0.38, 0.14),
    ("newsletter-2025-12", date(2025, 12, 9), 2100, 0.21, 0.04),
]


def gen_emails(rng: random.Random) -> list[list[str]]:
    out = []
    for name, d, n, p_open, p_conv in CAMPAIGNS:
        start = datetime.combine(d, time(9, 30, 0))
        for i in range(n * 4 // 5):
            sent = start + timedelta(seconds=i * 2 + rng.randint(0, 1))
            delivered = rng.random() < 0.965
            opened = delivered and rng.random() < p_open
            converted = opened and rng.random() < p_conv
            out.append((sent, name, delivered, opened, converted))
    out.sort()
    return [[f"M{i:06d}", c, f_dt(s), f_bool(dl), f_bool(o), f_bool(cv)]
            for i, (s, c, dl, o, cv) in enumerate(out, 1)]


def gen_investments() -> list[list[str]]:
    items = [  # (name, cost, gain) in euros, measured over the year
        ("Callbot for order status", 48_000_00, 91_500_00),
        ("Order capture automation (AI)", 126_000_00, 214_300_00),
        ("CRM upgrade", 64_500_00, 58_200_00),
        ("Agent training programme", 18_200_00, 29_900_00),
        ("Chat widget on the web shop", 9_600_00, 21_450_00),
        ("Workforce management tool", 22_800_00, 31_000_00),
        ("Trade fair stand 2025", 41_000_00, 37_600_00),
        ("Speech analytics pilot", 15_000_00, 12_750_00),
        ("EDI onboarding of key accounts", 33_400_00, 71_100_00),
        ("Self-service customer portal", 87_000_00, 118_400_00),
    ]
    return [[f"I{i:02d}", n, f_cents(c), f_cents(g)] for i, (n, c, g) in enumerate(items, 1)]


# --------------------------------------------------------------------------
# outbound campaigns: contacts and prospecting


OUTBOUND = [  # (campaign, first day, last day, contact records)
    ("nouveautes-q1", date(2025, 1, 13), date(2025, 2, 28), 1200),
    ("relance-pme-printemps", date(2025, 3, 17), date(2025, 5, 30), 1600),
    ("salon-suivi", date(2025, 6, 23), date(2025, 7, 25), 650),
    ("offre-fin-annee", date(2025, 10, 13), date(2025, 12, 19), 1700),
]


def gen_outbound(rng: random.Random) -> tuple[list[list[str]], list[list[str]]]:
    contacts, attempts = [], []
    n = 0
    for camp, first, last, size in OUTBOUND:
        days = [d for d in DAYS if first <= d <= last and is_workday(d)]
        for _ in range(size):
            n += 1
            cid = f"P{n:05d}"
            usable = rng.random() < 0.89
            contacts.append([cid, camp, f_bool(usable)])
            if rng.random() < 0.07:
                continue  # never called: the campaign ran out of time
            max_tries = pick(rng, {3: 15, 5: 30, 6: 25, 8: 30})
            # the dialer rotates hours for most records; some are always called
            # in the same two or three slots (e.g. the agent's own routine)
            slots = list(range(9, 19)) if rng.random() < 0.7 else rng.sample(range(9, 19), rng.randint(2, 3))
            d = rng.choice(days[: max(1, len(days) - 10)])
            tried = 0
            while tried < max_tries and d <= last:
                tried += 1
                t = datetime.combine(d, time(rng.choice(slots), rng.randrange(60), rng.randrange(60)))
                if not usable:
                    outcome = "wrong_number" if rng.random() < 0.85 else "no_answer"
                else:
                    outcome = pick(rng, {"connected": 27, "no_answer": 38, "voicemail": 24,
                                         "abandoned": 11})
                argued = outcome == "connected" and rng.random() < 0.74
                agreed = argued and rng.random() < 0.23
                attempts.append((t, cid, camp, rng.choice(OUTBOUND_AGENTS), outcome, argued, agreed))
                if outcome == "connected" or (outcome == "wrong_number" and tried >= 2):
                    break
                d = later_workday(d, rng.randint(1, 4))
    attempts.sort()
    rows = [[f"A{i:06d}", cid, camp, f_dt(t), ag, o, f_bool(a), f_bool(g)]
            for i, (t, cid, camp, ag, o, a, g) in enumerate(attempts, 1)]
    return contacts, rows


# --------------------------------------------------------------------------
# order management: orders, order_lines, disputes


PRODUCTS = [  # (product, unit price in cents, popularity)
    ("Ramette papier A4 80g", 5_49, 30), ("Ramette papier A4 recyclé", 5_99, 12),
    ("Cartouche toner noir XL", 89_90, 14), ("Cartouche toner couleur", 109_00, 8),
    ("Stylo bille bleu (boîte de 50)", 12_50, 16), ("Surligneurs (lot de 6)", 4_90, 10),
    ("Classeur à levier A4", 3_20, 18), ("Enveloppes C4 (500)", 28_40, 9),
    ("Post-it 76x76 (lot de 12)", 14_90, 15), ("Agrafeuse de bureau", 18_90, 5),
    ("Agrafes 24/6 (boîte de 5000)", 2_90, 11), ("Chaise ergonomique", 289_00, 3),
    ("Bureau réglable électrique", 549_00, 2), ("Écran 27 pouces", 229_00, 3),
    ("Casque micro USB", 59_90, 5), ("Clavier sans fil", 34_90, 5),
    ("Souris ergonomique", 29_90, 6), ("Lampe de bureau LED", 39_90, 3),
    ("Destructeur de documents", 179_00, 1), ("Étiquettes adresse (2400)", 19_90, 6),
    ("Carnet de notes A5", 3_90, 9), ("Café grains 1 kg", 16_50, 12),
    ("Gobelets carton (1000)", 32_00, 7), ("Essuie-mains (carton)", 27_80, 6),
    ("Tableau blanc 120x90", 119_00, 1), ("Marqueurs tableau blanc (lot de 4)", 6_90, 7),
    ("Boîtes d'archives (lot de 10)", 21_00, 6), ("Pochettes plastiques (100)", 4_50, 10),
    ("Calculatrice de bureau", 24_90, 2), ("Câble USB-C 2 m", 12_90, 4),
]
ORDER_CHANNELS = {"email": 34, "edi": 24, "portal": 27, "fax": 5, "phone": 10}
AUTOMATION = {"email": 0.55, "edi": 0.96, "portal": 0.9, "fax": 0.25, "phone": 0.0}


def gen_orders(rng: random.Random):
    orders, lines, disputes = [], [], []
    prod_w = [p[2] for p in PRODUCTS]
    for d in DAYS:
        season = {1: 1.05, 2: 1.0, 3: 1.05, 4: 1.0, 5: 0.95, 6: 1.0, 7: 0.85, 8: 0.75,
                  9: 1.25, 10: 1.05, 11: 1.1, 12: 0.95}[d.month]  # September: back to school
        base = 30.5 if is_workday(d) else 3.0
        for _ in range(round(base * season * rng.uniform(0.8, 1.2))):
            ch = pick(rng, ORDER_CHANNELS)
            if not is_workday(d) and ch in ("fax", "phone"):
                ch = "portal"
            hours = HOURS_WEEKDAY if ch in ("fax", "phone") else HOURS_ANY
            orders.append({"received_at": time_on(rng, d, hours), "channel": ch})
    orders.sort(key=lambda o: (o["received_at"], o["channel"]))
    for i, o in enumerate(orders, 1):
        o["order_id"] = f"O{i:06d}"
        t = o["received_at"]
        ch = o["channel"]
        o["priority"] = rng.random() < 0.09
        o["automated"] = rng.random() < AUTOMATION[ch]
        o["sla_hours"] = 4 if o["priority"] else (48 if ch == "fax" else 24)
        n_lines = 1 + min(24, int(rng.expovariate(1 / 2.0)))
        o["lines"] = n_lines
        chosen: list[int] = []  # distinct products, the popular ones more often
        while len(chosen) < n_lines:
            p = rng.choices(range(len(PRODUCTS)), weights=prod_w)[0]
            if p not in chosen:
                chosen.append(p)
        for p in chosen:
            name, price, _ = PRODUCTS[p]
            qty = max(1, int(lognormal(rng, 6 if price < 20_00 else 2, 0.8)))
            disc = rng.choice([100, 100, 100, 95, 90])
            lines.append([o["order_id"], name, str(qty), f_cents(qty * price * disc // 100)])
        # processing
        if o["automated"]:
            done = t + timedelta(seconds=rng.randint(40, 1500))
            if rng.random() < 0.25:  # the robot flags it; a handler checks it next opening
                done = open_jitter(rng, done) + timedelta(seconds=rng.randint(600, 7200))
        else:
            speed = 0.3 if o["priority"] else 1.0
            start = open_jitter(rng, t)
            if start.weekday() == 5:
                start = next_open_time(datetime.combine(start.date() + timedelta(days=2), time(8)))
            done = start + timedelta(seconds=int(lognormal(rng, 4.5 * 3600 * speed, 0.9)))
            if done.hour >= 19 or done.hour < 8:
                done = next_open_time(datetime.combine(done.date() + timedelta(days=1), time(8))) \
                    + timedelta(seconds=rng.randint(0, 3 * 3600))
        stuck = rng.random() < 0.004
        if done >= NOW or stuck:
            o["status"], o["handler"], o["processed_at"] = "pending", None, None
        else:
            o["handler"] = rng.choice(HANDLERS)
            o["processed_at"] = done
            to_validate = (NOW - done) < timedelta(days=2) and rng.random() < 0.6
            if to_validate or rng.random() < 0.012:
                o["status"] = "to_validate"
            else:
                o["status"] = "rejected" if rng.random() < 0.045 else "approved"
        o["promised_on"] = o["delivered_on"] = None
        if o["status"] in ("approved", "to_validate"):
            o["promised_on"] = later_workday(t.date(), 1 if o["priority"] else rng.randint(2, 4))
        if o["status"] == "approved":
            slip = pick(rng, {-1: 20, 0: 164, 1: 8, 2: 4, 3: 2, 5: 1, 8: 1})
            if o["promised_on"].month in (11, 12):
                slip += pick(rng, {0: 88, 1: 8, 2: 4})  # year-end peak at the carrier
            deliv = later_workday(o["promised_on"], slip) if slip > 0 else (
                o["promised_on"] - timedelta(days=1 if o["promised_on"].weekday() > 0 else 3)
                if slip < 0 else o["promised_on"])
            if deliv < o["processed_at"].date():
                deliv = o["processed_at"].date() + timedelta(days=1)
            if deliv < NOW.date():
                o["delivered_on"] = deliv
        # disputes about delivered orders
        if o["delivered_on"] is not None:
            late = o["delivered_on"] > o["promised_on"]
            p = 0.03 + 0.002 * n_lines + (0.10 if late else 0)
            if rng.random() < p:
                cause = "late" if late and rng.random() < 0.7 else pick(
                    rng, {"price": 30, "quantity": 28, "damaged": 27, "other": 15})
                opened = time_on(rng, later_workday(o["delivered_on"], rng.randint(0, 6)), HOURS_WEEKDAY)
                if opened < NOW:
                    res = opened + timedelta(seconds=int(lognormal(rng, 4.5 * 86400, 0.9)))
                    if res >= NOW or rng.random() < 0.03:
                        res = None
                    else:
                        res = open_jitter(rng, res)
                        res = res if res < NOW else None
                    disputes.append((opened, o["order_id"], res, cause))
    disputes.sort()
    d_rows = [[f"D{i:04d}", oid, f_dt(op), f_dt(rs), "open" if rs is None else "resolved", cause]
              for i, (op, oid, rs, cause) in enumerate(disputes, 1)]
    o_rows = [[o["order_id"], f_dt(o["received_at"]), o["channel"], o["status"],
               f_bool(o["priority"]), o["handler"] or "", f_dt(o["processed_at"]),
               str(o["lines"]), str(o["sla_hours"]), f_bool(o["automated"]),
               f_date(o["promised_on"]), f_date(o["delivered_on"])] for o in orders]
    return o_rows, lines, d_rows


# --------------------------------------------------------------------------


HEADERS = {
    "calls": ["call_id", "started_at", "customer_id", "ticket_id", "answered", "agent",
              "wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds"],
    "tickets": ["ticket_id", "channel", "opened_at", "first_response_at", "closed_at", "status",
                "agent", "customer_id", "contacts", "resolved_first_contact", "smileys"],
    "surveys": ["response_id", "answered_at", "channel", "agent", "recommend", "satisfaction",
                "effort", "quality_perceived", "quality_expected"],
    "customers": ["customer_id", "segment", "active_at_start", "active_at_end",
                  "acquired_in_period", "annual_value_eur", "lifetime_years"],
    "costs": ["entry_id", "booked_on", "category", "amount_eur"],
    "leads": ["lead_id", "origin", "converted_at", "qualified_at"],
    "emails": ["message_id", "campaign", "sent_at", "delivered", "opened", "converted"],
    "prospecting": ["attempt_id", "contact_id", "campaign", "called_at", "agent", "outcome",
                    "argued", "agreed"],
    "contacts": ["contact_id", "campaign", "usable"],
    "orders": ["order_id", "received_at", "channel", "status", "priority", "handler",
               "processed_at", "lines", "sla_hours", "automated", "promised_on", "delivered_on"],
    "order_lines": ["order_id", "product", "quantity", "amount_eur"],
    "disputes": ["dispute_id", "order_id", "opened_at", "resolved_at", "status", "cause"],
    "agents": ["agent", "team", "site", "hired_on"],
    "investments": ["investment_id", "name", "cost_eur", "gain_eur"],
}


# The agents lookup table (data-model.md): team and site of each customer-service agent.
AGENT_TEAMS = {
    "camille": ("front", "Lyon"), "hugo": ("front", "Lyon"), "lea": ("expert", "Lyon"),
    "nathan": ("front", "Lille"), "ines": ("back", "Lille"), "lucas": ("back", "Lille"),
    "manon": ("expert", "Nantes"), "theo": ("front", "Nantes"), "sarah": ("back", "Nantes"),
    "julien": ("front", "Lyon"), "chloe": ("front", "Lyon"),
}


def gen_agents() -> list[list[str]]:
    """One row per agent: name, team, site and hiring date (the start of the year for those
    already there)."""
    rows = []
    for a in AGENTS:
        team, site = AGENT_TEAMS[a.name]
        hired = a.start if a.start > date(2025, 1, 1) else date(2021 + len(a.name) % 4, 9, 1)
        rows.append([a.name, team, site, hired.isoformat()])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    customers = gen_customers(random.Random(SEED + 1))
    write_csv(out, "customers", HEADERS["customers"], [
        [c.cid, c.segment, f_bool(c.active_at_start), f_bool(c.active_at_end), f_bool(c.acquired),
         f_cents(c.value_cents), f_tenths(c.lifetime_tenths)]
        for c in sorted(customers, key=lambda c: c.cid)])

    tickets, by_index, calls = gen_contact_centre(random.Random(SEED + 2), customers)
    write_csv(out, "tickets", HEADERS["tickets"], [
        [t.tid, t.channel, f_dt(t.opened_at), f_dt(t.first_response_at), f_dt(t.closed_at),
         "closed" if t.closed_at else "open", t.agent.name, t.customer, f_int(t.contacts),
         f_bool(t.resolved_first_contact), f_int(t.smileys)] for t in tickets])
    write_csv(out, "calls", HEADERS["calls"], [
        [f"K{i:06d}", f_dt(c.started_at), c.customer or "",
         "" if c.ticket is None else by_index[c.ticket].tid, f_bool(c.answered), c.agent or "",
         f_int(c.wait), f_int(c.talk), f_int(c.hold), f_int(c.wrap)]
        for i, c in enumerate(calls, 1)])
    for c in calls:
        c.ticket_id = None if c.ticket is None else by_index[c.ticket].tid
    write_french_calls(out, calls)

    surveys = gen_surveys(random.Random(SEED + 3), by_index)
    cols = HEADERS["surveys"]
    write_csv(out, "surveys", cols, [
        [f_dt(r[k]) if k == "answered_at" else ("" if r[k] is None else str(r[k])) for k in cols]
        for r in surveys])
    with open(out / "surveys.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for r in surveys:
            rec = {}
            for k in cols:  # a skipped question is a missing key
                if r[k] is not None:
                    rec[k] = f_dt(r[k]) if k == "answered_at" else r[k]
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    write_csv(out, "costs", HEADERS["costs"], gen_costs(random.Random(SEED + 4)))
    write_csv(out, "leads", HEADERS["leads"], gen_leads(random.Random(SEED + 5)))
    write_csv(out, "emails", HEADERS["emails"], gen_emails(random.Random(SEED + 6)))
    write_csv(out, "investments", HEADERS["investments"], gen_investments())
    contacts, prospecting = gen_outbound(random.Random(SEED + 7))
    write_csv(out, "contacts", HEADERS["contacts"], contacts)
    write_csv(out, "prospecting", HEADERS["prospecting"], prospecting)
    orders, lines, disputes = gen_orders(random.Random(SEED + 8))
    write_csv(out, "orders", HEADERS["orders"], orders)
    write_csv(out, "order_lines", HEADERS["order_lines"], lines)
    write_csv(out, "disputes", HEADERS["disputes"], disputes)
    write_csv(out, "agents", HEADERS["agents"], gen_agents())

    for name in HEADERS:
        path = out / f"{name}.csv"
        with open(path, encoding="utf-8") as fh:
            n = sum(1 for _ in fh) - 1
        print(f"{path.name:18} {n:7d} records")
    print(f"{'appels.csv':18} {len(calls):7d} records (French export; also appels.xlsx)")


if __name__ == "__main__":
    main()
