"""Stub Quart: the stub Flask under another name."""

from flask import Blueprint, Config, Flask


class Quart(Flask):
    pass


__all__ = ["Blueprint", "Config", "Quart"]
