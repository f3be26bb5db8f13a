"""The medpolicy version, printed in every JSON statement."""
__version__ = "0.2.0"
