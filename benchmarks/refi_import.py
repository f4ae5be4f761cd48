"""REFI-QDA import speed: a project of two 700 KB transcripts with 300 coded selections.

    python benchmarks/refi_import.py [--repeat 5] [--selections 300] [--kb 700]

The project is NVivo-like, the hardest case for positions: each transcript has a byte-order mark,
CRLF line ends and an emoji every few lines, positions are UTF-16 code units, and every selection
is written once per code (two codes each: 600 selections on 300 spans). Timed, in this process:
``import_file`` (open the zip in memory, parse the XML, detect how positions were counted,
map to the case-data tables) and ``write_folder`` (write CSVs and transcripts); the goal is under
1 s for both together. ``clkg validate`` of the result is timed once as a whole command.
"""

import argparse
import io
import random
import statistics
import subprocess
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

NS = "urn:QDA-XML:project:1.0"
WORDS = ("cluster members trust learning project firms meeting knowledge network coordinator "
         "shared rivals contacts breakfast region export").split()


def transcript(rng: random.Random, size: int) -> str:
    lines, total = [], 0
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        line = f"{rng.choice(['Q', 'A'])}: {line}." + (" 😀" if rng.random() < 0.3 else "")
        lines.append(line)
        total += len(line.encode("utf-8")) + 2
    return "\r\n".join(lines) + "\r\n"


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def project(path: Path, *, selections: int, kb: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    codes = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(20)]
    codebook = "".join(f'<Code guid="{g}" name="code {n}" isCodable="true"/>' for n, g in enumerate(codes))
    sources, files = [], {}
    for s in range(2):
        text = transcript(rng, kb * 1000)
        source = str(uuid.UUID(int=rng.getrandbits(128))).upper()
        files[f"Sources/{source}.txt"] = b"\xef\xbb\xbf" + text.encode("utf-8")
        spans = []
        for _ in range(selections // 2):
            start = text.index(" ", rng.randrange(len(text) - 400)) + 1
            end = text.index(" ", start + rng.randint(40, 300))
            spans.append((units(text[:start]), units(text[:end])))
        body = "".join(
            f'<PlainTextSelection guid="{uuid.uuid4()}" name="" startPosition="{a}" endPosition="{b}">'
            f'<Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
            for a, b in spans for code in rng.sample(codes, 2))
        sources.append(f'<TextSource guid="{source}" name="Interview {s + 1}" plainTextPath="internal://{source}.txt">'
                       f"{body}</TextSource>")
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="Benchmark" origin="NVivo-like">'
           f"<CodeBook><Codes>{codebook}</Codes></CodeBook><Sources>{''.join(sources)}</Sources></Project>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def main() -> None:
    from clkg.refi.folder import write_folder
    from clkg.refi.importer import import_file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--selections", type=int, default=300)
    parser.add_argument("--kb", type=int, default=700)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = project(Path(tmp) / "bench.qdpx", selections=args.selections, kb=args.kb)
        size = path.stat().st_size
        reads, writes = [], []
        for n in range(args.repeat):
            folder = Path(tmp) / f"run{n}" / "bench"
            t0 = time.perf_counter()
            imported = import_file(path, study_id="bench")
            t1 = time.perf_counter()
            write_folder(imported, folder)
            t2 = time.perf_counter()
            reads.append(t1 - t0)
            writes.append(t2 - t1)
        quotations = len(imported.tables["quotations"])
        t0 = time.perf_counter()
        check = subprocess.run(["clkg", "validate", str(folder)], capture_output=True, text=True)
        validate = time.perf_counter() - t0
    print(f"project: 2 transcripts of about {args.kb} KB, {2 * (args.selections // 2) * 2} selections on "
          f"{quotations} spans ({size:,} bytes zipped)")
    print(f"positions: {'; '.join(imported.readings)}")
    print(f"import_file (zip, XML, positions, tables): median {statistics.median(reads) * 1000:.0f} ms "
          f"(min {min(reads) * 1000:.0f}, max {max(reads) * 1000:.0f}; {args.repeat} runs)")
    print(f"write_folder (CSV and transcript files): median {statistics.median(writes) * 1000:.0f} ms")
    print(f"total: median {statistics.median([r + w for r, w in zip(reads, writes)]) * 1000:.0f} ms (goal: < 1000 ms)")
    print(f"clkg validate of the result (whole command): {validate:.1f} s, exit {check.returncode}")


if __name__ == "__main__":
    main()
