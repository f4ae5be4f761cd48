"""Plots where people would rather look. Each is drawn from saved queries' answers alone (what
the levels, types, concepts and studies are comes from the graph), as a Vega-Lite specification
that vl-convert renders to SVG and PNG in the server, without a browser or a network.

``/plots`` shows them all; ``/plots/NAME`` one, with a form for its parameters;
``/plots/NAME.svg``, ``.png`` and ``.json`` (the Vega-Lite specification, data included) download it.
"""

import asyncio
import json
import math
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from starlette.exceptions import HTTPException
from starlette.responses import Response

from clkg.web import tasks
from clkg.web.app import curies, page, run

VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"  # the schema's name, never fetched
FONT = "DejaVu Sans, Verdana, sans-serif"
CONFIG = {"font": FONT, "view": {"stroke": None}, "axis": {"labelFontSize": 12, "titleFontSize": 12},
          "legend": {"labelFontSize": 12, "titleFontSize": 12}, "title": {"fontSize": 15, "anchor": "start"}}
ARROWHEAD = "M0,-1L0.6,0.8L-0.6,0.8Z"  # a narrow triangle pointing up (angle 0), as SVG path data
FILES = {"svg": "image/svg+xml", "png": "image/png", "json": "application/json"}
PNG_SCALE = 2
#: pixels of the largest PNG drawn (4 bytes each in vl-convert): a larger one is refused, not drawn,
#: since vl-convert aborts the whole server when it cannot allocate one (a 33-study corpus's
#: evidence plot asked for 57 GB)
MAX_PNG_PIXELS = 50_000_000
#: the evidence plot draws the studies with the most evidence (the others summed in one bar) and the
#: concepts with the most, at most MAX_BARS bars a column: a plot of thousands of concepts or a legend
#: of hundreds of studies is unreadable, and past a few thousand concepts Vega's renderer runs out of stack
MAX_STUDIES = 12
MAX_BARS = 600
BAR = 8  # pixels a bar
MAX_CASES = 8  # case lists named in a migration's tooltip


@dataclass(frozen=True)
class Plot:
    name: str
    title: str
    description: str
    queries: tuple[str, ...]  # the saved queries it is drawn from
    draw: object  # (answers by query name) -> Vega-Lite specification
    params: tuple[str, ...] = field(default=())  # parameters passed on to the queries that take them


def barrier_matrix(answers) -> dict:
    """Levels x types, each cell coloured by the quotations about its barriers and listing them."""
    table = answers["barrier-matrix"]
    levels, types, cells = [], [], {}
    for row in table.records():
        level, kind = row["level"], row["type"]
        levels += [level] if level not in levels else []
        types += [kind] if kind not in types else []
        cell = cells.setdefault((level, kind), {"level": level, "type": kind, "quotations": 0, "findings": 0,
                                                 "barriers": []})
        cell["quotations"] += row["quotations"] or 0
        cell["findings"] += row["findings"] or 0
        counts = f"({row['quotations'] or 0} q, {row['findings'] or 0} f)".replace(" ", "\u00a0")  # kept on one line
        cell["barriers"].append(f"{row['barrier']} {counts}")
    values = []
    for cell in cells.values():
        lines = [line for name in cell.pop("barriers") for line in textwrap.wrap(name, 50, initial_indent="• ",
                                                                                 subsequent_indent="  ")]
        values.append({**cell, "names": "\n".join(lines), "lines": len(lines),
                       "counts": f"Σ {cell['quotations']} quotations · {cell['findings']} findings"})
    most = max((v["quotations"] for v in values), default=0)
    height = 48 + 15 * max((v["lines"] for v in values), default=1)
    xy = {"x": {"field": "type", "type": "nominal", "sort": types, "title": "barrier type",
                "axis": {"orient": "top", "labelAngle": 0}},
          "y": {"field": "level", "type": "nominal", "sort": levels, "title": "barrier level"}}
    text = {"condition": {"test": f"datum.quotations > {most * 0.55}", "value": "white"}, "value": "#1d2433"}
    return {
        "$schema": VEGA_LITE, "title": "Barriers to process learning: level × type, with their evidence",
        "data": {"values": values}, "width": {"step": 390}, "height": {"step": height}, "encoding": xy,
        "layer": [
            {"name": "cells", "mark": {"type": "rect", "stroke": "white", "strokeWidth": 3},
             "encoding": {"color": {"field": "quotations", "type": "quantitative", "title": "quotations",
                                    "scale": {"scheme": "blues", "domainMin": 0}},
                          "tooltip": [{"field": "level"}, {"field": "type"}, {"field": "counts"}]}},
            {"name": "counts", "mark": {"type": "text", "fontWeight": "bold", "fontSize": 12,
                                        "dy": -(height / 2) + 16},
             "encoding": {"text": {"field": "counts"}, "color": text}},
            {"name": "barriers", "mark": {"type": "text", "fontSize": 12, "lineBreak": "\n", "align": "left",
                                          "baseline": "top", "dx": -180, "dy": -(height / 2) + 30},
             "encoding": {"text": {"field": "names"}, "color": text}},
        ],
        "config": CONFIG,
    }


def migrations(answers) -> dict:
    """The involvement levels in their order, and arrows for the migrations between them, as thick
    as they are frequent (dashed: not observed), labelled with the frequency."""
    ladder, moves = answers["involvement-ladder"].records(), _merged(answers["cop-migrations"].records())
    levels: dict[str, dict] = {}
    for row in sorted(ladder, key=lambda r: r["order"] if r["order"] is not None else math.inf):
        levels.setdefault(row["level"], {"level": row["level"], "group": row["member_group"] or ""})
    for row in moves:
        for end, group in (("from_level", "from_group"), ("to_level", "to_group")):
            levels.setdefault(row[end], {"level": row[end], "group": row[group] or ""})
    gap, places = 230, {}
    for i, node in enumerate(levels.values()):
        places[node["level"]] = 70 + i * gap
        node.update(x=places[node["level"]], label=node["level"], sub=f"({node['group']})" if node["group"] else "")
    lifts = [(places[r["to_level"]] - places[r["from_level"]]) / gap for r in moves]
    lifts = [-(55 + 45 * abs(span)) if span >= 0 else 95 + 45 * abs(span) for span in lifts]  # forward above
    base = 40 + max((-lift for lift in lifts if lift < 0), default=0)
    for node in levels.values():
        node["y"] = base
    points, arrows, labels = [], [], []
    for k, (row, lift) in enumerate(zip(moves, lifts)):
        x1, x2 = places[row["from_level"]] + 12, places[row["to_level"]] - 12  # out on the right, in on the left
        y = base - 22 if lift < 0 else base + 22  # (from the top or bottom of the level's circle)
        control = ((x1 + x2) / 2, y + 2 * lift)
        rank = row["rank"] or 0
        frequency = row["frequency"] + (f" ({row['reports']:,} reports)" if row["reports"] > 1 else "")
        edge = {"edge": k, "rank": rank, "frequency": frequency, "observed": rank > 0,
                "from": row["from_level"], "to": row["to_level"], "cases": row["cases"] or "all cases"}
        for step in range(23):  # up to t = 0.92: the arrowhead covers the rest
            x, y_at = _bezier((x1, y), control, (x2, y), step / 24)
            points.append({**edge, "order": step, "x": x, "y": y_at})
        tip_x, tip_y = _bezier((x1, y), control, (x2, y), 0.96)
        dx, dy = x2 - control[0], y - control[1]  # the curve's direction where it ends
        arrows.append({**edge, "x": tip_x, "y": tip_y, "angle": math.degrees(math.atan2(dx, -dy))})
        labels.append({**edge, "x": (x1 + x2) / 2, "y": y + lift + (-8 if lift < 0 else 14)})
    width = 140 + gap * max(len(levels) - 1, 0)
    height = base + max(90, 60 + max((lift for lift in lifts if lift > 0), default=0))
    pixels = {"x": {"field": "x", "type": "quantitative", "scale": None, "axis": None},
              "y": {"field": "y", "type": "quantitative", "scale": None, "axis": None}}
    stroke = {"field": "rank", "type": "quantitative", "scale": {"domain": [0, 3], "range": [1.5, 8]}, "legend": None}
    colour = {"condition": {"test": "datum.observed", "value": "#2f5d9e"}, "value": "#9aa6bb"}
    tip = [{"field": "from"}, {"field": "to"}, {"field": "frequency"}, {"field": "cases"}]
    return {
        "$schema": VEGA_LITE, "title": "Involvement levels and the migrations between them",
        "width": width, "height": height, "encoding": pixels,
        "layer": [
            {"name": "migrations", "data": {"values": points},
             "mark": {"type": "line", "interpolate": "linear", "strokeCap": "round"},
             "encoding": {"detail": {"field": "edge"}, "order": {"field": "order"}, "strokeWidth": stroke,
                          "color": colour, "tooltip": tip,
                          "strokeDash": {"condition": {"test": "datum.observed", "value": [1, 0]}, "value": [6, 5]}}},
            {"name": "arrows", "data": {"values": arrows},
             "mark": {"type": "point", "shape": ARROWHEAD, "filled": True, "size": 380, "opacity": 1},
             "encoding": {"angle": {"field": "angle", "type": "quantitative", "scale": None}, "color": colour}},
            {"name": "frequencies", "data": {"values": labels}, "mark": {"type": "text", "fontSize": 12},
             "encoding": {"text": {"field": "frequency"}, "color": colour, "tooltip": tip}},
            {"name": "levels", "data": {"values": list(levels.values())},
             "mark": {"type": "point", "shape": "circle", "filled": True, "size": 1500, "color": "#1d2433",
                      "opacity": 1},
             "encoding": {"tooltip": [{"field": "level"}, {"field": "group"}]}},
            {"name": "level-names", "data": {"values": list(levels.values())},
             "mark": {"type": "text", "fontSize": 13, "fontWeight": "bold", "dy": 40},
             "encoding": {"text": {"field": "label"}}},
            {"name": "groups", "data": {"values": list(levels.values())},
             "mark": {"type": "text", "fontSize": 12, "dy": 58, "color": "#5b6475"},
             "encoding": {"text": {"field": "sub"}}},
        ],
        "config": CONFIG,
    }


def _merged(moves: list[dict]) -> list[dict]:
    """One migration per (from, to, frequency), in their first order, with how many records report
    it (``reports``) and their cases (at most :data:`MAX_CASES` named): several studies on the same
    levels would otherwise draw one arrow over another."""
    merged: dict[tuple, dict] = {}
    for row in moves:
        key = (row["from_level"], row["to_level"], row["frequency"])
        if key not in merged:
            merged[key] = {**row, "reports": 0, "all": []}
        merged[key]["reports"] += 1
        merged[key]["all"].append(row["cases"] or "all cases")
    for row in merged.values():
        named = list(dict.fromkeys(row.pop("all")))
        row["cases"] = "; ".join(named) if len(named) <= MAX_CASES else f"{len(named):,} case lists"
    return list(merged.values())


def _bezier(start, control, end, t: float) -> tuple[float, ...]:
    """The point at ``t`` (0-1) of the quadratic Bézier curve from ``start`` to ``end`` around ``control``."""
    return tuple((1 - t) ** 2 * a + 2 * (1 - t) * t * c + t ** 2 * b for a, c, b in zip(start, control, end))


def evidence(answers) -> dict:
    """For each concept, bars of its findings and quotations per study, most evidence first: the
    :data:`MAX_STUDIES` studies with the most evidence (the others summed in one bar), and as many
    concepts, most evidence first, as :data:`MAX_BARS` bars allow; the subtitle says what is left out."""
    rows = answers["evidence-by-concept"].records()
    by_label: dict[str, set] = {}
    for row in rows:
        by_label.setdefault(row["label"], set()).add(row["concept"])
    names: dict[str, str] = {}  # concept -> its name in the plot (a concept in two schemes: the first)
    for row in rows:
        names.setdefault(row["concept"], row["label"] if len(by_label[row["label"]]) == 1
                         else f"{row['label']} ({row['scheme']})")
    # a concept of two schemes has a row for each: counted once; two concepts of one name: summed
    once = {(row["concept"], row["study"], kind): row[kind]
            for row in rows for kind in ("findings", "quotations") if row[kind]}
    counts = Counter()  # (concept name, study, kind) -> count
    for (concept, study, kind), n in once.items():
        counts[names[concept], study, kind] += n
    studies = _most(counts, 1)
    others = studies[MAX_STUDIES:]
    if others:  # the studies past the MAX_STUDIES with the most evidence: one bar
        rest, kept = f"{len(others):,} other studies", set(studies[:MAX_STUDIES])
        summed = Counter()
        for (name, study, kind), n in counts.items():
            summed[name, study if study in kept else rest, kind] += n
        counts, studies = summed, sorted(kept) + [rest]
    else:
        studies = sorted(studies)
    order = _most(counts, 0)
    most = max(1, MAX_BARS // max(len(studies), 1))  # concepts
    shown = set(order[:most])
    values = [{"concept": name, "study": study, "kind": kind, "count": n}
              for (name, study, kind), n in counts.items() if name in shown]
    left = [f"the {most:,} concepts with the most evidence of {len(order):,}"] if len(order) > most else []
    left += [f"the {MAX_STUDIES} studies with the most evidence, the other {len(others):,} summed"] if others else []
    title = {"text": "Evidence per concept and study"}
    if left:
        title["subtitle"] = "Shown: " + "; ".join(left) + " (choose a scheme for fewer; the question's table has all)"
    return {
        "$schema": VEGA_LITE, "title": title,
        "data": {"values": values},
        "facet": {"column": {"field": "kind", "type": "nominal", "title": None, "sort": ["findings", "quotations"],
                             "header": {"labelFontSize": 13, "labelFontWeight": "bold"}}},
        "spec": {
            "name": "bars", "mark": "bar", "width": 260, "height": {"step": BAR},  # (a step of the yOffset band: each bar's)
            "encoding": {
                "y": {"field": "concept", "type": "nominal", "sort": order[:most], "title": None,
                      "axis": {"labelLimit": 320}},
                "x": {"field": "count", "type": "quantitative", "title": None},
                "color": {"field": "study", "type": "nominal", "sort": studies, "title": "study",
                          "legend": {"orient": "top", "direction": "vertical", "labelLimit": 600}},
                "yOffset": {"field": "study", "sort": studies},
                "tooltip": [{"field": "concept"}, {"field": "study"}, {"field": "kind"}, {"field": "count"}],
            },
        },
        "resolve": {"scale": {"x": "independent"}},
        "config": CONFIG,
    }


def _most(counts: Counter, part: int) -> list[str]:
    """The values of one part of the keys of ``counts``, the largest sum of counts first."""
    totals = Counter()
    for key, n in counts.items():
        totals[key[part]] += n
    return sorted(totals, key=lambda value: (-totals[value], value))


PLOTS = {plot.name: plot for plot in (
    Plot("barrier-matrix", "The barrier matrix",
         "Barrier levels × barrier types; each cell lists its barriers with their quotations (q) and findings (f), "
         "and is coloured by their sum (a record about two barriers of a cell counts twice).",
         ("barrier-matrix",), barrier_matrix),
    Plot("involvement", "Involvement levels and migrations",
         "The involvement levels in their order with their member groups, and the migrations between them "
         "as arrows as thick as they are frequent (dashed: not observed).",
         ("involvement-ladder", "cop-migrations"), migrations),
    Plot("evidence", "Evidence per concept and study",
         "Findings and quotations about each concept, per study, most evidence first.",
         ("evidence-by-concept",), evidence, params=("scheme",)),
)}


async def specification(runner, plot: Plot, values: dict[str, str]) -> dict:
    """A plot's Vega-Lite specification, from the answers of its queries (run by ``runner``)."""
    from clkg.saved_queries import saved_queries

    answers = {}
    for name in plot.queries:
        params = {k: v for k, v in values.items() if k in saved_queries()[name].params}
        answers[name] = await runner.run(tasks.answer, name, params)
    return plot.draw(answers)


@lru_cache(maxsize=64)
def _render(spec_json: str, fmt: str) -> bytes:
    """:raises AnswerTooLarge: a PNG of more than MAX_PNG_PIXELS"""
    import re

    import vl_convert

    from clkg.web.runner import AnswerTooLarge

    spec = json.loads(spec_json)
    if fmt == "png":
        svg = _render(spec_json, "svg")[:1000].decode("utf-8", errors="replace")
        found = re.search(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"', svg)
        width, height = (float(found[1]), float(found[2])) if found else (0.0, 0.0)
        if width * height * PNG_SCALE ** 2 > MAX_PNG_PIXELS:
            raise AnswerTooLarge(f"the plot is {width:,.0f} × {height:,.0f} points, too large to draw as PNG "
                                 f"(at most {MAX_PNG_PIXELS / 1e6:g} million pixels at scale {PNG_SCALE}): "
                                 "take the SVG, or ask for less with the plot's parameters")
        return vl_convert.vegalite_to_png(spec, scale=PNG_SCALE)
    return vl_convert.vegalite_to_svg(spec).encode("utf-8")


async def render(spec: dict, fmt: str) -> bytes:
    """The plot as SVG or PNG (rendered in a thread; the last few are kept)."""
    return await asyncio.to_thread(_render, json.dumps(spec, sort_keys=True), fmt)


async def warm_up(runner) -> None:
    """Render every plot once (vl-convert's first call takes a second or two, a plot up to a few),
    so that the first visitors find them ready; a plot that fails now fails again when asked for."""
    from clkg.errors import ClkgError

    for plot in PLOTS.values():
        try:
            await render(await specification(runner, plot, {}), "svg")
        except ClkgError:
            pass


def _values(request, plot: Plot) -> dict[str, str]:
    return {k: request.query_params[k].strip() for k in plot.params if request.query_params.get(k, "").strip()}


async def gallery(request):
    from markupsafe import Markup

    shown = []
    for plot in PLOTS.values():
        svg = await render(await specification(request.app.state.runner, plot, {}), "svg")
        shown.append((plot, Markup(svg.decode("utf-8"))))  # vl-convert escapes the data it writes
    return page(request, "plots.html", title="Plots", plots=shown)


async def plot(request):
    """``/plots/NAME`` (the page) and ``/plots/NAME.svg|.png|.json`` (the files)."""
    from markupsafe import Markup

    from clkg.web.questions import param_field, split_format

    name, fmt = split_format(request.path_params["name"], FILES)
    chosen = PLOTS.get(name)
    if chosen is None:
        raise HTTPException(404, f"there is no plot {name!r}; /plots lists them")
    values = _values(request, chosen)
    spec = await specification(request.app.state.runner, chosen, values)
    if fmt == "json":
        return Response(json.dumps(spec, indent=1, ensure_ascii=False), media_type=FILES[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{name}.vl.json"'})
    if fmt:
        return Response(await render(spec, fmt), media_type=FILES[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
    from clkg.saved_queries import saved_queries

    params = [saved_queries()[q].params[p] for q in chosen.queries for p in chosen.params
              if p in saved_queries()[q].params]
    lists = tuple(f"choices-{p.name}" for p in params if tasks.has_page_query(f"choices-{p.name}"))
    choices = await run(request, tasks.rows, lists, {}) if lists else {}
    fields = [param_field(p, choices.get(f"choices-{p.name}"), values.get(p.name), curies=curies(request))
              for p in params]
    svg = await render(spec, "svg")
    return page(request, "plot.html", title=chosen.title, plot=chosen, svg=Markup(svg.decode("utf-8")),
                fields=fields, query_string=request.url.query)
