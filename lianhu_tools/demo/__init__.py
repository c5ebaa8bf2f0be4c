"""Deterministic demo cities: real Gansu counties, synthetic villages, households, units and cadres.

    from lianhu_tools.demo import generate_city
    city = generate_city("city", seed=0)   # 天水市 at its 2012 scale; also "tiny" and "province"
"""

from .generator import PRESETS, CitySize, DemoCity, generate_city

__all__ = ["PRESETS", "CitySize", "DemoCity", "generate_city"]
