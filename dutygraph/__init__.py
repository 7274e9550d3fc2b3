"""dutygraph: who is responsible for what in Chinese local food-safety work plans, as a knowledge graph."""

__version__ = "0.1.0"
