from .b import *  # noqa: F403
