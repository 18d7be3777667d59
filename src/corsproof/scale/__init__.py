"""Scale-out: resumable JSON Lines runs over many probe targets and many repositories, on this
machine or on a Dask distributed cluster (`pip install "corsproof[cluster]"`).

The unit of work is a description (target URLs of one origin, or one repository to scan) sent to
whoever runs it; what comes back is plain JSON-ready data (`Block`: a target's or a repository's
finding dicts, error dicts and `done` record). Live connections and parsed trees never cross
the wire, and only the client writes the report, so a unit retried after a lost worker is
reported once.
"""

from corsproof.scale._blocks import Block
from corsproof.scale._resume import Resumed, ResumeError, finished_units

__all__ = ["Block", "ResumeError", "Resumed", "finished_units"]
