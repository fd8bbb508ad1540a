#!/usr/bin/env python3
"""Replicate an import history (JSON Lines, repeatd import's format) into a larger one.

usage: bench/replicate.py --tickets N [--pairs FILE] [--pairs-max M] SEED.jsonl > OUT.jsonl

The output holds k = ceil(N / seed tickets) copies of the seed, the last one cut to size (its
first tickets in the seed's order, and only the events of those). Each copy is other citizens
in the same months:
  * every ticket id gets the prefix "C<copy>-" (the ticket's ticket_id and every event's);
    an event's event_id and a citizen's id get the same prefix when present;
  * every phone number is replaced by another valid 11-digit mobile number: the seed's
    distinct numbers, as the service normalises them ("+86 138 0000 0000" and "13800000000"
    are one citizen), are numbered 0..M-1 in the order they come, and number i of copy c
    becomes mobile number c * M + i of a one-to-one numbering, so no two copies (and no two
    citizens of one copy) share a number after normalisation, while the numbers one citizen
    used in one form or another stay one citizen. A number written in the international form
    keeps that form.
Dates, categories, places and texts stay. The seed is read twice, line by line (first for its
phone numbers and ticket ids, then to write the copies); it is never held in memory.

--pairs FILE writes "phone<TAB>category" of up to M tickets spread over all the copies (default
200000): citizens with history in a category, for a load whose look-ups read priors.
"""
import argparse
import json
import random
import sys

PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159",
            "186", "187", "188", "189", "133", "153", "180", "181", "177", "199")
SEPARATORS = " -()."


def normalise(phone):
    """The digits the service keys a citizen by (core/phone.c), or None when it refuses."""
    if not isinstance(phone, str):
        return None
    digits = []
    for i, ch in enumerate(phone):
        if "0" <= ch <= "9":
            digits.append(ch)
        elif ch == "+":  # one, and only before any digit
            if digits or "+" in phone[i + 1:]:
                return None
        elif ch not in SEPARATORS:
            return None
    d = "".join(digits)
    if len(d) < 5 or len(d) > 20:
        return None
    if len(d) == 13 and d.startswith("86") and d[2] == "1":
        return d[2:], True
    if len(d) == 15 and d.startswith("0086") and d[4] == "1":
        return d[4:], True
    return d, False


def mobile(j, international):
    """Mobile number j of a one-to-one numbering (j < 2e9): 20 prefixes x 10^8 bodies."""
    prefix = PREFIXES[j % 20]
    body = (j // 20 * 48271 + 7654321) % 100000000  # 48271 is prime to 10^8: one-to-one
    if international:
        return "+86 %s %04d %04d" % (prefix, body // 10000, body % 10000)
    return "%s%08d" % (prefix, body)


def scan(path):
    """First pass: the seed's distinct normalised phones (numbered) and its ticket ids."""
    phones = {}
    ticket_ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            t = rec.get("ticket")
            if not isinstance(t, dict):
                continue
            ticket_ids.append(t.get("ticket_id"))
            citizen = t.get("citizen")
            n = normalise(citizen.get("phone")) if isinstance(citizen, dict) else None
            if n and n[0] not in phones:
                phones[n[0]] = len(phones)
    return phones, ticket_ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tickets", type=int, required=True)
    ap.add_argument("--pairs")
    ap.add_argument("--pairs-max", type=int, default=200000)
    ap.add_argument("seed")
    a = ap.parse_args()

    phones, ticket_ids = scan(a.seed)
    seed_tickets = len(ticket_ids)
    if seed_tickets == 0 or a.tickets < 1:
        sys.exit("replicate: no tickets in the seed, or --tickets below 1")
    copies = -(-a.tickets // seed_tickets)
    if copies * len(phones) >= 2000000000 or copies > 9999:
        sys.exit("replicate: too many copies for the phone numbering")
    last_cut = a.tickets - (copies - 1) * seed_tickets
    kept_last = set(ticket_ids[:last_cut]) if last_cut < seed_tickets else None
    del ticket_ids
    width = max(2, len(str(copies - 1)))
    rng = random.Random(1)
    share = min(1.0, a.pairs_max / a.tickets)
    pairs = open(a.pairs, "w", encoding="utf-8") if a.pairs else None
    n_pairs = 0
    out = sys.stdout
    written = {"tickets": 0, "events": 0, "other": 0}

    def new_phone(phone, copy):
        n = normalise(phone)
        if not n:
            return phone  # the service refuses it: refused in every copy alike
        return mobile(copy * len(phones) + phones[n[0]], n[1])

    for copy in range(copies):
        prefix = "C%0*d-" % (width, copy)
        kept = kept_last if copy == copies - 1 else None
        with open(a.seed, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                t, e = rec.get("ticket"), rec.get("event")
                if isinstance(t, dict):
                    if kept is not None and t.get("ticket_id") not in kept:
                        continue
                    if isinstance(t.get("ticket_id"), str):
                        t["ticket_id"] = prefix + t["ticket_id"]
                    citizen = t.get("citizen")
                    if isinstance(citizen, dict):
                        if "phone" in citizen:
                            citizen["phone"] = new_phone(citizen["phone"], copy)
                        if isinstance(citizen.get("id"), str):
                            citizen["id"] = prefix + citizen["id"]
                    written["tickets"] += 1
                    if pairs and n_pairs < a.pairs_max and rng.random() < share and \
                            isinstance(citizen, dict) and isinstance(t.get("category"), str):
                        pairs.write("%s\t%s\n" % (citizen.get("phone"), t["category"]))
                        n_pairs += 1
                elif isinstance(e, dict):
                    if kept is not None and e.get("ticket_id") not in kept:
                        continue
                    for k in ("ticket_id", "event_id"):
                        if isinstance(e.get(k), str):
                            e[k] = prefix + e[k]
                    written["events"] += 1
                else:
                    written["other"] += 1
                out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
                out.write("\n")
    if pairs:
        pairs.close()
    print("replicate: %d copies of %d tickets (%d phones): %d tickets, %d events written"
          % (copies, seed_tickets, len(phones), written["tickets"], written["events"]),
          file=sys.stderr)


if __name__ == "__main__":
    main()
