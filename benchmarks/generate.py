"""Write a synthetic corpus of case datasets (deterministic for a seed) in clkg's case-data format.

    python benchmarks/generate.py OUT --studies 50 --seed 1

Each study has the shape of the seed studies (cases, organizations, informants, sample strata,
observations, findings, quotations, migrations, propositions), about 3,000 triples, and is
consistent with the shapes: totals add up, quotations support findings about their own case,
cases are founded before the fieldwork, what is placed at a level agrees with what was observed,
migrations move one level, every organization has a type. Each study also brings its own
codebook (its own prefix and concept scheme, and a new sector value), as a real next study does.
4 studies ≈ 10k triples, 33 ≈ 100k, 330 ≈ 1M.
"""

import argparse
import csv
import random
from pathlib import Path

LEVELS = ["slf:passive-participation", "slf:active-participation", "slf:joining-for-cooperation",
          "slf:initiating-cooperation"]
GROUPS = ["slf:dead-souls", "slf:participants", "slf:cooperators", "slf:locomotives"]
SYMPTOMS = [["slf:information-transfer-recipient", "slf:raising-awareness-recipient"],
            ["slf:information-transfer-donor-recipient", "slf:raising-awareness-donor-recipient"],
            ["slf:demonstrating", "slf:inspiring"], ["slf:motivating", "slf:educating"]]
BARRIERS = ["plb:isolation-through-reliance-on-central-actor", "plb:centralized-systematic-bias",
            "plb:reliance-on-individual-experiential-learning-trajectories",
            "plb:inward-looking-sub-sectoral-communities", "plb:stereotypical-characterizations-of-organizations",
            "plb:vagueness-about-cluster-purpose", "plb:relational-factors-undermining-trust",
            "plb:dependency-culture-governing-framework", "plb:complexity-and-indeterminacy-of-cluster-structures"]
ORG_TYPES = ["orgtype:sme", "orgtype:large-company", "orgtype:research-organization",
             "orgtype:regional-development-agency", "orgtype:cluster-representative"]
ROLES = ["role:coordinator", "role:enterprise-representative", "role:rd-education-representative",
         "role:business-environment-representative"]
CODEBOOK = 12  # concepts of each study's own codebook
SECTORS = ["sector:metal", "sector:ict", "sector:photonics"]
WORDS = ("cluster members meet share trust project group knowledge coordinator information region "
         "partners cooperation learning benefits initiative firms network innovation market").split()


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def study(rng: random.Random, number: int) -> dict[str, list[dict]]:
    """The tables of one synthetic study."""
    sid = f"synthetic-{number:05d}"
    fieldwork = rng.randint(2005, 2022)
    tables: dict[str, list[dict]] = {k: [] for k in (
        "study", "cases", "organizations", "informants", "sample", "observations", "findings",
        "quotations", "migrations", "propositions", "concepts")}
    cases, total_interviews = [], 0
    for c in range(rng.randint(3, 6)):
        case_id, members = f"case-{c}", rng.randint(30, 250)
        top = rng.randint(2, 3)  # highest involvement level observed in the case (0-based)
        strata = {role: rng.randint(1, 4) for role in rng.sample(ROLES, rng.randint(2, 4))}
        interviews = sum(strata.values())
        total_interviews += interviews
        cases.append((case_id, top))
        tables["cases"].append(dict(case_id=case_id, name=f"Synthetic case {number}-{c}", kind="ClusterInitiative",
                                    code=chr(65 + c), country="Poland", sector=rng.choice(SECTORS),
                                    founded=fieldwork - rng.randint(1, 15), member_count=members, scope="regional",
                                    initiative_type=rng.choice(["citype:bottom-up", "citype:mixed-form"]),
                                    interview_count=interviews, source="Table 1"))
        for role, n in strata.items():
            tables["sample"].append(dict(stratum_id=f"{case_id}-{role.split(':')[1]}", case_id=case_id, role=role,
                                         interview_count=n, source="Table 1"))
        for o in range(rng.randint(4, min(12, members))):
            tables["organizations"].append(dict(organization_id=f"{case_id}-org-{o}", case_id=case_id,
                                                name=f"Organization {number}-{c}-{o}", types=rng.choice(ORG_TYPES),
                                                involvement_level=LEVELS[rng.randint(0, top)], source="Table 1"))
        for level in range(4):
            for concept in [GROUPS[level], *SYMPTOMS[level]]:
                tables["observations"].append(dict(
                    observation_id=f"{case_id}-{concept.split(':')[1]}", case_id=case_id, concept=concept,
                    observed="true" if level <= top else "false", source="§4"))
    tables["study"].append(dict(study_id=sid, title=f"Synthetic study {number}", authors="Synthetic, A.; Author, B.",
                                year=fieldwork + 2, journal="Journal of Synthetic Clusters", design="qualitative",
                                fieldwork=str(fieldwork), fieldwork_start=fieldwork, fieldwork_end=fieldwork,
                                interview_count=total_interviews, frameworks="slf:scheme;plb:scheme",
                                source="§3"))
    for i in range(rng.randint(20, 40)):
        case_id, top = rng.choice(cases)
        tables["informants"].append(dict(informant_id=f"i{i}", case_id=case_id, code=f"{case_id[-1]}{i}",
                                         role=rng.choice(ROLES), source="Table 2"))
    findings_of = {c: [] for c, _ in cases}  # the findings that concern each case
    for f in range(rng.randint(40, 70)):
        concepts = rng.sample(BARRIERS, 2) + [rng.choice(SYMPTOMS[0])]
        concerned = sorted(rng.sample([c for c, _ in cases], 2))
        for c in concerned:
            findings_of[c].append(f"f{f}")
        tables["findings"].append(dict(finding_id=f"f{f}", statement=text(rng, 25), concepts=";".join(concepts),
                                       cases=";".join(concerned), source="§4"))
    informant_case = {r["informant_id"]: r["case_id"] for r in tables["informants"]}
    top_of = dict(cases)
    for q in range(rng.randint(40, 80)):
        speaker = rng.choice(list(informant_case))
        case_id = informant_case[speaker]
        level = rng.randint(0, top_of[case_id])
        supported = rng.sample(findings_of[case_id], min(2, len(findings_of[case_id])))
        tables["quotations"].append(dict(quotation_id=f"q{q}", text=text(rng, rng.randint(15, 60)), speaker=speaker,
                                         case_id=case_id,
                                         illustrates=";".join([LEVELS[level], *SYMPTOMS[level]]),
                                         supports=";".join(supported), source=f"Table 5, row {level + 1}"))
    for lower in range(3):
        tables["migrations"].append(dict(migration_id=f"m{lower}", from_level=LEVELS[lower], to_level=LEVELS[lower + 1],
                                         frequency=rng.choice(["freq:most-often", "freq:relatively-rarely",
                                                               "freq:very-seldom"]), source="Figure 1"))
    tables["propositions"].append(dict(proposition_id="p1", label="P1", statement=text(rng, 20),
                                       antecedent="slf:involvement", mediator="slf:trust-development",
                                       outcome="slf:strength-of-interactions", source="§5"))
    add_codebook(tables, random.Random(number), number)
    return tables


def add_codebook(tables: dict[str, list[dict]], rng: random.Random, number: int) -> None:
    """The study's own codebook (CODEBOOK concepts in two levels, and one new sector value): the
    study declares its prefix, lists its scheme among its frameworks, and each finding uses one of
    its concepts. A separate random stream, so that the other tables do not change with it."""
    prefix = f"syn{number}"
    study = tables["study"][0]
    study.update(frameworks=f"{study['frameworks']};{prefix}:scheme", prefix=prefix)
    concepts = tables["concepts"]
    for c in range(CODEBOOK):
        broader = "" if c < 2 else f"{prefix}:theme-{c % 2}"
        concepts.append(dict(concept_id=f"theme-{c}", label=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number}-{c}",
                             definition=text(rng, 12), broader=broader, scheme="", source=f"§2.{c}"))
    concepts.append(dict(concept_id="own-sector", label=f"synthetic sector {number}", definition=text(rng, 10),
                         broader="", scheme="sector:scheme", source="§3"))
    for finding in tables["findings"]:
        finding["concepts"] += f";{prefix}:theme-{rng.randrange(CODEBOOK)}"


def write_corpus(out: Path, *, studies: int, seed: int, start: int = 0) -> list[Path]:
    """Write ``studies`` dataset folders under ``out``, numbered from ``start``; returns their paths."""
    rng = random.Random(seed)
    folders = []
    for number in range(start, start + studies):
        folder = out / f"synthetic-{number:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in study(rng, number).items():
            if rows:
                with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
                    writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
                    writer.writeheader()
                    writer.writerows(rows)
        folders.append(folder)
    return folders


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--studies", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"wrote {len(write_corpus(args.out, studies=args.studies, seed=args.seed))} studies to {args.out}")
