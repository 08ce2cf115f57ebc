from tests.kpis.engine.conftest import catalogue, value_of  # noqa: F401  the engine tests' fixtures
