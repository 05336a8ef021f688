"""Blockchain-backed register of data property rights (数据产权登记)."""

__version__ = "0.1.0"
