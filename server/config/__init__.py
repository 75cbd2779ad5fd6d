"""Hall configuration: a TOML file describing floors, departments, queues, matters, windows and devices
(model.py), validated on load with every problem reported at once (loading.py)."""
from .loading import load_config
from .model import (BUNDLED_DEMO_HALL, DEVICE_PROTOCOLS, ConfigError, Device, HallConfig, HallConfigFile, HallSettings,
                    WindowSpec)
from .notices import NOTICE_PLACEHOLDERS, Notices

__all__ = ["BUNDLED_DEMO_HALL", "DEVICE_PROTOCOLS", "ConfigError", "Device", "HallConfig", "HallConfigFile",
           "HallSettings", "NOTICE_PLACEHOLDERS", "Notices", "WindowSpec", "load_config"]
