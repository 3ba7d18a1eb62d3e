"""The OWL ontology and SHACL shapes of the graph, shipped inside the wheel."""
from pathlib import Path

HERE = Path(__file__).parent
ONTOLOGY = HERE / "ontology.ttl"
SHAPES = HERE / "shapes.ttl"
