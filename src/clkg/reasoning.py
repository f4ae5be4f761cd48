"""OWL consistency with HermiT (through owlready2; needs Java)."""

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path


class Inconsistent(Exception):
    """The ontology and data are inconsistent, or some classes are unsatisfiable."""


def java_available() -> bool:
    return shutil.which("java") is not None


def check_consistency(quads: Iterable) -> None:
    """Run HermiT over the triples of the quads; raise Inconsistent on failure."""
    import owlready2
    from pyoxigraph import RdfFormat, Triple, serialize

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "merged.nt"
        serialize((Triple(q.subject, q.predicate, q.object) for q in quads),
                  output=str(path), format=RdfFormat.N_TRIPLES)
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            raise Inconsistent("the ontology and data are inconsistent (HermiT)") from None
        unsatisfiable = [c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing]
        world.close()
    if unsatisfiable:
        raise Inconsistent("unsatisfiable classes: " + ", ".join(sorted(unsatisfiable)))
