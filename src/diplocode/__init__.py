"""diplocode: transparent, multilingual, comparative analysis of diplomatic and policy documents."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("diplocode")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
