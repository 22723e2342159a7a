"""`minewire demo`: the bundled sample site, its plain loopback server, and the run over them."""

from flows.demo.run import DEMO_USER_AGENT, SAMPLE_SOURCES, demo_settings, run_demo
from flows.demo.server import SAMPLE_SITE, SampleServer

__all__ = ["DEMO_USER_AGENT", "SAMPLE_SITE", "SAMPLE_SOURCES", "SampleServer", "demo_settings", "run_demo"]
